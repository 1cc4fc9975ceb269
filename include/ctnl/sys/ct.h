/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the Conntrack interface table, for those who implement one.
 *
 * struct ctnl_ct is a table of operations plus a context, like every libctnl
 * interface. ctnl_ct_open() builds the real one over a netlink socket
 * handle; a test builds the same interface over a fake (see <ctnl/mocks.h>:
 * a fake socket, and an in-memory conntrack table), or fills this table
 * itself. Callers use a handle only through the functions of
 * <ctnl/conntrack.h> and <ctnl/events.h>: read those first. Each slot does
 * what the ctnl_ct_* function it stands for says there, with the same
 * errors (del: ctnl_ct_delete(), subscribe: ctnl_ct_subscribe_config()).
 * Slots are only ever added at the end, so a table built against an older
 * header stays valid: its size says which slots it has.
 */
#ifndef CTNL_SYS_CT_H
#define CTNL_SYS_CT_H

#include <stddef.h>
#include <stdint.h>

#include <ctnl/common.h>
#include <ctnl/flow.h>
#include <ctnl/events.h>
#include <ctnl/sock.h>

struct ctnl_delete_stats;	/* <ctnl/conntrack.h> */

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-sys-ct sys/ct.h: the conntrack interface table
 * For those who implement a conntrack handle (a fake, a proxy): callers
 * use a handle only through the functions of <ctnl/conntrack.h> and
 * <ctnl/events.h>. Each slot does what the ctnl_ct_* function it stands
 * for says there, with the same errors (del: ctnl_ct_delete(), subscribe:
 * ctnl_ct_subscribe_config()).
 * @{
 */

/** What the set_option and get_option slots set and read. */
enum ctnl_ct_option {
	/** ctnl_ct_set_timeout(): milliseconds, -1 for none */
	CTNL_CT_OPT_TIMEOUT = 1,
	/** ctnl_ct_set_dump_retries(): restarts, 0 for none */
	CTNL_CT_OPT_DUMP_RETRIES = 2,
};

/**
 * Each slot receives the implementation's context first, then the
 * arguments of its ctnl_ct_* function (a "key" as <ctnl/conntrack.h>
 * defines it).
 */
struct ctnl_ct_ops {
	/** sizeof(struct ctnl_ct_ops) as the implementer compiled it; slots
	 * past it, and NULL slots, answer -ENOSYS. */
	size_t size;

	/** ctnl_ct_dump() */
	int (*dump)(void *ctx, const struct ctnl_filter *filter,
		    ctnl_flow_cb cb, void *data, struct ctnl_dump_info *info);
	/** ctnl_ct_get() */
	int (*get)(void *ctx, const struct ctnl_flow *key,
		   struct ctnl_flow *out);
	/** ctnl_ct_create() */
	int (*create)(void *ctx, const struct ctnl_flow *flow);
	/** ctnl_ct_update() */
	int (*update)(void *ctx, const struct ctnl_flow *key,
		      const struct ctnl_change *change);
	/** ctnl_ct_delete() */
	int (*del)(void *ctx, const struct ctnl_flow *key);
	/** ctnl_ct_batch() */
	int (*batch)(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
		     size_t count, const struct ctnl_change *changes,
		     size_t nchanges, int *results);
	/** ctnl_ct_flush() */
	int (*flush)(void *ctx, enum ctnl_table table, uint8_t family);
	/** ctnl_ct_update_matching() */
	int (*update_matching)(void *ctx, const struct ctnl_filter *filter,
			       const struct ctnl_change *change,
			       struct ctnl_dump_info *info);
	/** ctnl_ct_delete_matching() */
	int (*delete_matching)(void *ctx, const struct ctnl_filter *filter,
			       struct ctnl_dump_info *info);
	/** ctnl_ct_stats() */
	int (*stats)(void *ctx, enum ctnl_table table, struct ctnl_stats *out);
	/** ctnl_ct_stats_cpu() */
	int (*stats_cpu)(void *ctx, struct ctnl_cpu_stats *out, size_t max);

	/** ctnl_ct_dump_expect() */
	int (*dump_expect)(void *ctx, uint8_t family, ctnl_expect_cb cb,
			   void *data);
	/** ctnl_ct_get_expect() */
	int (*get_expect)(void *ctx, const struct ctnl_expect *key,
			  struct ctnl_expect *out);
	/** ctnl_ct_create_expect() */
	int (*create_expect)(void *ctx, const struct ctnl_expect *exp);
	/** ctnl_ct_delete_expect() */
	int (*del_expect)(void *ctx, const struct ctnl_expect *key);

	/** ctnl_ct_subscribe_config() */
	int (*subscribe)(void *ctx, const struct ctnl_events_config *cfg);
	/** ctnl_ct_event_fd() */
	int (*event_fd)(void *ctx);
	/** ctnl_ct_event_read() */
	int (*event_read)(void *ctx, ctnl_event_cb cb, void *data);
	/** ctnl_ct_event_wait() */
	int (*event_wait)(void *ctx, int timeout_ms);
	/** ctnl_ct_event_info() */
	int (*event_info)(void *ctx, struct ctnl_event_info *out);

	/** ctnl_ct_error_msg() */
	const char *(*error_msg)(void *ctx);
	/** ctnl_ct_close(): frees the implementation */
	void (*destroy)(void *ctx);
	/** ctnl_ct_delete_if() */
	int (*delete_if)(void *ctx, const struct ctnl_filter *filter,
			 ctnl_flow_pred pred, void *data,
			 struct ctnl_delete_stats *stats);
	/** ctnl_ct_set_trace(); newer slots come last, so that tables
	 * built against an older header stay valid. */
	int (*set_trace)(void *ctx, ctnl_trace_cb cb, void *data);
	/** ctnl_ct_set_timeout(), ctnl_ct_set_dump_retries(): a value
	 * already checked */
	int (*set_option)(void *ctx, enum ctnl_ct_option opt, int value);
	/** The value of an option as last set (its default before), into
	 * *value; read by libctnl's generic operations (a list's
	 * restarts). -ENOSYS, or a slot left empty: the default. */
	int (*get_option)(void *ctx, enum ctnl_ct_option opt, int *value);
};

/** A conntrack handle: a table and the context its slots receive. */
struct ctnl_ct {
	const struct ctnl_ct_ops *ops;	/**< the operations */
	void *ctx;			/**< handed to every slot */
};

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_SYS_CT_H */
