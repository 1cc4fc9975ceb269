/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The full-API operations of the conntrack handle over the fake socket
 * handle: deleting and updating what a filter selects (the filtered flush,
 * its probe and its fallback, and the way entry by entry), statistics,
 * expectations and NLM_F_DUMP_INTR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "ct_fixture.h"

#define CT_TYPE(msg) ((NFNL_SUBSYS_CTNETLINK << 8) | (msg))
#define EXP_TYPE(msg) ((NFNL_SUBSYS_CTNETLINK_EXP << 8) | (msg))

/* ---- Helpers ---- */

static const struct nlattr *find_attr(const struct nlmsghdr *nlh,
				      uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

static const struct nfgenmsg *nfg_of(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

/* The i-th request sent: its type (subsystem and message). */
static uint16_t sent_type(struct ctfx *fx, size_t i)
{
	const struct nlmsghdr *nlh = ctnl_fake_sock_sent(fx->fake, i);

	assert_non_null(nlh);
	return nlh->nlmsg_type;
}

static bool sent_is_dump(struct ctfx *fx, size_t i)
{
	return ctnl_fake_sock_sent(fx->fake, i)->nlmsg_flags & NLM_F_DUMP;
}

/* Appends a statistics message with @n (type, value) pairs to fx->buf. */
static void put_stats(struct ctfx *fx, uint16_t type, uint16_t cpu,
		      const uint32_t (*attrs)[2], size_t n)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(fx->buf + fx->len);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->res_id = htons(cpu);
	for (size_t i = 0; i < n; i++)
		mnl_attr_put_u32(nlh, (uint16_t)attrs[i][0], htonl(attrs[i][1]));
	fx->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_ct_cpu(struct ctfx *fx, uint16_t cpu, uint32_t found,
		       uint32_t insert)
{
	const uint32_t attrs[][2] = {
		{ CTA_STATS_SEARCHED, 99 },	/* obsolete: skipped */
		{ CTA_STATS_FOUND, found },
		{ CTA_STATS_INVALID, 2 },
		{ CTA_STATS_INSERT, insert },
		{ CTA_STATS_INSERT_FAILED, 4 },
		{ CTA_STATS_DROP, 5 },
		{ CTA_STATS_EARLY_DROP, 6 },
		{ CTA_STATS_ERROR, 7 },
		{ CTA_STATS_SEARCH_RESTART, 8 },
		{ CTA_STATS_CLASH_RESOLVE, 9 },
		{ CTA_STATS_CHAIN_TOOLONG, 10 },
	};

	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU), cpu, attrs,
		  sizeof(attrs) / sizeof(attrs[0]));
}

/* As the kernel sends it: the conntrack subsystem's type number. */
static void put_exp_cpu(struct ctfx *fx, uint16_t cpu, uint32_t create)
{
	const uint32_t attrs[][2] = {
		{ CTA_STATS_EXP_NEW, 1 },
		{ CTA_STATS_EXP_CREATE, create },
		{ CTA_STATS_EXP_DELETE, 3 },
		{ 42, 42 },			/* unknown: skipped */
	};

	put_stats(fx, CT_TYPE(IPCTNL_MSG_EXP_GET_STATS_CPU), cpu, attrs, 4);
}

static struct ctnl_expect ftp_expect(uint32_t id)
{
	struct ctnl_expect e = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK,
		.master = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000,
				   21),
		.tuple = tuple_of("10.0.0.2", "10.0.0.1", IPPROTO_TCP, 0, 20000),
		.mask = tuple_of("255.255.255.255", "255.255.255.255",
				 IPPROTO_TCP, 0, 0xffff),
		.id = id,
	};

	return e;
}

/* Appends an expectation as a dump carries it (a create request's
 * layout, with its id). */
static void put_expect(struct ctfx *fx, const struct ctnl_expect *e)
{
	struct nlmsghdr *nlh = (void *)(fx->buf + fx->len);

	assert_true(ctnl_build_create_expect(nlh, sizeof(fx->buf) - fx->len,
					     e) > 0);
	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_attr_put_u32(nlh, CTA_EXPECT_ID, htonl(e->id));
	fx->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static int collect_expect(const struct ctnl_expect *exp, void *data)
{
	*(struct ctnl_expect *)data = *exp;
	return CTNL_CB_OK;
}

/* Three UDP entries with marks 1, 2, 1 and ids 1, 2, 3. */
static void put_three(struct ctfx *fx)
{
	for (uint32_t i = 1; i <= 3; i++) {
		struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, (uint16_t)i, 53,
					     i == 2 ? 2 : 1, i);

		put_entry(fx, &f);
	}
}

static const struct ctnl_filter mark1 = { .match = CTNL_MATCH_MARK,
					  .mark = 1, .mark_mask = 0xff };

/* ---- delete_matching: the filtered flush, uncounted ---- */

/* Kernel-filtered dumps send only matching entries. */
static void put_marked_1(struct ctfx *fx, size_t n)
{
	for (uint32_t i = 1; i <= n; i++) {
		struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, (uint16_t)i, 53, 1,
					     i);

		put_entry(fx, &f);
	}
}

static const struct nlmsghdr *check_flush(struct ctfx *fx, size_t i)
{
	const struct nlmsghdr *flush = ctnl_fake_sock_sent(fx->fake, i);

	assert_non_null(flush);
	assert_int_equal(flush->nlmsg_type, CT_TYPE(IPCTNL_MSG_CT_DELETE));
	assert_false(flush->nlmsg_flags & NLM_F_DUMP);
	/* A tuple only under CTA_FILTER: bare, it would name one entry. */
	if (find_attr(flush, CTA_TUPLE_ORIG))
		assert_non_null(find_attr(flush, CTA_FILTER));
	return flush;
}

/* All criteria the kernel's and no count wanted: the first time, a flush
 * that can match nothing shows the kernel's flush takes CTA_FILTER; then
 * one filtered flush deletes. The next time, the flush alone. */
static void test_delete_matching_uncounted_probes_once_then_flushes(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = mark1;
	struct ctnl_dump_info info;
	const struct nlmsghdr *probe, *flush;

	f.family = AF_INET;
	f.flags = CTNL_FILTER_UNCOUNTED;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);	/* probe */
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);	/* flush */
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 0);
	assert_true(info.kernel_flush);
	assert_int_equal(info.kernel, CTNL_MATCH_MARK);
	assert_int_equal(info.user, 0);

	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 2);
	probe = check_flush(fx, 0);
	assert_non_null(find_attr(probe, CTA_FILTER));
	assert_non_null(find_attr(probe, CTA_TUPLE_ORIG));
	assert_int_equal(ntohl(mnl_attr_get_u32(find_attr(probe, CTA_STATUS))),
			 CTNL_STATUS_TEMPLATE);
	flush = check_flush(fx, 1);
	assert_int_equal(nfg_of(flush)->nfgen_family, AF_INET);
	assert_int_equal(nfg_of(flush)->version, 1);
	assert_non_null(find_attr(flush, CTA_MARK));
	assert_non_null(find_attr(flush, CTA_MARK_MASK));
	assert_null(find_attr(flush, CTA_FILTER));
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 0);

	/* Known: the flush alone, tuple criteria under CTA_FILTER. */
	f.match |= CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DPORT;
	f.proto = IPPROTO_UDP;
	f.orig_dport = 53;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 0);
	assert_true(info.kernel_flush);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 3);
	assert_non_null(find_attr(check_flush(fx, 2), CTA_FILTER));
}

/* A kernel whose flush predates CTA_FILTER refuses the probe: whatever
 * the criteria (the mark alone too: such kernels may ignore it in a
 * flush), the entries go one by one, by tuple and id, counted. */
static void test_delete_matching_without_filter_flush_goes_one_by_one(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = mark1;
	struct ctnl_dump_info info;

	f.flags = CTNL_FILTER_UNCOUNTED;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EINVAL, NULL);
	put_three(fx);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 2);
	assert_false(info.kernel_flush);
	assert_int_equal(info.matched, 2);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
	assert_true(sent_is_dump(fx, 1));
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(sent_msg_type(fx, 2 + i),
				 IPCTNL_MSG_CT_DELETE);
	assert_int_equal(sent_as_flow(fx, 3).id, 3);

	/* Remembered: the next call goes straight to the dump. */
	put_three(fx);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), 2);
	assert_true(sent_is_dump(fx, 4));
}

static void test_delete_matching_probe_failure_is_returned(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = { .family = AF_INET, .match = CTNL_MATCH_PROTO,
				 .flags = CTNL_FILTER_UNCOUNTED,
				 .proto = IPPROTO_TCP };

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), -EPERM);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 1);

	/* Not learnt from a failure: asked again. */
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), 0);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 3);
}

static void test_delete_matching_flush_refusal_is_returned(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = mark1;

	f.flags = CTNL_FILTER_UNCOUNTED;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, "not allowed");
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), -EPERM);
	assert_string_equal(ctnl_ct_error_msg(fx->ct), "not allowed");
}

/* No criteria and no count: the plain flush of every family, with nothing
 * to check first. */
static void test_delete_matching_uncounted_without_criteria_flushes_all(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = { .flags = CTNL_FILTER_UNCOUNTED };
	const struct nlmsghdr *flush;

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), 0);
	flush = check_flush(fx, 0);
	assert_int_equal(flush->nlmsg_len,
			 NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	assert_int_equal(nfg_of(flush)->nfgen_family, AF_UNSPEC);
}

/* ---- delete_matching and update_matching: one by one ---- */

/* By default, or in user space: a dump, then batched deletes. An entry
 * gone meanwhile is not counted; another refusal is the result. */
static void test_delete_matching_one_by_one_counts_exactly(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = mark1;
	struct ctnl_dump_info info;

	f.flags = CTNL_FILTER_USERSPACE;
	put_three(fx);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 1);
	assert_false(info.kernel_flush);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(ctnl_fake_sock_sent(fx->fake, 0)->nlmsg_len,
			 NLMSG_HDRLEN + sizeof(struct nfgenmsg));

	f.flags = 0;
	put_marked_1(fx, 2);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, -EPERM);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), -EPERM);
	assert_int_equal(info.kernel, CTNL_MATCH_MARK);
	assert_non_null(find_attr(ctnl_fake_sock_sent(fx->fake, 3),
				  CTA_MARK));

	/* Nothing matching: no batch at all. */
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 0);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 2);
}

/* Uncounted but asked to stay in user space: no probe, no flush (the
 * kernel would apply the filter, here its family); a dump, and deletes
 * one by one. A mark goes the same way. */
static void test_delete_matching_uncounted_userspace_goes_one_by_one(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = { .family = AF_INET,
				 .flags = CTNL_FILTER_UNCOUNTED |
					  CTNL_FILTER_USERSPACE };
	struct ctnl_dump_info info;

	put_three(fx);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 3);
	assert_false(info.kernel_flush);
	assert_int_equal(info.kernel, 0);
	assert_int_equal(info.matched, 3);
	assert_true(sent_is_dump(fx, 0));
	/* A plain dump of the family. */
	assert_int_equal(nfg_of(ctnl_fake_sock_sent(fx->fake, 0))->nfgen_family,
			 AF_INET);
	assert_int_equal(ctnl_fake_sock_sent(fx->fake, 0)->nlmsg_len,
			 NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 1 + 3);

	f = mark1;
	f.flags = CTNL_FILTER_UNCOUNTED | CTNL_FILTER_USERSPACE;
	put_three(fx);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, &info), 2);
	assert_false(info.kernel_flush);
	assert_int_equal(ctnl_fake_sock_sent(fx->fake, 4)->nlmsg_len,
			 NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 2);
}

static void test_delete_matching_batch_failure_is_returned(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = mark1;

	put_three(fx);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_fail(fx->fake, -ENOBUFS);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), -ENOBUFS);
	/* The dump failing: nothing deleted. */
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), -EPERM);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
}

/* No memory for the buffer of deletes (the first allocation, before the
 * dump): -ENOMEM, nothing sent, nothing leaked (the fixture checks); the
 * next call goes through. */
static void test_matching_out_of_memory_sends_nothing(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter f = mark1;

	if (!heap_fail_nth(0))
		skip();
	heap_fail_nth(1);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), -ENOMEM);
	heap_fail_nth(0);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 0);
	put_marked_1(fx, 2);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &f, NULL), 2);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
}

static void test_matching_bad_arguments_send_nothing(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_filter bad = { .family = 99 };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK };
	struct ctnl_change nothing = { 0 };

	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &bad, NULL), -EINVAL);
	bad = (struct ctnl_filter){ .flags = 1u << 9 };
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &bad, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, &bad, &change, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, NULL, NULL, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, NULL, &nothing, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_delete_matching(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 0);
}

/* An update of what a dump found: each entry once, by tuple and id, with
 * the change. */
static void test_update_matching_updates_each_entry_once(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 9 };
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1,
				     53, 1, 1);
	struct ctnl_dump_info info;

	/* The same entry twice, as a dump under churn can send it. */
	put_entry(fx, &a);
	put_entry(fx, &a);
	put_three(fx);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, &mark1, &change,
						 &info), 1);
	assert_int_equal(info.duplicates, 2);
	assert_int_equal(info.matched, 4);
	assert_int_equal(info.gone, 1);
	assert_false(info.kernel_flush);
	/* Ids 1 (the last copy) and 3: the dedup keeps dump order. */
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 3);
	assert_int_equal(sent_msg_type(fx, 1), IPCTNL_MSG_CT_NEW);
	assert_int_equal(sent_as_flow(fx, 1).mark, 9);
	assert_int_equal(sent_as_flow(fx, 1).id, 1);
	assert_int_equal(sent_as_flow(fx, 2).id, 3);
}

/* A delete needs no de-duplication: the second copy of an entry finds
 * nothing, and -ENOENT is not counted. */
static void test_delete_matching_counts_a_twice_dumped_entry_once(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1,
				     53, 1, 1);
	struct ctnl_dump_info info;

	put_entry(fx, &a);
	put_entry(fx, &a);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	assert_int_equal(ctnl_ct_delete_matching(fx->ct, &mark1, &info), 1);
	assert_int_equal(info.matched, 2);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 3);
	assert_int_equal(sent_as_flow(fx, 1).id, 1);
	assert_int_equal(sent_as_flow(fx, 2).id, 1);
}

static void test_update_matching_labels_disabled_is_explained(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };

	ctnl_labels_set(&change.labels, 1);
	ctnl_labels_set(&change.labels_mask, 1);
	put_three(fx);
	reply_entries(fx, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOSPC);
	ctnl_fake_sock_batch_result(fx->fake, -ENOSPC);
	ctnl_fake_sock_batch_result(fx->fake, -ENOSPC);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, NULL, &change, NULL),
			 -ENOSPC);
	assert_non_null(strstr(ctnl_ct_error_msg(fx->ct), "labels"));

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EINTR, NULL);
	assert_int_equal(ctnl_ct_update_matching(fx->ct, NULL, &change, NULL),
			 0);
}

/* ---- statistics ---- */

static void test_stats_of_the_conntrack_table(void **state)
{
	struct ctfx *fx = *state;
	const uint32_t attrs[][2] = { { CTA_STATS_GLOBAL_ENTRIES, 19 },
				      { CTA_STATS_GLOBAL_MAX_ENTRIES, 262144 },
				      { 99, 1 } };
	struct ctnl_stats st;

	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_GET_STATS), 0, attrs, 3);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, &st), 0);
	assert_int_equal(st.count, 19);
	assert_int_equal(st.max, 262144);
	assert_int_equal(sent_type(fx, 0), CT_TYPE(IPCTNL_MSG_CT_GET_STATS));
	assert_false(sent_is_dump(fx, 0));

	/* No reply, two replies, a reply of another kind: -EBADMSG. */
	memset(&st, 0x5a, sizeof(st));
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, &st),
			 -EBADMSG);
	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_GET_STATS), 0, attrs, 2);
	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_GET_STATS), 0, attrs, 2);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, &st),
			 -EBADMSG);
	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_NEW), 0, attrs, 2);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, &st),
			 -EBADMSG);
	assert_int_equal(st.count, 0x5a5a5a5a);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, &st),
			 -EPERM);

	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_CONNTRACK, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_stats(fx->ct, 7, &st), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 5);
}

/* The expectation table has no statistics request: a dump counts it. */
static void test_stats_of_the_expectation_table(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_expect a = ftp_expect(1), b = ftp_expect(2);
	struct ctnl_stats st;

	b.tuple.port.dst = 20001;
	put_expect(fx, &a);
	put_expect(fx, &b);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_EXPECT, &st), 0);
	assert_int_equal(st.count, 2);
	assert_int_equal(st.max, 0);
	assert_int_equal(sent_type(fx, 0), EXP_TYPE(IPCTNL_MSG_EXP_GET));

	/* A dump flagged inconsistent is counted again, once. */
	put_expect(fx, &a);
	((struct nlmsghdr *)fx->buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_entries(fx, 0);
	put_expect(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_EXPECT, &st), 0);
	assert_int_equal(st.count, 1);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_stats(fx->ct, CTNL_TABLE_EXPECT, &st), -EPERM);
}

/* Both tables' per-CPU dumps, merged by CPU. */
static void test_stats_cpu_merges_both_tables(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_cpu_stats cpus[4];

	put_ct_cpu(fx, 0, 10, 100);
	put_ct_cpu(fx, 2, 20, 200);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 2, 22);
	put_exp_cpu(fx, 0, 11);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 4), 2);
	assert_int_equal(cpus[0].cpu, 0);
	assert_int_equal(cpus[0].found, 10);
	assert_int_equal(cpus[0].insert, 100);
	assert_int_equal(cpus[0].chaintoolong, 10);
	assert_int_equal(cpus[0].exp_create, 11);
	assert_int_equal(cpus[1].cpu, 2);
	assert_int_equal(cpus[1].found, 20);
	assert_int_equal(cpus[1].exp_create, 22);
	assert_int_equal(cpus[1].exp_delete, 3);
	assert_int_equal(sent_type(fx, 0),
			 CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU));
	assert_true(sent_is_dump(fx, 0));
	assert_int_equal(sent_type(fx, 1),
			 EXP_TYPE(IPCTNL_MSG_EXP_GET_STATS_CPU));
	assert_true(sent_is_dump(fx, 1));
}

/* Too small an array: as many as fit, and how many there are. A CPU only
 * the second dump names is added. */
static void test_stats_cpu_counts_past_the_array(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_cpu_stats cpus[2];

	put_ct_cpu(fx, 0, 1, 1);
	put_ct_cpu(fx, 1, 2, 2);
	put_ct_cpu(fx, 2, 3, 3);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 0, 5);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 1), 3);
	assert_int_equal(cpus[0].exp_create, 5);

	put_ct_cpu(fx, 0, 1, 1);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 0, 5);
	put_exp_cpu(fx, 3, 6);
	((struct nlmsghdr *)fx->buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 2), 2);
	assert_int_equal(cpus[1].cpu, 3);
	assert_int_equal(cpus[1].found, 0);
	assert_int_equal(cpus[1].exp_create, 6);

	/* Only the count. */
	put_ct_cpu(fx, 0, 1, 1);
	reply_entries(fx, 0);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, NULL, 0), 1);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, NULL, 1), -EINVAL);
}

/* The count is of CPUs, not of messages: a CPU a dump names twice is
 * one, a CPU only one table names is one more, and every entry up to the
 * count is filled in; past the array, the count says so. */
static void test_stats_cpu_counts_each_cpu_once(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_cpu_stats cpus[4];

	put_ct_cpu(fx, 0, 1, 1);
	put_ct_cpu(fx, 0, 2, 2);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 0, 5);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 4), 1);
	assert_int_equal(cpus[0].found, 2);
	assert_int_equal(cpus[0].exp_create, 5);

	put_ct_cpu(fx, 0, 1, 1);
	put_ct_cpu(fx, 1, 2, 2);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 2, 7);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 4), 3);
	assert_int_equal(cpus[2].cpu, 2);
	assert_int_equal(cpus[2].exp_create, 7);

	put_ct_cpu(fx, 0, 1, 1);
	put_ct_cpu(fx, 1, 2, 2);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 2, 7);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 2), 3);
	put_ct_cpu(fx, 0, 1, 1);
	reply_entries(fx, 0);
	put_exp_cpu(fx, 1, 7);
	put_exp_cpu(fx, 2, 7);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 1), 2);
}

static void test_stats_cpu_failures(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_cpu_stats cpus[2];
	const uint32_t attrs[][2] = { { CTA_STATS_FOUND, 1 } };

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 2), -EPERM);
	put_ct_cpu(fx, 0, 1, 1);
	reply_entries(fx, 0);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOBUFS, NULL);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 2), -ENOBUFS);
	/* A message of another kind in the dump. */
	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_GET_STATS), 0, attrs, 1);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_stats_cpu(fx->ct, cpus, 2), -EBADMSG);
}

/* ---- parsing statistics ---- */

static void test_stats_parsers_refuse_malformed_messages(void **state)
{
	struct ctfx *fx = *state;
	const uint32_t attrs[][2] = { { CTA_STATS_GLOBAL_ENTRIES, 1 } };
	struct ctnl_cpu_stats cpu = { .exp_new = 77 };
	struct ctnl_stats st;
	struct nlmsghdr *nlh = (void *)fx->buf;
	struct nlattr *attr;

	put_stats(fx, CT_TYPE(IPCTNL_MSG_CT_GET_STATS), 0, attrs, 1);
	assert_int_equal(ctnl_stats_parse(nlh, &st), 0);
	assert_int_equal(ctnl_stats_parse(NULL, &st), -EINVAL);
	assert_int_equal(ctnl_stats_parse(nlh, NULL), -EINVAL);
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), -EPROTO);
	assert_int_equal(ctnl_cpu_stats_parse(NULL, &cpu), -EINVAL);
	/* An attribute of the wrong length. */
	attr = (void *)((uint8_t *)nlh + NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	attr->nla_len = 6;
	assert_int_equal(ctnl_stats_parse(nlh, &st), -EBADMSG);
	/* An attribute running past the message. */
	attr->nla_len = 12;
	assert_int_equal(ctnl_stats_parse(nlh, &st), -EBADMSG);
	attr->nla_len = 8;
	/* A message too short for its header; of another type, it is
	 * another kind of message first, whatever its length. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(ctnl_stats_parse(nlh, &st), -EBADMSG);
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), -EPROTO);
	nlh->nlmsg_type = CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU);
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), -EBADMSG);
	assert_int_equal(ctnl_stats_parse(nlh, &st), -EPROTO);
	nlh->nlmsg_type = CT_TYPE(IPCTNL_MSG_CT_NEW);
	nlh->nlmsg_len = NLMSG_HDRLEN + 1;
	assert_int_equal(ctnl_stats_parse(nlh, &st), -EPROTO);
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), -EPROTO);

	/* Per-CPU: the expectation subsystem's own type is taken too; the
	 * conntrack counters stay as they were. */
	fx->len = 0;
	put_ct_cpu(fx, 1, 5, 6);
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), 0);
	assert_int_equal(cpu.found, 5);
	assert_int_equal(cpu.exp_new, 77);
	fx->len = 0;
	put_exp_cpu(fx, 1, 8);
	nlh->nlmsg_type = EXP_TYPE(IPCTNL_MSG_EXP_GET_STATS_CPU);
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), 0);
	assert_int_equal(cpu.exp_create, 8);
	assert_int_equal(cpu.found, 5);
	assert_int_equal(cpu.cpu, 1);
	attr = (void *)((uint8_t *)nlh + NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	attr->nla_len = 5;
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), -EBADMSG);
	attr->nla_len = 200;
	assert_int_equal(ctnl_cpu_stats_parse(nlh, &cpu), -EBADMSG);
	fx->len = 0;
}

/* ---- expectations ---- */

static void test_get_expect_by_tuple(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_expect e = ftp_expect(55), key = { 0 }, out;

	key.attrs = CTNL_EXP_ATTR_TUPLE;
	key.tuple = e.tuple;
	put_expect(fx, &e);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, &out), 0);
	assert_int_equal(out.id, 55);
	assert_int_equal(out.master.port.src, 40000);
	assert_int_equal(sent_type(fx, 0), EXP_TYPE(IPCTNL_MSG_EXP_GET));
	assert_false(sent_is_dump(fx, 0));

	memset(&out, 0x5a, sizeof(out));
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, &out), -ENOENT);
	put_expect(fx, &e);
	put_expect(fx, &e);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, &out), -EBADMSG);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, &out), -EBADMSG);
	/* A conntrack entry is no reply to this. */
	{
		struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, 1, 2, 0, 1);

		put_entry(fx, &f);
		reply_entries(fx, 0);
		assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, &out),
				 -EBADMSG);
	}
	assert_int_equal(((uint8_t *)&out)[0], 0x5a);

	assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, NULL), -EINVAL);
	key.attrs = CTNL_EXP_ATTR_MASTER;
	assert_int_equal(ctnl_ct_get_expect(fx->ct, &key, &out), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 5);
}

static void test_create_and_delete_expect(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_expect e = ftp_expect(0), key = { 0 };
	const struct nlmsghdr *sent;

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_create_expect(fx->ct, &e), 0);
	sent = ctnl_fake_sock_sent(fx->fake, 0);
	assert_int_equal(sent->nlmsg_type, EXP_TYPE(IPCTNL_MSG_EXP_NEW));
	assert_int_equal(sent->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_EXCL);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EEXIST, NULL);
	assert_int_equal(ctnl_ct_create_expect(fx->ct, &e), -EEXIST);

	key.attrs = CTNL_EXP_ATTR_TUPLE | CTNL_EXP_ATTR_ID;
	key.tuple = e.tuple;
	key.id = 7;
	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_delete_expect(fx->ct, &key), 0);
	sent = ctnl_fake_sock_sent(fx->fake, 2);
	assert_int_equal(sent->nlmsg_type, EXP_TYPE(IPCTNL_MSG_EXP_DELETE));
	assert_int_equal(ntohl(mnl_attr_get_u32(find_attr(sent,
							  CTA_EXPECT_ID))), 7);
	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_delete_expect(fx->ct, &key), -ENOENT);

	/* Never without a tuple (a flush), nothing sent. */
	key.attrs = 0;
	assert_int_equal(ctnl_ct_delete_expect(fx->ct, &key), -EINVAL);
	e.attrs = CTNL_EXP_ATTR_TUPLE;
	assert_int_equal(ctnl_ct_create_expect(fx->ct, &e), -EINVAL);
	assert_int_equal(ctnl_ct_create_expect(fx->ct, NULL), -EINVAL);
	assert_int_equal(ctnl_ct_delete_expect(fx->ct, NULL), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 4);
}

/* The expectation dump passes NLM_F_DUMP_INTR on; a list keeps every
 * entry and says so. */
static void test_expect_dump_interrupted_is_reported(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_expect e = ftp_expect(3), got;
	struct ctnl_list list;

	put_expect(fx, &e);
	((struct nlmsghdr *)fx->buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_dump_expect(fx->ct, 0, collect_expect, &got),
			 -EINTR);
	assert_int_equal(got.id, 3);

	put_expect(fx, &e);
	((struct nlmsghdr *)fx->buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, 0, &list), 1);
	assert_true(list.info.interrupted);
	assert_int_equal(list.expects[0].id, 3);
	ctnl_list_free(&list);

	/* Any other failure: no list, nothing allocated. */
	put_expect(fx, &e);
	reply_entries(fx, -EPERM);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, 0, &list),
			 -EPERM);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ctfx_setup, ctfx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_delete_matching_uncounted_probes_once_then_flushes),
		T(test_delete_matching_without_filter_flush_goes_one_by_one),
		T(test_delete_matching_probe_failure_is_returned),
		T(test_delete_matching_flush_refusal_is_returned),
		T(test_delete_matching_uncounted_without_criteria_flushes_all),
		T(test_delete_matching_one_by_one_counts_exactly),
		T(test_delete_matching_uncounted_userspace_goes_one_by_one),
		T(test_delete_matching_batch_failure_is_returned),
		T(test_matching_out_of_memory_sends_nothing),
		T(test_matching_bad_arguments_send_nothing),
		T(test_update_matching_updates_each_entry_once),
		T(test_delete_matching_counts_a_twice_dumped_entry_once),
		T(test_update_matching_labels_disabled_is_explained),
		T(test_stats_of_the_conntrack_table),
		T(test_stats_of_the_expectation_table),
		T(test_stats_cpu_merges_both_tables),
		T(test_stats_cpu_counts_past_the_array),
		T(test_stats_cpu_counts_each_cpu_once),
		T(test_stats_cpu_failures),
		T(test_stats_parsers_refuse_malformed_messages),
		T(test_get_expect_by_tuple),
		T(test_create_and_delete_expect),
		T(test_expect_dump_interrupted_is_reported),
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
