/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's commands and options: one table row per option (and meaning),
 * saying where it applies, how its value is read and where it goes. The
 * parser, the help and the man page's test all read this table; no option
 * has code of its own unless its value needs it.
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "parser.h"

#define C(cmd) (1u << (cmd))
#define GLOBAL 1u
#define ALL (GLOBAL | C(CMD_LIST) | C(CMD_GET) | C(CMD_CREATE) |             \
	     C(CMD_UPDATE) | C(CMD_DELETE) | C(CMD_FLUSH) | C(CMD_COUNT) |    \
	     C(CMD_STATS) | C(CMD_EVENTS))
/* Commands that select entries with filters. */
#define FILTERING (C(CMD_LIST) | C(CMD_UPDATE) | C(CMD_DELETE) |           \
		   C(CMD_COUNT) | C(CMD_EVENTS))
/* Commands that take a tuple. */
#define TUPLE (FILTERING | C(CMD_GET) | C(CMD_CREATE))
/* Expectations' own tuples. */
#define EXP_KEY (C(CMD_GET) | C(CMD_CREATE) | C(CMD_DELETE))

const char *const cli_cmd_summary[CMD_MAX] = {
	[CMD_LIST] = "print the entries of a table, or those matching filters",
	[CMD_GET] = "print the one entry a whole tuple names",
	[CMD_CREATE] = "create an entry",
	[CMD_UPDATE] = "change the entry a tuple names, or every entry "
		       "matching filters",
	[CMD_DELETE] = "delete the entry a tuple names, or every entry "
		       "matching filters",
	[CMD_FLUSH] = "delete every entry of a table",
	[CMD_COUNT] = "print how many entries a table holds (or match filters)",
	[CMD_STATS] = "print the kernel's per-CPU statistics",
	[CMD_EVENTS] = "print changes to a table as they happen",
};

static const char *const cmd_names[CMD_MAX] = {
	[CMD_LIST] = "list",
	[CMD_GET] = "get",
	[CMD_CREATE] = "create",
	[CMD_UPDATE] = "update",
	[CMD_DELETE] = "delete",
	[CMD_FLUSH] = "flush",
	[CMD_COUNT] = "count",
	[CMD_STATS] = "stats",
	[CMD_EVENTS] = "events",
};

const char *cli_cmd_name(enum cli_cmd cmd)
{
	return cmd > CMD_NONE && cmd < CMD_MAX ? cmd_names[cmd] : NULL;
}

enum cli_cmd options_command(const char *word)
{
	for (int i = CMD_NONE + 1; i < CMD_MAX; i++)
		if (strcmp(word, cmd_names[i]) == 0)
			return (enum cli_cmd)i;
	return CMD_NONE;
}

/* ---- What options do with their values ---- */

int opt_flag(struct parser *p, const struct cli_option *o, const char *v)
{
	(void)v;
	*AT(p, o, bool) = true;
	return 0;
}

int opt_number(struct parser *p, const struct cli_option *o, const char *v)
{
	uint64_t n;

	if (parse_uint(p, v, o->max, o->base, o->what, &n))
		return CLI_EXIT_USAGE;
	switch (o->width) {
	case 1:
		*AT(p, o, uint8_t) = (uint8_t)n;
		break;
	case 2:
		*AT(p, o, uint16_t) = (uint16_t)n;
		break;
	case 4:
		*AT(p, o, uint32_t) = (uint32_t)n;
		break;
	default:
		*AT(p, o, uint64_t) = n;
		break;
	}
	return 0;
}

int opt_addr(struct parser *p, const struct cli_option *o, const char *v)
{
	struct cli_addr *a = AT(p, o, struct cli_addr);
	/* Prefixes select; they cannot name an entry to get or create. */
	bool prefix_ok = o->prefix && p->c->cmd != CMD_GET &&
			 p->c->cmd != CMD_CREATE;

	if (a->set)
		return parser_fail(p, "%s: given twice", p->opt_text);
	return parse_addr(p, v, prefix_ok, a);
}

int opt_port(struct parser *p, const struct cli_option *o, const char *v)
{
	bool *has = (bool *)((char *)p->c + o->flag);

	if (*has)
		return parser_fail(p, "%s: given twice", p->opt_text);
	*has = true;
	return opt_number(p, o, v);
}

int opt_netns(struct parser *p, const struct cli_option *o, const char *v)
{
	(void)o;
	if (v[0] == '\0')
		return parser_fail(p, "%s: an empty name", p->opt_text);
	p->c->netns = v;
	return 0;
}

static int apply_helper(struct parser *p, const struct cli_option *o,
			const char *v)
{
	(void)o;
	if (v[0] == '\0' || strlen(v) >= 16)
		return parser_fail(p, "%s: a helper name is 1-15 characters",
				   p->opt_text);
	p->c->helper = v;
	return 0;
}

static int apply_table(struct parser *p, const struct cli_option *o,
		       const char *v)
{
	(void)o;
	if (strcmp(v, "conntrack") == 0)
		p->c->table = CTNL_TABLE_CONNTRACK;
	else if (strcmp(v, "expect") == 0 || strcmp(v, "expectation") == 0)
		p->c->table = CTNL_TABLE_EXPECT;
	else
		return parser_fail(p, "%s: unknown table '%s' (conntrack or "
				      "expect)", p->opt_text, v);
	return 0;
}

int opt_state(struct parser *p, const struct cli_option *o, const char *v)
{
	(void)o;
	/* Its names depend on -p, which may come later. */
	p->state_text = v;
	return 0;
}

int opt_labels(struct parser *p, const struct cli_option *o, const char *v)
{
	return parse_labels(p, v, AT(p, o, struct cli_labels));
}

/* The appliers whose value has a reader of its own in values.c. */
#define READER(name)                                                         \
	static int apply_##name(struct parser *p, const struct cli_option *o, \
				const char *v)                               \
	{                                                                    \
		(void)o;                                                     \
		return parse_##name(p, v);                                   \
	}
READER(output)
READER(family)
READER(proto)
READER(mark)
READER(status)
READER(events)

/* ---- The table ---- */

/*
 * Some options mean one thing where they select entries and another where
 * they set a value: such an option has one row per meaning. The help and
 * the man page are made from (and checked against) this table.
 */
const struct cli_option cli_options[] = {
	{ 'h', "help", NULL, ALL,
	  "show this help (after a command: that command's)", NULL,
	  FLAG(help) },
	{ 0, "version", NULL, GLOBAL,
	  "show the versions of ctnl and libctnl", NULL, FLAG(version) },
	{ 0, "trace", NULL, ALL,
	  "print every netlink message sent and received on stderr, "
	  "decoded", NULL, FLAG(trace) },
	{ 0, "netns", "NAME|PATH", ALL,
	  "work on the table of another network namespace: a name from "
	  "'ip netns' (/run/netns/NAME) or the path of a namespace file",
	  NULL, .apply = opt_netns },
	{ 'o', "output", "FORMAT[,FLAG...]", ALL,
	  "text (the default, as conntrack prints) or json (one object per "
	  "line); text takes the flags labels, id and extended, as "
	  "conntrack's -o does", NULL, .apply = apply_output },
	{ 0, "table", "conntrack|expect", ALL & ~GLOBAL & ~C(CMD_UPDATE),
	  "the table to work on (default: conntrack)", NULL,
	  .apply = apply_table, .given = G_TABLE },
	{ 'f', "family", "ipv4|ipv6", TUPLE | C(CMD_FLUSH),
	  "only this address family (flush: empty only this family)", NULL,
	  .apply = apply_family, .given = G_FAMILY },
	{ 'p', "proto", "PROTO", TUPLE,
	  "layer-4 protocol: tcp, udp, udplite, sctp, dccp, gre, icmp, "
	  "icmpv6, or a number", NULL, .apply = apply_proto,
	  .given = G_PROTO },
	{ 's', "src", "ADDR[/LEN]", TUPLE,
	  "source address of the original direction (a prefix only to "
	  "select)", "orig-src", ADDR(orig.src), .prefix = true },
	{ 'd', "dst", "ADDR[/LEN]", TUPLE,
	  "destination address of the original direction", "orig-dst",
	  ADDR(orig.dst), .prefix = true },
	{ 'r', "reply-src", "ADDR[/LEN]", TUPLE,
	  "source address of the reply direction", NULL, ADDR(reply.src),
	  .prefix = true },
	{ 'q', "reply-dst", "ADDR[/LEN]", TUPLE,
	  "destination address of the reply direction", NULL,
	  ADDR(reply.dst), .prefix = true },
	{ 0, "sport", "PORT", TUPLE,
	  "source port of the original direction (GRE: key)",
	  "orig-port-src", PORT(orig, sport) },
	{ 0, "dport", "PORT", TUPLE,
	  "destination port of the original direction", "orig-port-dst",
	  PORT(orig, dport) },
	{ 0, "reply-port-src", "PORT", TUPLE,
	  "source port of the reply direction", NULL, PORT(reply, sport) },
	{ 0, "reply-port-dst", "PORT", TUPLE,
	  "destination port of the reply direction", NULL,
	  PORT(reply, dport) },
	{ 0, "icmp-type", "TYPE", TUPLE, "ICMP or ICMPv6 type", "icmpv6-type",
	  NUMBER(icmp_type, UINT8_MAX, "an ICMP type"),
	  .given = G_ICMP_TYPE },
	{ 0, "icmp-code", "CODE", TUPLE, "ICMP or ICMPv6 code", "icmpv6-code",
	  NUMBER(icmp_code, UINT8_MAX, "an ICMP code"),
	  .given = G_ICMP_CODE },
	{ 0, "icmp-id", "ID", TUPLE, "ICMP or ICMPv6 echo id", "icmpv6-id",
	  NUMBER(icmp_id, UINT16_MAX, "an ICMP id"), .given = G_ICMP_ID },
	{ 'w', "zone", "ZONE", TUPLE,
	  "conntrack zone (0-65535) of both directions", NULL,
	  NUMBER(zone, UINT16_MAX, "a zone"), .given = G_ZONE },
	{ 0, "orig-zone", "ZONE", C(CMD_CREATE),
	  "zone of the original direction only", NULL,
	  NUMBER(orig_zone, UINT16_MAX, "a zone"), .given = G_ORIG_ZONE },
	{ 0, "reply-zone", "ZONE", C(CMD_CREATE),
	  "zone of the reply direction only", NULL,
	  NUMBER(reply_zone, UINT16_MAX, "a zone"), .given = G_REPLY_ZONE },
	{ 'm', "mark", "VALUE[/MASK]",
	  C(CMD_LIST) | C(CMD_DELETE) | C(CMD_COUNT) | C(CMD_EVENTS),
	  "select entries whose mark, ANDed with MASK, is VALUE", NULL,
	  .apply = apply_mark, .given = G_MARK },
	{ 'm', "mark", "VALUE[/MASK]", C(CMD_CREATE) | C(CMD_UPDATE),
	  "set the mark; with MASK, only the bits of MASK", NULL,
	  .apply = apply_mark, .given = G_MARK },
	{ 0, "state", "STATE",
	  C(CMD_LIST) | C(CMD_UPDATE) | C(CMD_DELETE) | C(CMD_COUNT) |
	  C(CMD_EVENTS),
	  "select TCP or SCTP entries in this state (needs -p tcp or "
	  "-p sctp)", NULL, .apply = opt_state, .given = G_STATE },
	{ 0, "state", "STATE", C(CMD_CREATE),
	  "the TCP or SCTP state to create the entry in", NULL,
	  .apply = opt_state, .given = G_STATE },
	{ 'u', "status", "FLAG[,FLAG...]",
	  C(CMD_LIST) | C(CMD_DELETE) | C(CMD_COUNT) | C(CMD_EVENTS),
	  "select entries with these status flags: ASSURED, SEEN_REPLY, "
	  "FIXED_TIMEOUT, EXPECTED, or UNSET for none of them", NULL,
	  .apply = apply_status, .given = G_STATUS },
	{ 'u', "status", "FLAG[,FLAG...]", C(CMD_CREATE) | C(CMD_UPDATE),
	  "set these status flags (ASSURED, SEEN_REPLY, FIXED_TIMEOUT)",
	  NULL, .apply = apply_status, .given = G_STATUS },
	{ 'l', "label", "LABEL[,LABEL...]", FILTERING,
	  "select entries that have all these labels: numbers 0-127 or "
	  "names from /etc/xtables/connlabel.conf", NULL, LABELS(label),
	  .given = G_LABEL },
	{ 0, "label-add", "LABEL[,LABEL...]", C(CMD_CREATE) | C(CMD_UPDATE),
	  "add these labels", NULL, LABELS(label_add), .given = G_LABEL_ADD },
	{ 0, "label-del", "LABEL[,LABEL...]", C(CMD_UPDATE),
	  "remove these labels", NULL, LABELS(label_del),
	  .given = G_LABEL_DEL },
	{ 't', "timeout", "SECONDS", C(CMD_CREATE) | C(CMD_UPDATE),
	  "set the timeout (create: required)", NULL,
	  NUMBER(timeout, UINT32_MAX, "a number of seconds"),
	  .given = G_TIMEOUT },
	{ 'e', "event-mask", "EVENT[,EVENT...]", C(CMD_EVENTS),
	  "only these events: NEW, UPDATE, DESTROY or ALL (default ALL)",
	  NULL, .apply = apply_events, .given = G_EVENTS },
	{ 0, "limit", "N", C(CMD_EVENTS),
	  "stop after N events (default: run until interrupted)", NULL,
	  NUMBER(limit, UINT32_MAX, "a number of events"), .given = G_LIMIT },
	{ 'b', "buffer-size", "BYTES", C(CMD_EVENTS),
	  "the kernel's queue for events, in bytes (default 8 MiB): events "
	  "that find it full are lost, and reported", NULL,
	  NUMBER(buffer_size, INT_MAX, "a size in bytes"),
	  .given = G_BUFFER_SIZE },
	{ 0, "tuple-src", "ADDR", EXP_KEY,
	  "expectations: source address of the expected connection", NULL,
	  ADDR(exp_tuple.src) },
	{ 0, "tuple-dst", "ADDR", EXP_KEY,
	  "expectations: destination address of the expected connection",
	  NULL, ADDR(exp_tuple.dst) },
	{ 0, "tuple-port-src", "PORT", EXP_KEY,
	  "expectations: source port of the expected connection", NULL,
	  PORT(exp_tuple, sport) },
	{ 0, "tuple-port-dst", "PORT", EXP_KEY,
	  "expectations: destination port of the expected connection", NULL,
	  PORT(exp_tuple, dport) },
	{ 0, "mask-src", "ADDR", C(CMD_CREATE),
	  "expectations: mask of the expected source address", NULL,
	  ADDR(exp_mask.src) },
	{ 0, "mask-dst", "ADDR", C(CMD_CREATE),
	  "expectations: mask of the expected destination address", NULL,
	  ADDR(exp_mask.dst) },
	{ 0, "mask-port-src", "PORT", C(CMD_CREATE),
	  "expectations: mask of the expected source port", NULL,
	  PORT(exp_mask, sport) },
	{ 0, "mask-port-dst", "PORT", C(CMD_CREATE),
	  "expectations: mask of the expected destination port", NULL,
	  PORT(exp_mask, dport) },
	{ 0, "helper", "NAME", C(CMD_CREATE),
	  "expectations: the helper the expectation belongs to", NULL,
	  .apply = apply_helper, .given = G_HELPER },
	{ 0, NULL, NULL, 0, NULL, NULL, .apply = NULL },
};

/* ---- Finding an option by name ---- */

/* The row of @o's name that applies to @bit, if any, else the first. */
static const struct cli_option *pick(const struct cli_option *o,
				     bool (*same)(const struct cli_option *,
						  const char *, char),
				     const char *name, char letter,
				     uint32_t bit, bool *applies)
{
	const struct cli_option *any = NULL;

	for (; o->long_name; o++) {
		if (!same(o, name, letter))
			continue;
		if (o->commands & (bit | GLOBAL)) {
			*applies = true;
			return o;
		}
		any = any ? any : o;
	}
	return any;
}

static bool same_long(const struct cli_option *o, const char *name, char c)
{
	(void)c;
	return strcmp(o->long_name, name) == 0 ||
	       (o->alias && strcmp(o->alias, name) == 0);
}

static bool same_short(const struct cli_option *o, const char *name, char c)
{
	(void)name;
	return o->short_name == c;
}

const struct cli_option *options_find(const char *arg, enum cli_cmd cmd,
				      const char **value, bool *applies)
{
	uint32_t bit = cmd == CMD_NONE ? GLOBAL : C(cmd);
	char name[64];

	*value = NULL;
	*applies = false;
	if (arg[0] != '-' || arg[1] == '\0')
		return NULL;
	if (arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');
		size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

		if (len == 0 || len >= sizeof(name))
			return NULL;
		memcpy(name, arg + 2, len);
		name[len] = '\0';
		if (eq)
			*value = eq + 1;
		return pick(cli_options, same_long, name, 0, bit, applies);
	}
	if (arg[2] != '\0')
		*value = arg + 2;
	return pick(cli_options, same_short, NULL, arg[1], bit, applies);
}
