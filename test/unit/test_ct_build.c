/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Request bytes, with no socket at all: each builder's output against bytes
 * encoded independently (gen_expected_requests.py), the checks that refuse
 * bad requests, and buffers too small by any amount.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>

#include "entry.h"
#include "expected_requests.h"
#include "helpers.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "expected_requests.h holds little-endian netlink headers"
#endif

static struct ctnl_flow tcp_key(void)
{
	return (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000, 80),
	};
}

/* Builds into a large buffer and compares with the expected bytes; then
 * every smaller buffer must be -ENOSPC without a byte written past it. */
#define CHECK_BUILT(expected, build_call)                                    \
	do {                                                                 \
		_Alignas(8) uint8_t buf[512];                                            \
		int len;                                                     \
		void *b = buf;                                               \
		size_t size = sizeof(buf);                                   \
		memset(buf, 0xee, sizeof(buf));                              \
		len = (build_call);                                          \
		assert_int_equal(len, sizeof(expected));                     \
		assert_memory_equal(buf, expected, sizeof(expected));        \
		for (size = 0; size < sizeof(expected); size++) {            \
			memset(buf, 0xee, sizeof(buf));                      \
			assert_int_equal((build_call), -ENOSPC);             \
			for (size_t i = size; i < sizeof(buf); i++)          \
				assert_int_equal(buf[i], 0xee);              \
		}                                                            \
		(void)b;                                                     \
	} while (0)

static void test_build_get_v4_tcp(void **state)
{
	struct ctnl_flow key = tcp_key();

	(void)state;
	CHECK_BUILT(expect_get_v4, ctnl_build_get(b, size, &key));
}

static void test_build_update_mark_v6_with_zone_and_id(void **state)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_ID,
				 .id = 99 };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 42 };

	(void)state;
	assert_int_equal(ctnl_tuple_from_text(&key.orig, "fd00::1", "fd00::2",
					      IPPROTO_UDP, 53, 5353), 0);
	key.orig.zone = 7;
	CHECK_BUILT(expect_update_mark_v6,
		    ctnl_build_update(b, size, &key, &change));
}

static void test_build_delete_by_reply_tuple(void **state)
{
	struct ctnl_flow key = {
		.attrs = CTNL_ATTR_REPLY,
		.reply = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_UDP, 53,
				  1000),
	};

	(void)state;
	CHECK_BUILT(expect_delete_reply_v4, ctnl_build_delete(b, size, &key));
}

/* Flushing one family needs nfgenmsg version 1; version 0 would flush all
 * families whatever the family field says. */
static void test_build_flush_per_family_uses_version_1(void **state)
{
	(void)state;
	CHECK_BUILT(expect_flush_v4,
		    ctnl_build_flush(b, size, CTNL_TABLE_CONNTRACK, AF_INET));
	CHECK_BUILT(expect_flush_all,
		    ctnl_build_flush(b, size, CTNL_TABLE_CONNTRACK, 0));
	CHECK_BUILT(expect_flush_exp_all,
		    ctnl_build_flush(b, size, CTNL_TABLE_EXPECT, 0));
}

/* The kernel flushes expectations of every family at once: one family
 * alone cannot be asked for. */
static void test_build_flush_expectations_of_one_family_is_eopnotsupp(
	void **state)
{
	uint8_t buf[64];

	(void)state;
	assert_int_equal(ctnl_build_flush(buf, sizeof(buf), CTNL_TABLE_EXPECT,
					  AF_INET6), -EOPNOTSUPP);
}

/* A create carries both tuples (the reply inverted from the original when
 * not given), the timeout, status with CONFIRMED added, mark and state. */
static void test_build_create_v4_inverts_reply_and_confirms(void **state)
{
	struct ctnl_flow flow = tcp_key();

	(void)state;
	flow.attrs |= CTNL_ATTR_TIMEOUT | CTNL_ATTR_STATUS | CTNL_ATTR_MARK |
		      CTNL_ATTR_TCP_STATE;
	flow.timeout = 100;
	flow.status = CTNL_STATUS_SEEN_REPLY | CTNL_STATUS_ASSURED;
	flow.mark = 5;
	flow.tcp.state = CTNL_TCP_ESTABLISHED;
	CHECK_BUILT(expect_create_v4, ctnl_build_create(b, size, &flow));
}

/* Labels: the kernel computes (old & ~mask) ^ value, so the value is sent
 * masked, or bits outside the mask would be flipped. */
static void test_build_update_labels_sends_masked_value(void **state)
{
	struct ctnl_flow key = tcp_key();
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };

	(void)state;
	ctnl_labels_set(&change.labels, 3);
	ctnl_labels_set(&change.labels, 64);	/* outside the mask */
	ctnl_labels_set(&change.labels_mask, 0);
	ctnl_labels_set(&change.labels_mask, 3);
	CHECK_BUILT(expect_update_labels_v4,
		    ctnl_build_update(b, size, &key, &change));
}

static void test_build_dump_sends_kernel_filters(void **state)
{
	struct ctnl_filter filter = {
		.family = AF_INET,
		.match = CTNL_MATCH_MARK | CTNL_MATCH_ORIG_SRC |
			 CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DPORT |
			 CTNL_MATCH_TCP_STATE,
		.mark = 0x10,
		.mark_mask = 0xf0,
		.proto = IPPROTO_TCP,
		.orig_dport = 80,
		.tcp_state = CTNL_TCP_ESTABLISHED,
	};

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", &filter.orig_src);
	/* The TCP state stays in user space: the kernel has no such filter. */
	CHECK_BUILT(expect_dump_v4_filter, ctnl_build_dump(b, size, &filter));
	CHECK_BUILT(expect_dump_all, ctnl_build_dump(b, size, NULL));
	filter.flags = CTNL_FILTER_USERSPACE;
	{
		_Alignas(8) uint8_t buf[512];

		assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &filter),
				 20);
	}
}

static void test_build_icmp_tuple_carries_id_type_code(void **state)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG };
	_Alignas(8) uint8_t buf[512];
	int len;

	(void)state;
	key.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0);
	key.orig.icmp.id = 77;
	key.orig.icmp.type = 8;
	len = ctnl_build_get(buf, sizeof(buf), &key);
	assert_true(len > 0);
	{
		struct ctnl_flow parsed;
		struct nlmsghdr *nlh = (void *)buf;

		/* A get request has an entry's layout: parse it back. */
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
				  IPCTNL_MSG_CT_NEW;
		assert_int_equal(ctnl_flow_parse(nlh, &parsed), 0);
		assert_int_equal(parsed.orig.icmp.id, 77);
		assert_int_equal(parsed.orig.icmp.type, 8);
		assert_int_equal(parsed.orig.icmp.code, 0);
	}
}

/* Reads back what a create asks for, through the parser. */
static void build_and_parse_create(const struct ctnl_flow *flow,
				   struct ctnl_flow *parsed)
{
	_Alignas(8) uint8_t buf[512];
	struct nlmsghdr *nlh = (void *)buf;

	assert_true(ctnl_build_create(buf, sizeof(buf), flow) > 0);
	assert_int_equal(nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(ctnl_flow_parse(nlh, parsed), 0);
}

static void test_build_create_zones_labels_icmp_reply(void **state)
{
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
					   CTNL_ATTR_LABELS,
				  .timeout = 30 };
	struct ctnl_flow parsed;

	(void)state;
	flow.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0);
	flow.orig.icmp.type = 8;
	flow.orig.icmp.id = 5;
	flow.orig.zone = 9;
	ctnl_labels_set(&flow.labels, 127);

	/* Same zone both ways: CTA_ZONE. */
	build_and_parse_create(&flow, &parsed);
	assert_int_equal(parsed.orig.zone, 9);
	assert_int_equal(parsed.reply.zone, 9);
	assert_int_equal(parsed.reply.icmp.type, 0);	/* echo reply */
	assert_int_equal(parsed.reply.icmp.id, 5);
	assert_memory_equal(&parsed.reply.src, &flow.orig.dst, 4);
	assert_true(ctnl_labels_test(&parsed.labels, 127));

	/* A zone for the original direction only: inside its tuple. */
	flow.attrs |= CTNL_ATTR_REPLY;
	flow.reply = parsed.reply;
	flow.reply.zone = 0;
	build_and_parse_create(&flow, &parsed);
	assert_int_equal(parsed.orig.zone, 9);
	assert_int_equal(parsed.reply.zone, 0);
}

/* The kernel pairs ICMP types both ways: a flow described from its reply
 * side inverts too; a type the kernel does not track has no pair. */
static void test_build_create_inverts_icmp_types_both_ways(void **state)
{
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
				  .timeout = 30 };
	struct ctnl_flow parsed;

	/* Echo, timestamp, information, address mask; ICMPv6 echo and
	 * node information: each type of a pair gives the other. */
	static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 },
					 { 17, 18 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 139, 140 } };

	(void)state;
	flow.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0);
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		for (int way = 0; way < 2; way++) {
			flow.orig.icmp.type = v4[i][way];
			build_and_parse_create(&flow, &parsed);
			assert_int_equal(parsed.reply.icmp.type, v4[i][!way]);
		}
	}

	assert_int_equal(ctnl_tuple_from_text(&flow.orig, "fd00::1", "fd00::2",
					      IPPROTO_ICMPV6, 0, 0), 0);
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		for (int way = 0; way < 2; way++) {
			flow.orig.icmp.type = v6[i][way];
			build_and_parse_create(&flow, &parsed);
			assert_int_equal(parsed.reply.icmp.type, v6[i][!way]);
		}
	}
	flow.orig.icmp.type = 130;	/* not tracked by the kernel */
	build_and_parse_create(&flow, &parsed);
	assert_int_equal(parsed.reply.icmp.type, 0xff);
}

/* Every pair both ways, and no other type: the kernel's invmap tables. */
static void test_icmp_reply_type_pairs_as_the_kernel(void **state)
{
	static const int v4[256] = { [8] = 1, [0] = 9, [13] = 15, [14] = 14,
				     [15] = 17, [16] = 16, [17] = 19,
				     [18] = 18 };
	static const int v6[256] = { [128] = 130, [129] = 129, [139] = 141,
				     [140] = 140 };

	(void)state;
	/* The tables hold the reply type plus one, 0 for none. */
	for (int type = 0; type < 256; type++) {
		assert_int_equal(ctnl_icmp_reply_type(IPPROTO_ICMP,
						      (uint8_t)type),
				 v4[type] ? v4[type] - 1 : -ENOENT);
		assert_int_equal(ctnl_icmp_reply_type(IPPROTO_ICMPV6,
						      (uint8_t)type),
				 v6[type] ? v6[type] - 1 : -ENOENT);
	}
	assert_int_equal(ctnl_icmp_reply_type(IPPROTO_TCP, 8), -EINVAL);
	assert_int_equal(ctnl_icmp_reply_type(0, 8), -EINVAL);
}

static void test_tuple_invert_as_the_kernel(void **state)
{
	struct ctnl_tuple t, r, before;

	(void)state;
	t = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1000, 53);
	t.zone = 7;
	assert_int_equal(ctnl_tuple_invert(&t, &r), 0);
	assert_memory_equal(&r.src, &t.dst, sizeof(r.src));
	assert_memory_equal(&r.dst, &t.src, sizeof(r.dst));
	assert_int_equal(r.port.src, 53);
	assert_int_equal(r.port.dst, 1000);
	assert_int_equal(r.zone, 7);
	assert_int_equal(r.proto, IPPROTO_UDP);

	/* In place; ICMP keeps id and code and takes the reply type. */
	t = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0);
	t.icmp.type = 13;
	t.icmp.code = 0;
	t.icmp.id = 4242;
	assert_int_equal(ctnl_tuple_invert(&t, &t), 0);
	assert_int_equal(t.icmp.type, 14);
	assert_int_equal(t.icmp.id, 4242);
	assert_true(t.src.in.s_addr == htonl(0x0a000002));
	/* ICMPv6 130 (a listener query) has no reply type. */
	t = tuple_of("fd00::1", "fd00::2", IPPROTO_ICMPV6, 0, 0);
	t.icmp.type = 130;
	assert_int_equal(ctnl_tuple_invert(&t, &r), 0);
	assert_int_equal(r.icmp.type, 255);
	/* Another protocol: addresses only. */
	t = tuple_of("10.0.0.1", "10.0.0.2", 99, 0, 0);
	t.port.src = 1;
	assert_int_equal(ctnl_tuple_invert(&t, &r), 0);
	assert_int_equal(r.port.src, 1);

	before = r;
	assert_int_equal(ctnl_tuple_invert(NULL, &r), -EINVAL);
	assert_int_equal(ctnl_tuple_invert(&t, NULL), -EINVAL);
	assert_memory_equal(&r, &before, sizeof(r));
}

/* The dying and unconfirmed lists, and the table with its counters
 * zeroed: their own message types; the lists take no kernel criterion. */
static void test_build_dump_of_other_lists(void **state)
{
	struct ctnl_filter f = { .match = CTNL_MATCH_MARK, .mark = 1,
				 .mark_mask = 1, .family = AF_INET };
	_Alignas(8) uint8_t buf[512];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int plain;

	(void)state;
	plain = ctnl_build_dump(buf, sizeof(buf), &f);
	assert_true(plain > (int)(NLMSG_HDRLEN + 4));
	f.flags = CTNL_FILTER_ZERO;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f), plain);
	assert_int_equal(nlh->nlmsg_type,
			 (NFNL_SUBSYS_CTNETLINK << 8) |
				 IPCTNL_MSG_CT_GET_CTRZERO);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	f.flags = CTNL_FILTER_DYING;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f),
			 NLMSG_HDRLEN + 4);
	assert_int_equal(nlh->nlmsg_type,
			 (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_DYING);
	f.flags = CTNL_FILTER_UNCONFIRMED;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f),
			 NLMSG_HDRLEN + 4);
	assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) |
						  IPCTNL_MSG_CT_GET_UNCONFIRMED);

	/* One list at a time; no zeroing of entries a criterion the
	 * kernel does not apply would then drop. */
	f.flags = CTNL_FILTER_DYING | CTNL_FILTER_ZERO;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f), -EINVAL);
	f.flags = CTNL_FILTER_DYING | CTNL_FILTER_UNCONFIRMED;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f), -EINVAL);
	f.flags = CTNL_FILTER_ZERO;
	f.match |= CTNL_MATCH_LABELS;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f), -EOPNOTSUPP);
	f.match = 0;
	f.flags = CTNL_FILTER_ZERO | CTNL_FILTER_USERSPACE;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &f), -EOPNOTSUPP);
	/* A flush takes none of them. */
	f.flags = CTNL_FILTER_DYING;
	assert_int_equal(ctnl_build_flush_filtered(buf, sizeof(buf), &f),
			 -EINVAL);
}

static void test_build_create_sctp_state_and_vtags(void **state)
{
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
					   CTNL_ATTR_SCTP_STATE |
					   CTNL_ATTR_SCTP_VTAG,
				  .timeout = 30 };
	struct ctnl_flow parsed;

	(void)state;
	flow.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_SCTP, 5, 6);
	flow.sctp.state = SCTP_CONNTRACK_ESTABLISHED;
	flow.sctp.vtag[0] = 11;
	flow.sctp.vtag[1] = 22;
	build_and_parse_create(&flow, &parsed);
	assert_int_equal(parsed.sctp.state, SCTP_CONNTRACK_ESTABLISHED);
	assert_int_equal(parsed.sctp.vtag[1], 22);
	assert_int_equal(parsed.reply.port.src, 6);

	/* The kernel takes SCTP state and tags together or not at all. */
	{
		uint8_t buf[512];

		flow.attrs &= ~CTNL_ATTR_SCTP_VTAG;
		assert_int_equal(ctnl_build_create(buf, sizeof(buf), &flow),
				 -EINVAL);
		flow.attrs ^= CTNL_ATTR_SCTP_VTAG | CTNL_ATTR_SCTP_STATE;
		assert_int_equal(ctnl_build_create(buf, sizeof(buf), &flow),
				 -EINVAL);
	}
}

static void test_build_create_tcp_wscale_and_flags(void **state)
{
	struct ctnl_flow flow = tcp_key(), parsed;

	(void)state;
	flow.attrs |= CTNL_ATTR_TIMEOUT | CTNL_ATTR_TCP_WSCALE |
		      CTNL_ATTR_TCP_FLAGS;
	flow.timeout = 5;
	flow.tcp.wscale[1] = 7;
	flow.tcp.flags[0] = IP_CT_TCP_FLAG_SACK_PERM;
	flow.tcp.flags_mask[0] = IP_CT_TCP_FLAG_SACK_PERM;
	build_and_parse_create(&flow, &parsed);
	assert_int_equal(parsed.tcp.wscale[1], 7);
	assert_int_equal(parsed.tcp.flags[0], IP_CT_TCP_FLAG_SACK_PERM);
	assert_int_equal(parsed.tcp.flags_mask[0], IP_CT_TCP_FLAG_SACK_PERM);
}

static void test_build_refuses_bad_requests(void **state)
{
	struct ctnl_flow key = tcp_key(), none = { 0 };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK };
	struct ctnl_filter filter = { 0 };
	_Alignas(8) uint8_t buf[512];

	(void)state;
	assert_int_equal(ctnl_build_get(NULL, sizeof(buf), &key), -EINVAL);
	assert_int_equal(ctnl_build_get(buf, sizeof(buf), NULL), -EINVAL);
	/* Never a delete without a tuple: that would be a flush. */
	assert_int_equal(ctnl_build_delete(buf, sizeof(buf), &none), -EINVAL);
	key.orig.family = AF_UNIX;
	assert_int_equal(ctnl_build_get(buf, sizeof(buf), &key), -EINVAL);

	key = tcp_key();
	assert_int_equal(ctnl_build_update(buf, sizeof(buf), &key, NULL),
			 -EINVAL);
	change.attrs = 0;
	assert_int_equal(ctnl_build_update(buf, sizeof(buf), &key, &change),
			 -EINVAL);
	change.attrs = CTNL_ATTR_MARK | CTNL_ATTR_ORIG;
	assert_int_equal(ctnl_build_update(buf, sizeof(buf), &key, &change),
			 -EINVAL);

	/* A create needs an original tuple and a timeout. */
	assert_int_equal(ctnl_build_create(buf, sizeof(buf), &key), -EINVAL);
	key.attrs |= CTNL_ATTR_TIMEOUT | CTNL_ATTR_REPLY;
	key.reply = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_UDP, 80, 1000);
	assert_int_equal(ctnl_build_create(buf, sizeof(buf), &key), -EINVAL);
	assert_int_equal(ctnl_build_create(buf, sizeof(buf), NULL), -EINVAL);

	assert_int_equal(ctnl_build_flush(buf, sizeof(buf), 7, 0), -EINVAL);
	assert_int_equal(ctnl_build_flush(buf, sizeof(buf), CTNL_TABLE_CONNTRACK,
					  AF_UNIX), -EINVAL);
	assert_int_equal(ctnl_build_dump_expect(buf, sizeof(buf), AF_UNIX),
			 -EINVAL);
	assert_int_equal(ctnl_build_dump_expect(buf, 8, 0), -ENOSPC);
	assert_true(ctnl_build_dump_expect(buf, sizeof(buf), AF_INET) > 0);

	filter.match = 1u << 20;
	assert_int_equal(ctnl_build_dump(buf, sizeof(buf), &filter), -EINVAL);
}

/* Whether the built request's @type NAT nest holds CTA_NAT_PROTO. */
static bool nat_has_ports(const void *buf, uint16_t type)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlattr *attr, *inner;
	bool found = false, ports = false;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != type)
			continue;
		found = true;
		mnl_attr_for_each_nested(inner, attr)
			ports |= mnl_attr_get_type(inner) == CTA_NAT_PROTO;
	}
	assert_true(found);
	return ports;
}

/* NAT ports go only with a protocol that has ports. */
static void test_build_create_nat_ports_only_with_ports(void **state)
{
	struct ctnl_flow flow = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT | CTNL_ATTR_SNAT,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1000, 53),
		.timeout = 60,
		.snat = { .port_min = 4000 },
	};
	uint8_t buf[512];

	(void)state;
	inet_pton(AF_INET, "10.0.0.9", &flow.snat.min);
	assert_true(ctnl_build_create(buf, sizeof(buf), &flow) > 0);
	assert_true(nat_has_ports(buf, CTA_NAT_SRC));
	flow.orig.proto = IPPROTO_ICMP;
	flow.orig.port.src = flow.orig.port.dst = 0;
	flow.orig.icmp.type = 8;
	assert_true(ctnl_build_create(buf, sizeof(buf), &flow) > 0);
	assert_false(nat_has_ports(buf, CTA_NAT_SRC));
}

/* A helper is asked for by name, inside CTA_HELP. */
/* Source and destination NAT, addresses and ports, both families. */
static void test_build_create_with_nat(void **state)
{
	struct ctnl_flow flow = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT | CTNL_ATTR_DNAT |
			 CTNL_ATTR_SNAT,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000, 80),
		.timeout = 60,
		.dnat = { .port_min = 8080 },
	};
	uint8_t buf[512];

	(void)state;
	inet_pton(AF_INET, "10.0.0.3", &flow.dnat.min);
	inet_pton(AF_INET, "10.0.0.9", &flow.snat.min);
	inet_pton(AF_INET, "10.0.0.10", &flow.snat.max);
	CHECK_BUILT(expect_create_nat_v4, ctnl_build_create(b, size, &flow));

	flow = (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT | CTNL_ATTR_DNAT,
		.orig = tuple_of("fd00::1", "fd00::2", IPPROTO_UDP, 1000, 53),
		.timeout = 60,
		.dnat = { .port_min = 53, .port_max = 54 },
	};
	inet_pton(AF_INET6, "fd00::3", &flow.dnat.min);
	CHECK_BUILT(expect_create_nat_v6, ctnl_build_create(b, size, &flow));
	/* A range that goes down; a range of one port is a range. */
	flow.dnat.port_max = 52;
	assert_int_equal(ctnl_build_create(buf, sizeof(buf), &flow), -EINVAL);
	flow.dnat.port_max = 53;
	assert_true(ctnl_build_create(buf, sizeof(buf), &flow) > 0);
}

static void test_build_create_with_helper(void **state)
{
	struct ctnl_flow flow = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT | CTNL_ATTR_HELPER,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1000, 21),
		.timeout = 60,
		.helper = "ftp",
	};
	uint8_t buf[512];

	(void)state;
	CHECK_BUILT(expect_create_helper_v4, ctnl_build_create(b, size, &flow));
	/* Empty (the kernel's "remove the helper") or unterminated. */
	flow.helper[0] = '\0';
	assert_int_equal(ctnl_build_create(buf, sizeof(buf), &flow), -EINVAL);
	memset(flow.helper, 'x', sizeof(flow.helper));
	assert_int_equal(ctnl_build_create(buf, sizeof(buf), &flow), -EINVAL);
}

/* A flush with the criteria the kernel applies: the same attributes as a
 * dump's, version 1 for the family, no tuple of its own. */
static void test_build_flush_filtered_v4(void **state)
{
	struct ctnl_filter filter = {
		.family = AF_INET,
		.match = CTNL_MATCH_MARK | CTNL_MATCH_STATUS | CTNL_MATCH_ZONE |
			 CTNL_MATCH_ORIG_SRC | CTNL_MATCH_PROTO |
			 CTNL_MATCH_ORIG_DPORT,
		.mark = 1, .mark_mask = 3,
		.status = CTNL_STATUS_ASSURED,
		.status_mask = CTNL_STATUS_ASSURED,
		.zone = 7,
		.proto = IPPROTO_UDP,
		.orig_dport = 53,
	};

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", &filter.orig_src);
	CHECK_BUILT(expect_flush_filtered_v4,
		    ctnl_build_flush_filtered(b, size, &filter));
	/* No filter at all: the plain flush of everything. */
	CHECK_BUILT(expect_flush_all, ctnl_build_flush_filtered(b, size, NULL));
}

/* A flush is not re-checked: a criterion the kernel does not apply would
 * make it delete more than asked. */
static void test_build_flush_filtered_refuses_user_space_criteria(void **state)
{
	struct ctnl_filter filter = { .family = AF_INET,
				      .match = CTNL_MATCH_ORIG_SRC,
				      .orig_src_len = 24 };
	uint8_t buf[512];

	(void)state;
	assert_int_equal(ctnl_build_flush_filtered(buf, sizeof(buf), &filter),
			 -EOPNOTSUPP);
	filter = (struct ctnl_filter){ .match = CTNL_MATCH_MARK,
				       .flags = CTNL_FILTER_USERSPACE };
	assert_int_equal(ctnl_build_flush_filtered(buf, sizeof(buf), &filter),
			 -EOPNOTSUPP);
	filter = (struct ctnl_filter){ .family = AF_INET6,
				       .match = CTNL_MATCH_ORIG_DST };
	assert_int_equal(ctnl_build_flush_filtered(buf, sizeof(buf), &filter),
			 -EOPNOTSUPP);
	filter = (struct ctnl_filter){ .match = CTNL_MATCH_TCP_STATE };
	assert_int_equal(ctnl_build_flush_filtered(buf, sizeof(buf), &filter),
			 -EOPNOTSUPP);
	filter = (struct ctnl_filter){ .family = 99 };
	assert_int_equal(ctnl_build_flush_filtered(buf, sizeof(buf), &filter),
			 -EINVAL);
}

static void test_build_stats_requests(void **state)
{
	uint8_t buf[64];

	(void)state;
	CHECK_BUILT(expect_stats, ctnl_build_stats(b, size));
	CHECK_BUILT(expect_stats_cpu,
		    ctnl_build_stats_cpu(b, size, CTNL_TABLE_CONNTRACK));
	CHECK_BUILT(expect_stats_cpu_exp,
		    ctnl_build_stats_cpu(b, size, CTNL_TABLE_EXPECT));
	assert_int_equal(ctnl_build_stats_cpu(buf, sizeof(buf), 5), -EINVAL);
	assert_int_equal(ctnl_build_stats(NULL, sizeof(buf)), -EINVAL);
}

static struct ctnl_expect ftp_expect(void)
{
	struct ctnl_expect e = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK,
		.master = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000,
				   21),
		.tuple = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 0,
				  20000),
		.mask = tuple_of("255.255.255.255", "255.255.255.255",
				 IPPROTO_TCP, 0, 0xffff),
	};

	return e;
}

static void test_build_expect_get_and_delete(void **state)
{
	struct ctnl_expect key = ftp_expect();

	(void)state;
	key.attrs = CTNL_EXP_ATTR_TUPLE | CTNL_EXP_ATTR_ID;
	key.id = 0x1234;
	key.zone = 3;
	CHECK_BUILT(expect_get_expect_v4, ctnl_build_get_expect(b, size, &key));
	key.attrs = CTNL_EXP_ATTR_TUPLE;
	key.zone = 0;
	key.tuple = (struct ctnl_tuple){ .family = AF_INET6,
					 .proto = IPPROTO_TCP,
					 .port.dst = 20000 };
	inet_pton(AF_INET6, "fd00::2", &key.tuple.src);
	inet_pton(AF_INET6, "fd00::1", &key.tuple.dst);
	CHECK_BUILT(expect_delete_expect_v6,
		    ctnl_build_delete_expect(b, size, &key));
}

static void test_build_expect_create_with_everything(void **state)
{
	struct ctnl_expect e = ftp_expect(), parsed;
	uint8_t buf[512];

	(void)state;
	e.attrs |= CTNL_EXP_ATTR_TIMEOUT | CTNL_EXP_ATTR_HELPER |
		   CTNL_EXP_ATTR_FLAGS | CTNL_EXP_ATTR_CLASS |
		   CTNL_EXP_ATTR_NAT | CTNL_EXP_ATTR_FN;
	e.zone = 3;
	e.timeout = 300;
	strcpy(e.helper, "ftp");
	e.flags = NF_CT_EXPECT_PERMANENT;
	e.class = 0;
	e.nat_dir = CTNL_DIR_REPLY;
	e.nat_tuple = tuple_of("10.0.0.9", "0.0.0.0", IPPROTO_TCP, 2121, 0);
	strcpy(e.fn, "nat-follow-master");
	CHECK_BUILT(expect_create_expect_v4,
		    ctnl_build_create_expect(b, size, &e));

	/* A create request has an expectation's layout: parse it back. */
	assert_true(ctnl_build_create_expect(buf, sizeof(buf), &e) > 0);
	assert_int_equal(ctnl_expect_parse((struct nlmsghdr *)buf, &parsed), 0);
	assert_int_equal(parsed.master.port.src, 40000);
	assert_int_equal(parsed.tuple.port.dst, 20000);
	assert_int_equal(parsed.mask.port.dst, 0xffff);
	assert_int_equal(parsed.nat_tuple.port.src, 2121);
	assert_string_equal(parsed.fn, "nat-follow-master");
	assert_string_equal(parsed.helper, "ftp");
}

static void test_build_expect_refuses_bad_requests(void **state)
{
	struct ctnl_expect e = ftp_expect(), good = ftp_expect();
	uint8_t buf[512];

	(void)state;
	/* Never a delete without a tuple: that would flush the table. */
	e.attrs = CTNL_EXP_ATTR_MASTER;
	assert_int_equal(ctnl_build_delete_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	assert_int_equal(ctnl_build_get_expect(buf, sizeof(buf), &e), -EINVAL);
	assert_int_equal(ctnl_build_get_expect(buf, sizeof(buf), NULL),
			 -EINVAL);
	e = good;
	e.tuple.family = AF_UNIX;
	assert_int_equal(ctnl_build_get_expect(buf, sizeof(buf), &e), -EINVAL);

	/* A create needs master, tuple and mask, alike. */
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), NULL),
			 -EINVAL);
	e = good;
	e.attrs &= ~CTNL_EXP_ATTR_MASK;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.master.family = AF_UNIX;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.tuple.family = AF_INET6;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.mask.family = AF_INET6;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.mask.proto = IPPROTO_UDP;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.attrs |= CTNL_EXP_ATTR_HELPER;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.attrs |= CTNL_EXP_ATTR_FN;
	memset(e.fn, 'f', sizeof(e.fn));
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	e = good;
	e.attrs |= CTNL_EXP_ATTR_NAT;
	e.nat_tuple.family = AF_INET6;
	assert_int_equal(ctnl_build_create_expect(buf, sizeof(buf), &e),
			 -EINVAL);
	assert_int_equal(ctnl_build_create_expect(buf, 40, &good), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_get_v4_tcp),
		cmocka_unit_test(test_build_update_mark_v6_with_zone_and_id),
		cmocka_unit_test(test_build_delete_by_reply_tuple),
		cmocka_unit_test(test_build_flush_per_family_uses_version_1),
		cmocka_unit_test(
			test_build_flush_expectations_of_one_family_is_eopnotsupp),
		cmocka_unit_test(test_build_create_v4_inverts_reply_and_confirms),
		cmocka_unit_test(test_build_update_labels_sends_masked_value),
		cmocka_unit_test(test_build_dump_sends_kernel_filters),
		cmocka_unit_test(test_build_icmp_tuple_carries_id_type_code),
		cmocka_unit_test(test_build_create_zones_labels_icmp_reply),
		cmocka_unit_test(test_build_create_inverts_icmp_types_both_ways),
		cmocka_unit_test(test_icmp_reply_type_pairs_as_the_kernel),
		cmocka_unit_test(test_build_dump_of_other_lists),
		cmocka_unit_test(test_tuple_invert_as_the_kernel),
		cmocka_unit_test(test_build_create_sctp_state_and_vtags),
		cmocka_unit_test(test_build_create_tcp_wscale_and_flags),
		cmocka_unit_test(test_build_refuses_bad_requests),
		cmocka_unit_test(test_build_create_with_helper),
		cmocka_unit_test(test_build_create_with_nat),
		cmocka_unit_test(test_build_create_nat_ports_only_with_ports),
		cmocka_unit_test(test_build_flush_filtered_v4),
		cmocka_unit_test(
			test_build_flush_filtered_refuses_user_space_criteria),
		cmocka_unit_test(test_build_stats_requests),
		cmocka_unit_test(test_build_expect_get_and_delete),
		cmocka_unit_test(test_build_expect_create_with_everything),
		cmocka_unit_test(test_build_expect_refuses_bad_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
