/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tuples: which fields a protocol's tuple carries, inverting them, and
 * building them from the Go package's text arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

bool ctnl_proto_has_ports(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_GRE:
		return true;
	default:
		return false;
	}
}

bool ctnl__proto_is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

size_t ctnl__addr_len(uint8_t family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr)
				  : sizeof(struct in_addr);
}

bool ctnl__tuple_equal(const struct ctnl_tuple *a, const struct ctnl_tuple *b)
{
	/* port.src and port.dst cover the ICMP id, type and code too. */
	return a->family == b->family && a->proto == b->proto &&
	       a->zone == b->zone &&
	       !memcmp(&a->src, &b->src, sizeof(a->src)) &&
	       !memcmp(&a->dst, &b->dst, sizeof(a->dst)) &&
	       a->port.src == b->port.src && a->port.dst == b->port.dst;
}

/* The kernel's pairs of ICMP types (its invmap tables, read both ways). */
static const struct icmp_pair {
	uint8_t a, b;
} icmp_v4[] = {
	{ 8, 0 },	/* echo */
	{ 13, 14 },	/* timestamp */
	{ 15, 16 },	/* information */
	{ 17, 18 },	/* address mask */
}, icmp_v6[] = {
	{ 128, 129 },	/* echo */
	{ 139, 140 },	/* node information */
};

int ctnl_icmp_reply_type(uint8_t proto, uint8_t type)
{
	const struct icmp_pair *pairs = proto == IPPROTO_ICMPV6 ? icmp_v6
								: icmp_v4;
	size_t n = proto == IPPROTO_ICMPV6 ? sizeof(icmp_v6) / sizeof(*icmp_v6)
					   : sizeof(icmp_v4) / sizeof(*icmp_v4);

	if (!ctnl__proto_is_icmp(proto))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (type == pairs[i].a)
			return pairs[i].b;
		if (type == pairs[i].b)
			return pairs[i].a;
	}
	return -ENOENT;
}

/* The tuple of the other direction, as the kernel would compute it. */
void ctnl__tuple_invert(struct ctnl_tuple *out, const struct ctnl_tuple *t)
{
	*out = *t;
	out->src = t->dst;
	out->dst = t->src;
	if (ctnl__proto_is_icmp(t->proto)) {
		int type = ctnl_icmp_reply_type(t->proto, t->icmp.type);

		/* A type without a reply: 255, no type, as conntrack sends
		 * it (the kernel refuses the tuple). */
		out->icmp.type = type < 0 ? 0xff : (uint8_t)type;
	} else if (ctnl_proto_has_ports(t->proto)) {
		out->port.src = t->port.dst;
		out->port.dst = t->port.src;
	}
}

int ctnl_tuple_invert(const struct ctnl_tuple *t, struct ctnl_tuple *ret)
{
	struct ctnl_tuple out;

	if (!t || !ret)
		return -EINVAL;
	ctnl__tuple_invert(&out, t);
	*ret = out;
	return 0;
}

static int parse_addr(const char *text, uint8_t *family, union ctnl_addr *out)
{
	if (inet_pton(AF_INET, text, &out->in) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &out->in6) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int ctnl_tuple_from_text(struct ctnl_tuple *t, const char *src,
			 const char *dst, uint8_t proto, uint16_t sport,
			 uint16_t dport)
{
	struct ctnl_tuple tmp = { .proto = proto };
	uint8_t dst_family;

	if (!t || !src || !dst)
		return -EINVAL;
	if (parse_addr(src, &tmp.family, &tmp.src) < 0 ||
	    parse_addr(dst, &dst_family, &tmp.dst) < 0 ||
	    dst_family != tmp.family)
		return -EINVAL;
	if (ctnl_proto_has_ports(proto)) {
		tmp.port.src = sport;
		tmp.port.dst = dport;
	} else if (sport || dport) {
		return -EINVAL;
	}
	*t = tmp;
	return 0;
}
