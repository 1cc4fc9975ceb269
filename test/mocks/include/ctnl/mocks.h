/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl-mocks: fakes of libctnl's interfaces, for unit tests that run
 * without root and without a kernel — libctnl's own and its users'.
 *
 * Fakes keep all their state in their own object, never in globals, and
 * depend on no test framework. Misusing a fake (a script that cannot be
 * carried out) aborts the test program with a message on stderr.
 */
#ifndef CTNL_MOCKS_H
#define CTNL_MOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

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
/* Datagrams and errors still queued. */
size_t ctnl_fake_sys_queued(const struct ctnl_fake_sys *f);

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
/* Messages the next ctnl_sock_receive() calls hand over, in order. */
void ctnl_fake_sock_queue_event(struct ctnl_fake_sock *f, const void *msgs,
				size_t len);

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
/* Multicast groups joined, bit g-1 for group g. */
uint32_t ctnl_fake_sock_groups(const struct ctnl_fake_sock *f);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_MOCKS_H */
