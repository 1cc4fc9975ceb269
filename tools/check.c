/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Judging a command line once every option is read: what a command needs,
 * what goes together, and which entries it names. The runner asks the
 * same questions (cli_whole_tuple() and the others) to choose its way.
 */
#include <strings.h>

#include "names.h"
#include "parser.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool dir_given(const struct cli_dir *d)
{
	return d->src.set || d->dst.set || d->has_sport || d->has_dport;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

#define ICMP_ALL (G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID)

static bool whole_dir(const struct cli *c, const struct cli_dir *d)
{
	if (!d->src.set || !d->dst.set || d->src.len || d->dst.len ||
	    !(c->given & G_PROTO))
		return false;
	if (ctnl_proto_has_ports(c->proto))
		return d->has_sport && d->has_dport;
	if (is_icmp(c->proto))
		return (c->given & ICMP_ALL) == ICMP_ALL;
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

bool cli_any_selection(const struct cli *c)
{
	return dir_given(&c->orig) || dir_given(&c->reply) ||
	       (c->given & (G_FAMILY | G_PROTO | G_MARK | G_ZONE | G_STATE |
			    G_STATUS | G_LABEL | ICMP_ALL));
}

int check_state(struct parser *p)
{
	struct cli *c = p->c;
	int state;

	p->opt_text = "--state";
	if (!(c->given & G_PROTO) ||
	    (c->proto != IPPROTO_TCP && c->proto != IPPROTO_SCTP &&
	     (c->proto != IPPROTO_DCCP || c->syntax != SYNTAX_CONNTRACK)))
		return parser_fail(p, "--state: needs -p tcp or -p sctp%s",
				   c->syntax == SYNTAX_CONNTRACK
					   ? " or -p dccp" : "");
	state = names_state(c->proto, p->state_text);
	if (state < 0)
		return parser_fail(p, "--state: unknown %s state '%s'",
				   c->proto == IPPROTO_TCP    ? "TCP"
				   : c->proto == IPPROTO_SCTP ? "SCTP"
							      : "DCCP",
				   p->state_text);
	c->state = (uint8_t)state;
	return 0;
}

/* The first port option given, by its name, or NULL. */
static const char *port_given(const struct cli *c)
{
	const struct {
		const struct cli_dir *dir;
		const char *sport, *dport;
	} dirs[] = {
		{ &c->orig, "--sport", "--dport" },
		{ &c->reply, "--reply-port-src", "--reply-port-dst" },
		{ &c->exp_tuple, "--tuple-port-src", "--tuple-port-dst" },
		{ &c->exp_mask, "--mask-port-src", "--mask-port-dst" },
	};

	for (size_t i = 0; i < COUNT(dirs); i++) {
		if (dirs[i].dir->has_sport)
			return dirs[i].sport;
		if (dirs[i].dir->has_dport)
			return dirs[i].dport;
	}
	return NULL;
}

int check_l4(struct parser *p)
{
	struct cli *c = p->c;
	const char *port = port_given(c);

	if (port && (!(c->given & G_PROTO) || !ctnl_proto_has_ports(c->proto)))
		return parser_fail(p, "%s: needs -p with a protocol that has "
				      "ports (tcp, udp, udplite, sctp, dccp, "
				      "gre)", port);
	if ((c->given & ICMP_ALL) &&
	    (!(c->given & G_PROTO) || !is_icmp(c->proto)))
		return parser_fail(p, "%s: needs -p icmp or -p icmpv6",
				   c->given & G_ICMP_TYPE ? "--icmp-type"
				   : c->given & G_ICMP_CODE ? "--icmp-code"
							    : "--icmp-id");
	if ((c->given & G_PROTO) &&
	    ((c->proto == IPPROTO_ICMP && c->family == AF_INET6) ||
	     (c->proto == IPPROTO_ICMPV6 && c->family == AF_INET)))
		return parser_fail(p, "-p: %s does not go with %s addresses",
				   cli_proto_name(c->proto),
				   c->family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

#define CHANGES (G_MARK | G_TIMEOUT | G_LABEL_ADD | G_LABEL_DEL | G_STATUS)

static int check_expect_key(struct parser *p)
{
	struct cli *c = p->c;

	if (!c->exp_tuple.src.set || !c->exp_tuple.dst.set ||
	    !(c->given & G_PROTO) ||
	    (ctnl_proto_has_ports(c->proto) &&
	     (!c->exp_tuple.has_sport || !c->exp_tuple.has_dport)))
		return parser_fail(p, "%s --table expect: needs the expected "
				      "tuple: -p, --tuple-src, --tuple-dst "
				      "and, with ports, --tuple-port-src and "
				      "--tuple-port-dst", cli_cmd_name(c->cmd));
	return 0;
}

static int check_expect_create(struct parser *p)
{
	struct cli *c = p->c;

	if (!whole_dir(c, &c->orig))
		return parser_fail(p, "create --table expect: needs the "
				      "master's whole tuple: -p, -s, -d and "
				      "ports");
	if (!c->exp_tuple.src.set || !c->exp_tuple.dst.set ||
	    !c->exp_mask.src.set || !c->exp_mask.dst.set)
		return parser_fail(p, "create --table expect: needs "
				      "--tuple-src, --tuple-dst, --mask-src "
				      "and --mask-dst");
	if (!(c->given & G_TIMEOUT))
		return parser_fail(p, "create: needs -t/--timeout");
	return 0;
}

/* list, flush and events of expectations: only -f selects. */
static int check_expect_all(struct parser *p)
{
	struct cli *c = p->c;
	uint32_t extra = c->given & ~(G_TABLE | G_FAMILY | G_EVENTS | G_LIMIT |
				      G_BUFFER_SIZE);

	if (c->cmd == CMD_FLUSH && (c->given & G_FAMILY))
		return parser_fail(p, "-f: the kernel empties the expectations "
				      "of every family at once");
	if (extra || dir_given(&c->orig) || dir_given(&c->reply))
		return parser_fail(p, "%s --table expect: only -f selects "
				      "expectations", cli_cmd_name(c->cmd));
	if (c->events & CTNL_EVENT_UPDATE)
		return parser_fail(p, "-e: expectations have NEW and DESTROY "
				      "events only");
	return 0;
}

static int check_expect(struct parser *p)
{
	struct cli *c = p->c;

	switch (c->cmd) {
	case CMD_LIST:
	case CMD_FLUSH:
	case CMD_EVENTS:
		return check_expect_all(p);
	case CMD_COUNT:
	case CMD_STATS:
		if (cli_any_selection(c))
			return parser_fail(p, "%s --table expect: takes no "
					      "filters", cli_cmd_name(c->cmd));
		return 0;
	case CMD_GET:
	case CMD_DELETE:
		return check_expect_key(p);
	case CMD_CREATE:
		return check_expect_create(p);
	default:
		return parser_fail(p, "%s: does not apply to the expectation "
				      "table", cli_cmd_name(c->cmd));
	}
}

static int check_create(struct parser *p)
{
	struct cli *c = p->c;

	if (!whole_dir(c, &c->orig))
		return parser_fail(p, "create: needs the original tuple: -p, "
				      "-s, -d and --sport/--dport (ICMP: "
				      "--icmp-type, --icmp-code, --icmp-id)");
	if (dir_given(&c->reply) &&
	    (!c->reply.src.set || !c->reply.dst.set ||
	     (ctnl_proto_has_ports(c->proto) &&
	      (!c->reply.has_sport || !c->reply.has_dport))))
		return parser_fail(p, "create: a reply tuple needs -r, -q "
				      "and, with ports, --reply-port-src and "
				      "--reply-port-dst");
	if (!(c->given & G_TIMEOUT))
		return parser_fail(p, "create: needs -t/--timeout");
	if ((c->given & G_ZONE) && (c->given & (G_ORIG_ZONE | G_REPLY_ZONE)))
		return parser_fail(p, "-w: give either --zone or "
				      "--orig-zone/--reply-zone");
	if ((c->given & G_MARK) && c->mark_mask != UINT32_MAX)
		return parser_fail(p, "--mark: create sets the whole mark; "
				      "give no MASK");
	return 0;
}

static int check_conntrack(struct parser *p)
{
	struct cli *c = p->c;

	if (dir_given(&c->exp_tuple) || dir_given(&c->exp_mask))
		return parser_fail(p, "--tuple-* and --mask-* options apply to "
				      "--table expect");
	if (c->given & G_HELPER)
		return parser_fail(p, "--helper: applies to --table expect");

	switch (c->cmd) {
	case CMD_GET:
		if (!cli_whole_tuple(c))
			return parser_fail(p, "get: needs a whole tuple: -p, -s, "
					      "-d and --sport/--dport (ICMP: "
					      "--icmp-type, --icmp-code, "
					      "--icmp-id), or the same for the "
					      "reply direction");
		return 0;
	case CMD_CREATE:
		return check_create(p);
	case CMD_UPDATE:
		if (!(c->given & CHANGES))
			return parser_fail(p, "update: nothing to change: give "
					      "--mark, --timeout, --label-add, "
					      "--label-del or --status");
		return 0;
	case CMD_DELETE:
		if (!cli_any_selection(c))
			return parser_fail(p, "delete: select entries (a tuple "
					      "or filters); to delete them all, "
					      "use 'ctnl flush'");
		return 0;
	default:
		return 0;
	}
}

int check_cli(struct parser *p)
{
	struct cli *c = p->c;
	int ret;

	if ((c->given & G_STATE) && (ret = check_state(p)))
		return ret;
	if ((ret = check_l4(p)))
		return ret;
	if ((c->given & G_LIMIT) && c->limit == 0)
		return parser_fail(p, "--limit: give at least 1");
	if ((c->given & G_BUFFER_SIZE) && c->buffer_size == 0)
		return parser_fail(p, "--buffer-size: give at least 1");
	if (c->table == CTNL_TABLE_EXPECT)
		return check_expect(p);
	return check_conntrack(p);
}
