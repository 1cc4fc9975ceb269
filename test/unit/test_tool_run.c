/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's commands over a fake Conntrack interface: what each does to the
 * table, what it prints, how it falls back where the interface lacks a
 * slot, and the exit status and message of each failure. No root, no
 * kernel: the tool uses nothing but the interface.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "cli.h"
#include "json.h"
#include "labelmap.h"
#include "run.h"

#define TABLE_MAX 64
#define EVENTS_MAX 16

/* An in-memory table behind the interface, with switches for the slots
 * other engineers are still writing. */
struct fake {
	struct ctnl_ct ct;
	struct ctnl_ct_ops ops;
	struct ctnl_flow flows[TABLE_MAX];
	size_t count;
	uint32_t next_id;
	int fail;		/* the next change fails with this */
	const char *errmsg;
	bool has_matching;	/* update_matching, delete_matching */
	bool has_stats;
	unsigned int matching_calls, batch_calls, subscribed;
	struct ctnl_events_config sub;	/* the last subscription made */
	/* Counters, and a loss the kernel counted that no read reported:
	 * ending the subscription counts it, as the library does. */
	struct ctnl_event_info info;
	uint64_t unreported;
	int pipe[2];
	struct ctnl_event events[EVENTS_MAX];
	size_t nevents;
	struct ctnl_expect exp;
	bool has_exp;
	int vanish;		/* 1 + the entry a dump removes after it */
};

static bool same_tuple(const struct ctnl_tuple *a, const struct ctnl_tuple *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->zone == b->zone && !memcmp(&a->src, &b->src, sizeof(a->src)) &&
	       !memcmp(&a->dst, &b->dst, sizeof(a->dst)) &&
	       a->port.src == b->port.src && a->port.dst == b->port.dst;
}

static struct ctnl_flow *find(struct fake *f, const struct ctnl_flow *key)
{
	for (size_t i = 0; i < f->count; i++) {
		struct ctnl_flow *e = &f->flows[i];

		if ((key->attrs & CTNL_ATTR_ID) && key->id != e->id)
			continue;
		if ((key->attrs & CTNL_ATTR_ORIG) ? same_tuple(&e->orig, &key->orig)
						  : same_tuple(&e->reply,
							       &key->reply))
			return e;
	}
	return NULL;
}

static int f_dump(void *ctx, const struct ctnl_filter *filter,
		  ctnl_flow_cb cb, void *data, struct ctnl_dump_info *info)
{
	struct fake *f = ctx;
	int n = 0;

	(void)info;
	for (size_t i = 0; i < f->count; i++) {
		int ret;

		if (!ctnl_filter_match(filter, &f->flows[i]))
			continue;
		n++;
		ret = cb(&f->flows[i], data);
		if (ret < 0)
			return ret;
		if (ret == CTNL_CB_STOP)
			break;
	}
	if (f->vanish) {
		f->flows[f->vanish - 1] = f->flows[--f->count];
		f->vanish = 0;
	}
	return n;
}

static int f_get(void *ctx, const struct ctnl_flow *key, struct ctnl_flow *out)
{
	struct ctnl_flow *e = find(ctx, key);

	if (!e)
		return -ENOENT;
	*out = *e;
	return 0;
}

static int f_create(void *ctx, const struct ctnl_flow *flow)
{
	struct fake *f = ctx;
	struct ctnl_flow *e;

	if (f->fail)
		return f->fail;
	if (find(f, flow))
		return -EEXIST;
	e = &f->flows[f->count++];
	*e = *flow;
	e->attrs |= CTNL_ATTR_ID | CTNL_ATTR_STATUS | CTNL_ATTR_MARK |
		    CTNL_ATTR_USE;
	e->id = f->next_id++;
	e->use = 1;
	return 0;
}

static void apply(struct ctnl_flow *e, const struct ctnl_change *ch)
{
	if (ch->attrs & CTNL_ATTR_MARK)
		e->mark = ch->mark;
	if (ch->attrs & CTNL_ATTR_TIMEOUT)
		e->timeout = ch->timeout;
	if (ch->attrs & CTNL_ATTR_STATUS)
		e->status |= ch->status;
	if (ch->attrs & CTNL_ATTR_LABELS) {
		e->attrs |= CTNL_ATTR_LABELS;
		for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
			e->labels.words[i] =
				(e->labels.words[i] & ~ch->labels_mask.words[i]) |
				(ch->labels.words[i] & ch->labels_mask.words[i]);
	}
}

static int f_update(void *ctx, const struct ctnl_flow *key,
		    const struct ctnl_change *ch)
{
	struct fake *f = ctx;
	struct ctnl_flow *e;

	if (f->fail)
		return f->fail;
	e = find(f, key);
	if (!e)
		return -ENOENT;
	apply(e, ch);
	return 0;
}

static void remove_at(struct fake *f, struct ctnl_flow *e)
{
	*e = f->flows[--f->count];
}

static int f_del(void *ctx, const struct ctnl_flow *key)
{
	struct fake *f = ctx;
	struct ctnl_flow *e;

	if (f->fail)
		return f->fail;
	e = find(f, key);
	if (!e)
		return -ENOENT;
	remove_at(f, e);
	return 0;
}

static int f_batch(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
		   size_t count, const struct ctnl_change *changes,
		   size_t nchanges, int *results)
{
	struct fake *f = ctx;
	int ok = 0;

	f->batch_calls++;
	for (size_t i = 0; i < count; i++) {
		if (op == CTNL_OP_UPDATE)
			results[i] = f_update(f, &flows[i],
					      &changes[nchanges == 1 ? 0 : i]);
		else if (op == CTNL_OP_DELETE)
			results[i] = f_del(f, &flows[i]);
		else
			results[i] = f_create(f, &flows[i]);
		ok += results[i] == 0;
	}
	return ok;
}

static int f_flush(void *ctx, enum ctnl_table table, uint8_t family)
{
	struct fake *f = ctx;

	(void)table;
	for (size_t i = f->count; i-- > 0;)
		if (!family || f->flows[i].orig.family == family)
			remove_at(f, &f->flows[i]);
	return 0;
}

static int f_update_matching(void *ctx, const struct ctnl_filter *filter,
			     const struct ctnl_change *ch,
			     struct ctnl_dump_info *info)
{
	struct fake *f = ctx;
	int n = 0;

	(void)info;
	if (!f->has_matching)
		return -ENOSYS;
	f->matching_calls++;
	for (size_t i = 0; i < f->count; i++) {
		if (ctnl_filter_match(filter, &f->flows[i])) {
			apply(&f->flows[i], ch);
			n++;
		}
	}
	return n;
}

static int f_delete_matching(void *ctx, const struct ctnl_filter *filter,
			     struct ctnl_dump_info *info)
{
	struct fake *f = ctx;
	int n = 0;

	(void)info;
	if (!f->has_matching)
		return -ENOSYS;
	f->matching_calls++;
	for (size_t i = f->count; i-- > 0;) {
		if (ctnl_filter_match(filter, &f->flows[i])) {
			remove_at(f, &f->flows[i]);
			n++;
		}
	}
	return n;
}

static int f_stats(void *ctx, enum ctnl_table table, struct ctnl_stats *out)
{
	struct fake *f = ctx;

	if (!f->has_stats)
		return -ENOSYS;
	out->count = table == CTNL_TABLE_EXPECT ? f->has_exp
						: (uint32_t)f->count + 1000;
	out->max = 65536;
	return 0;
}

static int f_stats_cpu(void *ctx, struct ctnl_cpu_stats *out, size_t max)
{
	(void)ctx;
	assert_true(max >= 2);
	out[0] = (struct ctnl_cpu_stats){ .cpu = 0, .found = 1, .insert = 2,
					  .exp_new = 3 };
	out[1] = (struct ctnl_cpu_stats){ .cpu = 1, .chaintoolong = 9 };
	return 2;
}

static int f_dump_expect(void *ctx, uint8_t family, ctnl_expect_cb cb,
			 void *data)
{
	struct fake *f = ctx;

	(void)family;
	if (!f->has_exp)
		return 0;
	return cb(&f->exp, data) < 0 ? -EIO : 1;
}

static int f_subscribe(void *ctx, const struct ctnl_events_config *cfg)
{
	struct fake *f = ctx;

	f->subscribed = cfg->events;
	if (cfg->events) {
		f->sub = *cfg;
	} else if (f->unreported) {
		f->info.overflows++;
		f->info.lost += f->unreported;
		f->unreported = 0;
	}
	return 0;
}

static int f_event_info(void *ctx, struct ctnl_event_info *out)
{
	*out = ((struct fake *)ctx)->info;
	return 0;
}

static int f_event_fd(void *ctx)
{
	return ((struct fake *)ctx)->pipe[0];
}

/* Readable when a byte waits in the pipe, as the real one polls. */
static int f_event_wait(void *ctx, int timeout_ms)
{
	struct pollfd pfd = { .fd = ((struct fake *)ctx)->pipe[0],
			      .events = POLLIN };
	int ret = poll(&pfd, 1, timeout_ms);

	return ret < 0 ? -errno : ret;
}

/* Hands over what is queued, as the real one does, without blocking. */
static int f_event_read(void *ctx, ctnl_event_cb cb, void *data)
{
	struct fake *f = ctx;
	char c;
	int n = 0;

	if (read(f->pipe[0], &c, 1) != 1)
		return 0;
	for (size_t i = 0; i < f->nevents; i++) {
		int ret = cb(&f->events[i], data);

		n++;
		if (ret != CTNL_CB_OK)
			break;
	}
	f->nevents = 0;
	return n;
}

static const char *f_error_msg(void *ctx)
{
	return ((struct fake *)ctx)->errmsg;
}

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ops = (struct ctnl_ct_ops){
		.size = sizeof(f->ops),
		.dump = f_dump,
		.get = f_get,
		.create = f_create,
		.update = f_update,
		.del = f_del,
		.batch = f_batch,
		.flush = f_flush,
		.update_matching = f_update_matching,
		.delete_matching = f_delete_matching,
		.stats = f_stats,
		.stats_cpu = f_stats_cpu,
		.dump_expect = f_dump_expect,
		.subscribe = f_subscribe,
		.event_fd = f_event_fd,
		.event_read = f_event_read,
		.event_wait = f_event_wait,
		.event_info = f_event_info,
		.error_msg = f_error_msg,
	};
	f->ct = (struct ctnl_ct){ .ops = &f->ops, .ctx = f };
	f->next_id = 100;
	assert_int_equal(pipe(f->pipe), 0);
	return f;
}

static void fake_free(struct fake *f)
{
	close(f->pipe[0]);
	close(f->pipe[1]);
	free(f);
}

static struct ctnl_flow udp_flow(const char *src, const char *dst,
				 uint16_t sport, uint16_t dport, uint32_t mark)
{
	struct ctnl_flow fl = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_TIMEOUT |
			 CTNL_ATTR_MARK,
		.timeout = 30,
		.mark = mark,
	};

	assert_int_equal(ctnl_tuple_from_text(&fl.orig, src, dst,
					      IPPROTO_UDP, sport, dport), 0);
	assert_int_equal(ctnl_tuple_from_text(&fl.reply, dst, src,
					      IPPROTO_UDP, dport, sport), 0);
	return fl;
}

/* Three UDP flows over IPv4 (ports 1, 2, 3 to 53; marks 1, 2, 3) and one
 * over IPv6. */
static struct fake *fake_with_flows(void)
{
	struct fake *f = fake_new();
	struct ctnl_flow v6 = udp_flow("fd00::1", "fd00::2", 9, 53, 0);

	for (uint16_t p = 1; p <= 3; p++) {
		struct ctnl_flow fl = udp_flow("10.0.0.1", "10.0.0.2", p, 53, p);

		assert_int_equal(f_create(f, &fl), 0);
		f->flows[f->count - 1].mark = p;
	}
	assert_int_equal(f_create(f, &v6), 0);
	return f;
}

/* A run's outcome: status and both streams. */
struct result {
	int status;
	char *out, *err;
	size_t out_len, err_len;
};

static struct labelmap labels;

static struct result run_words(struct fake *f, ...)
{
	char *argv[48] = { "ctnl" }, msg[256];
	struct result r = { 0 };
	struct run_env env = { .ct = &f->ct, .labels = &labels,
			       .have_labelmap = true, .now = 1000 };
	struct cli c;
	int argc = 1;
	va_list ap;

	va_start(ap, f);
	for (char *w; (w = va_arg(ap, char *)) != NULL && argc < 48;)
		argv[argc++] = w;
	va_end(ap);
	env.out = open_memstream(&r.out, &r.out_len);
	env.err = open_memstream(&r.err, &r.err_len);
	assert_non_null(env.out);
	assert_non_null(env.err);
	r.status = cli_parse(argc, argv, &c, msg, sizeof(msg));
	if (r.status == 0)
		r.status = run(&c, &env);
	else
		fprintf(env.err, "ctnl: %s\n", msg);
	fclose(env.out);
	fclose(env.err);
	return r;
}

#define RUN(f, ...) run_words(f, __VA_ARGS__, NULL)

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" lacks \"%s\"", text, needle);
}

static int setup(void **state)
{
	(void)state;
	return labelmap_parse(&labels, "# names\n1 one\n3 three\n"
				       "100 hundred\n");
}

static int teardown(void **state)
{
	(void)state;
	labelmap_free(&labels);
	return 0;
}

/* connlabel.conf as conntrack reads it: a number, blanks or tabs, a
 * name; the first line for a number wins; a name matches whole. */
static void test_labelmap_reads_connlabel_conf(void **state)
{
	struct labelmap map;

	(void)state;
	assert_int_equal(labelmap_parse(&map, "0\tzero\n"
					      " 2 dns # a comment\n"
					      "2 domain\n"
					      "5 dns-over-tls\n"
					      "128 too-big\n"
					      "x7 not-a-number\n"), 0);
	assert_int_equal(labelmap_find(&map, "zero", 4), 0);
	assert_int_equal(labelmap_find(&map, "dns", 3), 2);
	assert_int_equal(labelmap_find(&map, "domain", 6), -1);
	assert_int_equal(labelmap_find(&map, "dn", 2), -1);
	assert_int_equal(labelmap_find(&map, "dns-over-tls", 12), 5);
	assert_int_equal(labelmap_find(&map, "too-big", 7), -1);
	assert_int_equal(labelmap_find(&map, "not-a-number", 12), -1);
	assert_string_equal(map.names[2], "dns");
	labelmap_free(&map);
}

/* JSON strings escape what JSON requires: quotes, backslashes and
 * control characters (and DEL, which some readers choke on). */
static void test_json_strings_are_escaped(void **state)
{
	struct textbuf b = { 0 };

	(void)state;
	json_string(&b, "a\"b\\c\nd\te\001f\177g");
	tb_char(&b, '\0');
	assert_false(b.failed);
	assert_string_equal(b.p,
			    "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007fg\"");
	tb_free(&b);
}

static void test_run_list_prints_as_conntrack_and_sums_up(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r = RUN(f, "list", "-f", "ipv4", "-m", "2");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=2 "
			    "dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 "
			    "sport=53 dport=2 mark=2 use=1\n");
	assert_has(r.err, "(libctnl): 1 flow entries have been shown.\n");
	result_free(&r);
	r = RUN(f, "-o", "json", "list", "-s", "fd00::1");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "{\"family\":\"ipv6\",\"proto\":\"udp\","
			    "\"protonum\":17,\"timeout\":30,\"orig\":{\"src\":"
			    "\"fd00::1\",\"dst\":\"fd00::2\",\"sport\":9,"
			    "\"dport\":53},\"reply\":{\"src\":\"fd00::2\","
			    "\"dst\":\"fd00::1\",\"sport\":53,\"dport\":9},"
			    "\"status\":[],\"mark\":0,\"id\":103,\"use\":1}\n");
	result_free(&r);
	fake_free(f);
}

/* Labels print by name with -o labels, or when -l selects. */
static void test_run_list_labels(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	f->flows[0].attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&f->flows[0].labels, 1);
	ctnl_labels_set(&f->flows[0].labels, 100);
	r = RUN(f, "list", "-l", "one");
	assert_int_equal(r.status, 0);
	assert_has(r.out, "mark=1 use=1 labels=one,hundred\n");
	assert_has(r.err, " 1 flow entries have been shown.");
	result_free(&r);
	r = RUN(f, "list", "-o", "labels", "--sport", "1", "-p", "udp");
	assert_has(r.out, "labels=one,hundred\n");
	result_free(&r);
	r = RUN(f, "list", "--sport", "1", "-p", "udp");
	assert_null(strstr(r.out, "labels"));
	result_free(&r);
	r = RUN(f, "list", "-o", "json", "-l", "100");
	assert_has(r.out, "\"labels\":[1,100],\"label_names\":[\"one\","
			  "\"hundred\"]");
	result_free(&r);
	fake_free(f);
}

/* Without update_matching, an update by filter reads the entries and
 * changes them in one batch. */
static void test_run_update_by_filter_falls_back_to_batch(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r = RUN(f, "update", "-p", "udp", "--dport", "53", "-f",
			      "ipv4", "-m", "77", "--label-add", "three");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_has(r.err, " 3 flow entries have been updated.\n");
	assert_int_equal(f->batch_calls, 1);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(f->flows[i].mark, 77);
		assert_true(ctnl_labels_test(&f->flows[i].labels, 3));
	}
	assert_int_equal(f->flows[3].mark, 0);
	result_free(&r);
	fake_free(f);
}

static void test_run_update_by_filter_uses_update_matching(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	f->has_matching = true;
	r = RUN(f, "update", "-s", "10.0.0.0/8", "-t", "99", "-o", "json");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->matching_calls, 1);
	assert_int_equal(f->batch_calls, 0);
	assert_string_equal(r.out, "{\"command\":\"update\",\"table\":"
				   "\"conntrack\",\"count\":3}\n");
	assert_int_equal(f->flows[0].timeout, 99);
	result_free(&r);
	r = RUN(f, "delete", "-f", "ipv6");
	assert_int_equal(r.status, 0);
	assert_has(r.err, " 1 flow entries have been deleted.\n");
	assert_int_equal(f->count, 3);
	result_free(&r);
	fake_free(f);
}

/* A mark with a mask depends on each entry's mark: the kernel's rule,
 * (old & ~mask) ^ value, entry by entry. */
static void test_run_update_mark_with_mask(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	f->has_matching = true;	/* cannot say it: not used */
	r = RUN(f, "update", "-f", "ipv4", "-m", "0x10/0xf0");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->matching_calls, 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(f->flows[i].mark, (i + 1) | 0x10);
	result_free(&r);
	/* One entry by its tuple: read, then changed. */
	r = RUN(f, "update", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "2", "--dport", "53", "-m", "0x100/0xf00");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->flows[1].mark, 0x112);
	assert_has(r.err, " 1 flow entries have been updated.\n");
	result_free(&r);
	fake_free(f);
}

/* Entries gone between the read and the change are not counted, and
 * are no error. */
static void test_run_entries_gone_meanwhile_are_not_counted(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	f->vanish = 2;
	r = RUN(f, "delete", "-p", "udp", "-f", "ipv4", "--dport", "53");
	assert_int_equal(r.status, 0);
	assert_has(r.err, " 2 flow entries have been deleted.\n");
	assert_int_equal(f->count, 1);
	result_free(&r);
	fake_free(f);
}

static void test_run_one_entry_and_no_such_entry(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	r = RUN(f, "get", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "3", "--dport", "53");
	assert_int_equal(r.status, 0);
	assert_has(r.out, "sport=3 dport=53 [UNREPLIED]");
	assert_has(r.err, " 1 flow entries have been shown.\n");
	result_free(&r);

	r = RUN(f, "get", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "4", "--dport", "53");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ctnl: get: no such entry\n");
	result_free(&r);

	r = RUN(f, "delete", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "4", "--dport", "53");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_string_equal(r.err, "ctnl: delete: no such entry\n");
	result_free(&r);

	r = RUN(f, "update", "-p", "udp", "-r", "10.0.0.2", "-q", "10.0.0.1",
		"--reply-port-src", "53", "--reply-port-dst", "1", "-m", "5");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->flows[0].mark, 5);
	result_free(&r);
	fake_free(f);
}

/* A refusal: the kernel's reason, its own words, status 1. */
static void test_run_kernel_refusal_prints_its_reason(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	f->fail = -EPERM;
	f->errmsg = "the kernel's own words";
	r = RUN(f, "update", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "1", "--dport", "53", "-m", "5");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_string_equal(r.err, "ctnl: update: Operation not permitted: "
				   "the kernel's own words\n");
	result_free(&r);
	/* In a batch: counted what went through, then the reason. */
	r = RUN(f, "delete", "-f", "ipv4");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_has(r.err, " 0 flow entries have been deleted.\n"
			  "ctnl: delete: Operation not permitted: the "
			  "kernel's own words\n");
	result_free(&r);
	f->errmsg = NULL;
	f->fail = 0;
	r = RUN(f, "create", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "1", "--dport", "53", "-t", "5");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_string_equal(r.err, "ctnl: create: File exists\n");
	result_free(&r);
	fake_free(f);
}

/* A bad label is a bad argument: status 2, and nothing is changed. */
static void test_run_unknown_label_changes_nothing(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	r = RUN(f, "update", "-f", "ipv4", "-m", "9", "--label-add",
		"one,nosuch");
	assert_int_equal(r.status, CLI_EXIT_USAGE);
	assert_string_equal(r.err, "ctnl: --label-add: unknown label 'nosuch' "
				   "(not in /etc/xtables/connlabel.conf; or "
				   "give a number 0-127)\n");
	assert_int_equal(f->batch_calls, 0);
	assert_int_equal(f->flows[0].mark, 1);
	result_free(&r);
	r = RUN(f, "update", "-f", "ipv4", "--label-add", "1",
		"--label-del", "one");
	assert_int_equal(r.status, CLI_EXIT_USAGE);
	assert_has(r.err, "--label-del: label 1 is also in --label-add");
	result_free(&r);
	fake_free(f);
}

static void test_run_create_with_zones_labels_state(void **state)
{
	struct fake *f = fake_new();
	struct result r;
	struct ctnl_flow *e;

	(void)state;
	r = RUN(f, "create", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--sport", "1", "--dport", "2", "-t", "60", "--state",
		"ESTABLISHED", "-m", "7", "--orig-zone", "3", "--label-add",
		"hundred", "-u", "ASSURED");
	assert_int_equal(r.status, 0);
	assert_has(r.err, " 1 flow entries have been created.\n");
	assert_int_equal(f->count, 1);
	e = &f->flows[0];
	assert_int_equal(e->orig.zone, 3);
	assert_int_equal(e->reply.zone, 0);
	assert_int_equal(e->reply.port.src, 2);
	assert_int_equal(e->tcp.state, CTNL_TCP_ESTABLISHED);
	assert_true(e->attrs & CTNL_ATTR_TCP_STATE);
	assert_true(ctnl_labels_test(&e->labels, 100));
	assert_int_equal(e->mark, 7);
	assert_int_equal(e->status, CTNL_STATUS_ASSURED);
	result_free(&r);
	/* ICMP: the reply carries the reply type. */
	r = RUN(f, "create", "-p", "icmp", "-s", "10.0.0.1", "-d", "10.0.0.2",
		"--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "5", "-t",
		"30", "-w", "4");
	assert_int_equal(r.status, 0);
	e = &f->flows[1];
	assert_int_equal(e->reply.icmp.type, 0);
	assert_int_equal(e->reply.icmp.id, 5);
	assert_int_equal(e->orig.zone, 4);
	assert_int_equal(e->reply.zone, 4);
	result_free(&r);
	/* The kernel's pairs, the library's: ICMPv6 130 has none (the
	 * kernel refuses the entry; the fake takes anything). */
	r = RUN(f, "create", "-p", "icmpv6", "-s", "fd00::1", "-d", "fd00::2",
		"--icmp-type", "139", "--icmp-code", "0", "--icmp-id", "1",
		"-t", "30");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->flows[2].reply.icmp.type, 140);
	result_free(&r);
	r = RUN(f, "create", "-p", "icmpv6", "-s", "fd00::1", "-d", "fd00::2",
		"--icmp-type", "130", "--icmp-code", "0", "--icmp-id", "1",
		"-t", "30");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->flows[3].reply.icmp.type, 255);
	result_free(&r);
	fake_free(f);
}

/* count: the kernel's count when nothing is selected and it has one;
 * else entries counted. */
static void test_run_count(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	r = RUN(f, "count");
	assert_string_equal(r.out, "4\n");
	result_free(&r);
	f->has_stats = true;
	r = RUN(f, "count", "-o", "json");
	assert_string_equal(r.out, "{\"table\":\"conntrack\",\"count\":1004}\n");
	result_free(&r);
	r = RUN(f, "count", "-f", "ipv6");
	assert_string_equal(r.out, "1\n");
	result_free(&r);
	fake_free(f);
}

static void test_run_stats_and_flush(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	r = RUN(f, "stats");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "cpu=0   \tfound=1 invalid=0 insert=2 "
			    "insert_failed=0 drop=0 early_drop=0 error=0 "
			    "search_restart=0 clash_resolve=0 chaintoolong=0 \n"
			    "cpu=1   \tfound=0 invalid=0 insert=0 "
			    "insert_failed=0 drop=0 early_drop=0 error=0 "
			    "search_restart=0 clash_resolve=0 chaintoolong=9 \n");
	result_free(&r);
	r = RUN(f, "stats", "--table", "expect", "-o", "json");
	assert_has(r.out, "{\"cpu\":0,\"expect_new\":3,\"expect_create\":0,"
			  "\"expect_delete\":0}\n");
	result_free(&r);
	r = RUN(f, "flush", "-f", "ipv4");
	assert_int_equal(r.status, 0);
	assert_has(r.err, "connection tracking table has been emptied.\n");
	assert_int_equal(f->count, 1);
	result_free(&r);
	fake_free(f);
}

/* A slot the implementation lacks: said so, status 1. */
static void test_run_missing_slot(void **state)
{
	struct fake *f = fake_with_flows();
	struct result r;

	(void)state;
	f->ops.stats_cpu = NULL;
	r = RUN(f, "stats");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_string_equal(r.err, "ctnl: stats: not available in this "
				   "libctnl (Function not implemented)\n");
	result_free(&r);
	fake_free(f);
}

static void test_run_expectations(void **state)
{
	struct fake *f = fake_new();
	struct result r;

	(void)state;
	f->has_exp = true;
	f->exp = (struct ctnl_expect){
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT |
			 CTNL_EXP_ATTR_HELPER | CTNL_EXP_ATTR_CLASS,
		.timeout = 299,
	};
	ctnl_tuple_from_text(&f->exp.tuple, "10.0.0.2", "10.0.0.1",
			     IPPROTO_TCP, 0, 5000);
	ctnl_tuple_from_text(&f->exp.mask, "255.255.255.255",
			     "255.255.255.255", IPPROTO_TCP, 0, 65535);
	ctnl_tuple_from_text(&f->exp.master, "10.0.0.1", "10.0.0.2",
			     IPPROTO_TCP, 4000, 21);
	strcpy(f->exp.helper, "ftp");
	r = RUN(f, "list", "--table", "expect");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "299 proto=6 src=10.0.0.2 dst=10.0.0.1 sport=0 "
			    "dport=5000 mask-src=255.255.255.255 "
			    "mask-dst=255.255.255.255 sport=0 dport=65535 "
			    "master-src=10.0.0.1 master-dst=10.0.0.2 "
			    "sport=4000 dport=21 class=0 helper=ftp\n");
	assert_has(r.err, " 1 expectations have been shown.\n");
	result_free(&r);
	r = RUN(f, "count", "--table", "expect");
	assert_string_equal(r.out, "1\n");
	result_free(&r);
	/* Slots not in this fake: said so. */
	r = RUN(f, "get", "--table", "expect", "-p", "tcp", "--tuple-src",
		"10.0.0.2", "--tuple-dst", "10.0.0.1", "--tuple-port-src", "0",
		"--tuple-port-dst", "5000");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_has(r.err, "ctnl: get: not available in this libctnl");
	result_free(&r);
	fake_free(f);
}

static void queue_event(struct fake *f, enum ctnl_event_type type,
			uint16_t sport)
{
	struct ctnl_event *ev = &f->events[f->nevents++];

	ev->type = type;
	ev->flow = udp_flow("10.0.0.1", "10.0.0.2", sport, 53, 0);
	ev->flow.attrs &= ~CTNL_ATTR_MARK;
}

/* One line per event, filtered, until the limit. */
static void test_run_events(void **state)
{
	struct fake *f = fake_new();
	struct result r;

	(void)state;
	queue_event(f, CTNL_EVENT_NEW, 1);
	queue_event(f, CTNL_EVENT_NEW, 2);	/* filtered out */
	queue_event(f, CTNL_EVENT_DESTROY, 1);
	queue_event(f, CTNL_EVENT_NEW, 1);	/* past the limit */
	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	r = RUN(f, "events", "-p", "udp", "--sport", "1", "--limit", "2",
		"-e", "NEW,DESTROY");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->sub.events, CTNL_EVENT_NEW | CTNL_EVENT_DESTROY);
	assert_int_equal(f->sub.rcvbuf, 0);
	/* Unsubscribed before the end. */
	assert_int_equal(f->subscribed, 0);
	assert_string_equal(r.out,
			    "    [NEW] udp      17 30 src=10.0.0.1 dst=10.0.0.2 "
			    "sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 "
			    "sport=53 dport=1\n"
			    "[DESTROY] udp      17 30 src=10.0.0.1 dst=10.0.0.2 "
			    "sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 "
			    "sport=53 dport=1\n");
	assert_has(r.err, "listening for conntrack events");
	assert_has(r.err, " 2 flow events have been shown.\n");
	result_free(&r);

	/* Lost events are said on stderr, and reading goes on; a change a
	 * program made carries its port id. */
	f->events[f->nevents++] = (struct ctnl_event){
		.type = CTNL_EVENT_OVERFLOW, .overflow = { .lost = 12 } };
	queue_event(f, CTNL_EVENT_DESTROY, 1);
	f->events[f->nevents - 1].portid = 4000000000u;
	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	r = RUN(f, "events", "--limit", "1");
	assert_string_equal(r.out,
			    "[DESTROY] udp      17 30 src=10.0.0.1 dst=10.0.0.2 "
			    "sport=1 dport=53 src=10.0.0.2 dst=10.0.0.1 "
			    "sport=53 dport=1 [USERSPACE] portid=4000000000\n");
	assert_has(r.err, "ctnl: events: the kernel dropped 12 events");
	assert_has(r.err, " 1 flow events have been shown.\n");
	result_free(&r);

	queue_event(f, CTNL_EVENT_UPDATE, 7);
	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	r = RUN(f, "events", "-o", "json", "--limit", "1");
	assert_int_equal(f->sub.events, CTNL_EVENT_NEW | CTNL_EVENT_UPDATE |
					CTNL_EVENT_DESTROY);
	assert_has(r.out, "{\"event\":\"update\",\"family\":\"ipv4\"");
	result_free(&r);
	fake_free(f);
}

/*
 * The loss no read has reported yet (the kernel drops on for a while
 * after it says so) is said before the summary, when the limit is
 * reached as when interrupted: what was printed and what was said lost
 * add up. -b sets the queue.
 */
static void test_run_events_report_the_rest_at_the_end(void **state)
{
	struct fake *f = fake_new();
	struct result r;

	(void)state;
	queue_event(f, CTNL_EVENT_NEW, 1);
	queue_event(f, CTNL_EVENT_NEW, 2);
	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	f->unreported = 1234;
	r = RUN(f, "events", "--limit", "1", "-b", "65536");
	assert_int_equal(r.status, 0);
	assert_int_equal(f->sub.rcvbuf, 65536);
	assert_has(r.err, "ctnl: events: the kernel dropped 1234 events");
	assert_true(strstr(r.err, "dropped 1234") <
		    strstr(r.err, " 1 flow events have been shown.\n"));
	result_free(&r);

	/* Nothing left: nothing said. */
	queue_event(f, CTNL_EVENT_NEW, 3);
	assert_int_equal(write(f->pipe[1], "x", 1), 1);
	r = RUN(f, "events", "--limit", "1");
	assert_has(r.err, " 1 flow events have been shown.\n");
	assert_null(strstr(r.err, "dropped"));
	result_free(&r);
	fake_free(f);
}

/* An interrupt ends the wait with the summary, status 0. */
static void test_run_events_stop_on_signal_flag(void **state)
{
	struct fake *f = fake_new();
	volatile sig_atomic_t stop = 1;
	struct run_env env = { .ct = &f->ct, .labels = &labels, .stop = &stop };
	char *out = NULL, *err = NULL;
	size_t ol = 0, el = 0;
	struct cli c;
	char msg[128];

	(void)state;
	assert_int_equal(cli_parse(2, (char *[]){ "ctnl", "events" }, &c, msg,
				   sizeof(msg)), 0);
	env.out = open_memstream(&out, &ol);
	env.err = open_memstream(&err, &el);
	assert_int_equal(run(&c, &env), 0);
	fclose(env.out);
	fclose(env.err);
	assert_has(err, " 0 flow events have been shown.\n");
	free(out);
	free(err);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labelmap_reads_connlabel_conf),
		cmocka_unit_test(test_json_strings_are_escaped),
		cmocka_unit_test(test_run_list_prints_as_conntrack_and_sums_up),
		cmocka_unit_test(test_run_list_labels),
		cmocka_unit_test(test_run_update_by_filter_falls_back_to_batch),
		cmocka_unit_test(test_run_update_by_filter_uses_update_matching),
		cmocka_unit_test(test_run_update_mark_with_mask),
		cmocka_unit_test(test_run_entries_gone_meanwhile_are_not_counted),
		cmocka_unit_test(test_run_one_entry_and_no_such_entry),
		cmocka_unit_test(test_run_kernel_refusal_prints_its_reason),
		cmocka_unit_test(test_run_unknown_label_changes_nothing),
		cmocka_unit_test(test_run_create_with_zones_labels_state),
		cmocka_unit_test(test_run_count),
		cmocka_unit_test(test_run_stats_and_flush),
		cmocka_unit_test(test_run_missing_slot),
		cmocka_unit_test(test_run_expectations),
		cmocka_unit_test(test_run_events),
		cmocka_unit_test(test_run_events_report_the_rest_at_the_end),
		cmocka_unit_test(test_run_events_stop_on_signal_flag),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
