/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A kernel that never ends a dump, for the tests that prove it cannot hang
 * a request: a syscall table over the fake whose every receive finds one
 * more datagram of data, stamped as a reply to the latest request. One per
 * test program. Include after <cmocka.h>.
 */
#ifndef CTNL_TEST_ENDLESS_H
#define CTNL_TEST_ENDLESS_H

#include <string.h>

#include <ctnl/mocks.h>
#include <ctnl/sys/syscalls.h>

static struct {
	struct ctnl_fake_sys *fake;
	struct ctnl_syscalls_ops ops;
	struct ctnl_syscalls sys;
	uint8_t data[512];
	size_t len;
	unsigned long served;	/* receives so far */
} endless;

static ssize_t endless_recvmsg(void *ctx, int fd, struct msghdr *msg,
			       int flags)
{
	/* A safety net, far past any bound a test sets: fail, not hang. */
	if (++endless.served > 1000000)
		fail_msg("the dump was read forever");
	if (ctnl_fake_sys_queued(endless.fake) == 0)
		ctnl_fake_sys_queue(endless.fake, endless.data, endless.len);
	return ctnl_fake_sys_syscalls(endless.fake)->ops->recvmsg(ctx, fd, msg,
								   flags);
}

/* The table over @fake that answers every receive with the @len bytes of
 * @data, for ever. Borrowed: valid until the next call. */
static inline const struct ctnl_syscalls *
endless_syscalls(struct ctnl_fake_sys *fake, const void *data, size_t len)
{
	assert_true(len <= sizeof(endless.data));
	endless.fake = fake;
	memcpy(endless.data, data, len);
	endless.len = len;
	endless.served = 0;
	endless.ops = *ctnl_fake_sys_syscalls(fake)->ops;
	endless.ops.recvmsg = endless_recvmsg;
	endless.sys = (struct ctnl_syscalls){ .ops = &endless.ops, .ctx = fake };
	return &endless.sys;
}

#endif /* CTNL_TEST_ENDLESS_H */
