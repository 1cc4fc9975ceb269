/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scripted fake syscall table: see <ctnl/mocks.h>.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include <ctnl/mocks.h>
#include <ctnl/sys/syscalls.h>

#include "walk.h"

#define FD_BASE 100
#define MAX_FDS 64
#define SELF_NETNS "/proc/thread-self/ns/net"
/* What getsockopt(SO_RCVBUF/SO_SNDBUF) reports before anything is set:
 * Debian's net.core.rmem_default. */
#define DEFAULT_QUEUE 212992

enum item_kind { ITEM_DATA, ITEM_RAW, ITEM_ACK, ITEM_DONE, ITEM_ERRNO };

struct item {
	enum item_kind kind;
	int fd;			/* the socket it is queued for; -1: any */
	uint32_t sender;
	uint32_t groups;
	uint8_t *data;		/* ITEM_DATA, ITEM_RAW */
	size_t len;
	unsigned int index;	/* ITEM_ACK */
	int status;		/* ITEM_ACK, ITEM_DONE, ITEM_ERRNO */
	char *msg;		/* ITEM_ACK */
};

struct rule {
	int call;		/* enum ctnl_fake_call, or -1 for any */
	unsigned int nth;
	int err;
};

struct fd_entry {
	bool open;
	bool is_socket;
	/* A socket: the namespace it was made in. A namespace file: the
	 * namespace it stands for. */
	char *netns;
};

struct sockopt {
	int level, name, val;
};

struct blob {
	uint8_t *data;
	size_t len;
	int fd;			/* sent: the socket that sent it */
};

struct ctnl_fake_sys {
	struct ctnl_syscalls table;
	uint32_t portid;

	struct item *queue;
	size_t qhead, qtail, qcap;

	struct blob *sent;
	size_t nsent, sentcap;

	struct rule *rules;
	size_t nrules, rulecap;
	unsigned int calls[CTNL_FAKE_NCALLS];
	unsigned int total;
	int last_failed;

	struct fd_entry fds[MAX_FDS];
	int bad_closes;
	int socket_type;
	char *netns;
	char *socket_netns;

	struct sockopt *opts;
	size_t nopts, optcap;

	ctnl_fake_responder responder;
	void *responder_data;
	/* While a responder runs: the socket whose request it answers, which
	 * its replies are queued for. -1 otherwise. */
	int responding_fd;

	/* The socket filter attached (SO_ATTACH_FILTER), run on every
	 * datagram as it is received; NULL: none. */
	struct sock_filter *filter;
	unsigned int filter_len;
	/* The kernel's drop counter and a pending socket error (sk_err),
	 * reported by the next recvmsg() before anything queued. */
	uint32_t drops;
	int pending_err;
	/* NETLINK_S_CONGESTED: set with the ENOBUFS of a drop, cleared when
	 * a recvmsg() leaves the queue empty (netlink_rcv_wake()); in
	 * between, drops are counted without a word. */
	bool congested;
	/* CLOCK_MONOTONIC, in ns: moves only when told, or when poll()
	 * waits for nothing to happen. */
	int64_t now_ns;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ctnl fake syscalls: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

static void *xmemdup(const void *p, size_t n)
{
	void *d = xrealloc(NULL, n);

	memcpy(d, p, n);
	return d;
}

/* Grows the array *@arr of *@cap elements of @size to hold @need. */
static void reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	*cap = need < 8 ? 8 : need * 2;
	*arr = xrealloc(*arr, *cap * size);
}

/* ---- Call accounting and failures ---- */

static int enter(struct ctnl_fake_sys *f, enum ctnl_fake_call call)
{
	f->calls[call]++;
	f->total++;
	for (size_t i = 0; i < f->nrules; i++) {
		const struct rule *r = &f->rules[i];

		if ((r->call == (int)call && r->nth == f->calls[call]) ||
		    (r->call < 0 && r->nth == f->total)) {
			f->last_failed = (int)call;
			return r->err;
		}
	}
	return 0;
}

static void add_rule(struct ctnl_fake_sys *f, int call, unsigned int nth,
		     int err)
{
	if (err >= 0 && err != CTNL_FAKE_SHORT)
		die("failure %d for call #%u is not a negative errno", err,
		    nth);
	reserve((void **)&f->rules, &f->rulecap, f->nrules + 1,
		sizeof(*f->rules));
	f->rules[f->nrules++] = (struct rule){ call, nth, err };
}

void ctnl_fake_sys_fail(struct ctnl_fake_sys *f, enum ctnl_fake_call call,
			unsigned int nth, int err)
{
	if ((unsigned int)call >= CTNL_FAKE_NCALLS)
		die("no such call %d", (int)call);
	add_rule(f, (int)call, nth, err);
}

void ctnl_fake_sys_fail_any(struct ctnl_fake_sys *f, unsigned int nth,
			    int err)
{
	add_rule(f, -1, nth, err);
}

/* A short send makes sense for sendmsg only; elsewhere it is an error. */
static int failure(int err)
{
	return err == CTNL_FAKE_SHORT ? -EIO : err;
}

/* ---- Descriptors ---- */

static struct fd_entry *lookup_fd(struct ctnl_fake_sys *f, int fd)
{
	if (fd < FD_BASE || fd >= FD_BASE + MAX_FDS ||
	    !f->fds[fd - FD_BASE].open)
		return NULL;
	return &f->fds[fd - FD_BASE];
}

static struct fd_entry *lookup_socket(struct ctnl_fake_sys *f, int fd)
{
	struct fd_entry *e = lookup_fd(f, fd);

	return e && e->is_socket ? e : NULL;
}

static int new_fd(struct ctnl_fake_sys *f, bool is_socket, const char *netns)
{
	for (int i = 0; i < MAX_FDS; i++) {
		if (f->fds[i].open)
			continue;
		f->fds[i] = (struct fd_entry){ .open = true,
					       .is_socket = is_socket,
					       .netns = xstrdup(netns) };
		return FD_BASE + i;
	}
	return -EMFILE;
}

/* ---- The syscalls ---- */

static int fake_socket(void *ctx, int domain, int type, int protocol)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_SOCKET), fd;

	(void)protocol;
	if (err)
		return failure(err);
	if (domain != AF_NETLINK)
		return -EAFNOSUPPORT;
	fd = new_fd(f, true, f->netns);
	if (fd >= 0) {
		f->socket_type = type;
		free(f->socket_netns);
		f->socket_netns = xstrdup(f->netns);
	}
	return fd;
}

static int fake_bind(void *ctx, int fd, const struct sockaddr *addr,
		     socklen_t addrlen)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_BIND);

	if (err)
		return failure(err);
	if (!lookup_socket(f, fd))
		return -EBADF;
	if (addrlen < sizeof(struct sockaddr_nl) ||
	    addr->sa_family != AF_NETLINK)
		return -EINVAL;
	return 0;
}

static int fake_getsockname(void *ctx, int fd, struct sockaddr *addr,
			    socklen_t *addrlen)
{
	struct ctnl_fake_sys *f = ctx;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK,
				  .nl_pid = f->portid };
	int err = enter(f, CTNL_FAKE_GETSOCKNAME);

	if (err)
		return failure(err);
	if (!lookup_socket(f, fd))
		return -EBADF;
	memcpy(addr, &nl, *addrlen < sizeof(nl) ? *addrlen : sizeof(nl));
	*addrlen = sizeof(nl);
	return 0;
}

/* As the kernel does: the program is checked, then copied. */
static int attach_filter(struct ctnl_fake_sys *f, const void *val,
			 socklen_t len)
{
	struct sock_fprog prog;

	if (len != sizeof(prog))
		return -EINVAL;
	memcpy(&prog, val, sizeof(prog));
	if (ctnl_fake_bpf_check(prog.filter, prog.len) < 0)
		return -EINVAL;
	free(f->filter);
	f->filter = xmemdup(prog.filter, prog.len * sizeof(*prog.filter));
	f->filter_len = prog.len;
	return 0;
}

static int fake_setsockopt(void *ctx, int fd, int level, int name,
			   const void *val, socklen_t len)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_SETSOCKOPT), v;

	if (err)
		return failure(err);
	if (!lookup_socket(f, fd))
		return -EBADF;
	if (level == SOL_SOCKET && name == SO_ATTACH_FILTER)
		return attach_filter(f, val, len);
	if (len != sizeof(int))
		return -EINVAL;
	if (level == SOL_SOCKET && name == SO_DETACH_FILTER) {
		if (!f->filter)
			return -ENOENT;
		free(f->filter);
		f->filter = NULL;
		f->filter_len = 0;
		return 0;
	}
	memcpy(&v, val, sizeof(v));
	/* As netlink_setsockopt() does: a quiet socket is not congested. */
	if (level == SOL_NETLINK && name == NETLINK_NO_ENOBUFS && v)
		f->congested = false;
	reserve((void **)&f->opts, &f->optcap, f->nopts + 1, sizeof(*f->opts));
	f->opts[f->nopts++] = (struct sockopt){ level, name, v };
	return 0;
}

/* The kernel doubles a queue size it is given, for bookkeeping overhead. */
static int queue_size(const struct ctnl_fake_sys *f, int name, int force)
{
	for (size_t i = f->nopts; i-- > 0;) {
		const struct sockopt *o = &f->opts[i];

		if (o->level == SOL_SOCKET && (o->name == name ||
					       o->name == force))
			return 2 * o->val;
	}
	return DEFAULT_QUEUE;
}

/* SO_MEMINFO: as much of the array as asked for, as the kernel does. */
static int meminfo(const struct ctnl_fake_sys *f, int fd, void *val,
		   socklen_t *len)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };

	for (size_t i = f->qhead; i < f->qtail; i++)
		if (f->queue[i].fd < 0 || f->queue[i].fd == fd)
			mem[SK_MEMINFO_RMEM_ALLOC] += (uint32_t)f->queue[i].len;
	mem[SK_MEMINFO_RCVBUF] = (uint32_t)queue_size(f, SO_RCVBUF,
						      SO_RCVBUFFORCE);
	mem[SK_MEMINFO_SNDBUF] = (uint32_t)queue_size(f, SO_SNDBUF,
						      SO_SNDBUFFORCE);
	mem[SK_MEMINFO_DROPS] = f->drops;
	if (*len > sizeof(mem))
		*len = sizeof(mem);
	memcpy(val, mem, *len);
	return 0;
}

static int fake_getsockopt(void *ctx, int fd, int level, int name, void *val,
			   socklen_t *len)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_GETSOCKOPT), v;

	if (err)
		return failure(err);
	if (!lookup_socket(f, fd))
		return -EBADF;
	if (level == SOL_SOCKET && name == SO_MEMINFO)
		return meminfo(f, fd, val, len);
	if (*len < sizeof(int))
		return -EINVAL;
	if (level == SOL_SOCKET && name == SO_RCVBUF)
		v = queue_size(f, SO_RCVBUF, SO_RCVBUFFORCE);
	else if (level == SOL_SOCKET && name == SO_SNDBUF)
		v = queue_size(f, SO_SNDBUF, SO_SNDBUFFORCE);
	else if (ctnl_fake_sys_sockopt(f, level, name, &v) < 0)
		return -ENOPROTOOPT;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static void respond(struct ctnl_fake_sys *f, const struct blob *dgram)
{
	const struct nlmsghdr *nlh = (const void *)dgram->data;
	int rem = (int)dgram->len;

	if (!f->responder)
		return;
	f->responding_fd = dgram->fd;
	for (unsigned int i = 0; fake_msg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem), i++)
		f->responder(f, i, nlh, f->responder_data);
	f->responding_fd = -1;
}

static ssize_t fake_sendmsg(void *ctx, int fd, const struct msghdr *msg,
			    int flags)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_SENDMSG);
	struct blob b = { NULL, 0, fd };

	(void)flags;
	if (err && err != CTNL_FAKE_SHORT)
		return err;
	if (!lookup_socket(f, fd))
		return -EBADF;
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		b.len += msg->msg_iov[i].iov_len;
	b.data = xrealloc(NULL, b.len);
	for (size_t i = 0, off = 0; i < msg->msg_iovlen; i++) {
		memcpy(b.data + off, msg->msg_iov[i].iov_base,
		       msg->msg_iov[i].iov_len);
		off += msg->msg_iov[i].iov_len;
	}
	if (err == CTNL_FAKE_SHORT) {
		free(b.data);
		return b.len > 0 ? (ssize_t)b.len - 1 : 0;
	}
	reserve((void **)&f->sent, &f->sentcap, f->nsent + 1,
		sizeof(*f->sent));
	f->sent[f->nsent++] = b;
	respond(f, &b);
	return (ssize_t)b.len;
}

/* Message @index of the last datagram sent on @fd (-1: on any socket). */
static const struct nlmsghdr *sent_message(const struct ctnl_fake_sys *f,
					   int fd, unsigned int index)
{
	const struct blob *last = NULL;
	const struct nlmsghdr *nlh;
	int rem;

	for (size_t i = f->nsent; i-- > 0 && !last;)
		if (fd < 0 || f->sent[i].fd == fd)
			last = &f->sent[i];
	if (!last)
		die("a reply was received before any request was sent");
	nlh = (const void *)last->data;
	rem = (int)last->len;
	for (unsigned int i = 0; fake_msg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem), i++)
		if (i == index)
			return nlh;
	die("no message #%u in the last datagram sent", index);
	return NULL;
}

/* The bytes an item stands for, built now: stamped against the most recent
 * request. The caller frees *@out. */
static size_t build_item(const struct ctnl_fake_sys *f, const struct item *it,
			 uint8_t **out)
{
	const struct nlmsghdr *req;
	struct nlmsghdr *nlh;
	uint8_t *buf;

	switch (it->kind) {
	case ITEM_RAW:
		*out = xmemdup(it->data, it->len);
		return it->len;
	case ITEM_DATA: {
		int rem = (int)it->len;

		req = sent_message(f, it->fd, 0);
		buf = xmemdup(it->data, it->len);
		for (nlh = (void *)buf; fake_msg_ok(nlh, rem);
		     nlh = mnl_nlmsg_next(nlh, &rem)) {
			nlh->nlmsg_seq = req->nlmsg_seq;
			nlh->nlmsg_pid = f->portid;
		}
		*out = buf;
		return it->len;
	}
	case ITEM_ACK: {
		struct nlmsgerr *e;

		req = sent_message(f, it->fd, it->index);
		buf = xrealloc(NULL, MNL_SOCKET_BUFFER_SIZE);
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_flags = NLM_F_CAPPED;
		nlh->nlmsg_seq = req->nlmsg_seq;
		nlh->nlmsg_pid = f->portid;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = it->status;
		e->msg = *req;
		if (it->msg) {
			nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
			mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, it->msg);
		}
		*out = buf;
		return nlh->nlmsg_len;
	}
	case ITEM_DONE: {
		req = sent_message(f, it->fd, 0);
		buf = xrealloc(NULL, MNL_SOCKET_BUFFER_SIZE);
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = NLMSG_DONE;
		nlh->nlmsg_flags = NLM_F_MULTI;
		nlh->nlmsg_seq = req->nlmsg_seq;
		nlh->nlmsg_pid = f->portid;
		memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(int)),
		       &it->status, sizeof(int));
		*out = buf;
		return nlh->nlmsg_len;
	}
	case ITEM_ERRNO:
		break;
	}
	die("item of kind %d has no bytes", (int)it->kind);
	return 0;
}

static void free_item(struct item *it)
{
	free(it->data);
	free(it->msg);
}

/* The position of the first item socket @fd can receive; qtail if none. */
static size_t next_for(const struct ctnl_fake_sys *f, int fd)
{
	size_t i = f->qhead;

	while (i < f->qtail && f->queue[i].fd >= 0 && f->queue[i].fd != fd)
		i++;
	return i;
}

/* Takes item @pos (already freed) out of the queue, keeping the order. */
static void take_item(struct ctnl_fake_sys *f, size_t pos)
{
	if (pos == f->qhead) {
		f->qhead++;
		return;
	}
	memmove(&f->queue[pos], &f->queue[pos + 1],
		(f->qtail - pos - 1) * sizeof(*f->queue));
	f->qtail--;
}

static void copy_to_iov(const struct msghdr *msg, const uint8_t *data,
			size_t len, size_t *copied)
{
	*copied = 0;
	for (size_t i = 0; i < msg->msg_iovlen && *copied < len; i++) {
		size_t n = msg->msg_iov[i].iov_len;

		if (n > len - *copied)
			n = len - *copied;
		memcpy(msg->msg_iov[i].iov_base, data + *copied, n);
		*copied += n;
	}
}

static ssize_t recv_item(struct ctnl_fake_sys *f, int fd, struct msghdr *msg,
			 int flags)
{
	struct item *it;
	uint8_t *bytes;
	size_t len, copied, pos;
	int err;

	if (f->pending_err) {
		err = f->pending_err;
		f->pending_err = 0;
		return err;
	}

	/* A datagram the socket filter drops was never queued, as far as
	 * the code under test can tell: skip it, whatever the flags. */
	for (;;) {
		pos = next_for(f, fd);
		if (pos == f->qtail)
			return -EAGAIN;
		it = &f->queue[pos];
		if (it->kind == ITEM_ERRNO) {
			err = it->status;
			if (!(flags & MSG_PEEK))
				take_item(f, pos);
			return err;
		}
		len = build_item(f, it, &bytes);
		if (!f->filter ||
		    ctnl_fake_bpf_run(f->filter, f->filter_len, bytes, len) > 0)
			break;
		free(bytes);
		free_item(it);
		take_item(f, pos);
	}

	copy_to_iov(msg, bytes, len, &copied);
	free(bytes);
	msg->msg_flags = copied < len ? MSG_TRUNC : 0;
	if (msg->msg_name && msg->msg_namelen >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl from = { .nl_family = AF_NETLINK,
					    .nl_pid = it->sender,
					    .nl_groups = it->groups };

		memcpy(msg->msg_name, &from, sizeof(from));
		msg->msg_namelen = sizeof(from);
	}
	if (!(flags & MSG_PEEK)) {
		free_item(it);
		take_item(f, pos);
	}
	return (flags & MSG_TRUNC) ? (ssize_t)len : (ssize_t)copied;
}

static ssize_t fake_recvmsg(void *ctx, int fd, struct msghdr *msg, int flags)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_RECVMSG);
	ssize_t n;

	if (err)
		return failure(err);
	if (!lookup_socket(f, fd))
		return -EBADF;
	n = recv_item(f, fd, msg, flags);
	/* Every recvmsg() ends in netlink_rcv_wake(). */
	if (next_for(f, fd) == f->qtail)
		f->congested = false;
	return n;
}

static int fake_poll(void *ctx, struct pollfd *fds, nfds_t nfds,
		     int timeout_ms)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_POLL), ready = 0;

	if (err)
		return failure(err);
	for (nfds_t i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		if (!lookup_fd(f, fds[i].fd))
			fds[i].revents = POLLNVAL;
		else if (f->pending_err)
			fds[i].revents = POLLERR;
		else if (next_for(f, fds[i].fd) != f->qtail)
			fds[i].revents = fds[i].events & POLLIN;
		ready += fds[i].revents != 0;
	}
	/* Nothing came: the whole timeout passed. */
	if (ready == 0 && timeout_ms > 0)
		f->now_ns += (int64_t)timeout_ms * 1000000;
	return ready;
}

static int fake_close(void *ctx, int fd)
{
	struct ctnl_fake_sys *f = ctx;
	struct fd_entry *e = lookup_fd(f, fd);
	int err = enter(f, CTNL_FAKE_CLOSE);

	if (!e) {
		f->bad_closes++;
		return -EBADF;
	}
	/* As on Linux, the descriptor is released even when close fails. */
	free(e->netns);
	*e = (struct fd_entry){ 0 };
	return failure(err);
}

static int fake_open(void *ctx, const char *path, int flags)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_OPEN);

	(void)flags;
	if (err)
		return failure(err);
	/* Opening our own namespace file names the namespace we are in. */
	return new_fd(f, false, strcmp(path, SELF_NETNS) ? path : f->netns);
}

static int fake_setns(void *ctx, int fd, int nstype)
{
	struct ctnl_fake_sys *f = ctx;
	struct fd_entry *e = lookup_fd(f, fd);
	int err = enter(f, CTNL_FAKE_SETNS);

	if (err)
		return failure(err);
	if (!e || e->is_socket)
		return -EBADF;
	if (nstype != 0 && nstype != CLONE_NEWNET)
		return -EINVAL;
	free(f->netns);
	f->netns = xstrdup(e->netns);
	return 0;
}

/* SIOCGSKNS: the socket's namespace, as a new descriptor. */
static int fake_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	struct ctnl_fake_sys *f = ctx;
	struct fd_entry *e = lookup_fd(f, fd);
	int err = enter(f, CTNL_FAKE_IOCTL);

	(void)arg;
	if (err)
		return failure(err);
	if (!e)
		return -EBADF;
	if (request != SIOCGSKNS || !e->is_socket)
		return -ENOTTY;
	return new_fd(f, false, e->netns);
}

static int fake_clock_gettime(void *ctx, clockid_t clock, struct timespec *ts)
{
	struct ctnl_fake_sys *f = ctx;
	int err = enter(f, CTNL_FAKE_CLOCK);

	if (err)
		return failure(err);
	if (clock != CLOCK_MONOTONIC)
		return -EINVAL;
	ts->tv_sec = (time_t)(f->now_ns / 1000000000);
	ts->tv_nsec = (long)(f->now_ns % 1000000000);
	return 0;
}

static const struct ctnl_syscalls_ops fake_ops = {
	.size = sizeof(struct ctnl_syscalls_ops),
	.socket = fake_socket,
	.bind = fake_bind,
	.getsockname = fake_getsockname,
	.setsockopt = fake_setsockopt,
	.getsockopt = fake_getsockopt,
	.sendmsg = fake_sendmsg,
	.recvmsg = fake_recvmsg,
	.poll = fake_poll,
	.close = fake_close,
	.open = fake_open,
	.setns = fake_setns,
	.ioctl = fake_ioctl,
	.clock_gettime = fake_clock_gettime,
};

/* ---- Set-up and scripting ---- */

int ctnl_fake_sys_new(struct ctnl_fake_sys **ret)
{
	struct ctnl_fake_sys *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->netns = strdup("");
	if (!f->netns) {
		free(f);
		return -ENOMEM;
	}
	f->table.ops = &fake_ops;
	f->table.ctx = f;
	f->portid = CTNL_FAKE_PORTID;
	f->last_failed = -1;
	f->responding_fd = -1;
	f->now_ns = INT64_C(1000) * 1000000000;
	*ret = f;
	return 0;
}

void ctnl_fake_sys_free(struct ctnl_fake_sys *f)
{
	if (!f)
		return;
	for (size_t i = f->qhead; i < f->qtail; i++)
		free_item(&f->queue[i]);
	for (size_t i = 0; i < f->nsent; i++)
		free(f->sent[i].data);
	for (int i = 0; i < MAX_FDS; i++)
		free(f->fds[i].netns);
	free(f->queue);
	free(f->sent);
	free(f->filter);
	free(f->rules);
	free(f->opts);
	free(f->netns);
	free(f->socket_netns);
	free(f);
}

const struct ctnl_syscalls *ctnl_fake_sys_syscalls(struct ctnl_fake_sys *f)
{
	return &f->table;
}

void ctnl_fake_sys_set_portid(struct ctnl_fake_sys *f, uint32_t portid)
{
	f->portid = portid;
}

static struct item *push(struct ctnl_fake_sys *f, enum item_kind kind)
{
	struct item *it;

	/* Compact the consumed head before growing. */
	if (f->qhead > 0 && f->qtail == f->qcap) {
		memmove(f->queue, f->queue + f->qhead,
			(f->qtail - f->qhead) * sizeof(*f->queue));
		f->qtail -= f->qhead;
		f->qhead = 0;
	}
	reserve((void **)&f->queue, &f->qcap, f->qtail + 1, sizeof(*f->queue));
	it = &f->queue[f->qtail++];
	*it = (struct item){ .kind = kind, .fd = f->responding_fd };
	return it;
}

void ctnl_fake_sys_queue(struct ctnl_fake_sys *f, const void *data,
			 size_t len)
{
	struct item *it = push(f, ITEM_DATA);

	it->data = xmemdup(data, len);
	it->len = len;
}

void ctnl_fake_sys_queue_ack(struct ctnl_fake_sys *f, unsigned int index,
			     int error, const char *msg)
{
	struct item *it = push(f, ITEM_ACK);

	it->index = index;
	it->status = error;
	it->msg = msg ? xstrdup(msg) : NULL;
}

void ctnl_fake_sys_queue_done(struct ctnl_fake_sys *f, int status)
{
	push(f, ITEM_DONE)->status = status;
}

void ctnl_fake_sys_queue_raw(struct ctnl_fake_sys *f, uint32_t sender,
			     uint32_t groups, const void *data, size_t len)
{
	struct item *it = push(f, ITEM_RAW);

	it->sender = sender;
	it->groups = groups;
	it->data = xmemdup(data, len);
	it->len = len;
}

void ctnl_fake_sys_queue_errno(struct ctnl_fake_sys *f, int err)
{
	if (err >= 0)
		die("queued error %d is not a negative errno", err);
	push(f, ITEM_ERRNO)->status = err;
}

void ctnl_fake_sys_drop(struct ctnl_fake_sys *f, unsigned int n)
{
	int no_enobufs = 0;

	f->drops += n;
	ctnl_fake_sys_sockopt(f, SOL_NETLINK, NETLINK_NO_ENOBUFS, &no_enobufs);
	/* netlink_overrun(): ENOBUFS once, then congested and quiet. */
	if (n > 0 && !no_enobufs && !f->congested) {
		f->pending_err = -ENOBUFS;
		f->congested = true;
	}
}

void ctnl_fake_sys_advance(struct ctnl_fake_sys *f, unsigned int ms)
{
	f->now_ns += (int64_t)ms * 1000000;
}

void ctnl_fake_sys_advance_ns(struct ctnl_fake_sys *f, uint64_t ns)
{
	f->now_ns += (int64_t)ns;
}

size_t ctnl_fake_sys_queued(const struct ctnl_fake_sys *f)
{
	return f->qtail - f->qhead;
}

void ctnl_fake_sys_set_responder(struct ctnl_fake_sys *f,
				 ctnl_fake_responder fn, void *data)
{
	f->responder = fn;
	f->responder_data = data;
}

void ctnl_fake_sys_ack_responder(struct ctnl_fake_sys *f, unsigned int index,
				 const struct nlmsghdr *req, void *data)
{
	(void)data;
	if (req->nlmsg_flags & NLM_F_ACK)
		ctnl_fake_sys_queue_ack(f, index, 0, NULL);
}

/* ---- Inspection ---- */

unsigned int ctnl_fake_sys_calls(const struct ctnl_fake_sys *f,
				 enum ctnl_fake_call call)
{
	return (unsigned int)call < CTNL_FAKE_NCALLS ? f->calls[call] : 0;
}

unsigned int ctnl_fake_sys_total_calls(const struct ctnl_fake_sys *f)
{
	return f->total;
}

int ctnl_fake_sys_last_failed(const struct ctnl_fake_sys *f)
{
	return f->last_failed;
}

size_t ctnl_fake_sys_sent_count(const struct ctnl_fake_sys *f)
{
	return f->nsent;
}

const void *ctnl_fake_sys_sent(const struct ctnl_fake_sys *f, size_t i,
			       size_t *len)
{
	if (i >= f->nsent)
		return NULL;
	if (len)
		*len = f->sent[i].len;
	return f->sent[i].data;
}

int ctnl_fake_sys_open_fds(const struct ctnl_fake_sys *f)
{
	int n = 0;

	for (int i = 0; i < MAX_FDS; i++)
		n += f->fds[i].open;
	return n;
}

int ctnl_fake_sys_bad_closes(const struct ctnl_fake_sys *f)
{
	return f->bad_closes;
}

int ctnl_fake_sys_sockopt(const struct ctnl_fake_sys *f, int level, int name,
			  int *val)
{
	for (size_t i = f->nopts; i-- > 0;) {
		if (f->opts[i].level == level && f->opts[i].name == name) {
			*val = f->opts[i].val;
			return 0;
		}
	}
	return -ENOENT;
}

const struct sock_filter *ctnl_fake_sys_filter(const struct ctnl_fake_sys *f,
					       unsigned int *len)
{
	if (len)
		*len = f->filter_len;
	return f->filter;
}

int ctnl_fake_sys_socket_type(const struct ctnl_fake_sys *f)
{
	return f->socket_type;
}

const char *ctnl_fake_sys_netns(const struct ctnl_fake_sys *f)
{
	return f->netns;
}

const char *ctnl_fake_sys_socket_netns(const struct ctnl_fake_sys *f)
{
	return f->socket_netns ? f->socket_netns : "";
}
