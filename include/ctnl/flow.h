/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
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

/**
 * @defgroup libctnl-flow flow.h: tuples, flows, expectations, filters, changes
 * The plain data the operations of <ctnl/conntrack.h> take and give:
 * tuples, flows and expectations with the status and state constants the
 * kernel reports; filters, which select the entries an operation acts on;
 * changes, what an update sets; the table statistics; the callbacks of a
 * dump. No socket: these are copied freely and own no memory.
 * @{
 */

/* ====================================================================
 * The flow model
 * ==================================================================== */

/** The two tables of ctnetlink. */
enum ctnl_table {
	CTNL_TABLE_CONNTRACK = 0,	/**< the connections (entries) */
	CTNL_TABLE_EXPECT = 1,		/**< the expectations of helpers */
};

/** Index of per-direction data. */
enum ctnl_dir {
	CTNL_DIR_ORIG = 0,		/**< the original direction */
	CTNL_DIR_REPLY = 1,		/**< the reply direction */
};

/** An IPv4 or IPv6 address, in network byte order. */
union ctnl_addr {
	struct in_addr in;		/**< IPv4 */
	struct in6_addr in6;		/**< IPv6 */
	uint32_t u32[4];		/**< as 32-bit words */
	uint8_t u8[16];			/**< as bytes */
};

/**
 * One direction of a connection. Ports and ICMP ids are in host byte order.
 * Protocols with ports: TCP, UDP, UDP-Lite, SCTP, DCCP (and GRE keys);
 * with id/type/code: ICMP and ICMPv6; any other protocol has neither.
 */
struct ctnl_tuple {
	uint8_t family;			/**< AF_INET or AF_INET6 */
	uint8_t proto;			/**< IPPROTO_* */
	/** The conntrack zone this direction lives in; 0 is the default
	 * zone. A zone for both directions (CTA_ZONE) sets both tuples';
	 * a directional zone (CTA_TUPLE_ZONE) only its own. */
	uint16_t zone;
	union ctnl_addr src;		/**< source address */
	union ctnl_addr dst;		/**< destination address */
	/** Ports, or the ICMP fields, by proto. */
	union {
		/** Protocols with ports (ctnl_proto_has_ports()). */
		struct {
			uint16_t src;	/**< source port, host order */
			uint16_t dst;	/**< destination port, host order */
		} port;
		/** ICMP and ICMPv6. */
		struct {
			uint16_t id;	/**< echo id, host order */
			uint8_t type;	/**< ICMP type */
			uint8_t code;	/**< ICMP code */
		} icmp;
	};
};

/**
 * Whether tuples of a protocol carry ports (TCP, UDP, UDP-Lite, SCTP,
 * DCCP, and GRE, whose keys sit there); ICMP and ICMPv6 carry id, type,
 * code.
 * @param proto  an IPPROTO_* number
 * @return true when they carry ports. Never fails.
 * @ownership No pointer.
 */
CTNL_API bool ctnl_proto_has_ports(uint8_t proto);

/**
 * The ICMP or ICMPv6 type of the other direction of a connection, as the
 * kernel pairs them: echo, timestamp, information and address mask
 * requests with their replies (ICMP); echo and node information (ICMPv6),
 * both ways. The kernel tracks no other type as a connection of its own.
 * @param proto  IPPROTO_ICMP or IPPROTO_ICMPV6
 * @param type   a type of that protocol
 * @return the other direction's type (0-255).
 * @errors -ENOENT (@p type has none), -EINVAL (@p proto is neither ICMP
 *         nor ICMPv6).
 * @ownership No pointer.
 */
CTNL_API int ctnl_icmp_reply_type(uint8_t proto, uint8_t type);

/**
 * The tuple of the other direction, as the kernel computes it when it
 * tracks @p t: addresses swapped, and ports (or GRE keys) swapped; an
 * ICMP or ICMPv6 tuple keeps its id and code and takes the reply type
 * (ctnl_icmp_reply_type()), or type 255 where there is none (the kernel
 * refuses such a tuple, as it cannot track the connection). The zone is
 * kept.
 * @param t    the tuple
 * @param ret  receives the other direction's tuple (may be @p t)
 * @return 0.
 * @errors -EINVAL (@p t or @p ret is NULL; @p ret is then untouched).
 * @ownership Both borrowed for the call.
 */
CTNL_API int ctnl_tuple_invert(const struct ctnl_tuple *t,
			       struct ctnl_tuple *ret);

/** Room for any address ctnl_addr_to_text() writes, its NUL included
 * (INET6_ADDRSTRLEN). */
#define CTNL_ADDR_TEXT_MAX 46

/**
 * Writes an address as text, byte for byte as glibc's inet_ntop() does
 * (and so as conntrack prints it): IPv4 dotted; IPv6 in lower-case hex
 * groups without leading zeros, the longest run of two or more zero
 * groups (the first of equal runs) written "::", and an IPv4-compatible
 * (\::a.b.c.d) or IPv4-mapped (\::ffff:a.b.c.d) address with its last 32
 * bits dotted. By hand: no stdio, no locale.
 * @param family  AF_INET or AF_INET6
 * @param addr    the address (the first 4 bytes for AF_INET)
 * @param buf     receives the text, always terminated when @p size > 0
 *                (may be NULL when @p size is 0); CTNL_ADDR_TEXT_MAX
 *                bytes always suffice
 * @param size    the room in @p buf, in bytes
 * @return the text's length without its NUL, like snprintf(): a result >=
 *         @p size means it was cut.
 * @errors -EINVAL (another family, @p addr NULL, or @p buf NULL with a
 *         @p size).
 * @ownership Both borrowed for the call.
 */
CTNL_API int ctnl_addr_to_text(uint8_t family, const union ctnl_addr *addr,
			       char *buf, size_t size);

/** The number of connection-tracking labels. */
#define CTNL_LABEL_BITS 128
/**
 * The 128 connection-tracking labels, bit n being label n (0..127), as in
 * /etc/xtables/connlabel.conf. Stored as the kernel's CTA_LABELS words.
 */
struct ctnl_labels {
	/** label n: words[n / 32] bit n % 32 */
	uint32_t words[CTNL_LABEL_BITS / 32];
};

/**
 * Whether a label is set.
 * @param l    the labels
 * @param bit  the label, 0..127
 * @return true when it is set; false for a @p bit out of range. Never
 * fails.
 * @ownership @p l is read during the call only.
 */
static inline bool ctnl_labels_test(const struct ctnl_labels *l, unsigned int bit)
{
	return bit < CTNL_LABEL_BITS && (l->words[bit / 32] >> (bit % 32)) & 1u;
}

/**
 * Sets a label.
 * @param l    the labels
 * @param bit  the label, 0..127; any other is ignored
 * @errors Never fails.
 * @ownership @p l stays the caller's.
 */
static inline void ctnl_labels_set(struct ctnl_labels *l, unsigned int bit)
{
	if (bit < CTNL_LABEL_BITS)
		l->words[bit / 32] |= 1u << (bit % 32);
}

/**
 * Clears a label.
 * @param l    the labels
 * @param bit  the label, 0..127; any other is ignored
 * @errors Never fails.
 * @ownership @p l stays the caller's.
 */
static inline void ctnl_labels_clear(struct ctnl_labels *l, unsigned int bit)
{
	if (bit < CTNL_LABEL_BITS)
		l->words[bit / 32] &= ~(1u << (bit % 32));
}

/** The Go package's 32-bit label value "encrypted": label 0. */
#define CTNL_LABEL32_ENCRYPTED 0x1u
/** The Go package's 32-bit label value "decrypted": label 1. */
#define CTNL_LABEL32_DECRYPTED 0x2u

/** The packet and byte counters of one direction (accounting on). */
struct ctnl_counters {
	uint64_t packets;		/**< packets seen */
	uint64_t bytes;			/**< bytes seen */
};

/* Status bits (CTA_STATUS), re-exported from the kernel's headers. */
/** status: an expected connection */
#define CTNL_STATUS_EXPECTED	IPS_EXPECTED
/** status: packets went both ways */
#define CTNL_STATUS_SEEN_REPLY	IPS_SEEN_REPLY
/** status: not dropped early when the table is full */
#define CTNL_STATUS_ASSURED	IPS_ASSURED
/** status: in the table (the original packet left the box) */
#define CTNL_STATUS_CONFIRMED	IPS_CONFIRMED
/** status: source NAT */
#define CTNL_STATUS_SRC_NAT	IPS_SRC_NAT
/** status: destination NAT */
#define CTNL_STATUS_DST_NAT	IPS_DST_NAT
/** status: either NAT */
#define CTNL_STATUS_NAT_MASK	IPS_NAT_MASK
/** status: TCP sequence numbers adjusted */
#define CTNL_STATUS_SEQ_ADJUST	IPS_SEQ_ADJUST
/** status: source NAT set up */
#define CTNL_STATUS_SRC_NAT_DONE IPS_SRC_NAT_DONE
/** status: destination NAT set up */
#define CTNL_STATUS_DST_NAT_DONE IPS_DST_NAT_DONE
/** status: being destroyed */
#define CTNL_STATUS_DYING	IPS_DYING
/** status: its timeout cannot change */
#define CTNL_STATUS_FIXED_TIMEOUT IPS_FIXED_TIMEOUT
/** status: a template (CT target) */
#define CTNL_STATUS_TEMPLATE	IPS_TEMPLATE
/** status: untracked (notrack) */
#define CTNL_STATUS_UNTRACKED	IPS_UNTRACKED
/** status: a helper was assigned explicitly */
#define CTNL_STATUS_HELPER	IPS_HELPER
/** status: offloaded to a flowtable */
#define CTNL_STATUS_OFFLOAD	IPS_OFFLOAD
/** status: offloaded to hardware */
#define CTNL_STATUS_HW_OFFLOAD	IPS_HW_OFFLOAD

/* TCP and SCTP states, re-exported likewise (enum tcp_conntrack, ...). */
/** TCP state NONE */
#define CTNL_TCP_NONE		TCP_CONNTRACK_NONE
/** TCP state SYN_SENT */
#define CTNL_TCP_SYN_SENT	TCP_CONNTRACK_SYN_SENT
/** TCP state SYN_RECV */
#define CTNL_TCP_SYN_RECV	TCP_CONNTRACK_SYN_RECV
/** TCP state ESTABLISHED */
#define CTNL_TCP_ESTABLISHED	TCP_CONNTRACK_ESTABLISHED
/** TCP state FIN_WAIT */
#define CTNL_TCP_FIN_WAIT	TCP_CONNTRACK_FIN_WAIT
/** TCP state CLOSE_WAIT */
#define CTNL_TCP_CLOSE_WAIT	TCP_CONNTRACK_CLOSE_WAIT
/** TCP state LAST_ACK */
#define CTNL_TCP_LAST_ACK	TCP_CONNTRACK_LAST_ACK
/** TCP state TIME_WAIT */
#define CTNL_TCP_TIME_WAIT	TCP_CONNTRACK_TIME_WAIT
/** TCP state CLOSE */
#define CTNL_TCP_CLOSE		TCP_CONNTRACK_CLOSE
/** TCP state SYN_SENT2 (simultaneous open) */
#define CTNL_TCP_SYN_SENT2	TCP_CONNTRACK_SYN_SENT2
/** the number of TCP states */
#define CTNL_TCP_STATE_MAX	TCP_CONNTRACK_MAX
/** the number of SCTP states */
#define CTNL_SCTP_STATE_MAX	SCTP_CONNTRACK_MAX

/** A TCP entry's protocol information (CTA_PROTOINFO_TCP). */
struct ctnl_tcp_info {
	uint8_t state;			/**< CTNL_TCP_* */
	uint8_t wscale[2];		/**< window scale, per direction */
	uint8_t flags[2];		/**< IP_CT_TCP_FLAG_* per direction */
	uint8_t flags_mask[2];		/**< which flags a change touches */
};

/** An SCTP entry's protocol information (CTA_PROTOINFO_SCTP). */
struct ctnl_sctp_info {
	uint8_t state;			/**< enum sctp_conntrack */
	uint32_t vtag[2];		/**< verification tag, per direction */
};

/** A DCCP entry's protocol information (CTA_PROTOINFO_DCCP). */
struct ctnl_dccp_info {
	uint8_t state;			/**< enum ct_dccp_states */
	uint8_t role;			/**< client or server */
	uint64_t handshake_seq;		/**< the handshake's sequence number */
};

/* Bits of struct ctnl_flow.attrs: which fields hold data. */
/** flow: orig holds data */
#define CTNL_ATTR_ORIG		(UINT64_C(1) << 0)
/** flow: reply */
#define CTNL_ATTR_REPLY		(UINT64_C(1) << 1)
/** flow: id */
#define CTNL_ATTR_ID		(UINT64_C(1) << 2)
/** flow: status */
#define CTNL_ATTR_STATUS	(UINT64_C(1) << 3)
/** flow: timeout */
#define CTNL_ATTR_TIMEOUT	(UINT64_C(1) << 4)
/** flow: mark */
#define CTNL_ATTR_MARK		(UINT64_C(1) << 5)
/** flow: use */
#define CTNL_ATTR_USE		(UINT64_C(1) << 6)
/** flow: labels */
#define CTNL_ATTR_LABELS	(UINT64_C(1) << 7)
/** flow: counters[CTNL_DIR_ORIG] */
#define CTNL_ATTR_COUNTERS_ORIG	(UINT64_C(1) << 8)
/** flow: counters[CTNL_DIR_REPLY] */
#define CTNL_ATTR_COUNTERS_REPLY (UINT64_C(1) << 9)
/** flow: start */
#define CTNL_ATTR_START		(UINT64_C(1) << 10)
/** flow: stop */
#define CTNL_ATTR_STOP		(UINT64_C(1) << 11)
/** flow: tcp.state */
#define CTNL_ATTR_TCP_STATE	(UINT64_C(1) << 12)
/** flow: tcp.wscale */
#define CTNL_ATTR_TCP_WSCALE	(UINT64_C(1) << 13)
/** flow: tcp.flags and tcp.flags_mask */
#define CTNL_ATTR_TCP_FLAGS	(UINT64_C(1) << 14)
/** flow: sctp.state */
#define CTNL_ATTR_SCTP_STATE	(UINT64_C(1) << 15)
/** flow: sctp.vtag */
#define CTNL_ATTR_SCTP_VTAG	(UINT64_C(1) << 16)
/** flow: dccp.state */
#define CTNL_ATTR_DCCP_STATE	(UINT64_C(1) << 17)
/** flow: dccp.role */
#define CTNL_ATTR_DCCP_ROLE	(UINT64_C(1) << 18)
/** flow: dccp.handshake_seq */
#define CTNL_ATTR_DCCP_HANDSHAKE_SEQ (UINT64_C(1) << 19)
/** flow: helper */
#define CTNL_ATTR_HELPER	(UINT64_C(1) << 20)
/** flow: snat (create only) */
#define CTNL_ATTR_SNAT		(UINT64_C(1) << 21)
/** flow: dnat (create only) */
#define CTNL_ATTR_DNAT		(UINT64_C(1) << 22)

/**
 * A translation an entry is created with (source or destination NAT):
 * the kernel picks the new address in [min, max] and the new port in
 * [port_min, port_max], and makes the reply tuple match, as a NAT rule
 * would for the first packet. The kernel reports no such field: a
 * translated entry shows in its reply tuple and its status.
 */
struct ctnl_nat {
	/** The first address to translate to (of the flow's family). */
	union ctnl_addr min;
	/** The last; all zero: min alone. */
	union ctnl_addr max;
	/** The first port to translate to, host order (protocols with
	 * ports); 0: the port is kept. */
	uint16_t port_min;
	/** The last port to translate to; 0: port_min alone. */
	uint16_t port_max;
};

/**
 * One conntrack entry: what the kernel reported of it, or what a caller
 * asks the kernel to create. attrs says which fields hold data; the others
 * are zero. Plain data, copied freely.
 */
struct ctnl_flow {
	uint64_t attrs;			/**< CTNL_ATTR_* */
	/** CTNL_ATTR_ORIG: the original direction */
	struct ctnl_tuple orig;
	/** CTNL_ATTR_REPLY: the reply direction */
	struct ctnl_tuple reply;
	uint32_t id;			/**< the kernel's id of the entry */
	uint32_t status;		/**< CTNL_STATUS_* */
	uint32_t timeout;		/**< seconds left */
	uint32_t mark;			/**< the connection mark */
	uint32_t use;			/**< the kernel's reference count */
	struct ctnl_labels labels;	/**< connection-tracking labels */
	struct ctnl_counters counters[2];	/**< by enum ctnl_dir */
	/** ns since the epoch (timestamping) */
	uint64_t start;
	/** ns since the epoch; destroy events */
	uint64_t stop;
	/** Protocol information, by orig.proto. */
	union {
		struct ctnl_tcp_info tcp;	/**< TCP */
		struct ctnl_sctp_info sctp;	/**< SCTP */
		struct ctnl_dccp_info dccp;	/**< DCCP */
	};
	char helper[16];		/**< NUL-terminated helper name */
	/** CTNL_ATTR_SNAT, CTNL_ATTR_DNAT: the source or destination NAT to
	 * create the entry with (see struct ctnl_nat); the kernel needs its
	 * NAT module, which a NAT rule in the namespace loads. */
	struct ctnl_nat snat, dnat;
};

/**
 * Whether NAT applies to the flow (source or destination).
 * @param f  the flow
 * @return true when its status says so. Never fails.
 * @ownership @p f is read during the call only.
 */
static inline bool ctnl_flow_is_nat(const struct ctnl_flow *f)
{
	return (f->attrs & CTNL_ATTR_STATUS) && (f->status & IPS_NAT_MASK);
}

/* Bits of struct ctnl_expect.attrs. */
/** expectation: master holds data */
#define CTNL_EXP_ATTR_MASTER	(UINT64_C(1) << 0)
/** expectation: tuple */
#define CTNL_EXP_ATTR_TUPLE	(UINT64_C(1) << 1)
/** expectation: mask */
#define CTNL_EXP_ATTR_MASK	(UINT64_C(1) << 2)
/** expectation: timeout */
#define CTNL_EXP_ATTR_TIMEOUT	(UINT64_C(1) << 3)
/** expectation: id */
#define CTNL_EXP_ATTR_ID	(UINT64_C(1) << 4)
/** expectation: helper */
#define CTNL_EXP_ATTR_HELPER	(UINT64_C(1) << 5)
/** expectation: zone */
#define CTNL_EXP_ATTR_ZONE	(UINT64_C(1) << 6)
/** expectation: flags */
#define CTNL_EXP_ATTR_FLAGS	(UINT64_C(1) << 7)
/** expectation: class */
#define CTNL_EXP_ATTR_CLASS	(UINT64_C(1) << 8)
/** expectation: nat_dir and nat_tuple */
#define CTNL_EXP_ATTR_NAT	(UINT64_C(1) << 9)
/** expectation: fn */
#define CTNL_EXP_ATTR_FN	(UINT64_C(1) << 10)

/** An expectation: a connection a helper expects, related to a master. */
struct ctnl_expect {
	uint64_t attrs;			/**< CTNL_EXP_ATTR_* */
	struct ctnl_tuple master;	/**< the master's original tuple */
	struct ctnl_tuple tuple;	/**< the expected connection */
	struct ctnl_tuple mask;		/**< which bits of tuple must match */
	uint32_t timeout;		/**< seconds left */
	/** the kernel's id of the expectation */
	uint32_t id;
	uint32_t flags;			/**< NF_CT_EXPECT_* */
	uint32_t class;			/**< the helper's expectation class */
	uint16_t zone;			/**< the master's zone */
	/** the helper's name, NUL-terminated */
	char helper[16];
	/** expectation function, NUL-terminated */
	char fn[32];
	uint32_t nat_dir;		/**< CTNL_EXP_ATTR_NAT: direction */
	struct ctnl_tuple nat_tuple;	/**< CTNL_EXP_ATTR_NAT: NAT target */
};

/* ====================================================================
 * Selecting entries: filters, applied by the kernel where it can
 * ==================================================================== */

/* Bits of struct ctnl_filter.match: which criteria apply. */
/** filter: orig.proto is proto */
#define CTNL_MATCH_PROTO	(1u << 0)
/** filter: orig.src in orig_src/orig_src_len */
#define CTNL_MATCH_ORIG_SRC	(1u << 1)
/** filter: orig.dst in orig_dst/orig_dst_len */
#define CTNL_MATCH_ORIG_DST	(1u << 2)
/** filter: orig source port is orig_sport */
#define CTNL_MATCH_ORIG_SPORT	(1u << 3)
/** filter: orig destination port is orig_dport */
#define CTNL_MATCH_ORIG_DPORT	(1u << 4)
/** filter: reply.src in reply_src/reply_src_len */
#define CTNL_MATCH_REPLY_SRC	(1u << 5)
/** filter: reply.dst in reply_dst/reply_dst_len */
#define CTNL_MATCH_REPLY_DST	(1u << 6)
/** filter: reply source port is reply_sport */
#define CTNL_MATCH_REPLY_SPORT	(1u << 7)
/** filter: reply destination port is reply_dport */
#define CTNL_MATCH_REPLY_DPORT	(1u << 8)
/** filter: (mark & mark_mask) == mark */
#define CTNL_MATCH_MARK		(1u << 9)
/** filter: (status & status_mask) == status */
#define CTNL_MATCH_STATUS	(1u << 10)
/** filter: the entry's zone is zone */
#define CTNL_MATCH_ZONE		(1u << 11)
/** filter: the TCP state is tcp_state */
#define CTNL_MATCH_TCP_STATE	(1u << 12)
/** filter: every label in labels is set */
#define CTNL_MATCH_LABELS	(1u << 13)
/** filter: every criterion above */
#define CTNL_MATCH_ALL		((1u << 14) - 1)

/* Bits of struct ctnl_filter.flags. */
/** Filter in user space only, never asking the kernel (for tests that
 * compare both ways, and for kernels that misbehave). */
#define CTNL_FILTER_USERSPACE	(1u << 0)
/** ctnl_ct_delete_matching(): the caller needs no count, so one filtered
 * flush may do the deleting where the kernel can (see there). */
#define CTNL_FILTER_UNCOUNTED	(1u << 1)
/** ctnl_ct_dump(): read the dying list rather than the table (entries
 * being destroyed, as `conntrack -L dying` shows them). The kernel
 * applies no criterion there: all are applied in user space. */
#define CTNL_FILTER_DYING	(1u << 2)
/** ctnl_ct_dump(): read the unconfirmed list (entries whose first packet
 * has not left yet; `conntrack -L unconfirmed`). Linux 6.1 on keeps no
 * such list and answers an empty one. Criteria: as for the dying list. */
#define CTNL_FILTER_UNCONFIRMED	(1u << 3)
/** ctnl_ct_dump(): zero each entry's counters as the kernel reads it out
 * (`conntrack -L -z`); the entries show the counts before. Only with
 * criteria the kernel applies itself (see struct ctnl_dump_info), so that
 * no entry is zeroed that the filter drops. */
#define CTNL_FILTER_ZERO	(1u << 4)

/**
 * Which entries an operation acts on: all criteria whose bit is set in
 * match must hold. A zeroed filter matches every entry of every family.
 */
struct ctnl_filter {
	uint32_t match;			/**< CTNL_MATCH_* */
	uint32_t flags;			/**< CTNL_FILTER_* */
	uint8_t family;			/**< AF_INET, AF_INET6; 0: both */
	uint8_t proto;			/**< CTNL_MATCH_PROTO */
	uint8_t tcp_state;		/**< CTNL_MATCH_TCP_STATE */
	/** Prefix lengths of the four addresses; 0 means the whole address
	 * (an exact match). Addresses need .family set. @{ */
	uint8_t orig_src_len, orig_dst_len, reply_src_len, reply_dst_len;
	/** @} */
	uint16_t zone;			/**< CTNL_MATCH_ZONE */
	/** CTNL_MATCH_ORIG_SRC ... CTNL_MATCH_REPLY_DST: the addresses. @{ */
	union ctnl_addr orig_src, orig_dst, reply_src, reply_dst;
	/** @} */
	/** CTNL_MATCH_ORIG_SPORT ... CTNL_MATCH_REPLY_DPORT: the ports. @{ */
	uint16_t orig_sport, orig_dport, reply_sport, reply_dport;
	/** @} */
	/** CTNL_MATCH_MARK: (entry mark & mark_mask) == mark. @{ */
	uint32_t mark, mark_mask;
	/** @} */
	/** CTNL_MATCH_STATUS: (status & status_mask) == status. @{ */
	uint32_t status, status_mask;
	/** @} */
	struct ctnl_labels labels;	/**< every label set here is set */
};

/** What a filtered operation did, for callers who want to know. */
struct ctnl_dump_info {
	uint32_t kernel;		/**< CTNL_MATCH_* the kernel applied */
	/** CTNL_MATCH_* applied in user space */
	uint32_t user;
	uint64_t received;		/**< entries the kernel sent */
	uint64_t matched;		/**< entries that passed the filter */
	uint64_t duplicates;		/**< entries dropped as seen before */
	/** delete_matching (counted) and update_matching: entries gone
	 * before their request came (expired, deleted by someone else, or
	 * handed over twice by the dump); neither counted nor an error. */
	uint64_t gone;
	bool interrupted;		/**< the kernel flagged the dump
					 * inconsistent (NLM_F_DUMP_INTR) */
	bool kernel_flush;		/**< delete_matching: one filtered
					 * flush did the deleting */
	/** Dump restarts it took (ctnl_ct_set_dump_retries()). It sits in
	 * what was the struct's tail padding, so the struct keeps its size
	 * and the other fields their offsets. */
	uint32_t retries;
};

/**
 * Whether a flow passes a filter, as the operations check it in user
 * space.
 * @param filter  the filter (NULL passes everything)
 * @param flow    the flow
 * @return true when @p flow passes @p filter. Never fails.
 * @ownership Both are read during the call only.
 */
CTNL_API bool ctnl_filter_match(const struct ctnl_filter *filter,
				const struct ctnl_flow *flow);

/* ====================================================================
 * Changes
 * ==================================================================== */

/**
 * What an update changes: the fields whose CTNL_ATTR_ bit is in attrs
 * (CTNL_ATTR_MARK, CTNL_ATTR_LABELS, CTNL_ATTR_TIMEOUT, CTNL_ATTR_STATUS).
 * Labels: the bits in labels_mask take their value from labels; the others
 * are left alone, so bits can be set or cleared without a read first.
 */
struct ctnl_change {
	uint64_t attrs;			/**< CTNL_ATTR_* of the fields to set */
	uint32_t mark;			/**< CTNL_ATTR_MARK: the new mark */
	uint32_t timeout;		/**< CTNL_ATTR_TIMEOUT: seconds */
	uint32_t status;		/**< CTNL_ATTR_STATUS: bits to set */
	struct ctnl_labels labels;	/**< CTNL_ATTR_LABELS: the new values */
	struct ctnl_labels labels_mask;	/**< CTNL_ATTR_LABELS: which labels */
};

/** Operations a batch can carry. */
enum ctnl_op {
	CTNL_OP_CREATE,			/**< ctnl_ct_create() each flow */
	CTNL_OP_UPDATE,			/**< ctnl_ct_update() each key */
	CTNL_OP_DELETE,			/**< ctnl_ct_delete() each key */
};

/* ====================================================================
 * Table statistics
 * ==================================================================== */

/** A table's size (ctnl_ct_stats()). */
struct ctnl_stats {
	uint32_t count;			/**< entries in the table */
	/** the table's limit (conntrack only) */
	uint32_t max;
};

/** One CPU's counters of both tables (ctnl_ct_stats_cpu()). */
struct ctnl_cpu_stats {
	uint16_t cpu;			/**< the CPU's number */
	/** Conntrack table (CTA_STATS_*), as `conntrack -S` names them. @{ */
	uint32_t found, invalid, insert, insert_failed, drop, early_drop,
		error, search_restart, clash_resolve, chaintoolong;
	/** @} */
	/** Expectation table (CTA_STATS_EXP_*): new, create, delete. @{ */
	uint32_t exp_new, exp_create, exp_delete;
	/** @} */
};

/* ====================================================================
 * Callbacks of the dumps (ctnl_ct_dump(), ctnl_ct_dump_expect())
 * ==================================================================== */

/**
 * Receives one entry of a dump. The flow is valid only during the call.
 * Returns CTNL_CB_OK, CTNL_CB_STOP, or a negative errno that aborts the
 * dump with that error.
 */
typedef int (*ctnl_flow_cb)(const struct ctnl_flow *flow, void *data);
/** Receives one expectation of a dump, as ctnl_flow_cb does an entry. */
typedef int (*ctnl_expect_cb)(const struct ctnl_expect *exp, void *data);

/**
 * Picks entries, for ctnl_ct_delete_if().
 * @param flow  the entry; valid during the call only
 * @param data  the caller's pointer, as given to ctnl_ct_delete_if()
 * @return 1 to choose @p flow, 0 to leave it, or a negative errno that
 * stops the operation with that error.
 */
typedef int (*ctnl_flow_pred)(const struct ctnl_flow *flow, void *data);

/* ====================================================================
 * Address sets: membership among many addresses, for predicates
 * ==================================================================== */

/**
 * A set of IPv4 and IPv6 addresses with constant-time membership (a hash
 * table): what a predicate needs to pick entries by one of many addresses
 * (a deleted pod's addresses, a service's endpoints) without a scan per
 * entry. An IPv4 address and an IPv6 one are never equal, IPv4-mapped or
 * not. One writer at a time; lookups need no writer at the same time.
 */
struct ctnl_addr_set;

/**
 * Creates an empty address set.
 * @param ret  receives the set
 * @return 0.
 * @errors -EINVAL (NULL @p ret), -ENOMEM.
 * @ownership On success *@p ret is the caller's, for ctnl_addr_set_free();
 * on failure it is untouched.
 */
CTNL_API int ctnl_addr_set_new(struct ctnl_addr_set **ret);

/**
 * Frees an address set.
 * @param set  the set, or NULL (nothing is done)
 * @errors Never fails.
 * @ownership Takes @p set: it must not be used again.
 */
CTNL_API void ctnl_addr_set_free(struct ctnl_addr_set *set);

/**
 * Adds an address to a set.
 * @param set     the set
 * @param family  AF_INET (@p addr->in) or AF_INET6 (@p addr->in6); the
 *                bytes past the family's length are ignored
 * @param addr    the address
 * @return 1 when added, 0 when it was there already.
 * @errors -EINVAL (NULL arguments, another family), -ENOMEM (growing
 * failed; the set is as it was).
 * @ownership @p addr is copied.
 */
CTNL_API int ctnl_addr_set_add(struct ctnl_addr_set *set, uint8_t family,
			       const union ctnl_addr *addr);

/**
 * Adds an address given as text to a set.
 * @param set   the set
 * @param text  an IPv4 ("10.0.0.1") or IPv6 ("fd00::1") address
 * @return 1 when added, 0 when it was there already.
 * @errors -EINVAL (NULL arguments, or text that is no address), -ENOMEM.
 * @ownership @p text is read during the call only.
 */
CTNL_API int ctnl_addr_set_add_text(struct ctnl_addr_set *set,
				    const char *text);

/**
 * Tells whether an address is in a set.
 * @param set     the set
 * @param family  AF_INET or AF_INET6
 * @param addr    the address
 * @return true when it is; false otherwise, and for NULL arguments or
 * another family.
 * @errors Never fails.
 * @ownership Everything is borrowed for the call.
 */
CTNL_API bool ctnl_addr_set_contains(const struct ctnl_addr_set *set,
				     uint8_t family,
				     const union ctnl_addr *addr);

/**
 * Counts the addresses in a set.
 * @param set  the set, or NULL
 * @return the number of addresses (0 for NULL).
 * @errors Never fails.
 * @ownership @p set is read during the call only.
 */
CTNL_API size_t ctnl_addr_set_count(const struct ctnl_addr_set *set);

/**
 * Empties a set, keeping its memory for the next adds (which then
 * allocate nothing until it holds more than before).
 * @param set  the set, or NULL (nothing is done)
 * @errors Never fails.
 * @ownership @p set stays the caller's, with its memory.
 */
CTNL_API void ctnl_addr_set_clear(struct ctnl_addr_set *set);

/**
 * A ready ctnl_flow_pred over an address set: chooses the entries whose
 * original source or reply source is in it. Deleting every entry of gone
 * pods' addresses, in both directions, in one pass (Calico's teardown):
 *
 *     ctnl_addr_set_add_text(pods, "10.244.1.7");   // ... K of them
 *     ctnl_ct_delete_if(ct, NULL, ctnl_addr_set_has_src, pods, &stats);
 *
 * @param flow  the entry
 * @param set   the struct ctnl_addr_set
 * @return 1 when either source is in @p set, else 0 (also for NULL
 * arguments).
 * @errors Never fails.
 * @ownership Both are read during the call only.
 */
CTNL_API int ctnl_addr_set_has_src(const struct ctnl_flow *flow, void *set);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_FLOW_H */
