/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: events, the way a program reads them. A conntrack handle
 * opened over the fake syscall table subscribes as the input's header
 * says (which events, the overflow mode, a filter applied in the kernel
 * by a socket filter that the fake runs, and in user space), then the
 * input's records play what the kernel does meanwhile: multicast
 * datagrams, datagrams from other ports, overflows (the kernel's ENOBUFS,
 * its drop counter growing), failing system calls, new subscriptions; and
 * what the program does: ctnl_ct_event_read() and ctnl_ct_event_wait()
 * between them, ctnl_ct_event_read() or ctnl_ct_event_loop() to the end.
 *
 * An input is a header then records (see fuzz_ops.h for the layout):
 *
 *   byte 0   FUZZ_EV_* events, overflow mode, a small receive buffer
 *   byte 1   FUZZ_EV_F_* the filter's criteria
 *   byte 2   the callback: stops (or fails) at every n-th event; how the
 *            last events are read
 *   byte 3   the filter's value (mark, zone, label, port)
 *   records  kind (enum fuzz_ev_rec), length (2 bytes, little endian,
 *            cut to what is left), that many bytes
 *
 * Checked, with a tap on the syscall table (fuzz_tap.h) that sees every
 * datagram the library received and every error a call returned:
 * delivery both ways, message by message, in order: every message the
 * library read and the subscription accepts (its type, and its filter as
 * the in-memory table's own matcher reads it, test/mocks/fake_filter.c)
 * is handed over, as parsed, and nothing else is; a datagram the socket
 * filter dropped is one whose family or mark the filter rejects. Overflow
 * reports are numbered in order; the counters of ctnl_ct_event_info() add
 * up; a read returns a count, or an error that a call returned to it
 * (a failure the input scheduled, an errno it queued), or one whose cause
 * it read (a malformed message, a foreign sender), or the callback's;
 * never -ENOBUFS or -EMSGSIZE, which are reports. Everything queued is
 * read in a bounded number of calls; then the handle unsubscribes (with
 * ctnl_ct_unsubscribe(), which reports the loss left; without failures
 * scheduled, every drop made while subscribed has then been reported),
 * makes a request, and closes without leaving a descriptor open. The message
 * parsers also see each message of each datagram directly, as the event
 * reader would not: a message of the other subsystem, or of none, must be
 * refused by both with the documented error, and every message that is
 * not statistics by the statistics parsers.
 */
#include <stdint.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/mocks.h>

#include "../mocks/fake_filter.h"
#include "fuzz_ops.h"
#include "fuzz_tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The errors a failing receive (or poll) is made to return. ENOBUFS and
 * EAGAIN are the kernel's everyday answers to an event reader. */
static const int ev_errnos[] = { ENOBUFS, EAGAIN, EINTR, ENOMEM, EBADF };
#define EV_NERRNOS (sizeof(ev_errnos) / sizeof(ev_errnos[0]))

/* The calls a FUZZ_EV_REC_FAIL record can make fail. */
static const enum ctnl_fake_call ev_calls[] = {
	CTNL_FAKE_RECVMSG, CTNL_FAKE_GETSOCKOPT, CTNL_FAKE_POLL,
	CTNL_FAKE_SETSOCKOPT,
};
#define EV_NCALLS (sizeof(ev_calls) / sizeof(ev_calls[0]))

/* An item queued in the fake, as the input queued it. */
struct queued {
	const uint8_t *bytes;	/* NULL: an errno */
	size_t len;
	uint32_t sender;
};

/* A message the library received, for the oracle to judge in turn. */
struct received {
	const uint8_t *bytes;
	size_t len;
};

struct run {
	struct ctnl_fake_sys *f;
	struct fuzz_tap tap;
	struct ctnl_ct *ct;

	/* The oracle's view: what was queued (in order), how much of it the
	 * fake has handed out, and how many tapped datagrams that covers;
	 * the messages the library received, and how many it has judged
	 * (ctnl_event_info.received). */
	struct queued *q;
	size_t nq, qcap, q_done, tap_done;
	struct received *m;
	size_t nm, mcap, tap_fed;
	uint64_t judged;
	/* What this read (or loop) saw that explains an error. */
	bool saw_malformed, saw_foreign, callback_failed;

	/* The subscription in force, as this side asked for it. */
	bool subscribed;
	unsigned int events;
	bool has_filter;
	struct ctnl_filter filter;

	/* The callback's behaviour (header byte 2). */
	unsigned int every;	/* stop or fail at every n-th event; 0: never */
	bool fail;		/* -ECANCELED instead of CTNL_CB_STOP */

	/* What the callback saw, over the handle's life. */
	uint64_t delivered;
	uint64_t overflows;
	uint64_t lost;

	/* What the input did, to bound the reading and the checks. */
	uint64_t items;		/* datagrams and errors queued */
	uint64_t msgs;		/* messages in the datagrams queued */
	uint64_t fails;		/* failures scheduled */
	unsigned int recv_fail_last;	/* the last receive made to fail */
	uint64_t dropped;	/* messages the kernel dropped */
	uint64_t dropped_subscribed;	/* ... while subscribed */
	bool may_lose;		/* something could make an overflow report */
};

/* ---- The parsers, directly (the target's first form) ---- */

static void check_parse_ret(int ret)
{
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG || ret == -EPROTO);
}

/* The statistics parsers refuse every other message by its type. */
static void parse_stats(const struct nlmsghdr *nlh)
{
	struct ctnl_stats st;
	struct ctnl_cpu_stats cpu = { 0 };
	uint16_t ct_cpu = NFNL_SUBSYS_CTNETLINK << 8 |
			  IPCTNL_MSG_CT_GET_STATS_CPU;
	uint16_t exp_cpu = NFNL_SUBSYS_CTNETLINK << 8 |
			   IPCTNL_MSG_EXP_GET_STATS_CPU;
	uint16_t exp_cpu2 = NFNL_SUBSYS_CTNETLINK_EXP << 8 |
			    IPCTNL_MSG_EXP_GET_STATS_CPU;
	int ret;

	ret = ctnl_stats_parse(nlh, &st);
	if (nlh->nlmsg_type != (NFNL_SUBSYS_CTNETLINK << 8 |
				IPCTNL_MSG_CT_GET_STATS))
		FUZZ_CHECK(ret == -EPROTO);
	else
		FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	ret = ctnl_cpu_stats_parse(nlh, &cpu);
	if (nlh->nlmsg_type != ct_cpu && nlh->nlmsg_type != exp_cpu &&
	    nlh->nlmsg_type != exp_cpu2)
		FUZZ_CHECK(ret == -EPROTO);
	else
		FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
}

static void parse_message(const struct nlmsghdr *nlh)
{
	struct ctnl_flow flow;
	struct ctnl_expect exp;
	int ret;

	parse_stats(nlh);

	/* A parser given another subsystem's message answers -EPROTO,
	 * whatever its length: the type is looked at first. */
	switch (nlh->nlmsg_type >> 8) {
	case NFNL_SUBSYS_CTNETLINK:
		ret = ctnl_flow_parse(nlh, &flow);
		check_parse_ret(ret);
		if (ret == 0)
			fuzz_check_flow(&flow);
		FUZZ_CHECK(ctnl_expect_parse(nlh, &exp) == -EPROTO);
		break;
	case NFNL_SUBSYS_CTNETLINK_EXP:
		ret = ctnl_expect_parse(nlh, &exp);
		check_parse_ret(ret);
		if (ret == 0)
			fuzz_check_expect(&exp);
		FUZZ_CHECK(ctnl_flow_parse(nlh, &flow) == -EPROTO);
		break;
	default:
		FUZZ_CHECK(ctnl_flow_parse(nlh, &flow) == -EPROTO);
		FUZZ_CHECK(ctnl_expect_parse(nlh, &exp) == -EPROTO);
		break;
	}
}

/*
 * Hands each whole message of a datagram to the parsers, in an
 * allocation of exactly its length (so a read past it is caught), and
 * returns how many messages it holds.
 */
static uint64_t parse_datagram(const uint8_t *p, size_t len)
{
	uint64_t n = 0;
	size_t off = 0;

	while (len - off >= NLMSG_HDRLEN) {
		struct nlmsghdr h;
		uint8_t *copy;

		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			break;
		copy = malloc(h.nlmsg_len);
		FUZZ_CHECK(copy);
		memcpy(copy, p + off, h.nlmsg_len);
		parse_message((const struct nlmsghdr *)(void *)copy);
		free(copy);
		n++;
		off += NLMSG_ALIGN(h.nlmsg_len) < len - off
			       ? NLMSG_ALIGN(h.nlmsg_len)
			       : len - off;
	}
	return n;
}

/* ---- Subscribing ---- */

static void config_of(const uint8_t b[4], struct ctnl_events_config *cfg,
		      struct ctnl_filter *filter, bool *has_filter)
{
	unsigned int events = b[0] & FUZZ_EV_EVENTS;

	*cfg = (struct ctnl_events_config){
		.size = sizeof(*cfg),
		.events = events,
	};
	if (b[0] & FUZZ_EV_NO_ENOBUFS)
		cfg->flags |= CTNL_EVENTS_NO_ENOBUFS;
	if (b[0] & FUZZ_EV_RELIABLE)
		cfg->flags |= CTNL_EVENTS_RELIABLE;

	*filter = (struct ctnl_filter){ 0 };
	switch (b[1] & FUZZ_EV_F_FAMILY) {
	case 1:
		filter->family = AF_INET;
		break;
	case 2:
		filter->family = AF_INET6;
		break;
	case 3:
		filter->flags = CTNL_FILTER_USERSPACE;
		break;
	}
	if (b[1] & FUZZ_EV_F_MARK) {
		filter->match |= CTNL_MATCH_MARK;
		filter->mark = b[3];
		filter->mark_mask = 0xff;
	}
	if (b[1] & (FUZZ_EV_F_PROTO | FUZZ_EV_F_DPORT)) {
		filter->match |= CTNL_MATCH_PROTO;
		filter->proto = IPPROTO_TCP;
	}
	if (b[1] & FUZZ_EV_F_DPORT) {
		filter->match |= CTNL_MATCH_ORIG_DPORT;
		filter->orig_dport = b[3];
	}
	if (b[1] & FUZZ_EV_F_STATUS) {
		filter->match |= CTNL_MATCH_STATUS;
		filter->status = filter->status_mask = CTNL_STATUS_SEEN_REPLY;
	}
	if (b[1] & FUZZ_EV_F_ZONE) {
		filter->match |= CTNL_MATCH_ZONE;
		filter->zone = b[3];
	}
	if (b[1] & FUZZ_EV_F_LABEL) {
		/* Two labels, so that "every one" and "any" differ. */
		filter->match |= CTNL_MATCH_LABELS;
		ctnl_labels_set(&filter->labels, b[3] % CTNL_LABEL_BITS);
		ctnl_labels_set(&filter->labels,
				(b[3] + 64u) % CTNL_LABEL_BITS);
	}
	*has_filter = filter->family || filter->match || filter->flags;
	if (*has_filter)
		cfg->filter = filter;
}

/* The subscription and the counters as ctnl_ct_event_info() says. */
static void check_info(struct run *r)
{
	struct ctnl_event_info info;
	uint32_t all;

	FUZZ_CHECK(ctnl_ct_event_info(r->ct, &info) == 0);
	FUZZ_CHECK(info.delivered == r->delivered);
	FUZZ_CHECK(info.overflows == r->overflows);
	FUZZ_CHECK(info.lost == r->lost);
	FUZZ_CHECK(info.filtered <= info.received);
	FUZZ_CHECK(info.lost <= r->dropped + r->msgs + r->items);
	if (!r->subscribed) {
		FUZZ_CHECK(info.events == 0);
		FUZZ_CHECK(info.kernel == 0 && info.user == 0);
		return;
	}
	FUZZ_CHECK(info.events == r->events);
	all = r->filter.match | (r->filter.family ? CTNL_MATCH_FAMILY : 0);
	FUZZ_CHECK((info.kernel & info.user) == 0);
	FUZZ_CHECK((info.kernel | info.user) == all);
}

/* Subscribes as @b says; 0 or a failure the input scheduled. */
static int on_event(const struct ctnl_event *ev, void *data);

/*
 * A subscription that fails ends the one before: the loss no read had
 * reported is then counted in the handle's info, not handed over. One
 * report at most, and only where a loss could be.
 */
static void take_counted_loss(struct run *r,
			      const struct ctnl_event_info *before)
{
	struct ctnl_event_info now;

	FUZZ_CHECK(ctnl_ct_event_info(r->ct, &now) == 0);
	FUZZ_CHECK(now.overflows - before->overflows <= 1);
	FUZZ_CHECK((now.overflows != before->overflows) ==
		   (now.lost != before->lost));
	if (now.overflows != before->overflows)
		FUZZ_CHECK(r->may_lose);
	r->overflows += now.overflows - before->overflows;
	r->lost += now.lost - before->lost;
}

static void feed(struct run *r);

/* Ends the subscription; the loss no read reported comes to on_event
 * (which the handle does not count as delivered). What is still queued
 * then is read and counted as lost, not received: a queue not empty can
 * be a loss, and the datagrams read in the end are none the library
 * received. */
static int unsubscribe(struct run *r)
{
	uint64_t delivered = r->delivered;
	int ret;

	feed(r);
	r->may_lose |= ctnl_fake_sys_queued(r->f) > 0;
	ret = ctnl_ct_unsubscribe(r->ct, on_event, r);
	r->tap_fed = r->tap.n;

	r->delivered = delivered;
	FUZZ_CHECK(ret == 0 || ret == 1 || ret == -ECANCELED ||
		   (ret < 0 && fuzz_tap_told(&r->tap, -ret)));
	FUZZ_CHECK(ret != -ECANCELED || r->fail);
	return ret < 0 && ret != -ECANCELED ? ret : 0;
}

static int subscribe(struct run *r, const uint8_t b[4])
{
	struct ctnl_events_config cfg;
	struct ctnl_event_info before;
	struct ctnl_filter filter;
	bool has_filter;
	int ret;

	config_of(b, &cfg, &filter, &has_filter);
	fuzz_tap_forget_errors(&r->tap);
	FUZZ_CHECK(ctnl_ct_event_info(r->ct, &before) == 0);
	if (cfg.events) {
		/* A failure ends the subscription before, as unsubscribe()
		 * does: what was queued is then lost, not received. */
		bool queued = ctnl_fake_sys_queued(r->f) > 0;

		feed(r);
		ret = ctnl_ct_subscribe_config(r->ct, &cfg);
		if (ret < 0) {
			r->may_lose |= queued;
			r->tap_fed = r->tap.n;
			take_counted_loss(r, &before);
		}
	} else {
		ret = unsubscribe(r);
	}
	/* Only a failure the input scheduled makes it fail. */
	FUZZ_CHECK(ret == 0 || fuzz_tap_told(&r->tap, -ret));
	/* A failure leaves the handle unsubscribed; events 0 is that. */
	r->subscribed = ret == 0 && cfg.events != 0;
	r->events = r->subscribed ? cfg.events : 0;
	r->has_filter = r->subscribed && has_filter;
	r->filter = r->has_filter ? filter : (struct ctnl_filter){ 0 };
	check_info(r);
	return ret;
}

/* ---- The oracle: what the library read, and what it must hand over ---- */

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? 2 * *cap : 16;
	if (*cap < need)
		*cap = need;
	p = realloc(p, *cap * size);
	FUZZ_CHECK(p);
	return p;
}

static void note_queued(struct run *r, const uint8_t *p, size_t len,
			uint32_t sender)
{
	r->q = grow(r->q, &r->qcap, r->nq + 1, sizeof(*r->q));
	r->q[r->nq++] = (struct queued){ p, len, sender };
}

/* Takes the messages of the datagrams the tap saw since last time into
 * the list of those the library received: from the kernel, whole, and
 * fitting the buffer (the tap saw the real length); NOOPs are skipped by
 * the reader unseen. */
static void feed(struct run *r)
{
	for (; r->tap_fed < r->tap.n; r->tap_fed++) {
		const struct fuzz_dgram *d = &r->tap.d[r->tap_fed];
		size_t off = 0;

		if (d->sender != 0) {
			r->saw_foreign = true;
			continue;
		}
		if (d->len > d->copied)
			continue;
		if (!fuzz_whole_messages(d->bytes, d->len)) {
			r->saw_malformed = true;
			continue;
		}
		while (off < d->len) {
			struct nlmsghdr h;

			memcpy(&h, d->bytes + off, sizeof(h));
			if (h.nlmsg_type != NLMSG_NOOP) {
				r->m = grow(r->m, &r->mcap, r->nm + 1,
					    sizeof(*r->m));
				r->m[r->nm++] = (struct received){
					d->bytes + off, h.nlmsg_len };
			}
			off += NLMSG_ALIGN(h.nlmsg_len) < d->len - off
				       ? NLMSG_ALIGN(h.nlmsg_len)
				       : d->len - off;
		}
	}
}

enum verdict { DROP, DELIVER, EITHER, MALFORMED };

/*
 * What the reader must do with message @nlh under the subscription in
 * force: hand it over as @ev, drop it, or refuse it. A conntrack NEW
 * message is an entry's creation when flagged NLM_F_CREATE|NLM_F_EXCL (as
 * the kernel sends it) and a change when flagged neither; with one flag
 * only, which it is is not promised (EITHER).
 */
static enum verdict judge(const struct run *r, const struct received *msg,
			  struct ctnl_event *ev)
{
	const uint16_t both = NLM_F_CREATE | NLM_F_EXCL;
	struct nlmsghdr h;
	const struct nlmsghdr *nlh;
	uint8_t *copy;
	unsigned int alt = 0;
	int err;

	memcpy(&h, msg->bytes, sizeof(h));
	memset(ev, 0, sizeof(*ev));
	switch (h.nlmsg_type) {
	case NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW:
		ev->type = (h.nlmsg_flags & both) ? CTNL_EVENT_NEW
						  : CTNL_EVENT_UPDATE;
		if ((h.nlmsg_flags & both) && (h.nlmsg_flags & both) != both)
			alt = CTNL_EVENT_UPDATE;
		break;
	case NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE:
		ev->type = CTNL_EVENT_DESTROY;
		break;
	case NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_NEW:
		ev->type = CTNL_EVENT_EXP_NEW;
		break;
	case NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_DELETE:
		ev->type = CTNL_EVENT_EXP_DESTROY;
		break;
	default:
		return MALFORMED;
	}
	/* Parsed from a copy of exactly its length. */
	copy = malloc(msg->len);
	FUZZ_CHECK(copy);
	memcpy(copy, msg->bytes, msg->len);
	nlh = (const struct nlmsghdr *)(void *)copy;
	err = ev->type & CTNL_EVENT_CT_ALL ? ctnl_flow_parse(nlh, &ev->flow)
					   : ctnl_expect_parse(nlh, &ev->expect);
	free(copy);
	if (err)
		return MALFORMED;
	ev->portid = h.nlmsg_pid;
	if (ev->type & CTNL_EVENT_EXP_ALL) {
		if (!(r->events & ev->type) ||
		    (r->filter.family &&
		     ev->expect.tuple.family != r->filter.family))
			return DROP;
		return DELIVER;
	}
	if (r->has_filter && !ctnl__fake_filter_match(&r->filter, &ev->flow))
		return DROP;
	if (alt && !(r->events & ev->type) != !(r->events & alt))
		return EITHER;
	return (r->events & ev->type) ? DELIVER : DROP;
}

/* The library has read @upto messages: those not handed over (all but
 * the last, from a callback) must be ones it had to drop or refuse. */
static void judge_skipped(struct run *r, uint64_t upto)
{
	struct ctnl_event ev;

	FUZZ_CHECK(upto <= r->nm);
	for (; r->judged < upto; r->judged++) {
		enum verdict v = judge(r, &r->m[r->judged], &ev);

		FUZZ_CHECK(v != DELIVER);
		if (v == MALFORMED)
			r->saw_malformed = true;
	}
}

static uint64_t library_received(struct run *r)
{
	struct ctnl_event_info info;

	FUZZ_CHECK(ctnl_ct_event_info(r->ct, &info) == 0);
	return info.received;
}

/* An event handed over is the next message the oracle says to deliver. */
static void check_delivery(struct run *r, const struct ctnl_event *ev)
{
	uint64_t upto = library_received(r);
	struct ctnl_event want;
	enum verdict v;

	feed(r);
	FUZZ_CHECK(upto > r->judged);
	judge_skipped(r, upto - 1);
	v = judge(r, &r->m[r->judged++], &want);
	FUZZ_CHECK(v == DELIVER || v == EITHER);
	if (v == EITHER)
		FUZZ_CHECK(ev->type == CTNL_EVENT_NEW ||
			   ev->type == CTNL_EVENT_UPDATE);
	else
		FUZZ_CHECK(ev->type == want.type);
	FUZZ_CHECK(ev->portid == want.portid);
	if (ev->type & CTNL_EVENT_CT_ALL)
		FUZZ_CHECK(!memcmp(&ev->flow, &want.flow, sizeof(want.flow)));
	else
		FUZZ_CHECK(!memcmp(&ev->expect, &want.expect,
				   sizeof(want.expect)));
}

/* Whether a datagram the socket filter dropped is one the filter rejects
 * by what a socket filter can see: the family, and a conntrack entry's
 * mark. Judged for datagrams of one message that parses (what the kernel
 * sends), with at most one mark. */
static void check_kernel_drop(const struct run *r, const struct queued *q)
{
	struct received one = { q->bytes, q->len };
	struct ctnl_filter f = r->filter;
	struct ctnl_event ev;
	struct nlmsghdr h;
	int marks = 0;

	if (!fuzz_whole_messages(q->bytes, q->len))
		return;
	memcpy(&h, q->bytes, sizeof(h));
	if (NLMSG_ALIGN(h.nlmsg_len) < q->len)
		return;		/* more than one message */
	if (judge(r, &one, &ev) == MALFORMED)
		return;
	if (ev.type & CTNL_EVENT_EXP_ALL) {
		FUZZ_CHECK(f.family && ev.expect.tuple.family != f.family);
		return;
	}
	for (size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	     off + NLA_HDRLEN <= h.nlmsg_len;) {
		struct nlattr a;

		memcpy(&a, q->bytes + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > h.nlmsg_len - off)
			break;
		marks += (a.nla_type & NLA_TYPE_MASK) == CTA_MARK;
		off += NLA_ALIGN(a.nla_len);
	}
	if (marks > 1)
		return;
	f.match &= CTNL_MATCH_MARK;
	f.flags = 0;
	FUZZ_CHECK(!ctnl__fake_filter_match(&f, &ev.flow));
}

/*
 * After a read: every item the fake handed out since last time is an
 * errno, a datagram the tap saw (in order), or one the socket filter
 * dropped; and what the library read without handing over was to be
 * dropped.
 */
static void reconcile(struct run *r)
{
	size_t handed = r->nq - ctnl_fake_sys_queued(r->f);

	feed(r);
	for (; r->q_done < handed; r->q_done++) {
		const struct queued *q = &r->q[r->q_done];
		const struct fuzz_dgram *d = r->tap_done < r->tap.n
						     ? &r->tap.d[r->tap_done]
						     : NULL;

		if (!q->bytes)
			continue;
		if (d && d->sender == q->sender && d->len == q->len &&
		    !memcmp(d->bytes, q->bytes, d->copied)) {
			r->tap_done++;
			continue;
		}
		FUZZ_CHECK(ctnl_fake_sys_filter(r->f, NULL));
		check_kernel_drop(r, q);
	}
	FUZZ_CHECK(r->tap_done == r->tap.n);
	judge_skipped(r, library_received(r));
}

/* ---- Reading ---- */

static int on_event(const struct ctnl_event *ev, void *data)
{
	struct run *r = data;

	r->delivered++;
	switch (ev->type) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_UPDATE:
	case CTNL_EVENT_DESTROY:
		FUZZ_CHECK(r->events & ev->type);
		fuzz_check_flow(&ev->flow);
		if (r->has_filter)
			FUZZ_CHECK(ctnl_filter_match(&r->filter, &ev->flow));
		check_delivery(r, ev);
		break;
	case CTNL_EVENT_EXP_NEW:
	case CTNL_EVENT_EXP_DESTROY:
		FUZZ_CHECK(r->events & ev->type);
		fuzz_check_expect(&ev->expect);
		if (r->filter.family)
			FUZZ_CHECK(ev->expect.tuple.family == r->filter.family);
		check_delivery(r, ev);
		break;
	case CTNL_EVENT_OVERFLOW:
		FUZZ_CHECK(r->may_lose);
		FUZZ_CHECK(ev->portid == 0);
		FUZZ_CHECK(ev->overflow.count == ++r->overflows);
		r->lost += ev->overflow.lost;
		break;
	default:
		FUZZ_CHECK(!"an event of no type a reader gets");
	}
	FUZZ_CHECK(ctnl_event_type_name(ev->type) != NULL);
	if (r->every && r->delivered % r->every == 0) {
		r->callback_failed |= r->fail;
		return r->fail ? -ECANCELED : CTNL_CB_STOP;
	}
	return CTNL_CB_OK;
}

/* Starts watching one read (or loop) for the causes of its errors. */
static void begin_read(struct run *r)
{
	fuzz_tap_forget_errors(&r->tap);
	r->saw_malformed = r->saw_foreign = r->callback_failed = false;
}

/* A failure a read may return: an error a call returned to it (a
 * failure or an errno the input scheduled), a malformed or unknown
 * message or datagram it read, one from another port, the callback's.
 * ENOBUFS and EMSGSIZE from a receive are reports, never errors; the
 * loop's poll() may fail with anything. */
static bool read_error_ok(const struct run *r, int ret)
{
	if (fuzz_tap_told_by(&r->tap, FUZZ_TAP_POLL, -ret))
		return true;
	switch (-ret) {
	case ENOBUFS:
	case EMSGSIZE:
		return false;
	case EBADMSG:
		return r->saw_malformed;
	case EPERM:
		return r->saw_foreign;
	case ECANCELED:
		return r->callback_failed;
	default:
		return fuzz_tap_told(&r->tap, -ret);
	}
}

static int read_events(struct run *r)
{
	uint64_t before = r->delivered;
	int ret;

	begin_read(r);
	ret = ctnl_ct_event_read(r->ct, on_event, r);
	reconcile(r);
	if (!r->subscribed)
		FUZZ_CHECK(ret == -ENOTCONN);
	else if (ret >= 0)
		/* Messages read plus reports: events the filter dropped
		 * count as read, not handed over. */
		FUZZ_CHECK(r->delivered - before <= (uint64_t)ret);
	else
		FUZZ_CHECK(read_error_ok(r, ret));
	check_info(r);
	return ret;
}

static int loop_events(struct run *r)
{
	int ret;

	begin_read(r);
	ret = ctnl_ct_event_loop(r->ct, on_event, r, 0);
	reconcile(r);
	/* Its waits fail as poll() is made to. */
	if (ret < 0)
		FUZZ_CHECK(read_error_ok(r, ret) ||
			   (!r->subscribed && ret == -ENOTCONN));
	check_info(r);
	return ret;
}

static void wait_events(struct run *r)
{
	int ret;

	fuzz_tap_forget_errors(&r->tap);
	ret = ctnl_ct_event_wait(r->ct, 0);
	if (ret < 0) {
		FUZZ_CHECK(fuzz_tap_told(&r->tap, -ret));
		return;
	}
	FUZZ_CHECK(ret <= 1);
	/* Something queued is readable (a datagram the filter will drop
	 * included); without, only what a stopped callback left over. */
	if (ctnl_fake_sys_queued(r->f) > 0)
		FUZZ_CHECK(ret == 1);
}

/* ---- The kernel's side ---- */

static void apply_record(struct run *r, uint8_t kind, const uint8_t *p,
			 size_t len, size_t bufsize)
{
	uint8_t b0 = len > 0 ? p[0] : 0, b1 = len > 1 ? p[1] : 0;
	uint8_t b2 = len > 2 ? p[2] : 0, b3 = len > 3 ? p[3] : 0;
	uint8_t cfg[4] = { b0, b1, b2, b3 };
	enum ctnl_fake_call call;
	unsigned int nth;
	int err;

	switch (kind % FUZZ_EV_REC_KINDS) {
	case FUZZ_EV_REC_EVENT:
	case FUZZ_EV_REC_FOREIGN:
		r->msgs += parse_datagram(p, len);
		r->items++;
		/* An oversized datagram is lost, and reported. */
		r->may_lose |= len > bufsize;
		if (kind % FUZZ_EV_REC_KINDS == FUZZ_EV_REC_EVENT) {
			ctnl_fake_sys_queue_raw(r->f, 0, 1, p, len);
			note_queued(r, p, len, 0);
		} else {
			ctnl_fake_sys_queue_raw(r->f, 1u + b0, 1, p, len);
			note_queued(r, p, len, 1u + b0);
		}
		break;
	case FUZZ_EV_REC_ERRNO:
		err = ev_errnos[b0 % EV_NERRNOS];
		r->may_lose |= err == ENOBUFS;
		r->items++;
		ctnl_fake_sys_queue_errno(r->f, -err);
		note_queued(r, NULL, 0, 0);
		break;
	case FUZZ_EV_REC_DROP:
		r->dropped += b0;
		if (r->subscribed)
			r->dropped_subscribed += b0;
		r->may_lose |= b0 > 0;
		r->items++;
		ctnl_fake_sys_drop(r->f, b0);
		break;
	case FUZZ_EV_REC_READ:
		read_events(r);
		break;
	case FUZZ_EV_REC_WAIT:
		wait_events(r);
		break;
	case FUZZ_EV_REC_FAIL:
		call = ev_calls[b0 % EV_NCALLS];
		err = ev_errnos[b2 % EV_NERRNOS];
		r->may_lose |= call == CTNL_FAKE_RECVMSG && err == ENOBUFS;
		nth = ctnl_fake_sys_calls(r->f, call) + 1 + b1 % 4;
		r->fails++;
		if (call == CTNL_FAKE_RECVMSG && nth > r->recv_fail_last)
			r->recv_fail_last = nth;
		ctnl_fake_sys_fail(r->f, call, nth, -err);
		break;
	default:
		subscribe(r, cfg);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctnl_sock_config sock_cfg = { .size = sizeof(sock_cfg) };
	struct run r = { .every = 0 };
	uint8_t head[4], kind;
	const uint8_t *rec;
	size_t len;
	uint64_t bound;
	int ret = 0, zeros = 0;
	FILE *sink;

	if (size < sizeof(head))
		return 0;
	memcpy(head, data, sizeof(head));
	data += sizeof(head);
	size -= sizeof(head);
	/* The header always subscribes. */
	if (!(head[0] & FUZZ_EV_EVENTS))
		head[0] |= FUZZ_EV_EVENTS;
	if (head[0] & FUZZ_EV_SMALLBUF)
		sock_cfg.bufsize = 256;
	r.every = head[2] & FUZZ_EV_CB_EVERY;
	r.fail = head[2] & FUZZ_EV_CB_FAIL;

	FUZZ_CHECK(ctnl_fake_sys_new(&r.f) == 0);
	ctnl_fake_sys_set_responder(r.f, ctnl_fake_sys_ack_responder, NULL);
	fuzz_tap_init(&r.tap, r.f);
	FUZZ_CHECK(ctnl_ct_open(&r.tap.sys, &sock_cfg, &r.ct) == 0);
	sink = fopen("/dev/null", "w");
	FUZZ_CHECK(sink != NULL);
	FUZZ_CHECK(ctnl_ct_set_trace(r.ct, fuzz_trace, sink) == 0);
	FUZZ_CHECK(subscribe(&r, head) == 0);

	while (fuzz_next_record(&data, &size, &kind, &rec, &len))
		apply_record(&r, kind, rec, len,
			     sock_cfg.bufsize ? sock_cfg.bufsize
					      : CTNL_SOCK_BUFSIZE);

	/* Read to the end (and past every receive made to fail), subscribed
	 * again if a record left the handle unsubscribed. Every call reads
	 * something, or ends: each message, error and report is handed over
	 * once, scheduled failures hit once each, and a read that returns 0
	 * found nothing queued, unless a receive was made to say EAGAIN. */
	for (uint64_t i = 0; !r.subscribed && i <= r.fails; i++)
		subscribe(&r, head);
	FUZZ_CHECK(r.subscribed);
	bound = 2 * (r.items + r.msgs + r.fails) + 16;
	for (uint64_t i = 0; i < bound; i++) {
		/* A loop reads only what poll() says is there; a receive
		 * made to fail later is reached by reading on. */
		ret = (head[2] & FUZZ_EV_CB_LOOP) &&
				      ctnl_fake_sys_queued(r.f) > 0
			      ? loop_events(&r)
			      : read_events(&r);
		if (ret == 0 && ctnl_fake_sys_queued(r.f) == 0 &&
		    ctnl_fake_sys_calls(r.f, CTNL_FAKE_RECVMSG) >=
			    r.recv_fail_last) {
			/* Twice: the first may have been a receive made to
			 * say EAGAIN, with the kernel's ENOBUFS still to
			 * come. */
			if (++zeros == 2)
				break;
		} else {
			zeros = 0;
		}
	}
	FUZZ_CHECK(zeros == 2);
	FUZZ_CHECK(ctnl_fake_sys_queued(r.f) == 0);
	if (!r.may_lose)
		FUZZ_CHECK(r.overflows == 0);
	/* Every message the library received was judged: none it had to
	 * hand over is left unseen. */
	FUZZ_CHECK(r.judged == r.nm);

	/* Unsubscribed, the handle makes requests again, and closes clean. */
	head[0] &= (uint8_t)~FUZZ_EV_EVENTS;
	for (uint64_t i = 0; i <= r.fails && subscribe(&r, head) < 0; i++)
		;
	FUZZ_CHECK(!r.subscribed);
	/* Every drop the kernel counted for a subscription was reported,
	 * once the queue was read to the end and the subscription ended
	 * (oversized datagrams add to it), unless a failure hid the
	 * counter. */
	if (r.fails == 0)
		FUZZ_CHECK(r.lost >= r.dropped_subscribed);
	ret = -1;
	for (uint64_t i = 0; i <= r.fails && ret < 0; i++) {
		fuzz_tap_forget_errors(&r.tap);
		ret = ctnl_ct_flush(r.ct, CTNL_TABLE_CONNTRACK, AF_INET);
		FUZZ_CHECK(ret == 0 || fuzz_tap_told(&r.tap, -ret));
	}
	FUZZ_CHECK(ret == 0);
	ctnl_ct_close(r.ct);
	fclose(sink);
	FUZZ_CHECK(ctnl_fake_sys_open_fds(r.f) == 0);
	FUZZ_CHECK(ctnl_fake_sys_bad_closes(r.f) == 0);
	fuzz_tap_free(&r.tap);
	free(r.q);
	free(r.m);
	ctnl_fake_sys_free(r.f);
	return 0;
}
