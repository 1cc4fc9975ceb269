/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole Conntrack interface against the real kernel, in a private
 * network namespace, with `conntrack` (conntrack-tools) as the witness:
 * get, create, update, delete (by tuple, by id, and every entry matching a
 * filter, through the kernel's filtered flush and through a dump with
 * batched deletes, compared), batches with per-item results, statistics,
 * handles on other namespaces (by name, path and descriptor), expectations
 * made by real FTP traffic through the kernel's helper and by libctnl, and
 * dumps of a large table under churn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>

#include "netns.h"
#include "peer.h"

#define CONNLABELS "1 one\n3 three\n100 hundred\n127 top\n"
#define TIMEOUT 600
#define FTP_PORT 21

/* ---- Helpers ---- */

static int count_lines(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The number of lines a shell command prints. */
static int count_lines(const char *fmt, ...)
{
	char cmd[1024], out[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(test_capture(out, sizeof(out), "%s | wc -l", cmd), 0);
	return atoi(out);
}

/* Every entry conntrack shows, as "proto orig-tuple zone mark", sorted:
 * what two ways of doing the same thing must leave behind alike. */
static void witness_set(char *buf, size_t size)
{
	test_capture(buf, size,
		     "conntrack -L 2>/dev/null | awk '{ t = \"\"; m = \"\"; "
		     "for (i = 1; i <= NF; i++) { "
		     "if (t == \"\" && $i ~ /^src=/) "
		     "t = $i \" \" $(i+1) \" \" $(i+2) \" \" $(i+3); "
		     "if ($i ~ /^(mark|zone)=/) m = m \" \" $i } "
		     "print $1, t, m }' | sort");
}

static struct ctnl_tuple tuple(const char *src, const char *dst,
			       uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct ctnl_tuple t;

	assert_int_equal(ctnl_tuple_from_text(&t, src, dst, proto, sport,
					      dport), 0);
	return t;
}

static struct ctnl_flow new_flow(const char *src, const char *dst,
				 uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct ctnl_flow f = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
		.orig = tuple(src, dst, proto, sport, dport),
		.timeout = TIMEOUT,
	};

	return f;
}

static struct ctnl_flow key_of(const struct ctnl_tuple *t)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = *t };

	return key;
}

static void create_all(struct ctnl_ct *ct, const struct ctnl_flow *flows,
		       size_t n)
{
	int *results = calloc(n, sizeof(*results));

	assert_non_null(results);
	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, n, NULL, 0,
				       results), (int)n);
	free(results);
}

/*
 * The table the filter tests work on, 19 entries:
 *  8 UDP  10.1.0.i:1000+i -> 10.2.0.1:53, mark i % 4
 *  4 TCP  10.1.0.i:2000+i -> 10.2.0.2:80 ESTABLISHED, mark 0x10 | i % 2,
 *         ASSURED when i is even
 *  4 UDP  fd01::i:3000+i -> fd02::1:53, mark i % 4
 *  3 UDP  10.1.1.i:4000+i -> 10.2.0.1:53 in zone 7, mark 1
 */
#define POPULATION 19

static void populate(struct ctnl_ct *ct)
{
	struct ctnl_flow flows[POPULATION];
	char src[64];
	size_t n = 0;

	for (int i = 1; i <= 8; i++, n++) {
		snprintf(src, sizeof(src), "10.1.0.%d", i);
		flows[n] = new_flow(src, "10.2.0.1", IPPROTO_UDP,
				    (uint16_t)(1000 + i), 53);
		flows[n].attrs |= CTNL_ATTR_MARK;
		flows[n].mark = (uint32_t)i % 4;
	}
	for (int i = 1; i <= 4; i++, n++) {
		snprintf(src, sizeof(src), "10.1.0.%d", i);
		flows[n] = new_flow(src, "10.2.0.2", IPPROTO_TCP,
				    (uint16_t)(2000 + i), 80);
		flows[n].attrs |= CTNL_ATTR_MARK | CTNL_ATTR_TCP_STATE |
				  CTNL_ATTR_STATUS;
		flows[n].mark = 0x10u | ((uint32_t)i % 2);
		flows[n].tcp.state = CTNL_TCP_ESTABLISHED;
		flows[n].status = i % 2 ? 0 : CTNL_STATUS_ASSURED |
						  CTNL_STATUS_SEEN_REPLY;
	}
	for (int i = 1; i <= 4; i++, n++) {
		snprintf(src, sizeof(src), "fd01::%d", i);
		flows[n] = new_flow(src, "fd02::1", IPPROTO_UDP,
				    (uint16_t)(3000 + i), 53);
		flows[n].attrs |= CTNL_ATTR_MARK;
		flows[n].mark = (uint32_t)i % 4;
	}
	for (int i = 1; i <= 3; i++, n++) {
		snprintf(src, sizeof(src), "10.1.1.%d", i);
		flows[n] = new_flow(src, "10.2.0.1", IPPROTO_UDP,
				    (uint16_t)(4000 + i), 53);
		flows[n].attrs |= CTNL_ATTR_MARK;
		flows[n].mark = 1;
		flows[n].orig.zone = 7;
	}
	assert_int_equal(n, POPULATION);
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	create_all(ct, flows, n);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), POPULATION);
}

static void addr(int family, const char *text, union ctnl_addr *out)
{
	assert_int_equal(inet_pton(family, text, out), 1);
}

static int setup(void **state)
{
	struct ctnl_ct *ct;

	test_deadline();
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	assert_int_equal(test_run("conntrack -F expect 2>/dev/null"), 0);
	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	*state = ct;
	return 0;
}

static int teardown(void **state)
{
	ctnl_ct_close(*state);
	return 0;
}

/* Fails with the witness's output in the log when @needle is not in it. */
static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("conntrack printed \"%s\", without \"%s\"", text,
			 needle);
}

/* The line conntrack prints for the entry whose text contains @key. */
static void witness_line(char *line, size_t size, const char *key)
{
	test_capture(line, size,
		     "conntrack -L -o id,labels 2>/dev/null | grep -F -- '%s'",
		     key);
}

static int64_t now_s(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec;
}

/*
 * The timeout conntrack shows in @line (its third field) for an entry
 * given @set seconds at @since (now_s()): @set, less the seconds that
 * have passed since, as measured, not as guessed (a loaded machine can
 * take seconds to start conntrack), and one for the second under way.
 */
static void assert_timeout_since(const char *line, unsigned int set,
				 int64_t since)
{
	unsigned int shown = 0;
	int64_t passed = now_s() - since + 1;

	assert_int_equal(sscanf(line, "%*s %*u %u", &shown), 1);
	assert_true(shown <= set);
	assert_true((int64_t)shown >= (int64_t)set - passed);
}

/* ---- get ---- */

static void test_get_by_either_tuple(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_flow f = new_flow("10.7.0.1", "10.7.0.2", IPPROTO_UDP, 5,
				      6);
	struct ctnl_flow key = key_of(&f.orig), got, got2;
	char line[512], id[32];

	f.attrs |= CTNL_ATTR_MARK;
	f.mark = 77;
	assert_int_equal(ctnl_ct_create(ct, &f), 0);
	assert_int_equal(ctnl_ct_get(ct, &key, &got), 0);
	assert_int_equal(got.mark, 77);
	assert_true(got.attrs & CTNL_ATTR_ID);
	witness_line(line, sizeof(line), "src=10.7.0.1 dst=10.7.0.2");
	snprintf(id, sizeof(id), "id=%u", got.id);
	assert_contains(line, id);

	/* By the reply tuple: the same entry. */
	key = (struct ctnl_flow){ .attrs = CTNL_ATTR_REPLY,
				  .reply = tuple("10.7.0.2", "10.7.0.1",
						 IPPROTO_UDP, 6, 5) };
	assert_int_equal(ctnl_ct_get(ct, &key, &got2), 0);
	assert_int_equal(got2.id, got.id);

	key.reply.port.dst = 9;
	assert_int_equal(ctnl_ct_get(ct, &key, &got2), -ENOENT);
	/* An id that is not the entry's names no entry (the kernel ignores
	 * CTA_ID on a get; libctnl checks it). */
	key = key_of(&f.orig);
	key.attrs |= CTNL_ATTR_ID;
	key.id = got.id + 1;
	assert_int_equal(ctnl_ct_get(ct, &key, &got2), -ENOENT);
	key.id = got.id;
	assert_int_equal(ctnl_ct_get(ct, &key, &got2), 0);
}

/* ---- create ---- */

/* Everything a create can say, and conntrack shows each of it. */
static void test_create_with_everything(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_flow f = new_flow("10.3.0.1", "10.3.0.2", IPPROTO_TCP,
				      1000, 80), got;
	char line[512];
	int64_t since;

	/* A reply tuple that is not the inverse: as after DNAT. */
	f.attrs |= CTNL_ATTR_REPLY | CTNL_ATTR_MARK | CTNL_ATTR_LABELS |
		   CTNL_ATTR_STATUS | CTNL_ATTR_TCP_STATE;
	f.reply = tuple("10.3.0.9", "10.3.0.1", IPPROTO_TCP, 8080, 1000);
	f.orig.zone = f.reply.zone = 9;
	f.mark = 5;
	ctnl_labels_set(&f.labels, 1);
	ctnl_labels_set(&f.labels, 100);
	f.status = CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY;
	f.tcp.state = CTNL_TCP_ESTABLISHED;
	f.timeout = 1234;
	since = now_s();
	assert_int_equal(ctnl_ct_create(ct, &f), 0);

	witness_line(line, sizeof(line), "src=10.3.0.1 dst=10.3.0.2");
	assert_contains(line, "ESTABLISHED");
	assert_contains(line, "src=10.3.0.9 dst=10.3.0.1 sport=8080 dport=1000");
	assert_contains(line, "[ASSURED]");
	assert_contains(line, "mark=5 ");
	assert_contains(line, "zone=9 ");
	assert_contains(line, "labels=one,hundred");
	assert_timeout_since(line, 1234, since);

	/* Read back: the same entry, in its zone. */
	assert_int_equal(ctnl_ct_get(ct, &(struct ctnl_flow){
					 .attrs = CTNL_ATTR_ORIG,
					 .orig = f.orig }, &got), 0);
	assert_int_equal(got.orig.zone, 9);
	assert_int_equal(got.tcp.state, CTNL_TCP_ESTABLISHED);
	assert_true(ctnl_labels_test(&got.labels, 100));

	assert_int_equal(ctnl_ct_create(ct, &f), -EEXIST);
	/* The same tuple in another zone is another entry. */
	f.orig.zone = f.reply.zone = 0;
	assert_int_equal(ctnl_ct_create(ct, &f), 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 2);
}

/* ---- update ---- */

static void test_update_by_tuple_each_field(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_flow f = new_flow("fd03::1", "fd03::2", IPPROTO_TCP, 7, 22);
	struct ctnl_flow by_reply = { .attrs = CTNL_ATTR_REPLY,
				      .reply = tuple("fd03::2", "fd03::1",
						     IPPROTO_TCP, 22, 7) };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 11 };
	int64_t since;
	char line[512];

	f.attrs |= CTNL_ATTR_TCP_STATE | CTNL_ATTR_LABELS;
	f.tcp.state = CTNL_TCP_ESTABLISHED;
	ctnl_labels_set(&f.labels, 1);
	ctnl_labels_set(&f.labels, 3);
	assert_int_equal(ctnl_ct_create(ct, &f), 0);

	assert_int_equal(ctnl_ct_update(ct, &(struct ctnl_flow){
						    .attrs = CTNL_ATTR_ORIG,
						    .orig = f.orig },
					&change), 0);
	witness_line(line, sizeof(line), "src=fd03::1 dst=fd03::2");
	assert_contains(line, "mark=11 ");

	/* Labels under a mask: clear 1, set 127, leave 3 alone; by the
	 * reply tuple this time. */
	change = (struct ctnl_change){ .attrs = CTNL_ATTR_LABELS };
	ctnl_labels_set(&change.labels, 127);
	ctnl_labels_set(&change.labels_mask, 127);
	ctnl_labels_set(&change.labels_mask, 1);
	assert_int_equal(ctnl_ct_update(ct, &by_reply, &change), 0);
	witness_line(line, sizeof(line), "src=fd03::1 dst=fd03::2");
	assert_contains(line, "labels=three,top");

	change = (struct ctnl_change){ .attrs = CTNL_ATTR_TIMEOUT |
						CTNL_ATTR_STATUS,
				       .timeout = 4321,
				       .status = CTNL_STATUS_ASSURED |
						 CTNL_STATUS_SEEN_REPLY };
	since = now_s();
	assert_int_equal(ctnl_ct_update(ct, &by_reply, &change), 0);
	witness_line(line, sizeof(line), "src=fd03::1 dst=fd03::2");
	assert_timeout_since(line, 4321, since);
	assert_contains(line, "[ASSURED]");

	by_reply.reply.port.src = 23;
	assert_int_equal(ctnl_ct_update(ct, &by_reply, &change), -ENOENT);
}

/* ---- delete ---- */

static void test_delete_by_tuple_and_by_id(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_flow a = new_flow("10.8.0.1", "10.8.0.2", IPPROTO_UDP, 1, 2);
	struct ctnl_flow b = new_flow("10.8.0.1", "10.8.0.2", IPPROTO_UDP, 3, 4);
	struct ctnl_flow key, got;

	assert_int_equal(ctnl_ct_create(ct, &a), 0);
	assert_int_equal(ctnl_ct_create(ct, &b), 0);
	key = key_of(&a.orig);
	assert_int_equal(ctnl_ct_delete(ct, &key), 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 1);
	assert_int_equal(ctnl_ct_delete(ct, &key), -ENOENT);

	/* By id: a wrong one deletes nothing. */
	key = key_of(&b.orig);
	assert_int_equal(ctnl_ct_get(ct, &key, &got), 0);
	key.attrs |= CTNL_ATTR_ID;
	key.id = got.id ^ 1;
	assert_int_equal(ctnl_ct_delete(ct, &key), -ENOENT);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 1);
	key.id = got.id;
	assert_int_equal(ctnl_ct_delete(ct, &key), 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 0);
}

/* ---- batches ---- */

static void test_batch_results_per_item(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_flow flows[3] = {
		new_flow("10.9.0.1", "10.9.0.2", IPPROTO_UDP, 1, 53),
		new_flow("10.9.0.1", "10.9.0.2", IPPROTO_UDP, 2, 53),
		new_flow("10.9.0.1", "10.9.0.2", IPPROTO_UDP, 3, 53),
	};
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 3 };
	int results[3];

	assert_int_equal(ctnl_ct_create(ct, &flows[1]), 0);
	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, 3, NULL, 0,
				       results), 2);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -EEXIST);
	assert_int_equal(results[2], 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 3);

	assert_int_equal(test_run("conntrack -D -p udp --sport 2 2>/dev/null"),
			 0);
	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_UPDATE, flows, 3, &change,
				       1, results), 2);
	assert_int_equal(results[1], -ENOENT);
	assert_int_equal(count_lines("conntrack -L -m 3 2>/dev/null"), 2);

	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_DELETE, flows, 3, NULL, 0,
				       results), 2);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -ENOENT);
	assert_int_equal(results[2], 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 0);
}

/* ---- delete_matching, update_matching ---- */

struct filter_case {
	const char *name;
	struct ctnl_filter filter;
	int expected;		/* entries of the population it selects */
	bool flushable;		/* the kernel can apply all of it */
};

static void filter_cases(struct filter_case *c, size_t *n)
{
	size_t i = 0;

	c[i++] = (struct filter_case){
		"mark under a mask, IPv4",
		{ .family = AF_INET, .match = CTNL_MATCH_MARK, .mark = 1,
		  .mark_mask = 0x3 }, 7, true };
	c[i++] = (struct filter_case){
		"mark, both families",
		{ .match = CTNL_MATCH_MARK, .mark = 0x10, .mark_mask = 0xf0 },
		4, true };
	c[i++] = (struct filter_case){
		"status",
		{ .match = CTNL_MATCH_STATUS, .status = CTNL_STATUS_ASSURED,
		  .status_mask = CTNL_STATUS_ASSURED }, 2, true };
	c[i++] = (struct filter_case){
		"zone", { .match = CTNL_MATCH_ZONE, .zone = 7 }, 3, true };
	c[i] = (struct filter_case){
		"original tuple: destination, protocol, port",
		{ .family = AF_INET,
		  .match = CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DST |
			   CTNL_MATCH_ORIG_DPORT,
		  .proto = IPPROTO_UDP, .orig_dport = 53 }, 11, true };
	addr(AF_INET, "10.2.0.1", &c[i++].filter.orig_dst);
	/* The kernel compares IPv6 addresses inverted: user space. */
	c[i] = (struct filter_case){
		"reply tuple, IPv6",
		{ .family = AF_INET6, .match = CTNL_MATCH_REPLY_SRC }, 4,
		false };
	addr(AF_INET6, "fd02::1", &c[i++].filter.reply_src);
	c[i] = (struct filter_case){
		"a prefix: user space",
		{ .family = AF_INET, .match = CTNL_MATCH_ORIG_SRC,
		  .orig_src_len = 24 }, 12, false };
	addr(AF_INET, "10.1.0.0", &c[i++].filter.orig_src);
	c[i++] = (struct filter_case){
		"TCP state: user space",
		{ .match = CTNL_MATCH_TCP_STATE,
		  .tcp_state = CTNL_TCP_ESTABLISHED }, 4, false };
	c[i++] = (struct filter_case){
		"zone 0: user space",
		{ .match = CTNL_MATCH_ZONE, .zone = 0 }, 16, false };
	c[i++] = (struct filter_case){ "everything", { 0 }, POPULATION, true };
	*n = i;
}

/* Deletes what @f selects from a fresh population, where conntrack must
 * then show @expected entries fewer; returns the call's result, and what
 * conntrack shows left in @left. */
static int delete_way(struct ctnl_ct *ct, const struct ctnl_filter *f,
		      int expected, struct ctnl_dump_info *info, char *left,
		      size_t size)
{
	int ret;

	populate(ct);
	ret = ctnl_ct_delete_matching(ct, f, info);
	witness_set(left, size);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"),
			 POPULATION - expected);
	return ret;
}

/*
 * Each filter three ways: uncounted (one filtered flush where the kernel
 * can apply everything, CTNL_FILTER_UNCOUNTED), the default (entry by
 * entry after a kernel-filtered dump, counted), and entry by entry after
 * an unfiltered dump filtered here (CTNL_FILTER_USERSPACE). Same entries
 * left; the same count where one is given.
 */
static void test_delete_matching_three_ways_agree(void **state)
{
	struct ctnl_ct *ct = *state;
	struct filter_case cases[16];
	static char left[3][8192];
	size_t n;

	filter_cases(cases, &n);
	for (size_t i = 0; i < n; i++) {
		struct ctnl_filter f = cases[i].filter;
		struct ctnl_dump_info info[3];
		int ret[3];

		print_message("delete_matching: %s\n", cases[i].name);
		f.flags = CTNL_FILTER_UNCOUNTED;
		ret[0] = delete_way(ct, &f, cases[i].expected, &info[0],
				    left[0], sizeof(left[0]));
		f.flags = 0;
		ret[1] = delete_way(ct, &f, cases[i].expected, &info[1],
				    left[1], sizeof(left[1]));
		f.flags = CTNL_FILTER_USERSPACE;
		ret[2] = delete_way(ct, &f, cases[i].expected, &info[2],
				    left[2], sizeof(left[2]));

		assert_int_equal(ret[0],
				 cases[i].flushable ? 0 : cases[i].expected);
		assert_int_equal(ret[1], cases[i].expected);
		assert_int_equal(ret[2], cases[i].expected);
		assert_string_equal(left[0], left[1]);
		assert_string_equal(left[0], left[2]);

		assert_int_equal(info[0].kernel_flush, cases[i].flushable);
		if (cases[i].flushable) {
			assert_int_equal(info[0].kernel, f.match);
			assert_int_equal(info[0].user, 0);
		}
		assert_false(info[1].kernel_flush);
		assert_int_equal(info[1].kernel | info[1].user, f.match);
		assert_false(info[2].kernel_flush);
		assert_int_equal(info[2].kernel, 0);
		assert_int_equal(info[2].user, f.match);
		/* The family is the kernel's in every way. */
		assert_int_equal(info[2].received,
				 f.family == AF_INET ? POPULATION - 4 :
				 f.family == AF_INET6 ? 4 : POPULATION);
		assert_int_equal(info[2].matched, cases[i].expected);
	}
}

static void test_update_matching_both_ways(void **state)
{
	struct ctnl_ct *ct = *state;
	struct filter_case cases[16];
	size_t n;

	filter_cases(cases, &n);
	for (size_t i = 0; i < n; i++) {
		struct ctnl_change change = { .attrs = CTNL_ATTR_MARK,
					      .mark = 0x99 };
		struct ctnl_filter f = cases[i].filter;
		struct ctnl_dump_info info;

		print_message("update_matching: %s\n", cases[i].name);
		for (int way = 0; way < 2; way++) {
			f.flags = way ? CTNL_FILTER_USERSPACE : 0;
			populate(ct);
			assert_int_equal(ctnl_ct_update_matching(ct, &f,
								 &change,
								 &info),
					 cases[i].expected);
			assert_int_equal(count_lines("conntrack -L -m 0x99 "
						     "2>/dev/null"),
					 cases[i].expected);
			assert_false(info.kernel_flush);
			assert_int_equal(info.matched, cases[i].expected);
		}
	}
}

/* Labels under a mask, timeout and status, on the entries of a zone. */
static void test_update_matching_labels_timeout_status(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_filter f = { .match = CTNL_MATCH_ZONE, .zone = 7 };
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };

	populate(ct);
	ctnl_labels_set(&change.labels, 3);
	ctnl_labels_set(&change.labels_mask, 3);
	assert_int_equal(ctnl_ct_update_matching(ct, &f, &change, NULL), 3);
	assert_int_equal(count_lines("conntrack -L -o labels 2>/dev/null | "
				     "grep 'labels=three'"), 3);

	change = (struct ctnl_change){ .attrs = CTNL_ATTR_TIMEOUT |
						CTNL_ATTR_STATUS,
				       .timeout = 5000,
				       .status = CTNL_STATUS_ASSURED |
						 CTNL_STATUS_SEEN_REPLY };
	assert_int_equal(ctnl_ct_update_matching(ct, &f, &change, NULL), 3);
	/* Above the 600 s the others were made with, however long the
	 * witness took to start. */
	assert_int_equal(count_lines("conntrack -L -w 7 2>/dev/null | "
				     "grep ASSURED | awk '$3 > %d'", TIMEOUT),
			 3);

	/* Nothing matching: 0, and nothing changed. */
	f.zone = 8;
	assert_int_equal(ctnl_ct_update_matching(ct, &f, &change, NULL), 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null | grep ASSURED"),
			 3 + 2);
}

/* ---- statistics ---- */

static void test_stats_agree_with_conntrack(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_stats st;
	char out[64];

	populate(ct);
	assert_int_equal(ctnl_ct_stats(ct, CTNL_TABLE_CONNTRACK, &st), 0);
	assert_int_equal(st.count, POPULATION);
	assert_int_equal(st.count, count_lines("conntrack -L 2>/dev/null"));
	assert_int_equal(test_capture(out, sizeof(out),
				      "conntrack -C 2>/dev/null"), 0);
	assert_int_equal(st.count, atoi(out));
	assert_int_equal(test_capture(out, sizeof(out), "cat "
				      "/proc/sys/net/netfilter/nf_conntrack_max"),
			 0);
	assert_int_equal(st.max, strtoul(out, NULL, 10));

	assert_int_equal(ctnl_ct_stats(ct, CTNL_TABLE_EXPECT, &st), 0);
	assert_int_equal(test_capture(out, sizeof(out),
				      "conntrack -C expect 2>/dev/null"), 0);
	assert_int_equal(st.count, atoi(out));
	assert_int_equal(st.max, 0);
}

/*
 * Per-CPU counters, line by line as conntrack -S prints them. Nothing in
 * this namespace moves while both read (no traffic, no creates).
 */
static void test_stats_cpu_agree_with_conntrack(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_cpu_stats cpus[1024];
	static char out[65536];
	char line[512];
	int n;

	populate(ct);
	n = ctnl_ct_stats_cpu(ct, cpus, 1024);
	assert_true(n >= 1 && n <= 1024);
	assert_int_equal(test_capture(out, sizeof(out),
				      "{ conntrack -S; conntrack -S expect; } "
				      "2>/dev/null | tr -s ' \\t' ' '"), 0);
	assert_int_equal(count_lines("conntrack -S 2>/dev/null"), n);
	for (int i = 0; i < n; i++) {
		const struct ctnl_cpu_stats *c = &cpus[i];

		snprintf(line, sizeof(line),
			 "cpu=%u found=%u invalid=%u insert=%u "
			 "insert_failed=%u drop=%u early_drop=%u error=%u "
			 "search_restart=%u clash_resolve=%u chaintoolong=%u",
			 c->cpu, c->found, c->invalid, c->insert,
			 c->insert_failed, c->drop, c->early_drop, c->error,
			 c->search_restart, c->clash_resolve, c->chaintoolong);
		assert_contains(out, line);
		snprintf(line, sizeof(line),
			 "cpu=%u expect_new=%u expect_create=%u "
			 "expect_delete=%u", c->cpu, c->exp_new, c->exp_create,
			 c->exp_delete);
		assert_contains(out, line);
	}
	/* Our creates were counted somewhere. */
	{
		uint64_t inserts = 0;

		for (int i = 0; i < n; i++)
			inserts += cpus[i].insert;
		assert_true(inserts >= POPULATION);
	}
	/* Too small an array: the count, and what fits. */
	if (n > 1) {
		assert_int_equal(ctnl_ct_stats_cpu(ct, cpus, 1), n);
		assert_int_equal(cpus[0].cpu, 0);
	}
	assert_int_equal(ctnl_ct_stats_cpu(ct, NULL, 0), n);
}

/* ---- other network namespaces ---- */

static char netns_name[64];

/* The named namespace lives under the /run/netns that `ip netns add`
 * creates in this process's own /run (test_private_mounts()), so even a
 * crash leaves nothing behind; it is deleted at exit all the same. */
static void delete_named_netns(void)
{
	if (netns_name[0])
		test_run("ip netns del %s 2>/dev/null", netns_name);
	netns_name[0] = '\0';
}

static void thread_netns(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/thread-self/ns/net", buf, size - 1);

	assert_true(n > 0);
	buf[n] = '\0';
}

static void test_netns_by_name(void **state)
{
	struct ctnl_ct *here = *state, *there;
	struct ctnl_flow f = new_flow("10.10.0.1", "10.10.0.2", IPPROTO_UDP, 1,
				      2);
	struct ctnl_list list;
	char before[64], after[64];

	thread_netns(before, sizeof(before));
	assert_int_equal(test_run("ip netns exec %s conntrack -I -p tcp "
				  "-s 10.11.0.1 -d 10.11.0.2 --sport 1 "
				  "--dport 2 --state ESTABLISHED -t 600 "
				  "2>/dev/null", netns_name), 0);
	assert_int_equal(ctnl_ct_open_netns(NULL, netns_name, &there), 0);
	assert_int_equal(ctnl_ct_list(there, CTNL_TABLE_CONNTRACK, 0, &list),
			 1);
	assert_int_equal(list.flows[0].orig.proto, IPPROTO_TCP);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_ct_create(there, &f), 0);
	assert_int_equal(count_lines("ip netns exec %s conntrack -L "
				     "2>/dev/null", netns_name), 2);
	/* Nothing happened here, and the thread is still here. */
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 0);
	assert_int_equal(ctnl_ct_list(here, CTNL_TABLE_CONNTRACK, 0, &list), 0);
	ctnl_list_free(&list);
	thread_netns(after, sizeof(after));
	assert_string_equal(before, after);
	ctnl_ct_close(there);

	/* Names that are not names, and a name that is not there. */
	there = NULL;
	assert_int_equal(ctnl_ct_open_netns(NULL, "", &there), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(NULL, "..", &there), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(NULL, NULL, &there), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(NULL, "ctnl-api-none", &there),
			 -ENOENT);
	assert_null(there);
	thread_netns(after, sizeof(after));
	assert_string_equal(before, after);
}

/* A namespace that lives as long as a child that holds it, with one
 * entry; the path of its file goes to @path. */
static pid_t netns_child(char *path, size_t size)
{
	int pipefd[2];
	pid_t child;
	char c;

	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0 ||
		    test_run("conntrack -I -p udp -s 10.12.0.1 -d 10.12.0.2 "
			     "--sport 1 --dport 2 -t 600 2>/dev/null") != 0 ||
		    write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	close(pipefd[1]);
	snprintf(path, size, "/proc/%d/ns/net", (int)child);
	return child;
}

static void test_netns_by_path_and_fd(void **state)
{
	struct ctnl_ct *there;
	struct ctnl_sock_config config = { .size = sizeof(config),
					   .flags = CTNL_SOCK_NETNS_FD };
	struct ctnl_stats st;
	char path[64], before[64], after[64];
	pid_t child;
	int status;

	(void)state;
	thread_netns(before, sizeof(before));
	child = netns_child(path, sizeof(path));

	assert_int_equal(ctnl_ct_open_netns(NULL, path, &there), 0);
	assert_int_equal(ctnl_ct_stats(there, CTNL_TABLE_CONNTRACK, &st), 0);
	assert_int_equal(st.count, 1);
	assert_int_equal(ctnl_ct_flush(there, CTNL_TABLE_CONNTRACK, 0), 0);
	assert_int_equal(ctnl_ct_stats(there, CTNL_TABLE_CONNTRACK, &st), 0);
	assert_int_equal(st.count, 0);
	ctnl_ct_close(there);

	config.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(config.netns_fd >= 0);
	assert_int_equal(ctnl_ct_open(NULL, &config, &there), 0);
	assert_int_equal(ctnl_ct_create(there, &(struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
		.orig = tuple("10.12.0.3", "10.12.0.4", IPPROTO_UDP, 3, 4),
		.timeout = 600 }), 0);
	assert_int_equal(count_lines("nsenter --net=%s conntrack -L "
				     "2>/dev/null", path), 1);
	ctnl_ct_close(there);
	close(config.netns_fd);

	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 0);
	thread_netns(after, sizeof(after));
	assert_string_equal(before, after);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
}

/* ---- expectations ---- */

static int ftp_listener = -1;

static int tcp_socket_bound(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void say(int from, int to, const char *text)
{
	char buf[128];
	size_t len = strlen(text);

	assert_int_equal(write(from, text, len), (ssize_t)len);
	assert_int_equal(read(to, buf, sizeof(buf)), (ssize_t)len);
}

/*
 * An FTP control connection on loopback from @cport to port 21, through
 * the kernel's ftp helper (an nftables ct helper rule): the client asks
 * for active mode on @data_port, and the helper expects the server's data
 * connection. The helper parses a command only after a line it has seen
 * end, so a USER line goes first. Both ends stay open in fds[].
 */
static void ftp_session(uint16_t cport, uint16_t data_port, int fds[2])
{
	struct sockaddr_in server = { .sin_family = AF_INET,
				      .sin_port = htons(FTP_PORT),
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char port_cmd[64];

	if (ftp_listener < 0) {
		ftp_listener = tcp_socket_bound(FTP_PORT);
		assert_int_equal(listen(ftp_listener, 4), 0);
	}
	fds[0] = tcp_socket_bound(cport);
	assert_int_equal(connect(fds[0], (struct sockaddr *)&server,
				 sizeof(server)), 0);
	fds[1] = accept4(ftp_listener, NULL, NULL, SOCK_CLOEXEC);
	assert_true(fds[1] >= 0);
	say(fds[1], fds[0], "220 ready\r\n");
	say(fds[0], fds[1], "USER anonymous\r\n");
	say(fds[1], fds[0], "331 go on\r\n");
	snprintf(port_cmd, sizeof(port_cmd), "PORT 127,0,0,1,%u,%u\r\n",
		 data_port >> 8, data_port & 0xff);
	say(fds[0], fds[1], port_cmd);
	say(fds[1], fds[0], "200 ok\r\n");
}

static int expectations(void)
{
	return count_lines("conntrack -L expect 2>/dev/null");
}

static void test_expectations_from_ftp_traffic(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_list list;
	struct ctnl_expect key, got;
	char out[512];
	int fds[2];

	ftp_session(40001, 20001, fds);
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_EXPECT, 0, &list), 1);
	assert_int_equal(expectations(), 1);
	assert_int_equal(list.expects[0].tuple.port.dst, 20001);
	assert_int_equal(list.expects[0].master.port.src, 40001);
	assert_int_equal(list.expects[0].master.port.dst, FTP_PORT);
	assert_string_equal(list.expects[0].helper, "ftp");
	assert_int_equal(list.expects[0].mask.port.dst, 0xffff);

	/* get, by the tuple and the id the dump gave. */
	key = (struct ctnl_expect){ .attrs = CTNL_EXP_ATTR_TUPLE |
					     CTNL_EXP_ATTR_ID,
				    .tuple = list.expects[0].tuple,
				    .id = list.expects[0].id };
	assert_int_equal(ctnl_ct_get_expect(ct, &key, &got), 0);
	assert_int_equal(got.id, key.id);
	assert_int_equal(got.master.port.src, 40001);
	key.id ^= 1;
	assert_int_equal(ctnl_ct_get_expect(ct, &key, &got), -ENOENT);
	assert_int_equal(ctnl_ct_delete_expect(ct, &key), -ENOENT);
	assert_int_equal(expectations(), 1);

	/* The kernel compares under the mask: any source port matches. */
	key.attrs = CTNL_EXP_ATTR_TUPLE;
	key.tuple.port.src = 4444;
	assert_int_equal(ctnl_ct_get_expect(ct, &key, &got), 0);
	assert_int_equal(got.tuple.port.dst, 20001);

	assert_int_equal(ctnl_ct_delete_expect(ct, &key), 0);
	assert_int_equal(expectations(), 0);
	assert_int_equal(ctnl_ct_delete_expect(ct, &key), -ENOENT);
	assert_int_equal(ctnl_ct_get_expect(ct, &key, &got), -ENOENT);
	test_capture(out, sizeof(out), "conntrack -L 2>/dev/null");
	assert_contains(out, "helper=ftp");

	ctnl_list_free(&list);
	close(fds[0]);
	close(fds[1]);
}

/* An expectation libctnl creates, on the master of an FTP session; on a
 * master libctnl created with the helper; and where none can be. */
static void test_expectations_created_by_libctnl(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_expect exp = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_HELPER,
		.master = tuple("127.0.0.1", "127.0.0.1", IPPROTO_TCP, 40002,
				FTP_PORT),
		.tuple = tuple("127.0.0.1", "127.0.0.1", IPPROTO_TCP, 0, 30000),
		.mask = tuple("255.255.255.255", "255.255.255.255", IPPROTO_TCP,
			      0, 0xffff),
		.helper = "ftp",
	}, got;
	struct ctnl_flow master = new_flow("10.4.0.1", "10.4.0.2", IPPROTO_TCP,
					   2000, FTP_PORT);
	struct ctnl_stats st;
	char out[1024];
	int fds[2];

	ftp_session(40002, 20002, fds);
	assert_int_equal(expectations(), 1);
	/* The ftp helper allows one expectation per master: the new one
	 * takes the place of the one the traffic made. */
	assert_int_equal(ctnl_ct_create_expect(ct, &exp), 0);
	test_capture(out, sizeof(out), "conntrack -L expect 2>/dev/null");
	assert_contains(out, "dport=30000");
	assert_contains(out, "master-src=127.0.0.1");
	assert_int_equal(expectations(), 1);
	assert_int_equal(ctnl_ct_create_expect(ct, &exp), -EEXIST);
	got = exp;
	got.attrs = CTNL_EXP_ATTR_TUPLE;
	assert_int_equal(ctnl_ct_get_expect(ct, &got, &got), 0);
	assert_int_equal(got.master.port.src, 40002);
	assert_int_equal(ctnl_ct_stats(ct, CTNL_TABLE_EXPECT, &st), 0);
	assert_int_equal(st.count, 1);

	/* A master libctnl makes, with the ftp helper attached. */
	master.attrs |= CTNL_ATTR_HELPER | CTNL_ATTR_TCP_STATE;
	master.tcp.state = CTNL_TCP_ESTABLISHED;
	strcpy(master.helper, "ftp");
	assert_int_equal(ctnl_ct_create(ct, &master), 0);
	test_capture(out, sizeof(out),
		     "conntrack -L -s 10.4.0.1 2>/dev/null");
	assert_contains(out, "helper=ftp");
	exp.master = master.orig;
	exp.tuple = tuple("10.4.0.2", "10.4.0.1", IPPROTO_TCP, 0, 30001);
	assert_int_equal(ctnl_ct_create_expect(ct, &exp), 0);
	test_capture(out, sizeof(out), "conntrack -L expect 2>/dev/null");
	assert_contains(out, "master-src=10.4.0.1");
	assert_contains(out, "dport=30001");
	assert_int_equal(expectations(), 2);

	/* No such master; a master without a helper; no such helper. */
	exp.master.port.src = 2001;
	exp.tuple.port.dst = 30002;
	assert_int_equal(ctnl_ct_create_expect(ct, &exp), -ENOENT);
	master = new_flow("10.4.0.1", "10.4.0.2", IPPROTO_TCP, 2001, FTP_PORT);
	assert_int_equal(ctnl_ct_create(ct, &master), 0);
	exp.attrs &= ~CTNL_EXP_ATTR_HELPER;
	assert_int_equal(ctnl_ct_create_expect(ct, &exp), -EOPNOTSUPP);
	master.orig.port.src = 2002;
	master.attrs |= CTNL_ATTR_HELPER;
	strcpy(master.helper, "no-such-helper");
	assert_int_equal(ctnl_ct_create(ct, &master), -EOPNOTSUPP);

	/* The flush of the expectation table takes them all. */
	assert_int_equal(ctnl_ct_flush(ct, CTNL_TABLE_EXPECT, 0), 0);
	assert_int_equal(expectations(), 0);
	close(fds[0]);
	close(fds[1]);
}

/* ---- dumps under churn ---- */

#define STABLE 20000
#define CHURN 2000

static void fill(struct ctnl_flow *flows, size_t n, const char *net)
{
	char src[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "%s.%zu.%zu", net, i / 250,
			 i % 250 + 1);
		flows[i] = new_flow(src, "10.99.0.1", IPPROTO_UDP,
				    (uint16_t)(1 + i % 60000), 53);
	}
}

/* Until killed: CHURN entries created, then deleted, again and again. */
static void churn(void)
{
	static struct ctnl_flow flows[CHURN];
	static int results[CHURN];
	struct ctnl_ct *ct;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ctnl_ct_open(NULL, NULL, &ct) < 0)
		_exit(1);
	fill(flows, CHURN, "10.61");
	for (;;) {
		ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, CHURN, NULL, 0,
			      results);
		ctnl_ct_batch(ct, CTNL_OP_DELETE, flows, CHURN, NULL, 0,
			      results);
	}
}

/* By id, then tuple: an entry is both (ids are 32-bit hashes, and a
 * large table has distinct entries sharing one). The parser zeroes what
 * it fills, so tuples compare as bytes. */
static int by_entry(const void *a, const void *b)
{
	const struct ctnl_flow *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return memcmp(&x->orig, &y->orig, sizeof(x->orig));
}

/* Entries seen more than once in @l; sorts it. */
static size_t duplicates(struct ctnl_list *l)
{
	size_t dups = 0;

	qsort(l->flows, l->count, sizeof(*l->flows), by_entry);
	for (size_t i = 1; i < l->count; i++)
		dups += by_entry(&l->flows[i], &l->flows[i - 1]) == 0;
	return dups;
}

/* The same, leaving @l as it was (a copy is sorted). */
static size_t duplicates_in(const struct ctnl_list *l)
{
	struct ctnl_list copy = *l;
	size_t dups;

	copy.flows = malloc(l->count * sizeof(*l->flows) + 1);
	assert_non_null(copy.flows);
	memcpy(copy.flows, l->flows, l->count * sizeof(*l->flows));
	dups = duplicates(&copy);
	free(copy.flows);
	return dups;
}

static size_t stable_entries(const struct ctnl_list *l)
{
	struct in_addr net;
	size_t n = 0;

	inet_pton(AF_INET, "10.60.0.0", &net);
	for (size_t i = 0; i < l->count; i++)
		n += (l->flows[i].orig.src.in.s_addr & htonl(0xffff0000)) ==
		     net.s_addr;
	return n;
}

/*
 * A reader as slow as a busy agent: libc's system calls, through the
 * syscall table, with a pause before each datagram is read. The kernel
 * resumes a dump where the last datagram ended when the next is read, so
 * the pause is the time the table has to change under the dump.
 */
static struct ctnl_syscalls_ops slow_ops;
static const struct ctnl_syscalls *libc_sys;

/*
 * What the slow reader does besides pausing: it counts the datagrams of
 * the current dump, and from datagram @at on, before reading each, it
 * deletes the next of @victims through another handle.
 */
static struct {
	unsigned int reads;
	unsigned int at;		/* 0: nothing to delete */
	const struct ctnl_tuple *victims;
	size_t nvictims;
	size_t deleted;
	struct ctnl_ct *deleter;
} reader;

static ssize_t slow_recvmsg(void *ctx, int fd, struct msghdr *msg, int flags)
{
	size_t next;

	(void)ctx;
	usleep(300);
	next = ++reader.reads - reader.at;
	if (reader.at && reader.reads >= reader.at && next < reader.nvictims) {
		struct ctnl_flow key = key_of(&reader.victims[next]);

		reader.deleted += ctnl_ct_delete(reader.deleter, &key) == 0;
	}
	return libc_sys->ops->recvmsg(libc_sys->ctx, fd, msg, flags);
}

static struct ctnl_ct *open_slow_reader(void)
{
	static struct ctnl_syscalls slow = { .ops = &slow_ops };
	struct ctnl_ct *ct;

	libc_sys = ctnl_syscalls_libc();
	slow_ops = *libc_sys->ops;
	slow_ops.recvmsg = slow_recvmsg;
	slow.ctx = libc_sys->ctx;
	assert_int_equal(ctnl_ct_open(&slow, NULL, &ct), 0);
	return ct;
}

/*
 * A table of STABLE entries that nobody touches, and a second process
 * creating and deleting CHURN others as fast as it can while a slow reader
 * dumps the table again and again. Every stable entry must be in every
 * dump; with CTNL_LIST_DEDUP no entry comes twice; what the kernel did
 * (duplicates, NLM_F_DUMP_INTR) is printed, as it depends on timing.
 */
static void test_dump_under_churn(void **state)
{
	struct ctnl_ct *ct = open_slow_reader();
	struct ctnl_flow *flows = calloc(STABLE, sizeof(*flows));
	size_t raw_dups = 0, dedup_dropped = 0, interrupted = 0;
	const int rounds = 20;
	pid_t child;
	int status;

	assert_non_null(flows);
	fill(flows, STABLE, "10.60");
	create_all(ct, flows, STABLE);
	free(flows);

	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		churn();
	/* Let the churn get going. */
	for (int i = 0; i < 5000 &&
	     count_lines("conntrack -L -s 10.61.0.1 2>/dev/null") == 0; i++)
		usleep(1000);

	for (int r = 0; r < rounds; r++) {
		struct ctnl_list raw, dedup;

		assert_true(ctnl_ct_list_filtered(ct, NULL, 0, &raw) >= STABLE);
		assert_true(ctnl_ct_list_filtered(ct, NULL, CTNL_LIST_DEDUP,
						  &dedup) >= STABLE);
		raw_dups += duplicates(&raw);
		assert_true(stable_entries(&raw) >= STABLE);
		dedup_dropped += dedup.info.duplicates;
		assert_int_equal(duplicates(&dedup), 0);
		assert_int_equal(stable_entries(&dedup), STABLE);
		interrupted += raw.info.interrupted + dedup.info.interrupted;
		ctnl_list_free(&raw);
		ctnl_list_free(&dedup);
	}
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	ctnl_ct_close(ct);
	(void)state;
	print_message("churn: %d rounds of two dumps of %d+ entries: %zu "
		      "duplicates seen without dedup, %zu dropped by dedup, "
		      "%zu dumps flagged NLM_F_DUMP_INTR\n", rounds, STABLE,
		      raw_dups, dedup_dropped, interrupted);
}

/* A dump's entries in order, and the datagram each came in. */
struct order {
	struct ctnl_tuple *orig;
	unsigned int *dgram;
	size_t n, cap;
};

static int record_order(const struct ctnl_flow *flow, void *data)
{
	struct order *o = data;

	assert_true(o->n < o->cap);
	o->orig[o->n] = flow->orig;
	o->dgram[o->n++] = reader.reads;
	return CTNL_CB_OK;
}

/*
 * The entries at which the kernel will resume a dump of the same table
 * from datagram @j + 1 on, if each is deleted in turn before it is
 * reached: the first entry of each datagram, shifted by one for each
 * deleted before it (all entries have the same size, so a datagram holds
 * as many as before). Returns how many.
 */
static size_t resume_points(const struct order *o, unsigned int j,
			    struct ctnl_tuple *victims)
{
	size_t m = 0;

	for (size_t i = 1; i < o->n; i++) {
		if (o->dgram[i] == o->dgram[i - 1] || o->dgram[i] <= j)
			continue;
		if (i + m + 1 >= o->n)
			break;
		victims[m] = o->orig[i + m];
		m++;
	}
	return m;
}

#define RESUME_ENTRIES 30000
#define RESUME_ATTEMPTS 5

/*
 * The kernel resumes a dump at the id of the entry that did not fit in the
 * last datagram; if that entry is gone, it walks its hash bucket again
 * from the start, sending again what it sent before it there. Made to
 * happen: a dump learns where the datagrams begin, and during the next
 * one (same socket, same table: same boundaries) the entry each next
 * datagram would begin with is deleted just before the datagram before
 * it is read, which is when the kernel fills the next one. Whether a
 * bucket held entries before the deleted one is chance, a few percent
 * each time, so a dump of 30,000 entries gives it a couple of hundred
 * chances. CTNL_LIST_DEDUP must leave each entry once, and every entry
 * not deleted.
 */
static void test_dump_resumed_at_a_deleted_entry(void **state)
{
	struct ctnl_ct *ct = open_slow_reader();
	struct ctnl_flow *flows = calloc(RESUME_ENTRIES, sizeof(*flows));
	struct order o = { .cap = RESUME_ENTRIES + 16 };
	struct ctnl_tuple *victims = calloc(o.cap, sizeof(*victims));
	uint64_t duplicates = 0;
	size_t deleted = 0;
	int attempt;

	assert_non_null(flows);
	assert_non_null(victims);
	o.orig = calloc(o.cap, sizeof(*o.orig));
	o.dgram = calloc(o.cap, sizeof(*o.dgram));
	assert_non_null(o.orig);
	assert_non_null(o.dgram);
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	fill(flows, RESUME_ENTRIES, "10.70");
	create_all(ct, flows, RESUME_ENTRIES);
	reader.deleter = *state;

	for (attempt = 1; attempt <= RESUME_ATTEMPTS && !duplicates;
	     attempt++) {
		struct ctnl_list list;

		o.n = 0;
		reader.reads = 0;
		reader.at = 0;
		assert_int_equal(ctnl_ct_dump(ct, NULL, record_order, &o, NULL),
				 RESUME_ENTRIES - (int)deleted);
		reader.nvictims = resume_points(&o, 2, victims);
		reader.victims = victims;
		assert_true(reader.nvictims > 100);

		reader.reads = 0;
		reader.deleted = 0;
		reader.at = 2;
		assert_true(ctnl_ct_list_filtered(ct, NULL, CTNL_LIST_DEDUP,
						  &list) >= 0);
		reader.at = 0;
		deleted += reader.deleted;
		assert_int_equal(list.count, RESUME_ENTRIES - deleted);
		assert_int_equal(duplicates_in(&list), 0);
		assert_int_equal(list.info.matched,
				 list.count + list.info.duplicates);
		duplicates = list.info.duplicates;
		print_message("resume at a deleted entry, attempt %d: %zu "
			      "entries deleted at resume points, %" PRIu64
			      " sent twice, dropped by CTNL_LIST_DEDUP\n",
			      attempt, reader.deleted, duplicates);
		ctnl_list_free(&list);
	}
	assert_true(duplicates > 0);
	free(o.orig);
	free(o.dgram);
	free(victims);
	free(flows);
	ctnl_ct_close(ct);
}

/* ---- the test program ---- */

/* Conntrack on with labels in use (peer.c), and the ftp helper for port 21
 * on locally sent packets. */
static int ruleset(void)
{
	if (conntrack_on_with_labels() < 0)
		return -1;
	return test_run("nft -f - <<'EOF'\n"
			"table inet ctnl_api_helper {\n"
			"  ct helper ftp-21 {\n"
			"    type \"ftp\" protocol tcp\n"
			"    l3proto inet\n"
			"  }\n"
			"  chain out {\n"
			"    type filter hook output priority 0;\n"
			"    tcp dport 21 ct helper set \"ftp-21\"\n"
			"  }\n"
			"}\n"
			"EOF\n") == 0 ? 0 : -1;
}

/* A named namespace, in a /run of our own: there is no /run/netns until
 * `ip netns add` makes one, as on a fresh machine. */
static int named_netns(void)
{
	if (test_private_mounts() < 0)
		return -1;
	snprintf(netns_name, sizeof(netns_name), "ctnl-api-%d", (int)getpid());
	atexit(delete_named_netns);
	return test_run("ip netns add %s", netns_name) == 0 ? 0 : -1;
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_get_by_either_tuple),
		T(test_create_with_everything),
		T(test_update_by_tuple_each_field),
		T(test_delete_by_tuple_and_by_id),
		T(test_batch_results_per_item),
		T(test_delete_matching_three_ways_agree),
		T(test_update_matching_both_ways),
		T(test_update_matching_labels_timeout_status),
		T(test_stats_agree_with_conntrack),
		T(test_stats_cpu_agree_with_conntrack),
		T(test_netns_by_name),
		T(test_netns_by_path_and_fd),
		T(test_expectations_from_ftp_traffic),
		T(test_expectations_created_by_libctnl),
		T(test_dump_under_churn),
		T(test_dump_resumed_at_a_deleted_entry),
	};
	int ret;

	test_enter_private_netns("test_kernel_api");
	if (private_connlabel_conf(CONNLABELS) < 0 || ruleset() < 0 ||
	    named_netns() < 0) {
		fprintf(stderr, "test_kernel_api: cannot set up the test "
				"namespace\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	delete_named_netns();
	return ret;
}
