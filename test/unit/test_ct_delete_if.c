/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl_ct_delete_if(): one pass, deletes going out while the dump is read.
 *
 * Over the fake socket handle: what is chosen, sent and counted, and each
 * way the pass can end. Over the fake syscall table, with a responder
 * playing the kernel: the real socket layer, two sockets, the deletes on
 * the second while the first still holds the rest of the dump, and every
 * way the second socket can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include <ctnl/sys/sock.h>

#include "ct_fixture.h"

/* ---- Over the fake socket handle ---- */

/* Entry i: UDP 10.0.0.1:i -> 10.0.0.2:53, mark i % 3, id i. */
static struct ctnl_flow entry(uint32_t i)
{
	return flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, (uint16_t)i, 53,
		       i % 3, i);
}

static void put_entries(struct ctfx *fx, uint32_t first, uint32_t n)
{
	for (uint32_t i = first; i < first + n; i++) {
		struct ctnl_flow f = entry(i);

		put_entry(fx, &f);
	}
}

struct picker {
	uint32_t modulo;	/* chooses source ports divisible by it */
	unsigned int calls;
	int fail_at;		/* the call that fails (1-based); 0: none */
	struct ctnl_fake_sock *fake;
	size_t batches_at_last;	/* clone batch calls when last called */
};

static int pick(const struct ctnl_flow *flow, void *data)
{
	struct picker *p = data;

	p->calls++;
	if (p->fake)
		p->batches_at_last = ctnl_fake_sock_clone_batch_calls(p->fake);
	if (p->fail_at && (int)p->calls == p->fail_at)
		return -ECANCELED;
	return flow->orig.port.src % p->modulo == 0;
}

/* The predicate chooses; the deletes name each chosen entry by tuple and
 * id and go through the clone; an entry gone meanwhile is counted as gone,
 * not as a failure. */
static void test_delete_if_deletes_what_the_predicate_chooses(void **state)
{
	struct ctfx *fx = *state;
	struct picker p = { .modulo = 2 };
	struct ctnl_delete_stats st;

	put_entries(fx, 1, 6);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, pick, &p, &st), 2);
	assert_int_equal(p.calls, 6);
	assert_int_equal(st.seen, 6);
	assert_int_equal(st.matched, 3);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.gone, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.retries, 0);
	assert_false(st.interrupted);
	assert_int_equal(ctnl_fake_sock_clones(fx->fake), 1);
	assert_int_equal(ctnl_fake_sock_clone_batch_calls(fx->fake), 1);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 4);
	for (size_t i = 1; i <= 3; i++) {
		struct ctnl_flow f = sent_as_flow(fx, i);

		assert_int_equal(sent_msg_type(fx, i), IPCTNL_MSG_CT_DELETE);
		assert_int_equal(f.id, 2 * i);
		assert_int_equal(f.orig.port.src, 2 * i);
		assert_true(f.attrs & CTNL_ATTR_ID);
	}

	/* The clone is kept for the next call. */
	put_entries(fx, 1, 2);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, pick, &p, NULL), 1);
	assert_int_equal(ctnl_fake_sock_clones(fx->fake), 1);
	assert_int_equal(ctnl_fake_sock_clones_open(fx->fake), 1);
}

/* A pass over more chosen entries than a batch holds sends the first
 * batch before the dump has been read to the end. */
static void test_delete_if_sends_batches_while_the_dump_is_read(void **state)
{
	struct ctfx *fx = *state;
	struct picker p = { .modulo = 1, .fake = fx->fake };
	struct ctnl_delete_stats st;

	put_entries(fx, 1, 600);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, pick, &p, &st), 600);
	assert_int_equal(st.deleted, 600);
	assert_int_equal(p.batches_at_last, 1);
	assert_int_equal(ctnl_fake_sock_clone_batch_calls(fx->fake), 2);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 601);
}

/* A negative value from the predicate stops the pass with it; what was
 * chosen before still goes. */
static void test_delete_if_predicate_error_stops_the_pass(void **state)
{
	struct ctfx *fx = *state;
	struct picker p = { .modulo = 1, .fail_at = 3 };
	struct ctnl_delete_stats st;

	put_entries(fx, 1, 5);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, pick, &p, &st),
			 -ECANCELED);
	assert_int_equal(p.calls, 3);
	assert_int_equal(st.seen, 3);
	assert_int_equal(st.matched, 2);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 3);
}

/* Another refusal is counted as failed; the pass goes on, and its first
 * refusal is the result, explained by the kernel's text. */
static void test_delete_if_refusal_is_counted_and_returned(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_delete_stats st;

	put_entries(fx, 1, 4);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, -EPERM);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -EBUSY);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st),
			 -EPERM);
	assert_int_equal(st.matched, 4);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.gone, 0);
}

/* The clone's batch failing as a whole: the pass stops with its error,
 * nothing is counted as deleted, and the clone is dropped, to be opened
 * afresh by the next call. */
static void test_delete_if_clone_failure_drops_the_clone(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_delete_stats st;

	put_entries(fx, 1, 3);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_fail(fx->fake, -ENOBUFS);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st),
			 -ENOBUFS);
	assert_int_equal(st.matched, 3);
	assert_int_equal(st.deleted + st.gone + st.failed, 0);
	assert_int_equal(ctnl_fake_sock_clones_open(fx->fake), 0);

	put_entries(fx, 1, 1);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st), 1);
	assert_int_equal(ctnl_fake_sock_clones(fx->fake), 2);
}

/* A clone that cannot be made: its error, and nothing sent at all. */
static void test_delete_if_without_a_clone_sends_nothing(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_delete_stats st;

	ctnl_fake_sock_clone_fail(fx->fake, -EMFILE);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st),
			 -EMFILE);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 0);
	assert_int_equal(st.seen, 0);
	/* A subscribed handle makes no requests: nothing opened either. */
	assert_int_equal(ctnl_ct_subscribe(fx->ct, CTNL_EVENT_NEW), 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st),
			 -EBUSY);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, NULL, NULL), -EBUSY);
	assert_int_equal(ctnl_fake_sock_clones(fx->fake), 0);
	assert_int_equal(ctnl_ct_subscribe(fx->ct, 0), 0);
}

/* The filter's kernel part goes to the kernel; what it let through is
 * seen; the rest of the filter runs before the predicate. The kernel
 * here applies nothing, and says so in the user part of the info. */
static void test_delete_if_filters_before_the_predicate(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = { .match = CTNL_MATCH_MARK, .mark = 1,
				 .mark_mask = 3 };
	struct picker p = { .modulo = 1 };
	struct ctnl_delete_stats st;
	struct ctnl_dump_info info;

	put_entries(fx, 1, 6);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, &f, pick, &p, &st), 2);
	assert_int_equal(p.calls, 2);
	assert_int_equal(st.seen, 6);
	assert_int_equal(st.matched, 2);
	assert_int_equal(sent_as_flow(fx, 1).id, 1);
	assert_int_equal(sent_as_flow(fx, 2).id, 4);

	/* delete_matching is the same pass, choosing all; its info says
	 * the kernel did not filter by mark, so this side did. */
	put_entries(fx, 1, 6);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 1);
	assert_int_equal(info.received, 6);
	assert_int_equal(info.matched, 2);
	assert_int_equal(info.gone, 1);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.user, CTNL_MATCH_MARK);
	assert_false(info.kernel_flush);

	assert_int_equal(ctnl_ct_delete_if(fx->ct, &(struct ctnl_filter){
						   .family = 7 },
					   NULL, NULL, &st), -EINVAL);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 6);
}

/* NLM_F_DUMP_INTR on the dump: complete, flagged. A malformed entry
 * stops the pass with -EBADMSG after what was chosen went. */
static void test_delete_if_reports_an_interrupted_or_broken_dump(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_delete_stats st;
	struct nlmsghdr *nlh;

	put_entries(fx, 1, 2);
	nlh = (struct nlmsghdr *)fx->buf;
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st), 2);
	assert_true(st.interrupted);

	put_entries(fx, 1, 1);
	nlh = (struct nlmsghdr *)(fx->buf + fx->len);
	nlh->nlmsg_len = NLMSG_HDRLEN + 1;	/* no nfgenmsg */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_MULTI;
	fx->len += NLMSG_ALIGN(nlh->nlmsg_len);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st),
			 -EBADMSG);
	assert_int_equal(st.deleted, 1);
	assert_false(st.interrupted);
}

/* An entry the kernel reported without a tuple cannot be named by a
 * delete: it counts as failed with -EINVAL, and the pass goes on. */
static void test_delete_if_entry_without_tuple_fails_alone(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_delete_stats st;
	struct nlmsghdr *nlh;

	put_entries(fx, 1, 1);
	nlh = put_nfmsg(fx->buf + fx->len,
			(NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
			NLM_F_MULTI, AF_INET);
	mnl_attr_put_u32(nlh, CTA_ID, htonl(99));
	fx->len += NLMSG_ALIGN(nlh->nlmsg_len);
	put_entries(fx, 2, 1);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, NULL, NULL, &st),
			 -EINVAL);
	assert_int_equal(st.seen, 3);
	assert_int_equal(st.matched, 3);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.failed, 1);
}

/* Calico's teardown: every entry whose original or reply source is one of
 * K addresses, in one call, with the library's address set. */
static void test_delete_if_address_set_picks_either_source(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_addr_set *pods;
	struct ctnl_delete_stats st;
	struct ctnl_flow a = flow_of("10.244.1.5", "10.96.0.10", IPPROTO_UDP,
				     5000, 53, 0, 1);
	struct ctnl_flow b = flow_of("10.0.0.9", "10.96.0.20", IPPROTO_TCP,
				     40000, 80, 0, 2);
	struct ctnl_flow c = flow_of("10.0.0.9", "10.0.0.8", IPPROTO_TCP,
				     40001, 80, 0, 3);

	/* b was DNATed to a pod: its reply comes from it. */
	b.reply = tuple_of("10.244.2.6", "10.0.0.9", IPPROTO_TCP, 8080, 40000);
	assert_int_equal(ctnl_addr_set_new(&pods), 0);
	for (int i = 0; i < 100; i++) {
		char text[32];

		snprintf(text, sizeof(text), "10.244.%d.%d", i % 4, i);
		assert_int_equal(ctnl_addr_set_add_text(pods, text), 1);
	}
	put_entry(fx, &a);
	put_entry(fx, &b);
	put_entry(fx, &c);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_if(fx->ct, NULL, ctnl_addr_set_has_src,
					   pods, &st), 2);
	assert_int_equal(st.seen, 3);
	assert_int_equal(sent_as_flow(fx, 1).id, 1);
	assert_int_equal(sent_as_flow(fx, 2).id, 2);
	ctnl_addr_set_free(pods);
}

/* A socket implementation that cannot clone (its table predates the slot,
 * or leaves it empty): the chosen entries are collected, then deleted
 * through the one socket, with the same counts. */
static void test_delete_if_without_clone_slot_deletes_after(void **state)
{
	struct ctnl_fake_sock *fake;
	struct ctnl_sock_ops ops;
	struct ctnl_sock sock;
	struct ctnl_ct *ct;
	struct ctfx *fx = *state;
	struct picker p = { .modulo = 2 };
	struct ctnl_delete_stats st;
	struct ctnl_dump_info info;

	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	ops = *ctnl_fake_sock_sock(fake)->ops;
	ops.size = offsetof(struct ctnl_sock_ops, clone);
	sock = (struct ctnl_sock){ &ops, ctnl_fake_sock_sock(fake)->ctx };
	assert_int_equal(ctnl_ct_new(&sock, &ct), 0);

	put_entries(fx, 1, 200);
	ctnl_fake_sock_reply(fake, fx->buf, fx->len, 0, NULL);
	fx->len = 0;
	ctnl_fake_sock_batch_result(fake, -ENOENT);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, pick, &p, &st), 99);
	assert_int_equal(st.seen, 200);
	assert_int_equal(st.matched, 100);
	assert_int_equal(st.gone, 1);
	assert_int_equal(ctnl_fake_sock_batch_calls(fake), 1);
	assert_int_equal(ctnl_fake_sock_clones(fake), 0);

	put_entries(fx, 1, 2);
	ctnl_fake_sock_reply(fake, fx->buf, fx->len, 0, NULL);
	fx->len = 0;
	ctnl_fake_sock_batch_result(fake, -EPERM);
	assert_int_equal(ctnl_ct_delete_matching(ct, NULL, &info), -EPERM);
	assert_int_equal(info.matched, 2);
	/* A predicate's error: nothing deleted. */
	put_entries(fx, 1, 4);
	ctnl_fake_sock_reply(fake, fx->buf, fx->len, 0, NULL);
	fx->len = 0;
	p = (struct picker){ .modulo = 1, .fail_at = 2 };
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, pick, &p, &st),
			 -ECANCELED);
	assert_int_equal(ctnl_fake_sock_batch_calls(fake), 2);
	/* Nothing chosen: no batch. */
	put_entries(fx, 1, 3);
	ctnl_fake_sock_reply(fake, fx->buf, fx->len, 0, NULL);
	fx->len = 0;
	p = (struct picker){ .modulo = 1000 };
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, pick, &p, &st), 0);
	assert_int_equal(st.seen, 3);
	assert_int_equal(ctnl_fake_sock_batch_calls(fake), 2);
	ctnl_ct_close(ct);
	assert_int_equal(ctnl_fake_sock_unused(fake), 0);
	ctnl_fake_sock_free(fake);
}

/* Without a clone slot, out of memory: for the chosen entries' array
 * (after the fake's two allocations for the dump's record), then for
 * their results. -ENOMEM, nothing deleted, nothing leaked. */
static void test_delete_if_without_clone_slot_out_of_memory(void **state)
{
	struct ctfx *fx = *state;

	if (!heap_fail_nth(0))
		skip();
	for (unsigned int n = 3; n <= 4; n++) {
		struct ctnl_fake_sock *fake;
		struct ctnl_sock_ops ops;
		struct ctnl_sock sock;
		struct ctnl_ct *ct;
		struct ctnl_delete_stats st;

		assert_int_equal(ctnl_fake_sock_new(&fake), 0);
		ops = *ctnl_fake_sock_sock(fake)->ops;
		ops.clone = NULL;
		sock = (struct ctnl_sock){ &ops,
					   ctnl_fake_sock_sock(fake)->ctx };
		assert_int_equal(ctnl_ct_new(&sock, &ct), 0);
		put_entries(fx, 1, 3);
		ctnl_fake_sock_reply(fake, fx->buf, fx->len, 0, NULL);
		fx->len = 0;
		heap_fail_nth(n);
		assert_int_equal(ctnl_ct_delete_if(ct, NULL, NULL, NULL, &st),
				 -ENOMEM);
		heap_fail_nth(0);
		assert_int_equal(st.deleted, 0);
		assert_int_equal(ctnl_fake_sock_batch_calls(fake), 0);
		ctnl_ct_close(ct);
		ctnl_fake_sock_free(fake);
	}
}

/* ---- Over the fake syscall table: the real socket layer ---- */

#define DGRAMS 4
#define PER_DGRAM 200

struct kernel {
	struct ctnl_fake_sys *f;
	const struct ctnl_syscalls *sys;
	struct ctnl_ct *ct;
	/* The dump, in datagrams as the kernel fills them. */
	_Alignas(8) uint8_t dump[DGRAMS][PER_DGRAM * 160];
	size_t dump_len[DGRAMS];
	int dump_fd, delete_fd;		/* sockets, as seen in requests */
	size_t deletes;			/* delete requests seen */
	size_t queued_at_first_delete;	/* datagrams still queued then */
	int deny;			/* refuse this many deletes, -EPERM */
};

static void kernel_answer(struct ctnl_fake_sys *f, unsigned int index,
			  const struct nlmsghdr *req, void *data)
{
	struct kernel *k = data;

	if (req->nlmsg_flags & NLM_F_DUMP) {
		for (int i = 0; i < DGRAMS; i++)
			ctnl_fake_sys_queue(f, k->dump[i], k->dump_len[i]);
		ctnl_fake_sys_queue_done(f, 0);
		return;
	}
	if (k->deletes++ == 0)
		k->queued_at_first_delete = ctnl_fake_sys_queued(f);
	if (k->deny > 0) {
		k->deny--;
		ctnl_fake_sys_queue_ack(f, index, -EPERM, "not today");
	} else if (req->nlmsg_flags & NLM_F_ACK) {
		ctnl_fake_sys_queue_ack(f, index, 0, NULL);
	}
}

static int kernel_setup(void **state)
{
	struct kernel *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	assert_int_equal(ctnl_fake_sys_new(&k->f), 0);
	k->sys = ctnl_fake_sys_syscalls(k->f);
	for (uint32_t d = 0; d < DGRAMS; d++)
		for (uint32_t i = 0; i < PER_DGRAM; i++) {
			struct ctnl_flow f = entry(d * PER_DGRAM + i + 1);

			k->dump_len[d] += put_entry_msg(k->dump[d] +
							k->dump_len[d],
							sizeof(k->dump[d]) -
							k->dump_len[d], &f,
							NLM_F_MULTI);
		}
	ctnl_fake_sys_set_responder(k->f, kernel_answer, k);
	assert_int_equal(ctnl_ct_open(k->sys, NULL, &k->ct), 0);
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

/* Two sockets; the deletes go out on the second while the first still
 * holds most of the dump, in datagrams the queues can answer. */
static void test_real_socket_deletes_while_dumping(void **state)
{
	struct kernel *k = *state;
	struct ctnl_delete_stats st;
	int socket_calls;

	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, &st),
			 DGRAMS * PER_DGRAM);
	assert_int_equal(st.deleted, DGRAMS * PER_DGRAM);
	assert_int_equal(k->deletes, DGRAMS * PER_DGRAM);
	assert_int_equal(ctnl_fake_sys_calls(k->f, CTNL_FAKE_SOCKET), 2);
	assert_int_equal(ctnl_fake_sys_open_fds(k->f), 2);
	/* The first batch went out with the last datagram of the dump and
	 * its NLMSG_DONE still queued. */
	assert_int_equal(k->queued_at_first_delete, 2);
	assert_int_equal(ctnl_fake_sys_queued(k->f), 0);

	/* The second socket is kept. */
	socket_calls = (int)ctnl_fake_sys_calls(k->f, CTNL_FAKE_SOCKET);
	k->deny = 1;
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, &st),
			 -EPERM);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.deleted, DGRAMS * PER_DGRAM - 1);
	assert_string_equal(ctnl_ct_error_msg(k->ct), "not today");
	assert_int_equal(ctnl_fake_sys_calls(k->f, CTNL_FAKE_SOCKET),
			 socket_calls);
}

/* Each system call of the second socket's opening failing: the pass
 * returns its error before the dump, nothing is left open, and the next
 * pass opens it. */
static void test_real_second_socket_open_failures(void **state)
{
	struct kernel *k = *state;
	const enum ctnl_fake_call calls[] = { CTNL_FAKE_SOCKET, CTNL_FAKE_BIND,
					      CTNL_FAKE_GETSOCKNAME,
					      CTNL_FAKE_GETSOCKOPT };

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		unsigned int sent = (unsigned int)ctnl_fake_sys_sent_count(k->f);

		ctnl_fake_sys_fail(k->f, calls[i],
				   ctnl_fake_sys_calls(k->f, calls[i]) + 1,
				   -EMFILE);
		assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL,
						   NULL), -EMFILE);
		assert_int_equal(ctnl_fake_sys_sent_count(k->f), sent);
		assert_int_equal(ctnl_fake_sys_open_fds(k->f), 1);
	}
	assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL, NULL),
			 DGRAMS * PER_DGRAM);
	assert_int_equal(ctnl_fake_sys_open_fds(k->f), 2);
}

/* The second socket failing part-way (its send, its receive): the pass
 * stops with that error, the dump is drained from the first socket, the
 * second is closed; the handle works on, with a fresh second socket. */
static void test_real_second_socket_failing_midway(void **state)
{
	struct kernel *k = *state;
	/* In a pass: the dump's request, then the deletes' datagrams (sends);
	 * three dump datagrams, then the first deletes' ACK (receives). So
	 * these are the second socket's second datagram, and its ACK. */
	const struct {
		enum ctnl_fake_call call;
		unsigned int nth;
	} fail[] = { { CTNL_FAKE_SENDMSG, 3 }, { CTNL_FAKE_RECVMSG, 5 } };
	struct ctnl_delete_stats st;

	for (size_t i = 0; i < 2; i++) {
		unsigned int sockets;

		assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL,
						   NULL), DGRAMS * PER_DGRAM);
		sockets = ctnl_fake_sys_calls(k->f, CTNL_FAKE_SOCKET);
		ctnl_fake_sys_fail(k->f, fail[i].call,
				   ctnl_fake_sys_calls(k->f, fail[i].call) +
					   fail[i].nth,
				   -ENOBUFS);
		assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL,
						   &st), -ENOBUFS);
		assert_true(st.deleted < DGRAMS * PER_DGRAM);
		assert_int_equal(ctnl_fake_sys_queued(k->f), 0);
		assert_int_equal(ctnl_fake_sys_open_fds(k->f), 1);
		assert_int_equal(ctnl_ct_delete_if(k->ct, NULL, NULL, NULL,
						   NULL), DGRAMS * PER_DGRAM);
		assert_int_equal(ctnl_fake_sys_calls(k->f, CTNL_FAKE_SOCKET),
				 sockets + 1);
	}
}

/* A handle in another namespace: its second socket is made there, found
 * through the first (SIOCGSKNS), and the thread comes back. */
static void test_real_second_socket_in_the_same_namespace(void **state)
{
	struct kernel *k = *state;
	struct ctnl_ct *ct;
	int fds = ctnl_fake_sys_open_fds(k->f);

	assert_int_equal(ctnl_ct_open_netns(k->sys, "blue", &ct), 0);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, NULL, NULL, NULL),
			 DGRAMS * PER_DGRAM);
	assert_int_equal(ctnl_fake_sys_calls(k->f, CTNL_FAKE_IOCTL), 1);
	assert_string_equal(ctnl_fake_sys_socket_netns(k->f),
			    "/run/netns/blue");
	assert_string_equal(ctnl_fake_sys_netns(k->f), "");
	assert_int_equal(ctnl_fake_sys_open_fds(k->f), fds + 2);
	ctnl_ct_close(ct);

	/* Without CAP_NET_ADMIN over it, the namespace cannot be named. */
	assert_int_equal(ctnl_ct_open_netns(k->sys, "blue", &ct), 0);
	ctnl_fake_sys_fail(k->f, CTNL_FAKE_IOCTL, 2, -EPERM);
	assert_int_equal(ctnl_ct_delete_if(ct, NULL, NULL, NULL, NULL), -EPERM);
	assert_int_equal(ctnl_fake_sys_open_fds(k->f), fds + 1);
	ctnl_ct_close(ct);
	assert_int_equal(ctnl_fake_sys_open_fds(k->f), fds);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ctfx_setup, ctfx_teardown)
#define K(name) cmocka_unit_test_setup_teardown(name, kernel_setup, \
						kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_delete_if_deletes_what_the_predicate_chooses),
		T(test_delete_if_sends_batches_while_the_dump_is_read),
		T(test_delete_if_predicate_error_stops_the_pass),
		T(test_delete_if_refusal_is_counted_and_returned),
		T(test_delete_if_clone_failure_drops_the_clone),
		T(test_delete_if_without_a_clone_sends_nothing),
		T(test_delete_if_filters_before_the_predicate),
		T(test_delete_if_reports_an_interrupted_or_broken_dump),
		T(test_delete_if_entry_without_tuple_fails_alone),
		T(test_delete_if_address_set_picks_either_source),
		T(test_delete_if_without_clone_slot_deletes_after),
		T(test_delete_if_without_clone_slot_out_of_memory),
		K(test_real_socket_deletes_while_dumping),
		K(test_real_second_socket_open_failures),
		K(test_real_second_socket_failing_midway),
		K(test_real_second_socket_in_the_same_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
