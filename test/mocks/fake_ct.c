/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The in-memory conntrack table: see <ctnl/mocks.h>.
 *
 * Requests are checked with libctnl's own public request builders, so an
 * argument the real handle refuses is refused here with the same error;
 * what the kernel then does with the request follows
 * net/netfilter/nf_conntrack_netlink.c (6.18), each rule where it lives.
 * Which entries a filter selects is decided by fake_filter.c, written
 * apart from libctnl's ctnl_filter_match() so that the two check each
 * other. Only libctnl's public API is used: the library installed for
 * callers exports nothing else.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ctnl/mocks.h>
#include <ctnl/sys/ct.h>

#include "fake_filter.h"

/* Room for any request libctnl builds; the builders only check here. */
#define CHECK_BUF 1024

/* The first id the table hands out. */
#define FIRST_ID 1u

/* Status bits the kernel keeps for itself: a request that sets them is
 * not refused, they are just not set (__nf_ct_change_status()). */
#define KERNEL_BITS ((uint32_t)IPS_UNCHANGEABLE_MASK)

/* The expectation flag a netlink request may not set. */
#define EXPECT_USERSPACE 0x4u

#define LABELS_MSG                                                          \
	"conntrack labels are not enabled in this network namespace: the "  \
	"kernel keeps labels only where a ruleset uses them, for example "  \
	"'nft add rule inet t c ct label set 127'; entries created before " \
	"that never gain them"

struct rule {
	enum ctnl_fake_ct_slot slot;
	unsigned int nth;
	int err;
};

/* What the kernel knows of an expectation beyond what it reports. */
struct exp_meta {
	uint32_t master_id;	/* 0: none */
	uint16_t zone;
};

/* Events a read hands over at most, as the real handle reads a bounded
 * number of datagrams per call. */
#define EVENT_READ_BUDGET 64

/* The port id of the first handle's requests; handles opened with
 * ctnl_fake_ct_open() get the next ones. Events the table makes on its
 * own (seeded entries, expiry) carry 0, as the kernel's do. */
#define FIRST_PORTID 1000u

/* A handle's subscription and its queue of events. */
struct fake_events {
	unsigned int events;		/* CTNL_EVENT_* subscribed; 0: none */
	unsigned int flags;		/* CTNL_EVENTS_* */
	uint32_t portid;		/* of this handle's requests */
	struct ctnl_event *queue;	/* a ring */
	size_t head, count, cap;
	uint64_t pending_lost;		/* not reported yet */
	struct ctnl_event_info info;
	int efd;			/* readable while there is news */
	bool signalled;
	bool reading;			/* inside event_read */
};

/* A handle opened with ctnl_fake_ct_open(). */
struct fake_handle {
	struct ctnl_ct iface;
	struct ctnl_fake_ct *table;
	struct fake_events ev;
	struct fake_handle *next;
};

struct ctnl_fake_ct {
	struct ctnl_ct iface;

	/* Events: the first handle's subscription, the other handles, the
	 * one whose slot runs now (NULL: the first), the port id the
	 * change being made is announced with, and queues' capacity. */
	struct fake_events ev0;
	struct fake_handle *handles;
	/* net.netfilter.nf_conntrack_events: at 2 (the kernel's default),
	 * an entry made while no handle listens never announces anything:
	 * the ids of those, unsorted. */
	bool events_all;
	uint32_t *quiet;
	size_t nquiet, quietcap;
	struct fake_events *caller;
	uint32_t cause;
	uint32_t next_portid;
	size_t event_capacity;		/* 0: unbounded */

	/* The table, oldest first; roomy[i]: entry i has a labels
	 * extension (room for labels). */
	struct ctnl_flow *flows;
	bool *roomy;
	size_t n, flowcap, roomcap;
	uint32_t next_id;

	struct ctnl_expect *exps;
	struct exp_meta *meta;
	size_t nexp, expcap, metacap;
	uint32_t next_exp_id;

	uint32_t max;
	int options[CTNL_CT_OPT_DUMP_RETRIES + 1];	/* as set */
	bool labels_enabled;
	bool closed;
	bool in_dump;
	const char *errmsg;

	struct rule *rules;
	size_t nrules, rulecap;
	unsigned int calls[CTNL_FAKE_CT_NSLOTS];
};

static const char *const slot_names[CTNL_FAKE_CT_NSLOTS] = {
	[CTNL_FAKE_CT_DUMP] = "dump",
	[CTNL_FAKE_CT_GET] = "get",
	[CTNL_FAKE_CT_CREATE] = "create",
	[CTNL_FAKE_CT_UPDATE] = "update",
	[CTNL_FAKE_CT_DEL] = "del",
	[CTNL_FAKE_CT_BATCH] = "batch",
	[CTNL_FAKE_CT_FLUSH] = "flush",
	[CTNL_FAKE_CT_UPDATE_MATCHING] = "update_matching",
	[CTNL_FAKE_CT_DELETE_MATCHING] = "delete_matching",
	[CTNL_FAKE_CT_STATS] = "stats",
	[CTNL_FAKE_CT_STATS_CPU] = "stats_cpu",
	[CTNL_FAKE_CT_DUMP_EXPECT] = "dump_expect",
	[CTNL_FAKE_CT_GET_EXPECT] = "get_expect",
	[CTNL_FAKE_CT_CREATE_EXPECT] = "create_expect",
	[CTNL_FAKE_CT_DEL_EXPECT] = "del_expect",
	[CTNL_FAKE_CT_DELETE_IF] = "delete_if",
	[CTNL_FAKE_CT_SUBSCRIBE] = "subscribe",
	[CTNL_FAKE_CT_EVENT_READ] = "event_read",
};

static void emit_flow(struct ctnl_fake_ct *f, enum ctnl_event_type type,
		      const struct ctnl_flow *flow);
static void emit_expect(struct ctnl_fake_ct *f, enum ctnl_event_type type,
			const struct ctnl_expect *exp, uint32_t master_id);

/* The subscription of the handle whose slot runs. */
static struct fake_events *caller_events(struct ctnl_fake_ct *f)
{
	return f->caller ? f->caller : &f->ev0;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ctnl fake conntrack: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* Grows *@arr (*@cap elements of @size) to hold @need; -ENOMEM leaves it
 * as it was. */
static int reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = need < 8 ? 8 : need * 2;
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Room for one more entry, in both arrays. */
static int reserve_flow(struct ctnl_fake_ct *f)
{
	int err = reserve((void **)&f->flows, &f->flowcap, f->n + 1,
			  sizeof(*f->flows));

	return err ? err : reserve((void **)&f->roomy, &f->roomcap, f->n + 1,
				   sizeof(*f->roomy));
}

static int reserve_exp(struct ctnl_fake_ct *f)
{
	int err = reserve((void **)&f->exps, &f->expcap, f->nexp + 1,
			  sizeof(*f->exps));

	return err ? err : reserve((void **)&f->meta, &f->metacap,
				   f->nexp + 1, sizeof(*f->meta));
}

/* ---- Tuples, as the kernel compares and inverts them ---- */

static bool family_ok(uint8_t family)
{
	return family == AF_INET || family == AF_INET6;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr)
				  : sizeof(struct in_addr);
}

/*
 * The type answering ICMP type @type, as the kernel's invmap pairs them
 * (nf_conntrack_proto_icmp.c, nf_conntrack_proto_icmpv6.c). The kernel
 * refuses any tuple whose type has no pair, so that also says which
 * ICMP tuples it accepts.
 */
/* Whether the kernel would parse @t (its family and ICMP type). */
static bool tuple_ok(const struct ctnl_tuple *t)
{
	if (!family_ok(t->family))
		return false;
	return !is_icmp(t->proto) ||
	       ctnl_icmp_reply_type(t->proto, t->icmp.type) >= 0;
}

/* Equal as the kernel compares tuples; zones are compared apart. */
static bool tuple_eq(const struct ctnl_tuple *a, const struct ctnl_tuple *b)
{
	size_t alen = addr_len(a->family);

	if (a->family != b->family || a->proto != b->proto ||
	    memcmp(&a->src, &b->src, alen) || memcmp(&a->dst, &b->dst, alen))
		return false;
	if (ctnl_proto_has_ports(a->proto))
		return a->port.src == b->port.src && a->port.dst == b->port.dst;
	if (is_icmp(a->proto))
		return a->icmp.id == b->icmp.id &&
		       a->icmp.type == b->icmp.type &&
		       a->icmp.code == b->icmp.code;
	return true;
}

/* The tuple of the other direction. False for an ICMP type the kernel
 * cannot invert. */
static bool tuple_invert(struct ctnl_tuple *out, const struct ctnl_tuple *t)
{
	if (is_icmp(t->proto) &&
	    ctnl_icmp_reply_type(t->proto, t->icmp.type) < 0)
		return false;
	return ctnl_tuple_invert(t, out) == 0;
}

/*
 * Finds the entry one of whose tuples is @t: the kernel hashes both
 * directions of every entry. @zone_orig and @zone_reply are the zone the
 * lookup is in, for a match on an entry's original and reply tuple.
 */
static bool find(const struct ctnl_fake_ct *f, const struct ctnl_tuple *t,
		 uint16_t zone_orig, uint16_t zone_reply, size_t *at)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct ctnl_flow *e = &f->flows[i];

		if ((e->orig.zone == zone_orig && tuple_eq(&e->orig, t)) ||
		    (e->reply.zone == zone_reply && tuple_eq(&e->reply, t))) {
			*at = i;
			return true;
		}
	}
	return false;
}

static bool find_id(const struct ctnl_fake_ct *f, uint32_t id, size_t *at)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->flows[i].id == id) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* The tuple a key names its entry by: the original one, else the reply. */
static const struct ctnl_tuple *key_tuple(const struct ctnl_flow *key)
{
	if (key->attrs & CTNL_ATTR_ORIG)
		return &key->orig;
	return (key->attrs & CTNL_ATTR_REPLY) ? &key->reply : NULL;
}

/* The entry a key (already checked by a request builder) names. The
 * kernel looks in the key's zone for both directions. */
static int lookup_key(const struct ctnl_fake_ct *f,
		      const struct ctnl_flow *key, size_t *at)
{
	const struct ctnl_tuple *t = key_tuple(key);

	if (!tuple_ok(t))
		return -EINVAL;
	return find(f, t, t->zone, t->zone, at) ? 0 : -ENOENT;
}

static uint32_t fresh_id(uint32_t *next)
{
	uint32_t id = (*next)++;

	if (*next == 0)
		*next = FIRST_ID;
	return id;
}

/* Ids given by a caller are taken out of the fresh ones. */
static void note_id(uint32_t *next, uint32_t id)
{
	if (id >= *next && id != UINT32_MAX)
		*next = id + 1;
}

/* ---- Labels ---- */

static bool labels_zero(const struct ctnl_labels *l)
{
	for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
		if (l->words[i])
			return false;
	return true;
}

/* The kernel reports labels only while some label is set. */
static void show_labels(struct ctnl_flow *e)
{
	if (labels_zero(&e->labels))
		e->attrs &= ~CTNL_ATTR_LABELS;
	else
		e->attrs |= CTNL_ATTR_LABELS;
}

/* ---- Entering a slot ---- */

/* The failure a test scripted for this call of @slot, or 0. */
static int rule_for(const struct ctnl_fake_ct *f, enum ctnl_fake_ct_slot slot)
{
	for (size_t i = 0; i < f->nrules; i++) {
		const struct rule *r = &f->rules[i];

		if (r->slot == slot && r->nth == f->calls[slot])
			return r->err;
	}
	return 0;
}

static int enter(struct ctnl_fake_ct *f, enum ctnl_fake_ct_slot slot)
{
	if (f->closed && !f->caller)
		die("%s called on a conntrack handle after ctnl_ct_close()",
		    slot_names[slot]);
	f->calls[slot]++;
	f->errmsg = NULL;
	f->cause = caller_events(f)->portid;
	/* Mid-dump, as the real handle's socket is; or receive-only. */
	if (f->in_dump || caller_events(f)->events)
		return -EBUSY;
	return rule_for(f, slot);
}

/* Removes entry @i and the expectations it is the master of, announced
 * in the kernel's order (nf_ct_delete(): the entry's destroy first). */
static void remove_entry(struct ctnl_fake_ct *f, size_t i)
{
	uint32_t id = f->flows[i].id;
	size_t out = 0;

	emit_flow(f, CTNL_EVENT_DESTROY, &f->flows[i]);
	memmove(&f->flows[i], &f->flows[i + 1],
		(f->n - i - 1) * sizeof(*f->flows));
	memmove(&f->roomy[i], &f->roomy[i + 1],
		(f->n - i - 1) * sizeof(*f->roomy));
	f->n--;
	for (size_t j = 0; j < f->nexp; j++) {
		if (f->meta[j].master_id == id) {
			emit_expect(f, CTNL_EVENT_EXP_DESTROY, &f->exps[j],
				    id);
			continue;
		}
		f->exps[out] = f->exps[j];
		f->meta[out] = f->meta[j];
		out++;
	}
	f->nexp = out;
}

static void remove_exp(struct ctnl_fake_ct *f, size_t i)
{
	emit_expect(f, CTNL_EVENT_EXP_DESTROY, &f->exps[i],
		    f->meta[i].master_id);
	memmove(&f->exps[i], &f->exps[i + 1],
		(f->nexp - i - 1) * sizeof(*f->exps));
	memmove(&f->meta[i], &f->meta[i + 1],
		(f->nexp - i - 1) * sizeof(*f->meta));
	f->nexp--;
}

/* ---- Reading ---- */

static bool other_list(const struct ctnl_filter *filter)
{
	return filter &&
	       (filter->flags & (CTNL_FILTER_DYING | CTNL_FILTER_UNCONFIRMED));
}

static int fake_dump(void *ctx, const struct ctnl_filter *filter,
		     ctnl_flow_cb cb, void *data, struct ctnl_dump_info *info)
{
	struct ctnl_fake_ct *f = ctx;
	struct ctnl_dump_info d = { .user = filter ? filter->match : 0 };
	struct ctnl_flow flow;
	uint8_t buf[CHECK_BUF];
	size_t n;
	int ret = enter(f, CTNL_FAKE_CT_DUMP);

	if (ret) {
		if (info)
			*info = d;
		return ret;
	}
	if (!cb)
		return -EINVAL;
	ret = ctnl_build_dump(buf, sizeof(buf), filter);
	if (ret < 0)
		return ret;

	/* The dying and unconfirmed lists: empty here, where nothing dies
	 * slowly and nothing waits for its first packet to leave. */
	n = other_list(filter) ? 0 : f->n;
	ret = CTNL_CB_OK;
	f->in_dump = true;
	for (size_t i = 0; i < n && ret == CTNL_CB_OK; i++) {
		/* A copy: the callback sees the entry, not the table. */
		flow = f->flows[i];
		d.received++;
		if (!ctnl__fake_filter_match(filter, &flow))
			continue;
		d.matched++;
		/* -z: the counts are read out, then zeroed. */
		if (filter && (filter->flags & CTNL_FILTER_ZERO))
			memset(f->flows[i].counters, 0,
			       sizeof(f->flows[i].counters));
		ret = cb(&flow, data);
	}
	f->in_dump = false;
	if (info)
		*info = d;
	if (ret < 0)
		return ret;
	return d.matched > INT_MAX ? INT_MAX : (int)d.matched;
}

static int fake_get(void *ctx, const struct ctnl_flow *key,
		    struct ctnl_flow *out)
{
	struct ctnl_fake_ct *f = ctx;
	uint8_t buf[CHECK_BUF];
	size_t i;
	int ret = enter(f, CTNL_FAKE_CT_GET);

	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	ret = ctnl_build_get(buf, sizeof(buf), key);
	if (ret < 0)
		return ret;
	/* The kernel answers a get by tuple alone: CTA_ID is not checked. */
	ret = lookup_key(f, key, &i);
	if (ret)
		return ret;
	*out = f->flows[i];
	return 0;
}

/* ---- Creating ---- */

/* TCP and SCTP details as ctnetlink_change_protoinfo() takes them. */
static int take_protoinfo(struct ctnl_flow *e, const struct ctnl_flow *flow)
{
	const uint64_t sctp = CTNL_ATTR_SCTP_STATE | CTNL_ATTR_SCTP_VTAG;
	const uint64_t tcp_extra = CTNL_ATTR_TCP_WSCALE | CTNL_ATTR_TCP_FLAGS;

	if (flow->orig.proto == IPPROTO_TCP) {
		if ((flow->attrs & CTNL_ATTR_TCP_STATE) &&
		    flow->tcp.state >= CTNL_TCP_STATE_MAX)
			return -EINVAL;
		/* A TCP entry always has a state: NONE unless told. */
		e->attrs |= CTNL_ATTR_TCP_STATE | (flow->attrs & tcp_extra);
		e->tcp = (struct ctnl_tcp_info){ .state = CTNL_TCP_NONE };
		if (flow->attrs & CTNL_ATTR_TCP_STATE)
			e->tcp.state = flow->tcp.state;
		if (flow->attrs & CTNL_ATTR_TCP_WSCALE)
			memcpy(e->tcp.wscale, flow->tcp.wscale,
			       sizeof(e->tcp.wscale));
		if (flow->attrs & CTNL_ATTR_TCP_FLAGS) {
			memcpy(e->tcp.flags, flow->tcp.flags,
			       sizeof(e->tcp.flags));
			memcpy(e->tcp.flags_mask, flow->tcp.flags_mask,
			       sizeof(e->tcp.flags_mask));
		}
	} else if (flow->orig.proto == IPPROTO_SCTP && (flow->attrs & sctp)) {
		/* nlattr_to_sctp() needs the state and both vtags. */
		if ((flow->attrs & sctp) != sctp)
			return -EINVAL;
		e->attrs |= sctp;
		e->sctp = flow->sctp;
	}
	return 0;
}

/* NAT as ctnetlink_setup_nat() sets it up (always with the first address
 * and port of the range, where the kernel would pick a free one): the
 * reply tuple is translated, and the status says which way, with both
 * ways done (the other a null binding). */
static void take_nat(struct ctnl_flow *e, const struct ctnl_flow *flow)
{
	bool ports = ctnl_proto_has_ports(flow->orig.proto);

	if (!(flow->attrs & (CTNL_ATTR_SNAT | CTNL_ATTR_DNAT)))
		return;
	e->status |= IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;
	if (flow->attrs & CTNL_ATTR_DNAT) {
		e->status |= IPS_DST_NAT;
		e->reply.src = flow->dnat.min;
		if (ports && flow->dnat.port_min)
			e->reply.port.src = flow->dnat.port_min;
	}
	if (flow->attrs & CTNL_ATTR_SNAT) {
		e->status |= IPS_SRC_NAT;
		e->reply.dst = flow->snat.min;
		if (ports && flow->snat.port_min)
			e->reply.port.dst = flow->snat.port_min;
	}
}

/*
 * Creates an entry as ctnetlink_new_conntrack() does. @whole: labels that
 * do not stick make it fail with -ENOSPC and leave nothing, as
 * ctnl_ct_create() makes sure; otherwise they are dropped, as the kernel
 * alone (and a batch) does.
 */
static int create_entry(struct ctnl_fake_ct *f, const struct ctnl_flow *flow,
			bool whole)
{
	struct ctnl_flow e = { .orig = flow->orig };
	uint8_t buf[CHECK_BUF];
	bool roomy = f->labels_enabled;
	size_t i;
	int ret;

	ret = ctnl_build_create(buf, sizeof(buf), flow);
	if (ret < 0)
		return ret;
	if (flow->attrs & CTNL_ATTR_REPLY)
		e.reply = flow->reply;
	else if (!tuple_invert(&e.reply, &flow->orig))
		return -EINVAL;

	/* Parsing: ICMP types, and one zone per direction at most
	 * (ctnetlink_parse_tuple_zone() refuses a second one). */
	if (!tuple_ok(&e.orig) || !tuple_ok(&e.reply))
		return -EINVAL;
	if (e.orig.zone && e.reply.zone && e.orig.zone != e.reply.zone)
		return -EINVAL;
	if (find(f, &e.orig, e.orig.zone, e.reply.zone, &i))
		return -EEXIST;
	/* nf_conntrack_alloc() on a full table. */
	if (f->max && f->n >= f->max)
		return -ENOMEM;

	e.status = IPS_CONFIRMED;
	if (flow->attrs & CTNL_ATTR_STATUS) {
		/* libctnl always sends CONFIRMED along; the kernel refuses
		 * to change EXPECTED or DYING, and ignores its own bits. */
		uint32_t want = flow->status | IPS_CONFIRMED;

		if (want & (IPS_EXPECTED | IPS_DYING))
			return -EBUSY;
		e.status |= want & ~KERNEL_BITS;
	}
	ret = take_protoinfo(&e, flow);
	if (ret)
		return ret;
	take_nat(&e, flow);
	/* nf_conntrack_hash_check_insert(): both tuples must be free. */
	if (find(f, &e.reply, e.orig.zone, e.reply.zone, &i))
		return -EEXIST;

	if ((flow->attrs & CTNL_ATTR_LABELS) && roomy)
		e.labels = flow->labels;
	else if ((flow->attrs & CTNL_ATTR_LABELS) && whole &&
		 !labels_zero(&flow->labels)) {
		f->errmsg = LABELS_MSG;
		return -ENOSPC;
	}
	ret = reserve_flow(f);
	if (ret)
		return ret;

	e.attrs |= CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_ID |
		   CTNL_ATTR_STATUS | CTNL_ATTR_TIMEOUT | CTNL_ATTR_MARK |
		   CTNL_ATTR_USE;
	e.id = fresh_id(&f->next_id);
	e.timeout = flow->timeout;
	e.mark = (flow->attrs & CTNL_ATTR_MARK) ? flow->mark : 0;
	e.use = 1;
	show_labels(&e);
	f->flows[f->n] = e;
	f->roomy[f->n] = roomy;
	f->n++;
	emit_flow(f, CTNL_EVENT_NEW, &e);
	return 0;
}

static int fake_create(void *ctx, const struct ctnl_flow *flow)
{
	struct ctnl_fake_ct *f = ctx;
	int ret = enter(f, CTNL_FAKE_CT_CREATE);

	return ret ? ret : create_entry(f, flow, true);
}

/* ---- Changing ---- */

/*
 * Applies @c to entry @i as ctnetlink_change_conntrack() does: in its
 * order, keeping what was done before a failure.
 */
static int change_entry(struct ctnl_fake_ct *f, size_t i,
			const struct ctnl_change *c)
{
	struct ctnl_flow *e = &f->flows[i];

	if (c->attrs & CTNL_ATTR_TIMEOUT) {
		if ((e->attrs & CTNL_ATTR_STATUS) &&
		    (e->status & IPS_FIXED_TIMEOUT))
			return -EPERM;
		e->timeout = c->timeout;
		e->attrs |= CTNL_ATTR_TIMEOUT;
	}
	if (c->attrs & CTNL_ATTR_STATUS) {
		/* Every entry in the table is confirmed, and libctnl sends
		 * CONFIRMED along. nf_ct_change_status_common(): bits are
		 * only ever set, never cleared. */
		uint32_t old = ((e->attrs & CTNL_ATTR_STATUS) ? e->status : 0) |
			       IPS_CONFIRMED;
		uint32_t want = c->status | IPS_CONFIRMED;
		uint32_t d = old ^ want;

		if ((d & (IPS_EXPECTED | IPS_DYING)) ||
		    ((d & IPS_SEEN_REPLY) && !(want & IPS_SEEN_REPLY)) ||
		    ((d & IPS_ASSURED) && !(want & IPS_ASSURED)))
			return -EBUSY;
		e->status = old | (want & ~KERNEL_BITS);
		e->attrs |= CTNL_ATTR_STATUS;
	}
	if (c->attrs & CTNL_ATTR_MARK) {
		e->mark = c->mark;
		e->attrs |= CTNL_ATTR_MARK;
	}
	if (c->attrs & CTNL_ATTR_LABELS) {
		if (!f->roomy[i])
			return -ENOSPC;
		for (size_t w = 0; w < CTNL_LABEL_BITS / 32; w++) {
			uint32_t mask = c->labels_mask.words[w];

			e->labels.words[w] = (e->labels.words[w] & ~mask) |
					     (c->labels.words[w] & mask);
		}
		show_labels(e);
	}
	/* The kernel announces an update that went through whole. */
	emit_flow(f, CTNL_EVENT_UPDATE, e);
	return 0;
}

static void explain(struct ctnl_fake_ct *f, int err,
		    const struct ctnl_change *c)
{
	if (err == -ENOSPC && (c->attrs & CTNL_ATTR_LABELS))
		f->errmsg = LABELS_MSG;
}

/* An update as the kernel takes it: by tuple, CTA_ID ignored. */
static int update_key(struct ctnl_fake_ct *f, const struct ctnl_flow *key,
		      const struct ctnl_change *c)
{
	size_t i;
	int ret = lookup_key(f, key, &i);

	return ret ? ret : change_entry(f, i, c);
}

static int fake_update(void *ctx, const struct ctnl_flow *key,
		       const struct ctnl_change *change)
{
	struct ctnl_fake_ct *f = ctx;
	uint8_t buf[CHECK_BUF];
	int ret = enter(f, CTNL_FAKE_CT_UPDATE);

	if (ret)
		return ret;
	ret = ctnl_build_update(buf, sizeof(buf), key, change);
	if (ret < 0)
		return ret;
	ret = update_key(f, key, change);
	explain(f, ret, change);
	return ret;
}

/* A delete as ctnetlink_del_conntrack() takes it: by tuple, then id. */
static int delete_key(struct ctnl_fake_ct *f, const struct ctnl_flow *key)
{
	size_t i;
	int ret = lookup_key(f, key, &i);

	if (ret)
		return ret;
	if ((key->attrs & CTNL_ATTR_ID) && f->flows[i].id != key->id)
		return -ENOENT;
	remove_entry(f, i);
	return 0;
}

static int fake_del(void *ctx, const struct ctnl_flow *key)
{
	struct ctnl_fake_ct *f = ctx;
	uint8_t buf[CHECK_BUF];
	int ret = enter(f, CTNL_FAKE_CT_DEL);

	if (ret)
		return ret;
	ret = ctnl_build_delete(buf, sizeof(buf), key);
	return ret < 0 ? ret : delete_key(f, key);
}

static const struct ctnl_change *item_change(const struct ctnl_change *changes,
					     size_t nchanges, size_t i)
{
	return changes ? &changes[nchanges == 1 ? 0 : i] : NULL;
}

/* One batch item checked as libctnl's handle checks it before sending. */
static int check_item(enum ctnl_op op, const struct ctnl_flow *flow,
		      const struct ctnl_change *change)
{
	uint8_t buf[CHECK_BUF];
	int ret;

	switch (op) {
	case CTNL_OP_CREATE:
		ret = ctnl_build_create(buf, sizeof(buf), flow);
		break;
	case CTNL_OP_UPDATE:
		ret = ctnl_build_update(buf, sizeof(buf), flow, change);
		break;
	case CTNL_OP_DELETE:
		ret = ctnl_build_delete(buf, sizeof(buf), flow);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	return ret < 0 ? ret : 0;
}

static int fake_batch(void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
		      size_t count, const struct ctnl_change *changes,
		      size_t nchanges, int *results)
{
	struct ctnl_fake_ct *f = ctx;
	int ret = enter(f, CTNL_FAKE_CT_BATCH), accepted = 0;

	if (ret) {
		/* Nothing is known of any item's fate. */
		for (size_t i = 0; results && i < count && i <= INT_MAX; i++)
			results[i] = ret;
		return ret;
	}
	if (!flows || !results || count == 0 || count > INT_MAX)
		return -EINVAL;
	if (op == CTNL_OP_UPDATE &&
	    (!changes || (nchanges != 1 && nchanges != count)))
		return -EINVAL;
	/* A batch with a bad item changes nothing. */
	for (size_t i = 0; i < count; i++) {
		ret = check_item(op, &flows[i],
				 item_change(changes, nchanges, i));
		if (ret)
			return ret;
	}

	for (size_t i = 0; i < count; i++) {
		const struct ctnl_change *c = item_change(changes, nchanges, i);

		if (op == CTNL_OP_CREATE)
			results[i] = create_entry(f, &flows[i], false);
		else if (op == CTNL_OP_UPDATE)
			results[i] = update_key(f, &flows[i], c);
		else
			results[i] = delete_key(f, &flows[i]);
		accepted += results[i] == 0;
	}
	for (size_t i = 0; op == CTNL_OP_UPDATE && i < count; i++)
		explain(f, results[i], item_change(changes, nchanges, i));
	return accepted;
}

static int fake_flush(void *ctx, enum ctnl_table table, uint8_t family)
{
	struct ctnl_fake_ct *f = ctx;
	uint8_t buf[CHECK_BUF];
	int ret = enter(f, CTNL_FAKE_CT_FLUSH);

	if (ret)
		return ret;
	ret = ctnl_build_flush(buf, sizeof(buf), table, family);
	if (ret < 0)
		return ret;
	if (table == CTNL_TABLE_EXPECT) {
		/* ctnetlink_del_expect() flushes every family. */
		for (size_t i = 0; i < f->nexp; i++)
			emit_expect(f, CTNL_EVENT_EXP_DESTROY, &f->exps[i],
				    f->meta[i].master_id);
		f->nexp = 0;
		return 0;
	}
	for (size_t i = f->n; i-- > 0;)
		if (!family || f->flows[i].orig.family == family)
			remove_entry(f, i);
	return 0;
}

/* A change checked as the request builder checks it. */
static int check_change(const struct ctnl_change *change)
{
	const struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG,
				       .orig = { .family = AF_INET } };
	uint8_t buf[CHECK_BUF];
	int ret = ctnl_build_update(buf, sizeof(buf), &key, change);

	return ret < 0 ? ret : 0;
}

static int check_filter(const struct ctnl_filter *filter)
{
	uint8_t buf[CHECK_BUF];
	int ret = ctnl_build_dump(buf, sizeof(buf), filter);

	return ret < 0 ? ret : 0;
}

static int fake_update_matching(void *ctx, const struct ctnl_filter *filter,
				const struct ctnl_change *change,
				struct ctnl_dump_info *info)
{
	struct ctnl_fake_ct *f = ctx;
	struct ctnl_dump_info d = { .user = filter ? filter->match : 0 };
	int ret = enter(f, CTNL_FAKE_CT_UPDATE_MATCHING), first = 0;
	int changed = 0;

	if (ret)
		goto out;
	ret = check_change(change);
	if (!ret)
		ret = check_filter(filter);
	if (ret)
		return ret;
	for (size_t i = 0; i < f->n; i++) {
		d.received++;
		if (!ctnl__fake_filter_match(filter, &f->flows[i]))
			continue;
		d.matched++;
		ret = change_entry(f, i, change);
		if (ret == 0)
			changed++;
		else if (first == 0)
			first = ret;
		explain(f, ret, change);
	}
	/* What changed counts; only when nothing could be changed is the
	 * first failure the answer. */
	ret = changed || d.matched == 0 ? changed : first;
out:
	if (info)
		*info = d;
	return ret;
}

static int fake_delete_matching(void *ctx, const struct ctnl_filter *filter,
				struct ctnl_dump_info *info)
{
	struct ctnl_fake_ct *f = ctx;
	struct ctnl_dump_info d = { .user = filter ? filter->match : 0 };
	int ret = enter(f, CTNL_FAKE_CT_DELETE_MATCHING);

	if (ret)
		goto out;
	ret = check_filter(filter);
	if (ret)
		return ret;
	for (size_t i = 0; i < f->n;) {
		d.received++;
		if (!ctnl__fake_filter_match(filter, &f->flows[i])) {
			i++;
			continue;
		}
		d.matched++;
		remove_entry(f, i);
	}
	ret = d.matched > INT_MAX ? INT_MAX : (int)d.matched;
	/* As a handle whose kernel applies every criterion: one filtered
	 * flush, which says not how many it deleted. */
	if (filter && (filter->flags & CTNL_FILTER_UNCOUNTED)) {
		d = (struct ctnl_dump_info){ .kernel = filter->match,
					     .kernel_flush = true };
		ret = 0;
	}
out:
	if (info)
		*info = d;
	return ret;
}

/* Hands each entry @filter passes to @pred, deleting those it chooses as
 * it goes, as ctnl_ct_delete_if() does in one pass. */
static int fake_delete_if(void *ctx, const struct ctnl_filter *filter,
			  ctnl_flow_pred pred, void *data,
			  struct ctnl_delete_stats *stats)
{
	struct ctnl_fake_ct *f = ctx;
	struct ctnl_delete_stats st = { 0 };
	struct ctnl_flow flow;
	int ret = enter(f, CTNL_FAKE_CT_DELETE_IF), chosen = 0;

	if (!ret)
		ret = check_filter(filter);
	if (ret)
		goto out;
	f->in_dump = true;
	for (size_t i = 0; i < f->n && chosen >= 0;) {
		flow = f->flows[i];
		st.seen++;
		chosen = 0;
		if (ctnl__fake_filter_match(filter, &flow))
			chosen = pred ? pred(&flow, data) : 1;
		if (chosen <= 0) {
			i++;
			continue;
		}
		st.matched++;
		st.deleted++;
		remove_entry(f, i);
	}
	f->in_dump = false;
	ret = chosen < 0 ? chosen : st.deleted > INT_MAX ? INT_MAX
						       : (int)st.deleted;
out:
	if (stats)
		*stats = st;
	return ret;
}

/* ---- Statistics ---- */

static int fake_stats(void *ctx, enum ctnl_table table, struct ctnl_stats *out)
{
	struct ctnl_fake_ct *f = ctx;
	int ret = enter(f, CTNL_FAKE_CT_STATS);

	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	switch (table) {
	case CTNL_TABLE_CONNTRACK:
		*out = (struct ctnl_stats){ .count = (uint32_t)f->n,
					    .max = f->max };
		return 0;
	case CTNL_TABLE_EXPECT:
		*out = (struct ctnl_stats){ .count = (uint32_t)f->nexp };
		return 0;
	}
	return -EINVAL;
}

static int fake_stats_cpu(void *ctx, struct ctnl_cpu_stats *out, size_t max)
{
	struct ctnl_fake_ct *f = ctx;
	int ret = enter(f, CTNL_FAKE_CT_STATS_CPU);

	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	if (max == 0)
		return 0;
	out[0] = (struct ctnl_cpu_stats){ .cpu = 0 };
	return 1;
}

/* ---- Expectations ---- */

static bool masked_eq(const void *a, const void *b, const void *mask,
		      size_t len)
{
	const uint8_t *x = a, *y = b, *m = mask;

	for (size_t i = 0; i < len; i++)
		if ((x[i] ^ y[i]) & m[i])
			return false;
	return true;
}

/*
 * Whether @t is a connection expectation @e expects, as
 * nf_ct_tuple_mask_cmp() decides: the destination side exactly, the
 * source side under the expectation's mask (exactly without one).
 */
static bool exp_matches(const struct ctnl_expect *e, const struct ctnl_tuple *t)
{
	const struct ctnl_tuple *x = &e->tuple;
	struct ctnl_tuple exact;
	const struct ctnl_tuple *m = &e->mask;
	size_t alen = addr_len(x->family);

	if (!(e->attrs & CTNL_EXP_ATTR_MASK)) {
		memset(&exact, 0xff, sizeof(exact));
		m = &exact;
	}
	if (x->family != t->family || x->proto != t->proto ||
	    memcmp(&x->dst, &t->dst, alen) ||
	    !masked_eq(&x->src, &t->src, &m->src, alen))
		return false;
	if (ctnl_proto_has_ports(x->proto))
		return x->port.dst == t->port.dst &&
		       ((x->port.src ^ t->port.src) & m->port.src) == 0;
	if (is_icmp(x->proto))
		return x->icmp.type == t->icmp.type &&
		       x->icmp.code == t->icmp.code &&
		       ((x->icmp.id ^ t->icmp.id) & m->icmp.id) == 0;
	return true;
}

static bool find_exp(const struct ctnl_fake_ct *f, const struct ctnl_tuple *t,
		     uint16_t zone, size_t *at)
{
	for (size_t i = 0; i < f->nexp; i++) {
		if (f->meta[i].zone == zone && exp_matches(&f->exps[i], t)) {
			*at = i;
			return true;
		}
	}
	return false;
}

static uint16_t exp_zone(const struct ctnl_expect *e)
{
	return (e->attrs & CTNL_EXP_ATTR_ZONE) ? e->zone : 0;
}

/*
 * The expectation a key names (ctnetlink_get_expect(): by its tuple, else
 * by its master's, then by id). @need_tuple: a delete without a tuple
 * would be a flush, which libctnl never sends by accident.
 */
static int lookup_exp(const struct ctnl_fake_ct *f,
		      const struct ctnl_expect *key, bool need_tuple,
		      size_t *at)
{
	const struct ctnl_tuple *t = NULL;

	if (!key)
		return -EINVAL;
	if (key->attrs & CTNL_EXP_ATTR_TUPLE)
		t = &key->tuple;
	else if ((key->attrs & CTNL_EXP_ATTR_MASTER) && !need_tuple)
		t = &key->master;
	if (!t || !tuple_ok(t))
		return -EINVAL;
	if (!find_exp(f, t, exp_zone(key), at))
		return -ENOENT;
	if ((key->attrs & CTNL_EXP_ATTR_ID) && f->exps[*at].id != key->id)
		return -ENOENT;
	return 0;
}

static int fake_dump_expect(void *ctx, uint8_t family, ctnl_expect_cb cb,
			    void *data)
{
	struct ctnl_fake_ct *f = ctx;
	struct ctnl_expect exp;
	uint8_t buf[CHECK_BUF];
	uint64_t count = 0;
	int ret = enter(f, CTNL_FAKE_CT_DUMP_EXPECT);

	if (ret)
		return ret;
	if (!cb)
		return -EINVAL;
	ret = ctnl_build_dump_expect(buf, sizeof(buf), family);
	if (ret < 0)
		return ret;

	ret = CTNL_CB_OK;
	f->in_dump = true;
	for (size_t i = 0; i < f->nexp && ret == CTNL_CB_OK; i++) {
		exp = f->exps[i];
		if (family && exp.tuple.family != family)
			continue;
		count++;
		ret = cb(&exp, data);
	}
	f->in_dump = false;
	if (ret < 0)
		return ret;
	return count > INT_MAX ? INT_MAX : (int)count;
}

static int fake_get_expect(void *ctx, const struct ctnl_expect *key,
			   struct ctnl_expect *out)
{
	struct ctnl_fake_ct *f = ctx;
	size_t i;
	int ret = enter(f, CTNL_FAKE_CT_GET_EXPECT);

	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	ret = lookup_exp(f, key, false, &i);
	if (ret)
		return ret;
	*out = f->exps[i];
	return 0;
}

/* As ctnetlink_new_expect() and ctnetlink_create_expect() do. */
static int fake_create_expect(void *ctx, const struct ctnl_expect *exp)
{
	const uint64_t needed = CTNL_EXP_ATTR_TUPLE | CTNL_EXP_ATTR_MASK |
				CTNL_EXP_ATTR_MASTER;
	struct ctnl_fake_ct *f = ctx;
	const struct ctnl_flow *master;
	struct ctnl_expect e;
	uint16_t zone;
	size_t i;
	int ret = enter(f, CTNL_FAKE_CT_CREATE_EXPECT);

	if (ret)
		return ret;
	if (!exp || (exp->attrs & needed) != needed ||
	    !tuple_ok(&exp->tuple) || !tuple_ok(&exp->master) ||
	    exp->master.family != exp->tuple.family)
		return -EINVAL;
	zone = exp_zone(exp);
	if (find_exp(f, &exp->tuple, zone, &i))
		return -EEXIST;
	if (!find(f, &exp->master, zone, zone, &i))
		return -ENOENT;
	master = &f->flows[i];
	/* ctnetlink_alloc_expect(): only a master with a helper can have
	 * expectations. */
	if (!(master->attrs & CTNL_ATTR_HELPER) || !master->helper[0])
		return -EOPNOTSUPP;
	ret = reserve_exp(f);
	if (ret)
		return ret;

	/* What the kernel keeps and reports back. */
	e = (struct ctnl_expect){
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT |
			 CTNL_EXP_ATTR_ID | CTNL_EXP_ATTR_FLAGS |
			 CTNL_EXP_ATTR_CLASS | CTNL_EXP_ATTR_HELPER |
			 (exp->attrs & (CTNL_EXP_ATTR_NAT | CTNL_EXP_ATTR_FN)),
		.master = master->orig,
		.tuple = exp->tuple,
		.mask = exp->mask,
		.timeout = (exp->attrs & CTNL_EXP_ATTR_TIMEOUT) ? exp->timeout
								 : 0,
		.id = fresh_id(&f->next_exp_id),
		.flags = (exp->attrs & CTNL_EXP_ATTR_FLAGS)
				 ? exp->flags & ~EXPECT_USERSPACE : 0,
		/* A class counts only with a helper named. */
		.class = (exp->attrs & CTNL_EXP_ATTR_HELPER) &&
				 (exp->attrs & CTNL_EXP_ATTR_CLASS)
			 ? exp->class : 0,
	};
	e.master.zone = e.tuple.zone = 0;
	memcpy(e.helper, master->helper, sizeof(e.helper));
	e.helper[sizeof(e.helper) - 1] = '\0';
	if (exp->attrs & CTNL_EXP_ATTR_NAT) {
		e.nat_dir = exp->nat_dir;
		e.nat_tuple = exp->nat_tuple;
	}
	if (exp->attrs & CTNL_EXP_ATTR_FN) {
		memcpy(e.fn, exp->fn, sizeof(e.fn));
		e.fn[sizeof(e.fn) - 1] = '\0';
	}
	f->exps[f->nexp] = e;
	f->meta[f->nexp] = (struct exp_meta){ .master_id = master->id,
					      .zone = zone };
	f->nexp++;
	emit_expect(f, CTNL_EVENT_EXP_NEW, &e, master->id);
	return 0;
}

static int fake_del_expect(void *ctx, const struct ctnl_expect *key)
{
	struct ctnl_fake_ct *f = ctx;
	size_t i;
	int ret = enter(f, CTNL_FAKE_CT_DEL_EXPECT);

	if (ret)
		return ret;
	ret = lookup_exp(f, key, true, &i);
	if (ret)
		return ret;
	remove_exp(f, i);
	return 0;
}

/* ====================================================================
 * Events: what the kernel announces of the changes made here
 * ==================================================================== */

/* Keeps a handle's descriptor readable exactly while it has news: events
 * queued, or a loss not reported yet. */
static void sync_fd(struct fake_events *e)
{
	bool news = e->events && (e->count > 0 || e->pending_lost > 0);
	uint64_t v = 1;

	if (e->efd < 0 || news == e->signalled)
		return;
	if ((news ? write(e->efd, &v, sizeof(v)) : read(e->efd, &v, sizeof(v)))
	    != sizeof(v))
		die("eventfd: %s", strerror(errno));
	e->signalled = news;
}

/* What the kernel drops before queueing: another group, or what the
 * subscription's socket filter rejects (family and mark; an expectation
 * has a family only). */
static bool kernel_keeps(const struct fake_events *e,
			 const struct ctnl_event *ev)
{
	const struct ctnl_filter *flt = &e->info.filter;

	if (!(e->events & ev->type))
		return false;
	if (ev->type & CTNL_EVENT_EXP_ALL)
		return !flt->family || ev->expect.tuple.family == flt->family;
	if (flt->family && ev->flow.orig.family != flt->family)
		return false;
	return !(flt->match & CTNL_MATCH_MARK) ||
	       (ev->flow.mark & flt->mark_mask) == flt->mark;
}

static void push_event(struct fake_events *e, const struct ctnl_event *ev)
{
	if (e->count == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct ctnl_event *q = calloc(cap, sizeof(*q));

		if (!q)
			die("out of memory");
		for (size_t i = 0; i < e->count; i++)
			q[i] = e->queue[(e->head + i) % e->cap];
		free(e->queue);
		e->queue = q;
		e->cap = cap;
		e->head = 0;
	}
	e->queue[(e->head + e->count) % e->cap] = *ev;
	e->count++;
}

/* One event offered to one subscription: queued, or lost for room (a
 * destroy in reliable mode is never lost: the kernel keeps it). */
static void offer(const struct ctnl_fake_ct *f, struct fake_events *e,
		  const struct ctnl_event *ev)
{
	if (!kernel_keeps(e, ev))
		return;
	if (f->event_capacity && e->count >= f->event_capacity &&
	    !((e->flags & CTNL_EVENTS_RELIABLE) &&
	      ev->type == CTNL_EVENT_DESTROY))
		e->pending_lost++;
	else
		push_event(e, ev);
	sync_fd(e);
}

static void emit(struct ctnl_fake_ct *f, const struct ctnl_event *ev)
{
	offer(f, &f->ev0, ev);
	for (struct fake_handle *h = f->handles; h; h = h->next)
		offer(f, &h->ev, ev);
}

static bool anyone_listens(const struct ctnl_fake_ct *f)
{
	if (f->ev0.events)
		return true;
	for (const struct fake_handle *h = f->handles; h; h = h->next)
		if (h->ev.events)
			return true;
	return false;
}

/* Whether entry @id makes no events; with @forget, it is going: its id
 * may come back on another entry. */
static bool quiet(struct ctnl_fake_ct *f, uint32_t id, bool forget)
{
	for (size_t i = 0; i < f->nquiet; i++) {
		if (f->quiet[i] != id)
			continue;
		if (forget)
			f->quiet[i] = f->quiet[--f->nquiet];
		return true;
	}
	return false;
}

static void emit_flow(struct ctnl_fake_ct *f, enum ctnl_event_type type,
		      const struct ctnl_flow *flow)
{
	struct ctnl_event ev = { .type = type, .portid = f->cause };

	/* nf_ct_ecache_ext_add() at creation: no listener, no events, ever
	 * (unless net.netfilter.nf_conntrack_events is 1). */
	if (type == CTNL_EVENT_NEW && !f->events_all && !anyone_listens(f)) {
		if (reserve((void **)&f->quiet, &f->quietcap, f->nquiet + 1,
			    sizeof(*f->quiet)))
			die("out of memory");
		f->quiet[f->nquiet++] = flow->id;
		return;
	}
	if (quiet(f, flow->id, type == CTNL_EVENT_DESTROY))
		return;
	ev.flow = *flow;
	emit(f, &ev);
}

/* An expectation's events go through its master's (nf_ct_expect_event_
 * report() finds the master's event extension). */
static void emit_expect(struct ctnl_fake_ct *f, enum ctnl_event_type type,
			const struct ctnl_expect *exp, uint32_t master_id)
{
	struct ctnl_event ev = { .type = type, .portid = f->cause };

	if (master_id && quiet(f, master_id, false))
		return;
	ev.expect = *exp;
	emit(f, &ev);
}

/* Ends a subscription: events still queued go, counted as lost with the
 * loss not reported yet (ctnl_ct_unsubscribe() reports it), as the real
 * handle does. */
static void unsubscribe(struct fake_events *e)
{
	if (e->pending_lost + e->count > 0) {
		e->info.overflows++;
		e->info.lost += e->pending_lost + e->count;
	}
	e->pending_lost = 0;
	e->head = e->count = 0;
	e->events = e->flags = 0;
	e->info.events = e->info.flags = 0;
	memset(&e->info.filter, 0, sizeof(e->info.filter));
	e->info.kernel = e->info.user = 0;
	sync_fd(e);
}

/* A field of the caller's config, or its default when the caller's
 * struct (an older header's) is too short to hold it. */
#define CFG(cfg, field, dflt)                                                \
	((cfg)->size >= offsetof(struct ctnl_events_config, field) +         \
				sizeof((cfg)->field)                         \
		 ? (cfg)->field                                              \
		 : (dflt))

/* As the real handle reads a config: fields past the caller's struct
 * take defaults; one longer than this header's must be zero past it. */
static int check_events_config(const struct ctnl_events_config *cfg)
{
	const unsigned int flags = CTNL_EVENTS_NO_ENOBUFS | CTNL_EVENTS_RELIABLE;
	const unsigned char *p = (const void *)cfg;

	if (cfg->size < sizeof(size_t))
		return -EINVAL;
	for (size_t i = sizeof(*cfg); i < cfg->size; i++)
		if (p[i])
			return -EINVAL;
	if ((CFG(cfg, events, 0u) & ~(unsigned int)CTNL_EVENT_ALL) ||
	    (CFG(cfg, flags, 0u) & ~flags) || CFG(cfg, rcvbuf, 0) < 0)
		return -EINVAL;
	return check_filter(CFG(cfg, filter, NULL));
}

static int subscribe(struct ctnl_fake_ct *f, struct fake_events *e,
		     const struct ctnl_events_config *cfg)
{
	const struct ctnl_filter *flt;
	int ret, rcvbuf;

	f->calls[CTNL_FAKE_CT_SUBSCRIBE]++;
	if (e->reading)
		return -EBUSY;
	ret = check_events_config(cfg);
	if (ret == 0)
		ret = rule_for(f, CTNL_FAKE_CT_SUBSCRIBE);
	if (ret < 0 || CFG(cfg, events, 0u) == 0) {
		unsubscribe(e);
		return ret;
	}
	flt = CFG(cfg, filter, NULL);
	rcvbuf = CFG(cfg, rcvbuf, 0);
	e->events = e->info.events = cfg->events;
	e->flags = e->info.flags = CFG(cfg, flags, 0u);
	memset(&e->info.filter, 0, sizeof(e->info.filter));
	if (flt)
		e->info.filter = *flt;
	e->info.kernel = (e->info.filter.family ? CTNL_MATCH_FAMILY : 0) |
			 (e->info.filter.match & CTNL_MATCH_MARK);
	e->info.user = e->info.filter.match & ~(uint32_t)CTNL_MATCH_MARK;
	/* The kernel doubles a queue size it is given; Debian's default. */
	e->info.rcvbuf = rcvbuf > 0 ? 2 * (uint32_t)rcvbuf : 212992;
	sync_fd(e);
	return 0;
}

/* The next event to hand over: a loss first, as the kernel's ENOBUFS
 * comes before the events still queued. False when there is none. */
static bool next_event(struct fake_events *e, struct ctnl_event *ev)
{
	if (e->pending_lost > 0) {
		*ev = (struct ctnl_event){ .type = CTNL_EVENT_OVERFLOW };
		ev->overflow.lost = e->pending_lost;
		ev->overflow.count = ++e->info.overflows;
		e->info.lost += e->pending_lost;
		e->pending_lost = 0;
		return true;
	}
	if (e->count == 0)
		return false;
	*ev = e->queue[e->head];
	e->head = (e->head + 1) % e->cap;
	e->count--;
	e->info.received++;
	return true;
}

static int read_events(struct ctnl_fake_ct *f, struct fake_events *e,
		       ctnl_event_cb cb, void *data)
{
	struct ctnl_event ev;
	int ret = CTNL_CB_OK, n = 0;

	f->calls[CTNL_FAKE_CT_EVENT_READ]++;
	if (!cb)
		return -EINVAL;
	if (e->reading)
		return -EBUSY;
	if (!e->events)
		return -ENOTCONN;
	ret = rule_for(f, CTNL_FAKE_CT_EVENT_READ);
	if (ret < 0)
		return ret;
	e->reading = true;
	while (ret == CTNL_CB_OK && n < EVENT_READ_BUDGET &&
	       next_event(e, &ev)) {
		n++;
		/* What the filter's user-space part rejects is read, not
		 * handed over. */
		if (ev.type != CTNL_EVENT_OVERFLOW &&
		    !(ev.type & CTNL_EVENT_EXP_ALL) &&
		    !ctnl_filter_match(&e->info.filter, &ev.flow)) {
			e->info.filtered++;
			continue;
		}
		e->info.delivered++;
		ret = cb(&ev, data);
	}
	e->reading = false;
	sync_fd(e);
	return ret < 0 ? ret : n;
}

static int event_fd(struct fake_events *e)
{
	if (e->efd < 0) {
		e->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (e->efd < 0)
			return -errno;
		e->signalled = false;
		sync_fd(e);
	}
	return e->efd;
}

/* Time does not pass here: news now, or none. */
static int event_wait(struct fake_events *e, int timeout_ms)
{
	(void)timeout_ms;
	if (!e->events)
		return -ENOTCONN;
	return e->count > 0 || e->pending_lost > 0;
}

static void events_init(struct fake_events *e, uint32_t portid)
{
	*e = (struct fake_events){ .portid = portid, .efd = -1 };
}

static void events_free(struct fake_events *e)
{
	free(e->queue);
	if (e->efd >= 0)
		close(e->efd);
}

/* ---- The first handle's event slots ---- */

static struct ctnl_fake_ct *first(void *ctx, const char *slot)
{
	struct ctnl_fake_ct *f = ctx;

	if (f->closed)
		die("%s called on a conntrack handle after ctnl_ct_close()",
		    slot);
	return f;
}

static int fake_subscribe(void *ctx, const struct ctnl_events_config *cfg)
{
	struct ctnl_fake_ct *f = first(ctx, "subscribe");

	return subscribe(f, &f->ev0, cfg);
}

static int fake_event_fd(void *ctx)
{
	return event_fd(&first(ctx, "event_fd")->ev0);
}

static int fake_event_read(void *ctx, ctnl_event_cb cb, void *data)
{
	struct ctnl_fake_ct *f = first(ctx, "event_read");

	return read_events(f, &f->ev0, cb, data);
}

static int fake_event_wait(void *ctx, int timeout_ms)
{
	return event_wait(&first(ctx, "event_wait")->ev0, timeout_ms);
}

static int fake_event_info(void *ctx, struct ctnl_event_info *out)
{
	*out = first(ctx, "event_info")->ev0.info;
	return 0;
}

/* ---- The handle ---- */

static const char *fake_error_msg(void *ctx)
{
	struct ctnl_fake_ct *f = ctx;

	if (f->closed)
		die("error_msg called on a conntrack handle after "
		    "ctnl_ct_close()");
	return f->errmsg;
}

static void fake_destroy(void *ctx)
{
	struct ctnl_fake_ct *f = ctx;

	if (f->closed)
		die("conntrack handle closed twice");
	f->closed = true;
	/* Its subscription goes with it. */
	unsubscribe(&f->ev0);
	memset(&f->ev0.info, 0, sizeof(f->ev0.info));
}

/* Policies are kept, for the code that reads them back; the table never
 * waits, and its dumps are never interrupted. */
static int fake_set_option(void *ctx, enum ctnl_ct_option opt, int value)
{
	struct ctnl_fake_ct *f = ctx;

	if (f->closed)
		die("set_option called on a conntrack handle after "
		    "ctnl_ct_close()");
	if (opt != CTNL_CT_OPT_TIMEOUT && opt != CTNL_CT_OPT_DUMP_RETRIES)
		return -EINVAL;
	f->options[opt] = value;
	return 0;
}

static int fake_get_option(void *ctx, enum ctnl_ct_option opt, int *value)
{
	struct ctnl_fake_ct *f = ctx;

	if (opt != CTNL_CT_OPT_TIMEOUT && opt != CTNL_CT_OPT_DUMP_RETRIES)
		return -EINVAL;
	*value = f->options[opt];
	return 0;
}

static const struct ctnl_ct_ops fake_ops = {
	.size = sizeof(struct ctnl_ct_ops),
	.dump = fake_dump,
	.get = fake_get,
	.create = fake_create,
	.update = fake_update,
	.del = fake_del,
	.batch = fake_batch,
	.flush = fake_flush,
	.update_matching = fake_update_matching,
	.delete_matching = fake_delete_matching,
	.stats = fake_stats,
	.stats_cpu = fake_stats_cpu,
	.dump_expect = fake_dump_expect,
	.get_expect = fake_get_expect,
	.create_expect = fake_create_expect,
	.del_expect = fake_del_expect,
	.subscribe = fake_subscribe,
	.event_fd = fake_event_fd,
	.event_read = fake_event_read,
	.event_wait = fake_event_wait,
	.event_info = fake_event_info,
	.error_msg = fake_error_msg,
	.destroy = fake_destroy,
	.delete_if = fake_delete_if,
	.set_option = fake_set_option,
	.get_option = fake_get_option,
};

/* ---- More handles on the same table ---- */

/* A slot of another handle: the first handle's, run as that handle (its
 * port id on the events of what it changes; busy while it is
 * subscribed). */
#define VIA(slot, params, args)                                              \
	static int via_##slot params                                         \
	{                                                                    \
		struct fake_handle *h = ctx;                                 \
		struct ctnl_fake_ct *f = h->table;                           \
		struct fake_events *saved = f->caller;                       \
		int ret;                                                     \
                                                                             \
		f->caller = &h->ev;                                          \
		ret = fake_##slot args;                                      \
		f->caller = saved;                                           \
		return ret;                                                  \
	}

VIA(dump, (void *ctx, const struct ctnl_filter *filter, ctnl_flow_cb cb,
	   void *data, struct ctnl_dump_info *info), (f, filter, cb, data, info))
VIA(get, (void *ctx, const struct ctnl_flow *key, struct ctnl_flow *out),
    (f, key, out))
VIA(create, (void *ctx, const struct ctnl_flow *flow), (f, flow))
VIA(update, (void *ctx, const struct ctnl_flow *key,
	     const struct ctnl_change *change), (f, key, change))
VIA(del, (void *ctx, const struct ctnl_flow *key), (f, key))
VIA(batch, (void *ctx, enum ctnl_op op, const struct ctnl_flow *flows,
	    size_t count, const struct ctnl_change *changes, size_t nchanges,
	    int *results), (f, op, flows, count, changes, nchanges, results))
VIA(flush, (void *ctx, enum ctnl_table table, uint8_t family),
    (f, table, family))
VIA(update_matching, (void *ctx, const struct ctnl_filter *filter,
		      const struct ctnl_change *change,
		      struct ctnl_dump_info *info), (f, filter, change, info))
VIA(delete_matching, (void *ctx, const struct ctnl_filter *filter,
		      struct ctnl_dump_info *info), (f, filter, info))
VIA(stats, (void *ctx, enum ctnl_table table, struct ctnl_stats *out),
    (f, table, out))
VIA(stats_cpu, (void *ctx, struct ctnl_cpu_stats *out, size_t max),
    (f, out, max))
VIA(dump_expect, (void *ctx, uint8_t family, ctnl_expect_cb cb, void *data),
    (f, family, cb, data))
VIA(get_expect, (void *ctx, const struct ctnl_expect *key,
		 struct ctnl_expect *out), (f, key, out))
VIA(create_expect, (void *ctx, const struct ctnl_expect *exp), (f, exp))
VIA(del_expect, (void *ctx, const struct ctnl_expect *key), (f, key))
VIA(delete_if, (void *ctx, const struct ctnl_filter *filter,
		ctnl_flow_pred pred, void *data,
		struct ctnl_delete_stats *stats),
    (f, filter, pred, data, stats))
VIA(set_option, (void *ctx, enum ctnl_ct_option opt, int value),
    (f, opt, value))
VIA(get_option, (void *ctx, enum ctnl_ct_option opt, int *value),
    (f, opt, value))

static int via_subscribe(void *ctx, const struct ctnl_events_config *cfg)
{
	struct fake_handle *h = ctx;

	return subscribe(h->table, &h->ev, cfg);
}

static int via_event_fd(void *ctx)
{
	return event_fd(&((struct fake_handle *)ctx)->ev);
}

static int via_event_read(void *ctx, ctnl_event_cb cb, void *data)
{
	struct fake_handle *h = ctx;

	return read_events(h->table, &h->ev, cb, data);
}

static int via_event_wait(void *ctx, int timeout_ms)
{
	return event_wait(&((struct fake_handle *)ctx)->ev, timeout_ms);
}

static int via_event_info(void *ctx, struct ctnl_event_info *out)
{
	*out = ((struct fake_handle *)ctx)->ev.info;
	return 0;
}

static const char *via_error_msg(void *ctx)
{
	return ((struct fake_handle *)ctx)->table->errmsg;
}

/* ctnl_ct_close() on another handle frees it; the table stays. */
static void via_destroy(void *ctx)
{
	struct fake_handle *h = ctx;
	struct fake_handle **p = &h->table->handles;

	while (*p != h)
		p = &(*p)->next;
	*p = h->next;
	events_free(&h->ev);
	free(h);
}

static const struct ctnl_ct_ops handle_ops = {
	.size = sizeof(struct ctnl_ct_ops),
	.dump = via_dump,
	.get = via_get,
	.create = via_create,
	.update = via_update,
	.del = via_del,
	.batch = via_batch,
	.flush = via_flush,
	.update_matching = via_update_matching,
	.delete_matching = via_delete_matching,
	.stats = via_stats,
	.stats_cpu = via_stats_cpu,
	.dump_expect = via_dump_expect,
	.get_expect = via_get_expect,
	.create_expect = via_create_expect,
	.del_expect = via_del_expect,
	.subscribe = via_subscribe,
	.event_fd = via_event_fd,
	.event_read = via_event_read,
	.event_wait = via_event_wait,
	.event_info = via_event_info,
	.error_msg = via_error_msg,
	.destroy = via_destroy,
	.delete_if = via_delete_if,
	.set_option = via_set_option,
	.get_option = via_get_option,
};

int ctnl_fake_ct_open(struct ctnl_fake_ct *f, struct ctnl_ct **ret)
{
	struct fake_handle *h;

	if (!f || !ret)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->iface = (struct ctnl_ct){ &handle_ops, h };
	h->table = f;
	events_init(&h->ev, f->next_portid++);
	h->next = f->handles;
	f->handles = h;
	*ret = &h->iface;
	return 0;
}

/* ---- Events: what a test makes happen ---- */

int ctnl_fake_ct_expire(struct ctnl_fake_ct *f, const struct ctnl_flow *key)
{
	size_t i;
	int ret;

	if (!f || !key || !key_tuple(key))
		return -EINVAL;
	ret = lookup_key(f, key, &i);
	if (ret)
		return ret;
	if ((key->attrs & CTNL_ATTR_ID) && f->flows[i].id != key->id)
		return -ENOENT;
	f->cause = 0;
	remove_entry(f, i);
	return 0;
}

static void drop_events(struct fake_events *e, unsigned int n)
{
	if (!e->events)
		return;
	e->count -= n < e->count ? n : e->count;
	e->pending_lost += n;
	sync_fd(e);
}

void ctnl_fake_ct_drop_events(struct ctnl_fake_ct *f, unsigned int n)
{
	drop_events(&f->ev0, n);
	for (struct fake_handle *h = f->handles; h; h = h->next)
		drop_events(&h->ev, n);
}

void ctnl_fake_ct_set_event_capacity(struct ctnl_fake_ct *f, size_t max)
{
	f->event_capacity = max;
}

void ctnl_fake_ct_set_events_all(struct ctnl_fake_ct *f, bool all)
{
	f->events_all = all;
}

int ctnl_fake_ct_new(struct ctnl_fake_ct **ret)
{
	struct ctnl_fake_ct *f;

	if (!ret)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->iface.ops = &fake_ops;
	f->iface.ctx = f;
	f->next_id = FIRST_ID;
	f->next_exp_id = FIRST_ID;
	f->max = CTNL_FAKE_CT_MAX;
	f->options[CTNL_CT_OPT_TIMEOUT] = -1;
	events_init(&f->ev0, FIRST_PORTID);
	f->next_portid = FIRST_PORTID + 1;
	f->labels_enabled = true;
	*ret = f;
	return 0;
}

void ctnl_fake_ct_free(struct ctnl_fake_ct *f)
{
	if (!f)
		return;
	while (f->handles)
		via_destroy(f->handles);
	events_free(&f->ev0);
	free(f->quiet);
	free(f->flows);
	free(f->roomy);
	free(f->exps);
	free(f->meta);
	free(f->rules);
	free(f);
}


struct ctnl_ct *ctnl_fake_ct_ct(struct ctnl_fake_ct *f)
{
	f->closed = false;
	return &f->iface;
}

bool ctnl_fake_ct_closed(const struct ctnl_fake_ct *f)
{
	return f->closed;
}

/* ---- Seeding and inspecting ---- */

int ctnl_fake_ct_add(struct ctnl_fake_ct *f, const struct ctnl_flow *flow)
{
	struct ctnl_flow e;
	size_t i;
	int ret;

	if (!flow || !(flow->attrs & CTNL_ATTR_ORIG) ||
	    !family_ok(flow->orig.family))
		return -EINVAL;
	e = *flow;
	if (!(flow->attrs & CTNL_ATTR_REPLY)) {
		if (!tuple_invert(&e.reply, &flow->orig))
			return -EINVAL;
	} else if (flow->reply.family != flow->orig.family ||
		   flow->reply.proto != flow->orig.proto) {
		return -EINVAL;
	}
	if (find(f, &e.orig, e.orig.zone, e.reply.zone, &i) ||
	    find(f, &e.reply, e.orig.zone, e.reply.zone, &i) ||
	    ((flow->attrs & CTNL_ATTR_ID) && find_id(f, flow->id, &i)))
		return -EEXIST;
	ret = reserve_flow(f);
	if (ret)
		return ret;

	e.attrs |= CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_ID;
	if (flow->attrs & CTNL_ATTR_ID)
		note_id(&f->next_id, flow->id);
	else
		e.id = fresh_id(&f->next_id);
	f->flows[f->n] = e;
	f->roomy[f->n] = f->labels_enabled ||
			 ((flow->attrs & CTNL_ATTR_LABELS) &&
			  !labels_zero(&flow->labels));
	f->n++;
	/* As traffic makes it: the kernel's own. */
	f->cause = 0;
	emit_flow(f, CTNL_EVENT_NEW, &e);
	return 0;
}

size_t ctnl_fake_ct_count(const struct ctnl_fake_ct *f)
{
	return f->n;
}

const struct ctnl_flow *ctnl_fake_ct_flows(const struct ctnl_fake_ct *f,
					   size_t *n)
{
	if (n)
		*n = f->n;
	return f->flows;
}

int ctnl_fake_ct_add_expect(struct ctnl_fake_ct *f,
			    const struct ctnl_expect *exp)
{
	struct exp_meta meta = { 0 };
	struct ctnl_expect e;
	size_t i;
	int ret;

	if (!exp || !(exp->attrs & CTNL_EXP_ATTR_TUPLE) ||
	    !family_ok(exp->tuple.family))
		return -EINVAL;
	meta.zone = exp_zone(exp);
	if (find_exp(f, &exp->tuple, meta.zone, &i))
		return -EEXIST;
	for (i = 0; (exp->attrs & CTNL_EXP_ATTR_ID) && i < f->nexp; i++)
		if (f->exps[i].id == exp->id)
			return -EEXIST;
	if ((exp->attrs & CTNL_EXP_ATTR_MASTER) &&
	    find(f, &exp->master, meta.zone, meta.zone, &i))
		meta.master_id = f->flows[i].id;
	ret = reserve_exp(f);
	if (ret)
		return ret;

	e = *exp;
	e.attrs |= CTNL_EXP_ATTR_ID;
	if (exp->attrs & CTNL_EXP_ATTR_ID)
		note_id(&f->next_exp_id, exp->id);
	else
		e.id = fresh_id(&f->next_exp_id);
	f->exps[f->nexp] = e;
	f->meta[f->nexp] = meta;
	f->nexp++;
	f->cause = 0;
	emit_expect(f, CTNL_EVENT_EXP_NEW, &e, meta.master_id);
	return 0;
}

size_t ctnl_fake_ct_expect_count(const struct ctnl_fake_ct *f)
{
	return f->nexp;
}

const struct ctnl_expect *ctnl_fake_ct_expects(const struct ctnl_fake_ct *f,
					       size_t *n)
{
	if (n)
		*n = f->nexp;
	return f->exps;
}

/* ---- Settings, failures, counts ---- */

void ctnl_fake_ct_set_labels_enabled(struct ctnl_fake_ct *f, bool enabled)
{
	f->labels_enabled = enabled;
}

void ctnl_fake_ct_set_max(struct ctnl_fake_ct *f, uint32_t max)
{
	f->max = max;
}

void ctnl_fake_ct_fail(struct ctnl_fake_ct *f, enum ctnl_fake_ct_slot slot,
		       unsigned int nth, int err)
{
	if ((unsigned int)slot >= CTNL_FAKE_CT_NSLOTS)
		die("no such slot %d", (int)slot);
	if (err >= 0)
		die("failure %d for call #%u of %s is not a negative errno",
		    err, nth, slot_names[slot]);
	if (reserve((void **)&f->rules, &f->rulecap, f->nrules + 1,
		    sizeof(*f->rules)))
		die("out of memory");
	f->rules[f->nrules++] = (struct rule){ slot, nth, err };
}

unsigned int ctnl_fake_ct_calls(const struct ctnl_fake_ct *f,
				enum ctnl_fake_ct_slot slot)
{
	return (unsigned int)slot < CTNL_FAKE_CT_NSLOTS ? f->calls[slot] : 0;
}
