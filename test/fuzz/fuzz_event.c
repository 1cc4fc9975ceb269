/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: event messages. The input is one multicast datagram from
 * the kernel; a socket handle subscribed to the conntrack groups receives
 * it and hands each message to an event parser, as an event reader does:
 * conntrack messages to ctnl_flow_parse(), expectation messages to
 * ctnl_expect_parse(). Each must answer 0, -EBADMSG or -EPROTO, and what
 * it parsed must be sane and printable.
 */
#include <stdint.h>

#include <linux/netfilter/nfnetlink.h>

#include <ctnl/mocks.h>

#include "fuzz_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Conntrack and expectation event groups: NEW, UPDATE, DESTROY,
 * EXP_NEW, EXP_DESTROY. */
#define EVENT_GROUPS 5

static void check_parse_ret(int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -EPROTO);
}

/* What a parser answers for a message of another subsystem: -EPROTO,
 * whatever its length, as its type says it is not one to parse. */
static int foreign_ret(const struct nlmsghdr *nlh)
{
	(void)nlh;
	return -EPROTO;
}

/*
 * EVENTS: this callback stands in for the event reader being written on
 * the full-API branch. When ctnl_ct_event_read() exists, open a conntrack
 * handle over the fake instead (ctnl_ct_open(), ctnl_ct_subscribe() of
 * every event type), and replace the ctnl_sock_receive() loop below by
 * ctnl_ct_event_read(ct, on_event, NULL), with on_event() checking
 * ev->flow or ev->expect by ev->type the way this function checks what
 * the parsers return. Keep the corpus: its inputs are captured events.
 */
static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct ctnl_flow flow;
	struct ctnl_expect exp;
	int ret;

	(void)data;
	switch (nlh->nlmsg_type >> 8) {
	case NFNL_SUBSYS_CTNETLINK:
		ret = ctnl_flow_parse(nlh, &flow);
		check_parse_ret(ret);
		if (ret == 0)
			fuzz_check_flow(&flow);
		FUZZ_CHECK(ctnl_expect_parse(nlh, &exp) == foreign_ret(nlh));
		break;
	case NFNL_SUBSYS_CTNETLINK_EXP:
		ret = ctnl_expect_parse(nlh, &exp);
		check_parse_ret(ret);
		if (ret == 0)
			fuzz_check_expect(&exp);
		FUZZ_CHECK(ctnl_flow_parse(nlh, &flow) == foreign_ret(nlh));
		break;
	default:
		FUZZ_CHECK(ctnl_flow_parse(nlh, &flow) == foreign_ret(nlh));
		FUZZ_CHECK(ctnl_expect_parse(nlh, &exp) == foreign_ret(nlh));
		break;
	}
	return CTNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.flags = CTNL_SOCK_NONBLOCK };
	struct ctnl_fake_sys *f;
	struct ctnl_sock *sock = NULL;
	int ret;

	FUZZ_CHECK(ctnl_fake_sys_new(&f) == 0);
	FUZZ_CHECK(ctnl_sock_open(ctnl_fake_sys_syscalls(f), &cfg, &sock) ==
		   0);
	for (unsigned int g = 1; g <= EVENT_GROUPS; g++)
		FUZZ_CHECK(ctnl_sock_join(sock, g) == 0);

	ctnl_fake_sys_queue_raw(f, 0, 1, data, size);
	/* One datagram: handed over whole by the first call, or refused. */
	ret = ctnl_sock_receive(sock, on_message, NULL);
	FUZZ_CHECK(ret >= 0 || ret == -EBADMSG || ret == -EMSGSIZE);
	if (ret == -EMSGSIZE) {
		/* The buffer grew to fit, unless the datagram is too big for
		 * any buffer; either way the datagram was consumed. */
		FUZZ_CHECK(ctnl_fake_sys_queued(f) == 0);
	}
	FUZZ_CHECK(ctnl_sock_receive(sock, on_message, NULL) == 0);

	ctnl_sock_close(sock);
	FUZZ_CHECK(ctnl_fake_sys_open_fds(f) == 0);
	ctnl_fake_sys_free(f);
	return 0;
}
