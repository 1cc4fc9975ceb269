/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reconcile agent's core: see reconcile.h.
 *
 * The view is an open-addressing hash of UDP entries by original tuple,
 * grown by doubling: once it has room for the table, applying an event
 * allocates nothing. Each entry remembers whether the policy calls it
 * stale, so a tick knows without a scan whether a pass is needed.
 */
#define _POSIX_C_SOURCE 200809L	/* strtok_r, getline */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile.h"

/* ====================================================================
 * The policy
 * ==================================================================== */

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->count; i++)
		ctnl_addr_set_free(p->services[i].endpoints);
	free(p->services);
	free(p->by_nodeport);
	policy_init(p);
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Orders services by family, VIP, port: the lookup's bsearch. */
static int service_cmp(uint8_t fa, const union ctnl_addr *a, uint16_t pa,
		       const struct service *s)
{
	int c;

	if (fa != s->family)
		return fa < s->family ? -1 : 1;
	c = memcmp(a, &s->vip, addr_len(fa));
	if (c)
		return c;
	return pa < s->port ? -1 : pa > s->port;
}

static bool parse_addr(const char *text, uint8_t *family,
		       union ctnl_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->in) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, text, &out->in6) == 1)
		*family = AF_INET6;
	else
		return false;
	return true;
}

static bool parse_port(const char *text, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!text)
		return false;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || end == text || v == 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* The words after "udp VIP PORT": [nodeport N] endpoints ADDR... */
static int parse_rest(struct service *s, char **save, char *err,
		      size_t errlen)
{
	char *w = strtok_r(NULL, " \t\r\n", save);
	union ctnl_addr ep;
	uint8_t family;

	if (w && !strcmp(w, "nodeport")) {
		if (!parse_port(strtok_r(NULL, " \t\r\n", save), &s->nodeport))
			return FAIL("nodeport: not a port");
		w = strtok_r(NULL, " \t\r\n", save);
	}
	if (!w || strcmp(w, "endpoints"))
		return FAIL("\"endpoints\" expected");
	while ((w = strtok_r(NULL, " \t\r\n", save))) {
		if (!parse_addr(w, &family, &ep) || family != s->family)
			return FAIL("%s: not an address of the VIP's family",
				    w);
		if (ctnl_addr_set_add(s->endpoints, family, &ep) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int parse_service(struct service *s, char *line, char *err,
			 size_t errlen)
{
	char *save, *w = strtok_r(line, " \t\r\n", &save);

	if (!w || strcmp(w, "udp"))
		return FAIL("a service starts with \"udp\"");
	w = strtok_r(NULL, " \t\r\n", &save);
	if (!w || !parse_addr(w, &s->family, &s->vip))
		return FAIL("VIP: not an address");
	if (!parse_port(strtok_r(NULL, " \t\r\n", &save), &s->port))
		return FAIL("port: not a port");
	if (ctnl_addr_set_new(&s->endpoints) < 0)
		return -ENOMEM;
	return parse_rest(s, &save, err, errlen);
}

/* Where @s goes in the sorted array; -EEXIST if it is there. */
static int find_slot(const struct policy *p, const struct service *s,
		     size_t *at)
{
	size_t lo = 0, hi = p->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = service_cmp(s->family, &s->vip, s->port,
				    &p->services[mid]);

		if (c == 0)
			return -EEXIST;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*at = lo;
	return 0;
}

static int index_nodeports(struct policy *p)
{
	if (!p->by_nodeport) {
		p->by_nodeport = malloc(65536 * sizeof(*p->by_nodeport));
		if (!p->by_nodeport)
			return -ENOMEM;
	}
	for (size_t i = 0; i < 65536; i++)
		p->by_nodeport[i] = -1;
	for (size_t i = 0; i < p->count; i++)
		if (p->services[i].nodeport)
			p->by_nodeport[p->services[i].nodeport] = (int32_t)i;
	return 0;
}

static int insert_service(struct policy *p, const struct service *s)
{
	size_t at;
	int ret = find_slot(p, s, &at);

	if (ret < 0)
		return ret;
	if (p->count == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct service *v = realloc(p->services, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->services = v;
		p->cap = cap;
	}
	memmove(&p->services[at + 1], &p->services[at],
		(p->count - at) * sizeof(*p->services));
	p->services[at] = *s;
	p->count++;
	p->families |= s->family == AF_INET ? 1u : 2u;
	if (s->nodeport || p->by_nodeport)
		return index_nodeports(p);
	return 0;
}

int policy_add_line(struct policy *p, const char *line, char *err,
		    size_t errlen)
{
	struct service s = { .nodeport = 0 };
	char *copy = strdup(line);
	int ret;

	if (!copy)
		return -ENOMEM;
	ret = parse_service(&s, copy, err, errlen);
	free(copy);
	if (ret == 0) {
		ret = insert_service(p, &s);
		if (ret == -EEXIST)
			snprintf(err, errlen, "this VIP and port twice");
	}
	if (ret < 0)
		ctnl_addr_set_free(s.endpoints);
	return ret;
}

int policy_load(struct policy *p, const char *path, char *err, size_t errlen)
{
	struct policy next;
	char *line = NULL, why[128];
	size_t cap = 0;
	unsigned int n = 0;
	int ret = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	policy_init(&next);
	while (ret == 0 && getline(&line, &cap, f) >= 0) {
		char *s = line + strspn(line, " \t\r\n");

		n++;
		if (*s == '\0' || *s == '#')
			continue;
		ret = policy_add_line(&next, s, why, sizeof(why));
		if (ret < 0)
			snprintf(err, errlen, "%s:%u: %s", path, n, why);
	}
	free(line);
	fclose(f);
	if (ret < 0) {
		policy_free(&next);
		return ret;
	}
	policy_free(p);
	*p = next;
	return 0;
}

static const struct service *service_of(const struct policy *p,
					const struct ctnl_tuple *t)
{
	size_t lo = 0, hi = p->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = service_cmp(t->family, &t->dst, t->port.dst,
				    &p->services[mid]);

		if (c == 0)
			return &p->services[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (p->by_nodeport && p->by_nodeport[t->port.dst] >= 0 &&
	    p->services[p->by_nodeport[t->port.dst]].family == t->family)
		return &p->services[p->by_nodeport[t->port.dst]];
	return NULL;
}

bool policy_stale(const struct policy *p, const struct ctnl_flow *flow)
{
	const struct service *s;

	if (flow->orig.proto != IPPROTO_UDP ||
	    !(flow->attrs & CTNL_ATTR_REPLY))
		return false;
	s = service_of(p, &flow->orig);
	return s && !ctnl_addr_set_contains(s->endpoints, flow->reply.family,
					    &flow->reply.src);
}

/* ====================================================================
 * The view: UDP entries by original tuple
 * ==================================================================== */

#define VIEW_FIRST_CAPACITY 1024

struct slot {
	struct ctnl_tuple key;	/* family 0: empty */
	union ctnl_addr reply_src;	/* what the policy judges by */
	uint32_t hash;
	uint32_t gen;		/* of the resync that last saw it */
	bool stale;
};

struct view {
	struct slot *slots;
	size_t cap, count, stale;
};

/* A tuple as a key: only what identifies the entry, the rest zeroed. */
static struct ctnl_tuple key_of(const struct ctnl_tuple *t)
{
	struct ctnl_tuple k;

	memset(&k, 0, sizeof(k));
	k.family = t->family;
	k.proto = t->proto;
	k.zone = t->zone;
	memcpy(&k.src, &t->src, addr_len(t->family));
	memcpy(&k.dst, &t->dst, addr_len(t->family));
	k.port = t->port;
	return k;
}

static uint32_t hash_of(const struct ctnl_tuple *k)
{
	uint32_t w[sizeof(*k) / 4];
	uint64_t h = 0;

	memcpy(w, k, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / 4; i++) {
		h = (h ^ w[i]) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
	}
	return (uint32_t)(h >> 32);
}

/* The slot holding @k, or the empty one where it would go. */
static struct slot *probe(const struct view *v, const struct ctnl_tuple *k,
			  uint32_t hash)
{
	size_t mask = v->cap - 1, i = hash & mask;

	while (v->slots[i].key.family &&
	       (v->slots[i].hash != hash ||
		memcmp(&v->slots[i].key, k, sizeof(*k))))
		i = (i + 1) & mask;
	return &v->slots[i];
}

static int view_grow(struct view *v)
{
	size_t cap = v->cap ? 2 * v->cap : VIEW_FIRST_CAPACITY;
	struct view next = { .slots = calloc(cap, sizeof(struct slot)),
			     .cap = cap, .count = v->count,
			     .stale = v->stale };

	if (!next.slots)
		return -ENOMEM;
	for (size_t i = 0; i < v->cap; i++)
		if (v->slots[i].key.family)
			*probe(&next, &v->slots[i].key, v->slots[i].hash) =
				v->slots[i];
	free(v->slots);
	*v = next;
	return 0;
}

static int view_put(struct view *v, const struct ctnl_flow *flow, bool stale,
		    uint32_t gen)
{
	struct ctnl_tuple k = key_of(&flow->orig);
	uint32_t hash = hash_of(&k);
	struct slot *s;
	int ret;

	/* At most three quarters full, so probes stay short. */
	if (4 * (v->count + 1) > 3 * v->cap) {
		ret = view_grow(v);
		if (ret < 0)
			return ret;
	}
	s = probe(v, &k, hash);
	if (!s->key.family) {
		*s = (struct slot){ .key = k, .hash = hash };
		v->count++;
	}
	v->stale += (size_t)stale - (size_t)s->stale;
	s->stale = stale;
	s->gen = gen;
	s->reply_src = flow->reply.src;
	return 0;
}

/* The verdicts again, under another policy. */
static void view_judge(struct view *v, const struct policy *p)
{
	v->stale = 0;
	for (size_t i = 0; i < v->cap; i++) {
		struct slot *s = &v->slots[i];
		struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG |
						CTNL_ATTR_REPLY };

		if (!s->key.family)
			continue;
		f.orig = s->key;
		f.reply.family = s->key.family;
		f.reply.src = s->reply_src;
		s->stale = policy_stale(p, &f);
		v->stale += s->stale;
	}
}

/* Empties slot @i, moving later entries of its probe run back into the
 * gap (no tombstones: lookups stay short under churn). */
static void view_take(struct view *v, size_t i)
{
	size_t mask = v->cap - 1, j = i;

	v->count--;
	v->stale -= v->slots[i].stale;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!v->slots[j].key.family)
			break;
		home = v->slots[j].hash & mask;
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		v->slots[i] = v->slots[j];
		i = j;
	}
	memset(&v->slots[i], 0, sizeof(v->slots[i]));
}

static void view_remove(struct view *v, const struct ctnl_tuple *orig)
{
	struct ctnl_tuple k = key_of(orig);
	struct slot *s;

	if (!v->cap)
		return;
	s = probe(v, &k, hash_of(&k));
	if (s->key.family)
		view_take(v, (size_t)(s - v->slots));
}

/* After a re-read of the table (of @family; 0: all): what it did not see
 * is gone. */
static void view_sweep(struct view *v, uint32_t gen, uint8_t family)
{
	for (size_t i = 0; i < v->cap;) {
		const struct slot *s = &v->slots[i];

		if (s->key.family && s->gen != gen &&
		    (!family || s->key.family == family))
			view_take(v, i);	/* slot i holds another now */
		else
			i++;
	}
}

/* ====================================================================
 * The agent
 * ==================================================================== */

/* Reads per step at most, so that a storm cannot starve the ticks. */
#define STEP_READS_MAX 256

struct agent {
	struct ctnl_ct *ev, *req;
	struct policy policy;
	struct view view;
	uint32_t gen;
	bool lost;		/* a loss since the last resync */
	int error;		/* the view could not grow */
	struct agent_stats st;
};

int agent_new(struct ctnl_ct *ev, struct ctnl_ct *req, struct agent **ret)
{
	struct agent *a;

	if (!ev || !req || !ret)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->ev = ev;
	a->req = req;
	policy_init(&a->policy);
	*ret = a;
	return 0;
}

void agent_free(struct agent *a)
{
	if (!a)
		return;
	policy_free(&a->policy);
	free(a->view.slots);
	free(a);
}

void agent_set_policy(struct agent *a, struct policy *p)
{
	policy_free(&a->policy);
	a->policy = *p;
	policy_init(p);
	view_judge(&a->view, &a->policy);
}

static void put_flow(struct agent *a, const struct ctnl_flow *flow)
{
	int ret = view_put(&a->view, flow, policy_stale(&a->policy, flow),
			   a->gen);

	if (ret < 0)
		a->error = ret;
}

static int on_event(const struct ctnl_event *ev, void *data)
{
	struct agent *a = data;

	switch (ev->type) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_UPDATE:
		a->st.events++;
		put_flow(a, &ev->flow);
		break;
	case CTNL_EVENT_DESTROY:
		a->st.events++;
		view_remove(&a->view, &ev->flow.orig);
		break;
	case CTNL_EVENT_OVERFLOW:
		a->st.overflows++;
		a->st.lost += ev->overflow.lost;
		a->lost = true;
		return CTNL_CB_STOP;	/* re-read the table first */
	case CTNL_EVENT_SYNC_BEGIN:
		a->gen++;
		break;
	case CTNL_EVENT_SYNC:
		put_flow(a, &ev->flow);
		break;
	case CTNL_EVENT_SYNC_END:
		view_sweep(&a->view, a->gen, 0);
		break;
	default:
		break;
	}
	return a->error ? a->error : CTNL_CB_OK;
}

static int resync(struct agent *a)
{
	int ret;

	a->lost = false;
	a->st.resyncs++;
	ret = ctnl_ct_resync(a->ev, a->req, on_event, a);
	if (ret < 0)
		a->lost = true;	/* try again next step */
	return ret;
}

int agent_start(struct agent *a, int rcvbuf)
{
	static const struct ctnl_filter udp = { .match = CTNL_MATCH_PROTO,
						.proto = IPPROTO_UDP };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_CT_ALL,
					  .rcvbuf = rcvbuf,
					  .filter = &udp };
	int ret = ctnl_ct_subscribe_config(a->ev, &cfg);

	if (ret == 0)
		ret = resync(a);
	return ret < 0 ? ret : 0;
}

int agent_step(struct agent *a, int timeout_ms)
{
	uint64_t before = a->st.events;
	int ret = a->lost ? 0 : ctnl_ct_event_wait(a->ev, timeout_ms);

	for (int i = 0; ret > 0 && i < STEP_READS_MAX && !a->lost; i++)
		ret = ctnl_ct_event_read(a->ev, on_event, a);
	if (ret >= 0 && a->lost)
		ret = resync(a);
	if (ret < 0)
		return ret;
	return (int)(a->st.events - before);
}

/*
 * Chooses what the policy calls stale, and takes it out of the view at
 * once: it is deleted, or gone already. Its destroy event may never come
 * (with net.netfilter.nf_conntrack_events at 2, an entry made before the
 * first listener announces nothing); if it does, it finds nothing. What
 * it keeps refreshes the view: the pass reads every UDP entry anyway.
 */
static int stale_pred(const struct ctnl_flow *flow, void *data)
{
	struct agent *a = data;

	if (policy_stale(&a->policy, flow)) {
		view_remove(&a->view, &flow->orig);
		return 1;
	}
	put_flow(a, flow);
	return a->error ? a->error : 0;
}

/*
 * One pass over @family's UDP entries (the kernel filters the protocol).
 * Events are not read meanwhile, so the view holds what was there before
 * the pass: what it did not see is gone since, or left without a word
 * (an entry made before the first listener never announces its end).
 */
static int pass(struct agent *a, uint8_t family)
{
	struct ctnl_filter f = { .family = family, .match = CTNL_MATCH_PROTO,
				 .proto = IPPROTO_UDP };
	struct ctnl_delete_stats st;
	int ret;

	a->gen++;
	ret = ctnl_ct_delete_if(a->req, &f, stale_pred, a, &st);
	if (ret >= 0 && !st.interrupted)
		view_sweep(&a->view, a->gen, family);

	a->st.passes++;
	a->st.seen += st.seen;
	a->st.deleted += st.deleted;
	a->st.gone += st.gone;
	a->st.failed += st.failed;
	/* An entry the kernel would not delete is still there, out of the
	 * view: read the table again. */
	if (ret < 0 || st.failed)
		a->lost = true;
	return ret;
}

int agent_tick(struct agent *a, bool force)
{
	int ret = 0, total = 0;

	a->st.ticks++;
	if (!force && a->view.stale == 0)
		return 0;
	for (unsigned int bit = 1; bit <= 2 && ret >= 0; bit <<= 1) {
		if (!(a->policy.families & bit))
			continue;
		ret = pass(a, bit == 1 ? AF_INET : AF_INET6);
		total += ret > 0 ? ret : 0;
	}
	return ret < 0 ? ret : total;
}

void agent_stats(const struct agent *a, struct agent_stats *out)
{
	*out = a->st;
	out->view = a->view.count;
	out->stale = a->view.stale;
}

bool agent_view_has(const struct agent *a, const struct ctnl_tuple *orig)
{
	struct ctnl_tuple k = key_of(orig);

	return a->view.cap && probe(&a->view, &k, hash_of(&k))->key.family;
}
