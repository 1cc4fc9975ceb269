/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deleting what a predicate picks, in one pass and constant memory.
 *
 * A kernel-filtered dump is read on the handle's socket; each entry the
 * filter passes goes to the caller's predicate, and the delete of each one
 * it picks is built straight into the handle's batch buffer. When that
 * fills, it goes out on a second socket of the same namespace, opened on
 * first use and kept, while the rest of the dump waits in the first
 * socket's queue: the kernel builds the next part of a dump only when the
 * previous one has been read, and resumes it at the first entry it has
 * not sent, which none of these deletes can name. Nothing grows with the
 * table: one entry at a time, one buffer of requests, their results.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Deletes per batch call, at most; CT_BATCH_BYTES holds some 1,300. The
 * socket layer cuts them into datagrams its queues can answer. */
#define DELETE_BATCH_MAX 512

struct del_pass {
	struct ct_handle *h;
	struct ctnl_sock *peer;
	const struct ctnl_filter *filter;	/* NULL: nothing to re-check */
	uint32_t kernel;	/* criteria the kernel was asked to apply */
	uint32_t ignored;	/* ... that an entry it sent failed */
	ctnl_flow_pred pred;
	void *data;
	struct ctnl_delete_stats *st;
	size_t off, count;	/* requests waiting in h->batch */
	int refused;		/* the first refusal other than -ENOENT */
	int broken;		/* the peer failed: the pass is over */
	struct ctnl_flow flow;
	int results[DELETE_BATCH_MAX];
};

/* Counts one chosen entry's fate. @failure is the batch call's error, whose
 * value marks the results nobody knows. */
static void tally(struct del_pass *p, int result, int failure)
{
	if (result == 0) {
		p->st->deleted++;
	} else if (result == -ENOENT) {
		/* Gone since the dump read it: expired, deleted by someone
		 * else, re-created with another id, or read twice. */
		p->st->gone++;
	} else if (failure >= 0 || result != failure) {
		p->st->failed++;
		if (!p->refused)
			p->refused = result;
	}
}

/* The kernel's text for a refusal is the peer's until its next batch:
 * the handle keeps the first. */
static void keep_peer_errmsg(struct ct_handle *h)
{
	const char *msg = ctnl_sock_error_msg(h->peer);

	if (msg)
		ctnl__ct_set_errmsg(h, msg);
}

static int send_deletes(struct del_pass *p)
{
	bool refused = p->refused != 0;
	int ret;

	if (p->count == 0)
		return 0;
	ret = ctnl_sock_batch(p->peer, p->h->batch, p->off, p->results,
			      p->count);
	for (size_t i = 0; i < p->count; i++)
		tally(p, p->results[i], ret);
	if (!refused && p->refused)
		keep_peer_errmsg(p->h);
	p->off = p->count = 0;
	if (ret < 0)
		p->broken = ret;
	return ret < 0 ? ret : 0;
}

/* The delete of p->flow, by original tuple, zone and id, into the batch. */
static int queue_delete(struct del_pass *p)
{
	int ret;

	if (p->count == DELETE_BATCH_MAX || CT_BATCH_BYTES - p->off < CT_REQ_MAX) {
		ret = send_deletes(p);
		if (ret < 0)
			return ret;
	}
	ret = ctnl_build_delete(p->h->batch + p->off, CT_BATCH_BYTES - p->off,
				&p->flow);
	if (ret < 0) {
		/* An entry the kernel reported but no request can name. */
		tally(p, ret, 0);
		return CTNL_CB_OK;
	}
	p->off += NLMSG_ALIGN((size_t)ret);
	p->count++;
	return CTNL_CB_OK;
}

/* Whether the rest of the filter and the predicate choose p->flow: 1, 0,
 * or the predicate's error. */
static int choose(struct del_pass *p)
{
	uint32_t bad;
	int ret;

	bad = p->filter ? ctnl__filter_mismatch(p->filter, &p->flow) : 0;
	if (bad) {
		p->ignored |= bad & p->kernel;
		return 0;
	}
	ret = p->pred ? p->pred(&p->flow, p->data) : 1;
	if (ret > 0)
		p->st->matched++;
	return ret < 0 ? ret : ret > 0;
}

static int del_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct del_pass *p = arg;
	int ret = ctnl_flow_parse(nlh, &p->flow);

	if (ret)
		return ret == -EPROTO ? -EBADMSG : ret;
	p->st->seen++;
	ret = choose(p);
	return ret <= 0 ? ret : queue_delete(p);
}

static void close_peer(struct ct_handle *h)
{
	ctnl_sock_close(h->peer);
	h->peer = NULL;
}

/* The peer, opened when first needed, gets the deadline of the operation
 * that opens it (counted from then: opening it waits on nothing). */
static int open_peer(struct ct_handle *h)
{
	int ret;

	if (h->peer)
		return 0;
	ret = ctnl_sock_clone(h->sock, &h->peer);
	if (ret == 0)
		ret = ctnl__ct_arm(h, h->peer);
	if (ret < 0)
		close_peer(h);
	return ret;
}

/* One dump, deleting as it goes. */
static int run_pass(struct del_pass *p)
{
	struct ct_handle *h = p->h;
	int ret, sent;

	ret = ctnl_build_dump(h->req, sizeof(h->req), p->filter);
	if (ret >= 0)
		ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), del_msg, p);
	p->st->interrupted = ret == -EINTR;
	if (ret == -EINTR)	/* complete, but the table changed meanwhile */
		ret = 0;
	/* What was chosen goes, even when the dump failed after it. */
	sent = p->broken ? 0 : send_deletes(p);
	return ret < 0 ? ret : sent;
}

/* Passes until one is not interrupted, or the policy allows no more: a new
 * pass finds gone what the last one deleted; the counts add up. */
static int run_passes(struct del_pass *p)
{
	int ret;

	for (;;) {
		ret = run_pass(p);
		if (ret < 0 || !p->st->interrupted ||
		    p->st->retries == p->h->dump_retries)
			return ret;
		p->st->retries++;
	}
}

static void fill_info(const struct del_pass *p, const struct ctnl_filter *f,
		      struct ctnl_dump_info *info)
{
	uint32_t kernel = p->kernel & ~p->ignored;

	*info = (struct ctnl_dump_info){
		.kernel = kernel,
		.user = f->match & ~kernel,
		.received = p->st->seen,
		.matched = p->st->matched,
		.gone = p->st->gone,
		.retries = p->st->retries,
		.interrupted = p->st->interrupted,
	};
}

static int clamp_count(uint64_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

static int delete_after_dump(struct ct_handle *h,
			     const struct ctnl_filter *filter,
			     ctnl_flow_pred pred, void *data,
			     struct ctnl_delete_stats *st,
			     struct ctnl_dump_info *info);

/* The pass proper, over the peer socket. */
static int delete_while_dumping(struct ct_handle *h,
				const struct ctnl_filter *filter,
				ctnl_flow_pred pred, void *data,
				struct ctnl_delete_stats *st,
				struct ctnl_dump_info *info)
{
	struct del_pass p = { .h = h, .peer = h->peer, .filter = filter,
			      .kernel = ctnl__filter_kernel_part(filter),
			      .pred = pred, .data = data, .st = st };
	int ret;

	if (!h->batch) {
		h->batch = malloc(CT_BATCH_BYTES);
		if (!h->batch)
			return -ENOMEM;
	}
	/* A filter with no criteria passes every entry. */
	if (filter->match == 0 && filter->family == 0)
		p.filter = NULL;
	ret = run_passes(&p);
	if (p.broken)
		close_peer(h);
	if (ret >= 0 && p.refused)
		ret = p.refused;
	if (info)
		fill_info(&p, filter, info);
	return ret < 0 ? ret : clamp_count(st->deleted);
}

int ctnl__ct_delete_pass(struct ct_handle *h, const struct ctnl_filter *filter,
			 ctnl_flow_pred pred, void *data,
			 struct ctnl_delete_stats *st,
			 struct ctnl_dump_info *info)
{
	int ret;

	/* Built first: a filter it refuses costs nothing. */
	ret = ctnl_build_dump(h->req, sizeof(h->req), filter);
	if (ret < 0)
		return ret;
	/* A subscribed handle reads events only: open nothing for it. */
	if (h->events.events)
		return -EBUSY;
	ret = open_peer(h);
	if (ret == -ENOSYS)
		return delete_after_dump(h, filter, pred, data, st, info);
	if (ret < 0)
		return ret;
	return delete_while_dumping(h, filter, pred, data, st, info);
}

/* ---- Without a second socket: collect, then delete ---- */

struct collect {
	ctnl_flow_pred pred;
	void *data;
	struct ctnl_delete_stats *st;
	struct ctnl_flow *flows;
	size_t count, cap;
};

static int collect_chosen(const struct ctnl_flow *flow, void *arg)
{
	struct collect *c = arg;
	int ret = c->pred ? c->pred(flow, c->data) : 1;

	if (ret <= 0)
		return ret;
	c->st->matched++;
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct ctnl_flow *p = reallocarray(c->flows, cap, sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->flows = p;
		c->cap = cap;
	}
	c->flows[c->count++] = *flow;
	return CTNL_CB_OK;
}

static int delete_collected(struct ct_handle *h, struct collect *c)
{
	struct del_pass tally_only = { .st = c->st };
	int *results, ret;

	if (c->count == 0)
		return 0;
	results = malloc(c->count * sizeof(*results));
	if (!results)
		return -ENOMEM;
	ret = ctnl__ct_batch(h, CTNL_OP_DELETE, c->flows, c->count, NULL, 0,
			     results);
	for (size_t i = 0; i < c->count; i++)
		tally(&tally_only, results[i], ret);
	free(results);
	return ret < 0 ? ret : tally_only.refused;
}

/* The way over a socket that cannot clone: memory grows with the number
 * of entries chosen (not with the table). */
static int delete_after_dump(struct ct_handle *h,
			     const struct ctnl_filter *filter,
			     ctnl_flow_pred pred, void *data,
			     struct ctnl_delete_stats *st,
			     struct ctnl_dump_info *info)
{
	struct collect c = { .pred = pred, .data = data, .st = st };
	struct ctnl_dump_info d;
	int ret;

	/* An interrupted dump deleted nothing yet: collect again. */
	for (;;) {
		c.count = 0;
		st->matched = 0;
		ret = ctnl__ct_dump(h, filter, collect_chosen, &c, &d);
		st->seen += d.received;
		st->interrupted = d.interrupted;
		if (ret < 0 || !d.interrupted || st->retries == h->dump_retries)
			break;
		st->retries++;
	}
	d.retries = st->retries;
	if (ret >= 0)
		ret = delete_collected(h, &c);
	free(c.flows);
	d.matched = st->matched;
	d.gone = st->gone;
	if (info)
		*info = d;
	return ret < 0 ? ret : clamp_count(st->deleted);
}

int ctnl__ct_delete_if(void *ctx, const struct ctnl_filter *filter,
		       ctnl_flow_pred pred, void *data,
		       struct ctnl_delete_stats *stats)
{
	struct ct_handle *h = ctx;
	struct ctnl_delete_stats ignored;

	if (!stats)
		stats = &ignored;
	memset(stats, 0, sizeof(*stats));
	ctnl__ct_begin_op(h);
	return ctnl__ct_delete_pass(h, ctnl__filter_or_all(filter), pred, data,
				    stats, NULL);
}
