/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: messages, without a socket. Request builders, reply parsers,
 * formatters, and a decoder that shows any message as text.
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
#include <stdio.h>
#include <linux/netlink.h>

#include <ctnl/common.h>
#include <ctnl/flow.h>
#include <ctnl/sock.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================
 * Messages, without a socket: build requests, parse replies, format
 * ==================================================================== */

/**
 * @defgroup libctnl-msg msg.h: messages without a socket
 * Request builders, reply parsers, formatters, and a decoder for traces.
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
/** -o ktimestamp: "[start=...] [stop=...]" after delta-time=, in local
 * time as ctime() writes it (the only option that reads the time zone) */
#define CTNL_FORMAT_TIMESTAMP	(1u << 2)

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

/* ---- Messages as text, for traces and debugging ---- */

/**
 * Writes a netlink message as text in conntrack's terms: a header line,
 * then the body indented two spaces per level. For instance a dump entry:
 * @verbatim
   IPCTNL_MSG_CT_NEW len=220 flags=MULTI|DUMP_FILTERED seq=7 port=4242
     nfgenmsg family=AF_INET version=0 res_id=0
     CTA_TUPLE_ORIG
       CTA_TUPLE_IP
         CTA_IP_V4_SRC 10.77.0.1
         CTA_IP_V4_DST 10.77.0.2
       CTA_TUPLE_PROTO
         CTA_PROTO_NUM 6 (tcp)
         CTA_PROTO_SRC_PORT 40000
         CTA_PROTO_DST_PORT 5001
     CTA_STATUS 0xe (SEEN_REPLY|ASSURED|CONFIRMED)
     ...
   @endverbatim
 * Message types by their constant's name (IPCTNL_MSG_CT_GET,
 * IPCTNL_MSG_EXP_NEW, NLMSG_ERROR, NLMSG_DONE, ...; else "type 0x0305"),
 * flags by name as they mean for that type, sequence number and port id;
 * the nfgenmsg; then every attribute by its CTA_* name, nests indented:
 * addresses as text, numbers in host order, protocol numbers and states
 * with their names, status and other bits by name, labels as the numbers
 * of the bits set, strings quoted; an attribute without a name as
 * "attribute N (L bytes):" and its bytes in hex. An NLMSG_ERROR shows its
 * errno by name ("(ACK)" for 0), the header of the request it answers
 * (and that request's body if the kernel echoed it) and the extended
 * ACK's attributes (NLMSGERR_ATTR_MSG ...); an NLMSG_DONE its status.
 *
 * Nothing past @p len bytes is read, whatever the message says. A message
 * that is cut short or malformed is written as far as it goes, with a
 * line naming the fault ("truncated: ...", "malformed: ...") and the
 * bytes concerned in hex. Uses stdio: not for a hot path.
 * @param out  where to write
 * @param nlh  the message
 * @param len  the bytes of it there are to read
 * @return 0 when the message was whole and well formed.
 * @errors -EINVAL (@p out or @p nlh NULL; nothing written), -EBADMSG (the
 * message is truncated or malformed: written as said above), -EIO (@p out
 * is in error after writing).
 * @ownership @p out and @p nlh are the caller's, used during the call
 * only.
 */
CTNL_API int ctnl_msg_fprint(FILE *out, const struct nlmsghdr *nlh,
			     size_t len);

/**
 * A ready trace hook, a ctnl_trace_cb (see ctnl_sock_set_trace() and
 * ctnl_ct_set_trace()): writes each message as ctnl_msg_fprint() does,
 * after a word on its way and the handle's verdict:
 * @verbatim
   ctnl: sent IPCTNL_MSG_CT_GET len=84 flags=REQUEST|ACK seq=3 port=0
   ctnl: received NLMSG_ERROR len=36 flags=CAPPED seq=3 port=4242
   ctnl: received [rejected: a sequence number not ours] NLMSG_DONE ...
   ctnl: received [thrown away] IPCTNL_MSG_CT_NEW ...
   ctnl: not sent [ENOBUFS (No buffer space available)] ...
   @endverbatim
 * Each message is one block, written under the stream's lock and then
 * flushed, so that blocks neither mix with another thread's output nor
 * wait behind the program's own.
 * @param dir     which way the message went
 * @param status  the handle's verdict (see ctnl_trace_cb)
 * @param nlh     the message; NULL writes nothing
 * @param len     the bytes of it there are
 * @param out     a FILE * to write to (NULL: standard error)
 * @errors Never fails: writing errors are ignored, as a trace never
 * changes what the traced operation does.
 * @ownership @p out is borrowed: it must outlive the hook; @p nlh is read
 * during the call only.
 */
CTNL_API void ctnl_trace_print(enum ctnl_trace_dir dir, int status,
			       const struct nlmsghdr *nlh, size_t len,
			       void *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_MSG_H */
