/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conntrack's XML and save formats. The rules were read off conntrack's
 * output on real tables; where one looks odd it is because conntrack does
 * it so (an SCTP or DCCP state in XML is named from the TCP table, the
 * save format prints no mark).
 */
#include <time.h>

#include "cli.h"
#include "ctformat.h"

static bool same_addr(uint8_t family, const union ctnl_addr *a,
		      const union ctnl_addr *b)
{
	return family == AF_INET ? a->u32[0] == b->u32[0]
				 : memcmp(a, b, sizeof(*a)) == 0;
}

bool ct_is_snat(const struct ctnl_flow *f)
{
	return (f->attrs & CTNL_ATTR_STATUS) &&
	       (f->status & CTNL_STATUS_SRC_NAT_DONE) &&
	       !same_addr(f->orig.family, &f->orig.src, &f->reply.dst);
}

bool ct_is_dnat(const struct ctnl_flow *f)
{
	return (f->attrs & CTNL_ATTR_STATUS) &&
	       (f->status & CTNL_STATUS_DST_NAT_DONE) &&
	       !same_addr(f->orig.family, &f->orig.dst, &f->reply.src);
}

bool ct_is_spat(const struct ctnl_flow *f)
{
	return (f->attrs & CTNL_ATTR_STATUS) &&
	       (f->status & CTNL_STATUS_SRC_NAT_DONE) &&
	       ctnl_proto_has_ports(f->orig.proto) &&
	       f->orig.port.src != f->reply.port.dst;
}

bool ct_is_dpat(const struct ctnl_flow *f)
{
	return (f->attrs & CTNL_ATTR_STATUS) &&
	       (f->status & CTNL_STATUS_DST_NAT_DONE) &&
	       ctnl_proto_has_ports(f->orig.proto) &&
	       f->orig.port.dst != f->reply.port.src;
}

static const char *const tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *tcp_state(uint8_t state)
{
	return state < COUNT(tcp_states) ? tcp_states[state] : "NONE";
}

/* ---- XML ---- */

static void tag_u64(struct textbuf *b, const char *name, uint64_t v)
{
	tb_char(b, '<');
	tb_str(b, name);
	tb_char(b, '>');
	tb_u64(b, v);
	tb_str(b, "</");
	tb_str(b, name);
	tb_char(b, '>');
}

static void xml_l4(struct textbuf *b, const struct ctnl_tuple *t)
{
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		tag_u64(b, "sport", t->port.src);
		tag_u64(b, "dport", t->port.dst);
		break;
	case IPPROTO_GRE:
		tb_str(b, "<srckey>0x");
		tb_hex(b, t->port.src);
		tb_str(b, "</srckey><dstkey>0x");
		tb_hex(b, t->port.dst);
		tb_str(b, "</dstkey>");
		break;
	}
}

static void xml_tuple(struct textbuf *b, const struct ctnl_flow *f, int dir)
{
	const struct ctnl_tuple *t = dir ? &f->reply : &f->orig;
	const char *l4 = cli_proto_name(t->proto);

	tb_str(b, dir ? "<meta direction=\"reply\">"
		      : "<meta direction=\"original\">");
	tb_str(b, "<layer3 protonum=\"");
	tb_u64(b, t->family);
	tb_str(b, t->family == AF_INET ? "\" protoname=\"ipv4\">"
		  : t->family == AF_INET6 ? "\" protoname=\"ipv6\">"
					  : "\" protoname=\"unknown\">");
	tb_str(b, "<src>");
	tb_addr(b, t->family, &t->src);
	tb_str(b, "</src><dst>");
	tb_addr(b, t->family, &t->dst);
	tb_str(b, "</dst></layer3><layer4 protonum=\"");
	tb_u64(b, t->proto);
	tb_str(b, "\" protoname=\"");
	tb_str(b, l4 ? l4 : "unknown");
	tb_str(b, "\">");
	xml_l4(b, t);
	tb_str(b, "</layer4>");
	/* A zone of this direction only. */
	if (f->orig.zone != f->reply.zone && t->zone)
		tag_u64(b, "zone", t->zone);
	/* Both directions' counters, when the original's are there. */
	if (f->attrs & CTNL_ATTR_COUNTERS_ORIG) {
		tb_str(b, "<counters>");
		tag_u64(b, "packets", f->counters[dir].packets);
		tag_u64(b, "bytes", f->counters[dir].bytes);
		tb_str(b, "</counters>");
	}
	tb_str(b, "</meta>");
}

static void xml_labels(struct textbuf *b, const struct ctnl_flow *f,
		       const char *const *names)
{
	tb_str(b, "<labels>");
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (!ctnl_labels_test(&f->labels, bit) || !names[bit] ||
		    !names[bit][0])
			continue;
		tb_str(b, "<label>");
		tb_str(b, names[bit]);
		tb_str(b, "</label>");
	}
	tb_str(b, "</labels>");
}

static void xml_state(struct textbuf *b, const struct ctnl_flow *f)
{
	uint64_t bit = f->orig.proto == IPPROTO_TCP    ? CTNL_ATTR_TCP_STATE
		       : f->orig.proto == IPPROTO_SCTP ? CTNL_ATTR_SCTP_STATE
		       : f->orig.proto == IPPROTO_DCCP ? CTNL_ATTR_DCCP_STATE
						       : 0;
	uint8_t state = f->orig.proto == IPPROTO_TCP ? f->tcp.state
			: f->orig.proto == IPPROTO_SCTP ? f->sctp.state
							: f->dccp.state;

	if (!(f->attrs & bit))
		return;
	/* Every protocol's state by the TCP names, as conntrack does. */
	tb_str(b, "<state>");
	tb_str(b, tcp_state(state));
	tb_str(b, "</state>");
}

static void xml_times(struct textbuf *b, const struct ctnl_flow *f,
		      const struct ct_xml *how)
{
	bool start = f->attrs & CTNL_ATTR_START;
	bool stop = (f->attrs & CTNL_ATTR_STOP) != 0;

	if (how->ktimestamp && (start || stop)) {
		tb_str(b, "<timestamp>");
		if (start)
			tag_u64(b, "start", f->start);
		if (stop)
			tag_u64(b, "stop", f->stop);
		tb_str(b, "</timestamp>");
	}
	if (start && stop)
		tag_u64(b, "deltatime", (f->stop - f->start) / 1000000000u);
	else if (start)
		tag_u64(b, "deltatime", (uint64_t)(how->now -
					 (int64_t)(f->start / 1000000000u)));
}

static void xml_meta(struct textbuf *b, const struct ctnl_flow *f,
		     const struct ct_xml *how)
{
	bool zone = f->orig.zone == f->reply.zone && f->orig.zone;

	tb_str(b, "<meta direction=\"independent\">");
	xml_state(b, f);
	if (f->attrs & CTNL_ATTR_TIMEOUT)
		tag_u64(b, "timeout", f->timeout);
	if (f->attrs & CTNL_ATTR_MARK)
		tag_u64(b, "mark", f->mark);
	if (how->label_names && (f->attrs & CTNL_ATTR_LABELS))
		xml_labels(b, f, how->label_names);
	if (zone)
		tag_u64(b, "zone", f->orig.zone);
	if (f->attrs & CTNL_ATTR_USE)
		tag_u64(b, "use", f->use);
	if (f->attrs & CTNL_ATTR_ID)
		tag_u64(b, "id", f->id);
	if ((f->attrs & CTNL_ATTR_STATUS) && (f->status & CTNL_STATUS_ASSURED))
		tb_str(b, "<assured/>");
	if ((f->attrs & CTNL_ATTR_STATUS) &&
	    !(f->status & CTNL_STATUS_SEEN_REPLY))
		tb_str(b, "<unreplied/>");
	xml_times(b, f, how);
	tb_str(b, "</meta>");
}

/* <when>, the local time now, as conntrack -o xml,timestamp adds it. */
static void xml_when(struct textbuf *b, int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return;
	tb_str(b, "<when>");
	tag_u64(b, "hour", (uint64_t)tm.tm_hour);
	tb_str(b, "<min>");
	if (tm.tm_min < 10)
		tb_char(b, '0');
	tb_u64(b, (uint64_t)tm.tm_min);
	tb_str(b, "</min><sec>");
	if (tm.tm_sec < 10)
		tb_char(b, '0');
	tb_u64(b, (uint64_t)tm.tm_sec);
	tb_str(b, "</sec>");
	tag_u64(b, "wday", (uint64_t)tm.tm_wday + 1);
	tag_u64(b, "day", (uint64_t)tm.tm_mday);
	tag_u64(b, "month", (uint64_t)tm.tm_mon + 1);
	tag_u64(b, "year", (uint64_t)tm.tm_year + 1900);
	tb_str(b, "</when>");
}

void ct_xml_flow(struct textbuf *b, const struct ctnl_flow *f,
		 const struct ct_xml *how)
{
	switch (how->event) {
	case CTNL_EVENT_NEW:
		tb_str(b, "<flow type=\"new\">");
		break;
	case CTNL_EVENT_UPDATE:
		tb_str(b, "<flow type=\"update\">");
		break;
	case CTNL_EVENT_DESTROY:
		tb_str(b, "<flow type=\"destroy\">");
		break;
	default:
		tb_str(b, "<flow>");
		break;
	}
	xml_tuple(b, f, CTNL_DIR_ORIG);
	xml_tuple(b, f, CTNL_DIR_REPLY);
	xml_meta(b, f, how);
	if (how->when)
		xml_when(b, how->now);
	if (f->attrs & CTNL_ATTR_HELPER) {
		tb_str(b, "<helper>");
		tb_str(b, f->helper);
		tb_str(b, "</helper>");
	}
	tb_str(b, "</flow>");
}

/* ---- XML of an expectation ---- */

static void xml_exp_addrs(struct textbuf *b, const char *tag,
			  const struct ctnl_tuple *t)
{
	tb_char(b, '<');
	tb_str(b, tag);
	tb_str(b, "><src>");
	tb_addr(b, t->family, &t->src);
	tb_str(b, "</src><dst>");
	tb_addr(b, t->family, &t->dst);
	tb_str(b, "</dst></");
	tb_str(b, tag);
	tb_char(b, '>');
}

static void xml_exp_l4(struct textbuf *b, const char *tag,
		       const struct ctnl_tuple *t)
{
	tb_char(b, '<');
	tb_str(b, tag);
	tb_char(b, '>');
	xml_l4(b, t);
	tb_str(b, "</");
	tb_str(b, tag);
	tb_char(b, '>');
}

static void xml_exp_meta(struct textbuf *b, const struct ctnl_expect *e,
			 const struct ct_xml *how)
{
	tb_str(b, "<meta>");
	if (e->attrs & CTNL_EXP_ATTR_HELPER) {
		tb_str(b, "<helper-name>");
		tb_str(b, e->helper);
		tb_str(b, "</helper-name>");
	}
	if (e->attrs & CTNL_EXP_ATTR_TIMEOUT)
		tag_u64(b, "timeout", e->timeout);
	if (e->attrs & CTNL_EXP_ATTR_CLASS)
		tag_u64(b, "class", e->class);
	if (e->attrs & CTNL_EXP_ATTR_ZONE)
		tag_u64(b, "zone", e->zone);
	if (how->when)
		xml_when(b, how->now);
	if (e->flags & NF_CT_EXPECT_PERMANENT)
		tb_str(b, "<permanent/>");
	if (e->flags & NF_CT_EXPECT_INACTIVE)
		tb_str(b, "<inactive/>");
	if (e->flags & NF_CT_EXPECT_USERSPACE)
		tb_str(b, "<userspace/>");
	tb_str(b, "</meta>");
}

void ct_xml_expect(struct textbuf *b, const struct ctnl_expect *e,
		   const struct ct_xml *how)
{
	const char *l4 = cli_proto_name(e->tuple.proto);

	tb_str(b, how->event == CTNL_EVENT_EXP_NEW ? "<flow type=\"new\">"
		  : how->event == CTNL_EVENT_EXP_DESTROY
			  ? "<flow type=\"destroy\">"
			  : "<flow>");
	tb_str(b, "<layer3 protonum=\"");
	tb_u64(b, e->tuple.family);
	tb_str(b, e->tuple.family == AF_INET ? "\" protoname=\"ipv4\">"
		  : e->tuple.family == AF_INET6 ? "\" protoname=\"ipv6\">"
						: "\" protoname=\"unknown\">");
	xml_exp_addrs(b, "expected", &e->tuple);
	xml_exp_addrs(b, "mask", &e->mask);
	xml_exp_addrs(b, "master", &e->master);
	tb_str(b, "</layer3><layer4 protonum=\"");
	tb_u64(b, e->tuple.proto);
	tb_str(b, "\" protoname=\"");
	tb_str(b, l4 ? l4 : "unknown");
	tb_str(b, "\">");
	xml_exp_l4(b, "expected", &e->tuple);
	xml_exp_l4(b, "mask", &e->mask);
	xml_exp_l4(b, "master", &e->master);
	tb_str(b, "</layer4>");
	xml_exp_meta(b, e, how);
	tb_str(b, "</flow>");
}

/* ---- save: the command line that makes the entry ---- */

static void opt_u64(struct textbuf *b, const char *name, uint64_t v)
{
	tb_str(b, name);
	tb_char(b, ' ');
	tb_u64(b, v);
	tb_char(b, ' ');
}

static void opt_addr(struct textbuf *b, const char *name,
		     const struct ctnl_tuple *t, const union ctnl_addr *a)
{
	tb_str(b, name);
	tb_char(b, ' ');
	tb_addr(b, t->family, a);
	tb_char(b, ' ');
}

/* -u: the flags conntrack names, in the order of their bits. */
static void save_status(struct textbuf *b, uint32_t status)
{
	static const struct { uint32_t bit; const char *name; } flags[] = {
		{ CTNL_STATUS_EXPECTED, "EXPECTED" },
		{ CTNL_STATUS_SEEN_REPLY, "SEEN_REPLY" },
		{ CTNL_STATUS_ASSURED, "ASSURED" },
		{ CTNL_STATUS_FIXED_TIMEOUT, "FIXED_TIMEOUT" },
	};
	bool any = false;

	tb_str(b, "-u ");
	for (size_t i = 0; i < COUNT(flags); i++) {
		if (!(status & flags[i].bit))
			continue;
		if (any)
			tb_char(b, ',');
		tb_str(b, flags[i].name);
		any = true;
	}
	tb_str(b, any ? " " : "UNSET ");
}

static void save_ports(struct textbuf *b, const struct ctnl_flow *f,
		       bool keys)
{
	opt_u64(b, keys ? "--srckey" : "--sport", f->orig.port.src);
	opt_u64(b, keys ? "--dstkey" : "--dport", f->orig.port.dst);
	opt_u64(b, keys ? "--reply-key-src" : "--reply-port-src",
		f->reply.port.src);
	opt_u64(b, keys ? "--reply-key-dst" : "--reply-port-dst",
		f->reply.port.dst);
}

static void save_state(struct textbuf *b, const char *name)
{
	tb_str(b, "--state ");
	tb_str(b, name);
	tb_char(b, ' ');
}

static void save_l4(struct textbuf *b, const struct ctnl_flow *f)
{
	static const char *const sctp_states[] = {
		"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED",
		"ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD",
		"SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED",
	};
	bool v6 = f->orig.proto == IPPROTO_ICMPV6;

	switch (f->orig.proto) {
	case IPPROTO_TCP:
		save_ports(b, f, false);
		if (f->attrs & CTNL_ATTR_TCP_STATE)
			save_state(b, tcp_state(f->tcp.state));
		break;
	case IPPROTO_SCTP:
		save_ports(b, f, false);
		if ((f->attrs & CTNL_ATTR_SCTP_STATE) &&
		    f->sctp.state < COUNT(sctp_states))
			save_state(b, sctp_states[f->sctp.state]);
		if (f->attrs & CTNL_ATTR_SCTP_VTAG) {
			opt_u64(b, "--orig-vtag", f->sctp.vtag[0]);
			opt_u64(b, "--reply-vtag", f->sctp.vtag[1]);
		}
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		save_ports(b, f, false);
		break;
	case IPPROTO_GRE:
		save_ports(b, f, true);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		opt_u64(b, v6 ? "--icmpv6-type" : "--icmp-type",
			f->orig.icmp.type);
		opt_u64(b, v6 ? "--icmpv6-code" : "--icmp-code",
			f->orig.icmp.code);
		opt_u64(b, v6 ? "--icmpv6-id" : "--icmp-id", f->orig.icmp.id);
		break;
	}
}

void ct_save_flow(struct textbuf *b, const struct ctnl_flow *f,
		  unsigned int event)
{
	const char *l4 = cli_proto_name(f->orig.proto);
	size_t start = b->len;

	tb_str(b, event == CTNL_EVENT_UPDATE	? "-U "
		  : event == CTNL_EVENT_DESTROY ? "-D "
						: "-A ");
	if (f->attrs & CTNL_ATTR_TIMEOUT)
		opt_u64(b, "-t", f->timeout);
	if (f->attrs & CTNL_ATTR_STATUS)
		save_status(b, f->status);
	if (f->orig.zone == f->reply.zone && f->orig.zone)
		opt_u64(b, "-w", f->orig.zone);
	else if (f->orig.zone != f->reply.zone && f->orig.zone)
		opt_u64(b, "--orig-zone", f->orig.zone);
	if (f->orig.zone != f->reply.zone && f->reply.zone)
		opt_u64(b, "--reply-zone", f->reply.zone);
	opt_addr(b, "-s", &f->orig, &f->orig.src);
	opt_addr(b, "-d", &f->orig, &f->orig.dst);
	opt_addr(b, ct_is_dnat(f) ? "-g" : "-r", &f->reply, &f->reply.src);
	opt_addr(b, ct_is_snat(f) ? "-n" : "-q", &f->reply, &f->reply.dst);
	tb_str(b, "-p ");
	if (l4)
		tb_str(b, l4);
	else
		tb_u64(b, f->orig.proto);
	tb_char(b, ' ');
	if (l4)
		save_l4(b, f);
	/* Every option ends with a space; the line does not. */
	while (b->len > start && b->p[b->len - 1] == ' ')
		b->len--;
}
