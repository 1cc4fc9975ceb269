/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public API input: every public function given what it must refuse —
 * NULL, a wrong family, malformed address text, ports for a protocol
 * without them, unknown flags or bits, out-of-range groups, tables, label
 * bits — returns -EINVAL (or its documented error) and sends nothing.
 *
 * One row per case: ROW(expected result, call). Every call runs against a
 * socket handle and a conntrack handle opened over the fake syscall table,
 * and after each row nothing may have been sent. Functions of the
 * interface that the default handle does not implement yet answer -ENOSYS
 * there; their rows give a NULL handle (-EINVAL) until they land.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>
#include <ctnl/mocks.h>

#include "entry.h"
#include "helpers.h"

struct fx {
	size_t heap_before;
	struct ctnl_fake_sys *fake;
	const struct ctnl_syscalls *sys;
	struct ctnl_sock *sock;
	struct ctnl_ct *ct;
};

static int setup(void **state)
{
	size_t before = heap_in_use();
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->heap_before = before;
	assert_int_equal(ctnl_fake_sys_new(&fx->fake), 0);
	fx->sys = ctnl_fake_sys_syscalls(fx->fake);
	assert_int_equal(ctnl_sock_open(fx->sys, NULL, &fx->sock), 0);
	assert_int_equal(ctnl_ct_open(fx->sys, NULL, &fx->ct), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	size_t before = fx->heap_before;

	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 0);
	ctnl_ct_close(fx->ct);
	ctnl_sock_close(fx->sock);
	assert_int_equal(ctnl_fake_sys_open_fds(fx->fake), 0);
	ctnl_fake_sys_free(fx->fake);
	free(fx);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

static void check_row(struct fx *fx, int line, const char *call, int want,
		      int got)
{
	if (got != want)
		fail_msg("line %d: %s returned %d, not %d", line, call, got,
			 want);
	if (ctnl_fake_sys_sent_count(fx->fake) != 0)
		fail_msg("line %d: %s sent a request", line, call);
}

#define ROW(want, call) check_row(fx, __LINE__, #call, (want), (call))

static int cb_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return CTNL_CB_OK;
}

static int cb_flow(const struct ctnl_flow *f, void *data)
{
	(void)f;
	(void)data;
	return CTNL_CB_OK;
}

static int cb_expect(const struct ctnl_expect *e, void *data)
{
	(void)e;
	(void)data;
	return CTNL_CB_OK;
}

static struct ctnl_flow tcp_flow(void)
{
	return (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2),
		.timeout = 100,
	};
}

static struct ctnl_sock_config config(void)
{
	return (struct ctnl_sock_config){ .size = sizeof(struct ctnl_sock_config) };
}

static void test_socket_layer_refuses_bad_input(void **state)
{
	struct fx *fx = *state;
	const struct ctnl_syscalls no_ops = { .ops = NULL };
	struct ctnl_sock_config c0 = config(), c[7];
	struct ctnl_sock *out = NULL;
	uint8_t req[64], batch[128];
	struct nlmsghdr *nlh = put_nfmsg(req, 0x100, NLM_F_REQUEST, AF_INET);
	size_t blen;
	int results[2];

	for (int i = 0; i < 7; i++)
		c[i] = c0;
	c[0].size = 0;				/* no size */
	c[1].flags = 1u << 9;			/* an unknown flag */
	c[2].rcvbuf = -1;
	c[3].sndbuf = -1;
	c[4].bufsize = 8;			/* less than a header */
	c[5].flags = CTNL_SOCK_NETNS_FD;	/* ... and no descriptor */
	c[5].netns_fd = -1;
	c[6].flags = CTNL_SOCK_NETNS_FD;	/* both a descriptor and a path */
	c[6].netns_fd = 3;
	c[6].netns_path = "/run/netns/x";

	ROW(-EINVAL, ctnl_sock_open(fx->sys, NULL, NULL));
	ROW(-EINVAL, ctnl_sock_open(&no_ops, NULL, &out));
	for (int i = 0; i < 7; i++)
		ROW(-EINVAL, ctnl_sock_open(fx->sys, &c[i], &out));
	assert_null(out);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_SOCKET), 2);

	ROW(-EINVAL, ctnl_sock_request(NULL, nlh, NULL, NULL));
	ROW(-EINVAL, ctnl_sock_request(fx->sock, NULL, NULL, NULL));
	nlh->nlmsg_len = 8;
	ROW(-EINVAL, ctnl_sock_request(fx->sock, nlh, NULL, NULL));

	blen = NLMSG_ALIGN(put_nfmsg(batch, 0x102, NLM_F_REQUEST, AF_INET)
				   ->nlmsg_len);
	blen += NLMSG_ALIGN(put_nfmsg(batch + blen, 0x102, NLM_F_REQUEST,
				      AF_INET)->nlmsg_len);
	ROW(-EINVAL, ctnl_sock_batch(NULL, batch, blen, results, 2));
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, NULL, blen, results, 2));
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen, NULL, 2));
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen, results, 0));
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen, results, 1));
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen, results,
				     (size_t)INT32_MAX + 1));
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen - 2, results, 2));
	((struct nlmsghdr *)batch)->nlmsg_len = 0xfffff000u;
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen, results, 2));
	((struct nlmsghdr *)batch)->nlmsg_len = NLMSG_HDRLEN + 4;
	((struct nlmsghdr *)batch)->nlmsg_type = NLMSG_DONE;
	ROW(-EINVAL, ctnl_sock_batch(fx->sock, batch, blen, results, 2));

	ROW(-EINVAL, ctnl_sock_join(NULL, 1));
	ROW(-EINVAL, ctnl_sock_join(fx->sock, 0));
	ROW(-EINVAL, ctnl_sock_join(fx->sock, 33));
	ROW(-EINVAL, ctnl_sock_leave(NULL, 1));
	ROW(-EINVAL, ctnl_sock_leave(fx->sock, 0));
	ROW(-EINVAL, ctnl_sock_leave(fx->sock, 33));
	ROW(-EINVAL, ctnl_sock_fd(NULL));
	ROW(-EINVAL, ctnl_sock_receive(NULL, cb_msg, NULL));
	ROW(-EINVAL, ctnl_sock_receive(fx->sock, NULL, NULL));
	ROW(-EINVAL, ctnl_sock_wait(NULL, 0));
	assert_null(ctnl_sock_error_msg(NULL));
	ctnl_sock_close(NULL);
}

static void test_conntrack_handle_refuses_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_sock_config bad = config();
	struct ctnl_ct *out = NULL;

	bad.flags = 1u << 9;
	ROW(-EINVAL, ctnl_ct_open(fx->sys, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_open(fx->sys, &bad, &out));
	ROW(-EINVAL, ctnl_ct_new(NULL, &out));
	ROW(-EINVAL, ctnl_ct_new(fx->sock, NULL));
	assert_null(out);
	assert_null(ctnl_ct_error_msg(NULL));
	ctnl_ct_close(NULL);

	/* Slots the default handle does not have yet: a NULL handle. */
	ROW(-EINVAL, ctnl_ct_update_matching(NULL, NULL, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_delete_matching(NULL, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_stats(NULL, CTNL_TABLE_CONNTRACK, NULL));
	ROW(-EINVAL, ctnl_ct_stats_cpu(NULL, NULL, 0));
	ROW(-EINVAL, ctnl_ct_get_expect(NULL, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_create_expect(NULL, NULL));
	ROW(-EINVAL, ctnl_ct_delete_expect(NULL, NULL));
	ROW(-EINVAL, ctnl_ct_subscribe(NULL, CTNL_EVENT_NEW));
	ROW(-EINVAL, ctnl_ct_event_fd(NULL));
	ROW(-EINVAL, ctnl_ct_event_read(NULL, NULL, NULL));
}

/* Filters that cannot mean anything, for every function taking one. */
static void test_reading_refuses_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_filter f[9];
	struct ctnl_list list = { .count = 3 };
	struct ctnl_flow key = tcp_flow(), out;

	memset(f, 0, sizeof(f));
	f[0].match = 1u << 20;				/* unknown criterion */
	f[1].flags = 1u << 5;				/* unknown flag */
	f[2].family = AF_UNIX;				/* wrong family */
	f[3].match = CTNL_MATCH_ORIG_SRC;		/* address, no family */
	f[4].match = CTNL_MATCH_ORIG_SPORT;		/* port, no protocol */
	f[5].match = CTNL_MATCH_PROTO | CTNL_MATCH_REPLY_DPORT;
	f[5].proto = IPPROTO_ICMP;			/* ICMP has no ports */
	f[6].family = AF_INET;
	f[6].match = CTNL_MATCH_ORIG_SRC;
	f[6].orig_src_len = 33;				/* prefix too long */
	f[7].family = AF_INET6;
	f[7].match = CTNL_MATCH_REPLY_DST;
	f[7].reply_dst_len = 129;
	f[8].match = CTNL_MATCH_TCP_STATE;
	f[8].tcp_state = CTNL_TCP_STATE_MAX;		/* no such state */

	ROW(-EINVAL, ctnl_ct_dump(NULL, NULL, cb_flow, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_dump(fx->ct, NULL, NULL, NULL, NULL));
	for (int i = 0; i < 9; i++) {
		ROW(-EINVAL, ctnl_ct_dump(fx->ct, &f[i], cb_flow, NULL, NULL));
		ROW(-EINVAL, ctnl_ct_list_filtered(fx->ct, &f[i], 0, &list));
	}
	ROW(-EINVAL, ctnl_ct_list_filtered(fx->ct, NULL, 1u << 3, &list));
	ROW(-EINVAL, ctnl_ct_list_filtered(fx->ct, NULL, 0, NULL));
	ROW(-EINVAL, ctnl_ct_list_filtered(NULL, NULL, 0, &list));
	ROW(-EINVAL, ctnl_ct_list(NULL, CTNL_TABLE_CONNTRACK, 0, &list));
	ROW(-EINVAL, ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, NULL));
	ROW(-EINVAL, ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, 0, NULL));
	ROW(-EINVAL, ctnl_ct_list(fx->ct, (enum ctnl_table)7, 0, &list));
	ROW(-EINVAL, ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, AF_UNIX,
				  &list));
	ROW(-EINVAL, ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, AF_UNIX, &list));
	assert_int_equal(list.count, 3);
	ROW(-EINVAL, ctnl_ct_dump_expect(NULL, 0, cb_expect, NULL));
	ROW(-EINVAL, ctnl_ct_dump_expect(fx->ct, 0, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_dump_expect(fx->ct, AF_UNIX, cb_expect, NULL));
	ctnl_list_free(NULL);

	ROW(-EINVAL, ctnl_ct_get(NULL, &key, &out));
	ROW(-EINVAL, ctnl_ct_get(fx->ct, NULL, &out));
	ROW(-EINVAL, ctnl_ct_get(fx->ct, &key, NULL));
	key.attrs = 0;					/* no tuple */
	ROW(-EINVAL, ctnl_ct_get(fx->ct, &key, &out));
	key = tcp_flow();
	key.orig.family = AF_UNIX;
	ROW(-EINVAL, ctnl_ct_get(fx->ct, &key, &out));
	key.orig.family = 0;
	ROW(-EINVAL, ctnl_ct_get(fx->ct, &key, &out));
}

static void test_changing_refuses_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_flow good = tcp_flow(), bad[5], flows[2];
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 1 };
	struct ctnl_change ch[3] = { { .attrs = 0 },
				     { .attrs = CTNL_ATTR_ID },
				     { .attrs = CTNL_ATTR_MARK | (1ull << 40) } };
	int results[2] = { 7, 7 };

	for (int i = 0; i < 5; i++)
		bad[i] = good;
	bad[0].attrs &= ~CTNL_ATTR_ORIG;		/* no tuple */
	bad[1].attrs &= ~CTNL_ATTR_TIMEOUT;		/* create: no timeout */
	bad[2].orig.family = AF_UNIX;
	bad[3].attrs |= CTNL_ATTR_REPLY;		/* reply of another */
	bad[3].reply = good.orig;			/* family */
	bad[3].reply.family = AF_INET6;
	bad[4].attrs |= CTNL_ATTR_REPLY;		/* ... or protocol */
	bad[4].reply = good.orig;
	bad[4].reply.proto = IPPROTO_UDP;

	ROW(-EINVAL, ctnl_ct_create(NULL, &good));
	ROW(-EINVAL, ctnl_ct_create(fx->ct, NULL));
	for (int i = 0; i < 5; i++)
		ROW(-EINVAL, ctnl_ct_create(fx->ct, &bad[i]));

	ROW(-EINVAL, ctnl_ct_update(NULL, &good, &mark));
	ROW(-EINVAL, ctnl_ct_update(fx->ct, NULL, &mark));
	ROW(-EINVAL, ctnl_ct_update(fx->ct, &good, NULL));
	for (int i = 0; i < 3; i++)
		ROW(-EINVAL, ctnl_ct_update(fx->ct, &good, &ch[i]));
	ROW(-EINVAL, ctnl_ct_update(fx->ct, &bad[0], &mark));
	ROW(-EINVAL, ctnl_ct_update(fx->ct, &bad[2], &mark));

	ROW(-EINVAL, ctnl_ct_delete(NULL, &good));
	ROW(-EINVAL, ctnl_ct_delete(fx->ct, NULL));
	ROW(-EINVAL, ctnl_ct_delete(fx->ct, &bad[0]));
	ROW(-EINVAL, ctnl_ct_delete(fx->ct, &bad[2]));

	flows[0] = good;
	flows[1] = bad[2];
	ROW(-EINVAL, ctnl_ct_batch(NULL, CTNL_OP_DELETE, flows, 1, NULL, 0,
				   results));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, NULL, 1, NULL, 0,
				   results));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, 0, NULL, 0,
				   results));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, 1, NULL, 0,
				   NULL));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, (enum ctnl_op)9, flows, 1, NULL, 0,
				   results));
	/* Updates need one change, or one per flow. */
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 1, NULL, 0,
				   results));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 1, &mark, 2,
				   results));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 1, ch, 1,
				   results));
	/* One bad item, and nothing at all is sent. */
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, 2, NULL, 0,
				   results));
	ROW(-EINVAL, ctnl_ct_batch(fx->ct, CTNL_OP_CREATE, bad, 2, NULL, 0,
				   results));

	ROW(-EINVAL, ctnl_ct_flush(NULL, CTNL_TABLE_CONNTRACK, 0));
	ROW(-EINVAL, ctnl_ct_flush(fx->ct, (enum ctnl_table)2, 0));
	ROW(-EINVAL, ctnl_ct_flush(fx->ct, CTNL_TABLE_CONNTRACK, AF_UNIX));
	ROW(-EINVAL, ctnl_ct_flush(fx->ct, CTNL_TABLE_EXPECT, 255));
}

/* The Go package's operations: addresses as text, ports as numbers. */
static void test_text_tuples_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	static const char *const bad_addrs[] = {
		"", "10.0.0", "10.0.0.256", "10.0.0.1/24", " 10.0.0.1",
		"10.0.0.1 ", "fd00::1::2", "fd00::g", "host.example", "0x0a000001",
	};
	struct ctnl_tuple t = { .proto = 99 }, before = t;
	struct ctnl_flow flows[1] = { tcp_flow() };
	struct ctnl_labels value = { { 0 } }, mask = { { 0 } };

	ROW(-EINVAL, ctnl_tuple_from_text(NULL, "10.0.0.1", "10.0.0.2", 6, 1, 2));
	ROW(-EINVAL, ctnl_tuple_from_text(&t, NULL, "10.0.0.2", 6, 1, 2));
	ROW(-EINVAL, ctnl_tuple_from_text(&t, "10.0.0.1", NULL, 6, 1, 2));
	for (size_t i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		ROW(-EINVAL, ctnl_tuple_from_text(&t, bad_addrs[i], "10.0.0.2",
						  IPPROTO_TCP, 1, 2));
		ROW(-EINVAL, ctnl_tuple_from_text(&t, "10.0.0.1", bad_addrs[i],
						  IPPROTO_TCP, 1, 2));
		ROW(-EINVAL, ctnl_ct_update_mark(fx->ct, bad_addrs[i],
						 "10.0.0.2", IPPROTO_TCP, 1, 2,
						 7));
	}
	/* Families mixed; ports for protocols that have none. */
	ROW(-EINVAL, ctnl_tuple_from_text(&t, "10.0.0.1", "fd00::2", 6, 1, 2));
	ROW(-EINVAL, ctnl_tuple_from_text(&t, "10.0.0.1", "10.0.0.2",
					  IPPROTO_ICMP, 1, 0));
	ROW(-EINVAL, ctnl_tuple_from_text(&t, "fd00::1", "fd00::2",
					  IPPROTO_ICMPV6, 0, 8));
	ROW(-EINVAL, ctnl_tuple_from_text(&t, "10.0.0.1", "10.0.0.2", 0, 1, 1));
	assert_memory_equal(&t, &before, sizeof(t));

	ROW(-EINVAL, ctnl_ct_update_mark(NULL, "10.0.0.1", "10.0.0.2",
					 IPPROTO_TCP, 1, 2, 7));
	ROW(-EINVAL, ctnl_ct_update_mark(fx->ct, "10.0.0.1", "10.0.0.2",
					 IPPROTO_ICMP, 1, 2, 7));
	ROW(-EINVAL, ctnl_ct_update_mark(fx->ct, NULL, "10.0.0.2",
					 IPPROTO_TCP, 1, 2, 7));
	ROW(-EINVAL, ctnl_ct_update_mark_for_available_flow(
			     fx->ct, NULL, 1, "10.0.0.1", "10.0.0.2",
			     IPPROTO_TCP, 1, 2, 7));
	ROW(-EINVAL, ctnl_ct_update_mark_for_available_flow(
			     fx->ct, flows, 1, "10.0.0.1", "fd00::2",
			     IPPROTO_TCP, 1, 2, 7));
	ROW(-EINVAL, ctnl_ct_update_mark_for_available_flow(
			     fx->ct, flows, 1, "10.0.0.1", "10.0.0.2",
			     IPPROTO_ICMP, 0, 2, 7));

	ROW(-EOPNOTSUPP, ctnl_ct_update_label(fx->ct, CTNL_TABLE_EXPECT, flows,
					      1, "10.0.0.1", "10.0.0.2",
					      IPPROTO_TCP, 1, 2, &value, &mask));
	ROW(-EINVAL, ctnl_ct_update_label(fx->ct, (enum ctnl_table)4, flows, 1,
					  "10.0.0.1", "10.0.0.2", IPPROTO_TCP,
					  1, 2, &value, &mask));
	ROW(-EINVAL, ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK, flows,
					  1, "10.0.0.1", "10.0.0.2",
					  IPPROTO_TCP, 1, 2, NULL, &mask));
	ROW(-EINVAL, ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK, flows,
					  1, "10.0.0.1", "10.0.0.2",
					  IPPROTO_TCP, 1, 2, &value, NULL));
	ROW(-EINVAL, ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK, NULL,
					  1, "10.0.0.1", "10.0.0.2",
					  IPPROTO_TCP, 1, 2, &value, &mask));
	ROW(-EINVAL, ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK, flows,
					  1, "10.0.0.300", "10.0.0.2",
					  IPPROTO_TCP, 1, 2, &value, &mask));
	ROW(-EOPNOTSUPP, ctnl_ct_update_label32(fx->ct, CTNL_TABLE_EXPECT,
						flows, 1, "10.0.0.1",
						"10.0.0.2", IPPROTO_TCP, 1, 2,
						1));
	ROW(-EINVAL, ctnl_ct_update_label32(fx->ct, CTNL_TABLE_CONNTRACK,
					    flows, 1, "10.0.0.1", "10.0.0.2",
					    IPPROTO_ICMP, 3, 0, 1));

	/* Label bits past 127 do not exist: never set, never found. */
	ctnl_labels_set(&value, CTNL_LABEL_BITS);
	ctnl_labels_set(&value, 1000);
	assert_memory_equal(&value, &mask, sizeof(value));
	assert_false(ctnl_labels_test(&value, CTNL_LABEL_BITS));
	ctnl_labels_set(&mask, 127);
	ctnl_labels_clear(&mask, 255);
	assert_true(ctnl_labels_test(&mask, 127));
}

/* Messages without a socket: builders, parsers, formatters. */
static void test_messages_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_flow good = tcp_flow(), nokey = good, flow;
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK }, none = { 0 };
	struct ctnl_filter bad_filter = { .family = AF_UNIX };
	struct ctnl_expect exp;
	uint8_t buf[1024], msg[64];
	struct nlmsghdr *nlh = put_nfmsg(msg, 0x100, 0, AF_INET);

	nokey.attrs = 0;
	ROW(-EINVAL, ctnl_build_dump(NULL, sizeof(buf), NULL));
	ROW(-ENOSPC, ctnl_build_dump(buf, 8, NULL));
	ROW(-EINVAL, ctnl_build_dump(buf, sizeof(buf), &bad_filter));
	ROW(-EINVAL, ctnl_build_get(NULL, sizeof(buf), &good));
	ROW(-EINVAL, ctnl_build_get(buf, sizeof(buf), NULL));
	ROW(-EINVAL, ctnl_build_get(buf, sizeof(buf), &nokey));
	ROW(-ENOSPC, ctnl_build_get(buf, 24, &good));
	ROW(-EINVAL, ctnl_build_create(buf, sizeof(buf), NULL));
	ROW(-EINVAL, ctnl_build_create(NULL, sizeof(buf), &good));
	ROW(-EINVAL, ctnl_build_create(buf, sizeof(buf), &nokey));
	ROW(-ENOSPC, ctnl_build_create(buf, 40, &good));
	ROW(-EINVAL, ctnl_build_update(buf, sizeof(buf), &good, NULL));
	ROW(-EINVAL, ctnl_build_update(buf, sizeof(buf), &good, &none));
	ROW(-EINVAL, ctnl_build_update(buf, sizeof(buf), NULL, &mark));
	ROW(-EINVAL, ctnl_build_delete(buf, sizeof(buf), NULL));
	ROW(-EINVAL, ctnl_build_delete(buf, sizeof(buf), &nokey));
	ROW(-EINVAL, ctnl_build_flush(buf, sizeof(buf), (enum ctnl_table)3,
				      0));
	ROW(-EINVAL, ctnl_build_flush(buf, sizeof(buf), CTNL_TABLE_CONNTRACK,
				      AF_UNIX));
	ROW(-EINVAL, ctnl_build_flush(NULL, sizeof(buf), CTNL_TABLE_CONNTRACK,
				      0));
	ROW(-EINVAL, ctnl_build_dump_expect(buf, sizeof(buf), AF_UNIX));
	ROW(-EINVAL, ctnl_build_dump_expect(NULL, sizeof(buf), 0));

	ROW(-EINVAL, ctnl_flow_parse(NULL, &flow));
	ROW(-EINVAL, ctnl_flow_parse(nlh, NULL));
	ROW(-EINVAL, ctnl_expect_parse(NULL, &exp));
	ROW(-EINVAL, ctnl_expect_parse(nlh, NULL));
	ROW(-EINVAL, ctnl_flow_format(NULL, (char *)buf, sizeof(buf)));
	ROW(-EINVAL, ctnl_expect_format(NULL, (char *)buf, sizeof(buf)));

	assert_false(ctnl_filter_match(NULL, NULL));
	assert_false(ctnl_filter_match(&bad_filter, NULL));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_socket_layer_refuses_bad_input),
		T(test_conntrack_handle_refuses_bad_input),
		T(test_reading_refuses_bad_input),
		T(test_changing_refuses_bad_input),
		T(test_text_tuples_refuse_bad_input),
		T(test_messages_refuse_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
