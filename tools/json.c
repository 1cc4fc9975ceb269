/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "cli.h"
#include "json.h"

/* Objects nest a few levels deep; each level knows whether a field was
 * written yet, for the commas. */
struct json {
	FILE *f;
	int depth;
	bool started[8];
};

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void key(struct json *j, const char *name)
{
	if (j->started[j->depth])
		fputc(',', j->f);
	j->started[j->depth] = true;
	if (name)
		fprintf(j->f, "\"%s\":", name);
}

static void begin(struct json *j, const char *name, char bracket)
{
	if (j->depth >= 0)
		key(j, name);
	fputc(bracket, j->f);
	j->depth++;
	j->started[j->depth] = false;
}

static void end(struct json *j, char bracket)
{
	fputc(bracket, j->f);
	j->depth--;
}

static void num(struct json *j, const char *name, uint64_t v)
{
	key(j, name);
	fprintf(j->f, "%" PRIu64, v);
}

static void str(struct json *j, const char *name, const char *v)
{
	key(j, name);
	json_string(j->f, v);
}

static void addr(struct json *j, const char *name, uint8_t family,
		 const union ctnl_addr *a)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(family, a, text, sizeof(text)))
		str(j, name, text);
}

static void tuple_fields(struct json *j, const struct ctnl_tuple *t)
{
	addr(j, "src", t->family, &t->src);
	addr(j, "dst", t->family, &t->dst);
	if (t->proto == IPPROTO_GRE) {
		num(j, "srckey", t->port.src);
		num(j, "dstkey", t->port.dst);
	} else if (ctnl_proto_has_ports(t->proto)) {
		num(j, "sport", t->port.src);
		num(j, "dport", t->port.dst);
	} else if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6) {
		num(j, "type", t->icmp.type);
		num(j, "code", t->icmp.code);
		num(j, "id", t->icmp.id);
	}
}

static void proto_fields(struct json *j, uint8_t family, uint8_t proto)
{
	str(j, "family", family == AF_INET ? "ipv4"
			 : family == AF_INET6 ? "ipv6" : "unknown");
	if (cli_proto_name(proto))
		str(j, "proto", cli_proto_name(proto));
	num(j, "protonum", proto);
}

static void direction(struct json *j, const char *name,
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
		num(j, "zone", t->zone);
	if (f->attrs & counters) {
		num(j, "packets", f->counters[dir].packets);
		num(j, "bytes", f->counters[dir].bytes);
	}
	if (f->orig.proto == IPPROTO_TCP) {
		if (f->attrs & CTNL_ATTR_TCP_WSCALE)
			num(j, "tcp_wscale", f->tcp.wscale[dir]);
		if (f->attrs & CTNL_ATTR_TCP_FLAGS) {
			num(j, "tcp_flags", f->tcp.flags[dir]);
			num(j, "tcp_flags_mask", f->tcp.flags_mask[dir]);
		}
	} else if (f->orig.proto == IPPROTO_SCTP &&
		   (f->attrs & CTNL_ATTR_SCTP_VTAG)) {
		num(j, "sctp_vtag", f->sctp.vtag[dir]);
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
	begin(j, "status", '[');
	for (size_t i = 0; cli_status_names[i].name; i++) {
		if (status & cli_status_names[i].bit) {
			key(j, NULL);
			json_string(j->f, cli_status_names[i].name);
		}
	}
	end(j, ']');
}

static void labels(struct json *j, const struct ctnl_labels *l,
		   const char *const *names)
{
	bool named = false;

	begin(j, "labels", '[');
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (!ctnl_labels_test(l, bit))
			continue;
		key(j, NULL);
		fprintf(j->f, "%u", bit);
		named |= names && names[bit] && names[bit][0];
	}
	end(j, ']');
	if (!named)
		return;
	begin(j, "label_names", '[');
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (ctnl_labels_test(l, bit) && names[bit] && names[bit][0]) {
			key(j, NULL);
			json_string(j->f, names[bit]);
		}
	}
	end(j, ']');
}

static void event_fields(struct json *j, const struct json_event *ev)
{
	if (!ev || !cli_event_name(ev->type))
		return;
	str(j, "event", cli_event_name(ev->type));
	if (ev->portid)
		num(j, "portid", ev->portid);
	if (ev->portid && ev->progname)
		str(j, "progname", ev->progname);
}

void json_flow(FILE *f, const struct ctnl_flow *flow,
	       const struct json_event *ev, const char *const *label_names,
	       int64_t now)
{
	struct json j = { .f = f, .depth = -1 };
	const char *state = state_name(flow);

	begin(&j, NULL, '{');
	event_fields(&j, ev);
	proto_fields(&j, flow->orig.family, flow->orig.proto);
	if (flow->attrs & CTNL_ATTR_TIMEOUT)
		num(&j, "timeout", flow->timeout);
	if (state)
		str(&j, "state", state);
	direction(&j, "orig", flow, CTNL_DIR_ORIG);
	direction(&j, "reply", flow, CTNL_DIR_REPLY);
	if (flow->attrs & CTNL_ATTR_STATUS)
		status_list(&j, flow->status);
	if (flow->attrs & CTNL_ATTR_MARK)
		num(&j, "mark", flow->mark);
	if (flow->orig.zone == flow->reply.zone && flow->orig.zone)
		num(&j, "zone", flow->orig.zone);
	if (flow->attrs & CTNL_ATTR_LABELS)
		labels(&j, &flow->labels, label_names);
	if (flow->attrs & CTNL_ATTR_ID)
		num(&j, "id", flow->id);
	if (flow->attrs & CTNL_ATTR_USE)
		num(&j, "use", flow->use);
	if (flow->attrs & CTNL_ATTR_HELPER)
		str(&j, "helper", flow->helper);
	if (flow->attrs & CTNL_ATTR_START) {
		int64_t start = (int64_t)(flow->start / 1000000000u);
		int64_t stop = (flow->attrs & CTNL_ATTR_STOP) && flow->stop
				       ? (int64_t)(flow->stop / 1000000000u)
				       : now;

		num(&j, "start", flow->start);
		if (flow->attrs & CTNL_ATTR_STOP)
			num(&j, "stop", flow->stop);
		num(&j, "delta_time", stop > start ? (uint64_t)(stop - start)
						   : 0);
	}
	if (flow->orig.proto == IPPROTO_DCCP) {
		if (flow->attrs & CTNL_ATTR_DCCP_STATE)
			num(&j, "dccp_state", flow->dccp.state);
		if (flow->attrs & CTNL_ATTR_DCCP_ROLE)
			num(&j, "dccp_role", flow->dccp.role);
		if (flow->attrs & CTNL_ATTR_DCCP_HANDSHAKE_SEQ)
			num(&j, "dccp_handshake_seq",
			    flow->dccp.handshake_seq);
	}
	end(&j, '}');
	fputc('\n', f);
}

static void exp_tuple(struct json *j, const char *name, uint64_t attrs,
		      uint64_t bit, const struct ctnl_tuple *t)
{
	if (!(attrs & bit))
		return;
	begin(j, name, '{');
	tuple_fields(j, t);
	end(j, '}');
}

void json_expect(FILE *f, const struct ctnl_expect *e,
		 const struct json_event *ev)
{
	static const struct { const char *name; uint32_t bit; } flags[] = {
		{ "PERMANENT", NF_CT_EXPECT_PERMANENT },
		{ "INACTIVE", NF_CT_EXPECT_INACTIVE },
		{ "USERSPACE", NF_CT_EXPECT_USERSPACE },
	};
	struct json j = { .f = f, .depth = -1 };

	begin(&j, NULL, '{');
	event_fields(&j, ev);
	proto_fields(&j, e->tuple.family, e->tuple.proto);
	if (e->attrs & CTNL_EXP_ATTR_TIMEOUT)
		num(&j, "timeout", e->timeout);
	exp_tuple(&j, "tuple", e->attrs, CTNL_EXP_ATTR_TUPLE, &e->tuple);
	exp_tuple(&j, "mask", e->attrs, CTNL_EXP_ATTR_MASK, &e->mask);
	exp_tuple(&j, "master", e->attrs, CTNL_EXP_ATTR_MASTER, &e->master);
	if (e->attrs & CTNL_EXP_ATTR_ZONE)
		num(&j, "zone", e->zone);
	if (e->attrs & CTNL_EXP_ATTR_FLAGS) {
		begin(&j, "flags", '[');
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (e->flags & flags[i].bit) {
				key(&j, NULL);
				json_string(f, flags[i].name);
			}
		}
		end(&j, ']');
	}
	if (e->attrs & CTNL_EXP_ATTR_CLASS)
		num(&j, "class", e->class);
	if (e->attrs & CTNL_EXP_ATTR_HELPER)
		str(&j, "helper", e->helper);
	if (e->attrs & CTNL_EXP_ATTR_FN)
		str(&j, "fn", e->fn);
	if (e->attrs & CTNL_EXP_ATTR_ID)
		num(&j, "id", e->id);
	if (e->attrs & CTNL_EXP_ATTR_NAT) {
		begin(&j, "nat", '{');
		num(&j, "dir", e->nat_dir);
		begin(&j, "tuple", '{');
		tuple_fields(&j, &e->nat_tuple);
		end(&j, '}');
		end(&j, '}');
	}
	end(&j, '}');
	fputc('\n', f);
}
