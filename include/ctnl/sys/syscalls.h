/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the syscall table, for those who implement one.
 *
 * Every system call libctnl makes goes through a struct ctnl_syscalls;
 * ctnl_syscalls_libc() is the default, and a test can replace the kernel
 * with a script (see <ctnl/mocks.h>) or fill this table itself. Read
 * <ctnl/syscalls.h> first.
 *
 * Rules every implementation follows, fakes included:
 *  - return 0 (or a count, or a file descriptor) on success and a negative
 *    errno value on failure; never rely on errno;
 *  - ctx is the table's own context pointer, handed back unchanged;
 *  - close() releases the descriptor whatever it returns: callers never
 *    retry it (on Linux a retried close can close someone else's fd).
 */
#ifndef CTNL_SYS_SYSCALLS_H
#define CTNL_SYS_SYSCALLS_H

#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <ctnl/common.h>
#include <ctnl/syscalls.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-sys-syscalls sys/syscalls.h: the syscall table
 * For those who implement one (see <ctnl/mocks.h> for a scripted fake).
 * Rules every implementation follows, fakes included: return 0 (or a
 * count, or a file descriptor) on success and a negative errno value on
 * failure, never relying on errno; ctx is the table's own context
 * pointer, handed back unchanged; close() releases the descriptor whatever
 * it returns: callers never retry it.
 * @{
 */

/** The system calls libctnl makes, each as its libc namesake but
 * returning a negative errno value on failure. */
struct ctnl_syscalls_ops {
	/**
	 * sizeof(struct ctnl_syscalls_ops) as the implementer compiled it.
	 * Slots past that size, and NULL slots, answer -ENOSYS, so a table
	 * built against an older header keeps working.
	 */
	size_t size;

	/** socket(2) */
	int (*socket)(void *ctx, int domain, int type, int protocol);
	/** bind(2) */
	int (*bind)(void *ctx, int fd, const struct sockaddr *addr,
		    socklen_t addrlen);
	/** getsockname(2) */
	int (*getsockname)(void *ctx, int fd, struct sockaddr *addr,
			   socklen_t *addrlen);
	/** setsockopt(2) */
	int (*setsockopt)(void *ctx, int fd, int level, int name,
			  const void *val, socklen_t len);
	/** getsockopt(2) */
	int (*getsockopt)(void *ctx, int fd, int level, int name, void *val,
			  socklen_t *len);
	/** sendmsg(2) */
	ssize_t (*sendmsg)(void *ctx, int fd, const struct msghdr *msg,
			   int flags);
	/** recvmsg(2) */
	ssize_t (*recvmsg)(void *ctx, int fd, struct msghdr *msg, int flags);
	/** poll(2) */
	int (*poll)(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms);
	/** close(2) */
	int (*close)(void *ctx, int fd);
	/** open(2) with no mode: used for network-namespace files only. */
	int (*open)(void *ctx, const char *path, int flags);
	/** setns(2) */
	int (*setns)(void *ctx, int fd, int nstype);
	/** ioctl(2) with one pointer argument, or none (NULL). Used for
	 * SIOCGSKNS only: the network namespace a socket lives in, as a new
	 * descriptor (the return value). */
	int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
	/** clock_gettime(2): CLOCK_MONOTONIC, for deadlines (a fake can let
	 * time pass as it likes). */
	int (*clock_gettime)(void *ctx, clockid_t clock, struct timespec *ts);
};

/** A table and the context its functions receive. */
struct ctnl_syscalls {
	const struct ctnl_syscalls_ops *ops;	/**< the system calls */
	void *ctx;				/**< handed to every one */
};

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_SYS_SYSCALLS_H */
