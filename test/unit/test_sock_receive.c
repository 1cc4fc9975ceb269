/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Receive-only use: multicast groups, reading what is queued without
 * blocking, overflows that are reported and survived, callbacks that stop
 * in the middle of a datagram, and waiting for readability.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sock_fixture.h"

/* A multicast datagram of @n messages numbered from @first_id. */
static void queue_event(struct fx *fx, uint32_t first_id, int n)
{
	size_t len = put_data(fx->buf, first_id, n, 0);

	ctnl_fake_sys_queue_raw(fx->fake, 0, 1u << 0, fx->buf, len);
}

static int nonblocking_setup(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.flags = CTNL_SOCK_NONBLOCK };

	*state = fx_new(&cfg);
	return 0;
}

static void test_join_and_leave_set_memberships(void **state)
{
	struct fx *fx = *state;
	int val;

	assert_int_equal(ctnl_sock_join(fx->sock, 3), 0);
	assert_int_equal(ctnl_fake_sys_sockopt(fx->fake, SOL_NETLINK,
					       NETLINK_ADD_MEMBERSHIP, &val), 0);
	assert_int_equal(val, 3);
	assert_int_equal(fx_nl(fx)->groups, 1u << 2);
	assert_int_equal(ctnl_sock_leave(fx->sock, 3), 0);
	assert_int_equal(ctnl_fake_sys_sockopt(fx->fake, SOL_NETLINK,
					       NETLINK_DROP_MEMBERSHIP, &val), 0);
	assert_int_equal(val, 3);
	assert_int_equal(fx_nl(fx)->groups, 0);

	assert_int_equal(ctnl_sock_join(fx->sock, 0), -EINVAL);
	assert_int_equal(ctnl_sock_join(fx->sock, 33), -EINVAL);
	/* 32, the last group a 32-bit mask holds, is one. */
	assert_int_equal(ctnl_sock_join(fx->sock, 32), 0);
	assert_int_equal(fx_nl(fx)->groups, 1u << 31);
	assert_int_equal(ctnl_sock_leave(fx->sock, 32), 0);
	assert_int_equal(ctnl_sock_leave(fx->sock, 0), -EINVAL);

	/* A failed join changes nothing. */
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SETSOCKOPT,
			   ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_SETSOCKOPT) +
				   1,
			   -ENOMEM);
	assert_int_equal(ctnl_sock_join(fx->sock, 1), -ENOMEM);
	assert_int_equal(fx_nl(fx)->groups, 0);
}

static void test_receive_delivers_everything_queued(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };

	assert_int_equal(ctnl_sock_join(fx->sock, 1), 0);
	queue_event(fx, 0, 1);
	queue_event(fx, 1, 2);
	queue_event(fx, 3, 1);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(seen.ids[i], i);
	/* Nothing left: 0, without blocking. */
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 0);
	/* Every read was non-blocking. */
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 0);
}

static void test_receive_reports_overflow_and_goes_on(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };

	queue_event(fx, 0, 1);
	ctnl_fake_sys_queue_errno(fx->fake, -ENOBUFS);
	queue_event(fx, 1, 1);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen),
			 -ENOBUFS);
	assert_int_equal(seen.n, 1);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ids[1], 1);
}

static void test_receive_stop_keeps_rest_of_datagram(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { .stop_after = 1 };

	queue_event(fx, 0, 3);
	queue_event(fx, 3, 1);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
	assert_int_equal(ctnl_sock_wait(fx->sock, 0), 1);
	/* A request must not overwrite messages not yet handed over. */
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -EBUSY);
	seen.stop_after = 0;
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 3);
	assert_int_equal(seen.n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(seen.ids[i], i);
}

/* Messages a stop left behind make the handle ready, though the socket
 * itself has nothing queued: wait() says so without polling. */
static void test_wait_sees_what_a_stop_left(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { .stop_after = 1 };
	unsigned int polls;

	queue_event(fx, 0, 3);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
	polls = ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL);
	assert_int_equal(ctnl_sock_wait(fx->sock, 0), 1);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), polls);
	seen.stop_after = 0;
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 2);
	assert_int_equal(ctnl_sock_wait(fx->sock, 0), 0);
}

static void test_receive_callback_error_is_returned(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { .fail_after = 2, .fail_with = -ECANCELED };

	queue_event(fx, 0, 3);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen),
			 -ECANCELED);
	seen.fail_after = 0;
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
	assert_int_equal(seen.ids[2], 2);
}

static void test_receive_reads_a_bounded_number_per_call(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };
	int first, second;

	for (int i = 0; i < 100; i++)
		queue_event(fx, (uint32_t)i % 200, 1);
	/* 64 datagrams a call (RECEIVE_BUDGET, src/sock/io.c). */
	first = ctnl_sock_receive(fx->sock, record_cb, &seen);
	assert_int_equal(first, 64);
	seen.n = 0;
	second = ctnl_sock_receive(fx->sock, record_cb, &seen);
	assert_int_equal(second, 100 - 64);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 0);
}

static void test_receive_refuses_foreign_sender(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };
	size_t len = put_data(fx->buf, 0, 1, 0);

	ctnl_fake_sys_queue_raw(fx->fake, 999, 1, fx->buf, len);
	queue_event(fx, 1, 1);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), -EPERM);
	assert_int_equal(seen.n, 0);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
	assert_int_equal(seen.ids[0], 1);
}

static void test_receive_refuses_malformed_datagram(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };
	size_t len = put_data(fx->buf, 0, 1, 0);

	((struct nlmsghdr *)fx->buf)->nlmsg_len = (uint32_t)len + 40;
	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen),
			 -EBADMSG);
	assert_int_equal(seen.n, 0);
}

static void test_receive_oversized_datagram_is_emsgsize(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.flags = CTNL_SOCK_NONBLOCK,
					.bufsize = 64 };
	struct fx *fx = fx_new(&cfg);
	struct seen seen = { 0 };

	queue_event(fx, 0, 4);
	queue_event(fx, 4, 4);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen),
			 -EMSGSIZE);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 4);
	assert_int_equal(seen.ids[0], 4);
	*state = fx;
	fx_teardown(state);
}

static void test_receive_skips_noop(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };
	size_t len = NLMSG_ALIGN(put_msg(fx->buf, NLMSG_NOOP, 0, 0)->nlmsg_len);

	len += put_data(fx->buf + len, 7, 1, 0);
	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
	assert_int_equal(seen.ids[0], 7);
}

/* The last message of a datagram may lack its alignment padding. */
static void test_receive_accepts_unpadded_last_message(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };
	size_t len = put_data(fx->buf, 0, 2, 0);
	struct nlmsghdr *last = (void *)(fx->buf + len / 2);

	mnl_attr_put_u8(last, 99, 1);
	last->nlmsg_len -= 3;	/* the u8 attribute's padding, cut */
	len = len / 2 + last->nlmsg_len;
	assert_true(len % 4 != 0);
	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 2);
	assert_int_equal(seen.ids[1], 1);
}

static void test_receive_recv_failure_is_returned(void **state)
{
	struct fx *fx = *state;
	struct seen seen = { 0 };

	queue_event(fx, 0, 1);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_RECVMSG, 1, -EINTR);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_RECVMSG, 2, -ENOMEM);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen),
			 -ENOMEM);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 1);
}

static void test_wait_reports_readability(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(ctnl_sock_wait(fx->sock, 0), 0);
	queue_event(fx, 0, 1);
	assert_int_equal(ctnl_sock_wait(fx->sock, 10), 1);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_POLL, 3, -EINTR);
	assert_int_equal(ctnl_sock_wait(fx->sock, -1), -EINTR);
}

static void test_fd_is_the_socket(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(ctnl_sock_fd(fx->sock), fx_nl(fx)->fd);
	assert_true(ctnl_fake_sys_socket_type(fx->fake) & SOCK_NONBLOCK);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, nonblocking_setup, \
						fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_join_and_leave_set_memberships),
		T(test_receive_delivers_everything_queued),
		T(test_receive_reports_overflow_and_goes_on),
		T(test_receive_stop_keeps_rest_of_datagram),
		T(test_wait_sees_what_a_stop_left),
		T(test_receive_callback_error_is_returned),
		T(test_receive_reads_a_bounded_number_per_call),
		T(test_receive_refuses_foreign_sender),
		T(test_receive_refuses_malformed_datagram),
		cmocka_unit_test(test_receive_oversized_datagram_is_emsgsize),
		T(test_receive_skips_noop),
		T(test_receive_accepts_unpadded_last_message),
		T(test_receive_recv_failure_is_returned),
		T(test_wait_reports_readability),
		T(test_fd_is_the_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
