/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl in conntrack's syntax, over libctnl-mocks' in-memory table: the
 * parser (prefixes, attached values, one-line errors naming the option
 * and the value), the commands' output in conntrack's formats, and -R
 * (the whole file checked before anything is sent, the bad line named,
 * the lines run in batches). The kernel tests (test/compat) compare the
 * same against conntrack itself; this pins the bytes without root.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include <ctnl/mocks.h>

#include "cli.h"
#include "ctformat.h"
#include "progress.h"
#include "labelmap.h"
#include "run.h"

/* The fake's table, with its batch and matching slots counted. */
struct table {
	struct ctnl_fake_ct *fake;
	const struct ctnl_ct_ops *real;
	struct ctnl_ct_ops ops;
	struct ctnl_ct ct;
	unsigned int batches, batched, creates, matching;
	/* Batch call number fail_batch (1-based) fails: with fail_call,
	 * the call itself (every result that error); else each entry is
	 * refused with -EPERM and the call returns 0. */
	unsigned int fail_batch;
	int fail_call;
	struct ctnl_flow created;	/* the last create's */
};

static struct table *counted;

static int count_batch(void *ctx, enum ctnl_op op,
		       const struct ctnl_flow *flows, size_t count,
		       const struct ctnl_change *changes, size_t nchanges,
		       int *results)
{
	counted->batches++;
	counted->batched += (unsigned int)count;
	if (counted->batches == counted->fail_batch) {
		for (size_t i = 0; i < count; i++)
			results[i] = counted->fail_call ? counted->fail_call
							: -EPERM;
		return counted->fail_call;
	}
	return counted->real->batch(ctx, op, flows, count, changes, nchanges,
				    results);
}

static int count_create(void *ctx, const struct ctnl_flow *flow)
{
	counted->creates++;
	counted->created = *flow;
	return counted->real->create(ctx, flow);
}

static int count_delete_matching(void *ctx, const struct ctnl_filter *filter,
				 struct ctnl_dump_info *info)
{
	counted->matching++;
	return counted->real->delete_matching(ctx, filter, info);
}

static struct table *table_new(void)
{
	struct table *t = calloc(1, sizeof(*t));
	struct ctnl_ct *ct;

	assert_non_null(t);
	assert_int_equal(ctnl_fake_ct_new(&t->fake), 0);
	ct = ctnl_fake_ct_ct(t->fake);
	t->real = ct->ops;
	t->ops = *ct->ops;
	t->ops.batch = count_batch;
	t->ops.create = count_create;
	t->ops.delete_matching = count_delete_matching;
	t->ct = (struct ctnl_ct){ .ops = &t->ops, .ctx = ct->ctx };
	counted = t;
	return t;
}

static void table_free(struct table *t)
{
	ctnl_fake_ct_free(t->fake);
	free(t);
}

/* A run's outcome: status and both streams. */
struct result {
	int status;
	char *out, *err;
	size_t out_len, err_len;
};

static struct labelmap labels;

/* The progress report: on, with a clock that moves 400 ms a reading. */
static bool progress_on;
static int64_t fake_ms;

static int64_t fake_clock(void)
{
	return fake_ms += 400;
}

/* Runs conntrack's command line @argv (NULL-terminated, without the
 * program's name) as "ctnl", standard input from @in when not NULL. */
static struct result run_argv(struct table *t, const char *in,
			      char *const *words)
{
	char *argv[64] = { "ctnl" }, msg[256];
	struct result r = { 0 };
	struct run_env env = { .ct = &t->ct, .labels = &labels,
			       .have_labelmap = true, .now = 1000,
			       .progress = progress_on,
			       .clock_ms = fake_clock };
	struct cli c;
	int argc = 1, saved = -1;

	while (words[argc - 1] && argc < 63) {
		argv[argc] = words[argc - 1];
		argc++;
	}
	env.out = open_memstream(&r.out, &r.out_len);
	env.err = open_memstream(&r.err, &r.err_len);
	assert_non_null(env.out);
	assert_non_null(env.err);
	if (in) {
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], in, strlen(in)),
				 (ssize_t)strlen(in));
		close(fds[1]);
		saved = dup(STDIN_FILENO);
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		clearerr(stdin);
	}
	r.status = cli_parse(argc, argv, &c, msg, sizeof(msg));
	if (r.status == 0)
		r.status = run(&c, &env);
	else
		fprintf(env.err, "ctnl: %s\n", msg);
	if (in) {
		dup2(saved, STDIN_FILENO);
		close(saved);
		clearerr(stdin);
	}
	fclose(env.out);
	fclose(env.err);
	return r;
}

#define RUN(t, ...) run_argv(t, NULL, (char *[]){ __VA_ARGS__, NULL })
#define RUN_IN(t, in, ...) run_argv(t, in, (char *[]){ __VA_ARGS__, NULL })

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" lacks \"%s\"", text, needle);
}

/* Runs, expects success, and forgets the output. */
#define OK(t, ...)                                                           \
	do {                                                                 \
		struct result ok_ = RUN(t, __VA_ARGS__);                     \
		if (ok_.status != 0)                                         \
			fail_msg("exit %d: %s", ok_.status, ok_.err);        \
		result_free(&ok_);                                           \
	} while (0)

/* A TCP entry and a UDP one over IPv4, a UDP one over IPv6. */
static struct table *table_with_entries(void)
{
	struct table *t = table_new();

	OK(t, "-I", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp",
	   "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED",
	   "-u", "SEEN_REPLY,ASSURED", "-t", "100", "-m", "7");
	OK(t, "-I", "-s", "10.0.0.3", "-d", "10.0.0.2", "-p", "udp",
	   "--sport", "53", "--dport", "5353", "-t", "30", "-m", "0x17");
	OK(t, "-I", "-s", "fd00::1", "-d", "fd00::2", "-p", "udp",
	   "--sport", "1", "--dport", "2", "-t", "30");
	return t;
}

static int setup(void **state)
{
	(void)state;
	return labelmap_parse(&labels, "1 one\n3 three\n");
}

static int teardown(void **state)
{
	(void)state;
	labelmap_free(&labels);
	return 0;
}

/* Each bad argument: exit 2, one line naming the option and the value,
 * nothing sent. */
static void test_compat_bad_input_names_option_and_value(void **state)
{
	static const struct {
		const char *words[8];
		const char *says;
	} cases[] = {
		{ { "-L", "-s", "10.0.0.256" }, "10.0.0.256" },
		{ { "-L", "-p", "nosuch" }, "nosuch" },
		{ { "-L", "-m", "abc" }, "abc" },
		{ { "-L", "-m", "1/abc" }, "1/abc" },
		{ { "-L", "-m", "0x100000000" }, "0x100000000" },
		{ { "-L", "-w", "-1" }, "-1" },
		{ { "-L", "-u", "NOSUCH" }, "NOSUCH" },
		{ { "-L", "-o", "nosuch" }, "nosuch" },
		{ { "-L", "-f", "ipv7" }, "ipv7" },
		{ { "-L", "nosuchtable" }, "nosuchtable" },
		{ { "-L", "--nosuchoption" }, "--nosuchoption" },
		{ { "-L", "--orig" }, "--orig" },
		{ { "-L", "-D" }, "-D" },
		{ { "-I", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "tcp",
		    "--sport" }, "--sport" },
		{ { "-L", "-p", "tcp", "--dport", "70000" }, "70000" },
		{ { "-L", "-p", "tcp", "--dport", "2x" }, "2x" },
		{ { "-I", "-t", "abc" }, "abc" },
		{ { "-L", "-p", "tcp", "--state", "NOSUCH" }, "NOSUCH" },
		{ { "-E", "-e", "NOTHING" }, "NOTHING" },
		{ { "-L", "-l", "nosuchlabel" }, "nosuchlabel" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct table *t = table_new();
		struct result r = run_argv(t, NULL, (char **)cases[i].words);

		if (r.status != CLI_EXIT_USAGE)
			fail_msg("%s %s: exit %d", cases[i].words[0],
				 cases[i].words[1], r.status);
		assert_has(r.err, cases[i].says);
		assert_string_equal(r.out, "");
		/* One line. */
		assert_ptr_equal(strchr(r.err, '\n'), r.err + r.err_len - 1);
		assert_int_equal(t->batches + t->creates, 0);
		result_free(&r);
		table_free(t);
	}
}

/* Long options cut to an unambiguous prefix, values attached, options
 * before the command, tables by prefix. */
static void test_compat_parser_reads_conntrack_forms(void **state)
{
	static const char *const forms[][8] = {
		{ "-L", "--proto", "tcp" },
		{ "-L", "--prot=tcp" },
		{ "-L", "-ptcp" },
		{ "-p", "tcp", "-L" },
		{ "--dump", "conn", "-p", "tcp" },
		{ "-L", "conntrack", "--protonum", "6" },
		/* Words that are no option nor a command's table are
		 * ignored, as by conntrack; so is all after "--". */
		{ "conntrack", "-L", "-p", "tcp" },
		{ "-L", "-p", "tcp", "stray" },
		{ "-L", "conn", "stray", "-p", "tcp" },
		{ "-L", "-p", "tcp", "--", "-s", "9.9.9.9" },
		/* -a is ignored with any command, as by conntrack. */
		{ "-L", "-a", "1.2.3.4", "-p", "tcp" },
	};
	struct table *t = table_with_entries();

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct result r = run_argv(t, NULL, (char **)forms[i]);

		assert_int_equal(r.status, 0);
		assert_has(r.out, "tcp      6 100 ESTABLISHED src=10.0.0.1 ");
		assert_null(strstr(r.out, "udp"));
		assert_has(r.err, "(libctnl): 1 flow entries have been "
				  "shown.\n");
		result_free(&r);
	}
	table_free(t);
}

/* The first ignored word is kept for ctnl to name; a word right after a
 * command is its table, never ignored. */
static void test_compat_ignored_words(void **state)
{
	char *argv[8] = { "conntrack", "first", "-L", "-p", "tcp", "second" };
	char msg[256];
	struct cli c;

	(void)state;
	assert_int_equal(cli_parse(6, argv, &c, msg, sizeof(msg)), 0);
	assert_string_equal(c.ignored, "first");
	assert_int_equal(c.proto, 6);
	argv[1] = "-L";
	argv[2] = "-p";
	argv[3] = "tcp";
	argv[4] = "--";
	argv[5] = "-s";
	argv[6] = "1.1.1.1";
	assert_int_equal(cli_parse(7, argv, &c, msg, sizeof(msg)), 0);
	assert_string_equal(c.ignored, "-s");
	assert_int_equal(c.given & G_PROTO, G_PROTO);
	assert_false(c.orig.src.set);
	assert_int_equal(cli_parse(3, (char *[]){ "conntrack", "-L", "nosuch",
						  NULL },
				   &c, msg, sizeof(msg)), CLI_EXIT_USAGE);
	assert_string_equal(msg, "-L: unknown table 'nosuch' (conntrack, "
				 "expect, dying, unconfirmed)");
	assert_int_equal(cli_parse(2, (char *[]){ "conntrack", "-L", NULL },
				   &c, msg, sizeof(msg)), 0);
	assert_null(c.ignored);
}

/* -o save goes with no other type but userspace, as in conntrack 1.4.7. */
static void test_compat_save_and_userspace(void **state)
{
	char *argv[] = { "conntrack", "-L", "-o", "userspace,save", NULL };
	char msg[256];
	struct cli c;

	(void)state;
	assert_int_equal(cli_parse(4, argv, &c, msg, sizeof(msg)), 0);
	assert_int_equal(c.ct_out, CT_OUT_SAVE | CT_OUT_USERSPACE);
	argv[3] = "save,id";
	assert_int_equal(cli_parse(4, argv, &c, msg, sizeof(msg)),
			 CLI_EXIT_USAGE);
	assert_string_equal(msg, "-o: save goes with no other output type "
				 "(but userspace)");
}

/* A link named conntrack reads conntrack's syntax alone. */
static void test_compat_named_conntrack(void **state)
{
	char *argv[] = { "/usr/sbin/conntrack", "-C", NULL };
	char msg[256];
	struct cli c;

	(void)state;
	assert_int_equal(cli_parse(2, argv, &c, msg, sizeof(msg)), 0);
	assert_int_equal(c.syntax, SYNTAX_CONNTRACK);
	argv[1] = "list";
	assert_int_equal(cli_parse(2, argv, &c, msg, sizeof(msg)),
			 CLI_EXIT_USAGE);
	argv[0] = "ctnl";
	assert_int_equal(cli_parse(2, argv, &c, msg, sizeof(msg)), 0);
	assert_int_equal(c.syntax, SYNTAX_CTNL);
}

static void test_compat_list_text_formats(void **state)
{
	struct table *t = table_with_entries();
	struct result r;

	(void)state;
	r = RUN(t, "-L", "-s", "10.0.0.1");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "tcp      6 100 ESTABLISHED src=10.0.0.1 "
			    "dst=10.0.0.2 sport=1000 dport=80 src=10.0.0.2 "
			    "dst=10.0.0.1 sport=80 dport=1000 [ASSURED] "
			    "mark=7 use=1\n");
	result_free(&r);
	r = RUN(t, "-L", "-f", "ipv6", "-o", "extended");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "ipv6     10 udp      17 30 src=fd00::1 "
			    "dst=fd00::2 sport=1 dport=2 [UNREPLIED] "
			    "src=fd00::2 dst=fd00::1 sport=2 dport=1 mark=0 "
			    "use=1\n");
	result_free(&r);
	r = RUN(t, "-L", "-m", "0x10/0xf0", "-o", "save");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "-A -t 30 -u UNSET -s 10.0.0.3 -d 10.0.0.2 "
			    "-r 10.0.0.2 -q 10.0.0.3 -p udp --sport 53 "
			    "--dport 5353 --reply-port-src 5353 "
			    "--reply-port-dst 53\n");
	result_free(&r);
	/* A zone of the original direction alone: --orig-zone, no -w. */
	OK(t, "-I", "-s", "10.0.0.5", "-d", "10.0.0.2", "-p", "udp",
	   "--sport", "1", "--dport", "2", "-t", "30", "--orig-zone", "5");
	r = RUN(t, "-L", "-s", "10.0.0.5", "-o", "save");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
			    "-A -t 30 -u UNSET --orig-zone 5 -s 10.0.0.5 "
			    "-d 10.0.0.2 -r 10.0.0.2 -q 10.0.0.5 -p udp "
			    "--sport 1 --dport 2 --reply-port-src 2 "
			    "--reply-port-dst 1\n");
	result_free(&r);
	table_free(t);
}

static void test_compat_list_xml(void **state)
{
	struct table *t = table_with_entries();
	struct result r = RUN(t, "-L", "-f", "ipv6", "-o", "xml");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n"
		"<flow><meta direction=\"original\"><layer3 protonum=\"10\" "
		"protoname=\"ipv6\"><src>fd00::1</src><dst>fd00::2</dst>"
		"</layer3><layer4 protonum=\"17\" protoname=\"udp\"><sport>1"
		"</sport><dport>2</dport></layer4></meta><meta direction="
		"\"reply\"><layer3 protonum=\"10\" protoname=\"ipv6\"><src>"
		"fd00::2</src><dst>fd00::1</dst></layer3><layer4 protonum="
		"\"17\" protoname=\"udp\"><sport>2</sport><dport>1</dport>"
		"</layer4></meta><meta direction=\"independent\"><timeout>30"
		"</timeout><mark>0</mark><use>1</use><id>3</id>"
		"<unreplied/></meta></flow>\n</conntrack>\n");
	result_free(&r);
	table_free(t);
}

/* -G, -C, and a get of no entry (conntrack's message and status). */
static void test_compat_get_and_count(void **state)
{
	struct table *t = table_with_entries();
	struct result r;

	(void)state;
	r = RUN(t, "-G", "-s", "fd00::1", "-d", "fd00::2", "-p", "udp",
		"--sport", "1", "--dport", "2");
	assert_int_equal(r.status, 0);
	assert_has(r.out, "udp      17 30 src=fd00::1 dst=fd00::2 ");
	assert_has(r.err, "(libctnl): 1 flow entries have been shown.\n");
	result_free(&r);
	r = RUN(t, "-G", "-s", "fd00::1", "-d", "fd00::2", "-p", "udp",
		"--sport", "1", "--dport", "3");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_has(r.err, "no such entry");
	result_free(&r);
	r = RUN(t, "-C");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "3\n");
	result_free(&r);
	table_free(t);
}

/* -U: the mark under a mask, in one batch, each changed entry printed;
 * entries that would not change are left alone. */
static void test_compat_update_mark_with_mask(void **state)
{
	struct table *t = table_with_entries();
	struct result r;
	size_t n;
	const struct ctnl_flow *flows;

	(void)state;
	r = RUN(t, "-U", "-f", "ipv4", "-m", "0x100/0xf00");
	assert_int_equal(r.status, 0);
	assert_has(r.err, "(libctnl): 2 flow entries have been updated.\n");
	assert_has(r.out, "mark=263 use=2\n");
	assert_has(r.out, "mark=279 use=2\n");
	assert_int_equal(t->batches, 1);
	result_free(&r);
	flows = ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 3);
	assert_int_equal(flows[0].mark, 0x107);
	assert_int_equal(flows[1].mark, 0x117);
	/* Nothing to change now: as conntrack, exit 1. */
	r = RUN(t, "-U", "-f", "ipv4", "-m", "0x100/0xf00");
	assert_int_equal(r.status, CLI_EXIT_FAIL);
	assert_has(r.err, " 0 flow entries have been updated.\n");
	assert_string_equal(r.out, "");
	result_free(&r);
	table_free(t);
}

/* -D by mark: printed, counted, in one batch (or one delete_matching). */
static void test_compat_delete_by_mark(void **state)
{
	struct table *t = table_with_entries();
	struct result r = RUN(t, "-D", "-m", "7");
	size_t n;

	(void)state;
	assert_int_equal(r.status, 0);
	assert_has(r.out, "tcp      6 100 ESTABLISHED src=10.0.0.1 ");
	assert_has(r.err, "(libctnl): 1 flow entries have been deleted.\n");
	assert_int_equal(t->batches + t->matching, 1);
	ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 2);
	result_free(&r);
	r = RUN(t, "-F");
	assert_int_equal(r.status, 0);
	assert_has(r.err, "connection tracking table has been emptied.\n");
	ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 0);
	result_free(&r);
	table_free(t);
}

/* -I with NAT: the entry carries the translation. */
static void test_compat_create_with_nat(void **state)
{
	struct table *t = table_new();
	const struct ctnl_flow *flows;
	struct result r;
	size_t n;

	(void)state;
	OK(t, "-I", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp",
	   "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t",
	   "100", "--dst-nat", "10.0.0.9:8080");
	flows = ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 1);
	assert_true(flows[0].status & IPS_DST_NAT);
	r = RUN(t, "-L", "--dst-nat", "10.0.0.9:8080");
	assert_int_equal(r.status, 0);
	assert_has(r.out, "src=10.0.0.9 dst=10.0.0.1 sport=8080 dport=1 ");
	result_free(&r);
	r = RUN(t, "-L", "--src-nat");
	assert_string_equal(r.out, "");
	result_free(&r);
	/* -j: translated either way (here: the destination only). */
	r = RUN(t, "-L", "-j");
	assert_has(r.out, "src=10.0.0.9 dst=10.0.0.1 sport=8080 dport=1 ");
	result_free(&r);

	/* Source NAT to an address and a port: sent with both, and the
	 * entry found by both (the reply's destination and its port). */
	OK(t, "-I", "-s", "10.0.0.3", "-d", "10.0.0.2", "-p", "udp",
	   "--sport", "5", "--dport", "6", "-t", "100", "--src-nat",
	   "10.0.0.8:4000");
	assert_true(t->created.attrs & CTNL_ATTR_SNAT);
	assert_int_equal(t->created.snat.port_min, 4000);
	r = RUN(t, "-L", "--src-nat", "10.0.0.8:4000");
	assert_has(r.out, "src=10.0.0.2 dst=10.0.0.8 sport=6 dport=4000");
	result_free(&r);
	r = RUN(t, "-L", "--src-nat", "10.0.0.8:6");
	assert_string_equal(r.out, "");
	result_free(&r);
	table_free(t);
}

/* What -I adds on its own: an ICMP entry given both tuples gets its
 * reply's type from the pair; TCP from TIME_WAIT on may be reopened. */
static void test_compat_create_fills_in(void **state)
{
	struct table *t = table_new();

	(void)state;
	OK(t, "-I", "-s", "10.0.0.1", "-d", "10.0.0.2", "-r", "10.0.0.2",
	   "-q", "10.0.0.1", "-p", "icmp", "--icmp-type", "13",
	   "--icmp-code", "0", "--icmp-id", "5", "-t", "30");
	assert_int_equal(t->created.orig.icmp.type, 13);
	assert_int_equal(t->created.reply.icmp.type, 14);
	OK(t, "-I", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp",
	   "--sport", "1", "--dport", "2", "-t", "30", "--state",
	   "TIME_WAIT");
	assert_true(t->created.tcp.flags[0] & IP_CT_TCP_FLAG_CLOSE_INIT);
	OK(t, "-I", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp",
	   "--sport", "3", "--dport", "2", "-t", "30", "--state",
	   "LAST_ACK");
	assert_false(t->created.tcp.flags[0] & IP_CT_TCP_FLAG_CLOSE_INIT);
	table_free(t);
}

/* XML: a destroyed entry's deltatime is to its stop, not to now. */
static void test_compat_xml_deltatime(void **state)
{
	struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_START,
			       .start = 5000000000u, .stop = 12000000000u };
	struct ct_xml how = { .now = 100 };
	struct textbuf b = { 0 };

	(void)state;
	f.orig.family = AF_INET;
	f.orig.proto = IPPROTO_UDP;
	ct_xml_flow(&b, &f, &how);
	tb_char(&b, '\0');
	assert_has(b.p, "<deltatime>95</deltatime>");
	b.len = 0;
	f.attrs |= CTNL_ATTR_STOP;
	ct_xml_flow(&b, &f, &how);
	tb_char(&b, '\0');
	assert_has(b.p, "<deltatime>7</deltatime>");
	tb_free(&b);
}

/* -R: every line parsed before anything is sent; a bad line changes
 * nothing and is named; good lines run, the creations in one batch. */
static void test_compat_load_file(void **state)
{
	struct table *t = table_new();
	struct result r;
	size_t n;

	(void)state;
	r = RUN_IN(t,
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 50\n"
		   "# a comment\n"
		   "\n"
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 3 --dport 2 -t 50\n"
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 4 --dport 99999\n",
		   "-R", "-");
	assert_int_equal(r.status, CLI_EXIT_USAGE);
	assert_has(r.err, "standard input:5: --dport: '99999'");
	assert_has(r.err, "99999");
	assert_int_equal(t->batches + t->creates, 0);
	ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 0);
	result_free(&r);

	r = RUN_IN(t,
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 50\n"
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 3 --dport 2 -t 50\n"
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 4 --dport 2 -t 50 "
		   "-m 5\n"
		   "-D -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 3 --dport 2\n"
		   "-U -p udp --sport 4 -u ASSURED\n",
		   "-R", "-");
	assert_int_equal(r.status, 0);
	/* What -D and -U print, as conntrack -R prints it; no summary. */
	assert_string_equal(r.out,
			    "udp      17 50 src=1.1.1.1 dst=2.2.2.2 sport=3 "
			    "dport=2 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 "
			    "sport=2 dport=3 mark=0 use=1\n"
			    "udp      17 50 src=1.1.1.1 dst=2.2.2.2 sport=4 "
			    "dport=2 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 "
			    "sport=2 dport=4 [ASSURED] mark=5 use=2\n");
	assert_string_equal(r.err, "");
	ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 2);
	assert_true(t->batches >= 2);
	assert_int_equal(t->creates, 0);
	result_free(&r);

	r = RUN(t, "-R", "/nonexistent/ctnl-test");
	assert_int_equal(r.status, CLI_EXIT_USAGE);
	assert_has(r.err, "/nonexistent/ctnl-test");
	result_free(&r);
	table_free(t);
}

/* conntrack's command line read into ctnl's model, value by value, at the
 * edges of what each option takes. */
static int parse_words(struct cli *c, char *msg, size_t size,
		       const char *const *words)
{
	char *argv[32] = { "conntrack" };
	int argc = 1;

	while (words[argc - 1] && argc < 31) {
		argv[argc] = (char *)words[argc - 1];
		argc++;
	}
	return cli_parse(argc, argv, c, msg, size);
}

#define PARSE(c, ...)                                                        \
	parse_words((c), msg, sizeof(msg), (const char *[]){ __VA_ARGS__, NULL })

static void test_compat_parser_values_at_their_edges(void **state)
{
	union ctnl_addr fd1;
	struct cli c;
	char msg[256];

	(void)state;
	inet_pton(AF_INET6, "fd00::1", &fd1);
	/* Lists: an empty item names nothing. */
	assert_int_equal(PARSE(&c, "-E", "-e", "NEW,"), CLI_EXIT_USAGE);
	assert_int_equal(PARSE(&c, "-L", "-u", "ASSURED,"), CLI_EXIT_USAGE);
	assert_int_equal(PARSE(&c, "-E", "-e", "new,upd"), 0);
	assert_int_equal(c.events, CTNL_EVENT_NEW | CTNL_EVENT_UPDATE);
	/* !FLAG: looked at, and clear; UNREPLIED: SEEN_REPLY clear. */
	assert_int_equal(PARSE(&c, "-L", "-u", "!ASSURED,SEEN_REPLY"), 0);
	assert_int_equal(c.status_mask,
			 CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY);
	assert_int_equal(c.status, CTNL_STATUS_SEEN_REPLY);
	assert_int_equal(PARSE(&c, "-L", "-u", "UNREPLIED"), 0);
	assert_int_equal(c.status_mask, CTNL_STATUS_SEEN_REPLY);
	assert_int_equal(c.status, 0);
	/* A mark without a mask is compared whole. */
	assert_int_equal(PARSE(&c, "-L", "-m", "010"), 0);
	assert_int_equal(c.mark, 8);
	assert_int_equal(c.mark_mask, UINT32_MAX);

	/* NAT: ports 1 to 65535; IPv6 with a port in brackets only. */
	assert_int_equal(PARSE(&c, "-L", "--src-nat", "10.0.0.1:0"),
			 CLI_EXIT_USAGE);
	assert_int_equal(PARSE(&c, "-L", "--src-nat", "10.0.0.1:1"), 0);
	assert_true(c.src_nat.has_port);
	assert_int_equal(c.src_nat.port, 1);
	assert_int_equal(PARSE(&c, "-L", "--dst-nat", "[fd00::1]:80"), 0);
	assert_true(c.dst_nat.has_port);
	assert_int_equal(c.dst_nat.port, 80);
	assert_memory_equal(&c.dst_nat.addr.addr, &fd1, 16);
	assert_int_equal(PARSE(&c, "-L", "--dst-nat", "fd00::1"), 0);
	assert_false(c.dst_nat.has_port);
	assert_memory_equal(&c.dst_nat.addr.addr, &fd1, 16);
	assert_int_equal(PARSE(&c, "-L", "--dst-nat", "[fd00::1]x"),
			 CLI_EXIT_USAGE);

	/* Long names: exact before prefix, an ambiguous prefix refused. */
	assert_int_equal(PARSE(&c, "-L", "--dst", "10.0.0.2"), 0);
	assert_true(c.orig.dst.set);
	assert_false(c.given & G_DST_NAT);
	assert_int_equal(PARSE(&c, "-L", "--reply", "10.0.0.2"),
			 CLI_EXIT_USAGE);
	assert_non_null(strstr(msg, "ambiguous"));
	assert_int_equal(PARSE(&c, "-L", "-ptcp"), 0);
	assert_int_equal(c.proto, IPPROTO_TCP);

	/* Masks: contiguous ones only; /32 is the whole address. */
	assert_int_equal(PARSE(&c, "-L", "-s", "10.0.0.0", "--mask-src",
			       "255.0.255.0"), CLI_EXIT_USAGE);
	assert_int_equal(PARSE(&c, "-L", "-s", "10.0.0.0", "--mask-src",
			       "255.255.0.0"), 0);
	assert_int_equal(c.orig.src.len, 16);

	/* -z takes no filter but -f: no address either. */
	assert_int_equal(PARSE(&c, "-L", "-z", "-s", "10.0.0.1"),
			 CLI_EXIT_USAGE);
	assert_int_equal(PARSE(&c, "-L", "-z", "-f", "ipv4"), 0);
	/* Expectations: IPv4 unless told. */
	assert_int_equal(PARSE(&c, "-L", "expect"), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(PARSE(&c, "-L", "expect", "-f", "ipv6"), 0);
	assert_int_equal(c.family, AF_INET6);
	/* A DCCP entry needs its role. */
	assert_int_equal(PARSE(&c, "-I", "-s", "1.1.1.1", "-d", "2.2.2.2",
			       "-p", "dccp", "--sport", "1", "--dport", "2",
			       "-t", "10", "--state", "OPEN"), CLI_EXIT_USAGE);
	if (!strstr(msg, "--role"))
		fail_msg("%s", msg);
	assert_int_equal(PARSE(&c, "-I", "-s", "1.1.1.1", "-d", "2.2.2.2",
			       "-p", "dccp", "--sport", "1", "--dport", "2",
			       "-t", "10", "--state", "OPEN", "--role",
			       "client"), 0);
}

/* -R: a backslash in quotes takes the next character as it is. */
static void test_compat_load_quotes(void **state)
{
	struct table *t = table_new();
	struct result r;
	size_t n;

	(void)state;
	r = RUN_IN(t,
		   "-I -s \"1.1.1.\\1\" -d 2.2.2.2 -p udp --sport 1 "
		   "--dport 2 -t 50\n",
		   "-R", "-");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 1);
	result_free(&r);
	table_free(t);
}

/* -R's deletions by tuple: only what was deleted is printed, each entry
 * with its own result, also when a key before it found nothing. */
static void test_compat_load_deletes_refused(void **state)
{
	struct table *t = table_new();
	struct result r;
	size_t n;

	(void)state;
	OK(t, "-I", "-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "udp", "--sport",
	   "1", "--dport", "2", "-t", "50");
	t->fail_batch = t->batches + 1;
	r = RUN_IN(t,
		   "-D -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 9 --dport 9\n"
		   "-D -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2\n",
		   "-R", "-");
	assert_string_equal(r.out, "");
	ctnl_fake_ct_flows(t->fake, &n);
	assert_int_equal(n, 1);
	result_free(&r);
	table_free(t);
}

/* A batch in chunks, as on a terminal: each chunk's entries, changes and
 * results are its own; once one fails, the entries never sent fail with
 * it. Over a stub table that notes what each batch call was given. */
#define CHUNKED (PROGRESS_CHUNK + 1)

static struct {
	unsigned int calls;
	const struct ctnl_flow *flows[4];
	const struct ctnl_change *changes[4];
	size_t count[4];
	int fail;
} stub;

static int stub_batch(void *ctx, enum ctnl_op op,
		      const struct ctnl_flow *flows, size_t count,
		      const struct ctnl_change *changes, size_t nchanges,
		      int *results)
{
	unsigned int call = stub.calls++;

	(void)ctx;
	(void)op;
	assert_int_equal(nchanges, count);
	if (call < 4) {
		stub.flows[call] = flows;
		stub.changes[call] = changes;
		stub.count[call] = count;
	}
	if (stub.fail)
		return stub.fail;
	for (size_t i = 0; i < count; i++)
		results[i] = (int)call + 1;
	return (int)count;
}

static void test_compat_batch_in_chunks(void **state)
{
	static const struct ctnl_ct_ops ops = { .size = sizeof(ops),
						.batch = stub_batch };
	struct ctnl_ct ct = { .ops = &ops };
	struct ctnl_flow *flows = calloc(CHUNKED, sizeof(*flows));
	struct ctnl_change *changes = calloc(CHUNKED, sizeof(*changes));
	int *results = malloc(CHUNKED * sizeof(*results));
	struct run_env env = { .progress = true, .clock_ms = fake_clock };
	struct progress p;
	char *err = NULL;
	size_t err_len;

	(void)state;
	assert_non_null(flows);
	assert_non_null(changes);
	assert_non_null(results);
	env.err = open_memstream(&err, &err_len);
	assert_non_null(env.err);
	stub.calls = 0;
	stub.fail = 0;
	progress_begin(&p, &env, "updated", CHUNKED);
	assert_int_equal(progress_batch(&p, &ct, CTNL_OP_UPDATE, flows,
					CHUNKED, changes, CHUNKED, results),
			 CHUNKED);
	assert_int_equal(stub.calls, 2);
	assert_ptr_equal(stub.flows[1], flows + PROGRESS_CHUNK);
	assert_ptr_equal(stub.changes[1], changes + PROGRESS_CHUNK);
	assert_int_equal(stub.count[0], PROGRESS_CHUNK);
	assert_int_equal(stub.count[1], 1);
	assert_int_equal(results[0], 1);
	assert_int_equal(results[PROGRESS_CHUNK - 1], 1);
	assert_int_equal(results[PROGRESS_CHUNK], 2);
	progress_end(&p);

	stub.calls = 0;
	stub.fail = -EIO;
	for (size_t i = 0; i < CHUNKED; i++)
		results[i] = -EIO;	/* what a failed call leaves */
	results[PROGRESS_CHUNK] = 0;
	progress_begin(&p, &env, "updated", CHUNKED);
	assert_int_equal(progress_batch(&p, &ct, CTNL_OP_UPDATE, flows,
					CHUNKED, changes, CHUNKED, results),
			 -EIO);
	assert_int_equal(stub.calls, 1);
	assert_int_equal(results[PROGRESS_CHUNK], -EIO);
	progress_end(&p);
	fclose(env.err);
	free(err);
	free(flows);
	free(changes);
	free(results);
}

/* On a terminal, a long -R, -D or -U reports progress on stderr, in one
 * line rewritten in place and wiped at the end; the output is the same. */
static void test_compat_progress(void **state)
{
	struct table *t = table_new();
	struct result r;

	(void)state;
	progress_on = true;
	r = RUN_IN(t,
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 50\n"
		   "-U -p udp -m 1\n"
		   "-U -p udp -m 2\n"
		   "-U -p udp -m 3\n"
		   "-U -p udp -m 4\n",
		   "-R", "-");
	assert_int_equal(r.status, 0);
	assert_has(r.err, "\r\033[Kctnl: 3 of 5 entries done (60 %), ");
	assert_has(r.err, "\r\033[Kctnl: 5 of 5 entries done (100 %), ");
	/* Wiped: the last thing written. */
	assert_string_equal(r.err + r.err_len - 4, "\r\033[K");
	assert_int_equal(strlen(r.out), 4 * strlen(
		"udp      17 50 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 "
		"[UNREPLIED] src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 mark=1 "
		"use=2\n"));
	result_free(&r);
	/* -D of one entry: a single batch, under a second: no report. */
	r = RUN(t, "-D", "-p", "udp");
	assert_int_equal(r.status, 0);
	assert_null(strchr(r.err, '\r'));
	result_free(&r);
	progress_on = false;
	/* Off (not a terminal): never. */
	r = RUN_IN(t,
		   "-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 50\n"
		   "-U -p udp -m 1\n-U -p udp -m 2\n-U -p udp -m 3\n",
		   "-R", "-");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	result_free(&r);
	table_free(t);
}

/* Expectations: created from a master, listed, deleted. */
static void test_compat_expectations(void **state)
{
	struct table *t = table_new();
	struct result r;
	struct ctnl_flow master = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_TIMEOUT |
			 CTNL_ATTR_HELPER,
		.timeout = 100,
		.helper = "ftp",
	};

	assert_int_equal(ctnl_tuple_from_text(&master.orig, "10.0.0.1",
					      "10.0.0.2", IPPROTO_TCP, 40000,
					      21), 0);
	assert_int_equal(ctnl_tuple_from_text(&master.reply, "10.0.0.2",
					      "10.0.0.1", IPPROTO_TCP, 21,
					      40000), 0);
	(void)state;
	assert_int_equal(ctnl_fake_ct_add(t->fake, &master), 0);
	OK(t, "-I", "expect", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p",
	   "tcp", "--sport", "40000", "--dport", "21", "--tuple-src",
	   "10.0.0.1", "--tuple-dst", "10.0.0.2", "--tuple-port-src", "0",
	   "--tuple-port-dst", "5555", "--mask-src", "255.255.255.255",
	   "--mask-dst", "255.255.255.255", "--mask-port-src", "0",
	   "--mask-port-dst", "65535", "-t", "100");
	assert_int_equal(ctnl_fake_ct_expect_count(t->fake), 1);
	r = RUN(t, "-L", "expect");
	assert_int_equal(r.status, 0);
	assert_has(r.out, "proto=6 src=10.0.0.1 dst=10.0.0.2 sport=0 "
			  "dport=5555 mask-src=255.255.255.255 ");
	assert_has(r.err, "1 expectations have been shown.\n");
	result_free(&r);
	/* Named by its tuple, as -s -d -p and ports. */
	r = RUN(t, "-D", "expect", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p",
		"tcp", "--sport", "0", "--dport", "5555");
	if (r.status)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_int_equal(ctnl_fake_ct_expect_count(t->fake), 0);
	result_free(&r);
	table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_bad_input_names_option_and_value),
		cmocka_unit_test(test_compat_parser_reads_conntrack_forms),
		cmocka_unit_test(test_compat_named_conntrack),
		cmocka_unit_test(test_compat_ignored_words),
		cmocka_unit_test(test_compat_save_and_userspace),
		cmocka_unit_test(test_compat_list_text_formats),
		cmocka_unit_test(test_compat_list_xml),
		cmocka_unit_test(test_compat_get_and_count),
		cmocka_unit_test(test_compat_update_mark_with_mask),
		cmocka_unit_test(test_compat_delete_by_mark),
		cmocka_unit_test(test_compat_create_with_nat),
		cmocka_unit_test(test_compat_create_fills_in),
		cmocka_unit_test(test_compat_xml_deltatime),
		cmocka_unit_test(test_compat_load_file),
		cmocka_unit_test(test_compat_progress),
		cmocka_unit_test(test_compat_parser_values_at_their_edges),
		cmocka_unit_test(test_compat_load_quotes),
		cmocka_unit_test(test_compat_load_deletes_refused),
		cmocka_unit_test(test_compat_batch_in_chunks),
		cmocka_unit_test(test_compat_expectations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
