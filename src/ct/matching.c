/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Changing or deleting every entry that passes a filter.
 *
 * A kernel-filtered dump reads the matching entries and batched requests
 * name each by tuple and id: exact, and measured the fastest way to a
 * count (deleting is delete_if.c's pass, choosing every entry). A caller
 * who needs no count may let one filtered flush delete, where the kernel
 * applies every criterion. Updating is always the first way: the kernel
 * has no filtered update.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/*
 * Whether this kernel's flush applies every criterion a filter can hand
 * it, learnt once per handle. Flushes learnt their criteria one at a time
 * (the mark, then the family, the status and the zone) and the tuple
 * criteria, under CTA_FILTER, last: in Linux 6.12. A kernel ignores the
 * attributes it does not know, and a flush that ignores one deletes every
 * entry, so no criterion can be tried on its own; nor can a dump vouch
 * for a flush, as dumps applied the mark long before flushes did. This
 * probe is safe on every kernel: one whose flush takes CTA_FILTER deletes
 * what matches it, nothing (protocol 255 is reserved, and templates are
 * not in the table); an older one reads its tuple as the one entry to
 * delete and refuses it, partial, with -EINVAL.
 */
static int learn_flush_filters(struct ct_handle *h)
{
	static const struct ctnl_filter probe = {
		.family = AF_INET,
		.match = CTNL_MATCH_PROTO | CTNL_MATCH_STATUS,
		.proto = 255,
		.status = CTNL_STATUS_TEMPLATE,
		.status_mask = CTNL_STATUS_TEMPLATE,
	};
	int ret;

	if (h->flush_filters)
		return 0;
	ret = ctnl__ct_send(h, ctnl_build_flush_filtered(h->req, sizeof(h->req),
							 &probe));
	if (ret == 0)
		h->flush_filters = 1;
	else if (ret == -EINVAL)
		h->flush_filters = -1;
	else
		return ret;
	return 0;
}

/* Whether one filtered flush may delete what @f selects. */
static bool flush_can_do(const struct ctnl_filter *f)
{
	return (f->flags & CTNL_FILTER_UNCOUNTED) &&
	       !(f->flags & CTNL_FILTER_USERSPACE) &&
	       ctnl__filter_kernel_part(f) == f->match;
}

/* Deletes with one filtered flush, uncounted; -EOPNOTSUPP (nothing
 * deleted) when this kernel's flush cannot apply @f. */
static int flush_matching(struct ct_handle *h, const struct ctnl_filter *f,
			  struct ctnl_dump_info *info)
{
	int ret;

	/* No criteria, no family: the plain flush, which every kernel
	 * knows. */
	if (f->match || f->family) {
		ret = learn_flush_filters(h);
		if (ret < 0)
			return ret;
		if (h->flush_filters < 0)
			return -EOPNOTSUPP;
	}
	ctnl__ct_begin_op(h);
	ret = ctnl__ct_send(h, ctnl_build_flush_filtered(h->req,
							 sizeof(h->req), f));
	if (ret < 0)
		return ret;
	*info = (struct ctnl_dump_info){ .kernel = f->match,
					 .kernel_flush = true };
	return 0;
}

/*
 * The result of a batch over entries a dump found. An entry gone since
 * the dump (-ENOENT) no longer matches anything: not counted, no error,
 * but told in info->gone. Any other refusal is the result, once every
 * entry was tried.
 */
static int batch_outcome(const int *results, size_t count, int accepted,
			 struct ctnl_dump_info *info)
{
	int ret = accepted;

	for (size_t i = 0; i < count; i++) {
		info->gone += results[i] == -ENOENT;
		if (results[i] < 0 && results[i] != -ENOENT && ret == accepted)
			ret = results[i];
	}
	return ret;
}

/*
 * Reads the entries @f selects and updates each. A dump can hand an entry
 * over twice (it resumes by hash bucket, and a resize moves entries): the
 * list is de-duplicated first, so each is counted once. (A delete needs
 * no such care: the second copy's delete finds nothing, -ENOENT.)
 */
static int update_listed(struct ct_handle *h, const struct ctnl_filter *f,
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
	ret = ctnl__ct_batch(h, CTNL_OP_UPDATE, list.flows, list.count, change,
			     1, results);
	if (ret >= 0)
		ret = batch_outcome(results, list.count, ret, info);
	free(results);
	ctnl_list_free(&list);
	return ret;
}

const struct ctnl_filter *ctnl__filter_or_all(const struct ctnl_filter *f)
{
	static const struct ctnl_filter all;

	return f ? f : &all;
}

int ctnl__ct_delete_matching(void *ctx, const struct ctnl_filter *filter,
			     struct ctnl_dump_info *info)
{
	struct ct_handle *h = ctx;
	struct ctnl_dump_info ignored;
	struct ctnl_delete_stats st = { 0 };
	int ret;

	filter = ctnl__filter_or_all(filter);
	if (!info)
		info = &ignored;
	ret = ctnl__filter_check_table(filter);
	if (ret < 0)
		return ret;
	if (flush_can_do(filter)) {
		ret = flush_matching(h, filter, info);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	ctnl__ct_begin_op(h);
	return ctnl__ct_delete_pass(h, filter, NULL, NULL, &st, info);
}

int ctnl__ct_update_matching(void *ctx, const struct ctnl_filter *filter,
			     const struct ctnl_change *change,
			     struct ctnl_dump_info *info)
{
	struct ct_handle *h = ctx;
	struct ctnl_dump_info ignored;
	int ret;

	filter = ctnl__filter_or_all(filter);
	if (!info)
		info = &ignored;
	ret = ctnl__filter_check_table(filter);
	if (ret == 0)
		ret = ctnl__change_check(change);
	if (ret < 0)
		return ret;
	return update_listed(h, filter, change, info);
}
