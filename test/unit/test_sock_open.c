/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Opening and closing the socket handle: socket options, network
 * namespaces, configuration checks, and the failure of every system call
 * on the way, with nothing left open and nothing leaked.
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sock_fixture.h"

struct opened {
	size_t heap_before;
	struct ctnl_fake_sys *fake;
	struct ctnl_sock *sock;
};

static void open_with(struct opened *o, const struct ctnl_sock_config *cfg,
		      int expect)
{
	o->heap_before = heap_in_use();
	assert_int_equal(ctnl_fake_sys_new(&o->fake), 0);
	o->sock = NULL;
	assert_int_equal(ctnl_sock_open(ctnl_fake_sys_syscalls(o->fake), cfg,
					&o->sock), expect);
	if (expect < 0)
		assert_null(o->sock);
}

static void close_and_check(struct opened *o)
{
	ctnl_sock_close(o->sock);
	fake_sys_free_checked(o->fake);
	assert_int_equal(heap_in_use(), o->heap_before);
}

static int sockopt(struct opened *o, int level, int name)
{
	int val = -1;

	if (ctnl_fake_sys_sockopt(o->fake, level, name, &val) < 0)
		return -1;
	return val;
}

static void test_open_defaults(void **state)
{
	struct opened o;
	struct nl_sock *s;

	(void)state;
	open_with(&o, NULL, 0);
	s = o.sock->ctx;
	assert_int_equal(ctnl_fake_sys_socket_type(o.fake),
			 SOCK_RAW | SOCK_CLOEXEC);
	assert_int_equal(ctnl_fake_sys_calls(o.fake, CTNL_FAKE_BIND), 1);
	assert_int_equal(s->portid, CTNL_FAKE_PORTID);
	assert_int_equal(sockopt(&o, SOL_NETLINK, NETLINK_EXT_ACK), 1);
	assert_int_equal(sockopt(&o, SOL_NETLINK, NETLINK_CAP_ACK), 1);
	assert_int_equal(sockopt(&o, SOL_NETLINK, NETLINK_NO_ENOBUFS), -1);
	assert_int_equal(sockopt(&o, SOL_NETLINK, NETLINK_BROADCAST_ERROR),
			 -1);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_RCVBUFFORCE), -1);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_RCVBUF), -1);
	assert_int_equal(s->bufsize, CTNL_SOCK_BUFSIZE);
	assert_int_equal(ctnl_sock_fd(o.sock), 100);
	assert_int_equal(ctnl_fake_sys_open_fds(o.fake), 1);
	assert_null(ctnl_sock_error_msg(o.sock));
	/* Never entered another namespace. */
	assert_int_equal(ctnl_fake_sys_calls(o.fake, CTNL_FAKE_SETNS), 0);
	close_and_check(&o);
}

/* Batches hold no more requests per datagram than the receive queue can
 * hold error reports for, twice over; and no more bytes than sendmsg
 * accepts. */
static void test_open_sizes_batches_from_real_queue_sizes(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.rcvbuf = 1 << 20,
					.sndbuf = 1 << 19 };
	struct opened o;
	struct nl_sock *s;

	(void)state;
	open_with(&o, NULL, 0);
	s = o.sock->ctx;
	assert_int_equal(s->batch_msgs, 212992 / 2048);
	assert_int_equal(s->batch_bytes, 212992 - 32);
	close_and_check(&o);

	open_with(&o, &cfg, 0);
	s = o.sock->ctx;
	/* The fake doubles what is set, as the kernel does. */
	assert_int_equal(s->batch_msgs, (2 << 20) / 2048);
	assert_int_equal(s->batch_bytes, (2 << 19) - 32);
	close_and_check(&o);
}

static void test_open_nonblock_and_reliability_flags(void **state)
{
	struct ctnl_sock_config cfg = {
		.size = sizeof(cfg),
		.flags = CTNL_SOCK_NONBLOCK | CTNL_SOCK_NO_ENOBUFS |
			 CTNL_SOCK_BROADCAST_ERROR,
	};
	struct opened o;

	(void)state;
	open_with(&o, &cfg, 0);
	assert_int_equal(ctnl_fake_sys_socket_type(o.fake),
			 SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK);
	assert_int_equal(sockopt(&o, SOL_NETLINK, NETLINK_NO_ENOBUFS), 1);
	assert_int_equal(sockopt(&o, SOL_NETLINK, NETLINK_BROADCAST_ERROR),
			 1);
	close_and_check(&o);
}

static void test_open_sets_queue_sizes_with_force(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.rcvbuf = 4 << 20,
					.sndbuf = 1 << 20 };
	struct opened o;

	(void)state;
	open_with(&o, &cfg, 0);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_RCVBUFFORCE), 4 << 20);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_SNDBUFFORCE), 1 << 20);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_RCVBUF), -1);
	close_and_check(&o);
}

/* Unprivileged, the FORCE options fail with EPERM: the plain ones are
 * used instead. */
static void test_open_falls_back_to_plain_queue_sizes(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.rcvbuf = 4 << 20,
					.sndbuf = 1 << 20 };
	struct opened o;

	(void)state;
	o.heap_before = heap_in_use();
	assert_int_equal(ctnl_fake_sys_new(&o.fake), 0);
	/* setsockopt #1, #2: EXT_ACK, CAP_ACK; #3: RCVBUFFORCE; #4: RCVBUF;
	 * #5: SNDBUFFORCE; #6: SNDBUF. */
	ctnl_fake_sys_fail(o.fake, CTNL_FAKE_SETSOCKOPT, 3, -EPERM);
	ctnl_fake_sys_fail(o.fake, CTNL_FAKE_SETSOCKOPT, 5, -EPERM);
	assert_int_equal(ctnl_sock_open(ctnl_fake_sys_syscalls(o.fake), &cfg,
					&o.sock), 0);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_RCVBUF), 4 << 20);
	assert_int_equal(sockopt(&o, SOL_SOCKET, SO_SNDBUF), 1 << 20);
	close_and_check(&o);
}

/* Kernels before 4.12 lack extended ACKs: that is not an error. */
static void test_open_tolerates_missing_ext_ack(void **state)
{
	struct opened o;

	(void)state;
	o.heap_before = heap_in_use();
	assert_int_equal(ctnl_fake_sys_new(&o.fake), 0);
	ctnl_fake_sys_fail(o.fake, CTNL_FAKE_SETSOCKOPT, 1, -ENOPROTOOPT);
	ctnl_fake_sys_fail(o.fake, CTNL_FAKE_SETSOCKOPT, 2, -ENOPROTOOPT);
	assert_int_equal(ctnl_sock_open(ctnl_fake_sys_syscalls(o.fake), NULL,
					&o.sock), 0);
	close_and_check(&o);
}

static void test_open_in_netns_by_path_returns_thread_home(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.netns_path = "/run/netns/blue" };
	struct opened o;

	(void)state;
	open_with(&o, &cfg, 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(o.fake),
			    "/run/netns/blue");
	assert_string_equal(ctnl_fake_sys_netns(o.fake), "");
	assert_int_equal(ctnl_fake_sys_calls(o.fake, CTNL_FAKE_SETNS), 2);
	/* Both namespace files were closed again: only the socket is open. */
	assert_int_equal(ctnl_fake_sys_open_fds(o.fake), 1);
	close_and_check(&o);
}

static void test_open_in_netns_by_fd_leaves_callers_fd_open(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.flags = CTNL_SOCK_NETNS_FD };
	const struct ctnl_syscalls *sys;
	struct opened o;
	size_t before = heap_in_use();

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&o.fake), 0);
	sys = ctnl_fake_sys_syscalls(o.fake);
	cfg.netns_fd = sys->ops->open(sys->ctx, "/proc/4242/ns/net", O_RDONLY);
	assert_true(cfg.netns_fd >= 0);
	assert_int_equal(ctnl_sock_open(sys, &cfg, &o.sock), 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(o.fake),
			    "/proc/4242/ns/net");
	assert_string_equal(ctnl_fake_sys_netns(o.fake), "");
	assert_int_equal(ctnl_fake_sys_open_fds(o.fake), 2);
	sys->ops->close(sys->ctx, cfg.netns_fd);
	o.heap_before = before;
	close_and_check(&o);
}

/* A name, as `ip netns` gives it, is its file under /run/netns. */
static void test_open_in_netns_by_name_opens_run_netns_file(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.netns_name = "blue" };
	struct opened o;

	(void)state;
	open_with(&o, &cfg, 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(o.fake),
			    "/run/netns/blue");
	assert_string_equal(ctnl_fake_sys_netns(o.fake), "");
	assert_int_equal(ctnl_fake_sys_open_fds(o.fake), 1);
	close_and_check(&o);

	/* A caller whose struct ends before netns_name: no name. */
	cfg.size = offsetof(struct ctnl_sock_config, netns_name);
	open_with(&o, &cfg, 0);
	assert_string_equal(ctnl_fake_sys_socket_netns(o.fake), "");
	close_and_check(&o);
}

static void test_open_refuses_bad_netns_names(void **state)
{
	static char long_name[NAME_MAX + 2];
	const char *bad[] = { "", ".", "..", "a/b", long_name };
	struct ctnl_sock_config cfg;
	struct opened o;

	(void)state;
	memset(long_name, 'n', NAME_MAX + 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = (struct ctnl_sock_config){ .size = sizeof(cfg),
						 .netns_name = bad[i] };
		open_with(&o, &cfg, -EINVAL);
		assert_int_equal(ctnl_fake_sys_total_calls(o.fake), 0);
		close_and_check(&o);
	}
	/* One namespace at most. */
	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg),
					 .netns_name = "blue",
					 .netns_path = "/run/netns/red" };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);
	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg),
					 .netns_name = "blue",
					 .flags = CTNL_SOCK_NETNS_FD,
					 .netns_fd = 3 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);
	/* The longest name there can be is fine. */
	long_name[NAME_MAX] = '\0';
	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg),
					 .netns_name = long_name };
	open_with(&o, &cfg, 0);
	assert_int_equal(strlen(ctnl_fake_sys_socket_netns(o.fake)),
			 strlen("/run/netns/") + NAME_MAX);
	close_and_check(&o);
}

static void test_open_refuses_bad_config(void **state)
{
	struct ctnl_sock_config cfg;
	struct opened o;
	struct {
		struct ctnl_sock_config cfg;
		int future_field;
	} newer = { .cfg = { .size = sizeof(newer) } };

	(void)state;
	cfg = (struct ctnl_sock_config){ .size = 0 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg), .flags = 1u << 9 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg), .rcvbuf = -1 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg), .sndbuf = -1 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg), .bufsize = 8 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg),
					 .flags = CTNL_SOCK_NETNS_FD,
					 .netns_fd = -1 };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	cfg = (struct ctnl_sock_config){ .size = sizeof(cfg),
					 .flags = CTNL_SOCK_NETNS_FD,
					 .netns_fd = 3,
					 .netns_path = "/run/netns/x" };
	open_with(&o, &cfg, -EINVAL);
	close_and_check(&o);

	/* A caller built against a newer header, using a field we lack. */
	newer.future_field = 1;
	open_with(&o, &newer.cfg, -EINVAL);
	close_and_check(&o);
	/* ... or not using it: fine. */
	newer.future_field = 0;
	open_with(&o, &newer.cfg, 0);
	close_and_check(&o);

	assert_int_equal(ctnl_sock_open(NULL, NULL, NULL), -EINVAL);
}

/* A caller built against an older, shorter config gets defaults for the
 * fields it does not have. */
static void test_open_accepts_older_shorter_config(void **state)
{
	struct ctnl_sock_config cfg = {
		.size = offsetof(struct ctnl_sock_config, sndbuf),
		.flags = CTNL_SOCK_NONBLOCK,
		.sndbuf = -1,		/* beyond .size: never read */
		.bufsize = 1,
	};
	struct opened o;

	(void)state;
	open_with(&o, &cfg, 0);
	assert_int_equal(ctnl_fake_sys_socket_type(o.fake),
			 SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK);
	assert_int_equal(((struct nl_sock *)o.sock->ctx)->bufsize,
			 CTNL_SOCK_BUFSIZE);
	close_and_check(&o);
}

/* A syscall table with an empty slot makes that call fail with -ENOSYS;
 * one built against an older, shorter header lacks the newer slots (here
 * the namespace calls, the last ones) and still serves everything else. */
static void test_open_with_missing_syscall_slot_is_enosys(void **state)
{
	struct ctnl_sock_config in_netns = { .size = sizeof(in_netns),
					     .netns_path = "/run/netns/x" };
	struct ctnl_fake_sys *fake;
	struct ctnl_syscalls_ops ops;
	struct ctnl_syscalls sys;
	struct ctnl_sock *sock = NULL;

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&fake), 0);
	ops = *ctnl_fake_sys_syscalls(fake)->ops;
	sys = (struct ctnl_syscalls){ .ops = &ops,
				      .ctx = ctnl_fake_sys_syscalls(fake)->ctx };

	ops.bind = NULL;
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), -ENOSYS);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);

	ops = *ctnl_fake_sys_syscalls(fake)->ops;
	ops.size = offsetof(struct ctnl_syscalls_ops, open);
	assert_int_equal(ctnl_sock_open(&sys, &in_netns, &sock), -ENOSYS);
	assert_null(sock);
	assert_int_equal(ctnl_fake_sys_calls(fake, CTNL_FAKE_OPEN), 0);
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), 0);
	ctnl_sock_close(sock);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);

	sys.ops = NULL;
	sock = NULL;
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), -EINVAL);
	assert_null(sock);
	ctnl_fake_sys_free(fake);
}

/* getsockname() or getsockopt() answering nonsense is -EPROTO. */
static int bad_getsockname(void *ctx, int fd, struct sockaddr *addr,
			   socklen_t *len)
{
	(void)ctx;
	(void)fd;
	(void)addr;
	*len = 2;
	return 0;
}

static int bad_getsockopt(void *ctx, int fd, int level, int name, void *val,
			  socklen_t *len)
{
	(void)ctx;
	(void)fd;
	(void)level;
	(void)name;
	(void)val;
	*len = 1;
	return 0;
}

/* Queues of 0 bytes (nonsense) and of 1 byte (merely small). */
static int sized_answer(void *val, socklen_t *len, int size)
{
	memcpy(val, &size, sizeof(size));
	*len = sizeof(size);
	return 0;
}

static int zero_getsockopt(void *ctx, int fd, int level, int name, void *val,
			   socklen_t *len)
{
	(void)ctx;
	(void)fd;
	(void)level;
	(void)name;
	return sized_answer(val, len, 0);
}

static int one_getsockopt(void *ctx, int fd, int level, int name, void *val,
			  socklen_t *len)
{
	(void)ctx;
	(void)fd;
	(void)level;
	(void)name;
	return sized_answer(val, len, 1);
}

static void test_open_refuses_nonsense_from_the_kernel(void **state)
{
	struct ctnl_fake_sys *fake;
	struct ctnl_syscalls_ops ops;
	struct ctnl_syscalls sys;
	struct ctnl_sock *sock = NULL;

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&fake), 0);
	ops = *ctnl_fake_sys_syscalls(fake)->ops;
	sys = (struct ctnl_syscalls){ .ops = &ops,
				      .ctx = ctnl_fake_sys_syscalls(fake)->ctx };
	ops.getsockname = bad_getsockname;
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), -EPROTO);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);

	ops = *ctnl_fake_sys_syscalls(fake)->ops;
	ops.getsockopt = bad_getsockopt;
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), -EPROTO);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);
	assert_null(sock);

	/* A queue of 0 bytes is nonsense too; 1 byte is merely small: a
	 * batch then carries one request per datagram. */
	ops.getsockopt = zero_getsockopt;
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), -EPROTO);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);
	assert_null(sock);
	ops.getsockopt = one_getsockopt;
	assert_int_equal(ctnl_sock_open(&sys, NULL, &sock), 0);
	assert_int_equal(((struct nl_sock *)sock->ctx)->batch_msgs, 1);
	ctnl_sock_close(sock);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);
	ctnl_fake_sys_free(fake);
}

/*
 * Fails each system call of an open, one at a time, with errors each call
 * can really return, and checks that the open fails with that error,
 * leaves no descriptor open and no memory allocated, and returns the thread
 * to its namespace whenever it left it and the way back itself worked.
 */
static void sweep_open(const struct ctnl_sock_config *cfg)
{
	static const int errnos[] = { -ENOMEM, -EACCES, -EBADF, -EINVAL,
				      -ENOBUFS, -EMFILE };
	unsigned int calls;
	struct opened o;

	open_with(&o, cfg, 0);
	calls = ctnl_fake_sys_total_calls(o.fake);
	close_and_check(&o);
	assert_true(calls >= 8);

	for (unsigned int k = 1; k <= calls; k++) {
		for (size_t e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
			size_t before = heap_in_use();
			struct ctnl_fake_sys *fake;
			struct ctnl_sock *sock = NULL;
			int ret;

			assert_int_equal(ctnl_fake_sys_new(&fake), 0);
			ctnl_fake_sys_fail_any(fake, k, errnos[e]);
			ret = ctnl_sock_open(ctnl_fake_sys_syscalls(fake), cfg,
					     &sock);
			if (ret == 0) {
				/* Only close() may fail without failing the
				 * open: a namespace file's close. */
				assert_non_null(sock);
				ctnl_sock_close(sock);
			} else {
				assert_int_equal(ret, errnos[e]);
				assert_null(sock);
			}
			assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);
			assert_int_equal(ctnl_fake_sys_bad_closes(fake), 0);
			/* Only a failed way back strands the thread. */
			if (ctnl_fake_sys_last_failed(fake) != CTNL_FAKE_SETNS ||
			    ctnl_fake_sys_calls(fake, CTNL_FAKE_SETNS) != 2)
				assert_string_equal(ctnl_fake_sys_netns(fake),
						    "");
			ctnl_fake_sys_free(fake);
			assert_int_equal(heap_in_use(), before);
		}
	}
}

static void test_open_sweep_fails_every_call_cleanly(void **state)
{
	struct ctnl_sock_config cfg = {
		.size = sizeof(cfg),
		.flags = CTNL_SOCK_NO_ENOBUFS | CTNL_SOCK_BROADCAST_ERROR,
		.rcvbuf = 1 << 20,
		.sndbuf = 1 << 20,
	};

	(void)state;
	sweep_open(&cfg);
}

static void test_open_in_netns_sweep_fails_every_call_cleanly(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.netns_path = "/run/netns/blue" };

	(void)state;
	sweep_open(&cfg);
}

/* If the way back to the thread's own namespace fails, the socket is
 * closed and the error returned: the thread is then stranded, and says
 * so through the fake. */
static void test_open_in_netns_failing_return_is_reported(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg),
					.netns_path = "/run/netns/blue" };
	struct ctnl_fake_sys *fake;
	struct ctnl_sock *sock = NULL;

	(void)state;
	assert_int_equal(ctnl_fake_sys_new(&fake), 0);
	ctnl_fake_sys_fail(fake, CTNL_FAKE_SETNS, 2, -EPERM);
	assert_int_equal(ctnl_sock_open(ctnl_fake_sys_syscalls(fake), &cfg,
					&sock), -EPERM);
	assert_null(sock);
	assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);
	assert_string_equal(ctnl_fake_sys_netns(fake), "/run/netns/blue");
	ctnl_fake_sys_free(fake);
}

/* Each allocation of an open failing in turn: -ENOMEM, nothing left. */
static void test_open_out_of_memory_is_enomem(void **state)
{
	(void)state;
	if (!heap_fail_nth(0))
		skip();
	for (unsigned int n = 1; n <= 2; n++) {
		struct ctnl_fake_sys *fake;
		struct ctnl_sock *sock = NULL;
		size_t before;

		assert_int_equal(ctnl_fake_sys_new(&fake), 0);
		before = heap_in_use();
		heap_fail_nth(n);
		assert_int_equal(ctnl_sock_open(ctnl_fake_sys_syscalls(fake),
						NULL, &sock), -ENOMEM);
		heap_fail_nth(0);
		assert_null(sock);
		assert_int_equal(heap_in_use(), before);
		assert_int_equal(ctnl_fake_sys_open_fds(fake), 0);
		ctnl_fake_sys_free(fake);
	}
}

/* A receive queue too small for even two error reports still lets a batch
 * go, one request per datagram. */
static void test_open_tiny_receive_queue_batches_one_by_one(void **state)
{
	struct ctnl_sock_config cfg = { .size = sizeof(cfg), .rcvbuf = 256,
					.sndbuf = 8 };
	struct opened o;

	(void)state;
	open_with(&o, &cfg, 0);
	assert_int_equal(((struct nl_sock *)o.sock->ctx)->batch_msgs, 1);
	assert_int_equal(((struct nl_sock *)o.sock->ctx)->batch_bytes,
			 NLMSG_HDRLEN);
	close_and_check(&o);
}

static void test_close_accepts_null_and_fakes_without_destroy(void **state)
{
	static const struct ctnl_sock_ops empty = { .size = sizeof(empty) };
	struct ctnl_sock fake = { .ops = &empty, .ctx = NULL };

	(void)state;
	ctnl_sock_close(NULL);
	ctnl_sock_close(&fake);
}

/* A fake sock that implements nothing answers -ENOSYS everywhere; one
 * built against an older, shorter table too. NULL handles are -EINVAL. */
static void test_empty_interface_slots_answer_enosys(void **state)
{
	static const struct ctnl_sock_ops empty = { .size = sizeof(empty) };
	struct ctnl_sock_ops shorter = {
		.size = offsetof(struct ctnl_sock_ops, batch),
		.batch = (void *)abort,
	};
	struct ctnl_sock fake = { .ops = &empty, .ctx = NULL };
	struct ctnl_sock old = { .ops = &shorter, .ctx = NULL };
	_Alignas(8) uint8_t buf[64];
	int results[1];

	(void)state;
	assert_int_equal(ctnl_sock_request(&fake, put_msg(buf, 16, 0, 0),
					   NULL, NULL), -ENOSYS);
	assert_int_equal(ctnl_sock_batch(&fake, buf, 16, results, 1), -ENOSYS);
	assert_int_equal(ctnl_sock_batch(&old, buf, 16, results, 1), -ENOSYS);
	assert_int_equal(ctnl_sock_join(&fake, 1), -ENOSYS);
	assert_int_equal(ctnl_sock_leave(&fake, 1), -ENOSYS);
	assert_int_equal(ctnl_sock_fd(&fake), -ENOSYS);
	assert_int_equal(ctnl_sock_receive(&fake, record_cb, NULL), -ENOSYS);
	assert_int_equal(ctnl_sock_wait(&fake, 0), -ENOSYS);
	assert_null(ctnl_sock_error_msg(&fake));

	assert_int_equal(ctnl_sock_batch(NULL, buf, 16, results, 1), -EINVAL);
	assert_int_equal(ctnl_sock_join(NULL, 1), -EINVAL);
	assert_int_equal(ctnl_sock_leave(NULL, 1), -EINVAL);
	assert_int_equal(ctnl_sock_fd(NULL), -EINVAL);
	assert_int_equal(ctnl_sock_receive(NULL, record_cb, NULL), -EINVAL);
	assert_int_equal(ctnl_sock_receive(&fake, NULL, NULL), -EINVAL);
	assert_int_equal(ctnl_sock_wait(NULL, 0), -EINVAL);
	assert_null(ctnl_sock_error_msg(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_defaults),
		cmocka_unit_test(test_open_sizes_batches_from_real_queue_sizes),
		cmocka_unit_test(test_open_nonblock_and_reliability_flags),
		cmocka_unit_test(test_open_sets_queue_sizes_with_force),
		cmocka_unit_test(test_open_falls_back_to_plain_queue_sizes),
		cmocka_unit_test(test_open_tolerates_missing_ext_ack),
		cmocka_unit_test(test_open_in_netns_by_path_returns_thread_home),
		cmocka_unit_test(test_open_in_netns_by_fd_leaves_callers_fd_open),
		cmocka_unit_test(
			test_open_in_netns_by_name_opens_run_netns_file),
		cmocka_unit_test(test_open_refuses_bad_netns_names),
		cmocka_unit_test(test_open_refuses_bad_config),
		cmocka_unit_test(test_open_accepts_older_shorter_config),
		cmocka_unit_test(test_open_with_missing_syscall_slot_is_enosys),
		cmocka_unit_test(test_open_refuses_nonsense_from_the_kernel),
		cmocka_unit_test(test_open_sweep_fails_every_call_cleanly),
		cmocka_unit_test(test_open_in_netns_sweep_fails_every_call_cleanly),
		cmocka_unit_test(test_open_in_netns_failing_return_is_reported),
		cmocka_unit_test(test_open_out_of_memory_is_enomem),
		cmocka_unit_test(test_open_tiny_receive_queue_batches_one_by_one),
		cmocka_unit_test(test_close_accepts_null_and_fakes_without_destroy),
		cmocka_unit_test(test_empty_interface_slots_answer_enosys),
	};

	heap_select_tests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
