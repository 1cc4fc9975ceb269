/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The decoder, ctnl_msg_fprint(), and the trace hook that prints with it,
 * ctnl_trace_print(): the exact text for replies a real kernel sent (the
 * fixtures), for requests the builders make and for messages built here to
 * reach every kind of attribute; every fixture decoded without a fault;
 * and every way a message can be cut short or malformed, shown as such
 * without reading a byte past what it was given.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include <ctnl/ctnl.h>
#include <ctnl/mocks.h>

#include "ct/internal.h"
#include "entry.h"
#include "fixture.h"
#include "helpers.h"

#define CT_TYPE(msg) ((uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | (msg)))
#define EXP_TYPE(msg) ((uint16_t)(NFNL_SUBSYS_CTNETLINK_EXP << 8 | (msg)))

/* What ctnl_msg_fprint() writes for @len bytes at @nlh, and returns. */
static char *decode(const void *nlh, size_t len, int *ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	*ret = ctnl_msg_fprint(out, nlh, len);
	fclose(out);
	return text;
}

static void expect_text(const void *nlh, size_t len, int want_ret,
			const char *want)
{
	int ret;
	char *text = decode(nlh, len, &ret);

	assert_string_equal(text, want);
	assert_int_equal(ret, want_ret);
	free(text);
}

/* Every message of every datagram of fixture @name, decoded one after the
 * other, each whole and well formed. */
static char *decode_fixture(const char *name)
{
	struct fixture fx;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	fixture_load(name, &fx);
	for (size_t d = 0; d < fx.count; d++) {
		const uint8_t *p = fx.dgrams[d].data;
		size_t rem = fx.dgrams[d].len;

		while (rem > 0) {
			const struct nlmsghdr *nlh = (const void *)p;
			size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

			if (ctnl_msg_fprint(out, nlh, rem) != 0)
				fail_msg("%s, datagram %zu: not decoded whole",
					 name, d);
			step = step < rem ? step : rem;
			p += step;
			rem -= step;
		}
	}
	fixture_free(&fx);
	fclose(out);
	return text;
}

static void expect_fixture(const char *name, const char *want)
{
	char *text = decode_fixture(name);

	assert_string_equal(text, want);
	free(text);
}

/* ---- Replies a kernel sent ---- */

static void test_decode_tcp_dump_entry_and_done(void **state)
{
	(void)state;
	expect_fixture("ct_tcp_v4.bin",
		"IPCTNL_MSG_CT_NEW len=284 flags=MULTI|DUMP_FILTERED "
		"seq=1795703087 port=31705\n"
		"  nfgenmsg family=AF_INET version=0 res_id=0\n"
		"  CTA_TUPLE_ORIG\n"
		"    CTA_TUPLE_IP\n"
		"      CTA_IP_V4_SRC 10.77.0.1\n"
		"      CTA_IP_V4_DST 10.77.0.2\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 6 (tcp)\n"
		"      CTA_PROTO_SRC_PORT 58274\n"
		"      CTA_PROTO_DST_PORT 5001\n"
		"  CTA_TUPLE_REPLY\n"
		"    CTA_TUPLE_IP\n"
		"      CTA_IP_V4_SRC 10.77.0.2\n"
		"      CTA_IP_V4_DST 10.77.0.1\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 6 (tcp)\n"
		"      CTA_PROTO_SRC_PORT 5001\n"
		"      CTA_PROTO_DST_PORT 58274\n"
		"  CTA_STATUS 0xe (SEEN_REPLY|ASSURED|CONFIRMED)\n"
		"  CTA_MARK 0\n"
		"  CTA_ID 1763391598\n"
		"  CTA_USE 1\n"
		"  CTA_TIMEOUT 431999\n"
		"  CTA_PROTOINFO\n"
		"    CTA_PROTOINFO_TCP\n"
		"      CTA_PROTOINFO_TCP_STATE 3 (ESTABLISHED)\n"
		"      CTA_PROTOINFO_TCP_WSCALE_ORIGINAL 10\n"
		"      CTA_PROTOINFO_TCP_WSCALE_REPLY 10\n"
		"      CTA_PROTOINFO_TCP_FLAGS_ORIGINAL flags=0x23 "
		"(WINDOW_SCALE|SACK_PERM|MAXACK_SET) mask=0x0\n"
		"      CTA_PROTOINFO_TCP_FLAGS_REPLY flags=0x23 "
		"(WINDOW_SCALE|SACK_PERM|MAXACK_SET) mask=0x0\n"
		"  CTA_COUNTERS_ORIG\n"
		"    CTA_COUNTERS_PACKETS 4\n"
		"    CTA_COUNTERS_BYTES 222\n"
		"  CTA_COUNTERS_REPLY\n"
		"    CTA_COUNTERS_PACKETS 3\n"
		"    CTA_COUNTERS_BYTES 170\n"
		"  CTA_TIMESTAMP\n"
		"    CTA_TIMESTAMP_START 1795703087455907039\n"
		"NLMSG_DONE len=20 flags=MULTI seq=1795703087 port=31705\n"
		"  status 0\n");
}

static void test_decode_error_of_a_missing_entry(void **state)
{
	(void)state;
	expect_fixture("ct_get_enoent.bin",
		"NLMSG_ERROR len=36 flags=CAPPED seq=1795703087 port=31713\n"
		"  error -2 ENOENT (No such file or directory)\n"
		"  request IPCTNL_MSG_CT_GET len=72 flags=REQUEST|ACK "
		"seq=1795703087 port=0\n");
}

static void test_decode_expectation_with_nat(void **state)
{
	(void)state;
	expect_fixture("exp_nat_ftp.bin",
		"IPCTNL_MSG_EXP_NEW len=304 flags=MULTI seq=1795703093 "
		"port=32166\n"
		"  nfgenmsg family=AF_INET version=0 res_id=0\n"
		"  CTA_EXPECT_TUPLE\n"
		"    CTA_TUPLE_IP\n"
		"      CTA_IP_V4_SRC 10.77.0.2\n"
		"      CTA_IP_V4_DST 10.77.0.103\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 6 (tcp)\n"
		"      CTA_PROTO_SRC_PORT 0\n"
		"      CTA_PROTO_DST_PORT 5001\n"
		"  CTA_EXPECT_MASK\n"
		"    CTA_TUPLE_IP\n"
		"      CTA_IP_V4_SRC 255.255.255.255\n"
		"      CTA_IP_V4_DST 255.255.255.255\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 6 (tcp)\n"
		"      CTA_PROTO_SRC_PORT 0\n"
		"      CTA_PROTO_DST_PORT 65535\n"
		"  CTA_EXPECT_MASTER\n"
		"    CTA_TUPLE_IP\n"
		"      CTA_IP_V4_SRC 10.77.0.1\n"
		"      CTA_IP_V4_DST 10.77.0.2\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 6 (tcp)\n"
		"      CTA_PROTO_SRC_PORT 50008\n"
		"      CTA_PROTO_DST_PORT 21\n"
		"  CTA_EXPECT_NAT\n"
		"    CTA_EXPECT_NAT_DIR 1 (REPLY)\n"
		"    CTA_EXPECT_NAT_TUPLE\n"
		"      CTA_TUPLE_IP\n"
		"        CTA_IP_V4_SRC 0.0.0.0\n"
		"        CTA_IP_V4_DST 0.0.0.0\n"
		"      CTA_TUPLE_PROTO\n"
		"        CTA_PROTO_NUM 6 (tcp)\n"
		"        CTA_PROTO_SRC_PORT 5001\n"
		"        CTA_PROTO_DST_PORT 0\n"
		"  CTA_EXPECT_TIMEOUT 299\n"
		"  CTA_EXPECT_ID 1008666339\n"
		"  CTA_EXPECT_FLAGS 0x0\n"
		"  CTA_EXPECT_CLASS 0\n"
		"  CTA_EXPECT_HELP_NAME \"ftp\"\n"
		"  CTA_EXPECT_FN \"nat-follow-master\"\n"
		"NLMSG_DONE len=20 flags=MULTI seq=1795703093 port=32166\n"
		"  status 0\n");
}

/* What the other fixtures hold that the ones above do not. */
static void test_decode_fixture_details(void **state)
{
	static const struct {
		const char *file, *line;
	} cases[] = {
		{ "ct_tcp_v6.bin", "      CTA_IP_V6_SRC fd77::1\n" },
		{ "ct_icmpv6.bin", "      CTA_PROTO_NUM 58 (icmpv6)\n"
				   "      CTA_PROTO_ICMPV6_ID " },
		{ "ct_icmpv6.bin", "      CTA_PROTO_ICMPV6_TYPE 129\n"
				   "      CTA_PROTO_ICMPV6_CODE 0\n" },
		{ "ct_labels.bin", "  CTA_LABELS bits 0,3,127\n" },
		{ "ct_udp_v4_mark.bin", "  CTA_MARK 42\n" },
		{ "ct_nat.bin", "  CTA_STATUS 0x1be (SEEN_REPLY|ASSURED|"
				"CONFIRMED|SRC_NAT|DST_NAT|SRC_NAT_DONE|"
				"DST_NAT_DONE)\n" },
		{ "ct_nat_ftp.bin", "  CTA_SEQ_ADJ_ORIG\n"
				    "    CTA_SEQADJ_CORRECTION_POS " },
		{ "ct_nat_ftp.bin", "    CTA_SEQADJ_OFFSET_AFTER 2\n" },
		{ "ct_helper_ftp.bin", "  CTA_HELP\n"
				       "    CTA_HELP_NAME \"ftp\"\n" },
		{ "ct_sctp.bin", "  CTA_PROTOINFO\n"
				 "    CTA_PROTOINFO_SCTP\n"
				 "      CTA_PROTOINFO_SCTP_STATE 4 "
				 "(ESTABLISHED)\n"
				 "      CTA_PROTOINFO_SCTP_VTAG_ORIGINAL "
				 "1144201745\n" },
		{ "ct_sctp.bin", "  CTA_SYNPROXY\n"
				 "    CTA_SYNPROXY_ISN 0\n" },
		{ "ct_zone.bin", "  CTA_ZONE 7\n" },
		{ "ct_zone.bin", "    CTA_TUPLE_ZONE 1\n" },
		{ "ct_mixed_any.bin", "nfgenmsg family=AF_INET6 " },
		{ "ct_stats.bin", "IPCTNL_MSG_CT_GET_STATS len=36 flags=MULTI "
				  "seq=1795703095 port=335\n"
				  "  nfgenmsg family=AF_UNSPEC version=0 "
				  "res_id=0\n"
				  "  CTA_STATS_GLOBAL_ENTRIES 600\n"
				  "  CTA_STATS_GLOBAL_MAX_ENTRIES 262144\n" },
		{ "ct_stats_cpu.bin", "  nfgenmsg family=AF_UNSPEC version=0 "
				      "res_id=1\n"
				      "  CTA_STATS_FOUND " },
		{ "ct_stats_cpu.bin", "  CTA_STATS_CHAIN_TOOLONG " },
		{ "exp_stats_cpu.bin", "IPCTNL_MSG_EXP_GET_STATS_CPU len=44 "
				       "flags=MULTI " },
		{ "exp_stats_cpu.bin", "  CTA_STATS_EXP_CREATE 1\n" },
		{ "events_new_update_destroy.bin",
		  "IPCTNL_MSG_CT_NEW len=244 flags=EXCL|CREATE seq=0 "
		  "port=399\n" },
		{ "events_new_update_destroy.bin",
		  "IPCTNL_MSG_CT_DELETE len=" },
		{ "events_new_update_destroy.bin",
		  "  CTA_STATUS 0x208 (CONFIRMED|DYING)\n" },
		{ "events_new_update_destroy.bin",
		  "    CTA_TIMESTAMP_STOP " },
		{ "events_new_update_destroy.bin",
		  "  CTA_TIMESTAMP_EVENT 1795703096091707574\n" },
		{ "events_exp.bin", "IPCTNL_MSG_EXP_DELETE len=" },
		{ "exp_empty.bin", "NLMSG_DONE len=20 flags=MULTI " },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = decode_fixture(cases[i].file);

		if (!strstr(text, cases[i].line))
			fail_msg("%s: no \"%s\" in\n%s", cases[i].file,
				 cases[i].line, text);
		free(text);
	}
}

/* Every message of every fixture is whole, well formed, and every
 * attribute in it has a name. */
static void test_decode_every_fixture_whole(void **state)
{
	DIR *d = opendir(CTNL_FIXTURE_DIR);
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char *text;

		if (len < 4 || strcmp(e->d_name + len - 4, ".bin") != 0)
			continue;
		text = decode_fixture(e->d_name);
		if (strstr(text, "attribute ") || strstr(text, "malformed") ||
		    strstr(text, "truncated") || strstr(text, "type 0x"))
			fail_msg("%s: not every part named:\n%s", e->d_name,
				 text);
		free(text);
		files++;
	}
	closedir(d);
	assert_int_equal(files, 25);
}

/* ---- Requests the builders make ---- */

static void test_decode_filtered_dump_request(void **state)
{
	struct ctnl_filter f = {
		.family = AF_INET,
		.match = CTNL_MATCH_MARK | CTNL_MATCH_STATUS |
			 CTNL_MATCH_ZONE | CTNL_MATCH_PROTO |
			 CTNL_MATCH_ORIG_SRC | CTNL_MATCH_ORIG_DPORT,
		.mark = 7,
		.mark_mask = 0xff,
		.status = CTNL_STATUS_ASSURED,
		.status_mask = CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY,
		.zone = 3,
		.proto = IPPROTO_TCP,
		.orig_dport = 443,
		.orig_src_len = 32,
	};
	_Alignas(4) uint8_t buf[512];
	int len;

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", &f.orig_src), 1);
	len = ctnl_build_dump(buf, sizeof(buf), &f);
	assert_true(len > 0);
	expect_text(buf, (size_t)len, 0,
		"IPCTNL_MSG_CT_GET len=116 flags=REQUEST|DUMP seq=0 port=0\n"
		"  nfgenmsg family=AF_INET version=0 res_id=0\n"
		"  CTA_MARK 7\n"
		"  CTA_MARK_MASK 0xff\n"
		"  CTA_STATUS 0x4 (ASSURED)\n"
		"  CTA_STATUS_MASK 0x6 (SEEN_REPLY|ASSURED)\n"
		"  CTA_ZONE 3\n"
		"  CTA_TUPLE_ORIG\n"
		"    CTA_TUPLE_IP\n"
		"      CTA_IP_V4_SRC 10.1.2.3\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 6 (tcp)\n"
		"      CTA_PROTO_DST_PORT 443\n"
		"  CTA_FILTER\n"
		"    CTA_FILTER_ORIG_FLAGS 0x29 (IP_SRC|PROTO_NUM|"
		"PROTO_DST_PORT)\n"
		"    CTA_FILTER_REPLY_FLAGS 0x0\n");
}

static void test_decode_label_update_request(void **state)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG };
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };
	_Alignas(4) uint8_t buf[512];
	int len, ret;
	char *text;

	(void)state;
	key.orig = tuple_of("fd00::1", "fd00::2", IPPROTO_UDP, 53, 5353);
	ctnl_labels_set(&change.labels, 1);
	ctnl_labels_set(&change.labels, 100);
	ctnl_labels_set(&change.labels_mask, 1);
	ctnl_labels_set(&change.labels_mask, 2);
	ctnl_labels_set(&change.labels_mask, 100);
	len = ctnl_build_update(buf, sizeof(buf), &key, &change);
	assert_true(len > 0);
	text = decode(buf, (size_t)len, &ret);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(text, "IPCTNL_MSG_CT_NEW len="));
	assert_non_null(strstr(text, "  nfgenmsg family=AF_INET6 "));
	assert_non_null(strstr(text, "      CTA_IP_V6_SRC fd00::1\n"
				     "      CTA_IP_V6_DST fd00::2\n"));
	assert_non_null(strstr(text, "      CTA_PROTO_NUM 17 (udp)\n"
				     "      CTA_PROTO_SRC_PORT 53\n"
				     "      CTA_PROTO_DST_PORT 5353\n"));
	assert_non_null(strstr(text, "  CTA_LABELS bits 1,100\n"
				     "  CTA_LABELS_MASK bits 1,2,100\n"));
	free(text);
}

static void test_decode_expectation_request(void **state)
{
	struct ctnl_expect exp = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT |
			 CTNL_EXP_ATTR_ZONE | CTNL_EXP_ATTR_FLAGS |
			 CTNL_EXP_ATTR_HELPER,
		.timeout = 60,
		.zone = 2,
		.flags = NF_CT_EXPECT_PERMANENT | NF_CT_EXPECT_USERSPACE,
		.helper = "ftp",
	};
	_Alignas(4) uint8_t buf[512];
	int len, ret;
	char *text;

	(void)state;
	exp.master = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000, 21);
	exp.tuple = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 0, 2000);
	exp.mask = exp.tuple;
	len = ctnl_build_create_expect(buf, sizeof(buf), &exp);
	assert_true(len > 0);
	text = decode(buf, (size_t)len, &ret);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(text, "IPCTNL_MSG_EXP_NEW len="));
	assert_non_null(strstr(text, "  CTA_EXPECT_MASTER\n"
				     "    CTA_TUPLE_IP\n"
				     "      CTA_IP_V4_SRC 10.0.0.1\n"));
	assert_non_null(strstr(text, "  CTA_EXPECT_TIMEOUT 60\n"));
	assert_non_null(strstr(text, "  CTA_EXPECT_ZONE 2\n"));
	assert_non_null(strstr(text, "  CTA_EXPECT_FLAGS 0x5 "
				     "(PERMANENT|USERSPACE)\n"));
	assert_non_null(strstr(text, "  CTA_EXPECT_HELP_NAME \"ftp\"\n"));
	free(text);
}

/* ---- Every other kind of attribute, built here ---- */

static void put_nest_ip(struct nlmsghdr *nlh, uint16_t type, uint16_t min,
			uint16_t max, const void *a, const void *b, size_t len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, min, len, a);
	mnl_attr_put(nlh, max, len, b);
	mnl_attr_nest_end(nlh, nest);
}

static void test_decode_every_kind_of_value(void **state)
{
	_Alignas(4) uint8_t buf[1024];
	struct nlmsghdr *nlh = put_nfmsg(buf, CT_TYPE(IPCTNL_MSG_CT_NEW),
					 NLM_F_REQUEST | NLM_F_CREATE |
						 NLM_F_APPEND,
					 AF_INET6);
	struct in6_addr v6a, v6b;
	uint32_t v4a = htonl(0x0a000001), v4b = htonl(0x0a0000ff);
	uint8_t zero16[16] = { 0 }, odd[3] = { 1, 2, 3 };
	struct nlattr *nest, *in;

	(void)state;
	inet_pton(AF_INET6, "2001:db8::1", &v6a);
	inet_pton(AF_INET6, "2001:db8::ff", &v6b);
	nest = mnl_attr_nest_start(nlh, CTA_NAT_SRC);
	mnl_attr_put(nlh, CTA_NAT_V4_MINIP, 4, &v4a);
	mnl_attr_put(nlh, CTA_NAT_V4_MAXIP, 4, &v4b);
	in = mnl_attr_nest_start(nlh, CTA_NAT_PROTO);
	mnl_attr_put_u16(nlh, CTA_PROTONAT_PORT_MIN, htons(1024));
	mnl_attr_put_u16(nlh, CTA_PROTONAT_PORT_MAX, htons(65535));
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, nest);
	put_nest_ip(nlh, CTA_NAT_DST, CTA_NAT_V6_MINIP, CTA_NAT_V6_MAXIP,
		    &v6a, &v6b, 16);
	nest = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	in = mnl_attr_nest_start(nlh, CTA_PROTOINFO_DCCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_DCCP_STATE, 4);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_DCCP_ROLE, 1);
	mnl_attr_put_u64(nlh, CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ,
			 htobe64(1ull << 40));
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_SECCTX);
	mnl_attr_put_strz(nlh, CTA_SECCTX_NAME, "a\"b\\c\n");
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put(nlh, CTA_HELP_INFO, sizeof(odd), odd);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, CTA_SECMARK, htonl(9));
	mnl_attr_put_u32(nlh, CTA_STATUS,
			 htonl(IPS_EXPECTED | IPS_HW_OFFLOAD | (1u << 20)));
	mnl_attr_put(nlh, CTA_LABELS, sizeof(zero16), zero16);
	nest = mnl_attr_nest_start(nlh, CTA_COUNTERS_REPLY);
	mnl_attr_put_u32(nlh, CTA_COUNTERS32_PACKETS, htonl(5));
	mnl_attr_put_u32(nlh, CTA_COUNTERS32_BYTES, htonl(300));
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_MASTER);
	in = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, 253);
	mnl_attr_put_u8(nlh, 99, 1);
	mnl_attr_nest_end(nlh, in);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put(nlh, 99, sizeof(odd), odd);

	expect_text(nlh, nlh->nlmsg_len, 0,
		"IPCTNL_MSG_CT_NEW len=256 flags=REQUEST|CREATE|APPEND seq=0 "
		"port=0\n"
		"  nfgenmsg family=AF_INET6 version=0 res_id=0\n"
		"  CTA_NAT_SRC\n"
		"    CTA_NAT_V4_MINIP 10.0.0.1\n"
		"    CTA_NAT_V4_MAXIP 10.0.0.255\n"
		"    CTA_NAT_PROTO\n"
		"      CTA_PROTONAT_PORT_MIN 1024\n"
		"      CTA_PROTONAT_PORT_MAX 65535\n"
		"  CTA_NAT_DST\n"
		"    CTA_NAT_V6_MINIP 2001:db8::1\n"
		"    CTA_NAT_V6_MAXIP 2001:db8::ff\n"
		"  CTA_PROTOINFO\n"
		"    CTA_PROTOINFO_DCCP\n"
		"      CTA_PROTOINFO_DCCP_STATE 4 (OPEN)\n"
		"      CTA_PROTOINFO_DCCP_ROLE 1\n"
		"      CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ 1099511627776\n"
		"  CTA_SECCTX\n"
		"    CTA_SECCTX_NAME \"a\\x22b\\x5cc\\x0a\"\n"
		"  CTA_HELP\n"
		"    CTA_HELP_INFO (3 bytes): 01 02 03\n"
		"  CTA_SECMARK 9\n"
		"  CTA_STATUS 0x108001 (EXPECTED|HW_OFFLOAD|0x100000)\n"
		"  CTA_LABELS none\n"
		"  CTA_COUNTERS_REPLY\n"
		"    CTA_COUNTERS32_PACKETS 5\n"
		"    CTA_COUNTERS32_BYTES 300\n"
		"  CTA_TUPLE_MASTER\n"
		"    CTA_TUPLE_PROTO\n"
		"      CTA_PROTO_NUM 253\n"
		"      attribute 99 (1 bytes): 01\n"
		"  attribute 99 (3 bytes): 01 02 03\n");
}

/* The names the decoder shares with the formatter: a state only where a
 * protocol has states, and only up to its last. */
static void test_decode_shares_the_formatter_names(void **state)
{
	(void)state;
	assert_string_equal(ctnl__proto_name(IPPROTO_GRE), "gre");
	assert_null(ctnl__proto_name(IPPROTO_RAW));
	assert_string_equal(ctnl__state_name(IPPROTO_TCP, 9), "SYN_SENT2");
	assert_null(ctnl__state_name(IPPROTO_TCP, 10));
	assert_string_equal(ctnl__state_name(IPPROTO_SCTP, 9),
			    "HEARTBEAT_ACKED");
	assert_null(ctnl__state_name(IPPROTO_SCTP, 10));
	assert_string_equal(ctnl__state_name(IPPROTO_DCCP, 9), "INVALID");
	assert_null(ctnl__state_name(IPPROTO_DCCP, 10));
	assert_null(ctnl__state_name(IPPROTO_UDP, 0));
}

/* ---- Headers: types and flags ---- */

/* The first line ctnl_msg_fprint() writes for a bare message of @type
 * and @flags. */
static void expect_header(uint16_t type, uint16_t flags, const char *want)
{
	_Alignas(4) uint8_t buf[64];
	struct nlmsghdr *nlh = put_nfmsg(buf, type, flags, AF_INET);
	char *text, *eol;
	int ret;

	text = decode(nlh, nlh->nlmsg_len, &ret);
	eol = strchr(text, '\n');
	assert_non_null(eol);
	*eol = '\0';
	assert_string_equal(text, want);
	free(text);
}

static void test_decode_names_types_and_flags(void **state)
{
	(void)state;
	expect_header(CT_TYPE(IPCTNL_MSG_CT_GET),
		      NLM_F_REQUEST | NLM_F_ROOT | NLM_F_ATOMIC,
		      "IPCTNL_MSG_CT_GET len=20 flags=REQUEST|ROOT|ATOMIC "
		      "seq=0 port=0");
	expect_header(CT_TYPE(IPCTNL_MSG_CT_GET_DYING),
		      NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ATOMIC,
		      "IPCTNL_MSG_CT_GET_DYING len=20 "
		      "flags=REQUEST|DUMP|ATOMIC seq=0 port=0");
	expect_header(CT_TYPE(IPCTNL_MSG_CT_GET_UNCONFIRMED), NLM_F_MATCH,
		      "IPCTNL_MSG_CT_GET_UNCONFIRMED len=20 flags=MATCH "
		      "seq=0 port=0");
	expect_header(CT_TYPE(IPCTNL_MSG_CT_DELETE),
		      NLM_F_REQUEST | NLM_F_ACK | NLM_F_NONREC | NLM_F_BULK,
		      "IPCTNL_MSG_CT_DELETE len=20 "
		      "flags=REQUEST|ACK|NONREC|BULK seq=0 port=0");
	expect_header(EXP_TYPE(IPCTNL_MSG_EXP_NEW),
		      NLM_F_REPLACE | NLM_F_EXCL | NLM_F_ECHO | 0x1000,
		      "IPCTNL_MSG_EXP_NEW len=20 "
		      "flags=ECHO|REPLACE|EXCL|0x1000 seq=0 port=0");
	expect_header(EXP_TYPE(IPCTNL_MSG_EXP_GET), NLM_F_DUMP_INTR | 0x40,
		      "IPCTNL_MSG_EXP_GET len=20 flags=DUMP_INTR|0x40 seq=0 "
		      "port=0");
	expect_header(EXP_TYPE(IPCTNL_MSG_EXP_DELETE), 0,
		      "IPCTNL_MSG_EXP_DELETE len=20 flags=0 seq=0 port=0");
	/* 0x0103 asks to zero counters; from the kernel, it answers a
	 * per-CPU expectation statistics dump. */
	expect_header(CT_TYPE(IPCTNL_MSG_CT_GET_CTRZERO), NLM_F_REQUEST,
		      "IPCTNL_MSG_CT_GET_CTRZERO len=20 flags=REQUEST seq=0 "
		      "port=0");
	expect_header(CT_TYPE(IPCTNL_MSG_CT_GET_CTRZERO), NLM_F_MULTI,
		      "IPCTNL_MSG_EXP_GET_STATS_CPU len=20 flags=MULTI seq=0 "
		      "port=0");
	expect_header(EXP_TYPE(IPCTNL_MSG_EXP_GET_STATS_CPU), NLM_F_DUMP,
		      "IPCTNL_MSG_EXP_GET_STATS_CPU len=20 flags=DUMP seq=0 "
		      "port=0");
	expect_header(CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU), NLM_F_REQUEST,
		      "IPCTNL_MSG_CT_GET_STATS_CPU len=20 flags=REQUEST seq=0 "
		      "port=0");
	expect_header(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST,
		      "NFNL_MSG_BATCH_BEGIN len=20 flags=REQUEST seq=0 port=0");
	expect_header(NFNL_MSG_BATCH_END, NLM_F_REQUEST,
		      "NFNL_MSG_BATCH_END len=20 flags=REQUEST seq=0 port=0");
	expect_header(0x0305, 0, "type 0x0305 len=20 flags=0 seq=0 port=0");
	expect_header(CT_TYPE(0x77), 0, "type 0x0177 len=20 flags=0 seq=0 "
					"port=0");
	expect_header(EXP_TYPE(0x77), 0, "type 0x0277 len=20 flags=0 seq=0 "
					 "port=0");
	expect_header(0x0c, 0, "type 0x000c len=20 flags=0 seq=0 port=0");
}

static void test_decode_control_messages(void **state)
{
	_Alignas(4) uint8_t buf[64];
	struct nlmsghdr *nlh = put_msg(buf, NLMSG_NOOP, 0, 0);

	(void)state;
	expect_text(nlh, nlh->nlmsg_len, 0,
		    "NLMSG_NOOP len=16 flags=0 seq=0 port=0\n");
	nlh = put_msg(buf, NLMSG_OVERRUN, NLM_F_MULTI, 4);
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "NLMSG_OVERRUN len=20 flags=MULTI seq=0 port=0\n"
		    "  unexpected payload (4 bytes): ab ab ab ab\n");
	nlh = put_nfmsg(buf, CT_TYPE(IPCTNL_MSG_CT_GET), 0, 7);
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->version = 1;
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->res_id = htons(3);
	expect_text(nlh, nlh->nlmsg_len, 0,
		    "IPCTNL_MSG_CT_GET len=20 flags=0 seq=0 port=0\n"
		    "  nfgenmsg family=7 version=1 res_id=3\n");
}

/* ---- Errors and ACKs ---- */

/* An error as the kernel sends it to a socket without NETLINK_CAP_ACK:
 * the whole request echoed, then the extended ACK. */
static void test_decode_uncapped_error_with_extended_ack(void **state)
{
	_Alignas(4) uint8_t buf[512] = { 0 }, req[128] = { 0 };
	struct nlmsghdr *r = put_nfmsg(req, CT_TYPE(IPCTNL_MSG_CT_NEW),
				       NLM_F_REQUEST | NLM_F_ACK |
					       NLM_F_CREATE,
				       AF_INET);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	(void)state;
	r->nlmsg_seq = 5;
	mnl_attr_put_u32(r, CTA_MARK, htonl(42));
	mnl_attr_put_u16(r, CTA_ZONE, htons(1));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	nlh->nlmsg_seq = 5;
	nlh->nlmsg_pid = 4242;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(e->error) +
						    NLMSG_ALIGN(r->nlmsg_len));
	e->error = -EINVAL;
	memcpy(&e->msg, r, r->nlmsg_len);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad mark");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, CTA_TUPLE_ORIG);
	expect_text(nlh, nlh->nlmsg_len, 0,
		"NLMSG_ERROR len=88 flags=ACK_TLVS seq=5 port=4242\n"
		"  error -22 EINVAL (Invalid argument)\n"
		"  request IPCTNL_MSG_CT_NEW len=36 flags=REQUEST|ACK|CREATE "
		"seq=5 port=0\n"
		"    nfgenmsg family=AF_INET version=0 res_id=0\n"
		"    CTA_MARK 42\n"
		"    CTA_ZONE 1\n"
		"  NLMSGERR_ATTR_MSG \"bad mark\"\n"
		"  NLMSGERR_ATTR_OFFS 20\n"
		"  NLMSGERR_ATTR_MISS_TYPE 1\n");

	/* Its request header says more than there is. */
	e->msg.nlmsg_len = 400;
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		"NLMSG_ERROR len=88 flags=ACK_TLVS seq=5 port=4242\n"
		"  error -22 EINVAL (Invalid argument)\n"
		"  request IPCTNL_MSG_CT_NEW len=400 flags=REQUEST|ACK|CREATE "
		"seq=5 port=0\n"
		"  malformed: the request does not fit (52 bytes): 02 00 00 "
		"00 08 00 08 00 00 00 00 2a 06 00 12 00 00 01 00 00 0d 00 01 "
		"00 62 61 64 20 6d 61 72 6b 00 00 00 00 08 00 02 00 14 00 00 "
		"00 08 00 05 00 01 00 00 00\n");
}

static void test_decode_done_and_ack_variants(void **state)
{
	_Alignas(4) uint8_t buf[128] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int status = -EINVAL;

	(void)state;
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(status)), &status,
	       sizeof(status));
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no filter");
	expect_text(nlh, nlh->nlmsg_len, 0,
		    "NLMSG_DONE len=36 flags=MULTI|ACK_TLVS seq=0 port=0\n"
		    "  status -22 EINVAL (Invalid argument)\n"
		    "  NLMSGERR_ATTR_MSG \"no filter\"\n");

	/* Bytes that no flag announces. */
	nlh->nlmsg_flags = NLM_F_MULTI;
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "NLMSG_DONE len=36 flags=MULTI seq=0 port=0\n"
		    "  status -22 EINVAL (Invalid argument)\n"
		    "  malformed: unannounced bytes (16 bytes): 0e 00 01 00 "
		    "6e 6f 20 66 69 6c 74 65 72 00 00 00\n");

	/* Not an errno at all, and one without a name. */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(status);
	status = 5;
	memcpy(mnl_nlmsg_get_payload(nlh), &status, sizeof(status));
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "NLMSG_DONE len=20 flags=MULTI seq=0 port=0\n"
		    "  status 5 (malformed: not 0 or a negative errno)\n");
	status = -4000;
	memcpy(mnl_nlmsg_get_payload(nlh), &status, sizeof(status));
	expect_text(nlh, nlh->nlmsg_len, 0,
		    "NLMSG_DONE len=20 flags=MULTI seq=0 port=0\n"
		    "  status -4000 errno 4000\n");
	status = -5000;
	memcpy(mnl_nlmsg_get_payload(nlh), &status, sizeof(status));
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "NLMSG_DONE len=20 flags=MULTI seq=0 port=0\n"
		    "  status -5000 (malformed: not 0 or a negative errno)\n");
}

/* ---- Cut short, malformed ---- */

static void test_decode_shows_what_is_cut_short(void **state)
{
	_Alignas(4) uint8_t buf[256];
	struct nlmsghdr *nlh = put_nfmsg(buf, CT_TYPE(IPCTNL_MSG_CT_NEW), 0,
					 AF_INET);

	(void)state;
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(1));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(2));

	/* Less than a header. */
	expect_text(nlh, 3, -EBADMSG,
		    "truncated: less than a message header (3 bytes): 24 00 "
		    "00\n");
	expect_text(nlh, 0, -EBADMSG,
		    "truncated: less than a message header (0 bytes):\n");
	/* The last attribute cut: what there is, then the rest in hex. */
	expect_text(nlh, nlh->nlmsg_len - 2, -EBADMSG,
		    "IPCTNL_MSG_CT_NEW len=36 flags=0 seq=0 port=0\n"
		    "  truncated: 34 of its 36 bytes\n"
		    "  nfgenmsg family=AF_INET version=0 res_id=0\n"
		    "  CTA_MARK 1\n"
		    "  malformed: not a whole attribute (6 bytes): 08 00 0c "
		    "00 00 00\n");
	/* Only the header: the body is not there to read. */
	expect_text(nlh, NLMSG_HDRLEN, -EBADMSG,
		    "IPCTNL_MSG_CT_NEW len=36 flags=0 seq=0 port=0\n"
		    "  truncated: 16 of its 36 bytes\n"
		    "  malformed: no whole nfgenmsg (0 bytes):\n");
	/* A length that is not even a header. */
	nlh->nlmsg_len = 8;
	expect_text(nlh, 36, -EBADMSG,
		    "IPCTNL_MSG_CT_NEW len=8 flags=0 seq=0 port=0\n"
		    "  malformed: its length is less than a header\n");
}

static void test_decode_shows_malformed_values(void **state)
{
	_Alignas(4) uint8_t buf[256];
	struct nlmsghdr *nlh = put_nfmsg(buf, CT_TYPE(IPCTNL_MSG_CT_NEW), 0,
					 AF_INET);
	uint8_t two[2] = { 0, 42 }, six[6] = { 0 }, nonul[3] = { 'f', 't',
								  'p' };
	struct nlattr *nest;

	(void)state;
	mnl_attr_put(nlh, CTA_MARK, sizeof(two), two);
	mnl_attr_put(nlh, CTA_LABELS, sizeof(six), six);
	nest = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put(nlh, CTA_HELP_NAME, sizeof(nonul), nonul);
	mnl_attr_put(nlh, CTA_HELP_NAME, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
	/* A nest whose inner attribute claims more than the nest holds. */
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	mnl_attr_put_u32(nlh, CTA_TUPLE_ZONE, 0);
	mnl_attr_nest_end(nlh, nest);
	((struct nlattr *)mnl_attr_get_payload(nest))->nla_len = 12;
	/* An attribute shorter than its own header. */
	mnl_attr_put_u32(nlh, CTA_ID, 0);
	((struct nlattr *)((uint8_t *)nlh + nlh->nlmsg_len - 8))->nla_len = 2;

	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		"IPCTNL_MSG_CT_NEW len=76 flags=0 seq=0 port=0\n"
		"  nfgenmsg family=AF_INET version=0 res_id=0\n"
		"  CTA_MARK malformed (2 bytes): 00 2a\n"
		"  CTA_LABELS malformed (6 bytes): 00 00 00 00 00 00\n"
		"  CTA_HELP\n"
		"    CTA_HELP_NAME malformed (3 bytes): 66 74 70\n"
		"    CTA_HELP_NAME malformed (0 bytes):\n"
		"  CTA_TUPLE_ORIG\n"
		"    malformed: not a whole attribute (8 bytes): 0c 00 03 00 "
		"00 00 00 00\n"
		"  malformed: not a whole attribute (8 bytes): 02 00 0c 00 00 "
		"00 00 00\n");
}

static void test_decode_shows_malformed_bodies(void **state)
{
	_Alignas(4) uint8_t buf[256];
	struct nlmsghdr *nlh = put_msg(buf, CT_TYPE(IPCTNL_MSG_CT_NEW), 0, 2);
	uint8_t big[100];

	(void)state;
	/* Lengths a message can have, unaligned: each body is short. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "IPCTNL_MSG_CT_NEW len=18 flags=0 seq=0 port=0\n"
		    "  malformed: no whole nfgenmsg (2 bytes): ab ab\n");
	nlh = put_msg(buf, NLMSG_ERROR, NLM_F_CAPPED, 10);
	nlh->nlmsg_len = NLMSG_HDRLEN + 10;
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "NLMSG_ERROR len=26 flags=CAPPED seq=0 port=0\n"
		    "  malformed: no whole nlmsgerr (10 bytes): ab ab ab ab "
		    "ab ab ab ab ab ab\n");
	nlh = put_msg(buf, NLMSG_DONE, NLM_F_MULTI, 2);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	expect_text(nlh, nlh->nlmsg_len, -EBADMSG,
		    "NLMSG_DONE len=18 flags=MULTI seq=0 port=0\n"
		    "  malformed: no whole status (2 bytes): ab ab\n");
	/* Long values are cut in the text, never in what is read. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	nlh = put_nfmsg(buf, CT_TYPE(IPCTNL_MSG_CT_NEW), 0, AF_INET);
	mnl_attr_put(nlh, 30, sizeof(big), big);
	expect_text(nlh, nlh->nlmsg_len, 0,
		"IPCTNL_MSG_CT_NEW len=124 flags=0 seq=0 port=0\n"
		"  nfgenmsg family=AF_INET version=0 res_id=0\n"
		"  attribute 30 (100 bytes): 00 01 02 03 04 05 06 07 08 09 0a "
		"0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e "
		"1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 "
		"33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f ... (36 bytes more)\n");
}

static void test_decode_reports_write_errors(void **state)
{
	_Alignas(4) uint8_t buf[64];
	struct nlmsghdr *nlh = put_nfmsg(buf, CT_TYPE(IPCTNL_MSG_CT_GET), 0,
					 AF_INET);
	FILE *ro = fopen("/dev/null", "r");

	(void)state;
	assert_non_null(ro);
	assert_int_equal(ctnl_msg_fprint(ro, nlh, nlh->nlmsg_len), -EIO);
	fclose(ro);
	assert_int_equal(ctnl_msg_fprint(NULL, nlh, nlh->nlmsg_len), -EINVAL);
	assert_int_equal(ctnl_msg_fprint(stdout, NULL, 16), -EINVAL);
}

/* ---- The trace hook's words ---- */

/* What ctnl_trace_print() writes before the message. */
static void expect_verdict(enum ctnl_trace_dir dir, int status,
			   const char *want)
{
	_Alignas(4) uint8_t buf[64];
	struct nlmsghdr *nlh = put_msg(buf, NLMSG_NOOP, 0, 0);
	char *text = NULL, *line;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	ctnl_trace_print(dir, status, nlh, nlh->nlmsg_len, out);
	/* Flushed by the hook: there before the stream is closed. */
	assert_int_equal(size, strlen(want) + strlen("NLMSG_NOOP len=16 "
						     "flags=0 seq=0 port=0\n"));
	fclose(out);
	line = strstr(text, "NLMSG_NOOP");
	assert_non_null(line);
	*line = '\0';
	assert_string_equal(text, want);
	free(text);
}

static void test_trace_print_names_each_verdict(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	(void)state;
	expect_verdict(CTNL_TRACE_SENT, 0, "ctnl: sent ");
	expect_verdict(CTNL_TRACE_SENT, -ENOBUFS,
		       "ctnl: not sent [ENOBUFS (No buffer space available)] ");
	expect_verdict(CTNL_TRACE_SENT, -EPERM,
		       "ctnl: not sent [EPERM (Operation not permitted)] ");
	expect_verdict(CTNL_TRACE_SENT, 3, "ctnl: not sent [status 3] ");
	expect_verdict(CTNL_TRACE_RECEIVED, 0, "ctnl: received ");
	expect_verdict(CTNL_TRACE_RECEIVED, -EPERM,
		       "ctnl: received [rejected: not from the kernel] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -EMSGSIZE,
		       "ctnl: received [rejected: larger than the receive "
		       "buffer] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -EBADMSG,
		       "ctnl: received [rejected: a malformed datagram] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -ESRCH,
		       "ctnl: received [rejected: addressed to another port "
		       "id] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -EPROTO,
		       "ctnl: received [rejected: a sequence number not "
		       "ours] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -ECANCELED,
		       "ctnl: received [thrown away] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -EIO,
		       "ctnl: received [rejected: EIO (Input/output error)] ");
	expect_verdict(CTNL_TRACE_RECEIVED, -99999,
		       "ctnl: received [rejected: status -99999] ");

	/* No message: nothing written. */
	out = open_memstream(&text, &size);
	assert_non_null(out);
	ctnl_trace_print(CTNL_TRACE_SENT, 0, NULL, 16, out);
	fclose(out);
	assert_string_equal(text, "");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_tcp_dump_entry_and_done),
		cmocka_unit_test(test_decode_error_of_a_missing_entry),
		cmocka_unit_test(test_decode_expectation_with_nat),
		cmocka_unit_test(test_decode_fixture_details),
		cmocka_unit_test(test_decode_every_fixture_whole),
		cmocka_unit_test(test_decode_filtered_dump_request),
		cmocka_unit_test(test_decode_label_update_request),
		cmocka_unit_test(test_decode_expectation_request),
		cmocka_unit_test(test_decode_every_kind_of_value),
		cmocka_unit_test(test_decode_shares_the_formatter_names),
		cmocka_unit_test(test_decode_names_types_and_flags),
		cmocka_unit_test(test_decode_control_messages),
		cmocka_unit_test(test_decode_uncapped_error_with_extended_ack),
		cmocka_unit_test(test_decode_done_and_ack_variants),
		cmocka_unit_test(test_decode_shows_what_is_cut_short),
		cmocka_unit_test(test_decode_shows_malformed_values),
		cmocka_unit_test(test_decode_shows_malformed_bodies),
		cmocka_unit_test(test_decode_reports_write_errors),
		cmocka_unit_test(test_trace_print_names_each_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
