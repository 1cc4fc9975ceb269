/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: messages, without a socket. Request builders, reply parsers,
 * formatters.
 *
 * The pieces the operations of <ctnl/conntrack.h> are made of, for
 * programs that send and receive netlink messages themselves, test request
 * bytes, or print flows as `conntrack -L` does. Read <ctnl/conntrack.h>
 * and <ctnl/flow.h> first.
 */
#ifndef CTNL_MSG_H
#define CTNL_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include <ctnl/common.h>
#include <ctnl/flow.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================
 * Messages, without a socket: build requests, parse replies, format
 * ==================================================================== */

/**
 * @defgroup libctnl-msg msg.h: messages without a socket
 * Request builders, reply parsers, formatters.
 *
 * Request builders: each writes one complete netlink request into a
 * caller's buffer and returns its length, or -EINVAL (bad arguments) or
 * -ENOSPC (the buffer is too small). Sequence numbers are left for the
 * socket handle. A batch is several built requests laid end to end.
 * @{
 */

/**
 * Builds a dump of the conntrack entries a filter selects, with the
 * criteria the kernel applies (see ctnl_dump_info).
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param filter  which entries (NULL: all of every family)
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_dump(void *buf, size_t size,
			     const struct ctnl_filter *filter);
/**
 * Builds a get of the entry a key names (see <ctnl/conntrack.h>).
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param key   names the entry
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments: a key without a tuple), -ENOSPC (@p buf too
 * small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_get(void *buf, size_t size,
			    const struct ctnl_flow *key);
/**
 * Builds the creation of an entry, as ctnl_ct_create() describes it.
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param flow  the entry to create
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_create(void *buf, size_t size,
			       const struct ctnl_flow *flow);
/**
 * Builds the update of the entry a key names, as ctnl_ct_update()
 * describes it.
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param key     names the entry
 * @param change  what to change
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments: nothing to change, a key without a tuple),
 * -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_update(void *buf, size_t size,
			       const struct ctnl_flow *key,
			       const struct ctnl_change *change);
/**
 * Builds the deletion of the entry a key names; never without a tuple,
 * which the kernel would take for a flush.
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param key   names the entry
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments: a key without a tuple), -ENOSPC (@p buf too
 * small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_delete(void *buf, size_t size,
			       const struct ctnl_flow *key);
/**
 * Builds a flush of a table for one family or both.
 * @param buf     receives the request
 * @param size    the room in @p buf, in bytes
 * @param table   CTNL_TABLE_CONNTRACK or CTNL_TABLE_EXPECT
 * @param family  AF_INET, AF_INET6, or 0 for both
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments), -EOPNOTSUPP (expectations of one
 * family: the kernel flushes them all), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's.
 */
CTNL_API int ctnl_build_flush(void *buf, size_t size, enum ctnl_table table,
			      uint8_t family);
/**
 * Builds a dump of the expectation table.
 * @param buf     receives the request
 * @param size    the room in @p buf, in bytes
 * @param family  AF_INET, AF_INET6, or 0 for both
 * @return the request's length in bytes.
 * @errors -EINVAL (bad family), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's.
 */
CTNL_API int ctnl_build_dump_expect(void *buf, size_t size, uint8_t family);

/**
 * Builds a flush of the conntrack entries a filter selects, which the
 * kernel applies whole.
 * @param buf     receives the request
 * @param size    the room in @p buf, in bytes
 * @param filter  which entries (NULL: all)
 * @return the request's length in bytes.
 * @errors -EINVAL (bad filter), -EOPNOTSUPP (@p filter has criteria the
 * kernel does not apply, see ctnl_dump_info: the flush would then delete
 * more than @p filter selects), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's; @p filter is read during the call
 * only.
 */
CTNL_API int ctnl_build_flush_filtered(void *buf, size_t size,
				       const struct ctnl_filter *filter);
/**
 * Builds a request for the conntrack table's size
 * (IPCTNL_MSG_CT_GET_STATS).
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @return the request's length in bytes.
 * @errors -EINVAL (NULL @p buf), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's.
 */
CTNL_API int ctnl_build_stats(void *buf, size_t size);
/**
 * Builds a request for the per-CPU counters of a table (a dump, as the
 * kernel requires).
 * @param buf    receives the request
 * @param size   the room in @p buf, in bytes
 * @param table  CTNL_TABLE_CONNTRACK or CTNL_TABLE_EXPECT
 * @return the request's length in bytes.
 * @errors -EINVAL (unknown table, NULL @p buf), -ENOSPC (@p buf too small).
 * @ownership @p buf is the caller's.
 */
CTNL_API int ctnl_build_stats_cpu(void *buf, size_t size,
				  enum ctnl_table table);
/**
 * Builds a get of the expectation a key names, by its tuple (see
 * ctnl_ct_get_expect()).
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param key   names the expectation
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments: no tuple, bad family), -ENOSPC (@p buf too
 * small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_get_expect(void *buf, size_t size,
				   const struct ctnl_expect *key);
/**
 * Builds the creation of an expectation, from everything
 * ctnl_ct_create_expect() describes.
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param exp   the expectation to create
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments: missing or bad tuples, names), -ENOSPC (@p
 * buf too small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_create_expect(void *buf, size_t size,
				      const struct ctnl_expect *exp);
/**
 * Builds the deletion of the expectation a key names; never without a
 * tuple (an expectation delete without one is a flush).
 * @param buf   receives the request
 * @param size  the room in @p buf, in bytes
 * @param key   names the expectation
 * @return the request's length in bytes.
 * @errors -EINVAL (bad arguments: no tuple, bad family), -ENOSPC (@p buf too
 * small).
 * @ownership @p buf is the caller's; the other pointers are read during the
 * call only.
 */
CTNL_API int ctnl_build_delete_expect(void *buf, size_t size,
				      const struct ctnl_expect *key);

/**
 * Parses a conntrack message (a dump entry, a reply or an event) into a
 * flow. Unknown attributes are skipped.
 * @param nlh  the message (IPCTNL_MSG_CT_NEW or IPCTNL_MSG_CT_DELETE)
 * @param out  receives the flow
 * @return 0.
 * @errors -EINVAL (NULL @p nlh or @p out), -EPROTO (a message of another
 * type), -EBADMSG (a malformed message or attribute). On -EINVAL,
 * -EPROTO, or a header too short or of an unknown family, *@p out is
 * untouched; on a malformed attribute *@p out is partly written (zeroed,
 * then filled up to that attribute): do not use it.
 * @ownership @p nlh is read during the call only; nothing in *@p out
 * points into it.
 */
CTNL_API int ctnl_flow_parse(const struct nlmsghdr *nlh,
			     struct ctnl_flow *out);
/**
 * Parses an expectation message (a dump entry, a reply or an event), as
 * ctnl_flow_parse() does a conntrack message.
 * @param nlh  the message (IPCTNL_MSG_EXP_NEW or IPCTNL_MSG_EXP_DELETE)
 * @param out  receives the expectation
 * @return 0.
 * @errors As ctnl_flow_parse(), *@p out likewise partly written on a
 * malformed attribute.
 * @ownership @p nlh is read during the call only.
 */
CTNL_API int ctnl_expect_parse(const struct nlmsghdr *nlh,
			       struct ctnl_expect *out);

/**
 * Parses the reply to ctnl_build_stats().
 * @param nlh  the message
 * @param out  receives the count and the limit
 * @return 0.
 * @errors -EINVAL (NULL pointers), -EPROTO (another message type),
 * -EBADMSG (malformed); *@p out is untouched on error.
 * @ownership @p nlh is read during the call only.
 */
CTNL_API int ctnl_stats_parse(const struct nlmsghdr *nlh,
			      struct ctnl_stats *out);
/**
 * Parses one message of a per-CPU dump of either table: sets out->cpu and
 * the counters of the table the message is about, leaving the other
 * table's as they were, so that both tables' messages for a CPU merge into
 * one struct.
 * @param nlh  the message
 * @param out  the CPU's counters, updated
 * @return 0.
 * @errors -EINVAL (NULL pointers), -EPROTO (another message type),
 * -EBADMSG (malformed); *@p out is untouched on error.
 * @ownership @p nlh is read during the call only.
 */
CTNL_API int ctnl_cpu_stats_parse(const struct nlmsghdr *nlh,
				  struct ctnl_cpu_stats *out);

/**
 * Formats a flow as one line of text, exactly the way `conntrack -L`
 * (conntrack-tools 1.4.7, libnetfilter_conntrack 1.0.9) prints an entry,
 * without the trailing newline: same fields, same order, same flags.
 * Labels are not printed, as `conntrack -L` does not print them by
 * default (see ctnl_flow_format_opts()). delta-time= of an entry with a
 * start timestamp and no stop timestamp counts to a time the caller gives
 * (ctnl_flow_format_opts()), so here it is left out: the output depends
 * on @p flow alone.
 * @param flow  the flow
 * @param buf   receives the line, always terminated when @p size > 0 (may
 *              be NULL when @p size is 0)
 * @param size  the room in @p buf, in bytes
 * @return the length the whole line needs, like snprintf(): a result >=
 * @p size means it was truncated.
 * @errors -EINVAL (@p flow is NULL).
 * @ownership @p buf is the caller's; @p flow is read during the call only.
 */
CTNL_API int ctnl_flow_format(const struct ctnl_flow *flow, char *buf,
			      size_t size);

/**
 * Formats an expectation the way `conntrack -L expect` prints it, as
 * ctnl_flow_format() does a flow.
 * @param exp   the expectation
 * @param buf   receives the line (may be NULL when @p size is 0)
 * @param size  the room in @p buf, in bytes
 * @return the length the whole line needs, like snprintf().
 * @errors -EINVAL (@p exp is NULL).
 * @ownership @p buf is the caller's; @p exp is read during the call only.
 */
CTNL_API int ctnl_expect_format(const struct ctnl_expect *exp, char *buf,
				size_t size);

/* Bits of struct ctnl_format_opts.flags: conntrack's -o variants. */
/** -o extended: "ipv4     2 " first */
#define CTNL_FORMAT_EXTENDED	(1u << 0)
/** -o id: id= after use= */
#define CTNL_FORMAT_ID		(1u << 1)

/** The variants of a line that conntrack prints on request. */
struct ctnl_format_opts {
	/** sizeof(struct ctnl_format_opts) as the caller compiled it. */
	size_t size;
	unsigned int flags;		/**< CTNL_FORMAT_* */
	/** An event's type (enum ctnl_event_type): "[NEW] ", "[UPDATE] " or
	 * "[DESTROY] " first, right-aligned in 9 columns, as `conntrack -E`
	 * prints events; 0 for none. */
	unsigned int event;
	/** The time delta-time= counts to, in seconds since the epoch (as
	 * time(2) gives it, which is what conntrack reads), for an entry
	 * with a start and no stop timestamp; 0 leaves the field out there:
	 * the library reads no clock. */
	int64_t now;
	/** Label names by bit (CTNL_LABEL_BITS entries; NULL or "" where a
	 * label has no name), as connlabel.conf gives them. Non-NULL prints
	 * labels= last, by name, as `conntrack -o labels` does (labels
	 * without a name are left out). Borrowed for the call. */
	const char *const *label_names;
};

/**
 * ctnl_flow_format() with options.
 * @param flow  the flow
 * @param opts  the variants (NULL: the plain form)
 * @param buf   receives the line (may be NULL when @p size is 0)
 * @param size  the room in @p buf, in bytes
 * @return the length the whole line needs, like snprintf().
 * @errors -EINVAL (@p flow NULL, unknown flags, or @p opts from a newer
 * header with fields this library does not know set).
 * @ownership @p buf is the caller's; @p flow and @p opts (with its label
 * names) are read during the call only.
 */
CTNL_API int ctnl_flow_format_opts(const struct ctnl_flow *flow,
				   const struct ctnl_format_opts *opts,
				   char *buf, size_t size);
/**
 * ctnl_expect_format() with options.
 * @param exp   the expectation
 * @param opts  the variants (NULL: the plain form)
 * @param buf   receives the line (may be NULL when @p size is 0)
 * @param size  the room in @p buf, in bytes
 * @return the length the whole line needs, like snprintf().
 * @errors -EINVAL (@p exp NULL, unknown flags, or @p opts from a newer
 * header with fields this library does not know set).
 * @ownership @p buf is the caller's; @p exp and @p opts are read during
 * the call only.
 */
CTNL_API int ctnl_expect_format_opts(const struct ctnl_expect *exp,
				     const struct ctnl_format_opts *opts,
				     char *buf, size_t size);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_MSG_H */
