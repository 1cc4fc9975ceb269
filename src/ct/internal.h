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

#include "../ops.h"

/* Message types of the conntrack and expectation subsystems. */
#define CT_MSG(msg) ((uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | (msg)))
#define EXP_MSG(msg) ((uint16_t)((NFNL_SUBSYS_CTNETLINK_EXP << 8) | (msg)))

/* Room for any single request libctnl builds. */
#define CT_REQ_MAX 1024

/* Room for the requests of one ctnl_sock_batch() call. */
#define CT_BATCH_BYTES (128 * 1024)

#define CT_ERRMSG_MAX 256

/* The default conntrack handle. */
struct ct_handle {
	struct ctnl_ct iface;		/* handed to the caller; ctx = this */
	struct ctnl_sock *sock;		/* owned */
	uint8_t *batch;			/* CT_BATCH_BYTES, made on first use */
	bool has_errmsg;
	char errmsg[CT_ERRMSG_MAX];	/* libctnl's own explanation */
	/* One request at a time, built in place: aligned for its header,
	 * which it is read and written through. */
	_Alignas(struct nlmsghdr) uint8_t req[CT_REQ_MAX];
};

/* ---- tuple.c: what a protocol's tuple carries ---- */

bool proto_is_icmp(uint8_t proto);
size_t addr_len(uint8_t family);
void tuple_invert(struct ctnl_tuple *out, const struct ctnl_tuple *t);

/* ---- build.c ---- */

/* Checks one batch item as the builder of @op would, without building. */
int build_check(enum ctnl_op op, const struct ctnl_flow *flow,
		const struct ctnl_change *change);

/* ---- filter.c ---- */

/* The criteria of @f that @flow fails (0: it passes), with
 * FILTER_FAMILY_MISMATCH for an entry of another family. */
#define FILTER_FAMILY_MISMATCH (1u << 31)
uint32_t filter_mismatch(const struct ctnl_filter *f,
			 const struct ctnl_flow *flow);
/* The criteria of @f that the kernel can apply to a dump. */
uint32_t filter_kernel_part(const struct ctnl_filter *f);
int filter_check(const struct ctnl_filter *f);

/* ---- handle.c ---- */

/* Sets the handle's own explanation for the error being returned. */
void ct_set_errmsg(struct ct_handle *h, const char *msg);
/* The explanation for -ENOSPC on a label change. */
void ct_explain_labels(struct ct_handle *h);

/* ---- ops.c: the default implementation's slots ---- */

int ct_dump(void *ctx, const struct ctnl_filter *filter, ctnl_flow_cb cb,
	    void *data, struct ctnl_dump_info *info);
int ct_get(void *ctx, const struct ctnl_flow *key, struct ctnl_flow *out);
int ct_create(void *ctx, const struct ctnl_flow *flow);
int ct_update(void *ctx, const struct ctnl_flow *key,
	      const struct ctnl_change *change);
int ct_del(void *ctx, const struct ctnl_flow *key);
int ct_batch(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
	     size_t count, const struct ctnl_change *changes, size_t nchanges,
	     int *results);
int ct_flush(void *ctx, enum ctnl_table table, uint8_t family);
int ct_dump_expect(void *ctx, uint8_t family, ctnl_expect_cb cb, void *data);

#endif /* CTNL_SRC_CT_INTERNAL_H */
