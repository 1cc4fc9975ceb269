/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Events: subscribing, reading what a real kernel sent (test/fixtures),
 * overflows in each mode, filters in the kernel (a socket filter, run here
 * by the fake as the kernel runs it) and in user space, the blocking loop
 * and the resynchronisation. Over the scripted fake syscall table, so the
 * real socket handle carries the events; and over the fake socket handle,
 * as a caller's test would.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ctnl/mocks.h>

#include "ct/internal.h"
#include "fixture.h"
#include "entry.h"
#include "helpers.h"
#include "sock/internal.h"

#define NUD "events_new_update_destroy.bin"
#define GROUPS_CT ((1u << 0) | (1u << 1) | (1u << 2))
#define GROUPS_EXP ((1u << 3) | (1u << 5))	/* groups 4 and 6 */

/* What a callback saw. */
struct rec {
	struct ctnl_event ev[80];
	int n;
	int stop_after;		/* 0: never */
	int fail_with;		/* returned at the first event, if set */
	struct ctnl_ct *nest;	/* calls into this handle from the callback */
	int nested_read, nested_subscribe;
};

static int record(const struct ctnl_event *ev, void *data)
{
	struct rec *r = data;

	if (r->nest) {
		struct ctnl_events_config cfg = { .size = sizeof(cfg) };

		r->nested_read = ctnl_ct_event_read(r->nest, record, r);
		r->nested_subscribe = ctnl_ct_subscribe_config(r->nest, &cfg);
		r->nest = NULL;
	}
	assert_true(r->n < 80);
	r->ev[r->n++] = *ev;
	if (r->fail_with)
		return r->fail_with;
	return r->stop_after && r->n == r->stop_after ? CTNL_CB_STOP
						       : CTNL_CB_OK;
}

struct efx {
	size_t heap_before;
	struct ctnl_fake_sys *fake;
	struct ctnl_ct *ct;
	struct fixture nud;
	struct rec rec;
};

static struct efx *efx_new(const struct ctnl_sock_config *cfg)
{
	size_t before = heap_in_use();
	struct efx *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->heap_before = before;
	assert_int_equal(ctnl_fake_sys_new(&e->fake), 0);
	ctnl_fake_sys_set_responder(e->fake, ctnl_fake_sys_ack_responder, NULL);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(e->fake), cfg,
				      &e->ct), 0);
	fixture_load(NUD, &e->nud);
	return e;
}

static int setup(void **state)
{
	*state = efx_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	struct efx *e = *state;
	size_t before = e->heap_before;

	ctnl_ct_close(e->ct);
	assert_int_equal(ctnl_fake_sys_open_fds(e->fake), 0);
	fixture_free(&e->nud);
	ctnl_fake_sys_free(e->fake);
	free(e);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

static struct ct_handle *handle(struct efx *e)
{
	return e->ct->ctx;
}

static struct nl_sock *nl(struct efx *e)
{
	return handle(e)->sock->ctx;
}

static int sockopt(struct efx *e, int level, int name)
{
	int val = -1;

	return ctnl_fake_sys_sockopt(e->fake, level, name, &val) < 0 ? -1 : val;
}

static unsigned int setsockopt_calls(struct efx *e)
{
	return ctnl_fake_sys_calls(e->fake, CTNL_FAKE_SETSOCKOPT);
}

static void subscribe(struct efx *e, unsigned int events, unsigned int flags,
		      const struct ctnl_filter *filter)
{
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = events,
					  .flags = flags,
					  .filter = filter };

	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), 0);
}

static void queue_fixture(struct efx *e, const char *name)
{
	struct fixture fx;

	fixture_load(name, &fx);
	fixture_queue_events(e->fake, GROUPS_CT, &fx);
	fixture_free(&fx);
}

static struct ctnl_event_info info(struct efx *e)
{
	struct ctnl_event_info i;

	assert_int_equal(ctnl_ct_event_info(e->ct, &i), 0);
	return i;
}

/* ---- Subscribing ---- */

static void test_subscribe_joins_the_groups_of_its_events(void **state)
{
	struct efx *e = *state;

	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_ALL), 0);
	assert_int_equal(nl(e)->groups, GROUPS_CT | GROUPS_EXP);
	assert_int_equal(info(e).events, CTNL_EVENT_ALL);
	/* Receive-only now. */
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), -EBUSY);

	/* A new subscription leaves the groups it does not want. */
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_DESTROY |
						      CTNL_EVENT_EXP_NEW), 0);
	assert_int_equal(nl(e)->groups, (1u << 2) | (1u << 3));

	/* Unsubscribing makes the handle usable for requests again, with
	 * the socket as it was. */
	assert_int_equal(ctnl_ct_subscribe(e->ct, 0), 0);
	assert_int_equal(nl(e)->groups, 0);
	assert_int_equal(info(e).events, 0);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_NO_ENOBUFS), 0);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_BROADCAST_ERROR), 0);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec),
			 -ENOTCONN);
}

static void test_subscribe_sets_mode_and_queue(void **state)
{
	struct efx *e = *state;
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_CT_ALL,
					  .flags = CTNL_EVENTS_RELIABLE,
					  .rcvbuf = 1 << 20 };

	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), 0);
	assert_int_equal(sockopt(e, SOL_SOCKET, SO_RCVBUFFORCE), 1 << 20);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_NO_ENOBUFS), 1);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_BROADCAST_ERROR), 1);
	assert_int_equal(info(e).flags, CTNL_EVENTS_RELIABLE);
	assert_int_equal(info(e).rcvbuf, 2 << 20);

	cfg.flags = CTNL_EVENTS_NO_ENOBUFS;
	cfg.rcvbuf = 0;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), 0);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_NO_ENOBUFS), 1);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_BROADCAST_ERROR), 0);

	cfg.flags = 0;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), 0);
	assert_int_equal(sockopt(e, SOL_NETLINK, NETLINK_NO_ENOBUFS), 0);
	/* The queue stays as it was set. */
	assert_int_equal(info(e).rcvbuf, 2 << 20);
}

static void test_subscribe_refuses_bad_config(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter bad = { .match = CTNL_MATCH_ORIG_SPORT };
	struct {
		struct ctnl_events_config cfg;
		uint64_t future;
	} longer = { .cfg = { .size = sizeof(longer),
			      .events = CTNL_EVENT_NEW },
		     .future = 1 };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_NEW };

	assert_int_equal(ctnl_ct_subscribe_config(e->ct, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_subscribe_config(NULL, &cfg), -EINVAL);
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_OVERFLOW),
			 -EINVAL);
	cfg.flags = 1u << 7;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), -EINVAL);
	cfg.flags = 0;
	cfg.rcvbuf = -1;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), -EINVAL);
	cfg.rcvbuf = 0;
	cfg.filter = &bad;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), -EINVAL);
	cfg.size = 2;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), -EINVAL);
	/* A newer caller's longer struct, with a field this library does
	 * not know set, is refused; zeroed, it is fine. */
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &longer.cfg), -EINVAL);
	longer.future = 0;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &longer.cfg), 0);
	/* An older caller's shorter struct: the rest is defaults. */
	cfg.size = offsetof(struct ctnl_events_config, flags);
	cfg.events = CTNL_EVENT_UPDATE;
	assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), 0);
	assert_int_equal(nl(e)->groups, 1u << 1);
	assert_int_equal(info(e).filter.match, 0);
}

/* A failure part-way leaves the handle unsubscribed, not half-joined. */
static void test_subscribe_failure_leaves_unsubscribed(void **state)
{
	struct efx *e = *state;

	/* Mode (2 options), filter detached, then groups 1 and 2. */
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 5, -ENOMEM);
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_CT_ALL), -ENOMEM);
	assert_int_equal(nl(e)->groups, 0);
	assert_int_equal(handle(e)->events.groups, 0);
	assert_int_equal(info(e).events, 0);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);

	/* Each step's failure is returned. */
	for (unsigned int step = 1; step <= 3; step++) {
		struct ctnl_events_config cfg = { .size = sizeof(cfg),
						  .events = CTNL_EVENT_NEW,
						  .rcvbuf = 4096 };

		ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
				   setsockopt_calls(e) + step, -EIO);
		assert_int_equal(ctnl_ct_subscribe_config(e->ct, &cfg), -EIO);
		assert_int_equal(nl(e)->groups, 0);
	}
	/* Leaving group 1 fails (mode, filter, then the leave), and so does
	 * leaving it again to unsubscribe: the group stays joined, the
	 * handle unsubscribed, and unsubscribing again finishes the job. */
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_NEW), 0);
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 4, -EIO);
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 5, -EIO);
	assert_int_equal(ctnl_ct_subscribe(e->ct, CTNL_EVENT_UPDATE), -EIO);
	assert_int_equal(info(e).events, 0);
	assert_int_equal(nl(e)->groups, 1u << 0);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), -EBUSY);
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 1, -EIO);
	assert_int_equal(ctnl_ct_subscribe(e->ct, 0), -EIO);
	assert_int_equal(nl(e)->groups, 1u << 0);
	assert_int_equal(ctnl_ct_subscribe(e->ct, 0), 0);
	assert_int_equal(nl(e)->groups, 0);
	/* Then the socket options that put it back can fail too. */
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 1, -EIO);
	assert_int_equal(ctnl_ct_subscribe(e->ct, 0), -EIO);
}

/* ---- Reading what the kernel sent ---- */

/* conntrack -I, -U -m 42, -D, with counters and timestamps on. */
static void test_read_new_update_destroy_from_the_kernel(void **state)
{
	struct efx *e = *state;
	const struct ctnl_flow *f;
	struct ctnl_event_info i;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.n, 3);

	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(e->rec.ev[0].portid, 399);
	f = &e->rec.ev[0].flow;
	assert_int_equal(f->orig.family, AF_INET);
	assert_int_equal(f->orig.proto, IPPROTO_TCP);
	assert_int_equal(f->orig.port.src, 1000);
	assert_int_equal(f->orig.port.dst, 80);
	assert_int_equal(f->reply.port.src, 80);
	assert_int_equal(f->status, CTNL_STATUS_CONFIRMED);
	assert_int_equal(f->timeout, 120);
	assert_int_equal(f->tcp.state, CTNL_TCP_ESTABLISHED);
	assert_int_equal(f->mark, 0);
	assert_true(f->attrs & CTNL_ATTR_MARK);

	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_UPDATE);
	assert_int_equal(e->rec.ev[1].flow.mark, 42);
	assert_int_equal(e->rec.ev[1].flow.id, f->id);

	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_DESTROY);
	f = &e->rec.ev[2].flow;
	assert_int_equal(f->id, e->rec.ev[0].flow.id);
	assert_true(f->status & CTNL_STATUS_DYING);
	assert_int_equal(f->mark, 42);
	assert_true(f->attrs & CTNL_ATTR_COUNTERS_ORIG);
	assert_true(f->attrs & CTNL_ATTR_COUNTERS_REPLY);
	assert_int_equal(f->counters[CTNL_DIR_ORIG].packets, 0);
	assert_true(f->attrs & CTNL_ATTR_START);
	assert_true(f->attrs & CTNL_ATTR_STOP);
	assert_true(f->stop > f->start && f->start > 0);

	i = info(e);
	assert_int_equal(i.received, 3);
	assert_int_equal(i.delivered, 3);
	assert_int_equal(i.overflows, 0);
	/* Nothing more: 0, without blocking. */
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 0);
	assert_int_equal(ctnl_fake_sys_calls(e->fake, CTNL_FAKE_POLL), 0);
}

/* A ping's entry: its destroy event carries the traffic's counters. */
static void test_destroy_carries_counters_of_real_traffic(void **state)
{
	struct efx *e = *state;
	const struct ctnl_flow *f;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	queue_fixture(e, "events_ping_v4.bin");
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(e->rec.ev[0].portid, 0);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_UPDATE);
	assert_true(e->rec.ev[1].flow.status & CTNL_STATUS_SEEN_REPLY);
	f = &e->rec.ev[2].flow;
	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_DESTROY);
	assert_int_equal(f->orig.proto, IPPROTO_ICMP);
	assert_int_equal(f->counters[CTNL_DIR_ORIG].packets, 1);
	assert_int_equal(f->counters[CTNL_DIR_ORIG].bytes, 84);
	assert_int_equal(f->counters[CTNL_DIR_REPLY].packets, 1);
	assert_int_equal(f->counters[CTNL_DIR_REPLY].bytes, 84);
}

static void test_read_expectation_events(void **state)
{
	struct efx *e = *state;
	const struct ctnl_expect *x;

	subscribe(e, CTNL_EVENT_EXP_ALL, 0, NULL);
	queue_fixture(e, "events_exp.bin");
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 2);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_EXP_NEW);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_EXP_DESTROY);
	x = &e->rec.ev[0].expect;
	assert_string_equal(x->helper, "ftp");
	assert_int_equal(x->tuple.port.dst, 5001);
	assert_int_equal(x->master.port.dst, 21);
	assert_int_equal(e->rec.ev[1].expect.id, x->id);
}

/* Events queued for groups since left are not handed over. */
static void test_events_of_left_groups_are_dropped(void **state)
{
	struct efx *e = *state;

	subscribe(e, CTNL_EVENT_DESTROY, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.n, 1);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_DESTROY);
	assert_int_equal(info(e).filtered, 2);
}

/* ---- Loss ---- */

/* Default mode: the kernel's ENOBUFS, counted by its drop counter,
 * becomes a report; the events that follow it are read in the same call. */
static void test_overflow_is_reported_and_reading_goes_on(void **state)
{
	struct efx *e = *state;
	struct ctnl_event_info i;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[0].data,
				e->nud.dgrams[0].len);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 1);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[2].data,
				e->nud.dgrams[2].len);
	ctnl_fake_sys_drop(e->fake, 5);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 2);
	assert_int_equal(e->rec.n, 3);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(e->rec.ev[1].overflow.lost, 5);
	assert_int_equal(e->rec.ev[1].overflow.count, 1);
	assert_int_equal(e->rec.ev[1].portid, 0);
	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_DESTROY);

	ctnl_fake_sys_drop(e->fake, 2);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 1);
	assert_int_equal(e->rec.ev[3].overflow.lost, 2);
	assert_int_equal(e->rec.ev[3].overflow.count, 2);
	i = info(e);
	assert_int_equal(i.overflows, 2);
	assert_int_equal(i.lost, 7);
	assert_int_equal(i.delivered, 4);
}

/* No-ENOBUFS mode: the kernel says nothing; the drop counter still grows
 * and is read after each read. */
static void test_no_enobufs_mode_reports_from_drop_counter(void **state)
{
	struct efx *e = *state;

	subscribe(e, CTNL_EVENT_CT_ALL, CTNL_EVENTS_NO_ENOBUFS, NULL);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[0].data,
				e->nud.dgrams[0].len);
	ctnl_fake_sys_drop(e->fake, 4);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[2].data,
				e->nud.dgrams[2].len);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_DESTROY);
	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(e->rec.ev[2].overflow.lost, 4);
	/* Nothing read, nothing checked: an idle socket costs no syscall. */
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 0);
}

/* Drops from before the subscription are not counted as its losses; the
 * kernel's ENOBUFS for them is still reported: a report is never held
 * back because the counter has not moved. */
static void test_enobufs_is_always_reported(void **state)
{
	struct efx *e = *state;

	ctnl_fake_sys_drop(e->fake, 9);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 4);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(e->rec.ev[0].overflow.lost, 0);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_NEW);
	assert_int_equal(info(e).lost, 0);
}

/* The drop counter costs a system call per read only where the kernel
 * drops without a word. */
static void test_drop_counter_read_only_where_needed(void **state)
{
	struct efx *e = *state;
	unsigned int before;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	before = ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT),
			 before);

	subscribe(e, CTNL_EVENT_CT_ALL, CTNL_EVENTS_RELIABLE, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	before = ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT),
			 before + 1);
}

/* A socket whose mode cannot be set may have been opened in a
 * no-ENOBUFS mode: its drop counter is read after each read. */
static void test_socket_without_options_is_watched(void **state)
{
	struct ctnl_fake_sock *fake;
	struct ctnl_sock_ops ops;
	struct ctnl_sock sock;
	struct ctnl_ct *ct;
	struct fixture fx;
	struct rec r = { 0 };

	(void)state;
	fixture_load(NUD, &fx);
	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	/* Opened quiet, and no way to change it. */
	assert_int_equal(ctnl_sock_set_option(ctnl_fake_sock_sock(fake),
					      CTNL_SOCK_OPT_NO_ENOBUFS, 1), 0);
	ops = *ctnl_fake_sock_sock(fake)->ops;
	ops.set_option = NULL;
	sock = (struct ctnl_sock){ .ops = &ops,
				   .ctx = ctnl_fake_sock_sock(fake)->ctx };
	assert_int_equal(ctnl_ct_new(&sock, &ct), 0);
	assert_int_equal(ctnl_ct_subscribe(ct, CTNL_EVENT_CT_ALL), 0);
	/* Asking for a quiet mode it cannot set is an error. */
	assert_int_equal(ctnl_ct_subscribe_config(
				 ct, &(struct ctnl_events_config){
					     .size = sizeof(struct ctnl_events_config),
					     .events = CTNL_EVENT_NEW,
					     .flags = CTNL_EVENTS_NO_ENOBUFS }),
			 -ENOSYS);
	assert_int_equal(ctnl_ct_subscribe(ct, CTNL_EVENT_CT_ALL), 0);
	ctnl_fake_sock_queue_event(fake, fx.dgrams[0].data, fx.dgrams[0].len);
	ctnl_fake_sock_queue_overflow(fake, 4);
	assert_int_equal(ctnl_ct_event_read(ct, record, &r), 2);
	assert_int_equal(r.ev[1].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(r.ev[1].overflow.lost, 4);
	/* A callback that stops hears of no loss after it in that read;
	 * the next read hands over the rest and reports it. */
	ctnl_fake_sock_queue_overflow(fake, 2);
	ctnl_fake_sock_queue_event(fake, fx.dgrams[0].data, fx.dgrams[0].len);
	ctnl_fake_sock_queue_event(fake, fx.dgrams[2].data, fx.dgrams[2].len);
	r.stop_after = r.n + 1;
	assert_int_equal(ctnl_ct_event_read(ct, record, &r), 1);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].type, CTNL_EVENT_NEW);
	r.stop_after = 0;
	assert_int_equal(ctnl_ct_event_read(ct, record, &r), 2);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.ev[3].type, CTNL_EVENT_DESTROY);
	assert_int_equal(r.ev[4].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(r.ev[4].overflow.lost, 2);
	ctnl_ct_close(ct);
	ctnl_fake_sock_free(fake);
	fixture_free(&fx);
}

/* Without a drop counter (a socket that has no stats slot), ENOBUFS alone
 * makes the report, with lost 0: unknown. */
static void test_overflow_without_drop_counter(void **state)
{
	struct efx *e = *state;

	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_GETSOCKOPT,
			   ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT) +
				   1,
			   -ENOPROTOOPT);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	assert_false(handle(e)->events.have_drops);
	ctnl_fake_sys_queue_errno(e->fake, -ENOBUFS);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 1);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(e->rec.ev[0].overflow.lost, 0);
	assert_int_equal(info(e).overflows, 1);
}

/* A datagram too big for the buffer is consumed whole: one event lost,
 * reported; the buffer grows and reading goes on. */
static void test_oversized_datagram_is_a_reported_loss(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg), .bufsize = 128 };
	struct efx *e = efx_new(&cfg);

	*state = e;
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	/* 244, 244, then 268 bytes: the first and the last do not fit. */
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.n, 3);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(e->rec.ev[0].overflow.lost, 1);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_UPDATE);
	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(e->rec.ev[2].overflow.count, 2);
	assert_int_equal(info(e).lost, 2);
}

/* A storm of overflows: each round reports one and reads on, within a
 * bounded number of rounds per call; the next call goes on. */
static void test_overflow_storm_is_bounded_per_read(void **state)
{
	struct efx *e = *state;
	int first;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	for (int i = 0; i < 6; i++)
		ctnl_fake_sys_queue_errno(e->fake, -ENOBUFS);
	/* Without the counter, each ENOBUFS is an overflow of its own. */
	handle(e)->events.have_drops = false;
	/* Four rounds a read (READ_ROUNDS, src/ct/events.c), one report
	 * each; the next read reports the other two. */
	first = ctnl_ct_event_read(e->ct, record, &e->rec);
	assert_int_equal(first, 4);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 2);
	assert_int_equal(info(e).overflows, 6);
}

/* ---- Loss: every message read or reported, exactly ---- */

/* What a reader saw, summed. */
struct sum {
	uint64_t events, lost, reports;
	int reads;
};

static int add_up(const struct ctnl_event *ev, void *data)
{
	struct sum *s = data;

	if (ev->type == CTNL_EVENT_OVERFLOW) {
		s->reports++;
		s->lost += ev->overflow.lost;
		assert_int_equal(ev->overflow.count, s->reports);
	} else {
		s->events++;
	}
	return CTNL_CB_OK;
}

static int stop_at_first(const struct ctnl_event *ev, void *data)
{
	add_up(ev, data);
	return CTNL_CB_STOP;
}

/* Reads until a read finds nothing; returns the getsockopt() calls made. */
static unsigned int read_until_idle(struct efx *e, struct sum *s)
{
	unsigned int before = ctnl_fake_sys_calls(e->fake,
						  CTNL_FAKE_GETSOCKOPT);
	int ret;

	do {
		ret = ctnl_ct_event_read(e->ct, add_up, s);
		assert_true(ret >= 0);
		s->reads++;
	} while (ret > 0);
	return ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT) - before;
}

static void queue_news(struct efx *e, int n)
{
	for (int i = 0; i < n; i++)
		ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[0].data,
					e->nud.dgrams[0].len);
}

/*
 * The kernel's congested window: having said ENOBUFS once, it goes on
 * dropping, and counting, without another word until the queue has been
 * emptied. Those drops are reported by the time the reader has emptied
 * it: the events read plus the losses reported are what was sent. The
 * counter costs at most one more system call per read, and none once the
 * loss is settled.
 */
static void test_drops_while_congested_are_reported_when_drained(void **state)
{
	struct efx *e = *state;
	struct sum s = { 0 };
	unsigned int calls;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	queue_news(e, 100);
	ctnl_fake_sys_drop(e->fake, 5);
	assert_true(ctnl_ct_event_read(e->ct, add_up, &s) > 0);
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.lost, 5);
	/* The premise: one read does not empty this queue. */
	assert_true(ctnl_fake_sys_queued(e->fake) > 0);

	ctnl_fake_sys_drop(e->fake, 7);
	ctnl_fake_sys_drop(e->fake, 4);
	assert_int_equal(ctnl_fake_sys_queued(e->fake), 100 - s.events);
	calls = read_until_idle(e, &s);
	assert_int_equal(s.events, 100);
	assert_int_equal(s.lost, 5 + 7 + 4);
	assert_int_equal(info(e).lost, 16);
	assert_true(calls <= (unsigned int)s.reads);

	/* Settled: reading an empty queue costs no system call but its own. */
	calls = ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT);
	assert_int_equal(ctnl_ct_event_read(e->ct, add_up, &s), 0);
	assert_int_equal(ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT),
			 calls);
	assert_int_equal(info(e).overflows, s.reports);
}

/*
 * A callback that stops takes no report after it; the next read makes
 * it, even one that finds nothing queued. @flags: the mode; in the
 * default mode the kernel said ENOBUFS before, and dropped on since.
 */
static void stopped_read_leaves_the_report(struct efx *e, unsigned int flags)
{
	struct rec *r = &e->rec;

	subscribe(e, CTNL_EVENT_CT_ALL, flags, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	ctnl_fake_sys_drop(e->fake, 4);
	if (!flags) {
		r->stop_after = 2;	/* the report of ENOBUFS, and NEW */
		assert_int_equal(ctnl_ct_event_read(e->ct, record, r), 2);
		assert_int_equal(r->ev[0].overflow.lost, 4);
		ctnl_fake_sys_drop(e->fake, 3);
	}
	/* Stopped at the last event queued. */
	r->stop_after = r->n + (flags ? 3 : 2);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, r), flags ? 3 : 2);
	assert_int_equal(r->ev[r->n - 1].type, CTNL_EVENT_DESTROY);
	assert_int_equal(ctnl_fake_sys_queued(e->fake), 0);

	r->stop_after = 0;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, r), 1);
	assert_int_equal(r->ev[r->n - 1].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(r->ev[r->n - 1].overflow.lost, flags ? 4 : 3);
	assert_int_equal(info(e).lost, flags ? 4 : 7);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, r), 0);
}

static void test_stopped_read_leaves_the_report_default(void **state)
{
	stopped_read_leaves_the_report(*state, 0);
}

static void test_stopped_read_leaves_the_report_no_enobufs(void **state)
{
	stopped_read_leaves_the_report(*state, CTNL_EVENTS_NO_ENOBUFS);
}

static void test_stopped_read_leaves_the_report_reliable(void **state)
{
	stopped_read_leaves_the_report(*state, CTNL_EVENTS_RELIABLE);
}

/* A new subscription on the same socket takes over the loss the old one
 * had not reported: its next read reports it, whatever the new mode. */
static void test_resubscribing_keeps_the_unreported_loss(void **state)
{
	struct efx *e = *state;
	struct sum s = { 0 };

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	queue_news(e, 2);
	ctnl_fake_sys_drop(e->fake, 3);
	subscribe(e, CTNL_EVENT_ALL, 0, NULL);
	read_until_idle(e, &s);
	assert_int_equal(s.events, 2);
	assert_int_equal(s.lost, 3);

	/* From a quiet mode, where the kernel said nothing, to the
	 * default, where the kernel would say nothing more of it. */
	subscribe(e, CTNL_EVENT_CT_ALL, CTNL_EVENTS_NO_ENOBUFS, NULL);
	queue_news(e, 2);
	ctnl_fake_sys_drop(e->fake, 6);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	read_until_idle(e, &s);
	assert_int_equal(s.events, 4);
	assert_int_equal(s.lost, 9);
	assert_int_equal(info(e).lost, 9);
}

/*
 * The end of a subscription: ctnl_ct_unsubscribe() reports what no read
 * has; unsubscribing through the config only counts it. Events still
 * queued are read, thrown away and counted in it.
 */
static void test_unsubscribe_reports_the_rest(void **state)
{
	struct efx *e = *state;
	struct rec *r = &e->rec;
	struct ctnl_event_info i;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	ctnl_fake_sys_drop(e->fake, 6);
	r->stop_after = 2;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, r), 2);
	ctnl_fake_sys_drop(e->fake, 2);	/* congested: not a word */
	/* Queued: UPDATE and DESTROY, 2 more. */
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, record, r), 1);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->ev[2].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(r->ev[2].overflow.lost, 2 + 2);
	assert_int_equal(r->ev[2].overflow.count, 2);
	assert_int_equal(ctnl_fake_sys_queued(e->fake), 0);
	i = info(e);
	assert_int_equal(i.events, 0);
	assert_int_equal(i.lost, 10);
	assert_int_equal(i.overflows, 2);
	assert_int_equal(i.received, 1);
	assert_int_equal(nl(e)->groups, 0);
	/* Nothing left to report; NULL callback and handle. */
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, record, r), 0);
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, NULL, NULL), 0);
	assert_int_equal(ctnl_ct_unsubscribe(NULL, record, r), -EINVAL);
	assert_int_equal(r->n, 3);

	/* The config's way counts it, and says nothing. */
	subscribe(e, CTNL_EVENT_CT_ALL, CTNL_EVENTS_NO_ENOBUFS, NULL);
	ctnl_fake_sys_drop(e->fake, 5);
	assert_int_equal(ctnl_ct_subscribe(e->ct, 0), 0);
	i = info(e);
	assert_int_equal(i.lost, 15);
	assert_int_equal(i.overflows, 3);
	assert_int_equal(r->n, 3);
	/* Drops while unsubscribed belong to no subscription. */
	ctnl_fake_sys_drop(e->fake, 1);
	subscribe(e, CTNL_EVENT_CT_ALL, CTNL_EVENTS_NO_ENOBUFS, NULL);
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, NULL, NULL), 0);
	assert_int_equal(info(e).lost, 15);
}

/*
 * After a subscription ends, the handle's next request reads its own
 * replies: the events still queued (and, in the default mode, the pending
 * ENOBUFS) went with the end, counted as lost, so that what the callback
 * was handed plus what was reported lost is what the kernel sent. One
 * recvmsg() per message queued, as reading them would cost, and one
 * getsockopt() for the counter. @flags: the mode; @how: 0 through
 * ctnl_ct_unsubscribe(), 1 through config.events 0.
 */
static void request_after_unsubscribe(struct efx *e, unsigned int flags,
				      int how)
{
	struct sum s = { 0 };
	struct ctnl_event_info i;
	unsigned int recvs, gets;

	subscribe(e, CTNL_EVENT_CT_ALL, flags, NULL);
	queue_news(e, 5);
	ctnl_fake_sys_drop(e->fake, 3);
	queue_news(e, 4);
	/* A callback that stopped: one read, one thing handed over (the
	 * report of ENOBUFS in the default mode, else an event). Through
	 * the config, nothing read: the ENOBUFS is still pending. */
	if (how == 0) {
		assert_true(ctnl_ct_event_read(e->ct, stop_at_first, &s) > 0);
		assert_int_equal(s.events, flags ? 1 : 0);
		assert_int_equal(s.lost, flags ? 0 : 3);
	}
	recvs = ctnl_fake_sys_calls(e->fake, CTNL_FAKE_RECVMSG);
	gets = ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT);
	if (how == 0)
		assert_int_equal(ctnl_ct_unsubscribe(e->ct, add_up, &s), 1);
	else
		assert_int_equal(ctnl_ct_subscribe(e->ct, 0), 0);
	/* The counter once; ctnl_ct_unsubscribe() reads the info twice. */
	assert_int_equal(ctnl_fake_sys_calls(e->fake, CTNL_FAKE_GETSOCKOPT) -
				 gets, how == 0 ? 3 : 1);
	i = info(e);
	if (how == 1)
		s.lost = i.lost;
	assert_int_equal(s.events + s.lost, 9 + 3);
	assert_int_equal(i.received + i.lost, 9 + 3);
	assert_int_equal(i.received, s.events);
	assert_int_equal(ctnl_fake_sys_queued(e->fake), 0);
	/* The events left, an ENOBUFS still pending, and the empty queue
	 * twice (the socket handle's read ends there, then the next finds
	 * nothing). */
	assert_int_equal(ctnl_fake_sys_calls(e->fake, CTNL_FAKE_RECVMSG) - recvs,
			 9 - s.events + (how == 1 && !flags ? 1 : 0) + 2);

	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
}

static void test_request_after_unsubscribe_default(void **state)
{
	request_after_unsubscribe(*state, 0, 0);
}

static void test_request_after_unsubscribe_no_enobufs(void **state)
{
	request_after_unsubscribe(*state, CTNL_EVENTS_NO_ENOBUFS, 0);
}

static void test_request_after_unsubscribe_reliable(void **state)
{
	request_after_unsubscribe(*state, CTNL_EVENTS_RELIABLE, 0);
}

static void test_request_after_config_unsubscribe(void **state)
{
	request_after_unsubscribe(*state, 0, 1);
}

/* A callback that stopped in the middle of a datagram left the rest of it
 * in the socket handle: the end of the subscription takes that too. */
static void test_unsubscribe_takes_a_datagram_read_halfway(void **state)
{
	struct efx *e = *state;
	const struct fixture_dgram *d = &e->nud.dgrams[0];
	uint8_t two[2 * 4096];
	struct sum s = { 0 };

	assert_true(2 * NLMSG_ALIGN(d->len) <= sizeof(two));
	memcpy(two, d->data, d->len);
	memcpy(two + NLMSG_ALIGN(d->len), d->data, d->len);
	subscribe(e, CTNL_EVENT_CT_ALL, CTNL_EVENTS_NO_ENOBUFS, NULL);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, two,
				NLMSG_ALIGN(d->len) + d->len);
	assert_int_equal(ctnl_ct_event_read(e->ct, stop_at_first, &s), 1);
	assert_true(nl(e)->pending_len > 0);
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, add_up, &s), 1);
	assert_int_equal(s.events, 1);
	assert_int_equal(s.lost, 1);
	assert_int_equal(ctnl_ct_flush(e->ct, CTNL_TABLE_CONNTRACK, 0), 0);
}

/* The report's callback may fail; a failure to unsubscribe comes first,
 * and the report is made all the same. From the callback: -EBUSY. */
static void test_unsubscribe_errors(void **state)
{
	struct efx *e = *state;
	struct rec *r = &e->rec;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	ctnl_fake_sys_drop(e->fake, 1);
	r->fail_with = -ECANCELED;
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, record, r), -ECANCELED);
	assert_int_equal(info(e).events, 0);

	subscribe(e, CTNL_EVENT_NEW, 0, NULL);
	ctnl_fake_sys_drop(e->fake, 1);
	r->fail_with = 0;
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT, setsockopt_calls(e) + 1,
			   -EIO);
	assert_int_equal(ctnl_ct_unsubscribe(e->ct, record, r), -EIO);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[1].overflow.lost, 1);
	assert_int_equal(info(e).events, 0);
}

/* Over an implementation that keeps no counters: it only unsubscribes. */
static int subscribe_only(void *ctx, const struct ctnl_events_config *cfg)
{
	*(unsigned int *)ctx = cfg->events;
	return 0;
}

static void test_unsubscribe_without_counters(void **state)
{
	static const struct ctnl_ct_ops ops = { .size = sizeof(ops),
						.subscribe = subscribe_only };
	unsigned int events = CTNL_EVENT_NEW;
	struct ctnl_ct ct = { .ops = &ops, .ctx = &events };
	struct rec r = { 0 };

	(void)state;
	assert_int_equal(ctnl_ct_unsubscribe(&ct, record, &r), 0);
	assert_int_equal(events, 0);
	assert_int_equal(r.n, 0);
}

/* ---- Callbacks ---- */

static void test_callback_stop_keeps_the_rest(void **state)
{
	struct efx *e = *state;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	ctnl_fake_sys_drop(e->fake, 1);
	/* Stop at the overflow report: nothing else is handed over. */
	e->rec.stop_after = 1;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 1);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_OVERFLOW);
	e->rec.stop_after = 2;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 1);
	e->rec.stop_after = 0;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 2);
	assert_int_equal(e->rec.n, 4);
	assert_int_equal(e->rec.ev[3].type, CTNL_EVENT_DESTROY);
}

/*
 * In the mode @flags, with messages dropped between two events, a
 * callback that stops at its first call is called no more in that read
 * (no loss report after it either, as <ctnl/events.h> promises); reading
 * on hands over the rest: both events, and reports of all 3 lost.
 */
static void check_stop_is_final(struct efx *e, unsigned int flags)
{
	struct rec *r = &e->rec;
	uint64_t lost = 0;
	int events = 0;

	subscribe(e, CTNL_EVENT_CT_ALL, flags, NULL);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[0].data,
				e->nud.dgrams[0].len);
	ctnl_fake_sys_drop(e->fake, 3);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, e->nud.dgrams[2].data,
				e->nud.dgrams[2].len);
	r->n = 0;
	r->stop_after = 1;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, r), 1);
	assert_int_equal(r->n, 1);
	r->stop_after = 0;
	for (int i = 0; i < 4 && ctnl_ct_event_read(e->ct, record, r) > 0; i++)
		;
	for (int i = 0; i < r->n; i++) {
		if (r->ev[i].type == CTNL_EVENT_OVERFLOW)
			lost += r->ev[i].overflow.lost;
		else
			events++;
	}
	assert_int_equal(events, 2);
	assert_int_equal(lost, 3);
	assert_int_equal(ctnl_fake_sys_queued(e->fake), 0);
}

static void test_callback_stop_is_final_in_every_mode(void **state)
{
	struct efx *e = *state;

	check_stop_is_final(e, 0);
	check_stop_is_final(e, CTNL_EVENTS_NO_ENOBUFS);
	check_stop_is_final(e, CTNL_EVENTS_RELIABLE);
}

static void test_callback_error_is_returned(void **state)
{
	struct efx *e = *state;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	e->rec.fail_with = -ECANCELED;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec),
			 -ECANCELED);
	ctnl_fake_sys_drop(e->fake, 1);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec),
			 -ECANCELED);
	e->rec.fail_with = 0;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 2);
	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_UPDATE);
}

static void test_read_from_its_own_callback_is_ebusy(void **state)
{
	struct efx *e = *state;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	e->rec.nest = e->ct;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.nested_read, -EBUSY);
	assert_int_equal(e->rec.nested_subscribe, -EBUSY);
	assert_int_equal(ctnl_ct_event_read(e->ct, NULL, NULL), -EINVAL);
}

/* A malformed or unknown message is an error, skipped: the next call
 * goes on after it. */
static void test_malformed_and_unknown_messages_are_ebadmsg(void **state)
{
	struct efx *e = *state;
	uint8_t buf[1024];
	const struct fixture_dgram *d = &e->nud.dgrams[1];
	struct nlmsghdr *bad, *get;
	size_t len;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	/* One datagram: a NEW cut inside an attribute, then a good one. */
	memcpy(buf, d->data, d->len);
	bad = (void *)buf;
	bad->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nfgenmsg) + 6;
	len = NLMSG_ALIGN(bad->nlmsg_len);
	memcpy(buf + len, d->data, d->len);
	len += d->len;
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, buf, len);
	get = put_nfmsg(buf, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
			0, AF_INET);
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, buf, get->nlmsg_len);

	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), -EBADMSG);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), -EBADMSG);
	assert_int_equal(e->rec.n, 1);
	assert_int_equal(e->rec.ev[0].flow.mark, 42);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 0);
}

/* No allocation per event: with every allocation failing, events are
 * read all the same. Over the fake socket handle, which allocates
 * nothing when it hands events over (the fake syscalls do). */
static void test_reading_out_of_memory_still_delivers(void **state)
{
	struct ctnl_fake_sock *fake;
	struct ctnl_ct *ct;
	struct fixture fx;
	struct rec r = { 0 };
	int total = 0, n;

	(void)state;
	fixture_load(NUD, &fx);
	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(fake), &ct), 0);
	assert_int_equal(ctnl_ct_subscribe(ct, CTNL_EVENT_CT_ALL), 0);
	for (int i = 0; i < 20; i++)
		for (size_t d = 0; d < fx.count; d++)
			ctnl_fake_sock_queue_event(fake, fx.dgrams[d].data,
						   fx.dgrams[d].len);
	if (!heap_fail_nth(1))
		skip();
	while ((n = ctnl_ct_event_read(ct, record, &r)) > 0) {
		total += n;
		r.n = 0;
	}
	heap_fail_nth(0);
	assert_int_equal(n, 0);
	assert_int_equal(total, 60);
	ctnl_ct_close(ct);
	ctnl_fake_sock_free(fake);
	fixture_free(&fx);
}

/* ---- Filters ---- */

/* The family and the mark go to the kernel as a socket filter. */
static void test_family_filter_runs_in_the_kernel(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter v6 = { .family = AF_INET6 };
	struct ctnl_filter v4 = { .family = AF_INET };
	struct ctnl_event_info i;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, &v6);
	assert_non_null(ctnl_fake_sys_filter(e->fake, NULL));
	i = info(e);
	assert_int_equal(i.kernel, CTNL_MATCH_FAMILY);
	assert_int_equal(i.user, 0);
	assert_int_equal(i.filter.family, AF_INET6);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 0);
	assert_int_equal(info(e).received, 0);

	subscribe(e, CTNL_EVENT_CT_ALL, 0, &v4);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);

	/* No filter: none attached. */
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	assert_null(ctnl_fake_sys_filter(e->fake, NULL));
	assert_int_equal(info(e).kernel, 0);
}

static void test_mark_filter_runs_in_the_kernel(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter m42 = { .match = CTNL_MATCH_MARK, .mark = 42,
				   .mark_mask = 0xffffffff,
				   .family = AF_INET };

	subscribe(e, CTNL_EVENT_ALL, 0, &m42);
	assert_int_equal(info(e).kernel, CTNL_MATCH_MARK | CTNL_MATCH_FAMILY);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	queue_fixture(e, "events_exp.bin");
	/* The NEW (mark 0) stays in the kernel; expectations have no mark
	 * and pass. */
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 4);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_UPDATE);
	assert_int_equal(e->rec.ev[1].type, CTNL_EVENT_DESTROY);
	assert_int_equal(e->rec.ev[2].type, CTNL_EVENT_EXP_NEW);
	assert_int_equal(info(e).filtered, 0);

	/* Mark 0 matches entries without a mark attribute too. */
	m42.mark = 0;
	subscribe(e, CTNL_EVENT_CT_ALL, 0, &m42);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	e->rec.n = 0;
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 1);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_NEW);
}

/* CTNL_FILTER_USERSPACE: the same result, all of it filtered here. */
static void test_userspace_filter_gives_the_same_events(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter m42 = { .match = CTNL_MATCH_MARK, .mark = 42,
				   .mark_mask = 0xff,
				   .flags = CTNL_FILTER_USERSPACE };
	struct ctnl_event_info i;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, &m42);
	assert_null(ctnl_fake_sys_filter(e->fake, NULL));
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.n, 2);
	assert_int_equal(e->rec.ev[0].type, CTNL_EVENT_UPDATE);
	i = info(e);
	assert_int_equal(i.kernel, 0);
	assert_int_equal(i.user, CTNL_MATCH_MARK);
	assert_int_equal(i.filtered, 1);
}

/* What the kernel cannot filter is filtered here; expectations by family
 * only. */
static void test_other_criteria_are_filtered_here(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter udp = { .match = CTNL_MATCH_PROTO,
				   .proto = IPPROTO_UDP,
				   .flags = CTNL_FILTER_USERSPACE,
				   .family = AF_INET6 };
	struct ctnl_event_info i;

	subscribe(e, CTNL_EVENT_ALL, 0, &udp);
	i = info(e);
	assert_int_equal(i.user, CTNL_MATCH_PROTO | CTNL_MATCH_FAMILY);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	queue_fixture(e, "events_exp.bin");
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 5);
	assert_int_equal(e->rec.n, 0);
	assert_int_equal(info(e).filtered, 5);

	udp.family = AF_INET;
	subscribe(e, CTNL_EVENT_ALL, 0, &udp);
	queue_fixture(e, "events_exp.bin");
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 2);
	assert_int_equal(e->rec.n, 2);
}

/* A socket filter the kernel will not take is no failure: the filter
 * runs here instead, and ctnl_event_info says so. */
static void test_refused_socket_filter_falls_back_to_userspace(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter m42 = { .match = CTNL_MATCH_MARK, .mark = 42,
				   .mark_mask = 0xffffffff };
	struct ctnl_event_info i;

	/* Mode (2 options), then the filter. */
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 3, -ENOMEM);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, &m42);
	assert_null(ctnl_fake_sys_filter(e->fake, NULL));
	i = info(e);
	assert_int_equal(i.kernel, 0);
	assert_int_equal(i.user, CTNL_MATCH_MARK);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_read(e->ct, record, &e->rec), 3);
	assert_int_equal(e->rec.n, 2);

	/* A filter that cannot even be detached is a failure. */
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 3, -ENOMEM);
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_SETSOCKOPT,
			   setsockopt_calls(e) + 4, -EIO);
	assert_int_equal(ctnl_ct_subscribe_config(
				 e->ct, &(struct ctnl_events_config){
						.size = sizeof(struct ctnl_events_config),
						.events = CTNL_EVENT_NEW,
						.filter = &m42 }),
			 -EIO);
}

/* The program itself, run over real events: it accepts what the user
 * space filter accepts, and lets other messages through. */
/* The kernel leaves CTA_MARK out of an event when the mark is 0 (the
 * ping's events here): the socket filter takes that as mark 0. */
static void check_filter_without_mark_attribute(void)
{
	struct sock_filter prog[EVENT_BPF_MAX];
	struct ctnl_filter f = { .match = CTNL_MATCH_MARK,
				 .mark_mask = UINT32_MAX };
	struct fixture ping;
	uint32_t kernel;
	unsigned int n;

	fixture_load("events_ping_v4.bin", &ping);
	for (uint32_t mark = 0; mark < 2; mark++) {
		f.mark = mark;
		n = ctnl__event_filter_build(&f, prog, &kernel);
		for (size_t i = 0; i < ping.count; i++)
			assert_int_equal(ctnl_fake_bpf_run(prog, n,
							   ping.dgrams[i].data,
							   ping.dgrams[i].len) > 0,
					 mark == 0);
	}
	fixture_free(&ping);
}

static void test_socket_filter_program_agrees_with_the_filter(void **state)
{
	struct efx *e = *state;
	struct sock_filter prog[EVENT_BPF_MAX];
	struct fixture exp;
	uint8_t buf[64];
	const struct {
		struct ctnl_filter f;
		bool want[3];	/* NEW, UPDATE, DESTROY */
		bool exp;
	} cases[] = {
		{ { .family = AF_INET }, { 1, 1, 1 }, 1 },
		{ { .family = AF_INET6 }, { 0, 0, 0 }, 0 },
		{ { .match = CTNL_MATCH_MARK, .mark = 42, .mark_mask = ~0u },
		  { 0, 1, 1 }, 1 },
		{ { .match = CTNL_MATCH_MARK, .mark = 2, .mark_mask = 2 },
		  { 0, 1, 1 }, 1 },
		{ { .match = CTNL_MATCH_MARK, .mark = 0, .mark_mask = 0x40 },
		  { 1, 1, 1 }, 1 },
		{ { .match = CTNL_MATCH_MARK, .mark = 1, .mark_mask = 1 },
		  { 0, 0, 0 }, 1 },
		{ { .family = AF_INET6, .match = CTNL_MATCH_MARK, .mark = 42,
		    .mark_mask = ~0u },
		  { 0, 0, 0 }, 0 },
	};
	struct nlmsghdr *err;
	uint32_t kernel;

	(void)state;
	fixture_load("events_exp.bin", &exp);
	err = put_msg(buf, NLMSG_ERROR, 0, 20);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned int n = ctnl__event_filter_build(&cases[c].f, prog,
							   &kernel);

		assert_true(n > 0 && n <= EVENT_BPF_MAX);
		assert_int_equal(ctnl_fake_bpf_check(prog, n), 0);
		for (int i = 0; i < 3; i++) {
			const struct fixture_dgram *d = &e->nud.dgrams[i];
			struct ctnl_flow flow;

			assert_int_equal(ctnl_flow_parse((const void *)d->data,
							 &flow), 0);
			assert_int_equal(ctnl_fake_bpf_run(prog, n, d->data,
							   d->len) > 0,
					 cases[c].want[i]);
			assert_int_equal(ctnl_filter_match(&cases[c].f, &flow),
					 cases[c].want[i]);
		}
		assert_int_equal(ctnl_fake_bpf_run(prog, n, exp.dgrams[0].data,
						   exp.dgrams[0].len) > 0,
				 cases[c].exp);
		assert_true(ctnl_fake_bpf_run(prog, n, buf, err->nlmsg_len) > 0);
	}
	assert_int_equal(ctnl__event_filter_build(&(struct ctnl_filter){ 0 },
						  prog, &kernel), 0);
	assert_int_equal(kernel, 0);
	fixture_free(&exp);
	check_filter_without_mark_attribute();
}

/* ---- Waiting and the loop ---- */

static void test_fd_wait_and_loop(void **state)
{
	struct efx *e = *state;

	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	assert_int_equal(ctnl_ct_event_fd(e->ct), nl(e)->fd);
	assert_int_equal(ctnl_ct_event_wait(e->ct, 0), 0);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_event_wait(e->ct, 10), 1);
	/* Reads until nothing comes within the timeout. */
	assert_int_equal(ctnl_ct_event_loop(e->ct, record, &e->rec, 0), 3);
	assert_int_equal(e->rec.n, 3);

	/* Stops when the callback says so. */
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	e->rec.stop_after = 4;
	assert_int_equal(ctnl_ct_event_loop(e->ct, record, &e->rec, -1), 1);
	/* A signal during the wait: -EINTR. */
	ctnl_fake_sys_fail(e->fake, CTNL_FAKE_POLL,
			   ctnl_fake_sys_calls(e->fake, CTNL_FAKE_POLL) + 1,
			   -EINTR);
	assert_int_equal(ctnl_ct_event_loop(e->ct, record, &e->rec, -1),
			 -EINTR);
	/* An error while reading is returned. */
	e->rec.fail_with = -ECANCELED;
	assert_int_equal(ctnl_ct_event_loop(e->ct, record, &e->rec, -1),
			 -ECANCELED);
	assert_int_equal(ctnl_ct_event_loop(NULL, record, NULL, 0), -EINVAL);
	assert_int_equal(ctnl_ct_event_loop(e->ct, NULL, NULL, 0), -EINVAL);
}

/* ---- Resynchronisation ---- */

struct pair {
	struct efx *ev;
	struct ctnl_fake_sys *req_fake;
	struct ctnl_ct *req;
};

static void pair_open(struct pair *p, struct efx *e)
{
	p->ev = e;
	assert_int_equal(ctnl_fake_sys_new(&p->req_fake), 0);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(p->req_fake),
				      NULL, &p->req), 0);
}

static void pair_close(struct pair *p)
{
	ctnl_ct_close(p->req);
	assert_int_equal(ctnl_fake_sys_queued(p->req_fake), 0);
	ctnl_fake_sys_free(p->req_fake);
}

static void queue_reply(struct pair *p, const char *name)
{
	struct fixture fx;

	fixture_load(name, &fx);
	fixture_queue(p->req_fake, &fx);
	fixture_free(&fx);
}

/* Queued events first (the overflow among them absorbed), then the
 * re-dump between its markers. */
static void test_resync_drains_then_redumps(void **state)
{
	struct efx *e = *state;
	struct pair p;
	struct rec *r = &e->rec;

	pair_open(&p, e);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	ctnl_fake_sys_drop(e->fake, 3);
	queue_reply(&p, "ct_tcp_v4.bin");
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), 1);
	assert_int_equal(r->n, 6);
	assert_int_equal(r->ev[0].type, CTNL_EVENT_NEW);
	assert_int_equal(r->ev[2].type, CTNL_EVENT_DESTROY);
	assert_int_equal(r->ev[3].type, CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(r->ev[4].type, CTNL_EVENT_SYNC);
	assert_int_equal(r->ev[4].flow.orig.port.dst, 5001);
	assert_int_equal(r->ev[5].type, CTNL_EVENT_SYNC_END);
	/* The overflow was counted, not handed over. */
	assert_int_equal(info(e).overflows, 1);
	pair_close(&p);
}

/* With expectations subscribed, they are re-read too, with the
 * subscription's family; a stop from the callback does not cut it short. */
static void test_resync_rereads_expectations(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter v4 = { .family = AF_INET };
	struct pair p;
	struct rec *r = &e->rec;

	pair_open(&p, e);
	subscribe(e, CTNL_EVENT_ALL, 0, &v4);
	queue_reply(&p, "ct_tcp_v4.bin");
	queue_reply(&p, "exp_ftp.bin");
	r->stop_after = 1;
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), 2);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->ev[2].type, CTNL_EVENT_EXP_SYNC);
	assert_string_equal(r->ev[2].expect.helper, "ftp");
	assert_int_equal(r->ev[3].type, CTNL_EVENT_SYNC_END);

	/* Only expectations: no conntrack dump. */
	subscribe(e, CTNL_EVENT_EXP_NEW, 0, NULL);
	queue_reply(&p, "exp_empty.bin");
	r->n = 0;
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), 0);
	assert_int_equal(r->n, 2);
	pair_close(&p);
}

/* A filtered subscription re-reads its part of the table only: the
 * re-dump hands the kernel the filter's mark, and what comes back is
 * filtered again (the kernel may ignore the criterion). */
static void test_resync_of_a_filtered_subscription(void **state)
{
	struct efx *e = *state;
	struct ctnl_filter mark1 = { .family = AF_INET,
				     .match = CTNL_MATCH_MARK,
				     .mark = 1, .mark_mask = 0xff };
	uint8_t dump[1024];
	size_t len = 0;
	struct pair p;
	struct rec *r = &e->rec;
	const struct nlmsghdr *req;
	const struct nlattr *a;
	uint32_t mark = 0, mask = 0;

	pair_open(&p, e);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, &mark1);
	for (uint32_t i = 1; i <= 3; i++) {
		struct ctnl_flow f = {
			.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
				 CTNL_ATTR_MARK | CTNL_ATTR_ID,
			.timeout = 30, .mark = i == 2 ? 0x102 : 0x101, .id = i,
		};

		assert_int_equal(ctnl_tuple_from_text(&f.orig, "10.0.0.1",
						      "10.0.0.2", IPPROTO_UDP,
						      (uint16_t)i, 53), 0);
		len += put_entry_msg(dump + len, sizeof(dump) - len, &f,
				     NLM_F_MULTI);
	}
	ctnl_fake_sys_queue(p.req_fake, dump, len);
	ctnl_fake_sys_queue_done(p.req_fake, 0);
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), 2);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->ev[0].type, CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(r->ev[1].type, CTNL_EVENT_SYNC);
	assert_int_equal(r->ev[1].flow.id, 1);
	assert_int_equal(r->ev[2].type, CTNL_EVENT_SYNC);
	assert_int_equal(r->ev[2].flow.id, 3);
	assert_int_equal(r->ev[3].type, CTNL_EVENT_SYNC_END);
	/* The re-dump asked the kernel for IPv4 entries of mark 1/0xff. */
	req = ctnl_fake_sys_sent(p.req_fake, 0, NULL);
	assert_non_null(req);
	assert_int_equal(((const struct nfgenmsg *)NLMSG_DATA(req))->nfgen_family,
			 AF_INET);
	mnl_attr_for_each(a, req, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == CTA_MARK)
			mark = ntohl(mnl_attr_get_u32(a));
		else if (mnl_attr_get_type(a) == CTA_MARK_MASK)
			mask = ntohl(mnl_attr_get_u32(a));
	}
	assert_int_equal(mark, 1);
	assert_int_equal(mask, 0xff);
	pair_close(&p);
}

static void test_resync_errors(void **state)
{
	struct efx *e = *state;
	struct pair p;
	struct rec *r = &e->rec;

	pair_open(&p, e);
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), -ENOTCONN);
	subscribe(e, CTNL_EVENT_CT_ALL, 0, NULL);
	assert_int_equal(ctnl_ct_resync(e->ct, e->ct, record, r), -EINVAL);
	assert_int_equal(ctnl_ct_resync(NULL, p.req, record, r), -EINVAL);
	assert_int_equal(ctnl_ct_resync(e->ct, NULL, record, r), -EINVAL);
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, NULL, r), -EINVAL);
	/* A request handle that is subscribed cannot dump. */
	assert_int_equal(ctnl_ct_subscribe(p.req, CTNL_EVENT_NEW), 0);
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), -EBUSY);
	assert_int_equal(ctnl_ct_subscribe(p.req, 0), 0);
	/* Errors of the drain, the markers and the dump are returned. */
	ctnl_fake_sys_queue_raw(e->fake, 0, 1, "bad", 3);
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), -EBADMSG);
	r->fail_with = -ECANCELED;
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), -ECANCELED);
	fixture_queue_events(e->fake, GROUPS_CT, &e->nud);
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), -ECANCELED);
	r->fail_with = 0;
	queue_reply(&p, "ct_tcp_v4.bin");
	r->n = 0;
	r->stop_after = 0;
	assert_int_equal(ctnl_ct_resync(e->ct, p.req, record, r), 1);
	assert_int_equal(r->n, 5);	/* UPDATE, DESTROY left from before */
	pair_close(&p);
}

/* ---- Over the fake socket handle, as a caller's test would ---- */

static void test_events_over_the_fake_sock(void **state)
{
	struct ctnl_fake_sock *fake;
	struct ctnl_ct *ct;
	struct ctnl_filter v4 = { .family = AF_INET };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_CT_ALL,
					  .flags = CTNL_EVENTS_RELIABLE,
					  .rcvbuf = 1 << 16,
					  .filter = &v4 };
	struct fixture fx;
	struct rec r = { 0 };
	struct pollfd pfd = { .events = POLLIN };

	(void)state;
	fixture_load(NUD, &fx);
	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(fake), &ct), 0);
	assert_int_equal(ctnl_ct_subscribe_config(ct, &cfg), 0);
	assert_int_equal(ctnl_fake_sock_groups(fake), GROUPS_CT);
	assert_int_equal(ctnl_fake_sock_option(fake, CTNL_SOCK_OPT_RCVBUF),
			 1 << 16);
	assert_int_equal(ctnl_fake_sock_option(fake, CTNL_SOCK_OPT_NO_ENOBUFS),
			 1);
	assert_int_equal(ctnl_fake_sock_option(
				 fake, CTNL_SOCK_OPT_BROADCAST_ERROR), 1);
	assert_non_null(ctnl_fake_sock_filter(fake, NULL));

	pfd.fd = ctnl_ct_event_fd(ct);
	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	for (size_t i = 0; i < fx.count; i++)
		ctnl_fake_sock_queue_event(fake, fx.dgrams[i].data,
					   fx.dgrams[i].len);
	ctnl_fake_sock_queue_overflow(fake, 3);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(ctnl_ct_event_read(ct, record, &r), 4);
	assert_int_equal(r.ev[3].type, CTNL_EVENT_OVERFLOW);
	assert_int_equal(r.ev[3].overflow.lost, 3);
	assert_int_equal(poll(&pfd, 1, 0), 0);

	ctnl_ct_close(ct);
	assert_true(ctnl_fake_sock_closed(fake));
	ctnl_fake_sock_free(fake);
	fixture_free(&fx);
}

/* ---- The interface ---- */

static void test_missing_slots_answer_enosys(void **state)
{
	static const struct ctnl_ct_ops empty = { .size = sizeof(empty) };
	struct ctnl_ct ct = { .ops = &empty };
	struct ctnl_ct other = { .ops = &empty };
	struct ctnl_event_info i;
	struct rec r = { 0 };

	(void)state;
	assert_int_equal(ctnl_ct_subscribe(&ct, CTNL_EVENT_NEW), -ENOSYS);
	assert_int_equal(ctnl_ct_event_wait(&ct, 0), -ENOSYS);
	assert_int_equal(ctnl_ct_event_info(&ct, &i), -ENOSYS);
	assert_int_equal(ctnl_ct_event_loop(&ct, record, &r, 0), -ENOSYS);
	assert_int_equal(ctnl_ct_resync(&ct, &other, record, &r), -ENOSYS);
	assert_int_equal(ctnl_ct_event_wait(NULL, 0), -EINVAL);
	assert_int_equal(ctnl_ct_event_info(NULL, &i), -EINVAL);
	assert_int_equal(ctnl_ct_event_info(&ct, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_subscribe(NULL, CTNL_EVENT_NEW), -EINVAL);
}

static void test_event_type_names(void **state)
{
	(void)state;
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_NEW), "NEW");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_UPDATE), "UPDATE");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_DESTROY),
			    "DESTROY");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_EXP_NEW),
			    "EXP_NEW");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_EXP_DESTROY),
			    "EXP_DESTROY");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_OVERFLOW),
			    "OVERFLOW");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_SYNC_BEGIN),
			    "SYNC_BEGIN");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_SYNC), "SYNC");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_EXP_SYNC),
			    "EXP_SYNC");
	assert_string_equal(ctnl_event_type_name(CTNL_EVENT_SYNC_END),
			    "SYNC_END");
	assert_null(ctnl_event_type_name(CTNL_EVENT_ALL));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_subscribe_joins_the_groups_of_its_events),
		T(test_subscribe_sets_mode_and_queue),
		T(test_subscribe_refuses_bad_config),
		T(test_subscribe_failure_leaves_unsubscribed),
		T(test_read_new_update_destroy_from_the_kernel),
		T(test_destroy_carries_counters_of_real_traffic),
		T(test_read_expectation_events),
		T(test_events_of_left_groups_are_dropped),
		T(test_overflow_is_reported_and_reading_goes_on),
		T(test_no_enobufs_mode_reports_from_drop_counter),
		T(test_enobufs_is_always_reported),
		T(test_drop_counter_read_only_where_needed),
		cmocka_unit_test(test_socket_without_options_is_watched),
		T(test_overflow_without_drop_counter),
		cmocka_unit_test_teardown(test_oversized_datagram_is_a_reported_loss,
					  teardown),
		T(test_overflow_storm_is_bounded_per_read),
		T(test_drops_while_congested_are_reported_when_drained),
		T(test_stopped_read_leaves_the_report_default),
		T(test_stopped_read_leaves_the_report_no_enobufs),
		T(test_stopped_read_leaves_the_report_reliable),
		T(test_resubscribing_keeps_the_unreported_loss),
		T(test_unsubscribe_reports_the_rest),
		T(test_request_after_unsubscribe_default),
		T(test_request_after_unsubscribe_no_enobufs),
		T(test_request_after_unsubscribe_reliable),
		T(test_request_after_config_unsubscribe),
		T(test_unsubscribe_takes_a_datagram_read_halfway),
		T(test_unsubscribe_errors),
		cmocka_unit_test(test_unsubscribe_without_counters),
		T(test_callback_stop_keeps_the_rest),
		T(test_callback_stop_is_final_in_every_mode),
		T(test_callback_error_is_returned),
		T(test_read_from_its_own_callback_is_ebusy),
		T(test_malformed_and_unknown_messages_are_ebadmsg),
		cmocka_unit_test(test_reading_out_of_memory_still_delivers),
		T(test_family_filter_runs_in_the_kernel),
		T(test_mark_filter_runs_in_the_kernel),
		T(test_userspace_filter_gives_the_same_events),
		T(test_other_criteria_are_filtered_here),
		T(test_refused_socket_filter_falls_back_to_userspace),
		T(test_socket_filter_program_agrees_with_the_filter),
		T(test_fd_wait_and_loop),
		T(test_resync_drains_then_redumps),
		T(test_resync_rereads_expectations),
		T(test_resync_of_a_filtered_subscription),
		T(test_resync_errors),
		cmocka_unit_test(test_events_over_the_fake_sock),
		cmocka_unit_test(test_missing_slots_answer_enosys),
		cmocka_unit_test(test_event_type_names),
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
