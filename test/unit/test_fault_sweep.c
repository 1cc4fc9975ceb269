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
 * needs its answer in answer(). Every public function is either swept or
 * named in NOT_SWEPT with the reason (it makes no system call and
 * allocates nothing): a second test reads the public headers and checks
 * that, so a new function cannot be forgotten.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>
#include <ctnl/sys/syscalls.h>

#include "entry.h"
#include "fixture.h"
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
	struct ctnl_ct *ev;			/* subscribed, for resync */
	struct ctnl_sock *clone;		/* made by sock_clone */
	struct ctnl_addr_set *set;		/* OP_SET */

	/* A non-blocking socket's kernel answers late: when polled. */
	bool has_pending;
	unsigned int pending_index;
	struct nlmsghdr pending;

	unsigned int seen;			/* callbacks' count */
	unsigned int traced;			/* the trace hook's count */
	FILE *trace_out;			/* unbuffered: no allocation */
	unsigned int overflows;			/* OVERFLOW events seen */
	int results[4];
	struct ctnl_flow out;
	struct ctnl_list list;
	struct ctnl_expect exp_out;
	struct ctnl_stats stats;
	struct ctnl_cpu_stats cpus[4];
	struct ctnl_event_info info;
	struct ctnl_sock_stats sock_stats;
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

static int t_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_IOCTL, 0, 0);
	r = INNER(s, ioctl, fd, request, arg);
	heap_pause(false);
	return r;
}

static int t_clock_gettime(void *ctx, clockid_t clock, struct timespec *ts)
{
	struct sweep *s = ctx;
	int r;

	note(s, CTNL_FAKE_CLOCK, 0, 0);
	r = INNER(s, clock_gettime, clock, ts);
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
	.ioctl = t_ioctl,
	.clock_gettime = t_clock_gettime,
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
 * event datagrams; statistics as a real kernel sent them (fixtures). */
static struct {
	struct ctnl_flow flows[3];	/* as a list would hold them */
	struct ctnl_flow plain;		/* a new entry, without labels */
	struct ctnl_expect exp;		/* the expectation, as a key */
	struct blob dump[2], get, expect, events[2];
	struct fixture stats, stats_cpu, exp_stats_cpu;
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

	kern.exp = (struct ctnl_expect){
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK,
		.master = master,
		.tuple = exp,
		.mask = exp,
	};
	fixture_load("ct_stats.bin", &kern.stats);
	fixture_load("ct_stats_cpu.bin", &kern.stats_cpu);
	fixture_load("exp_stats_cpu.bin", &kern.exp_stats_cpu);

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

static int free_kernel(void **state)
{
	(void)state;
	fixture_free(&kern.stats);
	fixture_free(&kern.stats_cpu);
	fixture_free(&kern.exp_stats_cpu);
	return 0;
}

/* The mark a dump asks the kernel to filter by; 0 if none. No entry here
 * has a mark, so the kernel finds nothing for any other. */
static uint32_t dump_mark(const struct nlmsghdr *req)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == CTA_MARK)
			return ntohl(mnl_attr_get_u32(attr));
	return 0;
}

/* Answers each request as ctnetlink does: dumps with their entries (or
 * none, asked for a mark no entry has) and NLMSG_DONE, per-CPU
 * statistics as a real kernel sent them, a get with its entry or
 * expectation, the table's size, and an ACK wherever one is asked for
 * (in a batch, the last request of a datagram). */
static void answer(struct sweep *s, unsigned int index,
		   const struct nlmsghdr *req)
{
	struct ctnl_fake_sys *f = s->fake;
	bool dump = req->nlmsg_flags & NLM_F_DUMP;

	if (req->nlmsg_type == CT_TYPE(IPCTNL_MSG_CT_GET) && dump) {
		if (dump_mark(req) == 0) {
			ctnl_fake_sys_queue(f, kern.dump[0].data,
					    kern.dump[0].len);
			ctnl_fake_sys_queue(f, kern.dump[1].data,
					    kern.dump[1].len);
		}
		ctnl_fake_sys_queue_done(f, 0);
	} else if (req->nlmsg_type == EXP_TYPE(IPCTNL_MSG_EXP_GET) && dump) {
		ctnl_fake_sys_queue(f, kern.expect.data, kern.expect.len);
		ctnl_fake_sys_queue_done(f, 0);
	} else if (req->nlmsg_type == CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU)) {
		fixture_queue(f, &kern.stats_cpu);	/* DONE included */
	} else if (req->nlmsg_type ==
		   EXP_TYPE(IPCTNL_MSG_EXP_GET_STATS_CPU)) {
		fixture_queue(f, &kern.exp_stats_cpu);
	} else if (dump) {
		ctnl_fake_sys_queue_done(f, 0);
	} else {
		if (req->nlmsg_type == CT_TYPE(IPCTNL_MSG_CT_GET))
			ctnl_fake_sys_queue(f, kern.get.data, kern.get.len);
		if (req->nlmsg_type == EXP_TYPE(IPCTNL_MSG_EXP_GET))
			ctnl_fake_sys_queue(f, kern.expect.data,
					    kern.expect.len);
		if (req->nlmsg_type == CT_TYPE(IPCTNL_MSG_CT_GET_STATS))
			/* The entry count; its ACK is the fixture's second
			 * datagram, and built here instead. */
			ctnl_fake_sys_queue(f, kern.stats.dgrams[0].data,
					    kern.stats.dgrams[0].len);
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
#define OP_SUBSCRIBED	(1u << 9)	/* s->ct subscribed to every event */
#define OP_QUIET	(1u << 10)	/* ... with CTNL_EVENTS_NO_ENOBUFS */
#define OP_REPORTS	(1u << 11)	/* a receive's ENOBUFS is an overflow
					 * report, one event more */
#define OP_MEMINFO	(1u << 12)	/* a failed SO_MEMINFO read is "not
					 * known", not a failure */
#define OP_BPF		(1u << 13)	/* a socket filter the kernel refuses
					 * is applied in user space instead */
#define OP_EV_HANDLE	(1u << 14)	/* s->ev, subscribed: its receives
					 * come first, and EAGAIN or ENOBUFS
					 * there is absorbed */
#define OP_SET		(1u << 15)	/* s->set, an empty address set */
#define OP_DEADLINE	(1u << 16)	/* s->ct has a timeout: a receive's
					 * EAGAIN means "wait for it" */
#define OP_ENDS		(1u << 17)	/* ends a subscription: its receives
					 * empty the queue, until EAGAIN;
					 * ENOBUFS there is passed */

static int count_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	((struct sweep *)data)->seen++;
	return CTNL_CB_OK;
}

static void count_trace(enum ctnl_trace_dir dir, int status,
			const struct nlmsghdr *nlh, size_t len, void *data)
{
	(void)dir;
	(void)status;
	(void)nlh;
	(void)len;
	((struct sweep *)data)->traced++;
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

static int count_event(const struct ctnl_event *ev, void *data)
{
	struct sweep *s = data;

	s->seen++;
	s->overflows += ev->type == CTNL_EVENT_OVERFLOW;
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

/* Three deletes laid end to end in s->batch; returns their length. */
static size_t batch3(struct sweep *s)
{
	size_t len = 0;

	for (int i = 0; i < 3; i++)
		len += NLMSG_ALIGN(put_nfmsg(s->batch + len,
					     CT_TYPE(IPCTNL_MSG_CT_DELETE),
					     NLM_F_REQUEST, AF_INET)
					   ->nlmsg_len);
	return len;
}

/* After ctnl_ct_new(): the conntrack handle owns the socket now. */
static int took_sock(struct sweep *s, int ret)
{
	if (ret == 0)
		s->sock = NULL;
	return ret;
}

/* After a clone: closes it, returns the result. */
static int cloned(struct sweep *s, int ret)
{
	if (ret == 0) {
		ctnl_sock_close(s->clone);
		s->clone = NULL;
	}
	return ret;
}

/* After a set was made: frees it, returns the result. */
static int set_made(struct sweep *s, int ret)
{
	if (ret == 0) {
		ctnl_addr_set_free(s->set);
		s->set = NULL;
	}
	return ret;
}

/* Chooses the entries of port 80. */
static int pick_port_80(const struct ctnl_flow *flow, void *data)
{
	(void)data;
	return flow->orig.port.dst == 80;
}

static const union ctnl_addr some_addr = { .u8 = { 10, 0, 0, 1 } };

/* After a list: frees it, returns its count. */
static int listed(struct sweep *s, int ret)
{
	if (ret >= 0)
		ctnl_list_free(&s->list);
	return ret;
}

static const struct ctnl_change mark_change = { .attrs = CTNL_ATTR_MARK,
						.mark = 7 };

/* IPv4 TCP, by the kernel if it can, again here: the fake kernel
 * ignores such filters, so this side drops two of the three. */
static const struct ctnl_filter tcp_v4 = {
	.family = AF_INET, .match = CTNL_MATCH_PROTO, .proto = IPPROTO_TCP
};

/* Everything the kernel applies, so one filtered flush deletes: after
 * the probe of the kernel's flush (the protocol is a tuple criterion)
 * and the dump that shows the kernel filters by mark. */
static const struct ctnl_filter uncounted = {
	.family = AF_INET,
	.match = CTNL_MATCH_PROTO | CTNL_MATCH_MARK,
	.flags = CTNL_FILTER_UNCOUNTED,
	.proto = IPPROTO_TCP,
	.mark = 7,
	.mark_mask = UINT32_MAX,
};

/* Family and mark go to a socket filter, the rest stays here. */
static const struct ctnl_filter events_filter = {
	.family = AF_INET,
	.match = CTNL_MATCH_MARK | CTNL_MATCH_PROTO,
	.proto = IPPROTO_TCP,
	.mark = 7,
	.mark_mask = UINT32_MAX,
};

static const struct ctnl_events_config events_cfg = {
	.size = sizeof(struct ctnl_events_config),
	.events = CTNL_EVENT_CT_ALL,
	.flags = CTNL_EVENTS_RELIABLE,
	.rcvbuf = 1 << 20,
	.filter = &events_filter,
};

static const struct ctnl_events_config all_cfg = {
	.size = sizeof(struct ctnl_events_config),
	.events = CTNL_EVENT_ALL,
};

static const struct ctnl_events_config quiet_cfg = {
	.size = sizeof(struct ctnl_events_config),
	.events = CTNL_EVENT_ALL,
	.flags = CTNL_EVENTS_NO_ENOBUFS,
};

static const struct ctnl_labels label_value = { { 1u << 3 } };
static const struct ctnl_labels label_mask = { { (1u << 3) | (1u << 1) } };

/* Accepts every datagram whole. */
static const struct sock_filter accept_all[] = {
	{ BPF_RET | BPF_K, 0, 0, UINT32_MAX },
};

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
	X(sock_batch, H_SOCK, OP_RESULTS, 3,                                  \
	  ctnl_sock_batch(s->sock, s->batch, batch3(s), s->results, 3))       \
	X(sock_request_traced, H_SOCK, 0, 0,                                  \
	  ctnl_sock_set_trace(s->sock, count_trace, s) ? -1 :                 \
	  ctnl_sock_request(s->sock, dump_req(s), count_msg, s))              \
	X(sock_batch_traced, H_SOCK, OP_RESULTS, 3,                           \
	  ctnl_sock_set_trace(s->sock, count_trace, s) ? -1 :                 \
	  ctnl_sock_batch(s->sock, s->batch, batch3(s), s->results, 3))       \
	X(sock_join, H_SOCK, 0, 0, ctnl_sock_join(s->sock, 1))                \
	X(sock_leave, H_SOCK, OP_JOINED, 0, ctnl_sock_leave(s->sock, 1))      \
	X(sock_fd, H_SOCK, 0, 0, ctnl_sock_fd(s->sock) >= 0 ? 0 : -1)         \
	X(sock_receive, H_SOCK, OP_JOINED | OP_EVENTS | OP_NONBLOCK |         \
	  OP_RECEIVE, 2, ctnl_sock_receive(s->sock, count_msg, s))            \
	X(sock_receive_traced, H_SOCK, OP_JOINED | OP_EVENTS | OP_NONBLOCK |  \
	  OP_RECEIVE, 2, ctnl_sock_set_trace(s->sock, count_trace, s) ? -1 :  \
	  ctnl_sock_receive(s->sock, count_msg, s))                           \
	X(sock_wait, H_SOCK, OP_EVENTS | OP_WAIT, 1, ctnl_sock_wait(s->sock, 0)) \
	X(sock_set_option_rcvbuf, H_SOCK, 0, 0,                               \
	  ctnl_sock_set_option(s->sock, CTNL_SOCK_OPT_RCVBUF, 1 << 20))       \
	X(sock_set_option_no_enobufs, H_SOCK, 0, 0,                           \
	  ctnl_sock_set_option(s->sock, CTNL_SOCK_OPT_NO_ENOBUFS, 0))         \
	X(sock_set_option_broadcast_error, H_SOCK, 0, 0,                      \
	  ctnl_sock_set_option(s->sock, CTNL_SOCK_OPT_BROADCAST_ERROR, 1))    \
	X(sock_set_filter, H_SOCK, 0, 0,                                      \
	  ctnl_sock_set_filter(s->sock, accept_all, 1))                       \
	X(sock_set_filter_detach, H_SOCK, 0, 0,                               \
	  ctnl_sock_set_filter(s->sock, NULL, 0))                             \
	X(sock_stats, H_SOCK, 0, 0, ctnl_sock_stats(s->sock, &s->sock_stats)) \
	X(sock_close, H_SOCK, OP_CLOSES, 0,                                   \
	  (ctnl_sock_close(s->sock), s->sock = NULL, 0))                      \
	X(ct_open, H_NONE, OP_OPENS, 0, ctnl_ct_open(&s->sys, &s->cfg, &s->ct)) \
	X(ct_open_netns, H_NONE, OP_OPENS, 0,                                 \
	  ctnl_ct_open_netns(&s->sys, "blue", &s->ct))                        \
	X(ct_new, H_SOCK, OP_OPENS, 0,                                        \
	  took_sock(s, ctnl_ct_new(s->sock, &s->ct)))                         \
	X(ct_dump, H_CT, 0, 3, ctnl_ct_dump(s->ct, NULL, count_flow, s, NULL)) \
	X(ct_dump_traced, H_CT, 0, 3,                                         \
	  ctnl_ct_set_trace(s->ct, ctnl_trace_print, s->trace_out) ? -1 :     \
	  ctnl_ct_dump(s->ct, NULL, count_flow, s, NULL))                     \
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
	X(ct_list, H_CT, 0, 3,                                                \
	  listed(s, ctnl_ct_list(s->ct, CTNL_TABLE_CONNTRACK, 0, &s->list)))  \
	X(ct_list_expect, H_CT, 0, 1,                                         \
	  listed(s, ctnl_ct_list(s->ct, CTNL_TABLE_EXPECT, 0, &s->list)))     \
	X(ct_list_filtered, H_CT, 0, 1,                                       \
	  listed(s, ctnl_ct_list_filtered(s->ct, &tcp_v4, CTNL_LIST_DEDUP,    \
					  &s->list)))                         \
	X(ct_dump_expect, H_CT, 0, 1,                                         \
	  ctnl_ct_dump_expect(s->ct, 0, count_expect, s))                     \
	X(ct_update_matching, H_CT, 0, 3,                                     \
	  ctnl_ct_update_matching(s->ct, NULL, &mark_change, NULL))           \
	X(ct_delete_matching, H_CT, 0, 1,                                     \
	  ctnl_ct_delete_matching(s->ct, &tcp_v4, NULL))                      \
	X(ct_delete_matching_uncounted, H_CT, 0, 0,                           \
	  ctnl_ct_delete_matching(s->ct, &uncounted, NULL))                   \
	X(ct_stats, H_CT, 0, 0,                                               \
	  ctnl_ct_stats(s->ct, CTNL_TABLE_CONNTRACK, &s->stats))              \
	X(ct_stats_expect, H_CT, 0, 0,                                        \
	  ctnl_ct_stats(s->ct, CTNL_TABLE_EXPECT, &s->stats))                 \
	X(ct_stats_cpu, H_CT, 0, 2, ctnl_ct_stats_cpu(s->ct, s->cpus, 4))     \
	X(ct_get_expect, H_CT, 0, 0,                                          \
	  ctnl_ct_get_expect(s->ct, &kern.exp, &s->exp_out))                  \
	X(ct_create_expect, H_CT, 0, 0,                                       \
	  ctnl_ct_create_expect(s->ct, &kern.exp))                            \
	X(ct_delete_expect, H_CT, 0, 0,                                       \
	  ctnl_ct_delete_expect(s->ct, &kern.exp))                            \
	X(ct_subscribe, H_CT, OP_MEMINFO, 0,                                  \
	  ctnl_ct_subscribe(s->ct, CTNL_EVENT_ALL))                           \
	X(ct_subscribe_config, H_CT, OP_MEMINFO | OP_BPF, 0,                  \
	  ctnl_ct_subscribe_config(s->ct, &events_cfg))                       \
	X(ct_subscribe_none, H_CT, OP_SUBSCRIBED | OP_MEMINFO | OP_ENDS, 0,  \
	  ctnl_ct_subscribe(s->ct, 0))                                        \
	X(ct_unsubscribe, H_CT, OP_SUBSCRIBED | OP_MEMINFO | OP_ENDS, 0,      \
	  ctnl_ct_unsubscribe(s->ct, count_event, s))                         \
	X(ct_event_fd, H_CT, OP_SUBSCRIBED, 0,                                \
	  ctnl_ct_event_fd(s->ct) >= 0 ? 0 : -1)                              \
	X(ct_event_read, H_CT, OP_SUBSCRIBED | OP_EVENTS | OP_RECEIVE |       \
	  OP_REPORTS, 2, ctnl_ct_event_read(s->ct, count_event, s))           \
	X(ct_event_read_quiet, H_CT, OP_SUBSCRIBED | OP_QUIET | OP_EVENTS |   \
	  OP_RECEIVE | OP_REPORTS | OP_MEMINFO, 2,                            \
	  ctnl_ct_event_read(s->ct, count_event, s))                          \
	X(ct_event_wait, H_CT, OP_SUBSCRIBED | OP_EVENTS | OP_WAIT, 1,        \
	  ctnl_ct_event_wait(s->ct, 0))                                       \
	X(ct_event_loop, H_CT, OP_SUBSCRIBED | OP_EVENTS | OP_RECEIVE |       \
	  OP_REPORTS | OP_WAIT, 2,                                            \
	  ctnl_ct_event_loop(s->ct, count_event, s, 0))                       \
	X(ct_event_info, H_CT, OP_SUBSCRIBED | OP_MEMINFO, 0,                 \
	  ctnl_ct_event_info(s->ct, &s->info))                                \
	X(ct_resync, H_CT, OP_EV_HANDLE | OP_MEMINFO, 4,                      \
	  ctnl_ct_resync(s->ev, s->ct, count_event, s))                       \
	X(ct_update_mark, H_CT, 0, 0,                                         \
	  ctnl_ct_update_mark(s->ct, "10.0.0.1", "10.0.0.2", IPPROTO_TCP,     \
			      1000, 80, 7))                                   \
	X(ct_update_mark_for_available_flow, H_CT, 0, 1,                      \
	  ctnl_ct_update_mark_for_available_flow(s->ct, kern.flows, 3,        \
						 "10.0.0.1", "10.0.0.2",      \
						 IPPROTO_TCP, 1000, 80, 7))   \
	X(ct_update_label, H_CT, 0, 1,                                        \
	  ctnl_ct_update_label(s->ct, CTNL_TABLE_CONNTRACK, kern.flows, 3,    \
			       "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000, 80, \
			       &label_value, &label_mask))                    \
	X(ct_update_label32, H_CT, 0, 1,                                      \
	  ctnl_ct_update_label32(s->ct, CTNL_TABLE_CONNTRACK, kern.flows, 3,  \
				 "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000,   \
				 80, CTNL_LABEL32_ENCRYPTED))                 \
	X(ct_delete_if, H_CT, 0, 2,                                           \
	  ctnl_ct_delete_if(s->ct, NULL, pick_port_80, s, NULL))              \
	X(ct_delete_if_in_netns, H_CT, OP_NETNS, 1,                           \
	  ctnl_ct_delete_if(s->ct, &tcp_v4, NULL, NULL, NULL))                \
	X(ct_set_timeout, H_CT, 0, 0, ctnl_ct_set_timeout(s->ct, 1000))       \
	X(ct_dump_with_deadline, H_CT, OP_DEADLINE, 3,                        \
	  ctnl_ct_dump(s->ct, NULL, count_flow, s, NULL))                     \
	X(ct_delete_if_with_deadline, H_CT, OP_DEADLINE, 2,                   \
	  ctnl_ct_delete_if(s->ct, NULL, pick_port_80, s, NULL))              \
	X(sock_clone, H_SOCK, 0, 0,                                           \
	  cloned(s, ctnl_sock_clone(s->sock, &s->clone)))                     \
	X(sock_clone_in_netns, H_SOCK, OP_NETNS, 0,                           \
	  cloned(s, ctnl_sock_clone(s->sock, &s->clone)))                     \
	X(addr_set_new, H_NONE, 0, 0, set_made(s, ctnl_addr_set_new(&s->set))) \
	X(addr_set_add, H_NONE, OP_SET, 1,                                    \
	  ctnl_addr_set_add(s->set, AF_INET, &some_addr))                     \
	X(addr_set_add_text, H_NONE, OP_SET, 1,                               \
	  ctnl_addr_set_add_text(s->set, "fd00::1"))                          \
	X(ct_close, H_CT, OP_CLOSES, 0, (ctnl_ct_close(s->ct), s->ct = NULL, 0))

struct op {
	const char *name;
	enum handle handle;
	unsigned int flags;
	int happy;
	int (*run)(struct sweep *s);
	const char *call;	/* its text, for the check of coverage */
};

#define RUN_FN(name, handle, flags, happy, call)                              \
	static int run_##name(struct sweep *s)                                \
	{                                                                     \
		return call;                                                  \
	}
OPS(RUN_FN)

#define TABLE_ROW(name, handle, flags, happy, call)                           \
	{ #name, handle, flags, happy, run_##name, #call },
static const struct op ops[] = { OPS(TABLE_ROW) };

/*
 * The public functions not in the table, and why: none makes a system
 * call or allocates (a list's array is allocated by the operation that
 * fills it, swept above), so no failure can be injected into them. Each
 * has its own tests of what it refuses (test_api_input.c) and computes.
 */
static const struct {
	const char *name;
	const char *why;
} not_swept[] = {
	{ "ctnl_version", "returns a static string" },
	{ "ctnl_syscalls_libc", "returns a static table" },
	{ "ctnl_proto_has_ports", "pure" },
	{ "ctnl_addr_to_text", "pure" },
	{ "ctnl_icmp_reply_type", "pure" },
	{ "ctnl_tuple_invert", "pure" },
	{ "ctnl_filter_match", "pure" },
	{ "ctnl_tuple_from_text", "pure: inet_pton() only" },
	{ "ctnl_event_type_name", "returns a static string" },
	{ "ctnl_ct_set_dump_retries", "sets a field of the handle" },
	{ "ctnl_addr_set_contains", "pure: reads the set" },
	{ "ctnl_addr_set_count", "pure: reads the set" },
	{ "ctnl_addr_set_has_src", "pure: reads the set" },
	{ "ctnl_addr_set_clear", "zeroes the set's memory, keeps it" },
	{ "ctnl_addr_set_free", "frees; run by every address set row" },
	{ "ctnl_ct_error_msg", "reads the handle" },
	{ "ctnl_sock_error_msg", "reads the handle" },
	{ "ctnl_list_free", "frees; run by every list row above" },
	{ "ctnl_build_dump", "builds into the caller's buffer" },
	{ "ctnl_build_get", "builds into the caller's buffer" },
	{ "ctnl_build_create", "builds into the caller's buffer" },
	{ "ctnl_build_update", "builds into the caller's buffer" },
	{ "ctnl_build_delete", "builds into the caller's buffer" },
	{ "ctnl_build_flush", "builds into the caller's buffer" },
	{ "ctnl_build_dump_expect", "builds into the caller's buffer" },
	{ "ctnl_build_flush_filtered", "builds into the caller's buffer" },
	{ "ctnl_build_stats", "builds into the caller's buffer" },
	{ "ctnl_build_stats_cpu", "builds into the caller's buffer" },
	{ "ctnl_build_get_expect", "builds into the caller's buffer" },
	{ "ctnl_build_create_expect", "builds into the caller's buffer" },
	{ "ctnl_build_delete_expect", "builds into the caller's buffer" },
	{ "ctnl_flow_parse", "parses the caller's message" },
	{ "ctnl_expect_parse", "parses the caller's message" },
	{ "ctnl_stats_parse", "parses the caller's message" },
	{ "ctnl_cpu_stats_parse", "parses the caller's message" },
	{ "ctnl_flow_format", "formats into the caller's buffer" },
	{ "ctnl_expect_format", "formats into the caller's buffer" },
	{ "ctnl_flow_format_opts", "formats into the caller's buffer" },
	{ "ctnl_expect_format_opts", "formats into the caller's buffer" },
	{ "ctnl_msg_fprint", "writes to the caller's stream; runs in "
			     "ct_dump_traced, called by ctnl_trace_print()" },
	{ "ctnl_trace_print", "a hook, handed over rather than called: runs "
			      "in ct_dump_traced" },
};

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
static const int e_ioctl[] = { -EBADF, -EMFILE, -ENFILE, -ENOMEM, -ENOTTY,
			       -EPERM };
static const int e_clock[] = { -EINVAL };

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
	[CTNL_FAKE_IOCTL] = { e_ioctl, N(e_ioctl) },
	[CTNL_FAKE_CLOCK] = { e_clock, N(e_clock) },
};

/* What a failing call must do to the operation. */
enum outcome {
	SURFACES,	/* the operation fails with that error */
	ABSORBED,	/* a retry or a fallback: it succeeds as usual */
	PARTIAL,	/* receive-only: a count, maybe short */
	REPORTED,	/* an overflow report: one event more than usual */
};

/* Whether call @k (1-based) of @trace comes before the first request. */
static bool before_requests(const struct call *trace, unsigned int k)
{
	for (unsigned int i = 0; i + 1 < k; i++)
		if (trace[i].kind == CTNL_FAKE_SENDMSG)
			return false;
	return true;
}

static enum outcome outcome_of(const struct op *op, const struct call *trace,
			       unsigned int k, int err)
{
	const struct call *c = &trace[k - 1];

	switch (c->kind) {
	case CTNL_FAKE_CLOSE:
		/* The descriptor is released whatever close() says. */
		return ABSORBED;
	case CTNL_FAKE_SENDMSG:
	case CTNL_FAKE_RECVMSG:
		if (err == -EINTR)
			return ABSORBED;
		if (c->kind == CTNL_FAKE_SENDMSG)
			return SURFACES;
		/* Events: the kernel's ENOBUFS is a loss to report. A
		 * resynchronisation reads the events first, and its re-dump
		 * makes up for any loss. */
		if ((op->flags & OP_EV_HANDLE) && before_requests(trace, k) &&
		    (err == -EAGAIN || err == -ENOBUFS))
			return ABSORBED;
		if ((op->flags & OP_ENDS) &&
		    (err == -EAGAIN || err == -ENOBUFS))
			return ABSORBED;
		if (err == -ENOBUFS && (op->flags & OP_REPORTS))
			return REPORTED;
		/* Receive-only: EAGAIN is "nothing more for now". A request
		 * on a non-blocking socket waits for its reply instead. */
		if (err == -EAGAIN && (op->flags & OP_RECEIVE))
			return PARTIAL;
		if (err == -EAGAIN && (op->flags & (OP_NONBLOCK | OP_DEADLINE)))
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
		/* An event filter the kernel will not take runs here. */
		if ((op->flags & OP_BPF) && c->level == SOL_SOCKET &&
		    c->name == SO_ATTACH_FILTER)
			return ABSORBED;
		return SURFACES;
	case CTNL_FAKE_GETSOCKOPT:
		/* Events: the drop counter or queue size is then unknown. */
		if ((op->flags & OP_MEMINFO) && c->level == SOL_SOCKET &&
		    c->name == SO_MEMINFO)
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
	s->trace_out = fopen("/dev/null", "w");
	assert_non_null(s->trace_out);
	setvbuf(s->trace_out, NULL, _IONBF, 0);

	if (op->handle == H_SOCK)
		assert_int_equal(ctnl_sock_open(&s->sys, &s->cfg, &s->sock), 0);
	if (op->handle == H_CT)
		assert_int_equal(ctnl_ct_open(&s->sys, &s->cfg, &s->ct), 0);
	if (op->flags & OP_JOINED)
		assert_int_equal(ctnl_sock_join(s->sock, 1), 0);
	if (op->flags & OP_SUBSCRIBED)
		assert_int_equal(ctnl_ct_subscribe_config(s->ct,
							  op->flags & OP_QUIET
								  ? &quiet_cfg
								  : &all_cfg),
				 0);
	if (op->flags & OP_SET)
		assert_int_equal(ctnl_addr_set_new(&s->set), 0);
	if (op->flags & OP_DEADLINE)
		assert_int_equal(ctnl_ct_set_timeout(s->ct, 1000), 0);
	if (op->flags & OP_EV_HANDLE) {
		assert_int_equal(ctnl_ct_open(&s->sys, &s->cfg, &s->ev), 0);
		assert_int_equal(ctnl_ct_subscribe(s->ev, CTNL_EVENT_ALL), 0);
	}
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
	ctnl_ct_close(s->ev);
	ctnl_sock_close(s->clone);
	ctnl_addr_set_free(s->set);
	ctnl_ct_close(s->ct);
	ctnl_sock_close(s->sock);
	fake_sys_free_checked(s->fake);
	fclose(s->trace_out);
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
	case REPORTED:
		if (ret != op->happy + 1 || s->overflows != 1)
			fail_msg("%s, call %u failing with %d: returned %d "
				 "with %u overflow reports, not %d with one",
				 op->name, k, err, ret, s->overflows,
				 op->happy + 1);
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
		unsigned int runs = 0;
		struct happy h;

		run_happy(op, &h);
		for (unsigned int k = 1; k <= h.calls; k++) {
			const struct call *c = &h.trace[k - 1];

			for (size_t e = 0; e < errnos[c->kind].n; e++, runs++) {
				int err = errnos[c->kind].errs[e];

				run_failing(op, k, err, 0,
					    outcome_of(op, h.trace, k, err));
			}
		}
		print_message("%-36s %2u calls: %3u runs\n", op->name, h.calls,
			      runs);
		total_runs += runs;
	}
	print_message("%zu operations, %lu failing runs\n", N(ops),
		      total_runs);
}

/* Each operation again, with each of its allocations failing in turn. */
static void test_fault_sweep_out_of_memory_of_every_operation(void **state)
{
	unsigned long total_runs = 0;

	(void)state;
	if (!heap_fail_nth(0))
		skip();
	for (size_t i = 0; i < N(ops); i++) {
		struct happy h;

		run_happy(&ops[i], &h);
		for (unsigned int n = 1; n <= h.allocs; n++, total_runs++)
			run_failing(&ops[i], 0, -ENOMEM, n, SURFACES);
		print_message("%-36s %2lu allocations\n", ops[i].name,
			      h.allocs);
	}
	print_message("%zu operations, %lu failing runs\n", N(ops),
		      total_runs);
}

/* ---- Every public function: swept, or said why not ---- */

/* Whether some row's call names @fn. */
static bool swept(const char *fn)
{
	char pat[96];

	snprintf(pat, sizeof(pat), "%s(", fn);
	for (size_t i = 0; i < N(ops); i++) {
		const char *p = ops[i].call;

		/* A whole name: not the tail of a longer one. */
		while ((p = strstr(p, pat)) != NULL) {
			if (p == ops[i].call ||
			    !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))
				return true;
			p++;
		}
	}
	return false;
}

static const char *why_not_swept(const char *fn)
{
	for (size_t i = 0; i < N(not_swept); i++)
		if (!strcmp(not_swept[i].name, fn))
			return not_swept[i].why;
	return NULL;
}

/* The names of the functions a public header declares CTNL_API, into
 * @names (@max of them, each 64 bytes); returns how many. */
static size_t api_names(const char *header, char (*names)[64], size_t max)
{
	char path[4096];
	FILE *f;
	char *text;
	size_t len, n = 0;
	const char *p;

	snprintf(path, sizeof(path), "%s/%s", CTNL_INCLUDE_DIR, header);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open", path);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[len] = '\0';
	for (p = text; (p = strstr(p, "\nCTNL_API ")) != NULL; p++) {
		const char *paren = strchr(p, '('), *end = paren, *start;

		assert_non_null(paren);
		while (end > p && end[-1] == ' ')
			end--;
		for (start = end; start > p && (isalnum((unsigned char)
							start[-1]) ||
						 start[-1] == '_');
		     start--)
			;
		assert_true(n < max && end - start > 0 && end - start < 64);
		memcpy(names[n], start, (size_t)(end - start));
		names[n][end - start] = '\0';
		n++;
	}
	free(text);
	return n;
}

/* The same for every header under @dir (relative to CTNL_INCLUDE_DIR, ""
 * or ending in '/'), in its subdirectories (sys/) too; counts the headers
 * read into *@headers. */
static size_t api_names_under(const char *dir, char (*names)[64], size_t max,
			      unsigned int *headers)
{
	char path[4096];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", CTNL_INCLUDE_DIR, dir);
	d = opendir(path);
	if (!d)
		fail_msg("%s: cannot open", path);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char rel[256], full[4096 + 256];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s%s", dir, e->d_name);
		snprintf(full, sizeof(full), "%s%s", path, e->d_name);
		assert_int_equal(stat(full, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			strcat(rel, "/");
			n += api_names_under(rel, names + n, max - n, headers);
		} else if (len > 2 && !strcmp(e->d_name + len - 2, ".h")) {
			n += api_names(rel, names + n, max - n);
			(*headers)++;
		}
	}
	closedir(d);
	return n;
}

static void test_fault_sweep_names_every_public_function(void **state)
{
	char (*names)[64] = calloc(256, sizeof(*names));
	size_t n, swept_n = 0;
	unsigned int headers = 0;

	(void)state;
	assert_non_null(names);
	n = api_names_under("", names, 256, &headers);
	/* ctnl.h, common.h, syscalls.h, sock.h, flow.h, events.h, compat.h,
	 * msg.h, conntrack.h and sys/: syscalls.h, sock.h, ct.h. */
	assert_int_equal(headers, 12);
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		bool is_swept = swept(names[i]);
		const char *why = why_not_swept(names[i]);

		if (!is_swept && !why)
			fail_msg("%s is neither swept nor said not to be",
				 names[i]);
		if (is_swept && why)
			fail_msg("%s is swept, and said not to be", names[i]);
		swept_n += is_swept;
	}
	/* No stale excuses: each names a public function. */
	for (size_t j = 0; j < N(not_swept); j++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(names[i], not_swept[j].name);
		if (!found)
			fail_msg("%s: no such public function",
				 not_swept[j].name);
	}
	print_message("%u headers, %zu public functions: %zu swept, %zu make "
		      "no system call\n", headers, n, swept_n, n - swept_n);
	free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_sweep_covers_every_operation),
		cmocka_unit_test(
			test_fault_sweep_out_of_memory_of_every_operation),
		cmocka_unit_test(test_fault_sweep_names_every_public_function),
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, build_kernel, free_kernel);
}
