/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parser's own state and helpers, shared by the files that parse:
 * parse.c walks argv, options.c holds the option table and what each
 * option does with its value, values.c reads the values, check.c judges
 * the whole once everything is read.
 */
#ifndef CTNL_TOOLS_PARSER_H
#define CTNL_TOOLS_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

struct parser {
	struct cli *c;
	char *err;
	size_t errsize;
	const char *state_text;	/* --state, parsed once -p is known */
	const char *opt_text;	/* the option being parsed, as given */
	char opt_name[64];	/* ... without an attached value */
};

/* Writes the message into p->err; returns CLI_EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int parser_fail(struct parser *p, const char *fmt, ...);

/* ---- values.c: reading one value; each says what is wrong ---- */

/*
 * An unsigned number in [0, max]: decimal, or 0x hex where @any_base.
 * Digits only, no sign, no blanks; by hand, so the parse touches nothing
 * (not even errno). 0, -EINVAL or -ERANGE.
 */
int parse_number(const char *text, uint64_t max, bool any_base,
		 uint64_t *out);

/* A number, refused with "OPTION: 'TEXT' is not WHAT (0-MAX)". */
int parse_uint(struct parser *p, const char *text, uint64_t max,
	       bool any_base, const char *what, uint64_t *out);

/* An address, or with @prefix_ok a prefix (ADDR/LEN); it sets the
 * family, which every address shares. */
int parse_addr(struct parser *p, const char *text, bool prefix_ok,
	       struct cli_addr *out);
int parse_proto(struct parser *p, const char *text);
int parse_family(struct parser *p, const char *text);
int parse_mark(struct parser *p, const char *text);
int parse_labels(struct parser *p, const char *text, struct cli_labels *out);
int parse_status(struct parser *p, const char *text);
int parse_events(struct parser *p, const char *text);
int parse_output(struct parser *p, const char *text);

/* ---- options.c ---- */

/* The option @arg names ("-p", "--proto", "--proto=tcp", "-ptcp"), in the
 * row that applies to @cmd if there is one, else any row of that name.
 * *@value is set to an attached value, if any. */
const struct cli_option *options_find(const char *arg, enum cli_cmd cmd,
				      const char **value, bool *applies);

/* The command named @word, or CMD_NONE. */
enum cli_cmd options_command(const char *word);

/* ---- check.c ---- */

/* Judges a whole command line once every option is read. */
int check_cli(struct parser *p);

#endif /* CTNL_TOOLS_PARSER_H */
