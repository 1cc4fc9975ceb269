/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing ctnl's command line. Pure: argv in, struct cli out, or one line
 * saying which argument is wrong and why. Option names follow conntrack-
 * tools, so operators need not relearn them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

enum opt_id {
	O_NETNS = 1,
	O_OUTPUT,
	O_HELP,
	O_VERSION,
	O_TABLE,
	O_FAMILY,
	O_PROTO,
	O_SRC,
	O_DST,
	O_REPLY_SRC,
	O_REPLY_DST,
	O_SPORT,
	O_DPORT,
	O_REPLY_SPORT,
	O_REPLY_DPORT,
	O_ICMP_TYPE,
	O_ICMP_CODE,
	O_ICMP_ID,
	O_MARK,
	O_ZONE,
	O_ORIG_ZONE,
	O_REPLY_ZONE,
	O_STATE,
	O_STATUS,
	O_LABEL,
	O_LABEL_ADD,
	O_LABEL_DEL,
	O_TIMEOUT,
	O_EVENTS,
	O_LIMIT,
	O_TUPLE_SRC,
	O_TUPLE_DST,
	O_TUPLE_SPORT,
	O_TUPLE_DPORT,
	O_MASK_SRC,
	O_MASK_DST,
	O_MASK_SPORT,
	O_MASK_DPORT,
	O_HELPER,
};

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

/*
 * Some options mean one thing where they select entries and another where
 * they set a value: such an option has one row per meaning. The help and
 * the man page are made from (and checked against) this table.
 */
const struct cli_option cli_options[] = {
	{ O_HELP, 'h', "help", NULL, ALL,
	  "show this help (after a command: that command's)", NULL },
	{ O_VERSION, 0, "version", NULL, GLOBAL,
	  "show the versions of ctnl and libctnl", NULL },
	{ O_NETNS, 0, "netns", "NAME|PATH", ALL,
	  "work on the table of another network namespace: a name from "
	  "'ip netns' (/run/netns/NAME) or the path of a namespace file",
	  NULL },
	{ O_OUTPUT, 'o', "output", "FORMAT[,FLAG...]", ALL,
	  "text (the default, as conntrack prints) or json (one object per "
	  "line); text takes the flags labels, id and extended, as "
	  "conntrack's -o does", NULL },
	{ O_TABLE, 0, "table", "conntrack|expect",
	  ALL & ~GLOBAL & ~C(CMD_UPDATE),
	  "the table to work on (default: conntrack)", NULL },
	{ O_FAMILY, 'f', "family", "ipv4|ipv6",
	  TUPLE | C(CMD_FLUSH),
	  "only this address family (flush: empty only this family)", NULL },
	{ O_PROTO, 'p', "proto", "PROTO", TUPLE,
	  "layer-4 protocol: tcp, udp, udplite, sctp, dccp, gre, icmp, "
	  "icmpv6, or a number", NULL },
	{ O_SRC, 's', "src", "ADDR[/LEN]", TUPLE,
	  "source address of the original direction (a prefix only to "
	  "select)", "orig-src" },
	{ O_DST, 'd', "dst", "ADDR[/LEN]", TUPLE,
	  "destination address of the original direction", "orig-dst" },
	{ O_REPLY_SRC, 'r', "reply-src", "ADDR[/LEN]", TUPLE,
	  "source address of the reply direction", NULL },
	{ O_REPLY_DST, 'q', "reply-dst", "ADDR[/LEN]", TUPLE,
	  "destination address of the reply direction", NULL },
	{ O_SPORT, 0, "sport", "PORT", TUPLE,
	  "source port of the original direction (GRE: key)",
	  "orig-port-src" },
	{ O_DPORT, 0, "dport", "PORT", TUPLE,
	  "destination port of the original direction", "orig-port-dst" },
	{ O_REPLY_SPORT, 0, "reply-port-src", "PORT", TUPLE,
	  "source port of the reply direction", NULL },
	{ O_REPLY_DPORT, 0, "reply-port-dst", "PORT", TUPLE,
	  "destination port of the reply direction", NULL },
	{ O_ICMP_TYPE, 0, "icmp-type", "TYPE", TUPLE,
	  "ICMP or ICMPv6 type", "icmpv6-type" },
	{ O_ICMP_CODE, 0, "icmp-code", "CODE", TUPLE,
	  "ICMP or ICMPv6 code", "icmpv6-code" },
	{ O_ICMP_ID, 0, "icmp-id", "ID", TUPLE,
	  "ICMP or ICMPv6 echo id", "icmpv6-id" },
	{ O_ZONE, 'w', "zone", "ZONE", TUPLE,
	  "conntrack zone (0-65535) of both directions", NULL },
	{ O_ORIG_ZONE, 0, "orig-zone", "ZONE", C(CMD_CREATE),
	  "zone of the original direction only", NULL },
	{ O_REPLY_ZONE, 0, "reply-zone", "ZONE", C(CMD_CREATE),
	  "zone of the reply direction only", NULL },
	{ O_MARK, 'm', "mark", "VALUE[/MASK]",
	  C(CMD_LIST) | C(CMD_DELETE) | C(CMD_COUNT) | C(CMD_EVENTS),
	  "select entries whose mark, ANDed with MASK, is VALUE", NULL },
	{ O_MARK, 'm', "mark", "VALUE[/MASK]", C(CMD_CREATE) | C(CMD_UPDATE),
	  "set the mark; with MASK, only the bits of MASK", NULL },
	{ O_STATE, 0, "state", "STATE",
	  C(CMD_LIST) | C(CMD_UPDATE) | C(CMD_DELETE) | C(CMD_COUNT) |
	  C(CMD_EVENTS),
	  "select TCP or SCTP entries in this state (needs -p tcp or "
	  "-p sctp)", NULL },
	{ O_STATE, 0, "state", "STATE", C(CMD_CREATE),
	  "the TCP or SCTP state to create the entry in", NULL },
	{ O_STATUS, 'u', "status", "FLAG[,FLAG...]",
	  C(CMD_LIST) | C(CMD_DELETE) | C(CMD_COUNT) | C(CMD_EVENTS),
	  "select entries with these status flags: ASSURED, SEEN_REPLY, "
	  "FIXED_TIMEOUT, EXPECTED, or UNSET for none of them", NULL },
	{ O_STATUS, 'u', "status", "FLAG[,FLAG...]",
	  C(CMD_CREATE) | C(CMD_UPDATE),
	  "set these status flags (ASSURED, SEEN_REPLY, FIXED_TIMEOUT)",
	  NULL },
	{ O_LABEL, 'l', "label", "LABEL[,LABEL...]", FILTERING,
	  "select entries that have all these labels: numbers 0-127 or "
	  "names from /etc/xtables/connlabel.conf", NULL },
	{ O_LABEL_ADD, 0, "label-add", "LABEL[,LABEL...]",
	  C(CMD_CREATE) | C(CMD_UPDATE),
	  "add these labels", NULL },
	{ O_LABEL_DEL, 0, "label-del", "LABEL[,LABEL...]", C(CMD_UPDATE),
	  "remove these labels", NULL },
	{ O_TIMEOUT, 't', "timeout", "SECONDS", C(CMD_CREATE) | C(CMD_UPDATE),
	  "set the timeout (create: required)", NULL },
	{ O_EVENTS, 'e', "event-mask", "EVENT[,EVENT...]", C(CMD_EVENTS),
	  "only these events: NEW, UPDATE, DESTROY or ALL (default ALL)",
	  NULL },
	{ O_LIMIT, 0, "limit", "N", C(CMD_EVENTS),
	  "stop after N events (default: run until interrupted)", NULL },
	{ O_TUPLE_SRC, 0, "tuple-src", "ADDR",
	  C(CMD_GET) | C(CMD_CREATE) | C(CMD_DELETE),
	  "expectations: source address of the expected connection", NULL },
	{ O_TUPLE_DST, 0, "tuple-dst", "ADDR",
	  C(CMD_GET) | C(CMD_CREATE) | C(CMD_DELETE),
	  "expectations: destination address of the expected connection",
	  NULL },
	{ O_TUPLE_SPORT, 0, "tuple-port-src", "PORT",
	  C(CMD_GET) | C(CMD_CREATE) | C(CMD_DELETE),
	  "expectations: source port of the expected connection", NULL },
	{ O_TUPLE_DPORT, 0, "tuple-port-dst", "PORT",
	  C(CMD_GET) | C(CMD_CREATE) | C(CMD_DELETE),
	  "expectations: destination port of the expected connection", NULL },
	{ O_MASK_SRC, 0, "mask-src", "ADDR", C(CMD_CREATE),
	  "expectations: mask of the expected source address", NULL },
	{ O_MASK_DST, 0, "mask-dst", "ADDR", C(CMD_CREATE),
	  "expectations: mask of the expected destination address", NULL },
	{ O_MASK_SPORT, 0, "mask-port-src", "PORT", C(CMD_CREATE),
	  "expectations: mask of the expected source port", NULL },
	{ O_MASK_DPORT, 0, "mask-port-dst", "PORT", C(CMD_CREATE),
	  "expectations: mask of the expected destination port", NULL },
	{ O_HELPER, 0, "helper", "NAME", C(CMD_CREATE),
	  "expectations: the helper the expectation belongs to", NULL },
	{ 0, 0, NULL, NULL, 0, NULL, NULL },
};

const struct cli_status_name cli_status_names[] = {
	{ "EXPECTED", CTNL_STATUS_EXPECTED },
	{ "SEEN_REPLY", CTNL_STATUS_SEEN_REPLY },
	{ "ASSURED", CTNL_STATUS_ASSURED },
	{ "CONFIRMED", CTNL_STATUS_CONFIRMED },
	{ "SRC_NAT", CTNL_STATUS_SRC_NAT },
	{ "DST_NAT", CTNL_STATUS_DST_NAT },
	{ "SEQ_ADJUST", CTNL_STATUS_SEQ_ADJUST },
	{ "SRC_NAT_DONE", CTNL_STATUS_SRC_NAT_DONE },
	{ "DST_NAT_DONE", CTNL_STATUS_DST_NAT_DONE },
	{ "DYING", CTNL_STATUS_DYING },
	{ "FIXED_TIMEOUT", CTNL_STATUS_FIXED_TIMEOUT },
	{ "TEMPLATE", CTNL_STATUS_TEMPLATE },
	{ "UNTRACKED", CTNL_STATUS_UNTRACKED },
	{ "HELPER", CTNL_STATUS_HELPER },
	{ "OFFLOAD", CTNL_STATUS_OFFLOAD },
	{ "HW_OFFLOAD", CTNL_STATUS_HW_OFFLOAD },
	{ NULL, 0 },
};

/* ---- Names ---- */

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "udplite", IPPROTO_UDPLITE }, { "sctp", IPPROTO_SCTP },
	{ "dccp", IPPROTO_DCCP }, { "gre", IPPROTO_GRE },
	{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
};

static const char *const tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

static const char *const sctp_states[] = {
	"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT",
	"HEARTBEAT_SENT", "HEARTBEAT_ACKED",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *cli_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < COUNT(protos); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

const char *cli_tcp_state_name(uint8_t state)
{
	return state < COUNT(tcp_states) ? tcp_states[state] : NULL;
}

const char *cli_sctp_state_name(uint8_t state)
{
	return state < COUNT(sctp_states) ? sctp_states[state] : NULL;
}

const char *cli_event_name(unsigned int event)
{
	switch (event) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_EXP_NEW:
		return "new";
	case CTNL_EVENT_UPDATE:
		return "update";
	case CTNL_EVENT_DESTROY:
	case CTNL_EVENT_EXP_DESTROY:
		return "destroy";
	default:
		return NULL;
	}
}

const char *cli_cmd_name(enum cli_cmd cmd)
{
	return cmd > CMD_NONE && cmd < CMD_MAX ? cmd_names[cmd] : NULL;
}

/* ---- The parser's state ---- */

struct parser {
	struct cli *c;
	char *err;
	size_t errsize;
	const char *state_text;	/* --state, parsed once -p is known */
	const char *opt_text;	/* the option being parsed, as given */
	char opt_name[64];	/* ... without an attached value */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->errsize) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errsize, fmt, ap);
		va_end(ap);
	}
	return CLI_EXIT_USAGE;
}

/*
 * An unsigned number in [0, max]: decimal, or 0x hex where @any_base.
 * Digits only, no sign, no blanks; by hand, so the parse touches nothing
 * (not even errno).
 */
static int number(const char *text, uint64_t max, bool any_base,
		  uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	const char *s = text;

	if (!s || *s == '\0')
		return -EINVAL;
	if (any_base && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (*s == '\0')
			return -EINVAL;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int parse_u32(struct parser *p, const char *text, uint64_t max,
		     bool any_base, const char *what, uint64_t *out)
{
	if (number(text, max, any_base, out) < 0)
		return fail(p, "%s: '%s' is not %s (0-%llu)", p->opt_text, text,
			    what, (unsigned long long)max);
	return 0;
}

static int parse_port(struct parser *p, const char *text, uint16_t *out)
{
	uint64_t v;
	int ret = parse_u32(p, text, UINT16_MAX, false, "a port number", &v);

	if (ret == 0)
		*out = (uint16_t)v;
	return ret;
}

static int parse_zone(struct parser *p, const char *text, uint16_t *out)
{
	uint64_t v;
	int ret = parse_u32(p, text, UINT16_MAX, false, "a zone", &v);

	if (ret == 0)
		*out = (uint16_t)v;
	return ret;
}

/* Sets the family from an address; all addresses share one. */
static int set_family(struct parser *p, uint8_t family)
{
	if (p->c->family && p->c->family != family)
		return fail(p, "%s: an %s address where the others are %s",
			    p->opt_text, family == AF_INET ? "IPv4" : "IPv6",
			    p->c->family == AF_INET ? "IPv4" : "IPv6");
	p->c->family = family;
	return 0;
}

static int parse_addr(struct parser *p, const char *text, bool prefix_ok,
		      struct cli_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	struct cli_addr a = { .set = true };
	uint64_t plen;

	if (len >= sizeof(buf))
		return fail(p, "%s: '%s' is not an IPv4 or IPv6 address",
			    p->opt_text, text);
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a.addr.in) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a.addr.in6) == 1)
		a.family = AF_INET6;
	else
		return fail(p, "%s: '%s' is not an IPv4 or IPv6 address",
			    p->opt_text, buf);
	if (slash) {
		unsigned int max = a.family == AF_INET ? 32 : 128;

		if (!prefix_ok)
			return fail(p, "%s: takes an address, not a prefix",
				    p->opt_text);
		if (number(slash + 1, max, false, &plen) < 0)
			return fail(p, "%s: '%s' is not a prefix length "
				       "(0-%u)", p->opt_text, slash + 1, max);
		/* /0 is every address: that selects nothing out. The
		 * filter's 0 means the whole address, so /0 stays unset. */
		if (plen == 0) {
			*out = (struct cli_addr){ 0 };
			return 0;
		}
		a.len = plen == max ? 0 : (uint8_t)plen;
	}
	if (set_family(p, a.family))
		return CLI_EXIT_USAGE;
	*out = a;
	return 0;
}

static int parse_proto(struct parser *p, const char *text)
{
	uint64_t v;

	for (size_t i = 0; i < COUNT(protos); i++) {
		if (strcasecmp(text, protos[i].name) == 0) {
			p->c->proto = protos[i].num;
			return 0;
		}
	}
	if (strcasecmp(text, "ipv6-icmp") == 0) {
		p->c->proto = IPPROTO_ICMPV6;
		return 0;
	}
	if (number(text, 255, false, &v) < 0)
		return fail(p, "%s: unknown protocol '%s' (tcp, udp, udplite, "
			       "sctp, dccp, gre, icmp, icmpv6, or 0-255)",
			    p->opt_text, text);
	p->c->proto = (uint8_t)v;
	return 0;
}

static int parse_family(struct parser *p, const char *text)
{
	uint8_t family;

	if (strcmp(text, "ipv4") == 0 || strcmp(text, "inet") == 0)
		family = AF_INET;
	else if (strcmp(text, "ipv6") == 0 || strcmp(text, "inet6") == 0)
		family = AF_INET6;
	else
		return fail(p, "%s: unknown family '%s' (ipv4 or ipv6)",
			    p->opt_text, text);
	return set_family(p, family);
}

static int parse_mark(struct parser *p, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	uint64_t v, m = UINT32_MAX;

	if (strlen(text) >= sizeof(buf))
		return fail(p, "%s: '%s' is not a mark (VALUE[/MASK])",
			    p->opt_text, text);
	snprintf(buf, sizeof(buf), "%s", text);
	if (slash)
		buf[slash - text] = '\0';
	if (number(buf, UINT32_MAX, true, &v) < 0 ||
	    (slash && number(slash + 1, UINT32_MAX, true, &m) < 0))
		return fail(p, "%s: '%s' is not a mark: VALUE[/MASK], 32-bit "
			       "numbers, decimal or 0x hex", p->opt_text, text);
	p->c->mark = (uint32_t)v;
	p->c->mark_mask = (uint32_t)m;
	return 0;
}

/* Splits a comma list into @fn(item) calls; empty items are errors. */
static int each_item(struct parser *p, const char *text,
		     int (*fn)(struct parser *, const char *, void *),
		     void *arg)
{
	char item[128];
	const char *s = text;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int ret;

		if (len == 0 || len >= sizeof(item))
			return fail(p, "%s: '%s' is not a comma-separated "
				       "list", p->opt_text, text);
		memcpy(item, s, len);
		item[len] = '\0';
		ret = fn(p, item, arg);
		if (ret)
			return ret;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/*
 * A list of labels: numbers are taken now; a name is kept as a pointer
 * into argv (which outlives the parse) and a length, for the label map to
 * resolve when the command runs.
 */
static int parse_labels(struct parser *p, const char *text,
			struct cli_labels *out)
{
	const char *s = text;

	out->count = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		struct cli_label l = { .name = s, .name_len = len };
		char num[8];
		uint64_t bit;

		if (len == 0)
			return fail(p, "%s: '%s' is not a comma-separated "
				       "list", p->opt_text, text);
		if (out->count >= CLI_LABELS_MAX)
			return fail(p, "%s: too many labels", p->opt_text);
		if (s[0] >= '0' && s[0] <= '9') {
			if (len >= sizeof(num))
				len = sizeof(num) - 1;
			memcpy(num, s, len);
			num[len] = '\0';
			if (len != l.name_len ||
			    number(num, CTNL_LABEL_BITS - 1, false, &bit) < 0)
				return fail(p, "%s: label '%.*s' is not a "
					       "number 0-127 nor a name",
					    p->opt_text, (int)l.name_len, s);
			l = (struct cli_label){ .bit = (unsigned int)bit };
		}
		out->item[out->count++] = l;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int add_status(struct parser *p, const char *item, void *arg)
{
	uint32_t *status = arg;

	if (strcasecmp(item, "UNSET") == 0)
		return 0;
	for (size_t i = 0; cli_status_names[i].name; i++) {
		if (strcasecmp(item, cli_status_names[i].name) == 0) {
			*status |= cli_status_names[i].bit;
			return 0;
		}
	}
	return fail(p, "%s: unknown status flag '%s' (ASSURED, SEEN_REPLY, "
		       "FIXED_TIMEOUT, EXPECTED, UNSET, ...)", p->opt_text,
		    item);
}

static int add_event(struct parser *p, const char *item, void *arg)
{
	unsigned int *events = arg;

	if (strcasecmp(item, "NEW") == 0)
		*events |= CTNL_EVENT_NEW;
	else if (strcasecmp(item, "UPDATE") == 0)
		*events |= CTNL_EVENT_UPDATE;
	else if (strcasecmp(item, "DESTROY") == 0)
		*events |= CTNL_EVENT_DESTROY;
	else if (strcasecmp(item, "ALL") == 0)
		*events |= CTNL_EVENT_NEW | CTNL_EVENT_UPDATE |
			   CTNL_EVENT_DESTROY;
	else
		return fail(p, "%s: unknown event '%s' (NEW, UPDATE, DESTROY, "
			       "ALL)", p->opt_text, item);
	return 0;
}

static int add_output(struct parser *p, const char *item, void *arg)
{
	bool *format_seen = arg;
	struct cli *c = p->c;

	if (strcmp(item, "text") == 0 || strcmp(item, "json") == 0) {
		if (*format_seen)
			return fail(p, "%s: give one format, text or json",
				    p->opt_text);
		*format_seen = true;
		c->output = item[0] == 'j' ? OUT_JSON : OUT_TEXT;
	} else if (strcmp(item, "labels") == 0) {
		c->out_flags |= OUT_LABELS;
	} else if (strcmp(item, "id") == 0) {
		c->out_flags |= OUT_ID;
	} else if (strcmp(item, "extended") == 0) {
		c->out_flags |= OUT_EXTENDED;
	} else {
		return fail(p, "%s: unknown output '%s' (text or json; for "
			       "text also labels, id, extended)",
			    p->opt_text, item);
	}
	if (c->output == OUT_JSON && c->out_flags)
		return fail(p, "%s: labels, id and extended apply to text "
			       "output; json always has them", p->opt_text);
	return 0;
}

static int parse_output(struct parser *p, const char *text)
{
	bool format_seen = false;

	p->c->output = OUT_TEXT;
	p->c->out_flags = 0;
	return each_item(p, text, add_output, &format_seen);
}

/* ---- Options ---- */

static enum cli_cmd find_command(const char *word)
{
	for (int i = CMD_NONE + 1; i < CMD_MAX; i++)
		if (strcmp(word, cmd_names[i]) == 0)
			return (enum cli_cmd)i;
	return CMD_NONE;
}

/*
 * The option @arg names ("-p", "--proto", "--proto=tcp", "-ptcp"), in the
 * row that applies to @cmd if there is one, else any row of that name.
 * *@value is set to an attached value, if any.
 */
static const struct cli_option *find_option(const char *arg, enum cli_cmd cmd,
					    const char **value,
					    bool *applies)
{
	const struct cli_option *any = NULL;
	char name[64];
	uint32_t bit = cmd == CMD_NONE ? GLOBAL : C(cmd);

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
		for (const struct cli_option *o = cli_options; o->long_name;
		     o++) {
			if (strcmp(o->long_name, name) &&
			    (!o->alias || strcmp(o->alias, name)))
				continue;
			if (o->commands & (bit | GLOBAL)) {
				*applies = true;
				return o;
			}
			any = any ? any : o;
		}
		return any;
	}
	for (const struct cli_option *o = cli_options; o->long_name; o++) {
		if (o->short_name != arg[1])
			continue;
		if (arg[2] != '\0')
			*value = arg + 2;
		if (o->commands & (bit | GLOBAL)) {
			*applies = true;
			return o;
		}
		any = any ? any : o;
	}
	return any;
}

static int apply_dir_addr(struct parser *p, const char *v, bool prefix_ok,
			  struct cli_addr *a)
{
	if (a->set)
		return fail(p, "%s: given twice", p->opt_text);
	return parse_addr(p, v, prefix_ok, a);
}

static int apply_port(struct parser *p, const char *v, bool *has,
		      uint16_t *port)
{
	if (*has)
		return fail(p, "%s: given twice", p->opt_text);
	*has = true;
	return parse_port(p, v, port);
}

static int apply(struct parser *p, const struct cli_option *o, const char *v)
{
	struct cli *c = p->c;
	uint64_t n;
	int ret = 0;
	/* Prefixes select; they cannot name an entry to get or create. */
	bool prefix_ok = c->cmd != CMD_GET && c->cmd != CMD_CREATE;

	switch (o->id) {
	case O_HELP:
		c->help = true;
		break;
	case O_VERSION:
		c->version = true;
		break;
	case O_NETNS:
		if (v[0] == '\0')
			return fail(p, "%s: an empty name", p->opt_text);
		c->netns = v;
		break;
	case O_OUTPUT:
		ret = parse_output(p, v);
		break;
	case O_TABLE:
		if (strcmp(v, "conntrack") == 0)
			c->table = CTNL_TABLE_CONNTRACK;
		else if (strcmp(v, "expect") == 0 ||
			 strcmp(v, "expectation") == 0)
			c->table = CTNL_TABLE_EXPECT;
		else
			return fail(p, "%s: unknown table '%s' (conntrack or "
				       "expect)", p->opt_text, v);
		c->given |= G_TABLE;
		break;
	case O_FAMILY:
		ret = parse_family(p, v);
		c->given |= G_FAMILY;
		break;
	case O_PROTO:
		ret = parse_proto(p, v);
		c->given |= G_PROTO;
		break;
	case O_SRC:
		ret = apply_dir_addr(p, v, prefix_ok, &c->orig.src);
		break;
	case O_DST:
		ret = apply_dir_addr(p, v, prefix_ok, &c->orig.dst);
		break;
	case O_REPLY_SRC:
		ret = apply_dir_addr(p, v, prefix_ok, &c->reply.src);
		break;
	case O_REPLY_DST:
		ret = apply_dir_addr(p, v, prefix_ok, &c->reply.dst);
		break;
	case O_TUPLE_SRC:
		ret = apply_dir_addr(p, v, false, &c->exp_tuple.src);
		break;
	case O_TUPLE_DST:
		ret = apply_dir_addr(p, v, false, &c->exp_tuple.dst);
		break;
	case O_MASK_SRC:
		ret = apply_dir_addr(p, v, false, &c->exp_mask.src);
		break;
	case O_MASK_DST:
		ret = apply_dir_addr(p, v, false, &c->exp_mask.dst);
		break;
	case O_SPORT:
		ret = apply_port(p, v, &c->orig.has_sport, &c->orig.sport);
		break;
	case O_DPORT:
		ret = apply_port(p, v, &c->orig.has_dport, &c->orig.dport);
		break;
	case O_REPLY_SPORT:
		ret = apply_port(p, v, &c->reply.has_sport, &c->reply.sport);
		break;
	case O_REPLY_DPORT:
		ret = apply_port(p, v, &c->reply.has_dport, &c->reply.dport);
		break;
	case O_TUPLE_SPORT:
		ret = apply_port(p, v, &c->exp_tuple.has_sport,
				 &c->exp_tuple.sport);
		break;
	case O_TUPLE_DPORT:
		ret = apply_port(p, v, &c->exp_tuple.has_dport,
				 &c->exp_tuple.dport);
		break;
	case O_MASK_SPORT:
		ret = apply_port(p, v, &c->exp_mask.has_sport,
				 &c->exp_mask.sport);
		break;
	case O_MASK_DPORT:
		ret = apply_port(p, v, &c->exp_mask.has_dport,
				 &c->exp_mask.dport);
		break;
	case O_ICMP_TYPE:
		ret = parse_u32(p, v, UINT8_MAX, false, "an ICMP type", &n);
		if (ret == 0)
			c->icmp_type = (uint8_t)n;
		c->given |= G_ICMP_TYPE;
		break;
	case O_ICMP_CODE:
		ret = parse_u32(p, v, UINT8_MAX, false, "an ICMP code", &n);
		if (ret == 0)
			c->icmp_code = (uint8_t)n;
		c->given |= G_ICMP_CODE;
		break;
	case O_ICMP_ID:
		ret = parse_u32(p, v, UINT16_MAX, false, "an ICMP id", &n);
		if (ret == 0)
			c->icmp_id = (uint16_t)n;
		c->given |= G_ICMP_ID;
		break;
	case O_MARK:
		ret = parse_mark(p, v);
		c->given |= G_MARK;
		break;
	case O_ZONE:
		ret = parse_zone(p, v, &c->zone);
		c->given |= G_ZONE;
		break;
	case O_ORIG_ZONE:
		ret = parse_zone(p, v, &c->orig_zone);
		c->given |= G_ORIG_ZONE;
		break;
	case O_REPLY_ZONE:
		ret = parse_zone(p, v, &c->reply_zone);
		c->given |= G_REPLY_ZONE;
		break;
	case O_STATE:
		p->state_text = v;
		c->given |= G_STATE;
		break;
	case O_STATUS:
		c->status = 0;
		ret = each_item(p, v, add_status, &c->status);
		c->given |= G_STATUS;
		break;
	case O_LABEL:
		ret = parse_labels(p, v, &c->label);
		c->given |= G_LABEL;
		break;
	case O_LABEL_ADD:
		ret = parse_labels(p, v, &c->label_add);
		c->given |= G_LABEL_ADD;
		break;
	case O_LABEL_DEL:
		ret = parse_labels(p, v, &c->label_del);
		c->given |= G_LABEL_DEL;
		break;
	case O_TIMEOUT:
		ret = parse_u32(p, v, UINT32_MAX, false, "a number of seconds",
				&n);
		if (ret == 0)
			c->timeout = (uint32_t)n;
		c->given |= G_TIMEOUT;
		break;
	case O_EVENTS:
		c->events = 0;
		ret = each_item(p, v, add_event, &c->events);
		c->given |= G_EVENTS;
		break;
	case O_LIMIT:
		ret = parse_u32(p, v, UINT32_MAX, false, "a number of events",
				&c->limit);
		c->given |= G_LIMIT;
		break;
	case O_HELPER:
		if (v[0] == '\0' || strlen(v) >= 16)
			return fail(p, "%s: a helper name is 1-15 characters",
				    p->opt_text);
		c->helper = v;
		c->given |= G_HELPER;
		break;
	}
	return ret;
}

/* ---- Checks once everything is read ---- */

static bool dir_given(const struct cli_dir *d)
{
	return d->src.set || d->dst.set || d->has_sport || d->has_dport;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static bool whole_dir(const struct cli *c, const struct cli_dir *d)
{
	if (!d->src.set || !d->dst.set || d->src.len || d->dst.len ||
	    !(c->given & G_PROTO))
		return false;
	if (ctnl_proto_has_ports(c->proto))
		return d->has_sport && d->has_dport;
	if (is_icmp(c->proto))
		return (c->given & (G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID)) ==
		       (G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID);
	return true;
}

uint64_t cli_whole_tuple(const struct cli *c)
{
	if (whole_dir(c, &c->orig))
		return CTNL_ATTR_ORIG;
	/* ICMP fields describe the original direction. */
	if (!dir_given(&c->orig) && !is_icmp(c->proto) &&
	    whole_dir(c, &c->reply))
		return CTNL_ATTR_REPLY;
	return 0;
}

bool cli_has_other_criteria(const struct cli *c)
{
	uint64_t which = cli_whole_tuple(c);

	if (!which)
		return true;
	if (which == CTNL_ATTR_ORIG && dir_given(&c->reply))
		return true;
	return (c->cmd != CMD_UPDATE && (c->given & (G_MARK | G_STATUS))) ||
	       (c->given & (G_STATE | G_LABEL));
}

static int check_state(struct parser *p)
{
	struct cli *c = p->c;
	const char *const *names;
	size_t n;

	p->opt_text = "--state";
	if (c->proto == IPPROTO_TCP && (c->given & G_PROTO)) {
		names = tcp_states;
		n = COUNT(tcp_states);
	} else if (c->proto == IPPROTO_SCTP && (c->given & G_PROTO)) {
		names = sctp_states;
		n = COUNT(sctp_states);
	} else {
		return fail(p, "--state: needs -p tcp or -p sctp");
	}
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(p->state_text, names[i]) == 0) {
			c->state = (uint8_t)i;
			return 0;
		}
	}
	return fail(p, "--state: unknown %s state '%s'",
		    c->proto == IPPROTO_TCP ? "TCP" : "SCTP", p->state_text);
}

/* Ports and ICMP fields need a protocol that has them. */
static int check_l4(struct parser *p)
{
	struct cli *c = p->c;
	const struct {
		const struct cli_dir *dir;
		const char *sport, *dport;
	} dirs[] = {
		{ &c->orig, "--sport", "--dport" },
		{ &c->reply, "--reply-port-src", "--reply-port-dst" },
		{ &c->exp_tuple, "--tuple-port-src", "--tuple-port-dst" },
		{ &c->exp_mask, "--mask-port-src", "--mask-port-dst" },
	};
	const char *port = NULL;

	for (size_t i = 0; i < COUNT(dirs) && !port; i++)
		port = dirs[i].dir->has_sport ? dirs[i].sport
		       : dirs[i].dir->has_dport ? dirs[i].dport : NULL;
	if (port && (!(c->given & G_PROTO) || !ctnl_proto_has_ports(c->proto)))
		return fail(p, "%s: needs -p with a protocol that has ports "
			       "(tcp, udp, udplite, sctp, dccp, gre)", port);
	if ((c->given & (G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID)) &&
	    (!(c->given & G_PROTO) || !is_icmp(c->proto)))
		return fail(p, "%s: needs -p icmp or -p icmpv6",
			    c->given & G_ICMP_TYPE ? "--icmp-type"
			    : c->given & G_ICMP_CODE ? "--icmp-code"
						     : "--icmp-id");
	if ((c->given & G_PROTO) && c->family) {
		if ((c->proto == IPPROTO_ICMP && c->family == AF_INET6) ||
		    (c->proto == IPPROTO_ICMPV6 && c->family == AF_INET))
			return fail(p, "-p: %s does not go with %s addresses",
				    cli_proto_name(c->proto),
				    c->family == AF_INET ? "IPv4" : "IPv6");
	}
	return 0;
}

bool cli_any_selection(const struct cli *c)
{
	return dir_given(&c->orig) || dir_given(&c->reply) ||
	       (c->given & (G_FAMILY | G_PROTO | G_MARK | G_ZONE | G_STATE |
			    G_STATUS | G_LABEL | G_ICMP_TYPE | G_ICMP_CODE |
			    G_ICMP_ID));
}

#define CHANGES (G_MARK | G_TIMEOUT | G_LABEL_ADD | G_LABEL_DEL | G_STATUS)

static int check_expect(struct parser *p)
{
	struct cli *c = p->c;
	uint32_t extra;

	switch (c->cmd) {
	case CMD_LIST:
	case CMD_FLUSH:
	case CMD_EVENTS:
		if (c->cmd == CMD_FLUSH && (c->given & G_FAMILY))
			return fail(p, "-f: the kernel empties the expectations "
				       "of every family at once");
		extra = c->given & ~(G_TABLE | G_FAMILY | G_EVENTS | G_LIMIT);
		if (extra || dir_given(&c->orig) || dir_given(&c->reply))
			return fail(p, "%s --table expect: only -f selects "
				       "expectations", cli_cmd_name(c->cmd));
		if (c->events & CTNL_EVENT_UPDATE)
			return fail(p, "-e: expectations have NEW and "
				       "DESTROY events only");
		return 0;
	case CMD_COUNT:
	case CMD_STATS:
		if (cli_any_selection(c))
			return fail(p, "%s --table expect: takes no filters",
				    cli_cmd_name(c->cmd));
		return 0;
	case CMD_GET:
	case CMD_DELETE:
		if (!c->exp_tuple.src.set || !c->exp_tuple.dst.set ||
		    !(c->given & G_PROTO) ||
		    (ctnl_proto_has_ports(c->proto) &&
		     (!c->exp_tuple.has_sport || !c->exp_tuple.has_dport)))
			return fail(p, "%s --table expect: needs the expected "
				       "tuple: -p, --tuple-src, --tuple-dst "
				       "and, with ports, --tuple-port-src and "
				       "--tuple-port-dst", cli_cmd_name(c->cmd));
		return 0;
	case CMD_CREATE:
		if (!whole_dir(c, &c->orig))
			return fail(p, "create --table expect: needs the "
				       "master's whole tuple: -p, -s, -d and "
				       "ports");
		if (!c->exp_tuple.src.set || !c->exp_tuple.dst.set ||
		    !c->exp_mask.src.set || !c->exp_mask.dst.set)
			return fail(p, "create --table expect: needs "
				       "--tuple-src, --tuple-dst, --mask-src "
				       "and --mask-dst");
		if (!(c->given & G_TIMEOUT))
			return fail(p, "create: needs -t/--timeout");
		return 0;
	default:
		return fail(p, "%s: does not apply to the expectation table",
			    cli_cmd_name(c->cmd));
	}
}

static int check_conntrack(struct parser *p)
{
	struct cli *c = p->c;
	const struct cli_dir *d[] = { &c->exp_tuple, &c->exp_mask };

	for (size_t i = 0; i < COUNT(d); i++)
		if (dir_given(d[i]))
			return fail(p, "--tuple-* and --mask-* options apply to "
				       "--table expect");
	if (c->given & G_HELPER)
		return fail(p, "--helper: applies to --table expect");

	switch (c->cmd) {
	case CMD_GET:
		if (!cli_whole_tuple(c))
			return fail(p, "get: needs a whole tuple: -p, -s, -d "
				       "and --sport/--dport (ICMP: --icmp-type, "
				       "--icmp-code, --icmp-id), or the same "
				       "for the reply direction");
		break;
	case CMD_CREATE:
		if (!whole_dir(c, &c->orig))
			return fail(p, "create: needs the original tuple: -p, "
				       "-s, -d and --sport/--dport (ICMP: "
				       "--icmp-type, --icmp-code, --icmp-id)");
		if (dir_given(&c->reply) &&
		    (!c->reply.src.set || !c->reply.dst.set ||
		     (ctnl_proto_has_ports(c->proto) &&
		      (!c->reply.has_sport || !c->reply.has_dport))))
			return fail(p, "create: a reply tuple needs -r, -q "
				       "and, with ports, --reply-port-src and "
				       "--reply-port-dst");
		if (!(c->given & G_TIMEOUT))
			return fail(p, "create: needs -t/--timeout");
		if ((c->given & G_ZONE) &&
		    (c->given & (G_ORIG_ZONE | G_REPLY_ZONE)))
			return fail(p, "-w: give either --zone or "
				       "--orig-zone/--reply-zone");
		if ((c->given & G_MARK) && c->mark_mask != UINT32_MAX)
			return fail(p, "--mark: create sets the whole mark; "
				       "give no MASK");
		break;
	case CMD_UPDATE:
		if (!(c->given & CHANGES))
			return fail(p, "update: nothing to change: give "
				       "--mark, --timeout, --label-add, "
				       "--label-del or --status");
		break;
	case CMD_DELETE:
		if (!cli_any_selection(c))
			return fail(p, "delete: select entries (a tuple or "
				       "filters); to delete them all, use "
				       "'ctnl flush'");
		break;
	default:
		break;
	}
	return 0;
}

static int check(struct parser *p)
{
	struct cli *c = p->c;
	int ret;

	if ((c->given & G_STATE) && (ret = check_state(p)))
		return ret;
	if ((ret = check_l4(p)))
		return ret;
	if ((c->given & G_LIMIT) && c->limit == 0)
		return fail(p, "--limit: give at least 1");
	if (c->table == CTNL_TABLE_EXPECT)
		return check_expect(p);
	return check_conntrack(p);
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
		o = find_option(argv[i], CMD_NONE, &value, &applies);
		if (o && o->arg && !value)
			i++;
	}
	return 0;
}

int cli_parse(int argc, char *const argv[], struct cli *out, char *err,
	      size_t errsize)
{
	struct parser p = { .c = out, .err = err, .errsize = errsize };
	int word, ret;
	bool dashdash = false;

	*out = (struct cli){ .mark_mask = UINT32_MAX };
	if (errsize)
		err[0] = '\0';
	if (argc < 1 || !argv)
		return fail(&p, "no command given");
	word = find_command_word(argc, argv);
	if (word) {
		out->cmd = find_command(argv[word]);
		if (out->cmd == CMD_NONE)
			return fail(&p, "unknown command '%s' (list, get, "
					"create, update, delete, flush, count, "
					"stats, events)", argv[word]);
	}

	for (int i = 1; i < argc; i++) {
		const struct cli_option *o;
		const char *value;
		bool applies;

		if (i == word)
			continue;
		if (dashdash || argv[i][0] != '-' || argv[i][1] == '\0')
			return fail(&p, "unexpected argument '%s'", argv[i]);
		if (strcmp(argv[i], "--") == 0) {
			dashdash = true;
			continue;
		}
		o = find_option(argv[i], out->cmd, &value, &applies);
		/* Messages name the option as given, without its value. */
		snprintf(p.opt_name, sizeof(p.opt_name), "%.*s",
			 argv[i][1] == '-' ? (int)strcspn(argv[i], "=") : 2,
			 argv[i]);
		p.opt_text = p.opt_name;
		if (!o)
			return fail(&p, "unknown option '%s'", p.opt_name);
		if (!applies) {
			if (out->cmd == CMD_NONE)
				return fail(&p, "%s: give it after the command",
					    p.opt_name);
			return fail(&p, "%s: does not apply to %s", p.opt_name,
				    cli_cmd_name(out->cmd));
		}
		if (!o->arg && value)
			return fail(&p, "%s: takes no value", p.opt_name);
		if (o->arg && !value) {
			if (i + 1 >= argc)
				return fail(&p, "%s: needs a value (%s)",
					    p.opt_name, o->arg);
			value = argv[++i];
		}
		ret = apply(&p, o, value ? value : "");
		if (ret)
			return ret;
	}
	if (out->help || out->version)
		return 0;
	if (out->cmd == CMD_NONE)
		return fail(&p, "no command given (list, get, create, update, "
				"delete, flush, count, stats, events)");
	return check(&p);
}
