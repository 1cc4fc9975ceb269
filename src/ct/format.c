/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Formatting flows and expectations as text, in the order and with the
 * field names `conntrack -L` uses, so eyes and scripts can switch tools.
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

/* Every field ends with a separator; the last one is dropped. */
static int done(struct out *o)
{
	if (o->len == 0)
		return 0;
	o->len--;
	if (o->len < o->size)
		o->buf[o->len] = '\0';
	return o->len > INT32_MAX ? INT32_MAX : (int)o->len;
}

static const char *proto_name(uint8_t proto)
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
	default: return "unknown";
	}
}

static const char *tcp_state_name(uint8_t state)
{
	static const char *const names[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state]
							 : "UNKNOWN";
}

static const char *sctp_state_name(uint8_t state)
{
	static const char *const names[] = {
		"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED",
		"ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD",
		"SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state]
							 : "UNKNOWN";
}

static void emit_addr(struct out *o, const char *name, uint8_t family,
		      const union ctnl_addr *addr)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	emit(o, "%s=%s ", name, text);
}

static void emit_tuple(struct out *o, const struct ctnl_tuple *t)
{
	emit_addr(o, "src", t->family, &t->src);
	emit_addr(o, "dst", t->family, &t->dst);
	if (ctnl_proto_has_ports(t->proto))
		emit(o, "sport=%u dport=%u ", t->port.src, t->port.dst);
	else if (proto_is_icmp(t->proto))
		emit(o, "type=%u code=%u id=%u ", t->icmp.type, t->icmp.code,
		     t->icmp.id);
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
	if (f->orig.proto == IPPROTO_TCP && (f->attrs & CTNL_ATTR_TCP_STATE))
		emit(o, "%s ", tcp_state_name(f->tcp.state));
	else if (f->orig.proto == IPPROTO_SCTP &&
		 (f->attrs & CTNL_ATTR_SCTP_STATE))
		emit(o, "%s ", sctp_state_name(f->sctp.state));
}

int ctnl_flow_format(const struct ctnl_flow *f, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	bool same_zone = f && f->orig.zone == f->reply.zone;

	if (!f)
		return -EINVAL;
	if (o.size)
		o.buf[0] = '\0';
	emit(&o, "%-8s %u ", proto_name(f->orig.proto), f->orig.proto);
	if (f->attrs & CTNL_ATTR_TIMEOUT)
		emit(&o, "%u ", f->timeout);
	emit_state(&o, f);

	emit_tuple(&o, &f->orig);
	if (!same_zone && f->orig.zone)
		emit(&o, "zone-orig=%u ", f->orig.zone);
	emit_counters(&o, f, CTNL_DIR_ORIG);
	if ((f->attrs & CTNL_ATTR_STATUS) && !(f->status & IPS_SEEN_REPLY))
		emit(&o, "[UNREPLIED] ");

	if (f->attrs & CTNL_ATTR_REPLY) {
		emit_tuple(&o, &f->reply);
		if (!same_zone && f->reply.zone)
			emit(&o, "zone-reply=%u ", f->reply.zone);
		emit_counters(&o, f, CTNL_DIR_REPLY);
	}
	if (f->attrs & CTNL_ATTR_STATUS) {
		if (f->status & IPS_ASSURED)
			emit(&o, "[ASSURED] ");
		if (f->status & IPS_OFFLOAD)
			emit(&o, "[OFFLOAD] ");
	}
	if (f->attrs & CTNL_ATTR_MARK)
		emit(&o, "mark=%u ", f->mark);
	if (same_zone && f->orig.zone)
		emit(&o, "zone=%u ", f->orig.zone);
	if (f->attrs & CTNL_ATTR_USE)
		emit(&o, "use=%u ", f->use);
	if (f->attrs & CTNL_ATTR_HELPER)
		emit(&o, "helper=%s ", f->helper);
	return done(&o);
}

int ctnl_expect_format(const struct ctnl_expect *e, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };

	if (!e)
		return -EINVAL;
	if (o.size)
		o.buf[0] = '\0';
	if (e->attrs & CTNL_EXP_ATTR_TIMEOUT)
		emit(&o, "%u ", e->timeout);
	emit(&o, "proto=%u ", e->tuple.proto);
	emit_tuple(&o, &e->tuple);
	emit(&o, "mask-");
	emit_tuple(&o, &e->mask);
	emit(&o, "master-");
	emit_tuple(&o, &e->master);
	if (e->attrs & CTNL_EXP_ATTR_HELPER)
		emit(&o, "helper=%s ", e->helper);
	return done(&o);
}
