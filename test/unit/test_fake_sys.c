/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scripted fake syscall table behaves as documented: callers' tests
 * depend on it as much as libctnl's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include <ctnl/mocks.h>
#include <ctnl/sys/syscalls.h>

#include "helpers.h"

struct env {
	struct ctnl_fake_sys *f;
	const struct ctnl_syscalls_ops *ops;
	void *ctx;
	int fd;
	_Alignas(8) uint8_t buf[256];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(ctnl_fake_sys_new(&e->f), 0);
	e->ops = ctnl_fake_sys_syscalls(e->f)->ops;
	e->ctx = ctnl_fake_sys_syscalls(e->f)->ctx;
	e->fd = e->ops->socket(e->ctx, AF_NETLINK, SOCK_RAW, 12);
	assert_true(e->fd >= 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	ctnl_fake_sys_free(e->f);
	free(e);
	return 0;
}

static ssize_t send_buf(struct env *e, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	return e->ops->sendmsg(e->ctx, e->fd, &msg, 0);
}

static ssize_t recv_buf(struct env *e, void *buf, size_t len, int flags,
			struct sockaddr_nl *from, int *msg_flags)
{
	struct sockaddr_nl dummy;
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_name = from ? from : &dummy,
			      .msg_namelen = sizeof(dummy),
			      .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t n = e->ops->recvmsg(e->ctx, e->fd, &msg, flags);

	if (msg_flags)
		*msg_flags = msg.msg_flags;
	return n;
}

/* Sends two messages with sequence numbers 40 and 41. */
static void send_two(struct env *e)
{
	_Alignas(8) uint8_t req[64];
	struct nlmsghdr *a = put_msg(req, 16, NLM_F_REQUEST, 4);
	struct nlmsghdr *b = put_msg(req + 20, 16, NLM_F_REQUEST | NLM_F_ACK, 4);

	a->nlmsg_seq = 40;
	b->nlmsg_seq = 41;
	assert_int_equal(send_buf(e, req, 40), 40);
}

static void test_fake_stamps_replies_at_receive_time(void **state)
{
	struct env *e = *state;
	_Alignas(8) uint8_t data[64];
	struct nlmsghdr *nlh = put_msg(data, 16, NLM_F_MULTI, 4);
	struct sockaddr_nl from;

	nlh->nlmsg_seq = 7777;
	ctnl_fake_sys_queue(e->f, data, nlh->nlmsg_len);
	send_two(e);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, &from, NULL),
			 20);
	nlh = (void *)e->buf;
	assert_int_equal(nlh->nlmsg_seq, 40);
	assert_int_equal(nlh->nlmsg_pid, CTNL_FAKE_PORTID);
	assert_int_equal(from.nl_pid, 0);
	assert_int_equal(from.nl_family, AF_NETLINK);
	assert_int_equal(ctnl_fake_sys_sent_count(e->f), 1);
}

static void test_fake_builds_acks_and_done(void **state)
{
	struct env *e = *state;
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;
	int status;

	ctnl_fake_sys_set_portid(e->f, 99);
	ctnl_fake_sys_queue_ack(e->f, 1, -EEXIST, "already there");
	ctnl_fake_sys_queue_done(e->f, -EINVAL);
	send_two(e);

	/* Header, error and echoed header, the text's attribute. */
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 NLMSG_HDRLEN + sizeof(struct nlmsgerr) +
				 NLA_ALIGN(NLA_HDRLEN +
					   sizeof("already there")));
	nlh = (void *)e->buf;
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, 41);
	assert_int_equal(nlh->nlmsg_pid, 99);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	err = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(err->error, -EEXIST);
	assert_int_equal(err->msg.nlmsg_seq, 41);
	assert_string_equal(mnl_attr_get_str((void *)(err + 1)),
			    "already there");

	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 NLMSG_HDRLEN + sizeof(int));
	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_int_equal(nlh->nlmsg_seq, 40);
	memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	assert_int_equal(status, -EINVAL);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 -EAGAIN);
}

static void test_fake_raw_datagram_keeps_bytes_and_sender(void **state)
{
	struct env *e = *state;
	_Alignas(8) uint8_t data[64];
	struct nlmsghdr *nlh = put_msg(data, 16, 0, 4);
	struct sockaddr_nl from;

	nlh->nlmsg_seq = 5;
	ctnl_fake_sys_queue_raw(e->f, 1234, 4, data, nlh->nlmsg_len);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, &from, NULL),
			 20);
	assert_memory_equal(e->buf, data, 20);
	assert_int_equal(from.nl_pid, 1234);
	assert_int_equal(from.nl_groups, 4);
}

static void test_fake_truncates_and_peeks_like_the_kernel(void **state)
{
	struct env *e = *state;
	uint8_t data[64] = { 0 };
	int flags;

	ctnl_fake_sys_queue_raw(e->f, 0, 0, data, 64);
	assert_int_equal(recv_buf(e, e->buf, 16, MSG_PEEK | MSG_TRUNC, NULL,
				  &flags), 64);
	assert_int_equal(flags, MSG_TRUNC);
	assert_int_equal(ctnl_fake_sys_queued(e->f), 1);
	assert_int_equal(recv_buf(e, e->buf, 16, 0, NULL, &flags), 16);
	assert_int_equal(flags, MSG_TRUNC);
	assert_int_equal(ctnl_fake_sys_queued(e->f), 0);
}

static void test_fake_queued_errno_is_returned_once(void **state)
{
	struct env *e = *state;

	ctnl_fake_sys_queue_errno(e->f, -ENOBUFS);
	assert_int_equal(recv_buf(e, e->buf, 16, 0, NULL, NULL), -ENOBUFS);
	assert_int_equal(recv_buf(e, e->buf, 16, 0, NULL, NULL), -EAGAIN);
}

static void test_fake_fails_the_nth_call(void **state)
{
	struct env *e = *state;
	struct pollfd pfd = { .fd = e->fd, .events = POLLIN };

	ctnl_fake_sys_fail(e->f, CTNL_FAKE_POLL, 2, -EINTR);
	ctnl_fake_sys_fail_any(e->f, ctnl_fake_sys_total_calls(e->f) + 4,
			       -ENOMEM);
	assert_int_equal(ctnl_fake_sys_last_failed(e->f), -1);
	assert_int_equal(e->ops->poll(e->ctx, &pfd, 1, 0), 0);
	assert_int_equal(e->ops->poll(e->ctx, &pfd, 1, 0), -EINTR);
	assert_int_equal(ctnl_fake_sys_last_failed(e->f), CTNL_FAKE_POLL);
	assert_int_equal(e->ops->poll(e->ctx, &pfd, 1, 0), 0);
	assert_int_equal(e->ops->bind(e->ctx, e->fd, NULL, 0), -ENOMEM);
	assert_int_equal(ctnl_fake_sys_last_failed(e->f), CTNL_FAKE_BIND);
	assert_int_equal(ctnl_fake_sys_calls(e->f, CTNL_FAKE_POLL), 3);
	assert_int_equal(ctnl_fake_sys_calls(e->f, CTNL_FAKE_BIND), 1);
}

static void test_fake_short_send(void **state)
{
	struct env *e = *state;
	uint8_t req[20] = { 0 };

	ctnl_fake_sys_fail(e->f, CTNL_FAKE_SENDMSG, 1, CTNL_FAKE_SHORT);
	assert_int_equal(send_buf(e, req, 20), 19);
	assert_int_equal(ctnl_fake_sys_sent_count(e->f), 0);
}

static void test_fake_tracks_descriptors(void **state)
{
	struct env *e = *state;
	int file;

	assert_int_equal(ctnl_fake_sys_open_fds(e->f), 1);
	file = e->ops->open(e->ctx, "/run/netns/x", O_RDONLY);
	assert_true(file >= 0);
	assert_int_equal(ctnl_fake_sys_open_fds(e->f), 2);
	/* A failing close still releases the descriptor, as on Linux. */
	ctnl_fake_sys_fail(e->f, CTNL_FAKE_CLOSE, 1, -EINTR);
	assert_int_equal(e->ops->close(e->ctx, file), -EINTR);
	assert_int_equal(ctnl_fake_sys_open_fds(e->f), 1);
	assert_int_equal(e->ops->close(e->ctx, file), -EBADF);
	assert_int_equal(ctnl_fake_sys_bad_closes(e->f), 1);
	/* Sockets only for socket calls. */
	file = e->ops->open(e->ctx, "/x", O_RDONLY);
	assert_int_equal(e->ops->bind(e->ctx, file, NULL, 0), -EBADF);
	assert_int_equal(e->ops->close(e->ctx, file), 0);
	assert_int_equal(e->ops->socket(e->ctx, AF_INET, SOCK_DGRAM, 0),
			 -EAFNOSUPPORT);
}

static void test_fake_runs_out_of_descriptors(void **state)
{
	struct env *e = *state;
	int last = 0;

	for (int i = 0; i < 200 && last >= 0; i++)
		last = e->ops->open(e->ctx, "/x", O_RDONLY);
	assert_int_equal(last, -EMFILE);
}

static void test_fake_follows_network_namespaces(void **state)
{
	struct env *e = *state;
	int self, blue;

	assert_string_equal(ctnl_fake_sys_netns(e->f), "");
	self = e->ops->open(e->ctx, "/proc/thread-self/ns/net", O_RDONLY);
	blue = e->ops->open(e->ctx, "/run/netns/blue", O_RDONLY);
	assert_int_equal(e->ops->setns(e->ctx, blue, CLONE_NEWNET), 0);
	assert_string_equal(ctnl_fake_sys_netns(e->f), "/run/netns/blue");
	e->fd = e->ops->socket(e->ctx, AF_NETLINK, SOCK_RAW, 12);
	assert_string_equal(ctnl_fake_sys_socket_netns(e->f), "/run/netns/blue");
	assert_int_equal(e->ops->setns(e->ctx, self, CLONE_NEWNET), 0);
	assert_string_equal(ctnl_fake_sys_netns(e->f), "");
	assert_int_equal(e->ops->setns(e->ctx, e->fd, 0), -EBADF);
	assert_int_equal(e->ops->setns(e->ctx, self, CLONE_NEWUTS), -EINVAL);
}

static void test_fake_socket_options(void **state)
{
	struct env *e = *state;
	int val = 1 << 20, got;
	socklen_t len = sizeof(got);

	assert_int_equal(e->ops->getsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_RCVBUF, &got, &len), 0);
	assert_int_equal(got, 212992);
	assert_int_equal(e->ops->setsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_RCVBUFFORCE, &val, sizeof(val)),
			 0);
	assert_int_equal(e->ops->getsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_RCVBUF, &got, &len), 0);
	assert_int_equal(got, 2 << 20);
	assert_int_equal(e->ops->getsockopt(e->ctx, e->fd, SOL_NETLINK,
					    NETLINK_EXT_ACK, &got, &len),
			 -ENOPROTOOPT);
	assert_int_equal(e->ops->setsockopt(e->ctx, e->fd, SOL_NETLINK,
					    NETLINK_EXT_ACK, &val, 2), -EINVAL);
	assert_int_equal(ctnl_fake_sys_sockopt(e->f, SOL_NETLINK,
					       NETLINK_EXT_ACK, &got), -ENOENT);
}

static void test_fake_poll_and_getsockname(void **state)
{
	struct env *e = *state;
	struct pollfd pfd[2] = { { .fd = e->fd, .events = POLLIN },
				 { .fd = 5, .events = POLLIN } };
	struct sockaddr_nl addr;
	socklen_t len = sizeof(addr);

	assert_int_equal(e->ops->poll(e->ctx, pfd, 2, 0), 1);
	assert_int_equal(pfd[1].revents, POLLNVAL);
	ctnl_fake_sys_queue_errno(e->f, -ENOBUFS);
	assert_int_equal(e->ops->poll(e->ctx, pfd, 1, 0), 1);
	assert_int_equal(pfd[0].revents, POLLIN);
	assert_int_equal(e->ops->getsockname(e->ctx, e->fd,
					     (struct sockaddr *)&addr, &len), 0);
	assert_int_equal(addr.nl_pid, CTNL_FAKE_PORTID);
}

static void count_responder(struct ctnl_fake_sys *f, unsigned int index,
			    const struct nlmsghdr *req, void *data)
{
	unsigned int *seen = data;

	(void)f;
	assert_int_equal(req->nlmsg_seq, 40 + index);
	(*seen)++;
}

static void test_fake_responder_sees_each_message(void **state)
{
	struct env *e = *state;
	unsigned int seen = 0;

	ctnl_fake_sys_set_responder(e->f, count_responder, &seen);
	send_two(e);
	assert_int_equal(seen, 2);
	ctnl_fake_sys_set_responder(e->f, ctnl_fake_sys_ack_responder, NULL);
	send_two(e);
	/* Only the second asked for an ACK. */
	assert_int_equal(ctnl_fake_sys_queued(e->f), 1);
}

static void test_fake_gathers_iovecs_and_scatters_replies(void **state)
{
	struct env *e = *state;
	uint8_t a[10] = "0123456789", b[6] = "abcdef", out1[4], out2[20];
	struct iovec in[2] = { { a, 10 }, { b, 6 } };
	struct iovec out[2] = { { out1, 4 }, { out2, 20 } };
	struct msghdr msg = { .msg_iov = in, .msg_iovlen = 2 };
	size_t len;
	const uint8_t *sent;

	assert_int_equal(e->ops->sendmsg(e->ctx, e->fd, &msg, 0), 16);
	sent = ctnl_fake_sys_sent(e->f, 0, &len);
	assert_int_equal(len, 16);
	assert_memory_equal(sent, "0123456789abcdef", 16);
	assert_null(ctnl_fake_sys_sent(e->f, 1, NULL));

	ctnl_fake_sys_queue_raw(e->f, 0, 0, "0123456789abcdef", 16);
	msg = (struct msghdr){ .msg_iov = out, .msg_iovlen = 2 };
	assert_int_equal(e->ops->recvmsg(e->ctx, e->fd, &msg, 0), 16);
	assert_memory_equal(out1, "0123", 4);
	assert_memory_equal(out2, "456789abcdef", 12);
}

/* A filter that keeps datagrams whose first byte is 0x20, as SO_ATTACH_FILTER
 * passes it. */
static const struct sock_filter keep_0x20[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x20, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static int attach(struct env *e, const struct sock_filter *insn,
		  unsigned int n)
{
	struct sock_fprog prog = { .len = (unsigned short)n,
				   .filter = (struct sock_filter *)insn };

	return e->ops->setsockopt(e->ctx, e->fd, SOL_SOCKET, SO_ATTACH_FILTER,
				  &prog, sizeof(prog));
}

static int detach(struct env *e)
{
	int zero = 0;

	return e->ops->setsockopt(e->ctx, e->fd, SOL_SOCKET, SO_DETACH_FILTER,
				  &zero, sizeof(zero));
}

/* Datagrams the attached filter drops are never seen, as if the kernel
 * had not queued them; detaching lets everything through again. */
static void test_fake_socket_filter_drops_on_receive(void **state)
{
	struct env *e = *state;
	const struct sock_filter *got;
	unsigned int len;
	uint8_t a[20] = { 0x20 }, b[20] = { 0x30 };
	struct sock_fprog bad = { .len = 1, .filter = (struct sock_filter *)
							      keep_0x20 };

	assert_int_equal(detach(e), -ENOENT);
	assert_null(ctnl_fake_sys_filter(e->f, &len));
	assert_int_equal(attach(e, keep_0x20, 4), 0);
	got = ctnl_fake_sys_filter(e->f, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(got, keep_0x20, sizeof(keep_0x20));
	/* The kernel refuses a program that does not end in a return. */
	assert_int_equal(e->ops->setsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_ATTACH_FILTER, &bad,
					    sizeof(bad)), -EINVAL);
	assert_int_equal(e->ops->setsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_ATTACH_FILTER, &bad, 4), -EINVAL);

	ctnl_fake_sys_queue_raw(e->f, 0, 1, b, sizeof(b));
	ctnl_fake_sys_queue_raw(e->f, 0, 1, a, sizeof(a));
	ctnl_fake_sys_queue_raw(e->f, 0, 1, b, sizeof(b));
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 20);
	assert_int_equal(e->buf[0], 0x20);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 -EAGAIN);
	assert_int_equal(ctnl_fake_sys_queued(e->f), 0);

	assert_int_equal(detach(e), 0);
	assert_null(ctnl_fake_sys_filter(e->f, NULL));
	ctnl_fake_sys_queue_raw(e->f, 0, 1, b, sizeof(b));
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 20);
}

static void meminfo(struct env *e, uint32_t *mem)
{
	socklen_t len = SK_MEMINFO_VARS * sizeof(uint32_t);

	assert_int_equal(e->ops->getsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_MEMINFO, mem, &len), 0);
	assert_int_equal(len, SK_MEMINFO_VARS * sizeof(uint32_t));
}

/* Drops show in SO_MEMINFO; unless NETLINK_NO_ENOBUFS is on, the next
 * receive fails with ENOBUFS before anything queued, and poll says so;
 * then the socket is congested, as the kernel's is, until emptied. */
static void test_fake_drops_count_and_report(void **state)
{
	struct env *e = *state;
	uint32_t mem[SK_MEMINFO_VARS], small[2];
	socklen_t len = sizeof(small);
	struct pollfd pfd = { .fd = e->fd, .events = POLLIN };
	int one = 1;

	meminfo(e, mem);
	assert_int_equal(mem[SK_MEMINFO_DROPS], 0);
	assert_int_equal(mem[SK_MEMINFO_RCVBUF], 212992);
	ctnl_fake_sys_queue_raw(e->f, 0, 1, "0123456789abcdef", 16);
	ctnl_fake_sys_drop(e->f, 5);
	meminfo(e, mem);
	assert_int_equal(mem[SK_MEMINFO_DROPS], 5);
	assert_int_equal(mem[SK_MEMINFO_RMEM_ALLOC], 16);
	/* A shorter array gets what fits. */
	assert_int_equal(e->ops->getsockopt(e->ctx, e->fd, SOL_SOCKET,
					    SO_MEMINFO, small, &len), 0);
	assert_int_equal(len, sizeof(small));
	assert_int_equal(small[SK_MEMINFO_RCVBUF], 212992);

	assert_int_equal(e->ops->poll(e->ctx, &pfd, 1, 0), 1);
	assert_int_equal(pfd.revents, POLLERR);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 -ENOBUFS);
	/* Congested: the next drops only count, until a receive empties the
	 * queue; then a drop says ENOBUFS again. */
	ctnl_fake_sys_queue_raw(e->f, 0, 1, "0123456789abcdef", 16);
	ctnl_fake_sys_drop(e->f, 3);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 16);
	ctnl_fake_sys_drop(e->f, 1);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 16);
	meminfo(e, mem);
	assert_int_equal(mem[SK_MEMINFO_DROPS], 9);
	assert_int_equal(mem[SK_MEMINFO_RMEM_ALLOC], 0);
	ctnl_fake_sys_drop(e->f, 2);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 -ENOBUFS);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 -EAGAIN);

	assert_int_equal(e->ops->setsockopt(e->ctx, e->fd, SOL_NETLINK,
					    NETLINK_NO_ENOBUFS, &one,
					    sizeof(one)), 0);
	ctnl_fake_sys_drop(e->f, 2);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 -EAGAIN);
	meminfo(e, mem);
	assert_int_equal(mem[SK_MEMINFO_DROPS], 13);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return CTNL_CB_OK;
}

/*
 * A length of 2 GiB or more must not send the fakes' walk through messages
 * out of the buffer (libmnl 1.0.4's mnl_nlmsg_ok() lets it through): they
 * stamp, answer and hand over whole messages only, and leave the rest for
 * the code under test to refuse.
 */
static void test_fakes_walk_whole_messages_only(void **state)
{
	struct env *e = *state;
	uint8_t data[64];
	struct nlmsghdr *a = put_msg(data, 16, NLM_F_MULTI, 4);
	struct nlmsghdr *b = put_msg(data + 20, 16, NLM_F_MULTI, 4);
	struct ctnl_fake_sock *fs;
	struct ctnl_sock *sock;
	unsigned int seen = 0;
	int calls = 0;

	b->nlmsg_len = 0xfffff000u;
	b->nlmsg_seq = 7777;
	ctnl_fake_sys_queue(e->f, data, 40);
	ctnl_fake_sys_set_responder(e->f, count_responder, &seen);
	a->nlmsg_seq = 40;
	assert_int_equal(send_buf(e, data, 40), 40);
	assert_int_equal(seen, 1);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 40);
	assert_int_equal(((struct nlmsghdr *)e->buf)->nlmsg_seq, 40);
	assert_int_equal(((struct nlmsghdr *)(e->buf + 20))->nlmsg_seq, 7777);

	assert_int_equal(ctnl_fake_sock_new(&fs), 0);
	sock = ctnl_fake_sock_sock(fs);
	ctnl_fake_sock_reply(fs, data, 40, 0, NULL);
	assert_int_equal(ctnl_sock_request(sock, a, count_cb, &calls), 0);
	assert_int_equal(calls, 1);
	ctnl_fake_sock_queue_event(fs, data, 40);
	calls = 0;
	assert_int_equal(ctnl_sock_receive(sock, count_cb, &calls), 1);
	assert_int_equal(calls, 1);
	ctnl_fake_sock_free(fs);
}

/* Answers each message with one datagram of its own sequence number. */
static void echo_responder(struct ctnl_fake_sys *f, unsigned int index,
			   const struct nlmsghdr *req, void *data)
{
	_Alignas(8) uint8_t buf[32];

	(void)index;
	(void)data;
	ctnl_fake_sys_queue(f, put_msg(buf, 16, NLM_F_MULTI, 4),
			    NLMSG_LENGTH(4));
	(void)req;
}

/* Two sockets: what the responder queues answers the socket that asked,
 * stamped against that socket's last request, and waits while the other
 * reads its own; what the test queues goes to the first reader. */
static void test_fake_replies_go_to_the_socket_that_asked(void **state)
{
	struct env *e = *state;
	_Alignas(8) uint8_t req[32];
	struct nlmsghdr *nlh = put_msg(req, 16, NLM_F_REQUEST, 4);
	int a = e->fd, b = e->ops->socket(e->ctx, AF_NETLINK, SOCK_RAW, 12);
	struct pollfd pfd[2] = { { .fd = a, .events = POLLIN },
				 { .fd = b, .events = POLLIN } };

	ctnl_fake_sys_set_responder(e->f, echo_responder, NULL);
	nlh->nlmsg_seq = 10;
	assert_int_equal(send_buf(e, req, nlh->nlmsg_len), nlh->nlmsg_len);
	e->fd = b;
	nlh->nlmsg_seq = 20;
	assert_int_equal(send_buf(e, req, nlh->nlmsg_len), nlh->nlmsg_len);
	ctnl_fake_sys_set_responder(e->f, NULL, NULL);
	assert_int_equal(ctnl_fake_sys_queued(e->f), 2);
	assert_int_equal(e->ops->poll(e->ctx, pfd, 2, 0), 2);

	/* b reads its reply, past a's, which stays. */
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 NLMSG_LENGTH(4));
	assert_int_equal(((struct nlmsghdr *)e->buf)->nlmsg_seq, 20);
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), MSG_DONTWAIT,
				  NULL, NULL), -EAGAIN);
	assert_int_equal(e->ops->poll(e->ctx, pfd, 2, 0), 1);
	assert_int_equal(pfd[1].revents, 0);
	e->fd = a;
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 NLMSG_LENGTH(4));
	assert_int_equal(((struct nlmsghdr *)e->buf)->nlmsg_seq, 10);

	/* Queued by the test: for any socket. */
	ctnl_fake_sys_queue(e->f, req, nlh->nlmsg_len);
	e->fd = b;
	assert_int_equal(recv_buf(e, e->buf, sizeof(e->buf), 0, NULL, NULL),
			 nlh->nlmsg_len);
	assert_int_equal(ctnl_fake_sys_queued(e->f), 0);
	assert_int_equal(e->ops->close(e->ctx, b), 0);
}

/* SIOCGSKNS: a new descriptor for the namespace a socket was made in. */
static void test_fake_ioctl_names_a_socket_namespace(void **state)
{
	struct env *e = *state;
	int blue, self, sock, ns;

	self = e->ops->open(e->ctx, "/proc/thread-self/ns/net", O_RDONLY);
	blue = e->ops->open(e->ctx, "/run/netns/blue", O_RDONLY);
	assert_int_equal(e->ops->setns(e->ctx, blue, CLONE_NEWNET), 0);
	sock = e->ops->socket(e->ctx, AF_NETLINK, SOCK_RAW, 12);
	assert_int_equal(e->ops->setns(e->ctx, self, CLONE_NEWNET), 0);
	ns = e->ops->ioctl(e->ctx, sock, SIOCGSKNS, NULL);
	assert_true(ns >= 0);
	assert_int_equal(ctnl_fake_sys_calls(e->f, CTNL_FAKE_IOCTL), 1);
	assert_int_equal(e->ops->setns(e->ctx, ns, CLONE_NEWNET), 0);
	assert_string_equal(ctnl_fake_sys_netns(e->f), "/run/netns/blue");
	assert_int_equal(e->ops->ioctl(e->ctx, ns, SIOCGSKNS, NULL), -ENOTTY);
	assert_int_equal(e->ops->ioctl(e->ctx, sock, SIOCGIFINDEX, NULL),
			 -ENOTTY);
	assert_int_equal(e->ops->ioctl(e->ctx, 7, SIOCGSKNS, NULL), -EBADF);
	ctnl_fake_sys_fail(e->f, CTNL_FAKE_IOCTL, 5, -EPERM);
	assert_int_equal(e->ops->ioctl(e->ctx, sock, SIOCGSKNS, NULL), -EPERM);
	for (int fd = self; fd <= ns; fd++)
		e->ops->close(e->ctx, fd);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fake_stamps_replies_at_receive_time),
		T(test_fake_builds_acks_and_done),
		T(test_fake_raw_datagram_keeps_bytes_and_sender),
		T(test_fake_truncates_and_peeks_like_the_kernel),
		T(test_fake_queued_errno_is_returned_once),
		T(test_fake_fails_the_nth_call),
		T(test_fake_short_send),
		T(test_fake_tracks_descriptors),
		T(test_fake_runs_out_of_descriptors),
		T(test_fake_follows_network_namespaces),
		T(test_fake_socket_options),
		T(test_fake_poll_and_getsockname),
		T(test_fake_responder_sees_each_message),
		T(test_fake_gathers_iovecs_and_scatters_replies),
		T(test_fake_socket_filter_drops_on_receive),
		T(test_fake_drops_count_and_report),
		T(test_fakes_walk_whole_messages_only),
		T(test_fake_replies_go_to_the_socket_that_asked),
		T(test_fake_ioctl_names_a_socket_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
