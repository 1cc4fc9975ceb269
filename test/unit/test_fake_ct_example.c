/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How to unit-test your own program with libctnl's in-memory conntrack
 * table: a tiny agent that marks DNS flows, and its tests. No root, no
 * kernel. Build your tests like this one:
 *   cc test.c -lcmocka -lctnl-mocks $(pkg-config --libs libctnl libmnl)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ctnl/ctnl.h>
#include <ctnl/mocks.h>

/* ---- The code under test: in real life, part of your program ---- */

#define DNS_MARK 7

/*
 * Marks every UDP flow to port 53 with DNS_MARK, in one batch. Takes any
 * conntrack handle: ctnl_ct_open()'s in production, the fake in tests.
 * Returns how many flows were marked, or a negative errno.
 */
static int mark_dns_flows(struct ctnl_ct *ct)
{
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK,
				      .mark = DNS_MARK };
	struct ctnl_list list;
	struct ctnl_flow *keys;
	int *results, ret;
	size_t n = 0;

	ret = ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list);
	if (ret < 0)
		return ret;
	keys = calloc(list.count + 1, sizeof(*keys));
	results = calloc(list.count + 1, sizeof(*results));
	if (!keys || !results) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < list.count; i++) {
		const struct ctnl_flow *f = &list.flows[i];

		if (f->orig.proto == IPPROTO_UDP && f->orig.port.dst == 53)
			keys[n++] = (struct ctnl_flow){ .attrs = CTNL_ATTR_ORIG,
							.orig = f->orig };
	}
	ret = n ? ctnl_ct_batch(ct, CTNL_OP_UPDATE, keys, n, &change, 1,
				results) : 0;
out:
	free(keys);
	free(results);
	ctnl_list_free(&list);
	return ret;
}

/* ---- Its tests ---- */

/* Puts a flow into the fake table, as the kernel would hold it. */
static void seed(struct ctnl_fake_ct *fake, uint8_t proto, const char *src,
		 const char *dst, uint16_t sport, uint16_t dport)
{
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG };

	assert_int_equal(ctnl_tuple_from_text(&flow.orig, src, dst, proto,
					      sport, dport), 0);
	assert_int_equal(ctnl_fake_ct_add(fake, &flow), 0);
}

static int setup(void **state)
{
	struct ctnl_fake_ct *fake;

	assert_int_equal(ctnl_fake_ct_new(&fake), 0);
	*state = fake;
	return 0;
}

static int teardown(void **state)
{
	ctnl_fake_ct_free(*state);
	return 0;
}

static void test_agent_marks_udp_flows_to_port_53_only(void **state)
{
	struct ctnl_fake_ct *fake = *state;
	const struct ctnl_flow *flows;
	size_t n;

	seed(fake, IPPROTO_UDP, "10.0.0.1", "10.0.0.53", 40000, 53);
	seed(fake, IPPROTO_UDP, "10.0.0.1", "10.0.0.9", 40001, 123);
	seed(fake, IPPROTO_TCP, "10.0.0.1", "10.0.0.53", 40002, 53);
	seed(fake, IPPROTO_UDP, "2001:db8::1", "2001:db8::53", 40003, 53);

	assert_int_equal(mark_dns_flows(ctnl_fake_ct_ct(fake)), 2);

	flows = ctnl_fake_ct_flows(fake, &n);
	assert_int_equal(n, 4);
	assert_int_equal(flows[0].mark, DNS_MARK);
	assert_int_equal(flows[1].mark, 0);
	assert_int_equal(flows[2].mark, 0);
	assert_int_equal(flows[3].mark, DNS_MARK);
}

static void test_agent_with_empty_table_sends_no_update(void **state)
{
	struct ctnl_fake_ct *fake = *state;

	assert_int_equal(mark_dns_flows(ctnl_fake_ct_ct(fake)), 0);
	assert_int_equal(ctnl_fake_ct_calls(fake, CTNL_FAKE_CT_BATCH), 0);
}

static void test_agent_reports_a_failed_dump_and_marks_nothing(void **state)
{
	struct ctnl_fake_ct *fake = *state;

	seed(fake, IPPROTO_UDP, "10.0.0.1", "10.0.0.53", 40000, 53);
	/* As when the kernel's socket buffer overflows mid-dump. */
	ctnl_fake_ct_fail(fake, CTNL_FAKE_CT_DUMP, 1, -ENOBUFS);

	assert_int_equal(mark_dns_flows(ctnl_fake_ct_ct(fake)), -ENOBUFS);
	assert_int_equal(ctnl_fake_ct_flows(fake, NULL)[0].mark, 0);
}

static void test_agent_reports_a_failed_batch(void **state)
{
	struct ctnl_fake_ct *fake = *state;

	seed(fake, IPPROTO_UDP, "10.0.0.1", "10.0.0.53", 40000, 53);
	ctnl_fake_ct_fail(fake, CTNL_FAKE_CT_BATCH, 1, -EPERM);

	assert_int_equal(mark_dns_flows(ctnl_fake_ct_ct(fake)), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_agent_marks_udp_flows_to_port_53_only, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_agent_with_empty_table_sends_no_update, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_agent_reports_a_failed_dump_and_marks_nothing,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_agent_reports_a_failed_batch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
