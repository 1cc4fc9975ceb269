/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Changing or deleting every entry that passes a filter.
 *
 * A kernel-filtered dump reads the matching entries and batched requests
 * name each by tuple and id: exact, and measured the fastest way to a
 * count. A caller who needs no count may let one filtered flush delete,
 * where the kernel applies every criterion. Updating is always the first
 * way: the kernel has no filtered update.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

#define TUPLE_MATCHES (CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_SRC |             \
		       CTNL_MATCH_ORIG_DST | CTNL_MATCH_ORIG_SPORT |         \
		       CTNL_MATCH_ORIG_DPORT | CTNL_MATCH_REPLY_SRC |        \
		       CTNL_MATCH_REPLY_DST | CTNL_MATCH_REPLY_SPORT |       \
		       CTNL_MATCH_REPLY_DPORT)

/*
 * Whether the kernel's flush takes a tuple filter (CTA_FILTER), learnt
 * once per handle. A kernel that does not reads the tuple as the one
 * entry to delete and refuses this probe's partial tuple with -EINVAL; one
 * that does flushes what matches it: nothing, as no entry in the table is
 * a template (and protocol 255 is reserved besides).
 */
static int learn_flush_tuple_filter(struct ct_handle *h)
{
	static const struct ctnl_filter probe = {
		.family = AF_INET,
		.match = CTNL_MATCH_PROTO | CTNL_MATCH_STATUS,
		.proto = 255,
		.status = CTNL_STATUS_TEMPLATE,
		.status_mask = CTNL_STATUS_TEMPLATE,
	};
	int ret;

	if (h->flush_tuple_filter)
		return 0;
	ret = ct_send(h, ctnl_build_flush_filtered(h->req, sizeof(h->req),
						   &probe));
	if (ret == 0)
		h->flush_tuple_filter = 1;
	else if (ret == -EINVAL)
		h->flush_tuple_filter = -1;
	else
		return ret;
	return 0;
}

static int ignore_flow(const struct ctnl_flow *flow, void *data)
{
	(void)flow;
	(void)data;
	return CTNL_CB_OK;
}

/* Whether one filtered flush may delete what @f selects. */
static bool flush_can_do(const struct ctnl_filter *f)
{
	return (f->flags & CTNL_FILTER_UNCOUNTED) &&
	       !(f->flags & CTNL_FILTER_USERSPACE) &&
	       filter_kernel_part(f) == f->match;
}

/*
 * Whether this kernel applies every criterion of @f: seen once per handle
 * for each new criterion, with a kernel-filtered dump (older kernels
 * ignore unknown filter attributes silently, and a flush would then
 * delete too much).
 */
static int kernel_applies(struct ct_handle *h, const struct ctnl_filter *f,
			  struct ctnl_dump_info *info)
{
	int ret;

	if (f->match & TUPLE_MATCHES) {
		ret = learn_flush_tuple_filter(h);
		if (ret < 0)
			return ret;
		if (h->flush_tuple_filter < 0)
			return 0;
	}
	if ((f->match & ~h->flush_verified) == 0)
		return 1;
	ret = ct_dump(h, f, ignore_flow, NULL, info);
	if (ret < 0)
		return ret;
	if (info->kernel != f->match)
		return 0;
	h->flush_verified |= f->match;
	return 1;
}

/* Deletes with one filtered flush, uncounted; -EOPNOTSUPP (nothing
 * deleted) when this kernel cannot apply every criterion to it. */
static int flush_matching(struct ct_handle *h, const struct ctnl_filter *f,
			  struct ctnl_dump_info *info)
{
	int ret = kernel_applies(h, f, info);

	if (ret <= 0)
		return ret < 0 ? ret : -EOPNOTSUPP;
	ct_begin_op(h);
	ret = ct_send(h, ctnl_build_flush_filtered(h->req, sizeof(h->req), f));
	if (ret < 0)
		return ret;
	*info = (struct ctnl_dump_info){ .kernel = f->match,
					 .kernel_flush = true };
	return 0;
}

/*
 * The result of a batch over entries a dump found. An entry gone since
 * the dump (-ENOENT) no longer matches anything: not counted, no error.
 * Any other refusal is the result, once every entry was tried.
 */
static int batch_outcome(const int *results, size_t count, int accepted)
{
	for (size_t i = 0; i < count; i++)
		if (results[i] < 0 && results[i] != -ENOENT)
			return results[i];
	return accepted;
}

/* Reads the entries @f selects (each once) and applies @op to each. */
static int batch_matching(struct ct_handle *h, enum ctnl_op op,
			  const struct ctnl_filter *f,
			  const struct ctnl_change *change,
			  struct ctnl_dump_info *info)
{
	struct ctnl_list list;
	int *results, ret;

	ret = ctnl_ct_list_filtered(&h->iface, f, CTNL_LIST_DEDUP, &list);
	if (ret < 0)
		return ret;
	*info = list.info;
	if (list.count == 0) {
		ctnl_list_free(&list);
		return 0;
	}
	results = malloc(list.count * sizeof(*results));
	if (!results) {
		ctnl_list_free(&list);
		return -ENOMEM;
	}
	/* The dumped entries are keys as they are: original tuple, zone
	 * and id, so an entry re-created meanwhile is left alone. */
	ret = ct_batch(h, op, list.flows, list.count, change, change ? 1 : 0,
		       results);
	if (ret >= 0)
		ret = batch_outcome(results, list.count, ret);
	free(results);
	ctnl_list_free(&list);
	return ret;
}

/* A NULL filter selects every entry. */
static const struct ctnl_filter *filter_or_all(const struct ctnl_filter *f)
{
	static const struct ctnl_filter all;

	return f ? f : &all;
}

int ct_delete_matching(void *ctx, const struct ctnl_filter *filter,
		       struct ctnl_dump_info *info)
{
	struct ct_handle *h = ctx;
	struct ctnl_dump_info ignored;
	int ret;

	filter = filter_or_all(filter);
	if (!info)
		info = &ignored;
	ret = filter_check(filter);
	if (ret < 0)
		return ret;
	if (flush_can_do(filter)) {
		ret = flush_matching(h, filter, info);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	return batch_matching(h, CTNL_OP_DELETE, filter, NULL, info);
}

int ct_update_matching(void *ctx, const struct ctnl_filter *filter,
		       const struct ctnl_change *change,
		       struct ctnl_dump_info *info)
{
	struct ct_handle *h = ctx;
	struct ctnl_dump_info ignored;
	int ret;

	filter = filter_or_all(filter);
	if (!info)
		info = &ignored;
	ret = filter_check(filter);
	if (ret == 0)
		ret = change_check(change);
	if (ret < 0)
		return ret;
	return batch_matching(h, CTNL_OP_UPDATE, filter, change, info);
}
