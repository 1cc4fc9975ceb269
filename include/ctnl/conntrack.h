/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the conntrack handle and its operations. Read this header first.
 *
 * A struct ctnl_ct is a handle on one network namespace's conntrack table.
 * ctnl_ct_open() opens the real one over a netlink socket handle (one socket
 * per handle, reused by every call); a test uses the same operations over a
 * fake (see <ctnl/mocks.h>: a fake socket, and an in-memory conntrack
 * table). Operations speak plain data: tuples, flows, filters
 * (<ctnl/flow.h>).
 *
 * Conventions, as everywhere in libctnl: 0 or a count on success, a negative
 * errno value on failure; a slot a fake leaves empty answers -ENOSYS; what
 * comes back through a pointer-to-pointer is the caller's to free, anything
 * else is borrowed. The kernel's extended-ACK text for the last refusal is
 * in ctnl_ct_error_msg().
 *
 * This header includes the rest of the user API: <ctnl/flow.h> (the data),
 * <ctnl/events.h> (following the table), <ctnl/compat.h> (the Go package's
 * operations) and <ctnl/msg.h> (messages without a socket). The table
 * behind a handle, for those who implement one, is <ctnl/sys/ct.h>.
 */
#ifndef CTNL_CONNTRACK_H
#define CTNL_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

#include <ctnl/common.h>
#include <ctnl/sock.h>
#include <ctnl/flow.h>
#include <ctnl/events.h>
#include <ctnl/compat.h>
#include <ctnl/msg.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-conntrack conntrack.h: the handle and its operations
 * Open a handle on a network namespace's conntrack table, read it (dump,
 * list, get), change it (create, update, delete, batch, flush, update or
 * delete what a filter selects), read its statistics and expectations,
 * close it. Every operation returns 0 or a count on success and a
 * negative errno value on failure; ctnl_ct_error_msg() holds the kernel's
 * explanation of the last refusal.
 *
 * A flow used as a "key" names one entry: by its original tuple if
 * CTNL_ATTR_ORIG is set, else by its reply tuple; the tuple's zone is the
 * zone to look in. With CTNL_ATTR_ID set, a get or delete acts only on the
 * entry with that id; the kernel ignores the id of an update, so an update
 * reaches whatever entry holds the tuple now, even one re-created since the
 * id was read.
 * @{
 */

/* ====================================================================
 * The handle
 * ==================================================================== */

struct ctnl_ct;		/* opaque; the table is in <ctnl/sys/ct.h> */

/* ---- Opening and closing ---- */

/**
 * Opens a conntrack handle on a new socket handle. With CTNL_TRACE=1 in
 * the environment it traces its messages to standard error (see
 * ctnl_ct_set_trace()).
 * @param sys     the system calls to make (NULL: libc)
 * @param config  the socket's configuration (NULL: defaults; see
 *                <ctnl/sock.h>, for instance to open it in another network
 *                namespace)
 * @param ret     receives the handle
 * @return 0.
 * @errors Those of ctnl_sock_open(), -ENOMEM, -EINVAL (NULL @p ret).
 * @ownership On success *@p ret is the caller's, for ctnl_ct_close(); on
 * failure it is untouched. @p sys must outlive the handle; @p config is
 * read during the call only.
 */
CTNL_API int ctnl_ct_open(const struct ctnl_syscalls *sys,
			  const struct ctnl_sock_config *config,
			  struct ctnl_ct **ret);

/**
 * Builds the conntrack handle over any socket-handle implementation. With
 * CTNL_TRACE=1 in the environment it sets ctnl_trace_print() on @p sock,
 * to standard error, if @p sock can trace (see ctnl_ct_set_trace()).
 * @param sock  the socket handle to send requests on
 * @param ret   receives the handle
 * @return 0.
 * @errors -EINVAL (NULL @p sock or @p ret), -ENOMEM.
 * @ownership On success the handle owns @p sock (ctnl_ct_close() closes
 * it) and *@p ret is the caller's; on failure @p sock stays the caller's
 * and *@p ret is untouched.
 */
CTNL_API int ctnl_ct_new(struct ctnl_sock *sock, struct ctnl_ct **ret);

/**
 * Opens a conntrack handle on the table of another network namespace,
 * without leaving the calling thread there. By descriptor: see
 * ctnl_ct_open() and CTNL_SOCK_NETNS_FD.
 * @param sys    the system calls to make (NULL: libc)
 * @param netns  a name as `ip netns` gives it (no '/': /run/netns/NAME) or
 *               the path of a namespace file (such as /proc/PID/ns/net)
 * @param ret    receives the handle
 * @return 0.
 * @errors -EINVAL (NULL or malformed @p netns), -ENOENT (no such
 * namespace), and those of ctnl_ct_open().
 * @ownership As ctnl_ct_open(); @p netns is read during the call only.
 */
CTNL_API int ctnl_ct_open_netns(const struct ctnl_syscalls *sys,
				const char *netns, struct ctnl_ct **ret);

/**
 * Releases a conntrack handle through its destroy slot, with its socket.
 * @param ct  the handle, or NULL (nothing is done)
 * @errors Never fails.
 * @ownership Takes @p ct: it is freed and must not be used again.
 */
CTNL_API void ctnl_ct_close(struct ctnl_ct *ct);

/**
 * The kernel's explanation of the last refused request, or libctnl's own
 * where it knows better (for instance how to enable labels).
 * @param ct  the handle
 * @return the message, or NULL when there is none. Never fails.
 * @ownership Borrowed: valid until the next operation on the handle.
 */
CTNL_API const char *ctnl_ct_error_msg(struct ctnl_ct *ct);

/* ---- Tracing ---- */

/**
 * Traces every netlink message the handle sends and receives from now on
 * (each request, each message of a batch, every reply, ACK, error and
 * event, and those the handle rejects), on each of its sockets, replacing
 * any other hook. See
 * ctnl_trace_cb in <ctnl/sock.h> for what the hook is given;
 * ctnl_trace_print() in <ctnl/msg.h> is a ready hook that prints each
 * message decoded to the FILE * given as @p data (NULL: standard error).
 * Off, tracing costs nothing but a test per datagram.
 *
 * The environment turns it on without a call: when a handle is made
 * (ctnl_ct_open(), ctnl_ct_open_netns(), ctnl_ct_new()) and CTNL_TRACE is
 * exactly "1", the handle traces with ctnl_trace_print() to standard
 * error; any other value, or none, leaves it off. So `CTNL_TRACE=1 prog`
 * traces every handle of prog: event handles, the second handle a
 * resynchronisation reads through, handles on other network namespaces,
 * and the second socket ctnl_ct_delete_if() deletes through.
 * A set-user-ID or set-group-ID program ignores the variable (its caller
 * could read the table through it).
 * @param ct    the handle
 * @param cb    the hook, or NULL to turn tracing off
 * @param data  handed to @p cb
 * @return 0.
 * @errors -EINVAL (NULL @p ct), -ENOSYS (an implementation with no
 * socket to trace, such as the in-memory fake, or over a socket handle
 * that cannot trace).
 * @ownership @p data is borrowed: it must outlive the hook (until it is
 * replaced or the handle closed).
 */
CTNL_API int ctnl_ct_set_trace(struct ctnl_ct *ct, ctnl_trace_cb cb,
			       void *data);

/* ---- Policies: deadlines and retries ---- */

/**
 * Gives every operation of a handle that waits on the kernel a deadline:
 * each one, as a whole (a dump and the batches after it, a create and
 * its check), fails with -ETIMEDOUT when it would wait for a reply past
 * @p timeout_ms milliseconds from its start.
 *
 * The handle stays usable: the replies still queued are dropped, and
 * replies the kernel sends later carry the sequence number of the request
 * given up on and are dropped when met (see <ctnl/sock.h>). Time spent
 * reading replies that are already there (a dump in full flow) does not
 * count against it, nor does a send the kernel holds up: it handles a
 * request inside sendmsg(2), under its subsystem's mutex. Waiting for
 * events has its own timeout (ctnl_ct_event_wait()).
 *
 * @param ct          the handle
 * @param timeout_ms  milliseconds (>= 0) for each operation; -1: none,
 *                    the default
 * @return 0.
 * @errors -EINVAL (below -1), -ENOSYS (the implementation keeps no such
 * policy); a socket whose syscall table has no clock makes each later
 * operation fail with -ENOSYS.
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_ct_set_timeout(struct ctnl_ct *ct, int timeout_ms);

/** The most dump restarts ctnl_ct_set_dump_retries() takes. */
#define CTNL_DUMP_RETRIES_MAX 1000

/**
 * Lets the operations that read a whole table into their own result run
 * the dump again, up to @p max times, when the kernel flags it
 * inconsistent (NLM_F_DUMP_INTR: the table changed while it was read),
 * as consumers of the Go netlink library and pyroute2 do by hand.
 *
 * Restarted: ctnl_ct_list(), ctnl_ct_list_filtered() (then
 * ctnl_ct_update_matching()), ctnl_ct_stats() of expectations,
 * ctnl_ct_delete_if() and ctnl_ct_delete_matching() (a new pass: what the
 * last one deleted is gone; their stats add up every pass), and
 * ctnl_ct_resync() (from a new CTNL_EVENT_SYNC_BEGIN). Each says how many
 * restarts it took (ctnl_dump_info.retries, ctnl_delete_stats.retries)
 * and whether the last dump was still flagged (interrupted). Streaming
 * dumps (ctnl_ct_dump(), ctnl_ct_dump_expect()) are never restarted
 * behind their callback's back: they report it and the caller decides.
 *
 * Linux 6.18's conntrack and expectation dumps never set the flag (see
 * doc/kernel-behaviour.md); other kernels, and other tables, may.
 *
 * @param ct   the handle
 * @param max  restarts allowed per operation (0: none, the default; at
 *             most CTNL_DUMP_RETRIES_MAX)
 * @return 0.
 * @errors -EINVAL (@p max too large), -ENOSYS (the implementation keeps
 * no such policy).
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_ct_set_dump_retries(struct ctnl_ct *ct, unsigned int max);

/* ---- Reading ---- */

/**
 * Streams the conntrack entries that pass @p filter to @p cb, one at a
 * time, in constant memory. The kernel filters what it can (see
 * ctnl_dump_info); the rest is filtered here, and the result is the same
 * either way.
 * @param ct      the handle
 * @param filter  which entries (NULL: all of every family)
 * @param cb      receives each entry; returns CTNL_CB_OK, CTNL_CB_STOP, or
 *                a negative errno to abort
 * @param data    handed to @p cb
 * @param info    receives what the dump did (may be NULL)
 * @return the number of entries handed to @p cb.
 * @errors -EINVAL (bad filter, NULL @p cb), -EBADMSG (a malformed entry: the
 * dump stops there), a value returned by @p cb, and those of
 * ctnl_sock_request().
 * @ownership @p filter is read during the call only; the flow handed to
 * @p cb is valid only during that call of @p cb.
 */
CTNL_API int ctnl_ct_dump(struct ctnl_ct *ct, const struct ctnl_filter *filter,
			  ctnl_flow_cb cb, void *data,
			  struct ctnl_dump_info *info);

/**
 * Streams the expectation table to @p cb, as ctnl_ct_dump() does the
 * conntrack table.
 * @param ct      the handle
 * @param family  AF_INET, AF_INET6, or 0 for both
 * @param cb      receives each expectation, as ctnl_ct_dump()'s callback
 * @param data    handed to @p cb
 * @return the number of expectations handed to @p cb.
 * @errors -EINVAL (NULL @p cb, bad family), -EBADMSG, a value returned by
 * @p cb, -EINTR (every expectation was handed over, but the kernel flagged
 * the dump inconsistent: NLM_F_DUMP_INTR; ctnl_ct_list() turns that into
 * info.interrupted), and those of ctnl_sock_request().
 * @ownership The expectation handed to @p cb is valid only during that
 * call of @p cb.
 */
CTNL_API int ctnl_ct_dump_expect(struct ctnl_ct *ct, uint8_t family,
				 ctnl_expect_cb cb, void *data);

/**
 * A table read into one array. Exactly one of flows and expects is used,
 * by table. Free it with ctnl_list_free().
 */
struct ctnl_list {
	enum ctnl_table table;		/**< the table read */
	size_t count;			/**< entries in the array */
	size_t capacity;		/**< entries the array has room for */
	struct ctnl_flow *flows;	/**< CTNL_TABLE_CONNTRACK's entries */
	struct ctnl_expect *expects;	/**< CTNL_TABLE_EXPECT's entries */
	struct ctnl_dump_info info;	/**< what the dump did */
};

/** ctnl_ct_list_filtered() flag: drop entries seen twice (by id). */
#define CTNL_LIST_DEDUP (1u << 0)

/**
 * Reads a table into one growing array, with no allocation per entry. An
 * empty table is an empty list (count 0).
 * @param ct      the handle
 * @param table   CTNL_TABLE_CONNTRACK or CTNL_TABLE_EXPECT
 * @param family  AF_INET, AF_INET6, or 0 for both
 * @param out     receives the list
 * @return the number of entries.
 * @errors -EINVAL, -ENOMEM, and those of ctnl_ct_dump() and
 * ctnl_ct_dump_expect().
 * @ownership On success *@p out holds memory the caller frees with
 * ctnl_list_free(); on failure *@p out is untouched and nothing is
 * allocated.
 */
CTNL_API int ctnl_ct_list(struct ctnl_ct *ct, enum ctnl_table table,
			  uint8_t family, struct ctnl_list *out);

/**
 * Reads the conntrack entries that pass a filter into one growing array,
 * as ctnl_ct_list() does.
 * @param ct      the handle
 * @param filter  which entries (NULL: all of every family)
 * @param flags   CTNL_LIST_* bits
 * @param out     receives the list
 * @return the number of entries.
 * @errors -EINVAL (bad filter, unknown flags), -ENOMEM, and those of
 * ctnl_ct_dump().
 * @ownership As ctnl_ct_list(); @p filter is read during the call only.
 */
CTNL_API int ctnl_ct_list_filtered(struct ctnl_ct *ct,
				   const struct ctnl_filter *filter,
				   unsigned int flags, struct ctnl_list *out);

/**
 * Frees what a list holds and empties it.
 * @param list  the list, or NULL (nothing is done)
 * @errors Never fails.
 * @ownership Frees the arrays @p list holds; the struct itself stays the
 * caller's, emptied and ready for another ctnl_ct_list().
 */
CTNL_API void ctnl_list_free(struct ctnl_list *list);

/**
 * Reads the one entry a key names.
 * @param ct   the handle
 * @param key  names the entry (see the group's description)
 * @param out  receives the entry
 * @return 0.
 * @errors -ENOENT (no such entry), -EINVAL (a key without a tuple, NULL
 * pointers), -EBADMSG (a malformed reply, or two entries), and the
 * kernel's.
 * @ownership @p key is read during the call only; *@p out is plain data,
 * the caller's.
 */
CTNL_API int ctnl_ct_get(struct ctnl_ct *ct, const struct ctnl_flow *key,
			 struct ctnl_flow *out);

/* ---- Changing ---- */

/**
 * Creates an entry. The original tuple and the timeout are required; a
 * missing reply tuple is the inverse of the original; mark, labels, status
 * (CTNL_STATUS_CONFIRMED is added, as the kernel requires), zones, TCP
 * state, a helper (CTNL_ATTR_HELPER: the helper's name, such as "ftp";
 * the kernel attaches helpers only when an entry is created) and source
 * or destination NAT (CTNL_ATTR_SNAT, CTNL_ATTR_DNAT: the kernel
 * translates the reply tuple, as a NAT rule does the first packet's) are
 * taken when their attrs bit is set.
 * @param ct    the handle
 * @param flow  the entry to create
 * @return 0.
 * @errors -EEXIST, -EINVAL, -ENOSPC (labels are not enabled in that
 * namespace: the entry is not left behind), -EOPNOTSUPP (no such helper
 * for that protocol; NAT the kernel cannot set up, with no NAT module
 * loaded), and the kernel's.
 * @ownership @p flow is read during the call only.
 */
CTNL_API int ctnl_ct_create(struct ctnl_ct *ct, const struct ctnl_flow *flow);

/**
 * Changes the entry a key names. The kernel applies the timeout, status,
 * mark and labels in that order and stops at the first it refuses, keeping
 * those before it: an update is not atomic. Status bits can only be set:
 * clearing SEEN_REPLY or ASSURED, or changing EXPECTED or DYING, is -EBUSY
 * (CONFIRMED is added here, as the kernel requires).
 * @param ct      the handle
 * @param key     names the entry
 * @param change  what to change
 * @return 0.
 * @errors -ENOENT, -EINVAL (nothing to change, or a key without a tuple),
 * -ENOSPC (labels are not enabled in that namespace; see
 * ctnl_ct_error_msg()), -EBUSY (status), -EPERM (the timeout of an entry
 * with a fixed timeout), the kernel's.
 * @ownership @p key and @p change are read during the call only.
 */
CTNL_API int ctnl_ct_update(struct ctnl_ct *ct, const struct ctnl_flow *key,
			    const struct ctnl_change *change);

/**
 * Deletes the entry a key names.
 * @param ct   the handle
 * @param key  names the entry
 * @return 0.
 * @errors -ENOENT, -EINVAL (a key without a tuple), the kernel's.
 * @ownership @p key is read during the call only.
 */
CTNL_API int ctnl_ct_delete(struct ctnl_ct *ct, const struct ctnl_flow *key);

/**
 * Applies one operation to many flows in as few system calls as the
 * kernel allows. A created entry whose labels did not stick is removed
 * again and its result is -ENOSPC, as with ctnl_ct_create().
 * @param ct        the handle
 * @param op        CTNL_OP_CREATE, CTNL_OP_UPDATE or CTNL_OP_DELETE
 * @param flows     the entries to create, or the keys to update or delete
 * @param count     how many flows
 * @param changes   updates: changes[i] for flows[i], or changes[0] for all
 *                  when @p nchanges is 1; NULL otherwise
 * @param nchanges  1 or @p count for updates, 0 otherwise
 * @param results   receives 0 or entry i's negative errno in results[i]
 * @return the number of entries the kernel accepted.
 * @errors -EINVAL (before anything is sent), or a failure part-way, which
 * results[] then carries for every entry whose fate is unknown.
 * @ownership @p flows and @p changes are read during the call only;
 * @p results (@p count ints) is the caller's.
 */
CTNL_API int ctnl_ct_batch(struct ctnl_ct *ct, enum ctnl_op op,
			   const struct ctnl_flow *flows, size_t count,
			   const struct ctnl_change *changes, size_t nchanges,
			   int *results);

/**
 * Empties a table for one family or both; flushing one family of the
 * conntrack table leaves the other intact. The kernel flushes expectations
 * of every family at once: CTNL_TABLE_EXPECT takes family 0 only.
 * @param ct      the handle
 * @param table   CTNL_TABLE_CONNTRACK or CTNL_TABLE_EXPECT
 * @param family  AF_INET, AF_INET6, or 0 for both
 * @return 0.
 * @errors -EINVAL, -EOPNOTSUPP (expectations of one family), the kernel's.
 * @ownership No pointer but the handle, which stays the caller's.
 */
CTNL_API int ctnl_ct_flush(struct ctnl_ct *ct, enum ctnl_table table,
			   uint8_t family);

/**
 * Applies a change to every conntrack entry that passes a filter. A dump,
 * kernel-filtered where it can be (see ctnl_ct_dump()), reads the entries,
 * each once (CTNL_LIST_DEDUP), and batched updates name each by its
 * original tuple, zone and id, so an entry re-created meanwhile is not
 * touched. The kernel has no filtered update. An entry gone between the
 * dump and its update is neither counted nor an error (info->gone counts
 * them).
 * @param ct      the handle
 * @param filter  which entries (NULL: every entry)
 * @param change  what to change
 * @param info    receives what the dump did (may be NULL)
 * @return the number of entries the kernel updated.
 * @errors -EINVAL (bad filter or change; nothing is sent), -ENOMEM,
 * -ENOSPC (labels are not enabled in that namespace; see
 * ctnl_ct_error_msg()), those of ctnl_ct_dump() and ctnl_ct_batch(), and
 * the first refusal of an entry other than -ENOENT: the entries that could
 * be updated were, but their count is then not returned.
 * @ownership @p filter and @p change are read during the call only.
 */
CTNL_API int ctnl_ct_update_matching(struct ctnl_ct *ct,
				     const struct ctnl_filter *filter,
				     const struct ctnl_change *change,
				     struct ctnl_dump_info *info);

/**
 * Deletes every conntrack entry that passes a filter.
 *
 * By default this is ctnl_ct_delete_if() choosing every entry the filter
 * passes: a kernel-filtered dump, with batched deletes naming each entry
 * by its original tuple, zone and id going out while it is read, in
 * constant memory. The count is exactly the entries this call deleted (an
 * entry the dump handed over twice is deleted once); entries created
 * after the dump are left alone, and entries gone before their delete are
 * not counted, nor failures (info->gone says how many). Measured on 6.18,
 * this is also the fastest way: the kernel's filtered flush walks its
 * table several times slower than a dump does (250,000 entries, 10 %
 * deleted: 186 ms against 106).
 *
 * With CTNL_FILTER_UNCOUNTED, and where the kernel applies every
 * criterion of @p filter (family, mark, status, a zone other than 0, exact
 * IPv4 addresses, the protocol, TCP and UDP ports; not with
 * CTNL_FILTER_USERSPACE), one filtered flush request does the deleting:
 * the kernel walks its table once, nothing crosses the socket per entry,
 * and the call returns 0, the kernel saying not how many
 * (info->kernel_flush). A kernel ignores filter attributes it does not
 * know, and a flush ignoring one would delete every entry; so a filtered
 * flush is sent only where the flush takes CTA_FILTER (Linux 6.12 on),
 * which a handle learns once, with a request that deletes nothing. On an
 * older kernel the dump-and-delete way is taken, counted. Without
 * criteria or family, it is the plain flush of every kernel.
 *
 * @param ct      the handle
 * @param filter  which entries (NULL: every entry of every family)
 * @param info    receives how it was done (may be NULL)
 * @return how many entries were deleted (0 after an uncounted flush).
 * @errors -EINVAL (bad filter; nothing is sent), -ENOMEM, those of
 * ctnl_ct_dump(), ctnl_ct_batch() and ctnl_ct_flush(), and the first
 * refusal of an entry other than -ENOENT (then the others were still
 * deleted, uncounted).
 * @ownership @p filter is read during the call only.
 */
CTNL_API int ctnl_ct_delete_matching(struct ctnl_ct *ct,
				     const struct ctnl_filter *filter,
				     struct ctnl_dump_info *info);

/** What ctnl_ct_delete_if() did, exactly, whatever it returned. */
struct ctnl_delete_stats {
	/** Entries the dump handed over: those the kernel-side part of the
	 * filter let through. Under churn the kernel can hand an entry over
	 * twice (see doc/kernel-behaviour.md); it is then seen twice. */
	uint64_t seen;
	/** Of those, entries that passed the rest of the filter and that the
	 * predicate chose. */
	uint64_t matched;
	/** Deletes the kernel acknowledged: entries this call removed. */
	uint64_t deleted;
	/** Chosen, but gone before the delete came (ENOENT): expired or
	 * deleted meanwhile, re-created with another id, or chosen twice. */
	uint64_t gone;
	/** Dump restarts (the dump retry policy; 0 without one). */
	uint32_t retries;
	/** Chosen, and refused by the kernel for another reason; the call
	 * returns the first such error. */
	uint64_t failed;
	/** The kernel flagged the last dump inconsistent (NLM_F_DUMP_INTR):
	 * entries may have been missed. */
	bool interrupted;
};

/**
 * Deletes, in one pass, the conntrack entries that pass a filter and that
 * a predicate chooses.
 *
 * The kernel filters the dump where it can (see ctnl_dump_info), the rest
 * of the filter and then @p pred run here on each entry, and the deletes
 * of the chosen ones go out in batches while the dump is still being
 * read. Memory stays constant whatever the table's size: one entry at a
 * time, one bounded buffer of requests; no list of the table.
 *
 * Each delete names its entry by original tuple, zone and id: an entry
 * deleted, expired or re-created with another id since the dump read it
 * is left alone and counted as gone, not as a failure. (The kernel's id
 * hashes an entry's address and original tuple: one re-created at once
 * with the same original tuple can get its old id back, and is then
 * deleted too; see doc/kernel-behaviour.md.) Entries created during the
 * pass may or may not be seen.
 *
 * The deletes go through a second socket of the handle, in the same
 * network namespace (ctnl_sock_clone()), opened on the first call and kept
 * until ctnl_ct_close(); over a socket implementation that cannot clone,
 * the chosen entries are collected first and deleted after the dump
 * (memory then grows with their number). @p pred runs inside the dump: it
 * must not use @p ct. It is called once per entry handed over, in dump
 * order, and may keep state in @p data. CTNL_FILTER_UNCOUNTED means
 * nothing here.
 *
 * @param ct      the handle
 * @param filter  which entries to consider (NULL: every entry of every
 *                family)
 * @param pred    chooses among them (NULL: all of them)
 * @param data    handed to @p pred
 * @param stats   receives what was done, whatever the outcome (may be
 *                NULL)
 * @return the number of entries deleted.
 * @errors -EINVAL (bad filter; nothing is sent), -EBUSY (@p ct is
 * subscribed to events), a negative value returned by @p pred (the
 * entries chosen before are still deleted), -EBADMSG, -ENOMEM, those of
 * ctnl_sock_clone(), ctnl_sock_request() and ctnl_sock_batch() (a failure
 * part-way stops the pass; what was acknowledged is counted), and the
 * first refusal of a chosen entry other than -ENOENT (the pass went on and
 * deleted the others).
 * @ownership Everything is borrowed for the call; the handle keeps the
 * second socket it opens.
 */
CTNL_API int ctnl_ct_delete_if(struct ctnl_ct *ct,
			       const struct ctnl_filter *filter,
			       ctnl_flow_pred pred, void *data,
			       struct ctnl_delete_stats *stats);

/* ---- Statistics, expectations ---- */

/**
 * Reads a table's size. CTNL_TABLE_CONNTRACK: the number of entries in the
 * handle's network namespace and the table's limit (nf_conntrack_max, one
 * for all namespaces), as `conntrack -C` counts. CTNL_TABLE_EXPECT: the
 * kernel has no such request; the expectations are counted with a dump,
 * and max is 0 (the kernel does not report the expectation limit over
 * netlink).
 * @param ct     the handle
 * @param table  CTNL_TABLE_CONNTRACK or CTNL_TABLE_EXPECT
 * @param out    receives the count and the limit
 * @return 0.
 * @errors -EINVAL (NULL @p out, unknown table), -EBADMSG (a malformed or
 * missing reply), -EINTR (the expectation table changed during every
 * dump: NLM_F_DUMP_INTR, two in a row, or one more than the dump retry
 * policy allows), and those of ctnl_sock_request().
 * @ownership *@p out is plain data, the caller's.
 */
CTNL_API int ctnl_ct_stats(struct ctnl_ct *ct, enum ctnl_table table,
			   struct ctnl_stats *out);

/**
 * Reads the per-CPU counters of the conntrack and the expectation tables
 * (`conntrack -S` and `conntrack -S expect`), merged by CPU into out[0..]:
 * one entry per CPU the kernel reports (its possible CPUs, in order).
 * When there are more than @p max, only the first @p max are stored, so a
 * caller can size its array and ask again.
 * @param ct   the handle
 * @param out  receives up to @p max entries (may be NULL when @p max is 0)
 * @param max  the room in @p out, in entries
 * @return the number of CPUs reported, each once whichever table named it.
 * @errors -EINVAL (NULL @p out with @p max > 0), -EBADMSG (a malformed
 * reply), and those of ctnl_sock_request().
 * @ownership @p out is the caller's array.
 */
CTNL_API int ctnl_ct_stats_cpu(struct ctnl_ct *ct, struct ctnl_cpu_stats *out,
			       size_t max);

/**
 * Reads the expectation a key names: by its expected tuple
 * (CTNL_EXP_ATTR_TUPLE, required: the kernel compares it under each
 * expectation's mask), in the key's zone, and only if its id is key->id
 * when CTNL_EXP_ATTR_ID is set. The kernel does not report an
 * expectation's zone, so out->zone is 0.
 * @param ct   the handle
 * @param key  names the expectation
 * @param out  receives it
 * @return 0.
 * @errors -ENOENT (no such expectation), -EINVAL (no tuple, bad family,
 * NULL @p out; nothing is sent), -EBADMSG, and the kernel's.
 * @ownership @p key is read during the call only; *@p out is plain data,
 * the caller's.
 */
CTNL_API int ctnl_ct_get_expect(struct ctnl_ct *ct,
				const struct ctnl_expect *key,
				struct ctnl_expect *out);

/**
 * Creates an expectation. Required: its master's original tuple
 * (CTNL_EXP_ATTR_MASTER; the master is looked up in exp->zone and must
 * have a helper), the expected tuple and its mask (CTNL_EXP_ATTR_TUPLE,
 * CTNL_EXP_ATTR_MASK; same family, the mask of the expected protocol).
 * Optional, by their attrs bit: helper name, flags, class, NAT, expectfn
 * name, timeout. The kernel sets the timeout from the helper's policy and
 * ignores CTNL_EXP_ATTR_TIMEOUT on creation (6.18 still does).
 * A helper limits how many expectations a master may have (one for ftp):
 * past that, the kernel drops the master's oldest to make room.
 * @param ct   the handle
 * @param exp  the expectation to create
 * @return 0.
 * @errors -EEXIST (that expectation exists), -ENOENT (no such master),
 * -EOPNOTSUPP (the master has no helper, or no helper of that name),
 * -EBUSY (it clashes with another master's expectation), -EMFILE (the
 * expectation table or the helper's quota is full), -EINVAL (bad or
 * missing tuples or names; nothing is sent), and the kernel's.
 * @ownership @p exp is read during the call only.
 */
CTNL_API int ctnl_ct_create_expect(struct ctnl_ct *ct,
				   const struct ctnl_expect *exp);

/**
 * Deletes the expectation a key names (as ctnl_ct_get_expect() does).
 * Never sends a request without a tuple, which the kernel would take for a
 * flush.
 * @param ct   the handle
 * @param key  names the expectation
 * @return 0.
 * @errors -ENOENT, -EINVAL (no tuple, bad family; nothing is sent), and
 * the kernel's.
 * @ownership @p key is read during the call only.
 */
CTNL_API int ctnl_ct_delete_expect(struct ctnl_ct *ct,
				   const struct ctnl_expect *key);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_CONNTRACK_H */
