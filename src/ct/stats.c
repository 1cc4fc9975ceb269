/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default handle's statistics: the table's size and limit, and the
 * per-CPU counters of the conntrack and expectation tables, as
 * `conntrack -C` and `conntrack -S` show them.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

struct stats_state {
	struct ctnl_stats st;
	int replies;
};

static int stats_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct stats_state *s = arg;
	int err;

	if (s->replies++)
		return -EBADMSG;
	err = ctnl_stats_parse(nlh, &s->st);
	return err == -EPROTO ? -EBADMSG : err;
}

static int count_expect(const struct ctnl_expect *exp, void *data)
{
	(void)exp;
	(void)data;
	return CTNL_CB_OK;
}

/*
 * The kernel has no statistics request for the expectation table: its
 * entries are counted with a dump (which also hands over the count), and
 * its limit is not reported over netlink at all.
 */
static int expect_stats(struct ct_handle *h, struct ctnl_stats *out)
{
	/* A count under churn is a moment's anyway: one more try at least. */
	unsigned int tries = h->dump_retries ? h->dump_retries : 1;
	int ret = ctnl__ct_dump_expect(h, 0, count_expect, NULL);

	while (ret == -EINTR && tries-- > 0)
		ret = ctnl__ct_dump_expect(h, 0, count_expect, NULL);
	if (ret < 0)
		return ret;
	*out = (struct ctnl_stats){ .count = (uint32_t)ret, .max = 0 };
	return 0;
}

int ctnl__ct_stats(void *ctx, enum ctnl_table table, struct ctnl_stats *out)
{
	struct ct_handle *h = ctx;
	struct stats_state s = { .replies = 0 };
	int ret;

	if (!out ||
	    (table != CTNL_TABLE_CONNTRACK && table != CTNL_TABLE_EXPECT))
		return -EINVAL;
	if (table == CTNL_TABLE_EXPECT)
		return expect_stats(h, out);
	ctnl__ct_begin_op(h);
	ret = ctnl_build_stats(h->req, sizeof(h->req));
	if (ret >= 0)
		ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), stats_msg,
					&s);
	if (ret < 0)
		return ret;
	if (s.replies == 0)
		return -EBADMSG;
	*out = s.st;
	return 0;
}

/* The per-CPU replies of both tables, merged by CPU into out[]. */
struct cpu_state {
	struct ctnl_cpu_stats *out;
	size_t max;
	size_t stored;		/* entries of out[] in use */
	size_t seen;		/* CPUs the current dump reported */
	bool full;		/* a CPU found out[] full */
};

/* The entry of @cpu among those stored, or a new one (NULL: no room). */
static struct ctnl_cpu_stats *cpu_slot(struct cpu_state *c, uint16_t cpu)
{
	for (size_t i = 0; i < c->stored; i++)
		if (c->out[i].cpu == cpu)
			return &c->out[i];
	if (c->stored == c->max)
		return NULL;
	memset(&c->out[c->stored], 0, sizeof(c->out[c->stored]));
	c->out[c->stored].cpu = cpu;
	return &c->out[c->stored++];
}

static int cpu_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct cpu_state *c = arg;
	struct ctnl_cpu_stats one = { 0 }, *slot;
	int err;

	err = ctnl_cpu_stats_parse(nlh, &one);
	if (err)
		return err == -EPROTO ? -EBADMSG : err;
	c->seen++;
	/* Parsed again into its CPU's entry, where the other table's
	 * counters stay as they are. */
	slot = cpu_slot(c, one.cpu);
	if (!slot) {
		c->full = true;
		return CTNL_CB_OK;
	}
	return ctnl_cpu_stats_parse(nlh, slot);
}

/* One table's per-CPU dump; returns how many CPUs it reported. */
static int cpu_dump(struct ct_handle *h, enum ctnl_table table,
		    struct cpu_state *c)
{
	int ret = ctnl_build_stats_cpu(h->req, sizeof(h->req), table);

	c->seen = 0;
	if (ret >= 0)
		ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), cpu_msg, c);
	/* Counters are no consistent snapshot anyway. */
	if (ret < 0 && ret != -EINTR)
		return ret;
	return c->seen > INT_MAX ? INT_MAX : (int)c->seen;
}

int ctnl__ct_stats_cpu(void *ctx, struct ctnl_cpu_stats *out, size_t max)
{
	struct ct_handle *h = ctx;
	struct cpu_state c = { .out = out, .max = max };
	int cpus, exp_cpus;

	if (!out && max)
		return -EINVAL;
	ctnl__ct_begin_op(h);
	cpus = cpu_dump(h, CTNL_TABLE_CONNTRACK, &c);
	if (cpus < 0)
		return cpus;
	/* Both list the possible CPUs, so the second dump normally finds
	 * every CPU stored already. */
	exp_cpus = cpu_dump(h, CTNL_TABLE_EXPECT, &c);
	if (exp_cpus < 0)
		return exp_cpus;
	/* Every CPU fitted: the entries filled in are the count, whatever
	 * the messages (a CPU named twice, or by one table only). Else more
	 * than @max, so the caller knows to ask again with more room. */
	if (!c.full)
		return (int)c.stored;
	if (cpus < exp_cpus)
		cpus = exp_cpus;
	if ((size_t)cpus <= max)
		cpus = max >= INT_MAX ? INT_MAX : (int)max + 1;
	return cpus;
}
