/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names ctnl reads and prints: protocols, TCP and SCTP states, status
 * flags and event types, as conntrack spells them. One table each, for
 * the parser and the output alike.
 */
#ifndef CTNL_TOOLS_NAMES_H
#define CTNL_TOOLS_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The protocol named @name (any case; "ipv6-icmp" too), or -1. */
int names_proto(const char *name);

/* The state named @name (any case; LISTEN is SYN_SENT2) of @proto (TCP,
 * SCTP or DCCP), or -1 when @proto has no such state (or no states). */
int names_state(uint8_t proto, const char *name);

/* The status bit named @name (any case, as conntrack -u takes them), or
 * 0 when there is none. */
uint32_t names_status(const char *name);

#endif /* CTNL_TOOLS_NAMES_H */
