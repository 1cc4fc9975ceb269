/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What agents do, against the real kernel, in a private network namespace:
 * deleting what a predicate picks in one pass (ctnl_ct_delete_if()), with
 * exact counts, entries re-created or deleted meanwhile left alone and
 * counted as gone, batches sent while the dump is read, Calico's pod
 * teardown by address set, and a handle on another namespace whose second
 * socket must be there too. `conntrack` (conntrack-tools) is the witness.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>

#include "netns.h"

#define TIMEOUT 600

/* ---- Helpers ---- */

static int count_lines(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The number of lines a shell command prints. */
static int count_lines(const char *fmt, ...)
{
	char cmd[1024], out[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(test_capture(out, sizeof(out), "%s | wc -l", cmd), 0);
	return atoi(out);
}

static struct ctnl_tuple tuple(const char *src, const char *dst,
			       uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct ctnl_tuple t;

	assert_int_equal(ctnl_tuple_from_text(&t, src, dst, proto, sport,
					      dport), 0);
	return t;
}

static struct ctnl_flow new_flow(const char *src, const char *dst,
				 uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct ctnl_flow f = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
		.orig = tuple(src, dst, proto, sport, dport),
		.timeout = TIMEOUT,
	};

	return f;
}

static void create_all(struct ctnl_ct *ct, const struct ctnl_flow *flows,
		       size_t n)
{
	int *results = calloc(n, sizeof(*results));

	assert_non_null(results);
	assert_int_equal(ctnl_ct_batch(ct, CTNL_OP_CREATE, flows, n, NULL, 0,
				       results), (int)n);
	free(results);
}

/* @n UDP entries 10.5.x.y:1000+i -> 10.6.0.1:53, entry i with mark i % 3,
 * created in one batch. */
static void populate(struct ctnl_ct *ct, int n)
{
	struct ctnl_flow *flows = calloc((size_t)n, sizeof(*flows));
	char src[32];

	assert_non_null(flows);
	for (int i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "10.5.%d.%d", i / 250, i % 250 + 1);
		flows[i] = new_flow(src, "10.6.0.1", IPPROTO_UDP,
				    (uint16_t)(1000 + i), 53);
		flows[i].attrs |= CTNL_ATTR_MARK;
		flows[i].mark = (uint32_t)i % 3;
	}
	create_all(ct, flows, (size_t)n);
	free(flows);
}

static int setup(void **state)
{
	struct ctnl_ct *ct;

	test_deadline();
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	assert_int_equal(ctnl_ct_open(NULL, NULL, &ct), 0);
	*state = ct;
	return 0;
}

static int teardown(void **state)
{
	ctnl_ct_close(*state);
	return 0;
}

/* ---- delete_if ---- */

struct by_mark {
	uint32_t mark;		/* chooses entries with this mark */
	unsigned int calls;
};

static int mark_is(const struct ctnl_flow *flow, void *data)
{
	struct by_mark *b = data;

	b->calls++;
	return flow->mark == b->mark;
}

/* 3,000 entries, a third chosen: exactly they go, in batches sent while
 * the dump is read (1,000 deletes are two batches), and the rest stay. */
static void test_delete_if_deletes_exactly_the_chosen(void **state)
{
	struct ctnl_ct *ct = *state;
	struct by_mark b = { .mark = 1 };
	struct ctnl_delete_stats st;

	populate(ct, 3000);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, mark_is, &b, &st), 1000);
	assert_int_equal(b.calls, 3000);
	assert_int_equal(st.seen, 3000);
	assert_int_equal(st.matched, 1000);
	assert_int_equal(st.deleted, 1000);
	assert_int_equal(st.gone + st.failed, 0);
	assert_false(st.interrupted);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 2000);
	assert_int_equal(count_lines("conntrack -L -m 1 2>/dev/null"), 0);
	assert_int_equal(count_lines("conntrack -L -m 2 2>/dev/null"), 1000);

	/* Nothing chosen: nothing sent, nothing deleted. */
	b = (struct by_mark){ .mark = 7 };
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, mark_is, &b, &st), 0);
	assert_int_equal(st.seen, 2000);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 2000);
}

/* The kernel applies the filter's protocol and mark: only what it lets
 * through is seen; the predicate sees what passes the whole filter. */
static void test_delete_if_kernel_filter_narrows_the_dump(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_filter f = { .family = AF_INET,
				 .match = CTNL_MATCH_PROTO | CTNL_MATCH_MARK,
				 .proto = IPPROTO_UDP, .mark = 2,
				 .mark_mask = UINT32_MAX };
	struct ctnl_flow tcp = new_flow("10.7.0.1", "10.7.0.2", IPPROTO_TCP, 1,
					80);
	struct by_mark b = { .mark = 2 };
	struct ctnl_delete_stats st;

	tcp.attrs |= CTNL_ATTR_MARK | CTNL_ATTR_TCP_STATE;
	tcp.mark = 2;
	tcp.tcp.state = CTNL_TCP_ESTABLISHED;
	populate(ct, 300);
	assert_int_equal(ctnl_ct_create(ct, &tcp), 0);
	assert_int_equal(ctnl_ct_delete_if(ct, &f, mark_is, &b, &st), 100);
	assert_int_equal(st.seen, 100);
	assert_int_equal(b.calls, 100);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 201);
	assert_int_equal(count_lines("conntrack -L -p tcp 2>/dev/null"), 1);
}

/* Churn from the predicate, through another handle, as another agent,
 * traffic or the kernel's timers would cause it: entry A is deleted and
 * created anew (mark 9), entry B just deleted, before their deletes come.
 * Both deletes find nothing by that id: counted as gone, and the new A
 * stays. An id is a hash of the entry's address and original tuple, and
 * the kernel hands a freed entry's memory straight back: re-created at
 * once, A would usually get its old id (see doc/kernel-behaviour.md). So
 * the new A is made again, after other entries (mark 9 too) took that
 * memory, until its id differs, as it would on a busy node. */
struct churn {
	struct ctnl_ct *other;
	struct ctnl_tuple a, b;
	unsigned int chosen, takers;
};

static bool same_tuple(const struct ctnl_tuple *x, const struct ctnl_tuple *y)
{
	return x->port.src == y->port.src && x->src.in.s_addr == y->src.in.s_addr;
}

static void create_marked(struct ctnl_ct *ct, const struct ctnl_tuple *t)
{
	struct ctnl_flow f = new_flow("0.0.0.0", "0.0.0.0", IPPROTO_UDP, 0, 0);

	f.orig = *t;
	f.attrs |= CTNL_ATTR_MARK;
	f.mark = 9;
	assert_int_equal(ctnl_ct_create(ct, &f), 0);
}

/* Deletes @old's entry and creates it anew with another id. */
static void recreate(struct churn *c, const struct ctnl_flow *old)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = old->orig };
	struct ctnl_flow got;

	assert_int_equal(ctnl_ct_delete(c->other, &key), 0);
	for (;;) {
		struct ctnl_tuple t = tuple("10.8.0.1", "10.8.0.2",
					    IPPROTO_UDP,
					    (uint16_t)(1 + c->takers++), 2);

		assert_true(c->takers < 100);
		create_marked(c->other, &t);
		create_marked(c->other, &old->orig);
		assert_int_equal(ctnl_ct_get(c->other, &key, &got), 0);
		if (got.id != old->id)
			return;
		assert_int_equal(ctnl_ct_delete(c->other, &key), 0);
	}
}

static int churn_then_choose(const struct ctnl_flow *flow, void *data)
{
	struct churn *c = data;
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = flow->orig };

	if (flow->mark == 9)		/* the new A, and the others: keep */
		return 0;
	if (same_tuple(&flow->orig, &c->a))
		recreate(c, flow);
	else if (same_tuple(&flow->orig, &c->b))
		assert_int_equal(ctnl_ct_delete(c->other, &key), 0);
	c->chosen++;
	return 1;
}

static void test_delete_if_leaves_entries_created_meanwhile(void **state)
{
	struct ctnl_ct *ct = *state;
	struct churn c = {
		.a = tuple("10.5.0.11", "10.6.0.1", IPPROTO_UDP, 1010, 53),
		.b = tuple("10.5.0.21", "10.6.0.1", IPPROTO_UDP, 1020, 53),
	};
	struct ctnl_delete_stats st;
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = c.a }, got;
	int ret;

	populate(ct, 50);
	assert_int_equal(ctnl_ct_open(NULL, NULL, &c.other), 0);
	ret = ctnl_ct_delete_if(ct, NULL, churn_then_choose, &c, &st);
	fprintf(stderr, "agent: churn during a pass: returned %d; seen %llu, "
		"chosen %u, matched %llu, deleted %llu, gone %llu, failed %llu, "
		"retries %u; %u entries made to take memory\n", ret,
		(unsigned long long)st.seen, c.chosen,
		(unsigned long long)st.matched, (unsigned long long)st.deleted,
		(unsigned long long)st.gone, (unsigned long long)st.failed,
		st.retries, c.takers);
	assert_int_equal(ret, 48);
	assert_int_equal(c.chosen, 50);
	assert_int_equal(st.matched, 50);
	assert_int_equal(st.deleted, 48);
	assert_int_equal(st.gone, 2);
	assert_int_equal(st.failed, 0);
	/* The new A and the entries made to take memory are left. */
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"),
			 1 + (int)c.takers);
	assert_int_equal(ctnl_ct_get(ct, &key, &got), 0);
	assert_int_equal(got.mark, 9);
	ctnl_ct_close(c.other);
}

/* Calico's teardown of K pods: every entry whose original source or reply
 * source is one of their addresses, in one call; the witness finds none of
 * them left, and every other entry still there. */
static void test_delete_if_pod_addresses_in_both_directions(void **state)
{
	struct ctnl_ct *ct = *state;
	enum { K = 10, PER = 20 };
	struct ctnl_flow flows[4 * K * PER];
	struct ctnl_addr_set *pods;
	struct ctnl_delete_stats st;
	char pod[32], svc[32];
	size_t n = 0;

	assert_int_equal(ctnl_addr_set_new(&pods), 0);
	for (int k = 0; k < 2 * K; k++) {
		snprintf(pod, sizeof(pod), "10.244.0.%d", k + 1);
		if (k < K)	/* the other K pods stay */
			assert_int_equal(ctnl_addr_set_add_text(pods, pod), 1);
		for (int i = 0; i < PER; i++) {
			/* From the pod, to a service. */
			flows[n] = new_flow(pod, "10.96.0.10", IPPROTO_UDP,
					    (uint16_t)(10000 + i), 53);
			n++;
			if (k >= K + K / 2)
				continue;
			/* To a service, DNATed to the pod: the reply comes
			 * from the pod. */
			snprintf(svc, sizeof(svc), "10.96.1.%d", k + 1);
			flows[n] = new_flow("10.0.0.1", svc, IPPROTO_TCP,
					    (uint16_t)(20000 + i), 80);
			flows[n].attrs |= CTNL_ATTR_REPLY;
			flows[n].reply = tuple(pod, "10.0.0.1", IPPROTO_TCP,
					       8080, (uint16_t)(20000 + i));
			n++;
		}
	}
	create_all(ct, flows, n);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, ctnl_addr_set_has_src,
					   pods, &st), 2 * K * PER);
	assert_int_equal(st.seen, n);
	for (int k = 0; k < 2 * K; k++) {
		int left = k < K ? 0 : k < K + K / 2 ? 2 * PER : PER;

		assert_int_equal(count_lines("conntrack -L -s 10.244.0.%d "
					     "2>/dev/null", k + 1) +
					 count_lines("conntrack -L -r 10.244.0.%d "
						     "2>/dev/null", k + 1),
				 left);
	}
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"),
			 (int)n - 2 * K * PER);
	ctnl_addr_set_free(pods);
}

/* A namespace held by a child, with @n entries; its file's path. */
static pid_t netns_child(char *path, size_t size, int n)
{
	int pipefd[2];
	pid_t child;
	char c;

	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		for (int i = 0; i < n; i++)
			if (test_run("conntrack -I -p udp -s 10.12.0.1 "
				     "-d 10.12.0.2 --sport %d --dport 2 -t 600 "
				     "2>/dev/null", 1000 + i) != 0)
				_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	close(pipefd[1]);
	snprintf(path, size, "/proc/%d/ns/net", (int)child);
	return child;
}

static int even_port(const struct ctnl_flow *flow, void *data)
{
	(void)data;
	return flow->orig.port.src % 2 == 0;
}

/* A handle on another namespace deletes there, through a second socket
 * made there; this namespace's entries stay. */
static void test_delete_if_in_another_namespace(void **state)
{
	struct ctnl_ct *here = *state, *there;
	struct ctnl_delete_stats st;
	char path[64];
	pid_t child;
	int status;

	populate(here, 10);
	child = netns_child(path, sizeof(path), 6);
	assert_int_equal(ctnl_ct_open_netns(NULL, path, &there), 0);
	assert_int_equal(ctnl_ct_delete_if(there, NULL, even_port, NULL, &st),
			 3);
	assert_int_equal(st.seen, 6);
	assert_int_equal(count_lines("nsenter --net=%s conntrack -L "
				     "2>/dev/null", path), 3);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 10);
	ctnl_ct_close(there);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
}

/* ---- Policies ---- */

/* The kernel answers a request inside the sendmsg() that carries it, and
 * builds each next part of a dump inside the recvmsg() that consumed the
 * last: an operation never has to wait for it. So a timeout of 0 fails
 * nothing, from a 3,000-entry list to a delete_if pass with batches on
 * the second socket; and the kernel never flags a conntrack or an
 * expectation dump inconsistent, so no dump is restarted. */
static void test_timeout_zero_never_waits_for_the_kernel(void **state)
{
	struct ctnl_ct *ct = *state;
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 5 };
	struct by_mark b = { .mark = 5 };
	struct ctnl_delete_stats st;
	struct ctnl_stats stats;
	struct ctnl_list list;

	assert_int_equal(ctnl_ct_set_timeout(ct, 0), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(ct, 3), 0);
	populate(ct, 3000);
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 3000);
	assert_int_equal(list.info.retries, 0);
	assert_false(list.info.interrupted);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_ct_list(ct, CTNL_TABLE_EXPECT, 0, &list), 0);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_ct_stats(ct, CTNL_TABLE_EXPECT, &stats), 0);
	assert_int_equal(ctnl_ct_update_matching(ct, &(struct ctnl_filter){
							 .match = CTNL_MATCH_MARK,
							 .mark = 1,
							 .mark_mask = 3 },
						 &mark, NULL), 1000);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, mark_is, &b, &st), 1000);
	assert_int_equal(st.retries, 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"), 2000);
	assert_int_equal(ctnl_ct_set_timeout(ct, -1), 0);
}

/* ---- The example agent, against real churn ---- */

#define AGENT CTNL_EXAMPLES_DIR "/reconcile_agent"

/* A client's UDP flow to @vip:@port, NATed to (answered by) @backend. */
static struct ctnl_flow to_service(const char *client, uint16_t sport,
				   const char *vip, uint16_t port,
				   const char *backend)
{
	struct ctnl_flow f = new_flow(client, vip, IPPROTO_UDP, sport, port);

	f.attrs |= CTNL_ATTR_REPLY;
	f.reply = tuple(backend, client, IPPROTO_UDP, 53, sport);
	return f;
}

struct churn_table {
	struct ctnl_flow good[200];	/* to stay */
	size_t ngood;
	unsigned int stale;		/* made, to go */
	uint16_t next_port;
};

static void add_good(struct ctnl_ct *ct, struct churn_table *t,
		     const struct ctnl_flow *f)
{
	assert_int_equal(ctnl_ct_create(ct, f), 0);
	assert_true(t->ngood < 200);
	t->good[t->ngood++] = *f;
}

static void add_stale(struct ctnl_ct *ct, struct churn_table *t,
		      const struct ctnl_flow *f)
{
	assert_int_equal(ctnl_ct_create(ct, f), 0);
	t->stale++;
}

/* One round of churn: a stale entry to each service, a good one, and a
 * good one of before deleted. */
static void churn_round(struct ctnl_ct *ct, struct churn_table *t)
{
	uint16_t p = t->next_port++;
	struct ctnl_flow f;

	f = to_service("10.0.2.1", p, "10.96.0.10", 53, "10.244.0.9");
	add_stale(ct, t, &f);
	f = to_service("10.0.2.2", p, "192.168.0.1", 30053, "10.244.1.9");
	add_stale(ct, t, &f);
	f = to_service("10.0.2.3", p, "10.96.0.10", 53,
		       p % 2 ? "10.244.0.5" : "10.244.0.6");
	add_good(ct, t, &f);
	if (t->ngood > 10) {
		struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG,
					 .orig = t->good[0].orig };

		assert_int_equal(ctnl_ct_delete(ct, &key), 0);
		memmove(&t->good[0], &t->good[1],
			--t->ngood * sizeof(t->good[0]));
	}
}

static pid_t start_agent(const char *policy, int out_fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out_fd, STDOUT_FILENO);
		/* Stopped by SIGTERM; the duration only bounds it, should
		 * the test die first. */
		execl(AGENT, AGENT, "--policy", policy, "--tick", "100",
		      "--duration", "300", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Waits for the agent to have deleted every stale entry: for as long as
 * it takes on a loaded machine, within the test's deadline. */
static void wait_for_reconcile(void)
{
	while (count_lines("conntrack -L -r 10.244.0.9 2>/dev/null") +
		       count_lines("conntrack -L -r 10.244.1.9 2>/dev/null") >
	       0)
		usleep(100000);
}

/*
 * The agent, run against a table under churn: stale entries made before
 * it starts and every 50 ms while it runs (to a service, and at a
 * NodePort), good ones made and deleted meanwhile, TCP and other UDP
 * entries beside. Once it has caught up it is stopped (SIGTERM): no stale
 * entry is left and every other one is there, exactly; it says how much
 * memory and how many descriptors it ended with.
 */
static void test_agent_example_against_churn(void **state)
{
	struct ctnl_ct *ct = *state;
	static struct churn_table t;
	char dir[] = "/tmp/ctnl-agent-XXXXXX", policy[64], out[64];
	char line[1024];
	struct ctnl_flow f;
	int status, fd, others;
	pid_t pid;
	FILE *pf;

	memset(&t, 0, sizeof(t));
	t.next_port = 2000;
	assert_non_null(mkdtemp(dir));
	snprintf(policy, sizeof(policy), "%s/policy", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	pf = fopen(policy, "w");
	assert_non_null(pf);
	fprintf(pf, "# services\n"
		    "udp 10.96.0.10 53 endpoints 10.244.0.5 10.244.0.6\n"
		    "udp 10.96.0.20 53 nodeport 30053 endpoints 10.244.1.5\n");
	fclose(pf);

	for (uint16_t i = 1; i <= 10; i++) {
		f = to_service("10.0.1.1", i, "10.96.0.10", 53, "10.244.0.9");
		add_stale(ct, &t, &f);
		f = to_service("10.0.1.2", i, "10.96.0.10", 53, "10.244.0.5");
		add_good(ct, &t, &f);
		f = to_service("10.0.1.3", i, "192.168.0.1", 30053,
			       "10.244.1.5");
		add_good(ct, &t, &f);
		/* Not the policy's business: TCP, other UDP. */
		f = new_flow("10.0.1.4", "10.96.0.10", IPPROTO_TCP, i, 53);
		assert_int_equal(ctnl_ct_create(ct, &f), 0);
		f = new_flow("10.0.1.5", "10.1.1.1", IPPROTO_UDP, i, 53);
		assert_int_equal(ctnl_ct_create(ct, &f), 0);
	}
	others = 20;

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	pid = start_agent(policy, fd);
	close(fd);
	for (int round = 0; round < 30; round++) {
		usleep(50000);
		churn_round(ct, &t);
	}
	wait_for_reconcile();
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* Every stale entry gone, every other one there. */
	assert_int_equal(count_lines("conntrack -L -r 10.244.0.9 2>/dev/null"),
			 0);
	assert_int_equal(count_lines("conntrack -L -r 10.244.1.9 2>/dev/null"),
			 0);
	assert_int_equal(count_lines("conntrack -L 2>/dev/null"),
			 (int)t.ngood + others);
	for (size_t i = 0; i < t.ngood; i++) {
		struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG,
					 .orig = t.good[i].orig }, got;

		assert_int_equal(ctnl_ct_get(ct, &key, &got), 0);
	}

	/* Its last line: what it did, its memory and descriptors. */
	assert_int_equal(test_capture(line, sizeof(line), "tail -n 1 %s", out),
			 0);
	assert_non_null(strstr(line, "reconcile_agent: "));
	assert_non_null(strstr(line, "rss_kib "));
	assert_non_null(strstr(line, "fds "));
	print_message("%s", line);
	unlink(policy);
	unlink(out);
	rmdir(dir);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_delete_if_deletes_exactly_the_chosen),
		T(test_delete_if_kernel_filter_narrows_the_dump),
		T(test_delete_if_leaves_entries_created_meanwhile),
		T(test_delete_if_pod_addresses_in_both_directions),
		T(test_delete_if_in_another_namespace),
		T(test_timeout_zero_never_waits_for_the_kernel),
		T(test_agent_example_against_churn),
	};

	test_enter_private_netns("test_kernel_agent");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
