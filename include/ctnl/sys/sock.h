/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the socket-handle interface table, for those who implement one.
 *
 * ctnl_sock_open() builds the real socket handle; a test can build its own
 * (see <ctnl/mocks.h> for a fake one) by filling this table. Read
 * <ctnl/sock.h> first: each slot does what the ctnl_sock_* function of the
 * same name says there, with the errors listed at its top.
 */
#ifndef CTNL_SYS_SOCK_H
#define CTNL_SYS_SOCK_H

#include <stddef.h>
#include <linux/filter.h>
#include <linux/netlink.h>

#include <ctnl/common.h>
#include <ctnl/sock.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-sys-sock sys/sock.h: the socket-handle interface table
 * For those who implement a socket handle (see <ctnl/mocks.h> for a fake
 * one). Each slot does what the ctnl_sock_* function of the same name
 * says in <ctnl/sock.h>, with the errors listed there.
 * @{
 */

/** The operations of a socket handle; each receives the context first. */
struct ctnl_sock_ops {
	/** sizeof(struct ctnl_sock_ops) as the implementer compiled it; slots
	 * past it, and NULL slots, answer -ENOSYS. */
	size_t size;

	/** ctnl_sock_request() */
	int (*request)(void *ctx, struct nlmsghdr *req, ctnl_sock_msg_cb cb,
		       void *data);
	/** ctnl_sock_batch() */
	int (*batch)(void *ctx, void *buf, size_t len, int *results,
		     size_t count);
	/** ctnl_sock_join() */
	int (*join)(void *ctx, unsigned int group);
	/** ctnl_sock_leave() */
	int (*leave)(void *ctx, unsigned int group);
	/** ctnl_sock_fd() */
	int (*fd)(void *ctx);
	/** ctnl_sock_receive() */
	int (*receive)(void *ctx, ctnl_sock_msg_cb cb, void *data);
	/** ctnl_sock_wait() */
	int (*wait)(void *ctx, int timeout_ms);
	/** ctnl_sock_set_option() */
	int (*set_option)(void *ctx, enum ctnl_sock_option opt, int value);
	/** ctnl_sock_set_filter() */
	int (*set_filter)(void *ctx, const struct sock_filter *prog,
			  unsigned int len);
	/** ctnl_sock_stats() */
	int (*stats)(void *ctx, struct ctnl_sock_stats *out);
	/** ctnl_sock_error_msg() */
	const char *(*error_msg)(void *ctx);
	/** ctnl_sock_close(): frees the implementation */
	void (*destroy)(void *ctx);
	/** ctnl_sock_clone() */
	int (*clone)(void *ctx, struct ctnl_sock **ret);
	/** ctnl_sock_set_trace(); newer slots come last, so that tables
	 * built against an older header stay valid. */
	int (*set_trace)(void *ctx, ctnl_trace_cb cb, void *data);
};

/** A socket handle: a table and the context its slots receive. */
struct ctnl_sock {
	const struct ctnl_sock_ops *ops;	/**< the operations */
	void *ctx;				/**< handed to every slot */
};

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_SYS_SOCK_H */
