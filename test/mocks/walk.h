/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Walking the messages of a datagram, shared by the fakes.
 */
#ifndef CTNL_MOCKS_WALK_H
#define CTNL_MOCKS_WALK_H

#include <stdbool.h>

#include <linux/netlink.h>

/*
 * Whether a whole message starts at @nlh, with @len bytes left. Not
 * libmnl's mnl_nlmsg_ok(): 1.0.4 compares (int)nlmsg_len, so a length of
 * 2 GiB or more passes as negative and mnl_nlmsg_next() leaves the buffer.
 * Fakes are handed such messages on purpose, to see them refused.
 */
static inline bool fake_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)len;
}

#endif /* CTNL_MOCKS_WALK_H */
