/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fault sweep: every public operation that reaches the system, run over
 * the scripted fake syscall table with a responder that plays the kernel.
 *
 * For each operation, a happy run counts the system calls and allocations
 * the operation makes. Then the operation runs again once per call k
 * (k = 1..N) and per errno that kind of call can really return, with call
 * k failing so; and once per allocation n (n = 1..M), with allocation n
 * failing. Each time:
 *
 *  - the operation returns that errno, or succeeds where retrying or
 *    falling back is right (EINTR, an optional socket option, a failed
 *    close() that released the descriptor all the same, ...);
 *  - no descriptor and no byte of memory is left behind once the handle
 *    is closed, and nothing is closed twice;
 *  - the handle stays usable: the same operation, run again, succeeds,
 *    with nothing left over from the failed one; an open that failed left
 *    nothing open, and the next open works.
 *
 * Adding an operation is one line in OPS below; a new kind of request also
 * needs its answer in kernel().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "entry.h"
#include "helpers.h"

#define MAX_CALLS 64

/* One system call as the happy run made it. */
struct call {
	enum ctnl_fake_call kind;
	int level, name;	/* setsockopt() */
};

struct sweep {
	struct ctnl_fake_sys *fake;
	const struct ctnl_syscalls *inner;	/* the fake's table */
	struct ctnl_syscalls sys;		/* tracing, over the fake */
	struct call calls[MAX_CALLS];
	unsigned int ncalls;

	struct ctnl_sock_config cfg;
	struct ctnl_sock *sock;
	struct ctnl_ct *ct;

	/* A non-blocking socket's kernel answers late: when polled. */
	bool has_pending;
	unsigned int pending_index;
	struct nlmsghdr pending;

	unsigned int seen;			/* callbacks' count */
	int results[4];
	struct ctnl_flow out;
	uint8_t req[256];
	uint8_t batch[256];
};

/* ---- The tracing syscall table ----
 *
 * Forwards to the fake, noting each call, with allocation failures held
 * off while inside the fake: only the code under test sees them (the fake
 * aborts when it runs out of memory). */

static void note(struct sweep *s, enum ctnl_fake_call kind, int level,
		 int name)
{
	if (s->ncalls < MAX_CALLS)
		s->calls[s->ncalls] = (struct call){ kind, level, name };
	s->ncalls++;
	heap_pause(true);
}

#define INNER(s, slot, ...) \
	(s)->inner->ops->slot((s)->inner->ctx, __VA_ARGS__)

static int t_socket(void *ctx, int domain, int type, int protocol)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_SOCKET, 0, 0);
	r = INNER(s, socket, domain, type, protocol);
	heap_pause(false);
	return r;
}

static int t_bind(void *ctx, int fd, const struct sockaddr *addr,
		  socklen_t len)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_BIND, 0, 0);
	r = INNER(s, bind, fd, addr, len);
	heap_pause(false);
	return r;
}

static int t_getsockname(void *ctx, int fd, struct sockaddr *addr,
			 socklen_t *len)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_GETSOCKNAME, 0, 0);
	r = INNER(s, getsockname, fd, addr, len);
	heap_pause(false);
	return r;
}

static int t_setsockopt(void *ctx, int fd, int level, int name,
			const void *val, socklen_t len)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_SETSOCKOPT, level, name);
	r = INNER(s, setsockopt, fd, level, name, val, len);
	heap_pause(false);
	return r;
}

static int t_getsockopt(void *ctx, int fd, int level, int name, void *val,
			socklen_t *len)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_GETSOCKOPT, level, name);
	r = INNER(s, getsockopt, fd, level, name, val, len);
	heap_pause(false);
	return r;
}

static ssize_t t_sendmsg(void *ctx, int fd, const struct msghdr *msg,
			 int flags)
{
	struct sweep *s = ctx;
	ssize_t r;

	note(s, CTNL_FAKE_SENDMSG, 0, 0);
	r = INNER(s, sendmsg, fd, msg, flags);
	heap_pause(false);
	return r;
}

static ssize_t t_recvmsg(void *ctx, int fd, struct msghdr *msg, int flags)
{
	struct sweep *s = ctx;
	ssize_t r;

	note(s, CTNL_FAKE_RECVMSG, 0, 0);
	r = INNER(s, recvmsg, fd, msg, flags);
	heap_pause(false);
	return r;
}

static void answer(struct sweep *s, unsigned int index,
		   const struct nlmsghdr *req);

static int t_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_POLL, 0, 0);
	if (s->has_pending) {
		s->has_pending = false;
		answer(s, s->pending_index, &s->pending);
	}
	r = INNER(s, poll, fds, nfds, timeout);
	heap_pause(false);
	return r;
}

static int t_close(void *ctx, int fd)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_CLOSE, 0, 0);
	r = INNER(s, close, fd);
	heap_pause(false);
	return r;
}

static int t_open(void *ctx, const char *path, int flags)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_OPEN, 0, 0);
	r = INNER(s, open, path, flags);
	heap_pause(false);
	return r;
}

static int t_setns(void *ctx, int fd, int nstype)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_SETNS, 0, 0);
	r = INNER(s, setns, fd, nstype);
	heap_pause(false);
	return r;
}

static const struct ctnl_syscalls_ops tracing_ops = {
	.size = sizeof(struct ctnl_syscalls_ops),
	.socket = t_socket,
	.bind = t_bind,
	.getsockname = t_getsockname,
	.setsockopt = t_setsockopt,
	.getsockopt = t_getsockopt,
	.sendmsg = t_sendmsg,
	.recvmsg = t_recvmsg,
	.poll = t_poll,
	.close = t_close,
	.open = t_open,
	.setns = t_setns,
};

/* ---- The kernel ---- */

#define CT_TYPE(msg) ((uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | (msg)))
#define EXP_TYPE(msg) ((uint16_t)(NFNL_SUBSYS_CTNETLINK_EXP << 8 | (msg)))

struct blob {
	uint8_t data[2048];
	size_t len;
};

/* What the kernel answers, built once: a dump of three entries in two
 * datagrams, the entry a get finds, a dump of one expectation, and two
 * event datagrams. */
static struct {
	struct ctnl_flow flows[3];	/* as a list would hold them */
	struct ctnl_flow plain;		/* a new entry, without labels */
	struct blob dump[2], get, expect, events[2];
} kern;

/* Appends @f to @b as the kernel reports an entry, as a message of
 * @type. */
static void put_entry(struct blob *b, const struct ctnl_flow *f,
		      uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = (void *)(b->data + b->len);

	b->len += put_entry_msg(nlh, sizeof(b->data) - b->len, f, flags);
	nlh->nlmsg_type = type;
}

static void put_tuple_attr(struct nlmsghdr *nlh, uint16_t type,
			   const struct ctnl_tuple *t)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type), *in;

	in = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, &t->src);
	mnl_attr_put(nlh, CTA_IP_V4_DST, 4, &t->dst);
	mnl_attr_nest_end(nlh, in);
	in = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->port.src));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->port.dst));
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, nest);
}

static int build_kernel(void **state)
{
	struct ctnl_tuple master = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP,
					 1000, 21);
	struct ctnl_tuple exp = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 0,
				      40000);
	struct nlmsghdr *nlh;

	(void)state;
	memset(&kern, 0, sizeof(kern));
	for (int i = 0; i < 3; i++) {
		struct ctnl_flow *f = &kern.flows[i];

		f->attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
			   CTNL_ATTR_LABELS | CTNL_ATTR_ID;
		f->timeout = 100;
		f->id = (uint32_t)i + 1;
		ctnl_labels_set(&f->labels, 1);
		ctnl_labels_set(&f->labels, 100);
	}
	kern.flows[0].orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000,
				   80);
	kern.flows[1].orig = tuple_of("10.0.0.1", "10.0.0.3", IPPROTO_UDP, 53,
				   53);
	kern.flows[2].orig = tuple_of("fd00::1", "fd00::2", IPPROTO_TCP, 1000,
				   80);
	kern.plain = kern.flows[1];
	kern.plain.attrs &= ~(CTNL_ATTR_LABELS | CTNL_ATTR_ID);
	put_entry(&kern.dump[0], &kern.flows[0], CT_TYPE(IPCTNL_MSG_CT_NEW),
		  NLM_F_MULTI);
	put_entry(&kern.dump[0], &kern.flows[1], CT_TYPE(IPCTNL_MSG_CT_NEW),
		  NLM_F_MULTI);
	put_entry(&kern.dump[1], &kern.flows[2], CT_TYPE(IPCTNL_MSG_CT_NEW),
		  NLM_F_MULTI);
	put_entry(&kern.get, &kern.flows[0], CT_TYPE(IPCTNL_MSG_CT_NEW), 0);
	put_entry(&kern.events[0], &kern.flows[0], CT_TYPE(IPCTNL_MSG_CT_NEW),
		  0);
	put_entry(&kern.events[1], &kern.flows[1],
		  CT_TYPE(IPCTNL_MSG_CT_DELETE), 0);

	nlh = put_nfmsg(kern.expect.data, EXP_TYPE(IPCTNL_MSG_EXP_NEW),
			NLM_F_MULTI, AF_INET);
	put_tuple_attr(nlh, CTA_EXPECT_MASTER, &master);
	put_tuple_attr(nlh, CTA_EXPECT_TUPLE, &exp);
	put_tuple_attr(nlh, CTA_EXPECT_MASK, &exp);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(300));
	mnl_attr_put_u32(nlh, CTA_EXPECT_ID, htonl(9));
	mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME, "ftp");
	kern.expect.len = nlh->nlmsg_len;
	return 0;
}

/* Answers each request as ctnetlink does: dumps with their entries and
 * NLMSG_DONE, a get with its entry, and an ACK wherever one is asked for
 * (in a batch, the last request of a datagram). */
static void answer(struct sweep *s, unsigned int index,
		   const struct nlmsghdr *req)
{
	struct ctnl_fake_sys *f = s->fake;
	bool dump = req->nlmsg_flags & NLM_F_DUMP;

	if (req->nlmsg_type == CT_TYPE(IPCTNL_MSG_CT_GET) && dump) {
		ctnl_fake_sys_queue(f, kern.dump[0].data, kern.dump[0].len);
		ctnl_fake_sys_queue(f, kern.dump[1].data, kern.dump[1].len);
		ctnl_fake_sys_queue_done(f, 0);
	} else if (req->nlmsg_type == EXP_TYPE(IPCTNL_MSG_EXP_GET) && dump) {
		ctnl_fake_sys_queue(f, kern.expect.data, kern.expect.len);
		ctnl_fake_sys_queue_done(f, 0);
	} else if (dump) {
		ctnl_fake_sys_queue_done(f, 0);
	} else {
		if (req->nlmsg_type == CT_TYPE(IPCTNL_MSG_CT_GET))
			ctnl_fake_sys_queue(f, kern.get.data, kern.get.len);
		if (req->nlmsg_flags & NLM_F_ACK)
			ctnl_fake_sys_queue_ack(f, index, 0, NULL);
	}
}

/* The responder: answers at once, or for a non-blocking socket, when it
 * is next polled, so that the first receive finds nothing yet and the
 * handle waits (the last request's answer only; older ones are lost). */
static void kernel(struct ctnl_fake_sys *f, unsigned int index,
		   const struct nlmsghdr *req, void *data)
{
	struct sweep *s = data;

	(void)f;
	if (s->cfg.flags & CTNL_SOCK_NONBLOCK) {
		s->has_pending = true;
		s->pending_index = index;
		s->pending = *req;
		return;
	}
	answer(s, index, req);
}

/* ---- The operations ---- */

/* What a run needs open before it starts. */
enum handle { H_NONE, H_SOCK, H_CT };

#define OP_OPENS	(1u << 0)	/* opens s->sock or s->ct */
#define OP_CLOSES	(1u << 1)	/* closes the handle */
#define OP_NONBLOCK	(1u << 2)	/* the handle is CTNL_SOCK_NONBLOCK */
#define OP_NETNS	(1u << 3)	/* opened in another namespace */
#define OP_JOINED	(1u << 4)	/* group 1 joined beforehand */
#define OP_EVENTS	(1u << 5)	/* two event datagrams queued */
#define OP_RESULTS	(1u << 6)	/* a batch: s->results[0..2] */
#define OP_RECEIVE	(1u << 7)	/* receive-only: EAGAIN means "no more
					 * for now", and a failed run leaves
					 * the rest for the next */
#define OP_WAIT		(1u << 8)	/* poll()'s EINTR is the caller's */

static int count_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	((struct sweep *)data)->seen++;
	return CTNL_CB_OK;
}

static int count_flow(const struct ctnl_flow *f, void *data)
{
	(void)f;
	((struct sweep *)data)->seen++;
	return CTNL_CB_OK;
}

static int count_expect(const struct ctnl_expect *e, void *data)
{
	(void)e;
	((struct sweep *)data)->seen++;
	return CTNL_CB_OK;
}

static struct nlmsghdr *create_req(struct sweep *s)
{
	return put_nfmsg(s->req, CT_TYPE(IPCTNL_MSG_CT_NEW),
			 NLM_F_REQUEST | NLM_F_CREATE, AF_INET);
}

static struct nlmsghdr *dump_req(struct sweep *s)
{
	return put_nfmsg(s->req, CT_TYPE(IPCTNL_MSG_CT_GET),
			 NLM_F_REQUEST | NLM_F_DUMP, AF_INET);
}

static int sock_batch3(struct sweep *s)
{
	size_t len = 0;

	for (int i = 0; i < 3; i++)
		len += NLMSG_ALIGN(put_nfmsg(s->batch + len,
					     CT_TYPE(IPCTNL_MSG_CT_DELETE),
					     NLM_F_REQUEST, AF_INET)
					   ->nlmsg_len);
	return ctnl_sock_batch(s->sock, s->batch, len, s->results, 3);
}

static int ct_new(struct sweep *s)
{
	int ret = ctnl_ct_new(s->sock, &s->ct);

	if (ret == 0)
		s->sock = NULL;	/* the conntrack handle owns it now */
	return ret;
}

static int list(struct sweep *s, enum ctnl_table table)
{
	struct ctnl_list l;
	int ret = ctnl_ct_list(s->ct, table, 0, &l);

	if (ret >= 0)
		ctnl_list_free(&l);
	return ret;
}

static int list_filtered(struct sweep *s)
{
	/* IPv4 TCP, by the kernel if it can, again here: the fake kernel
	 * ignores filters, so this side drops two of the three. */
	struct ctnl_filter f = { .family = AF_INET, .match = CTNL_MATCH_PROTO,
				 .proto = IPPROTO_TCP };
	struct ctnl_list l;
	int ret = ctnl_ct_list_filtered(s->ct, &f, CTNL_LIST_DEDUP, &l);

	if (ret >= 0)
		ctnl_list_free(&l);
	return ret;
}

static int update_label(struct sweep *s)
{
	struct ctnl_labels value = { { 0 } }, mask = { { 0 } };

	ctnl_labels_set(&value, 3);
	ctnl_labels_set(&mask, 3);
	ctnl_labels_set(&mask, 1);
	return ctnl_ct_update_label(s->ct, CTNL_TABLE_CONNTRACK, kern.flows, 3,
				    "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000,
				    80, &value, &mask);
}

static const struct ctnl_change mark_change = { .attrs = CTNL_ATTR_MARK,
						.mark = 7 };

/* The entry the kernel knows: a key, and a flow with labels that stick
 * (a create with labels reads the entry back to check). */
#define KEY (&kern.flows[0])

/* X(name, handle needed, OP_ flags, result of a happy run, the call) */
#define OPS(X)                                                               \
	X(sock_open, H_NONE, OP_OPENS, 0,                                     \
	  ctnl_sock_open(&s->sys, &s->cfg, &s->sock))                         \
	X(sock_open_in_netns, H_NONE, OP_OPENS | OP_NETNS, 0,                 \
	  ctnl_sock_open(&s->sys, &s->cfg, &s->sock))                         \
	X(sock_request, H_SOCK, 0, 0,                                         \
	  ctnl_sock_request(s->sock, create_req(s), NULL, NULL))              \
	X(sock_request_dump, H_SOCK, 0, 0,                                    \
	  ctnl_sock_request(s->sock, dump_req(s), count_msg, s))              \
	X(sock_request_nonblocking, H_SOCK, OP_NONBLOCK, 0,                   \
	  ctnl_sock_request(s->sock, dump_req(s), count_msg, s))              \
	X(sock_batch, H_SOCK, OP_RESULTS, 3, sock_batch3(s))                  \
	X(sock_join, H_SOCK, 0, 0, ctnl_sock_join(s->sock, 1))                \
	X(sock_leave, H_SOCK, OP_JOINED, 0, ctnl_sock_leave(s->sock, 1))      \
	X(sock_receive, H_SOCK, OP_JOINED | OP_EVENTS | OP_NONBLOCK |         \
	  OP_RECEIVE, 2, ctnl_sock_receive(s->sock, count_msg, s))            \
	X(sock_wait, H_SOCK, OP_EVENTS | OP_WAIT, 1, ctnl_sock_wait(s->sock, 0)) \
	X(sock_close, H_SOCK, OP_CLOSES, 0,                                   \
	  (ctnl_sock_close(s->sock), s->sock = NULL, 0))                      \
	X(ct_open, H_NONE, OP_OPENS, 0, ctnl_ct_open(&s->sys, &s->cfg, &s->ct)) \
	X(ct_new, H_SOCK, OP_OPENS, 0, ct_new(s))                             \
	X(ct_dump, H_CT, 0, 3, ctnl_ct_dump(s->ct, NULL, count_flow, s, NULL)) \
	X(ct_get, H_CT, 0, 0, ctnl_ct_get(s->ct, KEY, &s->out))               \
	X(ct_create, H_CT, 0, 0, ctnl_ct_create(s->ct, &kern.plain))          \
	X(ct_create_with_labels, H_CT, 0, 0, ctnl_ct_create(s->ct, KEY))      \
	X(ct_update, H_CT, 0, 0, ctnl_ct_update(s->ct, KEY, &mark_change))    \
	X(ct_delete, H_CT, 0, 0, ctnl_ct_delete(s->ct, KEY))                  \
	X(ct_batch, H_CT, OP_RESULTS, 3,                                      \
	  ctnl_ct_batch(s->ct, CTNL_OP_DELETE, kern.flows, 3, NULL, 0,        \
			s->results))                                          \
	X(ct_flush, H_CT, 0, 0, ctnl_ct_flush(s->ct, CTNL_TABLE_CONNTRACK,    \
					      AF_INET))                       \
	X(ct_list, H_CT, 0, 3, list(s, CTNL_TABLE_CONNTRACK))                 \
	X(ct_list_expect, H_CT, 0, 1, list(s, CTNL_TABLE_EXPECT))             \
	X(ct_list_filtered, H_CT, 0, 1, list_filtered(s))                     \
	X(ct_dump_expect, H_CT, 0, 1,                                         \
	  ctnl_ct_dump_expect(s->ct, 0, count_expect, s))                     \
	X(ct_update_mark, H_CT, 0, 0,                                         \
	  ctnl_ct_update_mark(s->ct, "10.0.0.1", "10.0.0.2", IPPROTO_TCP,     \
			      1000, 80, 7))                                   \
	X(ct_update_mark_for_available_flow, H_CT, 0, 1,                      \
	  ctnl_ct_update_mark_for_available_flow(s->ct, kern.flows, 3,        \
						 "10.0.0.1", "10.0.0.2",      \
						 IPPROTO_TCP, 1000, 80, 7))   \
	X(ct_update_label, H_CT, 0, 1, update_label(s))                       \
	X(ct_update_label32, H_CT, 0, 1,                                      \
	  ctnl_ct_update_label32(s->ct, CTNL_TABLE_CONNTRACK, kern.flows, 3,  \
				 "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000,   \
				 80, CTNL_LABEL32_ENCRYPTED))                 \
	X(ct_close, H_CT, OP_CLOSES, 0, (ctnl_ct_close(s->ct), s->ct = NULL, 0))

struct op {
	const char *name;
	enum handle handle;
	unsigned int flags;
	int happy;
	int (*run)(struct sweep *s);
};

#define RUN_FN(name, handle, flags, happy, call)                              \
	static int run_##name(struct sweep *s)                                \
	{                                                                     \
		return call;                                                  \
	}
OPS(RUN_FN)

#define TABLE_ROW(name, handle, flags, happy, call)                           \
	{ #name, handle, flags, happy, run_##name },
static const struct op ops[] = { OPS(TABLE_ROW) };

/* ---- Which errors each call can return ---- */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const int e_socket[] = { -EACCES, -EAFNOSUPPORT, -EINVAL, -EMFILE,
				-ENFILE, -ENOBUFS, -ENOMEM, -EPROTONOSUPPORT };
static const int e_bind[] = { -EADDRINUSE, -EBADF, -EINVAL, -ENOMEM, -EPERM };
static const int e_getsockname[] = { -EBADF, -EINVAL, -ENOBUFS };
static const int e_setsockopt[] = { -EBADF, -EINVAL, -ENOMEM, -ENOPROTOOPT,
				    -EPERM };
static const int e_getsockopt[] = { -EBADF, -EINVAL, -ENOPROTOOPT };
/* CTNL_FAKE_SHORT: a datagram sent a byte short. */
static const int e_sendmsg[] = { -EAGAIN, -EBADF, -ECONNREFUSED, -EINTR,
				 -EMSGSIZE, -ENOBUFS, -ENOMEM, -EPERM,
				 CTNL_FAKE_SHORT };
static const int e_recvmsg[] = { -EAGAIN, -EBADF, -EINTR, -ENOBUFS,
				 -ENOMEM };
static const int e_poll[] = { -EINTR, -EINVAL, -ENOMEM };
static const int e_close[] = { -EBADF, -EINTR, -EIO };
static const int e_open[] = { -EACCES, -EMFILE, -ENFILE, -ENOENT, -ENOMEM };
static const int e_setns[] = { -EBADF, -EINVAL, -ENOMEM, -EPERM };

static const struct {
	const int *errs;
	size_t n;
} errnos[CTNL_FAKE_NCALLS] = {
	[CTNL_FAKE_SOCKET] = { e_socket, N(e_socket) },
	[CTNL_FAKE_BIND] = { e_bind, N(e_bind) },
	[CTNL_FAKE_GETSOCKNAME] = { e_getsockname, N(e_getsockname) },
	[CTNL_FAKE_SETSOCKOPT] = { e_setsockopt, N(e_setsockopt) },
	[CTNL_FAKE_GETSOCKOPT] = { e_getsockopt, N(e_getsockopt) },
	[CTNL_FAKE_SENDMSG] = { e_sendmsg, N(e_sendmsg) },
	[CTNL_FAKE_RECVMSG] = { e_recvmsg, N(e_recvmsg) },
	[CTNL_FAKE_POLL] = { e_poll, N(e_poll) },
	[CTNL_FAKE_CLOSE] = { e_close, N(e_close) },
	[CTNL_FAKE_OPEN] = { e_open, N(e_open) },
	[CTNL_FAKE_SETNS] = { e_setns, N(e_setns) },
};

/* What a failing call must do to the operation. */
enum outcome {
	SURFACES,	/* the operation fails with that error */
	ABSORBED,	/* a retry or a fallback: it succeeds as usual */
	PARTIAL,	/* receive-only: a count, maybe short */
};

static enum outcome outcome_of(const struct op *op, const struct call *c,
			       int err)
{
	switch (c->kind) {
	case CTNL_FAKE_CLOSE:
		/* The descriptor is released whatever close() says. */
		return ABSORBED;
	case CTNL_FAKE_SENDMSG:
	case CTNL_FAKE_RECVMSG:
		if (err == -EINTR)
			return ABSORBED;
		/* Receive-only: EAGAIN is "nothing more for now". A request
		 * on a non-blocking socket waits for its reply instead. */
		if (c->kind == CTNL_FAKE_RECVMSG && err == -EAGAIN &&
		    (op->flags & OP_RECEIVE))
			return PARTIAL;
		if (c->kind == CTNL_FAKE_RECVMSG && err == -EAGAIN &&
		    (op->flags & OP_NONBLOCK))
			return ABSORBED;
		return SURFACES;
	case CTNL_FAKE_POLL:
		return err == -EINTR && !(op->flags & OP_WAIT) ? ABSORBED
							       : SURFACES;
	case CTNL_FAKE_SETSOCKOPT:
		/* Kernels before 4.12 lack extended ACKs; unprivileged,
		 * the FORCE queue sizes fall back to the capped ones. */
		if (err == -ENOPROTOOPT && c->level == SOL_NETLINK &&
		    (c->name == NETLINK_EXT_ACK || c->name == NETLINK_CAP_ACK))
			return ABSORBED;
		if (err == -EPERM && c->level == SOL_SOCKET &&
		    (c->name == SO_RCVBUFFORCE || c->name == SO_SNDBUFFORCE))
			return ABSORBED;
		return SURFACES;
	default:
		return SURFACES;
	}
}

/* ---- Running an operation ---- */

static struct sweep *sweep_new(const struct op *op)
{
	struct sweep *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(ctnl_fake_sys_new(&s->fake), 0);
	s->inner = ctnl_fake_sys_syscalls(s->fake);
	s->sys = (struct ctnl_syscalls){ .ops = &tracing_ops, .ctx = s };
	/* Every option set, so that every setsockopt() is swept. */
	s->cfg = (struct ctnl_sock_config){
		.size = sizeof(s->cfg),
		.flags = CTNL_SOCK_NO_ENOBUFS | CTNL_SOCK_BROADCAST_ERROR,
		.rcvbuf = 1 << 20,
		.sndbuf = 1 << 20,
	};
	if (op->flags & OP_NONBLOCK)
		s->cfg.flags |= CTNL_SOCK_NONBLOCK;
	if (op->flags & OP_NETNS)
		s->cfg.netns_path = "/run/netns/blue";
	ctnl_fake_sys_set_responder(s->fake, kernel, s);

	if (op->handle == H_SOCK)
		assert_int_equal(ctnl_sock_open(&s->sys, &s->cfg, &s->sock), 0);
	if (op->handle == H_CT)
		assert_int_equal(ctnl_ct_open(&s->sys, &s->cfg, &s->ct), 0);
	if (op->flags & OP_JOINED)
		assert_int_equal(ctnl_sock_join(s->sock, 1), 0);
	if (op->flags & OP_EVENTS)
		for (int i = 0; i < 2; i++)
			ctnl_fake_sys_queue_raw(s->fake, 0, 1,
						kern.events[i].data,
						kern.events[i].len);
	return s;
}

/* Closes what is open and proves nothing is left. */
static void sweep_free(struct sweep *s)
{
	ctnl_ct_close(s->ct);
	ctnl_sock_close(s->sock);
	assert_int_equal(ctnl_fake_sys_open_fds(s->fake), 0);
	assert_int_equal(ctnl_fake_sys_bad_closes(s->fake), 0);
	ctnl_fake_sys_free(s->fake);
	free(s);
}

struct happy {
	unsigned int calls;
	unsigned long allocs;
	struct call trace[MAX_CALLS];
};

/* The happy run: what it returns, which calls it makes, how many
 * allocations. */
static void run_happy(const struct op *op, struct happy *h)
{
	size_t before = heap_in_use();
	struct sweep *s = sweep_new(op);
	unsigned int base = s->ncalls;
	unsigned long allocs = heap_allocs();

	assert_int_equal(op->run(s), op->happy);
	h->allocs = heap_allocs() - allocs;
	h->calls = s->ncalls - base;
	assert_true(h->calls <= MAX_CALLS);
	assert_int_equal(ctnl_fake_sys_total_calls(s->fake), s->ncalls);
	memcpy(h->trace, s->calls + base, h->calls * sizeof(*h->trace));
	if (!(op->flags & OP_EVENTS))
		assert_int_equal(ctnl_fake_sys_queued(s->fake), 0);
	sweep_free(s);
	assert_int_equal(heap_in_use(), before);
}

/*
 * One failing run: system call @k fails with @err, or (k == 0) allocation
 * @n fails. @expect is what the operation must return.
 */
static void run_failing(const struct op *op, unsigned int k, int err,
			unsigned int n, enum outcome expect)
{
	size_t before = heap_in_use();
	struct sweep *s = sweep_new(op);
	int fds = ctnl_fake_sys_open_fds(s->fake), ret, want;

	if (k)
		ctnl_fake_sys_fail_any(s->fake, s->ncalls + k, err);
	if (n)
		heap_fail_nth(n);
	ret = op->run(s);
	heap_fail_nth(0);

	want = err == CTNL_FAKE_SHORT ? -EIO : err;
	switch (expect) {
	case SURFACES:
		if (ret != want)
			fail_msg("%s, call %u failing with %d: returned %d",
				 op->name, k, err, ret);
		break;
	case ABSORBED:
		if (ret != op->happy)
			fail_msg("%s, call %u failing with %d: returned %d, "
				 "not %d", op->name, k, err, ret, op->happy);
		break;
	case PARTIAL:
		assert_true(ret >= 0 && ret <= op->happy);
		break;
	}
	if (op->flags & OP_RESULTS)
		for (int i = 0; i < 3; i++)
			assert_true(s->results[i] == 0 ||
				    (ret < 0 && s->results[i] == ret));

	if (op->flags & OP_CLOSES) {
		/* Closed, even when close() failed. */
		assert_int_equal(ctnl_fake_sys_open_fds(s->fake), 0);
	} else if (ret < 0 && (op->flags & OP_OPENS)) {
		/* Nothing half-open, the out-parameter untouched (and a
		 * socket handed to ctnl_ct_new() still the caller's); the
		 * next open works. */
		assert_null(s->ct);
		if (op->handle == H_NONE)
			assert_null(s->sock);
		else
			assert_non_null(s->sock);
		assert_int_equal(ctnl_fake_sys_open_fds(s->fake), fds);
		assert_int_equal(op->run(s), op->happy);
	} else if (!(op->flags & OP_OPENS)) {
		/* The failed run left nothing queued to confuse the next
		 * one, which succeeds (receive-only: gets the rest). */
		if (!(op->flags & OP_EVENTS))
			assert_int_equal(ctnl_fake_sys_queued(s->fake), 0);
		ret = op->run(s);
		if (op->flags & OP_RECEIVE) {
			assert_true(ret >= 0);
			assert_int_equal(ctnl_fake_sys_queued(s->fake), 0);
		} else if (ret != op->happy) {
			fail_msg("%s after call %u failed with %d: the next "
				 "run returned %d", op->name, k, err, ret);
		}
	}
	sweep_free(s);
	assert_int_equal(heap_in_use(), before);
}

static void test_fault_sweep_covers_every_operation(void **state)
{
	unsigned long total_runs = 0;

	(void)state;
	for (size_t i = 0; i < N(ops); i++) {
		const struct op *op = &ops[i];
		unsigned int runs = 0, alloc_runs = 0;
		struct happy h;

		run_happy(op, &h);
		for (unsigned int k = 1; k <= h.calls; k++) {
			const struct call *c = &h.trace[k - 1];

			for (size_t e = 0; e < errnos[c->kind].n; e++, runs++)
				run_failing(op, k, errnos[c->kind].errs[e], 0,
					    outcome_of(op, c,
						       errnos[c->kind].errs[e]));
		}
		/* Allocation failures, where allocations are counted. */
		for (unsigned int n = 1; n <= h.allocs && heap_fail_nth(0);
		     n++, alloc_runs++)
			run_failing(op, 0, -ENOMEM, n, SURFACES);
		print_message("%-36s %2u calls %2lu allocations: %3u + %u runs\n",
			      op->name, h.calls, h.allocs, runs, alloc_runs);
		total_runs += runs + alloc_runs;
	}
	print_message("%zu operations, %lu failing runs\n", N(ops),
		      total_runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_sweep_covers_every_operation),
	};

	return cmocka_run_group_tests(tests, build_kernel, NULL);
}
