/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default socket handle's traffic: requests and their replies, batches
 * and their results, and receive-only delivery of multicast messages.
 *
 * Every datagram is checked before any of it is trusted: it must come from
 * the kernel, fit the buffer, and consist of whole messages; a reply must
 * carry our port id and one of our sequence numbers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "internal.h"

/* Datagrams read per ctnl_sock_receive() call, so a flood of multicast
 * messages cannot keep an event loop from its other descriptors. */
#define RECEIVE_BUDGET 64

/* The receive buffer grows to fit an oversized datagram, up to this. */
#define BUFSIZE_MAX (1u << 20)

/* Kernel status values are 0 or a negative errno no lower than this. */
#define ERRNO_MAX 4095

enum { REPLY_MORE = 0, REPLY_FINAL = 1 };

/* Handles one reply message: REPLY_MORE, REPLY_FINAL or a negative errno. */
typedef int (*reply_fn)(struct nl_sock *s, const struct nlmsghdr *nlh,
			void *arg);

/*
 * libmnl's mnl_nlmsg_ok() and mnl_nlmsg_next(), inlined (they run twice
 * per message of every dump, and a call into libmnl for each costs more
 * than the checks themselves), and msg_ok() as mnl_nlmsg_ok() should be:
 * libmnl 1.0.4 (Debian 12) compares (int)nlmsg_len, so a length of 2 GiB
 * or more passes as negative and mnl_nlmsg_next() jumps out of the buffer.
 */
static inline bool msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)len;
}

static inline const struct nlmsghdr *msg_next(const struct nlmsghdr *nlh,
					      int *len)
{
	*len -= (int)NLMSG_ALIGN(nlh->nlmsg_len);
	return (const struct nlmsghdr *)((const uint8_t *)nlh +
					 NLMSG_ALIGN(nlh->nlmsg_len));
}

/* ---- The trace hook (ctnl_sock_set_trace()) ---- */

static int check_owner(const struct nl_sock *s, const struct nlmsghdr *nlh,
		       uint32_t first, uint32_t last);

/*
 * Hands each message of the datagram @buf (@len bytes) to the trace hook
 * with @status, then any bytes at the end that are no whole message. The
 * replies to requests @first..@last (@first 0: not replies) get the owner
 * check's verdict, and what follows a rejected one in its datagram is
 * thrown away, as receive_replies() does. Out of line: tracing off costs
 * the test in TRACE() and nothing else.
 */
static __attribute__((cold, noinline)) void
trace_datagram(struct nl_sock *s, enum ctnl_trace_dir dir, const void *buf,
	       size_t len, int status, uint32_t first, uint32_t last)
{
	const struct nlmsghdr *nlh = buf;
	bool thrown = false;
	int rem;

	/* The kernel refused this datagram for its size, or could not read
	 * it: nothing says its bytes past the first header are readable. */
	if (dir == CTNL_TRACE_SENT &&
	    (status == -EMSGSIZE || status == -EFAULT) && len > NLMSG_HDRLEN)
		len = NLMSG_HDRLEN;
	rem = len > INT32_MAX ? INT32_MAX : (int)len;
	for (; msg_ok(nlh, rem); nlh = msg_next(nlh, &rem)) {
		int verdict = status;

		if (verdict == 0 && first != 0)
			verdict = thrown ? -ECANCELED
					 : check_owner(s, nlh, first, last);
		thrown = thrown || verdict < 0;
		s->trace(dir, verdict, nlh, nlh->nlmsg_len, s->trace_data);
	}
	if (rem > 0)
		s->trace(dir, status ? status : -EBADMSG, nlh, (size_t)rem,
			 s->trace_data);
}

/* Its arguments are evaluated only when the hook is set. */
#define TRACE(s, ...)                                                        \
	do {                                                                 \
		if (__builtin_expect((s)->trace != NULL, 0))                 \
			trace_datagram((s), __VA_ARGS__);                    \
	} while (0)

/* The bytes of a datagram of @n bytes that the buffer holds. */
static inline size_t held(const struct nl_sock *s, ssize_t n)
{
	return (size_t)n < s->bufsize ? (size_t)n : s->bufsize;
}

/*
 * Reserves @n consecutive sequence numbers and returns the first. Numbers
 * start at 1, and a range never wraps through 0, so first <= seq <= last
 * tells ours apart.
 */
static uint32_t take_seqs(struct nl_sock *s, uint32_t n)
{
	if (s->seq > UINT32_MAX - n)
		s->seq = 0;
	s->seq += n;
	return s->seq - n + 1;
}

static int send_datagram(struct nl_sock *s, const void *buf, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;
	int ret;

	do
		n = SYS(s, sendmsg, s->fd, &msg, 0);
	while (n == -EINTR);
	/* Netlink sends whole datagrams or nothing. */
	ret = n < 0 ? (int)n : (size_t)n == len ? 0 : -EIO;
	TRACE(s, CTNL_TRACE_SENT, buf, len, ret, 0, 0);
	return ret;
}

static void grow_buffer(struct nl_sock *s, size_t need)
{
	uint8_t *buf;

	if (need <= s->bufsize || need > BUFSIZE_MAX)
		return;
	buf = realloc(s->buf, need);
	if (buf) {
		s->buf = buf;
		s->bufsize = need;
	}
}

/*
 * Reads one datagram into the handle's buffer; returns its length. Into
 * *@groups (if not NULL): the groups it was sent to, 0 for a unicast.
 */
static ssize_t recv_datagram(struct nl_sock *s, int flags, uint32_t *groups)
{
	struct sockaddr_nl from;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;

	do {
		memset(&from, 0, sizeof(from));
		iov = (struct iovec){ .iov_base = s->buf,
				      .iov_len = s->bufsize };
		msg = (struct msghdr){ .msg_name = &from,
				       .msg_namelen = sizeof(from),
				       .msg_iov = &iov,
				       .msg_iovlen = 1 };
		/* MSG_TRUNC: learn the real length of an oversized datagram. */
		n = SYS(s, recvmsg, s->fd, &msg, flags | MSG_TRUNC);
	} while (n == -EINTR);
	if (n < 0)
		return n;
	if (msg.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK ||
	    from.nl_pid != 0) {
		TRACE(s, CTNL_TRACE_RECEIVED, s->buf, held(s, n), -EPERM, 0, 0);
		return -EPERM;
	}
	if ((msg.msg_flags & MSG_TRUNC) || (size_t)n > s->bufsize) {
		TRACE(s, CTNL_TRACE_RECEIVED, s->buf, held(s, n), -EMSGSIZE, 0,
		      0);
		grow_buffer(s, (size_t)n);
		return -EMSGSIZE;
	}
	if (groups)
		*groups = from.nl_groups;
	return n;
}

static int now_ns(struct nl_sock *s, int64_t *out)
{
	struct timespec ts;
	int ret = SYS(s, clock_gettime, CLOCK_MONOTONIC, &ts);

	if (ret < 0)
		return ret;
	*out = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return 0;
}

int ctnl__sock_set_deadline(struct nl_sock *s, int ms)
{
	int64_t now;
	int ret;

	if (ms < -1)
		return -EINVAL;
	if (ms == -1) {
		s->has_deadline = false;
		return 0;
	}
	ret = now_ns(s, &now);
	if (ret < 0)
		return ret;
	s->deadline_ns = now + (int64_t)ms * 1000000;
	s->has_deadline = true;
	return 0;
}

/* The milliseconds a wait may take, into *@ms: -1 (no deadline), or what
 * is left before the deadline, rounded up so that a wait never ends
 * early. -ETIMEDOUT once it has passed. */
static int wait_budget(struct nl_sock *s, int *ms)
{
	int64_t now, left;
	int ret;

	*ms = -1;
	if (!s->has_deadline)
		return 0;
	ret = now_ns(s, &now);
	if (ret < 0)
		return ret;
	left = s->deadline_ns - now;
	if (left <= 0)
		return -ETIMEDOUT;
	left = (left + 999999) / 1000000;
	*ms = left > INT_MAX ? INT_MAX : (int)left;
	return 0;
}

/*
 * Waits for a reply: on a non-blocking socket (a request may be made on
 * one too), or when a deadline bounds the wait. Without either, recvmsg()
 * blocks as usual.
 */
static ssize_t recv_reply_datagram(struct nl_sock *s, uint32_t *groups)
{
	bool poll_first = s->has_deadline || (s->flags & CTNL_SOCK_NONBLOCK);
	ssize_t n;
	int ret, ms;

	for (;;) {
		n = recv_datagram(s, poll_first ? MSG_DONTWAIT : 0, groups);
		if (n != -EAGAIN || !poll_first)
			return n;
		ret = wait_budget(s, &ms);
		if (ret == 0)
			ret = ctnl__sock_wait(s, ms);
		if (ret == 0)
			return -ETIMEDOUT;
		if (ret < 0 && ret != -EINTR)
			return ret;
	}
}

/*
 * Checks that @len bytes are one or more whole netlink messages. The last
 * one may lack its alignment padding, as the datagram ends there.
 */
static int check_datagram(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	if (len == 0)
		return -EBADMSG;
	while (msg_ok(nlh, rem))
		nlh = msg_next(nlh, &rem);
	return rem <= 0 && rem > -(int)NLMSG_ALIGNTO ? 0 : -EBADMSG;
}

/* Same for attributes: whole attributes to the end of the region. */
static int check_attrs(const void *buf, size_t len)
{
	const struct nlattr *attr = buf;
	int rem = (int)len;

	while (mnl_attr_ok(attr, rem)) {
		rem -= (int)MNL_ALIGN(attr->nla_len);
		attr = mnl_attr_next(attr);
	}
	return rem <= 0 && rem > -(int)MNL_ALIGNTO ? 0 : -EBADMSG;
}

/* A late reply to a request given up on at its deadline. */
static bool is_stale(const struct nl_sock *s, const struct nlmsghdr *nlh)
{
	return s->stale_hi && nlh->nlmsg_pid == s->portid &&
	       nlh->nlmsg_seq >= s->stale_lo && nlh->nlmsg_seq <= s->stale_hi;
}

static int check_owner(const struct nl_sock *s, const struct nlmsghdr *nlh,
		       uint32_t first, uint32_t last)
{
	if (nlh->nlmsg_pid != s->portid)
		return -ESRCH;
	if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last)
		return -EPROTO;
	return 0;
}

/* Keeps the first NLMSGERR_ATTR_MSG text of an operation. */
static int keep_errmsg(struct nl_sock *s, const void *tlvs, size_t len)
{
	const struct nlattr *attr;
	int ret = check_attrs(tlvs, len);

	if (ret < 0)
		return ret;
	mnl_attr_for_each_payload(tlvs, len) {
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return -EBADMSG;
		if (!s->has_errmsg) {
			snprintf(s->errmsg, sizeof(s->errmsg), "%s",
				 mnl_attr_get_str(attr));
			s->has_errmsg = true;
		}
	}
	return 0;
}

/*
 * The status an NLMSG_ERROR (0 for an ACK) or NLMSG_DONE carries, into
 * *@status; the kernel's text for a failure is kept. -EBADMSG if malformed.
 */
static int parse_status(struct nl_sock *s, const struct nlmsghdr *nlh,
			int *status)
{
	const uint8_t *payload = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	size_t tlv_off;
	int err;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)payload;

		if (len < sizeof(*e))
			return -EBADMSG;
		err = e->error;
		tlv_off = sizeof(*e);
		/* Uncapped, the refused request's payload comes first. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return -EBADMSG;
			tlv_off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		}
	} else {
		if (len < sizeof(err))
			return -EBADMSG;
		memcpy(&err, payload, sizeof(err));
		tlv_off = sizeof(err);
	}

	if (err > 0 || err < -ERRNO_MAX)
		return -EBADMSG;
	*status = err;
	if (err == 0 || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (tlv_off > len)
		return -EBADMSG;
	return keep_errmsg(s, payload + tlv_off, len - tlv_off);
}

/*
 * Receives datagrams until @fn has seen the final reply to the requests
 * numbered @first..@last. Nothing may follow the final reply. A datagram
 * sent to a multicast group is no reply: one queued while the handle was
 * a member, before it left (the kernel delivers none after
 * NETLINK_DROP_MEMBERSHIP returns), is read and thrown away.
 */
static int receive_replies(struct nl_sock *s, uint32_t first, uint32_t last,
			   reply_fn fn, void *arg)
{
	size_t msgs = 0;

	for (;;) {
		const struct nlmsghdr *nlh;
		bool final = false;
		uint32_t groups = 0;
		ssize_t n;
		int rem, ret;

		n = recv_reply_datagram(s, &groups);
		if (n < 0)
			return (int)n;
		if (groups) {
			TRACE(s, CTNL_TRACE_RECEIVED, s->buf, (size_t)n,
			      -ECANCELED, 0, 0);
			continue;
		}
		ret = check_datagram(s->buf, (size_t)n);
		TRACE(s, CTNL_TRACE_RECEIVED, s->buf, (size_t)n, ret, first,
		      last);
		if (ret < 0)
			return ret;

		rem = (int)n;
		for (nlh = (const void *)s->buf; msg_ok(nlh, rem);
		     nlh = msg_next(nlh, &rem)) {
			if (final)
				return -EBADMSG;
			if (++msgs > s->replies_max) {
				s->out_of_step = true;
				return -EOVERFLOW;
			}
			ret = check_owner(s, nlh, first, last);
			if (ret < 0 && is_stale(s, nlh))
				continue;
			if (ret < 0)
				return ret;
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			ret = fn(s, nlh, arg);
			if (ret < 0)
				return ret;
			final = ret == REPLY_FINAL;
		}
		if (final)
			return 0;
	}
}

static bool is_final_reply(const struct nl_sock *s,
			   const struct nlmsghdr *nlh, uint32_t last)
{
	return nlh->nlmsg_pid == s->portid && nlh->nlmsg_seq == last &&
	       (nlh->nlmsg_type == NLMSG_ERROR ||
		nlh->nlmsg_type == NLMSG_DONE);
}

/*
 * After a failure part-way through the replies to request @last, reads and
 * drops what is left of them so the next request starts clean. It never
 * blocks, and need not: the kernel queues a request's replies before the
 * sendmsg() that carried it returns, and queues each next part of a dump
 * before the recvmsg() that consumed the previous one returns. That also
 * means a dump that never ends would be drained forever: after
 * replies_max datagrams the socket is given up as out of step. Returns
 * whether the final reply was met.
 */
static bool drain(struct nl_sock *s, uint32_t last)
{
	if (s->out_of_step)
		return false;
	for (size_t dgrams = 0;; dgrams++) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int rem;

		if (dgrams == s->replies_max) {
			s->out_of_step = true;
			return false;
		}
		n = recv_datagram(s, MSG_DONTWAIT, NULL);
		if (n == -EMSGSIZE || n == -EPERM)
			continue;	/* consumed all the same */
		if (n < 0)
			return false;
		TRACE(s, CTNL_TRACE_RECEIVED, s->buf, (size_t)n, -ECANCELED, 0,
		      0);
		rem = (int)n;
		for (nlh = (const void *)s->buf; msg_ok(nlh, rem);
		     nlh = msg_next(nlh, &rem))
			if (is_final_reply(s, nlh, last))
				return true;
	}
}

/*
 * Ends an exchange that failed with @err: drains its replies, and when it
 * was given up on at its deadline before its final reply came, remembers
 * its sequence numbers so that what the kernel sends later is dropped.
 * Numbers only grow (past a wrap, stale ones are long gone), so one range
 * holds every request given up on.
 */
static void abandon(struct nl_sock *s, uint32_t first, uint32_t last, int err)
{
	if (drain(s, last) || err != -ETIMEDOUT)
		return;
	if (!s->stale_hi || first < s->stale_lo)
		s->stale_lo = first;
	s->stale_hi = last;
}

struct request {
	ctnl_sock_msg_cb cb;
	void *data;
	int cb_status;		/* a negative value the callback returned */
	bool stopped;		/* the callback is done: drop the rest */
	bool dump_intr;		/* the kernel flagged the dump inconsistent */
	int status;		/* of the final ACK or NLMSG_DONE */
};

static int request_reply(struct nl_sock *s, const struct nlmsghdr *nlh,
			 void *arg)
{
	struct request *r = arg;
	int ret;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->dump_intr = true;
	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
		ret = parse_status(s, nlh, &r->status);
		return ret < 0 ? ret : REPLY_FINAL;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !r->cb)
		return -EBADMSG;
	if (r->stopped)
		return REPLY_MORE;

	/* Once the callback stops or fails, the rest of the replies are
	 * still read, to the final one, so the socket stays in step. */
	ret = r->cb(nlh, r->data);
	if (ret != CTNL_CB_OK)
		r->stopped = true;
	if (ret < 0)
		r->cb_status = ret;
	return REPLY_MORE;
}

/*
 * Whether the handle may start a request or batch: not while it is out of
 * step with the kernel for good, nor while it is in receive-only use
 * (joined groups, or messages not yet handed over, which a reply would
 * overwrite). Clears the last error text.
 */
static int begin_exchange(struct nl_sock *s)
{
	if (s->out_of_step)
		return -EBADFD;
	if (s->groups || s->pending_len)
		return -EBUSY;
	s->has_errmsg = false;
	return 0;
}

int ctnl__sock_request(void *ctx, struct nlmsghdr *req, ctnl_sock_msg_cb cb,
		       void *data)
{
	struct nl_sock *s = ctx;
	struct request r = { .cb = cb, .data = data };
	uint32_t seq;
	int ret;

	if (!req || req->nlmsg_len < NLMSG_HDRLEN)
		return -EINVAL;
	ret = begin_exchange(s);
	if (ret < 0)
		return ret;

	/* NLM_F_ACK on a dump is harmless: the kernel answers a dump with
	 * NLMSG_DONE alone. So every request ends in exactly one final reply
	 * and this layer need not know which messages are dumps. */
	seq = take_seqs(s, 1);
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;

	ret = send_datagram(s, req, req->nlmsg_len);
	if (ret < 0)
		return ret;
	ret = receive_replies(s, seq, seq, request_reply, &r);
	if (ret < 0) {
		abandon(s, seq, seq, ret);
		return ret;
	}
	if (r.cb_status < 0)
		return r.cb_status;
	if (r.status < 0)
		return r.status;
	return r.dump_intr ? -EINTR : 0;
}

/* A batch result not known yet. */
#define RESULT_PENDING 1

struct batch {
	int *results;		/* of this datagram's requests */
	uint32_t first;		/* sequence number of results[0] */
	uint32_t last;
};

static int batch_reply(struct nl_sock *s, const struct nlmsghdr *nlh,
		       void *arg)
{
	struct batch *b = arg;
	int status, ret;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return -EBADMSG;
	ret = parse_status(s, nlh, &status);
	if (ret < 0)
		return ret;
	b->results[nlh->nlmsg_seq - b->first] = status;
	if (nlh->nlmsg_seq != b->last)
		return REPLY_MORE;

	/* The kernel handles a datagram's requests in order and reports each
	 * failure as it goes, so once the last one is acknowledged, every
	 * request not reported has succeeded. */
	for (uint32_t i = 0; i <= b->last - b->first; i++)
		if (b->results[i] == RESULT_PENDING)
			b->results[i] = 0;
	return REPLY_FINAL;
}

/* Checks the messages of a batch and counts them. */
static int count_batch(const void *buf, size_t len, size_t *count)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;
	size_t n = 0;

	if (len > INT32_MAX || check_datagram(buf, len) < 0)
		return -EINVAL;
	for (; msg_ok(nlh, rem); nlh = msg_next(nlh, &rem), n++)
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			return -EINVAL;
	*count = n;
	return 0;
}

/*
 * Stamps the requests of one datagram: fresh sequence numbers, and an ACK
 * asked of the last one only. Successes stay silent; failures are always
 * reported. Returns the datagram's byte length; *@n is its message count.
 */
static size_t stamp_datagram(struct nl_sock *s, uint8_t *buf, size_t len,
			     size_t *n, uint32_t *first)
{
	struct nlmsghdr *nlh = (void *)buf, *last = NULL;
	size_t bytes = 0, msgs = 0;
	int rem = (int)len;

	for (; msg_ok(nlh, rem) && msgs < *n;
	     nlh = (struct nlmsghdr *)msg_next(nlh, &rem)) {
		size_t size = NLMSG_ALIGN(nlh->nlmsg_len);

		if (msgs > 0 && (msgs == s->batch_msgs ||
				 bytes + size > s->batch_bytes))
			break;
		nlh->nlmsg_flags = (nlh->nlmsg_flags | NLM_F_REQUEST) &
				   ~NLM_F_ACK;
		nlh->nlmsg_pid = 0;
		bytes += size;
		msgs++;
		last = nlh;
	}
	*first = take_seqs(s, (uint32_t)msgs);
	nlh = (void *)buf;
	for (size_t i = 0; i < msgs; i++, nlh = (void *)((uint8_t *)nlh +
					   NLMSG_ALIGN(nlh->nlmsg_len)))
		nlh->nlmsg_seq = *first + (uint32_t)i;
	last->nlmsg_flags |= NLM_F_ACK;
	*n = msgs;
	return bytes > len ? len : bytes;
}

static int send_batch_datagram(struct nl_sock *s, uint8_t *buf, size_t len,
			       int *results, size_t *n, size_t *sent)
{
	struct batch b = { .results = results };
	size_t bytes;
	int ret;

	bytes = stamp_datagram(s, buf, len, n, &b.first);
	b.last = b.first + (uint32_t)(*n - 1);
	for (size_t i = 0; i < *n; i++)
		results[i] = RESULT_PENDING;

	ret = send_datagram(s, buf, bytes);
	if (ret < 0)
		return ret;
	*sent = bytes;
	ret = receive_replies(s, b.first, b.last, batch_reply, &b);
	if (ret < 0)
		abandon(s, b.first, b.last, ret);
	return ret;
}

int ctnl__sock_batch(void *ctx, void *buf, size_t len, int *results,
		     size_t count)
{
	struct nl_sock *s = ctx;
	size_t total, done = 0, off = 0;
	int ret = 0, accepted = 0;

	if (!buf || !results || count == 0 || count > INT32_MAX)
		return -EINVAL;
	if (count_batch(buf, len, &total) < 0 || total != count)
		return -EINVAL;
	ret = begin_exchange(s);
	if (ret < 0)
		return ret;

	while (done < count) {
		size_t n = count - done, sent = 0;

		ret = send_batch_datagram(s, (uint8_t *)buf + off, len - off,
					  results + done, &n, &sent);
		if (ret < 0) {
			/* Whatever is still pending, here and beyond, has
			 * an unknown fate: it carries the failure. */
			for (size_t i = done; i < count; i++)
				if (i >= done + n ||
				    results[i] == RESULT_PENDING)
					results[i] = ret;
			return ret;
		}
		for (size_t i = done; i < done + n; i++)
			accepted += results[i] == 0;
		done += n;
		off += sent;
	}
	return accepted;
}

/* Hands over the messages of the current datagram from pending_off on. */
static int deliver_pending(struct nl_sock *s, ctnl_sock_msg_cb cb,
			   void *data, int *count)
{
	while (s->pending_len > 0) {
		const struct nlmsghdr *nlh = (void *)(s->buf + s->pending_off);
		size_t size = NLMSG_ALIGN(nlh->nlmsg_len);
		int ret;

		if (size > s->pending_len)
			size = s->pending_len;
		s->pending_off += size;
		s->pending_len -= size;
		if (nlh->nlmsg_type == NLMSG_NOOP)
			continue;
		(*count)++;
		ret = cb(nlh, data);
		if (ret != CTNL_CB_OK)
			return ret < 0 ? ret : CTNL_CB_STOP;
	}
	return CTNL_CB_OK;
}

int ctnl__sock_receive(void *ctx, ctnl_sock_msg_cb cb, void *data)
{
	struct nl_sock *s = ctx;
	int count = 0, ret;

	/* A callback that stopped in the middle of a datagram left the rest
	 * of it for this call. */
	ret = deliver_pending(s, cb, data, &count);
	for (int i = 0; ret == CTNL_CB_OK && i < RECEIVE_BUDGET; i++) {
		ssize_t n = recv_datagram(s, MSG_DONTWAIT, NULL);

		if (n == -EAGAIN)
			break;
		if (n < 0)
			return (int)n;
		ret = check_datagram(s->buf, (size_t)n);
		TRACE(s, CTNL_TRACE_RECEIVED, s->buf, (size_t)n, ret, 0, 0);
		if (ret < 0)
			return ret;
		s->pending_off = 0;
		s->pending_len = (size_t)n;
		ret = deliver_pending(s, cb, data, &count);
	}
	return ret < 0 ? ret : count;
}

int ctnl__sock_wait(void *ctx, int timeout_ms)
{
	struct nl_sock *s = ctx;
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int ret;

	if (s->pending_len > 0)
		return 1;
	ret = SYS(s, poll, &pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret;
	return (pfd.revents & (POLLIN | POLLERR)) ? 1 : 0;
}
