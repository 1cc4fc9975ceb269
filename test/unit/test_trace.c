/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The trace hook: what ctnl_sock_set_trace() shows of a socket handle's
 * traffic (every message sent and received, each once, in order, with the
 * handle's verdict on it).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "sock_fixture.h"

/* ---- Recording the hook's calls ---- */

struct rec {
	enum ctnl_trace_dir dir;
	int status;
	size_t len;
	_Alignas(8) uint8_t bytes[256];	/* the first of them */
};

struct log {
	struct rec recs[16];
	int n;
};

static void record_trace(enum ctnl_trace_dir dir, int status,
			 const struct nlmsghdr *nlh, size_t len, void *data)
{
	struct log *l = data;
	struct rec *r;

	assert_true(l->n < 16);
	r = &l->recs[l->n++];
	r->dir = dir;
	r->status = status;
	r->len = len;
	memcpy(r->bytes, nlh, len < sizeof(r->bytes) ? len : sizeof(r->bytes));
}

static const struct nlmsghdr *rec_msg(const struct log *l, int i)
{
	return (const void *)l->recs[i].bytes;
}

/* Record @i is a whole message of @type and sequence number @seq, which
 * went @dir with @status. */
static void assert_rec(const struct log *l, int i, enum ctnl_trace_dir dir,
		       int status, uint16_t type, uint32_t seq)
{
	const struct nlmsghdr *nlh = rec_msg(l, i);

	assert_true(i < l->n);
	assert_int_equal(l->recs[i].dir, dir);
	assert_int_equal(l->recs[i].status, status);
	assert_int_equal(l->recs[i].len, nlh->nlmsg_len);
	assert_int_equal(nlh->nlmsg_type, type);
	assert_int_equal(nlh->nlmsg_seq, seq);
}

static struct log *traced(struct fx *fx)
{
	struct log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	assert_int_equal(ctnl_sock_set_trace(fx->sock, record_trace, log), 0);
	return log;
}

/* ---- The socket layer's hook ---- */

static void test_trace_shows_request_then_its_ack(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	const void *sent;
	size_t len;

	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
	assert_int_equal(log->n, 2);
	/* The request as it went out, stamped. */
	sent = ctnl_fake_sys_sent(fx->fake, 0, &len);
	assert_rec(log, 0, CTNL_TRACE_SENT, 0, CT_NEW, 1);
	assert_int_equal(log->recs[0].len, len);
	assert_memory_equal(log->recs[0].bytes, sent, len);
	assert_rec(log, 1, CTNL_TRACE_RECEIVED, 0, NLMSG_ERROR, 1);
	assert_int_equal(rec_msg(log, 1)->nlmsg_pid, CTNL_FAKE_PORTID);
	free(log);
}

/* @n create requests numbered from 0, packed in fx->buf. */
static size_t put_batch(struct fx *fx, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		struct nlmsghdr *nlh = put_nfmsg(fx->buf + len, CT_NEW,
						 NLM_F_REQUEST | NLM_F_CREATE,
						 AF_INET);

		mnl_attr_put_u32(nlh, ATTR_ID, (uint32_t)i);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return len;
}

static void test_trace_shows_each_request_of_a_batch(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	size_t len = put_batch(fx, 3);
	int results[3];

	ctnl_fake_sys_queue_ack(fx->fake, 1, -EEXIST, "exists");
	ctnl_fake_sys_queue_ack(fx->fake, 2, 0, NULL);
	assert_int_equal(ctnl_sock_batch(fx->sock, fx->buf, len, results, 3),
			 2);
	/* One datagram, three messages, each traced on its own. */
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 1);
	assert_int_equal(log->n, 5);
	for (int i = 0; i < 3; i++) {
		assert_rec(log, i, CTNL_TRACE_SENT, 0, CT_NEW, 1 + (uint32_t)i);
		assert_int_equal(data_id(rec_msg(log, i)), i);
	}
	/* The refusal, then the datagram's acknowledgement. */
	assert_rec(log, 3, CTNL_TRACE_RECEIVED, 0, NLMSG_ERROR, 2);
	assert_rec(log, 4, CTNL_TRACE_RECEIVED, 0, NLMSG_ERROR, 3);
	free(log);
}

static void test_trace_shows_every_part_of_a_dump(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	struct seen seen = { 0 };

	queue_data(fx, 0, 2);
	queue_data(fx, 2, 1);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_dump_req(fx),
					   record_cb, &seen), 0);
	assert_int_equal(log->n, 5);
	assert_rec(log, 0, CTNL_TRACE_SENT, 0, CT_GET, 1);
	for (int i = 1; i <= 3; i++) {
		assert_rec(log, i, CTNL_TRACE_RECEIVED, 0, CT_NEW, 1);
		assert_int_equal(data_id(rec_msg(log, i)), i - 1);
	}
	assert_rec(log, 4, CTNL_TRACE_RECEIVED, 0, NLMSG_DONE, 1);
	free(log);
}

static void test_trace_shows_each_event_of_a_datagram(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	struct seen seen = { 0 };
	size_t len = put_data(fx->buf, 0, 3, 0);

	assert_int_equal(ctnl_sock_join(fx->sock, 1), 0);
	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb, &seen), 3);
	assert_int_equal(log->n, 3);
	for (int i = 0; i < 3; i++) {
		assert_rec(log, i, CTNL_TRACE_RECEIVED, 0, CT_NEW, 0);
		assert_int_equal(data_id(rec_msg(log, i)), i);
	}
	free(log);
}

/* A datagram from another port is rejected whole; the rest of the
 * replies, read only to be dropped, are marked so. */
static void test_trace_marks_foreign_datagram_rejected(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	size_t len = put_data(fx->buf, 0, 1, NLM_F_MULTI);

	ctnl_fake_sys_queue_raw(fx->fake, 31337, 0, fx->buf, len);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_dump_req(fx), record_cb,
					   &(struct seen){ 0 }), -EPERM);
	assert_int_equal(log->n, 3);
	assert_rec(log, 0, CTNL_TRACE_SENT, 0, CT_GET, 1);
	assert_rec(log, 1, CTNL_TRACE_RECEIVED, -EPERM, CT_NEW, 0);
	assert_rec(log, 2, CTNL_TRACE_RECEIVED, -ECANCELED, NLMSG_DONE, 1);
	free(log);
}

/* Replies of another sequence number or port id: each message gets the
 * owner check's verdict, and what follows a rejected one is dropped. */
static void test_trace_marks_replies_not_ours(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	size_t len = put_data(fx->buf, 0, 4, NLM_F_MULTI);
	struct nlmsghdr *nlh = (void *)fx->buf;
	uint32_t seqs[4] = { 1, 1, 77, 1 };

	for (int i = 0; i < 4; i++) {
		nlh->nlmsg_seq = seqs[i];
		nlh->nlmsg_pid = CTNL_FAKE_PORTID;
		nlh = (void *)((uint8_t *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	}
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, fx->buf, len);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_dump_req(fx), record_cb,
					   &(struct seen){ 0 }), -EPROTO);
	assert_int_equal(log->n, 5);
	assert_rec(log, 1, CTNL_TRACE_RECEIVED, 0, CT_NEW, 1);
	assert_rec(log, 2, CTNL_TRACE_RECEIVED, 0, CT_NEW, 1);
	assert_rec(log, 3, CTNL_TRACE_RECEIVED, -EPROTO, CT_NEW, 77);
	assert_rec(log, 4, CTNL_TRACE_RECEIVED, -ECANCELED, CT_NEW, 1);

	/* Another port id: the next request is sequence number 2. */
	log->n = 0;
	len = put_data(fx->buf, 0, 1, NLM_F_MULTI);
	nlh = (void *)fx->buf;
	nlh->nlmsg_seq = 2;
	nlh->nlmsg_pid = CTNL_FAKE_PORTID + 1;
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, fx->buf, len);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_dump_req(fx), record_cb,
					   &(struct seen){ 0 }), -ESRCH);
	assert_int_equal(log->n, 2);
	assert_rec(log, 1, CTNL_TRACE_RECEIVED, -ESRCH, CT_NEW, 2);
	free(log);
}

/* What fitted of an oversized datagram: whole messages, then the one cut
 * short, with the bytes there are. */
static void test_trace_marks_truncated_datagram(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg), .bufsize = 64 };
	struct fx *fx = fx_new(&cfg);
	struct log *log = traced(fx);
	size_t len = put_data(fx->buf, 0, 3, NLM_F_MULTI);
	size_t one = NLMSG_ALIGN(((struct nlmsghdr *)fx->buf)->nlmsg_len);

	assert_true(len > 64 && 2 * one < 64);
	ctnl_fake_sys_queue(fx->fake, fx->buf, len);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_dump_req(fx), record_cb,
					   &(struct seen){ 0 }), -EMSGSIZE);
	assert_int_equal(log->n, 5);
	assert_rec(log, 1, CTNL_TRACE_RECEIVED, -EMSGSIZE, CT_NEW, 1);
	assert_rec(log, 2, CTNL_TRACE_RECEIVED, -EMSGSIZE, CT_NEW, 1);
	assert_int_equal(log->recs[3].status, -EMSGSIZE);
	assert_int_equal(log->recs[3].len, 64 - 2 * one);
	assert_true(log->recs[3].len < rec_msg(log, 3)->nlmsg_len);
	assert_rec(log, 4, CTNL_TRACE_RECEIVED, -ECANCELED, NLMSG_DONE, 1);
	free(log);
	*state = fx;
	fx_teardown(state);
}

/* Framing that does not add up: every message of the datagram, then the
 * bytes that are no message. */
static void test_trace_marks_malformed_datagram(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	size_t len = put_data(fx->buf, 0, 1, 0);

	memset(fx->buf + len, 0x5a, 6);
	assert_int_equal(ctnl_sock_join(fx->sock, 1), 0);
	ctnl_fake_sys_queue_raw(fx->fake, 0, 1, fx->buf, len + 6);
	assert_int_equal(ctnl_sock_receive(fx->sock, record_cb,
					   &(struct seen){ 0 }), -EBADMSG);
	assert_int_equal(log->n, 2);
	assert_rec(log, 0, CTNL_TRACE_RECEIVED, -EBADMSG, CT_NEW, 0);
	assert_int_equal(log->recs[1].status, -EBADMSG);
	assert_int_equal(log->recs[1].len, 6);
	free(log);
}

static void test_trace_shows_send_that_failed(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	unsigned int next = ctnl_fake_sys_calls(fx->fake,
						CTNL_FAKE_SENDMSG) + 1;

	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SENDMSG, next, -ENOBUFS);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -ENOBUFS);
	assert_int_equal(log->n, 1);
	assert_rec(log, 0, CTNL_TRACE_SENT, -ENOBUFS, CT_NEW, 1);

	/* Refused for its size: only the header, which the caller vouched
	 * for, is shown. */
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SENDMSG, next + 1, -EMSGSIZE);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -EMSGSIZE);
	assert_int_equal(log->n, 2);
	assert_int_equal(log->recs[1].status, -EMSGSIZE);
	assert_int_equal(log->recs[1].len, NLMSG_HDRLEN);

	/* Sent a byte short. */
	ctnl_fake_sys_fail(fx->fake, CTNL_FAKE_SENDMSG, next + 2,
			   CTNL_FAKE_SHORT);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), -EIO);
	assert_int_equal(log->n, 3);
	assert_rec(log, 2, CTNL_TRACE_SENT, -EIO, CT_NEW, 3);
	free(log);
}

static void test_trace_stops_when_unset(void **state)
{
	struct fx *fx = *state;
	struct log *log = traced(fx);
	struct ctnl_fake_sock *fake;

	assert_int_equal(ctnl_sock_set_trace(fx->sock, NULL, log), 0);
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_sock_request(fx->sock, fx_new_req(fx), NULL,
					   NULL), 0);
	assert_int_equal(log->n, 0);
	assert_null(fx_nl(fx)->trace_data);

	/* A handle that cannot trace says so. */
	assert_int_equal(ctnl_sock_set_trace(NULL, record_trace, log),
			 -EINVAL);
	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	assert_int_equal(ctnl_sock_set_trace(ctnl_fake_sock_sock(fake),
					     record_trace, log), -ENOSYS);
	ctnl_fake_sock_free(fake);
	free(log);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_trace_shows_request_then_its_ack),
		T(test_trace_shows_each_request_of_a_batch),
		T(test_trace_shows_every_part_of_a_dump),
		T(test_trace_shows_each_event_of_a_datagram),
		T(test_trace_marks_foreign_datagram_rejected),
		T(test_trace_marks_replies_not_ours),
		cmocka_unit_test(test_trace_marks_truncated_datagram),
		T(test_trace_marks_malformed_datagram),
		T(test_trace_shows_send_that_failed),
		T(test_trace_stops_when_unset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
