/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Changing an open socket: queue size, overflow reporting, broadcast
 * errors, a socket filter; and reading the receive queue's counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <linux/sock_diag.h>

#include "sock_fixture.h"

static int sockopt(struct fx *fx, int level, int name)
{
	int val = -1;

	if (ctnl_fake_sys_sockopt(fx->fake, level, name, &val) < 0)
		return -1;
	return val;
}

static unsigned int setsockopt_calls(struct fx *fx)
{
	return ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_SETSOCKOPT);
}

/* A bigger receive queue: forced when privileged, and batches grow to
 * match, since they are sized by the room for errors. */
static void test_set_rcvbuf_forces_and_resizes_batches(void **state)
{
	struct fx *fx = *state;
	size_t before = fx_nl(fx)->batch_msgs;

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF,
					      1 << 22), 0);
	assert_int_equal(sockopt(fx, SOL_SOCKET, SO_RCVBUFFORCE), 1 << 22);
	assert_int_equal(fx_nl(fx)->batch_msgs, (2u << 22) / 2048);
	assert_true(fx_nl(fx)->batch_msgs > before);

	/* Unprivileged: the plain option, capped by the sysctl. */
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(fx) + 1, -EPERM);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF,
					      65536), 0);
	assert_int_equal(sockopt(fx, SOL_SOCKET, SO_RCVBUF), 65536);
	assert_int_equal(fx_nl(fx)->batch_msgs, 64);

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF,
					      0), -EINVAL);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(fx) + 1, -ENOMEM);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF,
					      4096), -ENOMEM);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_GETSOCKOPT,
			   ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_GETSOCKOPT) +
				   1,
			   -EIO);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_RCVBUF,
					      4096), -EIO);
}

static void test_set_flags_on_and_off(void **state)
{
	struct fx *fx = *state;
	struct nl_sock *s = fx_nl(fx);

	assert_int_equal(ctnl_sock_set_option(fx->sock,
					      CTNL_SOCK_OPT_NO_ENOBUFS, 1), 0);
	assert_int_equal(sockopt(fx, SOL_NETLINK, NETLINK_NO_ENOBUFS), 1);
	assert_true(s->flags & CTNL_SOCK_NO_ENOBUFS);
	assert_int_equal(ctnl_sock_set_option(fx->sock,
					      CTNL_SOCK_OPT_BROADCAST_ERROR, 1),
			 0);
	assert_int_equal(sockopt(fx, SOL_NETLINK, NETLINK_BROADCAST_ERROR), 1);
	assert_true(s->flags & CTNL_SOCK_BROADCAST_ERROR);

	assert_int_equal(ctnl_sock_set_option(fx->sock,
					      CTNL_SOCK_OPT_NO_ENOBUFS, 0), 0);
	assert_int_equal(sockopt(fx, SOL_NETLINK, NETLINK_NO_ENOBUFS), 0);
	assert_false(s->flags & CTNL_SOCK_NO_ENOBUFS);
	assert_true(s->flags & CTNL_SOCK_BROADCAST_ERROR);

	assert_int_equal(ctnl_sock_set_option(fx->sock,
					      CTNL_SOCK_OPT_NO_ENOBUFS, 2),
			 -EINVAL);
	assert_int_equal(ctnl_sock_set_option(fx->sock, 99, 1), -EINVAL);
	/* A refused option leaves the flag as it was. */
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(fx) + 1, -ENOPROTOOPT);
	assert_int_equal(ctnl_sock_set_option(fx->sock,
					      CTNL_SOCK_OPT_BROADCAST_ERROR, 0),
			 -ENOPROTOOPT);
	assert_true(s->flags & CTNL_SOCK_BROADCAST_ERROR);
}

static const struct sock_filter keep_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
};

static void test_set_filter_attaches_and_detaches(void **state)
{
	struct fx *fx = *state;
	static const struct sock_filter no_return[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 0),
	};
	unsigned int len;

	/* Nothing attached: detaching is fine. */
	assert_int_equal(ctnl_sock_set_filter(fx->sock, NULL, 0), 0);
	assert_int_equal(ctnl_sock_set_filter(fx->sock, keep_all, 1), 0);
	assert_non_null(ctnl_fake_sys_filter(fx->fake, &len));
	assert_int_equal(len, 1);
	assert_int_equal(ctnl_sock_set_filter(fx->sock, keep_all, 0), 0);
	assert_null(ctnl_fake_sys_filter(fx->fake, NULL));

	assert_int_equal(ctnl_sock_set_filter(fx->sock, no_return, 1), -EINVAL);
	assert_int_equal(ctnl_sock_set_filter(fx->sock, keep_all,
					      BPF_MAXINSNS + 1), -EINVAL);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(fx) + 1, -ENOMEM);
	assert_int_equal(ctnl_sock_set_filter(fx->sock, NULL, 0), -ENOMEM);
}

/* The filter runs on multicast datagrams before they are queued. */
static void test_filter_drops_before_receive(void **state)
{
	struct fx *fx = *state;
	static const struct sock_filter drop_all[] = {
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct seen seen = { 0 };
	size_t len = put_data(fx->buf, 0, 1, 0);

	assert_int_equal(ctnl_sock_set_filter(fx->sock, drop_all, 1), 0);
	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 0);
	assert_int_equal(seen.n, 0);
}

static void test_stats_read_meminfo(void **state)
{
	struct fx *fx = *state;
	struct ctnl_sock_stats st;
	size_t len = put_data(fx->buf, 0, 2, 0);

	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len);
	ctnl_fake_sys_drop(fx->fake, 3);
	assert_int_equal(ctnl_sock_stats(fx->sock, &st), 0);
	assert_int_equal(st.drops, 3);
	assert_int_equal(st.queued, len);
	assert_int_equal(st.rcvbuf, 212992);

	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_GETSOCKOPT,
			   ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_GETSOCKOPT) +
				   1,
			   -ENOPROTOOPT);
	assert_int_equal(ctnl_sock_stats(fx->sock, &st), -ENOPROTOOPT);
	assert_int_equal(ctnl_sock_stats(fx->sock, NULL), -EINVAL);
	assert_int_equal(ctnl_sock_stats(NULL, &st), -EINVAL);
}

/* An older kernel's SO_MEMINFO array without the drop counter. */
static const struct ctnl_syscalls_ops *fake_ops;

static int short_meminfo(void *ctx, int fd, int level, int name, void *val,
			 socklen_t *len)
{
	int ret = fake_ops->getsockopt(ctx, fd, level, name, val, len);

	if (ret == 0 && name == SO_MEMINFO)
		*len = SK_MEMINFO_DROPS * sizeof(uint32_t);
	return ret;
}

static void test_stats_refuse_short_meminfo(void **state)
{
	struct ctnl_fake_sys *fake;
	struct ctnl_syscalls_ops ops;
	struct ctnl_syscalls sys;
	struct ctnl_sock *sock;
	struct ctnl_sock_stats st;

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&fake), 0);
	fake_ops = ctnl_fake_sys_syscalls(fake)->ops;
	ops = *fake_ops;
	ops.getsockopt = short_meminfo;
	sys = (struct ctnl_syscalls){ .ops = &ops,
				      .ctx = ctnl_fake_sys_syscalls(fake)->ctx };
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), 0);
	assert_int_equal(ctnl_sock_stats(sock, &st), -EPROTO);
	ctnl_sock_close(sock);
	ctnl_fake_sys_free(fake);
}

static void test_missing_slots_and_null_handles(void **state)
{
	static const struct ctnl_sock_ops empty = { .size = sizeof(empty) };
	struct ctnl_sock fake = { .ops = &empty, .ctx = NULL };
	struct ctnl_sock_stats st;

	(void)state;
	assert_int_equal(ctnl_sock_set_option(&fake, CTNL_SOCK_OPT_RCVBUF, 1),
			 -ENOSYS);
	assert_int_equal(ctnl_sock_set_filter(&fake, keep_all, 1), -ENOSYS);
	assert_int_equal(ctnl_sock_stats(&fake, &st), -ENOSYS);
	assert_int_equal(ctnl_sock_set_option(NULL, CTNL_SOCK_OPT_RCVBUF, 1),
			 -EINVAL);
	assert_int_equal(ctnl_sock_set_filter(NULL, keep_all, 1), -EINVAL);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_set_rcvbuf_forces_and_resizes_batches),
		T(test_set_flags_on_and_off),
		T(test_set_filter_attaches_and_detaches),
		T(test_filter_drops_before_receive),
		T(test_stats_read_meminfo),
		cmocka_unit_test(test_stats_refuse_short_meminfo),
		cmocka_unit_test(test_missing_slots_and_null_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
