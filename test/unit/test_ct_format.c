/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text formatting, against lines `conntrack -L` (conntrack-tools 1.4.7,
 * libnetfilter_conntrack 1.0.9) printed for the same entries on a real
 * kernel: every expected line below was copied from its output, except
 * where a comment says the case cannot be made on that kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

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
	/* Cut at every place, inside a field's text or between two: the
	 * buffer holds exactly what fits, and nothing past it is touched. */
	for (size_t size = 1; size <= (size_t)len + 1; size++) {
		char cut[256 + 1];

		memset(cut, 'x', sizeof(cut));
		assert_int_equal(ctnl_flow_format(&f, cut, size), len);
		assert_int_equal(strlen(cut), size - 1);
		assert_memory_equal(cut, full, size - 1);
		assert_int_equal(cut[size], 'x');
	}
}

static void check_opts(const struct ctnl_flow *f,
		       const struct ctnl_format_opts *opts,
		       const char *expected)
{
	char buf[1024];
	int len = ctnl_flow_format_opts(f, opts, buf, sizeof(buf));

	assert_string_equal(buf, expected);
	assert_int_equal(len, strlen(expected));
}

/* 2026-12-01 00:00:00 UTC, and a start 7.9 seconds before it. */
#define NOW 1795996800
#define START_NS ((uint64_t)(NOW - 8) * 1000000000u + 100000000u)

static struct ctnl_flow gre_flow(void)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_GRE, 1, 2,
				     0, 1);

	f.attrs |= CTNL_ATTR_USE | CTNL_ATTR_COUNTERS_ORIG |
		   CTNL_ATTR_COUNTERS_REPLY | CTNL_ATTR_START;
	f.timeout = 99;
	f.use = 1;
	f.start = START_NS;
	return f;
}

/* GRE keys print in hex; delta-time counts whole seconds: the start's
 * second to now's. */
static void test_format_gre_keys_and_delta_time(void **state)
{
	struct ctnl_format_opts opts = { .size = sizeof(opts), .now = NOW };
	struct ctnl_flow f = gre_flow();

	(void)state;
	check_opts(&f, &opts,
		   "gre      47 99 src=10.0.0.1 dst=10.0.0.2 srckey=0x1 "
		   "dstkey=0x2 packets=0 bytes=0 [UNREPLIED] src=10.0.0.2 "
		   "dst=10.0.0.1 srckey=0x2 dstkey=0x1 packets=0 bytes=0 "
		   "mark=0 delta-time=8 use=1");
}

/* A destroyed entry counts to its stop, whatever the time now. */
static void test_format_delta_time_of_a_stopped_entry(void **state)
{
	struct ctnl_format_opts opts = { .size = sizeof(opts), .now = NOW };
	struct ctnl_flow f = gre_flow();
	char buf[512];

	(void)state;
	f.attrs |= CTNL_ATTR_STOP;
	f.stop = START_NS + 3000000000u;
	ctnl_flow_format_opts(&f, &opts, buf, sizeof(buf));
	assert_non_null(strstr(buf, " delta-time=3 use=1"));
}

/* -o ktimestamp: start and stop after delta-time, as ctime() writes them
 * in local time (here UTC). */
static void test_format_timestamps_in_local_time(void **state)
{
	struct ctnl_format_opts opts = { .size = sizeof(opts), .now = NOW,
					 .flags = CTNL_FORMAT_TIMESTAMP };
	struct ctnl_flow f = gre_flow();
	char buf[512];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	f.start = UINT64_C(1796281471349503488);	/* Dec 3 07:04:31 2026 */
	opts.now = 1796281471 + 8;
	ctnl_flow_format_opts(&f, &opts, buf, sizeof(buf));
	assert_non_null(strstr(buf, " mark=0 delta-time=8 [start=Thu Dec  3 "
				    "07:04:31 2026] use=1"));
	f.attrs |= CTNL_ATTR_STOP;
	f.stop = UINT64_C(1000000000) * 951782400;	/* Feb 29 00:00 2000 */
	f.start = f.stop - UINT64_C(36061000000000);
	ctnl_flow_format_opts(&f, &opts, buf, sizeof(buf));
	assert_non_null(strstr(buf, " delta-time=36061 [start=Mon Feb 28 "
				    "13:58:59 2000] [stop=Tue Feb 29 00:00:00 "
				    "2000] use=1"));
	/* Not asked: none. */
	opts.flags = 0;
	ctnl_flow_format_opts(&f, &opts, buf, sizeof(buf));
	assert_null(strstr(buf, "[start="));
}

/* Without a time given, a live entry's delta-time is left out: the
 * library reads no clock. A stopped entry's needs none. */
static void test_format_delta_time_needs_a_time(void **state)
{
	struct ctnl_flow f = gre_flow();
	char buf[512];

	(void)state;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_null(strstr(buf, "delta-time="));
	f.attrs |= CTNL_ATTR_STOP;
	f.stop = START_NS + 5000000000u;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, " delta-time=5 use=1"));
}

/* helper= goes after delta-time and before use=, as conntrack has it:
 * "tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=48216
 * dport=21 src=127.0.0.1 dst=127.0.0.1 sport=21 dport=48216 [ASSURED]
 * mark=0 delta-time=0 helper=ftp use=1". */
static void test_format_helper_before_use(void **state)
{
	struct ctnl_format_opts opts = { .size = sizeof(opts),
					 .now = NOW - 8 };
	struct ctnl_flow f = flow_of("127.0.0.1", "127.0.0.1", IPPROTO_TCP,
				     48216, 21, 0, 1);

	(void)state;
	f.attrs |= CTNL_ATTR_TCP_STATE | CTNL_ATTR_USE | CTNL_ATTR_START |
		   CTNL_ATTR_HELPER;
	f.timeout = 431999;
	f.tcp.state = CTNL_TCP_ESTABLISHED;
	f.status |= CTNL_STATUS_SEEN_REPLY | CTNL_STATUS_ASSURED;
	f.use = 1;
	f.start = START_NS;
	strcpy(f.helper, "ftp");
	check_opts(&f, &opts,
		   "tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 "
		   "sport=48216 dport=21 src=127.0.0.1 dst=127.0.0.1 sport=21 "
		   "dport=48216 [ASSURED] mark=0 delta-time=0 helper=ftp use=1");
}

static const char *const NAMES[CTNL_LABEL_BITS] = {
	[0] = "zero", [1] = "one", [3] = "three", [5] = "", [100] = "hundred",
};

/* labels= last, by name; only with names, as -o labels prints them. */
static void test_format_labels_by_name(void **state)
{
	struct ctnl_format_opts opts = { .size = sizeof(opts),
					 .label_names = NAMES };
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 9, 9,
				     0, 1);
	const char *plain = "udp      17 100 src=10.0.0.1 dst=10.0.0.2 sport=9 "
			    "dport=9 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 "
			    "sport=9 dport=9 mark=0 use=1";
	char want[256];

	(void)state;
	f.attrs |= CTNL_ATTR_USE | CTNL_ATTR_LABELS;
	f.use = 1;
	ctnl_labels_set(&f.labels, 1);
	ctnl_labels_set(&f.labels, 3);
	ctnl_labels_set(&f.labels, 100);
	/* Without names, as `conntrack -L` without -o labels. */
	check(&f, plain);
	snprintf(want, sizeof(want), "%s labels=one,three,hundred", plain);
	check_opts(&f, &opts, want);
	/* Only named labels print (an empty name is none); with none
	 * named, conntrack takes back the '=' instead of a comma. */
	ctnl_labels_set(&f.labels, 50);
	ctnl_labels_set(&f.labels, 5);
	check_opts(&f, &opts, want);
	memset(&f.labels, 0, sizeof(f.labels));
	ctnl_labels_set(&f.labels, 127);
	snprintf(want, sizeof(want), "%s labels", plain);
	check_opts(&f, &opts, want);
	/* No labels attribute, no field. */
	f.attrs &= ~CTNL_ATTR_LABELS;
	check_opts(&f, &opts, plain);
}

/* -o extended,id: "ipv4     2 udplite  136 99 ... use=1 id=33871636". */
static void test_format_extended_and_id(void **state)
{
	struct ctnl_format_opts opts = {
		.size = sizeof(opts),
		.flags = CTNL_FORMAT_EXTENDED | CTNL_FORMAT_ID,
	};
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDPLITE,
				     9, 9, 0, 33871636);
	struct ctnl_flow f6 = flow_of("fd00::1", "fd00::2", IPPROTO_ICMPV6, 0,
				      0, 0, 2087624099);

	(void)state;
	f.attrs |= CTNL_ATTR_USE;
	f.timeout = 99;
	f.use = 1;
	check_opts(&f, &opts,
		   "ipv4     2 udplite  136 99 src=10.0.0.1 dst=10.0.0.2 sport=9 "
		   "dport=9 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=9 "
		   "dport=9 mark=0 use=1 id=33871636");
	f6.attrs |= CTNL_ATTR_USE;
	f6.timeout = 28;
	f6.use = 1;
	f6.orig.icmp.type = 128;
	f6.reply.icmp.type = 129;
	f6.orig.icmp.id = f6.reply.icmp.id = 78;
	check_opts(&f6, &opts,
		   "ipv6     10 icmpv6   58 28 src=fd00::1 dst=fd00::2 type=128 "
		   "code=0 id=78 [UNREPLIED] src=fd00::2 dst=fd00::1 type=129 "
		   "code=0 id=78 mark=0 use=1 id=2087624099");
}

/* Events as `conntrack -E` prints them: the type right-aligned in nine
 * columns, and only what the event carried. */
static void test_format_events(void **state)
{
	struct ctnl_format_opts opts = { .size = sizeof(opts),
					 .event = CTNL_EVENT_NEW };
	struct ctnl_flow f = flow_of("127.0.0.1", "127.0.0.1", IPPROTO_ICMP, 0,
				     0, 0, 1);

	(void)state;
	f.attrs &= ~CTNL_ATTR_MARK;
	f.timeout = 30;
	f.orig.icmp.type = 8;
	f.orig.icmp.id = f.reply.icmp.id = 7254;
	check_opts(&f, &opts,
		   "    [NEW] icmp     1 30 src=127.0.0.1 dst=127.0.0.1 type=8 "
		   "code=0 id=7254 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 "
		   "type=0 code=0 id=7254");
	opts.event = CTNL_EVENT_UPDATE;
	f.status |= CTNL_STATUS_SEEN_REPLY;
	check_opts(&f, &opts,
		   " [UPDATE] icmp     1 30 src=127.0.0.1 dst=127.0.0.1 type=8 "
		   "code=0 id=7254 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 "
		   "id=7254");
	opts.event = CTNL_EVENT_DESTROY;
	f.attrs &= ~(CTNL_ATTR_TIMEOUT | CTNL_ATTR_STATUS);
	check_opts(&f, &opts,
		   "[DESTROY] icmp     1 src=127.0.0.1 dst=127.0.0.1 type=8 "
		   "code=0 id=7254 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 "
		   "id=7254");
}

/* One of [HW_OFFLOAD], [OFFLOAD], [ASSURED], in that order of precedence
 * (libnetfilter_conntrack's rule; no flowtable on the test kernel to see
 * it happen). */
static void test_format_offload_flags_exclude_assured(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	char buf[512];

	(void)state;
	f.status |= CTNL_STATUS_SEEN_REPLY | CTNL_STATUS_ASSURED |
		    CTNL_STATUS_OFFLOAD;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, " [OFFLOAD] mark=0"));
	assert_null(strstr(buf, "ASSURED"));
	f.status |= CTNL_STATUS_HW_OFFLOAD;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, " [HW_OFFLOAD] mark=0"));
	assert_null(strstr(buf, "[OFFLOAD]"));
}

/* States beyond conntrack's tables print as NONE; DCCP has its own names
 * (no DCCP tracking on the test kernel). */
static void test_format_states(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	char buf[512];

	(void)state;
	f.attrs |= CTNL_ATTR_TCP_STATE;
	f.tcp.state = CTNL_TCP_SYN_SENT2;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, "tcp      6 100 SYN_SENT2 src="));
	f.tcp.state = 200;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, "tcp      6 100 NONE src="));

	f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_SCTP, 1, 2, 0, 1);
	f.attrs |= CTNL_ATTR_SCTP_STATE;
	f.sctp.state = SCTP_CONNTRACK_HEARTBEAT_SENT;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, "sctp     132 100 HEARTBEAT_SENT src="));

	f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_DCCP, 1, 2, 0, 1);
	f.attrs |= CTNL_ATTR_DCCP_STATE;
	f.dccp.state = 4;
	ctnl_flow_format(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, "dccp     33 100 OPEN src=10.0.0.1 "
				    "dst=10.0.0.2 sport=1 dport=2 "));
}

/* A protocol conntrack has no name for: "unknown", and no layer-4
 * fields. */
static void test_format_unknown_protocol(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", 253, 0, 0, 0, 1);

	(void)state;
	f.attrs |= CTNL_ATTR_USE;
	f.use = 1;
	check(&f, "unknown  253 100 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] "
		  "src=10.0.0.2 dst=10.0.0.1 mark=0 use=1");
}

/* The directional zone of the reply: "... sport=7 dport=5 zone-reply=4
 * packets=0 bytes=0 mark=0 ...". */
static void test_format_reply_zone(void **state)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5, 7,
				     0, 1);

	(void)state;
	f.attrs |= CTNL_ATTR_USE | CTNL_ATTR_COUNTERS_ORIG |
		   CTNL_ATTR_COUNTERS_REPLY;
	f.timeout = 99;
	f.use = 1;
	f.reply.zone = 4;
	check(&f, "udp      17 99 src=10.0.0.1 dst=10.0.0.2 sport=5 dport=7 "
		  "packets=0 bytes=0 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 "
		  "sport=7 dport=5 zone-reply=4 packets=0 bytes=0 mark=0 use=1");
}

/* Options from an older header are shorter: the fields it lacks take
 * their defaults. From a newer one, unknown fields must be zero. */
static void test_format_opts_sizes(void **state)
{
	struct {
		struct ctnl_format_opts opts;
		uint64_t future;
	} newer = { .opts = { .size = sizeof(newer) } };
	struct ctnl_format_opts older = {
		.size = offsetof(struct ctnl_format_opts, flags) +
			sizeof(older.flags),
		.flags = CTNL_FORMAT_ID,
		.event = CTNL_EVENT_NEW,	/* beyond its size: unseen */
	};
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2,
				     0, 5);
	char buf[512];

	(void)state;
	assert_true(ctnl_flow_format_opts(&f, &newer.opts, buf, sizeof(buf)) >
		    0);
	newer.future = 1;
	assert_int_equal(ctnl_flow_format_opts(&f, &newer.opts, buf,
					       sizeof(buf)), -EINVAL);
	assert_int_equal(ctnl_expect_format_opts(&(struct ctnl_expect){ 0 },
						 &newer.opts, buf, sizeof(buf)),
			 -EINVAL);
	ctnl_flow_format_opts(&f, &older, buf, sizeof(buf));
	assert_true(strncmp(buf, "udp ", 4) == 0);
	assert_non_null(strstr(buf, " id=5"));
}

/*
 * An FTP expectation, as `conntrack -L expect` printed it:
 * "299 proto=6 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=51210
 * mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535
 * master-src=127.0.0.1 master-dst=127.0.0.1 sport=48216 dport=21 class=0
 * helper=ftp".
 */
static struct ctnl_expect ftp_expect(void)
{
	struct ctnl_expect e = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT |
			 CTNL_EXP_ATTR_ID | CTNL_EXP_ATTR_HELPER |
			 CTNL_EXP_ATTR_FLAGS | CTNL_EXP_ATTR_CLASS,
		.timeout = 299,
		.id = 3431381110u,
	};

	e.tuple = tuple_of("127.0.0.1", "127.0.0.1", IPPROTO_TCP, 0, 51210);
	e.mask = tuple_of("255.255.255.255", "255.255.255.255", IPPROTO_TCP, 0,
			  65535);
	e.master = tuple_of("127.0.0.1", "127.0.0.1", IPPROTO_TCP, 48216, 21);
	strcpy(e.helper, "ftp");
	return e;
}

static void check_expect(const struct ctnl_expect *e, const char *expected)
{
	char buf[1024];
	int len = ctnl_expect_format(e, buf, sizeof(buf));

	assert_string_equal(buf, expected);
	assert_int_equal(len, strlen(expected));
}

#define FTP_EXP_TUPLES                                                       \
	"proto=6 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=51210 "           \
	"mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 "         \
	"dport=65535 master-src=127.0.0.1 master-dst=127.0.0.1 sport=48216 " \
	"dport=21"

static void test_format_expectation(void **state)
{
	struct ctnl_expect e = ftp_expect();
	struct ctnl_format_opts opts = { .size = sizeof(opts),
					 .event = CTNL_EVENT_EXP_NEW };
	char buf[1024];

	(void)state;
	check_expect(&e, "299 " FTP_EXP_TUPLES " class=0 helper=ftp");
	ctnl_expect_format_opts(&e, &opts, buf, sizeof(buf));
	assert_string_equal(buf, "    [NEW] 299 " FTP_EXP_TUPLES
				 " class=0 helper=ftp");

	/* Flags, comma-separated, then a space; zone before them. */
	e.attrs |= CTNL_EXP_ATTR_ZONE;
	e.zone = 9;
	e.flags = NF_CT_EXPECT_PERMANENT | NF_CT_EXPECT_USERSPACE;
	check_expect(&e, "299 " FTP_EXP_TUPLES
			 " zone=9 PERMANENT,USERSPACE class=0 helper=ftp");
	e.flags = NF_CT_EXPECT_INACTIVE;
	check_expect(&e, "299 " FTP_EXP_TUPLES
			 " zone=9 INACTIVE class=0 helper=ftp");
	/* A bit no name is known for: no name, but the space all the same. */
	e.flags = 0x10;
	check_expect(&e, "299 " FTP_EXP_TUPLES
			 " zone=9  class=0 helper=ftp");
	e.flags = NF_CT_EXPECT_INACTIVE;

	/* Without a helper, the last space goes. */
	e.attrs &= ~(CTNL_EXP_ATTR_HELPER | CTNL_EXP_ATTR_CLASS |
		     CTNL_EXP_ATTR_TIMEOUT);
	check_expect(&e, FTP_EXP_TUPLES " zone=9 INACTIVE");
	assert_int_equal(ctnl_expect_format(NULL, buf, sizeof(buf)), -EINVAL);
}

/* ctnl_addr_to_text() against glibc's inet_ntop(): every pattern of zero
 * and non-zero groups, with values of every width, the IPv4-compatible and
 * -mapped forms and their near misses, and IPv4. */
static void check_ntop(uint8_t family, const union ctnl_addr *a)
{
	char want[64], got[CTNL_ADDR_TEXT_MAX];

	assert_non_null(inet_ntop(family, a, want, sizeof(want)));
	assert_int_equal(ctnl_addr_to_text(family, a, got, sizeof(got)),
			 (int)strlen(want));
	assert_string_equal(got, want);
}

static void test_addr_text_as_inet_ntop(void **state)
{
	static const uint16_t values[] = { 1, 0xa, 0xab, 0xabc, 0xabcd,
					   0xffff, 0x100 };
	static const uint8_t tails[][16] = {
		{ [15] = 1 },
		{ [12] = 1, [13] = 2, [14] = 3, [15] = 4 },
		{ [10] = 0xff, [11] = 0xff, [12] = 10, [15] = 1 },
		{ [10] = 0xff, [11] = 0xfe, [12] = 10, [15] = 1 },
		{ [9] = 1, [10] = 0xff, [11] = 0xff, [12] = 10, [15] = 1 },
		{ [11] = 1, [12] = 10, [15] = 1 },
		{ 0 },
	};
	union ctnl_addr a;
	char cut[8], exact[12];

	(void)state;
	for (unsigned int zeros = 0; zeros < 256; zeros++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]);
		     v++) {
			memset(&a, 0, sizeof(a));
			for (int g = 0; g < 8; g++) {
				uint16_t x = (zeros >> g) & 1
						     ? 0
						     : values[(v + (size_t)g) %
							      7];

				a.u8[2 * g] = (uint8_t)(x >> 8);
				a.u8[2 * g + 1] = (uint8_t)x;
			}
			check_ntop(AF_INET6, &a);
		}
	}
	for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
		memcpy(&a, tails[t], 16);
		check_ntop(AF_INET6, &a);
	}
	for (unsigned int b = 0; b < 256; b += 51) {
		memset(&a, 0, sizeof(a));
		a.u8[0] = (uint8_t)b;
		a.u8[1] = 7;
		a.u8[2] = (uint8_t)(255 - b);
		a.u8[3] = 10;
		check_ntop(AF_INET, &a);
	}
	/* Cut short, like snprintf(); nothing without room. */
	inet_pton(AF_INET6, "fd00::1234", &a);
	assert_int_equal(ctnl_addr_to_text(AF_INET6, &a, cut, sizeof(cut)),
			 10);
	assert_string_equal(cut, "fd00::1");
	assert_int_equal(ctnl_addr_to_text(AF_INET6, &a, NULL, 0), 10);
	/* Room for the text but not its NUL: cut by one, nothing written
	 * past the buffer; one byte more: whole. */
	memset(exact, 'x', sizeof(exact));
	assert_int_equal(ctnl_addr_to_text(AF_INET6, &a, exact, 10), 10);
	assert_string_equal(exact, "fd00::123");
	assert_int_equal(exact[10], 'x');
	assert_int_equal(ctnl_addr_to_text(AF_INET6, &a, exact, 11), 10);
	assert_string_equal(exact, "fd00::1234");
}

/* The edge cases by name: each must be inet_ntop()'s text, and that text
 * is written out too, so a change in glibc shows as well as one in ours. */
static void check_text(uint8_t family, const char *text, const char *want)
{
	union ctnl_addr a;
	char got[CTNL_ADDR_TEXT_MAX], ntop[64];

	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(family, text, &a), 1);
	assert_non_null(inet_ntop(family, &a, ntop, sizeof(ntop)));
	assert_string_equal(ntop, want);
	assert_int_equal(ctnl_addr_to_text(family, &a, got, sizeof(got)),
			 (int)strlen(want));
	assert_string_equal(got, want);
}

static void test_addr_text_edge_cases(void **state)
{
	(void)state;
	check_text(AF_INET, "0.0.0.0", "0.0.0.0");
	check_text(AF_INET, "255.255.255.255", "255.255.255.255");
	check_text(AF_INET, "10.0.100.9", "10.0.100.9");
	check_text(AF_INET6, "::", "::");
	check_text(AF_INET6, "::1", "::1");
	check_text(AF_INET6, "1::", "1::");
	check_text(AF_INET6, "1:0:0:0:0:0:0:0", "1::");
	check_text(AF_INET6, "0:0:0:0:0:0:0:1", "::1");
	/* Two runs of equal length: the first is compressed. */
	check_text(AF_INET6, "1:0:0:2:3:0:0:4", "1::2:3:0:0:4");
	check_text(AF_INET6, "0:0:1:2:3:4:0:0", "::1:2:3:4:0:0");
	check_text(AF_INET6, "1:0:0:0:2:0:0:0", "1::2:0:0:0");
	/* A longer later run wins over an earlier one. */
	check_text(AF_INET6, "1:0:0:2:0:0:0:3", "1:0:0:2::3");
	/* A single zero group is never compressed. */
	check_text(AF_INET6, "1:2:3:4:5:6:0:8", "1:2:3:4:5:6:0:8");
	check_text(AF_INET6, "0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7");
	check_text(AF_INET6, "1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0");
	check_text(AF_INET6, "1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0");
	/* IPv4-mapped and -compatible: the last 32 bits dotted. */
	check_text(AF_INET6, "::ffff:10.1.2.3", "::ffff:10.1.2.3");
	check_text(AF_INET6, "::ffff:0.0.0.0", "::ffff:0.0.0.0");
	check_text(AF_INET6, "::1.2.3.4", "::1.2.3.4");
	check_text(AF_INET6, "::255.255.255.255", "::255.255.255.255");
	/* glibc dots only what fits its test: ::0.0.1.0 has seven zero
	 * groups, ::ffff:0:a.b.c.d and ::fffe:a.b.c.d are plain hex. */
	check_text(AF_INET6, "::0.0.1.0", "::100");
	check_text(AF_INET6, "::0.0.0.1", "::1");
	check_text(AF_INET6, "::ffff:0:1.2.3.4", "::ffff:0:102:304");
	check_text(AF_INET6, "::fffe:1.2.3.4", "::fffe:102:304");
	check_text(AF_INET6, "1::ffff:1.2.3.4", "1::ffff:102:304");
	check_text(AF_INET6, "64:ff9b::1.2.3.4", "64:ff9b::102:304");
	/* Upper case in, lower case out; leading zeros dropped. */
	check_text(AF_INET6, "2001:DB8::0ABC", "2001:db8::abc");
	/* The longest texts. */
	check_text(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	check_text(AF_INET6, "1111:2222:3333:4444:5555:6666:7777:8888",
		   "1111:2222:3333:4444:5555:6666:7777:8888");
	check_text(AF_INET6, "::ffff:255.255.255.255",
		   "::ffff:255.255.255.255");
}

/* A few thousand pseudo-random addresses, most with runs of zero groups
 * (each group zero with probability 1/2, so every run length shows), the
 * rest IPv4-mapped or -compatible, each checked against inet_ntop(). The
 * generator is fixed (an xorshift) so a failure can be replayed. */
static uint32_t xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_addr_text_random(void **state)
{
	uint32_t seed = 0x13c7f00d;
	union ctnl_addr a;

	(void)state;
	for (int n = 0; n < 5000; n++) {
		uint32_t r = xorshift32(&seed);

		memset(&a, 0, sizeof(a));
		for (int g = 0; g < 8; g++) {
			uint32_t v = xorshift32(&seed);
			/* Widths of 1 to 4 hex digits, or zero. */
			uint16_t x = (r >> g) & 1
					     ? 0
					     : (uint16_t)((v >> 16) >>
							  (4 * (v & 3)));

			a.u8[2 * g] = (uint8_t)(x >> 8);
			a.u8[2 * g + 1] = (uint8_t)x;
		}
		if ((r >> 8) % 8 == 0) {
			memset(&a, 0, 10);
			a.u8[10] = a.u8[11] = (r >> 11) & 1 ? 0xff : 0;
		}
		check_ntop(AF_INET6, &a);
		check_ntop(AF_INET, &a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_text_as_inet_ntop),
		cmocka_unit_test(test_addr_text_edge_cases),
		cmocka_unit_test(test_addr_text_random),
		cmocka_unit_test(test_format_tcp_with_counters_assured_mark),
		cmocka_unit_test(test_format_unreplied_icmp),
		cmocka_unit_test(test_format_ipv6_zone_and_directional_zone),
		cmocka_unit_test(test_format_sctp_state),
		cmocka_unit_test(test_format_truncates_like_snprintf),
		cmocka_unit_test(test_format_gre_keys_and_delta_time),
		cmocka_unit_test(test_format_delta_time_of_a_stopped_entry),
		cmocka_unit_test(test_format_delta_time_needs_a_time),
		cmocka_unit_test(test_format_timestamps_in_local_time),
		cmocka_unit_test(test_format_helper_before_use),
		cmocka_unit_test(test_format_labels_by_name),
		cmocka_unit_test(test_format_extended_and_id),
		cmocka_unit_test(test_format_events),
		cmocka_unit_test(test_format_offload_flags_exclude_assured),
		cmocka_unit_test(test_format_states),
		cmocka_unit_test(test_format_unknown_protocol),
		cmocka_unit_test(test_format_reply_zone),
		cmocka_unit_test(test_format_opts_sizes),
		cmocka_unit_test(test_format_expectation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
