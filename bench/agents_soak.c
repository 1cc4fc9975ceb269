/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl-agents, continued: the example reconcile agent
 * (examples/reconcile_agent.c) under churn on the Kubernetes-shaped table,
 * its memory and descriptors sampled every second. See agents.h.
 *
 * The churn: the storm producer at opt.agent_rate events a second (UDP
 * entries the agent's view follows, none of them stale), and every 15 s
 * the stale entries made again (bench-k8s fill N stale), which the agent
 * must find in its view and delete in one pass. So its count of deleted
 * entries is known: the table's stale entries times the times they were
 * there.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "common.h"
#include "harness.h"
#include "table_k8s.h"

#define RESTALE_EVERY 15	/* seconds */
#define WARM_UP 20		/* seconds: the first view is read meanwhile */
/* The agent's event queue: with the system's default (about 200 KiB) the
 * churn overflows it while a resync reads the view again, so the agent
 * would do little but resync; the storms show 16 MiB loses nothing at
 * this rate. */
#define AGENT_RCVBUF "16777216"

struct trace {
	long first, max, last;	/* after the warm-up */
};

static struct agent_result {
	bool ran, ok;
	int samples;
	struct trace rss, fds;	/* KiB; descriptors */
	long rss_start;		/* at the first sample */
	uint64_t restaled, want_deleted;
	unsigned long long events, overflows, lost, resyncs, passes, deleted,
		gone, failed;
	char line[512];		/* the agent's last words */
} res;

static char policy_path[] = "/tmp/ctnl-agents-policy-XXXXXX";

static void remove_policy(void)
{
	unlink(policy_path);
}

/* The agent's policy: the UDP services and their serving endpoints. */
static bool write_policy(void)
{
	char *argv[] = { client_path("bench-k8s"), "policy", NULL };
	struct proc p;
	struct rusage ru;
	int fd = mkstemp(policy_path);
	char buf[65536];
	ssize_t n;
	bool ok = fd >= 0;

	if (!ok || spawn(&p, argv, TO_NULL, TO_PIPE, 0) < 0)
		return false;
	atexit(remove_policy);
	while ((n = read(p.out, buf, sizeof(buf))) > 0)
		ok = ok && write(fd, buf, (size_t)n) == n;
	close(p.out);
	close(fd);
	return finish(&p, &ru) == 0 && ok;
}

static void trace_add(struct trace *t, long v, bool first)
{
	if (v < 0)
		return;
	if (first)
		t->first = t->max = v;
	t->max = v > t->max ? v : t->max;
	t->last = v;
}

static void sample(int pid, int second)
{
	long rss = proc_rss_kib(pid);

	if (second == 0)
		res.rss_start = rss;
	if (second < WARM_UP)
		return;
	trace_add(&res.rss, rss, res.samples == 0);
	trace_add(&res.fds, proc_fds(pid), res.samples == 0);
	res.samples++;
}

/* Keeps the last complete line of what arrives in @buf. */
static void keep_last_line(const char *buf, size_t n, char *acc,
			   size_t *len)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			acc[*len] = '\0';
			snprintf(res.line, sizeof(res.line), "%s", acc);
			*len = 0;
		} else if (*len + 1 < sizeof(res.line)) {
			acc[(*len)++] = buf[i];
		}
	}
}

/* The churn and the sampling, one second at a time, until the agent ends
 * (it stops itself after opt.agent_seconds). */
static void watch(struct proc *agent)
{
	char buf[4096], acc[sizeof(res.line)];
	double start = now();
	size_t len = 0;
	int second = 0;

	for (;;) {
		struct pollfd pfd = { .fd = agent->out, .events = POLLIN };
		int ms = (int)((start + second + 1 - now()) * 1000);
		struct sample s;

		if (poll(&pfd, 1, ms > 0 ? ms : 0) > 0) {
			ssize_t n = read(agent->out, buf, sizeof(buf));

			if (n <= 0)
				break;
			keep_last_line(buf, (size_t)n, acc, &len);
			continue;
		}
		sample(agent->pid, second++);
		/* Stale entries again, while the agent has time to see
		 * them go; an entry it has not deleted yet is not made
		 * twice (EEXIST), so count what was made. */
		if (second % RESTALE_EVERY == 0 &&
		    second + 2 * RESTALE_EVERY <= opt.agent_seconds &&
		    run_client(&s, "bench-k8s", "fill", num(opt.size), "stale",
			       NULL)) {
			res.restaled++;
			res.want_deleted += s.count;
		}
	}
}

static bool parse_agent_line(void)
{
	const char *p = strstr(res.line, "events ");

	return p && sscanf(p, "events %llu, overflows %llu (lost %llu), "
			   "resyncs %llu, ticks %*u, passes %llu, seen %*u, "
			   "deleted %llu, gone %llu, failed %llu",
			   &res.events, &res.overflows, &res.lost,
			   &res.resyncs, &res.passes, &res.deleted, &res.gone,
			   &res.failed) == 8;
}

static bool start_agent(struct proc *agent)
{
	char secs[16];
	char *argv[] = { client_path("../examples/reconcile_agent"),
			 "--policy", policy_path, "--tick", "1000",
			 "--rcvbuf", AGENT_RCVBUF, "--duration", secs, NULL };

	snprintf(secs, sizeof(secs), "%d", opt.agent_seconds);
	return spawn(agent, argv, TO_NULL, TO_PIPE, 0) == 0;
}

void section_agent(void)
{
	struct k8s_census want;
	struct proc agent, churn;
	struct rusage ru;
	char *prod[] = { client_path("bench-agents-ctnl"), "produce",
			 num(opt.agent_rate),
			 num((uint64_t)opt.agent_seconds - 10), NULL };

	fprintf(stderr, "ctnl-agents: the reconcile agent under churn...\n");
	k8s_census(opt.size, &want);
	memset(&res, 0, sizeof(res));
	res.ran = true;
	res.want_deleted = want.stale;	/* the table starts with them */
	if (!write_policy() || !start_agent(&agent)) {
		fprintf(stderr, "ctnl-agents: the agent did not start\n");
		failures++;
		return;
	}
	if (spawn(&churn, prod, TO_NULL, TO_NULL, 0) < 0)
		churn.pid = -1;
	watch(&agent);
	close(agent.out);
	res.ok = finish(&agent, &ru) == 0 && parse_agent_line();
	if (churn.pid > 0)
		res.ok = finish(&churn, &ru) == 0 && res.ok;
	if (!res.ok || res.deleted != res.want_deleted || res.failed) {
		fprintf(stderr, "ctnl-agents: the agent deleted %llu entries, "
			"%" PRIu64 " were stale (%s)\n", res.deleted,
			res.want_deleted, res.line);
		failures++;
	}
	expect_count((long)(opt.size - want.stale), "the agent");
}

void print_agent(void)
{
	if (!res.ran)
		return;
	printf("\nThe example reconcile agent (examples/reconcile_agent) on "
	       "the %s-entry table for %d s: %s events/s of churn, the stale "
	       "entries made again every %d s; its event queue %s bytes\n",
	       num(opt.size), opt.agent_seconds, num(opt.agent_rate),
	       RESTALE_EVERY, AGENT_RCVBUF);
	if (!res.ok) {
		printf("  FAILED (see the messages above)\n");
		return;
	}
	printf("  RSS at start %ld KiB; after %d s %ld KiB, at most %ld, at the "
	       "end %ld (%d samples)\n", res.rss_start, WARM_UP, res.rss.first,
	       res.rss.max, res.rss.last, res.samples);
	printf("  descriptors after %d s %ld, at most %ld, at the end %ld\n",
	       WARM_UP, res.fds.first, res.fds.max, res.fds.last);
	printf("  events %llu, overflows %llu (lost %llu), resyncs %llu, "
	       "passes %llu, deleted %llu (stale made: %" PRIu64 "), gone "
	       "%llu, failed %llu\n", res.events, res.overflows, res.lost,
	       res.resyncs, res.passes, res.deleted, res.want_deleted,
	       res.gone, res.failed);
}

void targets_agent(void)
{
	long growth = res.rss.max - res.rss.first;

	verdict(res.ran && res.ok, growth <= 1024, "agent: RSS flat after "
		"its first %d s (grew %ld KiB; bound 1 MiB)", WARM_UP, growth);
	verdict(res.ran && res.ok, res.fds.max == res.fds.first &&
		res.fds.last == res.fds.first, "agent: descriptors constant "
		"(%ld, at most %ld)", res.fds.first, res.fds.max);
	verdict(res.ran && res.ok, res.deleted == res.want_deleted,
		"agent: deleted exactly the stale entries (%llu of %" PRIu64
		")", res.deleted, res.want_deleted);
}
