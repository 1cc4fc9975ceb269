/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
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

/**
 * @defgroup libctnl-compat compat.h: the Go package's operations
 * Addresses as text, protocol and ports as numbers: thin wrappers for
 * programs ported from the Go package libctnl started from. Each parses its
 * text arguments once and calls the tuple-based operations of
 * <ctnl/conntrack.h>; new code calls those directly.
 *
 * The update operations take the flows to consider (a list from
 * ctnl_ct_list(), say) and change those whose original tuple is the one
 * the arguments describe: same addresses and protocol, and the same ports
 * for protocols with ports (so every ICMP flow between the two
 * addresses). As with any update, an entry re-created with the same tuple
 * since the list was read is updated too: the kernel does not check ids
 * on updates.
 * @{
 */

/**
 * Fills a tuple from text addresses, a protocol number and ports.
 * @param t      receives the tuple
 * @param src    the source address, IPv4 or IPv6
 * @param dst    the destination address, of the same family
 * @param proto  an IPPROTO_* number
 * @param sport  the source port, host order; 0 for protocols without ports
 * @param dport  the destination port, likewise
 * @return 0.
 * @errors -EINVAL (malformed or mixed addresses, ports for a protocol
 * without them, NULL pointers); @p t is then untouched.
 * @ownership The strings are read during the call only; *@p t is plain
 * data, the caller's.
 */
CTNL_API int ctnl_tuple_from_text(struct ctnl_tuple *t, const char *src,
				  const char *dst, uint8_t proto,
				  uint16_t sport, uint16_t dport);

/**
 * Sets the mark of the entry whose original tuple this is. ICMP entries
 * cannot be named this way (their id, type and code are not among the
 * arguments): use ctnl_ct_update() with a tuple for them.
 * @param ct     the handle
 * @param src    the source address, IPv4 or IPv6
 * @param dst    the destination address, of the same family
 * @param proto  an IPPROTO_* number
 * @param sport  the source port, host order
 * @param dport  the destination port, host order
 * @param mark   the new mark
 * @return 0.
 * @errors -ENOENT (no such flow), -EINVAL (as ctnl_tuple_from_text()), and
 * those of ctnl_ct_update().
 * @ownership The strings are read during the call only.
 */
CTNL_API int ctnl_ct_update_mark(struct ctnl_ct *ct, const char *src,
				 const char *dst, uint8_t proto,
				 uint16_t sport, uint16_t dport, uint32_t mark);

/**
 * Sets the mark of those of @p flows whose original tuple is this one
 * (see the group's description), in one batch.
 * @param ct     the handle
 * @param flows  the flows to consider (NULL when @p count is 0)
 * @param count  how many
 * @param src    the source address, IPv4 or IPv6
 * @param dst    the destination address, of the same family
 * @param proto  an IPPROTO_* number
 * @param sport  the source port, host order (ignored for ICMP)
 * @param dport  the destination port, host order (ignored for ICMP)
 * @param mark   the new mark
 * @return how many entries the kernel updated (0 when none of @p flows
 * matches); entries gone meanwhile are not counted.
 * @errors -EINVAL (as ctnl_tuple_from_text(), or NULL @p flows with a
 * @p count; nothing is sent), -ENOMEM, those of ctnl_ct_batch() when it
 * fails part-way, and, when there were matches but none could be
 * updated, the first entry's error (-ENOENT if all were gone).
 * @ownership @p flows and the strings are read during the call only.
 */
CTNL_API int ctnl_ct_update_mark_for_available_flow(
	struct ctnl_ct *ct, const struct ctnl_flow *flows, size_t count,
	const char *src, const char *dst, uint8_t proto, uint16_t sport,
	uint16_t dport, uint32_t mark);

/**
 * Sets the labels under a mask to a value (other labels untouched) on
 * those of @p flows whose original tuple is this one (see the group's
 * description), in one batch.
 * @param ct     the handle
 * @param table  must be CTNL_TABLE_CONNTRACK
 * @param flows  the flows to consider (NULL when @p count is 0)
 * @param count  how many
 * @param src    the source address, IPv4 or IPv6
 * @param dst    the destination address, of the same family
 * @param proto  an IPPROTO_* number
 * @param sport  the source port, host order (ignored for ICMP)
 * @param dport  the destination port, host order (ignored for ICMP)
 * @param value  the labels' new values
 * @param mask   which labels to set or clear
 * @return how many entries the kernel updated; nothing is counted that
 * did not happen.
 * @errors -EOPNOTSUPP (CTNL_TABLE_EXPECT: expectations carry no labels),
 * -EINVAL (another table, NULL @p value or @p mask, bad addresses as
 * ctnl_tuple_from_text(); nothing is sent), -ENOSPC (the namespace has
 * labels disabled; ctnl_ct_error_msg() says how to enable them), and the
 * others of ctnl_ct_update_mark_for_available_flow().
 * @ownership All pointers are read during the call only.
 */
CTNL_API int ctnl_ct_update_label(struct ctnl_ct *ct, enum ctnl_table table,
				  const struct ctnl_flow *flows, size_t count,
				  const char *src, const char *dst,
				  uint8_t proto, uint16_t sport, uint16_t dport,
				  const struct ctnl_labels *value,
				  const struct ctnl_labels *mask);

/**
 * The Go package's form of ctnl_ct_update_label(): @p labels replaces
 * labels 0..31, the rest stay.
 * @param ct      the handle
 * @param table   must be CTNL_TABLE_CONNTRACK
 * @param flows   the flows to consider (NULL when @p count is 0)
 * @param count   how many
 * @param src     the source address, IPv4 or IPv6
 * @param dst     the destination address, of the same family
 * @param proto   an IPPROTO_* number
 * @param sport   the source port, host order (ignored for ICMP)
 * @param dport   the destination port, host order (ignored for ICMP)
 * @param labels  the new labels 0..31, bit n being label n
 * @return how many entries the kernel updated.
 * @errors -EOPNOTSUPP (CTNL_TABLE_EXPECT), -EINVAL (another table, bad
 * addresses; nothing is sent), -ENOSPC (labels disabled in the
 * namespace), -ENOMEM, those of ctnl_ct_batch() when it fails part-way,
 * and, when there were matches but none could be updated, the first
 * entry's error (-ENOENT if all were gone).
 * @ownership @p flows and the strings are read during the call only.
 */
CTNL_API int ctnl_ct_update_label32(struct ctnl_ct *ct, enum ctnl_table table,
				    const struct ctnl_flow *flows, size_t count,
				    const char *src, const char *dst,
				    uint8_t proto, uint16_t sport,
				    uint16_t dport, uint32_t labels);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_COMPAT_H */
