/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Filters: which are valid, which part the kernel can apply, how entries
 * match in user space, and the dump request's filter attributes.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "ct/internal.h"
#include "ct_fixture.h"

static struct ctnl_flow tcp_flow(void)
{
	struct ctnl_flow f = flow_of("10.1.2.3", "10.9.8.7", IPPROTO_TCP, 1000,
				     80, 0x42, 1);

	f.attrs |= CTNL_ATTR_TCP_STATE | CTNL_ATTR_LABELS;
	f.tcp.state = CTNL_TCP_ESTABLISHED;
	f.status |= CTNL_STATUS_ASSURED;
	ctnl_labels_set(&f.labels, 3);
	ctnl_labels_set(&f.labels, 90);
	return f;
}

static void addr(uint8_t family, const char *text, union ctnl_addr *out)
{
	assert_int_equal(inet_pton(family, text, out), 1);
}

static void test_filter_check_refuses_what_cannot_mean_anything(void **state)
{
	struct ctnl_filter f = { 0 };

	(void)state;
	assert_int_equal(ctnl__filter_check(&f), 0);
	f.match = CTNL_MATCH_ORIG_SRC;	/* an address without a family */
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
	f.family = AF_INET;
	assert_int_equal(ctnl__filter_check(&f), 0);
	f.orig_src_len = 33;
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
	f = (struct ctnl_filter){ .family = AF_INET6, .match =
				  CTNL_MATCH_REPLY_DST, .reply_dst_len = 128 };
	assert_int_equal(ctnl__filter_check(&f), 0);
	/* A port without a protocol that has ports. */
	f = (struct ctnl_filter){ .match = CTNL_MATCH_ORIG_DPORT };
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
	f.match |= CTNL_MATCH_PROTO;
	f.proto = IPPROTO_ICMP;
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
	f.proto = IPPROTO_SCTP;
	assert_int_equal(ctnl__filter_check(&f), 0);
	f = (struct ctnl_filter){ .match = CTNL_MATCH_TCP_STATE,
				  .tcp_state = CTNL_TCP_STATE_MAX };
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
	f = (struct ctnl_filter){ .family = 3 };
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
	f = (struct ctnl_filter){ .flags = 1u << 7 };
	assert_int_equal(ctnl__filter_check(&f), -EINVAL);
}

static void test_filter_kernel_part_is_what_the_kernel_compares(void **state)
{
	struct ctnl_filter f = {
		.family = AF_INET,
		.match = CTNL_MATCH_ALL,
		.proto = IPPROTO_TCP,
		.zone = 4,
		.status_mask = CTNL_STATUS_ASSURED,
		.orig_dst_len = 24,	/* a prefix: user space */
	};
	const uint32_t user_only = CTNL_MATCH_ORIG_DST | CTNL_MATCH_TCP_STATE |
				   CTNL_MATCH_LABELS;

	(void)state;
	assert_int_equal(ctnl__filter_kernel_part(&f),
			 CTNL_MATCH_ALL & ~user_only);
	/* The kernel compares ports of TCP and UDP only. */
	f.proto = IPPROTO_SCTP;
	assert_int_equal(ctnl__filter_kernel_part(&f) &
			 (CTNL_MATCH_ORIG_SPORT | CTNL_MATCH_REPLY_DPORT), 0);
	/* IPv6 addresses never: the kernel compares them inverted. */
	f.family = AF_INET6;
	f.proto = IPPROTO_UDP;
	f.orig_dst_len = 0;
	assert_int_equal(ctnl__filter_kernel_part(&f) &
			 (CTNL_MATCH_ORIG_SRC | CTNL_MATCH_ORIG_DST |
			  CTNL_MATCH_REPLY_SRC | CTNL_MATCH_REPLY_DST), 0);
	assert_int_equal(ctnl__filter_kernel_part(&f) &
			 (CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_SPORT),
			 CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_SPORT);
	/* Without a family, no tuple filter at all. */
	f = (struct ctnl_filter){ .match = CTNL_MATCH_PROTO | CTNL_MATCH_MARK };
	assert_int_equal(ctnl__filter_kernel_part(&f), CTNL_MATCH_MARK);
	/* The default zone, 0, is not filtered by the kernel. */
	f = (struct ctnl_filter){ .match = CTNL_MATCH_ZONE, .zone = 0 };
	assert_int_equal(ctnl__filter_kernel_part(&f), 0);
	f.flags = CTNL_FILTER_USERSPACE;
	f.zone = 5;
	assert_int_equal(ctnl__filter_kernel_part(&f), 0);
	/* A status mask of 0 is EINVAL to the kernel: filtered here. */
	f = (struct ctnl_filter){ .match = CTNL_MATCH_STATUS };
	assert_int_equal(ctnl__filter_kernel_part(&f), 0);
}

static void test_filter_match_each_criterion(void **state)
{
	struct ctnl_flow flow = tcp_flow();
	struct ctnl_filter f;

	(void)state;
	assert_true(ctnl_filter_match(NULL, &flow));
	assert_false(ctnl_filter_match(NULL, NULL));

	f = (struct ctnl_filter){ .family = AF_INET6 };
	assert_false(ctnl_filter_match(&f, &flow));
	f = (struct ctnl_filter){ .match = CTNL_MATCH_PROTO,
				  .proto = IPPROTO_UDP };
	assert_false(ctnl_filter_match(&f, &flow));
	f.proto = IPPROTO_TCP;
	assert_true(ctnl_filter_match(&f, &flow));

	/* Prefixes, in both directions. */
	f = (struct ctnl_filter){ .family = AF_INET,
				  .match = CTNL_MATCH_ORIG_SRC |
					   CTNL_MATCH_REPLY_SRC,
				  .orig_src_len = 16, .reply_src_len = 9 };
	addr(AF_INET, "10.1.99.99", &f.orig_src);
	addr(AF_INET, "10.9.255.255", &f.reply_src);
	assert_true(ctnl_filter_match(&f, &flow));
	f.orig_src_len = 17;
	addr(AF_INET, "10.1.128.0", &f.orig_src);
	assert_false(ctnl_filter_match(&f, &flow));
	f.orig_src_len = 0;	/* exact */
	addr(AF_INET, "10.1.2.3", &f.orig_src);
	assert_true(ctnl_filter_match(&f, &flow));

	f = (struct ctnl_filter){ .match = CTNL_MATCH_PROTO |
					   CTNL_MATCH_ORIG_SPORT |
					   CTNL_MATCH_REPLY_SPORT,
				  .proto = IPPROTO_TCP, .orig_sport = 1000,
				  .reply_sport = 80 };
	assert_true(ctnl_filter_match(&f, &flow));
	f.reply_sport = 81;
	assert_false(ctnl_filter_match(&f, &flow));

	f = (struct ctnl_filter){ .match = CTNL_MATCH_MARK, .mark = 0x40,
				  .mark_mask = 0xf0 };
	assert_true(ctnl_filter_match(&f, &flow));
	f.mark_mask = 0xff;
	assert_false(ctnl_filter_match(&f, &flow));

	f = (struct ctnl_filter){ .match = CTNL_MATCH_STATUS,
				  .status = CTNL_STATUS_ASSURED,
				  .status_mask = CTNL_STATUS_ASSURED };
	assert_true(ctnl_filter_match(&f, &flow));
	f.status = 0;
	assert_false(ctnl_filter_match(&f, &flow));

	f = (struct ctnl_filter){ .match = CTNL_MATCH_TCP_STATE,
				  .tcp_state = CTNL_TCP_ESTABLISHED };
	assert_true(ctnl_filter_match(&f, &flow));
	f.tcp_state = CTNL_TCP_TIME_WAIT;
	assert_false(ctnl_filter_match(&f, &flow));

	f = (struct ctnl_filter){ .match = CTNL_MATCH_LABELS };
	ctnl_labels_set(&f.labels, 90);
	assert_true(ctnl_filter_match(&f, &flow));
	ctnl_labels_set(&f.labels, 91);
	assert_false(ctnl_filter_match(&f, &flow));
}

/* Each address and port criterion, failing alone, in both directions; and
 * prefixes failing in a whole byte as well as in a partial one. */
static void test_filter_each_tuple_field_can_fail(void **state)
{
	struct ctnl_flow flow = tcp_flow();
	struct ctnl_filter f = { .family = AF_INET };

	(void)state;
	f.match = CTNL_MATCH_ORIG_DST;
	addr(AF_INET, "10.9.8.7", &f.orig_dst);
	assert_int_equal(ctnl__filter_mismatch(&f, &flow), 0);
	addr(AF_INET, "11.9.8.7", &f.orig_dst);
	f.orig_dst_len = 8;
	assert_int_equal(ctnl__filter_mismatch(&f, &flow), CTNL_MATCH_ORIG_DST);

	f.match = CTNL_MATCH_REPLY_SRC;
	addr(AF_INET, "10.9.8.8", &f.reply_src);
	assert_int_equal(ctnl__filter_mismatch(&f, &flow),
			 CTNL_MATCH_REPLY_SRC);

	f = (struct ctnl_filter){ .match = CTNL_MATCH_PROTO |
					   CTNL_MATCH_ORIG_SPORT |
					   CTNL_MATCH_REPLY_DPORT,
				  .proto = IPPROTO_TCP, .orig_sport = 1,
				  .reply_dport = 2 };
	assert_int_equal(ctnl__filter_mismatch(&f, &flow),
			 CTNL_MATCH_ORIG_SPORT | CTNL_MATCH_REPLY_DPORT);
	f.orig_sport = 1000;
	f.reply_dport = 1000;
	assert_int_equal(ctnl__filter_mismatch(&f, &flow), 0);

	/* An exact IPv4 destination goes to the kernel. */
	f = (struct ctnl_filter){ .family = AF_INET,
				  .match = CTNL_MATCH_ORIG_DST };
	assert_int_equal(ctnl__filter_kernel_part(&f), CTNL_MATCH_ORIG_DST);
}

/* Bit @bit of @a, counted from the most significant bit of its first
 * byte (network order: prefix order), turned over. */
static void flip_bit(union ctnl_addr *a, unsigned int bit)
{
	a->u8[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
}

/* The address criterion @which of @f, its address and prefix length. */
static void set_prefix(struct ctnl_filter *f, uint32_t which,
		       const union ctnl_addr *a, uint8_t len)
{
	f->match = which;
	switch (which) {
	case CTNL_MATCH_ORIG_SRC:
		f->orig_src = *a;
		f->orig_src_len = len;
		break;
	case CTNL_MATCH_ORIG_DST:
		f->orig_dst = *a;
		f->orig_dst_len = len;
		break;
	case CTNL_MATCH_REPLY_SRC:
		f->reply_src = *a;
		f->reply_src_len = len;
		break;
	default:
		f->reply_dst = *a;
		f->reply_dst_len = len;
		break;
	}
}

static const union ctnl_addr *field(const struct ctnl_flow *flow,
				    uint32_t which)
{
	switch (which) {
	case CTNL_MATCH_ORIG_SRC:
		return &flow->orig.src;
	case CTNL_MATCH_ORIG_DST:
		return &flow->orig.dst;
	case CTNL_MATCH_REPLY_SRC:
		return &flow->reply.src;
	default:
		return &flow->reply.dst;
	}
}

/*
 * A prefix of every length, in each of the four addresses: an address
 * differing from the entry's only in the first bit past the prefix
 * matches; one differing only in the prefix's last bit does not.
 */
static void check_prefix_bounds(const struct ctnl_flow *flow, uint8_t family)
{
	const uint32_t fields[] = { CTNL_MATCH_ORIG_SRC, CTNL_MATCH_ORIG_DST,
				    CTNL_MATCH_REPLY_SRC,
				    CTNL_MATCH_REPLY_DST };
	const unsigned int bits = family == AF_INET ? 32 : 128;

	for (size_t i = 0; i < 4; i++) {
		for (unsigned int len = 1; len < bits; len++) {
			struct ctnl_filter f = { .family = family };
			union ctnl_addr a = *field(flow, fields[i]);

			flip_bit(&a, len);	/* first bit past the prefix */
			set_prefix(&f, fields[i], &a, (uint8_t)len);
			assert_int_equal(ctnl__filter_mismatch(&f, flow), 0);
			flip_bit(&a, len);
			flip_bit(&a, len - 1);	/* its last bit */
			set_prefix(&f, fields[i], &a, (uint8_t)len);
			assert_int_equal(ctnl__filter_mismatch(&f, flow),
					 fields[i]);
		}
	}
}

static void test_filter_prefixes_end_at_their_last_bit(void **state)
{
	struct ctnl_flow v4 = tcp_flow();
	struct ctnl_flow v6 = flow_of("2001:db8::1", "2001:db8:ffff::2",
				      IPPROTO_UDP, 5000, 53, 0, 2);

	(void)state;
	check_prefix_bounds(&v4, AF_INET);
	check_prefix_bounds(&v6, AF_INET6);
}

/* An entry has one zone, for one direction or both. */
static void test_filter_zone_is_the_entrys_one_zone(void **state)
{
	struct ctnl_flow flow = tcp_flow();
	struct ctnl_filter f = { .match = CTNL_MATCH_ZONE, .zone = 0 };

	(void)state;
	assert_true(ctnl_filter_match(&f, &flow));
	flow.orig.zone = flow.reply.zone = 6;
	assert_false(ctnl_filter_match(&f, &flow));
	f.zone = 6;
	assert_true(ctnl_filter_match(&f, &flow));
	flow.orig.zone = 0;	/* the reply direction only */
	assert_true(ctnl_filter_match(&f, &flow));
}

/* A TCP state filter never matches an entry of another protocol. */
static void test_filter_tcp_state_needs_tcp(void **state)
{
	struct ctnl_flow flow = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1,
					2, 0, 1);
	struct ctnl_filter f = { .match = CTNL_MATCH_TCP_STATE,
				 .tcp_state = CTNL_TCP_NONE };

	(void)state;
	assert_false(ctnl_filter_match(&f, &flow));
	/* Nor a TCP entry whose state is unknown, even to state NONE (0). */
	flow = tcp_flow();
	flow.attrs &= ~CTNL_ATTR_TCP_STATE;
	flow.tcp.state = CTNL_TCP_NONE;
	assert_int_equal(ctnl__filter_mismatch(&f, &flow),
			 CTNL_MATCH_TCP_STATE);
	flow.attrs |= CTNL_ATTR_TCP_STATE;
	assert_int_equal(ctnl__filter_mismatch(&f, &flow), 0);
}

/* The reply direction's tuple filter goes under CTA_TUPLE_REPLY with its
 * own flags; the protocol alone is sent once. */
static void test_filter_reply_tuple_in_dump_request(void **state)
{
	struct ctnl_filter f = { .family = AF_INET,
				 .match = CTNL_MATCH_PROTO |
					  CTNL_MATCH_REPLY_DST |
					  CTNL_MATCH_REPLY_SPORT,
				 .proto = IPPROTO_UDP, .reply_sport = 53 };
	_Alignas(8) uint8_t buf[512];
	const struct nlattr *attr;
	uint32_t orig_flags = 99, reply_flags = 99;
	bool reply_tuple = false, orig_tuple = false;

	(void)state;
	addr(AF_INET, "10.0.0.5", &f.reply_dst);
	assert_true(ctnl_build_dump(buf, sizeof(buf), &f) > 0);
	mnl_attr_for_each(attr, (struct nlmsghdr *)buf,
			  sizeof(struct nfgenmsg)) {
		const struct nlattr *in;

		switch (mnl_attr_get_type(attr)) {
		case CTA_TUPLE_ORIG:
			orig_tuple = true;
			break;
		case CTA_TUPLE_REPLY:
			reply_tuple = true;
			break;
		case CTA_FILTER:
			mnl_attr_for_each_nested(in, attr) {
				/* Host order, as the kernel reads them. */
				uint32_t v = mnl_attr_get_u32(in);

				if (mnl_attr_get_type(in) ==
				    CTA_FILTER_ORIG_FLAGS)
					orig_flags = v;
				else
					reply_flags = v;
			}
			break;
		}
	}
	assert_true(orig_tuple);	/* the protocol, once */
	assert_true(reply_tuple);
	assert_int_equal(orig_flags, 1u << 3);
	assert_int_equal(reply_flags, (1u << 1) | (1u << 3) | (1u << 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_check_refuses_what_cannot_mean_anything),
		cmocka_unit_test(test_filter_kernel_part_is_what_the_kernel_compares),
		cmocka_unit_test(test_filter_match_each_criterion),
		cmocka_unit_test(test_filter_each_tuple_field_can_fail),
		cmocka_unit_test(test_filter_prefixes_end_at_their_last_bit),
		cmocka_unit_test(test_filter_zone_is_the_entrys_one_zone),
		cmocka_unit_test(test_filter_tcp_state_needs_tcp),
		cmocka_unit_test(test_filter_reply_tuple_in_dump_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
