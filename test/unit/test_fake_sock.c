/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake socket handle's receive-only side behaves as documented, like
 * the real handle: callers' tests of event code depend on it.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/mocks.h>

#include "helpers.h"

/* An attribute type numbering the test messages. */
#define ATTR_ID 12

struct env {
	struct ctnl_fake_sock *f;
	struct ctnl_sock *sock;
	uint32_t ids[64];
	int n;
	int stop_after;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(ctnl_fake_sock_new(&e->f), 0);
	e->sock = ctnl_fake_sock_sock(e->f);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	ctnl_fake_sock_free(e->f);
	free(e);
	return 0;
}

/* One datagram of @n messages numbered from @first, queued; @family goes
 * in each message's nfgenmsg. */
static void queue(struct env *e, uint32_t first, int n, uint8_t family)
{
	uint8_t buf[1024];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		struct nlmsghdr *nlh = put_nfmsg(buf + len, 0x100, 0, family);

		mnl_attr_put_u32(nlh, ATTR_ID, first + (uint32_t)i);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	ctnl_fake_sock_queue_event(e->f, buf, len);
}

static int record(const struct nlmsghdr *nlh, void *data)
{
	struct env *e = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == ATTR_ID)
			e->ids[e->n++] = mnl_attr_get_u32(a);
	return e->stop_after && e->n == e->stop_after ? CTNL_CB_STOP
						       : CTNL_CB_OK;
}

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* The descriptor is an eventfd, readable exactly while events wait. */
static void test_fake_sock_fd_is_readable_while_events_wait(void **state)
{
	struct env *e = *state;
	int fd;

	queue(e, 0, 1, AF_INET);
	fd = ctnl_sock_fd(e->sock);
	assert_true(fd >= 0);
	assert_int_equal(ctnl_sock_fd(e->sock), fd);
	assert_true(readable(fd));
	queue(e, 1, 1, AF_INET);
	assert_int_equal(ctnl_sock_wait(e->sock, 0), 1);
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 2);
	assert_false(readable(fd));
	assert_int_equal(ctnl_sock_wait(e->sock, 0), 0);
}

/* A callback that stops part-way leaves the rest for the next call. */
static void test_fake_sock_stop_keeps_rest_of_datagram(void **state)
{
	struct env *e = *state;

	queue(e, 0, 3, AF_INET);
	queue(e, 3, 1, AF_INET);
	e->stop_after = 2;
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 2);
	e->stop_after = 0;
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 2);
	assert_int_equal(e->n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(e->ids[i], i);
	/* Stopping on the last message of a datagram finishes it. */
	queue(e, 4, 1, AF_INET);
	e->stop_after = 5;
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 1);
	assert_int_equal(ctnl_sock_wait(e->sock, 0), 0);
}

/* An overflow is -ENOBUFS after what came before it, and counted; with
 * no-ENOBUFS on it is only counted. */
static void test_fake_sock_overflow_reports_and_counts(void **state)
{
	struct env *e = *state;
	struct ctnl_sock_stats st;

	queue(e, 0, 1, AF_INET);
	ctnl_fake_sock_queue_overflow(e->f, 7);
	queue(e, 1, 1, AF_INET);
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), -ENOBUFS);
	assert_int_equal(e->n, 1);
	assert_int_equal(ctnl_sock_stats(e->sock, &st), 0);
	assert_int_equal(st.drops, 7);
	assert_true(st.queued > 0);
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 1);

	assert_int_equal(ctnl_sock_set_option(e->sock,
					      CTNL_SOCK_OPT_NO_ENOBUFS, 1), 0);
	ctnl_fake_sock_queue_overflow(e->f, 2);
	queue(e, 2, 1, AF_INET);
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 1);
	assert_int_equal(ctnl_sock_stats(e->sock, &st), 0);
	assert_int_equal(st.drops, 9);
	assert_int_equal(st.rcvbuf, 212992);
}

static void test_fake_sock_options_recorded(void **state)
{
	struct env *e = *state;
	struct ctnl_sock_stats st;

	assert_int_equal(ctnl_fake_sock_option(e->f, CTNL_SOCK_OPT_RCVBUF), -1);
	assert_int_equal(ctnl_sock_set_option(e->sock, CTNL_SOCK_OPT_RCVBUF,
					      4096), 0);
	assert_int_equal(ctnl_fake_sock_option(e->f, CTNL_SOCK_OPT_RCVBUF),
			 4096);
	assert_int_equal(ctnl_sock_stats(e->sock, &st), 0);
	assert_int_equal(st.rcvbuf, 8192);
	assert_int_equal(ctnl_sock_set_option(e->sock,
					      CTNL_SOCK_OPT_BROADCAST_ERROR, 1),
			 0);
	assert_int_equal(ctnl_fake_sock_option(e->f,
					       CTNL_SOCK_OPT_BROADCAST_ERROR),
			 1);
	assert_int_equal(ctnl_sock_set_option(e->sock, CTNL_SOCK_OPT_RCVBUF,
					      0), -EINVAL);
	assert_int_equal(ctnl_sock_set_option(e->sock,
					      CTNL_SOCK_OPT_NO_ENOBUFS, 3),
			 -EINVAL);
	assert_int_equal(ctnl_sock_set_option(e->sock, 0, 1), -EINVAL);
	assert_int_equal(ctnl_fake_sock_option(e->f, 0), -1);
}

/* The attached filter drops whole datagrams before they are handed over. */
static void test_fake_sock_filter_drops_datagrams(void **state)
{
	struct env *e = *state;
	static const struct sock_filter inet6_only[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	static const struct sock_filter bad[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 0),
	};
	unsigned int len;

	assert_int_equal(ctnl_sock_set_filter(e->sock, bad, 1), -EINVAL);
	assert_int_equal(ctnl_sock_set_filter(e->sock, inet6_only, 4), 0);
	assert_non_null(ctnl_fake_sock_filter(e->f, &len));
	assert_int_equal(len, 4);
	queue(e, 0, 1, AF_INET);
	queue(e, 1, 1, AF_INET6);
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 1);
	assert_int_equal(e->ids[0], 1);
	assert_int_equal(ctnl_sock_set_filter(e->sock, NULL, 0), 0);
	assert_null(ctnl_fake_sock_filter(e->f, NULL));
	queue(e, 2, 1, AF_INET);
	assert_int_equal(ctnl_sock_receive(e->sock, record, e), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fake_sock_fd_is_readable_while_events_wait),
		T(test_fake_sock_stop_keeps_rest_of_datagram),
		T(test_fake_sock_overflow_reports_and_counts),
		T(test_fake_sock_options_recorded),
		T(test_fake_sock_filter_drops_datagrams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
