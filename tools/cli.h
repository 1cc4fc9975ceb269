/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's command line: the parsed form of a command, and the parser.
 *
 * cli_parse() is a pure function of argv: no I/O, no globals, no
 * allocation, nothing kept but pointers into argv. A fuzzer can call it
 * with anything. Label names are kept as text, to be looked up in
 * connlabel.conf when the command runs (see labelmap.h).
 */
#ifndef CTNL_TOOLS_CLI_H
#define CTNL_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ctnl/ctnl.h>

/* Exit statuses. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1		/* the kernel refused, or no such entry */
#define CLI_EXIT_USAGE 2	/* a bad argument: nothing was changed */

enum cli_cmd {
	CMD_NONE = 0,
	CMD_LIST,
	CMD_GET,
	CMD_CREATE,
	CMD_UPDATE,
	CMD_DELETE,
	CMD_FLUSH,
	CMD_COUNT,
	CMD_STATS,
	CMD_EVENTS,
	CMD_MAX,		/* the end of ctnl's own commands */
	/* Only in conntrack's syntax: -A (create, or leave an entry that
	 * exists) and -R (commands from a file). */
	CMD_ADD = CMD_MAX,
	CMD_LOAD,
	CMD_ALL_MAX
};

/* Which command line was given: ctnl's own, or conntrack's. */
enum cli_syntax {
	SYNTAX_CTNL = 0,
	SYNTAX_CONNTRACK,
};

enum cli_output {
	OUT_TEXT = 0,
	OUT_JSON,
};

/* Bits of struct cli.out_flags (-o text,labels,id,extended). */
#define OUT_LABELS	(1u << 0)
#define OUT_ID		(1u << 1)
#define OUT_EXTENDED	(1u << 2)

/* One label as given: a number, or a name to look up. */
struct cli_label {
	const char *name;	/* NULL: by number; else not NUL-terminated */
	size_t name_len;
	unsigned int bit;
};

/* Labels listed in one option (-l, --label-add, --label-del). */
#define CLI_LABELS_MAX CTNL_LABEL_BITS
struct cli_labels {
	size_t count;
	struct cli_label item[CLI_LABELS_MAX];
};

/* An address, optionally a prefix (ADDR/LEN). */
struct cli_addr {
	bool set;
	uint8_t family;
	uint8_t len;		/* 0: the whole address */
	union ctnl_addr addr;
};

/* What was given about one direction of a connection (or about an
 * expectation's tuple, mask or master). */
struct cli_dir {
	struct cli_addr src, dst;
	bool has_sport, has_dport;
	uint16_t sport, dport;
};

/* Bits of struct cli.given: which options appeared. */
enum cli_given {
	G_FAMILY = 1u << 0,
	G_PROTO = 1u << 1,
	G_MARK = 1u << 2,
	G_ZONE = 1u << 3,
	G_ORIG_ZONE = 1u << 4,
	G_REPLY_ZONE = 1u << 5,
	G_STATE = 1u << 6,
	G_STATUS = 1u << 7,
	G_TIMEOUT = 1u << 8,
	G_LABEL = 1u << 9,
	G_LABEL_ADD = 1u << 10,
	G_LABEL_DEL = 1u << 11,
	G_ICMP_TYPE = 1u << 12,
	G_ICMP_CODE = 1u << 13,
	G_ICMP_ID = 1u << 14,
	G_EVENTS = 1u << 15,
	G_LIMIT = 1u << 16,
	G_HELPER = 1u << 17,
	G_TABLE = 1u << 18,
	G_BUFFER_SIZE = 1u << 19,
	/* conntrack's syntax */
	G_ID = 1u << 20,
	G_SECMARK = 1u << 21,
	G_SRC_NAT = 1u << 22,
	G_DST_NAT = 1u << 23,
	G_ANY_NAT = 1u << 24,
	G_ZERO = 1u << 25,
	G_OUTPUT = 1u << 26,
	G_MASK_SRC = 1u << 27,
	G_MASK_DST = 1u << 28,
	G_VTAG = 1u << 29,
	G_ROLE = 1u << 30,
	G_NAT_RANGE = 1u << 31,	/* -a: ignored, said */
};

/* Bits of struct cli.ct_out: conntrack's -o (xml,extended,...). */
#define CT_OUT_XML		(1u << 0)
#define CT_OUT_EXTENDED		(1u << 1)
#define CT_OUT_TIMESTAMP	(1u << 2)
#define CT_OUT_ID		(1u << 3)
#define CT_OUT_KTIMESTAMP	(1u << 4)
#define CT_OUT_LABELS		(1u << 5)
#define CT_OUT_USERSPACE	(1u << 6)
#define CT_OUT_SAVE		(1u << 7)

/* conntrack's tables besides conntrack and expect (struct cli.list). */
enum cli_list {
	LIST_TABLE = 0,
	LIST_DYING,
	LIST_UNCONFIRMED,
};

/* A NAT address as -n/-g/-j give it: ADDR, ADDR:PORT or [ADDR6]:PORT. */
struct cli_nat {
	struct cli_addr addr;
	bool has_port;
	uint16_t port;
};

struct cli {
	enum cli_cmd cmd;
	bool help;		/* -h: help for cmd (or the tool) */
	bool version;		/* --version */
	const char *netns;	/* --netns NAME|PATH, or NULL */
	/* conntrack's syntax: the first word that is neither an option,
	 * an option's value nor a command's table (conntrack ignores
	 * such words, and so does ctnl, saying so); NULL when none. */
	const char *ignored;
	enum cli_output output;
	unsigned int out_flags;	/* OUT_* */
	enum ctnl_table table;
	uint32_t given;		/* enum cli_given */

	uint8_t family;		/* from -f or the addresses; 0: any */
	uint8_t proto;
	struct cli_dir orig, reply;
	/* Expectations: the expected tuple and its mask (the master is
	 * orig). */
	struct cli_dir exp_tuple, exp_mask;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;
	uint32_t mark, mark_mask;	/* mask 0xffffffff unless given */
	uint16_t zone, orig_zone, reply_zone;
	uint8_t state;		/* TCP or SCTP state, by proto */
	uint32_t status;	/* -u: CTNL_STATUS_* bits */
	uint32_t timeout;
	struct cli_labels label, label_add, label_del;
	unsigned int events;	/* -e: CTNL_EVENT_* */
	uint64_t limit;		/* events: stop after this many; 0: never */
	uint64_t buffer_size;	/* events: -b, the queue's bytes; 0: default */
	const char *helper;	/* expectations: --helper */

	/* conntrack's syntax: what ctnl's own has no word for. */
	enum cli_syntax syntax;
	enum cli_list list;	/* -L dying, -L unconfirmed */
	unsigned int ct_out;	/* CT_OUT_* */
	uint32_t status_mask;	/* -u: the bits looked at (!FLAG: 0) */
	uint32_t id, secmark;
	struct cli_nat src_nat, dst_nat;	/* -n, -g (-j: both) */
	uint32_t vtag[2];	/* SCTP --orig-vtag, --reply-vtag */
	uint8_t role;		/* DCCP --role: 0 client, 1 server */
	bool label_del_all;	/* --label-del without a value */
	bool trace;		/* --trace */
	const char *load_file;	/* -R FILE ("-": standard input) */
};

/*
 * Parses argv[1..argc-1] into *@out. Returns 0, or CLI_EXIT_USAGE with a
 * message in @err naming the argument and what is wrong with it (one
 * line, no program name, no newline). *@out is always initialised.
 */
int cli_parse(int argc, char *const argv[], struct cli *out, char *err,
	      size_t errsize);

/* The command's name ("list"), or NULL for CMD_NONE. */
const char *cli_cmd_name(enum cli_cmd cmd);

/* Writes the help asked for to @f: of c->cmd (CMD_NONE: of the tool), or
 * in conntrack's syntax, of that syntax. */
void cli_help(FILE *f, const struct cli *c);

/* Whether the selection names one entry by a whole tuple, and which:
 * the original (CTNL_ATTR_ORIG) or the reply (CTNL_ATTR_REPLY); 0 when it
 * does not. */
uint64_t cli_whole_tuple(const struct cli *c);

/* Whether any option selects entries (a tuple's fields or filters). */
bool cli_any_selection(const struct cli *c);

/* Whether the selection has criteria besides one whole tuple (and its
 * zone): then it selects by filter, not by key. */
bool cli_has_other_criteria(const struct cli *c);

/* -u UNSET selects entries with none of these. */
#define CLI_STATUS_UNSET_MASK (CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY | \
			       CTNL_STATUS_FIXED_TIMEOUT | CTNL_STATUS_EXPECTED)

/* ---- Names, shared with the output ---- */

const char *cli_proto_name(uint8_t proto);	/* NULL if it has none */
const char *cli_tcp_state_name(uint8_t state);
const char *cli_sctp_state_name(uint8_t state);
const char *cli_event_name(unsigned int event);	/* "new", ... */

/* The names of the status bits conntrack knows, NULL-terminated, with
 * their bits. */
struct cli_status_name {
	const char *name;
	uint32_t bit;
};
extern const struct cli_status_name cli_status_names[];

/* ---- The option table: parsing, the help text and the man page ---- */

struct parser;
struct cli_option;

/* What an option does with its value (NULL for an option without one):
 * 0, or CLI_EXIT_USAGE with the message written. */
typedef int (*cli_apply_fn)(struct parser *p, const struct cli_option *o,
			    const char *value);

/*
 * One row per option and meaning. The generic appliers (numbers, ports,
 * addresses, flags) find the field they set from the row itself, so most
 * options are a row and no code.
 */
struct cli_option {
	char short_name;	/* 0: none */
	const char *long_name;
	const char *arg;	/* NULL: takes no argument */
	uint32_t commands;	/* bit (1u << CMD_x); bit 0: before the command */
	const char *help;
	const char *alias;	/* another long name for it, or NULL */

	cli_apply_fn apply;
	uint32_t given;		/* the G_* bit it records, or 0 */
	uint16_t field;		/* offsetof(struct cli, what it sets) */
	uint16_t flag;		/* ports: offsetof the bool saying it is set */
	uint8_t width;		/* numbers: sizeof the field */
	bool prefix;		/* addresses: ADDR/LEN may select */
	uint8_t base;		/* numbers: enum num_base (parser.h) */
	uint64_t max;		/* numbers: the largest value */
	const char *what;	/* numbers: "a zone", for the messages */

	/* conntrack's syntax: commands are options too. */
	int cmd;		/* the command it gives, or CMD_NONE */
	bool optional;		/* the value may be left out */
	uint32_t exp_commands;	/* where it applies on the expect table */
};

/* The options, terminated by an entry with long_name NULL: ctnl's own,
 * and conntrack's syntax's (commands among them). */
extern const struct cli_option cli_options[];
extern const struct cli_option compat_options[];

/* The commands' one-line summaries, by enum cli_cmd. */
extern const char *const cli_cmd_summary[CMD_MAX];

#endif /* CTNL_TOOLS_CLI_H */
