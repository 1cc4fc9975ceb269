/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Conntrack interface against the real kernel, in a private network
 * namespace joined by a veth pair to a peer that answers real TCP, UDP and
 * ICMP traffic (conntrack switched on by an nftables rule), plus entries
 * made by `conntrack -I`. The Go package's five operations, for IPv4 and
 * IPv6, each checked against `conntrack -L` as the witness; and the two
 * examples.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>

#include "netns.h"
#include "peer.h"

#define CONNLABELS "1 one\n3 three\n100 hundred\n127 top\n"

static struct peer peer;
static unsigned short next_port = 20000;

/* Fresh flows of every kind: TCP (left open), UDP and ICMP over IPv4 and
 * IPv6 from real traffic, and an SCTP entry from conntrack -I. */
struct traffic {
	int tcp4, tcp6;
	unsigned short tcp4_port, tcp6_port, udp4_port, udp6_port;
};

static void make_traffic(struct traffic *t)
{
	t->tcp4_port = next_port++;
	t->tcp6_port = next_port++;
	t->udp4_port = next_port++;
	t->udp6_port = next_port++;
	t->tcp4 = tcp_open(AF_INET, t->tcp4_port);
	t->tcp6 = tcp_open(AF_INET6, t->tcp6_port);
	assert_true(t->tcp4 >= 0);
	assert_true(t->tcp6 >= 0);
	assert_int_equal(udp_exchange(AF_INET, t->udp4_port), 0);
	assert_int_equal(udp_exchange(AF_INET6, t->udp6_port), 0);
	assert_int_equal(icmp_echo(AF_INET, next_port), 0);
	assert_int_equal(icmp_echo(AF_INET6, next_port++), 0);
	assert_int_equal(test_run("conntrack -I -p sctp -s 10.5.0.1 -d 10.5.0.2 "
				  "--sport 7 --dport 8 --state ESTABLISHED "
				  "-t 600 --orig-vtag 1 --reply-vtag 2 2>/dev/null"), 0);
}

static void end_traffic(struct traffic *t)
{
	close(t->tcp4);
	close(t->tcp6);
}

static int count_lines(const char *cmd)
{
	char out[64];

	assert_int_equal(test_capture(out, sizeof(out), "%s | wc -l", cmd), 0);
	return atoi(out);
}

/* The line `conntrack -L` prints for the entry whose original tuple is
 * described by @key, or "" if there is none. */
static void witness_line(char *line, size_t size, const char *key)
{
	test_capture(line, size,
		     "conntrack -L -o labels 2>/dev/null | grep -F -- '%s'",
		     key);
}

/* The way conntrack prints an original tuple. */
static void tuple_key(const struct ctnl_tuple *t, char *key, size_t size)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	inet_ntop(t->family, &t->src, src, sizeof(src));
	inet_ntop(t->family, &t->dst, dst, sizeof(dst));
	if (ctnl_proto_has_ports(t->proto))
		snprintf(key, size, "src=%s dst=%s sport=%u dport=%u ", src,
			 dst, t->port.src, t->port.dst);
	else
		snprintf(key, size, "src=%s dst=%s type=%u code=%u id=%u ", src,
			 dst, t->icmp.type, t->icmp.code, t->icmp.id);
}

/* Fails with the witness's line in the log when @needle is not in it. */
static void assert_contains(const char *line, const char *needle)
{
	if (!strstr(line, needle))
		fail_msg("conntrack printed \"%s\", without \"%s\"", line,
			 needle);
}

static int setup(void **state)
{
	struct ctnl_ct *ct;

	test_deadline();
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	*state = ct;
	return 0;
}

static int teardown(void **state)
{
	ctnl_ct_close(*state);
	return 0;
}

static const struct ctnl_flow *find(const struct ctnl_list *l, int family,
				    uint8_t proto, uint16_t sport)
{
	for (size_t i = 0; i < l->count; i++) {
		const struct ctnl_flow *f = &l->flows[i];

		if (f->orig.family == family && f->orig.proto == proto &&
		    (!ctnl_proto_has_ports(proto) || f->orig.port.src == sport))
			return f;
	}
	return NULL;
}

/* Every entry libctnl lists is one conntrack -L shows, with the same
 * mark, for IPv4 and IPv6 alike, and the counts agree per family. */
static void test_list_agrees_with_conntrack(void **state)
{
	struct ctnl_ct *ct = *state;
	struct traffic t;
	struct ctnl_list all, v4, v6;
	char key[160], line[1024], mark[32];

	make_traffic(&t);
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &all),
			 count_lines("conntrack -L 2>/dev/null"));
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, AF_INET, &v4),
			 count_lines("conntrack -L -f ipv4 2>/dev/null"));
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, AF_INET6, &v6),
			 count_lines("conntrack -L -f ipv6 2>/dev/null"));
	assert_int_equal(all.count, v4.count + v6.count);
	assert_true(v6.count >= 3);

	assert_non_null(find(&all, AF_INET, IPPROTO_TCP, t.tcp4_port));
	assert_non_null(find(&all, AF_INET6, IPPROTO_TCP, t.tcp6_port));
	assert_non_null(find(&all, AF_INET, IPPROTO_UDP, t.udp4_port));
	assert_non_null(find(&all, AF_INET6, IPPROTO_UDP, t.udp6_port));
	assert_non_null(find(&all, AF_INET, IPPROTO_ICMP, 0));
	assert_non_null(find(&all, AF_INET6, IPPROTO_ICMPV6, 0));
	assert_non_null(find(&all, AF_INET, IPPROTO_SCTP, 7));
	assert_int_equal(find(&all, AF_INET, IPPROTO_TCP, t.tcp4_port)->tcp.state,
			 CTNL_TCP_ESTABLISHED);

	for (size_t i = 0; i < all.count; i++) {
		tuple_key(&all.flows[i].orig, key, sizeof(key));
		witness_line(line, sizeof(line), key);
		assert_true(strlen(line) > 0);
		snprintf(mark, sizeof(mark), " mark=%u ", all.flows[i].mark);
		assert_contains(line, mark);
	}
	ctnl_list_free(&all);
	ctnl_list_free(&v4);
	ctnl_list_free(&v6);
	end_traffic(&t);
}

/* A tuple filter is applied by the kernel (addresses, protocol, ports), and
 * the result agrees with conntrack's own filtered listing. */
static void test_dump_tuple_filter_applied_by_kernel(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_filter filter = {
		.family = AF_INET,
		.match = CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DST |
			 CTNL_MATCH_ORIG_DPORT,
		.proto = IPPROTO_UDP,
		.orig_dport = PEER_UDP_PORT,
	};
	struct ctnl_list list;
	struct traffic t;

	make_traffic(&t);
	assert_int_equal(inet_pton(AF_INET, PEER_V4, &filter.orig_dst), 1);
	assert_int_equal(ctnl_ct_list_filtered(ct, &filter, 0, &list),
			 count_lines("conntrack -L -f ipv4 -p udp -d " PEER_V4
				     " --dport 5353 2>/dev/null"));
	assert_true(list.count >= 1);
	assert_int_equal(list.info.kernel, filter.match);
	assert_int_equal(list.info.user, 0);
	/* The kernel sent nothing that the filter drops. */
	assert_int_equal(list.info.received, list.count);
	ctnl_list_free(&list);

	/* IPv6: the kernel compares addresses inverted (it would send every
	 * entry but this one), so the address is filtered here. */
	filter.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, PEER_V6, &filter.orig_dst), 1);
	assert_int_equal(ctnl_ct_list_filtered(ct, &filter, 0, &list),
			 count_lines("conntrack -L -f ipv6 -p udp -d " PEER_V6
				     " --dport 5353 2>/dev/null"));
	assert_true(list.count >= 1);
	assert_int_equal(list.info.kernel,
			 CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DPORT);
	assert_int_equal(list.info.user, CTNL_MATCH_ORIG_DST);
	ctnl_list_free(&list);
	end_traffic(&t);
}

static void check_witness_mark(const char *key, uint32_t mark)
{
	char line[1024], want[32];

	witness_line(line, sizeof(line), key);
	snprintf(want, sizeof(want), " mark=%u ", mark);
	assert_contains(line, want);
}

static void test_update_mark_by_text_tuple(void **state)
{
	struct ctnl_ct *ct = *state;
	struct traffic t;
	char key[160];

	make_traffic(&t);
	assert_int_equal(ctnl_ct_update_mark(ct, PEER_V4_LOCAL, PEER_V4,
					     IPPROTO_TCP, t.tcp4_port,
					     PEER_TCP_PORT, 42), 0);
	snprintf(key, sizeof(key), "src=%s dst=%s sport=%u dport=%u ",
		 PEER_V4_LOCAL, PEER_V4, t.tcp4_port, PEER_TCP_PORT);
	check_witness_mark(key, 42);

	assert_int_equal(ctnl_ct_update_mark(ct, PEER_V6_LOCAL, PEER_V6,
					     IPPROTO_UDP, t.udp6_port,
					     PEER_UDP_PORT, 43), 0);
	snprintf(key, sizeof(key), "src=%s dst=%s sport=%u dport=%u ",
		 PEER_V6_LOCAL, PEER_V6, t.udp6_port, PEER_UDP_PORT);
	check_witness_mark(key, 43);

	assert_int_equal(ctnl_ct_update_mark(ct, PEER_V4_LOCAL, PEER_V4,
					     IPPROTO_TCP, 1, PEER_TCP_PORT, 42),
			 -ENOENT);
	end_traffic(&t);
}

static void test_update_mark_for_available_flow(void **state)
{
	struct ctnl_ct *ct = *state;
	struct traffic t;
	struct ctnl_list list;
	char key[160];

	make_traffic(&t);
	assert_true(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list) > 0);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 ct, list.flows, list.count, PEER_V4_LOCAL,
				 PEER_V4, IPPROTO_UDP, t.udp4_port,
				 PEER_UDP_PORT, 7), 1);
	snprintf(key, sizeof(key), "src=%s dst=%s sport=%u dport=%u ",
		 PEER_V4_LOCAL, PEER_V4, t.udp4_port, PEER_UDP_PORT);
	check_witness_mark(key, 7);
	/* A tuple not in the list: nothing happens. */
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 ct, list.flows, list.count, PEER_V4_LOCAL,
				 PEER_V4, IPPROTO_UDP, 9, PEER_UDP_PORT, 7), 0);
	/* A flow gone since the list was read is not counted. */
	assert_int_equal(test_run("conntrack -D -p udp -s %s --sport %u "
				  "2>/dev/null", PEER_V4_LOCAL, t.udp4_port), 0);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 ct, list.flows, list.count, PEER_V4_LOCAL,
				 PEER_V4, IPPROTO_UDP, t.udp4_port,
				 PEER_UDP_PORT, 8), -ENOENT);
	ctnl_list_free(&list);
	end_traffic(&t);
}

/* 128-bit labels: set and clear bits under a mask, the others untouched;
 * conntrack prints them by name from connlabel.conf. */
static void test_update_label_sets_and_clears_bits(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_labels value = { 0 }, mask = { 0 };
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG }, got;
	struct traffic t;
	struct ctnl_list list;
	char tkey[160], line[1024];

	make_traffic(&t);
	assert_true(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list) > 0);
	ctnl_labels_set(&value, 1);
	ctnl_labels_set(&value, 100);
	mask = value;
	assert_int_equal(ctnl_ct_update_label(ct, CTNL_TABLE_CONNTRACK,
					      list.flows, list.count,
					      PEER_V6_LOCAL, PEER_V6,
					      IPPROTO_TCP, t.tcp6_port,
					      PEER_TCP_PORT, &value, &mask), 1);
	snprintf(tkey, sizeof(tkey), "src=%s dst=%s sport=%u dport=%u ",
		 PEER_V6_LOCAL, PEER_V6, t.tcp6_port, PEER_TCP_PORT);
	witness_line(line, sizeof(line), tkey);
	assert_contains(line, "labels=one,hundred");

	/* Clear label 1, set label 3; label 100 stays. */
	memset(&value, 0, sizeof(value));
	memset(&mask, 0, sizeof(mask));
	ctnl_labels_set(&value, 3);
	ctnl_labels_set(&mask, 3);
	ctnl_labels_set(&mask, 1);
	assert_int_equal(ctnl_ct_update_label(ct, CTNL_TABLE_CONNTRACK,
					      list.flows, list.count,
					      PEER_V6_LOCAL, PEER_V6,
					      IPPROTO_TCP, t.tcp6_port,
					      PEER_TCP_PORT, &value, &mask), 1);
	witness_line(line, sizeof(line), tkey);
	assert_contains(line, "labels=three,hundred");

	/* And libctnl reads back what conntrack shows. */
	assert_int_equal(ctnl_tuple_from_text(&key.orig, PEER_V6_LOCAL, PEER_V6,
					      IPPROTO_TCP, t.tcp6_port,
					      PEER_TCP_PORT), 0);
	assert_int_equal(ctnl_ct_get(ct, &key, &got), 0);
	assert_true(ctnl_labels_test(&got.labels, 3));
	assert_true(ctnl_labels_test(&got.labels, 100));
	assert_false(ctnl_labels_test(&got.labels, 1));

	/* The Go package's 32-bit form over IPv4: labels 0..31. */
	assert_int_equal(ctnl_ct_update_label32(ct, CTNL_TABLE_CONNTRACK,
						list.flows, list.count,
						PEER_V4_LOCAL, PEER_V4,
						IPPROTO_TCP, t.tcp4_port,
						PEER_TCP_PORT, 1u << 3), 1);
	snprintf(tkey, sizeof(tkey), "src=%s dst=%s sport=%u dport=%u ",
		 PEER_V4_LOCAL, PEER_V4, t.tcp4_port, PEER_TCP_PORT);
	witness_line(line, sizeof(line), tkey);
	assert_contains(line, "labels=three");
	ctnl_list_free(&list);
	end_traffic(&t);
}

/*
 * In a namespace whose ruleset uses no labels, the kernel keeps none:
 * updates are refused (-ENOSPC, explained) and a create with labels is
 * undone rather than left without them. Runs in a child, in a namespace
 * of its own; the exit status says which check failed.
 */
static int labels_disabled_checks(void)
{
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
					   CTNL_ATTR_LABELS,
				  .timeout = 600 };
	struct ctnl_labels l = { .words = { 1 } };
	struct ctnl_list list;
	struct ctnl_ct *ct;
	char out[64];

	if (unshare(CLONE_NEWNET) < 0 ||
	    test_run("conntrack -I -p udp -s 10.6.0.1 -d 10.6.0.2 --sport 1 "
		     "--dport 2 -t 600 2>/dev/null") != 0 ||
	    ctnl_ct_open(NULL, NULL, &ct) < 0 ||
	    ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list) != 1)
		return 10;
	if (ctnl_ct_update_label(ct, CTNL_TABLE_CONNTRACK, list.flows, 1,
				 "10.6.0.1", "10.6.0.2", IPPROTO_UDP, 1, 2, &l,
				 &l) != -ENOSPC)
		return 11;
	if (!ctnl_ct_error_msg(ct) || !strstr(ctnl_ct_error_msg(ct), "labels"))
		return 12;
	if (ctnl_tuple_from_text(&flow.orig, "10.6.0.3", "10.6.0.4",
				 IPPROTO_UDP, 3, 4) < 0)
		return 13;
	flow.labels = l;
	if (ctnl_ct_create(ct, &flow) != -ENOSPC)
		return 14;
	if (test_capture(out, sizeof(out), "conntrack -C 2>/dev/null") != 0 ||
	    atoi(out) != 1)
		return 15;
	ctnl_list_free(&list);
	ctnl_ct_close(ct);
	return 0;
}

static void test_labels_disabled_namespace_is_enospc(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(labels_disabled_checks());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Flushing one family leaves the other intact. */
static void test_flush_one_family_keeps_the_other(void **state)
{
	struct ctnl_ct *ct = *state;
	struct traffic t;
	struct ctnl_list list;
	int v6;

	make_traffic(&t);
	end_traffic(&t);
	v6 = count_lines("conntrack -L -f ipv6 2>/dev/null");
	assert_true(v6 >= 3);
	assert_int_equal(ctnl_ct_flush(ct, CTNL_TABLE_CONNTRACK, AF_INET), 0);
	assert_int_equal(count_lines("conntrack -L -f ipv4 2>/dev/null"), 0);
	/* Closing the TCP connections may have made new IPv6 entries go, not
	 * come: at least the UDP and ICMPv6 ones are still there. */
	assert_true(count_lines("conntrack -L -f ipv6 2>/dev/null") >= 2);
	assert_int_equal(ctnl_ct_flush(ct, CTNL_TABLE_CONNTRACK, 0), 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 0);
	/* The Go package called an empty table an error. */
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list), 0);
	assert_int_equal(list.count, 0);
	ctnl_list_free(&list);
}

static void test_expectation_table_lists_and_flushes(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_list list;

	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_EXPECT, 0, &list),
			 count_lines("conntrack -L expect 2>/dev/null"));
	assert_int_equal(list.table, CTNL_TABLE_EXPECT);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_ct_flush(ct, CTNL_TABLE_EXPECT, 0), 0);
}

static int count_flows(const struct ctnl_flow *flow, void *data)
{
	(void)flow;
	(*(int *)data)++;
	return CTNL_CB_OK;
}

/*
 * A dump filtered by the kernel on tuples: the kernel takes the filter
 * (CTA_FILTER's flags are host-order u32s), applies it, and the result is
 * the same as filtering here.
 */
static void test_dump_filtered_by_the_kernel_on_tuples(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_filter f = {
		.family = AF_INET,
		.match = CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_SRC |
			 CTNL_MATCH_ORIG_DPORT | CTNL_MATCH_REPLY_SPORT,
		.proto = IPPROTO_TCP,
		.orig_dport = PEER_TCP_PORT,
		.reply_sport = PEER_TCP_PORT,
	};
	struct ctnl_dump_info info;
	struct traffic t;
	int n = 0;

	make_traffic(&t);
	inet_pton(AF_INET, PEER_V4_LOCAL, &f.orig_src);
	assert_int_equal(ctnl_ct_dump(ct, &f, count_flows, &n, &info), 1);
	assert_int_equal(n, 1);
	assert_int_equal(info.kernel, f.match);
	assert_int_equal(info.user, 0);
	/* Only the TCP entry came: the kernel did the filtering. */
	assert_int_equal(info.received, 1);
	end_traffic(&t);
}

/* Sockets opened and closed through a syscall table that forwards to
 * libc: the layer under test is the instrument. */
struct socket_count {
	int opened, closed;
};

static int counting_socket(void *ctx, int domain, int type, int protocol)
{
	struct socket_count *c = ctx;

	c->opened++;
	return ctnl_syscalls_libc()->ops->socket(NULL, domain, type, protocol);
}

static int counting_close(void *ctx, int fd)
{
	struct socket_count *c = ctx;

	c->closed++;
	return ctnl_syscalls_libc()->ops->close(NULL, fd);
}

/* One socket serves every call of a handle, and is closed with it. */
static void test_one_socket_for_every_call(void **state)
{
	struct socket_count count = { 0 };
	struct ctnl_syscalls_ops ops = *ctnl_syscalls_libc()->ops;
	struct ctnl_syscalls sys = { .ops = &ops, .ctx = &count };
	struct ctnl_list list;
	struct ctnl_ct *ct;
	struct traffic t;

	(void)state;
	ops.socket = counting_socket;
	ops.close = counting_close;
	make_traffic(&t);
	assert_int_equal(ctnl_ct_open(&sys, NULL, &ct), 0);
	for (int i = 0; i < 50; i++) {
		assert_true(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list) > 0);
		ctnl_list_free(&list);
		assert_int_equal(ctnl_ct_update_mark(ct, PEER_V4_LOCAL, PEER_V4,
						     IPPROTO_TCP, t.tcp4_port,
						     PEER_TCP_PORT,
						     (uint32_t)i), 0);
	}
	assert_int_equal(count.opened, 1);
	assert_int_equal(count.closed, 0);
	ctnl_ct_close(ct);
	assert_int_equal(count.closed, 1);
	end_traffic(&t);
}

static void test_example_mark_first_flow(void **state)
{
	struct traffic t;
	char out[512];

	(void)state;
	make_traffic(&t);
	assert_int_equal(test_run("conntrack -L 2>/dev/null | grep -q 'mark=42 '"),
			 1);
	if (test_capture(out, sizeof(out), "%s/mark_first_flow 2>&1",
			 CTNL_EXAMPLES_DIR) != 0)
		fail_msg("mark_first_flow failed: %s", out);
	assert_int_equal(test_capture(out, sizeof(out),
				      "conntrack -L 2>/dev/null | "
				      "grep -c 'mark=42 '"), 0);
	assert_int_equal(atoi(out), 1);
	end_traffic(&t);
}

static void test_example_update_mark(void **state)
{
	struct traffic t;
	char key[160], err[256];

	(void)state;
	make_traffic(&t);
	assert_int_equal(test_run("%s/update_mark %s %s tcp %u %u 99",
				  CTNL_EXAMPLES_DIR, PEER_V6_LOCAL, PEER_V6,
				  t.tcp6_port, PEER_TCP_PORT), 0);
	snprintf(key, sizeof(key), "src=%s dst=%s sport=%u dport=%u ",
		 PEER_V6_LOCAL, PEER_V6, t.tcp6_port, PEER_TCP_PORT);
	check_witness_mark(key, 99);
	assert_int_equal(test_capture(err, sizeof(err),
				      "%s/update_mark %s %s udp 1 2 5 2>&1",
				      CTNL_EXAMPLES_DIR, PEER_V4_LOCAL,
				      PEER_V4), 1);
	assert_non_null(strstr(err, "no such flow"));
	end_traffic(&t);
}

/* Fails with the trace in the log when @needle is not in it. */
static void assert_traced(const char *trace, const char *needle)
{
	if (!strstr(trace, needle))
		fail_msg("the trace has no \"%s\":\n%s", needle, trace);
}

/*
 * A real get and a real dump, traced: the request and every reply, named
 * and decoded, with the addresses and ports of the entry; nothing the
 * handle rejected, nothing the decoder could not read.
 */
static void test_trace_decodes_a_real_get_and_dump(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_filter filter = {
		.family = AF_INET,
		.match = CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DPORT,
		.proto = IPPROTO_TCP,
		.orig_dport = PEER_TCP_PORT,
	};
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG }, out;
	char *trace = NULL, line[128];
	size_t size = 0;
	struct traffic t;
	int n = 0;
	FILE *f;

	make_traffic(&t);
	key.orig.family = AF_INET;
	assert_int_equal(ctnl_tuple_from_text(&key.orig, PEER_V4_LOCAL,
					      PEER_V4, IPPROTO_TCP,
					      t.tcp4_port, PEER_TCP_PORT), 0);
	f = open_memstream(&trace, &size);
	assert_non_null(f);
	assert_int_equal(ctnl_ct_set_trace(ct, ctnl_trace_print, f), 0);
	assert_int_equal(ctnl_ct_get(ct, &key, &out), 0);
	assert_true(ctnl_ct_dump(ct, &filter, count_flows, &n, NULL) >= 1);
	assert_int_equal(ctnl_ct_set_trace(ct, NULL, NULL), 0);
	fclose(f);

	/* The get: its request, the entry, the ACK. */
	assert_traced(trace, "ctnl: sent IPCTNL_MSG_CT_GET len=");
	assert_traced(trace, " flags=REQUEST|ACK seq=");
	assert_traced(trace, "  nfgenmsg family=AF_INET version=0 res_id=0\n"
			     "  CTA_TUPLE_ORIG\n"
			     "    CTA_TUPLE_IP\n"
			     "      CTA_IP_V4_SRC " PEER_V4_LOCAL "\n"
			     "      CTA_IP_V4_DST " PEER_V4 "\n");
	snprintf(line, sizeof(line), "      CTA_PROTO_NUM 6 (tcp)\n"
		 "      CTA_PROTO_SRC_PORT %u\n"
		 "      CTA_PROTO_DST_PORT %u\n", t.tcp4_port, PEER_TCP_PORT);
	assert_traced(trace, line);
	assert_traced(trace, "ctnl: received IPCTNL_MSG_CT_NEW len=");
	assert_traced(trace, "  CTA_TUPLE_REPLY\n"
			     "    CTA_TUPLE_IP\n"
			     "      CTA_IP_V4_SRC " PEER_V4 "\n");
	assert_traced(trace, "      CTA_PROTOINFO_TCP_STATE 3 (ESTABLISHED)\n");
	assert_traced(trace, "ctnl: received NLMSG_ERROR len=36 "
			     "flags=CAPPED seq=");
	assert_traced(trace, "  error 0 (ACK)\n"
			     "  request IPCTNL_MSG_CT_GET len=");
	/* The dump: the filter the kernel applies, the entries, the end. */
	assert_traced(trace, " flags=REQUEST|ACK|DUMP seq=");
	assert_traced(trace, "  CTA_FILTER\n"
			     "    CTA_FILTER_ORIG_FLAGS 0x28 (PROTO_NUM|"
			     "PROTO_DST_PORT)\n");
	assert_traced(trace, " flags=MULTI|DUMP_FILTERED seq=");
	assert_traced(trace, "ctnl: received NLMSG_DONE len=20 flags=MULTI "
			     "seq=");
	assert_traced(trace, "  status 0\n");
	if (strstr(trace, "[") || strstr(trace, "malformed") ||
	    strstr(trace, "truncated") || strstr(trace, "attribute "))
		fail_msg("the trace shows a fault:\n%s", trace);
	free(trace);
	end_traffic(&t);
}

/* CTNL_TRACE=1 traces any program built on the library: an example's
 * update, on its standard error, and nothing on its standard output. */
static void test_trace_from_the_environment(void **state)
{
	char err[8192], key[64];
	struct traffic t;

	(void)state;
	make_traffic(&t);
	assert_int_equal(test_capture(err, sizeof(err),
				      "CTNL_TRACE=1 %s/update_mark %s %s udp "
				      "%u %u 7 2>&1 >/dev/null",
				      CTNL_EXAMPLES_DIR, PEER_V4_LOCAL,
				      PEER_V4, t.udp4_port, PEER_UDP_PORT),
			 0);
	assert_traced(err, "ctnl: sent IPCTNL_MSG_CT_NEW len=");
	assert_traced(err, "      CTA_IP_V4_DST " PEER_V4 "\n");
	snprintf(key, sizeof(key), "      CTA_PROTO_SRC_PORT %u\n",
		 t.udp4_port);
	assert_traced(err, key);
	assert_traced(err, "  CTA_MARK 7\n");
	assert_traced(err, "ctnl: received NLMSG_ERROR len=36 flags=CAPPED ");
	assert_traced(err, "  error 0 (ACK)\n");
	/* Any other value: nothing. */
	assert_int_equal(test_capture(err, sizeof(err),
				      "CTNL_TRACE=yes %s/update_mark %s %s udp "
				      "%u %u 8 2>&1 >/dev/null",
				      CTNL_EXAMPLES_DIR, PEER_V4_LOCAL,
				      PEER_V4, t.udp4_port, PEER_UDP_PORT),
			 0);
	assert_string_equal(err, "");
	end_traffic(&t);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_agrees_with_conntrack),
		T(test_dump_tuple_filter_applied_by_kernel),
		T(test_update_mark_by_text_tuple),
		T(test_update_mark_for_available_flow),
		T(test_update_label_sets_and_clears_bits),
		T(test_labels_disabled_namespace_is_enospc),
		T(test_flush_one_family_keeps_the_other),
		T(test_expectation_table_lists_and_flushes),
		T(test_dump_filtered_by_the_kernel_on_tuples),
		T(test_one_socket_for_every_call),
		T(test_example_mark_first_flow),
		T(test_example_update_mark),
		T(test_trace_decodes_a_real_get_and_dump),
		T(test_trace_from_the_environment),
	};
	int ret;

	test_enter_private_netns("test_kernel_ct");
	if (private_connlabel_conf(CONNLABELS) < 0 ||
	    conntrack_on_with_labels() < 0 || peer_start(&peer) < 0) {
		fprintf(stderr, "test_kernel_ct: cannot set up the test network\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	peer_stop(&peer);
	return ret;
}
