/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The drivers' shared machinery: see harness.h. Moved here unchanged from
 * driver.c when a second driver (agents.c) needed the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "harness.h"

int runs = 5;
int failures;
static char bindir[PATH_MAX / 2];

void harness_init(const char *argv0)
{
	char self_exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	snprintf(bindir, sizeof(bindir), "%s", argv0);
	if (n > 0) {
		self_exe[n] = '\0';
		snprintf(bindir, sizeof(bindir), "%s", dirname(self_exe));
	}
}

char *client_path(const char *name)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", bindir, name);
	return p;
}

/* ---- Results ---- */

static struct row rows[MAX_ROWS];
static int nrows;

struct row *row_get(uint32_t size, const char *key, const char *label)
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

struct row *row_find(uint32_t size, const char *key)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].size == size && !strcmp(rows[i].key, key))
			return &rows[i];
	return NULL;
}

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of a field over a row's samples. */
bool stats(const struct row *r, double *med, double *min, double *max)
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

double median_of(const struct row *r, size_t field_off)
{
	double v[MAX_RUNS];

	for (int i = 0; i < r->n; i++)
		v[i] = *(const double *)((const char *)&r->s[i] + field_off);
	qsort(v, (size_t)r->n, sizeof(v[0]), cmp_double);
	return r->n % 2 ? v[r->n / 2] : (v[r->n / 2 - 1] + v[r->n / 2]) / 2;
}

long peak_rss(const struct row *r)
{
	long m = -1;

	for (int i = 0; i < r->n; i++)
		if (r->s[i].rss_kib > m)
			m = r->s[i].rss_kib;
	return m;
}

bool median_sec(const struct row *r, double *med)
{
	double lo, hi;

	return stats(r, med, &lo, &hi);
}

/* ---- Running processes ---- */

double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/*
 * Starts @argv with stdin/stdout/stderr as asked. The child dies with the
 * driver (PR_SET_PDEATHSIG), so an interrupted run leaves nothing behind.
 */
int spawn(struct proc *p, char *const argv[], int in, int out, int err)
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
void read_all(int fd, char *buf, size_t size)
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

int finish(struct proc *p, struct rusage *ru)
{
	int status;

	while (wait4(p->pid, &status, 0, ru) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Parses a client's "ok ns=... count=... rss=... [note=...]" line. */
bool parse_report(const char *out, struct sample *s)
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
	/* The events benchmark hands a sample nobody cleared. */
	s->note[0] = '\0';
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
bool run_client_out(struct sample *s, char *out, size_t size,
		    char *const argv[])
{
	struct proc p;
	struct rusage ru;
	int rc;

	memset(s, 0, sizeof(*s));
	if (spawn(&p, argv, TO_NULL, TO_PIPE, 0) < 0)
		return false;
	read_all(p.out, out, size);
	close(p.out);
	rc = finish(&p, &ru);
	s->usr = tv_sec(ru.ru_utime);
	s->sys = tv_sec(ru.ru_stime);
	if (rc != 0 || !parse_report(out, s)) {
		fprintf(stderr, "ctnl-bench: %s %s failed (exit %d)\n",
			argv[0], argv[1], rc);
		return false;
	}
	return true;
}

bool run_client(struct sample *s, const char *client, ...)
{
	char *argv[16], out[1024];
	va_list ap;
	int argc = 0;

	argv[argc++] = client_path(client);
	va_start(ap, client);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return run_client_out(s, out, sizeof(out), argv);
}

/* Seconds on the monotonic clock. */
double now(void)
{
	return (double)bench_now_ns() / 1e9;
}

/*
 * Runs a command (the conntrack program) and times it from fork to exit,
 * so its time includes process start-up (see the header's "exec" line);
 * its peak RSS is ru_maxrss. stdout goes to /dev/null; stderr is kept for
 * the count conntrack prints there.
 */
int run_command_rc(struct sample *s, char *errbuf, size_t errsize,
		   char *const argv[])
{
	struct proc p;
	struct rusage ru;
	double t0;
	int rc;

	memset(s, 0, sizeof(*s));
	t0 = now();
	if (spawn(&p, argv, TO_NULL, TO_NULL, TO_PIPE) < 0)
		return -1;
	read_all(p.err, errbuf, errsize);
	close(p.err);
	rc = finish(&p, &ru);
	s->sec = now() - t0;
	s->usr = tv_sec(ru.ru_utime);
	s->sys = tv_sec(ru.ru_stime);
	s->rss_kib = ru.ru_maxrss;
	return rc;
}

bool run_command(struct sample *s, char *errbuf, size_t errsize,
		 char *const argv[])
{
	int rc = run_command_rc(s, errbuf, errsize, argv);

	if (rc != 0) {
		fprintf(stderr, "ctnl-bench: %s %s failed (exit %d): %s\n",
			argv[0], argv[1], rc, errbuf);
		return false;
	}
	return true;
}

/* conntrack's "N flow entries have been shown/deleted." */
uint64_t conntrack_count(const char *err)
{
	const char *p = strstr(err, "): ");
	unsigned long long n = 0;

	if (p && sscanf(p, "): %llu flow entries", &n) == 1)
		return n;
	return 0;
}

bool run_conntrack(struct sample *s, char *a1, char *a2, char *a3,
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
long table_count(void)
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

void record(struct row *r, bool ok, const struct sample *s,
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

char *num(uint64_t v)
{
	static char bufs[8][24];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, 24, "%" PRIu64, v);
	return b;
}

char *hex(uint32_t v)
{
	static char bufs[8][24];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, 24, "0x%x", v);
	return b;
}

void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "ctnl-bench: %s failed; stopping\n", what);
		exit(1);
	}
}

void expect_count(long want, const char *after)
{
	long got = table_count();

	if (got != want) {
		fprintf(stderr,
			"ctnl-bench: after %s the table holds %ld entries, "
			"expected %ld\n", after, got, want);
		failures++;
	}
}

void flush_table(void)
{
	struct sample s;

	must(run_client(&s, "bench-ctnl", "flush", NULL), "flush");
}

/* Runs the i-th of @k clients in run @r's order: each run starts with a
 * different one, so a load that drifts over a run hurts none in
 * particular. */
int rotate(int i, int r, int k)
{
	return (i + r) % k;
}

/* Reads one line from @fd within @ms; false on timeout or end of file. */
bool read_line(int fd, char *buf, size_t size, int ms)
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

bool say(int fd, uint32_t k)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%u\n", k);

	return write(fd, line, (size_t)len) == len;
}

void quiet(char *const argv[])
{
	struct proc p;
	struct rusage ru;

	if (spawn(&p, argv, TO_NULL, TO_NULL, TO_NULL) == 0)
		finish(&p, &ru);
}

/* Reads what @fd has within @ms: the bytes read, 0 on timeout, -1 at
 * end of file. */
ssize_t read_some(int fd, char *buf, size_t size, int ms)
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
bool count_lines(int fd, uint64_t *lines, uint64_t want, int ms)
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

void print_rate(double per_sec)
{
	if (per_sec >= 1e6)
		printf(" %7.2fM/s", per_sec / 1e6);
	else
		printf(" %7.0fk/s", per_sec / 1e3);
}

void print_section(uint32_t n, const char *title, const char *ref_key,
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

/* Ratio of the medians of two rows at @n, or -1. */
double ratio(uint32_t n, const char *a, const char *b)
{
	double ma, mb;

	if (!median_sec(row_find(n, a), &ma) ||
	    !median_sec(row_find(n, b), &mb) || mb <= 0)
		return -1;
	return ma / mb;
}

void verdict(bool measured, bool met, const char *fmt, ...)
{
	va_list ap;

	printf("  %-9s ", !measured ? "n/a" : met ? "MET" : "NOT MET");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- Context: what a reader needs to judge a run ---- */

struct cpu_times cpu_times(void)
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

void loadavg(char *buf, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "re");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

void first_line_of(const char *cmd, char *buf, size_t size)
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

void print_context(const char *title)
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
	printf("%s\n", title);
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

void print_exec_cost(void)
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

void print_noise(double t_start, struct cpu_times c0)
{
	struct cpu_times c1 = cpu_times();
	struct rusage self, kids;
	char la[128];

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
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
}
