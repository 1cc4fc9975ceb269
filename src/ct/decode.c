/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Netlink messages as readable text, in conntrack's terms: the decoder of
 * ctnl_msg_fprint() and the ready trace hook ctnl_trace_print().
 *
 * Table-driven: one table per kind of nest, each attribute with its name
 * (the kernel's constant, spelled as in the UAPI headers), how its value
 * reads and, for a nest, the table of what it holds. Nothing here trusts
 * the message: every length is checked before a byte is read, a value of
 * the wrong size or a region that is no whole attributes is printed as
 * malformed, and the walk ends where the bytes do. Tables bound the depth
 * of nesting; an attribute without a name is shown as bytes, never
 * entered. Only tracing and debugging come here: it formats with stdio.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "internal.h"

/* How an attribute's value reads. */
enum kind {
	K_NEST,		/* attributes, of the table given */
	K_BYTES,	/* opaque: hex */
	K_STR,		/* NUL-terminated text */
	K_U8,
	K_BE16,
	K_BE32,
	K_BE64,
	K_U32,		/* host byte order */
	K_HEX32,	/* big-endian, a mask: in hex */
	K_IN4,
	K_IN6,
	K_PROTO,	/* an IP protocol number, with its name */
	K_TCP_STATE,
	K_SCTP_STATE,
	K_DCCP_STATE,
	K_TCP_FLAGS,	/* struct nf_ct_tcp_flags */
	K_STATUS,	/* big-endian IPS_* bits */
	K_EXP_FLAGS,	/* big-endian NF_CT_EXPECT_* bits */
	K_FILTER_FLAGS,	/* host-order CTA_FILTER_F_* bits */
	K_DIR,		/* big-endian direction: 0 original, 1 reply */
	K_LABELS,	/* a host-endian bitmap in 32-bit words */
};

struct attr_set;

struct attr_desc {
	const char *name;
	enum kind kind;
	const struct attr_set *nest;	/* K_NEST: what it holds */
};

struct attr_set {
	const struct attr_desc *attrs;	/* indexed by type */
	size_t count;
};

#define A(type, kind) [type] = { #type, kind, NULL }
#define N(type, set) [type] = { #type, K_NEST, &set }
#define SET(name)                                                            \
	static const struct attr_set name = {                               \
		name##_attrs, sizeof(name##_attrs) / sizeof(name##_attrs[0]) \
	}

/* ---- The attribute tables, innermost first ---- */

static const struct attr_desc tuple_ip_attrs[] = {
	A(CTA_IP_V4_SRC, K_IN4),
	A(CTA_IP_V4_DST, K_IN4),
	A(CTA_IP_V6_SRC, K_IN6),
	A(CTA_IP_V6_DST, K_IN6),
};
SET(tuple_ip);

static const struct attr_desc tuple_proto_attrs[] = {
	A(CTA_PROTO_NUM, K_PROTO),
	A(CTA_PROTO_SRC_PORT, K_BE16),
	A(CTA_PROTO_DST_PORT, K_BE16),
	A(CTA_PROTO_ICMP_ID, K_BE16),
	A(CTA_PROTO_ICMP_TYPE, K_U8),
	A(CTA_PROTO_ICMP_CODE, K_U8),
	A(CTA_PROTO_ICMPV6_ID, K_BE16),
	A(CTA_PROTO_ICMPV6_TYPE, K_U8),
	A(CTA_PROTO_ICMPV6_CODE, K_U8),
};
SET(tuple_proto);

static const struct attr_desc tuple_attrs[] = {
	N(CTA_TUPLE_IP, tuple_ip),
	N(CTA_TUPLE_PROTO, tuple_proto),
	A(CTA_TUPLE_ZONE, K_BE16),
};
SET(tuple);

static const struct attr_desc tcp_attrs[] = {
	A(CTA_PROTOINFO_TCP_STATE, K_TCP_STATE),
	A(CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, K_U8),
	A(CTA_PROTOINFO_TCP_WSCALE_REPLY, K_U8),
	A(CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, K_TCP_FLAGS),
	A(CTA_PROTOINFO_TCP_FLAGS_REPLY, K_TCP_FLAGS),
};
SET(tcp);

static const struct attr_desc sctp_attrs[] = {
	A(CTA_PROTOINFO_SCTP_STATE, K_SCTP_STATE),
	A(CTA_PROTOINFO_SCTP_VTAG_ORIGINAL, K_BE32),
	A(CTA_PROTOINFO_SCTP_VTAG_REPLY, K_BE32),
};
SET(sctp);

static const struct attr_desc dccp_attrs[] = {
	A(CTA_PROTOINFO_DCCP_STATE, K_DCCP_STATE),
	A(CTA_PROTOINFO_DCCP_ROLE, K_U8),
	A(CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ, K_BE64),
	A(CTA_PROTOINFO_DCCP_PAD, K_BYTES),
};
SET(dccp);

static const struct attr_desc protoinfo_attrs[] = {
	N(CTA_PROTOINFO_TCP, tcp),
	N(CTA_PROTOINFO_DCCP, dccp),
	N(CTA_PROTOINFO_SCTP, sctp),
};
SET(protoinfo);

static const struct attr_desc counters_attrs[] = {
	A(CTA_COUNTERS_PACKETS, K_BE64),
	A(CTA_COUNTERS_BYTES, K_BE64),
	A(CTA_COUNTERS32_PACKETS, K_BE32),
	A(CTA_COUNTERS32_BYTES, K_BE32),
	A(CTA_COUNTERS_PAD, K_BYTES),
};
SET(counters);

static const struct attr_desc timestamp_attrs[] = {
	A(CTA_TIMESTAMP_START, K_BE64),
	A(CTA_TIMESTAMP_STOP, K_BE64),
	A(CTA_TIMESTAMP_PAD, K_BYTES),
};
SET(timestamp);

static const struct attr_desc help_attrs[] = {
	A(CTA_HELP_NAME, K_STR),
	A(CTA_HELP_INFO, K_BYTES),
};
SET(help);

static const struct attr_desc protonat_attrs[] = {
	A(CTA_PROTONAT_PORT_MIN, K_BE16),
	A(CTA_PROTONAT_PORT_MAX, K_BE16),
};
SET(protonat);

static const struct attr_desc nat_attrs[] = {
	A(CTA_NAT_V4_MINIP, K_IN4),
	A(CTA_NAT_V4_MAXIP, K_IN4),
	N(CTA_NAT_PROTO, protonat),
	A(CTA_NAT_V6_MINIP, K_IN6),
	A(CTA_NAT_V6_MAXIP, K_IN6),
};
SET(nat);

static const struct attr_desc seqadj_attrs[] = {
	A(CTA_SEQADJ_CORRECTION_POS, K_BE32),
	A(CTA_SEQADJ_OFFSET_BEFORE, K_BE32),
	A(CTA_SEQADJ_OFFSET_AFTER, K_BE32),
};
SET(seqadj);

static const struct attr_desc secctx_attrs[] = {
	A(CTA_SECCTX_NAME, K_STR),
};
SET(secctx);

static const struct attr_desc synproxy_attrs[] = {
	A(CTA_SYNPROXY_ISN, K_BE32),
	A(CTA_SYNPROXY_ITS, K_BE32),
	A(CTA_SYNPROXY_TSOFF, K_BE32),
};
SET(synproxy);

static const struct attr_desc filter_attrs[] = {
	A(CTA_FILTER_ORIG_FLAGS, K_FILTER_FLAGS),
	A(CTA_FILTER_REPLY_FLAGS, K_FILTER_FLAGS),
};
SET(filter);

/* The event's time, in events since Linux 6.14: newer than the UAPI
 * headers this is built with (Debian 12: 6.1). */
#define CT_ATTR_TIMESTAMP_EVENT (CTA_STATUS_MASK + 1)

static const struct attr_desc ct_attrs[] = {
	N(CTA_TUPLE_ORIG, tuple),
	N(CTA_TUPLE_REPLY, tuple),
	A(CTA_STATUS, K_STATUS),
	N(CTA_PROTOINFO, protoinfo),
	N(CTA_HELP, help),
	N(CTA_NAT_SRC, nat),
	A(CTA_TIMEOUT, K_BE32),
	A(CTA_MARK, K_BE32),
	N(CTA_COUNTERS_ORIG, counters),
	N(CTA_COUNTERS_REPLY, counters),
	A(CTA_USE, K_BE32),
	A(CTA_ID, K_BE32),
	N(CTA_NAT_DST, nat),
	N(CTA_TUPLE_MASTER, tuple),
	N(CTA_SEQ_ADJ_ORIG, seqadj),
	N(CTA_SEQ_ADJ_REPLY, seqadj),
	A(CTA_SECMARK, K_BE32),
	A(CTA_ZONE, K_BE16),
	N(CTA_SECCTX, secctx),
	N(CTA_TIMESTAMP, timestamp),
	A(CTA_MARK_MASK, K_HEX32),
	A(CTA_LABELS, K_LABELS),
	A(CTA_LABELS_MASK, K_LABELS),
	N(CTA_SYNPROXY, synproxy),
	N(CTA_FILTER, filter),
	A(CTA_STATUS_MASK, K_STATUS),
	[CT_ATTR_TIMESTAMP_EVENT] = { "CTA_TIMESTAMP_EVENT", K_BE64, NULL },
};
SET(ct);

static const struct attr_desc expect_nat_attrs[] = {
	A(CTA_EXPECT_NAT_DIR, K_DIR),
	N(CTA_EXPECT_NAT_TUPLE, tuple),
};
SET(expect_nat);

static const struct attr_desc expect_attrs[] = {
	N(CTA_EXPECT_MASTER, tuple),
	N(CTA_EXPECT_TUPLE, tuple),
	N(CTA_EXPECT_MASK, tuple),
	A(CTA_EXPECT_TIMEOUT, K_BE32),
	A(CTA_EXPECT_ID, K_BE32),
	A(CTA_EXPECT_HELP_NAME, K_STR),
	A(CTA_EXPECT_ZONE, K_BE16),
	A(CTA_EXPECT_FLAGS, K_EXP_FLAGS),
	A(CTA_EXPECT_CLASS, K_BE32),
	N(CTA_EXPECT_NAT, expect_nat),
	A(CTA_EXPECT_FN, K_STR),
};
SET(expect);

static const struct attr_desc stats_cpu_attrs[] = {
	A(CTA_STATS_SEARCHED, K_BE32),
	A(CTA_STATS_FOUND, K_BE32),
	A(CTA_STATS_NEW, K_BE32),
	A(CTA_STATS_INVALID, K_BE32),
	A(CTA_STATS_IGNORE, K_BE32),
	A(CTA_STATS_DELETE, K_BE32),
	A(CTA_STATS_DELETE_LIST, K_BE32),
	A(CTA_STATS_INSERT, K_BE32),
	A(CTA_STATS_INSERT_FAILED, K_BE32),
	A(CTA_STATS_DROP, K_BE32),
	A(CTA_STATS_EARLY_DROP, K_BE32),
	A(CTA_STATS_ERROR, K_BE32),
	A(CTA_STATS_SEARCH_RESTART, K_BE32),
	A(CTA_STATS_CLASH_RESOLVE, K_BE32),
	A(CTA_STATS_CHAIN_TOOLONG, K_BE32),
};
SET(stats_cpu);

static const struct attr_desc stats_global_attrs[] = {
	A(CTA_STATS_GLOBAL_ENTRIES, K_BE32),
	A(CTA_STATS_GLOBAL_MAX_ENTRIES, K_BE32),
};
SET(stats_global);

static const struct attr_desc exp_stats_attrs[] = {
	A(CTA_STATS_EXP_NEW, K_BE32),
	A(CTA_STATS_EXP_CREATE, K_BE32),
	A(CTA_STATS_EXP_DELETE, K_BE32),
};
SET(exp_stats);

/* The extended ACK's attributes, after an NLMSG_ERROR or NLMSG_DONE. */
static const struct attr_desc ext_ack_attrs[] = {
	A(NLMSGERR_ATTR_MSG, K_STR),
	A(NLMSGERR_ATTR_OFFS, K_U32),
	A(NLMSGERR_ATTR_COOKIE, K_BYTES),
	A(NLMSGERR_ATTR_POLICY, K_BYTES),
	A(NLMSGERR_ATTR_MISS_TYPE, K_U32),
	A(NLMSGERR_ATTR_MISS_NEST, K_U32),
};
SET(ext_ack);

/* ---- Names of bits, by bit number ---- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const status_bits[] = {
	[IPS_EXPECTED_BIT] = "EXPECTED",
	[IPS_SEEN_REPLY_BIT] = "SEEN_REPLY",
	[IPS_ASSURED_BIT] = "ASSURED",
	[IPS_CONFIRMED_BIT] = "CONFIRMED",
	[IPS_SRC_NAT_BIT] = "SRC_NAT",
	[IPS_DST_NAT_BIT] = "DST_NAT",
	[IPS_SEQ_ADJUST_BIT] = "SEQ_ADJUST",
	[IPS_SRC_NAT_DONE_BIT] = "SRC_NAT_DONE",
	[IPS_DST_NAT_DONE_BIT] = "DST_NAT_DONE",
	[IPS_DYING_BIT] = "DYING",
	[IPS_FIXED_TIMEOUT_BIT] = "FIXED_TIMEOUT",
	[IPS_TEMPLATE_BIT] = "TEMPLATE",
	[IPS_UNTRACKED_BIT] = "UNTRACKED",
	[IPS_HELPER_BIT] = "HELPER",
	[IPS_OFFLOAD_BIT] = "OFFLOAD",
	[IPS_HW_OFFLOAD_BIT] = "HW_OFFLOAD",
};

/* IP_CT_TCP_FLAG_* and the two without that prefix, bits 0 to 7. */
static const char *const tcp_flag_bits[] = {
	"WINDOW_SCALE", "SACK_PERM", "CLOSE_INIT", "BE_LIBERAL",
	"DATA_UNACKNOWLEDGED", "MAXACK_SET", "CHALLENGE_ACK",
	"SIMULTANEOUS_OPEN",
};

/* NF_CT_EXPECT_*, bits 0 to 2. */
static const char *const exp_flag_bits[] = {
	"PERMANENT", "INACTIVE", "USERSPACE",
};

/* CTA_FILTER_F_* (internal.h), bits 0 to 11: the tuple fields compared. */
static const char *const filter_flag_bits[] = {
	"IP_SRC", "IP_DST", "TUPLE_ZONE", "PROTO_NUM", "PROTO_SRC_PORT",
	"PROTO_DST_PORT", "ICMP_TYPE", "ICMP_CODE", "ICMP_ID",
	"ICMPV6_TYPE", "ICMPV6_CODE", "ICMPV6_ID",
};

/* ---- Messages ---- */

/* Which meaning a message's flags 0x100 to 0x800 have. */
enum flag_set {
	FL_NONE,
	FL_GET,		/* ROOT, MATCH (both: DUMP), ATOMIC */
	FL_NEW,		/* REPLACE, EXCL, CREATE, APPEND */
	FL_DELETE,	/* NONREC, BULK */
	FL_ACK,		/* CAPPED, ACK_TLVS */
};

struct msg_type {
	const char *name;
	const struct attr_set *attrs;	/* after the nfgenmsg */
	enum flag_set flags;
};

#define M(type, set, fl) [type] = { #type, set, fl }

static const struct msg_type control_types[] = {
	M(NLMSG_NOOP, NULL, FL_NONE),
	M(NLMSG_ERROR, NULL, FL_ACK),
	M(NLMSG_DONE, NULL, FL_ACK),
	M(NLMSG_OVERRUN, NULL, FL_NONE),
	M(NFNL_MSG_BATCH_BEGIN, NULL, FL_NONE),
	M(NFNL_MSG_BATCH_END, NULL, FL_NONE),
};

static const struct msg_type ct_types[] = {
	M(IPCTNL_MSG_CT_NEW, &ct, FL_NEW),
	M(IPCTNL_MSG_CT_GET, &ct, FL_GET),
	M(IPCTNL_MSG_CT_DELETE, &ct, FL_DELETE),
	M(IPCTNL_MSG_CT_GET_CTRZERO, &ct, FL_GET),
	M(IPCTNL_MSG_CT_GET_STATS_CPU, &stats_cpu, FL_GET),
	M(IPCTNL_MSG_CT_GET_STATS, &stats_global, FL_GET),
	M(IPCTNL_MSG_CT_GET_DYING, &ct, FL_GET),
	M(IPCTNL_MSG_CT_GET_UNCONFIRMED, &ct, FL_GET),
};

static const struct msg_type exp_types[] = {
	M(IPCTNL_MSG_EXP_NEW, &expect, FL_NEW),
	M(IPCTNL_MSG_EXP_GET, &expect, FL_GET),
	M(IPCTNL_MSG_EXP_DELETE, &expect, FL_DELETE),
	M(IPCTNL_MSG_EXP_GET_STATS_CPU, &exp_stats, FL_GET),
};

/*
 * The kernel answers IPCTNL_MSG_EXP_GET_STATS_CPU with messages of the
 * conntrack subsystem (see parse.c): type 0x0103, which as a request is
 * IPCTNL_MSG_CT_GET_CTRZERO. A reply of that type is one of those.
 */
static const struct msg_type exp_stats_reply = {
	"IPCTNL_MSG_EXP_GET_STATS_CPU", &exp_stats, FL_NONE,
};

#define LOOKUP(table, i)                                                     \
	((i) < COUNT(table) && (table)[i].name ? &(table)[i] : NULL)

static const struct msg_type *msg_type_of(const struct nlmsghdr *nlh)
{
	uint16_t type = nlh->nlmsg_type;
	uint8_t msg = NFNL_MSG_TYPE(type);

	if (type == CT_MSG(IPCTNL_MSG_CT_GET_CTRZERO) &&
	    !(nlh->nlmsg_flags & NLM_F_REQUEST))
		return &exp_stats_reply;
	switch (NFNL_SUBSYS_ID(type)) {
	case NFNL_SUBSYS_NONE:
		return LOOKUP(control_types, msg);
	case NFNL_SUBSYS_CTNETLINK:
		return LOOKUP(ct_types, msg);
	case NFNL_SUBSYS_CTNETLINK_EXP:
		return LOOKUP(exp_types, msg);
	default:
		return NULL;
	}
}

/* ---- Writing ---- */

struct printer {
	FILE *out;
	bool bad;	/* something malformed or truncated was met */
};

/* Bytes shown in hex at most, per value. */
#define HEX_MAX 64

static void indent(struct printer *p, int depth)
{
	fprintf(p->out, "%*s", 2 * depth, "");
}

static void put_hex(struct printer *p, const uint8_t *b, size_t len)
{
	size_t n = len < HEX_MAX ? len : HEX_MAX;

	for (size_t i = 0; i < n; i++)
		fprintf(p->out, " %02x", b[i]);
	if (len > n)
		fprintf(p->out, " ... (%zu bytes more)", len - n);
}

/* A line saying what is wrong, with the bytes concerned. */
static void put_malformed(struct printer *p, int depth, const char *what,
			  const void *b, size_t len)
{
	indent(p, depth);
	fprintf(p->out, "%s (%zu bytes):", what, len);
	put_hex(p, b, len);
	fputc('\n', p->out);
	p->bad = true;
}

/* @v in hex, then the names of its bits in parentheses. */
static void put_bits(struct printer *p, uint32_t v, const char *const *names,
		     size_t count)
{
	const char *sep = " (";

	fprintf(p->out, "0x%x", v);
	for (unsigned int bit = 0; bit < 32; bit++) {
		if (!(v & (1u << bit)))
			continue;
		if (bit < count && names[bit])
			fprintf(p->out, "%s%s", sep, names[bit]);
		else
			fprintf(p->out, "%s0x%x", sep, 1u << bit);
		sep = "|";
	}
	if (v)
		fputc(')', p->out);
}

static uint16_t read_be16(const uint8_t *v)
{
	uint16_t x;

	memcpy(&x, v, sizeof(x));
	return be16toh(x);
}

static uint32_t read_u32(const uint8_t *v)
{
	uint32_t x;

	memcpy(&x, v, sizeof(x));
	return x;
}

static uint64_t read_be64(const uint8_t *v)
{
	uint64_t x;

	memcpy(&x, v, sizeof(x));
	return be64toh(x);
}

/* The exact length a value of @kind has; 0: any length. */
static size_t kind_size(enum kind kind)
{
	switch (kind) {
	case K_U8:
	case K_PROTO:
	case K_TCP_STATE:
	case K_SCTP_STATE:
	case K_DCCP_STATE:
		return 1;
	case K_BE16:
	case K_TCP_FLAGS:
		return 2;
	case K_BE32:
	case K_U32:
	case K_HEX32:
	case K_IN4:
	case K_STATUS:
	case K_EXP_FLAGS:
	case K_FILTER_FLAGS:
	case K_DIR:
		return 4;
	case K_BE64:
		return 8;
	case K_IN6:
		return 16;
	default:
		return 0;
	}
}

static bool value_ok(enum kind kind, const uint8_t *v, size_t len)
{
	size_t want = kind_size(kind);

	if (want)
		return len == want;
	if (kind == K_STR)
		return len > 0 && memchr(v, '\0', len) != NULL;
	if (kind == K_LABELS)
		return len % sizeof(uint32_t) == 0;
	return true;
}

/* Text up to its NUL, quoted, anything unprintable escaped. */
static void put_string(struct printer *p, const uint8_t *v)
{
	fputc('"', p->out);
	for (; *v; v++) {
		if (*v >= 0x20 && *v < 0x7f && *v != '"' && *v != '\\')
			fputc(*v, p->out);
		else
			fprintf(p->out, "\\x%02x", *v);
	}
	fputc('"', p->out);
}

/* The numbers of the bits set, bit 0 first, as the kernel counts them. */
static void put_labels(struct printer *p, const uint8_t *v, size_t len)
{
	const char *sep = "bits ";
	bool any = false;

	for (size_t w = 0; w < len / sizeof(uint32_t); w++) {
		uint32_t word = read_u32(v + w * sizeof(uint32_t));

		for (unsigned int bit = 0; bit < 32; bit++) {
			if (!(word & (1u << bit)))
				continue;
			fprintf(p->out, "%s%zu", sep, w * 32 + bit);
			sep = ",";
			any = true;
		}
	}
	if (!any)
		fputs("none", p->out);
}

/* A number, then its name in parentheses when it has one. */
static void put_named(struct printer *p, unsigned int v, const char *name)
{
	fprintf(p->out, "%u", v);
	if (name)
		fprintf(p->out, " (%s)", name);
}

static void put_tcp_flags(struct printer *p, const uint8_t *v)
{
	fputs("flags=", p->out);
	put_bits(p, v[0], tcp_flag_bits, COUNT(tcp_flag_bits));
	fputs(" mask=", p->out);
	put_bits(p, v[1], tcp_flag_bits, COUNT(tcp_flag_bits));
}

static void put_addr(struct printer *p, int family, const uint8_t *v)
{
	char text[INET6_ADDRSTRLEN];

	fputs(inet_ntop(family, v, text, sizeof(text)), p->out);
}

/* A value already checked by value_ok(). */
static void put_value(struct printer *p, enum kind kind, const uint8_t *v,
		      size_t len)
{
	switch (kind) {
	case K_STR: put_string(p, v); break;
	case K_U8: fprintf(p->out, "%u", v[0]); break;
	case K_BE16: fprintf(p->out, "%u", read_be16(v)); break;
	case K_BE32: fprintf(p->out, "%u", be32toh(read_u32(v))); break;
	case K_BE64:
		fprintf(p->out, "%llu", (unsigned long long)read_be64(v));
		break;
	case K_U32: fprintf(p->out, "%u", read_u32(v)); break;
	case K_HEX32: fprintf(p->out, "0x%x", be32toh(read_u32(v))); break;
	case K_IN4: put_addr(p, AF_INET, v); break;
	case K_IN6: put_addr(p, AF_INET6, v); break;
	case K_PROTO: put_named(p, v[0], ctnl__proto_name(v[0])); break;
	case K_TCP_STATE:
		put_named(p, v[0], ctnl__state_name(IPPROTO_TCP, v[0]));
		break;
	case K_SCTP_STATE:
		put_named(p, v[0], ctnl__state_name(IPPROTO_SCTP, v[0]));
		break;
	case K_DCCP_STATE:
		put_named(p, v[0], ctnl__state_name(IPPROTO_DCCP, v[0]));
		break;
	case K_TCP_FLAGS: put_tcp_flags(p, v); break;
	case K_STATUS:
		put_bits(p, be32toh(read_u32(v)), status_bits,
			 COUNT(status_bits));
		break;
	case K_EXP_FLAGS:
		put_bits(p, be32toh(read_u32(v)), exp_flag_bits,
			 COUNT(exp_flag_bits));
		break;
	case K_FILTER_FLAGS:
		put_bits(p, read_u32(v), filter_flag_bits,
			 COUNT(filter_flag_bits));
		break;
	case K_DIR: {
		static const char *const dirs[] = { "ORIGINAL", "REPLY" };
		uint32_t dir = be32toh(read_u32(v));

		put_named(p, dir, dir < COUNT(dirs) ? dirs[dir] : NULL);
		break;
	}
	case K_LABELS: put_labels(p, v, len); break;
	default:
		fprintf(p->out, "(%zu bytes):", len);
		put_hex(p, v, len);
		break;
	}
}

static void put_attrs(struct printer *p, const uint8_t *buf, size_t len,
		      const struct attr_set *set, int depth);

static void put_attr(struct printer *p, const struct nlattr *a,
		     const struct attr_set *set, int depth)
{
	unsigned int type = a->nla_type & NLA_TYPE_MASK;
	const uint8_t *v = (const uint8_t *)a + NLA_HDRLEN;
	size_t len = a->nla_len - NLA_HDRLEN;
	const struct attr_desc *d = NULL;

	if (set && type < set->count && set->attrs[type].name)
		d = &set->attrs[type];
	if (!d) {
		indent(p, depth);
		fprintf(p->out, "attribute %u (%zu bytes):", type, len);
		put_hex(p, v, len);
		fputc('\n', p->out);
		return;
	}
	if (d->kind == K_NEST) {
		indent(p, depth);
		fprintf(p->out, "%s\n", d->name);
		put_attrs(p, v, len, d->nest, depth + 1);
		return;
	}
	if (!value_ok(d->kind, v, len)) {
		indent(p, depth);
		fprintf(p->out, "%s malformed (%zu bytes):", d->name, len);
		put_hex(p, v, len);
		fputc('\n', p->out);
		p->bad = true;
		return;
	}
	indent(p, depth);
	fprintf(p->out, "%s ", d->name);
	put_value(p, d->kind, v, len);
	fputc('\n', p->out);
}

/* The attributes of a region, to its end; what is no whole attribute is
 * shown as malformed. The last attribute may lack its padding. */
static void put_attrs(struct printer *p, const uint8_t *buf, size_t len,
		      const struct attr_set *set, int depth)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)buf;
		size_t step = NLA_ALIGN(a->nla_len);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			break;
		put_attr(p, a, set, depth);
		if (step >= len)
			return;
		buf += step;
		len -= step;
	}
	if (len > 0)
		put_malformed(p, depth, "malformed: not a whole attribute",
			      buf, len);
}

static void put_flags(struct printer *p, uint16_t flags, enum flag_set fs)
{
	static const char *const get_bits[] = { "ROOT", "MATCH", "ATOMIC" };
	static const char *const new_bits[] = { "REPLACE", "EXCL", "CREATE",
						"APPEND" };
	static const char *const del_bits[] = { "NONREC", "BULK" };
	static const char *const ack_bits[] = { "CAPPED", "ACK_TLVS" };
	const char *names[16] = { "REQUEST", "MULTI", "ACK", "ECHO",
				  "DUMP_INTR", "DUMP_FILTERED" };
	const char *const *high = NULL;
	const char *sep = "";
	size_t nhigh = 0;

	switch (fs) {
	case FL_GET: high = get_bits; nhigh = COUNT(get_bits); break;
	case FL_NEW: high = new_bits; nhigh = COUNT(new_bits); break;
	case FL_DELETE: high = del_bits; nhigh = COUNT(del_bits); break;
	case FL_ACK: high = ack_bits; nhigh = COUNT(ack_bits); break;
	default: break;
	}
	for (size_t i = 0; i < nhigh; i++)
		names[8 + i] = high[i];

	fputs(" flags=", p->out);
	/* A dump is ROOT and MATCH together: one name for both. */
	if (fs == FL_GET && (flags & NLM_F_DUMP) == NLM_F_DUMP) {
		names[8] = "DUMP";
		flags &= (uint16_t)~NLM_F_MATCH;
	}
	for (unsigned int bit = 0; bit < 16; bit++) {
		if (!(flags & (1u << bit)))
			continue;
		if (names[bit])
			fprintf(p->out, "%s%s", sep, names[bit]);
		else
			fprintf(p->out, "%s0x%x", sep, 1u << bit);
		sep = "|";
	}
	if (flags == 0)
		fputc('0', p->out);
}

static void put_header(struct printer *p, const struct nlmsghdr *nlh)
{
	const struct msg_type *t = msg_type_of(nlh);

	if (t)
		fputs(t->name, p->out);
	else
		fprintf(p->out, "type 0x%04x", nlh->nlmsg_type);
	fprintf(p->out, " len=%u", nlh->nlmsg_len);
	put_flags(p, nlh->nlmsg_flags, t ? t->flags : FL_NONE);
	fprintf(p->out, " seq=%u port=%u\n", nlh->nlmsg_seq, nlh->nlmsg_pid);
}

static const char *family_name(uint8_t family)
{
	switch (family) {
	case AF_UNSPEC: return "AF_UNSPEC";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	default: return NULL;
	}
}

/* An nfnetlink message's body: its nfgenmsg, then its attributes. */
static void put_nf_body(struct printer *p, const struct nlmsghdr *nlh,
			const uint8_t *b, size_t len, int depth)
{
	const struct msg_type *t = msg_type_of(nlh);
	const struct nfgenmsg *nfg = (const void *)b;
	const char *family;

	if (len < sizeof(*nfg)) {
		put_malformed(p, depth, "malformed: no whole nfgenmsg", b, len);
		return;
	}
	family = family_name(nfg->nfgen_family);
	indent(p, depth);
	fputs("nfgenmsg family=", p->out);
	if (family)
		fputs(family, p->out);
	else
		fprintf(p->out, "%u", nfg->nfgen_family);
	fprintf(p->out, " version=%u res_id=%u\n", nfg->version,
		be16toh(nfg->res_id));
	put_attrs(p, b + sizeof(*nfg), len - sizeof(*nfg),
		  t ? t->attrs : NULL, depth);
}

/* Kernel status values are 0 or a negative errno no lower than this. */
#define ERRNO_MAX 4095

/* An errno's name and text, "ENOENT (No such file or directory)". */
static void put_errno(FILE *out, int err)
{
	const char *name = strerrorname_np(err);
	const char *desc = strerrordesc_np(err);

	if (name && desc)
		fprintf(out, "%s (%s)", name, desc);
	else
		fprintf(out, "errno %d", err);
}

/* "error -2 ENOENT (...)" or "status 0"; 0 from NLMSG_ERROR is an ACK. */
static void put_status(struct printer *p, const char *label, int status,
		       bool ack, int depth)
{
	indent(p, depth);
	fprintf(p->out, "%s %d", label, status);
	if (status > 0 || status < -ERRNO_MAX) {
		fputs(" (malformed: not 0 or a negative errno)", p->out);
		p->bad = true;
	} else if (status < 0) {
		fputc(' ', p->out);
		put_errno(p->out, -status);
	} else if (ack) {
		fputs(" (ACK)", p->out);
	}
	fputc('\n', p->out);
}

/* What follows the status of an NLMSG_ERROR or NLMSG_DONE, from @off:
 * the extended ACK's attributes, if the flags announce them. */
static void put_ack_tail(struct printer *p, const struct nlmsghdr *nlh,
			 const uint8_t *b, size_t len, size_t off, int depth)
{
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		put_attrs(p, b + off, len - off, &ext_ack, depth);
	else if (len > off)
		put_malformed(p, depth, "malformed: unannounced bytes",
			      b + off, len - off);
}

/* An error or ACK: its status, the header of the request it answers (and,
 * uncapped, the request's body), then the extended ACK. */
static void put_error_body(struct printer *p, const struct nlmsghdr *nlh,
			   const uint8_t *b, size_t len, int depth)
{
	const struct nlmsgerr *e = (const void *)b;
	size_t off = sizeof(*e), body;

	if (len < sizeof(*e)) {
		put_malformed(p, depth, "malformed: no whole nlmsgerr", b, len);
		return;
	}
	put_status(p, "error", e->error, true, depth);
	indent(p, depth);
	fputs("request ", p->out);
	put_header(p, &e->msg);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN) > len - off) {
			put_malformed(p, depth,
				      "malformed: the request does not fit",
				      b + off, len - off);
			return;
		}
		body = e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (e->msg.nlmsg_type >= NLMSG_MIN_TYPE)
			put_nf_body(p, &e->msg, b + off, body, depth + 1);
		off += NLMSG_ALIGN(body);
	}
	put_ack_tail(p, nlh, b, len, off, depth);
}

static void put_done_body(struct printer *p, const struct nlmsghdr *nlh,
			  const uint8_t *b, size_t len, int depth)
{
	int status;

	if (len < sizeof(status)) {
		put_malformed(p, depth, "malformed: no whole status", b, len);
		return;
	}
	memcpy(&status, b, sizeof(status));
	put_status(p, "status", status, false, depth);
	put_ack_tail(p, nlh, b, len, sizeof(status), depth);
}

static void put_message(struct printer *p, const struct nlmsghdr *nlh,
			size_t len)
{
	const uint8_t *body = (const uint8_t *)nlh + NLMSG_HDRLEN;
	size_t mlen;

	if (len < NLMSG_HDRLEN) {
		put_malformed(p, 0, "truncated: less than a message header",
			      nlh, len);
		return;
	}
	put_header(p, nlh);
	mlen = nlh->nlmsg_len;
	if (mlen < NLMSG_HDRLEN) {
		indent(p, 1);
		fputs("malformed: its length is less than a header\n", p->out);
		p->bad = true;
		return;
	}
	if (mlen > len) {
		indent(p, 1);
		fprintf(p->out, "truncated: %zu of its %zu bytes\n", len, mlen);
		p->bad = true;
		mlen = len;
	}
	mlen -= NLMSG_HDRLEN;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		put_error_body(p, nlh, body, mlen, 1);
	else if (nlh->nlmsg_type == NLMSG_DONE)
		put_done_body(p, nlh, body, mlen, 1);
	else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
		put_nf_body(p, nlh, body, mlen, 1);
	else if (mlen > 0)
		put_malformed(p, 1, "unexpected payload", body, mlen);
}

int ctnl_msg_fprint(FILE *out, const struct nlmsghdr *nlh, size_t len)
{
	struct printer p = { .out = out };

	if (!out || !nlh)
		return -EINVAL;
	put_message(&p, nlh, len);
	if (ferror(out))
		return -EIO;
	return p.bad ? -EBADMSG : 0;
}

/* ---- The trace hook ---- */

/* Why the socket layer rejects a message (<ctnl/sock.h>). */
static const char *rejection(int status)
{
	switch (status) {
	case -EPERM: return "not from the kernel";
	case -EMSGSIZE: return "larger than the receive buffer";
	case -EBADMSG: return "a malformed datagram";
	case -ESRCH: return "addressed to another port id";
	case -EPROTO: return "a sequence number not ours";
	default: return NULL;
	}
}

static void put_verdict(FILE *out, enum ctnl_trace_dir dir, int status)
{
	const char *why = rejection(status);

	if (dir == CTNL_TRACE_SENT) {
		fputs(status ? "not sent [" : "sent ", out);
	} else if (status == -ECANCELED) {
		fputs("received [thrown away] ", out);
		return;
	} else {
		fputs(status ? "received [rejected: " : "received ", out);
	}
	if (status == 0)
		return;
	if (dir != CTNL_TRACE_SENT && why)
		fputs(why, out);
	else if (status < 0 && status >= -ERRNO_MAX)
		put_errno(out, -status);
	else
		fprintf(out, "status %d", status);
	fputs("] ", out);
}

void ctnl_trace_print(enum ctnl_trace_dir dir, int status,
		      const struct nlmsghdr *nlh, size_t len, void *data)
{
	FILE *out = data ? data : stderr;

	if (!nlh)
		return;
	/* One block per message, whole: no other thread's output inside
	 * it, and out before the program writes anything else. */
	flockfile(out);
	fputs("ctnl: ", out);
	put_verdict(out, dir, status);
	ctnl_msg_fprint(out, nlh, len);
	fflush(out);
	funlockfile(out);
}
