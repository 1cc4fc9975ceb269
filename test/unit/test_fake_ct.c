/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The in-memory conntrack table behaves as documented in <ctnl/mocks.h>:
 * every slot through the public ctnl_ct_*() functions, and libctnl's
 * generic operations (lists, the Go package's updates) on top of it, as a
 * user's program calls them. Every test ends with the heap as it began,
 * and every refused request is checked to have changed nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "helpers.h"

#define MAX_SAVED 32

struct env {
	size_t heap_before;
	struct ctnl_fake_ct *f;
	struct ctnl_ct *ct;
	/* A copy of the table, to prove a refused request changed nothing. */
	size_t nsaved, nsaved_exp;
	struct ctnl_flow saved[MAX_SAVED];
	struct ctnl_expect saved_exp[MAX_SAVED];
};

static int setup(void **state)
{
	size_t before = heap_in_use();
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->heap_before = before;
	assert_int_equal(ctnl_fake_ct_new(&e->f), 0);
	e->ct = ctnl_fake_ct_ct(e->f);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	size_t before = e->heap_before;

	ctnl_fake_ct_free(e->f);
	free(e);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

/* ---- Building flows and keys ---- */

static struct ctnl_flow flow_of(uint8_t proto, const char *src,
				const char *dst, uint16_t sport,
				uint16_t dport)
{
	struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
			       .timeout = 120 };

	assert_int_equal(ctnl_tuple_from_text(&f.orig, src, dst, proto, sport,
					      dport), 0);
	return f;
}

static struct ctnl_flow udp(const char *src, const char *dst, uint16_t sport,
			    uint16_t dport)
{
	return flow_of(IPPROTO_UDP, src, dst, sport, dport);
}

static struct ctnl_flow tcp(const char *src, const char *dst, uint16_t sport,
			    uint16_t dport)
{
	return flow_of(IPPROTO_TCP, src, dst, sport, dport);
}

static struct ctnl_flow icmp(uint8_t proto, const char *src, const char *dst,
			     uint8_t type)
{
	struct ctnl_flow f = flow_of(proto, src, dst, 0, 0);

	f.orig.icmp.type = type;
	f.orig.icmp.id = 77;
	return f;
}

/* A key naming @f's entry by its original tuple. */
static struct ctnl_flow key_orig(const struct ctnl_flow *f)
{
	return (struct ctnl_flow){ .attrs = CTNL_ATTR_ORIG, .orig = f->orig };
}

/* A key naming an entry by reply tuple @t. */
static struct ctnl_flow key_reply(const struct ctnl_tuple *t)
{
	return (struct ctnl_flow){ .attrs = CTNL_ATTR_REPLY, .reply = *t };
}

static void add(struct env *e, const struct ctnl_flow *f)
{
	assert_int_equal(ctnl_fake_ct_add(e->f, f), 0);
}

static void create(struct env *e, const struct ctnl_flow *f)
{
	assert_int_equal(ctnl_ct_create(e->ct, f), 0);
}

/* The table's entry @i. */
static const struct ctnl_flow *entry(struct env *e, size_t i)
{
	size_t n;
	const struct ctnl_flow *flows = ctnl_fake_ct_flows(e->f, &n);

	assert_true(i < n);
	return &flows[i];
}

static void save(struct env *e)
{
	const struct ctnl_flow *flows = ctnl_fake_ct_flows(e->f, &e->nsaved);
	const struct ctnl_expect *exps =
		ctnl_fake_ct_expects(e->f, &e->nsaved_exp);

	assert_true(e->nsaved <= MAX_SAVED && e->nsaved_exp <= MAX_SAVED);
	if (e->nsaved)
		memcpy(e->saved, flows, e->nsaved * sizeof(*flows));
	if (e->nsaved_exp)
		memcpy(e->saved_exp, exps, e->nsaved_exp * sizeof(*exps));
}

static void assert_unchanged(struct env *e)
{
	size_t n, nexp;
	const struct ctnl_flow *flows = ctnl_fake_ct_flows(e->f, &n);
	const struct ctnl_expect *exps = ctnl_fake_ct_expects(e->f, &nexp);

	assert_int_equal(n, e->nsaved);
	assert_int_equal(nexp, e->nsaved_exp);
	if (n)
		assert_memory_equal(flows, e->saved, n * sizeof(*flows));
	if (nexp)
		assert_memory_equal(exps, e->saved_exp, nexp * sizeof(*exps));
}

/* Three entries: two UDP (one to port 53), one TCP, all IPv4. */
static void seed3(struct env *e)
{
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.53", 4000, 53);
	struct ctnl_flow b = udp("10.0.0.1", "10.0.0.9", 4001, 123);
	struct ctnl_flow c = tcp("10.0.0.2", "10.0.0.80", 5000, 80);

	create(e, &a);
	create(e, &b);
	create(e, &c);
}

/* An entry with a helper, able to be an expectation's master. */
static struct ctnl_flow seed_master(struct env *e)
{
	struct ctnl_flow m = tcp("10.0.0.2", "10.0.0.21", 40000, 21);

	m.attrs |= CTNL_ATTR_HELPER;
	strcpy(m.helper, "ftp");
	add(e, &m);
	return m;
}

/* An expectation of @m: the server's data port, from any client port. */
static struct ctnl_expect expect_of(const struct ctnl_flow *m, uint16_t dport)
{
	struct ctnl_expect x = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT,
		.master = m->orig,
		.tuple = m->orig,
		.mask = { .family = m->orig.family, .proto = IPPROTO_TCP },
		.timeout = 300,
	};

	x.tuple.port.src = 0;
	x.tuple.port.dst = dport;
	memset(&x.mask.src, 0xff, sizeof(x.mask.src.in));
	x.mask.port.src = 0;
	return x;
}

/* ---- Counting callbacks ---- */

struct seen {
	int calls;
	int stop_at;		/* answer CTNL_CB_STOP on this call (1-based) */
	int fail_at;		/* answer -EIO on this call */
	struct ctnl_ct *ct;	/* call back into the handle from inside */
	int nested;		/* ... and what that answered */
	uint32_t ids[MAX_SAVED];
};

static int count_flow(const struct ctnl_flow *flow, void *data)
{
	struct seen *s = data;

	if (s->calls < MAX_SAVED)
		s->ids[s->calls] = flow->id;
	s->calls++;
	if (s->ct) {
		struct ctnl_flow key = key_orig(flow);

		s->nested = ctnl_ct_delete(s->ct, &key);
	}
	if (s->calls == s->fail_at)
		return -EIO;
	return s->calls == s->stop_at ? CTNL_CB_STOP : CTNL_CB_OK;
}

static int count_expect(const struct ctnl_expect *exp, void *data)
{
	struct seen *s = data;

	if (s->calls < MAX_SAVED)
		s->ids[s->calls] = exp->id;
	s->calls++;
	return s->calls == s->stop_at ? CTNL_CB_STOP : CTNL_CB_OK;
}

/* ====================================================================
 * The handle
 * ==================================================================== */

static void test_fake_ct_new_without_out_pointer_is_einval(void **state)
{
	(void)state;
	assert_int_equal(ctnl_fake_ct_new(NULL), -EINVAL);
	ctnl_fake_ct_free(NULL);
}

static void test_fake_ct_close_is_recorded_and_keeps_the_table(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1, 2);

	create(e, &a);
	assert_false(ctnl_fake_ct_closed(e->f));
	ctnl_ct_close(e->ct);
	assert_true(ctnl_fake_ct_closed(e->f));
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);

	/* Handed out again, as to a program that reconnects. */
	e->ct = ctnl_fake_ct_ct(e->f);
	assert_false(ctnl_fake_ct_closed(e->f));
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
}

/* Runs @fn in a child and says whether it died of abort(). */
static bool aborts(void (*fn)(struct env *), struct env *e)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn(e);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void get_after_close(struct env *e)
{
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1, 2), key, out;

	key = key_orig(&a);
	ctnl_ct_close(e->ct);
	ctnl_ct_get(e->ct, &key, &out);
}

static void close_twice(struct env *e)
{
	ctnl_ct_close(e->ct);
	ctnl_ct_close(e->ct);
}

static void error_msg_after_close(struct env *e)
{
	ctnl_ct_close(e->ct);
	ctnl_ct_error_msg(e->ct);
}

static void test_fake_ct_use_after_close_aborts(void **state)
{
	struct env *e = *state;

	assert_true(aborts(get_after_close, e));
	assert_true(aborts(close_twice, e));
	assert_true(aborts(error_msg_after_close, e));
	/* The parent's handle was never closed. */
	assert_false(ctnl_fake_ct_closed(e->f));
}

/* ====================================================================
 * Seeding
 * ==================================================================== */

static void test_fake_ct_add_assigns_id_and_inverted_reply(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	const struct ctnl_flow *got;

	a.attrs |= CTNL_ATTR_MARK;
	a.mark = 9;
	add(e, &a);
	got = entry(e, 0);
	assert_int_equal(got->attrs, a.attrs | CTNL_ATTR_REPLY | CTNL_ATTR_ID);
	assert_int_equal(got->id, 1);
	assert_int_equal(got->mark, 9);
	assert_memory_equal(&got->reply.src, &a.orig.dst, 4);
	assert_memory_equal(&got->reply.dst, &a.orig.src, 4);
	assert_int_equal(got->reply.port.src, 53);
	assert_int_equal(got->reply.port.dst, 1000);
	/* As-is: nothing the kernel would add. */
	assert_false(got->attrs & CTNL_ATTR_STATUS);
}

static void test_fake_ct_add_keeps_given_id_and_reply(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow b = udp("10.0.0.1", "10.0.0.2", 1001, 53);

	/* A NATed entry: the reply goes to another address. */
	a.attrs |= CTNL_ATTR_ID | CTNL_ATTR_REPLY;
	a.id = 41;
	assert_int_equal(ctnl_tuple_from_text(&a.reply, "192.0.2.7",
					      "10.0.0.1", IPPROTO_UDP, 53,
					      1000), 0);
	add(e, &a);
	add(e, &b);
	assert_int_equal(entry(e, 0)->id, 41);
	assert_memory_equal(&entry(e, 0)->reply, &a.reply, sizeof(a.reply));
	/* Fresh ids never collide with given ones. */
	assert_int_equal(entry(e, 1)->id, 42);
}

static void test_fake_ct_add_existing_tuple_or_id_is_eexist(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow back = udp("10.0.0.2", "10.0.0.1", 53, 1000);
	struct ctnl_flow other = udp("10.0.0.3", "10.0.0.4", 1, 2);

	add(e, &a);
	save(e);
	assert_int_equal(ctnl_fake_ct_add(e->f, &a), -EEXIST);
	/* Its reply tuple is taken too. */
	assert_int_equal(ctnl_fake_ct_add(e->f, &back), -EEXIST);
	other.attrs |= CTNL_ATTR_ID;
	other.id = entry(e, 0)->id;
	assert_int_equal(ctnl_fake_ct_add(e->f, &other), -EEXIST);
	assert_unchanged(e);
}

static void test_fake_ct_add_malformed_flow_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow bad;

	assert_int_equal(ctnl_fake_ct_add(e->f, NULL), -EINVAL);
	bad = a;
	bad.attrs &= ~CTNL_ATTR_ORIG;
	assert_int_equal(ctnl_fake_ct_add(e->f, &bad), -EINVAL);
	bad = a;
	bad.orig.family = AF_UNIX;
	assert_int_equal(ctnl_fake_ct_add(e->f, &bad), -EINVAL);
	bad = a;
	bad.attrs |= CTNL_ATTR_REPLY;
	bad.reply = a.orig;
	bad.reply.proto = IPPROTO_TCP;
	assert_int_equal(ctnl_fake_ct_add(e->f, &bad), -EINVAL);
	/* Destination unreachable has no reply type to invert to. */
	bad = icmp(IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 3);
	assert_int_equal(ctnl_fake_ct_add(e->f, &bad), -EINVAL);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
}

/* ====================================================================
 * dump
 * ==================================================================== */

static void test_fake_ct_dump_hands_every_entry_in_order(void **state)
{
	struct env *e = *state;
	struct ctnl_dump_info info;
	struct seen s = { 0 };

	seed3(e);
	memset(&info, 0xaa, sizeof(info));
	assert_int_equal(ctnl_ct_dump(e->ct, NULL, count_flow, &s, &info), 3);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.ids[0], 1);
	assert_int_equal(s.ids[1], 2);
	assert_int_equal(s.ids[2], 3);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.user, 0);
	assert_int_equal(info.received, 3);
	assert_int_equal(info.matched, 3);
	assert_int_equal(info.duplicates, 0);
	assert_false(info.interrupted);
}

/* -z: the counts as they were, then zero; the dying and unconfirmed
 * lists: empty. */
static void test_fake_ct_dump_zeroes_counters_and_has_no_other_lists(
	void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_filter zero = { .flags = CTNL_FILTER_ZERO };
	struct ctnl_filter dying = { .flags = CTNL_FILTER_DYING };
	struct ctnl_filter unconfirmed = { .flags = CTNL_FILTER_UNCONFIRMED };
	struct seen s = { 0 };

	a.attrs |= CTNL_ATTR_COUNTERS_ORIG;
	a.counters[CTNL_DIR_ORIG].packets = 3;
	add(e, &a);
	assert_int_equal(ctnl_ct_dump(e->ct, &zero, count_flow, &s, NULL), 1);
	assert_int_equal(s.calls, 1);
	assert_int_equal(entry(e, 0)->counters[CTNL_DIR_ORIG].packets, 0);
	assert_int_equal(ctnl_ct_dump(e->ct, &dying, count_flow, &s, NULL), 0);
	assert_int_equal(ctnl_ct_dump(e->ct, &unconfirmed, count_flow, &s,
				      NULL), 0);
	assert_int_equal(s.calls, 1);
}

static void test_fake_ct_dump_filters_everything_in_user_space(void **state)
{
	struct env *e = *state;
	struct ctnl_filter filter = {
		.match = CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DPORT,
		.family = AF_INET,
		.proto = IPPROTO_UDP,
		.orig_dport = 53,
	};
	struct ctnl_dump_info info;
	struct seen s = { 0 };

	seed3(e);
	assert_int_equal(ctnl_ct_dump(e->ct, &filter, count_flow, &s, &info),
			 1);
	assert_int_equal(s.ids[0], 1);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.user, filter.match);
	assert_int_equal(info.received, 3);
	assert_int_equal(info.matched, 1);

	/* The family alone filters too. */
	filter = (struct ctnl_filter){ .family = AF_INET6 };
	assert_int_equal(ctnl_ct_dump(e->ct, &filter, count_flow, &s, NULL),
			 0);
}

static void test_fake_ct_dump_stops_when_callback_says_stop(void **state)
{
	struct env *e = *state;
	struct ctnl_dump_info info;
	struct seen s = { .stop_at = 2 };

	seed3(e);
	assert_int_equal(ctnl_ct_dump(e->ct, NULL, count_flow, &s, &info), 2);
	assert_int_equal(s.calls, 2);
	assert_int_equal(info.received, 2);
	assert_int_equal(info.matched, 2);
}

static void test_fake_ct_dump_callback_error_aborts_with_it(void **state)
{
	struct env *e = *state;
	struct ctnl_dump_info info;
	struct seen s = { .fail_at = 1 };

	seed3(e);
	assert_int_equal(ctnl_ct_dump(e->ct, NULL, count_flow, &s, &info),
			 -EIO);
	assert_int_equal(s.calls, 1);
	assert_int_equal(info.matched, 1);
}

static void test_fake_ct_dump_bad_filter_or_no_callback_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_filter filter = { .match = CTNL_MATCH_ORIG_SRC };
	struct ctnl_dump_info info;
	struct seen s = { 0 };

	seed3(e);
	memset(&info, 0xaa, sizeof(info));
	/* An address without a family means nothing. */
	assert_int_equal(ctnl_ct_dump(e->ct, &filter, count_flow, &s, &info),
			 -EINVAL);
	filter = (struct ctnl_filter){ .family = 99 };
	assert_int_equal(ctnl_ct_dump(e->ct, &filter, count_flow, &s, &info),
			 -EINVAL);
	filter = (struct ctnl_filter){ .match = 1u << 30 };
	assert_int_equal(ctnl_ct_dump(e->ct, &filter, count_flow, &s, &info),
			 -EINVAL);
	assert_int_equal(ctnl_ct_dump(e->ct, NULL, NULL, &s, &info), -EINVAL);
	assert_int_equal(s.calls, 0);
	assert_int_equal(info.received, 0xaaaaaaaaaaaaaaaau);
}

static void test_fake_ct_call_from_dump_callback_is_ebusy(void **state)
{
	struct env *e = *state;
	struct seen s = { .ct = e->ct };

	seed3(e);
	save(e);
	assert_int_equal(ctnl_ct_dump(e->ct, NULL, count_flow, &s, NULL), 3);
	assert_int_equal(s.nested, -EBUSY);
	assert_unchanged(e);
	/* Once the dump is over, the handle is usable again. */
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
}

/* ====================================================================
 * get
 * ==================================================================== */

static void test_fake_ct_get_finds_entry_by_either_tuple(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key, out;
	struct ctnl_tuple reply;

	seed3(e);
	create(e, &a);
	reply = entry(e, 3)->reply;

	key = key_orig(&a);
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), 0);
	assert_memory_equal(&out, entry(e, 3), sizeof(out));

	memset(&out, 0, sizeof(out));
	key = key_reply(&reply);
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), 0);
	assert_int_equal(out.id, entry(e, 3)->id);

	/* The kernel hashes both directions: an "original" key holding the
	 * reply tuple finds the entry too. */
	key = (struct ctnl_flow){ .attrs = CTNL_ATTR_ORIG, .orig = reply };
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), 0);
	assert_int_equal(out.id, entry(e, 3)->id);
}

static void test_fake_ct_get_missing_entry_is_enoent(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key, out;

	create(e, &a);
	memset(&out, 0x5a, sizeof(out));
	key = key_orig(&a);
	key.orig.port.src = 1001;
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), -ENOENT);
	/* The same tuple in another zone is another entry. */
	key = key_orig(&a);
	key.orig.zone = 7;
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), -ENOENT);
	assert_int_equal(out.attrs, 0x5a5a5a5a5a5a5a5au);
}

static void test_fake_ct_get_ignores_id_as_the_kernel_does(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key, out;

	create(e, &a);
	key = key_orig(&a);
	key.attrs |= CTNL_ATTR_ID;
	key.id = entry(e, 0)->id + 100;
	/* ctnetlink_get_conntrack() never reads CTA_ID. */
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), 0);
	assert_int_equal(out.id, entry(e, 0)->id);
}

static void test_fake_ct_get_invalid_key_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a), out;
	struct ctnl_flow ping = icmp(IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 8);

	create(e, &a);
	assert_int_equal(ctnl_ct_get(e->ct, &key, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_get(e->ct, NULL, &out), -EINVAL);
	key.attrs = 0;
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), -EINVAL);
	key = key_orig(&a);
	key.orig.family = AF_UNSPEC;
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), -EINVAL);
	/* The kernel parses no ICMP tuple of a type it cannot pair. */
	ping.orig.icmp.type = 3;
	key = key_orig(&ping);
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), -EINVAL);
}

/* ====================================================================
 * create
 * ==================================================================== */

static void test_fake_ct_create_fills_in_what_the_kernel_adds(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = tcp("10.0.0.1", "10.0.0.2", 1000, 80);
	const struct ctnl_flow *got;

	create(e, &a);
	got = entry(e, 0);
	assert_int_equal(got->attrs,
			 CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_ID |
			 CTNL_ATTR_STATUS | CTNL_ATTR_TIMEOUT |
			 CTNL_ATTR_MARK | CTNL_ATTR_USE | CTNL_ATTR_TCP_STATE);
	assert_memory_equal(&got->orig, &a.orig, sizeof(a.orig));
	assert_int_equal(got->reply.port.src, 80);
	assert_int_equal(got->reply.port.dst, 1000);
	assert_int_equal(got->id, 1);
	assert_int_equal(got->status, CTNL_STATUS_CONFIRMED);
	assert_int_equal(got->timeout, 120);
	assert_int_equal(got->mark, 0);
	assert_int_equal(got->use, 1);
	assert_int_equal(got->tcp.state, CTNL_TCP_NONE);
	assert_null(ctnl_ct_error_msg(e->ct));
}

static void test_fake_ct_create_takes_mark_status_labels_and_state(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = tcp("10.0.0.1", "10.0.0.2", 1000, 80);
	const struct ctnl_flow *got;

	a.attrs |= CTNL_ATTR_MARK | CTNL_ATTR_STATUS | CTNL_ATTR_LABELS |
		   CTNL_ATTR_TCP_STATE;
	a.mark = 0x42;
	a.status = CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY;
	ctnl_labels_set(&a.labels, 100);
	a.tcp.state = CTNL_TCP_ESTABLISHED;
	create(e, &a);
	got = entry(e, 0);
	assert_int_equal(got->mark, 0x42);
	assert_int_equal(got->status, CTNL_STATUS_CONFIRMED |
				      CTNL_STATUS_ASSURED |
				      CTNL_STATUS_SEEN_REPLY);
	assert_true(got->attrs & CTNL_ATTR_LABELS);
	assert_true(ctnl_labels_test(&got->labels, 100));
	assert_int_equal(got->tcp.state, CTNL_TCP_ESTABLISHED);
}

static void test_fake_ct_create_keeps_only_fields_its_attrs_name(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = tcp("10.0.0.1", "10.0.0.2", 1000, 80);
	struct ctnl_flow b = tcp("10.0.0.1", "10.0.0.2", 1001, 80);
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021);
	const struct ctnl_expect *got;

	/* Data without its attrs bit is not data: it is not kept. */
	a.mark = 5;
	a.tcp.wscale[0] = 7;
	a.tcp.flags[1] = 2;
	create(e, &a);
	assert_int_equal(entry(e, 1)->mark, 0);
	assert_int_equal(entry(e, 1)->tcp.wscale[0], 0);
	assert_int_equal(entry(e, 1)->tcp.flags[1], 0);
	assert_false(entry(e, 1)->attrs & CTNL_ATTR_TCP_WSCALE);

	b.attrs |= CTNL_ATTR_TCP_WSCALE | CTNL_ATTR_TCP_FLAGS;
	b.tcp.wscale[0] = 7;
	b.tcp.flags[1] = 2;
	b.tcp.flags_mask[1] = 2;
	create(e, &b);
	assert_int_equal(entry(e, 2)->tcp.wscale[0], 7);
	assert_int_equal(entry(e, 2)->tcp.flags[1], 2);
	assert_true(entry(e, 2)->attrs & CTNL_ATTR_TCP_FLAGS);

	x.nat_dir = 1;
	strcpy(x.fn, "nat-follow-master");
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	got = ctnl_fake_ct_expects(e->f, NULL);
	assert_int_equal(got->nat_dir, 0);
	assert_string_equal(got->fn, "");
	assert_false(got->attrs & (CTNL_EXP_ATTR_NAT | CTNL_EXP_ATTR_FN));
}

static void test_fake_ct_create_existing_orig_tuple_is_eexist(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);

	create(e, &a);
	save(e);
	a.attrs |= CTNL_ATTR_MARK;
	a.mark = 5;
	assert_int_equal(ctnl_ct_create(e->ct, &a), -EEXIST);
	assert_unchanged(e);
}

static void test_fake_ct_create_existing_reply_tuple_is_eexist(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow b = udp("10.0.0.9", "10.0.0.2", 1000, 53);
	struct ctnl_flow back = udp("10.0.0.2", "10.0.0.1", 53, 1000);

	create(e, &a);
	save(e);
	/* b's own original tuple is free, but its reply (NAT back to a's
	 * client) is a's reply. */
	b.attrs |= CTNL_ATTR_REPLY;
	b.reply = entry(e, 0)->reply;
	assert_int_equal(ctnl_ct_create(e->ct, &b), -EEXIST);
	/* The other direction of a as an original tuple is taken too. */
	assert_int_equal(ctnl_ct_create(e->ct, &back), -EEXIST);
	assert_unchanged(e);
}

static void
test_fake_ct_create_same_tuple_in_other_zone_is_new_entry(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key;
	struct ctnl_flow out;

	create(e, &a);
	a.orig.zone = 3;
	create(e, &a);
	assert_int_equal(ctnl_fake_ct_count(e->f), 2);
	assert_int_equal(entry(e, 1)->reply.zone, 3);
	key = key_orig(&a);
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), 0);
	assert_int_equal(out.id, entry(e, 1)->id);
}

static void test_fake_ct_create_without_orig_or_timeout_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow bad = a;

	assert_int_equal(ctnl_ct_create(e->ct, NULL), -EINVAL);
	bad.attrs &= ~CTNL_ATTR_ORIG;
	assert_int_equal(ctnl_ct_create(e->ct, &bad), -EINVAL);
	bad = a;
	bad.attrs &= ~CTNL_ATTR_TIMEOUT;
	assert_int_equal(ctnl_ct_create(e->ct, &bad), -EINVAL);
	bad = a;
	bad.orig.family = AF_PACKET;
	assert_int_equal(ctnl_ct_create(e->ct, &bad), -EINVAL);
	bad = a;
	bad.attrs |= CTNL_ATTR_REPLY;
	bad.reply = a.orig;
	bad.reply.family = AF_INET6;
	assert_int_equal(ctnl_ct_create(e->ct, &bad), -EINVAL);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_CREATE), 4);
}

static void test_fake_ct_create_inverts_icmp_echo_types(void **state)
{
	struct env *e = *state;
	struct ctnl_flow ping = icmp(IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 8);
	struct ctnl_flow pong = icmp(IPPROTO_ICMP, "10.0.0.3", "10.0.0.4", 0);
	struct ctnl_flow ping6 = icmp(IPPROTO_ICMPV6, "2001:db8::1",
				      "2001:db8::2", 128);

	ping.orig.icmp.code = 0;
	create(e, &ping);
	create(e, &pong);
	create(e, &ping6);
	assert_int_equal(entry(e, 0)->reply.icmp.type, 0);
	assert_int_equal(entry(e, 0)->reply.icmp.id, 77);
	assert_memory_equal(&entry(e, 0)->reply.src, &ping.orig.dst, 4);
	assert_int_equal(entry(e, 1)->reply.icmp.type, 8);
	assert_int_equal(entry(e, 2)->reply.icmp.type, 129);
	assert_memory_equal(&entry(e, 2)->reply.dst, &ping6.orig.src, 16);
}

static void test_fake_ct_create_icmp_type_without_pair_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow unreach = icmp(IPPROTO_ICMP, "10.0.0.1", "10.0.0.2",
					3);
	struct ctnl_flow mld = icmp(IPPROTO_ICMPV6, "2001:db8::1",
				    "2001:db8::2", 130);

	assert_int_equal(ctnl_ct_create(e->ct, &unreach), -EINVAL);
	/* The kernel pairs no multicast listener query, whatever a
	 * client computes for the reply. */
	mld.attrs |= CTNL_ATTR_REPLY;
	mld.reply = mld.orig;
	mld.reply.icmp.type = 131;
	assert_int_equal(ctnl_ct_create(e->ct, &mld), -EINVAL);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
}

static void test_fake_ct_create_in_full_table_is_enomem(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow b = udp("10.0.0.1", "10.0.0.2", 1001, 53);
	struct ctnl_stats st;

	ctnl_fake_ct_set_max(e->f, 1);
	create(e, &a);
	save(e);
	assert_int_equal(ctnl_ct_create(e->ct, &b), -ENOMEM);
	assert_unchanged(e);
	assert_int_equal(ctnl_ct_stats(e->ct, CTNL_TABLE_CONNTRACK, &st), 0);
	assert_int_equal(st.count, 1);
	assert_int_equal(st.max, 1);

	/* 0 is no limit, as nf_conntrack_max = 0 is. */
	ctnl_fake_ct_set_max(e->f, 0);
	create(e, &b);
}

static void test_fake_ct_create_status_expected_is_ebusy(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);

	a.attrs |= CTNL_ATTR_STATUS;
	a.status = CTNL_STATUS_EXPECTED;
	assert_int_equal(ctnl_ct_create(e->ct, &a), -EBUSY);
	a.status = CTNL_STATUS_DYING;
	assert_int_equal(ctnl_ct_create(e->ct, &a), -EBUSY);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
}

static void
test_fake_ct_create_ignores_status_bits_the_kernel_owns(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);

	a.attrs |= CTNL_ATTR_STATUS;
	a.status = CTNL_STATUS_SRC_NAT | CTNL_STATUS_OFFLOAD |
		   CTNL_STATUS_ASSURED;
	create(e, &a);
	assert_int_equal(entry(e, 0)->status,
			 CTNL_STATUS_CONFIRMED | CTNL_STATUS_ASSURED);
}

static void test_fake_ct_create_two_directional_zones_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key, out;
	struct ctnl_tuple reply;

	a.attrs |= CTNL_ATTR_REPLY;
	a.reply = a.orig;
	a.reply.src = a.orig.dst;
	a.reply.dst = a.orig.src;
	a.reply.port.src = 53;
	a.reply.port.dst = 1000;
	reply = a.reply;
	a.orig.zone = 1;
	a.reply.zone = 2;
	assert_int_equal(ctnl_ct_create(e->ct, &a), -EINVAL);

	/* One directional zone is fine: the reply stays in zone 0. */
	a.reply.zone = 0;
	create(e, &a);
	assert_int_equal(entry(e, 0)->orig.zone, 1);
	assert_int_equal(entry(e, 0)->reply.zone, 0);
	key = key_reply(&reply);
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), 0);
	assert_int_equal(out.id, entry(e, 0)->id);
}

static void test_fake_ct_create_bad_protocol_info_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow t = tcp("10.0.0.1", "10.0.0.2", 1000, 80);
	struct ctnl_flow s = flow_of(IPPROTO_SCTP, "10.0.0.1", "10.0.0.2",
				     1000, 80);

	t.attrs |= CTNL_ATTR_TCP_STATE;
	t.tcp.state = CTNL_TCP_STATE_MAX;
	assert_int_equal(ctnl_ct_create(e->ct, &t), -EINVAL);
	/* nlattr_to_sctp() wants state and both vtags together. */
	s.attrs |= CTNL_ATTR_SCTP_STATE;
	s.sctp.state = 1;
	assert_int_equal(ctnl_ct_create(e->ct, &s), -EINVAL);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);

	s.attrs |= CTNL_ATTR_SCTP_VTAG;
	s.sctp.vtag[0] = 11;
	s.sctp.vtag[1] = 12;
	create(e, &s);
	assert_int_equal(entry(e, 0)->sctp.vtag[1], 12);
	assert_true(entry(e, 0)->attrs & CTNL_ATTR_SCTP_STATE);
}

static void test_fake_ct_create_labels_when_disabled_is_enospc(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);

	ctnl_fake_ct_set_labels_enabled(e->f, false);
	a.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&a.labels, 3);
	assert_int_equal(ctnl_ct_create(e->ct, &a), -ENOSPC);
	/* Whole or not at all: no entry without its labels is left. */
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
	assert_non_null(ctnl_ct_error_msg(e->ct));
	assert_non_null(strstr(ctnl_ct_error_msg(e->ct), "labels"));

	/* No labels asked for, no problem; the message goes with the next
	 * call. */
	a.attrs &= ~CTNL_ATTR_LABELS;
	create(e, &a);
	assert_null(ctnl_ct_error_msg(e->ct));
}

static void test_fake_ct_create_never_reuses_an_id(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);

	create(e, &a);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	create(e, &a);
	assert_int_equal(entry(e, 0)->id, 2);
}

/* NAT as the kernel sets it up: the reply tuple translated, the status
 * saying which way, both ways done. */
static void test_fake_ct_create_with_nat_translates_the_reply(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow b = udp("10.0.0.1", "10.0.0.2", 1001, 53);
	const uint32_t done = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;

	a.attrs |= CTNL_ATTR_DNAT;
	inet_pton(AF_INET, "10.0.0.3", &a.dnat.min);
	a.dnat.port_min = 5353;
	create(e, &a);
	assert_int_equal(entry(e, 0)->reply.src.in.s_addr, htonl(0x0a000003));
	assert_int_equal(entry(e, 0)->reply.port.src, 5353);
	assert_int_equal(entry(e, 0)->reply.dst.in.s_addr, htonl(0x0a000001));
	assert_int_equal(entry(e, 0)->status,
			 IPS_CONFIRMED | IPS_DST_NAT | done);

	b.attrs |= CTNL_ATTR_SNAT;
	inet_pton(AF_INET, "10.0.0.9", &b.snat.min);
	create(e, &b);
	assert_int_equal(entry(e, 1)->reply.dst.in.s_addr, htonl(0x0a000009));
	assert_int_equal(entry(e, 1)->reply.port.dst, 1001);
	assert_int_equal(entry(e, 1)->status,
			 IPS_CONFIRMED | IPS_SRC_NAT | done);
}

/* ====================================================================
 * update
 * ==================================================================== */

static void test_fake_ct_update_sets_mark_timeout_and_status(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = {
		.attrs = CTNL_ATTR_MARK | CTNL_ATTR_TIMEOUT | CTNL_ATTR_STATUS,
		.mark = 7,
		.timeout = 3600,
		.status = CTNL_STATUS_ASSURED,
	};

	create(e, &a);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	assert_int_equal(entry(e, 0)->mark, 7);
	assert_int_equal(entry(e, 0)->timeout, 3600);
	assert_int_equal(entry(e, 0)->status,
			 CTNL_STATUS_CONFIRMED | CTNL_STATUS_ASSURED);

	/* Status bits are only ever set (a bit missing from the request
	 * stays), and bits the kernel owns are not set at all. */
	c = (struct ctnl_change){ .attrs = CTNL_ATTR_STATUS,
				  .status = CTNL_STATUS_FIXED_TIMEOUT };
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EBUSY);
	c.status |= CTNL_STATUS_ASSURED;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	c.status = CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY |
		   CTNL_STATUS_DST_NAT;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	assert_int_equal(entry(e, 0)->status,
			 CTNL_STATUS_CONFIRMED | CTNL_STATUS_ASSURED |
			 CTNL_STATUS_FIXED_TIMEOUT | CTNL_STATUS_SEEN_REPLY);
}

static void test_fake_ct_update_labels_changes_masked_bits_only(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = CTNL_ATTR_LABELS };
	const struct ctnl_flow *got;

	a.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&a.labels, 1);
	ctnl_labels_set(&a.labels, 2);
	ctnl_labels_set(&a.labels, 127);
	create(e, &a);

	/* Set 5, clear 2; 1 and 127 are outside the mask; 9 is in the value
	 * but not the mask. */
	ctnl_labels_set(&c.labels, 5);
	ctnl_labels_set(&c.labels, 9);
	ctnl_labels_set(&c.labels_mask, 5);
	ctnl_labels_set(&c.labels_mask, 2);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	got = entry(e, 0);
	assert_true(ctnl_labels_test(&got->labels, 1));
	assert_false(ctnl_labels_test(&got->labels, 2));
	assert_true(ctnl_labels_test(&got->labels, 5));
	assert_false(ctnl_labels_test(&got->labels, 9));
	assert_true(ctnl_labels_test(&got->labels, 127));

	/* Clearing every label: the kernel reports no labels at all. */
	memset(&c, 0, sizeof(c));
	c.attrs = CTNL_ATTR_LABELS;
	memset(&c.labels_mask, 0xff, sizeof(c.labels_mask));
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	assert_false(entry(e, 0)->attrs & CTNL_ATTR_LABELS);
}

static void test_fake_ct_update_missing_entry_is_enoent(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow b = udp("10.0.0.1", "10.0.0.2", 1001, 53);
	struct ctnl_flow key = key_orig(&b);
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK, .mark = 1 };

	create(e, &a);
	save(e);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -ENOENT);
	assert_unchanged(e);
}

static void test_fake_ct_update_empty_or_unknown_change_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = 0 };

	create(e, &a);
	save(e);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EINVAL);
	c.attrs = CTNL_ATTR_MARK | CTNL_ATTR_ORIG;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EINVAL);
	c.attrs = CTNL_ATTR_MARK;
	assert_int_equal(ctnl_ct_update(e->ct, &key, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_update(e->ct, NULL, &c), -EINVAL);
	key.attrs = CTNL_ATTR_ID;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EINVAL);
	assert_unchanged(e);
}

static void test_fake_ct_update_ignores_id_as_the_kernel_does(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK, .mark = 3 };

	create(e, &a);
	key.attrs |= CTNL_ATTR_ID;
	key.id = entry(e, 0)->id + 1;
	/* ctnetlink_new_conntrack() changes whatever entry holds the tuple:
	 * CTA_ID is not checked on update. */
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	assert_int_equal(entry(e, 0)->mark, 3);
}

static void
test_fake_ct_update_refused_status_keeps_earlier_changes(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = CTNL_ATTR_TIMEOUT | CTNL_ATTR_STATUS |
					  CTNL_ATTR_MARK,
				 .timeout = 99, .status = 0, .mark = 4 };

	a.attrs |= CTNL_ATTR_STATUS;
	a.status = CTNL_STATUS_ASSURED;
	create(e, &a);
	/* ASSURED cannot be cleared: -EBUSY, after the timeout was set and
	 * before the mark would have been, as the kernel goes. */
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EBUSY);
	assert_int_equal(entry(e, 0)->timeout, 99);
	assert_int_equal(entry(e, 0)->mark, 0);
	assert_int_equal(entry(e, 0)->status,
			 CTNL_STATUS_CONFIRMED | CTNL_STATUS_ASSURED);

	c = (struct ctnl_change){ .attrs = CTNL_ATTR_STATUS,
				  .status = CTNL_STATUS_ASSURED |
					    CTNL_STATUS_EXPECTED };
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EBUSY);
}

static void test_fake_ct_update_timeout_of_fixed_timeout_is_eperm(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = CTNL_ATTR_TIMEOUT, .timeout = 5 };

	a.attrs |= CTNL_ATTR_STATUS;
	a.status = CTNL_STATUS_FIXED_TIMEOUT;
	create(e, &a);
	save(e);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EPERM);
	assert_unchanged(e);
}

static void test_fake_ct_update_labels_when_disabled_is_enospc(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK | CTNL_ATTR_LABELS,
				 .mark = 8 };

	ctnl_fake_ct_set_labels_enabled(e->f, false);
	create(e, &a);
	ctnl_labels_set(&c.labels, 0);
	ctnl_labels_set(&c.labels_mask, 0);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -ENOSPC);
	assert_non_null(strstr(ctnl_ct_error_msg(e->ct), "ruleset"));
	/* The kernel set the mark before it found no room for labels. */
	assert_int_equal(entry(e, 0)->mark, 8);
	assert_false(entry(e, 0)->attrs & CTNL_ATTR_LABELS);

	/* Enabling labels later does not give this entry room. */
	ctnl_fake_ct_set_labels_enabled(e->f, true);
	c.attrs = CTNL_ATTR_LABELS;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -ENOSPC);
}

static void
test_fake_ct_update_labels_with_room_work_after_disabling(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_change c = { .attrs = CTNL_ATTR_LABELS };

	create(e, &a);
	ctnl_fake_ct_set_labels_enabled(e->f, false);
	ctnl_labels_set(&c.labels, 64);
	ctnl_labels_set(&c.labels_mask, 64);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
	assert_true(ctnl_labels_test(&entry(e, 0)->labels, 64));
	assert_null(ctnl_ct_error_msg(e->ct));
}

/* ====================================================================
 * delete
 * ==================================================================== */

static void test_fake_ct_delete_removes_entry_by_either_tuple(void **state)
{
	struct env *e = *state;
	struct ctnl_flow key;

	seed3(e);
	key = key_orig(entry(e, 1));
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 2);
	assert_int_equal(entry(e, 0)->id, 1);
	assert_int_equal(entry(e, 1)->id, 3);

	key = key_reply(&entry(e, 1)->reply);
	key.attrs |= CTNL_ATTR_ID;
	key.id = 3;
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
}

static void test_fake_ct_delete_with_other_id_is_enoent(void **state)
{
	struct env *e = *state;
	struct ctnl_flow key;

	seed3(e);
	save(e);
	key = key_orig(entry(e, 0));
	key.attrs |= CTNL_ATTR_ID;
	key.id = 2;
	/* ctnetlink_del_conntrack() checks CTA_ID: an entry that was
	 * replaced by another with the same tuple is left alone. */
	assert_int_equal(ctnl_ct_delete(e->ct, &key), -ENOENT);
	assert_unchanged(e);
}

static void
test_fake_ct_delete_missing_or_invalid_key_changes_nothing(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.7", "10.0.0.8", 1, 2);
	struct ctnl_flow key = key_orig(&a);

	seed3(e);
	save(e);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), -ENOENT);
	assert_int_equal(ctnl_ct_delete(e->ct, NULL), -EINVAL);
	/* A delete without a tuple would be a flush: refused. */
	key.attrs = 0;
	assert_int_equal(ctnl_ct_delete(e->ct, &key), -EINVAL);
	assert_unchanged(e);
}

static void test_fake_ct_delete_takes_the_master_s_expectations(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e), key = key_orig(&m);
	struct ctnl_expect x = expect_of(&m, 2021);

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 1);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
}

/* ====================================================================
 * batch
 * ==================================================================== */

static void test_fake_ct_batch_create_reports_each_result(void **state)
{
	struct env *e = *state;
	struct ctnl_flow flows[3] = {
		udp("10.0.0.1", "10.0.0.2", 1, 53),
		udp("10.0.0.1", "10.0.0.2", 1, 53),	/* the same again */
		udp("10.0.0.1", "10.0.0.2", 2, 53),
	};
	int results[3] = { 1, 1, 1 };

	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 3, NULL,
				       0, results), 2);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -EEXIST);
	assert_int_equal(results[2], 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 2);
}

static void test_fake_ct_batch_update_applies_one_change_to_all(void **state)
{
	struct env *e = *state;
	struct ctnl_flow keys[3];
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK, .mark = 11 };
	int results[3];

	seed3(e);
	for (size_t i = 0; i < 3; i++)
		keys[i] = key_orig(entry(e, i));
	keys[1].orig.port.src = 1;	/* gone */
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_UPDATE, keys, 3, &c, 1,
				       results), 2);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -ENOENT);
	assert_int_equal(results[2], 0);
	assert_int_equal(entry(e, 0)->mark, 11);
	assert_int_equal(entry(e, 1)->mark, 0);
	assert_int_equal(entry(e, 2)->mark, 11);
}

static void test_fake_ct_batch_update_takes_a_change_per_item(void **state)
{
	struct env *e = *state;
	struct ctnl_flow keys[3];
	struct ctnl_change c[3] = {
		{ .attrs = CTNL_ATTR_MARK, .mark = 1 },
		{ .attrs = CTNL_ATTR_MARK, .mark = 2 },
		{ .attrs = CTNL_ATTR_TIMEOUT, .timeout = 3 },
	};
	int results[3];

	seed3(e);
	for (size_t i = 0; i < 3; i++)
		keys[i] = key_orig(entry(e, i));
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_UPDATE, keys, 3, c, 3,
				       results), 3);
	assert_int_equal(entry(e, 0)->mark, 1);
	assert_int_equal(entry(e, 1)->mark, 2);
	assert_int_equal(entry(e, 2)->timeout, 3);
}

static void test_fake_ct_batch_delete_counts_what_was_deleted(void **state)
{
	struct env *e = *state;
	struct ctnl_flow keys[2];
	int results[2];

	seed3(e);
	keys[0] = key_orig(entry(e, 2));
	keys[1] = keys[0];
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_DELETE, keys, 2, NULL, 0,
				       results), 1);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -ENOENT);
	assert_int_equal(ctnl_fake_ct_count(e->f), 2);
}

static void test_fake_ct_batch_with_bad_item_changes_nothing(void **state)
{
	struct env *e = *state;
	struct ctnl_flow flows[2] = {
		udp("10.0.0.1", "10.0.0.2", 1, 53),
		udp("10.0.0.1", "10.0.0.2", 2, 53),
	};
	struct ctnl_change c[2] = { { .attrs = CTNL_ATTR_MARK } };
	int results[2] = { 5, 5 };

	seed3(e);
	save(e);
	flows[1].attrs &= ~CTNL_ATTR_TIMEOUT;
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 2, NULL,
				       0, results), -EINVAL);
	assert_int_equal(results[0], 5);
	flows[0] = key_orig(entry(e, 0));
	flows[1] = key_orig(entry(e, 1));
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_UPDATE, flows, 2, c, 2,
				       results), -EINVAL);
	assert_unchanged(e);
}

static void test_fake_ct_batch_bad_arguments_are_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow key;
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK };
	int results[2];

	seed3(e);
	save(e);
	key = key_orig(entry(e, 0));
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_DELETE, NULL, 1, NULL, 0,
				       results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_DELETE, &key, 1, NULL, 0,
				       NULL), -EINVAL);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_DELETE, &key, 0, NULL, 0,
				       results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_UPDATE, &key, 1, NULL, 1,
				       results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_UPDATE, &key, 1, &c, 2,
				       results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(e->ct, (enum ctnl_op)9, &key, 1, NULL, 0,
				       results), -EINVAL);
	assert_unchanged(e);
}

static void test_fake_ct_batch_create_drops_labels_when_disabled(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1, 53);
	int result;

	ctnl_fake_ct_set_labels_enabled(e->f, false);
	a.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&a.labels, 4);
	/* Only ctnl_ct_create() reads the entry back: a batch keeps what
	 * the kernel made of it, an entry without labels. */
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, &a, 1, NULL, 0,
				       &result), 1);
	assert_int_equal(result, 0);
	assert_false(entry(e, 0)->attrs & CTNL_ATTR_LABELS);
	assert_false(ctnl_labels_test(&entry(e, 0)->labels, 4));
}

static void
test_fake_ct_batch_update_labels_when_disabled_explains(void **state)
{
	struct env *e = *state;
	struct ctnl_flow key;
	struct ctnl_change c = { .attrs = CTNL_ATTR_LABELS };
	int result;

	ctnl_fake_ct_set_labels_enabled(e->f, false);
	seed3(e);
	key = key_orig(entry(e, 0));
	ctnl_labels_set(&c.labels, 1);
	ctnl_labels_set(&c.labels_mask, 1);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_UPDATE, &key, 1, &c, 1,
				       &result), 0);
	assert_int_equal(result, -ENOSPC);
	assert_non_null(ctnl_ct_error_msg(e->ct));
}

/* ====================================================================
 * flush
 * ==================================================================== */

static void test_fake_ct_flush_one_family_keeps_the_other(void **state)
{
	struct env *e = *state;
	struct ctnl_flow v6 = udp("2001:db8::1", "2001:db8::2", 1, 53);

	seed3(e);
	create(e, &v6);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, AF_INET),
			 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
	assert_int_equal(entry(e, 0)->orig.family, AF_INET6);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, AF_INET),
			 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
}

static void test_fake_ct_flush_all_families_takes_expectations(void **state)
{
	struct env *e = *state;
	struct ctnl_flow v6 = udp("2001:db8::1", "2001:db8::2", 1, 53);
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021);

	seed3(e);
	create(e, &v6);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
}

static void test_fake_ct_flush_expect_empties_every_family(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021);
	struct ctnl_expect x6 = x;

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_tuple_from_text(&x6.tuple, "2001:db8::1",
					      "2001:db8::2", IPPROTO_TCP, 0,
					      2021), 0);
	x6.attrs = CTNL_EXP_ATTR_TUPLE;
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &x6), 0);
	/* ctnetlink_del_expect() flushes every family, whatever is asked:
	 * so one family alone is refused, as the real handle refuses it. */
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_EXPECT, AF_INET),
			 -EOPNOTSUPP);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 2);
	/* Every family, and the conntrack table is left alone. */
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_EXPECT, 0), 0);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
}

static void test_fake_ct_flush_bad_table_or_family_is_einval(void **state)
{
	struct env *e = *state;

	seed3(e);
	save(e);
	assert_int_equal(ctnl_ct_flush(e->ct, (enum ctnl_table)2, 0), -EINVAL);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, AF_UNIX),
			 -EINVAL);
	assert_unchanged(e);
}

/* ====================================================================
 * update_matching, delete_matching
 * ==================================================================== */

static void test_fake_ct_update_matching_changes_and_counts(void **state)
{
	struct env *e = *state;
	struct ctnl_filter filter = { .match = CTNL_MATCH_PROTO,
				      .proto = IPPROTO_UDP };
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK, .mark = 0x77 };
	struct ctnl_dump_info info;

	seed3(e);
	assert_int_equal(ctnl_ct_update_matching(e->ct, &filter, &c, &info),
			 2);
	assert_int_equal(entry(e, 0)->mark, 0x77);
	assert_int_equal(entry(e, 1)->mark, 0x77);
	assert_int_equal(entry(e, 2)->mark, 0);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.user, CTNL_MATCH_PROTO);
	assert_int_equal(info.received, 3);
	assert_int_equal(info.matched, 2);

	/* No filter: every entry. */
	c.mark = 1;
	assert_int_equal(ctnl_ct_update_matching(e->ct, NULL, &c, NULL), 3);
}

static void
test_fake_ct_update_matching_none_changed_is_first_error(void **state)
{
	struct env *e = *state;
	struct ctnl_change c = { .attrs = CTNL_ATTR_LABELS };
	struct ctnl_filter none = { .match = CTNL_MATCH_MARK,
				    .mark = 5, .mark_mask = 0xff };

	ctnl_fake_ct_set_labels_enabled(e->f, false);
	seed3(e);
	ctnl_labels_set(&c.labels, 1);
	ctnl_labels_set(&c.labels_mask, 1);
	assert_int_equal(ctnl_ct_update_matching(e->ct, NULL, &c, NULL),
			 -ENOSPC);
	assert_non_null(ctnl_ct_error_msg(e->ct));
	/* Nothing matching is nothing changed, not an error. */
	assert_int_equal(ctnl_ct_update_matching(e->ct, &none, &c, NULL), 0);
}

static void test_fake_ct_update_matching_invalid_request_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK };
	struct ctnl_change empty = { .attrs = 0 };
	struct ctnl_filter bad = { .match = CTNL_MATCH_ORIG_DPORT };

	seed3(e);
	save(e);
	assert_int_equal(ctnl_ct_update_matching(e->ct, NULL, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_update_matching(e->ct, NULL, &empty, NULL),
			 -EINVAL);
	/* A port without its protocol. */
	assert_int_equal(ctnl_ct_update_matching(e->ct, &bad, &c, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_delete_matching(e->ct, &bad, NULL), -EINVAL);
	assert_unchanged(e);
}

static void test_fake_ct_delete_matching_removes_and_counts(void **state)
{
	struct env *e = *state;
	struct ctnl_filter filter = { .match = CTNL_MATCH_PROTO,
				      .proto = IPPROTO_UDP };
	struct ctnl_dump_info info;

	seed3(e);
	assert_int_equal(ctnl_ct_delete_matching(e->ct, &filter, &info), 2);
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
	assert_int_equal(entry(e, 0)->orig.proto, IPPROTO_TCP);
	assert_int_equal(info.received, 3);
	assert_int_equal(info.matched, 2);
	assert_int_equal(info.user, CTNL_MATCH_PROTO);
	assert_int_equal(ctnl_ct_delete_matching(e->ct, NULL, NULL), 1);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
}

struct chooser {
	uint16_t sport;		/* chooses entries of this source port */
	int stop_at;		/* the call that fails (1-based), 0: none */
	int calls;
	int nested;		/* a slot called from the predicate */
	struct ctnl_ct *ct;
};

static int choose_sport(const struct ctnl_flow *flow, void *data)
{
	struct chooser *c = data;
	struct ctnl_stats st;

	c->calls++;
	if (c->ct)
		c->nested = ctnl_ct_stats(c->ct, CTNL_TABLE_CONNTRACK, &st);
	if (c->calls == c->stop_at)
		return -ECANCELED;
	return flow->orig.port.src == c->sport;
}

/* delete_if: the filter, then the predicate, on each entry in table
 * order; what it chooses goes at once; other slots are busy meanwhile;
 * a predicate's error stops the pass there. */
static void test_fake_ct_delete_if_deletes_what_is_chosen(void **state)
{
	struct env *e = *state;
	struct ctnl_filter udp_only = { .match = CTNL_MATCH_PROTO,
					.proto = IPPROTO_UDP };
	struct chooser c = { .sport = 1, .ct = e->ct };
	struct ctnl_delete_stats st;
	const struct ctnl_flow flows[] = {
		udp("10.0.0.1", "10.0.0.2", 1, 53),
		udp("10.0.0.1", "10.0.0.2", 2, 53),
		tcp("10.0.0.1", "10.0.0.2", 1, 80),
		udp("10.0.0.3", "10.0.0.2", 1, 53),
	};

	for (size_t i = 0; i < 4; i++)
		add(e, &flows[i]);
	assert_int_equal(ctnl_ct_delete_if(e->ct, &udp_only, choose_sport, &c,
					   &st), 2);
	assert_int_equal(c.calls, 3);
	assert_int_equal(c.nested, -EBUSY);
	assert_int_equal(st.seen, 4);
	assert_int_equal(st.matched, 2);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.gone + st.failed + st.retries, 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 2);
	assert_int_equal(entry(e, 0)->orig.port.src, 2);
	assert_int_equal(entry(e, 1)->orig.proto, IPPROTO_TCP);

	c = (struct chooser){ .sport = 2, .stop_at = 2 };
	assert_int_equal(ctnl_ct_delete_if(e->ct, NULL, choose_sport, &c, &st),
			 -ECANCELED);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
	assert_int_equal(ctnl_ct_delete_if(e->ct, NULL, NULL, NULL, NULL), 1);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_DELETE_IF), 3);
	save(e);
	assert_int_equal(ctnl_ct_delete_if(e->ct, &(struct ctnl_filter){
						   .family = 9 },
					   NULL, NULL, &st), -EINVAL);
	assert_unchanged(e);
}

/* ====================================================================
 * Statistics
 * ==================================================================== */

static void test_fake_ct_stats_reports_count_and_max(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021);
	struct ctnl_stats st;

	seed3(e);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_stats(e->ct, CTNL_TABLE_CONNTRACK, &st), 0);
	assert_int_equal(st.count, 4);
	assert_int_equal(st.max, CTNL_FAKE_CT_MAX);
	assert_int_equal(ctnl_ct_stats(e->ct, CTNL_TABLE_EXPECT, &st), 0);
	assert_int_equal(st.count, 1);
	assert_int_equal(st.max, 0);
	assert_int_equal(ctnl_ct_stats(e->ct, (enum ctnl_table)5, &st),
			 -EINVAL);
	assert_int_equal(ctnl_ct_stats(e->ct, CTNL_TABLE_CONNTRACK, NULL),
			 -EINVAL);
}

static void test_fake_ct_stats_cpu_reports_one_cpu(void **state)
{
	struct env *e = *state;
	struct ctnl_cpu_stats cpus[4];

	memset(cpus, 0xaa, sizeof(cpus));
	assert_int_equal(ctnl_ct_stats_cpu(e->ct, cpus, 4), 1);
	assert_int_equal(cpus[0].cpu, 0);
	assert_int_equal(cpus[0].insert, 0);
	assert_int_equal(cpus[0].exp_delete, 0);
	assert_int_equal(cpus[1].cpu, 0xaaaa);
	assert_int_equal(ctnl_ct_stats_cpu(e->ct, cpus, 0), 0);
	assert_int_equal(ctnl_ct_stats_cpu(e->ct, NULL, 1), -EINVAL);
}

/* ====================================================================
 * Expectations
 * ==================================================================== */

static void test_fake_ct_create_expect_needs_master_with_helper(void **state)
{
	struct env *e = *state;
	struct ctnl_flow plain = tcp("10.0.0.5", "10.0.0.6", 1, 21);
	struct ctnl_expect x = expect_of(&plain, 2021);
	struct ctnl_flow m;
	const struct ctnl_expect *got;

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), -ENOENT);
	create(e, &plain);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), -EOPNOTSUPP);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);

	m = seed_master(e);
	x = expect_of(&m, 2021);
	/* Named by its reply tuple, the master is still found. */
	x.master = entry(e, 1)->reply;
	x.attrs |= CTNL_EXP_ATTR_CLASS | CTNL_EXP_ATTR_FLAGS;
	x.class = 3;		/* dropped: no helper named */
	x.flags = 0x4 | 0x1;	/* USERSPACE is the kernel's to set */
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	got = ctnl_fake_ct_expects(e->f, NULL);
	assert_int_equal(got->id, 1);
	assert_memory_equal(&got->master, &m.orig, sizeof(m.orig));
	assert_string_equal(got->helper, "ftp");
	assert_int_equal(got->class, 0);
	assert_int_equal(got->flags, 0x1);
	assert_int_equal(got->timeout, 300);
	assert_true(got->attrs & CTNL_EXP_ATTR_ID);
}

static void test_fake_ct_create_expect_missing_parts_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021), bad;

	assert_int_equal(ctnl_ct_create_expect(e->ct, NULL), -EINVAL);
	bad = x;
	bad.attrs &= ~CTNL_EXP_ATTR_MASK;
	assert_int_equal(ctnl_ct_create_expect(e->ct, &bad), -EINVAL);
	bad = x;
	bad.attrs &= ~CTNL_EXP_ATTR_MASTER;
	assert_int_equal(ctnl_ct_create_expect(e->ct, &bad), -EINVAL);
	bad = x;
	bad.tuple.family = AF_INET6;
	assert_int_equal(ctnl_ct_create_expect(e->ct, &bad), -EINVAL);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
}

static void test_fake_ct_create_expect_existing_is_eexist(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021);

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	save(e);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), -EEXIST);
	assert_unchanged(e);
}

static void test_fake_ct_get_expect_matches_under_the_mask(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021), key, out;

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	/* Any source port: the mask leaves it out. */
	key = (struct ctnl_expect){ .attrs = CTNL_EXP_ATTR_TUPLE,
				    .tuple = x.tuple };
	key.tuple.port.src = 33333;
	assert_int_equal(ctnl_ct_get_expect(e->ct, &key, &out), 0);
	assert_int_equal(out.id, 1);
	/* Not another destination port, nor another client. */
	key.tuple.port.dst = 2022;
	assert_int_equal(ctnl_ct_get_expect(e->ct, &key, &out), -ENOENT);
	key.tuple = x.tuple;
	key.tuple.src.u8[3] ^= 1;
	assert_int_equal(ctnl_ct_get_expect(e->ct, &key, &out), -ENOENT);
	/* Nor in another zone. */
	key.tuple = x.tuple;
	key.attrs |= CTNL_EXP_ATTR_ZONE;
	key.zone = 4;
	assert_int_equal(ctnl_ct_get_expect(e->ct, &key, &out), -ENOENT);
	assert_int_equal(ctnl_ct_get_expect(e->ct, NULL, &out), -EINVAL);
	key.attrs = 0;
	assert_int_equal(ctnl_ct_get_expect(e->ct, &key, &out), -EINVAL);
}

static void
test_fake_ct_get_and_delete_expect_with_other_id_is_enoent(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021), key, out;

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	key = (struct ctnl_expect){ .attrs = CTNL_EXP_ATTR_TUPLE |
					     CTNL_EXP_ATTR_ID,
				    .tuple = x.tuple, .id = 2 };
	assert_int_equal(ctnl_ct_get_expect(e->ct, &key, &out), -ENOENT);
	assert_int_equal(ctnl_ct_delete_expect(e->ct, &key), -ENOENT);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 1);
	key.id = 1;
	assert_int_equal(ctnl_ct_delete_expect(e->ct, &key), 0);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
	/* The master stays. */
	assert_int_equal(ctnl_fake_ct_count(e->f), 1);
}

static void test_fake_ct_delete_expect_without_tuple_is_einval(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021), key;

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	/* By master alone, the kernel would flush the table. */
	key = (struct ctnl_expect){ .attrs = CTNL_EXP_ATTR_MASTER,
				    .master = m.orig };
	assert_int_equal(ctnl_ct_delete_expect(e->ct, &key), -EINVAL);
	assert_int_equal(ctnl_ct_delete_expect(e->ct, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 1);
}

static void test_fake_ct_dump_expect_filters_family_and_stops(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021), y = expect_of(&m, 2022);
	struct ctnl_expect z = { .attrs = CTNL_EXP_ATTR_TUPLE };
	struct seen s = { 0 };

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &y), 0);
	assert_int_equal(ctnl_tuple_from_text(&z.tuple, "2001:db8::1",
					      "2001:db8::2", IPPROTO_TCP, 0,
					      2021), 0);
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &z), 0);

	assert_int_equal(ctnl_ct_dump_expect(e->ct, 0, count_expect, &s), 3);
	s = (struct seen){ 0 };
	assert_int_equal(ctnl_ct_dump_expect(e->ct, AF_INET6, count_expect,
					     &s), 1);
	assert_int_equal(s.ids[0], 3);
	s = (struct seen){ .stop_at = 1 };
	assert_int_equal(ctnl_ct_dump_expect(e->ct, AF_INET, count_expect, &s),
			 1);
	assert_int_equal(ctnl_ct_dump_expect(e->ct, AF_UNIX, count_expect, &s),
			 -EINVAL);
	assert_int_equal(ctnl_ct_dump_expect(e->ct, 0, NULL, &s), -EINVAL);
}

static void
test_fake_ct_add_expect_links_master_and_refuses_duplicates(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e), key = key_orig(&m);
	struct ctnl_expect x = expect_of(&m, 2021), dup;

	x.attrs |= CTNL_EXP_ATTR_ID;
	x.id = 10;
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &x), 0);
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &x), -EEXIST);
	dup = expect_of(&m, 2022);
	dup.attrs |= CTNL_EXP_ATTR_ID;
	dup.id = 10;
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &dup), -EEXIST);
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, NULL), -EINVAL);
	dup.attrs = CTNL_EXP_ATTR_MASTER;
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &dup), -EINVAL);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 1);
	/* Fresh ids come after given ones; the master takes it along. */
	dup = expect_of(&m, 2022);
	assert_int_equal(ctnl_fake_ct_add_expect(e->f, &dup), 0);
	assert_int_equal(ctnl_fake_ct_expects(e->f, NULL)[1].id, 11);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
}

/* ====================================================================
 * Failures and call counts
 * ==================================================================== */

static void
test_fake_ct_fail_nth_call_returns_error_changing_nothing(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1, 53);
	struct ctnl_flow b = udp("10.0.0.1", "10.0.0.2", 2, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_dump_info info;
	struct seen s = { 0 };

	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_CREATE, 2, -ENOBUFS);
	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_DUMP, 1, -EINTR);
	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_DEL, 1, -EPERM);
	create(e, &a);
	save(e);
	assert_int_equal(ctnl_ct_create(e->ct, &b), -ENOBUFS);
	assert_unchanged(e);
	create(e, &b);

	assert_int_equal(ctnl_ct_dump(e->ct, NULL, count_flow, &s, &info),
			 -EINTR);
	assert_int_equal(s.calls, 0);
	assert_int_equal(info.received, 0);
	assert_int_equal(ctnl_ct_dump(e->ct, NULL, count_flow, &s, NULL), 2);

	save(e);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), -EPERM);
	assert_unchanged(e);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
}

static void test_fake_ct_fail_batch_sets_every_result(void **state)
{
	struct env *e = *state;
	struct ctnl_flow flows[2] = {
		udp("10.0.0.1", "10.0.0.2", 1, 53),
		udp("10.0.0.1", "10.0.0.2", 2, 53),
	};
	int results[2] = { 0, 0 };

	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_BATCH, 1, -ENOBUFS);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 2, NULL,
				       0, results), -ENOBUFS);
	assert_int_equal(results[0], -ENOBUFS);
	assert_int_equal(results[1], -ENOBUFS);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
}

static void test_fake_ct_fail_every_other_slot(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e), key = key_orig(&m);
	struct ctnl_expect x = expect_of(&m, 2021), xkey = x, xout;
	struct ctnl_change c = { .attrs = CTNL_ATTR_MARK, .mark = 1 };
	struct ctnl_dump_info info;
	struct ctnl_delete_stats dst;
	struct ctnl_cpu_stats cpu;
	struct ctnl_stats st;
	struct ctnl_flow out;
	struct seen s = { 0 };

	for (int slot = 0; slot < CTNL_FAKE_CT_NSLOTS; slot++)
		ctnl_fake_ct_fail(e->f, (enum ctnl_fake_ct_slot)slot, 1,
				  -EIO);
	save(e);
	assert_int_equal(ctnl_ct_get(e->ct, &key, &out), -EIO);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), -EIO);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), -EIO);
	memset(&info, 0xaa, sizeof(info));
	assert_int_equal(ctnl_ct_update_matching(e->ct, NULL, &c, &info),
			 -EIO);
	assert_int_equal(info.matched, 0);
	assert_int_equal(ctnl_ct_delete_matching(e->ct, NULL, &info), -EIO);
	memset(&dst, 0xaa, sizeof(dst));
	assert_int_equal(ctnl_ct_delete_if(e->ct, NULL, NULL, NULL, &dst),
			 -EIO);
	assert_int_equal(dst.seen, 0);
	assert_int_equal(ctnl_ct_stats(e->ct, CTNL_TABLE_CONNTRACK, &st), -EIO);
	assert_int_equal(ctnl_ct_stats_cpu(e->ct, &cpu, 1), -EIO);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), -EIO);
	assert_int_equal(ctnl_ct_dump_expect(e->ct, 0, count_expect, &s),
			 -EIO);
	assert_int_equal(ctnl_ct_get_expect(e->ct, &xkey, &xout), -EIO);
	assert_int_equal(ctnl_ct_delete_expect(e->ct, &xkey), -EIO);
	assert_unchanged(e);
	/* Events have tests of their own (test_fake_ct_events.c). */
	for (int slot = 0; slot < CTNL_FAKE_CT_SUBSCRIBE; slot++)
		if (slot != CTNL_FAKE_CT_DUMP && slot != CTNL_FAKE_CT_CREATE &&
		    slot != CTNL_FAKE_CT_DEL && slot != CTNL_FAKE_CT_BATCH)
			assert_int_equal(ctnl_fake_ct_calls(
				e->f, (enum ctnl_fake_ct_slot)slot), 1);
	/* The second calls go through. */
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &c), 0);
}

static void test_fake_ct_calls_counts_each_slot(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1, 53);
	struct ctnl_list list;

	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_CREATE), 0);
	create(e, &a);
	assert_int_equal(ctnl_ct_create(e->ct, &a), -EEXIST);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 1);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_CREATE), 2);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_DUMP), 1);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_GET), 0);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_NSLOTS), 0);
}

static void test_fake_ct_out_of_memory_changes_nothing(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1, 53);
	struct ctnl_expect x = expect_of(&m, 2021);
	int ret;

	if (!heap_fail_nth(0))
		skip();
	/* The table's arrays hold 8 before they grow: fill them. */
	for (uint16_t port = 1; ctnl_fake_ct_count(e->f) < 8; port++) {
		a.orig.port.src = port;
		create(e, &a);
	}
	save(e);
	a.orig.port.src = 1000;
	heap_fail_nth(1);
	ret = ctnl_ct_create(e->ct, &a);
	heap_fail_nth(0);
	assert_int_equal(ret, -ENOMEM);
	heap_fail_nth(1);
	ret = ctnl_fake_ct_add(e->f, &a);
	heap_fail_nth(0);
	assert_int_equal(ret, -ENOMEM);
	assert_unchanged(e);
	/* The first expectation needs its arrays. */
	heap_fail_nth(1);
	ret = ctnl_ct_create_expect(e->ct, &x);
	heap_fail_nth(0);
	assert_int_equal(ret, -ENOMEM);
	heap_fail_nth(2);
	ret = ctnl_fake_ct_add_expect(e->f, &x);
	heap_fail_nth(0);
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(ctnl_fake_ct_expect_count(e->f), 0);
	/* And when memory is back, all is well. */
	create(e, &a);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
}

/* ====================================================================
 * libctnl's operations over the fake, as a user's program calls them
 * ==================================================================== */

static void test_fake_ct_list_reads_the_table_into_one_array(void **state)
{
	struct env *e = *state;
	struct ctnl_flow v6 = udp("2001:db8::1", "2001:db8::2", 1, 53);
	struct ctnl_list list;

	seed3(e);
	create(e, &v6);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, AF_INET,
				      &list), 3);
	assert_int_equal(list.count, 3);
	assert_int_equal(list.flows[2].orig.proto, IPPROTO_TCP);
	assert_int_equal(list.info.received, 4);
	assert_int_equal(list.info.matched, 3);
	ctnl_list_free(&list);

	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 4);
	ctnl_list_free(&list);

	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_DUMP, 3, -ENOBUFS);
	memset(&list, 0x5a, sizeof(list));
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 -ENOBUFS);
	assert_int_equal(list.count, 0x5a5a5a5a5a5a5a5au);
}

static void test_fake_ct_list_of_empty_table_is_empty(void **state)
{
	struct env *e = *state;
	struct ctnl_list list;

	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 0);
	assert_int_equal(list.count, 0);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_EXPECT, 0, &list), 0);
	ctnl_list_free(&list);
}

static void test_fake_ct_list_reads_the_expectation_table(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = seed_master(e);
	struct ctnl_expect x = expect_of(&m, 2021), y = expect_of(&m, 2022);
	struct ctnl_list list;

	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &y), 0);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_EXPECT, AF_INET,
				      &list), 2);
	assert_int_equal(list.table, CTNL_TABLE_EXPECT);
	assert_int_equal(list.expects[1].tuple.port.dst, 2022);
	assert_int_equal(list.info.matched, 2);
	ctnl_list_free(&list);
}

static void test_fake_ct_list_filtered_applies_the_filter(void **state)
{
	struct env *e = *state;
	struct ctnl_filter filter = {
		.match = CTNL_MATCH_ORIG_DST,
		.family = AF_INET,
		.orig_dst_len = 24,
	};
	struct ctnl_flow far = udp("10.0.0.1", "192.0.2.1", 1, 53);
	struct ctnl_list list;

	seed3(e);
	create(e, &far);
	assert_int_equal(ctnl_tuple_from_text(&far.orig, "10.0.0.1",
					      "10.0.0.0", IPPROTO_UDP, 0, 0),
			 0);
	filter.orig_dst = far.orig.dst;
	assert_int_equal(ctnl_ct_list_filtered(e->ct, &filter, CTNL_LIST_DEDUP,
					       &list), 3);
	assert_int_equal(list.info.user, CTNL_MATCH_ORIG_DST);
	assert_int_equal(list.info.duplicates, 0);
	ctnl_list_free(&list);
}

static void test_fake_ct_update_mark_by_text_sets_the_mark(void **state)
{
	struct env *e = *state;

	seed3(e);
	assert_int_equal(ctnl_ct_update_mark(e->ct, "10.0.0.1", "10.0.0.9",
					     IPPROTO_UDP, 4001, 123, 0x99), 0);
	assert_int_equal(entry(e, 1)->mark, 0x99);
	assert_int_equal(ctnl_ct_update_mark(e->ct, "10.0.0.1", "10.0.0.9",
					     IPPROTO_UDP, 4001, 124, 1),
			 -ENOENT);
	assert_int_equal(ctnl_ct_update_mark(e->ct, "10.0.0.1", "::1",
					     IPPROTO_UDP, 4001, 124, 1),
			 -EINVAL);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_UPDATE), 2);
}

static void test_fake_ct_update_mark_available_flow_counts_updates(void **state)
{
	struct env *e = *state;
	struct ctnl_list list;
	struct ctnl_flow key;

	seed3(e);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 3);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 e->ct, list.flows, list.count, "10.0.0.2",
				 "10.0.0.80", IPPROTO_TCP, 5000, 80, 5),
			 1);
	assert_int_equal(entry(e, 2)->mark, 5);
	/* Not in the list: nothing to do. */
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 e->ct, list.flows, list.count, "10.0.0.2",
				 "10.0.0.80", IPPROTO_TCP, 5001, 80, 5),
			 0);

	/* Gone since it was listed: not counted, the kernel's -ENOENT. */
	key = key_orig(entry(e, 2));
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 e->ct, list.flows, list.count, "10.0.0.2",
				 "10.0.0.80", IPPROTO_TCP, 5000, 80, 6),
			 -ENOENT);
	ctnl_list_free(&list);
}

/*
 * The listed entry went away and another took its tuple: the update, named
 * by tuple and id, still lands on the newcomer, because the kernel does
 * not check CTA_ID on an update. (compat.c promises otherwise.)
 */
static void
test_fake_ct_update_mark_available_reaches_recreated_entry(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_flow key = key_orig(&a);
	struct ctnl_list list;

	create(e, &a);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 1);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	create(e, &a);
	assert_int_not_equal(entry(e, 0)->id, list.flows[0].id);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 e->ct, list.flows, list.count, "10.0.0.1",
				 "10.0.0.2", IPPROTO_UDP, 1000, 53, 7),
			 1);
	assert_int_equal(entry(e, 0)->mark, 7);
	ctnl_list_free(&list);
}

static void test_fake_ct_update_label_sets_bits_under_mask(void **state)
{
	struct env *e = *state;
	struct ctnl_labels value = { 0 }, mask = { 0 };
	struct ctnl_list list;

	seed3(e);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 3);
	ctnl_labels_set(&value, 100);
	ctnl_labels_set(&mask, 100);
	ctnl_labels_set(&mask, 101);
	assert_int_equal(ctnl_ct_update_label(e->ct, CTNL_TABLE_CONNTRACK,
					      list.flows, list.count,
					      "10.0.0.1", "10.0.0.53",
					      IPPROTO_UDP, 4000, 53, &value,
					      &mask), 1);
	assert_true(ctnl_labels_test(&entry(e, 0)->labels, 100));
	assert_false(ctnl_labels_test(&entry(e, 0)->labels, 101));
	assert_true(entry(e, 0)->attrs & CTNL_ATTR_LABELS);
	assert_int_equal(ctnl_ct_update_label(e->ct, CTNL_TABLE_EXPECT,
					      list.flows, list.count,
					      "10.0.0.1", "10.0.0.53",
					      IPPROTO_UDP, 4000, 53, &value,
					      &mask), -EOPNOTSUPP);
	ctnl_list_free(&list);
}

static void test_fake_ct_update_label_when_disabled_is_enospc(void **state)
{
	struct env *e = *state;
	struct ctnl_labels value = { 0 }, mask = { 0 };
	struct ctnl_list list;

	ctnl_fake_ct_set_labels_enabled(e->f, false);
	seed3(e);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 3);
	ctnl_labels_set(&value, 1);
	ctnl_labels_set(&mask, 1);
	save(e);
	assert_int_equal(ctnl_ct_update_label(e->ct, CTNL_TABLE_CONNTRACK,
					      list.flows, list.count,
					      "10.0.0.1", "10.0.0.53",
					      IPPROTO_UDP, 4000, 53, &value,
					      &mask), -ENOSPC);
	assert_non_null(strstr(ctnl_ct_error_msg(e->ct), "labels"));
	assert_unchanged(e);
	ctnl_list_free(&list);
}

static void test_fake_ct_update_label32_replaces_labels_0_to_31(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", "10.0.0.2", 1000, 53);
	struct ctnl_list list;

	a.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&a.labels, 0);
	ctnl_labels_set(&a.labels, 40);
	create(e, &a);
	assert_int_equal(ctnl_ct_list(e->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 1);
	assert_int_equal(ctnl_ct_update_label32(e->ct, CTNL_TABLE_CONNTRACK,
						list.flows, list.count,
						"10.0.0.1", "10.0.0.2",
						IPPROTO_UDP, 1000, 53,
						CTNL_LABEL32_DECRYPTED), 1);
	assert_int_equal(entry(e, 0)->labels.words[0], CTNL_LABEL32_DECRYPTED);
	assert_true(ctnl_labels_test(&entry(e, 0)->labels, 40));
	ctnl_list_free(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_fake_ct_new_without_out_pointer_is_einval),
		T(test_fake_ct_close_is_recorded_and_keeps_the_table),
		T(test_fake_ct_use_after_close_aborts),
		T(test_fake_ct_add_assigns_id_and_inverted_reply),
		T(test_fake_ct_add_keeps_given_id_and_reply),
		T(test_fake_ct_add_existing_tuple_or_id_is_eexist),
		T(test_fake_ct_add_malformed_flow_is_einval),
		T(test_fake_ct_dump_hands_every_entry_in_order),
		T(test_fake_ct_dump_zeroes_counters_and_has_no_other_lists),
		T(test_fake_ct_dump_filters_everything_in_user_space),
		T(test_fake_ct_dump_stops_when_callback_says_stop),
		T(test_fake_ct_dump_callback_error_aborts_with_it),
		T(test_fake_ct_dump_bad_filter_or_no_callback_is_einval),
		T(test_fake_ct_call_from_dump_callback_is_ebusy),
		T(test_fake_ct_get_finds_entry_by_either_tuple),
		T(test_fake_ct_get_missing_entry_is_enoent),
		T(test_fake_ct_get_ignores_id_as_the_kernel_does),
		T(test_fake_ct_get_invalid_key_is_einval),
		T(test_fake_ct_create_fills_in_what_the_kernel_adds),
		T(test_fake_ct_create_takes_mark_status_labels_and_state),
		T(test_fake_ct_create_keeps_only_fields_its_attrs_name),
		T(test_fake_ct_create_existing_orig_tuple_is_eexist),
		T(test_fake_ct_create_existing_reply_tuple_is_eexist),
		T(test_fake_ct_create_same_tuple_in_other_zone_is_new_entry),
		T(test_fake_ct_create_without_orig_or_timeout_is_einval),
		T(test_fake_ct_create_inverts_icmp_echo_types),
		T(test_fake_ct_create_icmp_type_without_pair_is_einval),
		T(test_fake_ct_create_in_full_table_is_enomem),
		T(test_fake_ct_create_status_expected_is_ebusy),
		T(test_fake_ct_create_ignores_status_bits_the_kernel_owns),
		T(test_fake_ct_create_two_directional_zones_is_einval),
		T(test_fake_ct_create_bad_protocol_info_is_einval),
		T(test_fake_ct_create_labels_when_disabled_is_enospc),
		T(test_fake_ct_create_never_reuses_an_id),
		T(test_fake_ct_create_with_nat_translates_the_reply),
		T(test_fake_ct_update_sets_mark_timeout_and_status),
		T(test_fake_ct_update_labels_changes_masked_bits_only),
		T(test_fake_ct_update_missing_entry_is_enoent),
		T(test_fake_ct_update_empty_or_unknown_change_is_einval),
		T(test_fake_ct_update_ignores_id_as_the_kernel_does),
		T(test_fake_ct_update_refused_status_keeps_earlier_changes),
		T(test_fake_ct_update_timeout_of_fixed_timeout_is_eperm),
		T(test_fake_ct_update_labels_when_disabled_is_enospc),
		T(test_fake_ct_update_labels_with_room_work_after_disabling),
		T(test_fake_ct_delete_removes_entry_by_either_tuple),
		T(test_fake_ct_delete_with_other_id_is_enoent),
		T(test_fake_ct_delete_missing_or_invalid_key_changes_nothing),
		T(test_fake_ct_delete_takes_the_master_s_expectations),
		T(test_fake_ct_batch_create_reports_each_result),
		T(test_fake_ct_batch_update_applies_one_change_to_all),
		T(test_fake_ct_batch_update_takes_a_change_per_item),
		T(test_fake_ct_batch_delete_counts_what_was_deleted),
		T(test_fake_ct_batch_with_bad_item_changes_nothing),
		T(test_fake_ct_batch_bad_arguments_are_einval),
		T(test_fake_ct_batch_create_drops_labels_when_disabled),
		T(test_fake_ct_batch_update_labels_when_disabled_explains),
		T(test_fake_ct_flush_one_family_keeps_the_other),
		T(test_fake_ct_flush_all_families_takes_expectations),
		T(test_fake_ct_flush_expect_empties_every_family),
		T(test_fake_ct_flush_bad_table_or_family_is_einval),
		T(test_fake_ct_update_matching_changes_and_counts),
		T(test_fake_ct_update_matching_none_changed_is_first_error),
		T(test_fake_ct_update_matching_invalid_request_is_einval),
		T(test_fake_ct_delete_matching_removes_and_counts),
		T(test_fake_ct_delete_if_deletes_what_is_chosen),
		T(test_fake_ct_stats_reports_count_and_max),
		T(test_fake_ct_stats_cpu_reports_one_cpu),
		T(test_fake_ct_create_expect_needs_master_with_helper),
		T(test_fake_ct_create_expect_missing_parts_is_einval),
		T(test_fake_ct_create_expect_existing_is_eexist),
		T(test_fake_ct_get_expect_matches_under_the_mask),
		T(test_fake_ct_get_and_delete_expect_with_other_id_is_enoent),
		T(test_fake_ct_delete_expect_without_tuple_is_einval),
		T(test_fake_ct_dump_expect_filters_family_and_stops),
		T(test_fake_ct_add_expect_links_master_and_refuses_duplicates),
		T(test_fake_ct_fail_nth_call_returns_error_changing_nothing),
		T(test_fake_ct_fail_batch_sets_every_result),
		T(test_fake_ct_fail_every_other_slot),
		T(test_fake_ct_calls_counts_each_slot),
		T(test_fake_ct_out_of_memory_changes_nothing),
		T(test_fake_ct_list_reads_the_table_into_one_array),
		T(test_fake_ct_list_of_empty_table_is_empty),
		T(test_fake_ct_list_reads_the_expectation_table),
		T(test_fake_ct_list_filtered_applies_the_filter),
		T(test_fake_ct_update_mark_by_text_sets_the_mark),
		T(test_fake_ct_update_mark_available_flow_counts_updates),
		T(test_fake_ct_update_mark_available_reaches_recreated_entry),
		T(test_fake_ct_update_label_sets_bits_under_mask),
		T(test_fake_ct_update_label_when_disabled_is_enospc),
		T(test_fake_ct_update_label32_replaces_labels_0_to_31),
#undef T
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
