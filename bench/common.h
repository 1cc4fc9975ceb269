/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every benchmark program shares: the table they all work on, entry by
 * entry, and the way a client reports a measurement to the driver.
 *
 * The table is a pure function of the entry index, so every client (libctnl,
 * libnetfilter_conntrack, raw libmnl) can name entry i without reading the
 * table first, and a partial refill recreates exactly what was removed.
 */
#ifndef CTNL_BENCH_COMMON_H
#define CTNL_BENCH_COMMON_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Entry i: 50 % TCP over IPv4, 30 % UDP over IPv4, 20 % TCP over IPv6,
 * TCP entries ESTABLISHED, all ASSURED. Clients on 10.0.0.0/16 or
 * fd00::/64 talk to four servers each, source ports vary.
 *
 * The mark holds two selectors, so that the table's content decides the
 * share of entries a filter picks whatever the table size:
 *   bits 0-7   (i / 3) % 100        -> value 42 under mask 0xff: 1 %
 *   bits 8-11  (i / 7) % 10         -> value 0x300 under mask 0xf00: 10 %
 *   bits 16-31 0 when created; mark updates set them, never the selectors.
 */
#define BENCH_SEL1_VALUE 42u
#define BENCH_SEL1_MASK 0xffu
#define BENCH_SEL10_CLASS 3u
#define BENCH_SEL10_VALUE (BENCH_SEL10_CLASS << 8)
#define BENCH_SEL10_MASK 0xf00u
#define BENCH_MARK_SELECTORS 0xffffu

struct bench_entry {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t src[16];	/* network byte order; 4 bytes for IPv4 */
	uint8_t dst[16];
	uint16_t sport;		/* host byte order */
	uint16_t dport;
	uint32_t mark;
	uint32_t timeout;	/* seconds */
};

void bench_entry(uint32_t i, struct bench_entry *e);

/* Whether entry i carries the 10 % selector (the delete benchmark's). */
bool bench_entry_in_sel10(uint32_t i);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* The process's peak resident set so far (VmHWM), in KiB; -1 if unknown. */
long bench_peak_rss_kib(void);

/*
 * A client's report to the driver, on standard output, one line:
 *   ok ns=<elapsed> count=<entries> rss=<KiB> [note=<word>]
 * Elapsed time covers only the measured operation, not process start-up.
 */
void bench_report(uint64_t ns, uint64_t count, const char *note);

/* Parses a decimal or 0x number; exits with a message when malformed. */
uint64_t bench_arg_u64(const char *text, const char *what);

/* Prints "client: what: strerror(-err)" on stderr and exits with 1. */
void bench_die(const char *what, int err) __attribute__((noreturn));

#endif /* CTNL_BENCH_COMMON_H */
