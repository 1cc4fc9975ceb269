/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parser against datagrams a real kernel sent (test/fixtures/, with
 * the commands that captured them in its README), through the parser alone
 * and through the whole stack over the fake syscall table; then the same
 * messages cut and corrupted, which must be refused, never misread.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <ctnl/mocks.h>

#include "ct_fixture.h"
#include "fixture.h"

/* The first conntrack or expectation message of a fixture, copied into
 * @buf so a test may change it. */
static struct nlmsghdr *first_msg(const char *name, uint8_t *buf, size_t size)
{
	struct fixture fx;
	struct nlmsghdr *nlh = (void *)buf;

	fixture_load(name, &fx);
	assert_true(fx.count > 0);
	memcpy(buf, fx.dgrams[0].data,
	       fx.dgrams[0].len < size ? fx.dgrams[0].len : size);
	fixture_free(&fx);
	assert_true(nlh->nlmsg_len <= size);
	return nlh;
}

static struct ctnl_flow parse_first(const char *name)
{
	_Alignas(8) uint8_t buf[4096];
	struct ctnl_flow f;

	assert_int_equal(ctnl_flow_parse(first_msg(name, buf, sizeof(buf)), &f),
			 0);
	return f;
}

static void assert_addr(uint8_t family, const union ctnl_addr *a,
			const char *text)
{
	union ctnl_addr want;

	assert_int_equal(inet_pton(family, text, &want), 1);
	assert_memory_equal(a, &want, family == AF_INET ? 4 : 16);
}

/* ---- What each captured entry holds ---- */

static void test_parse_tcp_v4_from_real_traffic(void **state)
{
	struct ctnl_flow f = parse_first("ct_tcp_v4.bin");

	(void)state;
	assert_int_equal(f.orig.family, AF_INET);
	assert_int_equal(f.orig.proto, IPPROTO_TCP);
	assert_addr(AF_INET, &f.orig.src, "10.77.0.1");
	assert_addr(AF_INET, &f.reply.src, "10.77.0.2");
	assert_int_equal(f.orig.port.src, 58274);
	assert_int_equal(f.orig.port.dst, 5001);
	assert_int_equal(f.reply.port.dst, 58274);
	assert_true(f.attrs & CTNL_ATTR_TCP_STATE);
	assert_int_equal(f.tcp.state, CTNL_TCP_ESTABLISHED);
	assert_true(f.attrs & CTNL_ATTR_TCP_WSCALE);
	assert_true(f.attrs & CTNL_ATTR_TCP_FLAGS);
	assert_int_equal(f.counters[CTNL_DIR_ORIG].packets, 4);
	assert_int_equal(f.counters[CTNL_DIR_ORIG].bytes, 222);
	assert_int_equal(f.counters[CTNL_DIR_REPLY].packets, 3);
	assert_int_equal(f.counters[CTNL_DIR_REPLY].bytes, 170);
	assert_true(f.status & CTNL_STATUS_ASSURED);
	assert_true(f.status & CTNL_STATUS_SEEN_REPLY);
	assert_int_equal(f.timeout, 431999);
	assert_true(f.attrs & CTNL_ATTR_MARK);
	assert_int_equal(f.mark, 0);
	assert_int_equal(f.use, 1);
	assert_true(f.attrs & CTNL_ATTR_ID);
	assert_true(f.attrs & CTNL_ATTR_START);
	assert_true(f.start > 0);
	assert_false(f.attrs & CTNL_ATTR_STOP);
	assert_false(ctnl_flow_is_nat(&f));
}

static void test_parse_tcp_v6_and_udp_mark(void **state)
{
	struct ctnl_flow f = parse_first("ct_tcp_v6.bin");

	(void)state;
	assert_int_equal(f.orig.family, AF_INET6);
	assert_int_equal(f.reply.family, AF_INET6);
	assert_addr(AF_INET6, &f.orig.src, "fd77::1");
	assert_addr(AF_INET6, &f.orig.dst, "fd77::2");
	assert_int_equal(f.orig.port.dst, 5001);
	assert_int_equal(f.counters[CTNL_DIR_ORIG].bytes, 302);

	f = parse_first("ct_udp_v4_mark.bin");
	assert_int_equal(f.orig.proto, IPPROTO_UDP);
	assert_int_equal(f.mark, 42);
	assert_false(f.attrs & CTNL_ATTR_TCP_STATE);
}

static void test_parse_icmp_and_icmpv6(void **state)
{
	struct ctnl_flow f = parse_first("ct_icmp_v4.bin");

	(void)state;
	assert_int_equal(f.orig.proto, IPPROTO_ICMP);
	assert_int_equal(f.orig.icmp.type, 8);
	assert_int_equal(f.orig.icmp.code, 0);
	assert_int_equal(f.orig.icmp.id, 31881);
	assert_int_equal(f.reply.icmp.type, 0);
	assert_int_equal(f.reply.icmp.id, 31881);

	f = parse_first("ct_icmpv6.bin");
	assert_int_equal(f.orig.proto, IPPROTO_ICMPV6);
	assert_int_equal(f.orig.icmp.type, 128);
	assert_int_equal(f.reply.icmp.type, 129);
	assert_int_equal(f.orig.icmp.id, 31884);
}

static void test_parse_sctp_state_and_vtags(void **state)
{
	struct ctnl_flow f = parse_first("ct_sctp.bin");

	(void)state;
	assert_int_equal(f.orig.proto, IPPROTO_SCTP);
	assert_true(f.attrs & CTNL_ATTR_SCTP_STATE);
	assert_int_equal(f.sctp.state, SCTP_CONNTRACK_ESTABLISHED);
	assert_true(f.attrs & CTNL_ATTR_SCTP_VTAG);
	assert_int_equal(f.orig.port.src, 5003);
}

/* Zones come three ways: for both directions (CTA_ZONE) or for one
 * (CTA_TUPLE_ZONE inside that tuple). */
static void test_parse_zones_both_and_directional(void **state)
{
	struct fixture fx;
	const struct nlmsghdr *nlh;
	struct ctnl_flow f;
	int rem, seen = 0;

	(void)state;
	fixture_load("ct_zone.bin", &fx);
	nlh = (const void *)fx.dgrams[0].data;
	rem = (int)fx.dgrams[0].len;
	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_type == NLMSG_DONE)
			continue;
		assert_int_equal(ctnl_flow_parse(nlh, &f), 0);
		switch (f.orig.port.src) {
		case 1000:
			assert_int_equal(f.orig.zone, 7);
			assert_int_equal(f.reply.zone, 7);
			break;
		case 1001:
			assert_int_equal(f.orig.zone, 1);
			assert_int_equal(f.reply.zone, 0);
			break;
		case 1002:
			assert_int_equal(f.orig.zone, 0);
			assert_int_equal(f.reply.zone, 2);
			break;
		default:
			fail_msg("unexpected entry, sport %u", f.orig.port.src);
		}
		seen++;
	}
	assert_int_equal(seen, 3);
	fixture_free(&fx);
}

static void test_parse_labels_up_to_bit_127(void **state)
{
	struct ctnl_flow f = parse_first("ct_labels.bin");

	(void)state;
	assert_true(f.attrs & CTNL_ATTR_LABELS);
	assert_true(ctnl_labels_test(&f.labels, 0));
	assert_true(ctnl_labels_test(&f.labels, 3));
	assert_true(ctnl_labels_test(&f.labels, 127));
	assert_false(ctnl_labels_test(&f.labels, 1));
	assert_false(ctnl_labels_test(&f.labels, 126));
	assert_false(ctnl_labels_test(&f.labels, 128));
}

static void test_parse_nat_and_helper(void **state)
{
	struct ctnl_flow f = parse_first("ct_nat.bin");

	(void)state;
	assert_true(ctnl_flow_is_nat(&f));
	assert_addr(AF_INET, &f.orig.dst, "10.77.0.2");
	assert_addr(AF_INET, &f.reply.dst, "10.77.0.3");
	assert_int_equal(f.reply.port.src, 5001);

	f = parse_first("ct_helper_ftp.bin");
	assert_true(f.attrs & CTNL_ATTR_HELPER);
	assert_string_equal(f.helper, "ftp");
	assert_int_equal(f.orig.port.dst, 21);
}

/* A destroy event carries counters and both timestamps. */
static void test_parse_events_new_update_destroy(void **state)
{
	struct fixture fx;
	struct ctnl_flow f[3];

	(void)state;
	fixture_load("events_new_update_destroy.bin", &fx);
	assert_int_equal(fx.count, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ctnl_flow_parse((const void *)fx.dgrams[i].data,
						 &f[i]), 0);
	/* A new entry's event is flagged CREATE|EXCL. */
	assert_int_equal(((const struct nlmsghdr *)fx.dgrams[0].data)
				 ->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(f[0].mark, 0);
	assert_int_equal(f[1].mark, 42);
	assert_int_equal(((const struct nlmsghdr *)fx.dgrams[2].data)
				 ->nlmsg_type & 0xff, IPCTNL_MSG_CT_DELETE);
	assert_true(f[2].attrs & CTNL_ATTR_COUNTERS_ORIG);
	assert_true(f[2].attrs & CTNL_ATTR_START);
	assert_true(f[2].attrs & CTNL_ATTR_STOP);
	assert_true(f[2].stop >= f[2].start);
	assert_int_equal(f[0].id, f[2].id);
	fixture_free(&fx);
}

static void test_parse_expectation(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct ctnl_expect e;
	struct ctnl_flow f;
	struct nlmsghdr *nlh = first_msg("exp_ftp.bin", buf, sizeof(buf));
	char line[512];

	(void)state;
	assert_int_equal(ctnl_expect_parse(nlh, &e), 0);
	assert_int_equal(e.master.port.src, 49998);
	assert_int_equal(e.master.port.dst, 21);
	assert_int_equal(e.tuple.proto, IPPROTO_TCP);
	assert_int_equal(e.tuple.port.dst, 5001);
	assert_int_equal(e.mask.port.dst, 0xffff);
	assert_int_equal(e.mask.port.src, 0);
	assert_addr(AF_INET, &e.mask.src, "255.255.255.255");
	assert_string_equal(e.helper, "ftp");
	assert_true(e.attrs & CTNL_EXP_ATTR_TIMEOUT);
	assert_true(e.timeout > 0 && e.timeout <= 300);
	assert_true(e.attrs & CTNL_EXP_ATTR_ID);
	assert_true(ctnl_expect_format(&e, line, sizeof(line)) > 0);
	/* Not a conntrack message, nor the other way round. */
	assert_int_equal(ctnl_flow_parse(nlh, &f), -EPROTO);
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EPROTO);
	assert_int_equal(ctnl_expect_parse(NULL, &e), -EINVAL);
	assert_int_equal(ctnl_flow_parse(nlh, NULL), -EINVAL);
}

/* Through SNAT the expectation carries its NAT target and the function
 * that will set it up. */
static void test_parse_expectation_with_nat(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct ctnl_expect e;

	(void)state;
	assert_int_equal(ctnl_expect_parse(first_msg("exp_nat_ftp.bin", buf,
						     sizeof(buf)), &e), 0);
	assert_true(e.attrs & CTNL_EXP_ATTR_NAT);
	assert_true(e.attrs & CTNL_EXP_ATTR_FN);
	assert_string_equal(e.fn, "nat-follow-master");
	assert_addr(AF_INET, &e.tuple.dst, "10.77.0.103");
	assert_int_equal(e.nat_tuple.family, AF_INET);
}

/* A message of another type is -EPROTO even when it is too short for a
 * conntrack message: its type says it is not one to parse (found by the
 * event fuzzer, whose oracle expected -EBADMSG). */
static void test_parse_other_type_is_eproto_whatever_its_length(void **state)
{
	_Alignas(8) uint8_t buf[64];
	struct nlmsghdr *nlh = put_msg(buf, 16, 0, 2);
	struct ctnl_expect e;
	struct ctnl_flow f;

	(void)state;
	assert_int_equal(ctnl_flow_parse(nlh, &f), -EPROTO);
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EPROTO);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
	assert_int_equal(ctnl_flow_parse(nlh, &f), -EPROTO);
	/* Of the right type but too short: malformed. */
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
}

static void test_parse_refuses_other_message_types(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct ctnl_flow f;

	(void)state;
	/* Statistics replies share the subsystem, not the layout. */
	assert_int_equal(ctnl_flow_parse(first_msg("ct_stats.bin", buf,
						   sizeof(buf)), &f), -EPROTO);
	assert_int_equal(ctnl_flow_parse(first_msg("ct_stats_cpu.bin", buf,
						   sizeof(buf)), &f), -EPROTO);
}

/* ---- Through the whole stack: sock over the fake syscalls ---- */

struct stack {
	struct ctnl_fake_sys *sys;
	struct ctnl_ct *ct;
};

static void stack_open(struct stack *s, const char *fixture_name)
{
	struct fixture fx;

	assert_int_equal(ctnl_fake_sys_new(&s->sys), 0);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(s->sys), NULL,
				      &s->ct), 0);
	fixture_load(fixture_name, &fx);
	fixture_queue(s->sys, &fx);
	fixture_free(&fx);
}

static void stack_close(struct stack *s)
{
	assert_int_equal(ctnl_fake_sys_queued(s->sys), 0);
	ctnl_ct_close(s->ct);
	assert_int_equal(ctnl_fake_sys_open_fds(s->sys), 0);
	ctnl_fake_sys_free(s->sys);
}

/* 600 entries over seven datagrams of up to 32 KiB, as the kernel cut
 * them. */
static void test_stack_lists_a_multi_datagram_dump(void **state)
{
	size_t before = heap_in_use();
	struct ctnl_list list;
	struct stack s;

	(void)state;
	stack_open(&s, "ct_many_v4.bin");
	assert_int_equal(ctnl_ct_list(s.ct, CTNL_TABLE_CONNTRACK, AF_INET,
				      &list), 600);
	for (size_t i = 0; i < list.count; i++) {
		assert_int_equal(list.flows[i].orig.proto, IPPROTO_TCP);
		assert_int_equal(list.flows[i].orig.port.dst, 443);
	}
	ctnl_list_free(&list);
	stack_close(&s);
	assert_int_equal(heap_in_use(), before);
}

static void test_stack_lists_both_families_and_empty_tables(void **state)
{
	struct ctnl_list list;
	struct stack s;
	int v6 = 0;

	(void)state;
	stack_open(&s, "ct_mixed_any.bin");
	assert_int_equal(ctnl_ct_list(s.ct, CTNL_TABLE_CONNTRACK, 0, &list), 4);
	for (size_t i = 0; i < list.count; i++)
		v6 += list.flows[i].orig.family == AF_INET6;
	assert_int_equal(v6, 2);
	ctnl_list_free(&list);
	stack_close(&s);

	stack_open(&s, "ct_empty.bin");
	assert_int_equal(ctnl_ct_list(s.ct, CTNL_TABLE_CONNTRACK, 0, &list), 0);
	ctnl_list_free(&list);
	stack_close(&s);

	stack_open(&s, "exp_empty.bin");
	assert_int_equal(ctnl_ct_list(s.ct, CTNL_TABLE_EXPECT, 0, &list), 0);
	ctnl_list_free(&list);
	stack_close(&s);
}

static void test_stack_lists_expectations(void **state)
{
	struct ctnl_list list;
	struct stack s;

	(void)state;
	stack_open(&s, "exp_ftp.bin");
	assert_int_equal(ctnl_ct_list(s.ct, CTNL_TABLE_EXPECT, 0, &list), 1);
	assert_int_equal(list.table, CTNL_TABLE_EXPECT);
	assert_null(list.flows);
	assert_string_equal(list.expects[0].helper, "ftp");
	ctnl_list_free(&list);
	stack_close(&s);

	/* Filtered by family here too. */
	stack_open(&s, "exp_ftp.bin");
	assert_int_equal(ctnl_ct_list(s.ct, CTNL_TABLE_EXPECT, AF_INET6, &list),
			 0);
	ctnl_list_free(&list);
	stack_close(&s);
}

static void test_stack_get_reply_and_enoent(void **state)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG }, out;
	struct stack s;

	(void)state;
	assert_int_equal(ctnl_tuple_from_text(&key.orig, "10.77.0.1",
					      "10.77.0.2", IPPROTO_TCP, 58274,
					      5001), 0);
	stack_open(&s, "ct_get_reply.bin");
	assert_int_equal(ctnl_ct_get(s.ct, &key, &out), 0);
	assert_int_equal(out.use, 2);
	assert_int_equal(out.counters[CTNL_DIR_REPLY].packets, 3);
	stack_close(&s);

	stack_open(&s, "ct_get_enoent.bin");
	assert_int_equal(ctnl_ct_get(s.ct, &key, &out), -ENOENT);
	stack_close(&s);
}

/* ---- Cut and corrupted: refused, never misread ---- */

/* Cut anywhere, an entry either parses (cut between top-level attributes:
 * fewer attributes) or is -EBADMSG; never anything else, never a read
 * past the end (each copy is its own allocation, for ASan). */
static void test_parse_every_cut_of_an_entry(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	uint32_t full = nlh->nlmsg_len;
	int ok = 0, bad = 0;

	(void)state;
	for (uint32_t len = 0; len < full; len++) {
		struct nlmsghdr *cut = malloc(len < NLMSG_HDRLEN ? NLMSG_HDRLEN
								 : len);
		struct ctnl_flow f;
		int ret;

		assert_non_null(cut);
		memcpy(cut, nlh, len < NLMSG_HDRLEN ? NLMSG_HDRLEN : len);
		cut->nlmsg_len = len < NLMSG_HDRLEN ? NLMSG_HDRLEN : len;
		ret = ctnl_flow_parse(cut, &f);
		assert_true(ret == 0 || ret == -EBADMSG);
		ok += ret == 0;
		bad += ret == -EBADMSG;
		free(cut);
	}
	assert_true(ok > 0);
	assert_true(bad > ok);
}

/* The top-level attribute of @type in @nlh (a conntrack message). */
static struct nlattr *top_attr(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == type)
			return attr;
	fail_msg("no attribute %u", type);
	return NULL;
}

static struct nlattr *nested_attr(struct nlattr *nest, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	fail_msg("no nested attribute %u", type);
	return NULL;
}

static void expect_bad(struct nlmsghdr *nlh)
{
	struct ctnl_flow f;

	assert_int_equal(ctnl_flow_parse(nlh, &f), -EBADMSG);
}

static void test_parse_refuses_corrupt_attributes(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct nlattr *a;

	(void)state;
	/* A nested attribute longer than its parent. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	a = nested_attr(top_attr(nlh, CTA_TUPLE_ORIG), CTA_TUPLE_IP);
	a->nla_len += 64;
	expect_bad(nlh);

	/* A mark of two bytes. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	top_attr(nlh, CTA_MARK)->nla_len = NLA_HDRLEN + 2;
	expect_bad(nlh);

	/* An IPv6 address in an IPv4 entry. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	a = nested_attr(nested_attr(top_attr(nlh, CTA_TUPLE_ORIG),
				    CTA_TUPLE_IP), CTA_IP_V4_SRC);
	a->nla_type = CTA_IP_V6_SRC;
	expect_bad(nlh);

	/* A tuple that is not a nest of attributes (a scalar where a nest
	 * belongs: its "children" do not frame). */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	a = top_attr(nlh, CTA_TUPLE_ORIG);
	memset(mnl_attr_get_payload(a), 0xff, 6);
	expect_bad(nlh);

	/* A counter of the wrong width. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	a = nested_attr(top_attr(nlh, CTA_COUNTERS_ORIG), CTA_COUNTERS_PACKETS);
	a->nla_len = NLA_HDRLEN + 4;
	expect_bad(nlh);

	/* A timestamp of the wrong width. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	a = nested_attr(top_attr(nlh, CTA_TIMESTAMP), CTA_TIMESTAMP_START);
	a->nla_len = NLA_HDRLEN + 3;
	expect_bad(nlh);

	/* TCP protoinfo flags of the wrong size. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	a = nested_attr(nested_attr(top_attr(nlh, CTA_PROTOINFO),
				    CTA_PROTOINFO_TCP),
			CTA_PROTOINFO_TCP_FLAGS_ORIGINAL);
	a->nla_len = NLA_HDRLEN + 1;
	expect_bad(nlh);

	/* Labels that are not whole 32-bit words. */
	nlh = first_msg("ct_labels.bin", buf, sizeof(buf));
	top_attr(nlh, CTA_LABELS)->nla_len = NLA_HDRLEN + 5;
	expect_bad(nlh);

	/* A helper name without its terminating NUL. */
	nlh = first_msg("ct_helper_ftp.bin", buf, sizeof(buf));
	a = nested_attr(top_attr(nlh, CTA_HELP), CTA_HELP_NAME);
	memset(mnl_attr_get_payload(a), 'x', mnl_attr_get_payload_len(a));
	expect_bad(nlh);

	/* An entry of no family the parser knows. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family = AF_UNSPEC;
	expect_bad(nlh);

	/* Too short to hold its nfgenmsg. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	expect_bad(nlh);
}

static void test_parse_refuses_corrupt_sctp_and_expectations(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct ctnl_expect e;
	struct nlmsghdr *nlh;
	struct nlattr *a;

	(void)state;
	nlh = first_msg("ct_sctp.bin", buf, sizeof(buf));
	a = nested_attr(nested_attr(top_attr(nlh, CTA_PROTOINFO),
				    CTA_PROTOINFO_SCTP),
			CTA_PROTOINFO_SCTP_VTAG_REPLY);
	a->nla_len = NLA_HDRLEN + 2;
	expect_bad(nlh);

	nlh = first_msg("exp_ftp.bin", buf, sizeof(buf));
	top_attr(nlh, CTA_EXPECT_TIMEOUT)->nla_len = NLA_HDRLEN + 1;
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
	nlh = first_msg("exp_ftp.bin", buf, sizeof(buf));
	a = top_attr(nlh, CTA_EXPECT_HELP_NAME);
	memset(mnl_attr_get_payload(a), 'y', mnl_attr_get_payload_len(a));
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
	nlh = first_msg("exp_ftp.bin", buf, sizeof(buf));
	nlh->nlmsg_len -= 3;	/* a cut inside the last attribute */
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
}

/* DCCP left the kernel in 6.16, so no fixture can hold it: the message is
 * built here, in the layout the kernel used (nested CTA_PROTOINFO_DCCP). */
static void test_parse_dccp_protoinfo(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh = first_msg("ct_udp_v4_mark.bin", buf, sizeof(buf));
	struct nlattr *info, *dccp;
	struct ctnl_flow f;

	(void)state;
	info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	dccp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_DCCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_DCCP_STATE, 3);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_DCCP_ROLE, 1);
	mnl_attr_put_u64(nlh, CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ,
			 htobe64(0x0102030405060708ull));
	mnl_attr_nest_end(nlh, dccp);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(ctnl_flow_parse(nlh, &f), 0);
	assert_int_equal(f.attrs & (CTNL_ATTR_DCCP_STATE | CTNL_ATTR_DCCP_ROLE |
				    CTNL_ATTR_DCCP_HANDSHAKE_SEQ),
			 CTNL_ATTR_DCCP_STATE | CTNL_ATTR_DCCP_ROLE |
				 CTNL_ATTR_DCCP_HANDSHAKE_SEQ);
	assert_int_equal(f.dccp.state, 3);
	assert_int_equal(f.dccp.role, 1);
	assert_int_equal(f.dccp.handshake_seq, 0x0102030405060708ull);

	/* A handshake sequence number of the wrong width. */
	nested_attr(dccp, CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ)->nla_len =
		NLA_HDRLEN + 4;
	expect_bad(nlh);
}

/* Kernels before 2.6.27 sent 32-bit counters. */
static void test_parse_old_32bit_counters(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct nlattr *c;
	struct nfgenmsg *nfg;
	struct ctnl_flow f;

	(void)state;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	c = mnl_attr_nest_start(nlh, CTA_COUNTERS_REPLY);
	mnl_attr_put_u32(nlh, CTA_COUNTERS32_PACKETS, htonl(7));
	mnl_attr_put_u32(nlh, CTA_COUNTERS32_BYTES, htonl(700));
	mnl_attr_nest_end(nlh, c);
	assert_int_equal(ctnl_flow_parse(nlh, &f), 0);
	assert_int_equal(f.counters[CTNL_DIR_REPLY].packets, 7);
	assert_int_equal(f.counters[CTNL_DIR_REPLY].bytes, 700);
}

static void test_parse_refuses_wrong_widths_in_tuples(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct nlattr *proto;

	(void)state;
	/* A protocol number of two bytes. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	proto = nested_attr(top_attr(nlh, CTA_TUPLE_REPLY), CTA_TUPLE_PROTO);
	nested_attr(proto, CTA_PROTO_NUM)->nla_len = NLA_HDRLEN + 2;
	expect_bad(nlh);

	/* A port of four bytes. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	proto = nested_attr(top_attr(nlh, CTA_TUPLE_ORIG), CTA_TUPLE_PROTO);
	nested_attr(proto, CTA_PROTO_DST_PORT)->nla_len = NLA_HDRLEN + 4;
	expect_bad(nlh);

	/* A TCP state of two bytes. */
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	nested_attr(nested_attr(top_attr(nlh, CTA_PROTOINFO),
				CTA_PROTOINFO_TCP),
		    CTA_PROTOINFO_TCP_STATE)->nla_len = NLA_HDRLEN + 2;
	expect_bad(nlh);
}

static void test_parse_expectation_zone_unknown_and_bad_nat(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct ctnl_expect e;

	(void)state;
	nlh = first_msg("exp_ftp.bin", buf, sizeof(buf));
	mnl_attr_put_u16(nlh, CTA_EXPECT_ZONE, htons(9));
	mnl_attr_put_u32(nlh, 99, 1);	/* unknown: skipped */
	assert_int_equal(ctnl_expect_parse(nlh, &e), 0);
	assert_true(e.attrs & CTNL_EXP_ATTR_ZONE);
	assert_int_equal(e.zone, 9);

	nlh = first_msg("exp_nat_ftp.bin", buf, sizeof(buf));
	nested_attr(top_attr(nlh, CTA_EXPECT_NAT), CTA_EXPECT_NAT_DIR)->nla_len =
		NLA_HDRLEN + 1;
	assert_int_equal(ctnl_expect_parse(nlh, &e), -EBADMSG);
}

/* Attributes the model does not hold are skipped, at any level. */
static void test_parse_skips_unknown_attributes(void **state)
{
	_Alignas(8) uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct ctnl_flow f;

	(void)state;
	nlh = first_msg("ct_tcp_v4.bin", buf, sizeof(buf));
	nested_attr(top_attr(nlh, CTA_TUPLE_ORIG), CTA_TUPLE_IP)->nla_type =
		NLA_F_NESTED | 77;
	mnl_attr_put_u32(nlh, 200, 1);
	assert_int_equal(ctnl_flow_parse(nlh, &f), 0);
	/* The address went with its unknown nest; the rest is there. */
	assert_int_equal(f.orig.src.u32[0], 0);
	assert_int_equal(f.orig.port.src, 58274);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_tcp_v4_from_real_traffic),
		cmocka_unit_test(test_parse_tcp_v6_and_udp_mark),
		cmocka_unit_test(test_parse_icmp_and_icmpv6),
		cmocka_unit_test(test_parse_sctp_state_and_vtags),
		cmocka_unit_test(test_parse_zones_both_and_directional),
		cmocka_unit_test(test_parse_labels_up_to_bit_127),
		cmocka_unit_test(test_parse_nat_and_helper),
		cmocka_unit_test(test_parse_events_new_update_destroy),
		cmocka_unit_test(test_parse_expectation),
		cmocka_unit_test(test_parse_expectation_with_nat),
		cmocka_unit_test(test_parse_other_type_is_eproto_whatever_its_length),
		cmocka_unit_test(test_parse_refuses_other_message_types),
		cmocka_unit_test(test_stack_lists_a_multi_datagram_dump),
		cmocka_unit_test(test_stack_lists_both_families_and_empty_tables),
		cmocka_unit_test(test_stack_lists_expectations),
		cmocka_unit_test(test_stack_get_reply_and_enoent),
		cmocka_unit_test(test_parse_every_cut_of_an_entry),
		cmocka_unit_test(test_parse_refuses_corrupt_attributes),
		cmocka_unit_test(test_parse_refuses_corrupt_sctp_and_expectations),
		cmocka_unit_test(test_parse_skips_unknown_attributes),
		cmocka_unit_test(test_parse_dccp_protoinfo),
		cmocka_unit_test(test_parse_old_32bit_counters),
		cmocka_unit_test(test_parse_refuses_wrong_widths_in_tuples),
		cmocka_unit_test(test_parse_expectation_zone_unknown_and_bad_nat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
