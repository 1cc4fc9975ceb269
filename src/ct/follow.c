/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Following the table over any implementation of the Conntrack interface:
 * the blocking loop for small programs and the resynchronisation after a
 * loss. Both are made of interface calls only, so they work over fakes.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

/*
 * Reads a resynchronisation makes to empty the event queue before its
 * re-dump, at most: a queue still not empty after that many is being
 * refilled as fast as it is read, and the re-dump goes ahead regardless
 * (later overflows will be reported).
 */
#define DRAIN_READS_MAX 1024

static int clamp_count(uint64_t n)
{
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* ---- The blocking loop ---- */

struct loop {
	ctnl_event_cb cb;
	void *data;
	uint64_t delivered;
	bool stop;
};

static int loop_event(const struct ctnl_event *ev, void *arg)
{
	struct loop *l = arg;
	int ret = l->cb(ev, l->data);

	l->delivered++;
	if (ret != CTNL_CB_OK)
		l->stop = true;
	return ret;
}

int ctnl_ct_event_loop(struct ctnl_ct *ct, ctnl_event_cb cb, void *data,
		       int timeout_ms)
{
	struct loop l = { .cb = cb, .data = data };
	int ret;

	if (!ct || !cb)
		return -EINVAL;
	while (!l.stop) {
		ret = ctnl_ct_event_wait(ct, timeout_ms);
		if (ret < 0)
			return ret;
		if (ret == 0)
			break;
		ret = ctnl_ct_event_read(ct, loop_event, &l);
		if (ret < 0)
			return ret;
	}
	return clamp_count(l.delivered);
}

/* ---- The end of a subscription ---- */

/*
 * Built on the interface: unsubscribing counts the loss still unreported
 * in the handle's info, and the difference is handed over as one report.
 */
int ctnl_ct_unsubscribe(struct ctnl_ct *ct, ctnl_event_cb cb, void *data)
{
	struct ctnl_event_info before, after;
	struct ctnl_event ev = { .type = CTNL_EVENT_OVERFLOW };
	bool counted;
	int ret, verdict;

	if (!ct)
		return -EINVAL;
	counted = ctnl_ct_event_info(ct, &before) == 0;
	ret = ctnl_ct_subscribe(ct, 0);
	if (!cb || !counted || ctnl_ct_event_info(ct, &after) < 0 ||
	    after.overflows == before.overflows)
		return ret < 0 ? ret : 0;
	ev.overflow.lost = after.lost - before.lost;
	ev.overflow.count = after.overflows;
	verdict = cb(&ev, data);
	if (ret < 0)
		return ret;
	return verdict < 0 ? verdict : 1;
}

/* ---- Resynchronisation ---- */

struct resync {
	ctnl_event_cb cb;
	void *data;
	uint64_t synced;
	struct ctnl_event ev;
};

/* A resynchronisation runs to the end: only an error stops it. */
static int pass_on(struct resync *r)
{
	int ret = r->cb(&r->ev, r->data);

	return ret < 0 ? ret : CTNL_CB_OK;
}

static int drain_event(const struct ctnl_event *ev, void *arg)
{
	struct resync *r = arg;
	int ret;

	/* The re-dump that follows covers what was lost so far. */
	if (ev->type == CTNL_EVENT_OVERFLOW)
		return CTNL_CB_OK;
	ret = r->cb(ev, r->data);
	return ret < 0 ? ret : CTNL_CB_OK;
}

static int sync_flow(const struct ctnl_flow *flow, void *arg)
{
	struct resync *r = arg;

	r->ev.type = CTNL_EVENT_SYNC;
	r->ev.flow = *flow;
	r->synced++;
	return pass_on(r);
}

static int sync_expect(const struct ctnl_expect *exp, void *arg)
{
	struct resync *r = arg;

	r->ev.type = CTNL_EVENT_EXP_SYNC;
	r->ev.expect = *exp;
	r->synced++;
	return pass_on(r);
}

static int sync_marker(struct resync *r, enum ctnl_event_type type)
{
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.type = type;
	return pass_on(r);
}

/*
 * SYNC_BEGIN, the re-dump of what is subscribed, through @req: again,
 * from a new SYNC_BEGIN, while the kernel flags a dump inconsistent and
 * @req's policy allows (ctnl_ct_set_dump_retries()). An expectation dump
 * still flagged after that is -EINTR, as without a policy.
 */
static int redump(struct resync *r, struct ctnl_ct *req,
		  const struct ctnl_event_info *info)
{
	unsigned int max = ctnl__ct_dump_retries(req);
	struct ctnl_dump_info d;
	int ret;

	for (unsigned int tries = 0;; tries++) {
		d.interrupted = false;
		ret = sync_marker(r, CTNL_EVENT_SYNC_BEGIN);
		if (ret == 0 && (info->events & CTNL_EVENT_CT_ALL))
			ret = ctnl_ct_dump(req, &info->filter, sync_flow, r, &d);
		if (ret >= 0 && (info->events & CTNL_EVENT_EXP_ALL))
			ret = ctnl_ct_dump_expect(req, info->filter.family,
						  sync_expect, r);
		if ((ret < 0 && ret != -EINTR) || tries == max ||
		    (ret != -EINTR && !d.interrupted))
			return ret;
	}
}

int ctnl_ct_resync(struct ctnl_ct *events, struct ctnl_ct *req,
		   ctnl_event_cb cb, void *data)
{
	struct resync r = { .cb = cb, .data = data };
	struct ctnl_event_info info;
	int ret = 0;

	if (!events || !req || !cb || events == req)
		return -EINVAL;
	ret = ctnl_ct_event_info(events, &info);
	if (ret < 0)
		return ret;
	if (!info.events)
		return -ENOTCONN;

	/* Events queued before the re-dump are older than what it reads:
	 * applied after it, one could bring back an entry whose destroy
	 * was lost. So they go first. */
	for (int i = 0; i < DRAIN_READS_MAX; i++) {
		ret = ctnl_ct_event_read(events, drain_event, &r);
		if (ret <= 0)
			break;
	}
	if (ret < 0)
		return ret;

	ret = redump(&r, req, &info);
	if (ret >= 0)
		ret = sync_marker(&r, CTNL_EVENT_SYNC_END);
	if (ret < 0)
		return ret;
	return clamp_count(r.synced);
}

const char *ctnl_event_type_name(enum ctnl_event_type type)
{
	switch (type) {
	case CTNL_EVENT_NEW:
		return "NEW";
	case CTNL_EVENT_UPDATE:
		return "UPDATE";
	case CTNL_EVENT_DESTROY:
		return "DESTROY";
	case CTNL_EVENT_EXP_NEW:
		return "EXP_NEW";
	case CTNL_EVENT_EXP_DESTROY:
		return "EXP_DESTROY";
	case CTNL_EVENT_OVERFLOW:
		return "OVERFLOW";
	case CTNL_EVENT_SYNC_BEGIN:
		return "SYNC_BEGIN";
	case CTNL_EVENT_SYNC:
		return "SYNC";
	case CTNL_EVENT_EXP_SYNC:
		return "EXP_SYNC";
	case CTNL_EVENT_SYNC_END:
		return "SYNC_END";
	}
	return NULL;
}
