/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The man page cannot drift from the tool: every option and alias in the
 * option table (which the help is made from) is in tools/ctnl.1, every
 * option the page names is in the table, every command has its entry, and
 * every field the JSON output can hold is documented.
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
#include "json.h"

static char *page;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

static int setup(void **state)
{
	(void)state;
	page = read_file(CTNL_TOOL_MAN);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(page);
	return 0;
}

/* "--label-add" as roff writes it: "\-\-label\-add". */
static void roff_option(char *out, size_t size, const char *dashes,
			const char *name)
{
	size_t n = 0;

	for (const char *s = dashes; *s && n + 3 < size; s++) {
		out[n++] = '\\';
		out[n++] = '-';
	}
	for (const char *s = name; *s && n + 3 < size; s++) {
		if (*s == '-')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n] = '\0';
}

static bool known_in(const struct cli_option *table, const char *name)
{
	for (const struct cli_option *o = table; o->long_name; o++)
		if (strcmp(o->long_name, name) == 0 ||
		    (o->alias && strcmp(o->alias, name) == 0))
			return true;
	return false;
}

static bool known_long_option(const char *name)
{
	return known_in(cli_options, name) || known_in(compat_options, name);
}

static void check_documented(const struct cli_option *table)
{
	char want[96];

	for (const struct cli_option *o = table; o->long_name; o++) {
		roff_option(want, sizeof(want), "--", o->long_name);
		if (!strstr(page, want))
			fail_msg("ctnl.1 does not document --%s", o->long_name);
		if (o->alias) {
			roff_option(want, sizeof(want), "--", o->alias);
			if (!strstr(page, want))
				fail_msg("ctnl.1 does not name --%s", o->alias);
		}
		if (o->short_name) {
			snprintf(want, sizeof(want), ".BI \\-%c ",
				 o->short_name);
			if (!strstr(page, want)) {
				snprintf(want, sizeof(want), ".BR \\-%c ",
					 o->short_name);
				if (!strstr(page, want))
					fail_msg("ctnl.1 has no entry for -%c",
						 o->short_name);
			}
		}
	}
}

/* ctnl's own options and conntrack's, every name and alias. */
static void test_man_documents_every_option(void **state)
{
	(void)state;
	check_documented(cli_options);
	check_documented(compat_options);
}

/* Every --option the page names is one the tool has. */
static void test_man_names_no_unknown_option(void **state)
{
	(void)state;
	for (const char *s = strstr(page, "\\-\\-"); s;
	     s = strstr(s, "\\-\\-")) {
		char name[64];
		size_t n = 0;

		s += 4;
		while (n + 1 < sizeof(name)) {
			if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) {
				name[n++] = *s++;
			} else if (s[0] == '\\' && s[1] == '-') {
				name[n++] = '-';
				s += 2;
			} else {
				break;
			}
		}
		name[n] = '\0';
		if (!known_long_option(name))
			fail_msg("ctnl.1 names --%s, which ctnl does not have",
				 name);
	}
}

static void test_man_documents_every_command(void **state)
{
	const char *commands = strstr(page, "\n.SH COMMANDS\n");
	const char *options = strstr(page, "\n.SH OPTIONS\n");

	(void)state;
	assert_non_null(commands);
	assert_non_null(options);
	for (int cmd = CMD_NONE + 1; cmd < CMD_MAX; cmd++) {
		char want[32];
		const char *at;

		snprintf(want, sizeof(want), "\n.TP\n.B %s\n",
			 cli_cmd_name((enum cli_cmd)cmd));
		at = strstr(commands, want);
		if (!at || at > options)
			fail_msg("ctnl.1 has no COMMANDS entry for %s",
				 cli_cmd_name((enum cli_cmd)cmd));
	}
}

/* Whether @word is in @text as a whole word. */
static bool has_word(const char *text, const char *end, const char *word)
{
	size_t len = strlen(word);

	for (const char *s = strstr(text, word); s && s < end;
	     s = strstr(s + 1, word)) {
		char before = s > text ? s[-1] : ' ';
		char after = s[len];

		if ((before == ' ' || before == 'B' || before == '"') &&
		    !(after == '_' || (after >= 'a' && after <= 'z')))
			return true;
	}
	return false;
}

/* Checks that every "key": in @json is documented in the JSON section. */
static void check_keys(const char *json)
{
	const char *section = strstr(page, "\n.SH JSON OUTPUT\n");
	const char *end = section ? strstr(section + 1, "\n.SH ") : NULL;

	assert_non_null(section);
	assert_non_null(end);
	for (const char *s = strchr(json, '"'); s; s = strchr(s + 1, '"')) {
		const char *close = strchr(s + 1, '"');
		char key[64];

		if (!close || close[1] != ':')
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(close - s - 1), s + 1);
		if (!has_word(section, end, key))
			fail_msg("ctnl.1 does not document the JSON field %s",
				 key);
		s = close;
	}
}

static char *capture_flow(const struct ctnl_flow *f, unsigned int event,
			  const char *const *names)
{
	struct textbuf b = { 0 };
	struct json_event ev = { .type = event, .portid = 7,
				 .progname = "prog" };

	json_flow(&b, f, event ? &ev : NULL, names, 1000);
	tb_char(&b, '\0');
	assert_false(b.failed);
	return b.p;
}

static struct ctnl_tuple tuple(uint8_t proto)
{
	struct ctnl_tuple t = { .family = AF_INET, .proto = proto };

	inet_pton(AF_INET, "10.0.0.1", &t.src);
	inet_pton(AF_INET, "10.0.0.2", &t.dst);
	return t;
}

/* Flows with every attribute the model holds, of each kind of tuple. */
static void test_man_documents_every_json_field(void **state)
{
	static const char *const names[CTNL_LABEL_BITS] = { [1] = "one" };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_SCTP,
					  IPPROTO_DCCP, IPPROTO_GRE,
					  IPPROTO_ICMP, 253 };
	struct ctnl_expect e = { .attrs = UINT64_MAX };
	struct textbuf b = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(protos); i++) {
		struct ctnl_flow f = { .attrs = UINT64_MAX, .status = UINT32_MAX,
				       .start = 1, .stop = 2 };
		char *json;

		f.orig = f.reply = tuple(protos[i]);
		ctnl_labels_set(&f.labels, 1);
		json = capture_flow(&f, CTNL_EVENT_NEW, names);
		check_keys(json);
		free(json);
		/* Zones of one direction each. */
		f.orig.zone = 1;
		json = capture_flow(&f, 0, NULL);
		check_keys(json);
		free(json);
	}

	e.tuple = e.mask = e.master = e.nat_tuple = tuple(IPPROTO_TCP);
	e.flags = UINT32_MAX;
	json_expect(&b, &e, &(struct json_event){ .type = CTNL_EVENT_EXP_NEW,
						  .portid = 7,
						  .progname = "prog" });
	tb_char(&b, '\0');
	check_keys(b.p);
	tb_free(&b);
}

/* Strings are escaped as JSON needs, runs of plain bytes copied whole. */
static void test_json_string_escapes(void **state)
{
	struct textbuf b = { 0 };

	(void)state;
	json_string(&b, "plain");
	json_string(&b, "a\"b\\c\nd\te\x01\x7f\xc3\xa9");
	json_string(&b, "");
	tb_char(&b, '\0');
	assert_string_equal(b.p, "\"plain\"\"a\\\"b\\\\c\\nd\\te"
				 "\\u0001\\u007f\xc3\xa9\"\"\"");
	tb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_documents_every_option),
		cmocka_unit_test(test_man_names_no_unknown_option),
		cmocka_unit_test(test_man_documents_every_command),
		cmocka_unit_test(test_man_documents_every_json_field),
		cmocka_unit_test(test_json_string_escapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
