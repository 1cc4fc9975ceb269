/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lists, and the Go package's five operations in their text-shaped form,
 * over the fake socket handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <ctnl/sys/ct.h>

#include "ct_fixture.h"

/* ---- lists ---- */

static void test_list_reads_both_families_into_one_array(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	struct ctnl_flow b = flow_of("fd00::1", "fd00::2", IPPROTO_TCP, 1, 2,
				     0, 2);
	struct ctnl_list list;

	put_entry(fx, &a);
	put_entry(fx, &b);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 2);
	assert_int_equal(list.table, CTNL_TABLE_CONNTRACK);
	assert_int_equal(list.count, 2);
	assert_null(list.expects);
	assert_int_equal(list.flows[1].orig.family, AF_INET6);
	/* Family 0 asks the kernel for every family. */
	assert_int_equal(((const struct nfgenmsg *)mnl_nlmsg_get_payload(
				  ctnl_fake_sock_sent(fx->fake, 0)))
				 ->nfgen_family,
			 AF_UNSPEC);
	ctnl_list_free(&list);
	assert_null(list.flows);
	assert_int_equal(list.count, 0);
	ctnl_list_free(NULL);
}

/* The Go package called an empty table an error. */
static void test_list_of_empty_table_is_empty_not_an_error(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_list list;

	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, AF_INET,
				      &list), 0);
	assert_int_equal(list.count, 0);
	ctnl_list_free(&list);
}

/* Growing past the first allocation, by doubling. */
static void test_list_grows_without_allocation_per_entry(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_list list;

	for (int i = 0; i < 600; i++) {
		struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2",
					     IPPROTO_UDP, (uint16_t)i, 53, 0,
					     (uint32_t)i);
		put_entry(fx, &f);
	}
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, AF_INET,
				      &list), 600);
	assert_int_equal(list.capacity, 1024);
	for (int i = 0; i < 600; i++)
		assert_int_equal(list.flows[i].orig.port.src, i);
	ctnl_list_free(&list);
}

static void test_list_failure_leaves_out_untouched(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	struct ctnl_list list = { .count = 12345 };

	put_entry(fx, &a);
	reply_entries(fx, -ENOBUFS);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 -ENOBUFS);
	assert_int_equal(list.count, 12345);
	assert_int_equal(ctnl_ct_list(fx->ct, 5, 0, &list), -EINVAL);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, NULL),
			 -EINVAL);
	assert_int_equal(ctnl_ct_list_filtered(fx->ct, NULL, 1u << 5, &list),
			 -EINVAL);
}

/* A Conntrack whose dump hands over three entries and allocates nothing,
 * so the list's own allocation is the only one. */
static int three_entries(void *ctx, const struct ctnl_filter *filter,
			 ctnl_flow_cb cb, void *data,
			 struct ctnl_dump_info *info)
{
	struct ctnl_flow f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     0, 1);
	int ret = 0;

	(void)ctx;
	(void)filter;
	(void)info;
	for (int i = 0; i < 3 && ret == 0; i++)
		ret = cb(&f, data);
	return ret < 0 ? ret : 3;
}

static void test_list_out_of_memory_is_enomem(void **state)
{
	static const struct ctnl_ct_ops ops = { .size = sizeof(ops),
						.dump = three_entries };
	struct ctnl_ct ct = { .ops = &ops };
	struct ctnl_list list = { .count = 7 };
	size_t before = heap_in_use();

	(void)state;
	if (!heap_fail_nth(1))
		skip();
	assert_int_equal(ctnl_ct_list(&ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 -ENOMEM);
	heap_fail_nth(0);
	assert_int_equal(list.count, 7);
	assert_int_equal(heap_in_use(), before);
	assert_int_equal(ctnl_ct_list(&ct, CTNL_TABLE_CONNTRACK, 0, &list), 3);
	ctnl_list_free(&list);
}

/* An expectation dump that fails leaves nothing allocated behind. */
static void test_list_expect_failure_leaves_out_untouched(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_list list = { .count = 3 };

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -EPERM, NULL);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, 0, &list),
			 -EPERM);
	assert_int_equal(list.count, 3);
}

/* A Conntrack whose expectation dump hands over two and allocates
 * nothing. */
static int two_expectations(void *ctx, uint8_t family, ctnl_expect_cb cb,
			    void *data)
{
	struct ctnl_expect e = { .attrs = CTNL_EXP_ATTR_ID };
	int ret = 0;

	(void)ctx;
	(void)family;
	for (int i = 0; i < 2 && ret == 0; i++)
		ret = cb(&e, data);
	return ret < 0 ? ret : 2;
}

static void test_list_expect_and_dedup_out_of_memory_are_enomem(void **state)
{
	static const struct ctnl_ct_ops ops = {
		.size = sizeof(ops),
		.dump = three_entries,
		.dump_expect = two_expectations,
	};
	struct ctnl_ct ct = { .ops = &ops };
	struct ctnl_list list = { .count = 7 };
	size_t before = heap_in_use();

	(void)state;
	if (!heap_fail_nth(1))
		skip();
	assert_int_equal(ctnl_ct_list(&ct, CTNL_TABLE_EXPECT, 0, &list),
			 -ENOMEM);
	/* The list grows once (1), then de-duplication allocates (2, 3). */
	heap_fail_nth(2);
	assert_int_equal(ctnl_ct_list_filtered(&ct, NULL, CTNL_LIST_DEDUP,
					       &list), -ENOMEM);
	heap_fail_nth(3);
	assert_int_equal(ctnl_ct_list_filtered(&ct, NULL, CTNL_LIST_DEDUP,
					       &list), -ENOMEM);
	heap_fail_nth(0);
	assert_int_equal(list.count, 7);
	assert_int_equal(heap_in_use(), before);
	assert_int_equal(ctnl_ct_list(&ct, CTNL_TABLE_EXPECT, 0, &list), 2);
	ctnl_list_free(&list);
}

/* Under churn a dump can yield an entry twice: de-duplication by id keeps
 * the later copy, in dump order. */
static void test_list_dedup_keeps_last_copy_of_each_id(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f;
	struct ctnl_list list;
	const uint32_t ids[] = { 1, 2, 1, 3, 2 };
	const uint32_t marks[] = { 10, 20, 11, 30, 21 };

	for (int i = 0; i < 5; i++) {
		f = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2,
			    marks[i], ids[i]);
		put_entry(fx, &f);
	}
	f = flow_of("10.0.0.9", "10.0.0.2", IPPROTO_UDP, 1, 2, 99, 0);
	f.attrs &= ~CTNL_ATTR_ID;
	put_entry(fx, &f);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list_filtered(fx->ct, NULL, CTNL_LIST_DEDUP,
					       &list), 4);
	assert_int_equal(list.info.duplicates, 2);
	assert_int_equal(list.flows[0].mark, 11);
	assert_int_equal(list.flows[1].mark, 30);
	assert_int_equal(list.flows[2].mark, 21);
	assert_int_equal(list.flows[3].mark, 99);
	ctnl_list_free(&list);
}

/* Ids are 32-bit hashes: in a large table distinct entries share some.
 * An entry is its id and its tuple; only real copies go. */
static void test_list_dedup_keeps_distinct_entries_sharing_an_id(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow f[4] = {
		flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 1, 7),
		flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 3, 2, 7),
		flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 3, 7),
		flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 2, 4, 7),
	};
	struct ctnl_list list;

	f[2].orig.zone = f[2].reply.zone = 5;	/* another zone: another */
	for (int i = 0; i < 4; i++)
		put_entry(fx, &f[i]);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list_filtered(fx->ct, NULL, CTNL_LIST_DEDUP,
					       &list), 3);
	assert_int_equal(list.info.duplicates, 1);
	assert_int_equal(list.flows[0].mark, 2);
	assert_int_equal(list.flows[1].mark, 3);
	assert_int_equal(list.flows[2].mark, 4);
	ctnl_list_free(&list);
}

static void test_list_filtered_carries_dump_info(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow a = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2,
				     5, 1);
	struct ctnl_filter filter = { .match = CTNL_MATCH_MARK, .mark = 5,
				      .mark_mask = UINT32_MAX };
	struct ctnl_list list;

	put_entry(fx, &a);
	reply_entries(fx, 0);
	assert_int_equal(ctnl_ct_list_filtered(fx->ct, &filter, 0, &list), 1);
	assert_int_equal(list.info.kernel, CTNL_MATCH_MARK);
	assert_int_equal(list.info.received, 1);
	ctnl_list_free(&list);
}

/* ---- the Go package's operations ---- */

static void test_tuple_from_text_checks_everything(void **state)
{
	struct ctnl_tuple t, untouched;

	(void)state;
	assert_int_equal(ctnl_tuple_from_text(&t, "10.0.0.1", "10.0.0.2",
					      IPPROTO_UDP, 53, 1053), 0);
	assert_int_equal(t.family, AF_INET);
	assert_int_equal(t.port.dst, 1053);
	assert_int_equal(ctnl_tuple_from_text(&t, "fd00::1", "::ffff:1.2.3.4",
					      IPPROTO_SCTP, 1, 2), 0);
	assert_int_equal(t.family, AF_INET6);
	assert_int_equal(ctnl_tuple_from_text(&t, "10.0.0.1", "10.0.0.2",
					      IPPROTO_ICMP, 0, 0), 0);

	memset(&t, 0x33, sizeof(t));
	untouched = t;
	/* Malformed, mixed families, ports without a port protocol. */
	assert_int_equal(ctnl_tuple_from_text(&t, "10.0.0.256", "10.0.0.2",
					      IPPROTO_UDP, 1, 2), -EINVAL);
	assert_int_equal(ctnl_tuple_from_text(&t, "10.0.0.1", "fd00::1",
					      IPPROTO_UDP, 1, 2), -EINVAL);
	assert_int_equal(ctnl_tuple_from_text(&t, "", "10.0.0.1", IPPROTO_UDP,
					      1, 2), -EINVAL);
	assert_int_equal(ctnl_tuple_from_text(&t, "10.0.0.1 ", "10.0.0.2",
					      IPPROTO_UDP, 1, 2), -EINVAL);
	assert_int_equal(ctnl_tuple_from_text(&t, "10.0.0.1", "10.0.0.2",
					      IPPROTO_ICMP, 1, 0), -EINVAL);
	assert_int_equal(ctnl_tuple_from_text(&t, NULL, "10.0.0.2",
					      IPPROTO_UDP, 1, 2), -EINVAL);
	assert_int_equal(ctnl_tuple_from_text(NULL, "10.0.0.1", "10.0.0.2",
					      IPPROTO_UDP, 1, 2), -EINVAL);
	assert_memory_equal(&t, &untouched, sizeof(t));
}

static void test_update_mark_sends_one_update(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow sent;

	ctnl_fake_sock_reply(fx->fake, NULL, 0, 0, NULL);
	assert_int_equal(ctnl_ct_update_mark(fx->ct, "fd00::1", "fd00::2",
					     IPPROTO_TCP, 4000, 443, 42), 0);
	sent = sent_as_flow(fx, 0);
	assert_int_equal(sent.orig.family, AF_INET6);
	assert_int_equal(sent.orig.port.dst, 443);
	assert_int_equal(sent.mark, 42);
	assert_false(sent.attrs & CTNL_ATTR_ID);

	ctnl_fake_sock_reply(fx->fake, NULL, 0, -ENOENT, NULL);
	assert_int_equal(ctnl_ct_update_mark(fx->ct, "10.0.0.1", "10.0.0.2",
					     IPPROTO_TCP, 1, 2, 42), -ENOENT);
	assert_int_equal(ctnl_ct_update_mark(fx->ct, "10.0.0.1", "fd00::2",
					     IPPROTO_TCP, 1, 2, 42), -EINVAL);
	assert_int_equal(ctnl_fake_sock_request_calls(fx->fake), 2);
}

static struct ctnl_flow sample_flows[4];

static void make_sample_flows(void)
{
	sample_flows[0] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 80,
				  0, 100);
	sample_flows[1] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 2, 80,
				  0, 101);
	/* The same tuple in another zone: it matches too (the Go package
	 * had no zones). */
	sample_flows[2] = sample_flows[0];
	sample_flows[2].orig.zone = sample_flows[2].reply.zone = 3;
	sample_flows[2].id = 102;
	sample_flows[3] = flow_of("10.0.0.1", "10.0.0.2", IPPROTO_UDP, 1, 80,
				  0, 103);
}

static void test_update_mark_for_available_flow_updates_matches_only(
	void **state)
{
	struct ctfx *fx = *state;

	make_sample_flows();
	ctnl_fake_sock_batch_result(fx->fake, 0);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, sample_flows, 4, "10.0.0.1",
				 "10.0.0.2", IPPROTO_TCP, 1, 80, 9), 1);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
	assert_int_equal(ctnl_fake_sock_sent_count(fx->fake), 2);
	/* Each named by tuple and id: never another entry that took the
	 * tuple since the list was read. */
	assert_int_equal(sent_as_flow(fx, 0).id, 100);
	assert_int_equal(sent_as_flow(fx, 1).id, 102);
	assert_int_equal(sent_as_flow(fx, 1).orig.zone, 3);
	assert_int_equal(sent_as_flow(fx, 1).mark, 9);
}

/* ICMP tuples hold no ports: the Go arguments name every ICMP flow between
 * the two addresses, whatever its id. */
static void test_update_mark_for_available_flow_icmp_matches_addresses(
	void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_flow flows[3];

	for (int i = 0; i < 3; i++) {
		flows[i] = flow_of("10.0.0.1", i < 2 ? "10.0.0.2" : "10.0.0.3",
				   IPPROTO_ICMP, 0, 0, 0, (uint32_t)i);
		flows[i].orig.icmp.type = 8;
		flows[i].orig.icmp.id = (uint16_t)(50 + i);
	}
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, flows, 3, "10.0.0.1", "10.0.0.2",
				 IPPROTO_ICMP, 0, 0, 4), 2);
	assert_int_equal(sent_as_flow(fx, 1).orig.icmp.id, 51);
}

static void test_update_mark_for_available_flow_without_match_is_0(
	void **state)
{
	struct ctfx *fx = *state;

	make_sample_flows();
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, sample_flows, 4, "10.0.0.1",
				 "10.0.0.2", IPPROTO_TCP, 7, 80, 9), 0);
	/* The source port of two of them, another destination port. */
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, sample_flows, 4, "10.0.0.1",
				 "10.0.0.2", IPPROTO_TCP, 1, 81, 9), 0);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, NULL, 0, "10.0.0.1", "10.0.0.2",
				 IPPROTO_TCP, 7, 80, 9), 0);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, NULL, 3, "10.0.0.1", "10.0.0.2",
				 IPPROTO_TCP, 7, 80, 9), -EINVAL);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, sample_flows, 4, "x", "10.0.0.2",
				 IPPROTO_TCP, 7, 80, 9), -EINVAL);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 0);
}

/* When every match fails, the caller gets why, not a silent 0. */
static void test_update_mark_for_available_flow_all_failed_is_error(
	void **state)
{
	struct ctfx *fx = *state;

	make_sample_flows();
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	ctnl_fake_sock_batch_result(fx->fake, -ENOENT);
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, sample_flows, 4, "10.0.0.1",
				 "10.0.0.2", IPPROTO_TCP, 1, 80, 9), -ENOENT);
}

static void test_update_label_sets_and_clears_under_mask(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_labels value = { 0 }, mask = { 0 };
	const struct nlmsghdr *sent;
	const struct nlattr *attr;
	int seen = 0;

	make_sample_flows();
	ctnl_labels_set(&value, 100);
	ctnl_labels_set(&mask, 100);
	ctnl_labels_set(&mask, 2);	/* cleared */
	assert_int_equal(ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK,
					      sample_flows, 4, "10.0.0.1",
					      "10.0.0.2", IPPROTO_UDP, 1, 80,
					      &value, &mask), 1);
	sent = ctnl_fake_sock_sent(fx->fake, 0);
	mnl_attr_for_each(attr, sent, sizeof(struct nfgenmsg)) {
		const uint32_t *w = mnl_attr_get_payload(attr);

		if (mnl_attr_get_type(attr) == CTA_LABELS) {
			assert_int_equal(w[3], 1u << 4);
			assert_int_equal(w[0], 0);
			seen++;
		} else if (mnl_attr_get_type(attr) == CTA_LABELS_MASK) {
			assert_int_equal(w[0], 1u << 2);
			assert_int_equal(w[3], 1u << 4);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
}

/* The Go package's 32-bit form: labels 0..31 replaced, 32..127 kept. */
static void test_update_mark_for_available_flow_out_of_memory(
	void **state)
{
	struct ctfx *fx = *state;

	make_sample_flows();
	if (!heap_fail_nth(1))
		skip();
	assert_int_equal(ctnl_ct_update_mark_for_available_flow(
				 fx->ct, sample_flows, 4, "10.0.0.1",
				 "10.0.0.2", IPPROTO_TCP, 1, 80, 9), -ENOMEM);
	heap_fail_nth(0);
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 0);
}

static void test_update_label32_replaces_low_word_only(void **state)
{
	struct ctfx *fx = *state;
	const struct nlattr *attr;
	int seen = 0;

	make_sample_flows();
	assert_int_equal(ctnl_ct_update_label32(fx->ct, CTNL_TABLE_CONNTRACK,
						sample_flows, 4, "10.0.0.1",
						"10.0.0.2", IPPROTO_UDP, 1, 80,
						CTNL_LABEL32_ENCRYPTED), 1);
	mnl_attr_for_each(attr, ctnl_fake_sock_sent(fx->fake, 0),
			  sizeof(struct nfgenmsg)) {
		const uint32_t *w = mnl_attr_get_payload(attr);

		if (mnl_attr_get_type(attr) == CTA_LABELS) {
			assert_int_equal(w[0], CTNL_LABEL32_ENCRYPTED);
			seen++;
		} else if (mnl_attr_get_type(attr) == CTA_LABELS_MASK) {
			assert_int_equal(w[0], UINT32_MAX);
			assert_int_equal(w[1], 0);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
}

static void test_update_label_refusals(void **state)
{
	struct ctfx *fx = *state;
	struct ctnl_labels l = { 0 };

	make_sample_flows();
	assert_int_equal(ctnl_ct_update_label(fx->ct, CTNL_TABLE_EXPECT,
					      sample_flows, 4, "10.0.0.1",
					      "10.0.0.2", IPPROTO_UDP, 1, 80,
					      &l, &l), -EOPNOTSUPP);
	assert_int_equal(ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK,
					      sample_flows, 4, "10.0.0.1",
					      "10.0.0.2", IPPROTO_UDP, 1, 80,
					      NULL, &l), -EINVAL);
	assert_int_equal(ctnl_ct_update_label(fx->ct, 7, sample_flows, 4,
					      "10.0.0.1", "10.0.0.2",
					      IPPROTO_UDP, 1, 80, &l, &l),
			 -EINVAL);
	assert_int_equal(ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK,
					      sample_flows, 4, "10.0.0.1",
					      "bad", IPPROTO_UDP, 1, 80, &l,
					      &l), -EINVAL);
	/* Labels disabled in the namespace: the error, with how to fix it. */
	ctnl_labels_set(&l, 1);
	ctnl_fake_sock_batch_result(fx->fake, -ENOSPC);
	assert_int_equal(ctnl_ct_update_label(fx->ct, CTNL_TABLE_CONNTRACK,
					      sample_flows, 4, "10.0.0.1",
					      "10.0.0.2", IPPROTO_UDP, 1, 80,
					      &l, &l), -ENOSPC);
	assert_non_null(strstr(ctnl_ct_error_msg(fx->ct), "labels"));
	assert_int_equal(ctnl_fake_sock_batch_calls(fx->fake), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ctfx_setup, ctfx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_reads_both_families_into_one_array),
		T(test_list_of_empty_table_is_empty_not_an_error),
		T(test_list_grows_without_allocation_per_entry),
		T(test_list_failure_leaves_out_untouched),
		cmocka_unit_test(test_list_out_of_memory_is_enomem),
		T(test_list_expect_failure_leaves_out_untouched),
		cmocka_unit_test(test_list_expect_and_dedup_out_of_memory_are_enomem),
		T(test_list_dedup_keeps_last_copy_of_each_id),
		T(test_list_dedup_keeps_distinct_entries_sharing_an_id),
		T(test_list_filtered_carries_dump_info),
		cmocka_unit_test(test_tuple_from_text_checks_everything),
		T(test_update_mark_sends_one_update),
		T(test_update_mark_for_available_flow_updates_matches_only),
		T(test_update_mark_for_available_flow_icmp_matches_addresses),
		T(test_update_mark_for_available_flow_without_match_is_0),
		T(test_update_mark_for_available_flow_all_failed_is_error),
		T(test_update_label_sets_and_clears_under_mask),
		T(test_update_mark_for_available_flow_out_of_memory),
		T(test_update_label32_replaces_low_word_only),
		T(test_update_label_refusals),
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
