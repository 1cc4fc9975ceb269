/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building ctnetlink requests into a caller's buffer, with libmnl's
 * bounds-checked putters. Nothing here sends anything: the bytes can be
 * checked on their own, and a batch is built requests laid end to end.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "internal.h"

/* nfgenmsg.version: 1 makes a flush honour its family; 0 flushes all. */
#define NFNETLINK_V1 1

/* A request being built: once an attribute did not fit, the request is
 * -ENOSPC whatever follows. */
struct builder {
	struct nlmsghdr *nlh;
	size_t size;
	bool full;
};

static int begin(struct builder *b, void *buf, size_t size, uint16_t type,
		 uint16_t flags, uint8_t family, uint8_t version)
{
	struct nfgenmsg *nfg;

	if (!buf)
		return -EINVAL;
	if (size < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*nfg)))
		return -ENOSPC;
	b->size = size;
	b->full = false;
	b->nlh = mnl_nlmsg_put_header(buf);
	b->nlh->nlmsg_type = type;
	b->nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(b->nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = version;
	nfg->res_id = 0;
	return 0;
}

static int finish(const struct builder *b)
{
	return b->full ? -ENOSPC : (int)b->nlh->nlmsg_len;
}

static void put(struct builder *b, uint16_t type, size_t len, const void *v)
{
	uint8_t *tail = mnl_nlmsg_get_payload_tail(b->nlh);

	if (b->full || !mnl_attr_put_check(b->nlh, b->size, type, len, v)) {
		b->full = true;
		return;
	}
	/* libmnl before 1.0.5 leaves the padding as it found it: zero it,
	 * so no stale buffer bytes go to the kernel. */
	memset(tail + MNL_ATTR_HDRLEN + len, 0, MNL_ALIGN(len) - len);
}

static void put_u8(struct builder *b, uint16_t type, uint8_t v)
{
	put(b, type, sizeof(v), &v);
}

static void put_be16(struct builder *b, uint16_t type, uint16_t v)
{
	v = htobe16(v);
	put(b, type, sizeof(v), &v);
}

static void put_be32(struct builder *b, uint16_t type, uint32_t v)
{
	v = htobe32(v);
	put(b, type, sizeof(v), &v);
}

static struct nlattr *nest_start(struct builder *b, uint16_t type)
{
	struct nlattr *nest = NULL;

	if (!b->full)
		nest = mnl_attr_nest_start_check(b->nlh, b->size, type);
	if (!nest)
		b->full = true;
	return nest;
}

static void nest_end(struct builder *b, struct nlattr *nest)
{
	if (nest)
		mnl_attr_nest_end(b->nlh, nest);
}

static bool family_ok(uint8_t family)
{
	return family == AF_INET || family == AF_INET6;
}

/* A tuple the kernel can use: one of its families. */
static int check_tuple(const struct ctnl_tuple *t)
{
	return family_ok(t->family) ? 0 : -EINVAL;
}

static void put_addrs(struct builder *b, const struct ctnl_tuple *t)
{
	struct nlattr *ip = nest_start(b, CTA_TUPLE_IP);
	size_t len = ctnl__addr_len(t->family);

	if (t->family == AF_INET) {
		put(b, CTA_IP_V4_SRC, len, &t->src);
		put(b, CTA_IP_V4_DST, len, &t->dst);
	} else {
		put(b, CTA_IP_V6_SRC, len, &t->src);
		put(b, CTA_IP_V6_DST, len, &t->dst);
	}
	nest_end(b, ip);
}

static void put_l4(struct builder *b, const struct ctnl_tuple *t)
{
	struct nlattr *proto = nest_start(b, CTA_TUPLE_PROTO);
	bool v6 = t->proto == IPPROTO_ICMPV6;

	put_u8(b, CTA_PROTO_NUM, t->proto);
	if (ctnl_proto_has_ports(t->proto)) {
		put_be16(b, CTA_PROTO_SRC_PORT, t->port.src);
		put_be16(b, CTA_PROTO_DST_PORT, t->port.dst);
	} else if (ctnl__proto_is_icmp(t->proto)) {
		put_be16(b, v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID,
			 t->icmp.id);
		put_u8(b, v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE,
		       t->icmp.type);
		put_u8(b, v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE,
		       t->icmp.code);
	}
	nest_end(b, proto);
}

/* A tuple, with its zone inside it when the zone is its own. */
static void put_tuple(struct builder *b, uint16_t type,
		      const struct ctnl_tuple *t, bool own_zone)
{
	struct nlattr *nest = nest_start(b, type);

	put_addrs(b, t);
	put_l4(b, t);
	if (own_zone && t->zone)
		put_be16(b, CTA_TUPLE_ZONE, t->zone);
	nest_end(b, nest);
}

/* The tuple a key names its entry by: the original one, else the reply. */
static const struct ctnl_tuple *key_tuple(const struct ctnl_flow *key,
					  uint16_t *type)
{
	if (key->attrs & CTNL_ATTR_ORIG) {
		*type = CTA_TUPLE_ORIG;
		return &key->orig;
	}
	if (key->attrs & CTNL_ATTR_REPLY) {
		*type = CTA_TUPLE_REPLY;
		return &key->reply;
	}
	return NULL;
}

static int check_key(const struct ctnl_flow *key)
{
	const struct ctnl_tuple *t;
	uint16_t type;

	if (!key)
		return -EINVAL;
	t = key_tuple(key, &type);
	return t ? check_tuple(t) : -EINVAL;
}

/*
 * Starts a request about the one entry @key names: its tuple, the zone to
 * look in, and its id when given. Never without a tuple: a delete without
 * one is a flush of the whole table.
 */
static int begin_keyed(struct builder *b, void *buf, size_t size,
		       uint16_t type, uint16_t flags,
		       const struct ctnl_flow *key)
{
	const struct ctnl_tuple *t;
	uint16_t tuple_type;
	int err;

	err = check_key(key);
	if (err)
		return err;
	t = key_tuple(key, &tuple_type);
	err = begin(b, buf, size, type, flags, t->family, NFNETLINK_V0);
	if (err)
		return err;
	put_tuple(b, tuple_type, t, false);
	if (t->zone)
		put_be16(b, CTA_ZONE, t->zone);
	if (key->attrs & CTNL_ATTR_ID)
		put_be32(b, CTA_ID, key->id);
	return 0;
}

/* The kernel refuses a status that drops CONFIRMED from a (confirmed or
 * about to be confirmed) entry with -EBUSY. */
static void put_status(struct builder *b, uint32_t status)
{
	put_be32(b, CTA_STATUS, status | IPS_CONFIRMED);
}

static void put_labels(struct builder *b, const struct ctnl_labels *value,
		       const struct ctnl_labels *mask)
{
	struct ctnl_labels masked;

	if (!mask) {
		put(b, CTA_LABELS, sizeof(value->words), value->words);
		return;
	}
	/* The kernel computes (old & ~mask) ^ value: bits outside the mask
	 * must be 0 in value, or they would be flipped. */
	for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
		masked.words[i] = value->words[i] & mask->words[i];
	put(b, CTA_LABELS, sizeof(masked.words), masked.words);
	put(b, CTA_LABELS_MASK, sizeof(mask->words), mask->words);
}

int ctnl_build_get(void *buf, size_t size, const struct ctnl_flow *key)
{
	struct builder b;
	int err = begin_keyed(&b, buf, size, CT_MSG(IPCTNL_MSG_CT_GET), 0,
			      key);

	return err ? err : finish(&b);
}

int ctnl_build_delete(void *buf, size_t size, const struct ctnl_flow *key)
{
	struct builder b;
	int err = begin_keyed(&b, buf, size, CT_MSG(IPCTNL_MSG_CT_DELETE), 0,
			      key);

	return err ? err : finish(&b);
}

#define CHANGEABLE (CTNL_ATTR_MARK | CTNL_ATTR_LABELS | CTNL_ATTR_TIMEOUT | \
		    CTNL_ATTR_STATUS)

int ctnl__change_check(const struct ctnl_change *change)
{
	if (!change || !(change->attrs & CHANGEABLE) ||
	    (change->attrs & ~CHANGEABLE))
		return -EINVAL;
	return 0;
}

int ctnl_build_update(void *buf, size_t size, const struct ctnl_flow *key,
		      const struct ctnl_change *change)
{
	struct builder b;
	int err;

	err = ctnl__change_check(change);
	if (err)
		return err;
	/* No NLM_F_CREATE: an entry that is not there is -ENOENT. */
	err = begin_keyed(&b, buf, size, CT_MSG(IPCTNL_MSG_CT_NEW), 0, key);
	if (err)
		return err;
	if (change->attrs & CTNL_ATTR_STATUS)
		put_status(&b, change->status);
	if (change->attrs & CTNL_ATTR_TIMEOUT)
		put_be32(&b, CTA_TIMEOUT, change->timeout);
	if (change->attrs & CTNL_ATTR_MARK)
		put_be32(&b, CTA_MARK, change->mark);
	if (change->attrs & CTNL_ATTR_LABELS)
		put_labels(&b, &change->labels, &change->labels_mask);
	return finish(&b);
}

static void put_protoinfo(struct builder *b, const struct ctnl_flow *f)
{
	struct nlattr *info, *proto;

	if (f->orig.proto == IPPROTO_TCP &&
	    (f->attrs & (CTNL_ATTR_TCP_STATE | CTNL_ATTR_TCP_WSCALE |
			 CTNL_ATTR_TCP_FLAGS))) {
		info = nest_start(b, CTA_PROTOINFO);
		proto = nest_start(b, CTA_PROTOINFO_TCP);
		if (f->attrs & CTNL_ATTR_TCP_STATE)
			put_u8(b, CTA_PROTOINFO_TCP_STATE, f->tcp.state);
		if (f->attrs & CTNL_ATTR_TCP_WSCALE) {
			put_u8(b, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL,
			       f->tcp.wscale[CTNL_DIR_ORIG]);
			put_u8(b, CTA_PROTOINFO_TCP_WSCALE_REPLY,
			       f->tcp.wscale[CTNL_DIR_REPLY]);
		}
		if (f->attrs & CTNL_ATTR_TCP_FLAGS) {
			for (int dir = 0; dir < 2; dir++) {
				struct nf_ct_tcp_flags fl = {
					.flags = f->tcp.flags[dir],
					.mask = f->tcp.flags_mask[dir],
				};

				put(b, dir ? CTA_PROTOINFO_TCP_FLAGS_REPLY
					   : CTA_PROTOINFO_TCP_FLAGS_ORIGINAL,
				    sizeof(fl), &fl);
			}
		}
		nest_end(b, proto);
		nest_end(b, info);
	} else if (f->orig.proto == IPPROTO_SCTP &&
		   (f->attrs & (CTNL_ATTR_SCTP_STATE | CTNL_ATTR_SCTP_VTAG))) {
		info = nest_start(b, CTA_PROTOINFO);
		proto = nest_start(b, CTA_PROTOINFO_SCTP);
		if (f->attrs & CTNL_ATTR_SCTP_STATE)
			put_u8(b, CTA_PROTOINFO_SCTP_STATE, f->sctp.state);
		if (f->attrs & CTNL_ATTR_SCTP_VTAG) {
			put_be32(b, CTA_PROTOINFO_SCTP_VTAG_ORIGINAL,
				 f->sctp.vtag[CTNL_DIR_ORIG]);
			put_be32(b, CTA_PROTOINFO_SCTP_VTAG_REPLY,
				 f->sctp.vtag[CTNL_DIR_REPLY]);
		}
		nest_end(b, proto);
		nest_end(b, info);
	}
}

/* A name the kernel takes: NUL-terminated within @size bytes, not empty
 * (an empty helper name means "remove the helper" to the kernel). */
static bool name_ok(const char *name, size_t size)
{
	return name[0] != '\0' && memchr(name, '\0', size) != NULL;
}

/* A port range, if any, goes upwards. */
static int check_nat(const struct ctnl_nat *nat)
{
	return nat->port_max && nat->port_max < nat->port_min ? -EINVAL : 0;
}

/* The kernel needs an original tuple and a timeout; a reply tuple, if
 * given, must be of the same family and protocol; SCTP protocol info is
 * the state and both verification tags, all or nothing; a helper name
 * must fit its field. */
static int check_create(const struct ctnl_flow *flow)
{
	const uint64_t sctp = CTNL_ATTR_SCTP_STATE | CTNL_ATTR_SCTP_VTAG;

	if (!flow || !(flow->attrs & CTNL_ATTR_ORIG) ||
	    !(flow->attrs & CTNL_ATTR_TIMEOUT) || check_tuple(&flow->orig))
		return -EINVAL;
	if ((flow->attrs & CTNL_ATTR_REPLY) &&
	    (flow->reply.family != flow->orig.family ||
	     flow->reply.proto != flow->orig.proto))
		return -EINVAL;
	if (flow->orig.proto == IPPROTO_SCTP && (flow->attrs & sctp) &&
	    (flow->attrs & sctp) != sctp)
		return -EINVAL;
	if ((flow->attrs & CTNL_ATTR_HELPER) &&
	    !name_ok(flow->helper, sizeof(flow->helper)))
		return -EINVAL;
	if (((flow->attrs & CTNL_ATTR_SNAT) && check_nat(&flow->snat)) ||
	    ((flow->attrs & CTNL_ATTR_DNAT) && check_nat(&flow->dnat)))
		return -EINVAL;
	return 0;
}

static void put_string(struct builder *b, uint16_t type, const char *s)
{
	put(b, type, strlen(s) + 1, s);
}

/* A NAT range: the addresses, and the ports of a protocol with ports.
 * CTA_NAT_*_MAXIP is given always, as the kernel would otherwise take
 * min alone anyway. */
static void put_nat(struct builder *b, uint16_t type, uint8_t family,
		    uint8_t proto, const struct ctnl_nat *nat)
{
	static const union ctnl_addr none;
	struct nlattr *nest = nest_start(b, type), *ports;
	const union ctnl_addr *max =
		memcmp(&nat->max, &none, sizeof(none)) ? &nat->max : &nat->min;
	size_t len = ctnl__addr_len(family);

	put(b, family == AF_INET ? CTA_NAT_V4_MINIP : CTA_NAT_V6_MINIP, len,
	    &nat->min);
	put(b, family == AF_INET ? CTA_NAT_V4_MAXIP : CTA_NAT_V6_MAXIP, len,
	    max);
	if (nat->port_min && ctnl_proto_has_ports(proto)) {
		ports = nest_start(b, CTA_NAT_PROTO);
		put_be16(b, CTA_PROTONAT_PORT_MIN, nat->port_min);
		put_be16(b, CTA_PROTONAT_PORT_MAX,
			 nat->port_max ? nat->port_max : nat->port_min);
		nest_end(b, ports);
	}
	nest_end(b, nest);
}

/* A helper is attached only when an entry is created: the kernel cannot
 * give one to an existing entry. */
static void put_helper(struct builder *b, const char *name)
{
	struct nlattr *nest = nest_start(b, CTA_HELP);

	put_string(b, CTA_HELP_NAME, name);
	nest_end(b, nest);
}

int ctnl__build_check(enum ctnl_op op, const struct ctnl_flow *flow,
		      const struct ctnl_change *change)
{
	switch (op) {
	case CTNL_OP_CREATE:
		return check_create(flow);
	case CTNL_OP_UPDATE:
		if (ctnl__change_check(change) < 0)
			return -EINVAL;
		return check_key(flow);
	case CTNL_OP_DELETE:
		return check_key(flow);
	}
	return -EINVAL;
}

int ctnl_build_create(void *buf, size_t size, const struct ctnl_flow *flow)
{
	struct ctnl_tuple reply;
	struct builder b;
	bool same_zone;
	int err;

	err = check_create(flow);
	if (err)
		return err;
	if (flow->attrs & CTNL_ATTR_REPLY)
		reply = flow->reply;
	else
		ctnl__tuple_invert(&reply, &flow->orig);

	err = begin(&b, buf, size, CT_MSG(IPCTNL_MSG_CT_NEW),
		    NLM_F_CREATE | NLM_F_EXCL, flow->orig.family, NFNETLINK_V0);
	if (err)
		return err;
	/* One zone for both directions is CTA_ZONE; directional zones go
	 * inside their tuples. */
	same_zone = flow->orig.zone == reply.zone;
	put_tuple(&b, CTA_TUPLE_ORIG, &flow->orig, !same_zone);
	put_tuple(&b, CTA_TUPLE_REPLY, &reply, !same_zone);
	if (same_zone && reply.zone)
		put_be16(&b, CTA_ZONE, reply.zone);
	put_be32(&b, CTA_TIMEOUT, flow->timeout);
	if (flow->attrs & CTNL_ATTR_STATUS)
		put_status(&b, flow->status);
	if (flow->attrs & CTNL_ATTR_MARK)
		put_be32(&b, CTA_MARK, flow->mark);
	if (flow->attrs & CTNL_ATTR_LABELS)
		put_labels(&b, &flow->labels, NULL);
	if (flow->attrs & CTNL_ATTR_HELPER)
		put_helper(&b, flow->helper);
	if (flow->attrs & CTNL_ATTR_DNAT)
		put_nat(&b, CTA_NAT_DST, flow->orig.family, flow->orig.proto,
			&flow->dnat);
	if (flow->attrs & CTNL_ATTR_SNAT)
		put_nat(&b, CTA_NAT_SRC, flow->orig.family, flow->orig.proto,
			&flow->snat);
	put_protoinfo(&b, flow);
	return finish(&b);
}

int ctnl_build_dump_expect(void *buf, size_t size, uint8_t family)
{
	struct builder b;
	int err;

	if (family && !family_ok(family))
		return -EINVAL;
	err = begin(&b, buf, size, EXP_MSG(IPCTNL_MSG_EXP_GET), NLM_F_DUMP,
		    family, NFNETLINK_V0);
	return err ? err : finish(&b);
}

int ctnl_build_flush(void *buf, size_t size, enum ctnl_table table,
		     uint8_t family)
{
	struct builder b;
	uint16_t type;
	int err;

	if (family && !family_ok(family))
		return -EINVAL;
	switch (table) {
	case CTNL_TABLE_CONNTRACK:
		type = CT_MSG(IPCTNL_MSG_CT_DELETE);
		break;
	case CTNL_TABLE_EXPECT:
		/* The kernel flushes the expectations of every family at
		 * once, whatever the message says. */
		if (family)
			return -EOPNOTSUPP;
		type = EXP_MSG(IPCTNL_MSG_EXP_DELETE);
		break;
	default:
		return -EINVAL;
	}
	/* A delete without a tuple is a flush. Version 0 would flush every
	 * family whatever nfgen_family says. */
	err = begin(&b, buf, size, type, 0, family,
		    family ? NFNETLINK_V1 : NFNETLINK_V0);
	return err ? err : finish(&b);
}

/* The tuple filter of one direction: which fields the kernel compares, and
 * a tuple carrying exactly those. */
static uint32_t tuple_filter(const struct ctnl_filter *f, uint32_t kernel,
			     bool reply, struct ctnl_tuple *t)
{
	struct dir_filter d;
	uint32_t flags = 0;

	ctnl__filter_direction(f, reply, &d);
	memset(t, 0, sizeof(*t));
	t->family = f->family;
	t->proto = f->proto;
	if (kernel & d.src) {
		t->src = *d.src_addr;
		flags |= CTA_FILTER_F_IP_SRC;
	}
	if (kernel & d.dst) {
		t->dst = *d.dst_addr;
		flags |= CTA_FILTER_F_IP_DST;
	}
	if (kernel & CTNL_MATCH_PROTO)
		flags |= CTA_FILTER_F_PROTO_NUM;
	if (kernel & d.sport) {
		t->port.src = d.sport_val;
		flags |= CTA_FILTER_F_SRC_PORT;
	}
	if (kernel & d.dport) {
		t->port.dst = d.dport_val;
		flags |= CTA_FILTER_F_DST_PORT;
	}
	return flags;
}

/* A tuple holding only the fields its CTA_FILTER flags name: the kernel
 * parses exactly those. */
static void put_filter_tuple(struct builder *b, uint16_t type,
			     const struct ctnl_tuple *t, uint32_t flags)
{
	struct nlattr *nest = nest_start(b, type), *ip, *proto;
	size_t len = ctnl__addr_len(t->family);
	bool v4 = t->family == AF_INET;

	if (flags & (CTA_FILTER_F_IP_SRC | CTA_FILTER_F_IP_DST)) {
		ip = nest_start(b, CTA_TUPLE_IP);
		if (flags & CTA_FILTER_F_IP_SRC)
			put(b, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, len, &t->src);
		if (flags & CTA_FILTER_F_IP_DST)
			put(b, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, len, &t->dst);
		nest_end(b, ip);
	}
	if (flags & CTA_FILTER_F_PROTO_NUM) {
		proto = nest_start(b, CTA_TUPLE_PROTO);
		put_u8(b, CTA_PROTO_NUM, t->proto);
		if (flags & CTA_FILTER_F_SRC_PORT)
			put_be16(b, CTA_PROTO_SRC_PORT, t->port.src);
		if (flags & CTA_FILTER_F_DST_PORT)
			put_be16(b, CTA_PROTO_DST_PORT, t->port.dst);
		nest_end(b, proto);
	}
	nest_end(b, nest);
}

/* The criteria @kernel of @f, as a dump and a flush both take them. */
static void put_kernel_filter(struct builder *b, const struct ctnl_filter *f,
			      uint32_t kernel)
{
	struct ctnl_tuple orig, reply;
	uint32_t orig_flags, reply_flags;
	struct nlattr *nest;

	if (kernel & CTNL_MATCH_MARK) {
		put_be32(b, CTA_MARK, f->mark);
		put_be32(b, CTA_MARK_MASK, f->mark_mask);
	}
	if (kernel & CTNL_MATCH_STATUS) {
		put_be32(b, CTA_STATUS, f->status);
		put_be32(b, CTA_STATUS_MASK, f->status_mask);
	}
	if (kernel & CTNL_MATCH_ZONE)
		put_be16(b, CTA_ZONE, f->zone);

	orig_flags = tuple_filter(f, kernel, false, &orig);
	reply_flags = tuple_filter(f, kernel, true, &reply);
	/* The protocol alone is filtered once, in the original direction. */
	if (reply_flags == CTA_FILTER_F_PROTO_NUM && orig_flags)
		reply_flags = 0;
	if (!orig_flags && !reply_flags)
		return;
	if (orig_flags)
		put_filter_tuple(b, CTA_TUPLE_ORIG, &orig, orig_flags);
	if (reply_flags)
		put_filter_tuple(b, CTA_TUPLE_REPLY, &reply, reply_flags);
	/* The one conntrack number in host byte order: the kernel reads the
	 * flags with nla_get_u32(). */
	nest = nest_start(b, CTA_FILTER);
	put(b, CTA_FILTER_ORIG_FLAGS, sizeof(orig_flags), &orig_flags);
	put(b, CTA_FILTER_REPLY_FLAGS, sizeof(reply_flags), &reply_flags);
	nest_end(b, nest);
}

/* The list a dump reads: the table, the dying or the unconfirmed list;
 * the table with its counters zeroed as they are read. */
static uint16_t dump_type(uint32_t flags)
{
	if (flags & CTNL_FILTER_DYING)
		return IPCTNL_MSG_CT_GET_DYING;
	if (flags & CTNL_FILTER_UNCONFIRMED)
		return IPCTNL_MSG_CT_GET_UNCONFIRMED;
	if (flags & CTNL_FILTER_ZERO)
		return IPCTNL_MSG_CT_GET_CTRZERO;
	return IPCTNL_MSG_CT_GET;
}

int ctnl_build_dump(void *buf, size_t size, const struct ctnl_filter *filter)
{
	static const struct ctnl_filter all;
	struct builder b;
	int err;

	if (!filter)
		filter = &all;
	err = ctnl__filter_check(filter);
	if (err)
		return err;
	err = begin(&b, buf, size, CT_MSG(dump_type(filter->flags)),
		    NLM_F_DUMP, filter->family, NFNETLINK_V0);
	if (err)
		return err;
	put_kernel_filter(&b, filter, ctnl__filter_kernel_part(filter));
	return finish(&b);
}

int ctnl_build_flush_filtered(void *buf, size_t size,
			      const struct ctnl_filter *filter)
{
	static const struct ctnl_filter all;
	struct builder b;
	uint32_t kernel;
	int err;

	if (!filter)
		filter = &all;
	err = ctnl__filter_check_table(filter);
	if (err)
		return err;
	/* A flush is not re-checked anywhere: every criterion must be one
	 * the kernel applies, or it would delete more than was asked. */
	kernel = ctnl__filter_kernel_part(filter);
	if (kernel != filter->match)
		return -EOPNOTSUPP;
	/* A delete without a tuple (or with CTA_FILTER) is a flush; version
	 * 1 makes it honour the family. */
	err = begin(&b, buf, size, CT_MSG(IPCTNL_MSG_CT_DELETE), 0,
		    filter->family,
		    filter->family ? NFNETLINK_V1 : NFNETLINK_V0);
	if (err)
		return err;
	put_kernel_filter(&b, filter, kernel);
	return finish(&b);
}

/* ---- Statistics ---- */

int ctnl_build_stats(void *buf, size_t size)
{
	struct builder b;
	int err = begin(&b, buf, size, CT_MSG(IPCTNL_MSG_CT_GET_STATS), 0,
			AF_UNSPEC, NFNETLINK_V0);

	return err ? err : finish(&b);
}

int ctnl_build_stats_cpu(void *buf, size_t size, enum ctnl_table table)
{
	struct builder b;
	uint16_t type;
	int err;

	switch (table) {
	case CTNL_TABLE_CONNTRACK:
		type = CT_MSG(IPCTNL_MSG_CT_GET_STATS_CPU);
		break;
	case CTNL_TABLE_EXPECT:
		type = EXP_MSG(IPCTNL_MSG_EXP_GET_STATS_CPU);
		break;
	default:
		return -EINVAL;
	}
	/* Without NLM_F_DUMP the kernel acknowledges and sends nothing. */
	err = begin(&b, buf, size, type, NLM_F_DUMP, AF_UNSPEC, NFNETLINK_V0);
	return err ? err : finish(&b);
}

/* ---- Expectations ---- */

/*
 * Starts a request about the one expectation @key names by its tuple, in
 * its zone, with its id when given. Never without a tuple: an expectation
 * delete without one is a flush of the whole table.
 */
static int begin_expect_keyed(struct builder *b, void *buf, size_t size,
			      uint16_t type, const struct ctnl_expect *key)
{
	int err;

	if (!key || !(key->attrs & CTNL_EXP_ATTR_TUPLE) ||
	    check_tuple(&key->tuple))
		return -EINVAL;
	err = begin(b, buf, size, EXP_MSG(type), 0, key->tuple.family,
		    NFNETLINK_V0);
	if (err)
		return err;
	put_tuple(b, CTA_EXPECT_TUPLE, &key->tuple, false);
	if (key->zone)
		put_be16(b, CTA_EXPECT_ZONE, key->zone);
	if (key->attrs & CTNL_EXP_ATTR_ID)
		put_be32(b, CTA_EXPECT_ID, key->id);
	return 0;
}

int ctnl_build_get_expect(void *buf, size_t size, const struct ctnl_expect *key)
{
	struct builder b;
	int err = begin_expect_keyed(&b, buf, size, IPCTNL_MSG_EXP_GET, key);

	return err ? err : finish(&b);
}

int ctnl_build_delete_expect(void *buf, size_t size,
			     const struct ctnl_expect *key)
{
	struct builder b;
	int err = begin_expect_keyed(&b, buf, size, IPCTNL_MSG_EXP_DELETE, key);

	return err ? err : finish(&b);
}

#define EXP_REQUIRED (CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE | \
		      CTNL_EXP_ATTR_MASK)

/* The kernel needs the master's tuple, the expected tuple and its mask,
 * all of the master's family; the mask is of the expected protocol. */
static int check_create_expect(const struct ctnl_expect *e)
{
	if (!e || (e->attrs & EXP_REQUIRED) != EXP_REQUIRED ||
	    check_tuple(&e->master) || e->tuple.family != e->master.family ||
	    e->mask.family != e->master.family ||
	    e->mask.proto != e->tuple.proto)
		return -EINVAL;
	if ((e->attrs & CTNL_EXP_ATTR_HELPER) &&
	    !name_ok(e->helper, sizeof(e->helper)))
		return -EINVAL;
	if ((e->attrs & CTNL_EXP_ATTR_FN) && !name_ok(e->fn, sizeof(e->fn)))
		return -EINVAL;
	if ((e->attrs & CTNL_EXP_ATTR_NAT) &&
	    e->nat_tuple.family != e->master.family)
		return -EINVAL;
	return 0;
}

static void put_expect_nat(struct builder *b, const struct ctnl_expect *e)
{
	struct nlattr *nest = nest_start(b, CTA_EXPECT_NAT);

	put_be32(b, CTA_EXPECT_NAT_DIR, e->nat_dir);
	put_tuple(b, CTA_EXPECT_NAT_TUPLE, &e->nat_tuple, false);
	nest_end(b, nest);
}

int ctnl_build_create_expect(void *buf, size_t size,
			     const struct ctnl_expect *exp)
{
	struct builder b;
	int err;

	err = check_create_expect(exp);
	if (err)
		return err;
	err = begin(&b, buf, size, EXP_MSG(IPCTNL_MSG_EXP_NEW),
		    NLM_F_CREATE | NLM_F_EXCL, exp->master.family,
		    NFNETLINK_V0);
	if (err)
		return err;
	put_tuple(&b, CTA_EXPECT_MASTER, &exp->master, false);
	put_tuple(&b, CTA_EXPECT_TUPLE, &exp->tuple, false);
	put_tuple(&b, CTA_EXPECT_MASK, &exp->mask, false);
	/* The zone the master is looked up in, and the expectation's. */
	if (exp->zone)
		put_be16(&b, CTA_EXPECT_ZONE, exp->zone);
	if (exp->attrs & CTNL_EXP_ATTR_TIMEOUT)
		put_be32(&b, CTA_EXPECT_TIMEOUT, exp->timeout);
	if (exp->attrs & CTNL_EXP_ATTR_HELPER)
		put_string(&b, CTA_EXPECT_HELP_NAME, exp->helper);
	if (exp->attrs & CTNL_EXP_ATTR_FLAGS)
		put_be32(&b, CTA_EXPECT_FLAGS, exp->flags);
	if (exp->attrs & CTNL_EXP_ATTR_CLASS)
		put_be32(&b, CTA_EXPECT_CLASS, exp->class);
	if (exp->attrs & CTNL_EXP_ATTR_NAT)
		put_expect_nat(&b, exp);
	if (exp->attrs & CTNL_EXP_ATTR_FN)
		put_string(&b, CTA_EXPECT_FN, exp->fn);
	return finish(&b);
}
