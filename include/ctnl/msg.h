/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
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

/*
 * Request builders: each writes one complete netlink request into @buf
 * (@size bytes) and returns its length, or -EINVAL (bad arguments) or
 * -ENOSPC (@buf too small). Sequence numbers are left for the socket
 * handle. A batch is several built requests laid end to end.
 */
CTNL_API int ctnl_build_dump(void *buf, size_t size,
			     const struct ctnl_filter *filter);
CTNL_API int ctnl_build_get(void *buf, size_t size,
			    const struct ctnl_flow *key);
CTNL_API int ctnl_build_create(void *buf, size_t size,
			       const struct ctnl_flow *flow);
CTNL_API int ctnl_build_update(void *buf, size_t size,
			       const struct ctnl_flow *key,
			       const struct ctnl_change *change);
CTNL_API int ctnl_build_delete(void *buf, size_t size,
			       const struct ctnl_flow *key);
CTNL_API int ctnl_build_flush(void *buf, size_t size, enum ctnl_table table,
			      uint8_t family);
CTNL_API int ctnl_build_dump_expect(void *buf, size_t size, uint8_t family);

/* A flush of the conntrack entries @filter selects (NULL: all), which the
 * kernel applies whole; -EOPNOTSUPP when @filter has criteria the kernel
 * does not apply (see ctnl_dump_info), as the flush would then delete more
 * than @filter selects. */
CTNL_API int ctnl_build_flush_filtered(void *buf, size_t size,
				       const struct ctnl_filter *filter);
/* The conntrack table's size (IPCTNL_MSG_CT_GET_STATS). */
CTNL_API int ctnl_build_stats(void *buf, size_t size);
/* The per-CPU counters of @table (a dump, as the kernel requires). */
CTNL_API int ctnl_build_stats_cpu(void *buf, size_t size,
				  enum ctnl_table table);
/* Requests about one expectation, named by its tuple (never without one:
 * an expectation delete without a tuple is a flush), or created from
 * everything ctnl_ct_create_expect() describes. */
CTNL_API int ctnl_build_get_expect(void *buf, size_t size,
				   const struct ctnl_expect *key);
CTNL_API int ctnl_build_create_expect(void *buf, size_t size,
				      const struct ctnl_expect *exp);
CTNL_API int ctnl_build_delete_expect(void *buf, size_t size,
				      const struct ctnl_expect *key);

/*
 * Parses a conntrack message (a dump entry, a reply or an event) into
 * *@out. Unknown attributes are skipped; malformed ones are -EBADMSG, and
 * a message of another type is -EPROTO.
 */
CTNL_API int ctnl_flow_parse(const struct nlmsghdr *nlh,
			     struct ctnl_flow *out);
CTNL_API int ctnl_expect_parse(const struct nlmsghdr *nlh,
			       struct ctnl_expect *out);

/* The reply to ctnl_build_stats(); -EPROTO for another message type. */
CTNL_API int ctnl_stats_parse(const struct nlmsghdr *nlh,
			      struct ctnl_stats *out);
/*
 * One message of a per-CPU dump of either table: sets out->cpu and the
 * counters of the table the message is about, leaving the other table's
 * as they were, so that both tables' messages for a CPU merge into one
 * struct. -EPROTO for another message type; *@out is untouched on error.
 */
CTNL_API int ctnl_cpu_stats_parse(const struct nlmsghdr *nlh,
				  struct ctnl_cpu_stats *out);

/*
 * Formats @flow as one line of text, exactly the way `conntrack -L`
 * (conntrack-tools 1.4.7, libnetfilter_conntrack 1.0.9) prints an entry,
 * without the trailing newline, into @buf: same fields, same order, same
 * flags. Labels are not printed, as `conntrack -L` does not print them by
 * default (see ctnl_flow_format_opts()). delta-time= of an entry with a
 * start timestamp and no stop timestamp counts to a time the caller gives
 * (ctnl_flow_format_opts()), so here it is left out: the output depends
 * on @flow alone.
 * Returns the length the whole line needs, like snprintf(): a result >=
 * @size means it was truncated (@buf is always terminated when @size > 0;
 * it may be NULL when @size is 0). Errors: -EINVAL (@flow is NULL).
 */
CTNL_API int ctnl_flow_format(const struct ctnl_flow *flow, char *buf,
			      size_t size);

/* An expectation, the way `conntrack -L expect` prints it; as above. */
CTNL_API int ctnl_expect_format(const struct ctnl_expect *exp, char *buf,
				size_t size);

/* Bits of struct ctnl_format_opts.flags: conntrack's -o variants. */
#define CTNL_FORMAT_EXTENDED	(1u << 0)	/* -o extended: "ipv4     2 " first */
#define CTNL_FORMAT_ID		(1u << 1)	/* -o id: id= after use= */

/* The variants of a line that conntrack prints on request. */
struct ctnl_format_opts {
	/* sizeof(struct ctnl_format_opts) as the caller compiled it. */
	size_t size;
	unsigned int flags;		/* CTNL_FORMAT_* */
	/* An event's type (enum ctnl_event_type): "[NEW] ", "[UPDATE] " or
	 * "[DESTROY] " first, right-aligned in 9 columns, as `conntrack -E`
	 * prints events; 0 for none. */
	unsigned int event;
	/* The time delta-time= counts to, in seconds since the epoch (as
	 * time(2) gives it, which is what conntrack reads), for an entry
	 * with a start and no stop timestamp; 0 leaves the field out there:
	 * the library reads no clock. */
	int64_t now;
	/* Label names by bit (CTNL_LABEL_BITS entries; NULL or "" where a
	 * label has no name), as connlabel.conf gives them. Non-NULL prints
	 * labels= last, by name, as `conntrack -o labels` does (labels
	 * without a name are left out). Borrowed for the call. */
	const char *const *label_names;
};

/*
 * ctnl_flow_format() and ctnl_expect_format() with options; @opts NULL is
 * the plain form. Errors: -EINVAL (@flow or @exp NULL, unknown flags, or
 * @opts from a newer header with fields this library does not know set).
 */
CTNL_API int ctnl_flow_format_opts(const struct ctnl_flow *flow,
				   const struct ctnl_format_opts *opts,
				   char *buf, size_t size);
CTNL_API int ctnl_expect_format_opts(const struct ctnl_expect *exp,
				     const struct ctnl_format_opts *opts,
				     char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_MSG_H */
