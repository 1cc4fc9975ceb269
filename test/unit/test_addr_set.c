/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address sets: membership exact for both families, growth without loss,
 * clearing that keeps the memory, and the ready predicate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ctnl/conntrack.h>

#include "entry.h"
#include "heap.h"

static union ctnl_addr v4(const char *text)
{
	union ctnl_addr a = { 0 };

	assert_int_equal(inet_pton(AF_INET, text, &a.in), 1);
	return a;
}

static union ctnl_addr v6(const char *text)
{
	union ctnl_addr a;

	assert_int_equal(inet_pton(AF_INET6, text, &a.in6), 1);
	return a;
}

/* 10,000 addresses of each family in, each found, none of their
 * neighbours; an IPv4 address is not its IPv4-mapped IPv6 form. */
static void test_addr_set_holds_many_of_both_families(void **state)
{
	struct ctnl_addr_set *set;
	union ctnl_addr a;

	(void)state;
	assert_int_equal(ctnl_addr_set_new(&set), 0);
	assert_int_equal(ctnl_addr_set_count(set), 0);
	assert_false(ctnl_addr_set_contains(set, AF_INET, &a));
	for (uint32_t i = 0; i < 10000; i++) {
		a = (union ctnl_addr){ .u32 = { htonl(0x0a000000u + 2 * i) } };
		assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), 1);
		a = v6("fd00::");
		a.u32[3] = htonl(2 * i);
		assert_int_equal(ctnl_addr_set_add(set, AF_INET6, &a), 1);
	}
	assert_int_equal(ctnl_addr_set_count(set), 20000);
	for (uint32_t i = 0; i < 10000; i++) {
		a = (union ctnl_addr){ .u32 = { htonl(0x0a000000u + 2 * i) } };
		assert_true(ctnl_addr_set_contains(set, AF_INET, &a));
		assert_false(ctnl_addr_set_contains(set, AF_INET6, &a));
		a.u32[0] = htonl(0x0a000000u + 2 * i + 1);
		assert_false(ctnl_addr_set_contains(set, AF_INET, &a));
		a = v6("fd00::");
		a.u32[3] = htonl(2 * i);
		assert_true(ctnl_addr_set_contains(set, AF_INET6, &a));
		a.u32[3] = htonl(2 * i + 1);
		assert_false(ctnl_addr_set_contains(set, AF_INET6, &a));
	}
	a = v6("::ffff:10.0.0.0");
	assert_false(ctnl_addr_set_contains(set, AF_INET6, &a));
	ctnl_addr_set_free(set);
}

/* What follows an IPv4 address in the union is not part of it; adding it
 * again is 0; text of either family works, anything else is -EINVAL. */
static void test_addr_set_add_is_exact_and_idempotent(void **state)
{
	struct ctnl_addr_set *set;
	union ctnl_addr a = v4("192.0.2.1"), b = a;

	(void)state;
	assert_int_equal(ctnl_addr_set_new(&set), 0);
	b.u32[2] = 0xdeadbeef;
	assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), 1);
	assert_int_equal(ctnl_addr_set_add(set, AF_INET, &b), 0);
	assert_true(ctnl_addr_set_contains(set, AF_INET, &b));
	assert_int_equal(ctnl_addr_set_add_text(set, "192.0.2.1"), 0);
	assert_int_equal(ctnl_addr_set_add_text(set, "2001:db8::1"), 1);
	a = v6("2001:db8::1");
	assert_true(ctnl_addr_set_contains(set, AF_INET6, &a));
	assert_int_equal(ctnl_addr_set_add_text(set, "2001:db8::1"), 0);
	assert_int_equal(ctnl_addr_set_add_text(set, "192.0.2"), -EINVAL);
	assert_int_equal(ctnl_addr_set_add_text(set, "host"), -EINVAL);
	assert_int_equal(ctnl_addr_set_add_text(set, ""), -EINVAL);
	assert_int_equal(ctnl_addr_set_add(set, AF_UNSPEC, &a), -EINVAL);
	assert_int_equal(ctnl_addr_set_add(set, 99, &a), -EINVAL);
	assert_false(ctnl_addr_set_contains(set, 99, &a));
	assert_int_equal(ctnl_addr_set_count(set), 2);
	ctnl_addr_set_free(set);
}

/* Clearing empties the set and keeps its memory: refilling it allocates
 * nothing. */
/* An IPv4 address and the IPv6 address made of the same bytes (the rest
 * zero) are different members wherever the table puts them: a thousand
 * addresses, each alone in the set, so that some IPv6 lookup lands on the
 * IPv4 one's slot. */
static void test_addr_set_family_is_part_of_the_member(void **state)
{
	struct ctnl_addr_set *set;

	(void)state;
	assert_int_equal(ctnl_addr_set_new(&set), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		union ctnl_addr a = { .u32 = { htonl(0x0a000000u + i) } };

		ctnl_addr_set_clear(set);
		assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), 1);
		assert_false(ctnl_addr_set_contains(set, AF_INET6, &a));
		assert_int_equal(ctnl_addr_set_add(set, AF_INET6, &a), 1);
		assert_int_equal(ctnl_addr_set_count(set), 2);
	}
	ctnl_addr_set_free(set);
}

static void test_addr_set_clear_keeps_memory(void **state)
{
	struct ctnl_addr_set *set;
	union ctnl_addr a;
	unsigned long allocs;

	(void)state;
	assert_int_equal(ctnl_addr_set_new(&set), 0);
	ctnl_addr_set_clear(set);	/* empty, never grown */
	for (uint32_t i = 0; i < 100; i++) {
		a = (union ctnl_addr){ .u32 = { htonl(i) } };
		assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), 1);
	}
	ctnl_addr_set_clear(set);
	assert_int_equal(ctnl_addr_set_count(set), 0);
	assert_false(ctnl_addr_set_contains(set, AF_INET, &a));
	allocs = heap_allocs();
	for (uint32_t i = 0; i < 100; i++) {
		a = (union ctnl_addr){ .u32 = { htonl(i + 1000) } };
		assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), 1);
	}
	assert_int_equal(heap_allocs(), allocs);
	assert_int_equal(ctnl_addr_set_count(set), 100);
	ctnl_addr_set_free(set);
}

/* Growing without memory: -ENOMEM, and the set as it was. */
static void test_addr_set_growth_failure_changes_nothing(void **state)
{
	struct ctnl_addr_set *set;
	union ctnl_addr a;

	(void)state;
	if (!heap_fail_nth(0))
		skip();
	assert_int_equal(ctnl_addr_set_new(&set), 0);
	for (uint32_t i = 0; i < 8; i++) {
		a = (union ctnl_addr){ .u32 = { htonl(i) } };
		assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), 1);
	}
	a = (union ctnl_addr){ .u32 = { htonl(8) } };
	heap_fail_nth(1);
	assert_int_equal(ctnl_addr_set_add(set, AF_INET, &a), -ENOMEM);
	heap_fail_nth(0);
	assert_int_equal(ctnl_addr_set_count(set), 8);
	assert_false(ctnl_addr_set_contains(set, AF_INET, &a));
	for (uint32_t i = 0; i < 8; i++) {
		a = (union ctnl_addr){ .u32 = { htonl(i) } };
		assert_true(ctnl_addr_set_contains(set, AF_INET, &a));
	}
	heap_fail_nth(1);
	assert_int_equal(ctnl_addr_set_new(&set), -ENOMEM);
	heap_fail_nth(0);
	ctnl_addr_set_free(set);
}

/* The predicate: either source, not the destinations; a flow without a
 * reply tuple is judged by its original source. */
static void test_addr_set_has_src_reads_both_sources(void **state)
{
	struct ctnl_addr_set *set;
	struct ctnl_flow f = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1, 2),
		.reply = tuple_of("10.0.0.3", "10.0.0.1", IPPROTO_TCP, 2, 1),
	};

	(void)state;
	assert_int_equal(ctnl_addr_set_new(&set), 0);
	assert_int_equal(ctnl_addr_set_has_src(&f, set), 0);
	assert_int_equal(ctnl_addr_set_add_text(set, "10.0.0.2"), 1);
	assert_int_equal(ctnl_addr_set_has_src(&f, set), 0);
	assert_int_equal(ctnl_addr_set_add_text(set, "10.0.0.3"), 1);
	assert_int_equal(ctnl_addr_set_has_src(&f, set), 1);
	f.attrs &= ~CTNL_ATTR_REPLY;
	assert_int_equal(ctnl_addr_set_has_src(&f, set), 0);
	assert_int_equal(ctnl_addr_set_add_text(set, "10.0.0.1"), 1);
	assert_int_equal(ctnl_addr_set_has_src(&f, set), 1);
	assert_int_equal(ctnl_addr_set_has_src(NULL, set), 0);
	assert_int_equal(ctnl_addr_set_has_src(&f, NULL), 0);
	ctnl_addr_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_set_holds_many_of_both_families),
		cmocka_unit_test(test_addr_set_add_is_exact_and_idempotent),
		cmocka_unit_test(test_addr_set_family_is_part_of_the_member),
		cmocka_unit_test(test_addr_set_clear_keeps_memory),
		cmocka_unit_test(test_addr_set_growth_failure_changes_nothing),
		cmocka_unit_test(test_addr_set_has_src_reads_both_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
