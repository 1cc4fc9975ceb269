/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's argument parser: what each option becomes, and that every bad
 * argument is refused with a message naming it and status 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "cli.h"

#define MAX_ARGS 40

/* Parses a command line given as words, NULL-terminated. */
static int parse_words(struct cli *c, char *err, size_t size, ...)
{
	char *argv[MAX_ARGS] = { "ctnl" };
	int argc = 1;
	va_list ap;

	va_start(ap, size);
	for (char *w; (w = va_arg(ap, char *)) != NULL && argc < MAX_ARGS;)
		argv[argc++] = w;
	va_end(ap);
	return cli_parse(argc, argv, c, err, size);
}

#define PARSE(c, ...) parse_words(c, err, sizeof(err), __VA_ARGS__, NULL)

/* Fails, printing the message, unless @args parse. */
#define OK(c, ...)                                                           \
	do {                                                                 \
		int ret_ = PARSE(c, __VA_ARGS__);                            \
		if (ret_ != 0)                                               \
			fail_msg("refused: %s", err);                        \
	} while (0)

/* The parse fails with status 2 and a message containing @needle. */
#define BAD(needle, ...)                                                     \
	do {                                                                 \
		struct cli c_;                                               \
		int ret_ = PARSE(&c_, __VA_ARGS__);                          \
		if (ret_ != CLI_EXIT_USAGE)                                  \
			fail_msg("accepted, expected \"%s\"", needle);       \
		if (!strstr(err, needle))                                    \
			fail_msg("message \"%s\" lacks \"%s\"", err, needle); \
	} while (0)

static char err[256];

static void test_args_commands_and_globals_anywhere(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "list");
	assert_int_equal(c.cmd, CMD_LIST);
	assert_int_equal(c.output, OUT_TEXT);
	assert_null(c.netns);
	OK(&c, "--netns", "blue", "-o", "json", "count");
	assert_int_equal(c.cmd, CMD_COUNT);
	assert_string_equal(c.netns, "blue");
	assert_int_equal(c.output, OUT_JSON);
	OK(&c, "list", "--netns=/proc/1/ns/net", "-ojson");
	assert_string_equal(c.netns, "/proc/1/ns/net");
	assert_int_equal(c.output, OUT_JSON);
	OK(&c, "-o", "text,labels,id,extended", "list");
	assert_int_equal(c.out_flags, OUT_LABELS | OUT_ID | OUT_EXTENDED);
	OK(&c, "-o", "labels", "list");
	assert_int_equal(c.output, OUT_TEXT);
	assert_int_equal(c.out_flags, OUT_LABELS);
}

static void test_args_help_and_version(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "--help");
	assert_true(c.help);
	assert_int_equal(c.cmd, CMD_NONE);
	OK(&c, "-h", "update");
	assert_true(c.help);
	assert_int_equal(c.cmd, CMD_UPDATE);
	OK(&c, "delete", "--help");
	assert_true(c.help);
	/* Help needs nothing else the command would need. */
	OK(&c, "get", "-h");
	OK(&c, "--version");
	assert_true(c.version);
	OK(&c, "list", "--version");
	assert_true(c.version);
}

static void test_args_tuple_and_whole_tuple(void **state)
{
	struct cli c;
	struct in_addr a;

	(void)state;
	OK(&c, "get", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2",
	   "--sport", "1000", "--dport", "80");
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.proto, IPPROTO_TCP);
	inet_pton(AF_INET, "10.0.0.1", &a);
	assert_memory_equal(&c.orig.src.addr.in, &a, sizeof(a));
	assert_int_equal(c.orig.sport, 1000);
	assert_int_equal(c.orig.dport, 80);
	assert_int_equal(cli_whole_tuple(&c), CTNL_ATTR_ORIG);
	assert_false(cli_has_other_criteria(&c));

	/* Long aliases as conntrack spells them. */
	OK(&c, "get", "--proto", "udp", "--orig-src", "fd00::1", "--orig-dst",
	   "fd00::2", "--orig-port-src", "5", "--orig-port-dst", "6", "-w",
	   "7");
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(c.zone, 7);
	assert_int_equal(cli_whole_tuple(&c), CTNL_ATTR_ORIG);

	/* The reply direction names an entry too. */
	OK(&c, "get", "-p", "udp", "-r", "10.0.0.2", "-q", "10.0.0.1",
	   "--reply-port-src", "53", "--reply-port-dst", "4000");
	assert_int_equal(cli_whole_tuple(&c), CTNL_ATTR_REPLY);

	/* ICMP: type, code and id complete the tuple. */
	OK(&c, "get", "-p", "icmp", "-s", "10.0.0.1", "-d", "10.0.0.2",
	   "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "77");
	assert_int_equal(cli_whole_tuple(&c), CTNL_ATTR_ORIG);
	assert_int_equal(c.icmp_type, 8);
	assert_int_equal(c.icmp_id, 77);
	OK(&c, "get", "-p", "icmpv6", "-s", "fd00::1", "-d", "fd00::2",
	   "--icmpv6-type", "128", "--icmpv6-code", "0", "--icmpv6-id", "1");
	assert_int_equal(c.proto, IPPROTO_ICMPV6);

	/* A partial tuple selects by filter. */
	OK(&c, "delete", "-p", "tcp", "--dport", "80");
	assert_int_equal(cli_whole_tuple(&c), 0);
	assert_true(cli_has_other_criteria(&c));
	/* So does a whole tuple with more criteria. */
	OK(&c, "delete", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2",
	   "--sport", "1", "--dport", "2", "-m", "5");
	assert_int_equal(cli_whole_tuple(&c), CTNL_ATTR_ORIG);
	assert_true(cli_has_other_criteria(&c));
	/* For update, -m is the new value, not a criterion. */
	OK(&c, "update", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2",
	   "--sport", "1", "--dport", "2", "-m", "5");
	assert_false(cli_has_other_criteria(&c));
}

static void test_args_prefixes_select_only(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "list", "-s", "10.1.0.0/16", "-d", "10.2.3.0/24");
	assert_int_equal(c.orig.src.len, 16);
	assert_int_equal(c.orig.dst.len, 24);
	OK(&c, "list", "-r", "fd00::/8");
	assert_int_equal(c.reply.src.len, 8);
	BAD("an IPv6 address where the others are IPv4", "list", "-s",
	    "10.1.0.0/16", "-d", "fd00::1");
	OK(&c, "list", "-s", "10.1.2.3/32");
	assert_int_equal(c.orig.src.len, 0);	/* the whole address */
	OK(&c, "list", "-s", "10.0.0.0/0");
	assert_false(c.orig.src.set);
	BAD("-s: '33' is not a prefix length (0-32)", "list", "-s",
	    "10.0.0.0/33");
	BAD("-s: takes an address, not a prefix", "get", "-p", "udp", "-s",
	    "10.0.0.0/8", "-d", "10.0.0.2", "--sport", "1", "--dport", "2");
	/* A prefix, even with the rest of a tuple, names no one entry:
	 * update and delete select by filter. */
	OK(&c, "delete", "-p", "udp", "-s", "10.0.0.0/8", "-d", "10.0.0.2",
	   "--sport", "1", "--dport", "2");
	assert_int_equal(cli_whole_tuple(&c), 0);
	OK(&c, "delete", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.0/31",
	   "--sport", "1", "--dport", "2");
	assert_int_equal(cli_whole_tuple(&c), 0);
}

static void test_args_marks_states_status_events(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "list", "-m", "0x10/0xf0");
	assert_int_equal(c.mark, 0x10);
	assert_int_equal(c.mark_mask, 0xf0);
	OK(&c, "list", "--mark", "42");
	assert_int_equal(c.mark_mask, UINT32_MAX);
	OK(&c, "list", "-m", "0XfFfFfFfF/010");
	assert_int_equal(c.mark, UINT32_MAX);
	assert_int_equal(c.mark_mask, 10);	/* decimal, not octal */
	OK(&c, "list", "-p", "tcp", "--dport", "65535");
	assert_int_equal(c.orig.dport, 65535);
	OK(&c, "list", "-p", "tcp", "--state", "established");
	assert_int_equal(c.state, CTNL_TCP_ESTABLISHED);
	OK(&c, "list", "-p", "sctp", "--state", "COOKIE_WAIT");
	assert_int_equal(c.state, SCTP_CONNTRACK_COOKIE_WAIT);
	OK(&c, "list", "-u", "ASSURED,SEEN_REPLY");
	assert_int_equal(c.status,
			 CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY);
	OK(&c, "list", "-u", "UNSET");
	assert_int_equal(c.status, 0);
	assert_true(c.given & G_STATUS);
	OK(&c, "events", "-e", "NEW,DESTROY", "--limit", "3");
	assert_int_equal(c.events, CTNL_EVENT_NEW | CTNL_EVENT_DESTROY);
	assert_int_equal(c.limit, 3);
	OK(&c, "events", "-b", "16777216");
	assert_int_equal(c.buffer_size, 16777216);
	OK(&c, "events", "--table", "expect", "--buffer-size", "1");
	assert_int_equal(c.buffer_size, 1);
	OK(&c, "events", "-e", "all");
	assert_int_equal(c.events, CTNL_EVENT_NEW | CTNL_EVENT_UPDATE |
					   CTNL_EVENT_DESTROY);
	OK(&c, "update", "-t", "120", "-u", "ASSURED");
	assert_int_equal(c.timeout, 120);
}

static void test_args_labels_by_number_and_name(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "update", "--label-add", "1,web,127", "--label-del", "client");
	assert_int_equal(c.label_add.count, 3);
	assert_null(c.label_add.item[0].name);
	assert_int_equal(c.label_add.item[0].bit, 1);
	assert_int_equal(c.label_add.item[1].name_len, 3);
	assert_memory_equal(c.label_add.item[1].name, "web", 3);
	assert_int_equal(c.label_add.item[2].bit, 127);
	assert_int_equal(c.label_del.item[0].name_len, 6);
	OK(&c, "list", "-l", "3");
	assert_int_equal(c.label.count, 1);
	BAD("--label-add: label '128' is not a number 0-127", "update",
	    "--label-add", "128");
	BAD("--label-add: label '1x' is not a number", "update",
	    "--label-add", "1x");
	BAD("-l: '1,,2' is not a comma-separated list", "list", "-l", "1,,2");
}

static void test_args_create(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "create", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2",
	   "--sport", "1", "--dport", "2", "-t", "60", "--state",
	   "SYN_SENT", "-m", "7", "--orig-zone", "3", "--label-add", "1");
	assert_int_equal(c.timeout, 60);
	assert_int_equal(c.orig_zone, 3);
	BAD("create: needs -t/--timeout", "create", "-p", "udp", "-s",
	    "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2");
	BAD("create: needs the original tuple", "create", "-p", "udp", "-s",
	    "10.0.0.1", "-t", "5");
	BAD("create: a reply tuple needs", "create", "-p", "udp", "-s",
	    "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2",
	    "-t", "5", "-r", "10.0.0.2");
	BAD("--mark: create sets the whole mark", "create", "-p", "udp", "-s",
	    "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2",
	    "-t", "5", "-m", "1/3");
	BAD("-w: give either --zone or --orig-zone", "create", "-p", "udp",
	    "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport",
	    "2", "-t", "5", "-w", "1", "--orig-zone", "2");
}

static void test_args_expectations(void **state)
{
	struct cli c;

	(void)state;
	OK(&c, "list", "--table", "expect", "-f", "ipv6");
	assert_int_equal(c.table, CTNL_TABLE_EXPECT);
	OK(&c, "create", "--table", "expect", "-p", "tcp", "-s", "10.0.0.1",
	   "-d", "10.0.0.2", "--sport", "4000", "--dport", "21",
	   "--tuple-src", "10.0.0.2", "--tuple-dst", "10.0.0.1",
	   "--tuple-port-src", "0", "--tuple-port-dst", "5000", "--mask-src",
	   "255.255.255.255", "--mask-dst", "255.255.255.255",
	   "--mask-port-src", "0", "--mask-port-dst", "65535", "-t", "30",
	   "--helper", "ftp");
	assert_string_equal(c.helper, "ftp");
	assert_int_equal(c.exp_tuple.dport, 5000);
	OK(&c, "delete", "--table", "expect", "-p", "tcp", "--tuple-src",
	   "10.0.0.2", "--tuple-dst", "10.0.0.1", "--tuple-port-src", "0",
	   "--tuple-port-dst", "5000");
	BAD("list --table expect: only -f selects", "list", "--table",
	    "expect", "-p", "tcp");
	BAD("-e: expectations have NEW and DESTROY events only", "events",
	    "--table", "expect", "-e", "UPDATE");
	BAD("delete --table expect: needs the expected tuple", "delete",
	    "--table", "expect", "-p", "tcp");
	BAD("--table: does not apply to update", "update", "--table",
	    "expect", "-m", "1");
	BAD("--tuple-src: does not apply to list", "list", "--tuple-src",
	    "10.0.0.1");
	BAD("--tuple-* and --mask-* options apply to --table expect", "get",
	    "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1",
	    "--dport", "2", "--tuple-src", "10.0.0.1");
	BAD("--table: unknown table 'foo'", "list", "--table", "foo");
	BAD("-f: the kernel empties the expectations of every family",
	    "flush", "--table", "expect", "-f", "ipv4");
	OK(&c, "flush", "--table", "expect");
}

/* Every bad argument: status 2, a message that names it and the
 * problem. */
static void test_args_bad_arguments_name_themselves(void **state)
{
	(void)state;
	BAD("no command given", "-o", "json");
	BAD("unknown command 'lsit'", "lsit");
	BAD("unexpected argument 'extra'", "list", "extra");
	BAD("unknown option '--frobnicate'", "list", "--frobnicate");
	BAD("unknown option '-Z'", "list", "-Z");
	BAD("-p: needs a value (PROTO)", "list", "-p");
	BAD("-p: unknown protocol 'tcpp'", "list", "-p", "tcpp");
	BAD("-p: unknown protocol '256'", "list", "-p", "256");
	BAD("-f: unknown family 'ipv5'", "list", "-f", "ipv5");
	BAD("-s: 'nonsense' is not an IPv4 or IPv6 address", "list", "-s",
	    "nonsense");
	BAD("-s: given twice", "list", "-s", "10.0.0.1", "-s", "10.0.0.2");
	BAD("-d: an IPv6 address where the others are IPv4", "list", "-s",
	    "10.0.0.1", "-d", "::1");
	BAD("-f: an IPv4 address where the others are IPv6", "list", "-s",
	    "::1", "-f", "ipv4");
	BAD("--sport: 'http' is not a port number (0-65535)", "list", "-p",
	    "tcp", "--sport", "http");
	BAD("--dport: '65536' is not a port number", "list", "-p", "tcp",
	    "--dport", "65536");
	BAD("--sport: '-1' is not a port number", "list", "-p", "tcp",
	    "--sport", "-1");
	BAD("--sport: needs -p with a protocol that has ports", "list",
	    "--sport", "80");
	BAD("--dport: needs -p with a protocol that has ports", "list", "-p",
	    "icmp", "--dport", "80");
	BAD("--icmp-type: needs -p icmp or -p icmpv6", "list", "-p", "tcp",
	    "--icmp-type", "8");
	BAD("--icmp-type: '300' is not an ICMP type", "list", "-p", "icmp",
	    "--icmp-type", "300");
	BAD("-p: icmp does not go with IPv6 addresses", "list", "-p", "icmp",
	    "-s", "::1");
	BAD("-m: '0x1/zz' is not a mark", "list", "-m", "0x1/zz");
	BAD("-m: '4294967296' is not a mark", "list", "-m", "4294967296");
	BAD("--mark: '' is not a mark", "list", "--mark=");
	BAD("-m: '0x' is not a mark", "list", "-m", "0x");
	BAD("-m: ' 1' is not a mark", "list", "-m", " 1");
	BAD("--sport: '0x50' is not a port number", "list", "-p", "tcp",
	    "--sport", "0x50");
	BAD("-t: '99999999999999999999' is not a number of seconds", "update",
	    "-t", "99999999999999999999");
	BAD("-w: 'z' is not a zone", "list", "-w", "z");
	BAD("--state: needs -p tcp or -p sctp", "list", "--state",
	    "ESTABLISHED");
	BAD("--state: unknown TCP state 'OPEN'", "list", "-p", "tcp",
	    "--state", "OPEN");
	BAD("-u: unknown status flag 'SLEEPY'", "list", "-u", "SLEEPY");
	BAD("-e: unknown event 'BIRTH'", "events", "-e", "BIRTH");
	BAD("--limit: give at least 1", "events", "--limit", "0");
	BAD("--buffer-size: give at least 1", "events", "--buffer-size", "0");
	BAD("-b: '2147483648' is not a size in bytes (0-2147483647)", "events",
	    "-b", "2147483648");
	BAD("-t: 'soon' is not a number of seconds", "update", "-t", "soon");
	BAD("-o: unknown output 'xml'", "list", "-o", "xml");
	BAD("-o: give one format, text or json", "list", "-o", "text,json");
	BAD("-o: labels, id and extended apply to text output", "list", "-o",
	    "json,labels");
	BAD("--netns: an empty name", "list", "--netns", "");
	BAD("--help: takes no value", "list", "--help=yes");
	BAD("-p: give it after the command", "-p", "tcp");
	BAD("-t: does not apply to list", "list", "-t", "5");
	BAD("--label-del: does not apply to create", "create",
	    "--label-del", "1");
	BAD("update: nothing to change", "update", "-p", "tcp");
	BAD("delete: select entries", "delete");
	BAD("get: needs a whole tuple", "get", "-p", "tcp", "-s", "10.0.0.1");
	BAD("--helper: a helper name is 1-15 characters", "create", "--table",
	    "expect", "--helper", "a-name-much-too-long");
}

/* The parser leaves nothing outside *out and is a pure function of
 * argv: the same words give the same result. */
static void test_args_parse_is_repeatable(void **state)
{
	struct cli a, b;

	(void)state;
	OK(&a, "update", "-p", "udp", "--dport", "53", "--label-add", "1,x");
	OK(&b, "update", "-p", "udp", "--dport", "53", "--label-add", "1,x");
	assert_int_equal(a.cmd, b.cmd);
	assert_int_equal(a.given, b.given);
	assert_int_equal(a.label_add.count, b.label_add.count);
	assert_int_equal(cli_parse(0, NULL, &a, err, sizeof(err)),
			 CLI_EXIT_USAGE);
	assert_int_equal(cli_parse(1, (char *[]){ "ctnl" }, &a, NULL, 0),
			 CLI_EXIT_USAGE);
}

/* Help is made from the table: every option of a command is in its
 * help. */
static void test_args_help_lists_each_commands_options(void **state)
{
	(void)state;
	for (int cmd = CMD_NONE; cmd < CMD_MAX; cmd++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		struct cli c = { .cmd = (enum cli_cmd)cmd };

		assert_non_null(f);
		cli_help(f, &c);
		fclose(f);
		for (const struct cli_option *o = cli_options; o->long_name;
		     o++) {
			char want[64];

			if (!(o->commands & (cmd == CMD_NONE ? 1u
							     : 1u << cmd)))
				continue;
			snprintf(want, sizeof(want), "--%s", o->long_name);
			if (!strstr(text, want))
				fail_msg("help of %s lacks %s",
					 cmd == CMD_NONE
						 ? "ctnl"
						 : cli_cmd_name((enum cli_cmd)cmd),
					 want);
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_commands_and_globals_anywhere),
		cmocka_unit_test(test_args_help_and_version),
		cmocka_unit_test(test_args_tuple_and_whole_tuple),
		cmocka_unit_test(test_args_prefixes_select_only),
		cmocka_unit_test(test_args_marks_states_status_events),
		cmocka_unit_test(test_args_labels_by_number_and_name),
		cmocka_unit_test(test_args_create),
		cmocka_unit_test(test_args_expectations),
		cmocka_unit_test(test_args_bad_arguments_name_themselves),
		cmocka_unit_test(test_args_parse_is_repeatable),
		cmocka_unit_test(test_args_help_lists_each_commands_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
