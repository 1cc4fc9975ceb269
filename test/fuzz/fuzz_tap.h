/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tap on the syscall table, for the fuzz targets' oracles: it hands
 * every call on to the fake and notes what the code under test was told,
 * so that what the library returns can be judged against what it saw
 * rather than against a list of errors it might plausibly give:
 *
 *  - every datagram recvmsg() handed over, with its sender, its real
 *    length and whether it was a drain's MSG_DONTWAIT read;
 *  - every error any call returned (a scheduled failure, an errno the
 *    fake kernel queued), so that an error the library passes on must be
 *    one it was given.
 */
#ifndef CTNL_FUZZ_TAP_H
#define CTNL_FUZZ_TAP_H

#include <linux/netlink.h>

#include <ctnl/mocks.h>
#include <ctnl/sys/syscalls.h>

#include "fuzz_ops.h"

struct fuzz_dgram {
	uint8_t *bytes;		/* what was copied, len bytes at most */
	size_t len;		/* the datagram's real length */
	size_t copied;		/* bytes that fitted the buffer */
	uint32_t sender;
	bool dontwait;		/* read with MSG_DONTWAIT: a drain, or any
				 * read on a non-blocking socket */
	size_t sent;		/* datagrams sent before it was read */
};

enum { FUZZ_TAP_ANY, FUZZ_TAP_POLL, FUZZ_TAP_KINDS };

struct fuzz_tap {
	struct ctnl_syscalls sys;	/* for the code under test */
	struct ctnl_syscalls_ops ops;
	const struct ctnl_syscalls *inner;	/* the fake's table */
	struct ctnl_fake_sys *fake;

	struct fuzz_dgram *d;
	size_t n, cap;
	/* Errors the calls returned, by errno (1..4095) as a bit: any call's,
	 * and poll()'s alone. */
	uint64_t errs[FUZZ_TAP_KINDS][4096 / 64];
};

static inline struct fuzz_tap *fuzz_tap_of(void *ctx)
{
	return ctx;
}

static inline long fuzz_tap_note_as(struct fuzz_tap *t, int kind, long ret)
{
	if (ret < 0 && ret > -4096) {
		t->errs[FUZZ_TAP_ANY][-ret / 64] |= 1ull << (-ret % 64);
		t->errs[kind][-ret / 64] |= 1ull << (-ret % 64);
	}
	return ret;
}

static inline long fuzz_tap_note(struct fuzz_tap *t, long ret)
{
	return fuzz_tap_note_as(t, FUZZ_TAP_ANY, ret);
}

/* Whether some call (of @kind) returned -@err. */
static inline bool fuzz_tap_told_by(const struct fuzz_tap *t, int kind,
				    int err)
{
	return err > 0 && err < 4096 &&
	       (t->errs[kind][err / 64] >> (err % 64)) & 1;
}

static inline bool fuzz_tap_told(const struct fuzz_tap *t, int err)
{
	return fuzz_tap_told_by(t, FUZZ_TAP_ANY, err);
}

static inline void fuzz_tap_forget_errors(struct fuzz_tap *t)
{
	memset(t->errs, 0, sizeof(t->errs));
}

#define FUZZ_TAP_CALL(t, slot, ...)                                          \
	fuzz_tap_note(t, (long)(t)->inner->ops->slot((t)->inner->ctx,         \
						     __VA_ARGS__))

static inline int fuzz_tap_socket(void *ctx, int domain, int type, int proto)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), socket, domain, type,
				  proto);
}

static inline int fuzz_tap_bind(void *ctx, int fd, const struct sockaddr *a,
				socklen_t len)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), bind, fd, a, len);
}

static inline int fuzz_tap_getsockname(void *ctx, int fd, struct sockaddr *a,
				       socklen_t *len)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), getsockname, fd, a, len);
}

static inline int fuzz_tap_setsockopt(void *ctx, int fd, int level, int name,
				      const void *val, socklen_t len)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), setsockopt, fd, level,
				  name, val, len);
}

static inline int fuzz_tap_getsockopt(void *ctx, int fd, int level, int name,
				      void *val, socklen_t *len)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), getsockopt, fd, level,
				  name, val, len);
}

static inline ssize_t fuzz_tap_sendmsg(void *ctx, int fd,
				       const struct msghdr *msg, int flags)
{
	return FUZZ_TAP_CALL(fuzz_tap_of(ctx), sendmsg, fd, msg, flags);
}

static inline ssize_t fuzz_tap_recvmsg(void *ctx, int fd, struct msghdr *msg,
				       int flags)
{
	struct fuzz_tap *t = fuzz_tap_of(ctx);
	ssize_t n = FUZZ_TAP_CALL(t, recvmsg, fd, msg, flags);
	struct fuzz_dgram *d;
	size_t room;
	if (n < 0)
		return n;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->d = realloc(t->d, t->cap * sizeof(*t->d));
		FUZZ_CHECK(t->d);
	}
	d = &t->d[t->n++];
	room = msg->msg_iovlen ? msg->msg_iov[0].iov_len : 0;
	*d = (struct fuzz_dgram){
		.len = (size_t)n,
		.copied = (size_t)n < room ? (size_t)n : room,
		.dontwait = flags & MSG_DONTWAIT,
		.sent = ctnl_fake_sys_sent_count(t->fake),
	};
	if (msg->msg_name && msg->msg_namelen >= sizeof(struct sockaddr_nl))
		d->sender = ((const struct sockaddr_nl *)msg->msg_name)->nl_pid;
	d->bytes = malloc(d->copied ? d->copied : 1);
	FUZZ_CHECK(d->bytes);
	memcpy(d->bytes, msg->msg_iov[0].iov_base, d->copied);
	return n;
}

static inline int fuzz_tap_poll(void *ctx, struct pollfd *fds, nfds_t nfds,
				int timeout_ms)
{
	struct fuzz_tap *t = fuzz_tap_of(ctx);

	return (int)fuzz_tap_note_as(t, FUZZ_TAP_POLL,
				     t->inner->ops->poll(t->inner->ctx, fds,
							 nfds, timeout_ms));
}

static inline int fuzz_tap_close(void *ctx, int fd)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), close, fd);
}

static inline int fuzz_tap_open(void *ctx, const char *path, int flags)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), open, path, flags);
}

static inline int fuzz_tap_setns(void *ctx, int fd, int nstype)
{
	return (int)FUZZ_TAP_CALL(fuzz_tap_of(ctx), setns, fd, nstype);
}

/* Taps the syscall table of @fake. */
static inline void fuzz_tap_init(struct fuzz_tap *t, struct ctnl_fake_sys *fake)
{
	*t = (struct fuzz_tap){ .inner = ctnl_fake_sys_syscalls(fake),
				.fake = fake };
	t->ops = (struct ctnl_syscalls_ops){
		.size = sizeof(t->ops),
		.socket = fuzz_tap_socket,
		.bind = fuzz_tap_bind,
		.getsockname = fuzz_tap_getsockname,
		.setsockopt = fuzz_tap_setsockopt,
		.getsockopt = fuzz_tap_getsockopt,
		.sendmsg = fuzz_tap_sendmsg,
		.recvmsg = fuzz_tap_recvmsg,
		.poll = fuzz_tap_poll,
		.close = fuzz_tap_close,
		.open = fuzz_tap_open,
		.setns = fuzz_tap_setns,
	};
	t->sys = (struct ctnl_syscalls){ .ops = &t->ops, .ctx = t };
}

static inline void fuzz_tap_free(struct fuzz_tap *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->d[i].bytes);
	free(t->d);
	t->d = NULL;
	t->n = t->cap = 0;
}

/*
 * Whether @len bytes at @p are whole netlink messages as the kernel lays
 * them out: each at least a header long and within the datagram, the last
 * perhaps without its padding. Written here from netlink(7), apart from
 * the library's own check.
 */
static inline bool fuzz_whole_messages(const uint8_t *p, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return false;
	while (off < len) {
		struct nlmsghdr h;

		if (len - off < sizeof(h))
			return false;
		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			return false;
		off += NLMSG_ALIGN(h.nlmsg_len) < len - off
			       ? NLMSG_ALIGN(h.nlmsg_len)
			       : len - off;
	}
	return true;
}

#endif /* CTNL_FUZZ_TAP_H */
