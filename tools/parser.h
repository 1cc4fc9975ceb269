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

/* Clears @c for a parse in @syntax: every field but the items of the
 * label lists past their (zero) counts, 9 KiB nothing reads, which -R
 * would otherwise clear once a line. */
void cli_reset(struct cli *c, enum cli_syntax syntax);

/* p->opt_name = "-" (@is_long: "--") and the @len bytes of @name (cut
 * to fit), and p->opt_text = p->opt_name. */
void parser_set_opt(struct parser *p, bool is_long, const char *name,
		    size_t len);

/* Writes the message into p->err; returns CLI_EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int parser_fail(struct parser *p, const char *fmt, ...);

/* ---- values.c: reading one value; each says what is wrong ---- */

/* How a number may be written: decimal; decimal or 0x hex; or as C
 * writes it (0x hex, 0 octal, else decimal), as conntrack reads some. */
enum num_base {
	NUM_DEC = 0,
	NUM_HEX,
	NUM_C,
};

/*
 * An unsigned number in [0, max] written as @nb allows. Digits only, no
 * sign, no blanks; by hand, so the parse touches nothing (not even
 * errno). 0, -EINVAL or -ERANGE.
 */
int parse_number(const char *text, uint64_t max, enum num_base nb,
		 uint64_t *out);

/* A number, refused with "OPTION: 'TEXT' is not WHAT (0-MAX)". */
int parse_uint(struct parser *p, const char *text, uint64_t max,
	       enum num_base nb, const char *what, uint64_t *out);

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

/* ---- options.c: what options do with their values ---- */

/* The field a row sets, in the command line being parsed. */
#define AT(p, o, type) ((type *)((char *)(p)->c + (o)->field))

/* The generic appliers: each finds its field from the row. */
int opt_flag(struct parser *p, const struct cli_option *o, const char *v);
int opt_number(struct parser *p, const struct cli_option *o,
	       const char *v);
int opt_addr(struct parser *p, const struct cli_option *o, const char *v);
int opt_port(struct parser *p, const struct cli_option *o, const char *v);
int opt_netns(struct parser *p, const struct cli_option *o, const char *v);
int opt_state(struct parser *p, const struct cli_option *o, const char *v);
int opt_labels(struct parser *p, const struct cli_option *o,
	       const char *v);

/* Rows of an option table, by what they set. */
#define FIELD(f) .field = offsetof(struct cli, f)
#define FLAG(f) .apply = opt_flag, FIELD(f)
#define VALUE(f, m, w) FIELD(f), .width = sizeof(((struct cli *)0)->f),    \
	.max = (m), .what = (w)
#define NUMBER(f, m, w) .apply = opt_number, VALUE(f, m, w)
#define PORT(dir, which) .apply = opt_port,                                  \
	VALUE(dir.which, UINT16_MAX, "a port number"),                       \
	.flag = offsetof(struct cli, dir.has_##which)
#define ADDR(f) .apply = opt_addr, FIELD(f)
#define LABELS(f) .apply = opt_labels, FIELD(f)

/* ---- check.c ---- */

/* Judges a whole command line once every option is read. */
int check_cli(struct parser *p);
/* --state, read now that -p is known. */
int check_state(struct parser *p);
/* Ports and ICMP fields need a protocol that has them. */
int check_l4(struct parser *p);

/* ---- compat.c: conntrack's command line ---- */

/* Whether argv is in conntrack's syntax: it has one of its commands. */
bool compat_detect(int argc, char *const argv[]);
/* cli_parse() for conntrack's syntax. */
int compat_parse(int argc, char *const argv[], struct cli *out, char *err,
		 size_t errsize);

#endif /* CTNL_TOOLS_PARSER_H */
