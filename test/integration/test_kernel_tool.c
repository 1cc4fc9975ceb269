/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ctnl tool against the real kernel, in a private network namespace
 * joined by a veth pair to a peer (real TCP, UDP, ICMP and ICMPv6 traffic;
 * conntrack switched on by an nftables rule that also uses labels and an
 * FTP helper), plus SCTP, GRE, UDP-Lite, zoned and unknown-protocol
 * entries, with accounting and timestamps on. `conntrack` is the witness:
 *
 *   - ctnl list and conntrack -L print the same lines, whatever -o flags
 *     and filters, ignoring only what ticks between two runs (timeout,
 *     delta-time); the same for get, for the expectation table and for
 *     another namespace's table;
 *   - ctnl list -o json holds what libctnl parsed, field by field;
 *   - update and delete change what they say, and say how many;
 *   - every error path has its message and exit status.
 *
 * Under load nothing here may depend on how fast things run: entries live
 * an hour, every wait ends when what it waits for is there (or at the
 * test's deadline), no check compares clocks, and every program started
 * in the background runs under `timeout -k` in a process group of its
 * own that the test kills when it ends, however it ends.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>

#include "netns.h"
#include "peer.h"

#define CONNLABELS "1 one\n3 three\n100 hundred\n127 top\n"
#define FTP_PORT_V4 21000
#define FTP_PORT_V6 21001
#define OUT_MAX (256 * 1024)

/* How long every entry and expectation the tests make lives: far longer
 * than the slowest run (the ASan build on a loaded machine took 237 s). */
#define LIFE "3600"
/* The bound on one background program's life, then SIGKILL 5 s on. */
#define BG "timeout -k 5 120 "

static struct peer peer;
static unsigned short next_port = 30000;
static char err_path[64];

/* The programs started in the background, each the leader of a process
 * group of its own (timeout(1) makes one). */
static pid_t background[8];
static int nbackground;

/* Kills what start_background() started and is still there, with
 * everything it started. */
static void stop_background(void)
{
	while (nbackground > 0)
		kill(-background[--nbackground], SIGKILL);
}

/* ---- Running commands ---- */

struct cmd {
	int status;
	char out[OUT_MAX];
	char err[8192];
};

__attribute__((format(printf, 2, 3)))
static void run(struct cmd *c, const char *fmt, ...)
{
	char args[2048];
	FILE *f;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	c->status = test_capture(c->out, sizeof(c->out), "%s 2>%s", args,
				 err_path);
	c->err[0] = '\0';
	f = fopen(err_path, "r");
	if (f) {
		n = fread(c->err, 1, sizeof(c->err) - 1, f);
		c->err[n] = '\0';
		fclose(f);
	}
}

#define TOOL CTNL_TOOL

/* ---- Traffic ---- */

struct table {
	int fds[8];
	int nfds;
	unsigned short tcp4, tcp6, udp4, udp6, icmp_id;
};

/* An FTP control connection from @sport that announces a data port:
 * the helper (attached by the ruleset to that source port) turns it
 * into an expectation. The first line only teaches the helper where
 * lines start. */
static int ftp_announce(int family, unsigned short sport)
{
	const char *port_cmd = family == AF_INET
				       ? "PORT 10,77,0,1,100,100\r\n"
				       : "EPRT |2|fd77::1|25700|\r\n";
	struct pollfd pfd = { .events = POLLIN };
	char buf[128];
	int fd = tcp_open(family, sport);

	if (fd < 0)
		return -1;
	pfd.fd = fd;
	if (write(fd, "NOOP\r\n", 6) != 6 || poll(&pfd, 1, 3000) != 1 ||
	    read(fd, buf, sizeof(buf)) <= 0 ||
	    write(fd, port_cmd, strlen(port_cmd)) != (ssize_t)strlen(port_cmd) ||
	    poll(&pfd, 1, 3000) != 1 || read(fd, buf, sizeof(buf)) <= 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void must(int status, const char *what)
{
	if (status != 0)
		fail_msg("setting up the table: %s failed (%d)", what, status);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How long a wait may last before it fails; the test's own deadline
 * (TEST_DEADLINE) ends it earlier if it must. */
#define WAIT_SECONDS 60

/* Waits until two reads of the table, a quarter second apart, agree
 * (timeouts aside): the last delayed ACKs have been counted. */
static void settle(void)
{
	static char a[OUT_MAX], b[OUT_MAX];

	for (double end = now() + WAIT_SECONDS; now() < end;) {
		test_capture(a, sizeof(a), "conntrack -L 2>/dev/null | "
			     "sed 's/^\\([a-z0-9]* *[0-9]*\\) [0-9]*/\\1/;"
			     "s/delta-time=[0-9]*//' | sort");
		usleep(250000);
		test_capture(b, sizeof(b), "conntrack -L 2>/dev/null | "
			     "sed 's/^\\([a-z0-9]* *[0-9]*\\) [0-9]*/\\1/;"
			     "s/delta-time=[0-9]*//' | sort");
		if (strcmp(a, b) == 0)
			return;
	}
	fail_msg("the table did not settle");
}

/*
 * Every kind of entry the comparison must cover. Marks, zones and labels
 * are set with ctnl itself, and shown by both.
 */
static void build_table(struct table *t)
{
	struct cmd *c = malloc(sizeof(*c));

	assert_non_null(c);
	memset(t, 0, sizeof(*t));
	must(test_run("conntrack -F 2>/dev/null"), "conntrack -F");
	t->tcp4 = next_port++;
	t->tcp6 = next_port++;
	t->udp4 = next_port++;
	t->udp6 = next_port++;
	t->icmp_id = next_port++;
	t->fds[t->nfds++] = tcp_open(AF_INET, t->tcp4);
	t->fds[t->nfds++] = tcp_open(AF_INET6, t->tcp6);
	t->fds[t->nfds++] = ftp_announce(AF_INET, FTP_PORT_V4);
	t->fds[t->nfds++] = ftp_announce(AF_INET6, FTP_PORT_V6);
	for (int i = 0; i < t->nfds; i++)
		assert_true(t->fds[i] >= 0);
	must(udp_exchange(AF_INET, t->udp4), "UDP");
	must(udp_exchange(AF_INET6, t->udp6), "UDPv6");
	must(icmp_echo(AF_INET, t->icmp_id), "ICMP");
	must(icmp_echo(AF_INET6, t->icmp_id), "ICMPv6");
	must(test_run("conntrack -I -p sctp -s 10.5.0.1 -d 10.5.0.2 --sport 7 "
		      "--dport 8 --state ESTABLISHED -t " LIFE " --orig-vtag 1 "
		      "--reply-vtag 2 2>/dev/null"), "SCTP");
	must(test_run("conntrack -I -p sctp -s fd05::1 -d fd05::2 --sport 7 "
		      "--dport 8 --state COOKIE_WAIT -t " LIFE " --orig-vtag 3 "
		      "--reply-vtag 4 2>/dev/null"), "SCTPv6");
	must(test_run("conntrack -I -p gre -s 10.6.0.1 -d 10.6.0.2 --srckey 1 "
		      "--dstkey 2 -t " LIFE " 2>/dev/null"), "GRE");
	must(test_run("conntrack -I -p udplite -s 10.6.0.1 -d 10.6.0.2 "
		      "--sport 9 --dport 9 -t " LIFE " 2>/dev/null"), "UDP-Lite");
	must(test_run("conntrack -I -p udp -s 10.7.0.1 -d 10.7.0.2 --sport 1 "
		      "--dport 2 -t " LIFE " -w 7 2>/dev/null"), "zone");
	must(test_run("conntrack -I -p udp -s 10.7.0.1 -d 10.7.0.2 --sport 3 "
		      "--dport 4 -t " LIFE " --orig-zone 3 2>/dev/null"),
	     "orig zone");
	must(test_run("conntrack -I -p tcp -s fd07::1 -d fd07::2 --sport 5 "
		      "--dport 6 --state SYN_SENT -t " LIFE " --reply-zone 4 "
		      "2>/dev/null"), "reply zone");
	/* An entry of a protocol conntrack has no name for. */
	run(c, TOOL " create -p 253 -s 10.8.0.1 -d 10.8.0.2 -t " LIFE);
	must(c->status, c->err);
	run(c, TOOL " update -p tcp -s 10.77.0.1 -d 10.77.0.2 --sport %u "
		    "--dport 8080 -m 42", t->tcp4);
	must(c->status, c->err);
	run(c, TOOL " update -p udp -s fd77::1 -d fd77::2 --sport %u --dport "
		    "%u -m 0x2a", t->udp6, PEER_UDP_PORT);
	must(c->status, c->err);
	run(c, TOOL " update -p udp -s 10.77.0.1 -d 10.77.0.2 --sport %u "
		    "--dport %u --label-add one,hundred", t->udp4,
	    PEER_UDP_PORT);
	must(c->status, c->err);
	/* Label 50 has no name: conntrack prints a bare "labels". */
	run(c, TOOL " update -p tcp -s fd77::1 -d fd77::2 --sport %u --dport "
		    "8080 --label-add 50", t->tcp6);
	must(c->status, c->err);
	free(c);
	settle();
}

static void end_table(struct table *t)
{
	for (int i = 0; i < t->nfds; i++)
		close(t->fds[i]);
}

/* ---- Comparing lines ---- */

#define LINES_MAX 512

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replaces the timeout (the token after "proto num", or first for an
 * expectation) with "T": it ticks between two reads. */
static void mask_timeout(char *line, bool expectation, bool extended)
{
	char *s = line, *end;
	int skip = expectation ? 0 : extended ? 4 : 2;

	for (int i = 0; i < skip; i++) {
		s += strcspn(s, " ");
		s += strspn(s, " ");
	}
	end = s + strspn(s, "0123456789");
	if (end == s || (*end != ' ' && *end != '\0'))
		return;
	*s = 'T';
	memmove(s + 1, end, strlen(end) + 1);
}

static int split_lines(char *text, char **lines, bool expectation,
		       bool extended)
{
	int n = 0;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save);
	     l && n < LINES_MAX; l = strtok_r(NULL, "\n", &save)) {
		mask_timeout(l, expectation, extended);
		lines[n++] = l;
	}
	qsort(lines, (size_t)n, sizeof(*lines), by_string);
	return n;
}

/* The number in "...: N flow entries have been shown." */
static long shown(const char *err)
{
	const char *colon = strstr(err, "): ");

	return colon ? strtol(colon + 3, NULL, 10) : -1;
}

/* Replaces every "delta-time=N" with "delta-time=D": the two programs
 * run one after the other, maybe seconds apart on a loaded machine. */
static void mask_delta_time(char *text)
{
	static const char key[] = "delta-time=";
	char *s = text;

	while ((s = strstr(s, key)) != NULL) {
		char *digits = s + sizeof(key) - 1;
		char *end = digits + strspn(digits, "0123456789");

		if (end == digits)
			fail_msg("delta-time without a number: %s", text);
		*digits = 'D';
		memmove(digits + 1, end, strlen(end) + 1);
		s = digits + 1;
	}
}

/*
 * Runs `conntrack ARGS` and `ctnl ARGS2` and compares their lines, sorted
 * (the kernel's hash order may differ between two dumps), timeouts and
 * delta-times masked. Returns the number of lines.
 */
static int compare(const char *witness_args, const char *tool_args,
		   bool expectation)
{
	static struct cmd a, b;
	static char *la[LINES_MAX], *lb[LINES_MAX];
	bool extended = strstr(tool_args, "extended") != NULL;
	int na = 0, nb = 0;

	run(&a, "conntrack %s", witness_args);
	run(&b, TOOL " %s", tool_args);
	mask_delta_time(a.out);
	mask_delta_time(b.out);
	if (a.status != 0 || b.status != 0)
		fail_msg("conntrack %s: %d %s\nctnl %s: %d %s", witness_args,
			 a.status, a.err, tool_args, b.status, b.err);
	if (shown(a.err) != shown(b.err))
		fail_msg("conntrack %s and ctnl %s count differently:\n%s%s%s%s",
			 witness_args, tool_args, a.err, b.err, a.out, b.out);
	na = split_lines(a.out, la, expectation, extended);
	nb = split_lines(b.out, lb, expectation, extended);
	for (int i = 0; i < na || i < nb; i++) {
		if (i < na && i < nb && strcmp(la[i], lb[i]) == 0)
			continue;
		fail_msg("conntrack %s and ctnl %s differ:\n  conntrack: %s\n"
			 "  ctnl:      %s", witness_args, tool_args,
			 i < na ? la[i] : "(none)", i < nb ? lb[i] : "(none)");
	}
	return na;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" lacks \"%s\"", text, needle);
}

/* ---- Tests ---- */

static int setup(void **state)
{
	struct table *t = malloc(sizeof(*t));

	test_deadline();
	assert_non_null(t);
	build_table(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	stop_background();
	end_table(*state);
	free(*state);
	return 0;
}

/* The table holds what the comparison is meant to cover. */
static void test_table_holds_every_kind(void **state)
{
	static const char *const kinds[] = {
		"tcp      6 ", "udp      17 ", "icmp     1 ", "icmpv6   58 ",
		"sctp     132 ", "gre      47 ", "udplite  136 ",
		"unknown  253 ", " ESTABLISHED src=10.77.0.1 ",
		" ESTABLISHED src=fd77::1 ", " COOKIE_WAIT src=fd05::1",
		"src=fd77::1 dst=fd77::2 sport=", " [ASSURED] ", " [UNREPLIED] ",
		" mark=42 ", " zone=7 ", " zone-orig=3 ", " zone-reply=4 ",
		" packets=", " bytes=", " delta-time=", " helper=ftp ",
		" labels=one,hundred", " labels\n", " srckey=0x1 ",
		" type=8 code=0 id=", " type=128 code=0 id=",
	};
	static struct cmd c;

	(void)state;
	run(&c, TOOL " list -o labels");
	assert_int_equal(c.status, 0);
	strcat(c.out, "\n");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		assert_has(c.out, kinds[i]);
	run(&c, TOOL " list --table expect");
	assert_has(c.out, " helper=ftp\n");
	assert_has(c.out, "master-src=fd77::1 ");
}

/* Line for line, with every -o variant conntrack has. */
static void test_list_prints_as_conntrack(void **state)
{
	static const char *const variants[] = {
		"", "-o labels", "-o id", "-o extended",
		"-o labels,id,extended",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char w[64], t[64];

		snprintf(w, sizeof(w), "-L %s", variants[i]);
		snprintf(t, sizeof(t), "list %s", variants[i]);
		assert_true(compare(w, t, false) >= 16);
	}
	/* conntrack -L expect shows IPv4 expectations only unless given
	 * -f; ctnl shows both families unless given -f. */
	assert_int_equal(compare("-L expect -f ipv4",
				 "list --table expect -f ipv4", true), 1);
	assert_int_equal(compare("-L expect -f ipv6",
				 "list --table expect -f ipv6", true), 1);
	assert_int_equal(compare("-L expect", "list --table expect -f ipv4",
				 true), 1);
}

/* Filters ctnl applies itself or with the kernel's simple filters
 * (mark, zone, status, family). */
static void test_filtered_list_prints_as_conntrack(void **state)
{
	static const char *const filters[] = {
		"-p tcp", "-p udp", "-p icmpv6", "-f ipv6", "-m 42",
		"-m 0x2a/0xff", "-w 7", "-u ASSURED", "-u SEEN_REPLY",
		"-p tcp --state ESTABLISHED", "-p sctp --state COOKIE_WAIT",
		"-p icmp --icmp-type 8", "-s 10.77.0.0/24", "-d fd77::/64",
		"-l one", "-l one,hundred",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		char w[96], t[96];

		snprintf(w, sizeof(w), "-L %s", filters[i]);
		snprintf(t, sizeof(t), "list %s", filters[i]);
		compare(w, t, false);
	}
}

/*
 * Filters the kernel applies with CTA_FILTER (exact addresses, protocol
 * and ports with a family). A libctnl that sends CTA_FILTER's flags in
 * the wrong byte order gets -EINVAL for these from 6.18: then this test
 * says so and is skipped.
 */
static void test_kernel_filtered_list_prints_as_conntrack(void **state)
{
	struct table *tb = *state;
	static const char *const filters[] = {
		"-s 10.77.0.1", "-d 10.77.0.2 -p tcp", "-f ipv4 -p udp",
		"-r 10.77.0.2", "-q 10.77.0.1 -p icmp", "-s fd77::1",
		"-f ipv6 -p tcp --dport 8080",
	};
	char args[96];

	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		char w[96];

		snprintf(w, sizeof(w), "-L %s", filters[i]);
		snprintf(args, sizeof(args), "list %s", filters[i]);
		assert_true(compare(w, args, false) >= 1);
	}
	snprintf(args, sizeof(args), "-p udp -f ipv4 --sport %u", tb->udp4);
	{
		char w[128], t[128];

		snprintf(w, sizeof(w), "-L %s", args);
		snprintf(t, sizeof(t), "list %s", args);
		assert_int_equal(compare(w, t, false), 1);
	}
}

/* get prints what conntrack -G prints, by either direction's tuple. */
static void test_get_prints_as_conntrack(void **state)
{
	struct table *t = *state;
	char w[256], g[256];

	snprintf(w, sizeof(w), "-G -p tcp -s 10.77.0.1 -d 10.77.0.2 --sport "
		 "%u --dport 8080", t->tcp4);
	snprintf(g, sizeof(g), "get -p tcp -s 10.77.0.1 -d 10.77.0.2 --sport "
		 "%u --dport 8080", t->tcp4);
	assert_int_equal(compare(w, g, false), 1);
	snprintf(w, sizeof(w), "-G -p udp -s fd77::1 -d fd77::2 --sport %u "
		 "--dport %u", t->udp6, PEER_UDP_PORT);
	snprintf(g, sizeof(g), "get -p udp -s fd77::1 -d fd77::2 --sport %u "
		 "--dport %u", t->udp6, PEER_UDP_PORT);
	assert_int_equal(compare(w, g, false), 1);
	snprintf(w, sizeof(w), "-G -p icmp -s 10.77.0.1 -d 10.77.0.2 "
		 "--icmp-type 8 --icmp-code 0 --icmp-id %u", t->icmp_id);
	snprintf(g, sizeof(g), "get -p icmp -s 10.77.0.1 -d 10.77.0.2 "
		 "--icmp-type 8 --icmp-code 0 --icmp-id %u", t->icmp_id);
	assert_int_equal(compare(w, g, false), 1);
	/* conntrack -G cannot name an entry by its reply tuple; ctnl can,
	 * and finds the same line. */
	snprintf(w, sizeof(w), "-G -p tcp -s 10.77.0.1 -d 10.77.0.2 --sport "
		 "%u --dport 8080", t->tcp4);
	snprintf(g, sizeof(g), "get -p tcp -r 10.77.0.2 -q 10.77.0.1 "
		 "--reply-port-src 8080 --reply-port-dst %u", t->tcp4);
	assert_int_equal(compare(w, g, false), 1);
}

/* ---- JSON, against the flows libctnl parsed ---- */

#define FIELDS_MAX 96

struct jfield {
	char path[96];	/* as long as the longest built, sub[] */
	char value[160];
};

struct jobj {
	struct jfield f[FIELDS_MAX];
	int n;
};

static const char *ws(const char *s)
{
	return s + strspn(s, " \t");
}

static const char *jstring(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (*s++ != '"')
		return NULL;
	while (*s && *s != '"') {
		char c = *s++;

		if (c == '\\') {
			c = *s++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'u')
				s += 4, c = '?';
			else if (c != '"' && c != '\\' && c != '/')
				return NULL;
		} else if ((unsigned char)c < 0x20) {
			return NULL;
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	out[n] = '\0';
	return *s == '"' ? s + 1 : NULL;
}

static void add_field(struct jobj *o, const char *path, const char *value)
{
	if (o->n < FIELDS_MAX) {
		snprintf(o->f[o->n].path, sizeof(o->f[0].path), "%s", path);
		snprintf(o->f[o->n].value, sizeof(o->f[0].value), "%s", value);
		o->n++;
	}
}

/*
 * One value. An object's members go into @o as "path.key" fields; any
 * other value is written to @scalar (an array as its elements joined by
 * commas, "" when empty) and *@is_scalar set. NULL on a syntax error.
 */
static const char *jvalue(const char *s, const char *path, struct jobj *o,
			  char *scalar, size_t size, bool *is_scalar)
{
	char key[48], sub[96], item[160];
	bool item_scalar;

	s = ws(s);
	scalar[0] = '\0';
	*is_scalar = *s != '{';
	if (*s == '{') {
		s = ws(s + 1);
		if (*s == '}')
			return s + 1;
		for (;;) {
			s = jstring(ws(s), key, sizeof(key));
			if (!s || *(s = ws(s)) != ':')
				return NULL;
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? "." : "", key);
			s = jvalue(s + 1, sub, o, item, sizeof(item),
				   &item_scalar);
			if (!s)
				return NULL;
			if (item_scalar)
				add_field(o, sub, item);
			s = ws(s);
			if (*s == '}')
				return s + 1;
			if (*s++ != ',')
				return NULL;
		}
	}
	if (*s == '[') {
		size_t n = 0;

		s = ws(s + 1);
		if (*s == ']')
			return s + 1;
		for (;;) {
			s = jvalue(s, path, o, item, sizeof(item),
				   &item_scalar);
			if (!s || !item_scalar)
				return NULL;
			n += (size_t)snprintf(scalar + n, n < size ? size - n : 0,
					      "%s%s", n ? "," : "", item);
			s = ws(s);
			if (*s == ']')
				return s + 1;
			if (*s++ != ',')
				return NULL;
		}
	}
	if (*s == '"')
		return jstring(s, scalar, size);
	{
		size_t len = strspn(s, "-0123456789.eE+");

		if (len == 0) {
			if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)
				len = 4;
			else if (strncmp(s, "false", 5) == 0)
				len = 5;
			else
				return NULL;
		}
		snprintf(scalar, size, "%.*s", (int)len, s);
		return s + len;
	}
}

static bool jparse(const char *line, struct jobj *o)
{
	char scalar[8];
	const char *end;
	bool is_scalar;

	o->n = 0;
	end = jvalue(line, "", o, scalar, sizeof(scalar), &is_scalar);
	return end && *ws(end) == '\0' && line[0] == '{';
}

static const char *jget(const struct jobj *o, const char *path)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->f[i].path, path) == 0)
			return o->f[i].value;
	return NULL;
}

static void expect_field(const struct jobj *o, const char *path,
			 const char *want)
{
	const char *got = jget(o, path);

	if (!got || strcmp(got, want) != 0)
		fail_msg("JSON %s is %s, libctnl parsed %s", path,
			 got ? got : "(missing)", want);
}

static void expect_num(const struct jobj *o, const char *path, uint64_t v)
{
	char want[32];

	snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
	expect_field(o, path, want);
}

static void expect_tuple(const struct jobj *o, const char *dir,
			 const struct ctnl_tuple *t)
{
	char path[48], addr[INET6_ADDRSTRLEN];

	inet_ntop(t->family, &t->src, addr, sizeof(addr));
	snprintf(path, sizeof(path), "%s.src", dir);
	expect_field(o, path, addr);
	inet_ntop(t->family, &t->dst, addr, sizeof(addr));
	snprintf(path, sizeof(path), "%s.dst", dir);
	expect_field(o, path, addr);
	if (t->proto == IPPROTO_GRE) {
		snprintf(path, sizeof(path), "%s.srckey", dir);
		expect_num(o, path, t->port.src);
	} else if (ctnl_proto_has_ports(t->proto)) {
		snprintf(path, sizeof(path), "%s.sport", dir);
		expect_num(o, path, t->port.src);
		snprintf(path, sizeof(path), "%s.dport", dir);
		expect_num(o, path, t->port.dst);
	} else if (t->proto == IPPROTO_ICMP || t->proto == IPPROTO_ICMPV6) {
		snprintf(path, sizeof(path), "%s.type", dir);
		expect_num(o, path, t->icmp.type);
		snprintf(path, sizeof(path), "%s.code", dir);
		expect_num(o, path, t->icmp.code);
		snprintf(path, sizeof(path), "%s.id", dir);
		expect_num(o, path, t->icmp.id);
	}
}

/* @f as libctnl read it after the JSON was written; @before, before. */
static void expect_flow(const struct jobj *o, const struct ctnl_flow *f,
			const struct ctnl_flow *before)
{
	char want[256] = "";
	size_t n = 0;
	long timeout;

	expect_field(o, "family", f->orig.family == AF_INET ? "ipv4" : "ipv6");
	expect_num(o, "protonum", f->orig.proto);
	expect_tuple(o, "orig", &f->orig);
	expect_tuple(o, "reply", &f->reply);
	expect_num(o, "mark", f->mark);
	expect_num(o, "use", f->use);
	expect_num(o, "start", f->start);
	expect_num(o, "orig.packets", f->counters[0].packets);
	expect_num(o, "reply.bytes", f->counters[1].bytes);
	if (f->orig.zone == f->reply.zone && f->orig.zone)
		expect_num(o, "zone", f->orig.zone);
	if (f->orig.zone != f->reply.zone && f->orig.zone)
		expect_num(o, "orig.zone", f->orig.zone);
	if (f->orig.zone != f->reply.zone && f->reply.zone)
		expect_num(o, "reply.zone", f->reply.zone);
	if (f->attrs & CTNL_ATTR_LABELS) {
		for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++)
			if (ctnl_labels_test(&f->labels, bit))
				n += (size_t)snprintf(want + n, sizeof(want) - n,
						      "%s%u", n ? "," : "", bit);
		expect_field(o, "labels", want);
	}
	if (f->attrs & CTNL_ATTR_HELPER)
		expect_field(o, "helper", f->helper);
	if (f->status & CTNL_STATUS_ASSURED)
		assert_non_null(strstr(jget(o, "status"), "ASSURED"));
	assert_non_null(strstr(jget(o, "status"), "CONFIRMED"));
	/* The timeout only goes down: the JSON's lies between libctnl's
	 * reads before and after it, however long apart they were. */
	timeout = strtol(jget(o, "timeout"), NULL, 10);
	if (timeout < (long)f->timeout || timeout > (long)before->timeout)
		fail_msg("JSON timeout %ld, libctnl read %u before and %u "
			 "after", timeout, before->timeout, f->timeout);
}

static const struct ctnl_flow *find_id(const struct ctnl_list *list,
				       const char *id)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->flows[i].id == strtoul(id, NULL, 10))
			return &list->flows[i];
	fail_msg("JSON entry %s is not in libctnl's list", id);
	return NULL;
}

static void test_json_holds_the_parsed_flows(void **state)
{
	static struct cmd c;
	static struct jobj o;
	struct ctnl_list list, before;
	struct ctnl_ct *ct;
	size_t lines = 0;

	(void)state;
	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	assert_true(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &before) >= 16);
	run(&c, TOOL " list -o json");
	assert_int_equal(c.status, 0);
	assert_true(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list) >= 16);
	for (char *save = NULL, *l = strtok_r(c.out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		const char *id;

		if (!jparse(l, &o))
			fail_msg("not one JSON object: %s", l);
		id = jget(&o, "id");
		assert_non_null(id);
		expect_flow(&o, find_id(&list, id), find_id(&before, id));
		lines++;
	}
	assert_int_equal(lines, list.count);
	assert_int_equal(before.count, list.count);
	ctnl_list_free(&before);
	ctnl_list_free(&list);
	ctnl_ct_close(ct);
}

/* ---- Changes ---- */

static int count_lines(const char *cmd)
{
	char out[64];

	assert_int_equal(test_capture(out, sizeof(out), "%s | wc -l", cmd), 0);
	return atoi(out);
}

/* update and delete change what they say, by filter or by tuple, and
 * say how many. */
static void test_update_and_delete_say_how_many(void **state)
{
	static struct cmd c;

	(void)state;
	for (int p = 1; p <= 3; p++)
		must(test_run("conntrack -I -p udp -s 10.9.0.1 -d 10.9.0.2 "
			      "--sport %d --dport 53 -t " LIFE " 2>/dev/null", p),
		     "conntrack -I");
	run(&c, TOOL " update -s 10.9.0.0/24 -m 9 --label-add three");
	assert_int_equal(c.status, 0);
	assert_has(c.err, "): 3 flow entries have been updated.\n");
	assert_int_equal(count_lines("conntrack -L -m 9 -o labels 2>/dev/null"
				     " | grep -c 'labels=three'"), 1);
	assert_int_equal(count_lines("conntrack -L -m 9 2>/dev/null"), 3);

	/* One entry by its tuple, with a mask: (9 & ~0xf0) ^ 0x30. */
	run(&c, TOOL " update -p udp -s 10.9.0.1 -d 10.9.0.2 --sport 1 "
		     "--dport 53 -m 0x30/0xf0 --label-del three");
	assert_int_equal(c.status, 0);
	assert_has(c.err, "): 1 flow entries have been updated.\n");
	assert_int_equal(count_lines("conntrack -L -m 57 2>/dev/null"), 1);
	assert_int_equal(count_lines("conntrack -L -m 57 -o labels "
				     "2>/dev/null | grep labels"), 0);

	run(&c, TOOL " delete -m 9");
	assert_int_equal(c.status, 0);
	assert_has(c.err, "): 2 flow entries have been deleted.\n");
	run(&c, TOOL " delete -p udp -s 10.9.0.1 -d 10.9.0.2 --sport 1 "
		     "--dport 53");
	assert_int_equal(c.status, 0);
	assert_has(c.err, "): 1 flow entries have been deleted.\n");
	assert_int_equal(count_lines("conntrack -L -s 10.9.0.0/24 2>/dev/null"),
			 0);

	/* Filters that match nothing: nothing done, and that is no error. */
	run(&c, TOOL " delete -m 12345");
	assert_int_equal(c.status, 0);
	assert_has(c.err, "): 0 flow entries have been deleted.\n");
}

static void test_create_flush_count(void **state)
{
	static struct cmd c;
	int before;

	(void)state;
	before = count_lines("conntrack -L 2>/dev/null");
	run(&c, TOOL " count");
	assert_int_equal(c.status, 0);
	assert_int_equal(atoi(c.out), before);
	run(&c, TOOL " create -p tcp -s 10.10.0.1 -d 10.10.0.2 --sport 1 "
		     "--dport 2 -t " LIFE " --state ESTABLISHED -m 5 --label-add top "
		     "-w 11");
	assert_int_equal(c.status, 0);
	assert_has(c.err, "): 1 flow entries have been created.\n");
	compare("-L -w 11 -o labels", "list -w 11 -o labels", false);
	run(&c, TOOL " count -o json");
	assert_int_equal(c.status, 0);
	assert_has(c.out, "\"count\":");
	assert_int_equal(atoi(strstr(c.out, "\"count\":") + 8), before + 1);
	run(&c, TOOL " count -w 11");
	assert_string_equal(c.out, "1\n");
}

/* ---- Errors ---- */

struct error_case {
	const char *args;
	int status;
	const char *err;	/* the whole of stderr */
};

static void test_errors_have_their_message_and_status(void **state)
{
	static const struct error_case cases[] = {
		{ "frobnicate", 2,
		  "ctnl: unknown command 'frobnicate' (list, get, create, "
		  "update, delete, flush, count, stats, events)\n"
		  "Try 'ctnl --help'.\n" },
		{ "list --sport 80", 2,
		  "ctnl: --sport: needs -p with a protocol that has ports "
		  "(tcp, udp, udplite, sctp, dccp, gre)\n"
		  "Try 'ctnl list --help'.\n" },
		{ "list -p tcp --dport http", 2,
		  "ctnl: --dport: 'http' is not a port number (0-65535)\n"
		  "Try 'ctnl list --help'.\n" },
		{ "get -p tcp -s 10.77.0.1", 2,
		  "ctnl: get: needs a whole tuple: -p, -s, -d and "
		  "--sport/--dport (ICMP: --icmp-type, --icmp-code, "
		  "--icmp-id), or the same for the reply direction\n"
		  "Try 'ctnl get --help'.\n" },
		{ "update -p udp -m 77 --label-add nosuch", 2,
		  "ctnl: --label-add: unknown label 'nosuch' (not in "
		  "/etc/xtables/connlabel.conf; or give a number 0-127)\n" },
		{ "--netns nosuch-ns list", 2,
		  "ctnl: --netns: no network namespace nosuch-ns: No such "
		  "file or directory\n" },
		{ "get -p udp -s 10.77.0.1 -d 10.77.0.2 --sport 1 --dport 2", 1,
		  "ctnl: get: no such entry\n" },
		{ "delete -p udp -s 10.77.0.1 -d 10.77.0.2 --sport 1 "
		  "--dport 2", 1, "ctnl: delete: no such entry\n" },
		{ "update -p udp -s 10.77.0.1 -d 10.77.0.2 --sport 1 "
		  "--dport 2 -m 1", 1, "ctnl: update: no such entry\n" },
		{ "create -p 253 -s 10.8.0.1 -d 10.8.0.2 -t 120", 1,
		  "ctnl: create: File exists\n" },
	};
	static struct cmd c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(&c, TOOL " %s", cases[i].args);
		if (c.status != cases[i].status ||
		    strcmp(c.err, cases[i].err) != 0)
			fail_msg("ctnl %s: status %d, stderr \"%s\"; expected "
				 "%d, \"%s\"", cases[i].args, c.status, c.err,
				 cases[i].status, cases[i].err);
		assert_string_equal(c.out, "");
	}
	/* The bad label changed nothing, not even the mark. */
	assert_int_equal(count_lines("conntrack -L -m 77 2>/dev/null"), 0);
}

/* A refusal with its reason: the kernel's errno, and libctnl's words
 * where it knows better. */
static void test_kernel_refusals_say_why(void **state)
{
	struct table *t = *state;
	static struct cmd c;
	char ns[64];

	/* Clearing ASSURED (the status set is exactly SEEN_REPLY). */
	run(&c, TOOL " update -p tcp -s 10.77.0.1 -d 10.77.0.2 --sport %u "
		     "--dport 8080 -u SEEN_REPLY", t->tcp4);
	assert_int_equal(c.status, 1);
	assert_string_equal(c.err, "ctnl: update: Device or resource busy\n");

	/* Labels in a namespace whose ruleset uses none: the peer's. */
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)peer.pid);
	must(test_run("nsenter --net=%s conntrack -I -p udp -s 10.11.0.1 "
		      "-d 10.11.0.2 --sport 1 --dport 2 -t " LIFE " 2>/dev/null", ns),
	     "conntrack -I in the peer");
	run(&c, TOOL " --netns %s update -p udp -s 10.11.0.1 -d 10.11.0.2 "
		     "--sport 1 --dport 2 --label-add 1", ns);
	assert_int_equal(c.status, 1);
	assert_has(c.err, "ctnl: update: No space left on device: "
			  "conntrack labels are not enabled in this network "
			  "namespace");
}

/* --netns: the other namespace's table, as conntrack there shows it. */
static void test_netns_lists_another_table(void **state)
{
	static struct cmd a, b;
	char ns[64];

	(void)state;
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)peer.pid);
	must(test_run("nsenter --net=%s conntrack -I -p tcp -s 10.12.0.1 -d "
		      "10.12.0.2 --sport 1 --dport 2 --state ESTABLISHED -t " LIFE " "
		      "-m 3 2>/dev/null", ns), "conntrack -I in the peer");
	run(&a, "nsenter --net=%s conntrack -L -p tcp", ns);
	run(&b, TOOL " --netns %s list -p tcp", ns);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	mask_timeout(a.out, false, false);
	mask_timeout(b.out, false, false);
	mask_delta_time(a.out);
	mask_delta_time(b.out);
	assert_string_equal(a.out, b.out);
	assert_has(b.out, "src=10.12.0.1 ");
	/* Not this namespace's. */
	run(&b, TOOL " list -s 10.12.0.0/16");
	assert_string_equal(b.out, "");
}

/* Waits until @file contains @text; false after WAIT_SECONDS. */
static bool wait_for(const char *file, const char *text)
{
	for (double end = now() + WAIT_SECONDS; now() < end;) {
		if (test_run("grep -q -- '%s' %s 2>/dev/null", text, file) == 0)
			return true;
		usleep(20000);
	}
	return false;
}

/* Waits until @file has @n lines or more. */
static bool wait_lines(const char *file, int n)
{
	char out[32];

	for (double end = now() + WAIT_SECONDS; now() < end;) {
		if (test_capture(out, sizeof(out), "wc -l <%s 2>/dev/null",
				 file) == 0 && atoi(out) >= n)
			return true;
		usleep(20000);
	}
	return false;
}

/* Starts `COMMAND >OUT 2>ERR` in the background under timeout -k (it
 * cannot outlive the test by more than BG's bound, even if the test is
 * killed) and returns timeout's pid; @pid_file is where it is written. */
__attribute__((format(printf, 4, 5)))
static pid_t start_background(const char *pid_file, const char *out,
			      const char *err, const char *fmt, ...)
{
	char cmd[1024], pid[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(test_run(BG "%s >%s 2>%s & echo $! >%s", cmd, out,
				  err, pid_file), 0);
	assert_int_equal(test_capture(pid, sizeof(pid), "cat %s", pid_file),
			 0);
	assert_true(nbackground < (int)(sizeof(background) /
					sizeof(background[0])));
	background[nbackground++] = (pid_t)atoi(pid);
	return (pid_t)atoi(pid);
}

/* The first child of @pid (timeout's command), 0 when none. */
static pid_t child_of(pid_t pid)
{
	char path[64];
	FILE *f;
	int child = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
		 (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
	}
	return (pid_t)child;
}

/* A netlink socket's row of /proc/net/netlink. */
struct nl_row {
	unsigned int groups;	/* the first 32 multicast groups */
	unsigned long rmem;	/* bytes queued, not yet read */
	unsigned long drops;	/* messages the kernel dropped */
};

/* The row of @inode, a NETLINK_NETFILTER socket; false when none. */
static bool nl_row_of(unsigned long inode, struct nl_row *row)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/net/netlink", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long ino;
		int proto;

		found = sscanf(line, "%*s %d %*s %x %lu %*s %*s %*s %lu %lu",
			       &proto, &row->groups, &row->rmem, &row->drops,
			       &ino) == 5 &&
			proto == 12 && ino == inode;
	}
	fclose(f);
	return found;
}

/* The row of @pid's netfilter netlink socket that has joined a
 * multicast group (the events socket); false when it has none (yet). */
static bool events_socket(pid_t pid, struct nl_row *row)
{
	char path[64], link[64];
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return false;
	for (struct dirent *e; !found && (e = readdir(d)) != NULL;) {
		unsigned long inode;
		ssize_t n = readlinkat(dirfd(d), e->d_name, link,
				       sizeof(link) - 1);

		if (n <= 0)
			continue;
		link[n] = '\0';
		found = sscanf(link, "socket:[%lu]", &inode) == 1 &&
			nl_row_of(inode, row) && row->groups != 0;
	}
	closedir(d);
	return found;
}

/* Waits until the command timeout @pid started has subscribed to the
 * table's events (conntrack -E says nothing when it has). */
static bool wait_subscribed(pid_t pid, struct nl_row *row)
{
	for (double end = now() + WAIT_SECONDS; now() < end;) {
		pid_t child = child_of(pid);

		if (child > 0 && events_socket(child, row))
			return true;
		usleep(20000);
	}
	return false;
}

/* Where an events test keeps the output of ctnl and of the witness,
 * conntrack -E, and the witness's pid. */
struct event_files {
	char t_out[80], t_err[80], t_pid[80], w_out[80], w_err[80], w_pid[80];
};

static void event_files_init(struct event_files *f)
{
	snprintf(f->t_out, sizeof(f->t_out), "%s.tool-out", err_path);
	snprintf(f->t_err, sizeof(f->t_err), "%s.tool-err", err_path);
	snprintf(f->t_pid, sizeof(f->t_pid), "%s.tool-pid", err_path);
	snprintf(f->w_out, sizeof(f->w_out), "%s.conntrack-out", err_path);
	snprintf(f->w_err, sizeof(f->w_err), "%s.conntrack-err", err_path);
	snprintf(f->w_pid, sizeof(f->w_pid), "%s.conntrack-pid", err_path);
}

/* Waits for ctnl events, started in the background, to say it listens. */
static void assert_listening(const char *t_err)
{
	static struct cmd c;

	if (wait_for(t_err, "listening"))
		return;
	run(&c, "cat %s", t_err);
	fail_msg("ctnl events did not start: %s", c.out);
}

/* Starts conntrack -E @args, the witness, and waits until it listens. */
static pid_t start_witness(const struct event_files *f, const char *args)
{
	struct nl_row row;
	pid_t pid = start_background(f->w_pid, f->w_out, f->w_err,
				     "conntrack -E %s", args);

	if (!wait_subscribed(pid, &row))
		fail_msg("conntrack -E %s did not subscribe", args);
	return pid;
}

/* Stops the witness once it has printed @lines lines, and waits for its
 * summary. */
static void stop_witness(const struct event_files *f, pid_t pid, int lines)
{
	assert_true(wait_lines(f->w_out, lines));
	kill(pid, SIGTERM);	/* timeout passes it on to conntrack */
	assert_true(wait_for(f->w_err, "flow events have been shown"));
}

/* events print what conntrack -E prints for the same changes. */
static void test_events_print_as_conntrack(void **state)
{
	static struct cmd c;
	struct event_files f;
	int fd, port = next_port++;
	char *lines[8];
	int n = 0;
	pid_t witness;

	(void)state;
	event_files_init(&f);
	/* ctnl stops by itself after three events: the TCP handshake's
	 * NEW and two UPDATEs. */
	start_background(f.t_pid, f.t_out, f.t_err,
			 TOOL " events -p tcp --sport %d --limit 3", port);
	assert_listening(f.t_err);
	snprintf(c.out, sizeof(c.out), "-p tcp --orig-port-src %d", port);
	witness = start_witness(&f, c.out);
	fd = tcp_open(AF_INET, (unsigned short)port);
	assert_true(fd >= 0);
	close(fd);
	assert_true(wait_for(f.t_err, "3 flow events have been shown"));
	stop_witness(&f, witness, 3);
	stop_background();
	run(&c, "head -n 3 %s; cat %s", f.w_out, f.t_out);
	mask_delta_time(c.out);
	for (char *save = NULL, *l = strtok_r(c.out, "\n", &save); l && n < 8;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	assert_int_equal(n, 6);
	assert_true(strncmp(lines[0], "    [NEW] tcp      6 ", 21) == 0);
	for (int i = 0; i < 3; i++)
		assert_string_equal(lines[i], lines[i + 3]);
}

/* Expectations one by one: get, count, delete and create, conntrack as
 * the witness. */
static void test_expectation_commands(void **state)
{
	static struct cmd a, b;
	static const char v4_tuple[] = "-p tcp --tuple-src 10.77.0.2 "
				       "--tuple-dst 10.77.0.1 --tuple-port-src 0 "
				       "--tuple-port-dst 25700";

	(void)state;
	run(&b, TOOL " get --table expect %s", v4_tuple);
	run(&a, "conntrack -L expect -f ipv4");
	assert_int_equal(b.status, 0);
	mask_timeout(a.out, true, false);
	mask_timeout(b.out, true, false);
	assert_string_equal(a.out, b.out);
	assert_has(b.err, "): 1 expectations have been shown.\n");

	run(&b, TOOL " count --table expect");
	assert_string_equal(b.out, "2\n");

	run(&b, TOOL " delete --table expect -p tcp --tuple-src fd77::2 "
		     "--tuple-dst fd77::1 --tuple-port-src 0 --tuple-port-dst "
		     "25700");
	assert_int_equal(b.status, 0);
	assert_has(b.err, "): 1 expectations have been deleted.\n");
	assert_int_equal(count_lines("conntrack -L expect -f ipv6 2>/dev/null"),
			 0);
	run(&b, TOOL " delete --table expect -p tcp --tuple-src fd77::2 "
		     "--tuple-dst fd77::1 --tuple-port-src 0 --tuple-port-dst "
		     "25700");
	assert_int_equal(b.status, 1);
	assert_string_equal(b.err, "ctnl: delete: no such entry\n");

	/* Another for the IPv4 FTP connection (its helper allows one at a
	 * time: the new one takes the old one's place). */
	run(&b, TOOL " create --table expect -p tcp -s 10.77.0.1 -d 10.77.0.2 "
		     "--sport %d --dport 8080 --tuple-src 10.77.0.2 --tuple-dst "
		     "10.77.0.1 --tuple-port-src 0 --tuple-port-dst 26000 "
		     "--mask-src 255.255.255.255 --mask-dst 255.255.255.255 "
		     "--mask-port-src 0 --mask-port-dst 65535 -t " LIFE,
	    FTP_PORT_V4);
	assert_int_equal(b.status, 0);
	assert_has(b.err, "): 1 expectations have been created.\n");
	run(&a, "conntrack -L expect -f ipv4");
	assert_has(a.out, " dport=26000 mask-src=255.255.255.255 ");
	assert_has(a.out, " master-src=10.77.0.1 master-dst=10.77.0.2 "
			  "sport=21000 dport=8080 ");
	compare("-L expect -f ipv4", "list --table expect", true);
}

/* A change a program makes: both name it, [USERSPACE] portid=N
 * progname=NAME (this test program, alive, holding its socket). */
static void test_events_name_the_program(void **state)
{
	static struct cmd c;
	struct event_files f;
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
				  .timeout = 3600 };
	struct ctnl_ct *ct;
	char *lines[4];
	int n = 0;
	pid_t witness;

	(void)state;
	event_files_init(&f);
	test_run("rm -f %s %s %s %s", f.t_out, f.t_err, f.w_out, f.w_err);
	start_background(f.t_pid, f.t_out, f.t_err,
			 TOOL " events -s 10.13.0.1 --limit 1");
	assert_listening(f.t_err);
	witness = start_witness(&f, "-s 10.13.0.1");
	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	assert_int_equal(ctnl_tuple_from_text(&flow.orig, "10.13.0.1",
					      "10.13.0.2", IPPROTO_UDP, 1, 2),
			 0);
	assert_int_equal(ctnl_ct_create(ct, &flow), 0);
	assert_true(wait_for(f.t_err, "1 flow events have been shown"));
	stop_witness(&f, witness, 1);
	stop_background();
	run(&c, "head -n 1 %s; cat %s", f.w_out, f.t_out);
	mask_delta_time(c.out);
	ctnl_ct_close(ct);
	for (char *save = NULL, *l = strtok_r(c.out, "\n", &save); l && n < 4;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	assert_int_equal(n, 2);
	assert_has(lines[0], " [USERSPACE] portid=");
	assert_has(lines[0], " progname=test_kernel_too");
	mask_timeout(lines[0] + 10, false, false);
	mask_timeout(lines[1] + 10, false, false);
	assert_string_equal(lines[0], lines[1]);
}

/*
 * A burst far larger than the queue: ctnl events (a queue of a few dozen
 * events, -b) says every loss, the last of them when interrupted, so that
 * its lines and the losses it says add up to the entries made; the losses
 * it says are what the kernel's drop counter for its socket says (the
 * Drops column of /proc/net/netlink, read just before the interrupt).
 * The mark filter runs in the kernel: the rest of the table's events
 * never reach the socket.
 */
static void test_events_account_for_every_event(void **state)
{
	enum { BURST = 20000, MARK = 0x5eed };
	static struct cmd c;
	struct event_files f;
	struct ctnl_flow *flows = calloc(BURST, sizeof(*flows));
	int *results = calloc(BURST, sizeof(*results));
	unsigned long long printed, said;
	struct ctnl_ct *ct;
	struct nl_row row = { 0 };
	pid_t tool;

	(void)state;
	assert_non_null(flows);
	assert_non_null(results);
	for (int i = 0; i < BURST; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.88.%d.%d", i / 250, i % 250 + 1);
		flows[i] = (struct ctnl_flow){
			.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT |
				 CTNL_ATTR_MARK,
			.timeout = 3600, .mark = MARK };
		assert_int_equal(ctnl_tuple_from_text(&flows[i].orig, src,
						      "10.89.0.1", IPPROTO_UDP,
						      (uint16_t)(1000 + i % 50000),
						      53), 0);
	}
	event_files_init(&f);
	test_run("rm -f %s %s", f.t_out, f.t_err);
	tool = start_background(f.t_pid, f.t_out, f.t_err,
				TOOL " events -e NEW -m %d -b 16384", MARK);
	assert_listening(f.t_err);
	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, BURST, NULL,
				       0, results), BURST);
	/* Every event is queued or dropped by the time the creates are
	 * acknowledged; ctnl is interrupted once it has read the queue
	 * (what it has read, it prints before it stops). */
	for (double end = now() + WAIT_SECONDS;; usleep(20000)) {
		if (!wait_subscribed(tool, &row))
			fail_msg("ctnl events has no events socket");
		if (row.rmem == 0)
			break;
		if (now() > end)
			fail_msg("ctnl events left %lu bytes unread", row.rmem);
	}
	kill(tool, SIGINT);	/* timeout passes it on to ctnl */
	assert_true(wait_for(f.t_err, "flow events have been shown"));
	stop_background();
	run(&c, "wc -l <%s", f.t_out);
	printed = strtoull(c.out, NULL, 10);
	run(&c, "sed -n 's/.*the kernel dropped \\([0-9]*\\) events.*/\\1/p' "
		"%s | awk '{ s += $1 } END { print s + 0 }'", f.t_err);
	said = strtoull(c.out, NULL, 10);
	fprintf(stderr, "ctnl events: %d creates, queue 16384 bytes: %llu "
		"printed + %llu said lost = %llu; the kernel's drop counter: "
		"%lu\n", BURST, printed, said, printed + said, row.drops);
	assert_true(said > 0);
	assert_int_equal(printed + said, BURST);
	assert_int_equal(said, row.drops);
	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_DELETE, flows, BURST, NULL,
				       0, results), BURST);
	ctnl_ct_close(ct);
	free(results);
	free(flows);
}

/* stats prints conntrack -S's lines (the counters move, the form not). */
static void test_stats_prints_as_conntrack(void **state)
{
	static struct cmd a, b;

	(void)state;
	run(&b, TOOL " stats");
	run(&a, "conntrack -S");
	assert_int_equal(b.status, 0);
	assert_int_equal(count_lines("conntrack -S"),
			 count_lines(TOOL " stats"));
	assert_true(strncmp(a.out, "cpu=0   \tfound=", 15) == 0);
	assert_true(strncmp(b.out, "cpu=0   \tfound=", 15) == 0);
	run(&a, "conntrack -S expect");
	run(&b, TOOL " stats --table expect");
	assert_int_equal(b.status, 0);
	/* Nothing creates expectations meanwhile: the same numbers. */
	assert_string_equal(a.out, b.out);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, test_deadline_setup)
	const struct CMUnitTest tests[] = {
		T(test_table_holds_every_kind),
		T(test_list_prints_as_conntrack),
		/* Early: the helper's expectations live 300 s (its policy);
		 * after this test, only one of the test's own is left. */
		T(test_expectation_commands),
		T(test_filtered_list_prints_as_conntrack),
		T(test_kernel_filtered_list_prints_as_conntrack),
		T(test_get_prints_as_conntrack),
		T(test_json_holds_the_parsed_flows),
		T(test_update_and_delete_say_how_many),
		T(test_create_flush_count),
		T(test_errors_have_their_message_and_status),
		T(test_kernel_refusals_say_why),
		T(test_netns_lists_another_table),
		T(test_events_print_as_conntrack),
		T(test_events_name_the_program),
		T(test_events_account_for_every_event),
		T(test_stats_prints_as_conntrack),
	};
	int ret, fd;

	test_enter_private_netns("test_kernel_tool");
	/* The tool's output files go to the test's own /run (a tmpfs of its
	 * private mount namespace): nothing is left behind, whatever the
	 * outcome. */
	fd = -1;
	if (private_connlabel_conf(CONNLABELS) == 0) {
		snprintf(err_path, sizeof(err_path),
			 "/run/ctnl-tool-test-XXXXXX");
		fd = mkstemp(err_path);
	}
	if (fd < 0 ||
	    /* The table is built once for every test, and its entries
	     * must outlive the slowest run of them all: UDP and ICMP
	     * entries made by traffic live as long as those made with a
	     * timeout (LIFE), not the default 30 s. */
	    test_run("sysctl -q -w net.netfilter.nf_conntrack_acct=1 "
		     "net.netfilter.nf_conntrack_timestamp=1 "
		     "net.netfilter.nf_conntrack_udp_timeout=" LIFE " "
		     "net.netfilter.nf_conntrack_udp_timeout_stream=" LIFE " "
		     "net.netfilter.nf_conntrack_icmp_timeout=" LIFE " "
		     "net.netfilter.nf_conntrack_icmpv6_timeout=" LIFE) != 0 ||
	    conntrack_on_with_labels() < 0 ||
	    test_run("nft -f - <<'EOF'\n"
		     "table inet ctnl_tool_test {\n"
		     "  ct helper ftp-std { type \"ftp\" protocol tcp; }\n"
		     "  chain out {\n"
		     "    type filter hook output priority 0;\n"
		     "    tcp sport { %d, %d } ct helper set \"ftp-std\"\n"
		     "  }\n"
		     "}\n"
		     "EOF\n", FTP_PORT_V4, FTP_PORT_V6) != 0 ||
	    peer_start(&peer) < 0) {
		fprintf(stderr, "test_kernel_tool: cannot set up the test "
			"network\n");
		return 1;
	}
	close(fd);
	ret = cmocka_run_group_tests(tests, setup, teardown);
	peer_stop(&peer);
	return ret;
}
