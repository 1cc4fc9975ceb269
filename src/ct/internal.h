/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conntrack layer's shared internals.
 */
#ifndef CTNL_SRC_CT_INTERNAL_H
#define CTNL_SRC_CT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>
#include <ctnl/sys/ct.h>
#include <ctnl/sys/sock.h>

#include "../ops.h"

/* Message types of the conntrack and expectation subsystems. */
#define CT_MSG(msg) ((uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | (msg)))
#define EXP_MSG(msg) ((uint16_t)((NFNL_SUBSYS_CTNETLINK_EXP << 8) | (msg)))

/* Room for any single request libctnl builds. */
#define CT_REQ_MAX 1024

/* Room for the requests of one ctnl_sock_batch() call. */
#define CT_BATCH_BYTES (128 * 1024)

#define CT_ERRMSG_MAX 256

/* Instructions of the events socket filter, at most (events.c). */
#define EVENT_BPF_MAX 24

/* The default handle's event subscription (events.c). */
struct ct_events {
	unsigned int events;		/* CTNL_EVENT_* subscribed; 0: none */
	uint32_t groups;		/* multicast groups joined, bit g-1 */
	bool filtering;			/* info.filter has criteria */
	bool reading;			/* inside event_read: no nesting */
	bool have_drops;		/* the socket reports its drop counter */
	bool silent_drops;		/* the kernel may drop without ENOBUFS */
	/* The kernel may have counted drops not reported yet: the counter
	 * is read at the end of each read until the queue is seen empty. */
	bool loss_pending;
	uint32_t drops;			/* the counter as last reported */
	struct ctnl_event_info info;	/* what ctnl_ct_event_info() says */
};

/* The default conntrack handle. */
struct ct_handle {
	struct ctnl_ct iface;		/* handed to the caller; ctx = this */
	struct ctnl_sock *sock;		/* owned */
	/* A second socket on the same table, owned: deletes go out on it
	 * while a dump is read from the first (delete_if.c). Opened on first
	 * use; NULL until then, and again after it failed. */
	struct ctnl_sock *peer;
	struct ct_events events;
	uint8_t *batch;			/* CT_BATCH_BYTES, made on first use */
	bool has_errmsg;
	char errmsg[CT_ERRMSG_MAX];	/* libctnl's own explanation */
	/* Policies (ctnl_ct_set_timeout(), ctnl_ct_set_dump_retries()), and
	 * how deep in operations the handle is: only the outermost arms the
	 * deadline, so an operation made of others gets one for the whole. */
	int timeout_ms;			/* -1: none */
	unsigned int dump_retries;
	unsigned int depth;
	/* Whether the kernel's flush applies every criterion a filter can
	 * hand it (it takes CTA_FILTER): 0 not known yet, 1 yes, -1 no.
	 * Learnt once per handle (matching.c). */
	int8_t flush_filters;
	/* One request at a time, built and read as a struct nlmsghdr. */
	_Alignas(struct nlmsghdr) uint8_t req[CT_REQ_MAX];
};

/* ---- tuple.c: what a protocol's tuple carries ---- */

bool ctnl__proto_is_icmp(uint8_t proto);
size_t ctnl__addr_len(uint8_t family);
void ctnl__tuple_invert(struct ctnl_tuple *out, const struct ctnl_tuple *t);
/* Every field alike, zone included. */
bool ctnl__tuple_equal(const struct ctnl_tuple *a, const struct ctnl_tuple *b);

/* ---- format.c: names, shared with decode.c ---- */

/* The name conntrack gives protocol @proto ("tcp"), or NULL for one it
 * does not name. */
const char *ctnl__proto_name(uint8_t proto);
/* The name of TCP, SCTP or DCCP state @state ("ESTABLISHED"), or NULL
 * beyond the protocol's states or for another protocol. */
const char *ctnl__state_name(uint8_t proto, uint8_t state);

/* ---- build.c ---- */

/* The kernel's CTA_FILTER flags, the fields of a tuple a filter compares
 * (net/netfilter/nf_internals.h); not in the UAPI headers. */
#define CTA_FILTER_F_IP_SRC		(1u << 0)
#define CTA_FILTER_F_IP_DST		(1u << 1)
#define CTA_FILTER_F_TUPLE_ZONE		(1u << 2)
#define CTA_FILTER_F_PROTO_NUM		(1u << 3)
#define CTA_FILTER_F_SRC_PORT		(1u << 4)
#define CTA_FILTER_F_DST_PORT		(1u << 5)
#define CTA_FILTER_F_ICMP_TYPE		(1u << 6)
#define CTA_FILTER_F_ICMP_CODE		(1u << 7)
#define CTA_FILTER_F_ICMP_ID		(1u << 8)
#define CTA_FILTER_F_ICMPV6_TYPE	(1u << 9)
#define CTA_FILTER_F_ICMPV6_CODE	(1u << 10)
#define CTA_FILTER_F_ICMPV6_ID		(1u << 11)

/* Something to change, and nothing that cannot be changed: 0 or -EINVAL. */
int ctnl__change_check(const struct ctnl_change *change);
/* Checks one batch item as the builder of @op would, without building. */
int ctnl__build_check(enum ctnl_op op, const struct ctnl_flow *flow,
		      const struct ctnl_change *change);

/* ---- filter.c ---- */

/* One direction's criteria of a filter, original or reply. */
struct dir_filter {
	uint32_t src, dst, sport, dport;	/* their CTNL_MATCH_* bits */
	const union ctnl_addr *src_addr, *dst_addr;
	uint8_t src_len, dst_len;
	uint16_t sport_val, dport_val;
};

void ctnl__filter_direction(const struct ctnl_filter *f, bool reply,
			    struct dir_filter *d);

/* The criteria of @f that @flow fails (0: it passes), with
 * FILTER_FAMILY_MISMATCH for an entry of another family. */
#define FILTER_FAMILY_MISMATCH (1u << 31)
uint32_t ctnl__filter_mismatch(const struct ctnl_filter *f,
			       const struct ctnl_flow *flow);
/* The criteria of @f that the kernel can apply to a dump. */
uint32_t ctnl__filter_kernel_part(const struct ctnl_filter *f);
int ctnl__filter_check(const struct ctnl_filter *f);
/* The same, for what acts on the table itself (changes, flushes,
 * events): no flag that only a dump takes. */
int ctnl__filter_check_table(const struct ctnl_filter *f);

/* ---- handle.c ---- */

/* Gives @sock the handle's deadline, from now (none without one). */
int ctnl__ct_arm(struct ct_handle *h, struct ctnl_sock *sock);

/* The dump restarts @ct allows (0 when it keeps no such policy). */
unsigned int ctnl__ct_dump_retries(struct ctnl_ct *ct);

/* Sets the handle's own explanation for the error being returned. */
void ctnl__ct_set_errmsg(struct ct_handle *h, const char *msg);
/* The explanation for -ENOSPC on a label change. */
void ctnl__ct_explain_labels(struct ct_handle *h);

/* ---- ops.c: the default implementation's slots ---- */

/* The request buffer, as a message. */
struct nlmsghdr *ctnl__ct_req(struct ct_handle *h);
/* Sends the request built in h->req (@built: its length, or the builder's
 * negative error, returned as is); the kernel answers with a status. */
int ctnl__ct_send(struct ct_handle *h, int built);
/* Every operation starts without an explanation of its own. */
void ctnl__ct_begin_op(struct ct_handle *h);

int ctnl__ct_dump(void *ctx, const struct ctnl_filter *filter, ctnl_flow_cb cb,
		  void *data, struct ctnl_dump_info *info);
int ctnl__ct_get(void *ctx, const struct ctnl_flow *key, struct ctnl_flow *out);
int ctnl__ct_create(void *ctx, const struct ctnl_flow *flow);
int ctnl__ct_update(void *ctx, const struct ctnl_flow *key,
		    const struct ctnl_change *change);
int ctnl__ct_del(void *ctx, const struct ctnl_flow *key);
int ctnl__ct_batch(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
		   size_t count, const struct ctnl_change *changes,
		   size_t nchanges, int *results);
int ctnl__ct_flush(void *ctx, enum ctnl_table table, uint8_t family);
int ctnl__ct_dump_expect(void *ctx, uint8_t family, ctnl_expect_cb cb,
			 void *data);

/* ---- matching.c ---- */

/* A NULL filter selects every entry. */
const struct ctnl_filter *ctnl__filter_or_all(const struct ctnl_filter *f);

int ctnl__ct_update_matching(void *ctx, const struct ctnl_filter *filter,
			     const struct ctnl_change *change,
			     struct ctnl_dump_info *info);
int ctnl__ct_delete_matching(void *ctx, const struct ctnl_filter *filter,
			     struct ctnl_dump_info *info);

/* ---- delete_if.c ---- */

/*
 * Deletes what @filter passes and @pred (NULL: every entry) chooses, in
 * one pass; fills *@st, and *@info (unless NULL) as a dump fills it.
 * -ENOSYS: the socket cannot clone, nothing was done.
 */
int ctnl__ct_delete_pass(struct ct_handle *h, const struct ctnl_filter *filter,
			 ctnl_flow_pred pred, void *data,
			 struct ctnl_delete_stats *st,
			 struct ctnl_dump_info *info);
int ctnl__ct_delete_if(void *ctx, const struct ctnl_filter *filter,
		       ctnl_flow_pred pred, void *data,
		       struct ctnl_delete_stats *stats);

/* ---- stats.c ---- */

int ctnl__ct_stats(void *ctx, enum ctnl_table table, struct ctnl_stats *out);
int ctnl__ct_stats_cpu(void *ctx, struct ctnl_cpu_stats *out, size_t max);

/* ---- expect.c ---- */

int ctnl__ct_get_expect(void *ctx, const struct ctnl_expect *key,
			struct ctnl_expect *out);
int ctnl__ct_create_expect(void *ctx, const struct ctnl_expect *exp);
int ctnl__ct_del_expect(void *ctx, const struct ctnl_expect *key);

/* ---- events.c: the default implementation's event slots ---- */

int ctnl__ct_subscribe(void *ctx, const struct ctnl_events_config *cfg);
int ctnl__ct_event_fd(void *ctx);
int ctnl__ct_event_read(void *ctx, ctnl_event_cb cb, void *data);
int ctnl__ct_event_wait(void *ctx, int timeout_ms);
int ctnl__ct_event_info(void *ctx, struct ctnl_event_info *out);

/*
 * The socket filter that makes the kernel drop the events @f rejects by
 * family or mark, into @prog (EVENT_BPF_MAX instructions). Returns its
 * length, 0 when the kernel has nothing to apply; *@kernel is what it
 * applies (CTNL_MATCH_FAMILY, CTNL_MATCH_MARK).
 */
unsigned int ctnl__event_filter_build(const struct ctnl_filter *f,
				      struct sock_filter *prog,
				      uint32_t *kernel);

#endif /* CTNL_SRC_CT_INTERNAL_H */
