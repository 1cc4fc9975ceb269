/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include <ctnl/conntrack.h>	/* sizeof(struct ctnl_flow) only */

#include "growth.h"
#include "harness.h"

void growth_fill(uint32_t n, double sec)
{
	struct sample s;

	memset(&s, 0, sizeof(s));
	s.sec = sec;
	s.count = n;
	record(row_get(n, "fill", "libctnl batched creates (the fill)"), true,
	       &s, n, false);
}

/* The operations followed, by their row keys. */
static const char *const growth_keys[] = {
	"fill", "dump.floor", "dump.dump", "dump.list", "dump.nfct",
	"dump.cli", "filt.kernel", "filt.cli", "upd.floor", "upd.batch",
	"upd.nfct", "del.ctnl", "del.flush", "del.cli", "flush.ctnl",
	"flush.cli", "ev.ctnl", "ev.cli", NULL,
};

/* Nanoseconds per table entry of @key at @n, or -1. */
static double per_entry(uint32_t n, const char *key)
{
	double med;

	if (!median_sec(row_find(n, key), &med))
		return -1;
	return med * 1e9 / n;
}

static const char *label_of(const char *key, const uint32_t *sizes,
			    int nsizes)
{
	for (int i = 0; i < nsizes; i++) {
		const struct row *r = row_find(sizes[i], key);

		if (r)
			return r->label;
	}
	return key;
}

void print_growth(const uint32_t *sizes, int nsizes)
{
	if (nsizes < 2)
		return;
	printf("\nHow each operation grows: nanoseconds per table entry "
	       "(median time / table size); last column: the largest size's "
	       "over the second's (1.00: linear)\n  %-44s", "");
	for (int i = 0; i < nsizes; i++)
		printf(" %9s", num(sizes[i]));
	printf(" %7s\n", "growth");
	for (int k = 0; growth_keys[k]; k++) {
		double first = per_entry(sizes[1], growth_keys[k]);
		double last = per_entry(sizes[nsizes - 1], growth_keys[k]);

		printf("  %-44s", label_of(growth_keys[k], sizes, nsizes));
		for (int i = 0; i < nsizes; i++) {
			double v = per_entry(sizes[i], growth_keys[k]);

			if (v < 0)
				printf(" %9s", "-");
			else
				printf(" %9.0f", v);
		}
		if (first > 0 && last > 0)
			printf(" %7.2f", last / first);
		printf("\n");
	}
}

void print_targets_growth(const uint32_t *sizes, int nsizes)
{
	uint32_t big = 0;
	const struct row *r;
	double x;
	long worst = -1;

	for (int i = 0; i < nsizes; i++)
		if (sizes[i] > big)
			big = sizes[i];
	if (big < 1000000)
		return;
	printf("\n=========== Targets of issue 15 at %s entries ===========\n",
	       num(big));
	x = ratio(big, "dump.dump", "dump.floor");
	verdict(x > 0, x > 0 && x <= 1.1, "streaming dump / raw floor wall "
		"time: %.2f (target <= 1.1)", x);
	r = row_find(big, "dump.list");
	if (r && r->n) {
		double own = (double)r->s[0].count * sizeof(struct ctnl_flow);

		x = (double)peak_rss(r) * 1024 / own;
		verdict(true, x <= 1.1, "list peak RSS / the flows' own size "
			"(%s x %zu B = %.1f MiB): %.3f (target <= 1.1)",
			num(r->s[0].count), sizeof(struct ctnl_flow),
			own / 1048576, x);
	}
	r = row_find(big, "dump.dump");
	worst = r && r->n ? peak_rss(r) : -1;
	verdict(worst > 0, worst > 0 && worst < 4096, "streaming dump peak "
		"RSS: %.1f MiB (target < 4 MiB)", (double)worst / 1024);
}
