/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <string.h>

#include "cli.h"
#include "json.h"

/* Objects nest a few levels deep; each level knows whether a field was
 * written yet, for the commas. Written with the hand-written appenders
 * of textbuf.h: no printf per field. */
struct json {
	struct textbuf *b;
	int depth;
	bool started[8];
};

/* Whether @c must be escaped in a JSON string. */
static bool needs_escape(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c == 0x7f;
}

void json_string(struct textbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	tb_char(b, '"');
	for (;;) {
		const unsigned char *run = p;

		while (*p && !needs_escape(*p))
			p++;
		tb_mem(b, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		tb_char(b, '\\');
		if (*p == '"' || *p == '\\') {
			tb_char(b, (char)*p);
		} else if (*p == '\n') {
			tb_char(b, 'n');
		} else if (*p == '\t') {
			tb_char(b, 't');
		} else {
			tb_mem(b, "u00", 3);
			tb_char(b, hex[*p >> 4]);
			tb_char(b, hex[*p & 15]);
		}
		p++;
	}
	tb_char(b, '"');
}

/* A field's start: the comma, and '"NAME":' as the K() macro writes it
 * at compile time (NULL: an array's element). */
struct key {
	const char *text;
	size_t len;
};

#define K(name) ((struct key){ "\"" name "\":", sizeof(name) + 2 })
#define NOKEY ((struct key){ NULL, 0 })

static void key(struct json *j, struct key k)
{
	if (j->started[j->depth])
		tb_char(j->b, ',');
	j->started[j->depth] = true;
	if (k.text)
		tb_mem(j->b, k.text, k.len);
}

static void begin(struct json *j, struct key name, char bracket)
{
	if (j->depth >= 0)
		key(j, name);
	tb_char(j->b, bracket);
	j->depth++;
	j->started[j->depth] = false;
}

static void end(struct json *j, char bracket)
{
	tb_char(j->b, bracket);
	j->depth--;
}

static void num(struct json *j, struct key name, uint64_t v)
{
	key(j, name);
	tb_u64(j->b, v);
}

static void str(struct json *j, struct key name, const char *v)
{
	key(j, name);
	json_string(j->b, v);
}

/* A name of the tool's own tables: nothing to escape. */
static void name_str(struct json *j, struct key name, const char *v)
{
	key(j, name);
	tb_char(j->b, '"');
	tb_str(j->b, v);
	tb_char(j->b, '"');
}

/* Addresses need no escapes. */
static void addr(struct json *j, struct key name, uint8_t family,
		 const union ctnl_addr *a)
{
	key(j, name);
	tb_char(j->b, '"');
	tb_addr(j->b, family, a);
	tb_char(j->b, '"');
}

static void tuple_fields(struct json *j, const struct ctnl_tuple *t)
{
	addr(j, K("src"), t->family, &t->src);
	addr(j, K("dst"), t->family, &t->dst);
	if (t->proto == IPPROTO_GRE) {
		num(j, K("srckey"), t->port.src);
		num(j, K("dstkey"), t->port.dst);
	} else if (ctnl_proto_has_ports(t->proto)) {
		num(j, K("sport"), t->port.src);
		num(j, K("dport"), t->port.dst);
	} else if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6) {
		num(j, K("type"), t->icmp.type);
		num(j, K("code"), t->icmp.code);
		num(j, K("id"), t->icmp.id);
	}
}

static void proto_fields(struct json *j, uint8_t family, uint8_t proto)
{
	name_str(j, K("family"), family == AF_INET ? "ipv4"
			 : family == AF_INET6 ? "ipv6" : "unknown");
	if (cli_proto_name(proto))
		name_str(j, K("proto"), cli_proto_name(proto));
	num(j, K("protonum"), proto);
}

static void direction(struct json *j, struct key name,
		      const struct ctnl_flow *f, int dir)
{
	const struct ctnl_tuple *t = dir == CTNL_DIR_ORIG ? &f->orig
							  : &f->reply;
	uint64_t counters = dir == CTNL_DIR_ORIG ? CTNL_ATTR_COUNTERS_ORIG
						 : CTNL_ATTR_COUNTERS_REPLY;

	if (!(f->attrs & (dir == CTNL_DIR_ORIG ? CTNL_ATTR_ORIG
					       : CTNL_ATTR_REPLY)))
		return;
	begin(j, name, '{');
	tuple_fields(j, t);
	if (f->orig.zone != f->reply.zone && t->zone)
		num(j, K("zone"), t->zone);
	if (f->attrs & counters) {
		num(j, K("packets"), f->counters[dir].packets);
		num(j, K("bytes"), f->counters[dir].bytes);
	}
	if (f->orig.proto == IPPROTO_TCP) {
		if (f->attrs & CTNL_ATTR_TCP_WSCALE)
			num(j, K("tcp_wscale"), f->tcp.wscale[dir]);
		if (f->attrs & CTNL_ATTR_TCP_FLAGS) {
			num(j, K("tcp_flags"), f->tcp.flags[dir]);
			num(j, K("tcp_flags_mask"), f->tcp.flags_mask[dir]);
		}
	} else if (f->orig.proto == IPPROTO_SCTP &&
		   (f->attrs & CTNL_ATTR_SCTP_VTAG)) {
		num(j, K("sctp_vtag"), f->sctp.vtag[dir]);
	}
	end(j, '}');
}

static const char *state_name(const struct ctnl_flow *f)
{
	if (f->orig.proto == IPPROTO_TCP && (f->attrs & CTNL_ATTR_TCP_STATE))
		return cli_tcp_state_name(f->tcp.state);
	if (f->orig.proto == IPPROTO_SCTP && (f->attrs & CTNL_ATTR_SCTP_STATE))
		return cli_sctp_state_name(f->sctp.state);
	return NULL;
}

static void status_list(struct json *j, uint32_t status)
{
	begin(j, K("status"), '[');
	for (size_t i = 0; cli_status_names[i].name; i++) {
		if (status & cli_status_names[i].bit) {
			name_str(j, NOKEY, cli_status_names[i].name);
		}
	}
	end(j, ']');
}

static void labels(struct json *j, const struct ctnl_labels *l,
		   const char *const *names)
{
	bool named = false;

	begin(j, K("labels"), '[');
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (!ctnl_labels_test(l, bit))
			continue;
		key(j, NOKEY);
		tb_u64(j->b, bit);
		named |= names && names[bit] && names[bit][0];
	}
	end(j, ']');
	if (!named)
		return;
	begin(j, K("label_names"), '[');
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (ctnl_labels_test(l, bit) && names[bit] && names[bit][0]) {
			key(j, NOKEY);
			json_string(j->b, names[bit]);
		}
	}
	end(j, ']');
}

static void event_fields(struct json *j, const struct json_event *ev)
{
	if (!ev || !cli_event_name(ev->type))
		return;
	name_str(j, K("event"), cli_event_name(ev->type));
	if (ev->portid)
		num(j, K("portid"), ev->portid);
	if (ev->portid && ev->progname)
		str(j, K("progname"), ev->progname);
}

void json_flow(struct textbuf *b, const struct ctnl_flow *flow,
	       const struct json_event *ev, const char *const *label_names,
	       int64_t now)
{
	struct json j = { .b = b, .depth = -1 };
	const char *state = state_name(flow);

	begin(&j, NOKEY, '{');
	event_fields(&j, ev);
	proto_fields(&j, flow->orig.family, flow->orig.proto);
	if (flow->attrs & CTNL_ATTR_TIMEOUT)
		num(&j, K("timeout"), flow->timeout);
	if (state)
		name_str(&j, K("state"), state);
	direction(&j, K("orig"), flow, CTNL_DIR_ORIG);
	direction(&j, K("reply"), flow, CTNL_DIR_REPLY);
	if (flow->attrs & CTNL_ATTR_STATUS)
		status_list(&j, flow->status);
	if (flow->attrs & CTNL_ATTR_MARK)
		num(&j, K("mark"), flow->mark);
	if (flow->orig.zone == flow->reply.zone && flow->orig.zone)
		num(&j, K("zone"), flow->orig.zone);
	if (flow->attrs & CTNL_ATTR_LABELS)
		labels(&j, &flow->labels, label_names);
	if (flow->attrs & CTNL_ATTR_ID)
		num(&j, K("id"), flow->id);
	if (flow->attrs & CTNL_ATTR_USE)
		num(&j, K("use"), flow->use);
	if (flow->attrs & CTNL_ATTR_HELPER)
		str(&j, K("helper"), flow->helper);
	if (flow->attrs & CTNL_ATTR_START) {
		int64_t start = (int64_t)(flow->start / 1000000000u);
		int64_t stop = (flow->attrs & CTNL_ATTR_STOP) && flow->stop
				       ? (int64_t)(flow->stop / 1000000000u)
				       : now;

		num(&j, K("start"), flow->start);
		if (flow->attrs & CTNL_ATTR_STOP)
			num(&j, K("stop"), flow->stop);
		num(&j, K("delta_time"), stop > start ? (uint64_t)(stop - start)
						   : 0);
	}
	if (flow->orig.proto == IPPROTO_DCCP) {
		if (flow->attrs & CTNL_ATTR_DCCP_STATE)
			num(&j, K("dccp_state"), flow->dccp.state);
		if (flow->attrs & CTNL_ATTR_DCCP_ROLE)
			num(&j, K("dccp_role"), flow->dccp.role);
		if (flow->attrs & CTNL_ATTR_DCCP_HANDSHAKE_SEQ)
			num(&j, K("dccp_handshake_seq"),
			    flow->dccp.handshake_seq);
	}
	end(&j, '}');
	tb_char(b, '\n');
}

static void exp_tuple(struct json *j, struct key name, uint64_t attrs,
		      uint64_t bit, const struct ctnl_tuple *t)
{
	if (!(attrs & bit))
		return;
	begin(j, name, '{');
	tuple_fields(j, t);
	end(j, '}');
}

void json_expect(struct textbuf *b, const struct ctnl_expect *e,
		 const struct json_event *ev)
{
	static const struct { const char *name; uint32_t bit; } flags[] = {
		{ "PERMANENT", NF_CT_EXPECT_PERMANENT },
		{ "INACTIVE", NF_CT_EXPECT_INACTIVE },
		{ "USERSPACE", NF_CT_EXPECT_USERSPACE },
	};
	struct json j = { .b = b, .depth = -1 };

	begin(&j, NOKEY, '{');
	event_fields(&j, ev);
	proto_fields(&j, e->tuple.family, e->tuple.proto);
	if (e->attrs & CTNL_EXP_ATTR_TIMEOUT)
		num(&j, K("timeout"), e->timeout);
	exp_tuple(&j, K("tuple"), e->attrs, CTNL_EXP_ATTR_TUPLE, &e->tuple);
	exp_tuple(&j, K("mask"), e->attrs, CTNL_EXP_ATTR_MASK, &e->mask);
	exp_tuple(&j, K("master"), e->attrs, CTNL_EXP_ATTR_MASTER, &e->master);
	if (e->attrs & CTNL_EXP_ATTR_ZONE)
		num(&j, K("zone"), e->zone);
	if (e->attrs & CTNL_EXP_ATTR_FLAGS) {
		begin(&j, K("flags"), '[');
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (e->flags & flags[i].bit) {
				name_str(&j, NOKEY, flags[i].name);
			}
		}
		end(&j, ']');
	}
	if (e->attrs & CTNL_EXP_ATTR_CLASS)
		num(&j, K("class"), e->class);
	if (e->attrs & CTNL_EXP_ATTR_HELPER)
		str(&j, K("helper"), e->helper);
	if (e->attrs & CTNL_EXP_ATTR_FN)
		str(&j, K("fn"), e->fn);
	if (e->attrs & CTNL_EXP_ATTR_ID)
		num(&j, K("id"), e->id);
	if (e->attrs & CTNL_EXP_ATTR_NAT) {
		begin(&j, K("nat"), '{');
		num(&j, K("dir"), e->nat_dir);
		begin(&j, K("tuple"), '{');
		tuple_fields(&j, &e->nat_tuple);
		end(&j, '}');
		end(&j, '}');
	}
	end(&j, '}');
	tb_char(b, '\n');
}
