/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing ctnl's command line. Pure: argv in, struct cli out, or one line
 * saying which argument is wrong and why. Walks argv only: what each
 * option means is in the option table (options.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "parser.h"

int parser_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->errsize) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errsize, fmt, ap);
		va_end(ap);
	}
	return CLI_EXIT_USAGE;
}

/* The command word: the first argument that is neither an option nor an
 * option's value. */
static int find_command_word(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		const struct cli_option *o;
		const char *value;
		bool applies;

		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? i + 1 : 0;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			return i;
		o = options_find(argv[i], CMD_NONE, &value, &applies);
		if (o && o->arg && !value)
			i++;
	}
	return 0;
}

/* Whether row @o may be given here, else the message. */
static int check_applies(struct parser *p, const struct cli_option *o,
			 bool applies)
{
	if (!o)
		return parser_fail(p, "unknown option '%s'", p->opt_name);
	if (!applies) {
		if (p->c->cmd == CMD_NONE)
			return parser_fail(p, "%s: give it after the command",
					   p->opt_name);
		return parser_fail(p, "%s: does not apply to %s", p->opt_name,
				   cli_cmd_name(p->c->cmd));
	}
	return 0;
}

/* Reads the option at argv[*i] (and its value, which may be the next
 * argument) and applies it. */
static int one_option(struct parser *p, int argc, char *const argv[], int *i)
{
	const char *arg = argv[*i], *value;
	const struct cli_option *o;
	bool applies;

	o = options_find(arg, p->c->cmd, &value, &applies);
	/* Messages name the option as given, without its value. */
	snprintf(p->opt_name, sizeof(p->opt_name), "%.*s",
		 arg[1] == '-' ? (int)strcspn(arg, "=") : 2, arg);
	p->opt_text = p->opt_name;
	if (check_applies(p, o, applies))
		return CLI_EXIT_USAGE;
	if (!o->arg && value)
		return parser_fail(p, "%s: takes no value", p->opt_name);
	if (o->arg && !value) {
		if (*i + 1 >= argc)
			return parser_fail(p, "%s: needs a value (%s)",
					   p->opt_name, o->arg);
		value = argv[++*i];
	}
	p->c->given |= o->given;
	return o->apply(p, o, value ? value : "");
}

/* Invoked as `conntrack` (a link to ctnl), conntrack's syntax only. */
static bool named_conntrack(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	return argv0 && strcmp(slash ? slash + 1 : argv0, "conntrack") == 0;
}

void cli_reset(struct cli *c, enum cli_syntax syntax)
{
	size_t end = offsetof(struct cli, label_del) + sizeof(c->label_del);

	_Static_assert(offsetof(struct cli, label_del) ==
			       offsetof(struct cli, label) +
				       2 * sizeof(struct cli_labels),
		       "the three label lists follow each other");
	memset(c, 0, offsetof(struct cli, label));
	c->label.count = c->label_add.count = c->label_del.count = 0;
	memset((char *)c + end, 0, sizeof(*c) - end);
	c->mark_mask = UINT32_MAX;
	c->syntax = syntax;
}

void parser_set_opt(struct parser *p, bool is_long, const char *name,
		    size_t len)
{
	char *o = p->opt_name;

	*o++ = '-';
	if (is_long)
		*o++ = '-';
	if (len > sizeof(p->opt_name) - 3)
		len = sizeof(p->opt_name) - 3;
	for (size_t i = 0; i < len; i++)
		o[i] = name[i];
	o[len] = '\0';
	p->opt_text = p->opt_name;
}

int cli_parse(int argc, char *const argv[], struct cli *out, char *err,
	      size_t errsize)
{
	struct parser p = { .c = out, .err = err, .errsize = errsize };
	bool dashdash = false;
	int word;

	cli_reset(out, SYNTAX_CTNL);
	if (errsize)
		err[0] = '\0';
	if (argc < 1 || !argv)
		return parser_fail(&p, "no command given");
	if (named_conntrack(argv[0]) || compat_detect(argc, argv))
		return compat_parse(argc, argv, out, err, errsize);
	word = find_command_word(argc, argv);
	if (word) {
		out->cmd = options_command(argv[word]);
		if (out->cmd == CMD_NONE)
			return parser_fail(&p, "unknown command '%s' (list, get, "
					       "create, update, delete, flush, "
					       "count, stats, events)",
					   argv[word]);
	}

	for (int i = 1; i < argc; i++) {
		if (i == word)
			continue;
		if (dashdash || argv[i][0] != '-' || argv[i][1] == '\0')
			return parser_fail(&p, "unexpected argument '%s'",
					   argv[i]);
		if (strcmp(argv[i], "--") == 0) {
			dashdash = true;
			continue;
		}
		if (one_option(&p, argc, argv, &i))
			return CLI_EXIT_USAGE;
	}
	if (out->help || out->version)
		return 0;
	if (out->cmd == CMD_NONE)
		return parser_fail(&p, "no command given (list, get, create, "
				       "update, delete, flush, count, stats, "
				       "events)");
	return check_cli(&p);
}
