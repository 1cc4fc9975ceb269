/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A line being written: hand-written appenders into one growing buffer,
 * reused line after line, so that printing a table costs no snprintf per
 * field and no allocation per line.
 */
#ifndef CTNL_TOOLS_TEXTBUF_H
#define CTNL_TOOLS_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ctnl/ctnl.h>

struct textbuf {
	char *p;
	size_t len, cap;
	bool failed;		/* out of memory: the line is cut */
};

/* Makes room for @n more bytes; false (and failed) if it cannot. */
bool tb_room(struct textbuf *b, size_t n);

static inline void tb_mem(struct textbuf *b, const char *s, size_t n)
{
	if (b->len + n <= b->cap || tb_room(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static inline void tb_str(struct textbuf *b, const char *s)
{
	tb_mem(b, s, strlen(s));
}

static inline void tb_char(struct textbuf *b, char c)
{
	if (b->len < b->cap || tb_room(b, 1))
		b->p[b->len++] = c;
}

void tb_u64(struct textbuf *b, uint64_t v);
void tb_hex(struct textbuf *b, uint64_t v);	/* lower case, no 0x */
/* An address as inet_ntop writes it. */
void tb_addr(struct textbuf *b, uint8_t family, const union ctnl_addr *a);

/* Writes the line out and empties the buffer; -1 on a write error. */
int tb_flush(struct textbuf *b, FILE *f);

void tb_free(struct textbuf *b);

#endif /* CTNL_TOOLS_TEXTBUF_H */
