/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-ctnl: the libctnl side of every benchmark, one operation per
 * process so that each one's peak memory is its own. Run by ctnl-bench in
 * its private network namespace; the table is the one bench_entry() makes.
 *
 *   bench-ctnl fill N [CLASS]      create entries 0..N-1 (only those of
 *                                  the 10 % selector when CLASS is given)
 *   bench-ctnl list                ctnl_ct_list() into one array
 *   bench-ctnl dump                ctnl_ct_dump(), callback reads 7 fields
 *   bench-ctnl format              ctnl_flow_format_opts() of every entry
 *                                  of a list, into a buffer (the list is
 *                                  not timed)
 *   bench-ctnl dump-mark V M [user] kernel- (or user-space-) filtered dump
 *   bench-ctnl update-batch N HI   ctnl_ct_batch(UPDATE) of every mark
 *   bench-ctnl update-each N HI    ctnl_ct_update() once per entry
 *   bench-ctnl delete-mark V M [uncounted]
 *                                  ctnl_ct_delete_matching() of the
 *                                  entries with (mark & M) == V: counted
 *                                  (a filtered dump, batched deletes), or
 *                                  uncounted (one filtered flush)
 *   bench-ctnl flush               ctnl_ct_flush()
 *   bench-ctnl produce FIRST       create entries FIRST.. in chunks the
 *                                  driver asks for (events benchmark)
 *   bench-ctnl events              receive NEW events as the driver says
 *
 * HI is put in bits 16-31 of each mark, which the selectors never use.
 * The measured part of each operation is a function of its own, named
 * measured_*, which callgrind's --toggle-collect can single out.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ctnl/ctnl.h>

#include "common.h"

/* Entries per ctnl_ct_batch() call when filling or updating: bounds the
 * client's memory, and the library splits it into datagrams anyway. */
#define CHUNK 16384

/* What a consumer reads of each flow: the seven fields every dump client
 * of this benchmark reads, folded so the compiler keeps the reads. */
struct digest {
	uint64_t count;
	uint64_t sum;
};

static inline void digest_flow(struct digest *d, const struct ctnl_flow *f)
{
	const struct ctnl_tuple *t = &f->orig;

	d->count++;
	d->sum += t->family + t->proto + t->src.u32[0] + t->dst.u32[0] +
		  t->port.src + t->port.dst + f->mark;
}

static struct ctnl_ct *open_ct(int rcvbuf)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg), .rcvbuf = rcvbuf };
	struct ctnl_ct *ct;
	int ret = ctnl_ct_open(NULL, rcvbuf ? &cfg : NULL, &ct);

	if (ret < 0)
		bench_die("ctnl_ct_open", ret);
	return ct;
}

static void key_of(uint32_t i, struct ctnl_flow *f, bool for_create)
{
	struct bench_entry e;

	bench_entry(i, &e);
	memset(f, 0, sizeof(*f));
	f->attrs = CTNL_ATTR_ORIG;
	f->orig.family = e.family;
	f->orig.proto = e.proto;
	memcpy(&f->orig.src, e.src, e.family == AF_INET ? 4 : 16);
	memcpy(&f->orig.dst, e.dst, e.family == AF_INET ? 4 : 16);
	f->orig.port.src = e.sport;
	f->orig.port.dst = e.dport;
	if (!for_create)
		return;
	f->attrs |= CTNL_ATTR_TIMEOUT | CTNL_ATTR_MARK | CTNL_ATTR_STATUS;
	f->timeout = e.timeout;
	f->mark = e.mark;
	f->status = CTNL_STATUS_SEEN_REPLY | CTNL_STATUS_ASSURED;
	if (e.proto == IPPROTO_TCP) {
		f->attrs |= CTNL_ATTR_TCP_STATE;
		f->tcp.state = CTNL_TCP_ESTABLISHED;
	}
}

/* ---- fill ---- */

static int cmd_fill(uint32_t n, int only_class)
{
	struct ctnl_flow *flows = calloc(CHUNK, sizeof(*flows));
	int *results = calloc(CHUNK, sizeof(*results));
	struct ctnl_ct *ct = open_ct(0);
	uint64_t t0 = bench_now_ns(), created = 0, existed = 0;
	uint32_t i = 0;

	if (!flows || !results)
		bench_die("calloc", -ENOMEM);
	while (i < n) {
		size_t k = 0;
		int ret;

		for (; i < n && k < CHUNK; i++)
			if (only_class < 0 || bench_entry_in_sel10(i))
				key_of(i, &flows[k++], true);
		if (k == 0)
			continue;
		ret = ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, k, NULL, 0,
				    results);
		if (ret < 0)
			bench_die("ctnl_ct_batch(CREATE)", ret);
		for (size_t j = 0; j < k; j++) {
			if (results[j] == 0)
				created++;
			else if (results[j] == -EEXIST)
				existed++;
			else
				bench_die("create", results[j]);
		}
	}
	bench_report(bench_now_ns() - t0, created, existed ? "some-existed"
							  : NULL);
	ctnl_ct_close(ct);
	free(flows);
	free(results);
	return 0;
}

/* ---- list and dumps ---- */

static __attribute__((noinline)) int measured_list(struct ctnl_ct *ct,
						   struct ctnl_list *l)
{
	return ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, l);
}

static int cmd_list(void)
{
	struct ctnl_ct *ct = open_ct(0);
	struct ctnl_list l;
	struct digest d = { 0 };
	uint64_t t0, t1;
	int ret;

	t0 = bench_now_ns();
	ret = measured_list(ct, &l);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("ctnl_ct_list", ret);
	/* Read what was listed, as a consumer would: after the clock. */
	for (size_t i = 0; i < l.count; i++)
		digest_flow(&d, &l.flows[i]);
	bench_report(t1 - t0, l.count, d.sum ? NULL : "zero-digest");
	ctnl_list_free(&l);
	ctnl_ct_close(ct);
	return 0;
}

/* ---- format ---- */

/* Every listed entry as `conntrack -L` prints it, into one buffer (no
 * I/O): what ctnl -L adds to a dump for its lines. */
static __attribute__((noinline)) uint64_t measured_format(
	const struct ctnl_list *l, const struct ctnl_format_opts *o)
{
	static char line[4096];
	uint64_t bytes = 0;

	for (size_t i = 0; i < l->count; i++) {
		int n = ctnl_flow_format_opts(&l->flows[i], o, line,
					      sizeof(line));

		if (n < 0 || (size_t)n >= sizeof(line))
			bench_die("ctnl_flow_format_opts", n < 0 ? n : -E2BIG);
		bytes += (uint64_t)n + 1;
	}
	return bytes;
}

static int cmd_format(void)
{
	struct ctnl_ct *ct = open_ct(0);
	struct ctnl_format_opts o = { .size = sizeof(o), .now = time(NULL) };
	struct ctnl_list l;
	uint64_t t0, t1, bytes;
	int ret = ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &l);

	if (ret < 0)
		bench_die("ctnl_ct_list", ret);
	t0 = bench_now_ns();
	bytes = measured_format(&l, &o);
	t1 = bench_now_ns();
	bench_report(t1 - t0, l.count, bytes ? NULL : "nothing-written");
	ctnl_list_free(&l);
	ctnl_ct_close(ct);
	return 0;
}

static int digest_cb(const struct ctnl_flow *flow, void *data)
{
	digest_flow(data, flow);
	return CTNL_CB_OK;
}

static __attribute__((noinline)) int measured_dump(struct ctnl_ct *ct,
						   const struct ctnl_filter *f,
						   struct digest *d)
{
	return ctnl_ct_dump(ct, f, digest_cb, d, NULL);
}

static int cmd_dump(const struct ctnl_filter *filter)
{
	struct ctnl_ct *ct = open_ct(0);
	struct digest d = { 0 };
	uint64_t t0, t1;
	int ret;

	t0 = bench_now_ns();
	ret = measured_dump(ct, filter, &d);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("ctnl_ct_dump", ret);
	bench_report(t1 - t0, d.count, NULL);
	ctnl_ct_close(ct);
	return 0;
}

static int cmd_dump_mark(uint32_t value, uint32_t mask, bool user)
{
	struct ctnl_filter f = {
		.match = CTNL_MATCH_MARK,
		.flags = user ? CTNL_FILTER_USERSPACE : 0,
		.mark = value,
		.mark_mask = mask,
	};

	return cmd_dump(&f);
}

/* ---- updates ---- */

static struct ctnl_flow *all_keys(uint32_t n)
{
	struct ctnl_flow *keys = calloc(n, sizeof(*keys));

	if (!keys)
		bench_die("calloc", -ENOMEM);
	for (uint32_t i = 0; i < n; i++)
		key_of(i, &keys[i], false);
	return keys;
}

static struct ctnl_change *mark_changes(uint32_t n, uint32_t hi)
{
	struct ctnl_change *c = calloc(n, sizeof(*c));
	struct bench_entry e;

	if (!c)
		bench_die("calloc", -ENOMEM);
	for (uint32_t i = 0; i < n; i++) {
		bench_entry(i, &e);
		c[i].attrs = CTNL_ATTR_MARK;
		c[i].mark = (hi << 16) | (e.mark & BENCH_MARK_SELECTORS);
	}
	return c;
}

static __attribute__((noinline)) int
measured_update_batch(struct ctnl_ct *ct, const struct ctnl_flow *keys,
		      uint32_t n, const struct ctnl_change *changes,
		      int *results)
{
	int accepted = 0;

	/* Every entry gets its own mark, so one change per entry. */
	for (uint32_t i = 0; i < n; i += CHUNK) {
		uint32_t k = n - i < CHUNK ? n - i : CHUNK;
		int ret = ctnl_ct_batch(ct, CTNL_OP_UPDATE, keys + i, k,
					changes + i, k, results + i);

		if (ret < 0)
			return ret;
		accepted += ret;
	}
	return accepted;
}

static __attribute__((noinline)) int
measured_update_each(struct ctnl_ct *ct, const struct ctnl_flow *keys,
		     uint32_t n, const struct ctnl_change *changes)
{
	for (uint32_t i = 0; i < n; i++) {
		int ret = ctnl_ct_update(ct, &keys[i], &changes[i]);

		if (ret < 0)
			return ret;
	}
	return (int)n;
}

static int cmd_update(uint32_t n, uint32_t hi, bool batch)
{
	struct ctnl_ct *ct = open_ct(0);
	struct ctnl_flow *keys = all_keys(n);
	struct ctnl_change *changes = mark_changes(n, hi);
	int *results = calloc(n, sizeof(*results));
	uint64_t t0, t1;
	int ret;

	if (!results)
		bench_die("calloc", -ENOMEM);
	t0 = bench_now_ns();
	ret = batch ? measured_update_batch(ct, keys, n, changes, results)
		    : measured_update_each(ct, keys, n, changes);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die(batch ? "ctnl_ct_batch(UPDATE)" : "ctnl_ct_update",
			  ret);
	if ((uint32_t)ret != n) {
		for (uint32_t i = 0; batch && i < n; i++)
			if (results[i])
				bench_die("update of one entry", results[i]);
		bench_die("update", -EIO);
	}
	bench_report(t1 - t0, (uint64_t)ret, NULL);
	free(results);
	free(changes);
	free(keys);
	ctnl_ct_close(ct);
	return 0;
}

/* ---- delete by mark ---- */

static __attribute__((noinline)) int
measured_delete(struct ctnl_ct *ct, const struct ctnl_filter *f)
{
	return ctnl_ct_delete_matching(ct, f, NULL);
}

static int cmd_delete_mark(uint32_t value, uint32_t mask, bool uncounted)
{
	struct ctnl_filter f = {
		.match = CTNL_MATCH_MARK, .mark = value, .mark_mask = mask,
		.flags = uncounted ? CTNL_FILTER_UNCOUNTED : 0,
	};
	struct ctnl_ct *ct = open_ct(0);
	uint64_t t0, t1;
	int ret;

	t0 = bench_now_ns();
	ret = measured_delete(ct, &f);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("delete by mark", ret);
	bench_report(t1 - t0, (uint64_t)ret, NULL);
	ctnl_ct_close(ct);
	return 0;
}

/* ---- flush ---- */

static int cmd_flush(void)
{
	struct ctnl_ct *ct = open_ct(0);
	uint64_t t0, t1;
	int ret;

	t0 = bench_now_ns();
	ret = ctnl_ct_flush(ct, CTNL_TABLE_CONNTRACK, 0);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("ctnl_ct_flush", ret);
	bench_report(t1 - t0, 0, NULL);
	ctnl_ct_close(ct);
	return 0;
}

/* ---- events ---- */

/*
 * The producer for the events benchmark: creates entries FIRST, FIRST+1,
 * ... in the chunks the driver asks for on stdin ("K" per line), and
 * answers "ok" once each chunk is in the table (so its events are queued).
 */
static int cmd_produce(uint32_t first)
{
	struct ctnl_ct *ct = open_ct(0);
	struct ctnl_flow *flows = NULL;
	int *results = NULL;
	char line[32];
	uint32_t next = first;

	while (fgets(line, sizeof(line), stdin)) {
		uint32_t k = (uint32_t)strtoul(line, NULL, 10);
		int ret;

		if (k == 0 || k > CHUNK)
			bench_die("chunk size", -EINVAL);
		free(flows);
		free(results);
		flows = calloc(k, sizeof(*flows));
		results = calloc(k, sizeof(*results));
		if (!flows || !results)
			bench_die("calloc", -ENOMEM);
		for (uint32_t j = 0; j < k; j++)
			key_of(next++, &flows[j], true);
		ret = ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, k, NULL, 0,
				    results);
		if (ret != (int)k)
			bench_die("ctnl_ct_batch(CREATE)", ret < 0 ? ret : -EIO);
		printf("ok\n");
		fflush(stdout);
	}
	free(flows);
	free(results);
	ctnl_ct_close(ct);
	return 0;
}

struct event_count {
	uint64_t n;
	uint64_t other;		/* anything but NEW: a loss report, say */
	uint64_t sum;
};

static int count_event(const struct ctnl_event *ev, void *data)
{
	struct event_count *c = data;

	/* What a consumer reads: the same fields as the dumps. */
	if (ev->type == CTNL_EVENT_NEW) {
		const struct ctnl_tuple *t = &ev->flow.orig;

		c->n++;
		c->sum += t->family + t->proto + t->src.u32[0] +
			  t->dst.u32[0] + t->port.src + t->port.dst +
			  ev->flow.mark;
	} else {
		c->other++;
	}
	return CTNL_CB_OK;
}

/*
 * Protocol with the driver, the same as it uses with `conntrack -E`:
 * subscribe to NEW events with the default queue, print "ready"; then for
 * every line "K" on stdin (sent once K entries were created, so their
 * events wait in the queue), receive and parse K events and print "done".
 * The driver times from its "K" to our "done". At the end of stdin,
 * report the total received and whether the kernel reported a loss.
 */
static int cmd_events(void)
{
	struct ctnl_ct *ct = open_ct(0);
	struct event_count c = { 0 };
	struct pollfd pfd;
	uint64_t want = 0, lost = 0;
	char line[32];
	int ret;

	ret = ctnl_ct_subscribe(ct, CTNL_EVENT_NEW);
	if (ret < 0)
		bench_die("ctnl_ct_subscribe", ret);
	pfd.fd = ctnl_ct_event_fd(ct);
	if (pfd.fd < 0)
		bench_die("ctnl_ct_event_fd", pfd.fd);
	pfd.events = POLLIN;
	printf("ready\n");
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		want += strtoul(line, NULL, 10);
		while (c.n < want) {
			ret = ctnl_ct_event_read(ct, count_event, &c);
			if (ret == -ENOBUFS) {
				lost++;
				continue;
			}
			if (ret < 0)
				bench_die("ctnl_ct_event_read", ret);
			if (ret == 0 && poll(&pfd, 1, 2000) == 0)
				break;	/* quiet for 2 s: the rest is lost */
		}
		printf("done\n");
		fflush(stdout);
	}
	bench_report(0, c.n, lost ? "enobufs" : c.other ? "other-events" : NULL);
	ctnl_ct_close(ct);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-ctnl fill N [CLASS] | list | dump | "
			"format | "
			"dump-mark VALUE MASK [user] | update-batch N HI | "
			"update-each N HI | delete-mark VALUE MASK [uncounted] | flush | "
			"produce FIRST | events\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

#define ARG(i, what) (argc > (i) ? bench_arg_u64(argv[i], what) : (usage(), 0))
	if (!strcmp(cmd, "fill"))
		return cmd_fill((uint32_t)ARG(2, "N"),
				argc > 3 ? (int)bench_arg_u64(argv[3], "CLASS")
					 : -1);
	if (!strcmp(cmd, "list"))
		return cmd_list();
	if (!strcmp(cmd, "dump"))
		return cmd_dump(NULL);
	if (!strcmp(cmd, "format"))
		return cmd_format();
	if (!strcmp(cmd, "dump-mark"))
		return cmd_dump_mark((uint32_t)ARG(2, "VALUE"),
				     (uint32_t)ARG(3, "MASK"),
				     argc > 4 && !strcmp(argv[4], "user"));
	if (!strcmp(cmd, "update-batch") || !strcmp(cmd, "update-each"))
		return cmd_update((uint32_t)ARG(2, "N"), (uint32_t)ARG(3, "HI"),
				  !strcmp(cmd, "update-batch"));
	if (!strcmp(cmd, "delete-mark"))
		return cmd_delete_mark((uint32_t)ARG(2, "VALUE"),
				       (uint32_t)ARG(3, "MASK"),
				       argc > 4 && !strcmp(argv[4], "uncounted"));
	if (!strcmp(cmd, "flush"))
		return cmd_flush();
	if (!strcmp(cmd, "produce"))
		return cmd_produce((uint32_t)ARG(2, "FIRST"));
	if (!strcmp(cmd, "events"))
		return cmd_events();
#undef ARG
	usage();
	return 2;
}
