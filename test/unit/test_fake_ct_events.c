/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The in-memory conntrack table's events, as <ctnl/mocks.h> documents
 * them: what each change announces, to whom, filtered how; loss, reported
 * and counted exactly; expiry; more handles on one table, and the
 * resynchronisation between two of them. Everything through libctnl's
 * public events API, as a program under test would read them.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "entry.h"
#include "heap.h"

#define MAX_SEEN 256

struct env {
	size_t heap_before;
	struct ctnl_fake_ct *f;
	struct ctnl_ct *ct;	/* the first handle: requests */
	struct ctnl_ct *ev;	/* another: subscribed */
};

/* What a callback saw, in order. */
struct seen {
	struct ctnl_event ev[MAX_SEEN];
	int n;
	int stop_at;		/* returns STOP at this event (1-based) */
};

static int record(const struct ctnl_event *ev, void *data)
{
	struct seen *s = data;

	assert_true(s->n < MAX_SEEN);
	s->ev[s->n++] = *ev;
	return s->n == s->stop_at ? CTNL_CB_STOP : CTNL_CB_OK;
}

static int setup(void **state)
{
	size_t before = heap_in_use();
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->heap_before = before;
	assert_int_equal(ctnl_fake_ct_new(&e->f), 0);
	e->ct = ctnl_fake_ct_ct(e->f);
	assert_int_equal(ctnl_fake_ct_open(e->f, &e->ev), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	size_t before = e->heap_before;

	ctnl_ct_close(e->ev);
	ctnl_fake_ct_free(e->f);
	free(e);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

static struct ctnl_flow udp(const char *src, uint16_t sport)
{
	struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
			       .timeout = 60 };

	f.orig = tuple_of(src, "10.9.0.1", IPPROTO_UDP, sport, 53);
	return f;
}

static struct ctnl_flow key_of(const struct ctnl_flow *f)
{
	return (struct ctnl_flow){ .attrs = CTNL_ATTR_ORIG, .orig = f->orig };
}

static void read_all(struct ctnl_ct *ct, struct seen *s)
{
	int ret;

	do
		ret = ctnl_ct_event_read(ct, record, s);
	while (ret > 0);
	assert_int_equal(ret, 0);
}

/* Each change announced to the subscribed handle, with the entry as it
 * stands and the port id of the handle that made it; the first handle's
 * is 1000, the next 1001. */
static void test_events_announce_each_change(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", 1), key = key_of(&a);
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 7 };
	struct seen s = { .n = 0 };
	struct ctnl_event_info info;

	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	assert_int_equal(ctnl_ct_update(e->ct, &key, &mark), 0);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(s.ev[1].type, CTNL_EVENT_UPDATE);
	assert_int_equal(s.ev[1].flow.mark, 7);
	assert_int_equal(s.ev[2].type, CTNL_EVENT_DESTROY);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(s.ev[i].portid, 1000);
		assert_int_equal(s.ev[i].flow.id, s.ev[0].flow.id);
		assert_int_equal(s.ev[i].flow.orig.port.src, 1);
	}
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 0);
	assert_int_equal(ctnl_ct_event_info(e->ev, &info), 0);
	assert_int_equal(info.received, 3);
	assert_int_equal(info.delivered, 3);
	assert_int_equal(info.events, CTNL_EVENT_CT_ALL);

	/* The subscribed handle makes no requests; the other sees nothing
	 * of its own, as it is not subscribed. */
	assert_int_equal(ctnl_ct_create(e->ev, &a), -EBUSY);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &s), -ENOTCONN);
	assert_int_equal(ctnl_ct_subscribe(e->ev, 0), 0);
	assert_int_equal(ctnl_ct_create(e->ev, &a), 0);
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_NEW), 0);
	assert_int_equal(ctnl_ct_delete(e->ev, &key), 0);
	assert_int_equal(ctnl_ct_create(e->ev, &a), 0);
	s.n = 0;
	read_all(e->ct, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].portid, 1001);
}

/* Batches, flushes, the matching operations and delete_if: one event per
 * entry changed; a refused update, even half-applied, says nothing. */
static void test_events_for_every_entry_of_bulk_changes(void **state)
{
	struct env *e = *state;
	struct ctnl_flow flows[3] = { udp("10.0.0.1", 1), udp("10.0.0.2", 2),
				      udp("10.0.0.3", 3) };
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 1 };
	struct ctnl_change bad = { .attrs = CTNL_ATTR_TIMEOUT |
					    CTNL_ATTR_STATUS,
				   .timeout = 5 };
	struct ctnl_flow key = key_of(&flows[0]);
	struct seen s = { .n = 0 };
	int results[3];

	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 3, NULL,
				       0, results), 3);
	assert_int_equal(ctnl_ct_update_matching(e->ct, NULL, &mark, NULL), 3);
	/* Clearing ASSURED is refused after the timeout was set. */
	assert_int_equal(ctnl_ct_update(e->ct, &key, &bad), 0);
	bad.attrs = CTNL_ATTR_STATUS;
	bad.status = CTNL_STATUS_ASSURED;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &bad), 0);
	bad.attrs |= CTNL_ATTR_TIMEOUT;
	bad.status = 0;
	assert_int_equal(ctnl_ct_update(e->ct, &key, &bad), -EBUSY);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 3 + 3 + 2);
	assert_int_equal(s.ev[3].type, CTNL_EVENT_UPDATE);
	assert_int_equal(s.ev[7].type, CTNL_EVENT_UPDATE);

	s.n = 0;
	assert_int_equal(ctnl_ct_delete_if(e->ct, NULL, NULL, NULL, NULL), 3);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 3, NULL,
				       0, results), 3);
	assert_int_equal(ctnl_ct_delete_matching(e->ct, &(struct ctnl_filter){
							 .family = AF_INET },
						 NULL), 3);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 2, NULL,
				       0, results), 2);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 3 + 3 + 3 + 2 + 2);
	assert_int_equal(s.ev[0].type, CTNL_EVENT_DESTROY);
	assert_int_equal(s.ev[12].type, CTNL_EVENT_DESTROY);
}

/* Groups: only what was subscribed. The filter's family and mark are the
 * kernel's (never queued, never counted); its other criteria are applied
 * when read (read, counted as filtered, not handed over). */
static void test_events_honour_groups_and_filter(void **state)
{
	struct env *e = *state;
	struct ctnl_filter f = { .family = AF_INET,
				 .match = CTNL_MATCH_MARK | CTNL_MATCH_PROTO,
				 .mark = 1, .mark_mask = 1,
				 .proto = IPPROTO_UDP };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_NEW,
					  .filter = &f };
	struct ctnl_flow flows[4] = { udp("10.0.0.1", 1), udp("10.0.0.2", 2),
				      udp("10.0.0.3", 3), udp("10.0.0.4", 4) };
	struct ctnl_flow key = key_of(&flows[0]);
	struct seen s = { .n = 0 };
	struct ctnl_event_info info;

	flows[2].orig.proto = IPPROTO_TCP;
	flows[3].orig = tuple_of("fd00::1", "fd00::2", IPPROTO_UDP, 4, 53);
	for (int i = 0; i < 4; i++) {
		flows[i].attrs |= CTNL_ATTR_MARK;
		flows[i].mark = i == 1 ? 2 : i == 0 ? 3 : 1;	/* 3: by its mask */
	}
	assert_int_equal(ctnl_ct_subscribe_config(e->ev, &cfg), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ctnl_ct_create(e->ct, &flows[i]), 0);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].flow.orig.port.src, 1);
	assert_int_equal(ctnl_ct_event_info(e->ev, &info), 0);
	assert_int_equal(info.received, 2);	/* entries 1 and 3 */
	assert_int_equal(info.filtered, 1);	/* entry 3: TCP */
	assert_int_equal(info.kernel, CTNL_MATCH_FAMILY | CTNL_MATCH_MARK);
	assert_int_equal(info.user, CTNL_MATCH_PROTO);
	assert_int_equal(info.filter.proto, IPPROTO_UDP);
}

/* Expectations: announced when made, and when they go, with their master
 * after its own destroy; filtered by family. */
static void test_events_of_expectations(void **state)
{
	struct env *e = *state;
	struct ctnl_flow m = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
					CTNL_ATTR_HELPER,
			       .timeout = 60, .helper = "ftp" };
	struct ctnl_expect x = { .attrs = CTNL_EXP_ATTR_MASTER |
					  CTNL_EXP_ATTR_TUPLE |
					  CTNL_EXP_ATTR_MASK };
	struct ctnl_flow key;
	struct seen s = { .n = 0 };

	m.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 21);
	key = key_of(&m);
	x.master = m.orig;
	x.tuple = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 0, 20000);
	x.mask = tuple_of("255.255.255.255", "255.255.255.255", IPPROTO_TCP, 0,
			  0xffff);
	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_ALL), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &m), 0);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_delete(e->ct, &key), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &m), 0);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_EXPECT, 0), 0);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_delete_expect(e->ct, &x), 0);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 9);
	assert_int_equal(s.ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(s.ev[0].portid, 0);	/* seeded: the kernel's */
	assert_int_equal(s.ev[1].type, CTNL_EVENT_EXP_NEW);
	assert_int_equal(s.ev[1].expect.tuple.port.dst, 20000);
	assert_int_equal(s.ev[2].type, CTNL_EVENT_DESTROY);
	assert_int_equal(s.ev[3].type, CTNL_EVENT_EXP_DESTROY);
	assert_int_equal(s.ev[4].type, CTNL_EVENT_NEW);
	assert_int_equal(s.ev[5].type, CTNL_EVENT_EXP_NEW);
	assert_int_equal(s.ev[6].type, CTNL_EVENT_EXP_DESTROY);
	assert_int_equal(s.ev[8].type, CTNL_EVENT_EXP_DESTROY);

	/* An IPv6 subscription hears nothing of IPv4 expectations. */
	assert_int_equal(ctnl_ct_subscribe_config(e->ev,
		&(struct ctnl_events_config){
			.size = sizeof(struct ctnl_events_config),
			.events = CTNL_EVENT_EXP_ALL,
			.filter = &(struct ctnl_filter){ .family = AF_INET6 } }),
			 0);
	assert_int_equal(ctnl_ct_create_expect(e->ct, &x), 0);
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 0);
}

/* The kernel's timer: a DESTROY with port id 0. */
static void test_events_expiry(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", 1), key = key_of(&a);
	struct seen s = { .n = 0 };

	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_DESTROY), 0);
	assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	key.attrs |= CTNL_ATTR_ID;
	key.id = 99;
	assert_int_equal(ctnl_fake_ct_expire(e->f, &key), -ENOENT);
	key.id = ctnl_fake_ct_flows(e->f, NULL)[0].id;
	assert_int_equal(ctnl_fake_ct_expire(e->f, &key), 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
	assert_int_equal(ctnl_fake_ct_expire(e->f, &key), -ENOENT);
	assert_int_equal(ctnl_fake_ct_expire(e->f, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_ct_expire(e->f, &(struct ctnl_flow){ 0 }),
			 -EINVAL);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].type, CTNL_EVENT_DESTROY);
	assert_int_equal(s.ev[0].portid, 0);
}

/* As the kernel's default (nf_conntrack_events 2): an entry made while
 * nobody listened announces nothing, nor do its expectations; at 1,
 * every entry does. */
static void test_events_of_entries_made_before_any_listener(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", 1), b = udp("10.0.0.2", 2);
	struct ctnl_flow c = udp("10.0.0.3", 3);
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 3 };
	struct ctnl_flow ka = key_of(&a), kb = key_of(&b), kc = key_of(&c);
	struct seen s = { .n = 0 };

	assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	ctnl_fake_ct_set_events_all(e->f, true);
	assert_int_equal(ctnl_ct_create(e->ct, &b), 0);
	ctnl_fake_ct_set_events_all(e->f, false);
	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_ct_create(e->ct, &c), 0);
	for (int i = 0; i < 3; i++) {
		const struct ctnl_flow *k = i == 0 ? &ka : i == 1 ? &kb : &kc;

		assert_int_equal(ctnl_ct_update(e->ct, k, &mark), 0);
		assert_int_equal(ctnl_ct_delete(e->ct, k), 0);
	}
	read_all(e->ev, &s);
	/* c: new, update, destroy; b: update, destroy; a: nothing. */
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ev[0].flow.orig.port.src, 3);
	assert_int_equal(s.ev[1].flow.orig.port.src, 2);
	assert_int_equal(s.ev[2].type, CTNL_EVENT_DESTROY);
	assert_int_equal(s.ev[2].flow.orig.port.src, 2);
	/* Made again while nobody listens: quiet again. */
	assert_int_equal(ctnl_ct_subscribe(e->ev, 0), 0);
	assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_ct_delete(e->ct, &ka), 0);
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 0);
}

/* An entry made unheard is quiet until it goes: its id, given to an entry
 * made later while a handle listens, is heard. */
static void test_events_id_of_a_quiet_entry_is_heard_again(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", 1), b = udp("10.0.0.2", 2);
	struct ctnl_flow ka = key_of(&a);
	const struct ctnl_flow *flows;
	struct seen s = { .n = 0 };
	size_t n;

	assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	flows = ctnl_fake_ct_flows(e->f, &n);
	assert_int_equal(n, 1);
	b.attrs |= CTNL_ATTR_ID;
	b.id = flows[0].id;
	assert_int_equal(ctnl_ct_delete(e->ct, &ka), 0);
	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &b), 0);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(s.ev[0].flow.id, b.id);
}

/* A loss: the events queued last are gone; the next read reports it first
 * and goes on; read plus lost is every event made, exactly; the
 * descriptor is readable while there is news. */
static void test_events_loss_is_reported_and_counted(void **state)
{
	struct env *e = *state;
	struct seen s = { .n = 0 };
	struct ctnl_event_info info;
	struct pollfd pfd = { .events = POLLIN };

	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_NEW), 0);
	pfd.fd = ctnl_ct_event_fd(e->ev);
	assert_true(pfd.fd >= 0);
	assert_int_equal(ctnl_ct_event_fd(e->ev), pfd.fd);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(ctnl_ct_event_wait(e->ev, 100), 0);
	for (uint16_t i = 1; i <= 5; i++) {
		struct ctnl_flow a = udp("10.0.0.1", i);

		assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	}
	assert_int_equal(poll(&pfd, 1, 0), 1);
	ctnl_fake_ct_drop_events(e->f, 2);
	assert_int_equal(ctnl_ct_event_wait(e->ev, 0), 1);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ev[0].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(s.ev[0].overflow.lost, 2);
	assert_int_equal(s.ev[0].overflow.count, 1);
	assert_int_equal(s.ev[3].flow.orig.port.src, 3);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(ctnl_ct_event_info(e->ev, &info), 0);
	assert_int_equal(info.received + info.lost, 5);
	assert_int_equal(info.overflows, 1);

	/* More lost than queued: all of them, and the count as given. */
	ctnl_fake_ct_drop_events(e->f, 7);
	s.n = 0;
	read_all(e->ev, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].overflow.lost, 7);
	assert_int_equal(s.ev[0].overflow.count, 2);
}

/* A bounded queue loses what comes while it is full; in reliable mode a
 * destroy is queued all the same. */
static void test_events_capacity_loses_the_overflow(void **state)
{
	struct env *e = *state;
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_CT_ALL,
					  .flags = CTNL_EVENTS_RELIABLE };
	struct ctnl_flow a = udp("10.0.0.1", 1);
	struct seen s = { .n = 0 };
	struct ctnl_event_info info;

	ctnl_fake_ct_set_event_capacity(e->f, 2);
	assert_int_equal(ctnl_ct_subscribe_config(e->ev, &cfg), 0);
	for (uint16_t i = 1; i <= 4; i++) {
		a = udp("10.0.0.1", i);
		assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	}
	a = key_of(&a);
	assert_int_equal(ctnl_ct_delete(e->ct, &a), 0);
	read_all(e->ev, &s);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ev[0].overflow.lost, 2);
	assert_int_equal(s.ev[1].flow.orig.port.src, 1);
	assert_int_equal(s.ev[3].type, CTNL_EVENT_DESTROY);
	assert_int_equal(ctnl_ct_event_info(e->ev, &info), 0);
	assert_int_equal(info.received + info.lost, 5);
}

/* A read hands over 64 events at most; a callback's STOP leaves the rest
 * for the next; reading from inside a callback is -EBUSY. */
static int nested(const struct ctnl_event *ev, void *data)
{
	struct ctnl_ct *ct = data;

	(void)ev;
	assert_int_equal(ctnl_ct_event_read(ct, nested, ct), -EBUSY);
	assert_int_equal(ctnl_ct_subscribe(ct, CTNL_EVENT_NEW), -EBUSY);
	return CTNL_CB_OK;
}

static void test_events_reads_are_bounded_and_stoppable(void **state)
{
	struct env *e = *state;
	struct seen s = { .stop_at = 2 };
	int results[100];
	struct ctnl_flow flows[100];

	for (uint16_t i = 0; i < 100; i++)
		flows[i] = udp("10.0.0.1", (uint16_t)(i + 1));
	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_NEW), 0);
	assert_int_equal(ctnl_ct_batch(e->ct, CTNL_OP_CREATE, flows, 100, NULL,
				       0, results), 100);
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 2);
	s.stop_at = 0;
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 64);
	assert_int_equal(ctnl_ct_event_read(e->ev, nested, e->ev), 34);
	assert_int_equal(ctnl_ct_event_read(e->ev, NULL, NULL), -EINVAL);
}

/* Ending a subscription: queued events go, and a loss not reported yet
 * is reported by ctnl_ct_unsubscribe(). */
static void test_events_unsubscribe_reports_the_rest(void **state)
{
	struct env *e = *state;
	struct ctnl_flow a = udp("10.0.0.1", 1);
	struct seen s = { .n = 0 };
	struct ctnl_event_info info;

	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_NEW), 0);
	assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	ctnl_fake_ct_drop_events(e->f, 3);
	assert_int_equal(ctnl_ct_unsubscribe(e->ev, record, &s), 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].overflow.lost, 3);
	assert_int_equal(ctnl_ct_event_info(e->ev, &info), 0);
	assert_int_equal(info.events, 0);
	assert_int_equal(info.lost, 3);
	assert_int_equal(ctnl_ct_event_wait(e->ev, 0), -ENOTCONN);
	/* Nothing is queued for a handle that does not listen. */
	ctnl_fake_ct_drop_events(e->f, 3);
	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_NEW), 0);
	assert_int_equal(ctnl_ct_event_read(e->ev, record, &s), 0);
}

/* A view kept by events is brought back in line after a loss by a
 * resynchronisation between the two handles. */
struct view {
	int entries;
	bool lost;
	unsigned int syncs;
};

static int keep_view(const struct ctnl_event *ev, void *data)
{
	struct view *v = data;

	switch (ev->type) {
	case CTNL_EVENT_NEW:
		v->entries++;
		break;
	case CTNL_EVENT_DESTROY:
		v->entries--;
		break;
	case CTNL_EVENT_OVERFLOW:
		v->lost = true;
		break;
	case CTNL_EVENT_SYNC_BEGIN:
		v->entries = 0;
		break;
	case CTNL_EVENT_SYNC:
		v->entries++;
		v->syncs++;
		break;
	default:
		break;
	}
	return CTNL_CB_OK;
}

static void test_events_resync_between_two_handles(void **state)
{
	struct env *e = *state;
	struct view v = { .entries = 0 };

	assert_int_equal(ctnl_ct_subscribe(e->ev, CTNL_EVENT_CT_ALL), 0);
	for (uint16_t i = 1; i <= 6; i++) {
		struct ctnl_flow a = udp("10.0.0.1", i);

		assert_int_equal(ctnl_ct_create(e->ct, &a), 0);
	}
	ctnl_fake_ct_drop_events(e->f, 4);
	assert_int_equal(ctnl_ct_event_read(e->ev, keep_view, &v), 3);
	assert_true(v.lost);
	assert_int_equal(v.entries, 2);
	assert_int_equal(ctnl_ct_resync(e->ev, e->ct, keep_view, &v), 6);
	assert_int_equal(v.entries, 6);
	assert_int_equal(v.syncs, 6);
}

/* Handles come and go: closing the first ends its subscription (and it
 * can be handed out afresh); those still open are freed with the table;
 * the events slots fail as scripted; bad subscriptions are refused and
 * leave the handle unsubscribed. */
static void test_events_handles_failures_and_bad_input(void **state)
{
	struct env *e = *state;
	struct ctnl_ct *third;
	struct ctnl_event_info info;
	struct seen s = { .n = 0 };
	const struct ctnl_filter bad = { .family = 3 };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_NEW };

	assert_int_equal(ctnl_fake_ct_open(e->f, &third), 0);
	assert_int_equal(ctnl_fake_ct_open(NULL, &third), -EINVAL);
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_NEW), 0);
	ctnl_ct_close(e->ct);
	e->ct = ctnl_fake_ct_ct(e->f);
	assert_int_equal(ctnl_ct_event_info(e->ct, &info), 0);
	assert_int_equal(info.events, 0);

	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_SUBSCRIBE, 2, -EIO);
	assert_int_equal(ctnl_ct_subscribe(third, CTNL_EVENT_NEW), -EIO);
	assert_int_equal(ctnl_fake_ct_calls(e->f, CTNL_FAKE_CT_SUBSCRIBE), 2);
	assert_int_equal(ctnl_ct_subscribe(third, CTNL_EVENT_NEW), 0);
	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_EVENT_READ, 1, -EBADMSG);
	assert_int_equal(ctnl_ct_event_read(third, record, &s), -EBADMSG);

	cfg.events = 1u << 7;
	assert_int_equal(ctnl_ct_subscribe_config(third, &cfg), -EINVAL);
	assert_int_equal(ctnl_ct_event_read(third, record, &s), -ENOTCONN);
	cfg = (struct ctnl_events_config){ .size = sizeof(cfg),
					   .events = CTNL_EVENT_NEW,
					   .flags = 1u << 5 };
	assert_int_equal(ctnl_ct_subscribe_config(third, &cfg), -EINVAL);
	cfg.flags = 0;
	cfg.rcvbuf = -1;
	assert_int_equal(ctnl_ct_subscribe_config(third, &cfg), -EINVAL);
	cfg.rcvbuf = 0;
	cfg.filter = &bad;
	assert_int_equal(ctnl_ct_subscribe_config(third, &cfg), -EINVAL);
	cfg.size = 4;
	assert_int_equal(ctnl_ct_subscribe_config(third, &cfg), -EINVAL);
	/* An older caller's shorter config: what it lacks is the default;
	 * a newer one's longer config must be zero past this header's. */
	cfg.size = offsetof(struct ctnl_events_config, flags);
	assert_int_equal(ctnl_ct_subscribe_config(third, &cfg), 0);
	assert_int_equal(ctnl_ct_event_info(third, &info), 0);
	assert_int_equal(info.events, CTNL_EVENT_NEW);
	{
		struct {
			struct ctnl_events_config cfg;
			int extra;
		} longer;

		memset(&longer, 0, sizeof(longer));
		longer.cfg.size = sizeof(longer);
		longer.cfg.events = CTNL_EVENT_NEW;
		longer.extra = 1;

		assert_int_equal(ctnl_ct_subscribe_config(third, &longer.cfg),
				 -EINVAL);
		longer.extra = 0;
		assert_int_equal(ctnl_ct_subscribe_config(third, &longer.cfg),
				 0);
		assert_int_equal(ctnl_ct_event_info(third, &info), 0);
		assert_int_equal(info.rcvbuf, 212992);
	}
	/* third stays open: ctnl_fake_ct_free() frees it. */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_events_announce_each_change),
		T(test_events_for_every_entry_of_bulk_changes),
		T(test_events_honour_groups_and_filter),
		T(test_events_of_expectations),
		T(test_events_expiry),
		T(test_events_of_entries_made_before_any_listener),
		T(test_events_id_of_a_quiet_entry_is_heard_again),
		T(test_events_loss_is_reported_and_counted),
		T(test_events_capacity_loses_the_overflow),
		T(test_events_reads_are_bounded_and_stoppable),
		T(test_events_unsubscribe_reports_the_rest),
		T(test_events_resync_between_two_handles),
		T(test_events_handles_failures_and_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
