/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A reconcile agent, as kube-proxy's UDP cleanup could be: it follows the
 * conntrack table's events into a view of its own (UDP entries), re-reads
 * the table whenever events were lost, and on each tick, if the view
 * holds entries its policy calls stale, deletes them all in one pass
 * (ctnl_ct_delete_if()): UDP entries to a service (VIP and port, or any
 * address at its NodePort) whose reply source is not one of the service's
 * endpoints. Its memory and descriptors stay flat however long it runs.
 *
 *   reconcile_agent [--policy FILE] [--service LINE]... [--netns NS]
 *                   [--tick MS] [--duration SEC] [--rcvbuf BYTES]
 *                   [--always] [--verbose]
 *
 *   --policy FILE   services, one a line, '#' comments (read again when
 *                   the file changes):
 *                       udp VIP PORT [nodeport N] endpoints [ADDR...]
 *   --service LINE  one more service, as such a line (repeatable)
 *   --netns NS      the table of another network namespace (a name under
 *                   /run/netns, or a path)
 *   --tick MS       how often to reconcile (default 1000)
 *   --duration SEC  stop after SEC seconds (default: at SIGINT or SIGTERM)
 *   --rcvbuf BYTES  the events' receive queue (default: the system's)
 *   --always        run the pass every tick, whatever the view says
 *   --verbose       a statistics line each tick
 *
 * On exit it prints one line of statistics, with its resident memory and
 * its open descriptors, and exits 0 (1 on an error, 2 on bad arguments).
 */
#define _GNU_SOURCE	/* getopt_long, st_mtim */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ctnl/ctnl.h>

#include "reconcile.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct options {
	const char *policy_path;
	const char *netns;
	long tick_ms;
	double duration;
	int rcvbuf;
	bool always, verbose;
	char **services;	/* --service lines */
	size_t nservices;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident memory in KiB, from /proc/self/statm; 0 if unknown. */
static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Open descriptors, not counting the one the count itself uses. */
static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static void print_stats(const struct agent *a, double secs)
{
	struct agent_stats st;

	agent_stats(a, &st);
	printf("reconcile_agent: %.1f s, events %llu, overflows %llu "
	       "(lost %llu), resyncs %llu, ticks %llu, passes %llu, "
	       "seen %llu, deleted %llu, gone %llu, failed %llu, "
	       "view %zu (stale %zu), rss_kib %ld, fds %d\n",
	       secs, (unsigned long long)st.events,
	       (unsigned long long)st.overflows,
	       (unsigned long long)st.lost, (unsigned long long)st.resyncs,
	       (unsigned long long)st.ticks, (unsigned long long)st.passes,
	       (unsigned long long)st.seen, (unsigned long long)st.deleted,
	       (unsigned long long)st.gone, (unsigned long long)st.failed,
	       st.view, st.stale, rss_kib(), fd_count());
	fflush(stdout);
}

/* ---- The policy: the file, then the --service lines ---- */

struct source {
	const struct options *o;
	struct stat seen;	/* the file, when last read */
	bool read;
};

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int build_policy(const struct options *o, struct policy *p)
{
	char err[512];
	int ret;

	if (o->policy_path) {
		ret = policy_load(p, o->policy_path, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "reconcile_agent: %s\n", err);
			return ret;
		}
	}
	for (size_t i = 0; i < o->nservices; i++) {
		ret = policy_add_line(p, o->services[i], err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "reconcile_agent: --service \"%s\": %s\n",
				o->services[i], err);
			return ret;
		}
	}
	return 0;
}

/* Takes the policy in at first, and again when its file changed; a file
 * that does not read leaves the policy in force (and is said). */
static int reload(struct source *src, struct agent *a)
{
	struct policy p;
	struct stat st;
	int ret;

	if (src->read && !src->o->policy_path)
		return 0;
	if (src->o->policy_path) {
		if (stat(src->o->policy_path, &st) < 0) {
			fprintf(stderr, "reconcile_agent: %s: %s\n",
				src->o->policy_path, strerror(errno));
			return -errno;
		}
		if (src->read && same_file(&st, &src->seen))
			return 0;
		src->seen = st;
	}
	policy_init(&p);
	ret = build_policy(src->o, &p);
	if (ret == 0)
		agent_set_policy(a, &p);
	policy_free(&p);
	src->read = true;
	return ret;
}

/* ---- Arguments ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: reconcile_agent [--policy FILE] [--service LINE]... "
		"[--netns NS]\n"
		"                       [--tick MS] [--duration SEC] "
		"[--rcvbuf BYTES]\n"
		"                       [--always] [--verbose]\n"
		"a service: udp VIP PORT [nodeport N] endpoints [ADDR...]\n");
}

static bool number(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && *out >= min && *out <= max;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "service", required_argument, NULL, 's' },
		{ "netns", required_argument, NULL, 'n' },
		{ "tick", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ "always", no_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	*o = (struct options){ .tick_ms = 1000 };
	o->services = calloc((size_t)argc, sizeof(*o->services));
	if (!o->services)
		return -1;
	while ((c = getopt_long(argc, argv, "p:s:n:t:d:b:avh", longs,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy_path = optarg;
			break;
		case 's':
			o->services[o->nservices++] = optarg;
			break;
		case 'n':
			o->netns = optarg;
			break;
		case 't':
			if (!number(optarg, 1, 3600000, &v))
				return -1;
			o->tick_ms = (long)v;
			break;
		case 'd':
			if (!number(optarg, 0, 1e9, &o->duration))
				return -1;
			break;
		case 'b':
			if (!number(optarg, 1, 1 << 30, &v))
				return -1;
			o->rcvbuf = (int)v;
			break;
		case 'a':
			o->always = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc && (o->policy_path || o->nservices) ? 0 : -1;
}

/* ---- Running ---- */

static int open_handles(const struct options *o, struct ctnl_ct **ev,
			struct ctnl_ct **req)
{
	int ret;

	if (o->netns) {
		ret = ctnl_ct_open_netns(NULL, o->netns, ev);
		if (ret == 0) {
			ret = ctnl_ct_open_netns(NULL, o->netns, req);
			if (ret < 0)
				ctnl_ct_close(*ev);
		}
		return ret;
	}
	ret = ctnl_ct_open(NULL, NULL, ev);
	if (ret == 0) {
		ret = ctnl_ct_open(NULL, NULL, req);
		if (ret < 0)
			ctnl_ct_close(*ev);
	}
	return ret;
}

/* Follows and reconciles until stopped or the duration is over: 0, or
 * the first error. */
static int run(const struct options *o, struct agent *a, struct source *src)
{
	double start = now_s(), next_tick = start + o->tick_ms / 1e3;
	double end = o->duration > 0 ? start + o->duration : 0;
	int ret = 0;

	while (!stop && ret >= 0) {
		double now = now_s(), until = next_tick;

		if (end && until > end)
			until = end;
		ret = agent_step(a, until > now ? (int)((until - now) * 1e3) + 1
						: 0);
		if (ret == -EINTR)
			ret = 0;
		now = now_s();
		if (ret >= 0 && now >= next_tick) {
			reload(src, a);	/* a bad file: the old policy */
			ret = agent_tick(a, o->always);
			next_tick += o->tick_ms / 1e3;
			if (next_tick < now)
				next_tick = now + o->tick_ms / 1e3;
			if (o->verbose)
				print_stats(a, now - start);
		}
		if (end && now >= end)
			break;
	}
	return ret < 0 ? ret : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct options o;
	struct source src = { .o = &o };
	struct ctnl_ct *ev, *req;
	struct agent *a = NULL;
	double start = now_s();
	int ret;

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		free(o.services);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = open_handles(&o, &ev, &req);
	if (ret < 0) {
		fprintf(stderr, "reconcile_agent: %s\n", strerror(-ret));
		free(o.services);
		return 1;
	}
	ret = agent_new(ev, req, &a);
	/* The policy's own errors are said where they are found. */
	if (ret == 0 && reload(&src, a) < 0)
		ret = 1;
	if (ret == 0)
		ret = agent_start(a, o.rcvbuf);
	if (ret == 0)
		ret = run(&o, a, &src);
	if (ret < 0)
		fprintf(stderr, "reconcile_agent: %s\n", strerror(-ret));
	if (a)
		print_stats(a, now_s() - start);
	agent_free(a);
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
	free(o.services);
	return ret ? 1 : 0;
}
