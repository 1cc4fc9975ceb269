/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Filters: which criteria the kernel can apply to a dump, and matching in
 * user space. A dump always re-checks in user space what it asked of the
 * kernel, because kernels that predate a filter attribute ignore it
 * silently (the zone filter before 6.8, for instance): the result is then
 * the same either way, and ctnl_dump_info says which did the work.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define ADDR_MATCHES (CTNL_MATCH_ORIG_SRC | CTNL_MATCH_ORIG_DST | \
		      CTNL_MATCH_REPLY_SRC | CTNL_MATCH_REPLY_DST)
/* The flags that say which list a dump reads, and how: for dumps only. */
#define READ_FLAGS (CTNL_FILTER_DYING | CTNL_FILTER_UNCONFIRMED |            \
		    CTNL_FILTER_ZERO)
#define FILTER_FLAGS (CTNL_FILTER_USERSPACE | CTNL_FILTER_UNCOUNTED |        \
		      READ_FLAGS)
#define PORT_MATCHES (CTNL_MATCH_ORIG_SPORT | CTNL_MATCH_ORIG_DPORT | \
		      CTNL_MATCH_REPLY_SPORT | CTNL_MATCH_REPLY_DPORT)

static unsigned int full_len(uint8_t family)
{
	return (unsigned int)ctnl__addr_len(family) * 8;
}

int ctnl__filter_check(const struct ctnl_filter *f)
{
	unsigned int max = full_len(f->family);

	if ((f->match & ~CTNL_MATCH_ALL) || (f->flags & ~FILTER_FLAGS))
		return -EINVAL;
	if (f->family != 0 && f->family != AF_INET && f->family != AF_INET6)
		return -EINVAL;
	/* An address means nothing without its family; a port nothing
	 * without a protocol that has ports. */
	if ((f->match & ADDR_MATCHES) && f->family == 0)
		return -EINVAL;
	if ((f->match & PORT_MATCHES) &&
	    (!(f->match & CTNL_MATCH_PROTO) || !ctnl_proto_has_ports(f->proto)))
		return -EINVAL;
	if (f->orig_src_len > max || f->orig_dst_len > max ||
	    f->reply_src_len > max || f->reply_dst_len > max)
		return -EINVAL;
	if ((f->match & CTNL_MATCH_TCP_STATE) &&
	    f->tcp_state >= CTNL_TCP_STATE_MAX)
		return -EINVAL;
	/* One list at a time, and counters zeroed in the table only. */
	if ((f->flags & READ_FLAGS) & ((f->flags & READ_FLAGS) - 1))
		return -EINVAL;
	/* Zeroing an entry the kernel hands over but the filter then drops
	 * would lose its counts unseen. */
	if ((f->flags & CTNL_FILTER_ZERO) &&
	    ((f->flags & CTNL_FILTER_USERSPACE) ||
	     (f->match & ~ctnl__filter_kernel_part(f))))
		return -EOPNOTSUPP;
	return 0;
}

int ctnl__filter_check_table(const struct ctnl_filter *f)
{
	int ret = ctnl__filter_check(f);

	if (ret == 0 && (f->flags & READ_FLAGS))
		return -EINVAL;
	return ret;
}

static bool exact(uint8_t len, uint8_t family)
{
	return len == 0 || len == full_len(family);
}

/*
 * The kernel compares mark, status (under a nonzero mask), zone (nonzero),
 * and with a family set, the protocol, TCP or UDP ports and exact IPv4
 * addresses. Prefixes, TCP states, labels, the default zone, other
 * protocols' ports and IPv6 addresses stay here.
 *
 * IPv6 addresses because the kernel's CTA_FILTER compares them the wrong
 * way round (ctnetlink_filter_match_tuple() skips an entry when
 * !ipv6_addr_cmp(), that is when the addresses are equal), in dumps and
 * flushes alike: seen on 6.18, and the comparison reads the same since
 * CTA_FILTER came in 5.8. A dump would miss exactly the entries asked
 * for, a flush delete all the others.
 */
uint32_t ctnl__filter_kernel_part(const struct ctnl_filter *f)
{
	uint32_t k = f->match & CTNL_MATCH_MARK;

	/* The dying and unconfirmed lists are read whole. */
	if (f->flags & (CTNL_FILTER_USERSPACE | CTNL_FILTER_DYING |
			CTNL_FILTER_UNCONFIRMED))
		return 0;
	/* The kernel refuses a status mask of 0 (EINVAL) rather than
	 * matching the entries whose status is anything. */
	if ((f->match & CTNL_MATCH_STATUS) && f->status_mask != 0)
		k |= CTNL_MATCH_STATUS;
	if ((f->match & CTNL_MATCH_ZONE) && f->zone != 0)
		k |= CTNL_MATCH_ZONE;
	if (f->family == 0)
		return k;
	if (f->match & CTNL_MATCH_PROTO) {
		k |= CTNL_MATCH_PROTO;
		if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP)
			k |= f->match & PORT_MATCHES;
	}
	if (f->family != AF_INET)	/* IPv6 addresses: see above */
		return k;
	for (int reply = 0; reply < 2; reply++) {
		struct dir_filter d;

		ctnl__filter_direction(f, reply, &d);
		if ((f->match & d.src) && exact(d.src_len, f->family))
			k |= d.src;
		if ((f->match & d.dst) && exact(d.dst_len, f->family))
			k |= d.dst;
	}
	return k;
}

/* Whether the first @len bits (0: all) of two addresses agree. */
static bool prefix_equal(const union ctnl_addr *a, const union ctnl_addr *b,
			 uint8_t len, uint8_t family)
{
	unsigned int bits = len ? len : full_len(family);
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a->u8, b->u8, bytes))
		return false;
	if (rest == 0)
		return true;
	return ((a->u8[bytes] ^ b->u8[bytes]) & (0xffu << (8 - rest)) & 0xff)
	       == 0;
}

void ctnl__filter_direction(const struct ctnl_filter *f, bool reply,
			    struct dir_filter *d)
{
	if (reply)
		*d = (struct dir_filter){
			CTNL_MATCH_REPLY_SRC, CTNL_MATCH_REPLY_DST,
			CTNL_MATCH_REPLY_SPORT, CTNL_MATCH_REPLY_DPORT,
			&f->reply_src, &f->reply_dst,
			f->reply_src_len, f->reply_dst_len,
			f->reply_sport, f->reply_dport,
		};
	else
		*d = (struct dir_filter){
			CTNL_MATCH_ORIG_SRC, CTNL_MATCH_ORIG_DST,
			CTNL_MATCH_ORIG_SPORT, CTNL_MATCH_ORIG_DPORT,
			&f->orig_src, &f->orig_dst,
			f->orig_src_len, f->orig_dst_len,
			f->orig_sport, f->orig_dport,
		};
}

static uint32_t tuple_mismatch(const struct ctnl_filter *f,
			       const struct ctnl_tuple *t, bool reply)
{
	struct dir_filter d;
	uint32_t bad = 0;

	ctnl__filter_direction(f, reply, &d);
	if ((f->match & d.src) &&
	    !prefix_equal(&t->src, d.src_addr, d.src_len, t->family))
		bad |= d.src;
	if ((f->match & d.dst) &&
	    !prefix_equal(&t->dst, d.dst_addr, d.dst_len, t->family))
		bad |= d.dst;
	if ((f->match & d.sport) && t->port.src != d.sport_val)
		bad |= d.sport;
	if ((f->match & d.dport) && t->port.dst != d.dport_val)
		bad |= d.dport;
	return bad;
}

static bool labels_contain(const struct ctnl_labels *have,
			   const struct ctnl_labels *want)
{
	for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
		if ((have->words[i] & want->words[i]) != want->words[i])
			return false;
	return true;
}

uint32_t ctnl__filter_mismatch(const struct ctnl_filter *f,
			       const struct ctnl_flow *flow)
{
	uint32_t bad = 0;

	if (f->family && flow->orig.family != f->family)
		return FILTER_FAMILY_MISMATCH;
	if ((f->match & CTNL_MATCH_PROTO) && flow->orig.proto != f->proto)
		bad |= CTNL_MATCH_PROTO;
	bad |= tuple_mismatch(f, &flow->orig, false);
	bad |= tuple_mismatch(f, &flow->reply, true);
	if ((f->match & CTNL_MATCH_MARK) &&
	    (flow->mark & f->mark_mask) != f->mark)
		bad |= CTNL_MATCH_MARK;
	if ((f->match & CTNL_MATCH_STATUS) &&
	    (flow->status & f->status_mask) != f->status)
		bad |= CTNL_MATCH_STATUS;
	/* An entry has one zone, for one direction or both. */
	if ((f->match & CTNL_MATCH_ZONE) &&
	    (flow->orig.zone ? flow->orig.zone : flow->reply.zone) != f->zone)
		bad |= CTNL_MATCH_ZONE;
	if ((f->match & CTNL_MATCH_TCP_STATE) &&
	    (flow->orig.proto != IPPROTO_TCP ||
	     !(flow->attrs & CTNL_ATTR_TCP_STATE) ||
	     flow->tcp.state != f->tcp_state))
		bad |= CTNL_MATCH_TCP_STATE;
	if ((f->match & CTNL_MATCH_LABELS) &&
	    !labels_contain(&flow->labels, &f->labels))
		bad |= CTNL_MATCH_LABELS;
	return bad;
}

bool ctnl_filter_match(const struct ctnl_filter *filter,
		       const struct ctnl_flow *flow)
{
	if (!flow)
		return false;
	return !filter || ctnl__filter_mismatch(filter, flow) == 0;
}
