/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Formatting flows and expectations as text, field for field the way
 * `conntrack -L` prints them (conntrack-tools 1.4.7 over
 * libnetfilter_conntrack 1.0.9), so eyes and scripts can switch tools.
 * The rules were read off that program's output on real tables; where a
 * rule looks odd, it is because conntrack does it so (see the comments).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Appends to a buffer like snprintf, counting what would not fit. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void emit(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* Drops the last character (a separator) from the line. */
static void unemit(struct out *o)
{
	if (o->len == 0)
		return;
	o->len--;
	if (o->len < o->size)
		o->buf[o->len] = '\0';
}

static int done(struct out *o)
{
	return o->len > INT32_MAX ? INT32_MAX : (int)o->len;
}

static const char *l3_name(uint8_t family)
{
	switch (family) {
	case AF_INET: return "ipv4";
	case AF_INET6: return "ipv6";
	default: return "unknown";
	}
}

const char *ctnl__proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	default: return NULL;
	}
}

/* conntrack calls any other protocol "unknown". */
static const char *proto_name(uint8_t proto)
{
	const char *name = ctnl__proto_name(proto);

	return name ? name : "unknown";
}

#define NAME_OR_NULL(names, i)                                               \
	((i) < sizeof(names) / sizeof((names)[0]) ? (names)[i] : NULL)

const char *ctnl__state_name(uint8_t proto, uint8_t state)
{
	static const char *const tcp[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};
	static const char *const sctp[] = {
		"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED",
		"ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD",
		"SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED",
	};
	static const char *const dccp[] = {
		"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ",
		"CLOSING", "TIMEWAIT", "IGNORE", "INVALID",
	};

	switch (proto) {
	case IPPROTO_TCP: return NAME_OR_NULL(tcp, state);
	case IPPROTO_SCTP: return NAME_OR_NULL(sctp, state);
	case IPPROTO_DCCP: return NAME_OR_NULL(dccp, state);
	default: return NULL;
	}
}

/* A state beyond the table prints as NONE, as conntrack prints it. */
static const char *state_name(uint8_t proto, uint8_t state)
{
	const char *name = ctnl__state_name(proto, state);

	return name ? name : "NONE";
}

static void emit_addrs(struct out *o, const char *src, const char *dst,
		       const struct ctnl_tuple *t)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	/* conntrack prints no addresses for a family it does not know. */
	if (t->family != AF_INET && t->family != AF_INET6)
		return;
	inet_ntop(t->family, &t->src, s, sizeof(s));
	inet_ntop(t->family, &t->dst, d, sizeof(d));
	emit(o, "%s=%s %s=%s ", src, s, dst, d);
}

static void emit_l4(struct out *o, const struct ctnl_tuple *t)
{
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		emit(o, "sport=%u dport=%u ", t->port.src, t->port.dst);
		break;
	case IPPROTO_GRE:
		emit(o, "srckey=0x%x dstkey=0x%x ", t->port.src, t->port.dst);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		emit(o, "type=%u code=%u id=%u ", t->icmp.type, t->icmp.code,
		     t->icmp.id);
		break;
	}
}

static void emit_tuple(struct out *o, const char *src, const char *dst,
		       const struct ctnl_tuple *t)
{
	emit_addrs(o, src, dst, t);
	emit_l4(o, t);
}

static void emit_counters(struct out *o, const struct ctnl_flow *f, int dir)
{
	uint64_t bit = dir == CTNL_DIR_ORIG ? CTNL_ATTR_COUNTERS_ORIG
					    : CTNL_ATTR_COUNTERS_REPLY;

	if (f->attrs & bit)
		emit(o, "packets=%llu bytes=%llu ",
		     (unsigned long long)f->counters[dir].packets,
		     (unsigned long long)f->counters[dir].bytes);
}

static void emit_state(struct out *o, const struct ctnl_flow *f)
{
	switch (f->orig.proto) {
	case IPPROTO_TCP:
		if (f->attrs & CTNL_ATTR_TCP_STATE)
			emit(o, "%s ", state_name(IPPROTO_TCP, f->tcp.state));
		break;
	case IPPROTO_SCTP:
		if (f->attrs & CTNL_ATTR_SCTP_STATE)
			emit(o, "%s ",
			     state_name(IPPROTO_SCTP, f->sctp.state));
		break;
	case IPPROTO_DCCP:
		if (f->attrs & CTNL_ATTR_DCCP_STATE)
			emit(o, "%s ",
			     state_name(IPPROTO_DCCP, f->dccp.state));
		break;
	}
}

static void emit_event(struct out *o, unsigned int event)
{
	const char *name = NULL;

	switch (event) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_EXP_NEW:
		name = "[NEW]";
		break;
	case CTNL_EVENT_UPDATE:
		name = "[UPDATE]";
		break;
	case CTNL_EVENT_DESTROY:
	case CTNL_EVENT_EXP_DESTROY:
		name = "[DESTROY]";
		break;
	}
	if (name)
		emit(o, "%9s ", name);
}

/*
 * Seconds since the entry started: to its stop for a destroyed entry,
 * else to opts->now. Whole seconds on both sides, then subtracted, and
 * printed as an unsigned 64-bit number even if the clocks disagree, as
 * conntrack does. The library reads no clock: without a time given, a
 * live entry's field is left out.
 */
static void emit_delta_time(struct out *o, const struct ctnl_flow *f,
			    const struct ctnl_format_opts *opts)
{
	int64_t start = (int64_t)(f->start / 1000000000u);
	int64_t stop = CTNL_OPT(struct ctnl_format_opts, opts, now, 0);

	if ((f->attrs & CTNL_ATTR_STOP) && f->stop != 0)
		stop = (int64_t)(f->stop / 1000000000u);
	else if (stop == 0)
		return;
	emit(o, "delta-time=%llu ", (unsigned long long)(stop - start));
}

/*
 * labels=NAME,NAME for the entry's labels that have a name. conntrack
 * writes "labels=" and a comma after each name, then takes the last
 * character back: with no named label it is the '=' that goes, and the
 * field reads "labels".
 */
static void emit_labels(struct out *o, const struct ctnl_flow *f,
			const char *const *names)
{
	emit(o, "labels=");
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (!ctnl_labels_test(&f->labels, bit) || !names[bit] ||
		    names[bit][0] == '\0')
			continue;
		emit(o, "%s,", names[bit]);
	}
	unemit(o);
	emit(o, " ");
}

#define OPT(opts, field) CTNL_OPT(struct ctnl_format_opts, opts, field, 0)

/* A flag from a newer header would change the line: refused, as every
 * other options struct refuses what it does not know. */
static bool opts_ok(const struct ctnl_format_opts *opts)
{
	return !opts ||
	       (ctnl_opts_usable(opts, opts->size, sizeof(*opts)) &&
		!(OPT(opts, flags) & ~(CTNL_FORMAT_EXTENDED | CTNL_FORMAT_ID)));
}

int ctnl_flow_format_opts(const struct ctnl_flow *f,
			  const struct ctnl_format_opts *opts, char *buf,
			  size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	const char *const *label_names = OPT(opts, label_names);
	unsigned int flags = OPT(opts, flags);
	bool same_zone;

	if (!f || !opts_ok(opts))
		return -EINVAL;
	if (o.size)
		o.buf[0] = '\0';
	same_zone = f->orig.zone == f->reply.zone;

	emit_event(&o, OPT(opts, event));
	if (flags & CTNL_FORMAT_EXTENDED)
		emit(&o, "%-8s %u ", l3_name(f->orig.family), f->orig.family);
	emit(&o, "%-8s %u ", proto_name(f->orig.proto), f->orig.proto);
	if (f->attrs & CTNL_ATTR_TIMEOUT)
		emit(&o, "%u ", f->timeout);
	emit_state(&o, f);

	emit_tuple(&o, "src", "dst", &f->orig);
	if (!same_zone && f->orig.zone)
		emit(&o, "zone-orig=%u ", f->orig.zone);
	emit_counters(&o, f, CTNL_DIR_ORIG);
	if ((f->attrs & CTNL_ATTR_STATUS) && !(f->status & IPS_SEEN_REPLY))
		emit(&o, "[UNREPLIED] ");

	/* conntrack prints the reply tuple's fields whether or not the
	 * message carried it: a zeroed one shows what it has, no address. */
	emit_tuple(&o, "src", "dst", &f->reply);
	if (!same_zone && f->reply.zone)
		emit(&o, "zone-reply=%u ", f->reply.zone);
	emit_counters(&o, f, CTNL_DIR_REPLY);

	/* One of the three, the first that applies. */
	if (f->attrs & CTNL_ATTR_STATUS) {
		if (f->status & IPS_HW_OFFLOAD)
			emit(&o, "[HW_OFFLOAD] ");
		else if (f->status & IPS_OFFLOAD)
			emit(&o, "[OFFLOAD] ");
		else if (f->status & IPS_ASSURED)
			emit(&o, "[ASSURED] ");
	}
	if (f->attrs & CTNL_ATTR_MARK)
		emit(&o, "mark=%u ", f->mark);
	if (same_zone && f->orig.zone)
		emit(&o, "zone=%u ", f->orig.zone);
	if (f->attrs & CTNL_ATTR_START)
		emit_delta_time(&o, f, opts);
	if (f->attrs & CTNL_ATTR_HELPER)
		emit(&o, "helper=%s ", f->helper);
	if (f->attrs & CTNL_ATTR_USE)
		emit(&o, "use=%u ", f->use);
	if ((flags & CTNL_FORMAT_ID) && (f->attrs & CTNL_ATTR_ID))
		emit(&o, "id=%u ", f->id);
	if (label_names && (f->attrs & CTNL_ATTR_LABELS))
		emit_labels(&o, f, label_names);
	/* Every field ends with a space; the line does not. */
	unemit(&o);
	return done(&o);
}

int ctnl_flow_format(const struct ctnl_flow *flow, char *buf, size_t size)
{
	return ctnl_flow_format_opts(flow, NULL, buf, size);
}

int ctnl_expect_format_opts(const struct ctnl_expect *e,
			    const struct ctnl_format_opts *opts, char *buf,
			    size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	const char *delim = "";

	if (!e || !opts_ok(opts))
		return -EINVAL;
	if (o.size)
		o.buf[0] = '\0';
	emit_event(&o, OPT(opts, event));
	if (e->attrs & CTNL_EXP_ATTR_TIMEOUT)
		emit(&o, "%u ", e->timeout);
	emit(&o, "proto=%u ", e->tuple.proto);
	emit_tuple(&o, "src", "dst", &e->tuple);
	emit_tuple(&o, "mask-src", "mask-dst", &e->mask);
	emit_tuple(&o, "master-src", "master-dst", &e->master);
	if (e->attrs & CTNL_EXP_ATTR_ZONE)
		emit(&o, "zone=%u ", e->zone);
	if (e->flags & NF_CT_EXPECT_PERMANENT) {
		emit(&o, "PERMANENT");
		delim = ",";
	}
	if (e->flags & NF_CT_EXPECT_INACTIVE) {
		emit(&o, "%sINACTIVE", delim);
		delim = ",";
	}
	if (e->flags & NF_CT_EXPECT_USERSPACE)
		emit(&o, "%sUSERSPACE", delim);
	/* A space after the flags whenever any bit is set, known or not. */
	if (e->flags)
		emit(&o, " ");
	if (e->attrs & CTNL_EXP_ATTR_CLASS)
		emit(&o, "class=%u ", e->class);
	if (e->attrs & CTNL_EXP_ATTR_HELPER)
		emit(&o, "helper=%s", e->helper);
	/* The last field's space goes; the helper has none. */
	if (o.len > 0 && !(e->attrs & CTNL_EXP_ATTR_HELPER))
		unemit(&o);
	return done(&o);
}

int ctnl_expect_format(const struct ctnl_expect *exp, char *buf, size_t size)
{
	return ctnl_expect_format_opts(exp, NULL, buf, size);
}
