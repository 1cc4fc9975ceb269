/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Public API input: every public function given what it must refuse —
 * NULL, a wrong family, malformed address text, ports for a protocol
 * without them, unknown flags or bits, out-of-range groups, tables, label
 * bits — returns -EINVAL (or its documented error) and sends nothing.
 *
 * One row per case: ROW(expected result, call). Every call runs against a
 * socket handle and a conntrack handle opened over the fake syscall table,
 * and after each row nothing may have been sent, nor any system call made
 * at all: a refusal changes nothing (ROW_CALLS is the one exception, for
 * what only the kernel can refuse).
 */
#include <errno.h>
#include <limits.h>
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
	unsigned int calls;	/* system calls made before the rows */
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
	fx->calls = ctnl_fake_sys_total_calls(fx->fake);
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
		      int got, unsigned int calls)
{
	unsigned int made;

	if (got != want)
		fail_msg("line %d: %s returned %d, not %d", line, call, got,
			 want);
	if (ctnl_fake_sys_sent_count(fx->fake) != 0)
		fail_msg("line %d: %s sent a request", line, call);
	made = ctnl_fake_sys_total_calls(fx->fake) - fx->calls;
	if (made != calls)
		fail_msg("line %d: %s made %u system calls, not %u", line,
			 call, made, calls);
	fx->calls += made;
}

#define ROW(want, call) check_row(fx, __LINE__, #call, (want), (call), 0)
/* A refusal that takes the kernel: @calls system calls, nothing sent. */
#define ROW_CALLS(want, calls, call)                                         \
	check_row(fx, __LINE__, #call, (want), (call), (calls))

static int cb_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return CTNL_CB_OK;
}

static void cb_trace(enum ctnl_trace_dir dir, int status,
		     const struct nlmsghdr *nlh, size_t len, void *data)
{
	(void)dir;
	(void)status;
	(void)nlh;
	(void)len;
	(void)data;
	fail_msg("a refused call traced a message");
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

#define N_BAD_FILTERS 9

/* Filters that cannot mean anything. */
static void bad_filters(struct ctnl_filter f[N_BAD_FILTERS])
{
	memset(f, 0, N_BAD_FILTERS * sizeof(*f));
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
	ROW(-EINVAL, ctnl_sock_clone(NULL, &out));
	ROW(-EINVAL, ctnl_sock_clone(fx->sock, NULL));
	assert_null(out);
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
	ROW(-EINVAL, ctnl_sock_set_trace(NULL, cb_trace, NULL));
	assert_null(ctnl_sock_error_msg(NULL));
	ctnl_sock_close(NULL);
}

/* Policies: out of range, or no handle. */
static void test_policies_refuse_bad_input(void **state)
{
	struct fx *fx = *state;

	ROW(-EINVAL, ctnl_ct_set_timeout(NULL, 100));
	ROW(-EINVAL, ctnl_ct_set_timeout(fx->ct, -2));
	ROW(-EINVAL, ctnl_ct_set_timeout(fx->ct, INT_MIN));
	ROW(-EINVAL, ctnl_ct_set_dump_retries(NULL, 1));
	ROW(-EINVAL, ctnl_ct_set_dump_retries(fx->ct,
					      CTNL_DUMP_RETRIES_MAX + 1));
	ROW(-EINVAL, ctnl_ct_set_dump_retries(fx->ct, UINT_MAX));
	/* Removing a timeout there is none of changes nothing. */
	ROW(0, ctnl_ct_set_timeout(fx->ct, -1));
	ROW(0, ctnl_ct_set_dump_retries(fx->ct, CTNL_DUMP_RETRIES_MAX));
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
	ROW(-EINVAL, ctnl_ct_set_trace(NULL, cb_trace, NULL));
	assert_null(out);
	assert_null(ctnl_ct_error_msg(NULL));
	ctnl_ct_close(NULL);
}

/* Another network namespace, by name or path: names `ip netns` could not
 * have made are refused before anything is opened. */
static void test_namespaces_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_sock_config c0 = config(), c[6];
	struct ctnl_ct *out = NULL;
	struct ctnl_sock *sock = NULL;
	char long_name[NAME_MAX + 2];

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	ROW(-EINVAL, ctnl_ct_open_netns(fx->sys, NULL, &out));
	ROW(-EINVAL, ctnl_ct_open_netns(fx->sys, "blue", NULL));
	ROW(-EINVAL, ctnl_ct_open_netns(fx->sys, "", &out));
	ROW(-EINVAL, ctnl_ct_open_netns(fx->sys, ".", &out));
	ROW(-EINVAL, ctnl_ct_open_netns(fx->sys, "..", &out));
	ROW(-EINVAL, ctnl_ct_open_netns(fx->sys, long_name, &out));
	assert_null(out);

	for (int i = 0; i < 6; i++)
		c[i] = c0;
	c[0].netns_name = "";
	c[1].netns_name = "..";
	c[2].netns_name = "a/b";			/* a path, as a name */
	c[3].netns_name = long_name;
	c[4].netns_name = "blue";			/* two namespaces */
	c[4].netns_path = "/run/netns/red";
	c[5].netns_name = "blue";
	c[5].flags = CTNL_SOCK_NETNS_FD;
	c[5].netns_fd = 3;
	for (int i = 0; i < 6; i++) {
		ROW(-EINVAL, ctnl_sock_open(fx->sys, &c[i], &sock));
		ROW(-EINVAL, ctnl_ct_open(fx->sys, &c[i], &out));
	}
	assert_null(sock);
	assert_null(out);
}

/* Options of an open socket: the unknown option, sizes and flags out of
 * range; a filter too long, or one the kernel refuses. */
static void test_socket_options_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	static const struct sock_filter accept_all[] = {
		{ BPF_RET | BPF_K, 0, 0, UINT32_MAX },
	};
	/* A jump past the end, as the kernel's checker refuses it. */
	static const struct sock_filter bad_jump[] = {
		{ BPF_JMP | BPF_JA, 0, 0, 5 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct ctnl_sock_stats st;

	ROW(-EINVAL, ctnl_sock_set_option(NULL, CTNL_SOCK_OPT_RCVBUF, 1));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, (enum ctnl_sock_option)0,
					  1));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, (enum ctnl_sock_option)5,
					  1));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					  -2));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF, 0));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF,
					  -4096));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_NO_ENOBUFS,
					  2));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_NO_ENOBUFS,
					  -1));
	ROW(-EINVAL, ctnl_sock_set_option(fx->sock,
					  CTNL_SOCK_OPT_BROADCAST_ERROR, 2));

	ROW(-EINVAL, ctnl_sock_set_filter(NULL, accept_all, 1));
	ROW(-EINVAL, ctnl_sock_set_filter(fx->sock, accept_all,
					  BPF_MAXINSNS + 1));
	ROW_CALLS(-EINVAL, 1, ctnl_sock_set_filter(fx->sock, bad_jump, 2));
	assert_null(ctnl_fake_sys_filter(fx->fake, NULL));

	ROW(-EINVAL, ctnl_sock_stats(NULL, &st));
	ROW(-EINVAL, ctnl_sock_stats(fx->sock, NULL));
}

static int cb_event(const struct ctnl_event *ev, void *data)
{
	(void)ev;
	(void)data;
	return CTNL_CB_OK;
}

/* Subscriptions that cannot be, and reading without one. */
static void test_events_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_events_config c0 = { .size = sizeof(c0),
					 .events = CTNL_EVENT_ALL }, c[8];
	struct {
		struct ctnl_events_config cfg;
		uint64_t newer;		/* a field of a newer header, set */
	} newer = { c0, 1 };
	struct ctnl_filter f[N_BAD_FILTERS];
	struct ctnl_event_info info;
	struct ctnl_ct *other;

	bad_filters(f);
	newer.cfg.size = sizeof(newer);
	for (int i = 0; i < 8; i++)
		c[i] = c0;
	c[0].size = 0;
	c[1].size = sizeof(size_t) - 1;
	c[2].events = 1u << 5;				/* no such event */
	c[3].events = CTNL_EVENT_OVERFLOW;		/* reports are not */
	c[4].events = CTNL_EVENT_SYNC;			/* subscribed to */
	c[5].flags = 1u << 2;				/* unknown flag */
	c[6].rcvbuf = -1;
	c[7].filter = &f[2];

	ROW(-EINVAL, ctnl_ct_subscribe(NULL, CTNL_EVENT_NEW));
	ROW(-EINVAL, ctnl_ct_subscribe(fx->ct, 1u << 5));
	ROW(-EINVAL, ctnl_ct_subscribe(fx->ct, CTNL_EVENT_ALL |
						CTNL_EVENT_SYNC_END));
	ROW(-EINVAL, ctnl_ct_subscribe_config(NULL, &c0));
	ROW(-EINVAL, ctnl_ct_subscribe_config(fx->ct, NULL));
	ROW(-EINVAL, ctnl_ct_subscribe_config(fx->ct, &newer.cfg));
	for (int i = 0; i < 8; i++)
		ROW(-EINVAL, ctnl_ct_subscribe_config(fx->ct, &c[i]));
	for (int i = 0; i < N_BAD_FILTERS; i++) {
		c0.filter = &f[i];
		ROW(-EINVAL, ctnl_ct_subscribe_config(fx->ct, &c0));
	}
	/* Events come from the table, not from a list a dump reads. */
	f[0] = (struct ctnl_filter){ .flags = CTNL_FILTER_DYING };
	c0.filter = &f[0];
	ROW(-EINVAL, ctnl_ct_subscribe_config(fx->ct, &c0));

	/* Still not subscribed. */
	ROW(-EINVAL, ctnl_ct_event_fd(NULL));
	ROW(-EINVAL, ctnl_ct_event_read(NULL, cb_event, NULL));
	ROW(-EINVAL, ctnl_ct_event_read(fx->ct, NULL, NULL));
	ROW(-ENOTCONN, ctnl_ct_event_read(fx->ct, cb_event, NULL));
	ROW(-EINVAL, ctnl_ct_event_wait(NULL, 0));
	ROW(-EINVAL, ctnl_ct_event_loop(NULL, cb_event, NULL, 0));
	ROW(-EINVAL, ctnl_ct_event_loop(fx->ct, NULL, NULL, 0));
	ROW(-EINVAL, ctnl_ct_event_info(NULL, &info));
	ROW(-EINVAL, ctnl_ct_event_info(fx->ct, NULL));
	assert_null(ctnl_event_type_name((enum ctnl_event_type)0));
	assert_null(ctnl_event_type_name((enum ctnl_event_type)(1u << 20)));

	assert_int_equal(ctnl_ct_open(fx->sys, NULL, &other), 0);
	fx->calls = ctnl_fake_sys_total_calls(fx->fake);
	ROW(-EINVAL, ctnl_ct_resync(NULL, other, cb_event, NULL));
	ROW(-EINVAL, ctnl_ct_resync(fx->ct, NULL, cb_event, NULL));
	ROW(-EINVAL, ctnl_ct_resync(fx->ct, other, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_resync(fx->ct, fx->ct, cb_event, NULL));
	/* Not subscribed: found out from the subscription's state, whose
	 * queue size is read (SO_MEMINFO). */
	ROW_CALLS(-ENOTCONN, 1, ctnl_ct_resync(fx->ct, other, cb_event, NULL));
	ctnl_ct_close(other);
	fx->calls = ctnl_fake_sys_total_calls(fx->fake);
}

/* Statistics: tables that do not exist; expectations without the tuple
 * that names them, of a family that is none, or half described. */
static void test_statistics_and_expectations_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_stats st = { .count = 9 };
	struct ctnl_cpu_stats cpus[2];
	struct ctnl_expect key = {
		.attrs = CTNL_EXP_ATTR_TUPLE,
		.tuple = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 0, 5000),
	}, good, bad[10], out;
	uint8_t buf[512];

	ROW(-EINVAL, ctnl_ct_stats(NULL, CTNL_TABLE_CONNTRACK, &st));
	ROW(-EINVAL, ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, NULL));
	ROW(-EINVAL, ctnl_ct_stats(fx->ct, CTNL_TABLE_EXPECT, NULL));
	ROW(-EINVAL, ctnl_ct_stats(fx->ct, (enum ctnl_table)2, &st));
	assert_int_equal(st.count, 9);
	ROW(-EINVAL, ctnl_ct_stats_cpu(NULL, cpus, 2));
	ROW(-EINVAL, ctnl_ct_stats_cpu(fx->ct, NULL, 2));
	ROW(-EINVAL, ctnl_build_stats(NULL, sizeof(buf)));
	ROW(-ENOSPC, ctnl_build_stats(buf, 8));
	ROW(-EINVAL, ctnl_build_stats_cpu(buf, sizeof(buf),
					  (enum ctnl_table)2));
	ROW(-EINVAL, ctnl_build_stats_cpu(NULL, sizeof(buf),
					  CTNL_TABLE_EXPECT));

	good = key;
	good.attrs |= CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_MASK;
	good.master = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 4000, 21);
	good.mask = key.tuple;
	for (int i = 0; i < 10; i++)
		bad[i] = good;
	bad[0].attrs &= ~CTNL_EXP_ATTR_TUPLE;		/* no tuple: a flush */
	bad[1].attrs &= ~CTNL_EXP_ATTR_MASTER;
	bad[2].attrs &= ~CTNL_EXP_ATTR_MASK;
	bad[3].tuple.family = AF_UNIX;
	bad[4].master.family = AF_UNIX;
	bad[5].tuple = tuple_of("fd00::2", "fd00::1", IPPROTO_TCP, 0, 5000);
	bad[6].mask.proto = IPPROTO_UDP;		/* not the tuple's */
	bad[7].attrs |= CTNL_EXP_ATTR_HELPER;		/* an empty name */
	bad[8].attrs |= CTNL_EXP_ATTR_FN;		/* a name too long */
	memset(bad[8].fn, 'f', sizeof(bad[8].fn));
	bad[9].attrs |= CTNL_EXP_ATTR_NAT;		/* NAT to no family */

	ROW(-EINVAL, ctnl_ct_get_expect(NULL, &key, &out));
	ROW(-EINVAL, ctnl_ct_get_expect(fx->ct, NULL, &out));
	ROW(-EINVAL, ctnl_ct_get_expect(fx->ct, &key, NULL));
	ROW(-EINVAL, ctnl_ct_delete_expect(NULL, &key));
	ROW(-EINVAL, ctnl_ct_delete_expect(fx->ct, NULL));
	ROW(-EINVAL, ctnl_ct_create_expect(NULL, &good));
	ROW(-EINVAL, ctnl_ct_create_expect(fx->ct, NULL));
	ROW(-EINVAL, ctnl_build_get_expect(NULL, sizeof(buf), &key));
	ROW(-ENOSPC, ctnl_build_get_expect(buf, 24, &key));
	ROW(-ENOSPC, ctnl_build_create_expect(buf, 64, &good));
	ROW(-EINVAL, ctnl_build_delete_expect(buf, sizeof(buf), NULL));
	/* A key needs its tuple, of a family. */
	for (int i = 0; i < 4; i += 3) {
		ROW(-EINVAL, ctnl_ct_get_expect(fx->ct, &bad[i], &out));
		ROW(-EINVAL, ctnl_ct_delete_expect(fx->ct, &bad[i]));
		ROW(-EINVAL, ctnl_build_get_expect(buf, sizeof(buf), &bad[i]));
		ROW(-EINVAL, ctnl_build_delete_expect(buf, sizeof(buf),
						      &bad[i]));
	}
	for (int i = 0; i < 10; i++) {
		ROW(-EINVAL, ctnl_ct_create_expect(fx->ct, &bad[i]));
		ROW(-EINVAL, ctnl_build_create_expect(buf, sizeof(buf),
						      &bad[i]));
	}
}

/* Updating or deleting whatever a filter selects: a filter that means
 * nothing, a change that changes nothing, a flush the kernel would not
 * filter whole. */
static void test_matching_refuses_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_filter f[N_BAD_FILTERS];
	struct ctnl_filter labels = { .match = CTNL_MATCH_LABELS };
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 1 };
	struct ctnl_change ch[3] = { { .attrs = 0 },
				     { .attrs = CTNL_ATTR_ORIG },
				     { .attrs = 1ull << 40 } };
	struct ctnl_dump_info info = { .received = 77 };
	struct ctnl_delete_stats dst = { .seen = 77 };
	uint8_t buf[512];

	bad_filters(f);
	ROW(-EINVAL, ctnl_ct_delete_if(NULL, NULL, NULL, NULL, &dst));
	assert_int_equal(dst.seen, 0);
	ROW(-EINVAL, ctnl_ct_update_matching(NULL, NULL, &mark, NULL));
	ROW(-EINVAL, ctnl_ct_update_matching(fx->ct, NULL, NULL, NULL));
	for (int i = 0; i < 3; i++)
		ROW(-EINVAL, ctnl_ct_update_matching(fx->ct, NULL, &ch[i],
						     &info));
	ROW(-EINVAL, ctnl_ct_delete_matching(NULL, NULL, NULL));
	for (int i = 0; i < N_BAD_FILTERS; i++) {
		ROW(-EINVAL, ctnl_ct_update_matching(fx->ct, &f[i], &mark,
						     &info));
		ROW(-EINVAL, ctnl_ct_delete_matching(fx->ct, &f[i], &info));
		/* Refused before the second socket is opened. */
		ROW(-EINVAL, ctnl_ct_delete_if(fx->ct, &f[i], NULL, NULL,
					       NULL));
		f[i].flags |= CTNL_FILTER_UNCOUNTED;
		ROW(-EINVAL, ctnl_ct_delete_matching(fx->ct, &f[i], &info));
		ROW(-EINVAL, ctnl_build_flush_filtered(buf, sizeof(buf),
						       &f[i]));
	}
	/* What a dump reads (the dying or unconfirmed list, counters
	 * zeroed) is nothing a change or a flush can act on. */
	for (uint32_t flag = CTNL_FILTER_DYING; flag <= CTNL_FILTER_ZERO;
	     flag <<= 1) {
		struct ctnl_filter list = { .flags = flag };

		ROW(-EINVAL, ctnl_ct_update_matching(fx->ct, &list, &mark,
						     &info));
		ROW(-EINVAL, ctnl_ct_delete_matching(fx->ct, &list, &info));
		ROW(-EINVAL, ctnl_build_flush_filtered(buf, sizeof(buf),
						       &list));
	}
	assert_int_equal(info.received, 77);
	ROW(-EINVAL, ctnl_build_flush_filtered(NULL, sizeof(buf), NULL));
	ROW(-ENOSPC, ctnl_build_flush_filtered(buf, 8, NULL));
	/* Labels are filtered in user space only: no flush takes them. */
	ROW(-EOPNOTSUPP, ctnl_build_flush_filtered(buf, sizeof(buf), &labels));
}

/* Address sets: NULL and families that are not IP. */
static void test_address_sets_refuse_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_addr_set *set;
	union ctnl_addr a = { .u8 = { 10, 0, 0, 1 } };
	struct ctnl_flow f = tcp_flow();

	assert_int_equal(ctnl_addr_set_new(&set), 0);
	ROW(-EINVAL, ctnl_addr_set_new(NULL));
	ROW(-EINVAL, ctnl_addr_set_add(NULL, AF_INET, &a));
	ROW(-EINVAL, ctnl_addr_set_add(set, AF_INET, NULL));
	ROW(-EINVAL, ctnl_addr_set_add(set, AF_UNIX, &a));
	ROW(-EINVAL, ctnl_addr_set_add_text(NULL, "10.0.0.1"));
	ROW(-EINVAL, ctnl_addr_set_add_text(set, NULL));
	ROW(-EINVAL, ctnl_addr_set_add_text(set, "10.0.0.1/8"));
	ROW(-EINVAL, ctnl_addr_set_add_text(set, " 10.0.0.1"));
	ROW(0, (int)ctnl_addr_set_contains(NULL, AF_INET, &a));
	ROW(0, (int)ctnl_addr_set_contains(set, AF_INET, NULL));
	ROW(0, (int)ctnl_addr_set_count(NULL));
	ROW(0, ctnl_addr_set_has_src(NULL, set));
	ROW(0, ctnl_addr_set_has_src(&f, NULL));
	ROW(0, (int)ctnl_addr_set_count(set));
	ctnl_addr_set_clear(NULL);
	ctnl_addr_set_free(NULL);
	ctnl_addr_set_free(set);
}

/* Reading: every function taking a filter, given each bad one. */
static void test_reading_refuses_bad_input(void **state)
{
	struct fx *fx = *state;
	struct ctnl_filter f[N_BAD_FILTERS];
	struct ctnl_list list = { .count = 3 };
	struct ctnl_flow key = tcp_flow(), out;

	bad_filters(f);
	ROW(-EINVAL, ctnl_ct_dump(NULL, NULL, cb_flow, NULL, NULL));
	ROW(-EINVAL, ctnl_ct_dump(fx->ct, NULL, NULL, NULL, NULL));
	for (int i = 0; i < N_BAD_FILTERS; i++) {
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
	struct ctnl_expect exp = { .attrs = 0 };
	struct ctnl_stats stats;
	struct ctnl_cpu_stats cpu;
	struct ctnl_format_opts opts = { .size = sizeof(opts) };
	struct {
		struct ctnl_format_opts opts;
		uint64_t newer;		/* a field of a newer header, set */
	} newer = { opts, 1 };
	_Alignas(4) uint8_t buf[1024], msg[64];
	struct nlmsghdr *nlh = put_nfmsg(msg, 0x100, 0, AF_INET);
	char *text = NULL;
	size_t text_size = 0;
	FILE *stream;

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
	ROW(-EINVAL, ctnl_addr_to_text(AF_UNIX, &good.orig.src, (char *)buf,
				       sizeof(buf)));
	ROW(-EINVAL, ctnl_addr_to_text(AF_INET, NULL, (char *)buf,
				       sizeof(buf)));
	ROW(-EINVAL, ctnl_addr_to_text(AF_INET, &good.orig.src, NULL, 1));
	ROW(-EINVAL, ctnl_flow_format(NULL, (char *)buf, sizeof(buf)));
	ROW(-EINVAL, ctnl_expect_format(NULL, (char *)buf, sizeof(buf)));
	ROW(-EINVAL, ctnl_stats_parse(NULL, &stats));
	ROW(-EINVAL, ctnl_stats_parse(nlh, NULL));
	ROW(-EINVAL, ctnl_cpu_stats_parse(NULL, &cpu));
	ROW(-EINVAL, ctnl_cpu_stats_parse(nlh, NULL));
	ROW(-EPROTO, ctnl_stats_parse(nlh, &stats));
	ROW(-EPROTO, ctnl_cpu_stats_parse(nlh, &cpu));

	/* Options: none (NULL) is fine; a size that is none, or fields of
	 * a newer header set, is not. */
	ROW(-EINVAL, ctnl_flow_format_opts(NULL, NULL, (char *)buf,
					   sizeof(buf)));
	ROW(-EINVAL, ctnl_expect_format_opts(NULL, NULL, (char *)buf,
					     sizeof(buf)));
	opts.size = 0;
	ROW(-EINVAL, ctnl_flow_format_opts(&good, &opts, (char *)buf,
					   sizeof(buf)));
	ROW(-EINVAL, ctnl_expect_format_opts(&exp, &opts, (char *)buf,
					     sizeof(buf)));
	opts.size = sizeof(opts);
	opts.flags = 1u << 7;				/* unknown flag */
	ROW(-EINVAL, ctnl_flow_format_opts(&good, &opts, (char *)buf,
					   sizeof(buf)));
	ROW(-EINVAL, ctnl_expect_format_opts(&exp, &opts, (char *)buf,
					     sizeof(buf)));
	newer.opts.size = sizeof(newer);
	ROW(-EINVAL, ctnl_flow_format_opts(&good, &newer.opts, (char *)buf,
					   sizeof(buf)));
	ROW(-EINVAL, ctnl_expect_format_opts(&exp, &newer.opts, (char *)buf,
					     sizeof(buf)));

	assert_false(ctnl_filter_match(NULL, NULL));
	assert_false(ctnl_filter_match(&bad_filter, NULL));

	/* The decoder: nothing to write to, nothing to decode; a message
	 * cut short is written as such and said to be malformed; the trace
	 * hook, given no message, writes nothing. */
	stream = open_memstream(&text, &text_size);
	assert_non_null(stream);
	ROW(-EINVAL, ctnl_msg_fprint(NULL, nlh, nlh->nlmsg_len));
	ROW(-EINVAL, ctnl_msg_fprint(stream, NULL, 16));
	ctnl_trace_print(CTNL_TRACE_RECEIVED, 0, NULL, 16, stream);
	fflush(stream);
	assert_int_equal(text_size, 0);
	ROW(-EBADMSG, ctnl_msg_fprint(stream, nlh, 3));
	ROW(-EBADMSG, ctnl_msg_fprint(stream, nlh, nlh->nlmsg_len - 1));
	fclose(stream);
	free(text);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_socket_layer_refuses_bad_input),
		T(test_conntrack_handle_refuses_bad_input),
		T(test_namespaces_refuse_bad_input),
		T(test_socket_options_refuse_bad_input),
		T(test_events_refuse_bad_input),
		T(test_statistics_and_expectations_refuse_bad_input),
		T(test_matching_refuses_bad_input),
		T(test_policies_refuse_bad_input),
		T(test_address_sets_refuse_bad_input),
		T(test_reading_refuses_bad_input),
		T(test_changing_refuses_bad_input),
		T(test_text_tuples_refuse_bad_input),
		T(test_messages_refuse_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
