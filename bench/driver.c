/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl-bench: libctnl against the other conntrack clients, and against the
 * kernel's own limit, on one table in a private network namespace.
 *
 * The driver itself speaks no netlink and stays small: every measured
 * client is a process of its own (bench-ctnl, bench-nfct, bench-mnl, or the
 * conntrack program), so each one's peak memory is its own. The driver
 * enters a fresh network namespace first, so nothing here can touch the
 * host's table; the kernel removes the namespace when the last of these
 * processes exits, however it exits.
 *
 *   ctnl-bench [-n RUNS] [-s SIZE[,SIZE...]] [-c CALLGRIND_SIZE|0]
 *
 * Environment: BENCH_GIT (the revision measured, printed in the header).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ctnl/conntrack.h>	/* sizeof(struct ctnl_flow) only */

#include "common.h"

#define MAX_RUNS 32
#define MAX_ROWS 256
#define MAX_SIZES 8

/* ---- Options and paths ---- */

static int runs = 5;
static uint32_t sizes[MAX_SIZES] = { 10000, 100000, 250000 };
static int nsizes = 3;
static uint32_t callgrind_size = 100000;
/* ctnl against conntrack at the largest size (-T: not); -t: that and
 * only the rows it is compared with. */
static bool tool = true, only_tool;
static char bindir[PATH_MAX / 2];
static char tmpdir[] = "/tmp/ctnl-bench-XXXXXX";
static int failures;

static char *client_path(const char *name)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", bindir, name);
	return p;
}

/* ---- Results ---- */

struct sample {
	double sec;		/* wall time of the measured operation */
	double usr, sys;	/* CPU time (whole process for commands) */
	long rss_kib;		/* peak resident set of the process */
	uint64_t count;		/* entries the client reported */
	char note[48];
};

struct row {
	uint32_t size;
	char key[24];		/* stable name, for the targets */
	char label[72];
	int n;
	struct sample s[MAX_RUNS];
	bool failed;
	double ir_per_entry;	/* callgrind rows */
};

static struct row rows[MAX_ROWS];
static int nrows;

static struct row *row_get(uint32_t size, const char *key, const char *label)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].size == size && !strcmp(rows[i].key, key))
			return &rows[i];
	if (nrows == MAX_ROWS) {
		fprintf(stderr, "ctnl-bench: too many rows\n");
		exit(1);
	}
	struct row *r = &rows[nrows++];

	memset(r, 0, sizeof(*r));
	r->size = size;
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->label, sizeof(r->label), "%s", label ? label : key);
	return r;
}

static struct row *row_find(uint32_t size, const char *key)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].size == size && !strcmp(rows[i].key, key))
			return &rows[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of a field over a row's samples. */
static bool stats(const struct row *r, double *med, double *min, double *max)
{
	double v[MAX_RUNS];

	if (!r || r->n == 0 || r->failed)
		return false;
	for (int i = 0; i < r->n; i++)
		v[i] = r->s[i].sec;
	qsort(v, (size_t)r->n, sizeof(v[0]), cmp_double);
	*med = r->n % 2 ? v[r->n / 2] : (v[r->n / 2 - 1] + v[r->n / 2]) / 2;
	*min = v[0];
	*max = v[r->n - 1];
	return true;
}

static double median_of(const struct row *r, size_t field_off)
{
	double v[MAX_RUNS];

	for (int i = 0; i < r->n; i++)
		v[i] = *(const double *)((const char *)&r->s[i] + field_off);
	qsort(v, (size_t)r->n, sizeof(v[0]), cmp_double);
	return r->n % 2 ? v[r->n / 2] : (v[r->n / 2 - 1] + v[r->n / 2]) / 2;
}

static long peak_rss(const struct row *r)
{
	long m = -1;

	for (int i = 0; i < r->n; i++)
		if (r->s[i].rss_kib > m)
			m = r->s[i].rss_kib;
	return m;
}

static bool median_sec(const struct row *r, double *med)
{
	double lo, hi;

	return stats(r, med, &lo, &hi);
}

/* ---- Running processes ---- */

static double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

struct proc {
	pid_t pid;
	int out;		/* read end of its stdout, or -1 */
	int err;		/* read end of its stderr, or -1 */
	int in;			/* write end of its stdin, or -1 */
};

enum { TO_PIPE = 1, TO_NULL = 2 };

/*
 * Starts @argv with stdin/stdout/stderr as asked. The child dies with the
 * driver (PR_SET_PDEATHSIG), so an interrupted run leaves nothing behind.
 */
static int spawn(struct proc *p, char *const argv[], int in, int out, int err)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull < 0 || (in == TO_PIPE && pipe2(pin, O_CLOEXEC) < 0) ||
	    (out == TO_PIPE && pipe2(pout, O_CLOEXEC) < 0) ||
	    (err == TO_PIPE && pipe2(perr, O_CLOEXEC) < 0))
		return -errno;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (in)
			dup2(in == TO_PIPE ? pin[0] : devnull, 0);
		if (out)
			dup2(out == TO_PIPE ? pout[1] : devnull, 1);
		if (err)
			dup2(err == TO_PIPE ? perr[1] : devnull, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "ctnl-bench: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(devnull);
	p->in = pin[1];
	p->out = pout[0];
	p->err = perr[0];
	if (pin[0] >= 0)
		close(pin[0]);
	if (pout[1] >= 0)
		close(pout[1]);
	if (perr[1] >= 0)
		close(perr[1]);
	return 0;
}

/* Reads all of @fd into @buf (NUL-terminated, truncated to @size). */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	char sink[4096];
	ssize_t n;

	for (;;) {
		if (len + 1 < size)
			n = read(fd, buf + len, size - 1 - len);
		else
			n = read(fd, sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size)
			len += (size_t)n;
	}
	buf[len] = '\0';
}

static int finish(struct proc *p, struct rusage *ru)
{
	int status;

	while (wait4(p->pid, &status, 0, ru) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Parses a client's "ok ns=... count=... rss=... [note=...]" line. */
static bool parse_report(const char *out, struct sample *s)
{
	const char *line = strstr(out, "ok ns=");
	unsigned long long ns, count;
	long rss;

	if (!line || sscanf(line, "ok ns=%llu count=%llu rss=%ld", &ns, &count,
			    &rss) != 3)
		return false;
	s->sec = (double)ns / 1e9;
	s->count = count;
	s->rss_kib = rss;
	const char *note = strstr(line, "note=");
	if (note)
		sscanf(note, "note=%47s", s->note);
	return true;
}

/*
 * Runs one of the bench clients; its report gives the time of the measured
 * operation and its own peak RSS (VmHWM), which, unlike ru_maxrss, owes
 * nothing to the driver's memory before exec.
 */
static bool run_client(struct sample *s, const char *client, ...)
{
	char *argv[16], out[1024];
	struct proc p;
	struct rusage ru;
	va_list ap;
	int argc = 0, rc;

	argv[argc++] = client_path(client);
	va_start(ap, client);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	memset(s, 0, sizeof(*s));
	if (spawn(&p, argv, TO_NULL, TO_PIPE, 0) < 0)
		return false;
	read_all(p.out, out, sizeof(out));
	close(p.out);
	rc = finish(&p, &ru);
	s->usr = tv_sec(ru.ru_utime);
	s->sys = tv_sec(ru.ru_stime);
	if (rc != 0 || !parse_report(out, s)) {
		fprintf(stderr, "ctnl-bench: %s %s failed (exit %d)\n", client,
			argv[1], rc);
		return false;
	}
	return true;
}

/* Seconds on the monotonic clock. */
static double now(void)
{
	return (double)bench_now_ns() / 1e9;
}

/*
 * Runs a command (the conntrack program) and times it from fork to exit,
 * so its time includes process start-up (see the header's "exec" line);
 * its peak RSS is ru_maxrss. stdout goes to /dev/null; stderr is kept for
 * the count conntrack prints there.
 */
static bool run_command(struct sample *s, char *errbuf, size_t errsize,
			char *const argv[])
{
	struct proc p;
	struct rusage ru;
	double t0;
	int rc;

	memset(s, 0, sizeof(*s));
	t0 = now();
	if (spawn(&p, argv, TO_NULL, TO_NULL, TO_PIPE) < 0)
		return false;
	read_all(p.err, errbuf, errsize);
	close(p.err);
	rc = finish(&p, &ru);
	s->sec = now() - t0;
	s->usr = tv_sec(ru.ru_utime);
	s->sys = tv_sec(ru.ru_stime);
	s->rss_kib = ru.ru_maxrss;
	if (rc != 0) {
		fprintf(stderr, "ctnl-bench: %s %s failed (exit %d): %s\n",
			argv[0], argv[1], rc, errbuf);
		return false;
	}
	return true;
}

/* conntrack's "N flow entries have been shown/deleted." */
static uint64_t conntrack_count(const char *err)
{
	const char *p = strstr(err, "): ");
	unsigned long long n = 0;

	if (p && sscanf(p, "): %llu flow entries", &n) == 1)
		return n;
	return 0;
}

static bool run_conntrack(struct sample *s, char *a1, char *a2, char *a3,
			  char *a4)
{
	char *argv[] = { "conntrack", a1, a2, a3, a4, NULL };
	char err[1024];

	if (!run_command(s, err, sizeof(err), argv))
		return false;
	s->count = conntrack_count(err);
	return true;
}

/* The namespace's entry count, as the kernel keeps it. */
static long table_count(void)
{
	char buf[64];
	long n = -1;
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_count", "re");

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			n = atol(buf);
		fclose(f);
	}
	return n;
}

static void record(struct row *r, bool ok, const struct sample *s,
		   uint64_t want_count, bool check_count)
{
	if (!ok) {
		r->failed = true;
		failures++;
		return;
	}
	if (check_count && s->count != want_count) {
		fprintf(stderr,
			"ctnl-bench: %s at %u: %" PRIu64 " entries, expected %"
			PRIu64 "\n", r->label, r->size, s->count, want_count);
		r->failed = true;
		failures++;
		return;
	}
	if (r->n < MAX_RUNS)
		r->s[r->n++] = *s;
}

static char *num(uint64_t v)
{
	static char bufs[8][24];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, 24, "%" PRIu64, v);
	return b;
}

static char *hex(uint32_t v)
{
	static char bufs[8][24];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, 24, "0x%x", v);
	return b;
}

/* ---- The table ---- */

static bool fill(uint32_t n, int only_class, double *sec)
{
	struct sample s;
	bool ok = only_class < 0
			  ? run_client(&s, "bench-ctnl", "fill", num(n), NULL)
			  : run_client(&s, "bench-ctnl", "fill", num(n),
				       num((uint64_t)only_class), NULL);

	if (ok && sec)
		*sec = s.sec;
	return ok;
}

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "ctnl-bench: %s failed; stopping\n", what);
		exit(1);
	}
}

static void expect_count(long want, const char *after)
{
	long got = table_count();

	if (got != want) {
		fprintf(stderr,
			"ctnl-bench: after %s the table holds %ld entries, "
			"expected %ld\n", after, got, want);
		failures++;
	}
}

static void flush_table(void)
{
	struct sample s;

	must(run_client(&s, "bench-ctnl", "flush", NULL), "flush");
}

static void refill(uint32_t n)
{
	flush_table();
	must(fill(n, -1, NULL), "fill");
	expect_count(n, "fill");
}

/* ---- The measurements ---- */

/* Runs the i-th of @k clients in run @r's order: each run starts with a
 * different one, so a load that drifts over a run hurts none in
 * particular. */
static int rotate(int i, int r, int k)
{
	return (i + r) % k;
}

static void bench_dumps(uint32_t n)
{
	struct row *floor = row_get(n, "dump.floor",
				    "raw libmnl floor (walks messages only)");
	struct row *list = row_get(n, "dump.list", "libctnl ctnl_ct_list");
	struct row *dump = row_get(n, "dump.dump",
				   "libctnl ctnl_ct_dump (streaming)");
	struct row *nfct = row_get(n, "dump.nfct",
				   "libnetfilter_conntrack, callback");
	struct row *cli = row_get(n, "dump.cli", "conntrack -L > /dev/null");

	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 5; i++) {
			struct sample s;
			bool ok;

			switch (rotate(i, r, 5)) {
			case 0:
				ok = run_client(&s, "bench-mnl", "dump", NULL);
				record(floor, ok, &s, n, true);
				break;
			case 1:
				ok = run_client(&s, "bench-ctnl", "list", NULL);
				record(list, ok, &s, n, true);
				break;
			case 2:
				ok = run_client(&s, "bench-ctnl", "dump", NULL);
				record(dump, ok, &s, n, true);
				break;
			case 3:
				ok = run_client(&s, "bench-nfct", "dump", NULL);
				record(nfct, ok, &s, n, true);
				break;
			case 4:
				ok = run_conntrack(&s, "-L", NULL, NULL, NULL);
				record(cli, ok, &s, n, true);
				break;
			}
		}
	}
}

/* How many of entries 0..n-1 each selector picks. */
static uint64_t count_sel1(uint32_t n)
{
	struct bench_entry e;
	uint64_t c = 0;

	for (uint32_t i = 0; i < n; i++) {
		bench_entry(i, &e);
		c += (e.mark & BENCH_SEL1_MASK) == BENCH_SEL1_VALUE;
	}
	return c;
}

static uint64_t count_sel10(uint32_t n)
{
	uint64_t c = 0;

	for (uint32_t i = 0; i < n; i++)
		c += bench_entry_in_sel10(i);
	return c;
}

static void bench_filtered(uint32_t n)
{
	struct row *kern = row_get(n, "filt.kernel",
				   "libctnl dump, mark filter in the kernel");
	struct row *user = row_get(n, "filt.user",
				   "libctnl dump, CTNL_FILTER_USERSPACE");
	struct row *cli = row_get(n, "filt.cli",
				  "conntrack -L -m 42/0xff > /dev/null");
	uint64_t want = count_sel1(n);
	char markarg[32];

	snprintf(markarg, sizeof(markarg), "%u/0x%x", BENCH_SEL1_VALUE,
		 BENCH_SEL1_MASK);
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 3; i++) {
			struct sample s;
			bool ok;

			switch (rotate(i, r, 3)) {
			case 0:
				ok = run_client(&s, "bench-ctnl", "dump-mark",
						num(BENCH_SEL1_VALUE),
						hex(BENCH_SEL1_MASK), NULL);
				record(kern, ok, &s, want, true);
				break;
			case 1:
				ok = run_client(&s, "bench-ctnl", "dump-mark",
						num(BENCH_SEL1_VALUE),
						hex(BENCH_SEL1_MASK), "user",
						NULL);
				record(user, ok, &s, want, true);
				break;
			case 2:
				ok = run_conntrack(&s, "-L", "-m", markarg,
						   NULL);
				record(cli, ok, &s, want, true);
				break;
			}
		}
	}
}

/* Every update run sets new high bits in every mark, so each one really
 * changes every entry. */
static uint32_t next_hi = 1;

static void bench_updates(uint32_t n)
{
	struct row *floor = row_get(n, "upd.floor",
				    "raw libmnl floor, batched, each ACKed");
	struct row *batch = row_get(n, "upd.batch",
				    "libctnl ctnl_ct_batch(UPDATE)");
	struct row *each = row_get(n, "upd.each",
				   "libctnl ctnl_ct_update, one call each");
	struct row *nfct = row_get(n, "upd.nfct",
				   "libnetfilter_conntrack, one query each");
	uint32_t last_hi = 0;

	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 4; i++) {
			struct sample s;
			uint32_t hi = next_hi++ & 0xffff;
			bool ok;

			last_hi = hi;
			switch (rotate(i, r, 4)) {
			case 0:
				ok = run_client(&s, "bench-mnl", "update-batch",
						num(n), num(hi), NULL);
				record(floor, ok, &s, n, true);
				break;
			case 1:
				ok = run_client(&s, "bench-ctnl",
						"update-batch", num(n), num(hi),
						NULL);
				record(batch, ok, &s, n, true);
				break;
			case 2:
				ok = run_client(&s, "bench-ctnl", "update-each",
						num(n), num(hi), NULL);
				record(each, ok, &s, n, true);
				break;
			case 3:
				ok = run_client(&s, "bench-nfct", "update-each",
						num(n), num(hi), NULL);
				record(nfct, ok, &s, n, true);
				break;
			}
		}
	}
	/* The witness: every entry carries the last run's mark. */
	struct sample s;

	if (run_client(&s, "bench-ctnl", "dump-mark", num(last_hi << 16),
		       hex(0xffff0000u), NULL) &&
	    s.count != n) {
		fprintf(stderr, "ctnl-bench: after the updates %" PRIu64
			" of %u entries carry the last mark\n", s.count, n);
		failures++;
	}
}

static void bench_delete(uint32_t n)
{
	struct row *ctnl = row_get(n, "del.ctnl",
				   "libctnl delete_matching (counted)");
	struct row *flush = row_get(n, "del.flush",
				    "libctnl delete_matching, uncounted");
	struct row *cli = row_get(n, "del.cli",
				  "conntrack -D -m 0x300/0xf00");
	uint64_t want = count_sel10(n);
	char markarg[32];

	snprintf(markarg, sizeof(markarg), "0x%x/0x%x", BENCH_SEL10_VALUE,
		 BENCH_SEL10_MASK);
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 3; i++) {
			struct sample s;
			bool ok;

			if (rotate(i, r, 3) == 2) {
				ok = run_client(&s, "bench-ctnl", "delete-mark",
						hex(BENCH_SEL10_VALUE),
						hex(BENCH_SEL10_MASK),
						"uncounted", NULL);
				/* Uncounted, it answers 0; the table, checked
				 * below, says how many went. */
				if (ok && s.count == 0)
					s.count = want;
				record(flush, ok, &s, want, true);
			} else if (rotate(i, r, 3) == 0) {
				ok = run_client(&s, "bench-ctnl", "delete-mark",
						hex(BENCH_SEL10_VALUE),
						hex(BENCH_SEL10_MASK), NULL);
				record(ctnl, ok, &s, want, true);
			} else {
				ok = run_conntrack(&s, "-D", "-m", markarg,
						   NULL);
				record(cli, ok, &s, want, true);
			}
			expect_count((long)(n - want), "a delete by mark");
			must(fill(n, BENCH_SEL10_CLASS, NULL), "refill");
			expect_count(n, "a refill");
		}
	}
}

static void bench_flush(uint32_t n)
{
	struct row *ctnl = row_get(n, "flush.ctnl", "libctnl ctnl_ct_flush");
	struct row *cli = row_get(n, "flush.cli", "conntrack -F");

	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 2; i++) {
			struct sample s;
			bool ok;

			if (rotate(i, r, 2) == 0) {
				ok = run_client(&s, "bench-ctnl", "flush",
						NULL);
				s.count = n;
				record(ctnl, ok, &s, n, false);
			} else {
				ok = run_conntrack(&s, "-F", NULL, NULL, NULL);
				s.count = n;
				record(cli, ok, &s, n, false);
			}
			expect_count(0, "a flush");
			must(fill(n, -1, NULL), "refill");
			expect_count(n, "a refill");
		}
	}
}

/* ---- Events ---- */

/*
 * Events are measured in chunks of EVENT_CHUNK: the listener is kept idle
 * (conntrack -E stopped with SIGSTOP; bench-ctnl waiting for its cue)
 * while the producer creates a chunk of entries, so their NEW events wait
 * in the listener's queue; then the driver lets it go and times how long
 * it takes to have received them all. The sum over the chunks is the time
 * to take in N events. A chunk fits the default receive queue (about 166
 * events of ~1.3 KiB of queue each): `conntrack -E -b` of conntrack-tools
 * 1.4.7 does not enlarge the queue of its event socket here, so both
 * listeners get the default queue and no event may be lost.
 */
#define EVENT_CHUNK 128

/* Reads one line from @fd within @ms; false on timeout or end of file. */
static bool read_line(int fd, char *buf, size_t size, int ms)
{
	size_t len = 0;

	while (len + 1 < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char c;

		if (poll(&pfd, 1, ms) <= 0 || read(fd, &c, 1) != 1)
			return false;
		if (c == '\n')
			break;
		buf[len++] = c;
	}
	buf[len] = '\0';
	return true;
}

static bool say(int fd, uint32_t k)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%u\n", k);

	return write(fd, line, (size_t)len) == len;
}

static bool start_producer(struct proc *p)
{
	char *argv[] = { client_path("bench-ctnl"), "produce", "0", NULL };

	return spawn(p, argv, TO_PIPE, TO_PIPE, 0) == 0;
}

/* Creates the next @k entries and waits until they are in the table. */
static bool produce(struct proc *p, uint32_t k)
{
	char line[32];

	return say(p->in, k) && read_line(p->out, line, sizeof(line), 10000) &&
	       !strcmp(line, "ok");
}

static void stop_producer(struct proc *p)
{
	struct rusage ru;

	close(p->in);
	close(p->out);
	finish(p, &ru);
}

static void events_ctnl(uint32_t n, struct row *row)
{
	char *argv[] = { client_path("bench-ctnl"), "events", NULL };
	char line[1024];
	struct proc p, prod;
	struct rusage ru;
	struct sample s;
	double total = 0;
	bool ok = true;

	flush_table();
	if (spawn(&p, argv, TO_PIPE, TO_PIPE, 0) < 0)
		return;
	if (!read_line(p.out, line, sizeof(line), 10000) ||
	    strcmp(line, "ready")) {
		close(p.in);
		close(p.out);
		finish(&p, &ru);
		record(row, false, NULL, 0, false);
		return;
	}
	ok = start_producer(&prod);
	for (uint32_t done = 0; ok && done < n; done += EVENT_CHUNK) {
		uint32_t k = n - done < EVENT_CHUNK ? n - done : EVENT_CHUNK;
		double t0;

		ok = produce(&prod, k);
		t0 = now();
		ok = ok && say(p.in, k) &&
		     read_line(p.out, line, sizeof(line), 10000) &&
		     !strcmp(line, "done");
		total += now() - t0;
	}
	stop_producer(&prod);
	close(p.in);
	read_all(p.out, line, sizeof(line));
	close(p.out);
	ok = finish(&p, &ru) == 0 && ok && parse_report(line, &s);
	if (ok)
		s.sec = total;
	record(row, ok, &s, n, true);
}

/* The event of an entry outside the benchmark's address ranges, to learn
 * that conntrack -E is listening. */
static char *sentinel[] = { "conntrack", "-I", "-p", "udp", "-s",
			    "203.0.113.1", "-d", "203.0.113.2", "--sport", "9",
			    "--dport", "9", "-t", "600", NULL };
static char *sentinel_del[] = { "conntrack", "-D", "-p", "udp", "-s",
				"203.0.113.1", NULL };

static void quiet(char *const argv[])
{
	struct proc p;
	struct rusage ru;

	if (spawn(&p, argv, TO_NULL, TO_NULL, TO_NULL) == 0)
		finish(&p, &ru);
}

/* Reads what @fd has within @ms: the bytes read, 0 on timeout, -1 at
 * end of file. */
static ssize_t read_some(int fd, char *buf, size_t size, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(fd, buf, size);
	return n > 0 ? n : -1;
}

/* Counts the lines that arrive on @fd within @ms of each other until
 * *@lines reaches @want. */
static bool count_lines(int fd, uint64_t *lines, uint64_t want, int ms)
{
	char buf[65536];

	while (*lines < want) {
		ssize_t got = read_some(fd, buf, sizeof(buf), ms);

		if (got <= 0)
			return false;
		for (char *c = buf;
		     (c = memchr(c, '\n', (size_t)(buf + got - c))) != NULL;
		     c++)
			(*lines)++;
	}
	return true;
}

static void events_cli(uint32_t n, struct row *row, char *prog)
{
	char *argv[] = { prog, "-E", "-e", "NEW", NULL };
	struct proc p, prod;
	struct rusage ru;
	struct sample s;
	uint64_t lines = 0;
	double total = 0;
	bool ready = false, ok;

	flush_table();
	if (spawn(&p, argv, TO_NULL, TO_PIPE, TO_NULL) < 0)
		return;
	for (int tries = 0; tries < 50 && !ready; tries++) {
		quiet(sentinel_del);
		quiet(sentinel);
		ready = count_lines(p.out, &lines, 1, 200);
	}
	quiet(sentinel_del);
	/* Anything a slow earlier try still brings, before counting. */
	while (count_lines(p.out, &lines, lines + 1, 100))
		;
	lines = 0;
	ok = ready && start_producer(&prod);
	for (uint32_t done = 0; ok && done < n; done += EVENT_CHUNK) {
		uint32_t k = n - done < EVENT_CHUNK ? n - done : EVENT_CHUNK;
		double t0;

		ok = kill(p.pid, SIGSTOP) == 0 && produce(&prod, k);
		t0 = now();
		kill(p.pid, SIGCONT);
		ok = ok && count_lines(p.out, &lines, done + k, 2000);
		total += now() - t0;
	}
	if (ready)
		stop_producer(&prod);
	kill(p.pid, SIGCONT);
	kill(p.pid, SIGTERM);
	close(p.out);
	finish(&p, &ru);
	memset(&s, 0, sizeof(s));
	s.sec = total;
	s.count = lines;
	s.rss_kib = ru.ru_maxrss;
	s.usr = tv_sec(ru.ru_utime);
	s.sys = tv_sec(ru.ru_stime);
	if (ready && lines < n)
		snprintf(s.note, sizeof(s.note), "lost");
	record(row, ready, &s, n, true);
}

static void bench_events(uint32_t n)
{
	struct row *ctnl = row_get(n, "ev.ctnl",
				   "libctnl ctnl_ct_event_read");
	struct row *cli = row_get(n, "ev.cli", "conntrack -E -e NEW");

	for (int r = 0; r < runs; r++) {
		if (!ctnl->failed)
			events_ctnl(n, ctnl);
		if (!cli->failed)
			events_cli(n, cli, "conntrack");
	}
	if (table_count() != (long)n)
		refill(n);
}

/* ---- ctnl against conntrack: the two programs, whole process ---- */

static char *tool_path(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/../tools/ctnl", bindir);
	return path;
}

/* Runs one program (conntrack, or ctnl) with its words, stdout to
 * /dev/null; its count from the summary on stderr. */
static bool run_prog(struct sample *s, char *prog, ...)
{
	char *argv[16], err[4096];
	va_list ap;
	int argc = 0;

	argv[argc++] = prog;
	va_start(ap, prog);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	if (!run_command(s, err, sizeof(err), argv))
		return false;
	s->count = conntrack_count(err);
	return true;
}

/* The -R file: one -I line per entry of the table, the entries a fill
 * creates (bench_entry()), as conntrack's syntax writes them. */
static bool write_load_file(const char *path, uint32_t n)
{
	FILE *f = fopen(path, "we");
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (!f)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct bench_entry e;

		bench_entry(i, &e);
		inet_ntop(e.family, e.src, src, sizeof(src));
		inet_ntop(e.family, e.dst, dst, sizeof(dst));
		fprintf(f, "-I -s %s -d %s -p %s --sport %u --dport %u -t %u "
			"-u SEEN_REPLY,ASSURED -m %u%s\n", src, dst,
			e.proto == IPPROTO_TCP ? "tcp" : "udp", e.sport,
			e.dport, e.timeout, e.mark,
			e.proto == IPPROTO_TCP ? " --state ESTABLISHED" : "");
	}
	return fclose(f) == 0;
}

/* Listing: conntrack -L, ctnl -L, ctnl's own list in text and JSON, and
 * the library's formatter alone over the same entries. */
static void tool_lists(uint32_t n)
{
	struct row *ct = row_get(n, "tool.L.ct", "conntrack -L > /dev/null");
	struct row *ctnl = row_get(n, "tool.L.ctnl", "ctnl -L > /dev/null");
	struct row *text = row_get(n, "tool.list", "ctnl list > /dev/null");
	struct row *json = row_get(n, "tool.json",
				   "ctnl list -o json > /dev/null");
	struct row *fmt = row_get(n, "tool.format",
				  "libctnl ctnl_flow_format, no I/O");

	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 5; i++) {
			struct sample s;
			bool ok;

			switch (rotate(i, r, 5)) {
			case 0:
				ok = run_prog(&s, "conntrack", "-L", NULL);
				record(ct, ok, &s, n, true);
				break;
			case 1:
				ok = run_prog(&s, tool_path(), "-L", NULL);
				record(ctnl, ok, &s, n, true);
				break;
			case 2:
				ok = run_prog(&s, tool_path(), "list", NULL);
				record(text, ok, &s, n, true);
				break;
			case 3:
				ok = run_prog(&s, tool_path(), "list", "-o",
					      "json", NULL);
				s.count = n;
				record(json, ok, &s, n, false);
				break;
			case 4:
				ok = run_client(&s, "bench-ctnl", "format",
						NULL);
				record(fmt, ok, &s, n, true);
				break;
			}
		}
	}
}

/* -D of the 10 % by mark, and -U of every entry's mark. */
static void tool_changes(uint32_t n)
{
	struct row *dct = row_get(n, "tool.D.ct",
				  "conntrack -D -m 0x300/0xf00");
	struct row *dctnl = row_get(n, "tool.D.ctnl",
				    "ctnl -D -m 0x300/0xf00");
	struct row *u = row_get(n, "tool.U.ctnl",
				"ctnl -U -m HI/0xffff0000 (every entry)");
	uint64_t want = count_sel10(n);
	char markarg[32], setarg[32];

	snprintf(markarg, sizeof(markarg), "0x%x/0x%x", BENCH_SEL10_VALUE,
		 BENCH_SEL10_MASK);
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 2; i++) {
			struct sample s;
			bool ok;

			ok = run_prog(&s, rotate(i, r, 2) ? tool_path()
							  : "conntrack",
				      "-D", "-m", markarg, NULL);
			record(rotate(i, r, 2) ? dctnl : dct, ok, &s, want,
			       true);
			expect_count((long)(n - want), "a -D by mark");
			must(fill(n, BENCH_SEL10_CLASS, NULL), "refill");
			expect_count(n, "a refill");
		}
		/* Each run sets new high bits, so every entry changes. */
		snprintf(setarg, sizeof(setarg), "0x%x/0xffff0000",
			 (next_hi++ & 0xffff) << 16);
		struct sample s;
		bool ok = run_prog(&s, tool_path(), "-U", "-m", setarg, NULL);

		record(u, ok, &s, n, true);
	}
}

/* -R of a file of N -I lines, into an empty table, beside the library's
 * batched create of the same entries. */
static void tool_load(uint32_t n)
{
	struct row *ct = row_get(n, "tool.R.ct", "conntrack -R FILE");
	struct row *ctnl = row_get(n, "tool.R.ctnl", "ctnl -R FILE");
	struct row *lib = row_get(n, "tool.R.lib", "libctnl ctnl_ct_batch("
				  "CREATE), same entries");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/load-%u.txt", tmpdir, n);
	if (!write_load_file(path, n)) {
		fprintf(stderr, "ctnl-bench: cannot write %s\n", path);
		failures++;
		return;
	}
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 3; i++) {
			struct sample s;
			bool ok;

			flush_table();
			switch (rotate(i, r, 3)) {
			case 0:
				ok = run_prog(&s, "conntrack", "-R", path,
					      NULL);
				s.count = n;
				record(ct, ok, &s, n, false);
				break;
			case 1:
				ok = run_prog(&s, tool_path(), "-R", path,
					      NULL);
				s.count = n;
				record(ctnl, ok, &s, n, false);
				break;
			case 2:
				ok = fill(n, -1, &s.sec);
				s.count = n;
				record(lib, ok, &s, n, false);
				break;
			}
			expect_count(n, "a -R or a fill");
		}
	}
	unlink(path);
}

/* ctnl -E as conntrack -E is measured (bench_events(): ev.cli). */
static void tool_events(uint32_t n)
{
	struct row *ctnl = row_get(n, "tool.E.ctnl", "ctnl -E -e NEW");

	for (int r = 0; r < runs && !ctnl->failed; r++)
		events_cli(n, ctnl, tool_path());
	if (table_count() != (long)n)
		refill(n);
}

/* The two programs side by side, at the largest size only. */
static void bench_tool(uint32_t n)
{
	tool_lists(n);
	tool_changes(n);
	tool_load(n);
	refill(n);
	tool_events(n);
}

/* ---- Instructions (callgrind) ---- */

/* The instructions callgrind counted while @fn ran, per entry. */
static bool callgrind(struct row *row, const char *client, const char *cmd,
		      const char *fn)
{
	char outfile[PATH_MAX], toggle[128], line[512], out[1024];
	char *argv[] = { "valgrind", "--tool=callgrind", "--quiet",
			 NULL /* out file */, toggle, client_path(client),
			 (char *)cmd, NULL };
	char optfile[PATH_MAX + 32];
	unsigned long long ir = 0;
	struct sample s;
	struct proc p;
	struct rusage ru;
	FILE *f;
	int rc;

	snprintf(outfile, sizeof(outfile), "%s/callgrind.%s.%s.%s", tmpdir,
		 client, cmd, fn);
	snprintf(optfile, sizeof(optfile), "--callgrind-out-file=%s", outfile);
	argv[3] = optfile;
	snprintf(toggle, sizeof(toggle), "--toggle-collect=%s", fn);
	if (spawn(&p, argv, TO_NULL, TO_PIPE, TO_NULL) < 0)
		return false;
	read_all(p.out, out, sizeof(out));
	close(p.out);
	rc = finish(&p, &ru);
	memset(&s, 0, sizeof(s));
	if (rc != 0 || !parse_report(out, &s) || s.count == 0) {
		fprintf(stderr, "ctnl-bench: callgrind of %s %s failed\n",
			client, cmd);
		row->failed = true;
		failures++;
		return false;
	}
	f = fopen(outfile, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "totals: %llu", &ir) == 1 ||
		    sscanf(line, "summary: %llu", &ir) == 1)
			break;
	fclose(f);
	row->ir_per_entry = (double)ir / (double)s.count;
	row->n = 1;
	row->s[0] = s;
	return ir > 0;
}

static void bench_instructions(uint32_t n)
{
	callgrind(row_get(n, "cg.floor", "raw libmnl floor (walks messages)"),
		  "bench-mnl", "dump", "measured_dump");
	callgrind(row_get(n, "cg.dump",
			  "libctnl ctnl_ct_dump, whole streaming dump"),
		  "bench-ctnl", "dump", "measured_dump");
	callgrind(row_get(n, "cg.parse",
			  "libctnl ctnl_flow_parse alone (full model)"),
		  "bench-ctnl", "dump", "ctnl_flow_parse");
	callgrind(row_get(n, "cg.list", "libctnl ctnl_ct_list, whole list"),
		  "bench-ctnl", "list", "measured_list");
	callgrind(row_get(n, "cg.nfct",
			  "libnetfilter_conntrack dump, 7 attributes"),
		  "bench-nfct", "dump", "measured_dump");
}

/* ---- Printing ---- */

static void print_rate(double per_sec)
{
	if (per_sec >= 1e6)
		printf(" %7.2fM/s", per_sec / 1e6);
	else
		printf(" %7.0fk/s", per_sec / 1e3);
}

static void print_section(uint32_t n, const char *title, const char *ref_key,
			  const char *ratio_name, const char *const keys[])
{
	const struct row *ref = row_find(n, ref_key);
	double ref_med = 0;
	bool have_ref = median_sec(ref, &ref_med);

	printf("\n%s\n", title);
	printf("  %-44s %8s %8s %8s %6s %11s %7s %7s %9s %9s\n", "",
	       "median", "min", "max", "spread", "entries", "usr", "sys",
	       "peak RSS", ratio_name);
	printf("  %-44s %8s %8s %8s %6s %11s %7s %7s %9s %9s\n", "", "ms",
	       "ms", "ms", "%", "per second", "s", "s", "MiB", "");
	for (int k = 0; keys[k]; k++) {
		const struct row *r = row_find(n, keys[k]);
		double med, min, max;

		if (!r)
			continue;
		printf("  %-44s", r->label);
		if (!stats(r, &med, &min, &max)) {
			printf(" FAILED (see the messages above)\n");
			continue;
		}
		printf(" %8.1f %8.1f %8.1f %6.0f", med * 1e3, min * 1e3,
		       max * 1e3, med > 0 ? (max - min) / med * 100 : 0);
		print_rate(med > 0 ? (double)r->s[0].count / med : 0);
		printf(" %7.3f %7.3f %9.1f",
		       median_of(r, offsetof(struct sample, usr)),
		       median_of(r, offsetof(struct sample, sys)),
		       (double)peak_rss(r) / 1024);
		if (have_ref && med > 0)
			printf(" %9.2f", ref_med / med);
		for (int i = 0; i < r->n; i++)
			if (r->s[i].note[0]) {
				printf("  [%s]", r->s[i].note);
				break;
			}
		printf("\n");
	}
}

static void print_instructions(uint32_t n)
{
	const char *keys[] = { "cg.floor", "cg.dump", "cg.parse", "cg.list",
			       "cg.nfct", NULL };
	const struct row *ref = row_find(n, "cg.dump");

	if (!ref)
		return;
	printf("\nUser-space instructions per entry (callgrind, %s entries; "
	       "repeatable, unlike wall time)\n", num(n));
	printf("  %-44s %12s %14s\n", "", "instr/entry", "ctnl dump/this");
	for (int k = 0; keys[k]; k++) {
		const struct row *r = row_find(n, keys[k]);

		if (!r)
			continue;
		if (r->failed || r->ir_per_entry <= 0) {
			printf("  %-44s FAILED\n", r->label);
			continue;
		}
		printf("  %-44s %12.0f", r->label, r->ir_per_entry);
		if (ref->ir_per_entry > 0)
			printf(" %14.2f", ref->ir_per_entry / r->ir_per_entry);
		printf("\n");
	}
}

static void print_tool(uint32_t n)
{
	static const char *const lists[] = { "tool.L.ct", "tool.L.ctnl",
		"tool.list", "tool.json", "tool.format", "dump.dump", NULL };
	static const char *const del[] = { "tool.D.ct", "tool.D.ctnl", NULL };
	static const char *const upd[] = { "tool.U.ctnl", "upd.nfct",
		"upd.batch", NULL };
	static const char *const load[] = { "tool.R.ct", "tool.R.ctnl",
		"tool.R.lib", NULL };
	static const char *const ev[] = { "ev.cli", "tool.E.ctnl", "ev.ctnl",
		NULL };

	printf("\n----------- ctnl against conntrack (whole process, fork to "
	       "exit; %s entries) -----------\n", num(n));
	print_section(n, "Listing (stdout to /dev/null; the formatter and the "
			 "dump: the library alone)", "tool.L.ctnl", "ctnl/this",
		      lists);
	print_section(n, "Delete the 10 % with (mark & 0xf00) == 0x300",
		      "tool.D.ctnl", "ctnl/this", del);
	print_section(n, "Mark update of every entry (ctnl -U prints each)",
		      "tool.U.ctnl", "ctnl/this", upd);
	print_section(n, "Load a file of one -I line per entry into an empty "
			 "table", "tool.R.ctnl", "ctnl/this", load);
	print_section(n, "Events: the N creates of a refill as NEW events, "
			 "printed", "tool.E.ctnl", "ctnl/this", ev);
}

static void print_size(uint32_t n)
{
	static const char *const dumps[] = { "dump.floor", "dump.list",
		"dump.dump", "dump.nfct", "dump.cli", NULL };
	static const char *const filt[] = { "filt.kernel", "filt.user",
		"filt.cli", "dump.list", NULL };
	static const char *const upd[] = { "upd.floor", "upd.batch",
		"upd.each", "upd.nfct", NULL };
	static const char *const del[] = { "del.ctnl", "del.flush", "del.cli",
		NULL };
	static const char *const flush[] = { "flush.ctnl", "flush.cli", NULL };
	static const char *const ev[] = { "ev.ctnl", "ev.cli", NULL };

	printf("\n=========== %s entries ===========\n", num(n));
	print_section(n, "Full dump of the table (each client its own process)",
		      "dump.list", "list/this", dumps);
	print_section(n, "Dump of the 1 % with (mark & 0xff) == 42",
		      "filt.kernel", "kern/this", filt);
	print_section(n, "Mark update of every entry, a result for each",
		      "upd.batch", "batch/this", upd);
	print_section(n, "Delete the 10 % with (mark & 0xf00) == 0x300",
		      "del.ctnl", "ctnl/this", del);
	print_section(n, "Flush of the whole table (entries/s = table size / "
			 "time)", "flush.ctnl", "ctnl/this", flush);
	print_section(n, "Events: the N creates of a refill as NEW events, "
			 "received and parsed, none lost", "ev.ctnl",
		      "ctnl/this", ev);
	print_instructions(n);
	if (row_find(n, "tool.L.ctnl"))
		print_tool(n);
}

/* Ratio of the medians of two rows at @n, or -1. */
static double ratio(uint32_t n, const char *a, const char *b)
{
	double ma, mb;

	if (!median_sec(row_find(n, a), &ma) ||
	    !median_sec(row_find(n, b), &mb) || mb <= 0)
		return -1;
	return ma / mb;
}

static void verdict(bool measured, bool met, const char *fmt, ...)
{
	va_list ap;

	printf("  %-9s ", !measured ? "n/a" : met ? "MET" : "NOT MET");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void print_tool_targets(uint32_t big)
{
	double x;

	printf("\n=========== Targets of issue 13: ctnl against conntrack (at "
	       "%s entries, whole process) ===========\n", num(big));
	x = ratio(big, "tool.L.ct", "tool.L.ctnl");
	verdict(x > 0, x >= 2, "ctnl -L speed-up over conntrack -L: %.2fx "
		"(target >= 2x)", x);
	x = ratio(big, "tool.format", "dump.dump");
	verdict(x > 0, x > 0 && x < 0.2, "formatting every line / the "
		"library's streaming dump: %.2f (target < 0.2)", x);
	x = ratio(big, "tool.json", "tool.list");
	verdict(x > 0, x > 0 && x <= 1.3, "ctnl list -o json / ctnl list "
		"(text): %.2f (target <= 1.3; / ctnl -L: %.2f)", x,
		ratio(big, "tool.json", "tool.L.ctnl"));
	x = ratio(big, "tool.D.ct", "tool.D.ctnl");
	verdict(x > 0, x >= 1.8, "ctnl -D of 10 %% by mark, speed-up over "
		"conntrack -D: %.2fx (target >= 1.8x)", x);
	x = ratio(big, "upd.nfct", "tool.U.ctnl");
	verdict(x > 0, x >= 3, "ctnl -U of every entry's mark, speed-up over "
		"libnetfilter_conntrack one query each: %.2fx (target >= 3x)",
		x);
	x = ratio(big, "tool.R.ct", "tool.R.ctnl");
	verdict(x > 0, x >= 3, "ctnl -R of %s -I lines, speed-up over "
		"conntrack -R: %.2fx (target >= 3x)", num(big), x);
	x = ratio(big, "tool.R.ctnl", "tool.R.lib");
	verdict(x > 0, x > 0 && x <= 1.5, "ctnl -R / the library's batched "
		"create of the same entries: %.2f (target <= 1.5)", x);
	x = ratio(big, "ev.cli", "tool.E.ctnl");
	verdict(x > 0, x >= 25, "ctnl -E speed-up over conntrack -E: %.1fx "
		"(target: the library's ~30x lead kept, >= 25x; the "
		"library's: %.1fx)", x, ratio(big, "ev.cli", "ev.ctnl"));
}

static void print_targets(void)
{
	uint32_t big = 0;
	const struct row *r;
	double x;

	for (int i = 0; i < nsizes; i++)
		if (sizes[i] > big)
			big = sizes[i];
	printf("\n=========== Targets of issue 7 (at %s entries unless said; "
	       "ratios of medians in this run) ===========\n", num(big));

	r = row_find(callgrind_size, "cg.dump");
	x = r ? r->ir_per_entry : -1;
	verdict(x > 0, x > 0 && x <= 1000,
		"whole streaming dump, parse of the full flow model included: "
		"%.0f user-space instructions per entry (target <= 1,000; "
		"ctnl_flow_parse alone: %.0f)", x,
		row_find(callgrind_size, "cg.parse")
			? row_find(callgrind_size, "cg.parse")->ir_per_entry
			: -1);
	x = ratio(big, "dump.list", "dump.floor");
	verdict(x > 0, x > 0 && x <= 1.25,
		"full list / raw floor wall time: %.2f (target <= 1.25)", x);
	x = ratio(big, "dump.nfct", "dump.list");
	verdict(x > 0, x >= 1.4,
		"full list speed-up over libnetfilter_conntrack: %.2fx "
		"(target >= 1.4x)", x);

	long worst = -1;
	uint32_t worst_at = 0;

	for (int i = 0; i < nsizes; i++) {
		r = row_find(sizes[i], "dump.dump");
		if (r && r->n && peak_rss(r) > worst) {
			worst = peak_rss(r);
			worst_at = sizes[i];
		}
	}
	verdict(worst > 0, worst > 0 && worst < 4096,
		"streaming dump peak RSS: %.1f MiB at most (at %s entries; "
		"target < 4 MiB at every size)", (double)worst / 1024,
		num(worst_at));
	r = row_find(big, "dump.list");
	if (r && r->n) {
		double own = (double)r->s[0].count * sizeof(struct ctnl_flow);

		x = (double)peak_rss(r) * 1024 / own;
		verdict(true, x <= 1.5,
			"list peak RSS / the flows' own size (%s x %zu B = "
			"%.1f MiB): %.2f (target <= 1.5)",
			num(r->s[0].count), sizeof(struct ctnl_flow),
			own / 1048576, x);
	} else {
		verdict(false, false, "list peak RSS / the flows' own size");
	}
	for (int i = 0; i < nsizes; i++) {
		if (sizes[i] != 100000 && sizes[i] != 250000)
			continue;
		x = ratio(sizes[i], "upd.batch", "upd.floor");
		verdict(x > 0, x > 0 && x <= 1.15,
			"batched mark update of %s / raw batched-with-ACK floor: "
			"%.2f (target <= 1.15)", num(sizes[i]), x);
	}
	x = ratio(big, "del.cli", "del.ctnl");
	verdict(x > 0, x >= 2,
		"delete 10 %% by mark, speed-up over conntrack -D -m: %.2fx "
		"counted (target >= 2x); %.2fx uncounted", x,
		ratio(big, "del.cli", "del.flush"));
	x = ratio(big, "filt.kernel", "dump.list");
	verdict(x > 0, x > 0 && x <= 0.25,
		"kernel-filtered 1 %% dump / full libctnl list: %.3f "
		"(target <= 0.25)", x);
	if (row_find(big, "tool.L.ctnl"))
		print_tool_targets(big);
}

/* ---- Context: what a reader needs to judge a run ---- */

/* Ticks the whole machine spent, from /proc/stat. */
struct cpu_times {
	unsigned long long user;	/* user + nice */
	unsigned long long kernel;	/* system + irq + softirq */
	unsigned long long steal;	/* taken by the hypervisor */
};

static struct cpu_times cpu_times(void)
{
	struct cpu_times t = { 0, 0, 0 };
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");

	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) == 8) {
			t.user = v[0] + v[1];
			t.kernel = v[2] + v[5] + v[6];
			t.steal = v[7];
		}
		fclose(f);
	}
	return t;
}

static void loadavg(char *buf, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "re");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static void first_line_of(const char *cmd, char *buf, size_t size)
{
	FILE *p = popen(cmd, "r");

	buf[0] = '\0';
	if (p) {
		if (fgets(buf, (int)size, p))
			buf[strcspn(buf, "\n")] = '\0';
		while (fgetc(p) != EOF)
			;
		pclose(p);
	}
}

static void print_context(void)
{
	struct utsname u;
	char line[512], cpu[256] = "?", la[128];
	time_t t = time(NULL);
	FILE *f;

	uname(&u);
	f = fopen("/proc/cpuinfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10)) {
				snprintf(cpu, sizeof(cpu), "%s",
					 strchr(line, ':') + 2);
				cpu[strcspn(cpu, "\n")] = '\0';
				break;
			}
		fclose(f);
	}
	strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
	printf("ctnl-bench: libctnl against the other conntrack clients\n");
	printf("  date        %s\n", line);
	printf("  kernel      %s %s (%s)\n", u.sysname, u.release, u.machine);
	printf("  cpu         %s, %ld online\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN));
	loadavg(la, sizeof(la));
	printf("  load avg    %s (at start)\n", la);
	printf("  libctnl     %s\n",
	       getenv("BENCH_GIT") ? getenv("BENCH_GIT") : "(revision unknown)");
	first_line_of("dpkg-query -W -f '${Version}' libnetfilter-conntrack3 "
		      "2>/dev/null", line, sizeof(line));
	printf("  peers       libnetfilter_conntrack %s, ", line);
	first_line_of("dpkg-query -W -f '${Version}' libmnl0 2>/dev/null", line,
		      sizeof(line));
	printf("libmnl %s, ", line);
	first_line_of("conntrack --version 2>&1", line, sizeof(line));
	printf("%s\n", line);
	first_line_of("cat /proc/sys/net/netfilter/nf_conntrack_count "
		      "2>/dev/null", line, sizeof(line));
	printf("  host table  %s entries in the host's namespace (dumps walk "
	       "the global hash: every namespace's entries cost)\n",
	       line[0] ? line : "?");
	printf("  runs        %d per figure; median, min, max\n", runs);
}

static void print_exec_cost(void)
{
	char *argv[] = { "conntrack", "--version", NULL };
	char err[256];
	struct sample s;
	double v[MAX_RUNS];
	int k = 0;

	for (int i = 0; i < runs && i < MAX_RUNS; i++)
		if (run_command(&s, err, sizeof(err), argv))
			v[k++] = s.sec;
	if (k == 0)
		return;
	qsort(v, (size_t)k, sizeof(v[0]), cmp_double);
	printf("  exec        %.1f ms: fork to exit of `conntrack --version`, "
	       "included in every conntrack figure (library clients time "
	       "only their operation)\n", v[k / 2] * 1e3);
}

/* ---- Main ---- */

/* Removes the callgrind files and their directory, however the run ends. */
/* The largest size asked for: where ctnl meets conntrack. */
static uint32_t biggest(void)
{
	uint32_t big = 0;

	for (int i = 0; i < nsizes; i++)
		if (sizes[i] > big)
			big = sizes[i];
	return big;
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(tmpdir);
}

static void parse_sizes(const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;

	nsizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok && nsizes < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save))
		sizes[nsizes++] = (uint32_t)bench_arg_u64(tok, "size");
	free(copy);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ctnl-bench [-n RUNS] [-s SIZE[,SIZE...]] "
		"[-c CALLGRIND_SIZE|0] [-t|-T]\n"
		"  defaults: -n 5 -s 10000,100000,250000 -c 100000\n"
		"  -t: only ctnl against conntrack (and the library rows it is "
		"compared with)\n"
		"  -T: not ctnl against conntrack\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct cpu_times c0, c1;
	struct rusage self, kids;
	char la[128];
	double t_start = now();
	int opt;

	while ((opt = getopt(argc, argv, "n:s:c:tTh")) != -1) {
		switch (opt) {
		case 't':
			tool = only_tool = true;
			break;
		case 'T':
			tool = only_tool = false;
			break;
		case 'n':
			runs = (int)bench_arg_u64(optarg, "runs");
			if (runs < 1 || runs > MAX_RUNS)
				usage();
			break;
		case 's':
			parse_sizes(optarg);
			break;
		case 'c':
			callgrind_size = (uint32_t)bench_arg_u64(optarg,
								 "size");
			break;
		default:
			usage();
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ctnl-bench: needs root, to make a private "
				"network namespace and fill its table\n");
		return 77;
	}
	snprintf(bindir, sizeof(bindir), "%s", argv[0]);
	{
		char self_exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self_exe,
				     sizeof(self_exe) - 1);

		if (n > 0) {
			self_exe[n] = '\0';
			snprintf(bindir, sizeof(bindir), "%s",
				 dirname(self_exe));
		}
	}
	if (!mkdtemp(tmpdir)) {
		perror("ctnl-bench: mkdtemp");
		return 1;
	}
	atexit(remove_tmpdir);

	print_context();
	/* From here on, only a namespace of our own: never the host's table. */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("ctnl-bench: unshare(CLONE_NEWNET)");
		return 1;
	}
	print_exec_cost();
	setvbuf(stdout, NULL, _IOLBF, 0);
	c0 = cpu_times();

	for (int i = 0; i < nsizes; i++) {
		uint32_t n = sizes[i];
		double fill_sec = 0;

		if (only_tool && n != biggest())
			continue;
		fprintf(stderr, "ctnl-bench: %s entries...\n", num(n));
		flush_table();
		must(fill(n, -1, &fill_sec), "fill");
		expect_count(n, "the fill");
		printf("\n(%s entries: filled with batched libctnl creates in "
		       "%.0f ms, %.0fk creates/s)\n", num(n), fill_sec * 1e3,
		       n / fill_sec / 1e3);
		bench_dumps(n);
		if (n == callgrind_size && !only_tool)
			bench_instructions(n);
		if (!only_tool)
			bench_filtered(n);
		bench_updates(n);
		if (!only_tool) {
			bench_delete(n);
			bench_flush(n);
		}
		bench_events(n);
		if (tool && n == biggest())
			bench_tool(n);
		print_size(n);
	}
	flush_table();

	c1 = cpu_times();
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	print_targets();

	/*
	 * How busy the machine was with work other than this run. User time
	 * of other processes (compilers, tests) is the clear sign of a noisy
	 * run; kernel time beyond ours also holds work this run deferred
	 * (freeing flushed entries after an RCU grace period, for one).
	 */
	long hz = sysconf(_SC_CLK_TCK);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double wall = now() - t_start, cpus = wall * (double)ncpu;
	double user = (double)(c1.user - c0.user) / (double)hz -
		      tv_sec(self.ru_utime) - tv_sec(kids.ru_utime);
	double kernel = (double)(c1.kernel - c0.kernel) / (double)hz -
			tv_sec(self.ru_stime) - tv_sec(kids.ru_stime);
	double steal = (double)(c1.steal - c0.steal) / (double)hz;

	user = user > 0 ? user / cpus : 0;
	kernel = kernel > 0 ? kernel / cpus : 0;
	steal /= cpus;
	loadavg(la, sizeof(la));
	printf("\nRun took %.0f s. Load avg at the end: %s.\n"
	       "Of %ld CPUs during the run, other processes used %.0f %% in "
	       "user space, the kernel %.0f %% beyond this run's system "
	       "time, the hypervisor stole %.0f %%.%s\n", wall, la, ncpu,
	       user * 100, kernel * 100, steal * 100,
	       user > 0.05 || steal > 0.05
		       ? "\nNOISY: re-run on a quiet machine before trusting "
			 "wall-clock figures (instruction counts stand)."
		       : "");
	if (failures)
		printf("%d check(s) FAILED: see the messages on stderr\n",
		       failures);
	return failures ? 1 : 0;
}
