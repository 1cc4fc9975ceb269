/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A conntrack handle over the fake socket handle, for the ct tests.
 * Teardown proves the handle closed its socket, used every scripted reply
 * and leaked no heap. Include after <cmocka.h>.
 */
#ifndef CTNL_TEST_CT_FIXTURE_H
#define CTNL_TEST_CT_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "entry.h"
#include "helpers.h"

struct ctfx {
	size_t heap_before;
	struct ctnl_fake_sock *fake;
	struct ctnl_ct *ct;
	size_t len;			/* bytes scripted in buf so far */
	_Alignas(8) uint8_t buf[1 << 18];
};

static inline int ctfx_setup(void **state)
{
	size_t before = heap_in_use();
	struct ctfx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->heap_before = before;
	assert_int_equal(ctnl_fake_sock_new(&fx->fake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(fx->fake), &fx->ct),
			 0);
	*state = fx;
	return 0;
}

static inline int ctfx_teardown(void **state)
{
	struct ctfx *fx = *state;
	size_t before = fx->heap_before;

	ctnl_ct_close(fx->ct);
	assert_true(ctnl_fake_sock_closed(fx->fake));
	assert_int_equal(ctnl_fake_sock_unused(fx->fake), 0);
	ctnl_fake_sock_free(fx->fake);
	free(fx);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

/* A flow as the kernel reports it after a create: both tuples, status,
 * timeout, mark and the id @id. */
static inline struct ctnl_flow flow_of(const char *src, const char *dst,
				       uint8_t proto, uint16_t sport,
				       uint16_t dport, uint32_t mark,
				       uint32_t id)
{
	struct ctnl_flow f = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_ID |
			 CTNL_ATTR_STATUS | CTNL_ATTR_TIMEOUT | CTNL_ATTR_MARK,
		.orig = tuple_of(src, dst, proto, sport, dport),
		.reply = tuple_of(dst, src, proto, dport, sport),
		.id = id,
		.status = CTNL_STATUS_CONFIRMED,
		.timeout = 100,
		.mark = mark,
	};

	return f;
}

/*
 * Appends to fx->buf an entry message as a dump would carry it: the layout
 * of a create request (same attributes), plus the entry's id. Returns the
 * message length.
 */
static inline size_t put_entry(struct ctfx *fx, const struct ctnl_flow *f)
{
	struct nlmsghdr *nlh = (void *)(fx->buf + fx->len);

	fx->len += put_entry_msg(nlh, sizeof(fx->buf) - fx->len, f,
				 NLM_F_MULTI);
	return nlh->nlmsg_len;
}

/* Scripts the entries appended so far as the next request's reply. */
static inline void reply_entries(struct ctfx *fx, int status)
{
	ctnl_fake_sock_reply(fx->fake, fx->buf, fx->len, status, NULL);
	fx->len = 0;
}

/* The i-th request sent, parsed as an entry (requests share the layout). */
static inline struct ctnl_flow sent_as_flow(struct ctfx *fx, size_t i)
{
	const struct nlmsghdr *sent = ctnl_fake_sock_sent(fx->fake, i);
	_Alignas(8) uint8_t copy[1024];
	struct nlmsghdr *nlh = (void *)copy;
	struct ctnl_flow f;

	assert_non_null(sent);
	assert_true(sent->nlmsg_len <= sizeof(copy));
	memcpy(copy, sent, sent->nlmsg_len);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	assert_int_equal(ctnl_flow_parse(nlh, &f), 0);
	return f;
}

static inline uint8_t sent_msg_type(struct ctfx *fx, size_t i)
{
	const struct nlmsghdr *nlh = ctnl_fake_sock_sent(fx->fake, i);

	assert_non_null(nlh);
	return nlh->nlmsg_type & 0xff;
}

#endif /* CTNL_TEST_CT_FIXTURE_H */
