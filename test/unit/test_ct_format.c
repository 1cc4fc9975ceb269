/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text formatting, against lines `conntrack -L` printed for the same
 * entries (conntrack-tools 1.4.7, timestamps off: no delta-time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "ct_fixture.h"

static void check(const struct ctnl_flow *f, const char *expected)
{
	char buf[512];
	int len = ctnl_flow_format(f, buf, sizeof(buf));

	assert_string_equal(buf, expected);
	assert_int_equal(len, strlen(expected));
}

static void test_format_tcp_with_counters_assured_mark(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000,
				     80, 5, 1);

	(void)state;
	f.attrs |= CTNL_ATTR_TCP_STATE | CTNL_ATTR_COUNTERS_ORIG |
		   CTNL_ATTR_COUNTERS_REPLY | CTNL_ATTR_USE;
	f.timeout = 99;
	f.tcp.state = CTNL_TCP_ESTABLISHED;
	f.status |= CTNL_STATUS_SEEN_REPLY | CTNL_STATUS_ASSURED;
	f.use = 1;
	check(&f, "tcp      6 99 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 "
		  "sport=1000 dport=80 packets=0 bytes=0 src=10.0.0.2 "
		  "dst=10.0.0.1 sport=80 dport=1000 packets=0 bytes=0 "
		  "[ASSURED] mark=5 use=1");
}

static void test_format_unreplied_icmp(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0,
				     0, 1);

	(void)state;
	f.attrs |= CTNL_ATTR_USE;
	f.timeout = 29;
	f.use = 1;
	f.orig.icmp.id = f.reply.icmp.id = 77;
	f.orig.icmp.type = 8;
	f.reply.icmp.type = 0;
	check(&f, "icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=77 "
		  "[UNREPLIED] src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=77 "
		  "mark=0 use=1");
}

static void test_format_ipv6_zone_and_directional_zone(void **state)
{
	struct ctnl_flow f = flow_of("fd00::1", "fd00::2", IPPROTO_TCP, 1, 2, 0,
				     1);

	(void)state;
	f.attrs |= CTNL_ATTR_TCP_STATE | CTNL_ATTR_USE;
	f.timeout = 49;
	f.use = 1;
	f.tcp.state = CTNL_TCP_SYN_SENT;
	f.orig.zone = f.reply.zone = 7;
	check(&f, "tcp      6 49 SYN_SENT src=fd00::1 dst=fd00::2 sport=1 "
		  "dport=2 [UNREPLIED] src=fd00::2 dst=fd00::1 sport=2 dport=1 "
		  "mark=0 zone=7 use=1");

	f = flow_of("10.0.0.3", "10.0.0.4", IPPROTO_UDP, 1, 2, 0, 1);
	f.attrs |= CTNL_ATTR_USE;
	f.timeout = 29;
	f.use = 1;
	f.orig.zone = 3;
	check(&f, "udp      17 29 src=10.0.0.3 dst=10.0.0.4 sport=1 dport=2 "
		  "zone-orig=3 [UNREPLIED] src=10.0.0.4 dst=10.0.0.3 sport=2 "
		  "dport=1 mark=0 use=1");
}

static void test_format_sctp_state(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_SCTP, 5, 6,
				     0, 1);

	(void)state;
	f.attrs |= CTNL_ATTR_SCTP_STATE | CTNL_ATTR_USE;
	f.timeout = 49;
	f.use = 1;
	f.sctp.state = SCTP_CONNTRACK_ESTABLISHED;
	check(&f, "sctp     132 49 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 "
		  "sport=5 dport=6 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 "
		  "sport=6 dport=5 mark=0 use=1");
}

/* Like snprintf: the whole length comes back, the buffer holds what fits,
 * always terminated. */
static void test_format_truncates_like_snprintf(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2,
				     0, 1);
	char full[256], small[10];
	int len = ctnl_flow_format(&f, full, sizeof(full));

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(ctnl_flow_format(&f, small, sizeof(small)), len);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	assert_int_equal(ctnl_flow_format(&f, NULL, 0), len);
	assert_int_equal(ctnl_flow_format(NULL, full, sizeof(full)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_tcp_with_counters_assured_mark),
		cmocka_unit_test(test_format_unreplied_icmp),
		cmocka_unit_test(test_format_ipv6_zone_and_directional_zone),
		cmocka_unit_test(test_format_sctp_state),
		cmocka_unit_test(test_format_truncates_like_snprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
