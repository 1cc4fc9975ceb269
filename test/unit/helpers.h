/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the unit tests (include after <cmocka.h>).
 */
#ifndef CTNL_TEST_HELPERS_H
#define CTNL_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

/*
 * Bytes the process holds from the allocator (heap.c). Tests compare it
 * before and after an operation to prove nothing leaked. 0 under
 * AddressSanitizer, whose LeakSanitizer checks the whole run instead.
 */
size_t heap_in_use(void);

/*
 * Makes the @n-th allocation from now on (1-based) fail; 0 cancels. Returns
 * false where allocations cannot be failed (under AddressSanitizer): tests
 * that need it then skip.
 */
bool heap_fail_nth(unsigned int n);

/* Allocations made so far (not counting those made while paused); 0 where
 * allocations are not counted. */
unsigned long heap_allocs(void);

/* While paused, allocations are neither counted nor failed: a test pauses
 * around its fakes, so that only the code under test sees failures. */
void heap_pause(bool pause);

/* A netlink message of @type with a nfgenmsg header, built in @buf. */
static inline struct nlmsghdr *put_nfmsg(void *buf, uint16_t type,
					 uint16_t flags, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* A bare message of @type with @len bytes of payload, for framing tests. */
static inline struct nlmsghdr *put_msg(void *buf, uint16_t type,
				       uint16_t flags, size_t len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	memset(mnl_nlmsg_put_extra_header(nlh, len), 0xab, len);
	return nlh;
}

#endif /* CTNL_TEST_HELPERS_H */
