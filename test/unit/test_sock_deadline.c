/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deadlines on the socket handle (CTNL_SOCK_OPT_DEADLINE), over the fake
 * syscall table and its clock: a kernel that never answers costs the
 * deadline and no more; the handle stays usable, and replies that come
 * after it are recognised by their sequence numbers and dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sock_fixture.h"

#define DEADLINE_MS 250

/* The fake clock, in ms. */
static int64_t clock_ms(struct fx *fx)
{
	const struct ctnl_syscalls *sys = ctnl_fake_sys_syscalls(fx->fake);
	struct timespec ts;

	assert_int_equal(sys->ops->clock_gettime(sys->ctx, CLOCK_MONOTONIC,
						 &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The reply to message @idx of the datagram sent @i-th, as the kernel
 * would send it late: an ACK of its sequence number. */
static void queue_late_ack_from(struct fx *fx, size_t i, uint32_t idx,
				uint32_t portid)
{
	_Alignas(8) uint8_t buf[64];
	const struct nlmsghdr *req = sent_msg(fx, i);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq + idx;
	nlh->nlmsg_pid = portid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	e->msg = *req;
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, buf, nlh->nlmsg_len);
}

static void queue_late_ack(struct fx *fx, size_t i, uint32_t idx)
{
	queue_late_ack_from(fx, i, idx, CTNL_FAKE_PORTID);
}

/* A kernel that never answers: -ETIMEDOUT once the deadline has passed,
 * after waiting for what was left of it, no more. */
static void test_deadline_ends_a_wait_for_a_kernel_that_never_answers(
	void **state)
{
	struct fx *fx = *state;
	int64_t start = clock_ms(fx);

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -ETIMEDOUT);
	assert_int_equal(clock_ms(fx) - start, DEADLINE_MS);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 1);

	/* Past its deadline, a request fails without waiting at all... */
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -ETIMEDOUT);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 1);
	/* ...unless its reply is already there: nothing to wait for. */
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 1);
}

/* Replies that come after their request was given up on carry its
 * sequence number: the next request drops them and gets its own. */
static void test_deadline_late_replies_are_dropped(void **state)
{
	struct fx *fx = *state;
	uint8_t batch[128];
	size_t len = 0;
	int results[2];

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -ETIMEDOUT);
	for (int i = 0; i < 2; i++)
		len += NLMSG_ALIGN(put_nfmsg(batch + len, CT_DELETE,
					     NLM_F_REQUEST, AF_INET)
					   ->nlmsg_len);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	assert_int_equal(ctnl_sock_batch(fx->sock, batch, len, results, 2),
			 -ETIMEDOUT);
	assert_int_equal(results[0], -ETIMEDOUT);
	assert_int_equal(results[1], -ETIMEDOUT);

	/* Now the kernel answers both, late, and then the next request. */
	queue_late_ack(fx, 0, 0);
	queue_late_ack(fx, 1, 0);
	queue_late_ack(fx, 1, 1);
	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);

	/* A reply with a number never given up on is still refused. */
	queue_late_ack(fx, 2, 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -EPROTO);
	/* A number given up on, but another socket's port: foreign, not
	 * late. */
	queue_late_ack_from(fx, 0, 0, CTNL_FAKE_PORTID + 1);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -ESRCH);
}

/* The reply comes while the handle waits: the request succeeds; a signal
 * during the wait only restarts it, with what is left. */
static void test_deadline_wait_that_ends_in_time(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	/* Nothing at first (EAGAIN), a signal, nothing again, then the ACK
	 * while the handle waits. */
	ctnl_fake_sys_queue_errno(fx->fake, -EAGAIN);
	ctnl_fake_sys_queue_errno(fx->fake, -EAGAIN);
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_POLL, 1, -EINTR);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 2);
	/* Each wait read the clock first; so did the setting. */
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_CLOCK), 3);
}

/* Without a deadline, the socket blocks in recvmsg() as it always did:
 * no clock, no poll. -1 removes one. */
static void test_deadline_removed_leaves_the_blocking_receive(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      -1), 0);
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_CLOCK), 1);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 0);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      -2), -EINVAL);
}

/* A clock that fails: setting the deadline fails with its error; so does
 * a wait that needed it, and the handle goes on. */
static void test_deadline_clock_failure_is_returned(void **state)
{
	struct fx *fx = *state;

	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_CLOCK, 1, -EINVAL);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), -EINVAL);
	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_CLOCK, 3, -EINVAL);
	ctnl_fake_sys_queue_errno(fx->fake, -EAGAIN);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -EINVAL);
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
}

/* A syscall table without a clock cannot keep a deadline. */
static void test_deadline_needs_a_clock(void **state)
{
	struct ctnl_fake_sys *fake;
	struct ctnl_syscalls_ops ops;
	struct ctnl_syscalls sys;
	struct ctnl_sock *sock;

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&fake), 0);
	ops = *ctnl_fake_sys_syscalls(fake)->ops;
	ops.size = offsetof(struct ctnl_syscalls_ops, clock_gettime);
	sys = (struct ctnl_syscalls){ &ops, ctnl_fake_sys_syscalls(fake)->ctx };
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), 0);
	assert_int_equal(ctnl_sock_set_option(sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), -ENOSYS);
	ctnl_sock_close(sock);
	fake_sys_free_checked(fake);
}

/* A dump whose replies keep coming is not cut short: the deadline bounds
 * waiting, and the kernel answered every time. */
static void test_deadline_dump_in_full_flow_completes(void **state)
{
	struct fx *fx = *state;
	struct seen s = { 0 };

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      0), 0);
	queue_data(fx, 1, 3);
	queue_data(fx, 4, 3);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_dump_req(fx),
					   record_cb, &s), 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 0);
}

/* What is left of a deadline is waited for whole, rounded up to the next
 * millisecond: with 249.5 ms left, one wait of 250 ms, which ends past
 * the deadline, never one that ends before it and a second of 0 ms. */
static void test_deadline_rest_rounded_up(void **state)
{
	struct fx *fx = *state;
	int64_t start = clock_ms(fx);

	assert_int_equal(ctnl_sock_set_option(fx->sock, CTNL_SOCK_OPT_DEADLINE,
					      DEADLINE_MS), 0);
	ctnl_fake_sys_advance_ns(fx->fake, 500000);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -ETIMEDOUT);
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_POLL), 1);
	/* 250.5 ms in all: the clock reads whole milliseconds here. */
	assert_int_equal(clock_ms(fx) - start, DEADLINE_MS);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_deadline_ends_a_wait_for_a_kernel_that_never_answers),
		T(test_deadline_late_replies_are_dropped),
		T(test_deadline_wait_that_ends_in_time),
		T(test_deadline_removed_leaves_the_blocking_receive),
		T(test_deadline_clock_failure_is_returned),
		cmocka_unit_test(test_deadline_needs_a_clock),
		T(test_deadline_dump_in_full_flow_completes),
		T(test_deadline_rest_rounded_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
