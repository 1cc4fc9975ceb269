/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl-agents, continued: event storms with every loss accounted, and
 * what a neighbour's table costs a dump. See agents.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents.h"
#include "common.h"
#include "harness.h"

/* ---- What a process uses, from /proc ---- */

long proc_rss_kib(int pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int proc_fds(int pid)
{
	char path[64], cmd[96];
	int n = -1;
	FILE *p;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	snprintf(cmd, sizeof(cmd), "ls %s 2>/dev/null | wc -l", path);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/* Samples of a process's resident set, one a second. */
struct rss_trace {
	long first, min, max, last;
	int n;
};

static void rss_sample(struct rss_trace *t, int pid)
{
	long kib = proc_rss_kib(pid);

	if (kib < 0)
		return;
	if (t->n == 0)
		t->first = t->min = t->max = kib;
	t->min = kib < t->min ? kib : t->min;
	t->max = kib > t->max ? kib : t->max;
	t->last = kib;
	t->n++;
}

/* ---- Event storms ---- */

/* The consumers, each against every rate. */
enum { EV_DEFAULT, EV_BIG, EV_CLI, EV_CONSUMERS };

static const char *const ev_names[EV_CONSUMERS] = {
	"libctnl ctnl_ct_event_read, default queue",
	"libctnl ctnl_ct_event_read, 16 MiB queue",
	"conntrack -E",
};

#define BIG_QUEUE (16 << 20)

struct storm_result {
	bool ran, ok;
	uint64_t produced, failed;	/* events the producer made */
	double prod_sec;
	uint64_t received, lost;	/* lost: as reported to the consumer */
	uint64_t overflows;
	double usr, sys;		/* the consumer's CPU */
	struct rss_trace rss;
	char note[80];
};

static struct storm_result storms[MAX_RATES][EV_CONSUMERS];

/* conntrack -E is listening once an entry outside every range the
 * benchmarks use shows up in its output. */
static char *sentinel_new[] = { "conntrack", "-I", "-p", "udp", "-s",
				"203.0.113.7", "-d", "203.0.113.8", "--sport",
				"7", "--dport", "7", "-t", "600", NULL };
static char *sentinel_del[] = { "conntrack", "-D", "-p", "udp", "-s",
				"203.0.113.7", NULL };

/* Counts the lines of what arrives on @fd; false at its end. */
static bool drain_lines(int fd, uint64_t *lines, int ms)
{
	char buf[65536];
	ssize_t got = read_some(fd, buf, sizeof(buf), ms);

	if (got <= 0)
		return false;
	for (char *c = buf; (c = memchr(c, '\n', (size_t)(buf + got - c)));
	     c++)
		(*lines)++;
	return true;
}

static bool start_consumer(int kind, struct proc *p)
{
	char rcvbuf[16], line[64];
	char *ctnl[] = { client_path("bench-agents-ctnl"), "events", rcvbuf,
			 NULL };
	char *cli[] = { "conntrack", "-E", NULL };
	uint64_t lines = 0;

	snprintf(rcvbuf, sizeof(rcvbuf), "%d", kind == EV_BIG ? BIG_QUEUE : 0);
	if (kind != EV_CLI)
		return spawn(p, ctnl, TO_PIPE, TO_PIPE, 0) == 0 &&
		       read_line(p->out, line, sizeof(line), 10000) &&
		       !strcmp(line, "ready");
	if (spawn(p, cli, TO_NULL, TO_PIPE, TO_NULL) < 0)
		return false;
	for (int tries = 0; tries < 50 && lines == 0; tries++) {
		quiet(sentinel_del);
		quiet(sentinel_new);
		drain_lines(p->out, &lines, 200);
	}
	quiet(sentinel_del);
	/* What the sentinel still brings, before counting starts. */
	while (drain_lines(p->out, &lines, 200))
		;
	return lines > 0;
}

static bool parse_produced(const char *out, struct storm_result *res)
{
	const char *line = strstr(out, "produced ");
	unsigned long long n[4];

	if (!line || sscanf(line, "produced new=%llu update=%llu destroy=%llu "
			    "failed=%llu seconds=%lf", &n[0], &n[1], &n[2],
			    &n[3], &res->prod_sec) != 5)
		return false;
	res->produced = n[0] + n[1] + n[2];
	res->failed = n[3];
	return true;
}

/*
 * Runs the producer at @rate for opt.seconds, meanwhile sampling the
 * consumer's RSS every second and counting conntrack -E's lines as they
 * come (a pipe left unread would slow it down).
 */
static bool run_producer(uint32_t rate, const struct proc *cons, int kind,
			 struct storm_result *res, uint64_t *lines)
{
	char *argv[] = { client_path("bench-agents-ctnl"), "produce",
			 num(rate), num((uint64_t)opt.seconds), NULL };
	char out[1024];
	size_t len = 0;
	struct proc p;
	struct rusage ru;
	double next = now() + 1;

	if (spawn(&p, argv, TO_NULL, TO_PIPE, 0) < 0)
		return false;
	struct pollfd pfd[2] = {
		{ .fd = p.out, .events = POLLIN },
		{ .fd = kind == EV_CLI ? cons->out : -1, .events = POLLIN },
	};
	for (;;) {
		int ms = (int)((next - now()) * 1000);

		if (poll(pfd, 2, ms > 0 ? ms : 0) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			drain_lines(cons->out, lines, 0);
		if (pfd[0].revents) {
			ssize_t n = read(p.out, out + len, sizeof(out) - 1 - len);

			if (n <= 0)
				break;
			len += (size_t)n;
		}
		if (now() >= next) {
			rss_sample(&res->rss, cons->pid);
			next += 1;
		}
	}
	out[len] = '\0';
	close(p.out);
	return finish(&p, &ru) == 0 && parse_produced(out, res);
}

/* Lets the consumer take in what is queued, stops it, reads its count. */
static bool stop_consumer(int kind, struct proc *cons, uint64_t lines,
			  struct storm_result *res)
{
	unsigned long long n[5];
	char out[1024];
	struct rusage ru;
	const char *line;
	bool ok;

	if (kind == EV_CLI) {
		while (drain_lines(cons->out, &lines, 1000))
			;
		kill(cons->pid, SIGTERM);
		while (drain_lines(cons->out, &lines, 1000))
			;
		close(cons->out);
		ok = finish(cons, &ru) >= 0;
		res->received = lines;
	} else {
		close(cons->in);
		read_all(cons->out, out, sizeof(out));
		close(cons->out);
		ok = finish(cons, &ru) == 0;
		line = strstr(out, "events ");
		ok = ok && line &&
		     sscanf(line, "events new=%llu update=%llu destroy=%llu "
			    "overflows=%llu lost=%llu", &n[0], &n[1], &n[2],
			    &n[3], &n[4]) == 5;
		if (ok) {
			res->received = n[0] + n[1] + n[2];
			res->overflows = n[3];
			res->lost = n[4];
		}
	}
	res->usr = tv_sec(ru.ru_utime);
	res->sys = tv_sec(ru.ru_stime);
	return ok;
}

static void storm(int ri, int kind)
{
	struct storm_result *res = &storms[ri][kind];
	struct proc cons;
	uint64_t lines = 0;
	bool ok;

	memset(res, 0, sizeof(*res));
	res->ran = true;
	fprintf(stderr, "ctnl-agents: storm of %s events/s, %s...\n",
		num(opt.rates[ri]), ev_names[kind]);
	if (!start_consumer(kind, &cons)) {
		fprintf(stderr, "ctnl-agents: %s did not start\n",
			ev_names[kind]);
		failures++;
		return;
	}
	ok = run_producer(opt.rates[ri], &cons, kind, res, &lines);
	ok = stop_consumer(kind, &cons, lines, res) && ok;
	res->ok = ok && res->failed == 0;
	if (!res->ok) {
		fprintf(stderr, "ctnl-agents: the storm at %s events/s with "
			"%s failed\n", num(opt.rates[ri]), ev_names[kind]);
		failures++;
	} else if (kind != EV_CLI &&
		   res->received + res->lost != res->produced) {
		fprintf(stderr, "ctnl-agents: %s at %s events/s: %" PRIu64
			" received + %" PRIu64 " reported lost != %" PRIu64
			" produced\n", ev_names[kind], num(opt.rates[ri]),
			res->received, res->lost, res->produced);
		failures++;
	}
}

void section_storms(void)
{
	for (int ri = 0; ri < opt.nrates; ri++)
		for (int kind = 0; kind < EV_CONSUMERS; kind++)
			storm(ri, kind);
}

static void print_storm(const struct storm_result *r, const char *name)
{
	double cpu_us = r->received ? (r->usr + r->sys) * 1e6 /
				      (double)r->received : 0;
	int64_t unaccounted = (int64_t)r->produced - (int64_t)r->received -
			      (int64_t)r->lost;

	printf("  %-42s", name);
	if (!r->ok) {
		printf(" FAILED (see the messages above)\n");
		return;
	}
	printf(" %7.1fk %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %11" PRId64
	       " %9" PRIu64 " %6.2f %6ld %6ld %6ld\n",
	       (double)r->produced / r->prod_sec / 1e3, r->produced,
	       r->received, r->lost, unaccounted, r->overflows, cpu_us,
	       r->rss.first, r->rss.max, r->rss.last);
}

void print_storms(void)
{
	printf("\nEvent storms: a producer creates, updates (a new mark) and "
	       "destroys entries, one event per operation, for %d s; "
	       "received + reported lost must equal produced\n",
	       opt.seconds);
	printf("  %-42s %8s %10s %10s %10s %11s %9s %6s %6s %6s %6s\n", "",
	       "made/s", "produced", "received", "rep. lost", "unaccounted",
	       "overflows", "us/ev", "RSS", "max", "last");
	printf("  %-42s %8s %10s %10s %10s %11s %9s %6s %6s %6s %6s\n", "", "",
	       "", "", "", "", "reports", "CPU", "KiB", "KiB", "KiB");
	for (int ri = 0; ri < opt.nrates; ri++) {
		printf("  at %s events/s:\n", num(opt.rates[ri]));
		for (int kind = 0; kind < EV_CONSUMERS; kind++)
			if (storms[ri][kind].ran)
				print_storm(&storms[ri][kind], ev_names[kind]);
	}
	printf("  (conntrack -E reports no loss count: its unaccounted "
	       "events are lost without a trace; RSS sampled every second "
	       "while the producer ran)\n");
}

/* Whether the producer of @r made at least 95 % of the @rate asked: a
 * rate it did not reach proves nothing about the consumer at that rate. */
static bool reached(const struct storm_result *r, uint32_t rate)
{
	return r->prod_sec > 0 &&
	       (double)r->produced / r->prod_sec >= 0.95 * rate;
}

/* The highest rate, reached, at which @kind lost nothing, or 0. */
static uint32_t lossless_rate(int kind)
{
	uint32_t best = 0;

	for (int ri = 0; ri < opt.nrates; ri++) {
		const struct storm_result *r = &storms[ri][kind];

		if (r->ok && r->lost == 0 && r->received == r->produced &&
		    reached(r, opt.rates[ri]) && opt.rates[ri] > best)
			best = opt.rates[ri];
	}
	return best;
}

/* Says each storm whose producer fell short of the rate asked. */
static void print_shortfalls(void)
{
	for (int ri = 0; ri < opt.nrates; ri++)
		for (int kind = 0; kind < EV_CONSUMERS; kind++) {
			const struct storm_result *r = &storms[ri][kind];

			if (r->ran && r->ok && !reached(r, opt.rates[ri]))
				printf("            (at %s events/s asked, the "
				       "producer made %.1fk/s beside %s: not "
				       "counted as reached)\n",
				       num(opt.rates[ri]), (double)r->produced /
				       r->prod_sec / 1e3, ev_names[kind]);
		}
}

static const char *rate_text(uint32_t rate)
{
	static char bufs[3][32];
	static int next;
	char *b = bufs[next++ % 3];

	if (rate == 0)
		return "none of the rates";
	snprintf(b, 32, "%s events/s", num(rate));
	return b;
}

void targets_storms(void)
{
	bool measured = false, exact = true, flat = true;
	long growth = 0;

	for (int ri = 0; ri < opt.nrates; ri++)
		for (int kind = EV_DEFAULT; kind <= EV_BIG; kind++) {
			const struct storm_result *r = &storms[ri][kind];

			if (!r->ran)
				continue;
			measured = true;
			exact = exact && r->ok &&
				r->received + r->lost == r->produced;
			if (r->rss.max - r->rss.first > growth)
				growth = r->rss.max - r->rss.first;
		}
	flat = growth <= 256;
	verdict(measured, exact, "storms: received + reported lost = "
		"produced, at every rate, with both queues");
	verdict(measured, flat, "storms: the libctnl consumer's RSS is flat "
		"(grew %ld KiB at most over a storm; bound 256)", growth);
	verdict(measured, true, "storms: the highest rate with nothing lost: "
		"%s with the default queue, %s with 16 MiB, %s for conntrack "
		"-E", rate_text(lossless_rate(EV_DEFAULT)),
		rate_text(lossless_rate(EV_BIG)),
		rate_text(lossless_rate(EV_CLI)));
	print_shortfalls();
}

/* ---- A neighbour's table ---- */

#define OWN_ENTRIES 10000

/* A process in a network namespace of its own holding @n entries (the
 * common table, bench-ctnl fill) until its standard input closes. */
static bool start_neighbour(struct proc *p, uint32_t n)
{
	char *argv[] = { "unshare", "--net", "--", "sh", "-c",
			 "\"$0\" fill \"$1\" >/dev/null && echo ready && "
			 "exec cat >/dev/null",
			 client_path("bench-ctnl"), num(n), NULL };
	char line[64];

	return spawn(p, argv, TO_PIPE, TO_PIPE, 0) == 0 &&
	       read_line(p->out, line, sizeof(line), 600000) &&
	       !strcmp(line, "ready");
}

static void dumps(const char *key, const char *label, uint64_t want)
{
	struct row *r = row_get(OWN_ENTRIES, key, label);

	for (int i = 0; i < runs; i++) {
		struct sample s;
		bool ok = run_client(&s, "bench-mnl", "dump", NULL);

		record(r, ok, &s, want, true);
	}
}

void section_neighbours(void)
{
	struct sample s;
	struct proc p;
	struct rusage ru;

	fprintf(stderr, "ctnl-agents: a neighbour's table...\n");
	flush_table();
	dumps("nb.empty", "empty table: the walk of the hash alone", 0);
	must(run_client(&s, "bench-ctnl", "fill", num(OWN_ENTRIES), NULL),
	     "fill");
	dumps("nb.alone", "10,000 entries, no other namespace's", OWN_ENTRIES);
	if (!start_neighbour(&p, opt.size)) {
		fprintf(stderr, "ctnl-agents: the neighbour did not start\n");
		failures++;
		return;
	}
	dumps("nb.neigh", "10,000 entries, a neighbour holding the rest",
	      OWN_ENTRIES);
	close(p.in);
	close(p.out);
	finish(&p, &ru);
}

void print_neighbours(void)
{
	static const char *const keys[] = { "nb.empty", "nb.alone",
					    "nb.neigh", NULL };
	char title[200];

	snprintf(title, sizeof(title), "The global hash: a raw dump of this "
		 "namespace's 10,000 entries, alone and beside another "
		 "namespace of %s entries", num(opt.size));
	print_section(OWN_ENTRIES, title, "nb.alone", "alone/this", keys);
}
