/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl: the Conntrack interface, the top layer.
 *
 * struct ctnl_ct is a table of operations plus a context, like every libctnl
 * interface. ctnl_ct_open() builds the real one over a netlink socket handle
 * (one socket per handle, reused by every call); a test builds the same
 * interface over a fake (see <ctnl/mocks.h>: a fake socket, and an in-memory
 * conntrack table). Operations speak plain data: tuples, flows, filters.
 *
 * Conventions, as everywhere in libctnl: 0 or a count on success, a negative
 * errno value on failure; a slot a fake leaves empty answers -ENOSYS; what
 * comes back through a pointer-to-pointer is the caller's to free, anything
 * else is borrowed. The kernel's extended-ACK text for the last refusal is
 * in ctnl_ct_error_msg().
 */
#ifndef CTNL_CONNTRACK_H
#define CTNL_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_sctp.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include <ctnl/common.h>
#include <ctnl/sock.h>

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
 * Statistics and events (see the full-API and events documentation)
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

/*
 * Events. The first five types are what the kernel announces, each on a
 * multicast group of its own: a subscription says which groups to join.
 * The others are libctnl's own reports; they reach every event callback
 * whatever was subscribed. See "Following the table: events" below.
 */
enum ctnl_event_type {
	CTNL_EVENT_NEW = 1u << 0,	/* an entry was made (flow) */
	CTNL_EVENT_UPDATE = 1u << 1,	/* an entry changed (flow) */
	CTNL_EVENT_DESTROY = 1u << 2,	/* an entry went (flow) */
	CTNL_EVENT_EXP_NEW = 1u << 3,	/* an expectation was made (expect) */
	CTNL_EVENT_EXP_DESTROY = 1u << 4, /* an expectation went (expect) */

	/* Events were lost: a view is no longer the table (overflow). */
	CTNL_EVENT_OVERFLOW = 1u << 8,
	/* ctnl_ct_resync(): a re-dump of the table begins; each entry it
	 * reads (flow) and each expectation (expect); it is complete. */
	CTNL_EVENT_SYNC_BEGIN = 1u << 9,
	CTNL_EVENT_SYNC = 1u << 10,
	CTNL_EVENT_EXP_SYNC = 1u << 11,
	CTNL_EVENT_SYNC_END = 1u << 12,
};

#define CTNL_EVENT_CT_ALL                                                    \
	(CTNL_EVENT_NEW | CTNL_EVENT_UPDATE | CTNL_EVENT_DESTROY)
#define CTNL_EVENT_EXP_ALL (CTNL_EVENT_EXP_NEW | CTNL_EVENT_EXP_DESTROY)
#define CTNL_EVENT_ALL (CTNL_EVENT_CT_ALL | CTNL_EVENT_EXP_ALL)

/* What a CTNL_EVENT_OVERFLOW report says. */
struct ctnl_event_overflow {
	/* Messages the kernel dropped since the previous report, as it
	 * counts them. 0 when the socket cannot say (a kernel before 4.12,
	 * or a socket implementation without the stats slot), or when the
	 * kernel reported the overflow before counting it: a later report
	 * then includes them. */
	uint64_t lost;
	/* Overflow reports on this handle so far, this one included. */
	uint64_t count;
};

struct ctnl_event {
	enum ctnl_event_type type;
	/* Kernel events: the netlink port id of the socket whose request
	 * caused the change, or 0 when the kernel made it on its own
	 * (traffic, a timeout). Other types: 0. */
	uint32_t portid;
	union {
		struct ctnl_flow flow;		/* NEW, UPDATE, DESTROY, SYNC */
		struct ctnl_expect expect;	/* EXP_NEW, EXP_DESTROY, EXP_SYNC */
		struct ctnl_event_overflow overflow;	/* OVERFLOW */
	};
};

typedef int (*ctnl_flow_cb)(const struct ctnl_flow *flow, void *data);
typedef int (*ctnl_expect_cb)(const struct ctnl_expect *exp, void *data);
typedef int (*ctnl_event_cb)(const struct ctnl_event *ev, void *data);

/* struct ctnl_events_config flags: what happens when events come faster
 * than they are read (see "Following the table: events"). */
#define CTNL_EVENTS_NO_ENOBUFS	(1u << 0)
#define CTNL_EVENTS_RELIABLE	(1u << 1)

/* A subscription. Zero what you do not use. */
struct ctnl_events_config {
	/* sizeof(struct ctnl_events_config) as the caller compiled it. */
	size_t size;
	/* CTNL_EVENT_NEW ... CTNL_EVENT_EXP_DESTROY bits; 0 unsubscribes. */
	unsigned int events;
	unsigned int flags;		/* CTNL_EVENTS_* */
	/* The kernel receive queue for events, in bytes; 0 leaves it as the
	 * socket was opened (ctnl_sock_config.rcvbuf, else the system's
	 * net.core.rmem_default). An event costs about 1.3 KiB of the
	 * queue: Debian's default of 208 KiB holds some 160 of them. */
	int rcvbuf;
	/* Deliver only the entries that pass this filter (NULL: all); it is
	 * copied. Family and mark are applied by the kernel, through a
	 * socket filter; the other criteria here. Expectations are filtered
	 * by family only. ctnl_event_info says which happened where. */
	const struct ctnl_filter *filter;
};

/* In ctnl_event_info.kernel and .user: the filter's family. */
#define CTNL_MATCH_FAMILY	(1u << 31)

/* A subscription as it stands, and what it has seen. */
struct ctnl_event_info {
	unsigned int events;		/* CTNL_EVENT_* subscribed; 0: none */
	unsigned int flags;		/* CTNL_EVENTS_* in force */
	struct ctnl_filter filter;	/* in force; zeroed: none */
	uint32_t kernel;		/* CTNL_MATCH_* the kernel applies */
	uint32_t user;			/* CTNL_MATCH_* applied in user space */
	/* The receive queue's size as the kernel counts it (about twice
	 * the bytes asked for); 0 if unknown. */
	uint32_t rcvbuf;
	uint64_t received;		/* event messages read */
	uint64_t delivered;		/* events handed to callbacks */
	uint64_t filtered;		/* messages the user-space part dropped */
	uint64_t overflows;		/* CTNL_EVENT_OVERFLOW reports */
	uint64_t lost;			/* messages lost, as far as known */
};

/* ====================================================================
 * The interface
 * ==================================================================== */

/*
 * Each slot receives the implementation's context first. A flow used as a
 * "key" names one entry: by its original tuple if CTNL_ATTR_ORIG is set,
 * else by its reply tuple; the tuple's zone is the zone to look in. With
 * CTNL_ATTR_ID set, a get or delete acts only on the entry with that id;
 * the kernel ignores the id of an update, so an update reaches whatever
 * entry holds the tuple now, even one re-created since the id was read.
 */
struct ctnl_ct_ops {
	/* sizeof(struct ctnl_ct_ops) as the implementer compiled it; slots
	 * past it, and NULL slots, answer -ENOSYS. */
	size_t size;

	int (*dump)(void *ctx, const struct ctnl_filter *filter,
		    ctnl_flow_cb cb, void *data, struct ctnl_dump_info *info);
	int (*get)(void *ctx, const struct ctnl_flow *key,
		   struct ctnl_flow *out);
	int (*create)(void *ctx, const struct ctnl_flow *flow);
	int (*update)(void *ctx, const struct ctnl_flow *key,
		      const struct ctnl_change *change);
	int (*del)(void *ctx, const struct ctnl_flow *key);
	int (*batch)(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
		     size_t count, const struct ctnl_change *changes,
		     size_t nchanges, int *results);
	int (*flush)(void *ctx, enum ctnl_table table, uint8_t family);
	int (*update_matching)(void *ctx, const struct ctnl_filter *filter,
			       const struct ctnl_change *change,
			       struct ctnl_dump_info *info);
	int (*delete_matching)(void *ctx, const struct ctnl_filter *filter,
			       struct ctnl_dump_info *info);
	int (*stats)(void *ctx, enum ctnl_table table, struct ctnl_stats *out);
	int (*stats_cpu)(void *ctx, struct ctnl_cpu_stats *out, size_t max);

	int (*dump_expect)(void *ctx, uint8_t family, ctnl_expect_cb cb,
			   void *data);
	int (*get_expect)(void *ctx, const struct ctnl_expect *key,
			  struct ctnl_expect *out);
	int (*create_expect)(void *ctx, const struct ctnl_expect *exp);
	int (*del_expect)(void *ctx, const struct ctnl_expect *key);

	int (*subscribe)(void *ctx, const struct ctnl_events_config *cfg);
	int (*event_fd)(void *ctx);
	int (*event_read)(void *ctx, ctnl_event_cb cb, void *data);
	int (*event_wait)(void *ctx, int timeout_ms);
	int (*event_info)(void *ctx, struct ctnl_event_info *out);

	const char *(*error_msg)(void *ctx);
	void (*destroy)(void *ctx);
};

struct ctnl_ct {
	const struct ctnl_ct_ops *ops;
	void *ctx;
};

/* ---- Opening and closing ---- */

/*
 * Opens a conntrack handle on a new socket handle opened through @sys (NULL:
 * libc) with @config (NULL: defaults; see <ctnl/sock.h>, for instance to
 * open it in another network namespace). On success *@ret is the caller's,
 * for ctnl_ct_close(); on failure it is untouched.
 * Errors: those of ctnl_sock_open(), -ENOMEM, -EINVAL.
 */
CTNL_API int ctnl_ct_open(const struct ctnl_syscalls *sys,
			  const struct ctnl_sock_config *config,
			  struct ctnl_ct **ret);

/*
 * Builds the conntrack handle over any socket-handle implementation. On
 * success the handle owns @sock (ctnl_ct_close() closes it); on failure
 * @sock stays the caller's. Errors: -EINVAL, -ENOMEM.
 */
CTNL_API int ctnl_ct_new(struct ctnl_sock *sock, struct ctnl_ct **ret);

/*
 * Opens a conntrack handle on the table of another network namespace,
 * without leaving the calling thread there: @netns is a name as
 * `ip netns` gives it (no '/': /run/netns/NAME) or the path of a namespace
 * file (such as /proc/PID/ns/net). By descriptor: see ctnl_ct_open() and
 * CTNL_SOCK_NETNS_FD. Errors: -EINVAL (NULL or malformed @netns), -ENOENT
 * (no such namespace), and those of ctnl_ct_open().
 */
CTNL_API int ctnl_ct_open_netns(const struct ctnl_syscalls *sys,
				const char *netns, struct ctnl_ct **ret);

/* Releases a conntrack handle through its destroy slot. Accepts NULL. */
CTNL_API void ctnl_ct_close(struct ctnl_ct *ct);

/*
 * The kernel's explanation of the last refused request, or libctnl's own
 * where it knows better (for instance how to enable labels), or NULL.
 * Borrowed: valid until the next operation on the handle.
 */
CTNL_API const char *ctnl_ct_error_msg(struct ctnl_ct *ct);

/* ---- Reading ---- */

/*
 * Streams the conntrack entries that pass @filter (NULL: all of every
 * family) to @cb, one at a time, in constant memory: the flow is valid only
 * during the call. The kernel filters what it can (see ctnl_dump_info);
 * the rest is filtered here, and the result is the same either way.
 * @cb returns CTNL_CB_OK, CTNL_CB_STOP, or a negative errno to abort.
 * @info may be NULL.
 *
 * Returns the number of entries handed to @cb. Errors: -EINVAL (bad
 * filter), -EBADMSG (a malformed entry: the dump stops there), a value
 * returned by @cb, and those of ctnl_sock_request().
 */
CTNL_API int ctnl_ct_dump(struct ctnl_ct *ct, const struct ctnl_filter *filter,
			  ctnl_flow_cb cb, void *data,
			  struct ctnl_dump_info *info);

/*
 * Streams the expectation table of @family (0: both) to @cb, as
 * ctnl_ct_dump() does the conntrack table. Returns the number of
 * expectations handed to @cb. Errors: -EINVAL (NULL @cb, bad family),
 * -EBADMSG, a value returned by @cb, -EINTR (every expectation was handed
 * over, but the kernel flagged the dump inconsistent: NLM_F_DUMP_INTR;
 * ctnl_ct_list() turns that into info.interrupted), and those of
 * ctnl_sock_request().
 */
CTNL_API int ctnl_ct_dump_expect(struct ctnl_ct *ct, uint8_t family,
				 ctnl_expect_cb cb, void *data);

/*
 * A table read into one array. Exactly one of flows and expects is used,
 * by table. Free it with ctnl_list_free().
 */
struct ctnl_list {
	enum ctnl_table table;
	size_t count;
	size_t capacity;
	struct ctnl_flow *flows;
	struct ctnl_expect *expects;
	struct ctnl_dump_info info;
};

/* ctnl_ct_list_filtered() flags. */
#define CTNL_LIST_DEDUP (1u << 0)	/* drop entries seen twice (by id) */

/*
 * Reads @table for @family (AF_INET, AF_INET6, or 0 for both) into *@out:
 * one growing array, no allocation per entry. An empty table is an empty
 * list (count 0). On failure *@out is untouched and nothing is allocated.
 * Returns the number of entries. Errors: -EINVAL, -ENOMEM, and those of
 * ctnl_ct_dump().
 */
CTNL_API int ctnl_ct_list(struct ctnl_ct *ct, enum ctnl_table table,
			  uint8_t family, struct ctnl_list *out);

/* The same for the conntrack table with a filter and CTNL_LIST_* flags. */
CTNL_API int ctnl_ct_list_filtered(struct ctnl_ct *ct,
				   const struct ctnl_filter *filter,
				   unsigned int flags, struct ctnl_list *out);

/* Frees what a list holds and empties it. Accepts NULL. */
CTNL_API void ctnl_list_free(struct ctnl_list *list);

/*
 * Reads the one entry @key names into *@out. Errors: -ENOENT (no such
 * entry), -EINVAL (a key without a tuple), and the kernel's.
 */
CTNL_API int ctnl_ct_get(struct ctnl_ct *ct, const struct ctnl_flow *key,
			 struct ctnl_flow *out);

/* ---- Changing ---- */

/*
 * Creates an entry from @flow: orig tuple and timeout are required; a
 * missing reply tuple is the inverse of the original; mark, labels, status
 * (CTNL_STATUS_CONFIRMED is added, as the kernel requires), zones, TCP
 * state and a helper (CTNL_ATTR_HELPER: the helper's name, such as "ftp";
 * the kernel attaches helpers only when an entry is created) are taken
 * when their attrs bit is set.
 * Errors: -EEXIST, -EINVAL, -ENOSPC (labels are not enabled in that
 * namespace: the entry is not left behind), -EOPNOTSUPP (no such helper
 * for that protocol), and the kernel's.
 */
CTNL_API int ctnl_ct_create(struct ctnl_ct *ct, const struct ctnl_flow *flow);

/*
 * Changes the entry @key names as @change says. The kernel applies the
 * timeout, status, mark and labels in that order and stops at the first
 * it refuses, keeping those before it: an update is not atomic. Status
 * bits can only be set: clearing SEEN_REPLY or ASSURED, or changing
 * EXPECTED or DYING, is -EBUSY (CONFIRMED is added here, as the kernel
 * requires).
 * Errors: -ENOENT, -EINVAL (nothing to change, or a key without a tuple),
 * -ENOSPC (labels are not enabled in that namespace; see
 * ctnl_ct_error_msg()), -EBUSY (status), -EPERM (the timeout of an entry
 * with a fixed timeout), the kernel's.
 */
CTNL_API int ctnl_ct_update(struct ctnl_ct *ct, const struct ctnl_flow *key,
			    const struct ctnl_change *change);

/* Deletes the entry @key names. Errors: -ENOENT, -EINVAL, the kernel's. */
CTNL_API int ctnl_ct_delete(struct ctnl_ct *ct, const struct ctnl_flow *key);

/*
 * Applies @op to each of @count flows in as few system calls as the kernel
 * allows. Updates take changes[i], or changes[0] for all when @nchanges is
 * 1. results[i] is 0 or entry i's negative errno; a created entry whose
 * labels did not stick is removed again and its result is -ENOSPC, as
 * with ctnl_ct_create(). Returns the number of
 * entries the kernel accepted. Errors: -EINVAL (before anything is sent),
 * or a failure part-way, which results[] then carries for every entry
 * whose fate is unknown.
 */
CTNL_API int ctnl_ct_batch(struct ctnl_ct *ct, enum ctnl_op op,
			   const struct ctnl_flow *flows, size_t count,
			   const struct ctnl_change *changes, size_t nchanges,
			   int *results);

/*
 * Empties @table for @family (AF_INET, AF_INET6, or 0 for both); flushing
 * one family of the conntrack table leaves the other intact. The kernel
 * flushes expectations of every family at once: CTNL_TABLE_EXPECT takes
 * family 0 only. Errors: -EINVAL, -EOPNOTSUPP (expectations of one
 * family), the kernel's.
 */
CTNL_API int ctnl_ct_flush(struct ctnl_ct *ct, enum ctnl_table table,
			   uint8_t family);

/*
 * Applies @change to every conntrack entry passing @filter (NULL: every
 * entry): a dump, kernel-filtered where it can be (see ctnl_ct_dump()),
 * reads the entries, each once (CTNL_LIST_DEDUP), and batched updates
 * name each by its original tuple, zone and id, so an entry re-created
 * meanwhile is not touched. The kernel has no filtered update.
 *
 * Returns the number of entries the kernel updated. An entry gone between
 * the dump and its update is neither counted nor an error. @info (may be
 * NULL) says what the dump did.
 * Errors: -EINVAL (bad filter or change; nothing is sent), -ENOMEM, -ENOSPC
 * (labels are not enabled in that namespace; see ctnl_ct_error_msg()),
 * those of ctnl_ct_dump() and ctnl_ct_batch(), and the first refusal of
 * an entry other than -ENOENT: the entries that could be updated were,
 * but their count is then not returned.
 */
CTNL_API int ctnl_ct_update_matching(struct ctnl_ct *ct,
				     const struct ctnl_filter *filter,
				     const struct ctnl_change *change,
				     struct ctnl_dump_info *info);

/*
 * Deletes every conntrack entry passing @filter (NULL: every entry of
 * every family). Returns how many entries were deleted; @info (may be
 * NULL) says how.
 *
 * A kernel-filtered dump reads the matching entries and batched deletes
 * name each by its original tuple, zone and id: the count is exactly the
 * entries this call deleted (an entry the dump handed over twice is
 * deleted once); entries created after the dump are left alone, and
 * entries gone before their delete are not counted. Measured on 6.18,
 * this is also the fastest way: the kernel's filtered flush walks its
 * table several times slower than a dump does (250,000 entries, 10 %
 * deleted: 186 ms against 106).
 *
 * With CTNL_FILTER_UNCOUNTED, and where the kernel applies every
 * criterion of @filter (family, mark, status, a zone other than 0, exact
 * IPv4 addresses, the protocol, TCP and UDP ports; not with
 * CTNL_FILTER_USERSPACE), one filtered flush request does the deleting:
 * the kernel walks its table once, nothing crosses the socket per entry,
 * and the call returns 0, the kernel saying not how many
 * (info->kernel_flush). A kernel ignores filter attributes it does not
 * know, and a flush ignoring one would delete every entry; so a filtered
 * flush is sent only where the flush takes CTA_FILTER (Linux 6.12 on),
 * which a handle learns once, with a request that deletes nothing. On an
 * older kernel the dump-and-delete way is taken, counted. Without
 * criteria or family, it is the plain flush of every kernel.
 *
 * Errors: -EINVAL (bad filter; nothing is sent), -ENOMEM, those of
 * ctnl_ct_dump(), ctnl_ct_batch() and ctnl_ct_flush(), and the first
 * refusal of an entry other than -ENOENT (then the others were still
 * deleted, uncounted).
 */
CTNL_API int ctnl_ct_delete_matching(struct ctnl_ct *ct,
				     const struct ctnl_filter *filter,
				     struct ctnl_dump_info *info);

/* ---- Statistics, expectations ---- */

/*
 * Reads @table's size into *@out. CTNL_TABLE_CONNTRACK: the number of
 * entries in the handle's network namespace and the table's limit
 * (nf_conntrack_max, one for all namespaces), as `conntrack -C` counts.
 * CTNL_TABLE_EXPECT: the kernel has no such request; the expectations are
 * counted with a dump, and max is 0 (the kernel does not report the
 * expectation limit over netlink).
 * Errors: -EINVAL (NULL @out, unknown table), -EBADMSG (a malformed or
 * missing reply), -EINTR (the expectation table changed during two dumps
 * in a row: NLM_F_DUMP_INTR), and those of ctnl_sock_request().
 */
CTNL_API int ctnl_ct_stats(struct ctnl_ct *ct, enum ctnl_table table,
			   struct ctnl_stats *out);

/*
 * Reads the per-CPU counters of the conntrack and the expectation tables
 * (`conntrack -S` and `conntrack -S expect`), merged by CPU into out[0..]:
 * one entry per CPU the kernel reports (its possible CPUs, in order).
 * Returns the number of CPUs reported, each once whichever table named
 * it: out[0..n-1] are filled in. When that exceeds @max, only the first
 * @max are stored, so a caller can size its array and ask again.
 * Errors: -EINVAL (NULL @out with @max > 0), -EBADMSG (a malformed reply),
 * and those of ctnl_sock_request().
 */
CTNL_API int ctnl_ct_stats_cpu(struct ctnl_ct *ct, struct ctnl_cpu_stats *out,
			       size_t max);

/*
 * Reads the expectation @key names into *@out: by its expected tuple
 * (CTNL_EXP_ATTR_TUPLE, required: the kernel compares it under each
 * expectation's mask), in @key's zone, and only if its id is key->id
 * when CTNL_EXP_ATTR_ID is set. The kernel does not report an
 * expectation's zone, so out->zone is 0.
 * Errors: -ENOENT (no such expectation), -EINVAL (no tuple, bad family, NULL
 * @out; nothing is sent), -EBADMSG, and the kernel's.
 */
CTNL_API int ctnl_ct_get_expect(struct ctnl_ct *ct,
				const struct ctnl_expect *key,
				struct ctnl_expect *out);

/*
 * Creates the expectation @exp. Required: its master's original tuple
 * (CTNL_EXP_ATTR_MASTER; the master is looked up in exp->zone and must
 * have a helper), the expected tuple and its mask (CTNL_EXP_ATTR_TUPLE,
 * CTNL_EXP_ATTR_MASK; same family, the mask of the expected protocol).
 * Optional, by their attrs bit: helper name, flags, class, NAT, expectfn
 * name, timeout. The kernel sets the timeout from the helper's policy and
 * ignores CTNL_EXP_ATTR_TIMEOUT on creation (6.18 still does).
 * A helper limits how many expectations a master may have (one for ftp):
 * past that, the kernel drops the master's oldest to make room.
 * Errors: -EEXIST (that expectation exists), -ENOENT (no such master),
 * -EOPNOTSUPP (the master has no helper, or no helper of that name),
 * -EBUSY (it clashes with another master's expectation), -EMFILE (the
 * expectation table or the helper's quota is full), -EINVAL (bad or
 * missing tuples or names; nothing is sent), and the kernel's.
 */
CTNL_API int ctnl_ct_create_expect(struct ctnl_ct *ct,
				   const struct ctnl_expect *exp);

/*
 * Deletes the expectation @key names (as ctnl_ct_get_expect() does). Never
 * sends a request without a tuple, which the kernel would take for a flush.
 * Errors: -ENOENT, -EINVAL (no tuple, bad family; nothing is sent), and
 * the kernel's.
 */
CTNL_API int ctnl_ct_delete_expect(struct ctnl_ct *ct,
				   const struct ctnl_expect *key);

/* ====================================================================
 * Following the table: events
 * ====================================================================
 *
 * The kernel announces every new, changed and destroyed entry (and
 * expectation) to the sockets that joined its multicast groups. A handle
 * subscribed to events is receive-only: it reads events and makes no
 * requests (they fail with -EBUSY). Keep a second handle for requests,
 * and for the re-dump that brings a view back in line after a loss.
 *
 *   ctnl_ct_open(NULL, NULL, &ev);          ctnl_ct_open(NULL, NULL, &req);
 *   ctnl_ct_subscribe(ev, CTNL_EVENT_CT_ALL);
 *   ctnl_ct_resync(ev, req, on_event, &view);   // the initial view
 *   for (;;) {
 *       ctnl_ct_event_loop(ev, on_event, &view, 1000);
 *       if (view.lost)          // on_event saw OVERFLOW, returned STOP
 *           ctnl_ct_resync(ev, req, on_event, &view);
 *   }
 *
 * Event loops: poll ctnl_ct_event_fd() for readability and call
 * ctnl_ct_event_read() when it is readable (with edge-triggered epoll,
 * until it returns 0). It never blocks.
 *
 * Each event is parsed into the flow model once, into memory that lives
 * for the callback only, with no allocation. A NEW event is an entry the
 * kernel created (it flags those NLM_F_CREATE|NLM_F_EXCL); an UPDATE
 * carries the entry's tuples, id, status and timeout plus what changed
 * (a mark is sent whenever it is not 0); a DESTROY carries the final
 * counters and the start and stop timestamps when accounting
 * (net.netfilter.nf_conntrack_acct) and timestamping
 * (net.netfilter.nf_conntrack_timestamp) are on in that namespace.
 * Events for one entry reach the callback in the order the kernel sent
 * them.
 *
 * Loss is never silent. When the kernel drops events because the receive
 * queue is full, the callback gets a CTNL_EVENT_OVERFLOW report (with the
 * number of messages lost when the kernel can count them, from its drop
 * counter) and reading goes on with the events that follow. The report
 * says where about the loss was noticed, not which entries it concerned:
 * a program that keeps a view must re-read the table, with
 * ctnl_ct_resync(). A bigger queue (config.rcvbuf; privileged processes
 * may pass net.core.rmem_max) makes overflows rarer. The modes, by flags:
 *
 *  - 0 (default): the kernel reports an overflow (-ENOBUFS) and libctnl
 *    turns it into the report.
 *  - CTNL_EVENTS_NO_ENOBUFS: the kernel reports nothing (NETLINK_NO_ENOBUFS)
 *    and drops events silently; libctnl still notices its drop counter
 *    grow, reading it after each read that found events (one system call
 *    per read, not per event), and sends the report.
 *  - CTNL_EVENTS_RELIABLE: NETLINK_NO_ENOBUFS with NETLINK_BROADCAST_ERROR,
 *    as conntrackd does: a destroy event that cannot be queued is kept by
 *    the kernel (the entry lingers, unlisted) and sent again until it is
 *    delivered, so no destroy is ever lost; a new or update event that
 *    cannot be queued is folded into the entry's next event. Overflows are
 *    still reported: until that next event, the view is stale. Reliable
 *    mode slows down whatever changes the table while the queue is full.
 *
 * Kernel facts that shape what arrives:
 *  - With net.netfilter.nf_conntrack_events = 2 (the default on 6.18, the
 *    kernel this was checked on) an entry gets events only if it was
 *    created while some socket of its namespace listened: entries older
 *    than the first listener never announce their updates or destruction
 *    (1 turns events on for all). ctnl_ct_resync() lists them.
 *  - Expectation events use groups 4 (new) and 6 (destroy); the kernel
 *    sends nothing to group 5.
 */

/*
 * Subscribes @ct to @events (CTNL_EVENT_* kernel bits, such as
 * CTNL_EVENT_CT_ALL), all entries, the default mode: the short form of
 * ctnl_ct_subscribe_config().
 */
CTNL_API int ctnl_ct_subscribe(struct ctnl_ct *ct, unsigned int events);

/*
 * Makes @ct a subscriber as @cfg says, replacing any earlier subscription
 * (groups are joined and left to match, the filter replaced, the mode
 * set); config.events 0 unsubscribes, and the handle can make requests
 * again. The filter is attached before any group is joined, so no event
 * escapes it. Counters (ctnl_event_info) carry on across subscriptions.
 *
 * Errors: -EINVAL (unknown bits, a bad filter or size), -EBUSY (called from
 * an event callback of this handle), and those of the socket's options:
 * after a failure the handle is unsubscribed. A socket filter the kernel
 * refuses is no failure: the filter is then applied in user space, as
 * ctnl_event_info says.
 */
CTNL_API int ctnl_ct_subscribe_config(struct ctnl_ct *ct,
				      const struct ctnl_events_config *cfg);

/* The descriptor to poll for events; borrowed, owned by the handle.
 * Negative errno if the implementation has none. */
CTNL_API int ctnl_ct_event_fd(struct ctnl_ct *ct);

/*
 * Reads the events already queued, without blocking, and hands each to
 * @cb, with an overflow report where a loss shows (the kernel's ENOBUFS
 * comes before the events still queued; in the quiet modes the report
 * comes after the events read). Reads at most a bounded number of
 * datagrams (beyond those of an overflow) so one busy handle cannot starve
 * an event loop. @cb returns CTNL_CB_OK, CTNL_CB_STOP (the rest waits for
 * the next call), or a negative errno, which this call returns.
 *
 * Returns the number of messages read plus the reports made (events the
 * filter dropped count as read, not handed over); 0 when nothing was
 * queued. Errors: -ENOTCONN (not subscribed), -EINVAL,
 * -EBUSY (called from its own callback), -EBADMSG (a malformed or unknown
 * message: it is skipped, and the next call goes on after it), -EPERM (a
 * datagram not from the kernel, dropped likewise), a value returned by
 * @cb, and the errors of ctnl_sock_receive() other than -ENOBUFS and
 * -EMSGSIZE, which are reported as overflows.
 */
CTNL_API int ctnl_ct_event_read(struct ctnl_ct *ct, ctnl_event_cb cb,
				void *data);

/*
 * Waits until events can be read or @timeout_ms passes (-1: forever).
 * Returns 1 when readable, 0 on timeout, -EINTR when a signal handler ran,
 * or another negative errno.
 */
CTNL_API int ctnl_ct_event_wait(struct ctnl_ct *ct, int timeout_ms);

/*
 * A simple blocking loop for small programs: waits for events and hands
 * them to @cb until @cb returns CTNL_CB_STOP (or a negative errno, which
 * is returned), or no event came for @timeout_ms (-1: wait forever).
 * Returns the number of events handed to @cb.
 *
 * Signals: a handler that runs while the loop waits makes it return
 * -EINTR. One that runs while events are being handed over is not seen
 * until the next wait ends, so a program that stops on a signal passes a
 * finite timeout and checks its own flag between calls:
 *
 *   while (!stop)
 *       if (ctnl_ct_event_loop(ct, cb, data, 500) < 0 && ...)
 *
 * Errors: those of ctnl_ct_event_wait() and ctnl_ct_event_read().
 */
CTNL_API int ctnl_ct_event_loop(struct ctnl_ct *ct, ctnl_event_cb cb,
				void *data, int timeout_ms);

/* Fills *@out with the subscription and its counters. Errors: -EINVAL. */
CTNL_API int ctnl_ct_event_info(struct ctnl_ct *ct,
				struct ctnl_event_info *out);

/*
 * The recovery path, and the way to build a first view: brings a view
 * kept by @cb back in line with the table. @events is the subscribed
 * handle, @req another handle for requests. In order, @cb receives:
 *
 *  1. the events still queued on @events, read to the end (overflow
 *     reports among them are absorbed: this re-dump covers them);
 *  2. CTNL_EVENT_SYNC_BEGIN;
 *  3. a CTNL_EVENT_SYNC for every entry of the table that passes the
 *     subscription's filter (when conntrack events are subscribed), and a
 *     CTNL_EVENT_EXP_SYNC for every expectation of its family (when
 *     expectation events are);
 *  4. CTNL_EVENT_SYNC_END: the view should now drop whatever it holds
 *     that no SYNC refreshed since SYNC_BEGIN (a generation count does
 *     it), then apply later events as usual.
 *
 * That is enough because events of one entry stay in order: events queued
 * during the re-dump are applied after it, and an event older than what
 * the re-dump read is followed by the newer ones. If another overflow is
 * reported later, call again. In this call @cb's CTNL_CB_STOP counts as
 * CTNL_CB_OK: a resynchronisation is never left half-done, except by a
 * negative errno from @cb, which is returned.
 *
 * Returns the number of SYNC and EXP_SYNC events. Errors: -EINVAL (NULL
 * arguments, or the same handle twice), -ENOTCONN (@events is not
 * subscribed), and those of ctnl_ct_event_read() and ctnl_ct_dump() (a
 * subscribed @req is -EBUSY).
 */
CTNL_API int ctnl_ct_resync(struct ctnl_ct *events, struct ctnl_ct *req,
			    ctnl_event_cb cb, void *data);

/* "NEW", "UPDATE", "DESTROY", "EXP_NEW", ... for one type; NULL if
 * unknown. A static string. */
CTNL_API const char *ctnl_event_type_name(enum ctnl_event_type type);

/* ====================================================================
 * The Go package's operations: addresses as text, ports as numbers
 * ==================================================================== */

/*
 * Fills @t from text addresses (IPv4 or IPv6, both the same family), a
 * protocol number and ports (host order). Ports must be 0 for protocols
 * without ports. Errors: -EINVAL (malformed or mixed addresses, ports for
 * a protocol without them, NULL pointers); @t is then untouched.
 */
CTNL_API int ctnl_tuple_from_text(struct ctnl_tuple *t, const char *src,
				  const char *dst, uint8_t proto,
				  uint16_t sport, uint16_t dport);

/* Sets the mark of the entry whose original tuple this is. ICMP entries
 * cannot be named this way (their id, type and code are not among the
 * arguments): use ctnl_ct_update() with a tuple for them.
 * Errors: -ENOENT (no such flow), -EINVAL, the kernel's. */
CTNL_API int ctnl_ct_update_mark(struct ctnl_ct *ct, const char *src,
				 const char *dst, uint8_t proto,
				 uint16_t sport, uint16_t dport, uint32_t mark);

/*
 * Sets the mark of those of @flows whose original tuple is this one (a
 * list from ctnl_ct_list(), say): same addresses and protocol, and the
 * same ports for protocols with ports (so every ICMP flow between the two
 * addresses). Returns how many entries the kernel updated; entries gone
 * meanwhile are not counted. When there were matches but none could be
 * updated, returns the first error (-ENOENT if all were gone). As with
 * any update, an entry re-created with the same tuple since the list was
 * read is updated too: the kernel does not check ids on updates.
 */
CTNL_API int ctnl_ct_update_mark_for_available_flow(
	struct ctnl_ct *ct, const struct ctnl_flow *flows, size_t count,
	const char *src, const char *dst, uint8_t proto, uint16_t sport,
	uint16_t dport, uint32_t mark);

/*
 * Sets the labels under @mask to @value (other labels untouched) on those
 * of @flows whose original tuple is this one. @table must be
 * CTNL_TABLE_CONNTRACK (expectations carry no labels: -EOPNOTSUPP).
 * Returns how many entries the kernel updated. Errors: -ENOSPC when the
 * namespace has labels disabled (ctnl_ct_error_msg() says how to enable
 * them); nothing is counted that did not happen.
 */
CTNL_API int ctnl_ct_update_label(struct ctnl_ct *ct, enum ctnl_table table,
				  const struct ctnl_flow *flows, size_t count,
				  const char *src, const char *dst,
				  uint8_t proto, uint16_t sport, uint16_t dport,
				  const struct ctnl_labels *value,
				  const struct ctnl_labels *mask);

/* The Go package's form: @labels replaces labels 0..31, the rest stay. */
CTNL_API int ctnl_ct_update_label32(struct ctnl_ct *ct, enum ctnl_table table,
				    const struct ctnl_flow *flows, size_t count,
				    const char *src, const char *dst,
				    uint8_t proto, uint16_t sport,
				    uint16_t dport, uint32_t labels);

/* ====================================================================
 * Messages, without a socket: build requests, parse replies, format
 * ==================================================================== */

/*
 * Request builders: each writes one complete netlink request into @buf
 * (@size bytes) and returns its length, or -EINVAL (bad arguments) or
 * -ENOSPC (@buf too small). Sequence numbers are left for the socket
 * handle. A batch is several built requests laid end to end.
 */
CTNL_API int ctnl_build_dump(void *buf, size_t size,
			     const struct ctnl_filter *filter);
CTNL_API int ctnl_build_get(void *buf, size_t size,
			    const struct ctnl_flow *key);
CTNL_API int ctnl_build_create(void *buf, size_t size,
			       const struct ctnl_flow *flow);
CTNL_API int ctnl_build_update(void *buf, size_t size,
			       const struct ctnl_flow *key,
			       const struct ctnl_change *change);
CTNL_API int ctnl_build_delete(void *buf, size_t size,
			       const struct ctnl_flow *key);
CTNL_API int ctnl_build_flush(void *buf, size_t size, enum ctnl_table table,
			      uint8_t family);
CTNL_API int ctnl_build_dump_expect(void *buf, size_t size, uint8_t family);

/* A flush of the conntrack entries @filter selects (NULL: all), which the
 * kernel applies whole; -EOPNOTSUPP when @filter has criteria the kernel
 * does not apply (see ctnl_dump_info), as the flush would then delete more
 * than @filter selects. */
CTNL_API int ctnl_build_flush_filtered(void *buf, size_t size,
				       const struct ctnl_filter *filter);
/* The conntrack table's size (IPCTNL_MSG_CT_GET_STATS). */
CTNL_API int ctnl_build_stats(void *buf, size_t size);
/* The per-CPU counters of @table (a dump, as the kernel requires). */
CTNL_API int ctnl_build_stats_cpu(void *buf, size_t size,
				  enum ctnl_table table);
/* Requests about one expectation, named by its tuple (never without one:
 * an expectation delete without a tuple is a flush), or created from
 * everything ctnl_ct_create_expect() describes. */
CTNL_API int ctnl_build_get_expect(void *buf, size_t size,
				   const struct ctnl_expect *key);
CTNL_API int ctnl_build_create_expect(void *buf, size_t size,
				      const struct ctnl_expect *exp);
CTNL_API int ctnl_build_delete_expect(void *buf, size_t size,
				      const struct ctnl_expect *key);

/*
 * Parses a conntrack message (a dump entry, a reply or an event) into
 * *@out. Unknown attributes are skipped; malformed ones are -EBADMSG, and
 * a message of another type is -EPROTO.
 */
CTNL_API int ctnl_flow_parse(const struct nlmsghdr *nlh,
			     struct ctnl_flow *out);
CTNL_API int ctnl_expect_parse(const struct nlmsghdr *nlh,
			       struct ctnl_expect *out);

/* The reply to ctnl_build_stats(); -EPROTO for another message type. */
CTNL_API int ctnl_stats_parse(const struct nlmsghdr *nlh,
			      struct ctnl_stats *out);
/*
 * One message of a per-CPU dump of either table: sets out->cpu and the
 * counters of the table the message is about, leaving the other table's
 * as they were, so that both tables' messages for a CPU merge into one
 * struct. -EPROTO for another message type; *@out is untouched on error.
 */
CTNL_API int ctnl_cpu_stats_parse(const struct nlmsghdr *nlh,
				  struct ctnl_cpu_stats *out);

/*
 * Formats @flow as one line of text, exactly the way `conntrack -L`
 * (conntrack-tools 1.4.7, libnetfilter_conntrack 1.0.9) prints an entry,
 * without the trailing newline, into @buf: same fields, same order, same
 * flags. Labels are not printed, as `conntrack -L` does not print them by
 * default (see ctnl_flow_format_opts()). delta-time= of an entry with a
 * start timestamp and no stop timestamp counts to a time the caller gives
 * (ctnl_flow_format_opts()), so here it is left out: the output depends
 * on @flow alone.
 * Returns the length the whole line needs, like snprintf(): a result >=
 * @size means it was truncated (@buf is always terminated when @size > 0;
 * it may be NULL when @size is 0). Errors: -EINVAL (@flow is NULL).
 */
CTNL_API int ctnl_flow_format(const struct ctnl_flow *flow, char *buf,
			      size_t size);

/* An expectation, the way `conntrack -L expect` prints it; as above. */
CTNL_API int ctnl_expect_format(const struct ctnl_expect *exp, char *buf,
				size_t size);

/* Bits of struct ctnl_format_opts.flags: conntrack's -o variants. */
#define CTNL_FORMAT_EXTENDED	(1u << 0)	/* -o extended: "ipv4     2 " first */
#define CTNL_FORMAT_ID		(1u << 1)	/* -o id: id= after use= */

/* The variants of a line that conntrack prints on request. */
struct ctnl_format_opts {
	/* sizeof(struct ctnl_format_opts) as the caller compiled it. */
	size_t size;
	unsigned int flags;		/* CTNL_FORMAT_* */
	/* An event's type (enum ctnl_event_type): "[NEW] ", "[UPDATE] " or
	 * "[DESTROY] " first, right-aligned in 9 columns, as `conntrack -E`
	 * prints events; 0 for none. */
	unsigned int event;
	/* The time delta-time= counts to, in seconds since the epoch (as
	 * time(2) gives it, which is what conntrack reads), for an entry
	 * with a start and no stop timestamp; 0 leaves the field out there:
	 * the library reads no clock. */
	int64_t now;
	/* Label names by bit (CTNL_LABEL_BITS entries; NULL or "" where a
	 * label has no name), as connlabel.conf gives them. Non-NULL prints
	 * labels= last, by name, as `conntrack -o labels` does (labels
	 * without a name are left out). Borrowed for the call. */
	const char *const *label_names;
};

/*
 * ctnl_flow_format() and ctnl_expect_format() with options; @opts NULL is
 * the plain form. Errors: -EINVAL (@flow or @exp NULL, unknown flags, or
 * @opts from a newer header with fields this library does not know set).
 */
CTNL_API int ctnl_flow_format_opts(const struct ctnl_flow *flow,
				   const struct ctnl_format_opts *opts,
				   char *buf, size_t size);
CTNL_API int ctnl_expect_format_opts(const struct ctnl_expect *exp,
				     const struct ctnl_format_opts *opts,
				     char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_CONNTRACK_H */
