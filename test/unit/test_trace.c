/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The trace hook: what ctnl_sock_set_trace() shows of a socket handle's
 * traffic (every message sent and received, each once, in order, with the
 * handle's verdict on it), the same through ctnl_ct_set_trace(), and
 * CTNL_TRACE=1 in the environment printing it all, decoded, on standard
 * error, for every handle a program opens.
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
#include "entry.h"
#include "fixture.h"

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

/* ---- A conntrack handle's trace, decoded ---- */

/*
 * The variable, in place: setenv() keeps what it allocates for good, which
 * the heap checks would see as a leak, so main() puts this buffer in the
 * environment once and the tests rewrite it. Renamed, the variable is
 * gone.
 */
static char trace_env[32] = "CTNL_TRACE_UNSET=";

static void set_trace_env(const char *value)
{
	snprintf(trace_env, sizeof(trace_env), "%s=%s",
		 value ? "CTNL_TRACE" : "CTNL_TRACE_UNSET", value ? value : "");
	if (value)
		assert_string_equal(getenv("CTNL_TRACE"), value);
	else
		assert_null(getenv("CTNL_TRACE"));
}


/* A get of the entry of ct_get_reply.bin, as ctnl_trace_print() writes
 * its exchange: the request, the entry (the fake stamps it with the
 * request's sequence number and its port id), the ACK (whose copy of the
 * request header keeps the captured values). */
static const char get_trace[] =
	"ctnl: sent IPCTNL_MSG_CT_GET len=72 flags=REQUEST|ACK seq=1 port=0\n"
	"  nfgenmsg family=AF_INET version=0 res_id=0\n"
	"  CTA_TUPLE_ORIG\n"
	"    CTA_TUPLE_IP\n"
	"      CTA_IP_V4_SRC 10.77.0.1\n"
	"      CTA_IP_V4_DST 10.77.0.2\n"
	"    CTA_TUPLE_PROTO\n"
	"      CTA_PROTO_NUM 6 (tcp)\n"
	"      CTA_PROTO_SRC_PORT 58274\n"
	"      CTA_PROTO_DST_PORT 5001\n"
	"ctnl: received IPCTNL_MSG_CT_NEW len=284 flags=MULTI seq=1 "
	"port=4242\n"
	"  nfgenmsg family=AF_INET version=0 res_id=0\n"
	"  CTA_TUPLE_ORIG\n"
	"    CTA_TUPLE_IP\n"
	"      CTA_IP_V4_SRC 10.77.0.1\n"
	"      CTA_IP_V4_DST 10.77.0.2\n"
	"    CTA_TUPLE_PROTO\n"
	"      CTA_PROTO_NUM 6 (tcp)\n"
	"      CTA_PROTO_SRC_PORT 58274\n"
	"      CTA_PROTO_DST_PORT 5001\n"
	"  CTA_TUPLE_REPLY\n"
	"    CTA_TUPLE_IP\n"
	"      CTA_IP_V4_SRC 10.77.0.2\n"
	"      CTA_IP_V4_DST 10.77.0.1\n"
	"    CTA_TUPLE_PROTO\n"
	"      CTA_PROTO_NUM 6 (tcp)\n"
	"      CTA_PROTO_SRC_PORT 5001\n"
	"      CTA_PROTO_DST_PORT 58274\n"
	"  CTA_STATUS 0xe (SEEN_REPLY|ASSURED|CONFIRMED)\n"
	"  CTA_MARK 0\n"
	"  CTA_ID 1763391598\n"
	"  CTA_USE 2\n"
	"  CTA_TIMEOUT 431999\n"
	"  CTA_PROTOINFO\n"
	"    CTA_PROTOINFO_TCP\n"
	"      CTA_PROTOINFO_TCP_STATE 3 (ESTABLISHED)\n"
	"      CTA_PROTOINFO_TCP_WSCALE_ORIGINAL 10\n"
	"      CTA_PROTOINFO_TCP_WSCALE_REPLY 10\n"
	"      CTA_PROTOINFO_TCP_FLAGS_ORIGINAL flags=0x23 "
	"(WINDOW_SCALE|SACK_PERM|MAXACK_SET) mask=0x0\n"
	"      CTA_PROTOINFO_TCP_FLAGS_REPLY flags=0x23 "
	"(WINDOW_SCALE|SACK_PERM|MAXACK_SET) mask=0x0\n"
	"  CTA_COUNTERS_ORIG\n"
	"    CTA_COUNTERS_PACKETS 4\n"
	"    CTA_COUNTERS_BYTES 222\n"
	"  CTA_COUNTERS_REPLY\n"
	"    CTA_COUNTERS_PACKETS 3\n"
	"    CTA_COUNTERS_BYTES 170\n"
	"  CTA_TIMESTAMP\n"
	"    CTA_TIMESTAMP_START 1795703087455907039\n"
	"ctnl: received NLMSG_ERROR len=36 flags=CAPPED seq=1 port=4242\n"
	"  error 0 (ACK)\n"
	"  request IPCTNL_MSG_CT_GET len=72 flags=REQUEST|ACK seq=1795703087 "
	"port=0\n";

struct ctx {
	size_t heap_before;
	struct ctnl_fake_sys *fake;
	struct fixture reply;
	struct ctnl_flow key, out;
};

static int ctx_setup(void **state)
{
	size_t before = heap_in_use();
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->heap_before = before;
	assert_int_equal(ctnl_fake_sys_new(&c->fake), 0);
	fixture_load("ct_get_reply.bin", &c->reply);
	c->key.attrs = CTNL_ATTR_ORIG;
	c->key.orig = tuple_of("10.77.0.1", "10.77.0.2", IPPROTO_TCP, 58274,
			       5001);
	*state = c;
	return 0;
}

static int ctx_teardown(void **state)
{
	struct ctx *c = *state;
	size_t before = c->heap_before;

	set_trace_env(NULL);
	fixture_free(&c->reply);
	fake_sys_free_checked(c->fake);
	free(c);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

/* The get of get_trace, on @ct. */
static void run_get(struct ctx *c, struct ctnl_ct *ct)
{
	fixture_queue(c->fake, &c->reply);
	assert_int_equal(ctnl_ct_get(ct, &c->key, &c->out), 0);
	assert_int_equal(c->out.orig.port.src, 58274);
}

static void test_ct_trace_prints_a_get_decoded(void **state)
{
	struct ctx *c = *state;
	struct ctnl_ct *ct;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(c->fake), NULL,
				      &ct), 0);
	assert_int_equal(ctnl_ct_set_trace(ct, ctnl_trace_print, out), 0);
	run_get(c, ct);
	/* Off again: nothing more. */
	assert_int_equal(ctnl_ct_set_trace(ct, NULL, NULL), 0);
	run_get(c, ct);
	ctnl_ct_close(ct);
	fclose(out);
	assert_string_equal(text, get_trace);
	free(text);
}

static void test_ct_trace_needs_a_socket_that_traces(void **state)
{
	struct ctnl_fake_sock *fake_sock;
	struct ctnl_fake_ct *fake_ct;
	struct ctnl_ct *ct;

	(void)state;
	assert_int_equal(ctnl_ct_set_trace(NULL, ctnl_trace_print, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_fake_ct_new(&fake_ct), 0);
	assert_int_equal(ctnl_ct_set_trace(ctnl_fake_ct_ct(fake_ct),
					   ctnl_trace_print, NULL), -ENOSYS);
	ctnl_fake_ct_free(fake_ct);
	assert_int_equal(ctnl_fake_sock_new(&fake_sock), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(fake_sock), &ct), 0);
	assert_int_equal(ctnl_ct_set_trace(ct, ctnl_trace_print, NULL),
			 -ENOSYS);
	ctnl_ct_close(ct);
	ctnl_fake_sock_free(fake_sock);
}

/* ---- CTNL_TRACE=1: standard error ---- */


/* Standard error, into a temporary file while capturing. */
struct capture {
	FILE *file;
	int saved;
};

static void capture_start(struct capture *cap)
{
	fflush(stderr);
	cap->file = tmpfile();
	assert_non_null(cap->file);
	cap->saved = dup(STDERR_FILENO);
	assert_true(cap->saved >= 0);
	assert_int_equal(dup2(fileno(cap->file), STDERR_FILENO),
			 STDERR_FILENO);
}

/* What was written meanwhile: the caller frees it. */
static char *capture_end(struct capture *cap)
{
	long size;
	char *text;

	fflush(stderr);
	assert_int_equal(dup2(cap->saved, STDERR_FILENO), STDERR_FILENO);
	close(cap->saved);
	size = ftell(cap->file);
	assert_true(size >= 0);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	rewind(cap->file);
	assert_int_equal(fread(text, 1, (size_t)size, cap->file), size);
	fclose(cap->file);
	return text;
}

static void test_env_trace_prints_to_stderr(void **state)
{
	struct ctx *c = *state;
	struct capture cap;
	struct ctnl_ct *ct;
	char *text;

	set_trace_env("1");
	capture_start(&cap);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(c->fake), NULL,
				      &ct), 0);
	/* Read when the handle is made: changing it later changes nothing. */
	set_trace_env(NULL);
	run_get(c, ct);
	ctnl_ct_close(ct);
	text = capture_end(&cap);
	assert_string_equal(text, get_trace);
	free(text);
}

static void test_env_trace_only_for_exactly_1(void **state)
{
	static const char *const values[] = { "0", "", "yes", "1 ", "11",
					      "true" };
	struct ctx *c = *state;
	struct capture cap;
	struct ctnl_ct *ct;
	char *text;

	capture_start(&cap);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		set_trace_env(values[i]);
		assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(c->fake),
					      NULL, &ct), 0);
		run_get(c, ct);
		ctnl_ct_close(ct);
	}
	set_trace_env(NULL);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(c->fake), NULL,
				      &ct), 0);
	run_get(c, ct);
	ctnl_ct_close(ct);
	text = capture_end(&cap);
	assert_string_equal(text, "");
	free(text);
}

static int count_of(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* The kernel, for a resynchronisation: every dump finds nothing. Replies
 * are queued as the request is sent, after the event handle's reads. */
static void empty_dumps(struct ctnl_fake_sys *f, unsigned int index,
			const struct nlmsghdr *req, void *data)
{
	(void)index;
	(void)data;
	if (req->nlmsg_flags & NLM_F_DUMP)
		ctnl_fake_sys_queue_done(f, 0);
}

static int on_event(const struct ctnl_event *ev, void *data)
{
	(void)ev;
	++*(int *)data;
	return CTNL_CB_OK;
}

/*
 * Every handle the environment reaches: one on another network namespace,
 * an event handle and the second handle a resynchronisation dumps
 * through, each made by the library as a program would make it.
 */
static void test_env_trace_covers_every_handle(void **state)
{
	struct ctx *c = *state;
	const struct ctnl_syscalls *sys = ctnl_fake_sys_syscalls(c->fake);
	struct ctnl_ct *ns, *ev, *req;
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
				  .timeout = 30 };
	struct capture cap;
	uint8_t msg[512];
	size_t len;
	int events = 0;
	char *text;

	flow.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 53, 53);
	len = put_entry_msg(msg, sizeof(msg), &flow,
			    NLM_F_CREATE | NLM_F_EXCL);
	((struct nlmsghdr *)msg)->nlmsg_type = CT_NEW;

	set_trace_env("1");
	capture_start(&cap);
	assert_int_equal(ctnl_ct_open_netns(sys, "blue", &ns), 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(c->fake),
			    "/run/netns/blue");
	run_get(c, ns);
	ctnl_ct_close(ns);

	assert_int_equal(ctnl_ct_open(sys, NULL, &ev), 0);
	assert_int_equal(ctnl_ct_open(sys, NULL, &req), 0);
	assert_int_equal(ctnl_ct_subscribe(ev, CTNL_EVENT_NEW), 0);
	ctnl_fake_sys_queue_raw(c->fake, 0, 1, msg, len);
	assert_int_equal(ctnl_ct_event_read(ev, on_event, &events), 1);
	ctnl_fake_sys_set_responder(c->fake, empty_dumps, NULL);
	assert_int_equal(ctnl_ct_resync(ev, req, on_event, &events), 0);
	/* The event, then the resynchronisation's begin and end. */
	assert_int_equal(events, 3);
	ctnl_ct_close(ev);
	ctnl_ct_close(req);
	text = capture_end(&cap);

	/* The namespace's handle: the whole get. */
	assert_non_null(strstr(text, get_trace));
	/* The event, as received. */
	assert_non_null(strstr(text, "ctnl: received IPCTNL_MSG_CT_NEW "
				     "len=132 flags=EXCL|CREATE seq=0 "
				     "port=0\n"));
	/* The resynchronisation's dump, sent from the second handle. */
	assert_int_equal(count_of(text, "ctnl: sent IPCTNL_MSG_CT_GET len=20 "
					"flags=REQUEST|ACK|DUMP"), 1);
	assert_int_equal(count_of(text, "ctnl: received NLMSG_DONE"), 1);
	free(text);
}

/* The kernel for ctnl_ct_delete_if(): a dump finds two entries, every
 * delete is acknowledged where asked. */
static void two_entries(struct ctnl_fake_sys *f, unsigned int index,
			const struct nlmsghdr *req, void *data)
{
	_Alignas(8) uint8_t dump[1024];
	size_t len = 0;

	(void)data;
	if (req->nlmsg_flags & NLM_F_DUMP) {
		for (uint16_t port = 1; port <= 2; port++) {
			struct ctnl_flow flow = {
				.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
				.timeout = 30,
			};

			flow.orig = tuple_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, port, 53);
			len += put_entry_msg(dump + len, sizeof(dump) - len,
					     &flow, NLM_F_MULTI);
		}
		ctnl_fake_sys_queue(f, dump, len);
		ctnl_fake_sys_queue_done(f, 0);
	} else if (req->nlmsg_flags & NLM_F_ACK) {
		ctnl_fake_sys_queue_ack(f, index, 0, NULL);
	}
}

/*
 * ctnl_ct_delete_if() deletes through a second socket of the handle: the
 * environment's trace reaches it when it is opened, and a hook set later
 * reaches it once it is open.
 */
static void test_trace_reaches_the_second_socket(void **state)
{
	struct ctx *c = *state;
	const struct ctnl_syscalls *sys = ctnl_fake_sys_syscalls(c->fake);
	struct ctnl_delete_stats st;
	struct capture cap;
	struct ctnl_ct *ct;
	struct log *log;
	char *text;

	ctnl_fake_sys_set_responder(c->fake, two_entries, NULL);
	set_trace_env("1");
	capture_start(&cap);
	assert_int_equal(ctnl_ct_open(sys, NULL, &ct), 0);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, NULL, NULL, &st), 2);
	ctnl_ct_close(ct);
	text = capture_end(&cap);
	assert_int_equal(ctnl_fake_sys_calls(c->fake, CTNL_FAKE_SOCKET), 2);
	assert_int_equal(count_of(text, "ctnl: sent IPCTNL_MSG_CT_GET "), 1);
	assert_int_equal(count_of(text, "ctnl: sent IPCTNL_MSG_CT_DELETE "), 2);
	assert_int_equal(count_of(text, "      CTA_PROTO_SRC_PORT 2\n"), 2);
	assert_int_equal(count_of(text, "ctnl: received NLMSG_ERROR "), 1);
	free(text);

	/* Set after the second socket is open: both sockets. */
	set_trace_env(NULL);
	log = calloc(1, sizeof(*log));
	assert_non_null(log);
	assert_int_equal(ctnl_ct_open(sys, NULL, &ct), 0);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, NULL, NULL, &st), 2);
	assert_int_equal(ctnl_ct_set_trace(ct, record_trace, log), 0);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, NULL, NULL, &st), 2);
	ctnl_ct_close(ct);
	assert_int_equal(log->n, 7);
	assert_int_equal(rec_msg(log, 0)->nlmsg_flags & NLM_F_DUMP,
			 NLM_F_DUMP);
	assert_rec(log, 3, CTNL_TRACE_RECEIVED, 0, NLMSG_DONE, 2);
	/* The second socket's third and fourth requests. */
	assert_rec(log, 4, CTNL_TRACE_SENT, 0, CT_DELETE, 3);
	assert_rec(log, 5, CTNL_TRACE_SENT, 0, CT_DELETE, 4);
	assert_rec(log, 6, CTNL_TRACE_RECEIVED, 0, NLMSG_ERROR, 4);
	free(log);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
#define C(name) cmocka_unit_test_setup_teardown(name, ctx_setup, ctx_teardown)
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
		C(test_ct_trace_prints_a_get_decoded),
		cmocka_unit_test(test_ct_trace_needs_a_socket_that_traces),
		C(test_env_trace_prints_to_stderr),
		C(test_env_trace_only_for_exactly_1),
		C(test_env_trace_covers_every_handle),
		C(test_trace_reaches_the_second_socket),
	};

	if (putenv(trace_env) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
