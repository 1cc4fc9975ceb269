/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conntrack tuples and entry messages for the unit tests, as the kernel
 * reports them (include after <cmocka.h>).
 */
#ifndef CTNL_TEST_ENTRY_H
#define CTNL_TEST_ENTRY_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>

/* A tuple from the Go package's arguments, which must be good. */
static inline struct ctnl_tuple tuple_of(const char *src, const char *dst,
					 uint8_t proto, uint16_t sport,
					 uint16_t dport)
{
	struct ctnl_tuple t;

	assert_int_equal(ctnl_tuple_from_text(&t, src, dst, proto, sport,
					      dport), 0);
	return t;
}

/*
 * Writes into @buf (@size bytes) an entry message as the kernel reports
 * one: the layout of a create request (the same attributes), with the
 * entry's id when @f has one, and @flags (NLM_F_MULTI in a dump). Returns
 * its aligned length, for the next message to follow.
 */
static inline size_t put_entry_msg(void *buf, size_t size,
				   const struct ctnl_flow *f, uint16_t flags)
{
	struct nlmsghdr *nlh = buf;
	int len = ctnl_build_create(nlh, size, f);

	assert_true(len > 0);
	nlh->nlmsg_flags = flags;
	if (f->attrs & CTNL_ATTR_ID)
		mnl_attr_put_u32(nlh, CTA_ID, htonl(f->id));
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

#endif /* CTNL_TEST_ENTRY_H */
