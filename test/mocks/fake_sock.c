/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake socket handle: see <ctnl/mocks.h>.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include <ctnl/mocks.h>
#include <ctnl/sys/sock.h>

#include "walk.h"

struct blob {
	uint8_t *data;
	size_t len;
};

/* A queued event datagram, or (overflow) the point where messages were
 * dropped. */
struct event_item {
	struct blob msgs;
	bool overflow;
	uint32_t lost;
};

/* What getsockopt(SO_RCVBUF) says on Debian before anything is set. */
#define DEFAULT_RCVBUF 212992

struct reply {
	struct blob msgs;
	int status;
	char *errmsg;
};

/* A FIFO of fixed-size items. */
struct fifo {
	void *items;
	size_t head, tail, cap;
};

/* What the clone slot hands out: another handle on the same scripts and
 * records, as a second socket on the same kernel would be. */
struct twin {
	struct ctnl_sock iface;
	struct ctnl_fake_sock *parent;
};

struct ctnl_fake_sock {
	struct ctnl_sock iface;
	struct twin twin;
	size_t clones, twin_batch_calls;
	int clones_open;
	int clone_fail;
	struct fifo replies;		/* struct reply */
	struct fifo batch_results;	/* int */
	struct fifo events;		/* struct event_item */
	size_t event_off;		/* delivered bytes of the head item */
	int efd;			/* eventfd: readable while events wait */
	int options[CTNL_SOCK_OPT_DEADLINE + 1];	/* -1: never set */
	struct sock_filter *filter;
	unsigned int filter_len;
	uint32_t drops;
	int batch_fail;
	struct blob *sent;
	size_t nsent, sentcap;
	size_t batch_calls, request_calls;
	uint32_t groups;
	bool closed;
	char *errmsg;			/* of the last request */
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ctnl fake sock: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void *xmemdup(const void *p, size_t n)
{
	void *d = malloc(n ? n : 1);

	if (!d)
		die("out of memory");
	if (n)
		memcpy(d, p, n);
	return d;
}

static void *fifo_push(struct fifo *q, size_t size)
{
	if (q->tail == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 8;
		q->items = realloc(q->items, q->cap * size);
		if (!q->items)
			die("out of memory");
	}
	return (uint8_t *)q->items + q->tail++ * size;
}

static void *fifo_pop(struct fifo *q, size_t size)
{
	if (q->head == q->tail)
		return NULL;
	return (uint8_t *)q->items + q->head++ * size;
}

static void record(struct ctnl_fake_sock *f, const struct nlmsghdr *nlh)
{
	if (f->nsent == f->sentcap) {
		f->sentcap = f->sentcap ? f->sentcap * 2 : 16;
		f->sent = realloc(f->sent, f->sentcap * sizeof(*f->sent));
		if (!f->sent)
			die("out of memory");
	}
	f->sent[f->nsent++] = (struct blob){ xmemdup(nlh, nlh->nlmsg_len),
					     nlh->nlmsg_len };
}

/* The status an NLMSG_ERROR or NLMSG_DONE carries. */
static int message_status(const struct nlmsghdr *nlh)
{
	int status = 0;

	if (nlh->nlmsg_type == NLMSG_ERROR &&
	    mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct nlmsgerr))
		status = ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))
				 ->error;
	else if (nlh->nlmsg_type == NLMSG_DONE &&
		 mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	return status;
}

static int fake_request(void *ctx, struct nlmsghdr *req, ctnl_sock_msg_cb cb,
			void *data)
{
	struct ctnl_fake_sock *f = ctx;
	const struct nlmsghdr *nlh;
	struct reply *r;
	bool stopped = false, intr = false;
	int rem, status;

	if (!req)
		return -EINVAL;
	f->request_calls++;
	record(f, req);
	free(f->errmsg);
	f->errmsg = NULL;
	r = fifo_pop(&f->replies, sizeof(*r));
	if (!r)
		die("no reply scripted for request #%zu (type 0x%x)",
		    f->request_calls, req->nlmsg_type);

	status = r->status;
	nlh = (const void *)r->msgs.data;
	rem = (int)r->msgs.len;
	for (; fake_msg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		int ret;

		intr |= (nlh->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
		if (nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR) {
			status = message_status(nlh);
			break;
		}
		if (stopped || nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		if (!cb) {
			status = -EBADMSG;
			break;
		}
		ret = cb(nlh, data);
		if (ret < 0) {
			status = ret;
			break;
		}
		stopped = ret != CTNL_CB_OK;
	}
	if (r->errmsg && status < 0)
		f->errmsg = r->errmsg;
	else
		free(r->errmsg);
	free(r->msgs.data);
	return status == 0 && intr ? -EINTR : status;
}

static int fake_batch(void *ctx, void *buf, size_t len, int *results,
		      size_t count)
{
	struct ctnl_fake_sock *f = ctx;
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len, accepted = 0;
	size_t i = 0;

	f->batch_calls++;
	if (!buf || !results || count == 0)
		return -EINVAL;
	if (f->batch_fail) {
		int err = f->batch_fail;

		f->batch_fail = 0;
		for (i = 0; i < count; i++)
			results[i] = err;
		return err;
	}
	for (; fake_msg_ok(nlh, rem) && i < count;
	     nlh = mnl_nlmsg_next(nlh, &rem), i++) {
		int *r = fifo_pop(&f->batch_results, sizeof(*r));

		record(f, nlh);
		results[i] = r ? *r : 0;
		accepted += results[i] == 0;
	}
	if (i != count || rem > 0)
		die("batch of %zu requests holds %zu", count, i);
	return accepted;
}

static int fake_join(void *ctx, unsigned int group)
{
	struct ctnl_fake_sock *f = ctx;

	if (group == 0 || group > 32)
		return -EINVAL;
	f->groups |= 1u << (group - 1);
	return 0;
}

static int fake_leave(void *ctx, unsigned int group)
{
	struct ctnl_fake_sock *f = ctx;

	if (group == 0 || group > 32)
		return -EINVAL;
	f->groups &= ~(1u << (group - 1));
	return 0;
}

static size_t events_queued(const struct ctnl_fake_sock *f)
{
	return f->events.tail - f->events.head;
}

/* The eventfd counts queued items (EFD_SEMAPHORE: one read, one item). */
static int fake_fd(void *ctx)
{
	struct ctnl_fake_sock *f = ctx;

	if (f->efd < 0) {
		f->efd = eventfd((unsigned int)events_queued(f),
				 EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
		if (f->efd < 0)
			return -errno;
	}
	return f->efd;
}

static void signal_item(struct ctnl_fake_sock *f, bool added)
{
	uint64_t one = 1;

	if (f->efd < 0)
		return;
	if ((added ? write(f->efd, &one, sizeof(one))
		   : read(f->efd, &one, sizeof(one))) != sizeof(one))
		die("eventfd: %s", strerror(errno));
}

static void pop_event(struct ctnl_fake_sock *f)
{
	struct event_item *it = fifo_pop(&f->events, sizeof(*it));

	free(it->msgs.data);
	f->event_off = 0;
	signal_item(f, false);
}

/* Whether the socket filter, if any, keeps datagram @b. */
static bool filter_keeps(const struct ctnl_fake_sock *f, const struct blob *b)
{
	return !f->filter ||
	       ctnl_fake_bpf_run(f->filter, f->filter_len, b->data, b->len) > 0;
}

/* Hands over queued datagrams; a callback that stops part-way through one
 * leaves the rest of it for the next call, as the real handle does. */
static int fake_receive(void *ctx, ctnl_sock_msg_cb cb, void *data)
{
	struct ctnl_fake_sock *f = ctx;
	int count = 0;

	while (events_queued(f) > 0) {
		struct event_item *it = (struct event_item *)f->events.items +
					f->events.head;
		const struct nlmsghdr *nlh;
		int rem, ret = CTNL_CB_OK;

		if (it->overflow) {
			f->drops += it->lost;
			pop_event(f);
			if (f->options[CTNL_SOCK_OPT_NO_ENOBUFS] == 1)
				continue;
			return -ENOBUFS;
		}
		if (f->event_off == 0 && !filter_keeps(f, &it->msgs)) {
			pop_event(f);
			continue;
		}
		nlh = (const void *)(it->msgs.data + f->event_off);
		rem = (int)(it->msgs.len - f->event_off);
		while (ret == CTNL_CB_OK && fake_msg_ok(nlh, rem)) {
			const struct nlmsghdr *cur = nlh;

			nlh = mnl_nlmsg_next(nlh, &rem);
			f->event_off = it->msgs.len - (size_t)(rem > 0 ? rem : 0);
			count++;
			ret = cb(cur, data);
		}
		if (rem <= 0 || !fake_msg_ok(nlh, rem))
			pop_event(f);
		if (ret != CTNL_CB_OK)
			return ret < 0 ? ret : count;
	}
	return count;
}

static int fake_wait(void *ctx, int timeout_ms)
{
	struct ctnl_fake_sock *f = ctx;

	(void)timeout_ms;
	return events_queued(f) > 0;
}

static int fake_set_option(void *ctx, enum ctnl_sock_option opt, int value)
{
	struct ctnl_fake_sock *f = ctx;

	if (opt < CTNL_SOCK_OPT_RCVBUF || opt > CTNL_SOCK_OPT_DEADLINE)
		return -EINVAL;
	if (opt == CTNL_SOCK_OPT_DEADLINE ? value < -1
	    : opt == CTNL_SOCK_OPT_RCVBUF ? value <= 0
					  : value != 0 && value != 1)
		return -EINVAL;
	f->options[opt] = value;
	return 0;
}

static int fake_set_filter(void *ctx, const struct sock_filter *prog,
			   unsigned int len)
{
	struct ctnl_fake_sock *f = ctx;

	if (prog && len > 0 && ctnl_fake_bpf_check(prog, len) < 0)
		return -EINVAL;
	free(f->filter);
	f->filter = NULL;
	f->filter_len = 0;
	if (prog && len > 0) {
		f->filter = xmemdup(prog, len * sizeof(*prog));
		f->filter_len = len;
	}
	return 0;
}

static int fake_stats(void *ctx, struct ctnl_sock_stats *out)
{
	struct ctnl_fake_sock *f = ctx;
	int rcvbuf = f->options[CTNL_SOCK_OPT_RCVBUF];

	memset(out, 0, sizeof(*out));
	/* The kernel doubles the size it is given, for its bookkeeping. */
	out->rcvbuf = rcvbuf > 0 ? 2 * (uint32_t)rcvbuf : DEFAULT_RCVBUF;
	for (size_t i = f->events.head; i < f->events.tail; i++)
		out->queued += (uint32_t)((struct event_item *)f->events.items)[i]
				       .msgs.len;
	out->drops = f->drops;
	return 0;
}

static const char *fake_error_msg(void *ctx)
{
	struct ctnl_fake_sock *f = ctx;

	return f->errmsg;
}

static void fake_destroy(void *ctx)
{
	struct ctnl_fake_sock *f = ctx;

	f->closed = true;
}

static int fake_clone(void *ctx, struct ctnl_sock **ret);

static int twin_request(void *ctx, struct nlmsghdr *req, ctnl_sock_msg_cb cb,
			void *data)
{
	struct twin *t = ctx;

	return fake_request(t->parent, req, cb, data);
}

static int twin_batch(void *ctx, void *buf, size_t len, int *results,
		      size_t count)
{
	struct twin *t = ctx;

	t->parent->twin_batch_calls++;
	return fake_batch(t->parent, buf, len, results, count);
}

static const char *twin_error_msg(void *ctx)
{
	struct twin *t = ctx;

	return t->parent->errmsg;
}

static int twin_clone(void *ctx, struct ctnl_sock **ret)
{
	struct twin *t = ctx;

	return fake_clone(t->parent, ret);
}

static void twin_destroy(void *ctx)
{
	struct twin *t = ctx;

	if (t->parent->clones_open == 0)
		die("a clone closed twice");
	t->parent->clones_open--;
}

static const struct ctnl_sock_ops twin_ops = {
	.size = sizeof(struct ctnl_sock_ops),
	.request = twin_request,
	.batch = twin_batch,
	.error_msg = twin_error_msg,
	.destroy = twin_destroy,
	.clone = twin_clone,
};

static int fake_clone(void *ctx, struct ctnl_sock **ret)
{
	struct ctnl_fake_sock *f = ctx;

	if (f->clone_fail) {
		int err = f->clone_fail;

		f->clone_fail = 0;
		return err;
	}
	f->clones++;
	f->clones_open++;
	*ret = &f->twin.iface;
	return 0;
}

static const struct ctnl_sock_ops fake_sock_ops = {
	.size = sizeof(struct ctnl_sock_ops),
	.request = fake_request,
	.batch = fake_batch,
	.join = fake_join,
	.leave = fake_leave,
	.fd = fake_fd,
	.receive = fake_receive,
	.wait = fake_wait,
	.set_option = fake_set_option,
	.set_filter = fake_set_filter,
	.stats = fake_stats,
	.error_msg = fake_error_msg,
	.destroy = fake_destroy,
	.clone = fake_clone,
};

int ctnl_fake_sock_new(struct ctnl_fake_sock **ret)
{
	struct ctnl_fake_sock *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->iface.ops = &fake_sock_ops;
	f->iface.ctx = f;
	f->twin = (struct twin){ .iface = { &twin_ops, &f->twin },
				 .parent = f };
	f->efd = -1;
	for (size_t i = 0; i < sizeof(f->options) / sizeof(f->options[0]); i++)
		f->options[i] = -1;
	*ret = f;
	return 0;
}

void ctnl_fake_sock_free(struct ctnl_fake_sock *f)
{
	struct reply *r;
	struct event_item *it;

	if (!f)
		return;
	while ((r = fifo_pop(&f->replies, sizeof(*r)))) {
		free(r->msgs.data);
		free(r->errmsg);
	}
	while ((it = fifo_pop(&f->events, sizeof(*it))))
		free(it->msgs.data);
	if (f->efd >= 0)
		close(f->efd);
	free(f->filter);
	for (size_t i = 0; i < f->nsent; i++)
		free(f->sent[i].data);
	free(f->replies.items);
	free(f->batch_results.items);
	free(f->events.items);
	free(f->sent);
	free(f->errmsg);
	free(f);
}

struct ctnl_sock *ctnl_fake_sock_sock(struct ctnl_fake_sock *f)
{
	return &f->iface;
}

void ctnl_fake_sock_reply(struct ctnl_fake_sock *f, const void *msgs,
			  size_t len, int status, const char *errmsg)
{
	struct reply *r = fifo_push(&f->replies, sizeof(*r));

	r->msgs = (struct blob){ xmemdup(msgs, len), len };
	r->status = status;
	r->errmsg = errmsg ? xmemdup(errmsg, strlen(errmsg) + 1) : NULL;
}

void ctnl_fake_sock_batch_result(struct ctnl_fake_sock *f, int result)
{
	*(int *)fifo_push(&f->batch_results, sizeof(int)) = result;
}

void ctnl_fake_sock_batch_fail(struct ctnl_fake_sock *f, int err)
{
	f->batch_fail = err;
}

void ctnl_fake_sock_queue_event(struct ctnl_fake_sock *f, const void *msgs,
				size_t len)
{
	struct event_item *it = fifo_push(&f->events, sizeof(*it));

	*it = (struct event_item){ .msgs = { xmemdup(msgs, len), len } };
	signal_item(f, true);
}

void ctnl_fake_sock_queue_overflow(struct ctnl_fake_sock *f, uint32_t lost)
{
	struct event_item *it = fifo_push(&f->events, sizeof(*it));

	*it = (struct event_item){ .msgs = { xmemdup(NULL, 0), 0 },
				   .overflow = true,
				   .lost = lost };
	signal_item(f, true);
}

int ctnl_fake_sock_option(const struct ctnl_fake_sock *f,
			  enum ctnl_sock_option opt)
{
	if (opt < CTNL_SOCK_OPT_RCVBUF || opt > CTNL_SOCK_OPT_DEADLINE)
		return -1;
	return f->options[opt];
}

const struct sock_filter *ctnl_fake_sock_filter(const struct ctnl_fake_sock *f,
						unsigned int *len)
{
	if (len)
		*len = f->filter_len;
	return f->filter;
}

size_t ctnl_fake_sock_sent_count(const struct ctnl_fake_sock *f)
{
	return f->nsent;
}

const struct nlmsghdr *ctnl_fake_sock_sent(const struct ctnl_fake_sock *f,
					   size_t i)
{
	return i < f->nsent ? (const void *)f->sent[i].data : NULL;
}

size_t ctnl_fake_sock_batch_calls(const struct ctnl_fake_sock *f)
{
	return f->batch_calls;
}

size_t ctnl_fake_sock_request_calls(const struct ctnl_fake_sock *f)
{
	return f->request_calls;
}

size_t ctnl_fake_sock_unused(const struct ctnl_fake_sock *f)
{
	return (f->replies.tail - f->replies.head) +
	       (f->batch_results.tail - f->batch_results.head);
}

bool ctnl_fake_sock_closed(const struct ctnl_fake_sock *f)
{
	return f->closed;
}

void ctnl_fake_sock_clone_fail(struct ctnl_fake_sock *f, int err)
{
	f->clone_fail = err;
}

size_t ctnl_fake_sock_clones(const struct ctnl_fake_sock *f)
{
	return f->clones;
}

int ctnl_fake_sock_clones_open(const struct ctnl_fake_sock *f)
{
	return f->clones_open;
}

size_t ctnl_fake_sock_clone_batch_calls(const struct ctnl_fake_sock *f)
{
	return f->twin_batch_calls;
}

uint32_t ctnl_fake_sock_groups(const struct ctnl_fake_sock *f)
{
	return f->groups;
}
