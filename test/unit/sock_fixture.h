/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A socket handle over the scripted fake, for the sock tests. Teardown
 * proves the test left no descriptor open, closed none twice and leaked no
 * heap memory. Include after <cmocka.h>.
 */
#ifndef CTNL_TEST_SOCK_FIXTURE_H
#define CTNL_TEST_SOCK_FIXTURE_H

#include <errno.h>

#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/mocks.h>
#include <ctnl/sock.h>

#include "helpers.h"
#include "sock/internal.h"

#define CT_GET ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET)
#define CT_NEW ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)
#define CT_DELETE ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE)
/* An attribute type the tests use to number data messages. */
#define ATTR_ID 12

struct fx {
	size_t heap_before;
	struct ctnl_fake_sys *fake;
	struct ctnl_sock *sock;
	_Alignas(8) uint8_t req[512];
	_Alignas(8) uint8_t buf[8192];
};

static inline struct fx *fx_new(const struct ctnl_sock_config *cfg)
{
	struct fx *fx;
	size_t before = heap_in_use();

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->heap_before = before;
	assert_int_equal(ctnl_fake_sys_new(&fx->fake), 0);
	assert_int_equal(ctnl_sock_open(ctnl_fake_sys_syscalls(fx->fake), cfg,
					&fx->sock), 0);
	return fx;
}

static inline int fx_setup(void **state)
{
	*state = fx_new(NULL);
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *fx = *state;
	size_t before = fx->heap_before;

	ctnl_sock_close(fx->sock);
	fake_sys_free_checked(fx->fake);
	free(fx);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

static inline struct nl_sock *fx_nl(struct fx *fx)
{
	return fx->sock->ctx;
}

/* A conntrack dump request, as the ct layer would build it. */
static inline struct nlmsghdr *fx_dump_req(struct fx *fx)
{
	return put_nfmsg(fx->req, CT_GET, NLM_F_REQUEST | NLM_F_DUMP, AF_INET);
}

/* A request the kernel answers with an ACK only. */
static inline struct nlmsghdr *fx_new_req(struct fx *fx)
{
	return put_nfmsg(fx->req, CT_NEW, NLM_F_REQUEST | NLM_F_CREATE,
			 AF_INET);
}

/* @n data messages numbered from @first_id, one datagram, into @buf. */
static inline size_t put_data(void *buf, uint32_t first_id, int n,
			      uint16_t flags)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		struct nlmsghdr *nlh = put_nfmsg((uint8_t *)buf + len, CT_NEW,
						 flags, AF_INET);

		mnl_attr_put_u32(nlh, ATTR_ID, first_id + (uint32_t)i);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return len;
}

static inline uint32_t data_id(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == ATTR_ID)
			return mnl_attr_get_u32(attr);
	fail_msg("data message without an id");
	return 0;
}

/* Queues @n data messages as one reply datagram. */
static inline void queue_data(struct fx *fx, uint32_t first_id, int n)
{
	size_t len = put_data(fx->buf, first_id, n, NLM_F_MULTI);

	ctnl_fake_sys_queue(fx->fake, fx->buf, len);
}

/* Records the ids the callback saw; stops or fails on request. */
struct seen {
	uint32_t ids[256];
	int n;
	int stop_after;		/* 0: never */
	int fail_after;		/* 0: never; else returns fail_with */
	int fail_with;
};

static inline int record_cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *s = data;

	assert_true(s->n < 256);
	s->ids[s->n++] = data_id(nlh);
	if (s->fail_after && s->n == s->fail_after)
		return s->fail_with;
	if (s->stop_after && s->n == s->stop_after)
		return CTNL_CB_STOP;
	return CTNL_CB_OK;
}

/* The i-th datagram sent, as a message header. */
static inline const struct nlmsghdr *sent_msg(struct fx *fx, size_t i)
{
	const void *p = ctnl_fake_sys_sent(fx->fake, i, NULL);

	assert_non_null(p);
	return p;
}

#endif /* CTNL_TEST_SOCK_FIXTURE_H */
