/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lists: a table read into one growing array, over any implementation's
 * dump slots. The array doubles as it fills, so reading n entries costs
 * O(log n) allocations, none per entry.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LIST_FIRST_CAPACITY 256

/* Makes room for one more element of @size in *@items. */
static int reserve_one(void **items, size_t *capacity, size_t count,
		       size_t size)
{
	size_t cap;
	void *p;

	if (count < *capacity)
		return 0;
	cap = *capacity ? *capacity * 2 : LIST_FIRST_CAPACITY;
	p = reallocarray(*items, cap, size);	/* checks cap * size */
	if (!p)
		return -ENOMEM;
	*items = p;
	*capacity = cap;
	return 0;
}

static int append_flow(const struct ctnl_flow *flow, void *data)
{
	struct ctnl_list *l = data;
	int err = reserve_one((void **)&l->flows, &l->capacity, l->count,
			      sizeof(*l->flows));

	if (err)
		return err;
	l->flows[l->count++] = *flow;
	return CTNL_CB_OK;
}

static int append_expect(const struct ctnl_expect *exp, void *data)
{
	struct ctnl_list *l = data;
	int err = reserve_one((void **)&l->expects, &l->capacity, l->count,
			      sizeof(*l->expects));

	if (err)
		return err;
	l->expects[l->count++] = *exp;
	return CTNL_CB_OK;
}

struct id_pos {
	uint32_t id;
	size_t pos;
};

static int by_id_then_pos(const void *a, const void *b)
{
	const struct id_pos *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Whether a later copy of flows[ids[i].pos] follows in its run of equal
 * ids: an entry is one id and one original tuple. Ids are 32-bit hashes,
 * so distinct entries of a large table share some (a table of 200,000
 * entries had 9 such pairs on 6.18): both are kept. */
static bool later_copy(const struct ctnl_list *l, const struct id_pos *ids,
		       size_t n, size_t i)
{
	for (size_t j = i + 1; j < n && ids[j].id == ids[i].id; j++)
		if (ctnl__tuple_equal(&l->flows[ids[j].pos].orig,
				      &l->flows[ids[i].pos].orig))
			return true;
	return false;
}

/*
 * A dump resumes by hash bucket, so an entry that moves while the table is
 * read can come twice. Keeps the last copy of each entry (the fresher
 * one), in dump order; entries without an id are kept. Returns how many
 * went.
 */
static int dedup_by_id(struct ctnl_list *l, uint64_t *dropped)
{
	struct id_pos *ids;
	bool *drop;
	size_t n = 0, out = 0;

	ids = malloc(l->count * sizeof(*ids) + 1);
	drop = calloc(l->count + 1, sizeof(*drop));
	if (!ids || !drop) {
		free(ids);
		free(drop);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->count; i++)
		if (l->flows[i].attrs & CTNL_ATTR_ID)
			ids[n++] = (struct id_pos){ l->flows[i].id, i };
	qsort(ids, n, sizeof(*ids), by_id_then_pos);
	for (size_t i = 0; i + 1 < n; i++)
		if (later_copy(l, ids, n, i))
			drop[ids[i].pos] = true;
	for (size_t i = 0; i < l->count; i++)
		if (!drop[i])
			l->flows[out++] = l->flows[i];
	*dropped = l->count - out;
	l->count = out;
	free(ids);
	free(drop);
	return 0;
}

/* Dumps into @l again, from empty, while the kernel flags the dump
 * inconsistent and the handle's policy allows (ctnl_ct_set_dump_retries()):
 * what an interrupted dump read is thrown away, the array kept. */
static int dump_flows(struct ctnl_ct *ct, const struct ctnl_filter *filter,
		      struct ctnl_list *l)
{
	unsigned int max = ctnl__ct_dump_retries(ct);
	uint32_t retries = 0;
	int ret;

	for (;; retries++) {
		l->count = 0;
		ret = ctnl_ct_dump(ct, filter, append_flow, l, &l->info);
		if (ret < 0 || !l->info.interrupted || retries == max)
			break;
	}
	l->info.retries = retries;
	return ret;
}

static int dump_expects(struct ctnl_ct *ct, uint8_t family,
			struct ctnl_list *l)
{
	unsigned int max = ctnl__ct_dump_retries(ct);
	int ret;

	for (;; l->info.retries++) {
		l->count = 0;
		ret = ctnl_ct_dump_expect(ct, family, append_expect, l);
		/* -EINTR: complete, but the table changed meanwhile. */
		l->info.interrupted = ret == -EINTR;
		if (ret != -EINTR)
			return ret;
		if (l->info.retries == max)
			return 0;
	}
}

int ctnl_ct_list_filtered(struct ctnl_ct *ct, const struct ctnl_filter *filter,
			  unsigned int flags, struct ctnl_list *out)
{
	struct ctnl_list l = { .table = CTNL_TABLE_CONNTRACK };
	int ret;

	if (!out || (flags & ~CTNL_LIST_DEDUP))
		return -EINVAL;
	ret = dump_flows(ct, filter, &l);
	if (ret >= 0 && (flags & CTNL_LIST_DEDUP))
		ret = dedup_by_id(&l, &l.info.duplicates);
	if (ret < 0) {
		free(l.flows);
		return ret;
	}
	*out = l;
	return l.count > INT_MAX ? INT_MAX : (int)l.count;
}

int ctnl_ct_list(struct ctnl_ct *ct, enum ctnl_table table, uint8_t family,
		 struct ctnl_list *out)
{
	struct ctnl_filter filter = { .family = family };
	struct ctnl_list l = { .table = CTNL_TABLE_EXPECT };
	int ret;

	if (table == CTNL_TABLE_CONNTRACK)
		return ctnl_ct_list_filtered(ct, &filter, 0, out);
	if (table != CTNL_TABLE_EXPECT || !out)
		return -EINVAL;
	ret = dump_expects(ct, family, &l);
	if (ret < 0) {
		free(l.expects);
		return ret;
	}
	l.info.received = l.info.matched = l.count;
	*out = l;
	return l.count > INT_MAX ? INT_MAX : (int)l.count;
}

void ctnl_list_free(struct ctnl_list *list)
{
	if (!list)
		return;
	free(list->flows);
	free(list->expects);
	memset(list, 0, sizeof(*list));
}
