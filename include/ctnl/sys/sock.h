/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
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

struct ctnl_sock_ops {
	/* sizeof(struct ctnl_sock_ops) as the implementer compiled it; slots
	 * past it, and NULL slots, answer -ENOSYS. */
	size_t size;

	int (*request)(void *ctx, struct nlmsghdr *req, ctnl_sock_msg_cb cb,
		       void *data);
	int (*batch)(void *ctx, void *buf, size_t len, int *results,
		     size_t count);
	int (*join)(void *ctx, unsigned int group);
	int (*leave)(void *ctx, unsigned int group);
	int (*fd)(void *ctx);
	int (*receive)(void *ctx, ctnl_sock_msg_cb cb, void *data);
	int (*wait)(void *ctx, int timeout_ms);
	int (*set_option)(void *ctx, enum ctnl_sock_option opt, int value);
	int (*set_filter)(void *ctx, const struct sock_filter *prog,
			  unsigned int len);
	int (*stats)(void *ctx, struct ctnl_sock_stats *out);
	const char *(*error_msg)(void *ctx);
	void (*destroy)(void *ctx);
};

struct ctnl_sock {
	const struct ctnl_sock_ops *ops;
	void *ctx;
};

#ifdef __cplusplus
}
#endif

#endif /* CTNL_SYS_SOCK_H */
