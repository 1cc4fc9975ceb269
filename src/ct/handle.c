/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conntrack handle: its construction over a socket handle, and the
 * public entry points, which dispatch through any implementation's table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void ctnl__ct_set_errmsg(struct ct_handle *h, const char *msg)
{
	snprintf(h->errmsg, sizeof(h->errmsg), "%s", msg);
	h->has_errmsg = true;
}

void ctnl__ct_explain_labels(struct ct_handle *h)
{
	ctnl__ct_set_errmsg(h,
			    "conntrack labels are not enabled in this network "
			    "namespace: the kernel keeps labels only where a "
			    "ruleset uses them, for example "
			    "'nft add rule inet t c ct label set 127'; entries "
			    "created before that never gain them");
}

static const char *ct_error_msg(void *ctx)
{
	struct ct_handle *h = ctx;

	return h->has_errmsg ? h->errmsg : ctnl_sock_error_msg(h->sock);
}

/* The handle's messages go through its socket and, once opened, its
 * second one; a second one opened later takes the hook from the first. */
static int ct_set_trace(void *ctx, ctnl_trace_cb cb, void *data)
{
	struct ct_handle *h = ctx;
	int ret = ctnl_sock_set_trace(h->sock, cb, data);

	if (ret == 0 && h->peer)
		ret = ctnl_sock_set_trace(h->peer, cb, data);
	return ret;
}

static void ct_destroy(void *ctx)
{
	struct ct_handle *h = ctx;

	ctnl_sock_close(h->peer);
	ctnl_sock_close(h->sock);
	free(h->batch);
	free(h);
}

/* ---- Policies ---- */

int ctnl__ct_arm(struct ct_handle *h, struct ctnl_sock *sock)
{
	if (h->timeout_ms < 0)
		return 0;
	return ctnl_sock_set_option(sock, CTNL_SOCK_OPT_DEADLINE,
				    h->timeout_ms);
}

/* A new timeout takes effect now: armed (which proves the sockets can
 * keep one), or removed. */
static int set_timeout(struct ct_handle *h, int ms)
{
	int old = h->timeout_ms, ret;

	if (ms == -1 && old == -1)
		return 0;
	h->timeout_ms = ms;
	ret = ctnl_sock_set_option(h->sock, CTNL_SOCK_OPT_DEADLINE, ms);
	if (ret == 0 && h->peer)
		ret = ctnl_sock_set_option(h->peer, CTNL_SOCK_OPT_DEADLINE, ms);
	if (ret < 0)
		h->timeout_ms = old;
	return ret;
}

static int ct_set_option(void *ctx, enum ctnl_ct_option opt, int value)
{
	struct ct_handle *h = ctx;

	switch (opt) {
	case CTNL_CT_OPT_TIMEOUT:
		return set_timeout(h, value);
	case CTNL_CT_OPT_DUMP_RETRIES:
		h->dump_retries = (unsigned int)value;
		return 0;
	}
	return -EINVAL;
}

static int ct_get_option(void *ctx, enum ctnl_ct_option opt, int *value)
{
	struct ct_handle *h = ctx;

	switch (opt) {
	case CTNL_CT_OPT_TIMEOUT:
		*value = h->timeout_ms;
		return 0;
	case CTNL_CT_OPT_DUMP_RETRIES:
		*value = (int)h->dump_retries;
		return 0;
	}
	return -EINVAL;
}

/*
 * The slots that wait on the kernel are entered here: the outermost
 * operation arms the deadline on the handle's sockets, so that one made
 * of others (an update of what a list found, a create and its check) has
 * one deadline for the whole.
 */
static int op_enter(struct ct_handle *h)
{
	int ret = 0;

	if (h->depth == 0) {
		ret = ctnl__ct_arm(h, h->sock);
		if (ret == 0 && h->peer)
			ret = ctnl__ct_arm(h, h->peer);
	}
	if (ret == 0)
		h->depth++;
	return ret;
}

#define TIMED(slot, params, args)                                            \
	static int timed_##slot params                                       \
	{                                                                    \
		struct ct_handle *h = ctx;                                   \
		int ret = op_enter(h);                                       \
                                                                             \
		if (ret < 0)                                                 \
			return ret;                                          \
		ret = ctnl__ct_##slot args;                                  \
		h->depth--;                                                  \
		return ret;                                                  \
	}

TIMED(dump, (void *ctx, const struct ctnl_filter *filter, ctnl_flow_cb cb,
	     void *data, struct ctnl_dump_info *info),
      (ctx, filter, cb, data, info))
TIMED(get, (void *ctx, const struct ctnl_flow *key, struct ctnl_flow *out),
      (ctx, key, out))
TIMED(create, (void *ctx, const struct ctnl_flow *flow), (ctx, flow))
TIMED(update, (void *ctx, const struct ctnl_flow *key,
	       const struct ctnl_change *change), (ctx, key, change))
TIMED(del, (void *ctx, const struct ctnl_flow *key), (ctx, key))
TIMED(batch, (void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
	      size_t count, const struct ctnl_change *changes, size_t nchanges,
	      int *results),
      (ctx, op, flows, count, changes, nchanges, results))
TIMED(flush, (void *ctx, enum ctnl_table table, uint8_t family),
      (ctx, table, family))
TIMED(update_matching, (void *ctx, const struct ctnl_filter *filter,
			const struct ctnl_change *change,
			struct ctnl_dump_info *info),
      (ctx, filter, change, info))
TIMED(delete_matching, (void *ctx, const struct ctnl_filter *filter,
			struct ctnl_dump_info *info), (ctx, filter, info))
TIMED(delete_if, (void *ctx, const struct ctnl_filter *filter,
		  ctnl_flow_pred pred, void *data,
		  struct ctnl_delete_stats *stats),
      (ctx, filter, pred, data, stats))
TIMED(stats, (void *ctx, enum ctnl_table table, struct ctnl_stats *out),
      (ctx, table, out))
TIMED(stats_cpu, (void *ctx, struct ctnl_cpu_stats *out, size_t max),
      (ctx, out, max))
TIMED(dump_expect, (void *ctx, uint8_t family, ctnl_expect_cb cb,
		    void *data), (ctx, family, cb, data))
TIMED(get_expect, (void *ctx, const struct ctnl_expect *key,
		   struct ctnl_expect *out), (ctx, key, out))
TIMED(create_expect, (void *ctx, const struct ctnl_expect *exp), (ctx, exp))
TIMED(del_expect, (void *ctx, const struct ctnl_expect *key), (ctx, key))

static const struct ctnl_ct_ops ct_ops = {
	.size = sizeof(struct ctnl_ct_ops),
	.dump = timed_dump,
	.get = timed_get,
	.create = timed_create,
	.update = timed_update,
	.del = timed_del,
	.batch = timed_batch,
	.flush = timed_flush,
	.update_matching = timed_update_matching,
	.delete_matching = timed_delete_matching,
	.stats = timed_stats,
	.stats_cpu = timed_stats_cpu,
	.dump_expect = timed_dump_expect,
	.get_expect = timed_get_expect,
	.create_expect = timed_create_expect,
	.del_expect = timed_del_expect,
	.subscribe = ctnl__ct_subscribe,
	.event_fd = ctnl__ct_event_fd,
	.event_read = ctnl__ct_event_read,
	.event_wait = ctnl__ct_event_wait,
	.event_info = ctnl__ct_event_info,
	.error_msg = ct_error_msg,
	.destroy = ct_destroy,
	.delete_if = timed_delete_if,
	.set_trace = ct_set_trace,
	.set_option = ct_set_option,
	.get_option = ct_get_option,
};

/*
 * CTNL_TRACE=1 traces the handle to standard error (ctnl_ct_set_trace()),
 * read as the handle takes its socket. secure_getenv(): a set-user-ID
 * program's caller must not read the table through its standard error.
 * A socket handle that cannot trace (a fake) stays as it is.
 */
static void trace_from_env(struct ctnl_sock *sock)
{
	const char *value = secure_getenv("CTNL_TRACE");

	if (value && strcmp(value, "1") == 0)
		(void)ctnl_sock_set_trace(sock, ctnl_trace_print, NULL);
}

int ctnl_ct_new(struct ctnl_sock *sock, struct ctnl_ct **ret)
{
	struct ct_handle *h;

	if (!sock || !ret)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->sock = sock;
	h->timeout_ms = -1;
	h->iface.ops = &ct_ops;
	h->iface.ctx = h;
	trace_from_env(sock);
	*ret = &h->iface;
	return 0;
}

int ctnl_ct_open(const struct ctnl_syscalls *sys,
		 const struct ctnl_sock_config *config, struct ctnl_ct **ret)
{
	struct ctnl_sock *sock;
	int err;

	if (!ret)
		return -EINVAL;
	err = ctnl_sock_open(sys, config, &sock);
	if (err)
		return err;
	err = ctnl_ct_new(sock, ret);
	if (err)
		ctnl_sock_close(sock);
	return err;
}

int ctnl_ct_open_netns(const struct ctnl_syscalls *sys, const char *netns,
		       struct ctnl_ct **ret)
{
	struct ctnl_sock_config config = { .size = sizeof(config) };

	if (!netns)
		return -EINVAL;
	/* A name as `ip netns` gives it, or a path: the socket layer checks
	 * the name and maps it to its file. */
	if (strchr(netns, '/'))
		config.netns_path = netns;
	else
		config.netns_name = netns;
	return ctnl_ct_open(sys, &config, ret);
}

void ctnl_ct_close(struct ctnl_ct *ct)
{
	if (ct && CTNL_HAS_OP(ct->ops, destroy))
		ct->ops->destroy(ct->ctx);
}

int ctnl_ct_set_trace(struct ctnl_ct *ct, ctnl_trace_cb cb, void *data)
{
	if (!ct)
		return -EINVAL;
	return CTNL_CALL(ct, set_trace, cb, data);
}

const char *ctnl_ct_error_msg(struct ctnl_ct *ct)
{
	if (!ct || !CTNL_HAS_OP(ct->ops, error_msg))
		return NULL;
	return ct->ops->error_msg(ct->ctx);
}

/* ---- Dispatch: a NULL handle is -EINVAL, a missing slot -ENOSYS ---- */

#define DISPATCH(ct, slot, ...)                                              \
	((ct) == NULL ? -EINVAL : CTNL_CALL(ct, slot, __VA_ARGS__))

int ctnl_ct_dump(struct ctnl_ct *ct, const struct ctnl_filter *filter,
		 ctnl_flow_cb cb, void *data, struct ctnl_dump_info *info)
{
	return DISPATCH(ct, dump, filter, cb, data, info);
}

int ctnl_ct_dump_expect(struct ctnl_ct *ct, uint8_t family, ctnl_expect_cb cb,
			void *data)
{
	return DISPATCH(ct, dump_expect, family, cb, data);
}

int ctnl_ct_get(struct ctnl_ct *ct, const struct ctnl_flow *key,
		struct ctnl_flow *out)
{
	return DISPATCH(ct, get, key, out);
}

int ctnl_ct_create(struct ctnl_ct *ct, const struct ctnl_flow *flow)
{
	if (!flow)
		return -EINVAL;
	return DISPATCH(ct, create, flow);
}

int ctnl_ct_update(struct ctnl_ct *ct, const struct ctnl_flow *key,
		   const struct ctnl_change *change)
{
	if (!key || !change)
		return -EINVAL;
	return DISPATCH(ct, update, key, change);
}

int ctnl_ct_delete(struct ctnl_ct *ct, const struct ctnl_flow *key)
{
	if (!key)
		return -EINVAL;
	return DISPATCH(ct, del, key);
}

int ctnl_ct_batch(struct ctnl_ct *ct, enum ctnl_op op,
		  const struct ctnl_flow *flows, size_t count,
		  const struct ctnl_change *changes, size_t nchanges,
		  int *results)
{
	return DISPATCH(ct, batch, op, flows, count, changes, nchanges,
			results);
}

int ctnl_ct_flush(struct ctnl_ct *ct, enum ctnl_table table, uint8_t family)
{
	return DISPATCH(ct, flush, table, family);
}

int ctnl_ct_update_matching(struct ctnl_ct *ct,
			    const struct ctnl_filter *filter,
			    const struct ctnl_change *change,
			    struct ctnl_dump_info *info)
{
	return DISPATCH(ct, update_matching, filter, change, info);
}

int ctnl_ct_delete_matching(struct ctnl_ct *ct,
			    const struct ctnl_filter *filter,
			    struct ctnl_dump_info *info)
{
	return DISPATCH(ct, delete_matching, filter, info);
}

int ctnl_ct_delete_if(struct ctnl_ct *ct, const struct ctnl_filter *filter,
		      ctnl_flow_pred pred, void *data,
		      struct ctnl_delete_stats *stats)
{
	if (stats)
		memset(stats, 0, sizeof(*stats));
	return DISPATCH(ct, delete_if, filter, pred, data, stats);
}

int ctnl_ct_set_timeout(struct ctnl_ct *ct, int timeout_ms)
{
	if (timeout_ms < -1)
		return -EINVAL;
	return DISPATCH(ct, set_option, CTNL_CT_OPT_TIMEOUT, timeout_ms);
}

int ctnl_ct_set_dump_retries(struct ctnl_ct *ct, unsigned int max)
{
	if (max > CTNL_DUMP_RETRIES_MAX)
		return -EINVAL;
	return DISPATCH(ct, set_option, CTNL_CT_OPT_DUMP_RETRIES, (int)max);
}

unsigned int ctnl__ct_dump_retries(struct ctnl_ct *ct)
{
	int v = 0;

	if (!ct ||
	    CTNL_CALL(ct, get_option, CTNL_CT_OPT_DUMP_RETRIES, &v) < 0 ||
	    v < 0)
		return 0;
	return (unsigned int)v;
}

int ctnl_ct_stats(struct ctnl_ct *ct, enum ctnl_table table,
		  struct ctnl_stats *out)
{
	return DISPATCH(ct, stats, table, out);
}

int ctnl_ct_stats_cpu(struct ctnl_ct *ct, struct ctnl_cpu_stats *out,
		      size_t max)
{
	return DISPATCH(ct, stats_cpu, out, max);
}

int ctnl_ct_get_expect(struct ctnl_ct *ct, const struct ctnl_expect *key,
		       struct ctnl_expect *out)
{
	return DISPATCH(ct, get_expect, key, out);
}

int ctnl_ct_create_expect(struct ctnl_ct *ct, const struct ctnl_expect *exp)
{
	return DISPATCH(ct, create_expect, exp);
}

int ctnl_ct_delete_expect(struct ctnl_ct *ct, const struct ctnl_expect *key)
{
	return DISPATCH(ct, del_expect, key);
}

int ctnl_ct_subscribe(struct ctnl_ct *ct, unsigned int events)
{
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = events };

	return DISPATCH(ct, subscribe, &cfg);
}

int ctnl_ct_subscribe_config(struct ctnl_ct *ct,
			     const struct ctnl_events_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	return DISPATCH(ct, subscribe, cfg);
}

int ctnl_ct_event_fd(struct ctnl_ct *ct)
{
	if (!ct)
		return -EINVAL;
	return CTNL_HAS_OP(ct->ops, event_fd) ? ct->ops->event_fd(ct->ctx)
					      : -ENOSYS;
}

int ctnl_ct_event_read(struct ctnl_ct *ct, ctnl_event_cb cb, void *data)
{
	return DISPATCH(ct, event_read, cb, data);
}

int ctnl_ct_event_wait(struct ctnl_ct *ct, int timeout_ms)
{
	return DISPATCH(ct, event_wait, timeout_ms);
}

int ctnl_ct_event_info(struct ctnl_ct *ct, struct ctnl_event_info *out)
{
	if (!out)
		return -EINVAL;
	return DISPATCH(ct, event_info, out);
}
