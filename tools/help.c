/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's help, made from the option table in options.c. The man page
 * (tools/ctnl.1) is checked against the same table by a test.
 */
#include <string.h>

#include "cli.h"

#define WIDTH 79
#define INDENT 29

/* Writes @text from column INDENT, wrapped at WIDTH. */
static void wrap(FILE *f, const char *text)
{
	const char *s = text;
	int col = INDENT;

	while (*s) {
		size_t word = strcspn(s, " ");

		if (col > INDENT && col + 1 + (int)word > WIDTH) {
			fprintf(f, "\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)word, s);
		col += (int)word;
		s += word;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

static void option(FILE *f, const struct cli_option *o)
{
	int len;

	if (o->short_name)
		len = fprintf(f, "  -%c, --%s%s%s", o->short_name,
			      o->long_name, o->arg ? " " : "",
			      o->arg ? o->arg : "");
	else
		len = fprintf(f, "  --%s%s%s", o->long_name, o->arg ? " " : "",
			      o->arg ? o->arg : "");
	if (len + 1 >= INDENT)
		fprintf(f, "\n%*s", INDENT, "");
	else
		fprintf(f, "%*s", INDENT - len, "");
	wrap(f, o->help);
	if (o->alias)
		fprintf(f, "%*s(also --%s)\n", INDENT, "", o->alias);
}

static void tool_help(FILE *f)
{
	fputs("Usage: ctnl [--netns NAME|PATH] [-o FORMAT] COMMAND [OPTIONS]\n"
	      "\n"
	      "The Linux conntrack table over netlink, with libctnl. Entries "
	      "print the way\n"
	      "'conntrack -L' prints them; options are named as conntrack "
	      "names them.\n"
	      "\n"
	      "Commands:\n", f);
	for (int cmd = CMD_NONE + 1; cmd < CMD_MAX; cmd++)
		fprintf(f, "  %-8s %s\n", cli_cmd_name((enum cli_cmd)cmd),
			cli_cmd_summary[cmd]);
	fputs("\nOptions (before or after the command):\n", f);
	for (const struct cli_option *o = cli_options; o->long_name; o++)
		if (o->commands & 1u)
			option(f, o);
	fputs("\nRun 'ctnl COMMAND --help' for a command's options; see "
	      "ctnl(1).\n"
	      "Exit status: 0 done, 1 the kernel refused or there is no such "
	      "entry,\n"
	      "2 a bad argument (and nothing was changed).\n", f);
}

/* conntrack's command line, from its option table (compat.c). */
static void conntrack_help(FILE *f)
{
	fputs("Usage: ctnl -L|-G|-D|-I|-A|-U|-E|-F|-C|-S [TABLE] [OPTIONS]\n"
	      "       ctnl -R FILE\n"
	      "\n"
	      "conntrack's command line (as conntrack-tools 1.4.7 reads it), "
	      "over libctnl:\n"
	      "the same output, summaries and exit statuses. Tables: "
	      "conntrack (the\n"
	      "default), expect, dying, unconfirmed. Long options may be "
	      "cut short.\n"
	      "\n"
	      "Commands and options:\n", f);
	for (const struct cli_option *o = compat_options; o->long_name; o++)
		option(f, o);
	fputs("\nSee ctnl(1), which says where ctnl and conntrack 1.4.7 "
	      "differ.\n", f);
}

void cli_help(FILE *f, const struct cli *c)
{
	enum cli_cmd cmd = c->cmd;
	const char *name = cli_cmd_name(cmd);

	if (c->syntax == SYNTAX_CONNTRACK) {
		conntrack_help(f);
		return;
	}
	if (!name) {
		tool_help(f);
		return;
	}
	fprintf(f, "Usage: ctnl %s [OPTIONS]\n\n", name);
	fprintf(f, "%c%s.\n\nOptions:\n", cli_cmd_summary[cmd][0] - 'a' + 'A',
		cli_cmd_summary[cmd] + 1);
	for (const struct cli_option *o = cli_options; o->long_name; o++)
		if (o->commands & (1u << cmd))
			option(f, o);
	fputs("\nSee ctnl(1) for more.\n", f);
}
