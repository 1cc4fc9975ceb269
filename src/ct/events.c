/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Events, the default handle's part: the subscription (groups, overflow
 * mode, receive queue, socket filter) and the receive path.
 *
 * The receive path is the hot one. The socket handle reads and checks the
 * datagrams; per message, event_msg() classifies it by type and flags,
 * parses it once into an event on the reader's stack, checks the filter
 * where the kernel could not, and calls back. Nothing is allocated.
 */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <linux/filter.h>

#include "internal.h"

/*
 * Rounds of ctnl_sock_receive() per read. A round ends early at an
 * overflow; the next one reads on, so a read that reported an overflow has
 * also read what followed it, and an edge-triggered caller is not left
 * with events queued behind a return of 0.
 */
#define READ_ROUNDS 4

/*
 * Calls of ctnl_sock_receive() (64 datagrams each) that ending a
 * subscription makes, at most, to empty the queue: 2^22 events, more
 * than the largest queue holds.
 */
#define DISCARD_CALLS_MAX (1 << 16)

/* The kernel's multicast group for each kind of event. Expectations have
 * no update group in use: the kernel never sends to it. */
static const struct {
	unsigned int event;
	unsigned int group;
} event_groups[] = {
	{ CTNL_EVENT_NEW, NFNLGRP_CONNTRACK_NEW },
	{ CTNL_EVENT_UPDATE, NFNLGRP_CONNTRACK_UPDATE },
	{ CTNL_EVENT_DESTROY, NFNLGRP_CONNTRACK_DESTROY },
	{ CTNL_EVENT_EXP_NEW, NFNLGRP_CONNTRACK_EXP_NEW },
	{ CTNL_EVENT_EXP_DESTROY, NFNLGRP_CONNTRACK_EXP_DESTROY },
};

#define N_GROUPS (sizeof(event_groups) / sizeof(event_groups[0]))

static uint32_t group_bit(unsigned int group)
{
	return 1u << (group - 1);
}

/* ---- The socket filter ---- */

/*
 * Offsets in an event datagram (one message per datagram: the kernel
 * sends each event in a buffer of its own). BPF loads are big-endian while
 * nlmsg_type is host-endian: its subsystem byte is the high one.
 */
#define SUBSYS_OFF                                                           \
	(offsetof(struct nlmsghdr, nlmsg_type) +                             \
	 (__BYTE_ORDER == __LITTLE_ENDIAN ? 1 : 0))
#define FAMILY_OFF (NLMSG_HDRLEN + offsetof(struct nfgenmsg, nfgen_family))
#define ATTRS_OFF (NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)))

/* Jump targets resolved once the program's end is known. */
enum { TO_ACCEPT = 0xfe, TO_REJECT = 0xff };

struct bpf_prog {
	struct sock_filter *insn;
	unsigned int n;
};

static void op(struct bpf_prog *p, uint16_t code, uint32_t k)
{
	p->insn[p->n++] = (struct sock_filter){ code, 0, 0, k };
}

static void jump(struct bpf_prog *p, uint16_t code, uint32_t k, uint8_t jt,
		 uint8_t jf)
{
	p->insn[p->n++] = (struct sock_filter){ code, jt, jf, k };
}

static uint8_t resolve(uint8_t target, unsigned int from, unsigned int accept)
{
	if (target == TO_ACCEPT)
		return (uint8_t)(accept - from - 1);
	if (target == TO_REJECT)
		return (uint8_t)(accept + 1 - from - 1);
	return target;
}

/*
 * Messages of other subsystems pass (the socket receives nothing else,
 * but a filter that dropped an error would hide it). Then the family, for
 * conntrack and expectation events alike; then, for conntrack events, the
 * mark: CTA_MARK found with the kernel's attribute search (SKF_AD_NLATTR),
 * and a missing one means mark 0, as the kernel leaves it out then.
 */
unsigned int ctnl__event_filter_build(const struct ctnl_filter *f,
				      struct sock_filter *insn,
				      uint32_t *kernel)
{
	struct bpf_prog p = { .insn = insn };
	bool family = f->family != 0, mark = f->match & CTNL_MATCH_MARK;

	*kernel = 0;
	if (!family && !mark)
		return 0;

	op(&p, BPF_LD | BPF_B | BPF_ABS, SUBSYS_OFF);
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, NFNL_SUBSYS_CTNETLINK, 1, 0);
	jump(&p, BPF_JMP | BPF_JEQ | BPF_K, NFNL_SUBSYS_CTNETLINK_EXP, 0,
	     TO_ACCEPT);
	if (family) {
		op(&p, BPF_LD | BPF_B | BPF_ABS, FAMILY_OFF);
		jump(&p, BPF_JMP | BPF_JEQ | BPF_K, f->family, 0, TO_REJECT);
		*kernel |= CTNL_MATCH_FAMILY;
	}
	if (mark) {
		op(&p, BPF_LD | BPF_B | BPF_ABS, SUBSYS_OFF);
		jump(&p, BPF_JMP | BPF_JEQ | BPF_K, NFNL_SUBSYS_CTNETLINK_EXP,
		     TO_ACCEPT, 0);
		op(&p, BPF_LD | BPF_IMM, ATTRS_OFF);
		op(&p, BPF_LDX | BPF_IMM, CTA_MARK);
		op(&p, BPF_LD | BPF_W | BPF_ABS,
		   (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR));
		/* Not found: A is 0 already, the mark the kernel omitted. */
		jump(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0);
		op(&p, BPF_MISC | BPF_TAX, 0);
		op(&p, BPF_LD | BPF_W | BPF_IND, NLA_HDRLEN);
		op(&p, BPF_ALU | BPF_AND | BPF_K, f->mark_mask);
		jump(&p, BPF_JMP | BPF_JEQ | BPF_K, f->mark, TO_ACCEPT,
		     TO_REJECT);
		*kernel |= CTNL_MATCH_MARK;
	}

	for (unsigned int i = 0; i < p.n; i++) {
		if (BPF_CLASS(insn[i].code) != BPF_JMP)
			continue;
		insn[i].jt = resolve(insn[i].jt, i, p.n);
		insn[i].jf = resolve(insn[i].jf, i, p.n);
	}
	op(&p, BPF_RET | BPF_K, UINT32_MAX);	/* accept: keep it all */
	op(&p, BPF_RET | BPF_K, 0);		/* reject */
	return p.n;
}

/* ---- Subscribing ---- */

static int read_config(const struct ctnl_events_config *cfg,
		       struct ctnl_events_config *c)
{
	const unsigned int flags = CTNL_EVENTS_NO_ENOBUFS | CTNL_EVENTS_RELIABLE;

	if (!ctnl_opts_usable(cfg, cfg->size, sizeof(*cfg)))
		return -EINVAL;
#define OPT(field, dflt) CTNL_OPT(struct ctnl_events_config, cfg, field, dflt)
	c->events = OPT(events, 0u);
	c->flags = OPT(flags, 0u);
	c->rcvbuf = OPT(rcvbuf, 0);
	c->filter = OPT(filter, NULL);
#undef OPT
	if ((c->events & ~(unsigned int)CTNL_EVENT_ALL) || (c->flags & ~flags) ||
	    c->rcvbuf < 0)
		return -EINVAL;
	return c->filter ? ctnl__filter_check_table(c->filter) : 0;
}

/*
 * A socket without options stays as it was opened, which may have been in
 * a no-ENOBUFS mode: *@unknown then says the kernel may drop silently.
 */
static int set_flag(struct ct_handle *h, enum ctnl_sock_option opt, int on,
		    bool *unknown)
{
	int ret = ctnl_sock_set_option(h->sock, opt, on);

	if (ret == -ENOSYS && !on) {
		*unknown = true;
		return 0;
	}
	return ret;
}

static int set_mode(struct ct_handle *h, unsigned int flags)
{
	bool quiet = flags & (CTNL_EVENTS_NO_ENOBUFS | CTNL_EVENTS_RELIABLE);
	bool unknown = false;
	int ret;

	ret = set_flag(h, CTNL_SOCK_OPT_NO_ENOBUFS, quiet, &unknown);
	if (ret == 0)
		ret = set_flag(h, CTNL_SOCK_OPT_BROADCAST_ERROR,
			       (flags & CTNL_EVENTS_RELIABLE) != 0, &unknown);
	h->events.silent_drops = quiet || unknown;
	return ret;
}

static int detach_filter(struct ct_handle *h)
{
	int ret = ctnl_sock_set_filter(h->sock, NULL, 0);

	return ret == -ENOSYS ? 0 : ret;
}

/*
 * Messages dropped since the drop counter was last read; 0 if unknown.
 * A queue seen empty settles a pending loss: the kernel drops only while
 * the queue is full or, having said ENOBUFS, congested, and it lifts the
 * congestion when a read empties the queue; so once the queue has been
 * seen empty, every drop so far is in the counter, and any later one
 * leaves messages queued behind it, to be read before the queue is empty
 * again (see doc/kernel-behaviour.md).
 */
static uint32_t new_drops(struct ct_events *e, struct ctnl_sock *sock)
{
	struct ctnl_sock_stats st;
	uint32_t n;

	if (!e->have_drops) {
		e->loss_pending = false;	/* nothing would ever say */
		return 0;
	}
	if (ctnl_sock_stats(sock, &st) < 0)
		return 0;
	n = st.drops - e->drops;	/* the counter wraps */
	e->drops = st.drops;
	if (st.queued == 0)
		e->loss_pending = false;
	return n;
}

static int count_msg(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(uint64_t *)arg)++;
	return CTNL_CB_OK;
}

/*
 * Reads and counts, into *@n, what a subscription left queued, once its
 * groups are left: nothing more can come then, so the queue ends (the
 * bound only guards against a group that could not be left). Each message
 * costs the one recvmsg() a read would have cost it, no more. An
 * oversized datagram was consumed whole: one message; a pending ENOBUFS,
 * a datagram not from the kernel or a malformed one is read and passed.
 * Returns 0 once the queue is empty, or the error that stopped it.
 */
static int discard_queue(struct ct_handle *h, uint64_t *n)
{
	for (int i = 0; i < DISCARD_CALLS_MAX; i++) {
		int ret = ctnl_sock_receive(h->sock, count_msg, n);

		if (ret == 0)
			return 0;
		if (ret == -EMSGSIZE)
			(*n)++;
		else if (ret < 0 && ret != -ENOBUFS && ret != -EPERM &&
			 ret != -EBADMSG)
			return ret;
	}
	return 0;
}

/*
 * Leaves every group and puts the socket back as it was for requests.
 * Best effort: goes on after a failure, returns the first. Then the
 * messages still queued are read and thrown away, so that the next
 * request's replies are all the handle reads (and a pending ENOBUFS goes
 * with them), and counted as lost with the loss no read has reported
 * yet: the drop counter is read once the queue is empty, when it can grow
 * no more for this subscription. The count goes to the handle's info
 * (ctnl_ct_unsubscribe() hands it to a callback).
 */
static int unsubscribe(struct ct_handle *h)
{
	struct ct_events *e = &h->events;
	bool had = e->events || e->groups;	/* or a subscribe that failed */
	int ret = 0, err;
	uint64_t lost;

	for (size_t i = 0; i < N_GROUPS; i++) {
		uint32_t bit = group_bit(event_groups[i].group);

		if (!(e->groups & bit))
			continue;
		err = ctnl_sock_leave(h->sock, event_groups[i].group);
		if (err == 0)
			e->groups &= ~bit;
		else if (ret == 0)
			ret = err;
	}
	err = detach_filter(h);
	if (ret == 0)
		ret = err;
	err = set_mode(h, 0);
	if (ret == 0)
		ret = err;

	lost = 0;
	if (had) {
		err = discard_queue(h, &lost);
		if (ret == 0)
			ret = err;
		lost += new_drops(e, h->sock);
	}
	if (lost > 0) {
		e->info.overflows++;
		e->info.lost += lost;
	}
	e->loss_pending = false;
	e->events = 0;
	e->filtering = false;
	e->info.events = 0;
	e->info.flags = 0;
	memset(&e->info.filter, 0, sizeof(e->info.filter));
	e->info.kernel = e->info.user = 0;
	return ret;
}

/* Attaches what the kernel can apply of the filter; the rest, and all of
 * it if the kernel will not take the program, stays in user space. */
static int set_filter(struct ct_handle *h)
{
	struct ct_events *e = &h->events;
	const struct ctnl_filter *f = &e->info.filter;
	struct sock_filter prog[EVENT_BPF_MAX];
	uint32_t kernel = 0, all;
	unsigned int n = 0;
	int ret;

	all = f->match | (f->family ? CTNL_MATCH_FAMILY : 0);
	if (!(f->flags & CTNL_FILTER_USERSPACE))
		n = ctnl__event_filter_build(f, prog, &kernel);
	if (n > 0 && ctnl_sock_set_filter(h->sock, prog, n) < 0) {
		kernel = 0;
		n = 0;
	}
	if (n == 0) {
		ret = detach_filter(h);
		if (ret < 0)
			return ret;
	}
	e->info.kernel = kernel;
	e->info.user = all & ~kernel;
	return 0;
}

static int subscribe(struct ct_handle *h, const struct ctnl_events_config *c)
{
	struct ct_events *e = &h->events;
	uint32_t want = 0;
	struct ctnl_sock_stats st;
	int ret;

	for (size_t i = 0; i < N_GROUPS; i++)
		if (c->events & event_groups[i].event)
			want |= group_bit(event_groups[i].group);

	if (c->rcvbuf > 0) {
		ret = ctnl_sock_set_option(h->sock, CTNL_SOCK_OPT_RCVBUF,
					   c->rcvbuf);
		if (ret < 0)
			return ret;
	}
	ret = set_mode(h, c->flags);
	if (ret < 0)
		return ret;

	e->info.filter = c->filter ? *c->filter : (struct ctnl_filter){ 0 };
	e->filtering = e->info.filter.family || e->info.filter.match;
	ret = set_filter(h);
	if (ret < 0)
		return ret;

	if (!e->events) {
		/* Drops counted from here on are this subscription's. */
		e->have_drops = ctnl_sock_stats(h->sock, &st) == 0;
		e->drops = e->have_drops ? st.drops : 0;
	} else {
		/* A new subscription on the same socket takes over the old
		 * one's loss: the next read settles what is unreported. */
		e->loss_pending = e->have_drops;
	}

	for (size_t i = 0; i < N_GROUPS; i++) {
		unsigned int g = event_groups[i].group;

		if ((want & group_bit(g)) && !(e->groups & group_bit(g))) {
			ret = ctnl_sock_join(h->sock, g);
			if (ret < 0)
				return ret;
			e->groups |= group_bit(g);
		} else if (!(want & group_bit(g)) && (e->groups & group_bit(g))) {
			ret = ctnl_sock_leave(h->sock, g);
			if (ret < 0)
				return ret;
			e->groups &= ~group_bit(g);
		}
	}
	e->events = c->events;
	e->info.events = c->events;
	e->info.flags = c->flags;
	return 0;
}

int ctnl__ct_subscribe(void *ctx, const struct ctnl_events_config *cfg)
{
	struct ct_handle *h = ctx;
	struct ctnl_events_config c;
	int ret;

	ret = read_config(cfg, &c);
	if (ret < 0)
		return ret;
	if (h->events.reading)
		return -EBUSY;
	if (c.events == 0)
		return unsubscribe(h);
	ret = subscribe(h, &c);
	if (ret < 0)
		unsubscribe(h);
	return ret;
}

/* ---- Reading ---- */

struct reader {
	struct ct_handle *h;
	ctnl_event_cb cb;
	void *data;
	int count;		/* messages read and reports made */
	bool stopped;		/* the callback said stop, or failed */
	struct ctnl_event ev;	/* the one event being handed over */
};

static int deliver(struct reader *r)
{
	int ret;

	r->h->events.info.delivered++;
	ret = r->cb(&r->ev, r->data);
	if (ret != CTNL_CB_OK)
		r->stopped = true;
	return ret;
}

/* The kernel marks an entry's creation NLM_F_CREATE|NLM_F_EXCL; any other
 * conntrack NEW message reports a change. */
static unsigned int event_type(const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case CT_MSG(IPCTNL_MSG_CT_NEW):
		return (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL))
			       ? CTNL_EVENT_NEW
			       : CTNL_EVENT_UPDATE;
	case CT_MSG(IPCTNL_MSG_CT_DELETE):
		return CTNL_EVENT_DESTROY;
	case EXP_MSG(IPCTNL_MSG_EXP_NEW):
		return CTNL_EVENT_EXP_NEW;
	case EXP_MSG(IPCTNL_MSG_EXP_DELETE):
		return CTNL_EVENT_EXP_DESTROY;
	}
	return 0;
}

/* What the kernel could not filter. Expectations have a family only. */
static bool passes(const struct ct_events *e, const struct ctnl_event *ev)
{
	if (!e->filtering)
		return true;
	if (ev->type & CTNL_EVENT_EXP_ALL)
		return !e->info.filter.family ||
		       ev->expect.tuple.family == e->info.filter.family;
	return ctnl__filter_mismatch(&e->info.filter, &ev->flow) == 0;
}

static int event_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct reader *r = arg;
	struct ct_events *e = &r->h->events;
	unsigned int type = event_type(nlh);
	int err;

	r->count++;
	e->info.received++;
	if (type & CTNL_EVENT_CT_ALL)
		err = ctnl_flow_parse(nlh, &r->ev.flow);
	else if (type)
		err = ctnl_expect_parse(nlh, &r->ev.expect);
	else
		err = -EBADMSG;
	if (err < 0)
		return -EBADMSG;
	r->ev.type = (enum ctnl_event_type)type;
	r->ev.portid = nlh->nlmsg_pid;
	/* Events of groups left since they were queued, and what the
	 * filter rejects, are counted and dropped. */
	if (!(type & e->events) || !passes(e, &r->ev)) {
		e->info.filtered++;
		return CTNL_CB_OK;
	}
	return deliver(r);
}

/*
 * Reports a loss: @said when the socket told of it (-ENOBUFS, or an
 * oversized datagram, @extra messages lost beyond the drop counter); else
 * only a grown drop counter is one. The kernel raises ENOBUFS before it
 * counts the drop, and goes on dropping after it: a report can say 0 lost,
 * and the settling report (at the latest) counts the rest.
 * Returns the callback's verdict, or CTNL_CB_OK.
 */
static int report_loss(struct reader *r, bool said, uint32_t extra)
{
	struct ct_events *e = &r->h->events;
	uint64_t lost = (uint64_t)extra + new_drops(e, r->h->sock);

	if (lost == 0 && !said)
		return CTNL_CB_OK;
	e->info.overflows++;
	e->info.lost += lost;
	r->count++;
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.type = CTNL_EVENT_OVERFLOW;
	r->ev.overflow.lost = lost;
	r->ev.overflow.count = e->info.overflows;
	return deliver(r);
}

int ctnl__ct_event_read(void *ctx, ctnl_event_cb cb, void *data)
{
	struct ct_handle *h = ctx;
	struct ct_events *e = &h->events;
	struct reader r = { .h = h, .cb = cb, .data = data };
	int ret = 0, verdict = CTNL_CB_OK;
	uint64_t received;

	if (!cb)
		return -EINVAL;
	if (!e->events)
		return -ENOTCONN;
	if (e->reading)
		return -EBUSY;
	e->reading = true;
	received = e->info.received;

	for (int round = 0; round < READ_ROUNDS; round++) {
		ret = ctnl_sock_receive(h->sock, event_msg, &r);
		if (ret != -ENOBUFS && ret != -EMSGSIZE)
			break;
		/* After ENOBUFS the kernel drops without a word until the
		 * queue is empty. An oversized datagram was consumed
		 * whole: one lost. */
		e->loss_pending |= ret == -ENOBUFS;
		verdict = report_loss(&r, true, ret == -EMSGSIZE);
		ret = 0;
		if (verdict != CTNL_CB_OK)
			break;
	}
	/* Where the kernel drops without a word, any message read may have
	 * had others dropped behind it. */
	if (e->silent_drops && e->info.received != received)
		e->loss_pending = true;
	/* The drop counter is the only witness of a pending loss: one more
	 * system call per read while one is pending, never per event, none
	 * otherwise. A callback that stopped hears of it at the next read. */
	if (ret >= 0 && !r.stopped && e->loss_pending)
		verdict = report_loss(&r, false, 0);

	e->reading = false;
	if (ret < 0)
		return ret;
	if (verdict < 0)
		return verdict;
	return r.count;
}

int ctnl__ct_event_fd(void *ctx)
{
	struct ct_handle *h = ctx;

	return ctnl_sock_fd(h->sock);
}

int ctnl__ct_event_wait(void *ctx, int timeout_ms)
{
	struct ct_handle *h = ctx;

	return ctnl_sock_wait(h->sock, timeout_ms);
}

int ctnl__ct_event_info(void *ctx, struct ctnl_event_info *out)
{
	struct ct_handle *h = ctx;
	struct ctnl_sock_stats st;

	*out = h->events.info;
	out->rcvbuf = ctnl_sock_stats(h->sock, &st) == 0 ? st.rcvbuf : 0;
	return 0;
}
