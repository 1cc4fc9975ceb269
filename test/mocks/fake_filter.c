/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which entries a filter selects, for the in-memory table: written apart
 * from libctnl's ctnl_filter_match() on purpose, so that a test over the
 * fake checks the library against a second reading of the rules instead
 * of against itself, and a slip in either shows up as a disagreement.
 *
 * The criteria a dump can hand the kernel follow the kernel's own tests
 * (net/netfilter/nf_conntrack_netlink.c, 6.18): ctnetlink_filter_match()
 * compares the family, then the zone (nf_ct_zone_equal_any(): the entry's
 * one zone id, whichever direction it applies to), then each direction's
 * tuple under its flags (ctnetlink_filter_match_tuple(): addresses, the
 * protocol number, and ports, which it reads for TCP and UDP entries
 * only), then (mark & mask) == value and (status & mask) == value. The
 * rest is what <ctnl/flow.h> promises and libctnl checks itself: address
 * prefixes and IPv6 addresses (the kernel compares those the wrong way
 * round), ports of the other protocols that have them, the default zone,
 * the TCP state and labels.
 */
#include <netinet/in.h>

#include "fake_filter.h"

/* Protocols whose tuples carry ports (<ctnl/flow.h>). */
static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP || proto == IPPROTO_GRE;
}

static unsigned int addr_bits(uint8_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* Bit @i of @a, counted from the first bit on the wire. */
static unsigned int addr_bit(const union ctnl_addr *a, unsigned int i)
{
	return (a->u8[i / 8] >> (7 - i % 8)) & 1u;
}

/* The first @len bits agree; a length of 0 is the whole address. */
static bool prefix_agrees(const union ctnl_addr *want,
			  const union ctnl_addr *have, uint8_t len,
			  uint8_t family)
{
	unsigned int bits = len ? len : addr_bits(family);

	for (unsigned int i = 0; i < bits; i++)
		if (addr_bit(want, i) != addr_bit(have, i))
			return false;
	return true;
}

/* One direction's criteria: the bits of ctnl_filter.match that name them,
 * and their values. */
struct side {
	uint32_t src_bit, dst_bit, sport_bit, dport_bit;
	const union ctnl_addr *src, *dst;
	uint8_t src_len, dst_len;
	uint16_t sport, dport;
};

static bool side_agrees(const struct ctnl_filter *f, const struct side *s,
			const struct ctnl_tuple *t)
{
	if ((f->match & s->src_bit) &&
	    !prefix_agrees(s->src, &t->src, s->src_len, t->family))
		return false;
	if ((f->match & s->dst_bit) &&
	    !prefix_agrees(s->dst, &t->dst, s->dst_len, t->family))
		return false;
	if ((f->match & (s->sport_bit | s->dport_bit)) && !has_ports(t->proto))
		return false;
	if ((f->match & s->sport_bit) && t->port.src != s->sport)
		return false;
	return !(f->match & s->dport_bit) || t->port.dst == s->dport;
}

static bool tuples_agree(const struct ctnl_filter *f,
			 const struct ctnl_flow *e)
{
	const struct side orig = {
		CTNL_MATCH_ORIG_SRC, CTNL_MATCH_ORIG_DST,
		CTNL_MATCH_ORIG_SPORT, CTNL_MATCH_ORIG_DPORT,
		&f->orig_src, &f->orig_dst, f->orig_src_len, f->orig_dst_len,
		f->orig_sport, f->orig_dport,
	};
	const struct side reply = {
		CTNL_MATCH_REPLY_SRC, CTNL_MATCH_REPLY_DST,
		CTNL_MATCH_REPLY_SPORT, CTNL_MATCH_REPLY_DPORT,
		&f->reply_src, &f->reply_dst, f->reply_src_len,
		f->reply_dst_len, f->reply_sport, f->reply_dport,
	};

	/* The protocol number is the same in both of an entry's tuples. */
	if ((f->match & CTNL_MATCH_PROTO) && e->orig.proto != f->proto)
		return false;
	return side_agrees(f, &orig, &e->orig) &&
	       side_agrees(f, &reply, &e->reply);
}

/* The kernel keeps one zone id per entry, applying to one direction or
 * both; a flow shows it in the tuple of each direction it applies to. */
static uint16_t entry_zone(const struct ctnl_flow *e)
{
	return e->orig.zone != 0 ? e->orig.zone : e->reply.zone;
}

static bool labels_all_set(const struct ctnl_labels *want,
			   const struct ctnl_labels *have)
{
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++)
		if (ctnl_labels_test(want, bit) && !ctnl_labels_test(have, bit))
			return false;
	return true;
}

bool ctnl__fake_filter_match(const struct ctnl_filter *f,
			     const struct ctnl_flow *e)
{
	if (!f)
		return true;
	if (f->family != 0 && e->orig.family != f->family)
		return false;
	if ((f->match & CTNL_MATCH_ZONE) && entry_zone(e) != f->zone)
		return false;
	if (!tuples_agree(f, e))
		return false;
	if ((f->match & CTNL_MATCH_MARK) &&
	    (e->mark & f->mark_mask) != f->mark)
		return false;
	if ((f->match & CTNL_MATCH_STATUS) &&
	    (e->status & f->status_mask) != f->status)
		return false;
	/* An entry whose TCP state is not known is in none. */
	if ((f->match & CTNL_MATCH_TCP_STATE) &&
	    !(e->orig.proto == IPPROTO_TCP &&
	      (e->attrs & CTNL_ATTR_TCP_STATE) && e->tcp.state == f->tcp_state))
		return false;
	return !(f->match & CTNL_MATCH_LABELS) ||
	       labels_all_set(&f->labels, &e->labels);
}
