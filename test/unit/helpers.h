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

#include <ctnl/mocks.h>

#include "heap.h"

/* Frees the fake syscall table @f once the code under test is done with
 * it, failing the test if a descriptor is still open or was closed twice. */
static inline void fake_sys_free_checked(struct ctnl_fake_sys *f)
{
	assert_int_equal(ctnl_fake_sys_open_fds(f), 0);
	assert_int_equal(ctnl_fake_sys_bad_closes(f), 0);
	ctnl_fake_sys_free(f);
}

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
