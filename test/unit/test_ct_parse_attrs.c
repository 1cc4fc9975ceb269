/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parsers on their own: every attribute the flow and expectation
 * models hold, read into its field; each fixed-size attribute with a wrong
 * length refused; messages of the wrong type or subsystem refused.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>

#include "helpers.h"

#define CT_NEW_TYPE ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)
#define EXP_NEW_TYPE ((NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW)

static void put_be64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	v = htobe64(v);
	mnl_attr_put(nlh, type, sizeof(v), &v);
}

/* A tuple, in the kernel's layout: addresses, then protocol and ports. */
static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const char *src,
		      const char *dst, uint8_t proto, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type), *in;
	struct in_addr s, d;

	assert_int_equal(inet_pton(AF_INET, src, &s), 1);
	assert_int_equal(inet_pton(AF_INET, dst, &d), 1);
	in = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, sizeof(s), &s);
	mnl_attr_put(nlh, CTA_IP_V4_DST, sizeof(d), &d);
	mnl_attr_nest_end(nlh, in);
	in = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, nest);
}

/* A DCCP entry with everything but NAT: old 32-bit counters, both
 * timestamps, a helper, a zone for both directions. */
static struct nlmsghdr *dccp_entry(uint8_t *buf)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *in;

	/* libmnl before 1.0.5 leaves attribute padding as it finds it. */
	memset(buf, 0, 1024);
	nlh = put_nfmsg(buf, CT_NEW_TYPE, 0, AF_INET);

	put_tuple(nlh, CTA_TUPLE_ORIG, "10.0.0.1", "10.0.0.2", IPPROTO_DCCP,
		  5000, 6000);
	put_tuple(nlh, CTA_TUPLE_REPLY, "10.0.0.2", "10.0.0.1", IPPROTO_DCCP,
		  6000, 5000);
	nest = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	in = mnl_attr_nest_start(nlh, CTA_PROTOINFO_DCCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_DCCP_STATE, 4);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_DCCP_ROLE, 1);
	put_be64(nlh, CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ, 0x0102030405ull);
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_COUNTERS_ORIG);
	mnl_attr_put_u32(nlh, CTA_COUNTERS32_PACKETS, htonl(3));
	mnl_attr_put_u32(nlh, CTA_COUNTERS32_BYTES, htonl(300));
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);
	put_be64(nlh, CTA_TIMESTAMP_START, 1000);
	put_be64(nlh, CTA_TIMESTAMP_STOP, 2000);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, "dccp-x");
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(12));
	mnl_attr_put_u32(nlh, CTA_USE, htonl(2));
	return nlh;
}

static void test_parse_reads_dccp_counters32_timestamps_helper(void **state)
{
	uint8_t buf[1024];
	struct nlmsghdr *nlh = dccp_entry(buf);
	struct ctnl_flow f;

	(void)state;
	/* A destroy event parses the same. */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	assert_int_equal(ctnl_flow_parse(nlh, &f), 0);
	assert_int_equal(f.orig.proto, IPPROTO_DCCP);
	assert_int_equal(f.reply.port.src, 6000);
	assert_true(f.attrs & CTNL_ATTR_DCCP_STATE);
	assert_true(f.attrs & CTNL_ATTR_DCCP_ROLE);
	assert_true(f.attrs & CTNL_ATTR_DCCP_HANDSHAKE_SEQ);
	assert_int_equal(f.dccp.state, 4);
	assert_int_equal(f.dccp.role, 1);
	assert_int_equal(f.dccp.handshake_seq, 0x0102030405ull);
	assert_true(f.attrs & CTNL_ATTR_COUNTERS_ORIG);
	assert_int_equal(f.counters[CTNL_DIR_ORIG].packets, 3);
	assert_int_equal(f.counters[CTNL_DIR_ORIG].bytes, 300);
	assert_int_equal(f.start, 1000);
	assert_int_equal(f.stop, 2000);
	assert_true(f.attrs & CTNL_ATTR_STOP);
	assert_string_equal(f.helper, "dccp-x");
	assert_int_equal(f.orig.zone, 12);
	assert_int_equal(f.reply.zone, 12);
	assert_int_equal(f.use, 2);
}

/* An expectation with NAT, as nf_nat_ftp leaves one. */
static struct nlmsghdr *nat_expectation(uint8_t *buf)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	memset(buf, 0, 1024);
	nlh = put_nfmsg(buf, EXP_NEW_TYPE, 0, AF_INET);

	put_tuple(nlh, CTA_EXPECT_MASTER, "10.0.0.1", "10.0.0.2",
		  IPPROTO_TCP, 4000, 21);
	put_tuple(nlh, CTA_EXPECT_TUPLE, "10.0.0.2", "10.0.0.9",
		  IPPROTO_TCP, 0, 5001);
	put_tuple(nlh, CTA_EXPECT_MASK, "255.255.255.255", "255.255.255.255",
		  0xff, 0, 0xffff);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(299));
	mnl_attr_put_u32(nlh, CTA_EXPECT_ID, htonl(77));
	mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME, "ftp");
	mnl_attr_put_u16(nlh, CTA_EXPECT_ZONE, htons(5));
	mnl_attr_put_u32(nlh, CTA_EXPECT_FLAGS, htonl(1));
	mnl_attr_put_u32(nlh, CTA_EXPECT_CLASS, htonl(2));
	nest = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
	mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(1));
	put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, "192.0.2.1", "0.0.0.0",
		  IPPROTO_TCP, 5001, 0);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_strz(nlh, CTA_EXPECT_FN, "nat-follow-master");
	return nlh;
}

static void test_parse_reads_expectation_with_nat(void **state)
{
	uint8_t buf[1024];
	struct ctnl_expect e;
	char line[512];

	(void)state;
	assert_int_equal(ctnl_expect_parse(nat_expectation(buf), &e), 0);
	assert_int_equal(e.attrs, CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
				  CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT |
				  CTNL_EXP_ATTR_ID | CTNL_EXP_ATTR_HELPER |
				  CTNL_EXP_ATTR_ZONE | CTNL_EXP_ATTR_FLAGS |
				  CTNL_EXP_ATTR_CLASS | CTNL_EXP_ATTR_NAT |
				  CTNL_EXP_ATTR_FN);
	assert_int_equal(e.master.port.dst, 21);
	assert_int_equal(e.tuple.port.dst, 5001);
	assert_int_equal(e.timeout, 299);
	assert_int_equal(e.id, 77);
	assert_string_equal(e.helper, "ftp");
	assert_int_equal(e.zone, 5);
	assert_int_equal(e.flags, 1);
	assert_int_equal(e.class, 2);
	assert_int_equal(e.nat_dir, 1);
	assert_int_equal(e.nat_tuple.port.src, 5001);
	assert_string_equal(e.fn, "nat-follow-master");
	assert_true(ctnl_expect_format(&e, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "helper=ftp"));
}

/*
 * Each fixed-size attribute, one byte too long: refused, wherever it sits
 * (top level, in a tuple, in protocol info, in counters, timestamps, the
 * expectation's NAT nest). A path is the attribute types from the top.
 */
struct bad_attr {
	bool expect;		/* an expectation, else a conntrack entry */
	uint16_t path[4];	/* nests, then the attribute; 0 ends */
	uint16_t len;		/* its (wrong) payload length */
};

static const struct bad_attr bad_attrs[] = {
	{ false, { CTA_STATUS }, 5 },
	{ false, { CTA_TIMEOUT }, 5 },
	{ false, { CTA_MARK }, 3 },
	{ false, { CTA_USE }, 5 },
	{ false, { CTA_ID }, 8 },
	{ false, { CTA_ZONE }, 4 },
	{ false, { CTA_LABELS }, 6 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_ZONE }, 3 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_IP, CTA_IP_V4_SRC }, 5 },
	{ false, { CTA_TUPLE_REPLY, CTA_TUPLE_IP, CTA_IP_V4_DST }, 16 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_NUM }, 2 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_SRC_PORT }, 4 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_DST_PORT }, 1 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_ICMP_ID }, 3 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_ICMP_TYPE }, 2 },
	{ false, { CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_ICMP_CODE }, 0 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_TCP, CTA_PROTOINFO_TCP_STATE },
	  2 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_TCP,
		   CTA_PROTOINFO_TCP_WSCALE_REPLY }, 0 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_TCP,
		   CTA_PROTOINFO_TCP_FLAGS_ORIGINAL }, 3 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_SCTP,
		   CTA_PROTOINFO_SCTP_STATE }, 4 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_SCTP,
		   CTA_PROTOINFO_SCTP_VTAG_ORIGINAL }, 8 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_SCTP,
		   CTA_PROTOINFO_SCTP_VTAG_REPLY }, 2 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_DCCP,
		   CTA_PROTOINFO_DCCP_STATE }, 4 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_DCCP,
		   CTA_PROTOINFO_DCCP_ROLE }, 2 },
	{ false, { CTA_PROTOINFO, CTA_PROTOINFO_DCCP,
		   CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ }, 4 },
	{ false, { CTA_COUNTERS_ORIG, CTA_COUNTERS_PACKETS }, 4 },
	{ false, { CTA_COUNTERS_REPLY, CTA_COUNTERS_BYTES }, 9 },
	{ false, { CTA_COUNTERS_ORIG, CTA_COUNTERS32_PACKETS }, 8 },
	{ false, { CTA_COUNTERS_REPLY, CTA_COUNTERS32_BYTES }, 2 },
	{ false, { CTA_TIMESTAMP, CTA_TIMESTAMP_START }, 4 },
	{ false, { CTA_TIMESTAMP, CTA_TIMESTAMP_STOP }, 7 },
	{ false, { CTA_HELP, CTA_HELP_NAME }, 0 },
	{ true, { CTA_EXPECT_TIMEOUT }, 2 },
	{ true, { CTA_EXPECT_ID }, 5 },
	{ true, { CTA_EXPECT_ZONE }, 4 },
	{ true, { CTA_EXPECT_FLAGS }, 3 },
	{ true, { CTA_EXPECT_CLASS }, 1 },
	{ true, { CTA_EXPECT_HELP_NAME }, 0 },
	{ true, { CTA_EXPECT_FN }, 0 },
	{ true, { CTA_EXPECT_MASTER, CTA_TUPLE_IP, CTA_IP_V4_SRC }, 3 },
	{ true, { CTA_EXPECT_MASK, CTA_TUPLE_PROTO, CTA_PROTO_NUM }, 0 },
	{ true, { CTA_EXPECT_NAT, CTA_EXPECT_NAT_DIR }, 2 },
	{ true, { CTA_EXPECT_NAT, CTA_EXPECT_NAT_TUPLE, CTA_TUPLE_ZONE }, 1 },
};

static void test_parse_refuses_every_attribute_of_wrong_length(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_attrs) / sizeof(bad_attrs[0]); i++) {
		const struct bad_attr *b = &bad_attrs[i];
		uint8_t buf[512] = { 0 }, zeros[32] = { 0 };
		struct nlattr *nests[3];
		struct nlmsghdr *nlh;
		struct ctnl_flow f;
		struct ctnl_expect e;
		int depth = 0, ret;

		nlh = put_nfmsg(buf, b->expect ? EXP_NEW_TYPE : CT_NEW_TYPE, 0,
				AF_INET);
		for (; depth < 3 && b->path[depth + 1]; depth++)
			nests[depth] = mnl_attr_nest_start(nlh, b->path[depth]);
		mnl_attr_put(nlh, b->path[depth], b->len, zeros);
		for (int d = depth - 1; d >= 0; d--)
			mnl_attr_nest_end(nlh, nests[d]);
		ret = b->expect ? ctnl_expect_parse(nlh, &e)
				: ctnl_flow_parse(nlh, &f);
		if (ret != -EBADMSG)
			fail_msg("bad attribute #%zu (type %u, %u bytes): %d", i,
				 b->path[depth], b->len, ret);
	}
}

/* Right subsystem, wrong message: a conntrack GET or a stats reply is no
 * entry, and no expectation either. */
static void test_parse_refuses_other_message_types(void **state)
{
	uint8_t buf[1024];
	struct nlmsghdr *nlh = dccp_entry(buf);
	struct ctnl_flow f;
	struct ctnl_expect e;

	(void)state;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	assert_int_equal(ctnl_flow_parse(nlh, &f), -EPROTO);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
			  IPCTNL_MSG_CT_GET_STATS;
	assert_int_equal(ctnl_flow_parse(nlh, &f), -EPROTO);
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EPROTO);
	nlh = nat_expectation(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) |
			  IPCTNL_MSG_EXP_GET;
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EPROTO);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) |
			  IPCTNL_MSG_EXP_DELETE;
	assert_int_equal(ctnl_expect_parse(nlh, &e), 0);
	/* Trailing bytes after the last attribute. */
	nlh->nlmsg_len += 2;
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
	/* Too short for nfgenmsg. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_parse_reads_dccp_counters32_timestamps_helper),
		cmocka_unit_test(test_parse_reads_expectation_with_nat),
		cmocka_unit_test(
			test_parse_refuses_every_attribute_of_wrong_length),
		cmocka_unit_test(test_parse_refuses_other_message_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
