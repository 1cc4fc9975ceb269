/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tool's appenders (tools/textbuf.h): every line the tool prints is
 * written through them, so their growth and their digits are checked
 * here at the boundaries, with exact answers: appends one past the
 * capacity and far past it, numbers at each change of digit count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "textbuf.h"

/* The buffer's text as a string (the appenders write no NUL). */
static const char *text(struct textbuf *b)
{
	static char copy[4096];

	assert_false(b->failed);
	assert_true(b->len <= b->cap);
	assert_true(b->len < sizeof(copy));
	memcpy(copy, b->p, b->len);
	copy[b->len] = '\0';
	return copy;
}

/* One character at a time across the first capacity and the next: each
 * lands where it should, and the buffer always holds what it was given. */
static void test_chars_across_capacity(void **state)
{
	struct textbuf b = { 0 };

	(void)state;
	for (size_t i = 0; i < 600; i++) {
		tb_char(&b, (char)('a' + i % 26));
		assert_int_equal(b.len, i + 1);
		assert_true(b.len <= b.cap);
	}
	for (size_t i = 0; i < 600; i++)
		assert_int_equal(b.p[i], 'a' + i % 26);
	tb_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

/* An append longer than twice the capacity grows the buffer as many
 * times as it takes, at once. */
static void test_long_append_grows_enough(void **state)
{
	char big[3000];
	struct textbuf b = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('0' + i % 10);
	tb_char(&b, '<');
	assert_int_equal(b.cap, 256);
	tb_mem(&b, big, sizeof(big));
	tb_char(&b, '>');
	assert_int_equal(b.len, sizeof(big) + 2);
	assert_int_equal(b.cap, 4096);
	assert_int_equal(b.p[0], '<');
	assert_memory_equal(b.p + 1, big, sizeof(big));
	assert_int_equal(b.p[sizeof(big) + 1], '>');
	tb_free(&b);
}

/* An append that exactly fills the capacity does not grow it; one byte
 * more does. */
static void test_exact_fill(void **state)
{
	char fill[256];
	struct textbuf b = { 0 };

	(void)state;
	memset(fill, 'x', sizeof(fill));
	tb_char(&b, 'x');
	tb_mem(&b, fill, 255);
	assert_int_equal(b.len, 256);
	assert_int_equal(b.cap, 256);
	tb_char(&b, 'y');
	assert_int_equal(b.len, 257);
	assert_int_equal(b.cap, 512);
	assert_int_equal(b.p[256], 'y');
	tb_free(&b);
}

static const char *u64(uint64_t v)
{
	static char out[32];
	struct textbuf b = { 0 };

	tb_u64(&b, v);
	snprintf(out, sizeof(out), "%s", text(&b));
	tb_free(&b);
	return out;
}

static const char *hex(uint64_t v)
{
	static char out[32];
	struct textbuf b = { 0 };

	tb_hex(&b, v);
	snprintf(out, sizeof(out), "%s", text(&b));
	tb_free(&b);
	return out;
}

/* Numbers at every change of digit count, against printf. */
static void test_u64_as_printf(void **state)
{
	char want[32];

	(void)state;
	for (uint64_t p = 1; p <= 1000000000000000000u; p *= 10) {
		uint64_t around[] = { p - 1, p, p + 1, 2 * p, 9 * p + 9 };

		for (size_t i = 0; i < sizeof(around) / sizeof(*around); i++) {
			snprintf(want, sizeof(want), "%llu",
				 (unsigned long long)around[i]);
			assert_string_equal(u64(around[i]), want);
		}
	}
	assert_string_equal(u64(0), "0");
	assert_string_equal(u64(100), "100");
	assert_string_equal(u64(UINT64_MAX), "18446744073709551615");
}

static void test_hex_as_printf(void **state)
{
	(void)state;
	assert_string_equal(hex(0), "0");
	assert_string_equal(hex(0xf), "f");
	assert_string_equal(hex(0x10), "10");
	assert_string_equal(hex(0xabcdef01), "abcdef01");
	assert_string_equal(hex(UINT64_MAX), "ffffffffffffffff");
}

static void test_addr(void **state)
{
	union ctnl_addr a4 = { 0 }, a6 = { 0 };
	struct textbuf b = { 0 };

	(void)state;
	inet_pton(AF_INET, "10.0.100.255", &a4);
	inet_pton(AF_INET6, "fd00::10:0:1", &a6);
	tb_addr(&b, AF_INET, &a4);
	tb_char(&b, ' ');
	tb_addr(&b, AF_INET6, &a6);
	tb_char(&b, ' ');
	/* A family the library does not write: nothing. */
	tb_addr(&b, AF_UNIX, &a4);
	assert_string_equal(text(&b), "10.0.100.255 fd00::10:0:1 ");
	tb_free(&b);
}

/* A flush writes the line and empties the buffer for the next one. */
static void test_flush_empties(void **state)
{
	char out[64] = { 0 };
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct textbuf b = { 0 };

	(void)state;
	assert_non_null(f);
	tb_str(&b, "first\n");
	assert_int_equal(tb_flush(&b, f), 0);
	assert_int_equal(b.len, 0);
	tb_str(&b, "second\n");
	assert_int_equal(tb_flush(&b, f), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "first\nsecond\n");
	tb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chars_across_capacity),
		cmocka_unit_test(test_long_append_grows_enough),
		cmocka_unit_test(test_exact_fill),
		cmocka_unit_test(test_u64_as_printf),
		cmocka_unit_test(test_hex_as_printf),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_flush_empties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
