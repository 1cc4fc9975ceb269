/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Changing or deleting every entry that passes a filter.
 *
 * Deleting: where the kernel applies every criterion, one filtered flush
 * does it (the kernel walks its table once and nothing crosses the socket
 * per entry), counted by a kernel-filtered dump just before. Otherwise, or
 * when the caller wants an exact count, a dump reads the matching entries
 * and batched deletes name each by tuple and id. Updating is always the
 * second way: the kernel has no filtered update.
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

static int count_flow(const struct ctnl_flow *flow, void *data)
{
	(void)flow;
	(void)data;
	return CTNL_CB_OK;
}

/* Whether one filtered flush can delete exactly what @f selects. */
static bool flush_can_do(const struct ctnl_filter *f)
{
	const uint32_t one_by_one = CTNL_FILTER_USERSPACE |
				    CTNL_FILTER_EXACT_COUNT;

	return !(f->flags & one_by_one) && filter_kernel_part(f) == f->match;
}

/*
 * Counts with a kernel-filtered dump, then deletes with a filtered flush.
 * -EOPNOTSUPP (nothing deleted) when this kernel turns out unable to
 * apply every criterion to a flush.
 */
static int flush_matching(struct ct_handle *h, const struct ctnl_filter *f,
			  struct ctnl_dump_info *info)
{
	int count, ret;

	if (f->match & TUPLE_MATCHES) {
		ret = learn_flush_tuple_filter(h);
		if (ret < 0)
			return ret;
		if (h->flush_tuple_filter < 0)
			return -EOPNOTSUPP;
	}
	count = ct_dump(h, f, count_flow, NULL, info);
	if (count < 0)
		return count;
	/* A kernel that ignores a criterion in a dump (older kernels do,
	 * silently) ignores it in a flush as well. */
	if (info->kernel != f->match)
		return -EOPNOTSUPP;
	ct_begin_op(h);
	ret = ct_send(h, ctnl_build_flush_filtered(h->req, sizeof(h->req), f));
	if (ret < 0)
		return ret;
	info->kernel_flush = true;
	return count;
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

int ct_delete_matching(void *ctx, const struct ctnl_filter *filter,
		       struct ctnl_dump_info *info)
{
	static const struct ctnl_filter all;
	struct ct_handle *h = ctx;
	struct ctnl_dump_info ignored;
	int ret;

	if (!filter)
		filter = &all;
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
	static const struct ctnl_filter all;
	struct ct_handle *h = ctx;
	struct ctnl_dump_info ignored;
	int ret;

	if (!filter)
		filter = &all;
	if (!info)
		info = &ignored;
	ret = filter_check(filter);
	if (ret == 0)
		ret = change_check(change);
	if (ret < 0)
		return ret;
	return batch_matching(h, CTNL_OP_UPDATE, filter, change, info);
}
