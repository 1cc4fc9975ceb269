/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include "common.h"


void bench_entry(uint32_t i, struct bench_entry *e)
{
	uint32_t kind = i % 10, host = i & 0xffff;
	uint32_t server = (i >> 2) & 3;

	memset(e, 0, sizeof(*e));
	e->mark = (((i / 7) % 10) << 8) | ((i / 3) % 100);
	/* The client address and port together are unique per index. */
	e->sport = (uint16_t)(10000 + (i >> 16) * 7 + (i % 7));
	if (kind < 8) {
		e->family = AF_INET;
		e->proto = kind < 5 ? IPPROTO_TCP : IPPROTO_UDP;
		e->src[0] = 10;
		e->src[2] = (uint8_t)(host >> 8);
		e->src[3] = (uint8_t)host;
		e->dst[0] = 192;
		e->dst[1] = 168;
		e->dst[2] = (uint8_t)server;
		e->dst[3] = 10;
	} else {
		e->family = AF_INET6;
		e->proto = IPPROTO_TCP;
		e->src[0] = 0xfd;
		e->src[14] = (uint8_t)(host >> 8);
		e->src[15] = (uint8_t)host;
		e->dst[0] = 0xfd;
		e->dst[1] = 0x01;
		e->dst[15] = (uint8_t)(10 + server);
	}
	e->dport = e->proto == IPPROTO_TCP ? 443 : 53;
	e->timeout = e->proto == IPPROTO_TCP ? 7200 : 3600;
}

bool bench_entry_in_sel10(uint32_t i)
{
	return (i / 7) % 10 == BENCH_SEL10_CLASS;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long bench_peak_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

void bench_report(uint64_t ns, uint64_t count, const char *note)
{
	printf("ok ns=%" PRIu64 " count=%" PRIu64 " rss=%ld%s%s\n", ns, count,
	       bench_peak_rss_kib(), note ? " note=" : "", note ? note : "");
	fflush(stdout);
}

uint64_t bench_arg_u64(const char *text, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || *text == '\0' || *text == '-' || *end != '\0') {
		fprintf(stderr, "%s: bad %s: %s\n",
			program_invocation_short_name, what, text);
		exit(2);
	}
	return v;
}

void bench_die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(err < 0 ? -err : err));
	exit(1);
}
