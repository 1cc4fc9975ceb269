/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "textbuf.h"

bool tb_room(struct textbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->failed)
		return false;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

/* "00" to "99": two digits a division. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

void tb_u64(struct textbuf *b, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	if (v < 10) {
		tb_char(b, (char)('0' + v));
		return;
	}
	while (v >= 100) {
		const char *pair = &digit_pairs[(v % 100) * 2];

		v /= 100;
		digits[sizeof(digits) - ++n] = pair[1];
		digits[sizeof(digits) - ++n] = pair[0];
	}
	if (v >= 10) {
		digits[sizeof(digits) - ++n] = digit_pairs[v * 2 + 1];
		digits[sizeof(digits) - ++n] = digit_pairs[v * 2];
	} else {
		digits[sizeof(digits) - ++n] = (char)('0' + v);
	}
	tb_mem(b, digits + sizeof(digits) - n, n);
}

void tb_hex(struct textbuf *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = hex[v & 15];
		v >>= 4;
	} while (v);
	tb_mem(b, digits + sizeof(digits) - n, n);
}

void tb_addr(struct textbuf *b, uint8_t family, const union ctnl_addr *a)
{
	char text[CTNL_ADDR_TEXT_MAX];
	int n = ctnl_addr_to_text(family, a, text, sizeof(text));

	if (n > 0)
		tb_mem(b, text, (size_t)n);
}

int tb_flush(struct textbuf *b, FILE *f)
{
	size_t len = b->len;

	b->len = 0;
	return fwrite(b->p, 1, len, f) == len ? 0 : -1;
}

void tb_free(struct textbuf *b)
{
	free(b->p);
	*b = (struct textbuf){ 0 };
}
