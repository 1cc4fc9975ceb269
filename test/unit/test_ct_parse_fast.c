/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parser's fast paths (the kernel's usual layout of a tuple with ports
 * and of TCP's info) against the general walk: on entries a real kernel
 * sent (test/fixtures/) and on the same bytes altered, they must read
 * exactly what the general walk reads and refuse exactly what it refuses.
 * Each case alters one thing the fast paths compare, so that a fast path
 * missing that comparison fails here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "helpers.h"
#include "fixture.h"

/* A writable copy of the first message of a fixture. */
struct msg {
	size_t len;
	_Alignas(8) uint8_t bytes[1024];
};

static struct msg load(const char *name)
{
	static struct fixture fx[2];
	static const char *names[2];
	const struct nlmsghdr *nlh;
	struct msg m;
	size_t i = 0;

	/* Each fixture is read once and kept for the whole run. */
	while (i < 2 && names[i] && strcmp(names[i], name))
		i++;
	assert_true(i < 2);
	if (!names[i]) {
		fixture_load(name, &fx[i]);
		names[i] = name;
	}
	nlh = (const void *)fx[i].dgrams[0].data;
	m.len = nlh->nlmsg_len;
	assert_true(m.len <= sizeof(m.bytes));
	memcpy(m.bytes, nlh, m.len);
	return m;
}

static int parse(struct msg *m, struct ctnl_flow *out)
{
	return ctnl_flow_parse((const struct nlmsghdr *)(void *)m->bytes, out);
}

/* Parses @m, which must be a TCP entry with ports and TCP info. */
static struct ctnl_flow parse_tcp(struct msg *m)
{
	struct ctnl_flow f;

	assert_int_equal(parse(m, &f), 0);
	assert_int_equal(f.orig.proto, IPPROTO_TCP);
	assert_true(f.attrs & CTNL_ATTR_TCP_STATE);
	assert_true(f.orig.port.src && f.orig.port.dst);
	return f;
}

/* The attribute of @type directly inside the region [@start, @end). */
static struct nlattr *find_in(uint8_t *start, uint8_t *end, uint16_t type)
{
	while (start + NLA_HDRLEN <= end) {
		struct nlattr *a = (void *)start;

		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		start += NLA_ALIGN(a->nla_len);
	}
	fail_msg("no attribute of type %u", type);
	return NULL;
}

static struct nlattr *top(struct msg *m, uint16_t type)
{
	return find_in(m->bytes + NLMSG_HDRLEN + sizeof(struct nfgenmsg),
		       m->bytes + m->len, type);
}

static struct nlattr *inside(struct nlattr *nest, uint16_t type)
{
	uint8_t *p = (uint8_t *)nest;

	return find_in(p + NLA_HDRLEN, p + nest->nla_len, type);
}

static uint8_t *value(struct nlattr *a)
{
	return (uint8_t *)a + NLA_HDRLEN;
}

/* Swaps the attribute @a with the one after it, both @size bytes. */
static void swap_next(struct nlattr *a, size_t size)
{
	uint8_t tmp[64], *p = (uint8_t *)a;

	assert_true(size <= sizeof(tmp));
	memcpy(tmp, p, size);
	memmove(p, p + size, size);
	memcpy(p + size, tmp, size);
}

static void assert_flow_equal(const struct ctnl_flow *got,
			      const struct ctnl_flow *want)
{
	assert_memory_equal(got, want, sizeof(*want));
}

/* Swapping attributes inside nests takes the entry off the fast paths;
 * the general walk must read the very same flow. */
static void test_parse_same_flow_whatever_the_attribute_order(void **state)
{
	static const struct {
		const char *name;
		uint16_t src_type;
		size_t addr_attr;
	} fixtures[] = {
		{ "ct_tcp_v4.bin", CTA_IP_V4_SRC, 8 },
		{ "ct_tcp_v6.bin", CTA_IP_V6_SRC, 20 },
	};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct msg m = load(fixtures[i].name);
		struct ctnl_flow want = parse_tcp(&m), got;
		struct nlattr *ip, *proto, *tcp;

		ip = inside(top(&m, CTA_TUPLE_ORIG), CTA_TUPLE_IP);
		swap_next(inside(ip, fixtures[i].src_type),
			  fixtures[i].addr_attr);
		proto = inside(top(&m, CTA_TUPLE_REPLY), CTA_TUPLE_PROTO);
		swap_next(inside(proto, CTA_PROTO_SRC_PORT), 8);
		tcp = inside(top(&m, CTA_PROTOINFO), CTA_PROTOINFO_TCP);
		swap_next(inside(tcp, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL), 8);

		memset(&got, 0xa5, sizeof(got));
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
}

/* Nests may come without NLA_F_NESTED (older kernels send them so). */
static void test_parse_accepts_nests_without_the_nested_flag(void **state)
{
	struct msg m = load("ct_tcp_v4.bin");
	struct ctnl_flow want = parse_tcp(&m), got;
	struct nlattr *nests[] = {
		top(&m, CTA_TUPLE_ORIG),
		inside(top(&m, CTA_TUPLE_ORIG), CTA_TUPLE_IP),
		inside(top(&m, CTA_TUPLE_ORIG), CTA_TUPLE_PROTO),
		top(&m, CTA_PROTOINFO),
		inside(top(&m, CTA_PROTOINFO), CTA_PROTOINFO_TCP),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(nests) / sizeof(nests[0]); i++)
		nests[i]->nla_type &= (uint16_t)~NLA_F_NESTED;
	assert_int_equal(parse(&m, &got), 0);
	assert_flow_equal(&got, &want);
}

static void test_parse_rejects_an_ipv6_address_in_an_ipv4_entry(void **state)
{
	struct msg m = load("ct_tcp_v4.bin");
	struct nlattr *ip = inside(top(&m, CTA_TUPLE_ORIG), CTA_TUPLE_IP);
	struct ctnl_flow f;

	(void)state;
	inside(ip, CTA_IP_V4_SRC)->nla_type = CTA_IP_V6_SRC;
	assert_int_equal(parse(&m, &f), -EBADMSG);
}

static void test_parse_rejects_attributes_of_the_wrong_length(void **state)
{
	struct ctnl_flow f;

	(void)state;
	{
		/* A port of one byte, in the room a port takes. */
		struct msg m = load("ct_tcp_v4.bin");
		struct nlattr *proto = inside(top(&m, CTA_TUPLE_ORIG),
					      CTA_TUPLE_PROTO);

		inside(proto, CTA_PROTO_DST_PORT)->nla_len = NLA_HDRLEN + 1;
		assert_int_equal(parse(&m, &f), -EBADMSG);
	}
	{
		/* Addresses a byte short, in the room an address takes. */
		struct msg m = load("ct_tcp_v4.bin");
		struct nlattr *ip = inside(top(&m, CTA_TUPLE_ORIG),
					   CTA_TUPLE_IP);

		inside(ip, CTA_IP_V4_DST)->nla_len = NLA_HDRLEN + 3;
		assert_int_equal(parse(&m, &f), -EBADMSG);
	}
	{
		struct msg m = load("ct_tcp_v6.bin");
		struct nlattr *ip = inside(top(&m, CTA_TUPLE_REPLY),
					   CTA_TUPLE_IP);

		inside(ip, CTA_IP_V6_SRC)->nla_len = NLA_HDRLEN + 15;
		assert_int_equal(parse(&m, &f), -EBADMSG);
	}
	{
		/* A TCP state of two bytes. */
		struct msg m = load("ct_tcp_v6.bin");
		struct nlattr *tcp = inside(top(&m, CTA_PROTOINFO),
					    CTA_PROTOINFO_TCP);

		inside(tcp, CTA_PROTOINFO_TCP_STATE)->nla_len = NLA_HDRLEN + 2;
		assert_int_equal(parse(&m, &f), -EBADMSG);
	}
	{
		/* A tuple claiming four bytes more than it has. */
		struct msg m = load("ct_tcp_v4.bin");

		top(&m, CTA_TUPLE_ORIG)->nla_len += 4;
		assert_int_equal(parse(&m, &f), -EBADMSG);
	}
	{
		/* A message that ends inside its reply tuple. */
		struct msg m = load("ct_tcp_v4.bin");
		struct nlmsghdr *nlh = (void *)m.bytes;

		nlh->nlmsg_len = (uint32_t)((uint8_t *)top(&m, CTA_TUPLE_REPLY) -
					    m.bytes + 24);
		assert_int_equal(parse(&m, &f), -EBADMSG);
	}
}

/* An attribute type the model does not know, where the fast paths expect
 * a known one: the general walk skips it, so its field stays zero and
 * everything else is read as before. */
#define UNKNOWN_TYPE 15

static void test_parse_skips_attributes_it_does_not_know(void **state)
{
	struct ctnl_flow want, got;

	(void)state;
	{
		struct msg m = load("ct_tcp_v4.bin");
		struct nlattr *proto = inside(top(&m, CTA_TUPLE_ORIG),
					      CTA_TUPLE_PROTO);

		want = parse_tcp(&m);
		inside(proto, CTA_PROTO_DST_PORT)->nla_type = UNKNOWN_TYPE;
		want.orig.port.dst = 0;
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
	{
		struct msg m = load("ct_tcp_v4.bin");
		struct nlattr *proto = inside(top(&m, CTA_TUPLE_REPLY),
					      CTA_TUPLE_PROTO);

		want = parse_tcp(&m);
		inside(proto, CTA_PROTO_NUM)->nla_type = UNKNOWN_TYPE;
		want.reply.proto = 0;
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
	{
		struct msg m = load("ct_tcp_v4.bin");

		want = parse_tcp(&m);
		inside(top(&m, CTA_TUPLE_ORIG), CTA_TUPLE_PROTO)->nla_type =
			UNKNOWN_TYPE | NLA_F_NESTED;
		want.orig.proto = 0;
		want.orig.port.src = want.orig.port.dst = 0;
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
	{
		struct msg m = load("ct_tcp_v4.bin");

		want = parse_tcp(&m);
		inside(top(&m, CTA_TUPLE_REPLY), CTA_TUPLE_IP)->nla_type =
			UNKNOWN_TYPE | NLA_F_NESTED;
		memset(&want.reply.src, 0, sizeof(want.reply.src));
		memset(&want.reply.dst, 0, sizeof(want.reply.dst));
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
	{
		struct msg m = load("ct_tcp_v6.bin");
		struct nlattr *ip = inside(top(&m, CTA_TUPLE_ORIG),
					   CTA_TUPLE_IP);

		want = parse_tcp(&m);
		inside(ip, CTA_IP_V6_DST)->nla_type = UNKNOWN_TYPE;
		memset(&want.orig.dst, 0, sizeof(want.orig.dst));
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
	{
		struct msg m = load("ct_tcp_v4.bin");

		want = parse_tcp(&m);
		inside(top(&m, CTA_PROTOINFO), CTA_PROTOINFO_TCP)->nla_type =
			UNKNOWN_TYPE | NLA_F_NESTED;
		memset(&want.tcp, 0, sizeof(want.tcp));
		want.attrs &= ~(CTNL_ATTR_TCP_STATE | CTNL_ATTR_TCP_WSCALE |
				CTNL_ATTR_TCP_FLAGS);
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
}

/* Each of TCP's five attributes, one at a time, its value changed and its
 * type made unknown: the general walk never reads that value. */
static void test_parse_skips_each_unknown_tcp_attribute(void **state)
{
	static const uint16_t types[] = {
		CTA_PROTOINFO_TCP_STATE,
		CTA_PROTOINFO_TCP_WSCALE_ORIGINAL,
		CTA_PROTOINFO_TCP_WSCALE_REPLY,
		CTA_PROTOINFO_TCP_FLAGS_ORIGINAL,
		CTA_PROTOINFO_TCP_FLAGS_REPLY,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct msg m = load("ct_tcp_v6.bin");
		struct ctnl_flow want = parse_tcp(&m), got;
		struct nlattr *tcp = inside(top(&m, CTA_PROTOINFO),
					    CTA_PROTOINFO_TCP);
		struct nlattr *a = inside(tcp, types[i]);

		*value(a) = 0x5a;
		a->nla_type = UNKNOWN_TYPE;
		switch (types[i]) {
		case CTA_PROTOINFO_TCP_STATE:
			want.tcp.state = 0;
			want.attrs &= ~CTNL_ATTR_TCP_STATE;
			break;
		case CTA_PROTOINFO_TCP_WSCALE_ORIGINAL:
			want.tcp.wscale[CTNL_DIR_ORIG] = 0;
			break;
		case CTA_PROTOINFO_TCP_WSCALE_REPLY:
			want.tcp.wscale[CTNL_DIR_REPLY] = 0;
			break;
		case CTA_PROTOINFO_TCP_FLAGS_ORIGINAL:
			want.tcp.flags[CTNL_DIR_ORIG] = 0;
			want.tcp.flags_mask[CTNL_DIR_ORIG] = 0;
			break;
		default:
			want.tcp.flags[CTNL_DIR_REPLY] = 0;
			want.tcp.flags_mask[CTNL_DIR_REPLY] = 0;
			break;
		}
		assert_int_equal(parse(&m, &got), 0);
		assert_flow_equal(&got, &want);
	}
}

/* The kernel's layouts with something more: a zone inside each tuple, a
 * sixth attribute in TCP's info. Read as the general walk reads them
 * (a repeated attribute: the last one counts). */
static void test_parse_reads_what_follows_the_usual_layout(void **state)
{
	uint8_t buf[1024];
	struct ctnl_flow flow = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_TIMEOUT,
		.timeout = 30,
	}, got;
	struct nlmsghdr *nlh;
	struct nlattr *info, *tcp;
	struct nf_ct_tcp_flags fl = { 0 };

	(void)state;
	assert_int_equal(ctnl_tuple_from_text(&flow.orig, "10.0.0.1",
					      "10.0.0.2", IPPROTO_TCP, 1, 2),
			 0);
	flow.reply = flow.orig;
	flow.orig.zone = 3;
	flow.reply.zone = 4;
	assert_true(ctnl_build_create(buf, sizeof(buf), &flow) > 0);
	assert_int_equal(ctnl_flow_parse((void *)buf, &got), 0);
	assert_int_equal(got.orig.zone, 3);
	assert_int_equal(got.reply.zone, 4);
	assert_int_equal(got.orig.port.dst, 2);

	nlh = put_nfmsg(buf, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
			0, AF_INET);
	info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, CTNL_TCP_SYN_SENT);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 1);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_REPLY, 2);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(fl), &fl);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(fl), &fl);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, CTNL_TCP_ESTABLISHED);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(ctnl_flow_parse(nlh, &got), 0);
	assert_int_equal(got.tcp.state, CTNL_TCP_ESTABLISHED);
	assert_int_equal(got.tcp.wscale[CTNL_DIR_REPLY], 2);

	/* The usual TCP info, then a second TCP nest within the same info. */
	nlh = put_nfmsg(buf, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
			0, AF_INET);
	info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, CTNL_TCP_SYN_SENT);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 1);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_REPLY, 2);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, sizeof(fl), &fl);
	mnl_attr_put(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, sizeof(fl), &fl);
	mnl_attr_nest_end(nlh, tcp);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, CTNL_TCP_ESTABLISHED);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
	assert_int_equal(ctnl_flow_parse(nlh, &got), 0);
	assert_int_equal(got.tcp.state, CTNL_TCP_ESTABLISHED);
	assert_int_equal(got.tcp.wscale[CTNL_DIR_ORIG], 1);
}

/* What the kernel sends for a TCP entry without window scaling or flags
 * (as a create can leave it): the general walk, and only the state. */
static void test_parse_tcp_state_alone(void **state)
{
	uint8_t buf[1024];
	struct ctnl_flow flow = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
			 CTNL_ATTR_TCP_STATE,
		.timeout = 30,
		.tcp.state = CTNL_TCP_SYN_SENT,
	}, got;
	int len;

	(void)state;
	assert_int_equal(ctnl_tuple_from_text(&flow.orig, "10.0.0.1",
					      "10.0.0.2", IPPROTO_TCP, 1, 2),
			 0);
	len = ctnl_build_create(buf, sizeof(buf), &flow);
	assert_true(len > 0);
	assert_int_equal(ctnl_flow_parse((void *)buf, &got), 0);
	assert_int_equal(got.tcp.state, CTNL_TCP_SYN_SENT);
	assert_true(got.attrs & CTNL_ATTR_TCP_STATE);
	assert_false(got.attrs & (CTNL_ATTR_TCP_WSCALE | CTNL_ATTR_TCP_FLAGS));
	assert_int_equal(got.orig.port.dst, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_same_flow_whatever_the_attribute_order),
		cmocka_unit_test(test_parse_accepts_nests_without_the_nested_flag),
		cmocka_unit_test(test_parse_rejects_an_ipv6_address_in_an_ipv4_entry),
		cmocka_unit_test(test_parse_rejects_attributes_of_the_wrong_length),
		cmocka_unit_test(test_parse_skips_attributes_it_does_not_know),
		cmocka_unit_test(test_parse_skips_each_unknown_tcp_attribute),
		cmocka_unit_test(test_parse_reads_what_follows_the_usual_layout),
		cmocka_unit_test(test_parse_tcp_state_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
