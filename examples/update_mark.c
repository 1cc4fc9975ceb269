/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Go package's second example, in C: set the mark of one flow, named by
 * its original tuple. IPv4 or IPv6.
 *
 *   update_mark SRC DST PROTO SPORT DPORT MARK
 *   update_mark 10.0.0.1 10.0.0.2 tcp 40000 80 42
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctnl/ctnl.h>

/* A number in [0, max], or -1. */
static long number(const char *text, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno || *text == '\0' || *text == '-' || *end != '\0' || v > max)
		return -1;
	return (long)v;
}

static long protocol(const char *text)
{
	static const struct { const char *name; long num; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "udplite", 136 },
		{ "sctp", 132 }, { "dccp", 33 }, { "icmp", 1 },
		{ "icmpv6", 58 }, { "gre", 47 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0)
			return names[i].num;
	return number(text, 255);
}

int main(int argc, char **argv)
{
	long proto, sport, dport, mark;
	struct ctnl_ct *ct = NULL;
	int ret;

	if (argc != 7) {
		fprintf(stderr, "usage: update_mark SRC DST PROTO SPORT DPORT MARK\n");
		return 2;
	}
	proto = protocol(argv[3]);
	sport = number(argv[4], 65535);
	dport = number(argv[5], 65535);
	mark = number(argv[6], UINT32_MAX);
	if (proto < 0 || sport < 0 || dport < 0 || mark < 0) {
		fprintf(stderr, "update_mark: bad PROTO, port or MARK\n");
		return 2;
	}

	ret = ctnl_ct_open(NULL, NULL, &ct);
	if (ret == 0)
		ret = ctnl_ct_update_mark(ct, argv[1], argv[2], (uint8_t)proto,
					  (uint16_t)sport, (uint16_t)dport,
					  (uint32_t)mark);
	if (ret == -ENOENT)
		fprintf(stderr, "update_mark: no such flow\n");
	else if (ret < 0)
		fprintf(stderr, "update_mark: %s%s%s\n", strerror(-ret),
			ctnl_ct_error_msg(ct) ? ": " : "",
			ctnl_ct_error_msg(ct) ? ctnl_ct_error_msg(ct) : "");
	ctnl_ct_close(ct);
	return ret < 0 ? 1 : 0;
}
