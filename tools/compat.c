/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conntrack's command line, as conntrack-tools 1.4.7 reads it, into the
 * same struct cli as ctnl's own: commands are options (-L, -G, -D, -I,
 * -A, -U, -E, -F, -C, -S, -R, -V, -h), the first of them may take a
 * table (conntrack, expect, dying, unconfirmed), long options may be cut
 * to any unambiguous prefix, as getopt_long allows, and values may be
 * attached (-ptcp, --proto=tcp). What an option means, and where it
 * applies, follows conntrack's own tables; only its loose reading of
 * values (atoi: "70000" is a port, "abc" a timeout of 0) is not kept: a
 * value that is not what it should be is refused.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "parser.h"

#define K(cmd) (1u << (cmd))
#define LIST K(CMD_LIST)
#define GET K(CMD_GET)
#define CREATE (K(CMD_CREATE) | K(CMD_ADD))
#define UPDATE K(CMD_UPDATE)
#define DELETE K(CMD_DELETE)
#define EVENTS K(CMD_EVENTS)
#define FLUSH K(CMD_FLUSH)
/* Where conntrack takes a tuple or a filter. */
#define SELECT (LIST | CREATE | UPDATE | DELETE | GET | EVENTS)
/* ... and an expectation's tuples. */
#define EXP_SELECT (K(CMD_CREATE) | DELETE | GET)
/* ctnl's own options: everywhere. */
#define ANYWHERE UINT32_MAX

/* ---- Values read the way conntrack names them ---- */

/* Whether @item names @name as conntrack's lists take it: any prefix, in
 * any case ("upd" is UPDATES). */
static bool names_item(const char *item, size_t len, const char *name)
{
	return len > 0 && len <= strlen(name) &&
	       strncasecmp(item, name, len) == 0;
}

/* The entry of @names (NULL-terminated) that @item names, or -1. */
static int find_item(const char *item, size_t len, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (names_item(item, len, names[i]))
			return i;
	return -1;
}

/* Splits @text at commas and hands each item to @fn. */
static int each(struct parser *p, const char *text,
		int (*fn)(struct parser *, const char *, size_t))
{
	for (const char *s = text;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int ret = fn(p, s, len);

		if (ret)
			return ret;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int bad_item(struct parser *p, const char *item, size_t len,
		    const char *known)
{
	return parser_fail(p, "%s: unknown value '%.*s' (%s)", p->opt_text,
			   (int)len, item, known);
}

static int status_item(struct parser *p, const char *item, size_t len)
{
	static const char *const names[] = {
		"ASSURED", "SEEN_REPLY", "UNSET", "FIXED_TIMEOUT",
		"EXPECTED", "OFFLOAD", "HW_OFFLOAD", NULL,
	};
	static const uint32_t bits[] = {
		CTNL_STATUS_ASSURED, CTNL_STATUS_SEEN_REPLY, 0,
		CTNL_STATUS_FIXED_TIMEOUT, CTNL_STATUS_EXPECTED,
		CTNL_STATUS_OFFLOAD, CTNL_STATUS_HW_OFFLOAD,
	};
	bool negated = len > 0 && item[0] == '!';
	int i;

	if (negated) {
		item++;
		len--;
	}
	/* UNREPLIED: SEEN_REPLY clear. */
	if (!negated && len == 9 && strncasecmp(item, "UNREPLIED", 9) == 0) {
		p->c->status_mask |= CTNL_STATUS_SEEN_REPLY;
		return 0;
	}
	i = find_item(item, len, names);
	if (i < 0)
		return bad_item(p, item, len, "ASSURED, SEEN_REPLY, "
			       "FIXED_TIMEOUT, EXPECTED, OFFLOAD, HW_OFFLOAD, "
			       "UNSET, UNREPLIED, or !FLAG");
	/* UNSET: none of the flags conntrack names (it would send a mask
	 * of 0, which the kernel refuses). */
	if (bits[i] == 0 && !negated) {
		p->c->status_mask |= CLI_STATUS_UNSET_MASK;
		return 0;
	}
	/* !FLAG: the bit is looked at and must be clear. */
	p->c->status_mask |= bits[i];
	if (!negated)
		p->c->status |= bits[i];
	return 0;
}

static int ct_status(struct parser *p, const struct cli_option *o,
		     const char *v)
{
	(void)o;
	p->c->status = p->c->status_mask = 0;
	return each(p, v, status_item);
}

static int event_item(struct parser *p, const char *item, size_t len)
{
	static const char *const names[] = {
		"ALL", "NEW", "UPDATES", "DESTROY", NULL,
	};
	static const unsigned int bits[] = {
		CTNL_EVENT_CT_ALL, CTNL_EVENT_NEW, CTNL_EVENT_UPDATE,
		CTNL_EVENT_DESTROY,
	};
	int i = find_item(item, len, names);

	if (i < 0)
		return bad_item(p, item, len, "ALL, NEW, UPDATES, DESTROY");
	p->c->events |= bits[i];
	return 0;
}

static int ct_events(struct parser *p, const struct cli_option *o,
		     const char *v)
{
	(void)o;
	p->c->events = 0;
	return each(p, v, event_item);
}

static int output_item(struct parser *p, const char *item, size_t len)
{
	static const char *const names[] = {
		"xml", "extended", "timestamp", "id", "ktimestamp", "labels",
		"userspace", "save", NULL,
	};
	int i = find_item(item, len, names);

	if (i < 0)
		return bad_item(p, item, len, "xml, extended, timestamp, id, "
			       "ktimestamp, labels, userspace, save");
	p->c->ct_out |= 1u << i;	/* CT_OUT_* in the same order */
	return 0;
}

static int ct_output(struct parser *p, const struct cli_option *o,
		     const char *v)
{
	(void)o;
	p->c->ct_out = 0;
	if (each(p, v, output_item))
		return CLI_EXIT_USAGE;
	/* conntrack 1.4.7 lets userspace (of events only) go with save. */
	if ((p->c->ct_out & CT_OUT_SAVE) &&
	    (p->c->ct_out & ~(CT_OUT_SAVE | CT_OUT_USERSPACE)))
		return parser_fail(p, "%s: save goes with no other output "
				      "type (but userspace)", p->opt_text);
	return 0;
}

/* A protocol by name (conntrack's, then /etc/protocols) or number. */
static int ct_proto(struct parser *p, const struct cli_option *o,
		    const char *v)
{
	int num = names_proto(v);
	struct protoent *pe;
	uint64_t n;

	(void)o;
	if (num < 0 && (pe = getprotobyname(v)) != NULL)
		num = pe->p_proto;
	if (num < 0 && parse_number(v, 255, NUM_C, &n) == 0)
		num = (int)n;
	if (num < 0 || num > 255)
		return parser_fail(p, "%s: unknown protocol '%s'",
				   p->opt_text, v);
	p->c->proto = (uint8_t)num;
	return 0;
}

static int ct_family(struct parser *p, const struct cli_option *o,
		     const char *v)
{
	(void)o;
	return parse_family(p, v);
}

/* MARK[/MASK], numbers as C writes them (conntrack reads them with
 * strtoul base 0: 010 is 8). */
static int ct_mark(struct parser *p, const struct cli_option *o,
		   const char *v)
{
	const char *slash = strchr(v, '/');
	char value[32];
	uint64_t n, m = UINT32_MAX;
	size_t len = slash ? (size_t)(slash - v) : strlen(v);

	(void)o;
	if (len >= sizeof(value))
		return parser_fail(p, "%s: '%s' is not a mark", p->opt_text, v);
	memcpy(value, v, len);
	value[len] = '\0';
	if (parse_number(value, UINT32_MAX, NUM_C, &n) < 0 ||
	    (slash && parse_number(slash + 1, UINT32_MAX, NUM_C, &m) < 0))
		return parser_fail(p, "%s: '%s' is not a mark: VALUE[/MASK], "
				      "32-bit numbers", p->opt_text, v);
	p->c->mark = (uint32_t)n;
	p->c->mark_mask = (uint32_t)m;
	return 0;
}

/* -l, --label-add: names (or numbers), comma-separated; given more than
 * once, the lists add up, as conntrack merges them. */
static int ct_labels(struct parser *p, const struct cli_option *o,
		     const char *v)
{
	struct cli_labels *l = AT(p, o, struct cli_labels);
	struct cli_labels more;

	if (parse_labels(p, v, &more))
		return CLI_EXIT_USAGE;
	if (l->count + more.count > CLI_LABELS_MAX)
		return parser_fail(p, "%s: too many labels", p->opt_text);
	memcpy(&l->item[l->count], more.item,
	       more.count * sizeof(more.item[0]));
	l->count += more.count;
	return 0;
}

/* --label-del [LABEL,...]: without labels, every label goes. */
static int ct_label_del(struct parser *p, const struct cli_option *o,
			const char *v)
{
	if (!v) {
		p->c->label_del_all = true;
		return 0;
	}
	return ct_labels(p, o, v);
}

/* ADDR, ADDR:PORT, [ADDR6]:PORT or ADDR6: an address with a port when a
 * colon follows it (IPv4) or the brackets close before one (IPv6). */
static int split_nat(struct parser *p, const char *v, char *addr,
		     size_t size, const char **port)
{
	const char *colon = NULL, *end = v + strlen(v), *start = v;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (!close || close == v + 1 || (close[1] && close[1] != ':'))
			return parser_fail(p, "%s: '%s' is not [ADDR]:PORT",
					   p->opt_text, v);
		start = v + 1;
		end = close;
		colon = close[1] ? close + 1 : NULL;
	} else if ((colon = strchr(v, ':')) && strchr(colon + 1, ':')) {
		colon = NULL;	/* an IPv6 address, no port */
	} else if (colon) {
		end = colon;
	}
	if ((size_t)(end - start) >= size)
		return parser_fail(p, "%s: '%s' is not an address",
				   p->opt_text, v);
	memcpy(addr, start, (size_t)(end - start));
	addr[end - start] = '\0';
	*port = colon ? colon + 1 : NULL;
	return 0;
}

static int parse_nat(struct parser *p, const char *v, struct cli_nat *nat)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *port;
	uint64_t n;

	if (split_nat(p, v, addr, sizeof(addr), &port) ||
	    parse_addr(p, addr, false, &nat->addr))
		return CLI_EXIT_USAGE;
	if (!port)
		return 0;
	if (parse_number(port, UINT16_MAX, NUM_DEC, &n) < 0 || n == 0)
		return parser_fail(p, "%s: '%s' is not a port (1-65535)",
				   p->opt_text, port);
	nat->has_port = true;
	nat->port = (uint16_t)n;
	return 0;
}

/* -n, -g, -j [ADDR[:PORT]]: select NAT entries (by the address they are
 * translated to), or give a created entry's translation. */
static int ct_nat(struct parser *p, const struct cli_option *o,
		  const char *v)
{
	struct cli *c = p->c;

	if (!v)
		return 0;
	if (o->given & (G_SRC_NAT | G_ANY_NAT) &&
	    parse_nat(p, v, &c->src_nat))
		return CLI_EXIT_USAGE;
	if (o->given & (G_DST_NAT | G_ANY_NAT) &&
	    parse_nat(p, v, &c->dst_nat))
		return CLI_EXIT_USAGE;
	return 0;
}

/* --mask-src, --mask-dst: an address mask, kept with the expectation's
 * mask; on the conntrack table it turns -s or -d into a prefix. */
static int ct_mask(struct parser *p, const struct cli_option *o,
		   const char *v)
{
	return opt_addr(p, o, v);
}

static int ct_role(struct parser *p, const struct cli_option *o,
		   const char *v)
{
	(void)o;
	if (strcmp(v, "client") == 0)
		p->c->role = 0;
	else if (strcmp(v, "server") == 0)
		p->c->role = 1;
	else
		return parser_fail(p, "%s: '%s' is not client or server",
				   p->opt_text, v);
	return 0;
}

static int ct_ignore(struct parser *p, const struct cli_option *o,
		     const char *v)
{
	(void)p;
	(void)o;
	(void)v;
	return 0;
}

/* ---- Commands, with their table ---- */

static int ct_table(struct parser *p, const char *v)
{
	static const char *const names[] = {
		"expect", "conntrack", "dying", "unconfirmed", NULL,
	};
	/* A table is any prefix of its name, as conntrack takes it. */
	int i = v ? find_item(v, strlen(v), names) : 1;

	switch (i) {
	case 0:
		p->c->table = CTNL_TABLE_EXPECT;
		return 0;
	case 1:
		return 0;
	case 2:
	case 3:
		p->c->list = i == 2 ? LIST_DYING : LIST_UNCONFIRMED;
		return 0;
	default:
		return parser_fail(p, "%s: unknown table '%s' (conntrack, "
				      "expect, dying, unconfirmed)",
				   p->opt_text, v);
	}
}

static int ct_command(struct parser *p, const struct cli_option *o,
		      const char *v)
{
	struct cli *c = p->c;

	if (c->cmd != CMD_NONE)
		return parser_fail(p, "%s: one command at a time",
				   p->opt_text);
	c->cmd = (enum cli_cmd)o->cmd;
	if (o->cmd == CMD_LOAD) {
		c->load_file = v;
		return 0;
	}
	return ct_table(p, v);
}

static int ct_help(struct parser *p, const struct cli_option *o,
		   const char *v)
{
	(void)o;
	(void)v;
	p->c->help = true;
	return 0;
}

static int ct_version(struct parser *p, const struct cli_option *o,
		      const char *v)
{
	(void)o;
	(void)v;
	p->c->version = true;
	return 0;
}

/* ---- The table ---- */

#define COMMAND(c) .apply = ct_command, .cmd = (c), .optional = true,       \
	.exp_commands = ANYWHERE
#define OPT .optional = true
#define CNUMBER(f, m, w) NUMBER(f, m, w), .base = NUM_C
#define KEY(dir, which) PORT(dir, which), .base = NUM_C

/*
 * Option rows as conntrack has them: commands names where each applies on
 * the conntrack table (dying and unconfirmed: -L's), exp_commands on the
 * expectation table, as conntrack's tables of legal combinations say.
 */
const struct cli_option compat_options[] = {
	/* Commands */
	{ 'L', "dump", "[TABLE]", ANYWHERE, "list a table", NULL,
	  COMMAND(CMD_LIST) },
	{ 'G', "get", "[TABLE]", ANYWHERE, "print one entry", NULL,
	  COMMAND(CMD_GET) },
	{ 'D', "delete", "[TABLE]", ANYWHERE, "delete entries", NULL,
	  COMMAND(CMD_DELETE) },
	{ 'I', "create", "[TABLE]", ANYWHERE, "create an entry", NULL,
	  COMMAND(CMD_CREATE) },
	{ 'A', "add", "[TABLE]", ANYWHERE,
	  "create an entry, or leave the one that exists", NULL,
	  COMMAND(CMD_ADD) },
	{ 'U', "update", "[TABLE]", ANYWHERE, "change entries", NULL,
	  COMMAND(CMD_UPDATE) },
	{ 'E', "event", "[TABLE]", ANYWHERE, "print events", NULL,
	  COMMAND(CMD_EVENTS) },
	{ 'F', "flush", "[TABLE]", ANYWHERE, "empty a table", NULL,
	  COMMAND(CMD_FLUSH) },
	{ 'C', "count", "[TABLE]", ANYWHERE,
	  "print how many entries a table holds", "counter",
	  COMMAND(CMD_COUNT) },
	{ 'S', "stats", "[TABLE]", ANYWHERE, "print the per-CPU statistics",
	  NULL, COMMAND(CMD_STATS) },
	{ 'R', "load-file", "FILE", ANYWHERE,
	  "run the -I, -A, -U, -D and -F lines of FILE (-: standard input)",
	  NULL, .apply = ct_command, .cmd = CMD_LOAD,
	  .exp_commands = ANYWHERE },
	{ 'V', "version", NULL, ANYWHERE, "print the version", NULL,
	  .apply = ct_version, .exp_commands = ANYWHERE },
	{ 'h', "help", NULL, ANYWHERE, "print this help", NULL,
	  .apply = ct_help, .exp_commands = ANYWHERE },

	/* Tuples */
	{ 's', "src", "ADDR[/LEN]", SELECT,
	  "source address, original direction", "orig-src",
	  ADDR(orig.src), .prefix = true, .exp_commands = EXP_SELECT },
	{ 'd', "dst", "ADDR[/LEN]", SELECT,
	  "destination address, original direction", "orig-dst",
	  ADDR(orig.dst), .prefix = true, .exp_commands = EXP_SELECT },
	{ 'r', "reply-src", "ADDR", SELECT, "source address, reply direction",
	  NULL, ADDR(reply.src), .prefix = true, .exp_commands = EXP_SELECT },
	{ 'q', "reply-dst", "ADDR", SELECT,
	  "destination address, reply direction", NULL, ADDR(reply.dst),
	  .prefix = true, .exp_commands = EXP_SELECT },
	{ 'p', "protonum", "PROTO", SELECT, "layer-4 protocol", "proto",
	  .apply = ct_proto, .given = G_PROTO, .exp_commands = EXP_SELECT },
	{ 'f', "family", "ipv4|ipv6", LIST | UPDATE | DELETE | FLUSH | EVENTS,
	  "layer-3 protocol", NULL, .apply = ct_family, .given = G_FAMILY,
	  .exp_commands = LIST },
	{ 0, "sport", "PORT", SELECT, "source port, original direction",
	  "orig-port-src", PORT(orig, sport), .exp_commands = EXP_SELECT },
	{ 0, "dport", "PORT", SELECT, "destination port, original direction",
	  "orig-port-dst", PORT(orig, dport), .exp_commands = EXP_SELECT },
	{ 0, "reply-port-src", "PORT", SELECT, "source port, reply direction",
	  NULL, PORT(reply, sport), .exp_commands = DELETE | GET },
	{ 0, "reply-port-dst", "PORT", SELECT,
	  "destination port, reply direction", NULL, PORT(reply, dport),
	  .exp_commands = DELETE | GET },
	{ 0, "srckey", "KEY", SELECT, "GRE key, original direction",
	  "orig-key-src", KEY(orig, sport), .exp_commands = EXP_SELECT },
	{ 0, "dstkey", "KEY", SELECT, "GRE key, original direction",
	  "orig-key-dst", KEY(orig, dport), .exp_commands = EXP_SELECT },
	{ 0, "reply-key-src", "KEY", SELECT, "GRE key, reply direction", NULL,
	  KEY(reply, sport), .exp_commands = DELETE | GET },
	{ 0, "reply-key-dst", "KEY", SELECT, "GRE key, reply direction", NULL,
	  KEY(reply, dport), .exp_commands = DELETE | GET },
	{ 0, "icmp-type", "TYPE", SELECT, "ICMP type", "icmpv6-type",
	  NUMBER(icmp_type, UINT8_MAX, "an ICMP type"),
	  .given = G_ICMP_TYPE },
	{ 0, "icmp-code", "CODE", SELECT, "ICMP code", "icmpv6-code",
	  NUMBER(icmp_code, UINT8_MAX, "an ICMP code"),
	  .given = G_ICMP_CODE },
	{ 0, "icmp-id", "ID", SELECT, "ICMP id", "icmpv6-id",
	  NUMBER(icmp_id, UINT16_MAX, "an ICMP id"), .given = G_ICMP_ID },
	{ 0, "state", "STATE", SELECT, "TCP, SCTP or DCCP state", NULL,
	  .apply = opt_state, .given = G_STATE },
	{ 0, "orig-vtag", "TAG", CREATE, "SCTP verification tag, original",
	  NULL, CNUMBER(vtag[0], UINT32_MAX, "a verification tag"),
	  .given = G_VTAG },
	{ 0, "reply-vtag", "TAG", CREATE, "SCTP verification tag, reply",
	  NULL, CNUMBER(vtag[1], UINT32_MAX, "a verification tag"),
	  .given = G_VTAG },
	{ 0, "role", "client|server", CREATE, "DCCP role", NULL,
	  .apply = ct_role, .given = G_ROLE },

	/* Expectations */
	{ 0, "tuple-src", "ADDR", 0, "expected source address", NULL,
	  ADDR(exp_tuple.src), .exp_commands = K(CMD_CREATE) },
	{ 0, "tuple-dst", "ADDR", 0, "expected destination address", NULL,
	  ADDR(exp_tuple.dst), .exp_commands = K(CMD_CREATE) },
	{ 0, "tuple-port-src", "PORT", 0, "expected source port", NULL,
	  PORT(exp_tuple, sport), .exp_commands = K(CMD_CREATE) },
	{ 0, "tuple-port-dst", "PORT", 0, "expected destination port", NULL,
	  PORT(exp_tuple, dport), .exp_commands = K(CMD_CREATE) },
	{ 0, "tuple-key-src", "KEY", 0, "expected GRE key", NULL,
	  KEY(exp_tuple, sport), .exp_commands = K(CMD_CREATE) },
	{ 0, "tuple-key-dst", "KEY", 0, "expected GRE key", NULL,
	  KEY(exp_tuple, dport), .exp_commands = K(CMD_CREATE) },
	{ 0, "mask-src", "ADDR", LIST | UPDATE | DELETE | EVENTS,
	  "source address mask", NULL, .apply = ct_mask,
	  FIELD(exp_mask.src), .given = G_MASK_SRC,
	  .exp_commands = K(CMD_CREATE) },
	{ 0, "mask-dst", "ADDR", LIST | UPDATE | DELETE | EVENTS,
	  "destination address mask", NULL, .apply = ct_mask,
	  FIELD(exp_mask.dst), .given = G_MASK_DST,
	  .exp_commands = K(CMD_CREATE) },
	{ 0, "mask-port-src", "PORT", 0, "source port mask", NULL,
	  PORT(exp_mask, sport), .exp_commands = K(CMD_CREATE) },
	{ 0, "mask-port-dst", "PORT", 0, "destination port mask", NULL,
	  PORT(exp_mask, dport), .exp_commands = K(CMD_CREATE) },
	{ 0, "mask-key-src", "KEY", 0, "GRE key mask", NULL,
	  KEY(exp_mask, sport), .exp_commands = K(CMD_CREATE) },
	{ 0, "mask-key-dst", "KEY", 0, "GRE key mask", NULL,
	  KEY(exp_mask, dport), .exp_commands = K(CMD_CREATE) },

	/* What an entry holds */
	{ 't', "timeout", "SECONDS", CREATE | UPDATE | DELETE, "timeout",
	  NULL, NUMBER(timeout, UINT32_MAX, "a number of seconds"),
	  .given = G_TIMEOUT, .exp_commands = K(CMD_CREATE) },
	{ 'u', "status", "FLAG[,...]", LIST | CREATE | UPDATE | DELETE,
	  "status flags", NULL, .apply = ct_status, .given = G_STATUS,
	  .exp_commands = K(CMD_CREATE) },
	{ 'm', "mark", "MARK[/MASK]", SELECT & ~GET, "mark", NULL,
	  .apply = ct_mark, .given = G_MARK },
	{ 'c', "secmark", "SECMARK", LIST | EVENTS, "SELinux security mark",
	  NULL, CNUMBER(secmark, UINT32_MAX, "a secmark"),
	  .given = G_SECMARK },
	{ 'i', "id", "ID", UPDATE | DELETE | GET, "entry id", NULL,
	  CNUMBER(id, UINT32_MAX, "an id"), .given = G_ID },
	{ 'w', "zone", "ZONE", LIST | CREATE | DELETE | EVENTS, "zone", NULL,
	  CNUMBER(zone, UINT16_MAX, "a zone"), .given = G_ZONE },
	{ 0, "orig-zone", "ZONE", LIST | CREATE | DELETE | EVENTS,
	  "zone of the original direction", NULL,
	  CNUMBER(orig_zone, UINT16_MAX, "a zone"), .given = G_ORIG_ZONE },
	{ 0, "reply-zone", "ZONE", LIST | CREATE | DELETE | EVENTS,
	  "zone of the reply direction", NULL,
	  CNUMBER(reply_zone, UINT16_MAX, "a zone"),
	  .given = G_REPLY_ZONE },
	{ 'l', "label", "LABEL[,...]", LIST | UPDATE | DELETE | GET | EVENTS,
	  "entries with these labels", NULL, .apply = ct_labels,
	  FIELD(label), .given = G_LABEL },
	{ 0, "label-add", "LABEL[,...]", CREATE | UPDATE, "add labels", NULL,
	  .apply = ct_labels, FIELD(label_add), .given = G_LABEL_ADD },
	{ 0, "label-del", "[LABEL,...]", UPDATE,
	  "remove labels (all without LABEL)", NULL, .apply = ct_label_del,
	  FIELD(label_del), OPT, .given = G_LABEL_DEL },
	{ 'n', "src-nat", "[ADDR[:PORT]]", SELECT & ~GET,
	  "source NAT entries (to ADDR:PORT)", NULL, .apply = ct_nat, OPT,
	  .given = G_SRC_NAT },
	{ 'g', "dst-nat", "[ADDR[:PORT]]", SELECT & ~GET,
	  "destination NAT entries (to ADDR:PORT)", NULL, .apply = ct_nat,
	  OPT, .given = G_DST_NAT },
	{ 'j', "any-nat", "[ADDR[:PORT]]", LIST | EVENTS, "NAT entries", NULL,
	  .apply = ct_nat, OPT, .given = G_ANY_NAT },
	{ 'a', "nat-range", "RANGE", ANYWHERE,
	  "ignored, as by conntrack (with any command)", NULL,
	  .apply = ct_ignore, .given = G_NAT_RANGE,
	  .exp_commands = ANYWHERE },

	/* How */
	{ 'o', "output", "TYPE[,...]", LIST | UPDATE | DELETE | GET | EVENTS,
	  "xml, extended, timestamp, id, ktimestamp, labels, userspace, "
	  "save", NULL, .apply = ct_output, .given = G_OUTPUT,
	  .exp_commands = LIST | EVENTS },
	{ 'z', "zero", NULL, LIST, "zero the counters while listing", NULL,
	  .apply = ct_ignore, .given = G_ZERO },
	{ 'e', "event-mask", "EVENT[,...]", EVENTS,
	  "ALL, NEW, UPDATES, DESTROY",
	  NULL, .apply = ct_events, .given = G_EVENTS },
	{ 'b', "buffer-size", "BYTES", EVENTS, "event socket buffer size",
	  NULL, NUMBER(buffer_size, INT32_MAX, "a size in bytes"),
	  .given = G_BUFFER_SIZE },

	/* ctnl's own */
	{ 0, "netns", "NAME|PATH", ANYWHERE, "another network namespace",
	  NULL, .apply = opt_netns, .exp_commands = ANYWHERE },
	{ 0, "trace", NULL, ANYWHERE, "print the netlink messages", NULL,
	  FLAG(trace), .exp_commands = ANYWHERE },
	{ 0, NULL, NULL, 0, NULL, NULL, .apply = NULL },
};

#define ROWS (sizeof(compat_options) / sizeof(compat_options[0]) - 1)

/* ---- Reading argv as getopt_long would ---- */

static const struct cli_option *row_by_short(char c)
{
	/* By letter, built on the first call: -R reads a file of short
	 * options, line after line. */
	static const struct cli_option *rows[128];
	static bool built;

	if (!built) {
		for (const struct cli_option *o = compat_options; o->long_name;
		     o++)
			if (o->short_name > 0)
				rows[(unsigned char)o->short_name] = o;
		built = true;
	}
	return c > 0 ? rows[(unsigned char)c] : NULL;
}

/* How @name (@len bytes, no NUL among them) reads as @full: 2 the same,
 * 1 a prefix of it, 0 neither. */
static int name_match(const char *name, size_t len, const char *full)
{
	if (!full || full[0] != name[0])
		return 0;
	for (size_t i = 1; i < len; i++)
		if (full[i] != name[i])
			return 0;
	return full[len] == '\0' ? 2 : 1;
}

/* The row of --@name, read through the table. */
static const struct cli_option *row_by_long_scan(const char *name, size_t len,
						 bool *ambiguous)
{
	const struct cli_option *found = NULL;
	bool several = false;

	for (const struct cli_option *o = compat_options; o->long_name; o++) {
		int m = name_match(name, len, o->long_name);
		int a = name_match(name, len, o->alias);

		if (m == 2 || a == 2)
			return o;
		if (!m && !a)
			continue;
		several |= found && found != o;
		found = o;
	}
	*ambiguous = several;
	return several ? NULL : found;
}

/* The row of --@name: its own name or alias, else the one option it is a
 * prefix of (of several: NULL, and *@ambiguous). */
static const struct cli_option *row_by_long(const char *name, size_t len,
					    bool *ambiguous)
{
	/* The last answers, by a hash of the name: -R reads a file of the
	 * same options, line after line. */
	static struct {
		char name[24];
		const struct cli_option *row;
	} last[128];
	const struct cli_option *found = NULL;
	size_t h;
	bool several = false;

	*ambiguous = false;
	if (len == 0)
		return NULL;
	h = ((unsigned char)name[0] * 31u + (unsigned char)name[len - 1] +
	     len * 7u) % 128;
	if (last[h].row && len < sizeof(last[0].name) &&
	    memcmp(last[h].name, name, len) == 0 && last[h].name[len] == '\0')
		return last[h].row;
	found = row_by_long_scan(name, len, &several);
	*ambiguous = several;
	if (found && len < sizeof(last[0].name)) {
		memcpy(last[h].name, name, len);
		last[h].name[len] = '\0';
		last[h].row = found;
	}
	return found;
}


struct scan {
	struct parser *p;
	int argc;
	char *const *argv;
	int i;			/* the argument being read */
	/* Bit n: compat_options[n] was given. */
	uint64_t seen[(ROWS + 63) / 64];
};

/* The value of row @o: attached (@attached, or NULL), else the next
 * argument; an optional one only if it is not an option itself. */
static int take_value(struct scan *s, const struct cli_option *o,
		      const char *attached, const char **value)
{
	const char *next = s->i + 1 < s->argc ? s->argv[s->i + 1] : NULL;

	*value = attached;
	if (!o->arg) {
		if (attached)
			return parser_fail(s->p, "%s: takes no value",
					   s->p->opt_text);
		return 0;
	}
	if (attached)
		return 0;
	if (o->optional) {
		if (next && next[0] != '-' && next[0] != '!') {
			*value = next;
			s->i++;
		}
		return 0;
	}
	if (!next)
		return parser_fail(s->p, "%s: needs a value (%s)",
				   s->p->opt_text, o->arg);
	*value = next;
	s->i++;
	return 0;
}

static int use_row(struct scan *s, const struct cli_option *o,
		   const char *attached)
{
	size_t n = (size_t)(o - compat_options);
	const char *value;

	if (take_value(s, o, attached, &value))
		return CLI_EXIT_USAGE;
	s->seen[n / 64] |= 1ull << (n % 64);
	s->p->c->given |= o->given;
	return o->apply(s->p, o, value);
}

static int long_option(struct scan *s, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_option *o;
	bool ambiguous;

	parser_set_opt(s->p, true, name, len);
	o = len ? row_by_long(name, len, &ambiguous) : NULL;
	if (!o)
		return parser_fail(s->p, "%s option '%s'",
				   len && ambiguous ? "ambiguous" : "unknown",
				   s->p->opt_name);
	parser_set_opt(s->p, true, o->long_name, strlen(o->long_name));
	return use_row(s, o, eq ? eq + 1 : NULL);
}

/* -X, -Xvalue, or -XYZ: options without a value may share a dash. */
static int short_options(struct scan *s, const char *arg)
{
	for (const char *c = arg + 1; *c; c++) {
		const struct cli_option *o = row_by_short(*c);

		parser_set_opt(s->p, false, c, 1);
		if (!o)
			return parser_fail(s->p, "unknown option '-%c'", *c);
		if (o->arg)
			return use_row(s, o, c[1] ? c + 1 : NULL);
		if (use_row(s, o, NULL))
			return CLI_EXIT_USAGE;
	}
	return 0;
}

/* A word that is no option: conntrack's getopt_long() moves it past
 * the options, and conntrack never reads it (only the word right after
 * a command is read, as its table); after "--" every word is one. */
static void ignore_word(struct scan *s, const char *arg)
{
	if (!s->p->c->ignored)
		s->p->c->ignored = arg;
}

static int scan_argv(struct scan *s)
{
	bool options = true;

	for (s->i = 1; s->i < s->argc; s->i++) {
		const char *arg = s->argv[s->i];
		int ret;

		if (options && strcmp(arg, "--") == 0) {
			options = false;
			continue;
		}
		if (!options || arg[0] != '-' || arg[1] == '\0') {
			ignore_word(s, arg);
			continue;
		}
		ret = arg[1] == '-' ? long_option(s, arg)
				    : short_options(s, arg);
		if (ret)
			return ret;
	}
	return 0;
}

bool compat_detect(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct cli_option *o = NULL;
		bool ambiguous;

		if (arg[0] != '-' || arg[1] == '\0')
			continue;
		if (arg[1] == '-')
			o = row_by_long(arg + 2, strcspn(arg + 2, "="),
					&ambiguous);
		else
			o = row_by_short(arg[1]);
		/* -V too, which ctnl's own syntax spells --version. */
		if (o && (o->cmd != CMD_NONE ||
			  (o->apply == ct_version && arg[1] != '-')))
			return true;
	}
	return false;
}

/* ---- Checks, as conntrack's tables of what goes with what ---- */

/* The first row from @from on that was given, in the table's order. */
static const struct cli_option *given_row(const struct scan *s,
					  const struct cli_option *from)
{
	size_t n = (size_t)(from - compat_options);

	for (size_t w = n / 64; w < sizeof(s->seen) / sizeof(s->seen[0]);
	     w++) {
		uint64_t bits = s->seen[w];

		if (w == n / 64)
			bits &= ~0ull << (n % 64);
		if (bits)
			return &compat_options[w * 64 +
					       (size_t)__builtin_ctzll(bits)];
	}
	return NULL;
}

/* The letter of @cmd's option, for the messages. */
static char row_cmd_letter(enum cli_cmd cmd)
{
	for (const struct cli_option *o = compat_options; o->long_name; o++)
		if (o->cmd == (int)cmd && cmd != CMD_NONE)
			return o->short_name;
	return '?';
}

static const char *table_word(const struct cli *c)
{
	if (c->list == LIST_DYING)
		return " dying";
	if (c->list == LIST_UNCONFIRMED)
		return " unconfirmed";
	return c->table == CTNL_TABLE_EXPECT ? " expect" : "";
}

/* Every option given applies to the command and its table. */
static int check_legal(const struct scan *s)
{
	const struct cli *c = s->p->c;

	for (const struct cli_option *o = given_row(s, compat_options); o;
	     o = given_row(s, o + 1)) {
		uint32_t where = c->table == CTNL_TABLE_EXPECT ? o->exp_commands
							      : o->commands;

		if (c->cmd == CMD_LOAD && o->cmd != CMD_LOAD &&
		    where != ANYWHERE)
			return parser_fail(s->p, "--%s: -R takes no other "
					      "option", o->long_name);
		if (!(where & K(c->cmd)))
			return parser_fail(s->p, "--%s: does not apply to "
					      "-%c%s", o->long_name,
					   row_cmd_letter(c->cmd),
					   table_word(c));
	}
	return 0;
}

static bool has_ports(const struct cli *c)
{
	return (c->given & G_PROTO) && ctnl_proto_has_ports(c->proto);
}

static bool is_icmp(const struct cli *c)
{
	return (c->given & G_PROTO) &&
	       (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6);
}

static bool both_addrs(const struct cli_dir *d)
{
	return d->src.set && d->dst.set;
}

static bool both_ports(const struct cli_dir *d)
{
	return d->has_sport && d->has_dport;
}

/* A create's or a get's tuple: both addresses and, with ports, both
 * ports of one direction at least; ICMP's type and code. */
static int check_tuple(struct parser *p, bool create)
{
	struct cli *c = p->c;
	bool orig = both_addrs(&c->orig), reply = both_addrs(&c->reply);

	if (!(c->given & G_PROTO))
		return parser_fail(p, "-%c: needs -p", row_cmd_letter(c->cmd));
	if (!orig && !reply)
		return parser_fail(p, "-%c: needs -s and -d (or -r and -q)",
				   row_cmd_letter(c->cmd));
	if (has_ports(c) && !(orig && both_ports(&c->orig)) &&
	    !(reply && both_ports(&c->reply)))
		return parser_fail(p, "-%c: needs --sport and --dport (or "
				      "--reply-port-src and --reply-port-dst)",
				   row_cmd_letter(c->cmd));
	if (is_icmp(c) &&
	    (c->given & (G_ICMP_TYPE | G_ICMP_CODE)) !=
		    (G_ICMP_TYPE | G_ICMP_CODE))
		return parser_fail(p, "-%c: needs --icmp-type and "
				      "--icmp-code", row_cmd_letter(c->cmd));
	if (!create)
		return 0;
	if (!(c->given & G_TIMEOUT))
		return parser_fail(p, "-%c: needs -t", row_cmd_letter(c->cmd));
	if ((c->proto == IPPROTO_TCP || c->proto == IPPROTO_SCTP ||
	     c->proto == IPPROTO_DCCP) && !(c->given & G_STATE))
		return parser_fail(p, "-%c: needs --state",
				   row_cmd_letter(c->cmd));
	if (c->proto == IPPROTO_DCCP && !(c->given & G_ROLE))
		return parser_fail(p, "-%c: needs --role",
				   row_cmd_letter(c->cmd));
	return 0;
}

/* An expectation's master tuple, expected tuple and mask. */
static int check_expect(struct parser *p)
{
	struct cli *c = p->c;

	if (!(c->given & G_PROTO) || !both_addrs(&c->orig) ||
	    (has_ports(c) && !both_ports(&c->orig)))
		return parser_fail(p, "-%c expect: needs -p, -s, -d and, with "
				      "ports, --sport and --dport",
				   row_cmd_letter(c->cmd));
	if (c->cmd != CMD_CREATE)
		return 0;
	if (!(c->given & G_TIMEOUT) || !both_addrs(&c->exp_tuple) ||
	    !both_addrs(&c->exp_mask) ||
	    (has_ports(c) &&
	     (!both_ports(&c->exp_tuple) || !both_ports(&c->exp_mask))))
		return parser_fail(p, "-I expect: needs -t, --tuple-src, "
				      "--tuple-dst, --mask-src, --mask-dst and, "
				      "with ports, their --tuple-port-* and "
				      "--mask-port-*");
	return 0;
}

static int check_command(struct parser *p)
{
	struct cli *c = p->c;

	if (c->list != LIST_TABLE && c->cmd != CMD_LIST)
		return parser_fail(p, "-%c: the dying and unconfirmed tables "
				      "can only be listed",
				   row_cmd_letter(c->cmd));
	if (c->table == CTNL_TABLE_EXPECT &&
	    (c->cmd == CMD_UPDATE || c->cmd == CMD_ADD))
		return parser_fail(p, "-%c: expectations cannot be %s",
				   row_cmd_letter(c->cmd),
				   c->cmd == CMD_ADD ? "added" : "updated");
	if ((c->given & G_ANY_NAT) && (c->given & (G_SRC_NAT | G_DST_NAT)))
		return parser_fail(p, "--any-nat: give it without --src-nat "
				      "and --dst-nat");
	/* Counters are zeroed as the kernel hands entries over: a filter
	 * would zero entries it then drops, as conntrack refuses too. */
	if ((c->given & G_ZERO) &&
	    ((c->given & ~(G_ZERO | G_FAMILY | G_OUTPUT | G_NAT_RANGE)) ||
	     c->orig.src.set || c->orig.dst.set || c->reply.src.set ||
	     c->reply.dst.set))
		return parser_fail(p, "-z: takes no filter but -f");
	if (c->table == CTNL_TABLE_EXPECT &&
	    (c->cmd == CMD_CREATE || c->cmd == CMD_GET ||
	     c->cmd == CMD_DELETE))
		return check_expect(p);
	if (c->cmd == CMD_CREATE || c->cmd == CMD_ADD)
		return check_tuple(p, true);
	if (c->cmd == CMD_GET)
		return check_tuple(p, false);
	return 0;
}

/* ---- What conntrack's options become in ctnl's model ---- */

/* The prefix length of a contiguous netmask, or -1. */
static int mask_length(const struct cli_addr *mask)
{
	size_t bytes = mask->family == AF_INET ? 4 : 16;
	int len = 0;

	for (size_t i = 0; i < bytes; i++) {
		uint8_t b = mask->addr.u8[i];

		if (len != (int)i * 8 && b)
			return -1;	/* bits after a hole */
		while (b & 0x80) {
			len++;
			b = (uint8_t)(b << 1);
		}
		if (b)
			return -1;
	}
	return len;
}

/* --mask-src/--mask-dst on the conntrack table: -s/-d become prefixes. */
static int apply_mask(struct parser *p, struct cli_addr *addr,
		      struct cli_addr *mask, const char *name)
{
	int len = mask_length(mask);
	int whole = mask->family == AF_INET ? 32 : 128;

	if (!addr->set)
		return parser_fail(p, "--mask-%s: needs --%s", name, name);
	if (len < 0)
		return parser_fail(p, "--mask-%s: ctnl takes contiguous masks "
				      "only (a prefix)", name);
	addr->len = len == whole ? 0 : (uint8_t)len;
	if (len == 0)
		addr->set = false;	/* /0: every address */
	*mask = (struct cli_addr){ 0 };
	return 0;
}

static int normalise(struct parser *p)
{
	struct cli *c = p->c;

	if (c->table != CTNL_TABLE_EXPECT) {
		if ((c->given & G_MASK_SRC) &&
		    apply_mask(p, &c->orig.src, &c->exp_mask.src, "src"))
			return CLI_EXIT_USAGE;
		if ((c->given & G_MASK_DST) &&
		    apply_mask(p, &c->orig.dst, &c->exp_mask.dst, "dst"))
			return CLI_EXIT_USAGE;
		return 0;
	}
	/* An expectation is got or deleted by its expected tuple, which
	 * conntrack takes from -s, -d and the ports. */
	if (c->cmd == CMD_GET || c->cmd == CMD_DELETE) {
		c->exp_tuple = c->orig;
		c->orig = (struct cli_dir){ 0 };
	}
	/* conntrack lists and counts IPv4 expectations unless told. */
	if ((c->cmd == CMD_LIST || c->cmd == CMD_COUNT) && !c->family)
		c->family = AF_INET;
	return 0;
}

int compat_parse(int argc, char *const argv[], struct cli *out, char *err,
		 size_t errsize)
{
	struct parser p = { .c = out, .err = err, .errsize = errsize };
	struct scan s = { .p = &p, .argc = argc, .argv = argv };

	cli_reset(out, SYNTAX_CONNTRACK);
	if (errsize)
		err[0] = '\0';
	if (scan_argv(&s))
		return CLI_EXIT_USAGE;
	/* Without arguments conntrack prints its help. */
	if (out->help || out->version || argc <= 1)
		return out->help = !out->version, 0;
	if (out->cmd == CMD_NONE)
		return parser_fail(&p, "no command given (-L, -G, -D, -I, -A, "
				       "-U, -E, -F, -C, -S, -R)");
	if (check_legal(&s) || check_command(&p))
		return CLI_EXIT_USAGE;
	if ((out->given & G_STATE) && check_state(&p))
		return CLI_EXIT_USAGE;
	if (check_l4(&p))
		return CLI_EXIT_USAGE;
	return normalise(&p);
}
