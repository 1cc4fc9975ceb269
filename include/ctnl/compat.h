/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl: the Go package's operations. Addresses as text, ports as
 * numbers.
 *
 * Thin wrappers for programs ported from the Go package libctnl started
 * from: each parses its text arguments once and calls the tuple-based
 * operations of <ctnl/conntrack.h>. Read that header first: new code
 * calls those directly.
 */
#ifndef CTNL_COMPAT_H
#define CTNL_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include <ctnl/common.h>
#include <ctnl/flow.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctnl_ct;		/* <ctnl/conntrack.h> */

/* ====================================================================
 * The Go package's operations: addresses as text, ports as numbers
 * ==================================================================== */

/*
 * Fills @t from text addresses (IPv4 or IPv6, both the same family), a
 * protocol number and ports (host order). Ports must be 0 for protocols
 * without ports. Errors: -EINVAL (malformed or mixed addresses, ports for
 * a protocol without them, NULL pointers); @t is then untouched.
 */
CTNL_API int ctnl_tuple_from_text(struct ctnl_tuple *t, const char *src,
				  const char *dst, uint8_t proto,
				  uint16_t sport, uint16_t dport);

/* Sets the mark of the entry whose original tuple this is. ICMP entries
 * cannot be named this way (their id, type and code are not among the
 * arguments): use ctnl_ct_update() with a tuple for them.
 * Errors: -ENOENT (no such flow), -EINVAL, the kernel's. */
CTNL_API int ctnl_ct_update_mark(struct ctnl_ct *ct, const char *src,
				 const char *dst, uint8_t proto,
				 uint16_t sport, uint16_t dport, uint32_t mark);

/*
 * Sets the mark of those of @flows whose original tuple is this one (a
 * list from ctnl_ct_list(), say): same addresses and protocol, and the
 * same ports for protocols with ports (so every ICMP flow between the two
 * addresses). Returns how many entries the kernel updated; entries gone
 * meanwhile are not counted. When there were matches but none could be
 * updated, returns the first error (-ENOENT if all were gone). As with
 * any update, an entry re-created with the same tuple since the list was
 * read is updated too: the kernel does not check ids on updates.
 */
CTNL_API int ctnl_ct_update_mark_for_available_flow(
	struct ctnl_ct *ct, const struct ctnl_flow *flows, size_t count,
	const char *src, const char *dst, uint8_t proto, uint16_t sport,
	uint16_t dport, uint32_t mark);

/*
 * Sets the labels under @mask to @value (other labels untouched) on those
 * of @flows whose original tuple is this one. @table must be
 * CTNL_TABLE_CONNTRACK (expectations carry no labels: -EOPNOTSUPP).
 * Returns how many entries the kernel updated. Errors: -ENOSPC when the
 * namespace has labels disabled (ctnl_ct_error_msg() says how to enable
 * them); nothing is counted that did not happen.
 */
CTNL_API int ctnl_ct_update_label(struct ctnl_ct *ct, enum ctnl_table table,
				  const struct ctnl_flow *flows, size_t count,
				  const char *src, const char *dst,
				  uint8_t proto, uint16_t sport, uint16_t dport,
				  const struct ctnl_labels *value,
				  const struct ctnl_labels *mask);

/* The Go package's form: @labels replaces labels 0..31, the rest stay. */
CTNL_API int ctnl_ct_update_label32(struct ctnl_ct *ct, enum ctnl_table table,
				    const struct ctnl_flow *flows, size_t count,
				    const char *src, const char *dst,
				    uint8_t proto, uint16_t sport,
				    uint16_t dport, uint32_t labels);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_COMPAT_H */
