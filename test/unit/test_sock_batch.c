/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Batches: many requests per datagram, one acknowledgement per datagram,
 * a result per request, datagrams sized to the socket's queues, and what
 * happens when anything fails part-way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sock_fixture.h"

/* @n create requests packed in fx->buf; returns their length. */
static size_t put_batch(struct fx *fx, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		struct nlmsghdr *nlh = put_nfmsg(fx->buf + len, CT_NEW,
						 NLM_F_REQUEST | NLM_F_CREATE |
							 NLM_F_ACK,
						 AF_INET);

		mnl_attr_put_u32(nlh, ATTR_ID, (uint32_t)i);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return len;
}

/* The messages of datagram @d sent, as an array of headers. */
static int sent_msgs(struct fx *fx, size_t d, const struct nlmsghdr **out,
		     int max)
{
	size_t len;
	const struct nlmsghdr *nlh = ctnl_fake_sys_sent(fx->fake, d, &len);
	int rem = (int)len, n = 0;

	for (; mnl_nlmsg_ok(nlh, rem) && n < max;
	     nlh = mnl_nlmsg_next(nlh, &rem))
		out[n++] = nlh;
	return n;
}

/* Plays a kernel that refuses the requests whose id is in @refuse. */
struct refusals {
	uint32_t ids[8];
	int errs[8];
	const char *msgs[8];
	int n;
};

static void refusing_responder(struct ctnl_fake_sys *f, unsigned int index,
			       const struct nlmsghdr *req, void *data)
{
	struct refusals *r = data;
	uint32_t id = data_id(req);

	for (int i = 0; i < r->n; i++) {
		if (r->ids[i] == id) {
			ctnl_fake_sys_queue_ack(f, index, r->errs[i],
						r->msgs[i]);
			return;
		}
	}
	ctnl_fake_sys_ack_responder(f, index, req, NULL);
}

static void test_batch_all_accepted_in_one_datagram(void **state)
{
	struct fx *fx = *state;
	const struct nlmsghdr *msgs[8];
	int results[3] = { 99, 99, 99 };
	size_t len = put_batch(fx, 3);

	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(results[i], 0);

	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 1);
	assert_int_equal(sent_msgs(fx, 0, msgs, 8), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(msgs[i]->nlmsg_seq, 1 + i);
		assert_int_equal(data_id(msgs[i]), i);
	}
	/* Only the last asks for an ACK: successes are otherwise silent. */
	assert_false(msgs[0]->nlmsg_flags & NLM_F_ACK);
	assert_false(msgs[1]->nlmsg_flags & NLM_F_ACK);
	assert_true(msgs[2]->nlmsg_flags & NLM_F_ACK);
	/* One datagram out, one in. */
	assert_int_equal(ctnl_fake_sys_calls(fx->fake, CTNL_FAKE_RECVMSG), 1);
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
}

static void test_batch_reports_which_request_failed_and_why(void **state)
{
	struct fx *fx = *state;
	struct refusals r = { .ids = { 1, 3 },
			      .errs = { -EEXIST, -ENOENT },
			      .msgs = { "exists", "no such entry" },
			      .n = 2 };
	int results[5];
	size_t len = put_batch(fx, 5);

	ctnl_fake_sys_set_responder(fx->fake, refusing_responder, &r);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 5),
			 3);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -EEXIST);
	assert_int_equal(results[2], 0);
	assert_int_equal(results[3], -ENOENT);
	assert_int_equal(results[4], 0);
	/* The first failure's text: the operation's first refusal. */
	assert_string_equal(ctnl_sock_error_msg(fx->sock), "exists");
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
}

static void test_batch_last_request_refused(void **state)
{
	struct fx *fx = *state;
	struct refusals r = { .ids = { 2 }, .errs = { -EINVAL }, .n = 1 };
	int results[3];
	size_t len = put_batch(fx, 3);

	ctnl_fake_sys_set_responder(fx->fake, refusing_responder, &r);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 2);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], 0);
	assert_int_equal(results[2], -EINVAL);
	assert_null(ctnl_sock_error_msg(fx->sock));
}

static void test_batch_single_request(void **state)
{
	struct fx *fx = *state;
	int results[1];
	size_t len = put_batch(fx, 1);

	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 1),
			 1);
	assert_int_equal(results[0], 0);
}

/* With a small receive queue, datagrams hold fewer requests, so that the
 * kernel never has to drop a result for lack of room. */
static void test_batch_splits_by_receive_queue(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg), .rcvbuf = 2048 };
	struct fx *fx = fx_new(&cfg);
	struct refusals r = { .ids = { 3 }, .errs = { -ENOENT }, .n = 1 };
	const struct nlmsghdr *msgs[8];
	int results[5];
	size_t len = put_batch(fx, 5);

	/* The fake doubles 2048, as the kernel does: 2 requests each. */
	assert_int_equal(fx_nl(fx)->batch_msgs, 2);
	ctnl_fake_sys_set_responder(fx->fake, refusing_responder, &r);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 5),
			 4);
	assert_int_equal(results[3], -ENOENT);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 3);
	assert_int_equal(sent_msgs(fx, 0, msgs, 8), 2);
	assert_true(msgs[1]->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(sent_msgs(fx, 1, msgs, 8), 2);
	assert_int_equal(msgs[0]->nlmsg_seq, 3);
	assert_int_equal(sent_msgs(fx, 2, msgs, 8), 1);
	assert_int_equal(msgs[0]->nlmsg_seq, 5);
	assert_int_equal(data_id(msgs[0]), 4);
	*state = fx;
	fx_teardown(state);
}

/* With a small send queue, datagrams hold fewer bytes. */
static void test_batch_splits_by_send_queue(void **state)
{
	struct fx *fx = *state;
	const struct nlmsghdr *msgs[8];
	int results[4];
	size_t len = put_batch(fx, 4);
	size_t one = len / 4;

	fx_nl(fx)->batch_bytes = 2 * one + 1;
	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 4),
			 4);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 2);
	assert_int_equal(sent_msgs(fx, 1, msgs, 8), 2);
	assert_int_equal(data_id(msgs[1]), 3);
}

/* The send limit is exact: requests filling it to the byte share a
 * datagram; one byte less and they go one by one. */
static void test_batch_send_limit_is_exact(void **state)
{
	struct fx *fx = *state;
	int results[4];
	size_t len = put_batch(fx, 4);
	size_t one = len / 4;

	fx_nl(fx)->batch_bytes = 2 * one;
	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 4),
			 4);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 2);

	len = put_batch(fx, 4);
	fx_nl(fx)->batch_bytes = 2 * one - 1;
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 4),
			 4);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 2 + 4);
}

/* A request bigger than a datagram may hold still goes, alone. */
static void test_batch_oversized_request_goes_alone(void **state)
{
	struct fx *fx = *state;
	int results[2];
	size_t len = put_batch(fx, 2);

	fx_nl(fx)->batch_bytes = 8;
	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 2),
			 2);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 2);
}

static void test_batch_send_failure_marks_unsent_requests(void **state)
{
	struct fx *fx = *state;
	int results[5];
	size_t len = put_batch(fx, 5);

	fx_nl(fx)->batch_msgs = 2;
	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SENDMSG, 2, -ENOMEM);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 5),
			 -ENOMEM);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], 0);
	for (int i = 2; i < 5; i++)
		assert_int_equal(results[i], -ENOMEM);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 1);
}

/* The kernel's queue overflowed: the requests whose result was not seen
 * have an unknown fate and say so; results already seen are kept. */
static void test_batch_receive_failure_keeps_known_results(void **state)
{
	struct fx *fx = *state;
	int results[3];
	size_t len = put_batch(fx, 3);

	ctnl_fake_sys_queue_ack(fx->fake, 0, -EEXIST, NULL);
	ctnl_fake_sys_queue_errno(fx->fake, -ENOBUFS);
	ctnl_fake_sys_queue_ack(fx->fake, 2, 0, NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 -ENOBUFS);
	assert_int_equal(results[0], -EEXIST);
	assert_int_equal(results[1], -ENOBUFS);
	assert_int_equal(results[2], -ENOBUFS);
	/* The final ACK was drained: the socket is in step again. */
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
}

static void test_batch_data_reply_is_ebadmsg(void **state)
{
	struct fx *fx = *state;
	int results[2];
	size_t len = put_batch(fx, 2);

	queue_data(fx, 0, 1);
	ctnl_fake_sys_queue_ack(fx->fake, 1, 0, NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 2),
			 -EBADMSG);
	assert_int_equal(results[0], -EBADMSG);
	assert_int_equal(results[1], -EBADMSG);
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
}

static void test_batch_reply_for_foreign_seq_is_eproto(void **state)
{
	struct fx *fx = *state;
	int results[2];
	size_t len = put_batch(fx, 2);
	_Alignas(8) uint8_t ack[64];
	struct nlmsghdr *nlh = put_msg(ack, NLMSG_ERROR, NLM_F_CAPPED,
				       sizeof(struct nlmsgerr));

	nlh->nlmsg_seq = 9;
	nlh->nlmsg_pid = CTNL_FAKE_PORTID;
	memset(mnl_nlmsg_get_payload(nlh), 0, sizeof(struct nlmsgerr));
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, ack, nlh->nlmsg_len);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 2),
			 -EPROTO);
}

/*
 * A reply numbered just outside a datagram's requests (the request before
 * the first: a stale reply; the one after the last) or addressed to port
 * id 0 is refused: every result of the batch says so, and none is written
 * outside the caller's array (slots[0] and slots[4] are guards).
 */
static void expect_batch_owner_refused(struct fx *fx, uint32_t seq,
				       uint32_t pid, int err)
{
	int slots[5] = { 99, 99, 99, 99, 99 };
	size_t len = put_batch(fx, 3);
	_Alignas(8) uint8_t ack[64];
	struct nlmsghdr *nlh = put_msg(ack, NLMSG_ERROR, NLM_F_CAPPED,
				       sizeof(struct nlmsgerr));

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	memset(mnl_nlmsg_get_payload(nlh), 0, sizeof(struct nlmsgerr));
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, ack, nlh->nlmsg_len);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, slots + 1,
					 3), err);
	assert_int_equal(slots[0], 99);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(slots[i], err);
	assert_int_equal(slots[4], 99);
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
}

static void test_batch_owner_checks_are_exact(void **state)
{
	struct fx *fx = *state;
	int results[3];
	size_t len = put_batch(fx, 1);

	/* Request 1 goes first, so that the batches below are 2..4, 5..7,
	 * 8..10 and 11..13. */
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 1),
			 1);
	expect_batch_owner_refused(fx, 1, CTNL_FAKE_PORTID, -EPROTO);
	expect_batch_owner_refused(fx, 8, CTNL_FAKE_PORTID, -EPROTO);
	expect_batch_owner_refused(fx, 10, 0, -ESRCH);
	/* Just inside, the first of 11..13 refused: exactly its result. */
	len = put_batch(fx, 3);
	ctnl_fake_sys_queue_ack(fx->fake, 0, -EEXIST, NULL);
	ctnl_fake_sys_queue_ack(fx->fake, 2, 0, NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 2);
	assert_int_equal(results[0], -EEXIST);
	assert_int_equal(results[1], 0);
	assert_int_equal(results[2], 0);
	assert_int_equal(((const struct nlmsghdr *)
			  ctnl_fake_sys_sent(fx->fake, 4, NULL))->nlmsg_seq,
			 11);
}

static void test_batch_malformed_ack_is_ebadmsg(void **state)
{
	struct fx *fx = *state;
	int results[2];
	size_t len = put_batch(fx, 2);
	_Alignas(8) uint8_t ack[64];
	struct nlmsghdr *nlh = put_msg(ack, NLMSG_ERROR, 0, 4);

	ctnl_fake_sys_queue(fx->fake, ack, nlh->nlmsg_len);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 2),
			 -EBADMSG);
}

static void test_batch_refuses_bad_arguments_and_sends_nothing(void **state)
{
	struct fx *fx = *state;
	int results[3];
	size_t len = put_batch(fx, 3);

	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 2),
			 -EINVAL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 4),
			 -EINVAL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len - 3, results,
					 3), -EINVAL);
	assert_int_equal(ctnl_sock_batch(fx->sock, NULL, len, results, 3),
			 -EINVAL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, NULL, 3),
			 -EINVAL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, 0, results, 0),
			 -EINVAL);
	/* A length of 2 GiB or more, which libmnl 1.0.4 takes for a
	 * negative int and accepts, to look for the next message almost
	 * 4 GiB away. */
	len = put_batch(fx, 3);
	((struct nlmsghdr *)fx->buf)->nlmsg_len = 0xfffff000u;
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 -EINVAL);
	/* A control message is no request. */
	put_msg(fx->buf, NLMSG_DONE, 0, 4);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, 20, results, 1),
			 -EINVAL);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 0);

	assert_int_equal(ctnl_sock_join(fx->sock, 2), 0);
	len = put_batch(fx, 3);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 -EBUSY);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 0);
}

/* Fails each system call of a two-datagram batch in turn: the batch fails
 * with that error (or succeeds where a retry is right), every request has
 * a result, and the socket serves the next batch. */
static void test_batch_sweep_fails_every_call_cleanly(void **state)
{
	static const int errnos[] = { -EINTR, -ENOBUFS, -ENOMEM, -EAGAIN,
				      -EPERM, -EBADF };
	unsigned int base, calls;
	int results[4];
	struct fx *fx;

	(void)state;
	fx = fx_new(NULL);
	fx_nl(fx)->batch_msgs = 2;
	ctnl_fake_sys_set_responder(fx->fake, ctnl_fake_sys_ack_responder,
				    NULL);
	base = ctnl_fake_sys_total_calls(fx->fake);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, put_batch(fx, 4),
					 results, 4), 4);
	calls = ctnl_fake_sys_total_calls(fx->fake) - base;
	*state = fx;
	fx_teardown(state);

	for (unsigned int k = 1; k <= calls; k++) {
		for (size_t e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
			int ret;

			fx = fx_new(NULL);
			fx_nl(fx)->batch_msgs = 2;
			ctnl_fake_sys_set_responder(
				fx->fake, ctnl_fake_sys_ack_responder, NULL);
			base = ctnl_fake_sys_total_calls(fx->fake);
			ctnl_fake_sys_fail_any(fx->fake, base + k, errnos[e]);
			ret = ctnl_sock_batch(fx->sock, fx->buf,
					      put_batch(fx, 4), results, 4);
			if (errnos[e] == -EINTR) {
				assert_int_equal(ret, 4);
			} else {
				assert_int_equal(ret, errnos[e]);
				for (int i = 0; i < 4; i++)
					assert_true(results[i] == 0 ||
						    results[i] == errnos[e]);
			}
			/* Whatever happened, the handle works again. */
			assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf,
							 put_batch(fx, 4),
							 results, 4), 4);
			*state = fx;
			fx_teardown(state);
		}
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_batch_all_accepted_in_one_datagram),
		T(test_batch_reports_which_request_failed_and_why),
		T(test_batch_last_request_refused),
		T(test_batch_single_request),
		cmocka_unit_test(test_batch_splits_by_receive_queue),
		T(test_batch_splits_by_send_queue),
		T(test_batch_send_limit_is_exact),
		T(test_batch_oversized_request_goes_alone),
		T(test_batch_send_failure_marks_unsent_requests),
		T(test_batch_receive_failure_keeps_known_results),
		T(test_batch_data_reply_is_ebadmsg),
		T(test_batch_reply_for_foreign_seq_is_eproto),
		T(test_batch_owner_checks_are_exact),
		T(test_batch_malformed_ack_is_ebadmsg),
		T(test_batch_refuses_bad_arguments_and_sends_nothing),
		cmocka_unit_test(test_batch_sweep_fails_every_call_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
