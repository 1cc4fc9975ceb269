/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl events: the table's changes as they happen, one line each, until
 * interrupted or the limit is reached.
 */
#include <errno.h>
#include <string.h>

#include "runner.h"

static int event_cb(const struct ctnl_event *ev, void *data)
{
	struct ctx *x = data;
	struct json_event je = { .type = ev->type, .portid = ev->portid };
	bool exp = ev->type == CTNL_EVENT_EXP_NEW ||
		   ev->type == CTNL_EVENT_EXP_DESTROY;

	if (ev->type == CTNL_EVENT_OVERFLOW) {
		/* Said, and carried on: what follows is still worth seeing. */
		fprintf(x->env->err, "ctnl: events: the kernel dropped "
			"%llu events: they came faster than they were read\n",
			(unsigned long long)ev->overflow.lost);
		fflush(x->env->err);
		return CTNL_CB_OK;
	}
	if (!exp && ev->type != CTNL_EVENT_NEW &&
	    ev->type != CTNL_EVENT_UPDATE && ev->type != CTNL_EVENT_DESTROY)
		return CTNL_CB_OK;
	if (exp != (x->c->table == CTNL_TABLE_EXPECT))
		return CTNL_CB_OK;
	/* conntrack names the program only with -o userspace. */
	if (ev->portid && (x->c->syntax != SYNTAX_CONNTRACK ||
			   (x->c->ct_out & CT_OUT_USERSPACE)))
		je.progname = progname_of(ev->portid, &x->progname);
	if (exp) {
		if (x->c->family && ev->expect.tuple.family != x->c->family)
			return CTNL_CB_OK;
		out_expect(x, &ev->expect, &je);
	} else {
		if (!sel_match(x, &ev->flow))
			return CTNL_CB_OK;
		out_flow(x, &ev->flow, &je);
	}
	if (x->c->limit && x->shown >= x->c->limit) {
		x->done = true;
		return CTNL_CB_STOP;
	}
	return CTNL_CB_OK;
}

static unsigned int event_mask(const struct cli *c)
{
	unsigned int ev = c->events ? c->events
				    : CTNL_EVENT_NEW | CTNL_EVENT_UPDATE |
					      CTNL_EVENT_DESTROY;

	if (c->table != CTNL_TABLE_EXPECT)
		return ev;
	return (ev & CTNL_EVENT_NEW ? CTNL_EVENT_EXP_NEW : 0) |
	       (ev & CTNL_EVENT_DESTROY ? CTNL_EVENT_EXP_DESTROY : 0);
}

/* The filter goes with the subscription, so that the kernel drops what
 * it can (family, mark) before it is queued; it is checked again here
 * with what it cannot say. */
static int subscribe(struct ctx *x)
{
	struct ctnl_filter family_only = { .family = x->c->family };
	struct ctnl_event_info info;
	struct ctnl_events_config cfg = {
		.size = sizeof(cfg),
		.events = event_mask(x->c),
		.rcvbuf = (int)x->c->buffer_size,
		.filter = x->c->table == CTNL_TABLE_EXPECT ? &family_only
							   : &x->filter,
	};
	int ret;

	ret = ctnl_ct_subscribe_config(x->env->ct, &cfg);
	/* conntrack's -b, said on stderr as the kernel counts it. */
	if (ret == 0 && x->c->syntax == SYNTAX_CONNTRACK &&
	    (x->c->given & G_BUFFER_SIZE) &&
	    ctnl_ct_event_info(x->env->ct, &info) == 0)
		fprintf(x->env->err, "NOTICE: Netlink socket buffer size has "
			"been set to %u bytes.\n", info.rcvbuf);
	return ret;
}

static bool stopped(const struct ctx *x)
{
	return x->done || (x->env->stop && *x->env->stop);
}

/* Reads what is queued; CLI_EXIT_OK, or the failure said. */
static int read_events(struct ctx *x)
{
	int ret;

	do {
		ret = ctnl_ct_event_read(x->env->ct, event_cb, x);
	} while (ret > 0 && !stopped(x));
	/* Out once all that was queued is read: whoever reads the pipe
	 * sees each line as soon as the next would have to wait, with one
	 * write per burst instead of one per line. */
	fflush(x->env->out);
	if (ret == -EBADMSG || ret == -EPERM) {
		/* Skipped by the library; the next read goes on. */
		fprintf(x->env->err, "ctnl: events: a message was dropped: "
			"%s\n", strerror(-ret));
		return CLI_EXIT_OK;
	}
	if (ret < 0 && ret != -EAGAIN)
		return out_kernel_fail(x, "events", ret);
	return CLI_EXIT_OK;
}

int cmd_events(struct ctx *x)
{
	int ret, status = CLI_EXIT_OK;

	ret = subscribe(x);
	if (ret < 0)
		return out_kernel_fail(x, "events", ret);
	/* On stderr, so a script knows when to make something happen (not
	 * in conntrack's syntax: conntrack says nothing). */
	if (x->c->syntax != SYNTAX_CONNTRACK)
		fprintf(x->env->err, "ctnl: listening for %s events; "
			"interrupt to stop\n",
			x->c->table == CTNL_TABLE_EXPECT ? "expectation"
							 : "conntrack");
	fflush(x->env->err);
	while (!stopped(x) && status == CLI_EXIT_OK) {
		/* A short wait, so a signal between the check and the wait
		 * is seen soon. */
		ret = ctnl_ct_event_wait(x->env->ct, 200);
		if (ret < 0 && ret != -EINTR)
			status = out_kernel_fail(x, "events", ret);
		else if (ret > 0)
			status = read_events(x);
	}
	/* The loss not yet said (the kernel goes on dropping for a while
	 * after it says so), so that what was printed and what was said
	 * lost add up to what the kernel sent. */
	ctnl_ct_unsubscribe(x->env->ct, event_cb, x);
	out_ct_end(x);
	fflush(x->env->out);
	out_summary(x, x->shown, x->c->table == CTNL_TABLE_EXPECT
					 ? "expectation events have been shown"
					 : "flow events have been shown");
	return status;
}
