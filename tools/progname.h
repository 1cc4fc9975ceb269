/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which program holds a netlink port: conntrack -E names the program
 * behind a change made from user space ("[USERSPACE] portid=N
 * progname=NAME"), and so does ctnl events.
 */
#ifndef CTNL_TOOLS_PROGNAME_H
#define CTNL_TOOLS_PROGNAME_H

#include <stdint.h>

/* The last answer, kept: a flush makes thousands of events, all from the
 * same port. */
struct progname_cache {
	uint32_t portid;
	unsigned long inode;
	char name[64];		/* "" when no program was found */
	int64_t checked_ms;	/* when /proc last confirmed it (monotonic) */
};

/*
 * The name (as in /proc/PID/stat) of the process that holds the
 * NETLINK_NETFILTER socket bound to @portid, or NULL when none can be
 * found (the program has exited, or it lives where /proc cannot see it).
 * Looks in this namespace's /proc/net/netlink, then in that of the
 * process whose pid is @portid (most programs bind their pid). Reads
 * /proc only, and for the port of the last answer not again within a
 * second. Borrowed: valid until the next call with @cache.
 */
const char *progname_of(uint32_t portid, struct progname_cache *cache);

#endif /* CTNL_TOOLS_PROGNAME_H */
