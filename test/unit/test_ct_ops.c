/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conntrack handle's operations over the fake socket handle: what each
 * sends, how it reads the replies, and how it fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "ct_fixture.h"
#include "ct/internal.h"

struct collected {
	struct ctnl_flow flows[8];
	int n;
	int stop_after;
	int fail_with;
};

static int collect(const struct ctnl_flow *flow, void *data)
{
	struct collected *c = data;

	assert_true(c->n < 8);
	c->flows[c->n++] = *flow;
	if (c->fail_with)
		return c->fail_with;
	return c->stop_after && c->n == c->stop_after ? CTNL_CB_STOP
						      : CTNL_CB_OK;
}

/* ---- dump ---- */

static void test_dump_hands_over_each_entry(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 11);
	struct ctnl_flow b = flow_of("fd00::1", "fd00::2", IPPROTO_UDP, 3, 4,
				     7, 12);
	struct ctnl_dump_info info;
	struct collected c = { 0 };

	put_entry(fx, &a);
	put_entry(fx, &b);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, &info), 2);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.flows[0].id, 11);
	assert_int_equal(c.flows[1].orig.family, AF_INET6);
	assert_int_equal(c.flows[1].mark, 7);
	assert_int_equal(info.received, 2);
	assert_int_equal(info.matched, 2);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.user, 0);
	assert_false(info.interrupted);
	/* A dump of every family. */
	assert_int_equal(sent_msg_type(fx, 0), IPCTNL_MSG_CT_GET);
	assert_true(ctnl_fake_sock_sent(fx->fake, 0)->nlmsg_flags & NLM_F_DUMP);
}

static void test_dump_of_empty_table_is_0(void **state)
{
	struct ctfx *fx = *state;
	struct collected c = { 0 };

	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, NULL), 0);
	assert_int_equal(c.n, 0);
}

/* A kernel that ignores a filter attribute (as kernels older than it do,
 * silently) sends entries that fail it: they are dropped here, and the
 * info says the kernel did not apply that criterion. */
static void test_dump_refilters_what_the_kernel_ignored(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     5, 1);
	struct ctnl_flow b = flow_of("10.0.0.1", "10.0.0.3", IPPROTO_TCP, 1, 2,
				     6, 2);
	struct ctnl_filter filter = { .family = AF_INET,
				      .match = CTNL_MATCH_MARK |
					       CTNL_MATCH_ZONE,
				      .mark = 5, .mark_mask = 0xff,
				      .zone = 0 };
	struct ctnl_dump_info info;
	struct collected c = { 0 };

	put_entry(fx, &a);
	put_entry(fx, &b);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, &filter, collect, &c, &info), 1);
	assert_int_equal(c.flows[0].id, 1);
	assert_int_equal(info.received, 2);
	assert_int_equal(info.matched, 1);
	assert_int_equal(info.kernel, 0);
	/* Zone 0 cannot be filtered by the kernel; the mark was asked of it
	 * but not applied. */
	assert_int_equal(info.user, CTNL_MATCH_MARK | CTNL_MATCH_ZONE);
}

/* A family alone is re-checked too: whatever the layer below sends, a
 * dump hands over entries of the family asked for only. */
static void test_dump_refilters_the_family(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	struct ctnl_flow b = flow_of("fd00::1", "fd00::2", IPPROTO_TCP, 1, 2,
				     0, 2);
	struct ctnl_filter filter = { .family = AF_INET6 };
	struct ctnl_dump_info info;
	struct collected c = { 0 };

	put_entry(fx, &a);
	put_entry(fx, &b);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, &filter, collect, &c, &info), 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.flows[0].id, 2);
	assert_int_equal(info.received, 2);
	assert_int_equal(info.matched, 1);
}

static void test_dump_reports_what_the_kernel_applied(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     5, 1);
	struct ctnl_filter filter = { .family = AF_INET,
				      .match = CTNL_MATCH_MARK |
					       CTNL_MATCH_TCP_STATE,
				      .mark = 5, .mark_mask = 0xff,
				      .tcp_state = CTNL_TCP_NONE };
	struct ctnl_dump_info info;
	struct collected c = { 0 };

	a.attrs |= CTNL_ATTR_TCP_STATE;
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, &filter, collect, &c, &info), 1);
	assert_int_equal(info.kernel, CTNL_MATCH_MARK);
	assert_int_equal(info.user, CTNL_MATCH_TCP_STATE);

	/* Asked to stay in user space, nothing goes to the kernel. */
	filter.flags = CTNL_FILTER_USERSPACE;
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, &filter, collect, &c, &info), 1);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.user, CTNL_MATCH_MARK | CTNL_MATCH_TCP_STATE);
	assert_int_equal(ctnl_fake_sock_sent(fx->fake, 1)->nlmsg_len,
			 NLMSG_HDRLEN + 4);
}

static void test_dump_callback_can_stop_or_fail(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	struct collected c = { .stop_after = 1 };

	put_entry(fx, &a);
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, NULL), 1);

	c = (struct collected){ .fail_with = -ECANCELED };
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, NULL),
			 -ECANCELED);
}

static void test_dump_malformed_entry_is_ebadmsg(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	struct collected c = { 0 };
	struct nlmsghdr *nlh;

	put_entry(fx, &a);
	nlh = (void *)fx->buf;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, NULL),
			 -EBADMSG);
	assert_int_equal(c.n, 0);
}

static void test_dump_interrupted_is_reported_not_failed(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	struct ctnl_dump_info info;
	struct collected c = { 0 };

	put_entry(fx, &a);
	((struct nlmsghdr *)fx->buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, &info), 1);
	assert_true(info.interrupted);
}

static void test_dump_refuses_bad_arguments_and_sends_nothing(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter bad = { .family = 99 };
	struct collected c = { 0 };

	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_dump(fx->ct, &bad, collect, &c, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_dump(NULL, NULL, collect, &c, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 0);
}

static void test_dump_kernel_error_is_returned(void **state)
{
	struct ctfx *fx = *state;
	struct collected c = { 0 };

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_dump(fx->ct, NULL, collect, &c, NULL), -EPERM);
}

/* ---- get, create, update, delete ---- */

static void test_get_returns_the_entry(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5, 6,
				     9, 33);
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = a.orig };
	struct ctnl_flow out;

	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), 0);
	assert_int_equal(out.id, 33);
	assert_int_equal(out.mark, 9);
	assert_int_equal(sent_msg_type(fx, 0), IPCTNL_MSG_CT_GET);
	assert_false(ctnl_fake_sock_sent(fx->fake, 0)->nlmsg_flags &
		     NLM_F_DUMP);
}

/* The kernel looks a get up by tuple alone: an id in the key that is not
 * the entry's means another entry holds the tuple now. */
static void test_get_with_another_entrys_id_is_enoent(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5, 6,
				     9, 33);
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_ID,
				 .orig = a.orig, .id = 34 };
	struct ctnl_flow out;

	memset(&out, 0x5a, sizeof(out));
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -ENOENT);
	assert_int_equal(((uint8_t *)&out)[0], 0x5a);
	key.id = 33;
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), 0);
}

static void test_get_failures_leave_out_untouched(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5, 6,
				     9, 33);
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG, .orig = a.orig };
	struct ctnl_flow out, none = { 0 };

	memset(&out, 0x5a, sizeof(out));
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -ENOENT);
	/* Two entries for one key, or none, is not a reply to a get. */
	put_entry(fx, &a);
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -EBADMSG);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -EBADMSG);
	assert_int_equal(((uint8_t *)&out)[0], 0x5a);

	assert_int_equal(ctnl_ct_get(fx->ct, &none, &out), -EINVAL);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 3);
}

/* The kernel ignores an id on a get: libctnl does not. */
static void test_get_with_another_id_is_enoent(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 5, 6,
				     9, 33);
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_ID,
				 .orig = a.orig, .id = 34 };
	struct ctnl_flow out;

	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -ENOENT);
	/* A reply without an id cannot be the one named by id, even by
	 * id 0 (what a missing id would read as). */
	a.attrs &= ~CTNL_ATTR_ID;
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -ENOENT);
	key.id = 0;
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -ENOENT);
	key.id = 33;
	a.attrs |= CTNL_ATTR_ID;
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), 0);
	assert_int_equal(out.mark, 9);
}

static void test_create_sends_create_and_returns_kernel_status(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     4, 0);

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_create(fx->ct, &f), 0);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EEXIST, NULL);
	assert_int_equal(ctnl_ct_create(fx->ct, &f), -EEXIST);
	assert_int_equal(sent_msg_type(fx, 0), IPCTNL_MSG_CT_NEW);
	assert_true(ctnl_fake_sock_sent(fx->fake, 0)->nlmsg_flags &
		    NLM_F_EXCL);
	assert_int_equal(sent_as_flow(fx, 0).mark, 4);
	f.attrs &= ~CTNL_ATTR_TIMEOUT;
	assert_int_equal(ctnl_ct_create(fx->ct, &f), -EINVAL);
	assert_int_equal(ctnl_ct_create(fx->ct, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 2);
}

/* Labels on a create are read back: if they stuck, fine. */
static void test_create_with_labels_checks_they_stuck(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0);
	struct ctnl_flow stored;

	f.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&f.labels, 5);
	stored = f;
	stored.id = 8;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	put_entry(fx, &stored);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_create(fx->ct, &f), 0);
	assert_int_equal(sent_msg_type(fx, 1), IPCTNL_MSG_CT_GET);
}

/* ... if they did not (labels disabled in that namespace), the entry is
 * removed again, by its id, and the caller learns why. */
static void test_create_with_labels_dropped_is_undone(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0);
	struct ctnl_flow stored;

	f.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&f.labels, 5);
	stored = f;
	stored.attrs &= ~CTNL_ATTR_LABELS;
	stored.id = 8;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	put_entry(fx, &stored);
	reply_entries(fx, 0);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_create(fx->ct, &f), -ENOSPC);
	assert_int_equal(sent_msg_type(fx, 2), IPCTNL_MSG_CT_DELETE);
	assert_int_equal(sent_as_flow(fx, 2).id, 8);
	assert_non_null(strstr(ctnl_ct_error_msg(fx->ct), "labels"));
}

/* Labels asked but all zero: nothing to verify, no read-back. */
static void test_create_with_empty_labels_is_not_read_back(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0);

	f.attrs |= CTNL_ATTR_LABELS;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_create(fx->ct, &f), 0);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 1);
}

/* The read-back itself can fail (the entry expired meanwhile, say). */
static void test_create_with_labels_read_back_failure_is_returned(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0);

	f.attrs |= CTNL_ATTR_LABELS;
	ctnl_labels_set(&f.labels, 9);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_create(fx->ct, &f), -ENOENT);
}

static void test_update_sends_key_and_change(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow key = { .attrs = CTNL_ATTR_REPLY,
				 .reply = tuple_of("fd00::2", "fd00::1",
						   IPPROTO_TCP, 80, 9) };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK |
					       CTNL_ATTR_TIMEOUT,
				      .mark = 3, .timeout = 60 };
	struct ctnl_flow sent;

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_update(fx->ct, &key, &change), 0);
	sent = sent_as_flow(fx, 0);
	assert_int_equal(sent.attrs & (CTNL_ATTR_ORIG | CTNL_ATTR_REPLY),
			 CTNL_ATTR_REPLY);
	assert_int_equal(sent.mark, 3);
	assert_int_equal(sent.timeout, 60);
	/* No NLM_F_CREATE: an update never creates. */
	assert_false(ctnl_fake_sock_sent(fx->fake, 0)->nlmsg_flags &
		     NLM_F_CREATE);

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_update(fx->ct, &key, &change), -ENOENT);
	assert_int_equal(ctnl_ct_update(fx->ct, &key, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_update(fx->ct, NULL, &change), -EINVAL);
}

static void test_update_labels_enospc_explains_how_to_enable(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG,
				 .orig = tuple_of("10.0.0.1", "10.0.0.2",
						  IPPROTO_TCP, 1, 2) };
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };

	ctnl_labels_set(&change.labels, 1);
	ctnl_labels_set(&change.labels_mask, 1);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOSPC, NULL);
	assert_int_equal(ctnl_ct_update(fx->ct, &key, &change), -ENOSPC);
	assert_non_null(strstr(ctnl_ct_error_msg(fx->ct), "ct label set"));

	/* The next operation starts without that explanation; the
	 * kernel's own text shows through. */
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EINVAL, "bad thing");
	change.attrs = CTNL_ATTR_MARK;
	assert_int_equal(ctnl_ct_update(fx->ct, &key, &change), -EINVAL);
	assert_string_equal(ctnl_ct_error_msg(fx->ct), "bad thing");
}

static void test_delete_sends_tuple_and_id(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2,
				     0, 77);
	struct ctnl_flow none = { 0 };

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_delete(fx->ct, &f), 0);
	assert_int_equal(sent_msg_type(fx, 0), IPCTNL_MSG_CT_DELETE);
	assert_int_equal(sent_as_flow(fx, 0).id, 77);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_delete(fx->ct, &f), -ENOENT);
	/* Never a delete without a tuple: the kernel would flush. */
	assert_int_equal(ctnl_ct_delete(fx->ct, &none), -EINVAL);
	assert_int_equal(ctnl_ct_delete(fx->ct, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 2);
}

static void test_flush_sends_family_and_table(void **state)
{
	struct ctfx *fx = *state;
	const struct nlmsghdr *sent;
	const struct nfgenmsg *nfg;

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_flush(fx->ct, CTNL_TABLE_CONNTRACK, AF_INET6),
			 0);
	sent = ctnl_fake_sock_sent(fx->fake, 0);
	nfg = mnl_nlmsg_get_payload(sent);
	assert_int_equal(nfg->nfgen_family, AF_INET6);
	assert_int_equal(nfg->version, 1);
	assert_int_equal(sent->nlmsg_len, NLMSG_HDRLEN + sizeof(*nfg));
	assert_int_equal(ctnl_ct_flush(fx->ct, CTNL_TABLE_CONNTRACK, 99),
			 -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 1);
}

static int count_expect(const struct ctnl_expect *e, void *data)
{
	(void)e;
	++*(int *)data;
	return CTNL_CB_OK;
}

static void test_dump_expect_refusals(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	int n = 0;

	assert_int_equal(ctnl_ct_dump_expect(fx->ct, 0, NULL, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_dump_expect(fx->ct, 99, count_expect, &n),
			 -EINVAL);
	/* A conntrack entry in an expectation dump is malformed. */
	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump_expect(fx->ct, 0, count_expect, &n),
			 -EBADMSG);
	assert_int_equal(n, 0);
}

/* ---- batches ---- */

static void test_batch_updates_with_per_item_results(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow flows[3];
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 42 };
	int results[3];

	for (int i = 0; i < 3; i++)
		flows[i] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP,
				   (uint16_t)(100 + i), 80, 0, (uint32_t)i);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 3,
				       &change, 1, results), 2);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -ENOENT);
	assert_int_equal(results[2], 0);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 3);
	for (int i = 0; i < 3; i++) {
		struct ctnl_flow sent = sent_as_flow(fx, (size_t)i);

		assert_int_equal(sent.mark, 42);
		assert_int_equal(sent.orig.port.src, 100 + i);
		assert_int_equal(sent.id, i);
	}
}

static void test_batch_takes_one_change_per_item(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow flows[2];
	struct ctnl_change changes[2] = {
		{ .attrs = CTNL_ATTR_MARK, .mark = 1 },
		{ .attrs = CTNL_ATTR_MARK, .mark = 2 },
	};
	int results[2];

	for (int i = 0; i < 2; i++)
		flows[i] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP,
				   (uint16_t)(100 + i), 80, 0, (uint32_t)i);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 2,
				       changes, 2, results), 2);
	assert_int_equal(sent_as_flow(fx, 1).mark, 2);
	/* Neither one for all nor one each. */
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 2,
				       changes, 3, results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, flows, 2, NULL,
				       0, results), -EINVAL);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
}

/* One bad item anywhere: nothing is sent at all. */
static void test_batch_with_a_bad_item_sends_nothing(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow flows[3];
	int results[3];

	for (int i = 0; i < 3; i++)
		flows[i] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP,
				   (uint16_t)(100 + i), 80, 0, (uint32_t)i);
	flows[2].attrs &= ~CTNL_ATTR_TIMEOUT;
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_CREATE, flows, 3, NULL,
				       0, results), -EINVAL);
	flows[2] = (struct ctnl_flow){ 0 };
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, 3, NULL,
				       0, results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(fx->ct, 9, flows, 2, NULL, 0, results),
			 -EINVAL);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, 0, NULL,
				       0, results), -EINVAL);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, 2, NULL,
				       0, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 0);
}

/* More requests than one buffer holds go as several socket batches, and
 * every item still gets its result. */
#define MANY 3000

static void test_batch_larger_than_buffer_goes_in_parts(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow *flows = calloc(MANY, sizeof(*flows));
	int *results = calloc(MANY, sizeof(*results));
	uint8_t one[CT_REQ_MAX];
	size_t per_part;

	assert_non_null(flows);
	assert_non_null(results);
	for (int i = 0; i < MANY; i++)
		flows[i] = flow_of("fd00::1", "fd00::2", IPPROTO_UDP,
				   (uint16_t)i, 53, 0, 0);
	for (int i = 0; i < MANY; i++)
		ctnl_fake_sock_batch_result(fx->fake, i % 1000 ? 0 : -EEXIST);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_CREATE, flows, MANY,
				       NULL, 0, results), MANY - 3);
	/* As many whole requests as CT_BATCH_BYTES holds, a part. */
	per_part = CT_BATCH_BYTES /
		   NLMSG_ALIGN((size_t)ctnl_build_create(one, sizeof(one),
							 &flows[0]));
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake),
			 (MANY + per_part - 1) / per_part);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), MANY);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(results[i], i % 1000 ? 0 : -EEXIST);
	assert_int_equal(sent_as_flow(fx, MANY - 1).orig.port.src, MANY - 1);
	free(flows);
	free(results);
}

static void test_batch_failure_part_way_marks_the_rest(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow *flows = calloc(MANY, sizeof(*flows));
	int *results = calloc(MANY, sizeof(*results));

	assert_non_null(flows);
	assert_non_null(results);
	for (int i = 0; i < MANY; i++)
		flows[i] = flow_of("fd00::1", "fd00::2", IPPROTO_UDP,
				   (uint16_t)i, 53, 0, 0);
	ctnl_fake_sock_batch_fail(fx->fake, -ENOBUFS);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, flows, MANY,
				       NULL, 0, results), -ENOBUFS);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(results[i], -ENOBUFS);
	free(flows);
	free(results);
}

/* A batch create with labels is checked entry by entry, like a single
 * create: an entry that came without its labels is removed again. */
static void test_batch_create_with_labels_undoes_entries_without(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow flows[2], stuck, dropped;
	int results[2];

	for (int i = 0; i < 2; i++) {
		flows[i] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP,
				   (uint16_t)(10 + i), 2, 0, 0);
		flows[i].attrs |= CTNL_ATTR_LABELS;
		ctnl_labels_set(&flows[i].labels, 4);
	}
	stuck = flows[0];
	stuck.id = 1;
	dropped = flows[1];
	dropped.attrs &= ~CTNL_ATTR_LABELS;
	dropped.id = 2;
	put_entry(fx, &stuck);
	reply_entries(fx, 0);
	put_entry(fx, &dropped);
	reply_entries(fx, 0);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);	/* delete */
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_CREATE, flows, 2, NULL,
				       0, results), 1);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], -ENOSPC);
	assert_int_equal(sent_msg_type(fx, 4), IPCTNL_MSG_CT_DELETE);
	assert_int_equal(sent_as_flow(fx, 4).id, 2);
	assert_non_null(strstr(ctnl_ct_error_msg(fx->ct), "labels"));
}

static void test_batch_buffer_out_of_memory_is_enomem(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0);
	int result;

	if (!heap_fail_nth(1))
		skip();
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_DELETE, &f, 1, NULL, 0,
				       &result), -ENOMEM);
	heap_fail_nth(0);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 0);
}

static void test_batch_label_enospc_is_explained(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0);
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };
	int result;

	ctnl_labels_set(&change.labels_mask, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOSPC);
	assert_int_equal(ctnl_ct_batch(fx->ct, CTNL_OP_UPDATE, &f, 1, &change,
				       1, &result), 0);
	assert_int_equal(result, -ENOSPC);
	assert_non_null(strstr(ctnl_ct_error_msg(fx->ct), "labels"));
}

/* ---- construction and dispatch ---- */

static void test_new_refuses_null_and_open_works_over_fake_syscalls(
	void **state)
{
	struct ctnl_fake_sys *sys;
	struct ctnl_ct *ct = NULL;
	size_t before = heap_in_use();

	(void)state;
	assert_int_equal(ctnl_ct_new(NULL, &ct), -EINVAL);
	assert_null(ct);
	assert_int_equal(ctnl_fake_sys_new(&sys), 0);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(sys), NULL, &ct),
			 0);
	assert_int_equal(ctnl_fake_sys_open_fds(sys), 1);
	ctnl_ct_close(ct);
	assert_int_equal(ctnl_fake_sys_open_fds(sys), 0);
	/* A failing socket open leaves nothing behind. */
	ctnl_fake_sys_fail(sys, CTNL_FAKE_BIND, 2, -EADDRINUSE);
	ct = NULL;
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(sys), NULL, &ct),
			 -EADDRINUSE);
	assert_null(ct);
	assert_int_equal(ctnl_ct_open(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sys_open_fds(sys), 0);
	ctnl_fake_sys_free(sys);
	ctnl_ct_close(NULL);
	assert_int_equal(heap_in_use(), before);
}

static void test_new_out_of_memory_is_enomem(void **state)
{
	struct ctnl_fake_sock *fake;
	struct ctnl_ct *ct = NULL;

	(void)state;
	if (!heap_fail_nth(0))
		skip();
	assert_int_equal(ctnl_fake_sock_new(&fake), 0);
	heap_fail_nth(1);
	assert_int_equal(ctnl_ct_new(ctnl_fake_sock_sock(fake), &ct), -ENOMEM);
	assert_null(ct);
	assert_false(ctnl_fake_sock_closed(fake));
	ctnl_fake_sock_free(fake);
}

static void test_open_netns_by_name_or_path(void **state)
{
	struct ctnl_fake_sys *sys;
	struct ctnl_ct *ct = NULL;
	char long_name[300];
	size_t before = heap_in_use();

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&sys), 0);
	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys), "blue",
					    &ct), 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(sys), "/run/netns/blue");
	assert_string_equal(ctnl_fake_sys_netns(sys), "");
	ctnl_ct_close(ct);

	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys),
					    "/proc/77/ns/net", &ct), 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(sys), "/proc/77/ns/net");
	ctnl_ct_close(ct);
	assert_int_equal(ctnl_fake_sys_open_fds(sys), 0);

	ct = NULL;
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys), NULL,
					    &ct), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys), "",
					    &ct), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys), ".",
					    &ct), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys), "..",
					    &ct), -EINVAL);
	assert_int_equal(ctnl_ct_open_netns(ctnl_fake_sys_syscalls(sys),
					    long_name, &ct), -EINVAL);
	assert_null(ct);
	assert_int_equal(ctnl_fake_sys_total_calls(sys), 2 * 14);
	ctnl_fake_sys_free(sys);
	assert_int_equal(heap_in_use(), before);
}

/* Requests are built in the handle's own buffer and then read and written
 * through struct nlmsghdr: misaligned, that is undefined behaviour (UBSan
 * stops there; strict-alignment machines fault). */
static void test_new_request_buffer_is_aligned_for_its_header(void **state)
{
	struct ctfx *fx = *state;
	struct ct_handle *h = fx->ct->ctx;

	assert_int_equal(offsetof(struct ct_handle, req) %
			 _Alignof(struct nlmsghdr), 0);
	assert_int_equal((uintptr_t)h->req % _Alignof(struct nlmsghdr), 0);
}

/* A fake Conntrack implementing nothing answers -ENOSYS everywhere, so a
 * test's fake implements only what its test needs. */
static void test_empty_interface_answers_enosys(void **state)
{
	static const struct ctnl_ct_ops empty = { .size = sizeof(empty) };
	struct ctnl_ct ct = { .ops = &empty };
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 0), out;
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK };
	struct ctnl_expect e = { 0 };
	struct ctnl_stats st;
	struct ctnl_cpu_stats cpu;
	struct ctnl_list list;
	struct ctnl_delete_stats dst;
	int result;

	(void)state;
	assert_int_equal(ctnl_ct_dump(&ct, NULL, collect, NULL, NULL), -ENOSYS);
	assert_int_equal(ctnl_ct_dump_expect(&ct, 0, NULL, NULL), -ENOSYS);
	assert_int_equal(ctnl_ct_get(&ct, &f, &out), -ENOSYS);
	assert_int_equal(ctnl_ct_create(&ct, &f), -ENOSYS);
	assert_int_equal(ctnl_ct_update(&ct, &f, &change), -ENOSYS);
	assert_int_equal(ctnl_ct_delete(&ct, &f), -ENOSYS);
	assert_int_equal(ctnl_ct_batch(&ct, CTNL_OP_DELETE, &f, 1, NULL, 0,
				       &result), -ENOSYS);
	assert_int_equal(ctnl_ct_flush(&ct, CTNL_TABLE_CONNTRACK, 0), -ENOSYS);
	assert_int_equal(ctnl_ct_update_matching(&ct, NULL, &change, NULL),
			 -ENOSYS);
	assert_int_equal(ctnl_ct_delete_matching(&ct, NULL, NULL), -ENOSYS);
	memset(&dst, 0xaa, sizeof(dst));
	assert_int_equal(ctnl_ct_delete_if(&ct, NULL, NULL, NULL, &dst),
			 -ENOSYS);
	assert_int_equal(dst.deleted, 0);
	assert_int_equal(ctnl_ct_stats(&ct, CTNL_TABLE_CONNTRACK, &st), -ENOSYS);
	assert_int_equal(ctnl_ct_stats_cpu(&ct, &cpu, 1), -ENOSYS);
	assert_int_equal(ctnl_ct_get_expect(&ct, &e, &e), -ENOSYS);
	assert_int_equal(ctnl_ct_create_expect(&ct, &e), -ENOSYS);
	assert_int_equal(ctnl_ct_delete_expect(&ct, &e), -ENOSYS);
	assert_int_equal(ctnl_ct_subscribe(&ct, CTNL_EVENT_NEW), -ENOSYS);
	assert_int_equal(ctnl_ct_event_fd(&ct), -ENOSYS);
	assert_int_equal(ctnl_ct_event_read(&ct, NULL, NULL), -ENOSYS);
	assert_null(ctnl_ct_error_msg(&ct));
	assert_int_equal(ctnl_ct_list(&ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 -ENOSYS);
	assert_int_equal(ctnl_ct_update_mark(&ct, "10.0.0.1", "10.0.0.2", 6, 1,
					     2, 3), -ENOSYS);
	ctnl_ct_close(&ct);

	assert_int_equal(ctnl_ct_event_fd(NULL), -EINVAL);
	assert_int_equal(ctnl_ct_flush(NULL, CTNL_TABLE_CONNTRACK, 0), -EINVAL);
	assert_null(ctnl_ct_error_msg(NULL));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ctfx_setup, ctfx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_dump_hands_over_each_entry),
		T(test_dump_of_empty_table_is_0),
		T(test_dump_refilters_what_the_kernel_ignored),
		T(test_dump_refilters_the_family),
		T(test_dump_reports_what_the_kernel_applied),
		T(test_dump_callback_can_stop_or_fail),
		T(test_dump_malformed_entry_is_ebadmsg),
		T(test_dump_interrupted_is_reported_not_failed),
		T(test_dump_refuses_bad_arguments_and_sends_nothing),
		T(test_dump_kernel_error_is_returned),
		T(test_get_returns_the_entry),
		T(test_get_with_another_entrys_id_is_enoent),
		T(test_get_failures_leave_out_untouched),
		T(test_get_with_another_id_is_enoent),
		T(test_create_sends_create_and_returns_kernel_status),
		T(test_create_with_labels_checks_they_stuck),
		T(test_create_with_labels_dropped_is_undone),
		T(test_create_with_empty_labels_is_not_read_back),
		T(test_create_with_labels_read_back_failure_is_returned),
		T(test_update_sends_key_and_change),
		T(test_update_labels_enospc_explains_how_to_enable),
		T(test_delete_sends_tuple_and_id),
		T(test_flush_sends_family_and_table),
		T(test_dump_expect_refusals),
		T(test_batch_updates_with_per_item_results),
		T(test_batch_takes_one_change_per_item),
		T(test_batch_with_a_bad_item_sends_nothing),
		T(test_batch_larger_than_buffer_goes_in_parts),
		T(test_batch_failure_part_way_marks_the_rest),
		T(test_batch_create_with_labels_undoes_entries_without),
		T(test_batch_buffer_out_of_memory_is_enomem),
		T(test_batch_label_enospc_is_explained),
		cmocka_unit_test(
			test_new_refuses_null_and_open_works_over_fake_syscalls),
		cmocka_unit_test(test_new_out_of_memory_is_enomem),
		cmocka_unit_test(test_open_netns_by_name_or_path),
		T(test_new_request_buffer_is_aligned_for_its_header),
		cmocka_unit_test(test_empty_interface_answers_enosys),
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
