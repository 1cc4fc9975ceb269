/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the benchmark drivers share (ctnl-bench, ctnl-agents): running each
 * measured client as a process of its own, reading its report, keeping
 * the samples of each row, the medians, the printed tables and verdicts,
 * and the account of the machine that says how far to trust a run.
 *
 * A driver calls harness_init() first; `runs` is its number of runs per
 * figure and `failures` counts the checks that failed (its exit status).
 */
#ifndef CTNL_BENCH_HARNESS_H
#define CTNL_BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>

#define MAX_RUNS 32
#define MAX_ROWS 320

extern int runs;		/* runs per figure */
extern int failures;		/* checks that failed so far */

/* Finds the client programs beside the running driver. */
void harness_init(const char *argv0);

/* The path of client program @name; one of four rotating buffers. */
char *client_path(const char *name);

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

/* The row of @key at table size @size, made on first use. */
struct row *row_get(uint32_t size, const char *key, const char *label);
/* The row of @key at @size, or NULL. */
struct row *row_find(uint32_t size, const char *key);

int cmp_double(const void *a, const void *b);
/* Median, min and max wall time over a row's samples; false if none. */
bool stats(const struct row *r, double *med, double *min, double *max);
/* Median of the double at @field_off of each sample. */
double median_of(const struct row *r, size_t field_off);
/* The largest peak RSS of a row's samples, in KiB; -1 if none. */
long peak_rss(const struct row *r);
bool median_sec(const struct row *r, double *med);
/* Ratio of the medians of two rows at @n, or -1. */
double ratio(uint32_t n, const char *a, const char *b);

/*
 * Adds @s to @r when @ok (and, with @check_count, when it counted
 * @want_count entries); otherwise marks the row failed and counts a
 * failure.
 */
void record(struct row *r, bool ok, const struct sample *s,
	    uint64_t want_count, bool check_count);

/* ---- Running processes ---- */

double tv_sec(struct timeval tv);
/* Seconds on the monotonic clock. */
double now(void);

struct proc {
	pid_t pid;
	int out;		/* read end of its stdout, or -1 */
	int err;		/* read end of its stderr, or -1 */
	int in;			/* write end of its stdin, or -1 */
};

enum { TO_PIPE = 1, TO_NULL = 2 };

/* Starts @argv with stdin/stdout/stderr as asked (0: inherited). The
 * child dies with the driver, so an interrupted run leaves nothing. */
int spawn(struct proc *p, char *const argv[], int in, int out, int err);
/* Reads all of @fd into @buf (NUL-terminated, truncated to @size). */
void read_all(int fd, char *buf, size_t size);
/* Waits for @p; its exit status, or 128 + the signal that killed it. */
int finish(struct proc *p, struct rusage *ru);
/* Parses a client's "ok ns=... count=... rss=... [note=...]" line. */
bool parse_report(const char *out, struct sample *s);
/* Runs bench client @client with the NULL-terminated arguments. */
bool run_client(struct sample *s, const char *client, ...);
/* Runs a client given by its whole @argv, keeping its output in @out. */
bool run_client_out(struct sample *s, char *out, size_t size,
		    char *const argv[]);
/* Runs a command, timed from fork to exit; ru_maxrss is its RSS. Its
 * standard error goes to @errbuf. Returns its exit status (-1: not run). */
int run_command_rc(struct sample *s, char *errbuf, size_t errsize,
		   char *const argv[]);
/* The same; false (with a message) unless it exits with 0. */
bool run_command(struct sample *s, char *errbuf, size_t errsize,
		 char *const argv[]);
/* conntrack's "N flow entries have been shown/deleted." */
uint64_t conntrack_count(const char *err);
bool run_conntrack(struct sample *s, char *a1, char *a2, char *a3,
		   char *a4);
/* The namespace's entry count, as the kernel keeps it; -1 if unknown. */
long table_count(void);

/* Decimal and hexadecimal text of a number, in rotating buffers. */
char *num(uint64_t v);
char *hex(uint32_t v);

/* Stops the run (exit 1) when @ok is false. */
void must(bool ok, const char *what);
/* Counts a failure when the table does not hold @want entries. */
void expect_count(long want, const char *after);
/* Empties the namespace's table (bench-ctnl flush). */
void flush_table(void);

/* The client of run @r that goes @i-th of @k: each run starts with a
 * different one. */
int rotate(int i, int r, int k);

/* ---- Talking to long-running clients ---- */

/* Reads one line from @fd within @ms; false on timeout or end of file. */
bool read_line(int fd, char *buf, size_t size, int ms);
/* Writes "@k\n" to @fd. */
bool say(int fd, uint32_t k);
/* Runs a command with no input or output and waits for it. */
void quiet(char *const argv[]);
/* What @fd has within @ms: bytes read, 0 on timeout, -1 at its end. */
ssize_t read_some(int fd, char *buf, size_t size, int ms);
/* Counts the lines arriving on @fd, @ms apart at most, up to @want. */
bool count_lines(int fd, uint64_t *lines, uint64_t want, int ms);

/* ---- Printing ---- */

void print_rate(double per_sec);
/* A table of the rows named by @keys at size @n, with the ratio of
 * @ref_key's median to each row's in the last column. */
void print_section(uint32_t n, const char *title, const char *ref_key,
		   const char *ratio_name, const char *const keys[]);
/* "  MET  ..." / "  NOT MET ..." / "  n/a ..." and the text. */
void verdict(bool measured, bool met, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- Context: what a reader needs to judge a run ---- */

/* Ticks the whole machine spent, from /proc/stat. */
struct cpu_times {
	unsigned long long user;	/* user + nice */
	unsigned long long kernel;	/* system + irq + softirq */
	unsigned long long steal;	/* taken by the hypervisor */
};

struct cpu_times cpu_times(void);
void loadavg(char *buf, size_t size);
void first_line_of(const char *cmd, char *buf, size_t size);
/* Date, kernel, CPU, load, the revision and the peers, under @title. */
void print_context(const char *title);
/* The time to start and end `conntrack --version`. */
void print_exec_cost(void);
/*
 * How long the run took since @t_start and how much of the machine
 * other processes used since @c0; says NOISY when too much.
 */
void print_noise(double t_start, struct cpu_times c0);

#endif /* CTNL_BENCH_HARNESS_H */
