/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default conntrack handle's operations: each builds its request into
 * the handle's buffer and hands it to the socket handle.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct nlmsghdr *ctnl__ct_req(struct ct_handle *h)
{
	return (struct nlmsghdr *)(void *)h->req;
}

int ctnl__ct_send(struct ct_handle *h, int built)
{
	if (built < 0)
		return built;
	return ctnl_sock_request(h->sock, ctnl__ct_req(h), NULL, NULL);
}

void ctnl__ct_begin_op(struct ct_handle *h)
{
	h->has_errmsg = false;
}

/* ---- Dumps ---- */

struct dump_state {
	const struct ctnl_filter *filter;
	uint32_t kernel;	/* criteria the kernel was asked to apply */
	uint32_t ignored;	/* ... that an entry it sent failed */
	uint64_t received;
	uint64_t matched;
	ctnl_flow_cb cb;
	void *data;
	struct ctnl_flow flow;	/* one entry at a time: constant memory */
};

static int dump_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_state *d = arg;
	uint32_t bad;
	int err;

	err = ctnl_flow_parse(nlh, &d->flow);
	if (err)
		return err == -EPROTO ? -EBADMSG : err;
	d->received++;
	/* Re-checked even where the kernel filtered: kernels that predate
	 * a filter attribute ignore it without a word. */
	bad = d->filter ? ctnl__filter_mismatch(d->filter, &d->flow) : 0;
	if (bad) {
		d->ignored |= bad & d->kernel;
		return CTNL_CB_OK;
	}
	d->matched++;
	return d->cb(&d->flow, d->data);
}

int ctnl__ct_dump(void *ctx, const struct ctnl_filter *filter, ctnl_flow_cb cb,
		  void *data, struct ctnl_dump_info *info)
{
	struct ct_handle *h = ctx;
	struct dump_state d = { .filter = filter, .cb = cb, .data = data };
	bool interrupted = false;
	int ret;

	if (!cb)
		return -EINVAL;
	ctnl__ct_begin_op(h);
	ret = ctnl_build_dump(h->req, sizeof(h->req), filter);
	if (ret < 0)
		return ret;
	d.kernel = filter ? ctnl__filter_kernel_part(filter) : 0;
	/* A filter with no criteria passes every entry: skip matching each
	 * one (a list of every family asks exactly this). */
	if (filter && filter->match == 0 && filter->family == 0)
		d.filter = NULL;
	ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), dump_msg, &d);
	if (ret == -EINTR) {
		interrupted = true;
		ret = 0;
	}
	if (info) {
		*info = (struct ctnl_dump_info){
			.kernel = d.kernel & ~d.ignored,
			.user = filter ? filter->match & ~(d.kernel & ~d.ignored)
				       : 0,
			.received = d.received,
			.matched = d.matched,
			.interrupted = interrupted,
		};
	}
	if (ret < 0)
		return ret;
	return d.matched > INT_MAX ? INT_MAX : (int)d.matched;
}

struct dump_expect_state {
	ctnl_expect_cb cb;
	void *data;
	uint64_t count;
	uint8_t family;
	struct ctnl_expect exp;
};

static int dump_expect_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_expect_state *d = arg;
	int err = ctnl_expect_parse(nlh, &d->exp);

	if (err)
		return err == -EPROTO ? -EBADMSG : err;
	if (d->family && d->exp.tuple.family != d->family)
		return CTNL_CB_OK;
	d->count++;
	return d->cb(&d->exp, d->data);
}

int ctnl__ct_dump_expect(void *ctx, uint8_t family, ctnl_expect_cb cb,
			 void *data)
{
	struct ct_handle *h = ctx;
	struct dump_expect_state d = { .cb = cb, .data = data,
				       .family = family };
	int ret;

	if (!cb)
		return -EINVAL;
	ctnl__ct_begin_op(h);
	ret = ctnl_build_dump_expect(h->req, sizeof(h->req), family);
	if (ret < 0)
		return ret;
	/* -EINTR (NLM_F_DUMP_INTR) goes to the caller, who has every entry
	 * already: there is no dump info here to carry it. */
	ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), dump_expect_msg, &d);
	if (ret < 0)
		return ret;
	return d.count > INT_MAX ? INT_MAX : (int)d.count;
}

/* ---- One entry ---- */

struct get_state {
	struct ctnl_flow flow;
	int replies;
};

static int get_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct get_state *g = arg;
	int err;

	/* One request, one entry. */
	if (g->replies++)
		return -EBADMSG;
	err = ctnl_flow_parse(nlh, &g->flow);
	return err == -EPROTO ? -EBADMSG : err;
}

int ctnl__ct_get(void *ctx, const struct ctnl_flow *key, struct ctnl_flow *out)
{
	struct ct_handle *h = ctx;
	struct get_state g = { .replies = 0 };
	int ret;

	if (!out)
		return -EINVAL;
	ctnl__ct_begin_op(h);
	ret = ctnl_build_get(h->req, sizeof(h->req), key);
	if (ret < 0)
		return ret;
	ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), get_msg, &g);
	if (ret < 0)
		return ret;
	if (g.replies == 0)
		return -EBADMSG;
	/* The kernel ignores CTA_ID on a get (it checks it on a delete):
	 * an entry with another id is not the one the key names. */
	if ((key->attrs & CTNL_ATTR_ID) &&
	    (!(g.flow.attrs & CTNL_ATTR_ID) || g.flow.id != key->id))
		return -ENOENT;
	*out = g.flow;
	return 0;
}

static bool labels_empty(const struct ctnl_labels *l)
{
	for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
		if (l->words[i])
			return false;
	return true;
}

/*
 * The kernel creates an entry without its labels, silently, in a namespace
 * whose ruleset uses no labels. Read the entry back: if its labels did not
 * stick, remove it again and say why, so a create either happens whole or
 * not at all.
 */
static int check_labels_stuck(struct ct_handle *h, const struct ctnl_flow *flow)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = flow->orig };
	struct ctnl_flow got;
	int ret;

	ret = ctnl__ct_get(h, &key, &got);
	if (ret < 0)
		return ret;
	if ((got.attrs & CTNL_ATTR_LABELS) &&
	    !memcmp(&got.labels, &flow->labels, sizeof(got.labels)))
		return 0;
	key.attrs |= CTNL_ATTR_ID;
	key.id = got.id;
	ctnl__ct_send(h, ctnl_build_delete(h->req, sizeof(h->req), &key));
	ctnl__ct_explain_labels(h);
	return -ENOSPC;
}

int ctnl__ct_create(void *ctx, const struct ctnl_flow *flow)
{
	struct ct_handle *h = ctx;
	int ret;

	ctnl__ct_begin_op(h);
	ret = ctnl__ct_send(h, ctnl_build_create(h->req, sizeof(h->req), flow));
	if (ret < 0)
		return ret;
	if ((flow->attrs & CTNL_ATTR_LABELS) && !labels_empty(&flow->labels))
		return check_labels_stuck(h, flow);
	return 0;
}

int ctnl__ct_update(void *ctx, const struct ctnl_flow *key,
		    const struct ctnl_change *change)
{
	struct ct_handle *h = ctx;
	int ret;

	ctnl__ct_begin_op(h);
	ret = ctnl__ct_send(h, ctnl_build_update(h->req, sizeof(h->req), key,
						change));
	if (ret == -ENOSPC && (change->attrs & CTNL_ATTR_LABELS))
		ctnl__ct_explain_labels(h);
	return ret;
}

int ctnl__ct_del(void *ctx, const struct ctnl_flow *key)
{
	struct ct_handle *h = ctx;

	ctnl__ct_begin_op(h);
	return ctnl__ct_send(h, ctnl_build_delete(h->req, sizeof(h->req), key));
}

int ctnl__ct_flush(void *ctx, enum ctnl_table table, uint8_t family)
{
	struct ct_handle *h = ctx;

	ctnl__ct_begin_op(h);
	return ctnl__ct_send(h, ctnl_build_flush(h->req, sizeof(h->req), table,
						family));
}

/* ---- Batches ---- */

/* @op is one ctnl__build_check() accepted. */
static int build_item(enum ctnl_op op, void *buf, size_t size,
		      const struct ctnl_flow *flow,
		      const struct ctnl_change *change)
{
	if (op == CTNL_OP_CREATE)
		return ctnl_build_create(buf, size, flow);
	if (op == CTNL_OP_UPDATE)
		return ctnl_build_update(buf, size, flow, change);
	return ctnl_build_delete(buf, size, flow);
}

static const struct ctnl_change *item_change(const struct ctnl_change *changes,
					     size_t nchanges, size_t i)
{
	return changes ? &changes[nchanges == 1 ? 0 : i] : NULL;
}

/*
 * Created entries whose labels did not stick are undone and reported
 * -ENOSPC, as ctnl_ct_create() does. Returns how many were undone.
 */
static int check_batch_labels(struct ct_handle *h,
			      const struct ctnl_flow *flows, size_t count,
			      int *results)
{
	int undone = 0;

	for (size_t i = 0; i < count; i++) {
		if (results[i] != 0 || !(flows[i].attrs & CTNL_ATTR_LABELS) ||
		    labels_empty(&flows[i].labels))
			continue;
		results[i] = check_labels_stuck(h, &flows[i]);
		undone += results[i] != 0;
	}
	return undone;
}

/* Every item is checked before anything is sent: a batch with a bad item
 * changes nothing. */
static int check_batch(enum ctnl_op op, const struct ctnl_flow *flows,
		       size_t count, const struct ctnl_change *changes,
		       size_t nchanges)
{
	if (op == CTNL_OP_UPDATE &&
	    (!changes || (nchanges != 1 && nchanges != count)))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		int ret = ctnl__build_check(op, &flows[i],
					    item_change(changes, nchanges, i));

		if (ret < 0)
			return ret;
	}
	return 0;
}

int ctnl__ct_batch(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
		   size_t count, const struct ctnl_change *changes,
		   size_t nchanges, int *results)
{
	struct ct_handle *h = ctx;
	int ret, accepted = 0;
	size_t i = 0;

	if (!flows || !results || count == 0 || count > INT_MAX)
		return -EINVAL;
	ctnl__ct_begin_op(h);
	ret = check_batch(op, flows, count, changes, nchanges);
	if (ret < 0)
		return ret;
	if (!h->batch) {
		h->batch = malloc(CT_BATCH_BYTES);
		if (!h->batch)
			return -ENOMEM;
	}

	while (i < count) {
		size_t first = i, off = 0;

		/* As many whole requests as the buffer holds (at least one:
		 * any request fits CT_REQ_MAX), then off to the socket. */
		for (; i < count; i++) {
			ret = build_item(op, h->batch + off,
					 CT_BATCH_BYTES - off, &flows[i],
					 item_change(changes, nchanges, i));
			if (ret < 0)
				break;
			off += NLMSG_ALIGN((size_t)ret);
		}
		ret = ctnl_sock_batch(h->sock, h->batch, off, results + first,
				      i - first);
		if (ret < 0) {
			for (size_t j = i; j < count; j++)
				results[j] = ret;
			return ret;
		}
		accepted += ret;
	}
	if (op == CTNL_OP_CREATE)
		accepted -= check_batch_labels(h, flows, count, results);
	if (op == CTNL_OP_UPDATE)
		for (size_t j = 0; j < count; j++)
			if (results[j] == -ENOSPC &&
			    (item_change(changes, nchanges, j)->attrs &
			     CTNL_ATTR_LABELS))
				ctnl__ct_explain_labels(h);
	return accepted;
}
