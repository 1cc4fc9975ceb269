/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl-mocks: fakes of libctnl's interfaces, for unit tests that run
 * without root and without a kernel — libctnl's own and its users'.
 *
 * Fakes keep all their state in their own object, never in globals, and
 * depend on no test framework. Misusing a fake (a script that cannot be
 * carried out) aborts the test program with a message on stderr.
 *
 * Linking: libctnl-mocks is a static library that calls libctnl's public
 * functions (the in-memory conntrack table checks requests with libctnl's
 * request builders) and libmnl, so link libctnl and libmnl too, after it:
 *   cc test.c -lctnl-mocks $(pkg-config --libs libctnl libmnl)
 * or in CMake, after find_package(ctnl):
 *   target_link_libraries(test PRIVATE ctnl::mocks ctnl::ctnl)
 */
#ifndef CTNL_MOCKS_H
#define CTNL_MOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/netlink.h>

#include <ctnl/conntrack.h>
#include <ctnl/sock.h>
#include <ctnl/syscalls.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The scripted syscall table: a kernel in a box.
 *
 * Queue the datagrams "the kernel" will answer, run the code under test
 * over ctnl_fake_sys_syscalls(), then inspect what it sent, which options it
 * set and which descriptors it left open. Any call can be made to fail.
 *
 * Replies are stamped when they are received, not when they are queued: each
 * message gets the sequence number of the most recently sent request and the
 * port id of the socket, so a script can be written before the code under
 * test picks its sequence numbers.
 *
 * Several sockets: what a responder queues while answering a request is
 * for the socket that sent it (stamped against that socket's most recent
 * request), and waits there while other sockets read their own; what a
 * test queues itself goes to whichever socket reads first. ioctl() knows
 * SIOCGSKNS (a socket's namespace, as a new descriptor).
 *
 * Time: clock_gettime(CLOCK_MONOTONIC) reads a clock that moves only when
 * ctnl_fake_sys_advance() says so, or when poll() finds nothing to report
 * (the whole timeout passes, at once): a kernel that never answers is an
 * empty queue, and a deadline expires without the test waiting.
 */
struct ctnl_fake_sys;

enum ctnl_fake_call {
	CTNL_FAKE_SOCKET,
	CTNL_FAKE_BIND,
	CTNL_FAKE_GETSOCKNAME,
	CTNL_FAKE_SETSOCKOPT,
	CTNL_FAKE_GETSOCKOPT,
	CTNL_FAKE_SENDMSG,
	CTNL_FAKE_RECVMSG,
	CTNL_FAKE_POLL,
	CTNL_FAKE_CLOSE,
	CTNL_FAKE_OPEN,
	CTNL_FAKE_SETNS,
	CTNL_FAKE_IOCTL,
	CTNL_FAKE_CLOCK,
	CTNL_FAKE_NCALLS
};

/* Port id the fake's bind() assigns unless told otherwise. */
#define CTNL_FAKE_PORTID 4242u

/* As the @err of ctnl_fake_sys_fail(): sendmsg() sends one byte less than
 * it was given, instead of failing. */
#define CTNL_FAKE_SHORT 1

/* Creates a fake with empty queues. Returns 0 or -ENOMEM. */
int ctnl_fake_sys_new(struct ctnl_fake_sys **ret);
/* Frees the fake. Accepts NULL. */
void ctnl_fake_sys_free(struct ctnl_fake_sys *f);
/* The syscall table backed by @f; borrowed, valid as long as @f. */
const struct ctnl_syscalls *ctnl_fake_sys_syscalls(struct ctnl_fake_sys *f);
/* The port id bind() assigns from now on. */
void ctnl_fake_sys_set_portid(struct ctnl_fake_sys *f, uint32_t portid);

/* ---- What the kernel answers (a FIFO of datagrams) ---- */

/* A datagram of one or more messages from the kernel, stamped as replies to
 * the most recent request. @data is copied. */
void ctnl_fake_sys_queue(struct ctnl_fake_sys *f, const void *data,
			 size_t len);
/* An acknowledgement (@error 0) or error (@error < 0, with the extended-ACK
 * text @msg unless NULL) of message @index (0-based) of the most recently
 * sent datagram, built when received. Capped, as the kernel sends it to a
 * socket with NETLINK_CAP_ACK. */
void ctnl_fake_sys_queue_ack(struct ctnl_fake_sys *f, unsigned int index,
			     int error, const char *msg);
/* NLMSG_DONE carrying @status, as the end of a dump. */
void ctnl_fake_sys_queue_done(struct ctnl_fake_sys *f, int status);
/* A datagram delivered exactly as given (no stamping), as if sent by port
 * id @sender (0 = the kernel) to multicast groups @groups. */
void ctnl_fake_sys_queue_raw(struct ctnl_fake_sys *f, uint32_t sender,
			     uint32_t groups, const void *data, size_t len);
/* The next recvmsg() fails with @err (negative), as after an overflow. */
void ctnl_fake_sys_queue_errno(struct ctnl_fake_sys *f, int err);
/*
 * The kernel drops @n messages for want of room in the receive queue: the
 * drop counter (SO_MEMINFO) grows by @n and, unless NETLINK_NO_ENOBUFS is
 * on, the next recvmsg() fails with -ENOBUFS before anything queued, as
 * the kernel reports a pending socket error first. As the kernel does,
 * that ENOBUFS leaves the socket congested: later drops only count, with
 * no other ENOBUFS, until a recvmsg() leaves the queue empty.
 */
void ctnl_fake_sys_drop(struct ctnl_fake_sys *f, unsigned int n);
/* Datagrams and errors still queued. */
size_t ctnl_fake_sys_queued(const struct ctnl_fake_sys *f);
/* Moves the fake's monotonic clock @ms milliseconds on. */
void ctnl_fake_sys_advance(struct ctnl_fake_sys *f, unsigned int ms);
/* The same in nanoseconds, for a deadline that falls between two
 * milliseconds. */
void ctnl_fake_sys_advance_ns(struct ctnl_fake_sys *f, uint64_t ns);

/*
 * Called for each message sent, with its index in its datagram, before the
 * sendmsg() returns: a responder plays the kernel by queueing replies.
 */
typedef void (*ctnl_fake_responder)(struct ctnl_fake_sys *f,
				    unsigned int index,
				    const struct nlmsghdr *req, void *data);
void ctnl_fake_sys_set_responder(struct ctnl_fake_sys *f,
				 ctnl_fake_responder fn, void *data);
/* A ready responder: acknowledges every message that asks for an ACK. */
void ctnl_fake_sys_ack_responder(struct ctnl_fake_sys *f, unsigned int index,
				 const struct nlmsghdr *req, void *data);

/* ---- Failures ---- */

/* The @nth call (1-based, counted from the fake's creation) of @call
 * returns @err (a negative errno, or CTNL_FAKE_SHORT for sendmsg). */
void ctnl_fake_sys_fail(struct ctnl_fake_sys *f, enum ctnl_fake_call call,
			unsigned int nth, int err);
/* The @nth system call of any kind returns @err. */
void ctnl_fake_sys_fail_any(struct ctnl_fake_sys *f, unsigned int nth,
			    int err);

/* ---- What the code under test did ---- */

/* The kind of call the most recent injected failure hit, or -1 if none. */
int ctnl_fake_sys_last_failed(const struct ctnl_fake_sys *f);

unsigned int ctnl_fake_sys_calls(const struct ctnl_fake_sys *f,
				 enum ctnl_fake_call call);
unsigned int ctnl_fake_sys_total_calls(const struct ctnl_fake_sys *f);
/* Datagrams sent, in order; the i-th one's bytes (borrowed) and length. */
size_t ctnl_fake_sys_sent_count(const struct ctnl_fake_sys *f);
const void *ctnl_fake_sys_sent(const struct ctnl_fake_sys *f, size_t i,
			       size_t *len);
/* Descriptors opened and not yet closed; closes of descriptors that were
 * not open (a double close is a bug in the code under test). */
int ctnl_fake_sys_open_fds(const struct ctnl_fake_sys *f);
int ctnl_fake_sys_bad_closes(const struct ctnl_fake_sys *f);
/* The last int value set for a socket option; -ENOENT if never set. */
int ctnl_fake_sys_sockopt(const struct ctnl_fake_sys *f, int level, int name,
			  int *val);
/* The socket filter attached with SO_ATTACH_FILTER (borrowed; NULL if
 * none). The fake runs it on every datagram as it is received and skips
 * those it drops, as if they had never been queued. */
const struct sock_filter *ctnl_fake_sys_filter(const struct ctnl_fake_sys *f,
					       unsigned int *len);
/* The socket type argument of the most recent socket() call. */
int ctnl_fake_sys_socket_type(const struct ctnl_fake_sys *f);
/* Network namespaces, named by the path that was opened to enter them; ""
 * is the namespace the thread started in. Where the thread is now, and
 * where the most recent socket was created. Borrowed strings. */
const char *ctnl_fake_sys_netns(const struct ctnl_fake_sys *f);
const char *ctnl_fake_sys_socket_netns(const struct ctnl_fake_sys *f);

/*
 * The fake socket handle: plays the socket layer for tests of what sits on
 * top of it. It records every request and answers each with the next
 * scripted reply; nothing is checked for sequence numbers or senders (that
 * is the real socket layer's job, tested over the fake syscall table).
 * It has no set_trace slot: ctnl_sock_set_trace() on it is -ENOSYS.
 */
struct ctnl_fake_sock;

int ctnl_fake_sock_new(struct ctnl_fake_sock **ret);
void ctnl_fake_sock_free(struct ctnl_fake_sock *f);
/* The socket-handle interface backed by @f; borrowed. Closing it through
 * its destroy slot only marks it closed: the test frees the fake. */
struct ctnl_sock *ctnl_fake_sock_sock(struct ctnl_fake_sock *f);

/*
 * Scripts the reply to the next request (replies are used in order): the
 * netlink messages in @msgs (@len bytes, for instance a captured datagram
 * or several laid end to end) go to the request's callback, then the
 * request returns @status, with @errmsg as the kernel's text (NULL: none).
 * An NLMSG_DONE or NLMSG_ERROR among the messages ends the reply and its
 * status replaces @status. A message flagged NLM_F_DUMP_INTR makes a
 * successful request return -EINTR, as the real handle does. A request
 * with no reply scripted aborts the test.
 */
void ctnl_fake_sock_reply(struct ctnl_fake_sock *f, const void *msgs,
			  size_t len, int status, const char *errmsg);
/* Scripts the result of the next batched request (one per request, in
 * order); requests without one succeed. */
void ctnl_fake_sock_batch_result(struct ctnl_fake_sock *f, int result);
/* The next batch call fails as a whole with @err, before sending. */
void ctnl_fake_sock_batch_fail(struct ctnl_fake_sock *f, int err);
/*
 * Messages the next ctnl_sock_receive() calls hand over, in order: one
 * datagram (run through the socket filter, if one is attached). While
 * datagrams are queued, the descriptor of the fd slot (an eventfd) is
 * readable.
 */
void ctnl_fake_sock_queue_event(struct ctnl_fake_sock *f, const void *msgs,
				size_t len);
/* At this point of the queue the kernel dropped @lost messages: the drop
 * counter of the stats slot grows by @lost there, and the receive that
 * reaches it fails with -ENOBUFS unless CTNL_SOCK_OPT_NO_ENOBUFS is on. */
void ctnl_fake_sock_queue_overflow(struct ctnl_fake_sock *f, uint32_t lost);
/* The last value set for @opt through the set_option slot; -1 if never. */
int ctnl_fake_sock_option(const struct ctnl_fake_sock *f,
			  enum ctnl_sock_option opt);
/* The socket filter attached through the set_filter slot (borrowed; NULL
 * if none). */
const struct sock_filter *ctnl_fake_sock_filter(const struct ctnl_fake_sock *f,
						unsigned int *len);

/* Requests sent, batched ones one by one, in order; the i-th (borrowed). */
size_t ctnl_fake_sock_sent_count(const struct ctnl_fake_sock *f);
const struct nlmsghdr *ctnl_fake_sock_sent(const struct ctnl_fake_sock *f,
					   size_t i);
/* Calls of the batch slot, and of the request slot. */
size_t ctnl_fake_sock_batch_calls(const struct ctnl_fake_sock *f);
size_t ctnl_fake_sock_request_calls(const struct ctnl_fake_sock *f);
/* Scripted replies and batch results not used yet. */
size_t ctnl_fake_sock_unused(const struct ctnl_fake_sock *f);
bool ctnl_fake_sock_closed(const struct ctnl_fake_sock *f);
/*
 * Clones (ctnl_sock_clone()): each is another handle on the same fake,
 * as a second socket on the same kernel: its requests and batches take
 * the same scripted replies and results and are recorded with the rest
 * (and counted by ctnl_fake_sock_batch_calls() too). The next clone
 * fails with @err instead; clones made; clones not closed yet; batch
 * calls made through clones.
 */
void ctnl_fake_sock_clone_fail(struct ctnl_fake_sock *f, int err);
size_t ctnl_fake_sock_clones(const struct ctnl_fake_sock *f);
int ctnl_fake_sock_clones_open(const struct ctnl_fake_sock *f);
size_t ctnl_fake_sock_clone_batch_calls(const struct ctnl_fake_sock *f);
/* Multicast groups joined, bit g-1 for group g. */
uint32_t ctnl_fake_sock_groups(const struct ctnl_fake_sock *f);

/*
 * The in-memory conntrack table: a struct ctnl_ct without a kernel.
 *
 * Hand ctnl_fake_ct_ct() to the code under test wherever it takes a
 * struct ctnl_ct (instead of one from ctnl_ct_open()), seed the table with
 * ctnl_fake_ct_add(), and inspect it afterwards with ctnl_fake_ct_flows().
 * Everything libctnl builds on the interface works over it: ctnl_ct_list(),
 * ctnl_ct_update_mark(), ctnl_ct_update_label() and the rest.
 *
 * Each slot answers as ctnl_ct_open()'s handle does against a Linux 6.18
 * kernel: the same argument checks (an invalid request is refused before
 * anything changes), then the kernel's own rules for the request that
 * handle would have sent (net/netfilter/nf_conntrack_netlink.c):
 *
 *  - Lookups. A key's tuple names the entry whose original OR reply tuple
 *    it equals, in that tuple's zone (the kernel hashes both directions).
 *    An ICMP tuple whose type has no counterpart (ICMP other than 0, 8,
 *    13-18; ICMPv6 other than 128, 129, 139, 140) is -EINVAL.
 *  - Ids. Entries get fresh ids from 1 upwards, never reused. A key's id
 *    (CTNL_ATTR_ID) is honoured by delete only: like the kernel, get and
 *    update ignore it and act on whichever entry holds the tuple.
 *  - create: -EEXIST when the original tuple or the reply tuple already
 *    belongs to an entry in its zone; -ENOMEM when the table holds
 *    ctnl_fake_ct_set_max() entries (no early drop); a missing reply
 *    tuple is the original inverted (ICMP echo 8 <-> 0, ICMPv6 128 <->
 *    129, ...); status gains CONFIRMED, and EXPECTED or DYING in it is
 *    -EBUSY while other kernel-managed bits (NAT, SEQ_ADJUST, OFFLOAD,
 *    ...) are silently not set; two different non-zero directional zones
 *    are -EINVAL; a TCP state >= CTNL_TCP_STATE_MAX, or SCTP state
 *    without vtags (or vtags without state), is -EINVAL. The entry gets
 *    use 1, mark 0 unless given, and a TCP state (NONE unless given).
 *  - update applies, in the kernel's order and without rolling back on a
 *    later failure: timeout (-EPERM when the entry has FIXED_TIMEOUT),
 *    status (bits can be set, not cleared: clearing SEEN_REPLY or
 *    ASSURED, or touching EXPECTED, is -EBUSY; kernel-managed bits are
 *    ignored), mark, labels (new = (old & ~mask) | (labels & mask)).
 *  - Labels. With labels disabled (ctnl_fake_ct_set_labels_enabled()),
 *    entries created from then on have no room for labels, and never
 *    gain it: changing their labels is -ENOSPC with an explanation in
 *    ctnl_ct_error_msg(). ctnl_ct_create() with labels is then -ENOSPC
 *    and leaves no entry behind (as libctnl's handle makes sure), while a
 *    CTNL_OP_CREATE batch creates the entry without its labels (the
 *    kernel's own behaviour, which the batch does not correct). Entries
 *    report CTNL_ATTR_LABELS only while some label is set.
 *  - flush of CTNL_TABLE_CONNTRACK empties one family or both; flush of
 *    CTNL_TABLE_EXPECT empties the whole expectation table whatever the
 *    family (the kernel ignores it there). Removing an entry in any way
 *    removes the expectations it is the master of.
 *  - dump filters everything in user space: ctnl_dump_info says kernel 0,
 *    user = the filter's criteria, received = entries looked at. Which
 *    entries a filter selects follows the kernel's comparisons
 *    (ctnetlink_filter_match()) for the criteria it applies and
 *    <ctnl/flow.h> for the rest, decided by the fake's own matcher, not
 *    by ctnl_filter_match(): where the two disagree, a test over the fake
 *    fails.
 *  - Expectations: create needs tuple, mask and master; the master must be
 *    an entry in the expectation's zone (-ENOENT) that has a helper
 *    (CTNL_ATTR_HELPER, -EOPNOTSUPP otherwise); an expectation whose tuple
 *    matches is -EEXIST. A key names the expectation whose tuple matches
 *    key->tuple (key->master when it has no tuple) under the expectation's
 *    source mask; delete needs a tuple (-EINVAL: no flush by accident).
 *    get and delete honour the key's id. An expectation reports its
 *    master's original tuple and helper; timeouts are kept as given.
 *  - update_matching answers how many entries it changed (when some
 *    matched but none could be changed, the first error), delete_matching
 *    how many it deleted; both fill ctnl_dump_info as dump does.
 *    delete_if hands each entry the filter passes to the predicate, in
 *    table order, and deletes at once those it chooses; its stats count
 *    every entry as seen (the filter runs here), and nothing is ever
 *    gone or refused, as nothing else changes the table meanwhile. With
 *    CTNL_FILTER_UNCOUNTED, delete_matching answers 0 with kernel_flush
 *    set, as a handle whose kernel applies every criterion does.
 *  - stats: count and max; stats_cpu: one CPU, all counters 0.
 *  - ctnl_ct_set_timeout() and ctnl_ct_set_dump_retries() are kept (and
 *    read back by libctnl's lists), but change nothing: the table never
 *    waits, and its dumps are never interrupted.
 *  - Events, as the kernel announces changes (see <ctnl/events.h>):
 *    every change the table makes is offered, in the order it happens,
 *    to each subscribed handle: NEW for a created or seeded entry (the
 *    entry as a dump shows it), UPDATE for an update that went through
 *    whole (the entry after it; a refused one, even half-applied, says
 *    nothing, as the kernel's), DESTROY for an entry deleted, flushed or
 *    expired (the entry before it went), then EXP_DESTROY for each of its
 *    expectations; EXP_NEW and EXP_DESTROY for expectations. As with the
 *    kernel's default (net.netfilter.nf_conntrack_events = 2), an entry
 *    made while no handle listened announces nothing ever after (see
 *    ctnl_fake_ct_set_events_all()). An event's
 *    portid is the port id of the handle whose request made the change
 *    (the first handle's is 1000, others' follow), 0 for what the kernel
 *    does on its own (ctnl_fake_ct_add(), ctnl_fake_ct_expire()). A
 *    subscription takes the groups it asks for and its filter: family and
 *    mark as the kernel's socket filter does (never queued), the rest at
 *    read time (read, counted as filtered, not handed over);
 *    expectations by family only. Queues are unbounded unless
 *    ctnl_fake_ct_set_event_capacity() bounds them; a loss
 *    (ctnl_fake_ct_drop_events(), or a full queue) is reported by the
 *    next read, first, as one CTNL_EVENT_OVERFLOW with the number lost,
 *    and ctnl_event_info counts read plus lost exactly. event_read hands
 *    over at most 64 events per call; event_fd is an eventfd readable
 *    while there is news; event_wait answers at once (time does not
 *    pass). A subscribed handle's requests are -EBUSY (receive-only), as
 *    the real handle's. ctnl_ct_resync() works between two handles of the
 *    table (ctnl_fake_ct_open()).
 *  - set_trace is not provided: -ENOSYS (no messages to trace).
 *
 * Time does not pass: timeouts are stored, never counted down, and
 * entries expire only when ctnl_fake_ct_expire() says so. A slot called
 * from inside one of the fake's own dump callbacks is -EBUSY, as the real
 * handle's socket is mid-dump then.
 * Using the interface after ctnl_ct_close() aborts the program, since the
 * real handle would be freed memory by then.
 */
struct ctnl_fake_ct;

/* The slots of struct ctnl_ct_ops the fake provides, for failure
 * injection and call counts. */
enum ctnl_fake_ct_slot {
	CTNL_FAKE_CT_DUMP,
	CTNL_FAKE_CT_GET,
	CTNL_FAKE_CT_CREATE,
	CTNL_FAKE_CT_UPDATE,
	CTNL_FAKE_CT_DEL,
	CTNL_FAKE_CT_BATCH,
	CTNL_FAKE_CT_FLUSH,
	CTNL_FAKE_CT_UPDATE_MATCHING,
	CTNL_FAKE_CT_DELETE_MATCHING,
	CTNL_FAKE_CT_STATS,
	CTNL_FAKE_CT_STATS_CPU,
	CTNL_FAKE_CT_DUMP_EXPECT,
	CTNL_FAKE_CT_GET_EXPECT,
	CTNL_FAKE_CT_CREATE_EXPECT,
	CTNL_FAKE_CT_DEL_EXPECT,
	CTNL_FAKE_CT_DELETE_IF,
	CTNL_FAKE_CT_SUBSCRIBE,
	CTNL_FAKE_CT_EVENT_READ,
	CTNL_FAKE_CT_NSLOTS
};

/* The table's limit unless ctnl_fake_ct_set_max() says otherwise. */
#define CTNL_FAKE_CT_MAX 65536u

/*
 * Creates an empty table: labels enabled, a limit of CTNL_FAKE_CT_MAX
 * entries. On success *@ret is the caller's, for ctnl_fake_ct_free(); on
 * failure it is untouched. Errors: -EINVAL (@ret NULL), -ENOMEM.
 */
int ctnl_fake_ct_new(struct ctnl_fake_ct **ret);
/* Frees the table and everything in it. Accepts NULL. */
void ctnl_fake_ct_free(struct ctnl_fake_ct *f);

/*
 * The conntrack interface backed by @f; borrowed, valid as long as @f.
 * ctnl_ct_close() on it does not free the fake (the test owns it); it
 * records the close, which ctnl_fake_ct_closed() reports. Calling this
 * again after a close hands the interface out afresh (a program that
 * reconnects); closing twice without that aborts the program.
 */
struct ctnl_ct *ctnl_fake_ct_ct(struct ctnl_fake_ct *f);
/* Whether the interface was closed since ctnl_fake_ct_ct() last handed it
 * out. */
bool ctnl_fake_ct_closed(const struct ctnl_fake_ct *f);

/*
 * Another handle on the same table, as a second ctnl_ct_open() on the same
 * namespace gives: every slot, its own subscription and events (a program
 * that reads events on one handle and makes requests, or resyncs, through
 * another). ctnl_ct_close() frees it; the table stays; ctnl_fake_ct_free()
 * frees those still open. Errors: -EINVAL (NULL), -ENOMEM.
 */
int ctnl_fake_ct_open(struct ctnl_fake_ct *f, struct ctnl_ct **ret);

/* ---- Seeding and inspecting the table ---- */

/*
 * Puts an entry into the table as given, bypassing the kernel's rules for
 * creation (the limit, status bits, the labels setting): a fixture for
 * what the kernel holds. Assigns an id unless CTNL_ATTR_ID is set, and
 * the inverse of the original tuple unless CTNL_ATTR_REPLY is set. The
 * entry has room for labels if labels are enabled or it carries some.
 * Errors: -EINVAL (NULL, no original tuple, a family other than AF_INET
 * or AF_INET6, a reply tuple of another family or protocol), -EEXIST (a
 * tuple or the id already in the table), -ENOMEM; the table is then
 * unchanged.
 */
int ctnl_fake_ct_add(struct ctnl_fake_ct *f, const struct ctnl_flow *flow);
/* Entries in the table. */
size_t ctnl_fake_ct_count(const struct ctnl_fake_ct *f);
/* The entries, oldest first, as the interface reports them; *@n (unless
 * NULL) is their number. Borrowed: valid until the table next changes. */
const struct ctnl_flow *ctnl_fake_ct_flows(const struct ctnl_fake_ct *f,
					   size_t *n);

/*
 * Puts an expectation into the table as given (a tuple is required;
 * other fields as the caller sets them), assigning an id unless
 * CTNL_EXP_ATTR_ID is set. Its master, if CTNL_EXP_ATTR_MASTER names an
 * entry, takes it along when it goes. Errors: -EINVAL (NULL, no tuple, a
 * bad family), -EEXIST (its tuple or id is taken), -ENOMEM.
 */
int ctnl_fake_ct_add_expect(struct ctnl_fake_ct *f,
			    const struct ctnl_expect *exp);
size_t ctnl_fake_ct_expect_count(const struct ctnl_fake_ct *f);
/* The expectations, oldest first; borrowed like ctnl_fake_ct_flows(). */
const struct ctnl_expect *ctnl_fake_ct_expects(const struct ctnl_fake_ct *f,
					       size_t *n);

/* ---- The kernel's settings ---- */

/*
 * Whether the namespace keeps labels, that is whether its ruleset uses
 * them (on by default). Entries created while it is off have no room for
 * labels and never gain it; entries that had room keep it.
 */
void ctnl_fake_ct_set_labels_enabled(struct ctnl_fake_ct *f, bool enabled);
/* The table's limit (nf_conntrack_max): creating an entry in a table that
 * holds @max entries is -ENOMEM. 0 means no limit, as in the kernel. */
void ctnl_fake_ct_set_max(struct ctnl_fake_ct *f, uint32_t max);

/* ---- Events: what the kernel does on its own ---- */

/*
 * Removes the entry @key names (by tuple, and id if CTNL_ATTR_ID is set)
 * as the kernel's timer does when it runs out: a DESTROY event with port
 * id 0, its expectations going with it. Errors: -EINVAL (NULL, a key
 * without a tuple), -ENOENT (no such entry).
 */
int ctnl_fake_ct_expire(struct ctnl_fake_ct *f, const struct ctnl_flow *key);

/*
 * The kernel's queue overflows now, on every subscribed handle: the @n
 * events queued most recently are lost (all of them, if fewer are
 * queued), and the next read on the handle begins with a
 * CTNL_EVENT_OVERFLOW report of @n lost. So a program's view really
 * misses what the test changed just before, and must resync.
 */
void ctnl_fake_ct_drop_events(struct ctnl_fake_ct *f, unsigned int n);

/*
 * Bounds each handle's queue to @max events (0: unbounded, the default):
 * what comes while it is full is lost and reported, as the kernel's
 * receive queue does; in CTNL_EVENTS_RELIABLE mode a DESTROY is queued
 * all the same (the kernel keeps it until it can be delivered).
 */
void ctnl_fake_ct_set_event_capacity(struct ctnl_fake_ct *f, size_t max);

/*
 * net.netfilter.nf_conntrack_events: with @all false (2, the kernel's
 * default, and this table's), an entry made while no handle of the table
 * is subscribed never announces anything, not its updates nor its end,
 * nor its expectations; with @all true (1), every entry does.
 */
void ctnl_fake_ct_set_events_all(struct ctnl_fake_ct *f, bool all);

/* ---- Failures and call counts ---- */

/*
 * The @nth call (1-based, counted from the fake's creation) of @slot
 * returns @err (a negative errno) without touching the table; a failed
 * batch also sets every results[i] to @err. Calls that the public
 * ctnl_ct_*() functions refuse before dispatching are not counted.
 */
void ctnl_fake_ct_fail(struct ctnl_fake_ct *f, enum ctnl_fake_ct_slot slot,
		       unsigned int nth, int err);
/* How many times @slot was called. */
unsigned int ctnl_fake_ct_calls(const struct ctnl_fake_ct *f,
				enum ctnl_fake_ct_slot slot);

/*
 * Classic BPF socket filters as the kernel checks and runs them, with the
 * netlink attribute extensions (SKF_AD_NLATTR, SKF_AD_NLATTR_NEST): for
 * tests of the filters a program attaches. Check returns 0 or -EINVAL (what
 * the kernel refuses at attach time, other ancillary loads included); run
 * returns what the program returns for datagram @pkt: the bytes to keep,
 * 0 to drop. Run only checked programs.
 */
int ctnl_fake_bpf_check(const struct sock_filter *prog, unsigned int len);
uint32_t ctnl_fake_bpf_run(const struct sock_filter *prog, unsigned int len,
			   const void *pkt, size_t pktlen);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_MOCKS_H */
