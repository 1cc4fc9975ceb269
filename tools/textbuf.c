/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
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

void tb_u64(struct textbuf *b, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
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
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				tb_char(b, '.');
			tb_u64(b, a->u8[i]);
		}
		return;
	}
	if (inet_ntop(AF_INET6, a, text, sizeof(text)))
		tb_str(b, text);
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
