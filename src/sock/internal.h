/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default socket handle, shared by its two halves: sock.c opens and
 * configures the socket, io.c sends requests and receives replies.
 */
#ifndef CTNL_SRC_SOCK_INTERNAL_H
#define CTNL_SRC_SOCK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <ctnl/sock.h>
#include <ctnl/sys/sock.h>
#include <ctnl/sys/syscalls.h>

#include "../ops.h"

/* Room for the kernel's extended-ACK text; its messages are one line. */
#define SOCK_ERRMSG_MAX 256

/*
 * Messages one request may be answered with (datagrams, when draining).
 * Only the kernel sends as port id 0, and no conntrack table comes near
 * this (each entry costs the kernel some 300 bytes: 2^28 of them, 80 GiB),
 * so more is a broken kernel or a fake that keeps answering; a request
 * must return all the same.
 */
#define SOCK_REPLIES_MAX (1u << 28)

struct nl_sock {
	struct ctnl_sock iface;		/* handed to the caller; ctx = this */
	struct ctnl_syscalls sys;	/* a copy: ops borrowed, ctx as given */
	int fd;
	unsigned int flags;		/* enum ctnl_sock_flag */
	/* What a clone takes over: whether the socket lives in another
	 * namespace than the opening thread's, and the queue sizes asked. */
	bool other_netns;
	int cfg_rcvbuf, cfg_sndbuf;
	uint32_t portid;		/* assigned by the kernel at bind */
	uint32_t seq;			/* last sequence number used */
	uint32_t groups;		/* joined multicast groups, bit g-1 */

	uint8_t *buf;			/* one receive buffer per handle */
	size_t bufsize;

	/* Receive-only use: messages of the last datagram not yet handed to
	 * the callback, because it stopped or failed part-way. */
	size_t pending_off;
	size_t pending_len;

	/* SOCK_REPLIES_MAX (tests lower it). Past it, the rest of the
	 * replies is left unread: the socket is out of step with the kernel
	 * for good, and only closing it helps. */
	size_t replies_max;
	bool out_of_step;

	/* CTNL_SOCK_OPT_DEADLINE: waits for replies end at deadline_ns
	 * (CLOCK_MONOTONIC). Replies to requests given up on at a deadline
	 * carry sequence numbers stale_lo..stale_hi: they are dropped. */
	bool has_deadline;
	int64_t deadline_ns;
	uint32_t stale_lo, stale_hi;	/* stale_hi 0: none */

	/* Batch sizing, learnt from the socket's real queue sizes. */
	size_t batch_bytes;		/* most request bytes per datagram */
	size_t batch_msgs;		/* most requests per datagram */

	bool has_errmsg;
	char errmsg[SOCK_ERRMSG_MAX];

	/* The trace hook (ctnl_sock_set_trace()); NULL: off. */
	ctnl_trace_cb trace;
	void *trace_data;
};

/* Syscalls through the handle's table; a missing slot is -ENOSYS. */
#define SYS(s, slot, ...) CTNL_CALL(&(s)->sys, slot, __VA_ARGS__)

int ctnl__sock_request(void *ctx, struct nlmsghdr *req, ctnl_sock_msg_cb cb,
		       void *data);
int ctnl__sock_batch(void *ctx, void *buf, size_t len, int *results,
		     size_t count);
int ctnl__sock_receive(void *ctx, ctnl_sock_msg_cb cb, void *data);
int ctnl__sock_wait(void *ctx, int timeout_ms);
/* Sets (@ms >= 0 from now) or removes (@ms -1) the deadline (io.c). */
int ctnl__sock_set_deadline(struct nl_sock *s, int ms);

#endif /* CTNL_SRC_SOCK_INTERNAL_H */
