/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing ctnl's command line. Pure: argv in, struct cli out, or one line
 * saying which argument is wrong and why. Walks argv only: what each
 * option means is in the option table (options.c).
 */
#include <stdarg.h>
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

int cli_parse(int argc, char *const argv[], struct cli *out, char *err,
	      size_t errsize)
{
	struct parser p = { .c = out, .err = err, .errsize = errsize };
	bool dashdash = false;
	int word;

	*out = (struct cli){ .mark_mask = UINT32_MAX };
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
