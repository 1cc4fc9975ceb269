/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Events from the real kernel, in a private network namespace with
 * accounting and timestamping on: every event of N entries created,
 * updated and deleted (through ctnl_ct_batch() on a second handle), in
 * order for each entry; bursts larger than the receive queue, where the
 * loss is reported in each mode and ctnl_ct_resync() brings a view back
 * in line with `conntrack -L`; a producer outrunning the reader, where
 * events read plus losses reported are exactly the entries made, in each
 * mode, with the kernel's drop counter as witness; the end of a
 * subscription with its queue full, after which the handle's requests
 * work and nothing is unaccounted; reliable mode, where
 * no destroy is lost; filters run by the kernel; and the example
 * follower.
 *
 * Each test prints its figures on stderr ("events: ...").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>

#include "netns.h"

#define N 1000			/* entries in the in-order test */
#define BURST 2000		/* entries in a burst */
#define BASE_SPORT 20000	/* entry i has source port BASE_SPORT + i */
#define BIG_QUEUE (8 << 20)	/* holds every event of the in-order test */
#define SMALL_QUEUE 16384	/* holds a few dozen events */
#define IDLE_MS 1000		/* no event for this long: all arrived */
#define RACE 20000		/* entries a producer makes while we read */

/* UDP entry i: 10.1.x.y:BASE_SPORT+i -> 10.2.0.1:53 (v6: fd01::/fd02::). */
static struct ctnl_flow entry(int i, int family)
{
	struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
			       .timeout = 600 };
	char src[64];

	if (family == AF_INET6)
		snprintf(src, sizeof(src), "fd01::%x", i + 1);
	else
		snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250 + 1);
	assert_int_equal(ctnl_tuple_from_text(&f.orig, src,
					      family == AF_INET6 ? "fd02::1"
								 : "10.2.0.1",
					      IPPROTO_UDP,
					      (uint16_t)(BASE_SPORT + i), 53),
			 0);
	return f;
}

static struct ctnl_flow *entries(int n, int family)
{
	struct ctnl_flow *f = calloc((size_t)n, sizeof(*f));

	assert_non_null(f);
	for (int i = 0; i < n; i++)
		f[i] = entry(i, family);
	return f;
}

/* Applies @op to entries [from, to) in one batch; all must succeed. */
static void batch(struct ctnl_ct *req, enum ctnl_op op, struct ctnl_flow *f,
		  int from, int to, uint32_t mark)
{
	struct ctnl_change ch = { .attrs = CTNL_ATTR_MARK, .mark = mark };
	int n = to - from, *results = calloc((size_t)n, sizeof(int));

	assert_non_null(results);
	assert_int_equal(ctnl_ct_batch(req, op, f + from, (size_t)n,
				       op == CTNL_OP_UPDATE ? &ch : NULL,
				       op == CTNL_OP_UPDATE ? 1 : 0, results),
			 n);
	free(results);
}

static struct ctnl_ct *open_handle(void)
{
	struct ctnl_ct *ct;

	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	return ct;
}

static struct ctnl_ct *open_events(unsigned int flags, int rcvbuf,
				   const struct ctnl_filter *filter)
{
	struct ctnl_sock_config sc = { .size = sizeof(sc),
				       .flags = CTNL_SOCK_NONBLOCK };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_CT_ALL,
					  .flags = flags,
					  .rcvbuf = rcvbuf,
					  .filter = filter };
	struct ctnl_ct *ct;

	assert_int_equal(ctnl_ct_open(NULL, &sc, &ct), 0);
	assert_int_equal(ctnl_ct_subscribe_config(ct, &cfg), 0);
	return ct;
}

static int setup(void **state)
{
	(void)state;
	test_deadline();
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	return 0;
}

/* ---- Every event, in order ---- */

/* What entry i went through: each step is the next event type. */
struct order {
	uint8_t step[N];		/* 0, then 1 after NEW, 2, 3 */
	uint32_t id[N];
	int out_of_order, foreign, overflows, total;
	int destroy_with_counters, destroy_with_times;
};

static int check_order(const struct ctnl_event *ev, void *data)
{
	struct order *o = data;
	int i = ev->flow.orig.port.src - BASE_SPORT;
	static const enum ctnl_event_type want[] = {
		CTNL_EVENT_NEW, CTNL_EVENT_UPDATE, CTNL_EVENT_DESTROY
	};

	o->total++;
	if (ev->type == CTNL_EVENT_OVERFLOW) {
		o->overflows++;
		return CTNL_CB_OK;
	}
	if (i < 0 || i >= N) {
		o->foreign++;
		return CTNL_CB_OK;
	}
	if (o->step[i] >= 3 || ev->type != want[o->step[i]] ||
	    (o->step[i] > 0 && ev->flow.id != o->id[i]) ||
	    (ev->type == CTNL_EVENT_UPDATE && ev->flow.mark != (uint32_t)i + 1))
		o->out_of_order++;
	if (ev->type == CTNL_EVENT_DESTROY) {
		o->destroy_with_counters +=
			(ev->flow.attrs & CTNL_ATTR_COUNTERS_ORIG) &&
			(ev->flow.attrs & CTNL_ATTR_COUNTERS_REPLY);
		o->destroy_with_times += (ev->flow.attrs & CTNL_ATTR_START) &&
					 (ev->flow.attrs & CTNL_ATTR_STOP) &&
					 ev->flow.stop >= ev->flow.start;
	}
	o->id[i] = ev->flow.id;
	o->step[i]++;
	return CTNL_CB_OK;
}

static void test_every_event_of_n_entries_in_order(void **state)
{
	struct ctnl_ct *ev = open_events(0, BIG_QUEUE, NULL), *req =
								      open_handle();
	struct ctnl_flow *f = entries(N, AF_INET);
	struct ctnl_change *ch = calloc(N, sizeof(*ch));
	struct order *o = calloc(1, sizeof(*o));
	struct ctnl_event_info info;
	int *results = calloc(N, sizeof(int)), complete = 0;

	(void)state;
	assert_non_null(ch);
	assert_non_null(o);
	assert_non_null(results);
	for (int i = 0; i < N; i++)
		ch[i] = (struct ctnl_change){ .attrs = CTNL_ATTR_MARK,
					      .mark = (uint32_t)i + 1 };
	batch(req, CTNL_OP_CREATE, f, 0, N, 0);
	assert_int_equal(ctnl_ct_batch(req, CTNL_OP_UPDATE, f, N, ch, N,
				       results), N);
	batch(req, CTNL_OP_DELETE, f, 0, N, 0);

	assert_int_equal(ctnl_ct_event_loop(ev, check_order, o, IDLE_MS),
			 3 * N);
	for (int i = 0; i < N; i++)
		complete += o->step[i] == 3;
	assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
	fprintf(stderr, "events: in order: N=%d entries, %d events received "
		"(%llu messages), %d entries with NEW,UPDATE,DESTROY in order, "
		"%d out of order, %d overflows, queue %u bytes\n",
		N, o->total, (unsigned long long)info.received, complete,
		o->out_of_order, o->overflows, info.rcvbuf);
	assert_int_equal(o->total, 3 * N);
	assert_int_equal(complete, N);
	assert_int_equal(o->out_of_order, 0);
	assert_int_equal(o->foreign, 0);
	assert_int_equal(o->overflows, 0);
	/* Accounting and timestamping are on: destroys carry both. */
	assert_int_equal(o->destroy_with_counters, N);
	assert_int_equal(o->destroy_with_times, N);

	free(results);
	free(o);
	free(ch);
	free(f);
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
}

/* ---- A view kept by events, and brought back after a loss ---- */

/* Entries are told apart by their source port: all are this test's. */
struct view {
	struct {
		bool present;
		uint32_t gen, id, mark;
	} e[65536];
	uint32_t gen;
	bool lost;			/* an overflow since the last resync */
	uint64_t overflows, lost_msgs, events, syncs, swept;
};

static int view_apply(const struct ctnl_event *ev, void *data)
{
	struct view *v = data;
	uint16_t k = ev->flow.orig.port.src;

	switch (ev->type) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_UPDATE:
	case CTNL_EVENT_SYNC:
		v->e[k].present = true;
		v->e[k].gen = v->gen;
		v->e[k].id = ev->flow.id;
		if (ev->flow.attrs & CTNL_ATTR_MARK)
			v->e[k].mark = ev->flow.mark;
		else if (ev->type == CTNL_EVENT_NEW)
			v->e[k].mark = 0;
		v->syncs += ev->type == CTNL_EVENT_SYNC;
		break;
	case CTNL_EVENT_DESTROY:
		v->e[k].present = false;
		break;
	case CTNL_EVENT_OVERFLOW:
		v->overflows++;
		v->lost_msgs += ev->overflow.lost;
		v->lost = true;
		return CTNL_CB_STOP;	/* resynchronise before going on */
	case CTNL_EVENT_SYNC_BEGIN:
		v->gen++;
		break;
	case CTNL_EVENT_SYNC_END:
		/* What no event or SYNC touched since SYNC_BEGIN is gone. */
		for (size_t i = 0; i < 65536; i++) {
			if (v->e[i].present && v->e[i].gen != v->gen) {
				v->e[i].present = false;
				v->swept++;
			}
		}
		break;
	default:
		break;
	}
	v->events++;
	return CTNL_CB_OK;
}

/* Follows events until none come for IDLE_MS, resynchronising after
 * every overflow. Returns how many resynchronisations it took. */
static int follow(struct ctnl_ct *ev, struct ctnl_ct *req, struct view *v)
{
	int resyncs = 0;

	for (;;) {
		int ret = ctnl_ct_event_loop(ev, view_apply, v, IDLE_MS);

		assert_true(ret >= 0);
		if (!v->lost)
			return resyncs;
		v->lost = false;
		assert_true(ctnl_ct_resync(ev, req, view_apply, v) >= 0);
		resyncs++;
	}
}

/* The view holds exactly what `conntrack -L` lists, with the same marks.
 * Returns the number of entries. */
static int view_matches_conntrack(const struct view *v)
{
	size_t size = 4 << 20;
	char *out = malloc(size), *line, *save = NULL;
	int listed = 0, in_view = 0;

	assert_non_null(out);
	assert_int_equal(test_capture(out, size, "conntrack -L -p udp "
					       "2>/dev/null"), 0);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sport = strstr(line, "sport="),
			   *mark = strstr(line, "mark=");
		unsigned long k;

		assert_non_null(sport);
		assert_non_null(mark);
		k = strtoul(sport + 6, NULL, 10);
		if (!v->e[k].present || v->e[k].mark != strtoul(mark + 5, NULL,
								 10))
			fail_msg("conntrack lists \"%s\"; the view has %s mark "
				 "%u", line, v->e[k].present ? "it with"
							      : "not it,",
				 v->e[k].mark);
		listed++;
	}
	for (size_t i = 0; i < 65536; i++)
		in_view += v->e[i].present;
	free(out);
	assert_int_equal(in_view, listed);
	return listed;
}

/*
 * Bursts larger than the queue in @flags' mode: each overflow is
 * reported (lost > 0) and after ctnl_ct_resync() the view is what
 * conntrack lists; changes that fit are then followed without loss.
 */
static void burst_then_resync(unsigned int flags, const char *mode)
{
	struct ctnl_ct *ev = open_events(flags, SMALL_QUEUE, NULL),
		       *req = open_handle();
	struct ctnl_flow *f = entries(BURST, AF_INET);
	struct view *v = calloc(1, sizeof(*v));
	struct ctnl_event_info info;
	int resyncs, listed;

	assert_non_null(v);
	/* The first view: an empty table, read like any resync. */
	assert_int_equal(ctnl_ct_resync(ev, req, view_apply, v), 0);

	/* 1. BURST creates at once. */
	batch(req, CTNL_OP_CREATE, f, 0, BURST, 0);
	resyncs = follow(ev, req, v);
	listed = view_matches_conntrack(v);
	fprintf(stderr, "events: %s: burst of %d creates, queue %d bytes: "
		"%llu overflow reports, %llu messages lost, %d resync(s), "
		"view = conntrack -L = %d entries\n", mode, BURST,
		SMALL_QUEUE, (unsigned long long)v->overflows,
		(unsigned long long)v->lost_msgs, resyncs, listed);
	assert_true(v->overflows >= 1);
	assert_true(v->lost_msgs > 0);
	assert_true(resyncs >= 1);
	assert_int_equal(listed, BURST);

	/* 2. Half deleted and a quarter marked, in bursts. */
	v->overflows = v->lost_msgs = 0;
	batch(req, CTNL_OP_DELETE, f, 0, BURST / 2, 0);
	batch(req, CTNL_OP_UPDATE, f, BURST / 2, BURST * 3 / 4, 77);
	resyncs = follow(ev, req, v);
	listed = view_matches_conntrack(v);
	fprintf(stderr, "events: %s: burst of %d deletes and %d updates: "
		"%llu overflow reports, %llu messages lost, %d resync(s), "
		"%llu swept, view = conntrack -L = %d entries\n", mode,
		BURST / 2, BURST / 4, (unsigned long long)v->overflows,
		(unsigned long long)v->lost_msgs, resyncs,
		(unsigned long long)v->swept, listed);
	assert_true(v->overflows >= 1);
	assert_true(v->swept >= 1);
	assert_int_equal(listed, BURST / 2);

	/* 3. A few changes that fit the queue: followed, no loss. */
	v->overflows = 0;
	batch(req, CTNL_OP_UPDATE, f, BURST - 5, BURST, 99);
	batch(req, CTNL_OP_DELETE, f, BURST - 10, BURST - 5, 0);
	assert_int_equal(follow(ev, req, v), 0);
	assert_int_equal(v->overflows, 0);
	assert_int_equal(view_matches_conntrack(v), BURST / 2 - 5);

	assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
	assert_true(info.overflows >= 2);
	assert_true(info.lost > 0);

	batch(req, CTNL_OP_DELETE, f, BURST / 2, BURST - 10, 0);
	free(v);
	free(f);
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
}

static void test_burst_overflow_reported_and_resynced(void **state)
{
	(void)state;
	burst_then_resync(0, "default mode");
}

/* The kernel reports nothing in this mode; its drop counter does. */
static void test_no_enobufs_loss_reported_from_drop_counter(void **state)
{
	(void)state;
	burst_then_resync(CTNL_EVENTS_NO_ENOBUFS, "no-ENOBUFS mode");
}

/* ---- Every message read or reported ---- */

struct sum {
	uint64_t events, lost, reports;
};

static int add_up(const struct ctnl_event *ev, void *data)
{
	struct sum *s = data;

	if (ev->type == CTNL_EVENT_OVERFLOW) {
		s->reports++;
		s->lost += ev->overflow.lost;
	} else {
		s->events++;
	}
	return CTNL_CB_OK;
}

/* The kernel's own count of what it dropped for socket @fd: the column
 * Drops of /proc/net/netlink (this namespace's sockets), by inode. */
static uint64_t proc_drops(int fd)
{
	unsigned long long drops = 0, found = 0;
	struct stat st;
	char line[512];
	FILE *f;

	assert_int_equal(fstat(fd, &st), 0);
	f = fopen("/proc/net/netlink", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long d, ino;

		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%*s %*d %*u %*x %*u %*u %*d %*d %llu %llu",
			   &d, &ino) == 2 &&
		    ino == (unsigned long long)st.st_ino) {
			drops = d;
			found++;
		}
	}
	fclose(f);
	assert_int_equal(found, 1);
	return drops;
}

/* A producer in a process of its own, as a busy program is: creates the
 * entries @f[0..n) in one batch call. Returns its pid. */
static pid_t produce(struct ctnl_flow *f, int n)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int *results = calloc((size_t)n, sizeof(int));
		struct ctnl_ct *req = NULL;
		bool ok = results && ctnl_ct_open(NULL, NULL, &req) == 0 &&
			  ctnl_ct_batch(req, CTNL_OP_CREATE, f, (size_t)n,
					NULL, 0, results) == n;

		_exit(ok ? 0 : 1);
	}
	return pid;
}

/*
 * In @flags' mode, a listener for NEW events with a queue of a few dozen
 * reads while another process creates RACE entries in one burst: the
 * kernel drops most of them, in congested windows where (in the default
 * mode) it says ENOBUFS once and then drops without a word. Once the
 * producer is done and nothing came for IDLE_MS, the events read plus
 * the losses reported are RACE exactly, and the losses reported are what
 * the kernel's drop counter says; ending the subscription has nothing
 * more to report.
 */
static void race_every_message_accounted(unsigned int flags,
					  const char *mode)
{
	struct ctnl_sock_config sc = { .size = sizeof(sc),
				       .flags = CTNL_SOCK_NONBLOCK };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_NEW,
					  .flags = flags,
					  .rcvbuf = SMALL_QUEUE };
	struct ctnl_flow *f = entries(RACE, AF_INET);
	struct ctnl_event_info info;
	struct sum s = { 0 };
	uint64_t drops;
	struct ctnl_ct *ev;
	int status = -1;
	pid_t pid;

	assert_int_equal(ctnl_ct_open(NULL, &sc, &ev), 0);
	assert_int_equal(ctnl_ct_subscribe_config(ev, &cfg), 0);
	drops = proc_drops(ctnl_ct_event_fd(ev));
	pid = produce(f, RACE);
	while (waitpid(pid, &status, WNOHANG) == 0)
		assert_true(ctnl_ct_event_loop(ev, add_up, &s, 10) >= 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(ctnl_ct_event_loop(ev, add_up, &s, IDLE_MS) >= 0);
	drops = proc_drops(ctnl_ct_event_fd(ev)) - drops;
	assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
	fprintf(stderr, "events: %s: %d creates by another process, queue "
		"%d bytes: %llu read + %llu reported lost (%llu reports) = "
		"%llu; the kernel's drop counter: %llu\n", mode, RACE,
		SMALL_QUEUE, (unsigned long long)s.events,
		(unsigned long long)s.lost, (unsigned long long)s.reports,
		(unsigned long long)(s.events + s.lost),
		(unsigned long long)drops);
	assert_true(s.lost > 0);
	assert_int_equal(s.events + s.lost, RACE);
	assert_int_equal(s.lost, drops);
	assert_int_equal(info.received, s.events);
	assert_int_equal(info.lost, s.lost);
	assert_int_equal(ctnl_ct_unsubscribe(ev, add_up, &s), 0);
	assert_int_equal(s.events + s.lost, RACE);
	free(f);
	ctnl_ct_close(ev);
}

static void test_race_every_message_accounted_default(void **state)
{
	(void)state;
	race_every_message_accounted(0, "default mode");
}

static void test_race_every_message_accounted_no_enobufs(void **state)
{
	(void)state;
	race_every_message_accounted(CTNL_EVENTS_NO_ENOBUFS,
				     "no-ENOBUFS mode");
}

static void test_race_every_message_accounted_reliable(void **state)
{
	(void)state;
	race_every_message_accounted(CTNL_EVENTS_RELIABLE, "reliable mode");
}

/* ---- The end of a subscription ---- */

static int stop_at_first(const struct ctnl_event *ev, void *data)
{
	add_up(ev, data);
	return CTNL_CB_STOP;
}

static int count_flow(const struct ctnl_flow *flow, void *data)
{
	(void)flow;
	(*(int *)data)++;
	return CTNL_CB_OK;
}

/*
 * In @flags' mode, a listener with a queue of a few dozen events reads one
 * of a burst of BURST creates, then ends its subscription with most of
 * the queue unread (and, in the default mode, the socket congested):
 * through ctnl_ct_unsubscribe() (@how 0) or config.events 0 (@how 1).
 * The events handed over plus the losses reported are BURST exactly, and
 * the same handle's next request, a dump, reads its own replies: before
 * the fix, the events still queued made it fail with -ESRCH.
 */
static void request_after_unsubscribe(unsigned int flags, int how,
				      const char *mode)
{
	struct ctnl_ct *ev = open_events(flags, SMALL_QUEUE, NULL);
	struct ctnl_ct *req = open_handle();
	struct ctnl_flow *f = entries(BURST, AF_INET);
	struct ctnl_event_info info;
	struct sum s = { 0 };
	uint64_t drops = proc_drops(ctnl_ct_event_fd(ev));
	int n = 0;

	batch(req, CTNL_OP_CREATE, f, 0, BURST, 0);
	assert_true(ctnl_ct_event_read(ev, stop_at_first, &s) > 0);
	if (how == 0) {
		assert_int_equal(ctnl_ct_unsubscribe(ev, add_up, &s), 1);
	} else {
		assert_int_equal(ctnl_ct_subscribe(ev, 0), 0);
		assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
		s.lost = info.lost;
	}
	drops = proc_drops(ctnl_ct_event_fd(ev)) - drops;
	assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
	fprintf(stderr, "events: %s, ended by %s with the queue full: %llu "
		"handed over + %llu reported lost = %llu of %d; the kernel "
		"dropped %llu\n", mode,
		how == 0 ? "ctnl_ct_unsubscribe()" : "config.events 0",
		(unsigned long long)s.events, (unsigned long long)s.lost,
		(unsigned long long)(s.events + s.lost), BURST,
		(unsigned long long)drops);
	assert_true(drops > 0);
	assert_int_equal(s.events + s.lost, BURST);
	assert_int_equal(info.received + info.lost, BURST);

	assert_int_equal(ctnl_ct_dump(ev, NULL, count_flow, &n, NULL), BURST);
	assert_int_equal(n, BURST);
	assert_int_equal(ctnl_ct_flush(ev, CTNL_TABLE_CONNTRACK, 0), 0);
	free(f);
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
}

static void test_request_after_unsubscribe_default(void **state)
{
	(void)state;
	request_after_unsubscribe(0, 0, "default mode");
	request_after_unsubscribe(0, 1, "default mode");
}

static void test_request_after_unsubscribe_no_enobufs(void **state)
{
	(void)state;
	request_after_unsubscribe(CTNL_EVENTS_NO_ENOBUFS, 0, "no-ENOBUFS mode");
}

static void test_request_after_unsubscribe_reliable(void **state)
{
	(void)state;
	request_after_unsubscribe(CTNL_EVENTS_RELIABLE, 0, "reliable mode");
}

/* ---- Reliable mode ---- */

struct destroys {
	uint8_t seen[BURST];
	int count, twice, overflows;
};

static int count_destroys(const struct ctnl_event *ev, void *data)
{
	struct destroys *d = data;
	int i = ev->flow.orig.port.src - BASE_SPORT;

	if (ev->type == CTNL_EVENT_OVERFLOW)
		d->overflows++;
	if (ev->type != CTNL_EVENT_DESTROY || i < 0 || i >= BURST)
		return CTNL_CB_OK;
	d->twice += d->seen[i];
	d->seen[i] = 1;
	d->count++;
	return CTNL_CB_OK;
}

/*
 * Deleting BURST entries while the queue holds a few dozen events: the
 * kernel keeps every destroy it could not queue and sends it again, so
 * every one arrives, once; the new events that did not fit were lost (and
 * reported). conntrack -L no longer lists the deleted entries meanwhile.
 */
static void test_reliable_mode_loses_no_destroy(void **state)
{
	struct ctnl_ct *ev = open_events(CTNL_EVENTS_RELIABLE, SMALL_QUEUE,
					 NULL),
		       *req = open_handle();
	struct ctnl_flow *f = entries(BURST, AF_INET);
	struct destroys *d = calloc(1, sizeof(*d));
	char out[64];
	int creates_lost;

	(void)state;
	assert_non_null(d);
	batch(req, CTNL_OP_CREATE, f, 0, BURST, 0);
	assert_true(ctnl_ct_event_loop(ev, count_destroys, d, IDLE_MS) > 0);
	creates_lost = d->overflows;
	batch(req, CTNL_OP_DELETE, f, 0, BURST, 0);
	assert_int_equal(test_capture(out, sizeof(out),
				      "conntrack -L 2>/dev/null | wc -l"), 0);
	assert_int_equal(atoi(out), 0);
	/* The kernel sends the destroys it kept from a worker, later: wait
	 * for them all, however long a loaded machine takes (the test's
	 * deadline bounds it), not for a silence of a given length. */
	while (d->count < BURST)
		assert_true(ctnl_ct_event_loop(ev, count_destroys, d,
					       IDLE_MS) >= 0);
	fprintf(stderr, "events: reliable mode: %d creates then deletes, "
		"queue %d bytes: overflow reported during creates: %s; "
		"%d of %d destroy events received, %d twice\n", BURST,
		SMALL_QUEUE, creates_lost ? "yes" : "no", d->count, BURST,
		d->twice);
	assert_true(creates_lost > 0);
	assert_int_equal(d->count, BURST);
	assert_int_equal(d->twice, 0);
	free(d);
	free(f);
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
}

/* ---- Filters in the kernel ---- */

struct tally {
	int v4, v6, marked, other, overflows;
};

static int tally(const struct ctnl_event *ev, void *data)
{
	struct tally *t = data;

	if (ev->type == CTNL_EVENT_OVERFLOW)
		t->overflows++;
	else if (ev->flow.mark == 7)
		t->marked++;
	else if (ev->flow.orig.family == AF_INET6)
		t->v6++;
	else if (ev->flow.orig.family == AF_INET)
		t->v4++;
	else
		t->other++;
	return CTNL_CB_OK;
}

/* The socket filter keeps other families' events out of the queue: they
 * are never received, so a small queue holds what is wanted. */
static void test_family_filter_runs_in_the_kernel(void **state)
{
	struct ctnl_filter v6 = { .family = AF_INET6 };
	struct ctnl_ct *ev = open_events(0, SMALL_QUEUE, &v6),
		       *req = open_handle();
	struct ctnl_flow *f4 = entries(BURST, AF_INET), *f6 = entries(10,
								       AF_INET6);
	struct ctnl_event_info info;
	struct tally t = { 0 };

	(void)state;
	assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
	assert_int_equal(info.kernel, CTNL_MATCH_FAMILY);
	assert_int_equal(info.user, 0);
	batch(req, CTNL_OP_CREATE, f4, 0, BURST, 0);
	batch(req, CTNL_OP_CREATE, f6, 0, 10, 0);
	batch(req, CTNL_OP_DELETE, f6, 0, 10, 0);
	ctnl_ct_event_loop(ev, tally, &t, IDLE_MS);
	assert_int_equal(ctnl_ct_event_info(ev, &info), 0);
	fprintf(stderr, "events: family filter in the kernel: %d IPv4 and "
		"10 IPv6 entries made and 10 IPv6 deleted: received %llu, "
		"IPv6 %d, IPv4 %d, overflows %d\n", BURST,
		(unsigned long long)info.received, t.v6, t.v4, t.overflows);
	assert_int_equal(t.v6, 20);
	assert_int_equal(t.v4, 0);
	assert_int_equal(t.overflows, 0);
	assert_int_equal(info.received, 20);
	assert_int_equal(info.filtered, 0);
	batch(req, CTNL_OP_DELETE, f4, 0, BURST, 0);
	free(f4);
	free(f6);
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
}

/* Only marked entries' updates and destroys arrive; the same with the
 * filter in user space, which receives (and drops) all the rest. */
static void test_mark_filter_kernel_and_userspace_agree(void **state)
{
	struct ctnl_filter m7 = { .match = CTNL_MATCH_MARK, .mark = 7,
				  .mark_mask = 0xffffffff };
	struct ctnl_filter m7u = m7;
	struct ctnl_ct *req = open_handle();
	struct ctnl_flow *f = entries(100, AF_INET);
	struct ctnl_event_info ki, ui;
	struct tally kt = { 0 }, ut = { 0 };
	struct ctnl_ct *k, *u;

	(void)state;
	m7u.flags = CTNL_FILTER_USERSPACE;
	k = open_events(0, BIG_QUEUE, &m7);
	u = open_events(0, BIG_QUEUE, &m7u);
	batch(req, CTNL_OP_CREATE, f, 0, 100, 0);
	batch(req, CTNL_OP_UPDATE, f, 0, 10, 7);
	batch(req, CTNL_OP_UPDATE, f, 10, 20, 8);
	batch(req, CTNL_OP_DELETE, f, 0, 100, 0);
	ctnl_ct_event_loop(k, tally, &kt, IDLE_MS);
	ctnl_ct_event_loop(u, tally, &ut, 0);
	assert_int_equal(ctnl_ct_event_info(k, &ki), 0);
	assert_int_equal(ctnl_ct_event_info(u, &ui), 0);
	fprintf(stderr, "events: mark filter: kernel: %d delivered of %llu "
		"received; user space: %d delivered of %llu received\n",
		kt.marked, (unsigned long long)ki.received, ut.marked,
		(unsigned long long)ui.received);
	assert_int_equal(ki.kernel, CTNL_MATCH_MARK);
	assert_int_equal(ui.user, CTNL_MATCH_MARK);
	/* 10 updates to mark 7, then their 10 destroys. */
	assert_int_equal(kt.marked, 20);
	assert_int_equal(kt.v4 + kt.other, 0);
	assert_int_equal(ut.marked, 20);
	assert_int_equal(ut.v4 + ut.other, 0);
	assert_int_equal(ki.received, 20);
	assert_int_equal(ui.received, 100 + 20 + 100);
	assert_int_equal(ui.filtered, 200);
	free(f);
	ctnl_ct_close(k);
	ctnl_ct_close(u);
	ctnl_ct_close(req);
}

/* ---- The example ---- */

static void test_example_follow_events(void **state)
{
	char out[4096];
	FILE *p;
	size_t n = 0;
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/follow_events -n 3 2>&1",
		 CTNL_EXAMPLES_DIR);
	p = popen(cmd, "r");
	assert_non_null(p);
	/* It says when it listens; then the changes. */
	assert_non_null(fgets(out, sizeof(out), p));
	assert_non_null(strstr(out, "following"));
	assert_int_equal(test_run("conntrack -I -p udp -s 10.9.0.1 -d 10.9.0.2 "
				  "--sport 4000 --dport 53 -t 600 2>/dev/null && "
				  "conntrack -U -p udp -s 10.9.0.1 --sport "
				  "4000 -f ipv4 -m 5 2>/dev/null && "
				  "conntrack -D -p udp -s 10.9.0.1 --sport "
				  "4000 2>/dev/null"), 0);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	fprintf(stderr, "events: follow_events printed:\n%s", out);
	assert_non_null(strstr(out, "[NEW] udp"));
	assert_non_null(strstr(out, "[UPDATE] udp"));
	assert_non_null(strstr(out, "mark=5"));
	assert_non_null(strstr(out, "[DESTROY] udp"));
	assert_non_null(strstr(out, "src=10.9.0.1 dst=10.9.0.2 sport=4000"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(test_every_event_of_n_entries_in_order),
		T(test_burst_overflow_reported_and_resynced),
		T(test_no_enobufs_loss_reported_from_drop_counter),
		T(test_race_every_message_accounted_default),
		T(test_race_every_message_accounted_no_enobufs),
		T(test_race_every_message_accounted_reliable),
		T(test_request_after_unsubscribe_default),
		T(test_request_after_unsubscribe_no_enobufs),
		T(test_request_after_unsubscribe_reliable),
		T(test_reliable_mode_loses_no_destroy),
		T(test_family_filter_runs_in_the_kernel),
		T(test_mark_filter_kernel_and_userspace_agree),
		T(test_example_follow_events),
	};

	test_enter_private_netns("test_kernel_events");
	/* Counters and timestamps in destroy events; events always on
	 * (with the default 2, entries made before the first listener
	 * would never announce anything). */
	if (test_run("sysctl -qw net.netfilter.nf_conntrack_acct=1 "
		     "net.netfilter.nf_conntrack_timestamp=1 "
		     "net.netfilter.nf_conntrack_events=1") != 0) {
		fprintf(stderr, "test_kernel_events: cannot set sysctls\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
