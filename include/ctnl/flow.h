/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl: the flow model and filters. Plain data, no socket.
 *
 * Tuples, flows and expectations with the status and state constants the
 * kernel reports; filters, which select the entries an operation acts on;
 * changes, what an update sets; the table statistics; the callbacks of a
 * dump. These are what the operations of <ctnl/conntrack.h> take and give:
 * read that header first, and this one for the fields.
 */
#ifndef CTNL_FLOW_H
#define CTNL_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_sctp.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include <ctnl/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================
 * The flow model
 * ==================================================================== */

enum ctnl_table {
	CTNL_TABLE_CONNTRACK = 0,
	CTNL_TABLE_EXPECT = 1,
};

/* Index of per-direction data. */
enum ctnl_dir {
	CTNL_DIR_ORIG = 0,
	CTNL_DIR_REPLY = 1,
};

/* An IPv4 or IPv6 address, in network byte order. */
union ctnl_addr {
	struct in_addr in;
	struct in6_addr in6;
	uint32_t u32[4];
	uint8_t u8[16];
};

/*
 * One direction of a connection. Ports and ICMP ids are in host byte order.
 * Protocols with ports: TCP, UDP, UDP-Lite, SCTP, DCCP (and GRE keys);
 * with id/type/code: ICMP and ICMPv6; any other protocol has neither.
 */
struct ctnl_tuple {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t proto;			/* IPPROTO_* */
	/* The conntrack zone this direction lives in; 0 is the default
	 * zone. A zone for both directions (CTA_ZONE) sets both tuples';
	 * a directional zone (CTA_TUPLE_ZONE) only its own. */
	uint16_t zone;
	union ctnl_addr src;
	union ctnl_addr dst;
	union {
		struct {
			uint16_t src;
			uint16_t dst;
		} port;
		struct {
			uint16_t id;
			uint8_t type;
			uint8_t code;
		} icmp;
	};
};

/* Whether tuples of @proto carry ports (TCP, UDP, UDP-Lite, SCTP, DCCP,
 * and GRE, whose keys sit there); ICMP and ICMPv6 carry id, type, code. */
CTNL_API bool ctnl_proto_has_ports(uint8_t proto);

/*
 * The 128 connection-tracking labels, bit n being label n (0..127), as in
 * /etc/xtables/connlabel.conf. Stored as the kernel's CTA_LABELS words.
 */
#define CTNL_LABEL_BITS 128
struct ctnl_labels {
	uint32_t words[CTNL_LABEL_BITS / 32];
};

static inline bool ctnl_labels_test(const struct ctnl_labels *l, unsigned int bit)
{
	return bit < CTNL_LABEL_BITS && (l->words[bit / 32] >> (bit % 32)) & 1u;
}

static inline void ctnl_labels_set(struct ctnl_labels *l, unsigned int bit)
{
	if (bit < CTNL_LABEL_BITS)
		l->words[bit / 32] |= 1u << (bit % 32);
}

static inline void ctnl_labels_clear(struct ctnl_labels *l, unsigned int bit)
{
	if (bit < CTNL_LABEL_BITS)
		l->words[bit / 32] &= ~(1u << (bit % 32));
}

/* The Go package's 32-bit label values: bits 0 and 1 of the labels. */
#define CTNL_LABEL32_ENCRYPTED 0x1u
#define CTNL_LABEL32_DECRYPTED 0x2u

struct ctnl_counters {
	uint64_t packets;
	uint64_t bytes;
};

/* Status bits (CTA_STATUS), re-exported from the kernel's headers. */
#define CTNL_STATUS_EXPECTED	IPS_EXPECTED
#define CTNL_STATUS_SEEN_REPLY	IPS_SEEN_REPLY
#define CTNL_STATUS_ASSURED	IPS_ASSURED
#define CTNL_STATUS_CONFIRMED	IPS_CONFIRMED
#define CTNL_STATUS_SRC_NAT	IPS_SRC_NAT
#define CTNL_STATUS_DST_NAT	IPS_DST_NAT
#define CTNL_STATUS_NAT_MASK	IPS_NAT_MASK
#define CTNL_STATUS_SEQ_ADJUST	IPS_SEQ_ADJUST
#define CTNL_STATUS_SRC_NAT_DONE IPS_SRC_NAT_DONE
#define CTNL_STATUS_DST_NAT_DONE IPS_DST_NAT_DONE
#define CTNL_STATUS_DYING	IPS_DYING
#define CTNL_STATUS_FIXED_TIMEOUT IPS_FIXED_TIMEOUT
#define CTNL_STATUS_TEMPLATE	IPS_TEMPLATE
#define CTNL_STATUS_UNTRACKED	IPS_UNTRACKED
#define CTNL_STATUS_HELPER	IPS_HELPER
#define CTNL_STATUS_OFFLOAD	IPS_OFFLOAD
#define CTNL_STATUS_HW_OFFLOAD	IPS_HW_OFFLOAD

/* TCP and SCTP states, re-exported likewise (enum tcp_conntrack, ...). */
#define CTNL_TCP_NONE		TCP_CONNTRACK_NONE
#define CTNL_TCP_SYN_SENT	TCP_CONNTRACK_SYN_SENT
#define CTNL_TCP_SYN_RECV	TCP_CONNTRACK_SYN_RECV
#define CTNL_TCP_ESTABLISHED	TCP_CONNTRACK_ESTABLISHED
#define CTNL_TCP_FIN_WAIT	TCP_CONNTRACK_FIN_WAIT
#define CTNL_TCP_CLOSE_WAIT	TCP_CONNTRACK_CLOSE_WAIT
#define CTNL_TCP_LAST_ACK	TCP_CONNTRACK_LAST_ACK
#define CTNL_TCP_TIME_WAIT	TCP_CONNTRACK_TIME_WAIT
#define CTNL_TCP_CLOSE		TCP_CONNTRACK_CLOSE
#define CTNL_TCP_SYN_SENT2	TCP_CONNTRACK_SYN_SENT2
#define CTNL_TCP_STATE_MAX	TCP_CONNTRACK_MAX
#define CTNL_SCTP_STATE_MAX	SCTP_CONNTRACK_MAX

struct ctnl_tcp_info {
	uint8_t state;			/* CTNL_TCP_* */
	uint8_t wscale[2];		/* per direction */
	uint8_t flags[2];		/* IP_CT_TCP_FLAG_* per direction */
	uint8_t flags_mask[2];		/* which flags a change touches */
};

struct ctnl_sctp_info {
	uint8_t state;
	uint32_t vtag[2];
};

struct ctnl_dccp_info {
	uint8_t state;
	uint8_t role;
	uint64_t handshake_seq;
};

/* Bits of struct ctnl_flow.attrs: which fields hold data. */
#define CTNL_ATTR_ORIG		(UINT64_C(1) << 0)
#define CTNL_ATTR_REPLY		(UINT64_C(1) << 1)
#define CTNL_ATTR_ID		(UINT64_C(1) << 2)
#define CTNL_ATTR_STATUS	(UINT64_C(1) << 3)
#define CTNL_ATTR_TIMEOUT	(UINT64_C(1) << 4)
#define CTNL_ATTR_MARK		(UINT64_C(1) << 5)
#define CTNL_ATTR_USE		(UINT64_C(1) << 6)
#define CTNL_ATTR_LABELS	(UINT64_C(1) << 7)
#define CTNL_ATTR_COUNTERS_ORIG	(UINT64_C(1) << 8)
#define CTNL_ATTR_COUNTERS_REPLY (UINT64_C(1) << 9)
#define CTNL_ATTR_START		(UINT64_C(1) << 10)
#define CTNL_ATTR_STOP		(UINT64_C(1) << 11)
#define CTNL_ATTR_TCP_STATE	(UINT64_C(1) << 12)
#define CTNL_ATTR_TCP_WSCALE	(UINT64_C(1) << 13)
#define CTNL_ATTR_TCP_FLAGS	(UINT64_C(1) << 14)
#define CTNL_ATTR_SCTP_STATE	(UINT64_C(1) << 15)
#define CTNL_ATTR_SCTP_VTAG	(UINT64_C(1) << 16)
#define CTNL_ATTR_DCCP_STATE	(UINT64_C(1) << 17)
#define CTNL_ATTR_DCCP_ROLE	(UINT64_C(1) << 18)
#define CTNL_ATTR_DCCP_HANDSHAKE_SEQ (UINT64_C(1) << 19)
#define CTNL_ATTR_HELPER	(UINT64_C(1) << 20)

/*
 * One conntrack entry: what the kernel reported of it, or what a caller
 * asks the kernel to create. attrs says which fields hold data; the others
 * are zero. Plain data, copied freely.
 */
struct ctnl_flow {
	uint64_t attrs;			/* CTNL_ATTR_* */
	struct ctnl_tuple orig;		/* CTNL_ATTR_ORIG */
	struct ctnl_tuple reply;	/* CTNL_ATTR_REPLY */
	uint32_t id;
	uint32_t status;		/* CTNL_STATUS_* */
	uint32_t timeout;		/* seconds left */
	uint32_t mark;
	uint32_t use;
	struct ctnl_labels labels;
	struct ctnl_counters counters[2];	/* by enum ctnl_dir */
	uint64_t start;			/* ns since the epoch (timestamping) */
	uint64_t stop;			/* ns since the epoch; destroy events */
	union {				/* by orig.proto */
		struct ctnl_tcp_info tcp;
		struct ctnl_sctp_info sctp;
		struct ctnl_dccp_info dccp;
	};
	char helper[16];		/* NUL-terminated helper name */
};

/* Whether NAT applies to the flow (source or destination). */
static inline bool ctnl_flow_is_nat(const struct ctnl_flow *f)
{
	return (f->attrs & CTNL_ATTR_STATUS) && (f->status & IPS_NAT_MASK);
}

/* Bits of struct ctnl_expect.attrs. */
#define CTNL_EXP_ATTR_MASTER	(UINT64_C(1) << 0)
#define CTNL_EXP_ATTR_TUPLE	(UINT64_C(1) << 1)
#define CTNL_EXP_ATTR_MASK	(UINT64_C(1) << 2)
#define CTNL_EXP_ATTR_TIMEOUT	(UINT64_C(1) << 3)
#define CTNL_EXP_ATTR_ID	(UINT64_C(1) << 4)
#define CTNL_EXP_ATTR_HELPER	(UINT64_C(1) << 5)
#define CTNL_EXP_ATTR_ZONE	(UINT64_C(1) << 6)
#define CTNL_EXP_ATTR_FLAGS	(UINT64_C(1) << 7)
#define CTNL_EXP_ATTR_CLASS	(UINT64_C(1) << 8)
#define CTNL_EXP_ATTR_NAT	(UINT64_C(1) << 9)
#define CTNL_EXP_ATTR_FN	(UINT64_C(1) << 10)

/* An expectation: a connection a helper expects, related to a master. */
struct ctnl_expect {
	uint64_t attrs;			/* CTNL_EXP_ATTR_* */
	struct ctnl_tuple master;	/* the master's original tuple */
	struct ctnl_tuple tuple;	/* the expected connection */
	struct ctnl_tuple mask;		/* which bits of tuple must match */
	uint32_t timeout;		/* seconds left */
	uint32_t id;
	uint32_t flags;			/* NF_CT_EXPECT_* */
	uint32_t class;
	uint16_t zone;
	char helper[16];		/* NUL-terminated */
	char fn[32];			/* expectation function, NUL-terminated */
	uint32_t nat_dir;		/* CTNL_EXP_ATTR_NAT: direction */
	struct ctnl_tuple nat_tuple;	/* CTNL_EXP_ATTR_NAT: NAT target */
};

/* ====================================================================
 * Selecting entries: filters, applied by the kernel where it can
 * ==================================================================== */

/* Bits of struct ctnl_filter.match: which criteria apply. */
#define CTNL_MATCH_PROTO	(1u << 0)
#define CTNL_MATCH_ORIG_SRC	(1u << 1)
#define CTNL_MATCH_ORIG_DST	(1u << 2)
#define CTNL_MATCH_ORIG_SPORT	(1u << 3)
#define CTNL_MATCH_ORIG_DPORT	(1u << 4)
#define CTNL_MATCH_REPLY_SRC	(1u << 5)
#define CTNL_MATCH_REPLY_DST	(1u << 6)
#define CTNL_MATCH_REPLY_SPORT	(1u << 7)
#define CTNL_MATCH_REPLY_DPORT	(1u << 8)
#define CTNL_MATCH_MARK		(1u << 9)
#define CTNL_MATCH_STATUS	(1u << 10)
#define CTNL_MATCH_ZONE		(1u << 11)
#define CTNL_MATCH_TCP_STATE	(1u << 12)
#define CTNL_MATCH_LABELS	(1u << 13)
#define CTNL_MATCH_ALL		((1u << 14) - 1)

/* Bits of struct ctnl_filter.flags. */
/* Filter in user space only, never asking the kernel (for tests that
 * compare both ways, and for kernels that misbehave). */
#define CTNL_FILTER_USERSPACE	(1u << 0)
/* ctnl_ct_delete_matching(): the caller needs no count, so one filtered
 * flush may do the deleting where the kernel can (see there). */
#define CTNL_FILTER_UNCOUNTED	(1u << 1)

/*
 * Which entries an operation acts on: all criteria whose bit is set in
 * match must hold. A zeroed filter matches every entry of every family.
 */
struct ctnl_filter {
	uint32_t match;			/* CTNL_MATCH_* */
	uint32_t flags;			/* CTNL_FILTER_* */
	uint8_t family;			/* AF_INET, AF_INET6; 0: both */
	uint8_t proto;			/* CTNL_MATCH_PROTO */
	uint8_t tcp_state;		/* CTNL_MATCH_TCP_STATE */
	/* Prefix lengths of the four addresses; 0 means the whole address
	 * (an exact match). Addresses need .family set. */
	uint8_t orig_src_len, orig_dst_len, reply_src_len, reply_dst_len;
	uint16_t zone;			/* CTNL_MATCH_ZONE */
	union ctnl_addr orig_src, orig_dst, reply_src, reply_dst;
	uint16_t orig_sport, orig_dport, reply_sport, reply_dport;
	uint32_t mark, mark_mask;	/* (entry mark & mark_mask) == mark */
	uint32_t status, status_mask;	/* (status & status_mask) == status */
	struct ctnl_labels labels;	/* every label set here is set */
};

/* What a filtered operation did, for callers who want to know. */
struct ctnl_dump_info {
	uint32_t kernel;		/* CTNL_MATCH_* the kernel applied */
	uint32_t user;			/* CTNL_MATCH_* applied in user space */
	uint64_t received;		/* entries the kernel sent */
	uint64_t matched;		/* entries that passed the filter */
	uint64_t duplicates;		/* entries dropped as seen before */
	bool interrupted;		/* the kernel flagged the dump
					 * inconsistent (NLM_F_DUMP_INTR) */
	bool kernel_flush;		/* delete_matching: one filtered
					 * flush did the deleting */
};

/* True when @flow passes @filter (NULL passes everything). */
CTNL_API bool ctnl_filter_match(const struct ctnl_filter *filter,
				const struct ctnl_flow *flow);

/* ====================================================================
 * Changes
 * ==================================================================== */

/*
 * What an update changes: the fields whose CTNL_ATTR_ bit is in attrs
 * (CTNL_ATTR_MARK, CTNL_ATTR_LABELS, CTNL_ATTR_TIMEOUT, CTNL_ATTR_STATUS).
 * Labels: the bits in labels_mask take their value from labels; the others
 * are left alone, so bits can be set or cleared without a read first.
 */
struct ctnl_change {
	uint64_t attrs;
	uint32_t mark;
	uint32_t timeout;
	uint32_t status;
	struct ctnl_labels labels;
	struct ctnl_labels labels_mask;
};

/* Operations a batch can carry. */
enum ctnl_op {
	CTNL_OP_CREATE,
	CTNL_OP_UPDATE,
	CTNL_OP_DELETE,
};

/* ====================================================================
 * Table statistics
 * ==================================================================== */

struct ctnl_stats {
	uint32_t count;			/* entries in the table */
	uint32_t max;			/* the table's limit (conntrack only) */
};

struct ctnl_cpu_stats {
	uint16_t cpu;
	/* Conntrack table (CTA_STATS_*). */
	uint32_t found, invalid, insert, insert_failed, drop, early_drop,
		error, search_restart, clash_resolve, chaintoolong;
	/* Expectation table (CTA_STATS_EXP_*). */
	uint32_t exp_new, exp_create, exp_delete;
};

/* ====================================================================
 * Callbacks of the dumps (ctnl_ct_dump(), ctnl_ct_dump_expect())
 * ==================================================================== */

typedef int (*ctnl_flow_cb)(const struct ctnl_flow *flow, void *data);
typedef int (*ctnl_expect_cb)(const struct ctnl_expect *exp, void *data);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_FLOW_H */
