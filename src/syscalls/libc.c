/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default syscall table: libc, with errno turned into a negative return
 * value right after each call, before anything else can overwrite it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <ctnl/sys/syscalls.h>

static int ret_or_errno(int ret)
{
	return ret < 0 ? -errno : ret;
}

static int libc_socket(void *ctx, int domain, int type, int protocol)
{
	(void)ctx;
	return ret_or_errno(socket(domain, type, protocol));
}

static int libc_bind(void *ctx, int fd, const struct sockaddr *addr,
		     socklen_t addrlen)
{
	(void)ctx;
	return ret_or_errno(bind(fd, addr, addrlen));
}

static int libc_getsockname(void *ctx, int fd, struct sockaddr *addr,
			    socklen_t *addrlen)
{
	(void)ctx;
	return ret_or_errno(getsockname(fd, addr, addrlen));
}

static int libc_setsockopt(void *ctx, int fd, int level, int name,
			   const void *val, socklen_t len)
{
	(void)ctx;
	return ret_or_errno(setsockopt(fd, level, name, val, len));
}

static int libc_getsockopt(void *ctx, int fd, int level, int name, void *val,
			   socklen_t *len)
{
	(void)ctx;
	return ret_or_errno(getsockopt(fd, level, name, val, len));
}

static ssize_t libc_sendmsg(void *ctx, int fd, const struct msghdr *msg,
			    int flags)
{
	ssize_t ret;

	(void)ctx;
	ret = sendmsg(fd, msg, flags);
	return ret < 0 ? -errno : ret;
}

static ssize_t libc_recvmsg(void *ctx, int fd, struct msghdr *msg, int flags)
{
	ssize_t ret;

	(void)ctx;
	ret = recvmsg(fd, msg, flags);
	return ret < 0 ? -errno : ret;
}

static int libc_poll(void *ctx, struct pollfd *fds, nfds_t nfds,
		     int timeout_ms)
{
	(void)ctx;
	return ret_or_errno(poll(fds, nfds, timeout_ms));
}

static int libc_close(void *ctx, int fd)
{
	(void)ctx;
	return ret_or_errno(close(fd));
}

static int libc_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	return ret_or_errno(open(path, flags));
}

static int libc_setns(void *ctx, int fd, int nstype)
{
	(void)ctx;
	return ret_or_errno(setns(fd, nstype));
}

static int libc_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	(void)ctx;
	return ret_or_errno(ioctl(fd, request, arg));
}

static int libc_clock_gettime(void *ctx, clockid_t clock, struct timespec *ts)
{
	(void)ctx;
	return ret_or_errno(clock_gettime(clock, ts));
}

static const struct ctnl_syscalls_ops libc_ops = {
	.size = sizeof(struct ctnl_syscalls_ops),
	.socket = libc_socket,
	.bind = libc_bind,
	.getsockname = libc_getsockname,
	.setsockopt = libc_setsockopt,
	.getsockopt = libc_getsockopt,
	.sendmsg = libc_sendmsg,
	.recvmsg = libc_recvmsg,
	.poll = libc_poll,
	.close = libc_close,
	.open = libc_open,
	.setns = libc_setns,
	.ioctl = libc_ioctl,
	.clock_gettime = libc_clock_gettime,
};

static const struct ctnl_syscalls libc_syscalls = {
	.ops = &libc_ops,
	.ctx = NULL,
};

const struct ctnl_syscalls *ctnl_syscalls_libc(void)
{
	return &libc_syscalls;
}
