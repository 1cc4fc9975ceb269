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

enum ctnl_event_type {
	CTNL_EVENT_NEW = 1u << 0,
	CTNL_EVENT_UPDATE = 1u << 1,
	CTNL_EVENT_DESTROY = 1u << 2,
	CTNL_EVENT_EXP_NEW = 1u << 3,
	CTNL_EVENT_EXP_DESTROY = 1u << 4,
};

struct ctnl_event {
	enum ctnl_event_type type;
	union {
		struct ctnl_flow flow;		/* conntrack events */
		struct ctnl_expect expect;	/* expectation events */
	};
};

typedef int (*ctnl_flow_cb)(const struct ctnl_flow *flow, void *data);
typedef int (*ctnl_expect_cb)(const struct ctnl_expect *exp, void *data);
typedef int (*ctnl_event_cb)(const struct ctnl_event *ev, void *data);

/* ====================================================================
 * The interface
 * ==================================================================== */

/*
 * Each slot receives the implementation's context first. A flow used as a
 * "key" names one entry: by its original tuple if CTNL_ATTR_ORIG is set,
 * else by its reply tuple; the tuple's zone is the zone to look in; with
 * CTNL_ATTR_ID set, only the entry with that id qualifies.
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

	int (*subscribe)(void *ctx, unsigned int events);
	int (*event_fd)(void *ctx);
	int (*event_read)(void *ctx, ctnl_event_cb cb, void *data);

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

/* Streams the expectation table of @family (0: both) to @cb. */
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
 * (CTNL_STATUS_CONFIRMED is added, as the kernel requires), zones and TCP
 * state are taken when their attrs bit is set.
 * Errors: -EEXIST, -EINVAL, -ENOSPC (labels are not enabled in that
 * namespace: the entry is not left behind), and the kernel's.
 */
CTNL_API int ctnl_ct_create(struct ctnl_ct *ct, const struct ctnl_flow *flow);

/*
 * Changes the entry @key names as @change says. Errors: -ENOENT, -EINVAL
 * (nothing to change, or a key without a tuple), -ENOSPC (labels are not
 * enabled in that namespace; see ctnl_ct_error_msg()), the kernel's.
 */
CTNL_API int ctnl_ct_update(struct ctnl_ct *ct, const struct ctnl_flow *key,
			    const struct ctnl_change *change);

/* Deletes the entry @key names. Errors: -ENOENT, -EINVAL, the kernel's. */
CTNL_API int ctnl_ct_delete(struct ctnl_ct *ct, const struct ctnl_flow *key);

/*
 * Applies @op to each of @count flows in as few system calls as the kernel
 * allows. Updates take changes[i], or changes[0] for all when @nchanges is
 * 1. results[i] is 0 or entry i's negative errno. Returns the number of
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
 * one family leaves the other intact. Errors: -EINVAL, the kernel's.
 */
CTNL_API int ctnl_ct_flush(struct ctnl_ct *ct, enum ctnl_table table,
			   uint8_t family);

/* Applies @change to / deletes every entry passing @filter. Return the
 * number of entries changed. */
CTNL_API int ctnl_ct_update_matching(struct ctnl_ct *ct,
				     const struct ctnl_filter *filter,
				     const struct ctnl_change *change,
				     struct ctnl_dump_info *info);
CTNL_API int ctnl_ct_delete_matching(struct ctnl_ct *ct,
				     const struct ctnl_filter *filter,
				     struct ctnl_dump_info *info);

/* ---- Statistics, expectations, events ---- */

CTNL_API int ctnl_ct_stats(struct ctnl_ct *ct, enum ctnl_table table,
			   struct ctnl_stats *out);
CTNL_API int ctnl_ct_stats_cpu(struct ctnl_ct *ct, struct ctnl_cpu_stats *out,
			       size_t max);
CTNL_API int ctnl_ct_get_expect(struct ctnl_ct *ct,
				const struct ctnl_expect *key,
				struct ctnl_expect *out);
CTNL_API int ctnl_ct_create_expect(struct ctnl_ct *ct,
				   const struct ctnl_expect *exp);
CTNL_API int ctnl_ct_delete_expect(struct ctnl_ct *ct,
				   const struct ctnl_expect *key);
CTNL_API int ctnl_ct_subscribe(struct ctnl_ct *ct, unsigned int events);
CTNL_API int ctnl_ct_event_fd(struct ctnl_ct *ct);
CTNL_API int ctnl_ct_event_read(struct ctnl_ct *ct, ctnl_event_cb cb,
				void *data);

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
 * updated, returns the first error (-ENOENT if all were gone).
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

/*
 * Parses a conntrack message (a dump entry, a reply or an event) into
 * *@out. Unknown attributes are skipped; malformed ones are -EBADMSG, and
 * a message of another type is -EPROTO.
 */
CTNL_API int ctnl_flow_parse(const struct nlmsghdr *nlh,
			     struct ctnl_flow *out);
CTNL_API int ctnl_expect_parse(const struct nlmsghdr *nlh,
			       struct ctnl_expect *out);

/*
 * Formats @flow as one line of text, the way `conntrack -L` prints an entry
 * (without the trailing newline), into @buf. Returns the length the whole
 * line needs, like snprintf(): a result >= @size means it was truncated.
 * Errors: -EINVAL (NULL @flow or @exp).
 */
CTNL_API int ctnl_flow_format(const struct ctnl_flow *flow, char *buf,
			      size_t size);
CTNL_API int ctnl_expect_format(const struct ctnl_expect *exp, char *buf,
				size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_CONNTRACK_H */
