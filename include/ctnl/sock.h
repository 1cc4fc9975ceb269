/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the netlink socket handle, the middle layer.
 *
 * A struct ctnl_sock is an interface: a table of operations and a context.
 * ctnl_sock_open() builds the real one, a NETLINK_NETFILTER socket driven
 * through any struct ctnl_syscalls; a test can build its own table instead
 * (<ctnl/sys/sock.h>; see <ctnl/mocks.h>). Nothing here knows conntrack
 * attributes. Most programs need only ctnl_sock_config, to open a conntrack
 * handle (<ctnl/conntrack.h>, read first) in another network namespace or
 * with other queue sizes.
 *
 * Every operation returns 0 or a count on success and a negative errno value
 * on failure. The errors every receiving operation can return, beyond those
 * of the system calls themselves:
 * @verbatim
 *   -EPERM     a datagram did not come from the kernel (sender port id != 0)
 *   -ESRCH     a reply was addressed to another port id
 *   -EPROTO    a reply carried a sequence number we did not send
 *   -EBADMSG   a datagram or message had malformed lengths or types
 *   -EMSGSIZE  a datagram was larger than the receive buffer; the buffer is
 *              grown, so repeating the operation succeeds
 *   -ENOBUFS   the kernel dropped messages because the socket's receive
 *              queue overflowed
 *   -ENOSYS    the slot is missing from the interface table
   @endverbatim
 * After any error, the replies still queued for the failed request are read
 * and discarded, so the handle stays usable for the next request.
 *
 * Except past a bound no kernel reaches: the replies to one request are
 * at most 2^28 messages (a conntrack table holds far fewer entries), and
 * as many datagrams are drained at most, so a dump that never ends, from a
 * broken kernel or a fake, cannot hang the caller. The request then fails
 * (with -EOVERFLOW, or with the error it was failing with when draining
 * met the bound), the rest is left unread, and as the socket is out of
 * step with the kernel from then on, every later request or batch fails
 * with -EBADFD: close the handle.
 *
 * Deadlines (CTNL_SOCK_OPT_DEADLINE): a request or batch that would wait
 * for the kernel past the deadline fails with -ETIMEDOUT instead. The
 * replies already queued for it are read and dropped without waiting; any
 * that come later carry its sequence number and are dropped when met, so
 * the handle stays usable. The kernel handles a request inside
 * sendmsg(2), under the subsystem's mutex: a deadline bounds the waits
 * for replies, not a send held up by another process's long request.
 */
#ifndef CTNL_SOCK_H
#define CTNL_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/netlink.h>

#include <ctnl/common.h>
#include <ctnl/syscalls.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-sock sock.h: the netlink socket handle
 * One NETLINK_NETFILTER socket: requests, dumps, batches, multicast,
 * every reply checked. Most programs need only ctnl_sock_config, to open
 * a conntrack handle in another network namespace or with other queue
 * sizes; the errors every receiving operation can return are listed in
 * <ctnl/sock.h>'s first comment: -EPERM (a datagram not from the kernel),
 * -ESRCH (a reply to another port id), -EPROTO (a sequence number not
 * ours), -EBADMSG (malformed lengths or types), -EMSGSIZE (a datagram
 * larger than the buffer, which then grows), -ENOBUFS (the receive queue
 * overflowed), -ENOSYS (a slot missing from the table). After any error
 * the replies still queued for the failed request are drained, so the
 * handle stays usable, except past the bound of 2^28 messages: then every
 * later request fails with -EBADFD.
 * @{
 */

/** The receive buffer's default size: the kernel fills a dump datagram up to
 * about 32 KiB, and never sends ctnetlink clients anything larger. */
#define CTNL_SOCK_BUFSIZE 32768

/** Flags of struct ctnl_sock_config. */
enum ctnl_sock_flag {
	/** The descriptor never blocks: for event loops (receive-only use). */
	CTNL_SOCK_NONBLOCK = 1u << 0,
	/** NETLINK_NO_ENOBUFS: the kernel drops silently instead of reporting
	 * -ENOBUFS when the receive queue overflows. */
	CTNL_SOCK_NO_ENOBUFS = 1u << 1,
	/** NETLINK_BROADCAST_ERROR: a multicast the kernel cannot deliver fails
	 * the operation that caused it (conntrackd's reliable mode). */
	CTNL_SOCK_BROADCAST_ERROR = 1u << 2,
	/** Open the socket in the network namespace of config.netns_fd. */
	CTNL_SOCK_NETNS_FD = 1u << 3,
};

/** How to open a socket handle. Zero what you do not use. */
struct ctnl_sock_config {
	/** sizeof(struct ctnl_sock_config) as the caller compiled it. */
	size_t size;
	unsigned int flags;		/**< enum ctnl_sock_flag bits */
	/** Kernel receive and send queue sizes in bytes; 0 keeps the system
	 * default. Set with SO_RCVBUFFORCE / SO_SNDBUFFORCE when privileged,
	 * falling back to SO_RCVBUF / SO_SNDBUF (capped by the sysctls). @{ */
	int rcvbuf;
	int sndbuf;
	/** @} */
	/** User-space receive buffer in bytes; 0 means CTNL_SOCK_BUFSIZE. */
	size_t bufsize;
	/** Open the socket in another network namespace, given by the path of
	 * its file (such as /run/netns/NAME) or, with CTNL_SOCK_NETNS_FD, by
	 * an open descriptor (borrowed). The calling thread is returned to its
	 * own namespace before ctnl_sock_open() returns. @{ */
	const char *netns_path;
	int netns_fd;
	/** @} */
	/** ... or by its name, as `ip netns` names them: NAME stands for
	 * /run/netns/NAME. A name has no '/' and is neither "." nor "..".
	 * At most one of netns_path, netns_name and CTNL_SOCK_NETNS_FD. */
	const char *netns_name;
};

/** Options that can change on an open socket (ctnl_sock_set_option()). */
enum ctnl_sock_option {
	/** The kernel receive queue's size in bytes (> 0), as config.rcvbuf:
	 * SO_RCVBUFFORCE when privileged, else SO_RCVBUF. */
	CTNL_SOCK_OPT_RCVBUF = 1,
	/** NETLINK_NO_ENOBUFS: 1 on, 0 off (see CTNL_SOCK_NO_ENOBUFS). */
	CTNL_SOCK_OPT_NO_ENOBUFS = 2,
	/** NETLINK_BROADCAST_ERROR: 1 on, 0 off. */
	CTNL_SOCK_OPT_BROADCAST_ERROR = 3,
	/** A deadline this many milliseconds (>= 0) from now for every
	 * request and batch until it is set again; -1 removes it. See the
	 * top of this header. Needs the syscall table's clock_gettime. */
	CTNL_SOCK_OPT_DEADLINE = 4,
};

/** What the kernel says of a socket's receive queue (SO_MEMINFO). */
struct ctnl_sock_stats {
	uint32_t rcvbuf;	/**< its size, in the bytes the kernel counts
				 * (about twice what was asked) */
	uint32_t queued;	/**< bytes waiting in it */
	/** Messages the kernel dropped for want of room since the socket was
	 * opened, whether or not it reported -ENOBUFS; wraps around. */
	uint32_t drops;
};

/**
 * Receives one netlink message. The message lives in the handle's buffer and
 * is valid only during the call. Returns CTNL_CB_OK, CTNL_CB_STOP, or a
 * negative errno value that aborts the operation with that error.
 */
typedef int (*ctnl_sock_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct ctnl_sock;	/* opaque; the table is in <ctnl/sys/sock.h> */

/**
 * Opens a NETLINK_NETFILTER socket, close-on-exec, bound to a port id the
 * kernel picks, with extended ACKs on and error ACKs capped to the request
 * header.
 * @param sys     the system calls to make (NULL: libc)
 * @param config  the configuration (NULL: defaults)
 * @param ret     receives the handle
 * @return 0.
 * @errors -EINVAL (NULL @p ret, bad config, a malformed namespace name,
 * more than one namespace), -ENOMEM, or the failing system call's error
 * (for instance -ENOENT for a namespace that does not exist). If the
 * thread cannot be returned to its own network namespace after opening in
 * another, -errno of setns(2) is returned and the thread stays in the
 * other namespace: nothing can repair that.
 * @ownership On success *@p ret is the caller's, to release with
 * ctnl_sock_close(); on failure *@p ret is untouched and nothing stays
 * open. @p sys must outlive the handle; @p config is read during the call
 * only (a descriptor it names stays the caller's).
 */
CTNL_API int ctnl_sock_open(const struct ctnl_syscalls *sys,
			    const struct ctnl_sock_config *config,
			    struct ctnl_sock **ret);

/**
 * Releases a socket handle through its destroy slot.
 * @param sock  the handle, or NULL (nothing is done)
 * @errors Never fails.
 * @ownership Takes @p sock: it is freed and must not be used again.
 */
CTNL_API void ctnl_sock_close(struct ctnl_sock *sock);

/**
 * Opens another socket handle on the same table, for requests made while
 * a handle is busy (ctnl_ct_delete_if() deletes through one while its
 * dump is read from the other).
 *
 * The new handle has the same system-call table, the same network
 * namespace, and the receive buffer and queue sizes @p sock was opened
 * with; not its flags, groups, filter, or options set since. It traces
 * to the same hook as @p sock, if one is set (ctnl_sock_set_trace()). A handle
 * opened in another namespace (config.netns_*) finds it again through its
 * socket (SIOCGSKNS) and enters it for the socket(2) call, as
 * ctnl_sock_open() did; one opened in the calling thread's own namespace
 * opens the new socket in the namespace the calling thread is in now.
 *
 * @param sock  the handle to clone
 * @param ret   receives the new handle
 * @return 0.
 * @errors -EINVAL (NULL arguments), -ENOSYS (the implementation cannot),
 * those of ctnl_sock_open(), and those of ioctl(2) (-EPERM without
 * CAP_NET_ADMIN over the namespace).
 * @ownership On success *@p ret is the caller's, for ctnl_sock_close();
 * on failure it is untouched and nothing stays open.
 */
CTNL_API int ctnl_sock_clone(struct ctnl_sock *sock, struct ctnl_sock **ret);

/**
 * Sends one request and receives its replies.
 *
 * The handle stamps @p req with a fresh sequence number and asks the
 * kernel to acknowledge it (NLM_F_ACK) unless it is a dump (NLM_F_DUMP).
 * Each reply message other than the final ACK or NLMSG_DONE goes to
 * @p cb. Multi-part dumps of any length are followed to the end.
 * @param sock  the handle
 * @param req   the request; its sequence number and flags are written
 * @param cb    receives each reply message (may be NULL when no data
 *              reply is expected; an unexpected one is then -EBADMSG)
 * @param data  handed to @p cb
 * @return 0 when the kernel acknowledged the request or finished the
 * dump, including when @p cb stopped early.
 * @errors Those listed in the group's description, and:
 * @verbatim
   -errno     the kernel refused the request (NLMSG_ERROR), or a dump ended
              with an error; ctnl_sock_error_msg() then holds the kernel's
              explanation when it sent one
   -EINTR     the dump completed and every message reached cb, but the
              kernel flagged it inconsistent (NLM_F_DUMP_INTR): the table
              changed meanwhile; repeat it for a consistent view
   -EBUSY     the handle has joined multicast groups, or has received
              messages not yet handed over (use another handle)
   -EINVAL    req is NULL or its length is malformed
   -EOVERFLOW the replies went past the bound of 2^28 messages
   -EBADFD    an earlier request went past it; nothing was sent
   any negative value returned by cb
   @endverbatim
 * @ownership @p req stays the caller's; the message handed to @p cb lives
 * in the handle's buffer and is valid only during that call of @p cb.
 */
CTNL_API int ctnl_sock_request(struct ctnl_sock *sock, struct nlmsghdr *req,
			       ctnl_sock_msg_cb cb, void *data);

/**
 * Sends many requests in as few datagrams as the socket's queues allow,
 * and learns each one's fate. Sequence numbers are stamped here. The
 * kernel reports only failures plus one acknowledgement per datagram, so a
 * batch of N costs about N/k system calls. The requests must be ones the
 * kernel answers with a status only (create, update, delete, flush); a
 * data reply fails the batch with -EBADMSG.
 * @param sock     the handle
 * @param buf      the requests, laid end to end, each message NLMSG_ALIGNed
 * @param len      the bytes in @p buf
 * @param results  receives 0 when the kernel accepted request i, or its
 *                 negative errno, in results[i]
 * @param count    the number of requests in @p buf
 * @return the number of requests accepted.
 * @errors When sending or receiving fails part-way, that negative errno,
 * and results[i] holds it for every request whose fate is unknown;
 * ctnl_sock_error_msg() holds the kernel's text for the first refused
 * request. Beyond those of the group's description: -EINVAL (NULL
 * pointers, a message count different from @p count, malformed lengths),
 * -EBUSY and -EBADFD (as for ctnl_sock_request()).
 * @ownership @p buf (its sequence numbers are written) and @p results
 * (@p count ints) are the caller's.
 */
CTNL_API int ctnl_sock_batch(struct ctnl_sock *sock, void *buf, size_t len,
			     int *results, size_t count);

/**
 * Joins a multicast group. A handle that has joined a group is
 * receive-only until it leaves all.
 * @param sock   the handle
 * @param group  the group, 1-based, as the kernel numbers them
 * @return 0.
 * @errors -EINVAL (group 0 or above 32), or those of setsockopt(2).
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_sock_join(struct ctnl_sock *sock, unsigned int group);
/**
 * Leaves a multicast group. The kernel sends nothing more to the group's
 * members once this returns, but what it queued before stays queued: a
 * request made once all groups are left reads those messages and throws
 * them away (they are no replies); read them first (ctnl_sock_receive())
 * to have them.
 * @param sock   the handle
 * @param group  the group, 1-based
 * @return 0.
 * @errors -EINVAL (group 0 or above 32), or those of setsockopt(2).
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_sock_leave(struct ctnl_sock *sock, unsigned int group);

/**
 * The file descriptor to poll for readability.
 * @param sock  the handle
 * @return the descriptor.
 * @errors A negative errno if the implementation has none (-ENOSYS from a
 * table without the slot), -EINVAL (NULL @p sock).
 * @ownership Borrowed, owned by the handle: never close it.
 */
CTNL_API int ctnl_sock_fd(struct ctnl_sock *sock);

/**
 * Receive-only use: reads what is already queued, without blocking, and
 * hands every message to @p cb. Reads at most a bounded number of
 * datagrams per call so one busy socket cannot starve an event loop.
 * @param sock  the handle
 * @param cb    receives each message
 * @param data  handed to @p cb
 * @return the number of messages handed to @p cb; 0 means nothing was
 * queued (with edge-triggered epoll, call until it returns 0).
 * @errors Beyond those of the group's description: -ENOBUFS when the
 * kernel dropped messages (those read before the overflow were handed
 * over; the socket stays usable and later calls go on), -EINVAL for a
 * NULL @p cb, any negative value returned by @p cb.
 * @ownership The message handed to @p cb is valid only during that call
 * of @p cb.
 */
CTNL_API int ctnl_sock_receive(struct ctnl_sock *sock, ctnl_sock_msg_cb cb,
			       void *data);

/**
 * Waits until the socket is readable or a timeout passes.
 * @param sock        the handle
 * @param timeout_ms  the most to wait, in milliseconds (-1: forever)
 * @return 1 when readable, 0 on timeout.
 * @errors -EINTR (a signal handler ran), -EINVAL, or the error of
 * poll(2).
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_sock_wait(struct ctnl_sock *sock, int timeout_ms);

/**
 * Changes an option of the open socket. The batch sizing follows a new
 * receive queue size.
 * @param sock   the handle
 * @param opt    the option
 * @param value  its value: a size in bytes, 0 or 1 for a flag, or
 *               milliseconds (-1: none) for the deadline
 * @return 0.
 * @errors -EINVAL (unknown option, a size <= 0, a flag not 0 or 1, a
 * deadline below -1), or those of setsockopt(2) and clock_gettime(2).
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_sock_set_option(struct ctnl_sock *sock,
				  enum ctnl_sock_option opt, int value);

/**
 * Attaches a classic BPF program as the socket's filter, replacing any
 * other: the kernel runs it on every datagram before queueing it and
 * drops those it returns 0 for, which then cost no room in the receive
 * queue and count as no drop. A NULL @p prog or a @p len of 0 detaches the
 * filter (none attached is fine).
 * @param sock  the handle
 * @param prog  the program
 * @param len   its number of instructions
 * @return 0.
 * @errors -EINVAL (@p len above BPF_MAXINSNS, or the kernel refused the
 * program), or those of setsockopt(2).
 * @ownership @p prog is copied by the kernel: it is the caller's again
 * when the call returns.
 */
CTNL_API int ctnl_sock_set_filter(struct ctnl_sock *sock,
				  const struct sock_filter *prog,
				  unsigned int len);

/**
 * Reads the receive queue's size, fill and drop counter.
 * @param sock  the handle
 * @param out   receives them
 * @return 0.
 * @errors -EINVAL, -EPROTO (the kernel's answer is too short), or those
 * of getsockopt(2) (-ENOPROTOOPT before Linux 4.12).
 * @ownership *@p out is plain data, the caller's.
 */
CTNL_API int ctnl_sock_stats(struct ctnl_sock *sock,
			     struct ctnl_sock_stats *out);

/**
 * The kernel's extended-ACK message for the last refused request.
 * @param sock  the handle
 * @return the message, or NULL when the kernel sent none. Never fails.
 * @ownership Borrowed: valid until the next operation on the handle.
 */
CTNL_API const char *ctnl_sock_error_msg(struct ctnl_sock *sock);

/* ---- Tracing ---- */

/** Which way a traced message went (ctnl_trace_cb). */
enum ctnl_trace_dir {
	CTNL_TRACE_SENT = 1,		/**< to the kernel (or meant to) */
	CTNL_TRACE_RECEIVED = 2,	/**< read from the socket */
};

/**
 * Sees one netlink message that went through a socket handle, as it went:
 * each message of a datagram separately, in order, the requests of a batch
 * and every message read (dump parts, ACKs, errors with their extended-ACK
 * attributes, NLMSG_DONE, events), including those the handle rejects or
 * throws away. Set with ctnl_sock_set_trace() or ctnl_ct_set_trace().
 * @param dir     which way it went
 * @param status  0 for a message sent, or accepted when received; else a
 *                negative errno, see below
 * @param nlh     the message
 * @param len     the bytes of it there are: normally nlh->nlmsg_len; less
 *                when the datagram was cut short or its framing is broken,
 *                and then maybe less than a message header
 * @param data    as given to ctnl_sock_set_trace()
 *
 * What a negative @p status says:
 * @verbatim
   sent:      the error sendmsg(2) failed with; the datagram holding the
              message was not sent (-EIO: sent short; after -EMSGSIZE
              and -EFAULT only the first header is shown)
   received:  why the handle rejects the message:
     -EPERM      the datagram did not come from the kernel
     -EMSGSIZE   the datagram was larger than the receive buffer: what
                 fitted, the last message cut short
     -EBADMSG    the datagram's framing is malformed: every message in
                 it, then the bytes that are no whole message
     -ESRCH      a reply addressed to another port id
     -EPROTO     a reply with a sequence number this handle did not send
     -ECANCELED  read only to be thrown away: what follows a rejected
                 reply in its datagram, the rest of the replies to a
                 request that has already failed, and a multicast
                 datagram (one queued before the handle left its
                 groups) met while waiting for replies
   @endverbatim
 * A message accepted here can still fail its operation for what it says
 * (a kernel error, a reply of a kind the request did not expect): the
 * operation's result says so.
 * @ownership @p nlh and its @p len bytes are borrowed for the call: read
 * no more than @p len bytes (ctnl_msg_fprint() takes care of that). The
 * hook runs inside the handle's operations, on the thread that calls
 * them: it must not call into the same handle.
 */
typedef void (*ctnl_trace_cb)(enum ctnl_trace_dir dir, int status,
			      const struct nlmsghdr *nlh, size_t len,
			      void *data);

/**
 * Sets the hook that sees every message the handle sends and receives
 * from now on, replacing any other. Off, tracing costs one predictable
 * branch per datagram and nothing else. ctnl_trace_print() (<ctnl/msg.h>)
 * is a ready hook that prints each message decoded; conntrack handles
 * install it themselves when the environment says CTNL_TRACE=1 (see
 * ctnl_ct_set_trace()).
 * @param sock  the handle
 * @param cb    the hook, or NULL to turn tracing off
 * @param data  handed to @p cb
 * @return 0.
 * @errors -EINVAL (NULL @p sock), -ENOSYS (an implementation without
 * tracing, such as the fake socket handle).
 * @ownership @p data is borrowed: it must outlive the hook (until it is
 * replaced or the handle closed).
 */
CTNL_API int ctnl_sock_set_trace(struct ctnl_sock *sock, ctnl_trace_cb cb,
				 void *data);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_SOCK_H */
