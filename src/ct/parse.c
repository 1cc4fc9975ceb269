/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsing conntrack and expectation messages into the flow model.
 *
 * This is the hot path of a dump: one pass over each level of attributes,
 * a switch per attribute, no allocation, no callback per attribute. Every
 * attribute is checked before it is read: its framing (whole attributes to
 * the end of their region) and, for the ones used, their exact length.
 * Attributes the model does not hold are skipped; malformed ones are
 * -EBADMSG.
 *
 * The parts of an entry that the kernel always lays out the same way (a
 * tuple with ports, TCP's protocol info) are first matched against that
 * layout, header by header: every length and type compared exactly, so
 * what the fast path accepts is what the general walk would accept, read
 * into the same fields. Anything else takes the general walk. This halves
 * the instructions per entry of a dump.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "internal.h"

/* Iterates over the attributes of a region of @len bytes at @head. Stops
 * at the first attribute that does not fit; attrs_done() tells whether
 * the region was consumed exactly (the last attribute may lack padding). */
#define for_each_attr(attr, head, len, rem)                                  \
	for ((attr) = (const struct nlattr *)(head), (rem) = (int)(len);    \
	     (rem) >= (int)NLA_HDRLEN && (attr)->nla_len >= NLA_HDRLEN &&    \
	     (int)(attr)->nla_len <= (rem);                                  \
	     (rem) -= (int)NLA_ALIGN((attr)->nla_len),                       \
	     (attr) = (const struct nlattr *)((const uint8_t *)(attr) +      \
					      NLA_ALIGN((attr)->nla_len)))

static inline bool attrs_done(int rem)
{
	return rem <= 0 && rem > -(int)NLA_ALIGNTO;
}

static inline const void *payload(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static inline size_t payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline int attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

/* Fixed-size values, their length checked; unaligned-safe. */
static inline int get_u8(const struct nlattr *a, uint8_t *v)
{
	if (payload_len(a) != sizeof(*v))
		return -EBADMSG;
	*v = *(const uint8_t *)payload(a);
	return 0;
}

static inline int get_be16(const struct nlattr *a, uint16_t *v)
{
	uint16_t raw;

	if (payload_len(a) != sizeof(raw))
		return -EBADMSG;
	memcpy(&raw, payload(a), sizeof(raw));
	*v = be16toh(raw);
	return 0;
}

static inline int get_be32(const struct nlattr *a, uint32_t *v)
{
	uint32_t raw;

	if (payload_len(a) != sizeof(raw))
		return -EBADMSG;
	memcpy(&raw, payload(a), sizeof(raw));
	*v = be32toh(raw);
	return 0;
}

static inline int get_be64(const struct nlattr *a, uint64_t *v)
{
	uint64_t raw;

	if (payload_len(a) != sizeof(raw))
		return -EBADMSG;
	memcpy(&raw, payload(a), sizeof(raw));
	*v = be64toh(raw);
	return 0;
}

/* A NUL-terminated string that fits @size bytes with its NUL. */
static int get_string(const struct nlattr *a, char *out, size_t size)
{
	size_t len = payload_len(a);
	const char *s = payload(a);

	if (len == 0 || len > size || memchr(s, '\0', len) == NULL)
		return -EBADMSG;
	memcpy(out, s, len);
	return 0;
}

/* Fixed-size copies: no call to memcpy for a 4- or 16-byte address. */
static inline int get_addr(const struct nlattr *a, uint8_t family,
			   uint8_t want_family, union ctnl_addr *out)
{
	if (family != want_family)
		return -EBADMSG;
	if (want_family == AF_INET) {
		if (payload_len(a) != sizeof(out->in))
			return -EBADMSG;
		memcpy(&out->in, payload(a), sizeof(out->in));
	} else {
		if (payload_len(a) != sizeof(out->in6))
			return -EBADMSG;
		memcpy(&out->in6, payload(a), sizeof(out->in6));
	}
	return 0;
}

/* An attribute header as one 32-bit word, in host order. */
static inline uint32_t header_word(uint16_t len, uint16_t type)
{
	const struct nlattr h = { .nla_len = len, .nla_type = type };
	uint32_t w;

	memcpy(&w, &h, sizeof(w));
	return w;
}

/* Whether @a has exactly this length and type (flags aside): one compare
 * of the whole header, the constants folded at compile time. */
static inline bool attr_is(const struct nlattr *a, uint16_t len,
			   uint16_t type)
{
	uint32_t w;

	memcpy(&w, a, sizeof(w));
	return (w & header_word(0xffff, (uint16_t)NLA_TYPE_MASK)) ==
	       header_word(len, type);
}

static inline const struct nlattr *attr_at(const void *base, size_t off)
{
	return (const struct nlattr *)((const uint8_t *)base + off);
}

/* Sizes of attributes as the kernel pads them. */
#define U8_ATTR NLA_ALIGN(NLA_HDRLEN + sizeof(uint8_t))
#define U16_ATTR NLA_ALIGN(NLA_HDRLEN + sizeof(uint16_t))
#define PORTS_NEST_LEN (NLA_HDRLEN + U8_ATTR + 2 * U16_ATTR)

/*
 * The tuple the kernel sends for every protocol with ports, when the
 * tuple has no zone of its own:
 *   IP { SRC, DST }  PROTO { NUM, SRC_PORT, DST_PORT }
 * Returns false, having written nothing, for any other layout. Inlined
 * once per family, so that every size and type is a constant.
 */
static inline __attribute__((always_inline)) bool
tuple_fast(const struct nlattr *nest, const bool v4, struct ctnl_tuple *t)
{
	const uint8_t family = v4 ? AF_INET : AF_INET6;
	const uint16_t addr_attr = NLA_HDRLEN + (v4 ? sizeof(t->src.in)
						  : sizeof(t->src.in6));
	const uint16_t ip_len = NLA_HDRLEN + 2 * addr_attr;
	const struct nlattr *ip, *src, *dst, *proto, *num, *sport, *dport;
	uint16_t port;

	if (nest->nla_len != NLA_HDRLEN + ip_len + PORTS_NEST_LEN)
		return false;
	ip = payload(nest);
	src = payload(ip);
	dst = attr_at(src, addr_attr);
	proto = attr_at(ip, ip_len);
	num = payload(proto);
	sport = attr_at(num, U8_ATTR);
	dport = attr_at(sport, U16_ATTR);
	if (!attr_is(ip, ip_len, CTA_TUPLE_IP) ||
	    !attr_is(src, addr_attr, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC) ||
	    !attr_is(dst, addr_attr, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST) ||
	    !attr_is(proto, PORTS_NEST_LEN, CTA_TUPLE_PROTO) ||
	    !attr_is(num, NLA_HDRLEN + sizeof(uint8_t), CTA_PROTO_NUM) ||
	    !attr_is(sport, NLA_HDRLEN + sizeof(uint16_t),
		     CTA_PROTO_SRC_PORT) ||
	    !attr_is(dport, NLA_HDRLEN + sizeof(uint16_t), CTA_PROTO_DST_PORT))
		return false;

	t->family = family;
	if (v4) {
		memcpy(&t->src.in, payload(src), sizeof(t->src.in));
		memcpy(&t->dst.in, payload(dst), sizeof(t->dst.in));
	} else {
		memcpy(&t->src.in6, payload(src), sizeof(t->src.in6));
		memcpy(&t->dst.in6, payload(dst), sizeof(t->dst.in6));
	}
	t->proto = *(const uint8_t *)payload(num);
	memcpy(&port, payload(sport), sizeof(port));
	t->port.src = be16toh(port);
	memcpy(&port, payload(dport), sizeof(port));
	t->port.dst = be16toh(port);
	return true;
}

static bool parse_tuple_fast(const struct nlattr *nest, uint8_t family,
			     struct ctnl_tuple *t)
{
	return family == AF_INET ? tuple_fast(nest, true, t)
				 : tuple_fast(nest, false, t);
}

static int parse_tuple_ip(const struct nlattr *nest, struct ctnl_tuple *t)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_IP_V4_SRC:
			err = get_addr(a, t->family, AF_INET, &t->src);
			break;
		case CTA_IP_V4_DST:
			err = get_addr(a, t->family, AF_INET, &t->dst);
			break;
		case CTA_IP_V6_SRC:
			err = get_addr(a, t->family, AF_INET6, &t->src);
			break;
		case CTA_IP_V6_DST:
			err = get_addr(a, t->family, AF_INET6, &t->dst);
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_tuple_proto(const struct nlattr *nest, struct ctnl_tuple *t)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_PROTO_NUM:
			err = get_u8(a, &t->proto);
			break;
		case CTA_PROTO_SRC_PORT:
			err = get_be16(a, &t->port.src);
			break;
		case CTA_PROTO_DST_PORT:
			err = get_be16(a, &t->port.dst);
			break;
		case CTA_PROTO_ICMP_ID:
		case CTA_PROTO_ICMPV6_ID:
			err = get_be16(a, &t->icmp.id);
			break;
		case CTA_PROTO_ICMP_TYPE:
		case CTA_PROTO_ICMPV6_TYPE:
			err = get_u8(a, &t->icmp.type);
			break;
		case CTA_PROTO_ICMP_CODE:
		case CTA_PROTO_ICMPV6_CODE:
			err = get_u8(a, &t->icmp.code);
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_tuple(const struct nlattr *nest, uint8_t family,
		       struct ctnl_tuple *t)
{
	const struct nlattr *a;
	int rem, err = 0;

	if (parse_tuple_fast(nest, family, t))
		return 0;
	t->family = family;
	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_TUPLE_IP:
			err = parse_tuple_ip(a, t);
			break;
		case CTA_TUPLE_PROTO:
			err = parse_tuple_proto(a, t);
			break;
		case CTA_TUPLE_ZONE:
			err = get_be16(a, &t->zone);
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_tcp(const struct nlattr *nest, struct ctnl_flow *f)
{
	const struct nf_ct_tcp_flags *fl;
	const struct nlattr *a;
	int rem, err = 0, dir;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_PROTOINFO_TCP_STATE:
			err = get_u8(a, &f->tcp.state);
			f->attrs |= CTNL_ATTR_TCP_STATE;
			break;
		case CTA_PROTOINFO_TCP_WSCALE_ORIGINAL:
		case CTA_PROTOINFO_TCP_WSCALE_REPLY:
			dir = attr_type(a) == CTA_PROTOINFO_TCP_WSCALE_REPLY;
			err = get_u8(a, &f->tcp.wscale[dir]);
			f->attrs |= CTNL_ATTR_TCP_WSCALE;
			break;
		case CTA_PROTOINFO_TCP_FLAGS_ORIGINAL:
		case CTA_PROTOINFO_TCP_FLAGS_REPLY:
			dir = attr_type(a) == CTA_PROTOINFO_TCP_FLAGS_REPLY;
			if (payload_len(a) != sizeof(*fl))
				return -EBADMSG;
			fl = payload(a);
			f->tcp.flags[dir] = fl->flags;
			f->tcp.flags_mask[dir] = fl->mask;
			f->attrs |= CTNL_ATTR_TCP_FLAGS;
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_sctp(const struct nlattr *nest, struct ctnl_flow *f)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_PROTOINFO_SCTP_STATE:
			err = get_u8(a, &f->sctp.state);
			f->attrs |= CTNL_ATTR_SCTP_STATE;
			break;
		case CTA_PROTOINFO_SCTP_VTAG_ORIGINAL:
			err = get_be32(a, &f->sctp.vtag[CTNL_DIR_ORIG]);
			f->attrs |= CTNL_ATTR_SCTP_VTAG;
			break;
		case CTA_PROTOINFO_SCTP_VTAG_REPLY:
			err = get_be32(a, &f->sctp.vtag[CTNL_DIR_REPLY]);
			f->attrs |= CTNL_ATTR_SCTP_VTAG;
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_dccp(const struct nlattr *nest, struct ctnl_flow *f)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_PROTOINFO_DCCP_STATE:
			err = get_u8(a, &f->dccp.state);
			f->attrs |= CTNL_ATTR_DCCP_STATE;
			break;
		case CTA_PROTOINFO_DCCP_ROLE:
			err = get_u8(a, &f->dccp.role);
			f->attrs |= CTNL_ATTR_DCCP_ROLE;
			break;
		case CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ:
			err = get_be64(a, &f->dccp.handshake_seq);
			f->attrs |= CTNL_ATTR_DCCP_HANDSHAKE_SEQ;
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

#define TCP_FLAGS_ATTR NLA_ALIGN(NLA_HDRLEN + sizeof(struct nf_ct_tcp_flags))
#define TCP_NEST_LEN (NLA_HDRLEN + 3 * U8_ATTR + 2 * TCP_FLAGS_ATTR)

/*
 * TCP's protocol info as the kernel sends it in dumps and events:
 *   TCP { STATE, WSCALE_ORIGINAL, WSCALE_REPLY, FLAGS_ORIGINAL,
 *         FLAGS_REPLY }
 * Returns false, having written nothing, for any other layout.
 */
static bool parse_tcp_fast(const struct nlattr *info, struct ctnl_flow *f)
{
	const uint16_t u8_len = NLA_HDRLEN + sizeof(uint8_t);
	const uint16_t fl_len = NLA_HDRLEN + sizeof(struct nf_ct_tcp_flags);
	const struct nlattr *tcp, *state, *ws0, *ws1, *fl0, *fl1;
	const struct nf_ct_tcp_flags *orig, *reply;

	if (info->nla_len != NLA_HDRLEN + TCP_NEST_LEN)
		return false;
	tcp = payload(info);
	state = payload(tcp);
	ws0 = attr_at(state, U8_ATTR);
	ws1 = attr_at(ws0, U8_ATTR);
	fl0 = attr_at(ws1, U8_ATTR);
	fl1 = attr_at(fl0, TCP_FLAGS_ATTR);
	if (!attr_is(tcp, TCP_NEST_LEN, CTA_PROTOINFO_TCP) ||
	    !attr_is(state, u8_len, CTA_PROTOINFO_TCP_STATE) ||
	    !attr_is(ws0, u8_len, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL) ||
	    !attr_is(ws1, u8_len, CTA_PROTOINFO_TCP_WSCALE_REPLY) ||
	    !attr_is(fl0, fl_len, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL) ||
	    !attr_is(fl1, fl_len, CTA_PROTOINFO_TCP_FLAGS_REPLY))
		return false;

	orig = payload(fl0);
	reply = payload(fl1);
	f->tcp.state = *(const uint8_t *)payload(state);
	f->tcp.wscale[CTNL_DIR_ORIG] = *(const uint8_t *)payload(ws0);
	f->tcp.wscale[CTNL_DIR_REPLY] = *(const uint8_t *)payload(ws1);
	f->tcp.flags[CTNL_DIR_ORIG] = orig->flags;
	f->tcp.flags_mask[CTNL_DIR_ORIG] = orig->mask;
	f->tcp.flags[CTNL_DIR_REPLY] = reply->flags;
	f->tcp.flags_mask[CTNL_DIR_REPLY] = reply->mask;
	f->attrs |= CTNL_ATTR_TCP_STATE | CTNL_ATTR_TCP_WSCALE |
		    CTNL_ATTR_TCP_FLAGS;
	return true;
}

static int parse_protoinfo(const struct nlattr *nest, struct ctnl_flow *f)
{
	const struct nlattr *a;
	int rem, err = 0;

	if (parse_tcp_fast(nest, f))
		return 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_PROTOINFO_TCP:
			err = parse_tcp(a, f);
			break;
		case CTA_PROTOINFO_SCTP:
			err = parse_sctp(a, f);
			break;
		case CTA_PROTOINFO_DCCP:
			err = parse_dccp(a, f);
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_counters(const struct nlattr *nest, struct ctnl_counters *c)
{
	const struct nlattr *a;
	uint32_t v32 = 0;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_COUNTERS_PACKETS:
			err = get_be64(a, &c->packets);
			break;
		case CTA_COUNTERS_BYTES:
			err = get_be64(a, &c->bytes);
			break;
		/* Kernels before 2.6.27 sent 32-bit counters. */
		case CTA_COUNTERS32_PACKETS:
			err = get_be32(a, &v32);
			c->packets = v32;
			break;
		case CTA_COUNTERS32_BYTES:
			err = get_be32(a, &v32);
			c->bytes = v32;
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_timestamp(const struct nlattr *nest, struct ctnl_flow *f)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_TIMESTAMP_START:
			err = get_be64(a, &f->start);
			f->attrs |= CTNL_ATTR_START;
			break;
		case CTA_TIMESTAMP_STOP:
			err = get_be64(a, &f->stop);
			f->attrs |= CTNL_ATTR_STOP;
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_helper(const struct nlattr *nest, char *name, size_t size,
			bool *found)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		if (attr_type(a) == CTA_HELP_NAME) {
			err = get_string(a, name, size);
			*found = true;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_labels(const struct nlattr *a, struct ctnl_labels *l)
{
	size_t len = payload_len(a);

	/* Whole 32-bit words, no more than 128 labels. */
	if (len % sizeof(uint32_t) || len > sizeof(l->words))
		return -EBADMSG;
	memcpy(l->words, payload(a), len);
	return 0;
}

/*
 * Checks that @nlh is a message of @subsys of type @new or @del (else
 * -EPROTO: another kind of message), then its framing and family (else
 * -EBADMSG), and returns its family and attributes.
 */
static int message_start(const struct nlmsghdr *nlh, uint8_t subsys,
			 uint8_t new, uint8_t del, const struct nlattr **attrs,
			 size_t *len, uint8_t *family)
{
	const struct nfgenmsg *nfg;
	uint8_t msg = nlh->nlmsg_type & 0xff;

	if ((nlh->nlmsg_type >> 8) != subsys || (msg != new && msg != del))
		return -EPROTO;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg))
		return -EBADMSG;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != AF_INET && nfg->nfgen_family != AF_INET6)
		return -EBADMSG;
	*family = nfg->nfgen_family;
	*attrs = (const void *)((const uint8_t *)nfg + sizeof(*nfg));
	*len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*nfg);
	return 0;
}

/* One top-level conntrack attribute into @f. */
static int parse_flow_attr(const struct nlattr *a, uint8_t family,
			   struct ctnl_flow *f, uint16_t *zone,
			   bool *has_zone)
{
	bool found = false;
	int err;

	switch (attr_type(a)) {
	case CTA_TUPLE_ORIG:
		f->attrs |= CTNL_ATTR_ORIG;
		return parse_tuple(a, family, &f->orig);
	case CTA_TUPLE_REPLY:
		f->attrs |= CTNL_ATTR_REPLY;
		return parse_tuple(a, family, &f->reply);
	case CTA_STATUS:
		f->attrs |= CTNL_ATTR_STATUS;
		return get_be32(a, &f->status);
	case CTA_PROTOINFO:
		return parse_protoinfo(a, f);
	case CTA_HELP:
		err = parse_helper(a, f->helper, sizeof(f->helper), &found);
		if (found)
			f->attrs |= CTNL_ATTR_HELPER;
		return err;
	case CTA_TIMEOUT:
		f->attrs |= CTNL_ATTR_TIMEOUT;
		return get_be32(a, &f->timeout);
	case CTA_MARK:
		f->attrs |= CTNL_ATTR_MARK;
		return get_be32(a, &f->mark);
	case CTA_COUNTERS_ORIG:
		f->attrs |= CTNL_ATTR_COUNTERS_ORIG;
		return parse_counters(a, &f->counters[CTNL_DIR_ORIG]);
	case CTA_COUNTERS_REPLY:
		f->attrs |= CTNL_ATTR_COUNTERS_REPLY;
		return parse_counters(a, &f->counters[CTNL_DIR_REPLY]);
	case CTA_USE:
		f->attrs |= CTNL_ATTR_USE;
		return get_be32(a, &f->use);
	case CTA_ID:
		f->attrs |= CTNL_ATTR_ID;
		return get_be32(a, &f->id);
	case CTA_ZONE:
		*has_zone = true;
		return get_be16(a, zone);
	case CTA_TIMESTAMP:
		return parse_timestamp(a, f);
	case CTA_LABELS:
		f->attrs |= CTNL_ATTR_LABELS;
		return parse_labels(a, &f->labels);
	default:
		return 0;
	}
}

int ctnl_flow_parse(const struct nlmsghdr *nlh, struct ctnl_flow *out)
{
	const struct nlattr *attrs, *a;
	uint16_t zone = 0;
	bool has_zone = false;
	uint8_t family;
	size_t len;
	int rem, err;

	if (!nlh || !out)
		return -EINVAL;
	err = message_start(nlh, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW,
			    IPCTNL_MSG_CT_DELETE, &attrs, &len, &family);
	if (err)
		return err;

	memset(out, 0, sizeof(*out));
	for_each_attr(a, attrs, len, rem) {
		err = parse_flow_attr(a, family, out, &zone, &has_zone);
		if (err)
			return err;
	}
	if (!attrs_done(rem))
		return -EBADMSG;
	/* A zone for both directions, wherever it came in the message. */
	if (has_zone)
		out->orig.zone = out->reply.zone = zone;
	return 0;
}

static int parse_expect_nat(const struct nlattr *nest, uint8_t family,
			    struct ctnl_expect *e)
{
	const struct nlattr *a;
	int rem, err = 0;

	for_each_attr(a, payload(nest), payload_len(nest), rem) {
		switch (attr_type(a)) {
		case CTA_EXPECT_NAT_DIR:
			err = get_be32(a, &e->nat_dir);
			break;
		case CTA_EXPECT_NAT_TUPLE:
			err = parse_tuple(a, family, &e->nat_tuple);
			break;
		}
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

static int parse_expect_attr(const struct nlattr *a, uint8_t family,
			     struct ctnl_expect *e)
{
	switch (attr_type(a)) {
	case CTA_EXPECT_MASTER:
		e->attrs |= CTNL_EXP_ATTR_MASTER;
		return parse_tuple(a, family, &e->master);
	case CTA_EXPECT_TUPLE:
		e->attrs |= CTNL_EXP_ATTR_TUPLE;
		return parse_tuple(a, family, &e->tuple);
	case CTA_EXPECT_MASK:
		e->attrs |= CTNL_EXP_ATTR_MASK;
		return parse_tuple(a, family, &e->mask);
	case CTA_EXPECT_TIMEOUT:
		e->attrs |= CTNL_EXP_ATTR_TIMEOUT;
		return get_be32(a, &e->timeout);
	case CTA_EXPECT_ID:
		e->attrs |= CTNL_EXP_ATTR_ID;
		return get_be32(a, &e->id);
	case CTA_EXPECT_HELP_NAME:
		e->attrs |= CTNL_EXP_ATTR_HELPER;
		return get_string(a, e->helper, sizeof(e->helper));
	case CTA_EXPECT_ZONE:
		e->attrs |= CTNL_EXP_ATTR_ZONE;
		return get_be16(a, &e->zone);
	case CTA_EXPECT_FLAGS:
		e->attrs |= CTNL_EXP_ATTR_FLAGS;
		return get_be32(a, &e->flags);
	case CTA_EXPECT_CLASS:
		e->attrs |= CTNL_EXP_ATTR_CLASS;
		return get_be32(a, &e->class);
	case CTA_EXPECT_NAT:
		e->attrs |= CTNL_EXP_ATTR_NAT;
		return parse_expect_nat(a, family, e);
	case CTA_EXPECT_FN:
		e->attrs |= CTNL_EXP_ATTR_FN;
		return get_string(a, e->fn, sizeof(e->fn));
	default:
		return 0;
	}
}

int ctnl_expect_parse(const struct nlmsghdr *nlh, struct ctnl_expect *out)
{
	const struct nlattr *attrs, *a;
	uint8_t family;
	size_t len;
	int rem, err;

	if (!nlh || !out)
		return -EINVAL;
	err = message_start(nlh, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_NEW,
			    IPCTNL_MSG_EXP_DELETE, &attrs, &len, &family);
	if (err)
		return err;

	memset(out, 0, sizeof(*out));
	for_each_attr(a, attrs, len, rem) {
		err = parse_expect_attr(a, family, out);
		if (err)
			return err;
	}
	return attrs_done(rem) ? 0 : -EBADMSG;
}

/* ---- Statistics ---- */

/* Statistics replies carry no family (AF_UNSPEC); the CPU is in res_id. */
static int stats_start(const struct nlmsghdr *nlh, const struct nlattr **attrs,
		       size_t *len, uint16_t *res_id)
{
	const struct nfgenmsg *nfg;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg))
		return -EBADMSG;
	nfg = mnl_nlmsg_get_payload(nlh);
	*res_id = be16toh(nfg->res_id);
	*attrs = (const void *)((const uint8_t *)nfg + sizeof(*nfg));
	*len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*nfg);
	return 0;
}

int ctnl_stats_parse(const struct nlmsghdr *nlh, struct ctnl_stats *out)
{
	const struct nlattr *attrs, *a;
	struct ctnl_stats st = { 0 };
	uint16_t res_id;
	size_t len;
	int rem, err;

	if (!nlh || !out)
		return -EINVAL;
	/* Another kind of message whatever its length, as everywhere. */
	if (nlh->nlmsg_type != CT_MSG(IPCTNL_MSG_CT_GET_STATS))
		return -EPROTO;
	err = stats_start(nlh, &attrs, &len, &res_id);
	if (err)
		return err;
	for_each_attr(a, attrs, len, rem) {
		switch (attr_type(a)) {
		case CTA_STATS_GLOBAL_ENTRIES:
			err = get_be32(a, &st.count);
			break;
		case CTA_STATS_GLOBAL_MAX_ENTRIES:
			err = get_be32(a, &st.max);
			break;
		}
		if (err)
			return err;
	}
	if (!attrs_done(rem))
		return -EBADMSG;
	*out = st;
	return 0;
}

/* Where each CTA_STATS_* counter goes; the obsolete ones are skipped. */
static uint32_t *ct_cpu_counter(struct ctnl_cpu_stats *st, int type)
{
	switch (type) {
	case CTA_STATS_FOUND:		return &st->found;
	case CTA_STATS_INVALID:		return &st->invalid;
	case CTA_STATS_INSERT:		return &st->insert;
	case CTA_STATS_INSERT_FAILED:	return &st->insert_failed;
	case CTA_STATS_DROP:		return &st->drop;
	case CTA_STATS_EARLY_DROP:	return &st->early_drop;
	case CTA_STATS_ERROR:		return &st->error;
	case CTA_STATS_SEARCH_RESTART:	return &st->search_restart;
	case CTA_STATS_CLASH_RESOLVE:	return &st->clash_resolve;
	case CTA_STATS_CHAIN_TOOLONG:	return &st->chaintoolong;
	default:			return NULL;
	}
}

static uint32_t *exp_cpu_counter(struct ctnl_cpu_stats *st, int type)
{
	switch (type) {
	case CTA_STATS_EXP_NEW:		return &st->exp_new;
	case CTA_STATS_EXP_CREATE:	return &st->exp_create;
	case CTA_STATS_EXP_DELETE:	return &st->exp_delete;
	default:			return NULL;
	}
}

/*
 * The kernel answers the expectation subsystem's per-CPU request with
 * messages of the conntrack subsystem (type IPCTNL_MSG_EXP_GET_STATS_CPU,
 * which there reads as IPCTNL_MSG_CT_GET_CTRZERO, a request only). The
 * expectation subsystem's own type is taken too, should that be fixed.
 */
static bool is_exp_cpu_stats(uint16_t type)
{
	return type == CT_MSG(IPCTNL_MSG_EXP_GET_STATS_CPU) ||
	       type == EXP_MSG(IPCTNL_MSG_EXP_GET_STATS_CPU);
}

int ctnl_cpu_stats_parse(const struct nlmsghdr *nlh, struct ctnl_cpu_stats *out)
{
	uint32_t *(*counter)(struct ctnl_cpu_stats *, int);
	const struct nlattr *attrs, *a;
	struct ctnl_cpu_stats st;
	uint16_t cpu;
	size_t len;
	int rem, err;

	if (!nlh || !out)
		return -EINVAL;
	if (nlh->nlmsg_type == CT_MSG(IPCTNL_MSG_CT_GET_STATS_CPU))
		counter = ct_cpu_counter;
	else if (is_exp_cpu_stats(nlh->nlmsg_type))
		counter = exp_cpu_counter;
	else
		return -EPROTO;
	err = stats_start(nlh, &attrs, &len, &cpu);
	if (err)
		return err;

	/* Only this message's table's counters change: the conntrack and
	 * the expectation replies for one CPU merge into one struct. */
	st = *out;
	st.cpu = cpu;
	for_each_attr(a, attrs, len, rem) {
		uint32_t *c = counter(&st, attr_type(a));

		if (!c)
			continue;
		err = get_be32(a, c);
		if (err)
			return err;
	}
	if (!attrs_done(rem))
		return -EBADMSG;
	*out = st;
	return 0;
}
