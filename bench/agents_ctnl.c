/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-agents-ctnl: the libctnl side of the agent workloads (issue 15),
 * one operation per process like bench-ctnl. Run by ctnl-agents in its
 * private network namespace.
 *
 *   bench-agents-ctnl reconcile
 *       kube-proxy's reconcile in one call: ctnl_ct_delete_if() over the
 *       IPv4 UDP entries (the kernel filters the dump), choosing those
 *       whose reply source is not a serving endpoint of the service their
 *       original destination names (table_k8s.h's policy, the floor's)
 *   bench-agents-ctnl calico K
 *       Calico's delete for the first K pod addresses in one call:
 *       ctnl_ct_delete_if() over the IPv4 entries with the library's
 *       address set and its ctnl_addr_set_has_src predicate
 *   Both report the entries deleted (stats.deleted) and note any that
 *   were gone or refused.
 *
 *   bench-agents-ctnl produce RATE SECONDS
 *       the event storm: creates, updates (a new mark) and destroys
 *       entries of 198.18.0.0/15, RATE operations a second for SECONDS,
 *       then the updates and destroys still due at the same rate, so every
 *       entry it made is gone at the end. Each operation the kernel
 *       accepts makes exactly one event for each listener (a NEW, an
 *       UPDATE, a DESTROY); it prints what it did:
 *         produced new=N update=N destroy=N failed=N seconds=S
 *   bench-agents-ctnl events RCVBUF
 *       the consumer: subscribes to NEW, UPDATE and DESTROY with a receive
 *       queue of RCVBUF bytes (0: the system's default), says "ready",
 *       reads with ctnl_ct_event_read() until its standard input ends and
 *       then until no event came for 500 ms, unsubscribes (which reports
 *       the loss no read reported yet), and prints what it received and
 *       what the library reported lost:
 *         events new=N update=N destroy=N overflows=N lost=N
 *                info-received=N info-lost=N rcvbuf=N
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ctnl/ctnl.h>

#include "common.h"
#include "table_k8s.h"

static struct ctnl_ct *open_ct(void)
{
	struct ctnl_ct *ct;
	int ret = ctnl_ct_open(NULL, NULL, &ct);

	if (ret < 0)
		bench_die("ctnl_ct_open", ret);
	return ct;
}

/* ---- Deletes in one pass ---- */

static int stale_pred(const struct ctnl_flow *f, void *policy)
{
	return k8s_policy_stale(policy, f->orig.proto, f->orig.dst.u32[0],
				f->orig.port.dst, f->reply.src.u32[0]);
}

static void report_deletes(uint64_t ns, int ret,
			   const struct ctnl_delete_stats *st)
{
	if (ret < 0)
		bench_die("ctnl_ct_delete_if", ret);
	bench_report(ns, st->deleted, st->failed ? "failed"
				      : st->gone ? "some-gone" : NULL);
}

static __attribute__((noinline)) int
measured_delete_if(struct ctnl_ct *ct, const struct ctnl_filter *filter,
		   ctnl_flow_pred pred, void *data, struct ctnl_delete_stats *st)
{
	return ctnl_ct_delete_if(ct, filter, pred, data, st);
}

static int cmd_reconcile(void)
{
	const struct ctnl_filter udp = {
		.match = CTNL_MATCH_PROTO,
		.family = AF_INET,
		.proto = IPPROTO_UDP,
	};
	struct k8s_policy *policy = k8s_policy_new();
	struct ctnl_ct *ct = open_ct();
	struct ctnl_delete_stats st;
	uint64_t t0;
	int ret;

	if (!policy)
		bench_die("k8s_policy_new", -ENOMEM);
	t0 = bench_now_ns();
	ret = measured_delete_if(ct, &udp, stale_pred, policy, &st);
	report_deletes(bench_now_ns() - t0, ret, &st);
	ctnl_ct_close(ct);
	k8s_policy_free(policy);
	return 0;
}

static int cmd_calico(int k)
{
	const struct ctnl_filter ipv4 = { .family = AF_INET };
	struct ctnl_addr_set *pods;
	struct ctnl_ct *ct = open_ct();
	struct ctnl_delete_stats st;
	uint64_t t0;
	int ret = ctnl_addr_set_new(&pods);

	for (int j = 0; ret >= 0 && j < k; j++) {
		union ctnl_addr a = { .u32 = { k8s_calico_addr(j) } };

		ret = ctnl_addr_set_add(pods, AF_INET, &a);
	}
	if (ret < 0)
		bench_die("ctnl_addr_set", ret);
	t0 = bench_now_ns();
	ret = measured_delete_if(ct, &ipv4, ctnl_addr_set_has_src, pods, &st);
	report_deletes(bench_now_ns() - t0, ret, &st);
	ctnl_ct_close(ct);
	ctnl_addr_set_free(pods);
	return 0;
}

/* ---- produce ---- */

/* Operations per ctnl_ct_batch() at most: a tick's worth at 1M/s. */
#define MAX_OPS 1024

/* Storm entry j: UDP 198.18.a.b:port -> 198.19.0.1:9999, one per j. */
static void storm_key(uint32_t j, struct ctnl_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->attrs = CTNL_ATTR_ORIG;
	f->orig.family = AF_INET;
	f->orig.proto = IPPROTO_UDP;
	f->orig.src.u8[0] = 198;
	f->orig.src.u8[1] = 18;
	f->orig.src.u8[2] = (uint8_t)(j >> 8);
	f->orig.src.u8[3] = (uint8_t)j;
	f->orig.dst.u8[0] = 198;
	f->orig.dst.u8[1] = 19;
	f->orig.dst.u8[3] = 1;
	f->orig.port.src = (uint16_t)(1024 + (j >> 16));
	f->orig.port.dst = 9999;
}

struct storm {
	struct ctnl_ct *ct;
	struct ctnl_flow flows[MAX_OPS];
	struct ctnl_change changes[MAX_OPS];
	int results[MAX_OPS];
	uint32_t created, updated, deleted;	/* the pipeline's heads */
	uint64_t ok[3], failed;			/* by enum ctnl_op */
};

/* Applies @op to entries first..first+n-1 and counts what the kernel
 * accepted: one event each. */
static void storm_batch(struct storm *s, enum ctnl_op op, uint32_t first,
			uint32_t n)
{
	int ret;

	for (uint32_t k = 0; k < n; k++) {
		storm_key(first + k, &s->flows[k]);
		if (op == CTNL_OP_CREATE) {
			s->flows[k].attrs |= CTNL_ATTR_TIMEOUT;
			s->flows[k].timeout = 600;
		}
		/* A new mark every time: the entry really changes. */
		s->changes[k].attrs = CTNL_ATTR_MARK;
		s->changes[k].mark = first + k + 1;
	}
	if (n == 0)
		return;
	ret = ctnl_ct_batch(s->ct, op, s->flows, n,
			    op == CTNL_OP_UPDATE ? s->changes : NULL,
			    op == CTNL_OP_UPDATE ? n : 0, s->results);
	if (ret < 0 && ret != -ENOENT && ret != -EEXIST)
		bench_die("ctnl_ct_batch", ret);
	for (uint32_t k = 0; k < n; k++) {
		if (s->results[k] == 0)
			s->ok[op]++;
		else
			s->failed++;
	}
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t ahead(uint64_t want, uint32_t have)
{
	return want > have ? (uint32_t)(want - have) : 0;
}

/*
 * One tick's @n operations, the storm's first @total with them: destroys
 * and updates each keep to a third of all operations, behind the stage
 * before them; creates take the rest while @creating. Afterwards what is
 * left is updated and destroyed, so the table ends as it began.
 */
static void storm_tick(struct storm *s, uint32_t n, uint64_t total,
		       bool creating)
{
	uint32_t del, upd;

	if (creating) {
		del = min_u32(min_u32(ahead(total / 3, s->deleted),
				      s->updated - s->deleted), n);
		upd = min_u32(min_u32(ahead(total / 3, s->updated),
				      s->created - s->updated), n - del);
	} else {
		upd = min_u32(s->created - s->updated, (n + 1) / 2);
		del = min_u32(s->updated - s->deleted, n - upd);
	}
	storm_batch(s, CTNL_OP_DELETE, s->deleted, del);
	storm_batch(s, CTNL_OP_UPDATE, s->updated, upd);
	s->deleted += del;
	s->updated += upd;
	if (creating) {
		storm_batch(s, CTNL_OP_CREATE, s->created, n - del - upd);
		s->created += n - del - upd;
	}
}

static int cmd_produce(uint64_t rate, uint64_t seconds)
{
	static struct storm s;
	struct timespec next;
	uint64_t t0, end, done = 0, now;

	s.ct = open_ct();
	if (rate == 0 || rate > 1000u * MAX_OPS)
		bench_die("rate", -EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	t0 = bench_now_ns();
	end = t0 + seconds * 1000000000u;
	for (;;) {
		now = bench_now_ns();
		bool creating = now < end;
		uint64_t due = (now - t0) / 1000 * rate / 1000000;

		if (!creating && s.deleted == s.created)
			break;
		if (due > done) {
			uint32_t n = (uint32_t)(due - done < MAX_OPS
						? due - done : MAX_OPS);

			done += n;
			storm_tick(&s, n, done, creating);
		}
		/* The next millisecond, absolute: no drift. */
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("produced new=%llu update=%llu destroy=%llu failed=%llu "
	       "seconds=%.3f\n", (unsigned long long)s.ok[CTNL_OP_CREATE],
	       (unsigned long long)s.ok[CTNL_OP_UPDATE],
	       (unsigned long long)s.ok[CTNL_OP_DELETE],
	       (unsigned long long)s.failed,
	       (double)(bench_now_ns() - t0) / 1e9);
	bench_report(bench_now_ns() - t0,
		     s.ok[0] + s.ok[1] + s.ok[2], s.failed ? "failed" : NULL);
	ctnl_ct_close(s.ct);
	return 0;
}

/* ---- events ---- */

struct tally {
	uint64_t type[3];		/* NEW, UPDATE, DESTROY */
	uint64_t other, overflows, lost;
	uint64_t sum;			/* what a consumer reads, folded */
};

static int tally_event(const struct ctnl_event *ev, void *data)
{
	struct tally *t = data;

	switch (ev->type) {
	case CTNL_EVENT_NEW:
		t->type[0]++;
		break;
	case CTNL_EVENT_UPDATE:
		t->type[1]++;
		break;
	case CTNL_EVENT_DESTROY:
		t->type[2]++;
		break;
	case CTNL_EVENT_OVERFLOW:
		t->overflows++;
		t->lost += ev->overflow.lost;
		return CTNL_CB_OK;
	default:
		t->other++;
		return CTNL_CB_OK;
	}
	/* What a metrics agent reads of each event. */
	t->sum += ev->flow.orig.src.u32[0] + ev->flow.orig.port.src +
		  ev->flow.mark;
	return CTNL_CB_OK;
}

/* Reads what is queued; false once @quiet_ms passed with nothing. */
static bool read_events(struct ctnl_ct *ct, struct tally *t, int quiet_ms)
{
	int ret = ctnl_ct_event_wait(ct, quiet_ms);

	if (ret == 0)
		return false;
	if (ret < 0 && ret != -EINTR)
		bench_die("ctnl_ct_event_wait", ret);
	do {
		ret = ctnl_ct_event_read(ct, tally_event, t);
	} while (ret > 0);
	if (ret < 0)
		bench_die("ctnl_ct_event_read", ret);
	return true;
}

static void subscribe(struct ctnl_ct *ct, int rcvbuf)
{
	struct ctnl_events_config cfg = {
		.size = sizeof(cfg),
		.events = CTNL_EVENT_CT_ALL,
		.rcvbuf = rcvbuf,
	};
	int ret = ctnl_ct_subscribe_config(ct, &cfg);

	if (ret < 0)
		bench_die("ctnl_ct_subscribe_config", ret);
}

static int cmd_events(int rcvbuf)
{
	struct ctnl_ct *ct = open_ct();
	struct pollfd pfd[2];
	struct ctnl_event_info info;
	struct tally t = { 0 };
	char buf[64];

	subscribe(ct, rcvbuf);
	pfd[0].fd = ctnl_ct_event_fd(ct);
	pfd[0].events = POLLIN;
	pfd[1].fd = 0;
	pfd[1].events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	/* Until the driver closes our input: the storm is over. */
	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			bench_die("poll", errno);
		if (pfd[0].revents)
			read_events(ct, &t, 0);
		if (pfd[1].revents && read(0, buf, sizeof(buf)) <= 0)
			break;
	}
	while (read_events(ct, &t, 500))
		;
	/* The loss the kernel counted that no read reported yet. */
	if (ctnl_ct_unsubscribe(ct, tally_event, &t) < 0)
		bench_die("ctnl_ct_unsubscribe", -EIO);
	if (ctnl_ct_event_info(ct, &info) < 0)
		bench_die("ctnl_ct_event_info", -EIO);
	printf("events new=%llu update=%llu destroy=%llu overflows=%llu "
	       "lost=%llu info-received=%llu info-lost=%llu rcvbuf=%u\n",
	       (unsigned long long)t.type[0], (unsigned long long)t.type[1],
	       (unsigned long long)t.type[2], (unsigned long long)t.overflows,
	       (unsigned long long)t.lost,
	       (unsigned long long)info.received,
	       (unsigned long long)info.lost, info.rcvbuf);
	bench_report(0, t.type[0] + t.type[1] + t.type[2],
		     t.other ? "other-events" : NULL);
	ctnl_ct_close(ct);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-agents-ctnl reconcile | calico K | "
			"produce RATE SECONDS | events RCVBUF\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "reconcile") && argc == 2)
		return cmd_reconcile();
	if (!strcmp(cmd, "calico") && argc == 3) {
		uint64_t k = bench_arg_u64(argv[2], "K");

		if (k < 1 || k > K8S_CALICO_MAX)
			usage();
		return cmd_calico((int)k);
	}
	if (!strcmp(cmd, "produce") && argc == 4)
		return cmd_produce(bench_arg_u64(argv[2], "RATE"),
				   bench_arg_u64(argv[3], "SECONDS"));
	if (!strcmp(cmd, "events") && argc == 3)
		return cmd_events((int)bench_arg_u64(argv[2], "RCVBUF"));
	usage();
	return 2;
}
