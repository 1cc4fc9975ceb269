/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default socket handle: opening, configuring and closing a
 * NETLINK_NETFILTER socket, and the public entry points of the interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include "internal.h"

/*
 * What one error message costs in the receive queue: its skb's true size
 * (payload, skb head and shared info, rounded by the allocator). A batch
 * datagram carries no more requests than the queue can hold errors for,
 * twice over, so the kernel never has to drop a result: dropping results is
 * what makes `conntrack -U` fail with ENOBUFS after 256 entries.
 */
#define ERROR_TRUESIZE 1024

/* netlink_sendmsg() refuses a datagram longer than sk_sndbuf - 32. */
#define SNDBUF_SLACK 32

/* Where `ip netns` keeps its named namespaces. */
#define NETNS_RUN_DIR "/run/netns/"

/* The options of ctnl_sock_open(), resolved against defaults. */
struct sock_opts {
	unsigned int flags;
	int rcvbuf;
	int sndbuf;
	size_t bufsize;
	const char *netns_path;		/* given, or netns_file */
	int netns_fd;
	char netns_file[sizeof(NETNS_RUN_DIR) + NAME_MAX];
};

/* A name `ip netns` could have made: one path component, no more. */
static bool netns_name_ok(const char *name)
{
	size_t len = strnlen(name, NAME_MAX + 1);

	return len > 0 && len <= NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* A namespace by name is its file under NETNS_RUN_DIR. */
static int resolve_netns_name(struct sock_opts *o, const char *name)
{
	if (!netns_name_ok(name) || o->netns_path ||
	    (o->flags & CTNL_SOCK_NETNS_FD))
		return -EINVAL;
	snprintf(o->netns_file, sizeof(o->netns_file), "%s%s", NETNS_RUN_DIR,
		 name);
	o->netns_path = o->netns_file;
	return 0;
}

static int read_config(const struct ctnl_sock_config *cfg,
		       struct sock_opts *o)
{
	const char *netns_name;
	const unsigned int known = CTNL_SOCK_NONBLOCK | CTNL_SOCK_NO_ENOBUFS |
				   CTNL_SOCK_BROADCAST_ERROR |
				   CTNL_SOCK_NETNS_FD;

	if (cfg && !ctnl_opts_usable(cfg, cfg->size, sizeof(*cfg)))
		return -EINVAL;

#define OPT(field, dflt) CTNL_OPT(struct ctnl_sock_config, cfg, field, dflt)
	o->flags = OPT(flags, 0u);
	o->rcvbuf = OPT(rcvbuf, 0);
	o->sndbuf = OPT(sndbuf, 0);
	o->bufsize = OPT(bufsize, (size_t)0);
	o->netns_path = OPT(netns_path, NULL);
	o->netns_fd = OPT(netns_fd, -1);
	netns_name = OPT(netns_name, NULL);
#undef OPT

	if (o->bufsize == 0)
		o->bufsize = CTNL_SOCK_BUFSIZE;
	if ((o->flags & ~known) || o->rcvbuf < 0 || o->sndbuf < 0 ||
	    o->bufsize < NLMSG_HDRLEN)
		return -EINVAL;
	if (o->flags & CTNL_SOCK_NETNS_FD) {
		if (o->netns_path || o->netns_fd < 0)
			return -EINVAL;
	}
	return netns_name ? resolve_netns_name(o, netns_name) : 0;
}

static int netlink_socket(struct nl_sock *s, const struct sock_opts *o)
{
	int type = SOCK_RAW | SOCK_CLOEXEC;

	if (o->flags & CTNL_SOCK_NONBLOCK)
		type |= SOCK_NONBLOCK;
	return SYS(s, socket, AF_NETLINK, type, NETLINK_NETFILTER);
}

/*
 * A socket belongs to the network namespace it was created in, so enter the
 * target namespace just for socket(2) and come straight back. Only the
 * calling thread moves, and only for that one call.
 */
static int netlink_socket_in_netns(struct nl_sock *s,
				   const struct sock_opts *o)
{
	int self, target, fd, ret;

	self = SYS(s, open, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return self;

	target = o->netns_path
			 ? SYS(s, open, o->netns_path, O_RDONLY | O_CLOEXEC)
			 : o->netns_fd;
	if (target < 0) {
		SYS(s, close, self);
		return target;
	}

	fd = SYS(s, setns, target, CLONE_NEWNET);
	if (fd == 0) {
		fd = netlink_socket(s, o);
		ret = SYS(s, setns, self, CLONE_NEWNET);
		if (ret < 0) {
			if (fd >= 0)
				SYS(s, close, fd);
			fd = ret;
		}
	}

	if (o->netns_path)
		SYS(s, close, target);
	SYS(s, close, self);
	return fd;
}

static int set_int_option(struct nl_sock *s, int level, int name, int val)
{
	return SYS(s, setsockopt, s->fd, level, name, &val, sizeof(val));
}

static int get_int_option(struct nl_sock *s, int level, int name, int *val)
{
	socklen_t len = sizeof(*val);
	int ret;

	ret = SYS(s, getsockopt, s->fd, level, name, val, &len);
	if (ret < 0)
		return ret;
	return len == sizeof(*val) && *val > 0 ? 0 : -EPROTO;
}

/* The FORCE variant passes the sysctl caps but needs CAP_NET_ADMIN. */
static int set_queue_size(struct nl_sock *s, int force_name, int name,
			  int bytes)
{
	int ret;

	if (bytes == 0)
		return 0;
	ret = set_int_option(s, SOL_SOCKET, force_name, bytes);
	if (ret == -EPERM)
		ret = set_int_option(s, SOL_SOCKET, name, bytes);
	return ret;
}

/* Options that older kernels lack are optional: ENOPROTOOPT is fine. */
static int set_optional_flag(struct nl_sock *s, int name)
{
	int ret = set_int_option(s, SOL_NETLINK, name, 1);

	return ret == -ENOPROTOOPT ? 0 : ret;
}

static int bind_and_learn_portid(struct nl_sock *s)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(addr);
	int ret;

	/* Port id 0: the kernel picks a free one. */
	ret = SYS(s, bind, s->fd, (struct sockaddr *)&addr, sizeof(addr));
	if (ret < 0)
		return ret;
	ret = SYS(s, getsockname, s->fd, (struct sockaddr *)&addr, &len);
	if (ret < 0)
		return ret;
	if (len != sizeof(addr) || addr.nl_family != AF_NETLINK)
		return -EPROTO;
	s->portid = addr.nl_pid;
	return 0;
}

/*
 * Sizes batches from the queue sizes the kernel really granted: see
 * ERROR_TRUESIZE and SNDBUF_SLACK.
 */
static int learn_queue_sizes(struct nl_sock *s)
{
	int ret, rcvbuf, sndbuf;

	ret = get_int_option(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf);
	if (ret == 0)
		ret = get_int_option(s, SOL_SOCKET, SO_SNDBUF, &sndbuf);
	if (ret < 0)
		return ret;

	s->batch_msgs = (size_t)rcvbuf / (2 * ERROR_TRUESIZE);
	if (s->batch_msgs == 0)
		s->batch_msgs = 1;
	s->batch_bytes = (size_t)sndbuf > SNDBUF_SLACK + NLMSG_HDRLEN
				 ? (size_t)sndbuf - SNDBUF_SLACK
				 : NLMSG_HDRLEN;
	return 0;
}

static int configure(struct nl_sock *s, const struct sock_opts *o)
{
	int ret;

	/* Extended ACKs carry the kernel's reason for a refusal; capped ACKs
	 * echo only the request's header, which keeps every error small. */
	ret = set_optional_flag(s, NETLINK_EXT_ACK);
	if (ret == 0)
		ret = set_optional_flag(s, NETLINK_CAP_ACK);
	if (ret == 0 && (o->flags & CTNL_SOCK_NO_ENOBUFS))
		ret = set_int_option(s, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1);
	if (ret == 0 && (o->flags & CTNL_SOCK_BROADCAST_ERROR))
		ret = set_int_option(s, SOL_NETLINK, NETLINK_BROADCAST_ERROR,
				     1);
	if (ret == 0)
		ret = set_queue_size(s, SO_RCVBUFFORCE, SO_RCVBUF, o->rcvbuf);
	if (ret == 0)
		ret = set_queue_size(s, SO_SNDBUFFORCE, SO_SNDBUF, o->sndbuf);
	if (ret < 0)
		return ret;
	return learn_queue_sizes(s);
}

static void sock_destroy(void *ctx)
{
	struct nl_sock *s = ctx;

	if (s->fd >= 0)
		SYS(s, close, s->fd);
	free(s->buf);
	free(s);
}

static int sock_join_or_leave(struct nl_sock *s, unsigned int group,
			      bool join)
{
	int ret;

	if (group == 0 || group > 32)
		return -EINVAL;
	ret = set_int_option(s, SOL_NETLINK,
			     join ? NETLINK_ADD_MEMBERSHIP
				  : NETLINK_DROP_MEMBERSHIP,
			     (int)group);
	if (ret < 0)
		return ret;
	if (join)
		s->groups |= 1u << (group - 1);
	else
		s->groups &= ~(1u << (group - 1));
	return 0;
}

static int sock_join(void *ctx, unsigned int group)
{
	return sock_join_or_leave(ctx, group, true);
}

static int sock_leave(void *ctx, unsigned int group)
{
	return sock_join_or_leave(ctx, group, false);
}

static int sock_fd(void *ctx)
{
	struct nl_sock *s = ctx;

	return s->fd;
}

/* Sets NETLINK_* flag option @name to @value and mirrors it in s->flags. */
static int set_netlink_flag(struct nl_sock *s, int name, unsigned int flag,
			    int value)
{
	int ret;

	if (value != 0 && value != 1)
		return -EINVAL;
	ret = set_int_option(s, SOL_NETLINK, name, value);
	if (ret < 0)
		return ret;
	if (value)
		s->flags |= flag;
	else
		s->flags &= ~flag;
	return 0;
}

static int sock_set_option(void *ctx, enum ctnl_sock_option opt, int value)
{
	struct nl_sock *s = ctx;
	int ret;

	switch (opt) {
	case CTNL_SOCK_OPT_RCVBUF:
		if (value <= 0)
			return -EINVAL;
		ret = set_queue_size(s, SO_RCVBUFFORCE, SO_RCVBUF, value);
		return ret < 0 ? ret : learn_queue_sizes(s);
	case CTNL_SOCK_OPT_NO_ENOBUFS:
		return set_netlink_flag(s, NETLINK_NO_ENOBUFS,
					CTNL_SOCK_NO_ENOBUFS, value);
	case CTNL_SOCK_OPT_BROADCAST_ERROR:
		return set_netlink_flag(s, NETLINK_BROADCAST_ERROR,
					CTNL_SOCK_BROADCAST_ERROR, value);
	case CTNL_SOCK_OPT_DEADLINE:
		return ctnl__sock_set_deadline(s, value);
	}
	return -EINVAL;
}

static int sock_set_filter(void *ctx, const struct sock_filter *prog,
			   unsigned int len)
{
	struct nl_sock *s = ctx;
	struct sock_fprog fprog = { .len = (unsigned short)len,
				    .filter = (struct sock_filter *)prog };
	int ret;

	if (!prog || len == 0) {
		ret = set_int_option(s, SOL_SOCKET, SO_DETACH_FILTER, 0);
		return ret == -ENOENT ? 0 : ret;
	}
	if (len > BPF_MAXINSNS)
		return -EINVAL;
	return SYS(s, setsockopt, s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
		   sizeof(fprog));
}

static int sock_stats(void *ctx, struct ctnl_sock_stats *out)
{
	struct nl_sock *s = ctx;
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);
	int ret;

	ret = SYS(s, getsockopt, s->fd, SOL_SOCKET, SO_MEMINFO, mem, &len);
	if (ret < 0)
		return ret;
	/* Kernels copy as much of their array as asked for, or less if
	 * theirs is shorter: the drop counter came last (4.12). */
	if (len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		return -EPROTO;
	out->rcvbuf = mem[SK_MEMINFO_RCVBUF];
	out->queued = mem[SK_MEMINFO_RMEM_ALLOC];
	out->drops = mem[SK_MEMINFO_DROPS];
	return 0;
}

static const char *sock_error_msg(void *ctx)
{
	struct nl_sock *s = ctx;

	return s->has_errmsg ? s->errmsg : NULL;
}

/*
 * A request socket like @s: its queue sizes and receive buffer, in its
 * namespace. That namespace is found again through the socket itself, not
 * the path or descriptor it was opened with, which may name another by
 * now or be closed.
 */
static int sock_clone(void *ctx, struct ctnl_sock **ret)
{
	struct nl_sock *s = ctx;
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.rcvbuf = s->cfg_rcvbuf,
					.sndbuf = s->cfg_sndbuf,
					.bufsize = s->bufsize };
	int ns, err;

	if (!s->other_netns)
		return ctnl_sock_open(&s->sys, &cfg, ret);
	ns = SYS(s, ioctl, s->fd, SIOCGSKNS, NULL);
	if (ns < 0)
		return ns;
	cfg.flags = CTNL_SOCK_NETNS_FD;
	cfg.netns_fd = ns;
	err = ctnl_sock_open(&s->sys, &cfg, ret);
	SYS(s, close, ns);
	return err;
}

static int sock_set_trace(void *ctx, ctnl_trace_cb cb, void *data)
{
	struct nl_sock *s = ctx;

	s->trace = cb;
	s->trace_data = cb ? data : NULL;
	return 0;
}

/* A clone's messages are its handle's: they go to the same trace hook. */
static int sock_clone_traced(void *ctx, struct ctnl_sock **ret)
{
	struct nl_sock *s = ctx;
	int err = sock_clone(ctx, ret);

	if (err == 0 && s->trace)
		sock_set_trace((*ret)->ctx, s->trace, s->trace_data);
	return err;
}

static const struct ctnl_sock_ops nl_sock_ops = {
	.size = sizeof(struct ctnl_sock_ops),
	.request = ctnl__sock_request,
	.batch = ctnl__sock_batch,
	.join = sock_join,
	.leave = sock_leave,
	.fd = sock_fd,
	.receive = ctnl__sock_receive,
	.wait = ctnl__sock_wait,
	.set_option = sock_set_option,
	.set_filter = sock_set_filter,
	.stats = sock_stats,
	.error_msg = sock_error_msg,
	.destroy = sock_destroy,
	.clone = sock_clone_traced,
	.set_trace = sock_set_trace,
};

int ctnl_sock_open(const struct ctnl_syscalls *sys,
		   const struct ctnl_sock_config *config,
		   struct ctnl_sock **ret)
{
	struct sock_opts o;
	struct nl_sock *s;
	int err;

	if (!ret)
		return -EINVAL;
	err = read_config(config, &o);
	if (err < 0)
		return err;
	if (!sys)
		sys = ctnl_syscalls_libc();
	if (!sys->ops)
		return -EINVAL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sys = *sys;
	s->fd = -1;
	s->flags = o.flags;
	s->other_netns = o.netns_path || (o.flags & CTNL_SOCK_NETNS_FD);
	s->cfg_rcvbuf = o.rcvbuf;
	s->cfg_sndbuf = o.sndbuf;
	s->bufsize = o.bufsize;
	s->replies_max = SOCK_REPLIES_MAX;
	s->buf = malloc(s->bufsize);
	if (!s->buf) {
		err = -ENOMEM;
		goto fail;
	}

	if (s->other_netns)
		err = netlink_socket_in_netns(s, &o);
	else
		err = netlink_socket(s, &o);
	if (err < 0)
		goto fail;
	s->fd = err;

	err = bind_and_learn_portid(s);
	if (err == 0)
		err = configure(s, &o);
	if (err < 0)
		goto fail;

	s->iface.ops = &nl_sock_ops;
	s->iface.ctx = s;
	*ret = &s->iface;
	return 0;

fail:
	sock_destroy(s);
	return err;
}

int ctnl_sock_clone(struct ctnl_sock *sock, struct ctnl_sock **ret)
{
	if (!sock || !ret)
		return -EINVAL;
	return CTNL_CALL(sock, clone, ret);
}

void ctnl_sock_close(struct ctnl_sock *sock)
{
	if (sock && CTNL_HAS_OP(sock->ops, destroy))
		sock->ops->destroy(sock->ctx);
}

int ctnl_sock_request(struct ctnl_sock *sock, struct nlmsghdr *req,
		      ctnl_sock_msg_cb cb, void *data)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, request, req, cb, data);
}

int ctnl_sock_batch(struct ctnl_sock *sock, void *buf, size_t len,
		    int *results, size_t count)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, batch, buf, len, results, count);
}

int ctnl_sock_join(struct ctnl_sock *sock, unsigned int group)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, join, group);
}

int ctnl_sock_leave(struct ctnl_sock *sock, unsigned int group)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, leave, group);
}

int ctnl_sock_fd(struct ctnl_sock *sock)
{
	if (!sock)
		return -EINVAL;
	return CTNL_HAS_OP(sock->ops, fd) ? sock->ops->fd(sock->ctx) : -ENOSYS;
}

int ctnl_sock_receive(struct ctnl_sock *sock, ctnl_sock_msg_cb cb,
		      void *data)
{
	if (!sock || !cb)
		return -EINVAL;
	return CTNL_CALL(sock, receive, cb, data);
}

int ctnl_sock_wait(struct ctnl_sock *sock, int timeout_ms)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, wait, timeout_ms);
}

int ctnl_sock_set_option(struct ctnl_sock *sock, enum ctnl_sock_option opt,
			 int value)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, set_option, opt, value);
}

int ctnl_sock_set_filter(struct ctnl_sock *sock, const struct sock_filter *prog,
			 unsigned int len)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, set_filter, prog, len);
}

int ctnl_sock_stats(struct ctnl_sock *sock, struct ctnl_sock_stats *out)
{
	if (!sock || !out)
		return -EINVAL;
	return CTNL_CALL(sock, stats, out);
}

const char *ctnl_sock_error_msg(struct ctnl_sock *sock)
{
	if (!sock || !CTNL_HAS_OP(sock->ops, error_msg))
		return NULL;
	return sock->ops->error_msg(sock->ctx);
}

int ctnl_sock_set_trace(struct ctnl_sock *sock, ctnl_trace_cb cb, void *data)
{
	if (!sock)
		return -EINVAL;
	return CTNL_CALL(sock, set_trace, cb, data);
}
