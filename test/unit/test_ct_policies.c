/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conntrack handle's policies: dump restarts on NLM_F_DUMP_INTR
 * (ctnl_ct_set_dump_retries()), over the fake socket handle, for every
 * operation that restarts and the streaming ones that do not; and
 * deadlines (ctnl_ct_set_timeout()), over the fake syscall table and its
 * clock: one per operation, however many requests it makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include <ctnl/sys/ct.h>
#include <ctnl/sys/sock.h>
#include <ctnl/sys/syscalls.h>

#include "ct_fixture.h"

/* ---- Dump restarts, over the fake socket handle ---- */

/* @n entries with ids from @first, as one dump reply of @fake; flagged
 * NLM_F_DUMP_INTR when @intr. */
static void reply_dump_to(struct ctfx *fx, struct ctnl_fake_sock *fake,
			  uint32_t first, uint32_t n, bool intr)
{
	for (uint32_t i = first; i < first + n; i++) {
		struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, (uint16_t)i, 53, 1,
					     i);
		struct nlmsghdr *nlh = (void *)(fx->buf + fx->len);

		put_entry(fx, &f);
		if (intr)
			nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	}
	ctnl_fake_sock_reply(fake, fx->buf, fx->len, 0, NULL);
	fx->len = 0;
}

static void reply_dump(struct ctfx *fx, uint32_t first, uint32_t n, bool intr)
{
	reply_dump_to(fx, fx->fake, first, n, intr);
}

static void test_list_restarts_as_the_policy_allows(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_list list;

	/* No policy: the interrupted dump is the result, flagged. */
	reply_dump(fx, 1, 3, true);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 3);
	assert_true(list.info.interrupted);
	assert_int_equal(list.info.retries, 0);
	ctnl_list_free(&list);

	/* Two restarts allowed, one needed: what the first read is gone. */
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 2), 0);
	reply_dump(fx, 1, 3, true);
	reply_dump(fx, 10, 2, false);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 2);
	assert_false(list.info.interrupted);
	assert_int_equal(list.info.retries, 1);
	assert_int_equal(list.flows[0].id, 10);
	ctnl_list_free(&list);

	/* All used up: the last dump, still flagged. */
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 1), 0);
	reply_dump(fx, 1, 3, true);
	reply_dump(fx, 20, 1, true);
	assert_int_equal(ctnl_ct_list_filtered(fx->ct, NULL, CTNL_LIST_DEDUP,
					       &list), 1);
	assert_true(list.info.interrupted);
	assert_int_equal(list.info.retries, 1);
	assert_int_equal(list.flows[0].id, 20);
	ctnl_list_free(&list);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 5);
}

static int count_expect(const struct ctnl_expect *e, void *data)
{
	(void)e;
	(*(int *)data)++;
	return CTNL_CB_OK;
}

/* An expectation dump says -EINTR: a list restarts it the same way, a
 * count of expectations as often as allowed; the streaming dump not. */
static void test_expect_dumps_restart(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_list list;
	struct ctnl_stats st;
	struct nlmsghdr *nlh = put_msg(fx->buf, NLMSG_NOOP,
				       NLM_F_MULTI | NLM_F_DUMP_INTR, 4);
	int n = 0;

	/* An empty but flagged dump, then a clean one. */
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 3), 0);
	ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, 0, &list), 0);
	assert_false(list.info.interrupted);
	assert_int_equal(list.info.retries, 1);
	ctnl_list_free(&list);

	ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	assert_int_equal(ctnl_ct_dump_expect(fx->ct, 0, count_expect, &n),
			 -EINTR);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 3);

	/* Counting: the first try and three more, all flagged. */
	for (int i = 0; i < 4; i++)
		ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_EXPECT, &st), -EINTR);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 7);
	/* Without a policy, one more try, as ever. */
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 0), 0);
	ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_EXPECT, &st), 0);
	assert_int_equal(st.count, 0);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 9);
}

static int count_flow(const struct ctnl_flow *f, void *data)
{
	(void)f;
	(*(int *)data)++;
	return CTNL_CB_OK;
}

/* A streaming dump is never restarted behind its callback's back. */
static void test_streaming_dump_is_not_restarted(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_dump_info info;
	int n = 0;

	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 5), 0);
	reply_dump(fx, 1, 3, true);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, count_flow, &n, &info), 3);
	assert_int_equal(n, 3);
	assert_true(info.interrupted);
	assert_int_equal(info.retries, 0);
}

/* delete_if and delete_matching: a new pass; the counts add up. */
static void test_delete_passes_restart(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_delete_stats st;
	struct ctnl_dump_info info;

	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 1), 0);
	reply_dump(fx, 1, 3, true);
	reply_dump(fx, 4, 2, false);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st), 4);
	assert_int_equal(st.seen, 5);
	assert_int_equal(st.matched, 5);
	assert_int_equal(st.gone, 1);
	assert_int_equal(st.retries, 1);
	assert_false(st.interrupted);

	reply_dump(fx, 1, 1, true);
	reply_dump(fx, 1, 1, true);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, NULL, &info), 2);
	assert_int_equal(info.retries, 1);
	assert_true(info.interrupted);
	assert_int_equal(info.received, 2);
}

struct events {
	enum ctnl_event_type types[16];
	int n;
};

static int record_event(const struct ctnl_event *ev, void *data)
{
	struct events *e = data;

	if (e->n < 16)
		e->types[e->n++] = ev->type;
	return CTNL_CB_OK;
}

/* Over a socket that cannot clone, the chosen entries are collected; an
 * interrupted dump's collection is thrown away and made again. */
static void test_delete_without_clone_restarts_its_collection(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_fake_sock *fake;
	struct ctnl_sock_ops ops;
	struct ctnl_sock sock;
	struct ctnl_ct *h;
	struct ctnl_delete_stats st;

	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	ops = *ctnl_fake_sock_sock(fake)->ops;
	ops.clone = NULL;
	sock = (struct ctnl_sock){ &ops, ctnl_fake_sock_sock(fake)->ctx };
	assert_int_equal(ctnl_ct_new(&sock, &h), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(h, 2), 0);
	reply_dump_to(fx, fake, 1, 3, true);
	reply_dump_to(fx, fake, 4, 2, false);
	assert_int_equal(ctnl_ct_delete_if(h, NULL, NULL, NULL, &st), 2);
	assert_int_equal(st.seen, 5);
	assert_int_equal(st.matched, 2);
	assert_int_equal(st.retries, 1);
	assert_false(st.interrupted);
	assert_int_equal(ctnl_fake_sock_batch_calls(fake), 1);
	ctnl_ct_close(h);
	assert_int_equal(ctnl_fake_sock_unused(fake), 0);
	ctnl_fake_sock_free(fake);
}

/* A resynchronisation starts over from a new SYNC_BEGIN. */
static void test_resync_restarts_from_sync_begin(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_fake_sock *evfake;
	struct ctnl_ct *ev;
	struct events e = { .n = 0 };

	assert_int_equal(ctnl_fake_sock_new(&evfake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(evfake), &ev), 0);
	assert_int_equal(ctnl_ct_subscribe(ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 1), 0);
	reply_dump(fx, 1, 2, true);
	reply_dump(fx, 1, 1, false);
	assert_int_equal(ctnl_ct_resync(ev, fx->ct, record_event, &e), 3);
	assert_int_equal(e.n, 6);
	assert_int_equal(e.types[0], CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(e.types[3], CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(e.types[4], CTNL_EVENT_SYNC);
	assert_int_equal(e.types[5], CTNL_EVENT_SYNC_END);
	ctnl_ct_close(ev);
	ctnl_fake_sock_free(evfake);
}

/* A resynchronisation gives up after as many restarts as allowed, with
 * the last dump still flagged: two dumps for one restart, not three. */
static void test_resync_restarts_no_more_than_allowed(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_fake_sock *evfake;
	struct ctnl_ct *ev;
	struct events e = { .n = 0 };

	assert_int_equal(ctnl_fake_sock_new(&evfake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(evfake), &ev), 0);
	assert_int_equal(ctnl_ct_subscribe(ev, CTNL_EVENT_CT_ALL), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 1), 0);
	reply_dump(fx, 1, 1, true);
	reply_dump(fx, 2, 1, true);
	assert_int_equal(ctnl_ct_resync(ev, fx->ct, record_event, &e), 2);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 2);
	assert_int_equal(e.n, 5);
	assert_int_equal(e.types[0], CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(e.types[1], CTNL_EVENT_SYNC);
	assert_int_equal(e.types[2], CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(e.types[3], CTNL_EVENT_SYNC);
	assert_int_equal(e.types[4], CTNL_EVENT_SYNC_END);
	ctnl_ct_close(ev);
	ctnl_fake_sock_free(evfake);
}

/* An expectation subscription's re-dump that the kernel flags (-EINTR)
 * is restarted too; once the restarts are used up, it is -EINTR. */
static void test_resync_restarts_expectations(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_fake_sock *evfake;
	struct ctnl_ct *ev;
	struct events e = { .n = 0 };
	struct nlmsghdr *nlh = put_msg(fx->buf, NLMSG_NOOP,
				       NLM_F_MULTI | NLM_F_DUMP_INTR, 4);

	assert_int_equal(ctnl_fake_sock_new(&evfake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(evfake), &ev), 0);
	assert_int_equal(ctnl_ct_subscribe(ev, CTNL_EVENT_EXP_ALL), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(fx->ct, 1), 0);
	ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_resync(ev, fx->ct, record_event, &e), 0);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 2);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.types[0], CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(e.types[1], CTNL_EVENT_SYNC_BEGIN);
	assert_int_equal(e.types[2], CTNL_EVENT_SYNC_END);

	ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, nlh, nlh->nlmsg_len, 0, NULL);
	assert_int_equal(ctnl_ct_resync(ev, fx->ct, record_event, &e), -EINTR);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 4);
	ctnl_ct_close(ev);
	ctnl_fake_sock_free(evfake);
}

/* An update of what a dump found: the entries gone meanwhile are counted,
 * not failed; of several refusals, the first is the result. */
static void test_matching_counts_gone_and_returns_first_refusal(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 9 };
	struct ctnl_dump_info info;

	reply_dump(fx, 1, 5, false);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, -EPERM);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, -EBUSY);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, NULL, &mark, &info),
			 -EPERM);
	assert_int_equal(info.gone, 2);
	assert_int_equal(info.received, 5);

	reply_dump(fx, 1, 3, false);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, NULL, &mark, &info),
			 2);
	assert_int_equal(info.gone, 1);
}

/* Implementations that keep no policy: -ENOSYS to set it, none read; a
 * socket handle that cannot keep a deadline refuses the timeout at once,
 * and the handle keeps none. */
static void test_policies_need_the_slots(void **state)
{
	static const struct ctnl_ct_ops empty = { .size = sizeof(empty) };
	struct ctnl_ct ct = { .ops = &empty };
	struct ctnl_fake_sock *fake;
	struct ctnl_sock_ops ops;
	struct ctnl_sock sock;
	struct ctnl_ct *h;
	struct ctnl_fake_ct *table;
	struct ctnl_list list;

	(void)state;
	assert_int_equal(ctnl_ct_set_timeout(&ct, 10), -ENOSYS);
	assert_int_equal(ctnl_ct_set_dump_retries(&ct, 1), -ENOSYS);

	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	ops = *ctnl_fake_sock_sock(fake)->ops;
	ops.set_option = NULL;
	sock = (struct ctnl_sock){ &ops, ctnl_fake_sock_sock(fake)->ctx };
	assert_int_equal(ctnl_ct_new(&sock, &h), 0);
	assert_int_equal(ctnl_ct_set_timeout(h, 10), -ENOSYS);
	assert_int_equal(ctnl_ct_set_timeout(h, -1), 0);
	ctnl_fake_sock_reply(fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_list(h, CTNL_TABLE_CONNTRACK, 0, &list), 0);
	ctnl_list_free(&list);
	ctnl_ct_close(h);
	ctnl_fake_sock_free(fake);

	/* The slots themselves: the values as set, and nothing else. */
	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(fake), &h), 0);
	assert_int_equal(ctnl_ct_set_timeout(h, 10), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(h, 7), 0);
	for (int opt = CTNL_CT_OPT_TIMEOUT; opt <= CTNL_CT_OPT_DUMP_RETRIES;
	     opt++) {
		int v = -5;

		assert_int_equal(h->ops->get_option(h->ctx, opt, &v), 0);
		assert_int_equal(v, opt == CTNL_CT_OPT_TIMEOUT ? 10 : 7);
	}
	assert_int_equal(h->ops->get_option(h->ctx, 9, &(int){ 0 }), -EINVAL);
	assert_int_equal(h->ops->set_option(h->ctx, 9, 1), -EINVAL);
	ctnl_ct_close(h);
	ctnl_fake_sock_free(fake);

	/* The in-memory table keeps them, and never interrupts a dump. */
	assert_int_equal(ctnl_fake_ct_new(&table), 0);
	assert_int_equal(ctnl_ct_set_timeout(ctnl_fake_ct_ct(table), 10), 0);
	assert_int_equal(ctnl_ct_set_dump_retries(ctnl_fake_ct_ct(table), 2),
			 0);
	assert_int_equal(ctnl_ct_list(ctnl_fake_ct_ct(table),
				      CTNL_TABLE_CONNTRACK, 0, &list), 0);
	assert_int_equal(list.info.retries, 0);
	ctnl_list_free(&list);
	ctnl_fake_ct_free(table);
}

/* ---- Deadlines, over the fake syscall table ---- */

struct kernel {
	struct ctnl_fake_sys *f;
	struct ctnl_ct *ct;
	bool silent;		/* answer nothing */
	bool silent_batches;	/* answer dumps, not batches */
	_Alignas(8) uint8_t dump[1024];
	size_t dump_len;
};

static void answer(struct ctnl_fake_sys *f, unsigned int index,
		   const struct nlmsghdr *req, void *data)
{
	struct kernel *k = data;

	if (k->silent)
		return;
	if (req->nlmsg_flags & NLM_F_DUMP) {
		ctnl_fake_sys_queue(f, k->dump, k->dump_len);
		ctnl_fake_sys_queue_done(f, 0);
	} else if (!k->silent_batches && (req->nlmsg_flags & NLM_F_ACK)) {
		ctnl_fake_sys_queue_ack(f, index, 0, NULL);
	}
}

static int kernel_setup(void **state)
{
	struct kernel *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	assert_int_equal(ctnl_fake_sys_new(&k->f), 0);
	for (uint32_t i = 1; i <= 2; i++) {
		struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, (uint16_t)i, 53, 1,
					     i);

		k->dump_len += put_entry_msg(k->dump + k->dump_len,
					     sizeof(k->dump) - k->dump_len, &f,
					     NLM_F_MULTI);
	}
	ctnl_fake_sys_set_responder(k->f, answer, k);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(k->f), NULL,
				      &k->ct), 0);
	*state = k;
	return 0;
}

static int kernel_teardown(void **state)
{
	struct kernel *k = *state;

	ctnl_ct_close(k->ct);
	fake_sys_free_checked(k->f);
	free(k);
	return 0;
}

static int64_t now_ms(struct kernel *k)
{
	const struct ctnl_syscalls *sys = ctnl_fake_sys_syscalls(k->f);
	struct timespec ts;

	assert_int_equal(sys->ops->clock_gettime(sys->ctx, CLOCK_MONOTONIC,
						 &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int clocks(struct kernel *k)
{
	return ctnl_fake_sys_calls(k->f, CTNL_FAKE_CLOCK);
}

/* A kernel that never answers: -ETIMEDOUT after the timeout; the handle
 * works on once it answers again. */
static void test_timeout_ends_an_operation_the_kernel_ignores(void **state)
{
	struct kernel *k = *state;
	struct ctnl_flow key = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1,
				       53, 0, 1), out;
	int64_t start;

	assert_int_equal(ctnl_ct_set_timeout(k->ct, 100), 0);
	k->silent = true;
	start = now_ms(k);
	assert_int_equal(ctnl_ct_get(k->ct, &key, &out), -ETIMEDOUT);
	assert_int_equal(now_ms(k) - start, 100);
	k->silent = false;
	assert_int_equal(ctnl_ct_delete(k->ct, &key), 0);
}

/* One deadline per operation, however many requests it makes: armed once
 * (one clock reading) by an update of what a list found, a dump and a
 * batch; a batch that never gets its answer ends the whole at 100 ms. */
static void test_timeout_covers_an_operation_as_a_whole(void **state)
{
	struct kernel *k = *state;
	struct ctnl_change mark = { .attrs = CTNL_ATTR_MARK, .mark = 9 };
	unsigned int before;
	int64_t start;

	assert_int_equal(ctnl_ct_set_timeout(k->ct, 100), 0);
	before = clocks(k);
	assert_int_equal(ctnl_ct_update_matching(k->ct, NULL, &mark, NULL), 2);
	assert_int_equal(clocks(k) - before, 1);
	/* delete_if: the handle's socket and its second one, opened now. */
	before = clocks(k);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL), 2);
	assert_int_equal(clocks(k) - before, 2);

	k->silent_batches = true;
	start = now_ms(k);
	assert_int_equal(ctnl_ct_update_matching(k->ct, NULL, &mark, NULL),
			 -ETIMEDOUT);
	assert_int_equal(now_ms(k) - start, 100);
	/* The pass's deletes wait on the second socket: the same deadline. */
	start = now_ms(k);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL),
			 -ETIMEDOUT);
	assert_int_equal(now_ms(k) - start, 100);
	k->silent_batches = false;
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL), 2);

	/* Removed: no clock, no waiting. */
	assert_int_equal(ctnl_ct_set_timeout(k->ct, -1), 0);
	before = clocks(k);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL), 2);
	assert_int_equal(clocks(k), before);
}

/* A clock that fails makes the timeout's setting, and then an operation
 * that arms it, fail with its error, before anything is sent. */
static void test_timeout_clock_failure_is_returned(void **state)
{
	struct kernel *k = *state;
	size_t sent;

	ctnl_fake_sys_fail(k->f, CTNL_FAKE_CLOCK, clocks(k) + 1, -EINVAL);
	assert_int_equal(ctnl_ct_set_timeout(k->ct, 100), -EINVAL);
	assert_int_equal(ctnl_ct_set_timeout(k->ct, 100), 0);
	ctnl_fake_sys_fail(k->f, CTNL_FAKE_CLOCK, clocks(k) + 1, -EINVAL);
	sent = ctnl_fake_sys_sent_count(k->f);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_fake_sys_sent_count(k->f), sent);
	/* The second socket's arming fails: it is closed again. */
	ctnl_fake_sys_fail(k->f, CTNL_FAKE_CLOCK, clocks(k) + 2, -EINVAL);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_fake_sys_open_fds(k->f), 1);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL), 2);
	/* Arming a peer already open fails the operation before it sends. */
	ctnl_fake_sys_fail(k->f, CTNL_FAKE_CLOCK, clocks(k) + 2, -EINVAL);
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL),
			 -EINVAL);
	/* Removing the timeout from both sockets. */
	assert_int_equal(ctnl_ct_set_timeout(k->ct, -1), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ctfx_setup, ctfx_teardown)
#define K(name) cmocka_unit_test_setup_teardown(name, kernel_setup, \
						kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_restarts_as_the_policy_allows),
		T(test_expect_dumps_restart),
		T(test_streaming_dump_is_not_restarted),
		T(test_delete_passes_restart),
		T(test_delete_without_clone_restarts_its_collection),
		T(test_resync_restarts_from_sync_begin),
		T(test_resync_restarts_no_more_than_allowed),
		T(test_resync_restarts_expectations),
		T(test_matching_counts_gone_and_returns_first_refusal),
		cmocka_unit_test(test_policies_need_the_slots),
		K(test_timeout_ends_an_operation_the_kernel_ignores),
		K(test_timeout_covers_an_operation_as_a_whole),
		K(test_timeout_clock_failure_is_returned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
