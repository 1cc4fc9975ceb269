/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reconcile agent's core (examples/reconcile.c) over the in-memory
 * conntrack table: its policy, its view kept by events (through churn,
 * expiry and reported loss), and its one-pass deletes of exactly what the
 * policy calls stale; no allocation per event once the view has room.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "entry.h"
#include "heap.h"
#include "reconcile.h"

struct env {
	size_t heap_before;
	struct ctnl_fake_ct *f;
	struct ctnl_ct *req;	/* the agent's requests, and the test's */
	struct ctnl_ct *ev;	/* the agent's events */
	struct ctnl_ct *other;	/* another program making changes */
	struct agent *a;
};

#define SERVICE "udp 10.96.0.10 53 endpoints 10.244.0.5 10.244.0.6"

static void set_policy(struct env *e, const char *const *lines, size_t n)
{
	struct policy p;
	char err[128];

	policy_init(&p);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(policy_add_line(&p, lines[i], err,
						 sizeof(err)), 0);
	agent_set_policy(e->a, &p);
	assert_int_equal(p.count, 0);	/* taken over */
}

static int setup(void **state)
{
	size_t before = heap_in_use();
	struct env *e = calloc(1, sizeof(*e));
	static const char *const one[] = { SERVICE };

	assert_non_null(e);
	e->heap_before = before;
	assert_int_equal(ctnl_fake_ct_new(&e->f), 0);
	e->req = ctnl_fake_ct_ct(e->f);
	assert_int_equal(ctnl_fake_ct_open(e->f, &e->ev), 0);
	assert_int_equal(ctnl_fake_ct_open(e->f, &e->other), 0);
	assert_int_equal(agent_new(e->ev, e->req, &e->a), 0);
	set_policy(e, one, 1);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	size_t before = e->heap_before;

	agent_free(e->a);
	ctnl_fake_ct_free(e->f);
	free(e);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

/* A client's UDP flow to the service, answered by @backend. */
static struct ctnl_flow to_service(const char *client, uint16_t sport,
				   const char *backend)
{
	struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY |
					CTNL_ATTR_TIMEOUT,
			       .timeout = 30 };

	f.orig = tuple_of(client, "10.96.0.10", IPPROTO_UDP, sport, 53);
	f.reply = tuple_of(backend, client, IPPROTO_UDP, 53, sport);
	return f;
}

static struct agent_stats stats(struct env *e)
{
	struct agent_stats st;

	agent_stats(e->a, &st);
	return st;
}

/* ---- The policy ---- */

static void test_policy_lines_and_their_errors(void **state)
{
	struct policy p;
	char err[128];
	struct ctnl_flow f = to_service("10.0.0.1", 1000, "10.244.0.9");

	(void)state;
	policy_init(&p);
	assert_int_equal(policy_add_line(&p, SERVICE, err, sizeof(err)), 0);
	assert_int_equal(policy_add_line(&p, "udp fd00::10 53 nodeport 30053 "
					 "endpoints fd00::5", err,
					 sizeof(err)), 0);
	assert_int_equal(policy_add_line(&p, "udp 10.96.0.11 53 endpoints",
					 err, sizeof(err)), 0);
	assert_int_equal(p.count, 3);
	assert_int_equal(p.families, 3);
	assert_true(policy_stale(&p, &f));
	f.reply.src = f.orig.dst;	/* a reply from 10.96.0.10 */
	assert_true(policy_stale(&p, &f));
	f = to_service("10.0.0.1", 1000, "10.244.0.6");
	assert_false(policy_stale(&p, &f));
	f.orig.proto = f.reply.proto = IPPROTO_TCP;
	assert_false(policy_stale(&p, &f));
	f = to_service("10.0.0.1", 1000, "10.244.0.9");
	f.orig.port.dst = 54;
	assert_false(policy_stale(&p, &f));
	f.attrs &= ~CTNL_ATTR_REPLY;
	f.orig.port.dst = 53;
	assert_false(policy_stale(&p, &f));
	/* The NodePort: any IPv6 address at port 30053. */
	f = (struct ctnl_flow){ .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY };
	f.orig = tuple_of("fd01::1", "fd02::2", IPPROTO_UDP, 999, 30053);
	f.reply = tuple_of("fd00::6", "fd01::1", IPPROTO_UDP, 53, 999);
	assert_true(policy_stale(&p, &f));
	f.reply.src = tuple_of("fd00::5", "::1", IPPROTO_UDP, 1, 1).src;
	assert_false(policy_stale(&p, &f));

	assert_int_equal(policy_add_line(&p, SERVICE, err, sizeof(err)),
			 -EEXIST);
	assert_string_equal(err, "this VIP and port twice");
	assert_int_equal(policy_add_line(&p, "tcp 10.96.0.12 53 endpoints",
					 err, sizeof(err)), -EINVAL);
	assert_int_equal(policy_add_line(&p, "udp 10.96.0.300 53 endpoints",
					 err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "VIP: not an address");
	assert_int_equal(policy_add_line(&p, "udp 10.96.0.12 0 endpoints",
					 err, sizeof(err)), -EINVAL);
	assert_int_equal(policy_add_line(&p, "udp 10.96.0.12 53 nodeport x "
					 "endpoints", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(policy_add_line(&p, "udp 10.96.0.12 53", err,
					 sizeof(err)), -EINVAL);
	assert_int_equal(policy_add_line(&p, "udp 10.96.0.12 53 endpoints "
					 "fd00::1", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(policy_add_line(&p, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(p.count, 3);
	policy_free(&p);
}

static void test_policy_file_with_comments_and_its_errors(void **state)
{
	char path[] = "/tmp/ctnl-policy-XXXXXX", err[256];
	struct policy p;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "# services\n\n  " SERVICE "\n"
		   "udp 10.96.0.20 5353 endpoints 10.244.1.1\n");
	fclose(f);
	policy_init(&p);
	assert_int_equal(policy_load(&p, path, err, sizeof(err)), 0);
	assert_int_equal(p.count, 2);

	/* A bad line: the policy as it was, and where it went wrong. */
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "udp nowhere 1 endpoints\n");
	fclose(f);
	assert_int_equal(policy_load(&p, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":5: VIP: not an address"));
	assert_int_equal(p.count, 2);
	unlink(path);
	assert_int_equal(policy_load(&p, path, err, sizeof(err)), -ENOENT);
	policy_free(&p);
}

/* ---- The agent ---- */

/* The first view comes from the table; a tick deletes exactly the stale
 * entries, in one pass, and the view follows. */
static void test_agent_deletes_exactly_the_stale(void **state)
{
	struct env *e = *state;
	struct ctnl_flow good = to_service("10.0.0.1", 1000, "10.244.0.5");
	struct ctnl_flow bad = to_service("10.0.0.2", 1000, "10.244.0.9");
	struct ctnl_flow tcp = to_service("10.0.0.3", 1000, "10.244.0.9");
	struct agent_stats st;

	tcp.orig.proto = tcp.reply.proto = IPPROTO_TCP;
	assert_int_equal(ctnl_fake_ct_add(e->f, &good), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &bad), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &tcp), 0);
	assert_int_equal(agent_start(e->a, 0), 0);
	st = stats(e);
	assert_int_equal(st.view, 2);	/* UDP only */
	assert_int_equal(st.stale, 1);
	assert_int_equal(st.resyncs, 1);

	assert_int_equal(agent_tick(e->a, false), 1);
	assert_int_equal(ctnl_fake_ct_count(e->f), 2);
	assert_false(agent_view_has(e->a, &bad.orig));
	assert_true(agent_view_has(e->a, &good.orig));
	/* Made before the agent listened, it announces no destroy: the
	 * pass took it out of the view itself. */
	assert_int_equal(agent_step(e->a, 0), 0);
	st = stats(e);
	assert_int_equal(st.view, 1);
	assert_int_equal(st.stale, 0);
	assert_int_equal(st.passes, 1);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(st.seen, 3);	/* the fake filters here */
	/* Nothing stale: no pass at all, unless forced. */
	assert_int_equal(agent_tick(e->a, false), 0);
	assert_int_equal(stats(e).passes, 1);
	assert_int_equal(agent_tick(e->a, true), 0);
	assert_int_equal(stats(e).passes, 2);
	assert_int_equal(stats(e).ticks, 3);
}

/* Churn from another program, and the kernel's timers: the view follows
 * each event; new stale entries are deleted by the next tick. */
static void test_agent_follows_churn(void **state)
{
	struct env *e = *state;
	struct ctnl_flow good = to_service("10.0.0.1", 1000, "10.244.0.5");
	struct ctnl_flow bad = to_service("10.0.0.2", 1000, "10.244.0.9");
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = good.orig };

	assert_int_equal(agent_start(e->a, 0), 0);
	assert_int_equal(ctnl_ct_create(e->other, &good), 0);
	assert_int_equal(ctnl_ct_create(e->other, &bad), 0);
	assert_int_equal(agent_step(e->a, 0), 2);
	assert_int_equal(stats(e).stale, 1);
	assert_int_equal(agent_tick(e->a, false), 1);
	assert_int_equal(ctnl_fake_ct_expire(e->f, &key), 0);
	assert_int_equal(agent_step(e->a, 0), 2);	/* two destroys */
	assert_int_equal(stats(e).view, 0);
	assert_int_equal(ctnl_fake_ct_count(e->f), 0);
	assert_int_equal(stats(e).events, 4);
}

/* A reported loss: the agent re-reads the table and its view is right
 * again, the lost events' entries included; the stale among them go. */
static void test_agent_resyncs_after_loss(void **state)
{
	struct env *e = *state;
	struct agent_stats st;

	assert_int_equal(agent_start(e->a, 0), 0);
	for (uint16_t i = 1; i <= 10; i++) {
		struct ctnl_flow f = to_service("10.0.0.1", i,
						i % 2 ? "10.244.0.5"
						      : "10.244.0.9");

		assert_int_equal(ctnl_ct_create(e->other, &f), 0);
	}
	ctnl_fake_ct_drop_events(e->f, 6);
	assert_true(agent_step(e->a, 0) >= 0);
	st = stats(e);
	assert_int_equal(st.overflows, 1);
	assert_int_equal(st.lost, 6);
	assert_int_equal(st.resyncs, 2);
	assert_int_equal(st.view, 10);
	assert_int_equal(st.stale, 5);
	assert_int_equal(agent_tick(e->a, false), 5);
	assert_int_equal(ctnl_fake_ct_count(e->f), 5);
}

/* Entries that end without a word (made before the agent listened) stay
 * in the view until a pass, which reads every UDP entry anyway: what it
 * did not see goes from the view. */
static void test_agent_pass_sweeps_silent_ends(void **state)
{
	struct env *e = *state;
	struct ctnl_flow good = to_service("10.0.0.1", 1000, "10.244.0.5");
	struct ctnl_flow bad = to_service("10.0.0.2", 1000, "10.244.0.9");
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = good.orig };

	assert_int_equal(ctnl_fake_ct_add(e->f, &good), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &bad), 0);
	assert_int_equal(agent_start(e->a, 0), 0);
	assert_int_equal(ctnl_fake_ct_expire(e->f, &key), 0);
	key.orig = bad.orig;
	assert_int_equal(ctnl_fake_ct_expire(e->f, &key), 0);
	assert_int_equal(agent_step(e->a, 0), 0);
	assert_int_equal(stats(e).view, 2);
	assert_int_equal(stats(e).stale, 1);
	assert_int_equal(agent_tick(e->a, false), 0);
	assert_int_equal(stats(e).view, 0);
	assert_int_equal(stats(e).stale, 0);
	assert_int_equal(agent_tick(e->a, false), 0);
	assert_int_equal(stats(e).passes, 1);
}

/* A new policy judges the view again: endpoints gone make entries stale
 * without a re-read of the table. */
static void test_agent_judges_again_under_a_new_policy(void **state)
{
	struct env *e = *state;
	static const char *const fewer[] = {
		"udp 10.96.0.10 53 endpoints 10.244.0.6",
	};
	struct ctnl_flow a = to_service("10.0.0.1", 1000, "10.244.0.5");
	struct ctnl_flow b = to_service("10.0.0.2", 1000, "10.244.0.6");

	assert_int_equal(ctnl_fake_ct_add(e->f, &a), 0);
	assert_int_equal(ctnl_fake_ct_add(e->f, &b), 0);
	assert_int_equal(agent_start(e->a, 0), 0);
	assert_int_equal(stats(e).stale, 0);
	set_policy(e, fewer, 1);
	assert_int_equal(stats(e).stale, 1);
	assert_int_equal(stats(e).resyncs, 1);
	assert_int_equal(agent_tick(e->a, false), 1);
	assert_true(agent_view_has(e->a, &b.orig));
	assert_false(agent_view_has(e->a, &a.orig));
}

/* Once the view has room, following the table allocates nothing: no
 * allocation per event. */
static void test_agent_allocates_nothing_per_event(void **state)
{
	struct env *e = *state;
	struct ctnl_flow flows[200];
	int results[200];
	unsigned long before;

	for (uint16_t i = 0; i < 200; i++)
		flows[i] = to_service("10.0.0.1", (uint16_t)(i + 1),
				      "10.244.0.5");
	assert_int_equal(agent_start(e->a, 0), 0);
	/* Warm-up: the view grows to the table's size. */
	assert_int_equal(ctnl_ct_batch(e->other, CTNL_OP_CREATE, flows, 200,
				       NULL, 0, results), 200);
	while (agent_step(e->a, 0) > 0)
		;
	assert_int_equal(ctnl_ct_batch(e->other, CTNL_OP_DELETE, flows, 200,
				       NULL, 0, results), 200);
	while (agent_step(e->a, 0) > 0)
		;
	assert_int_equal(stats(e).view, 0);
	/* The same again: the fake's own queue has grown too by now. */
	assert_int_equal(ctnl_ct_batch(e->other, CTNL_OP_CREATE, flows, 200,
				       NULL, 0, results), 200);
	assert_int_equal(ctnl_ct_batch(e->other, CTNL_OP_DELETE, flows, 200,
				       NULL, 0, results), 200);
	before = heap_allocs();
	while (agent_step(e->a, 0) > 0)
		;
	assert_int_equal(heap_allocs(), before);
	assert_int_equal(stats(e).events, 800);
}

static void test_agent_bad_input_and_errors(void **state)
{
	struct env *e = *state;
	struct agent *a;

	assert_int_equal(agent_new(NULL, e->req, &a), -EINVAL);
	assert_int_equal(agent_new(e->ev, e->req, NULL), -EINVAL);
	agent_free(NULL);
	/* A handle that cannot subscribe: the error, nothing started. */
	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_SUBSCRIBE, 1, -EPERM);
	assert_int_equal(agent_start(e->a, 0), -EPERM);
	assert_int_equal(agent_step(e->a, 0), -ENOTCONN);
	assert_int_equal(agent_start(e->a, 0), 0);
	/* A pass that fails: its error; the next step re-reads the table. */
	ctnl_fake_ct_fail(e->f, CTNL_FAKE_CT_DELETE_IF, 1, -EIO);
	assert_int_equal(agent_tick(e->a, true), -EIO);
	assert_int_equal(agent_step(e->a, 0), 0);
	assert_int_equal(stats(e).resyncs, 2);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_lines_and_their_errors),
		cmocka_unit_test(test_policy_file_with_comments_and_its_errors),
		T(test_agent_deletes_exactly_the_stale),
		T(test_agent_follows_churn),
		T(test_agent_resyncs_after_loss),
		T(test_agent_pass_sweeps_silent_ends),
		T(test_agent_judges_again_under_a_new_policy),
		T(test_agent_allocates_nothing_per_event),
		T(test_agent_bad_input_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
