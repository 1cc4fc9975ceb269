/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libc backend: real system calls, errors as negative errno values.
 * Uses only what an unprivileged user may do.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <linux/filter.h>
#include <linux/netlink.h>

#include <ctnl/sys/syscalls.h>

static const struct ctnl_syscalls_ops *ops(void)
{
	return ctnl_syscalls_libc()->ops;
}

static void test_libc_table_fills_every_slot(void **state)
{
	const struct ctnl_syscalls *sys = ctnl_syscalls_libc();

	(void)state;
	assert_ptr_equal(sys, ctnl_syscalls_libc());
	assert_int_equal(sys->ops->size, sizeof(struct ctnl_syscalls_ops));
	assert_non_null(sys->ops->socket);
	assert_non_null(sys->ops->bind);
	assert_non_null(sys->ops->getsockname);
	assert_non_null(sys->ops->setsockopt);
	assert_non_null(sys->ops->getsockopt);
	assert_non_null(sys->ops->sendmsg);
	assert_non_null(sys->ops->recvmsg);
	assert_non_null(sys->ops->poll);
	assert_non_null(sys->ops->close);
	assert_non_null(sys->ops->open);
	assert_non_null(sys->ops->setns);
	assert_non_null(sys->ops->ioctl);
	assert_non_null(sys->ops->clock_gettime);
}

/*
 * The receive queue the kernel grants for a request of @val bytes: twice
 * that (the rest is its own bookkeeping), capped at twice rmem_max for a
 * plain SO_RCVBUF. The cap is read, not assumed (212992 by default).
 */
static int granted_rcvbuf(int val)
{
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");
	int max = val;

	if (f) {
		assert_int_equal(fscanf(f, "%d", &max), 1);
		fclose(f);
	}
	return 2 * (val < max ? val : max);
}

/* A route socket needs no privilege and behaves like any netlink socket. */
static void test_libc_netlink_socket_round_trip(void **state)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(addr);
	int fd, val = 8192, got = 0;
	socklen_t vlen = sizeof(got);
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd;

	(void)state;
	fd = ops()->socket(NULL, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			   NETLINK_ROUTE);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ops()->bind(NULL, fd, (struct sockaddr *)&addr,
				     sizeof(addr)), 0);
	assert_int_equal(ops()->getsockname(NULL, fd, (struct sockaddr *)&addr,
					    &len), 0);
	assert_int_equal(len, sizeof(addr));
	assert_true(addr.nl_pid != 0);
	assert_int_equal(ops()->setsockopt(NULL, fd, SOL_SOCKET, SO_RCVBUF,
					   &val, sizeof(val)), 0);
	assert_int_equal(ops()->getsockopt(NULL, fd, SOL_SOCKET, SO_RCVBUF,
					   &got, &vlen), 0);
	assert_int_equal(got, granted_rcvbuf(val));
	/* Nothing queued: a non-blocking receive says so as -EAGAIN. */
	assert_int_equal(ops()->recvmsg(NULL, fd, &msg, MSG_DONTWAIT),
			 -EAGAIN);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	assert_int_equal(ops()->poll(NULL, &pfd, 1, 0), 0);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

/*
 * A message to the kernel and its answer, by the byte: a NOOP asking for
 * an ACK is 16 bytes out; the ACK is 36 in (its header, the error code
 * and the NOOP's header echoed). Received into 16 bytes with MSG_TRUNC,
 * the answer says its real length and that it was cut.
 */
static void test_libc_sendmsg_and_recvmsg_count_bytes(void **state)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr req = { .nlmsg_len = NLMSG_HDRLEN,
				.nlmsg_type = NLMSG_NOOP,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				.nlmsg_seq = 1 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_name = &kernel,
			      .msg_namelen = sizeof(kernel),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	_Alignas(4) char buf[NLMSG_HDRLEN];
	int fd;

	(void)state;
	fd = ops()->socket(NULL, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			   NETLINK_ROUTE);
	assert_true(fd >= 0);
	assert_int_equal(ops()->sendmsg(NULL, fd, &msg, 0), NLMSG_HDRLEN);
	iov = (struct iovec){ buf, sizeof(buf) };
	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	assert_int_equal(ops()->recvmsg(NULL, fd, &msg, MSG_TRUNC),
			 NLMSG_HDRLEN + sizeof(struct nlmsgerr));
	assert_true(msg.msg_flags & MSG_TRUNC);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

/* A socket filter is a struct, not an int: its size goes to the kernel. */
static void test_libc_setsockopt_passes_the_option_size(void **state)
{
	struct sock_filter accept = { BPF_RET | BPF_K, 0, 0, UINT32_MAX };
	struct sock_fprog prog = { .len = 1, .filter = &accept };
	int fd;

	(void)state;
	fd = ops()->socket(NULL, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			   NETLINK_ROUTE);
	assert_true(fd >= 0);
	assert_int_equal(ops()->setsockopt(NULL, fd, SOL_SOCKET,
					   SO_ATTACH_FILTER, &prog,
					   sizeof(prog)), 0);
	assert_int_equal(ops()->setsockopt(NULL, fd, SOL_SOCKET,
					   SO_DETACH_FILTER, &fd, sizeof(fd)),
			 0);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

/* poll() waits as long as it is told to when nothing comes. */
static void test_libc_poll_waits_its_timeout(void **state)
{
	struct timespec t0, t1;
	struct pollfd pfd;
	long ms;
	int fd;

	(void)state;
	fd = ops()->socket(NULL, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			   NETLINK_ROUTE);
	assert_true(fd >= 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ops()->poll(NULL, &pfd, 1, 50), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 49);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

static void test_libc_errors_are_negative_errno(void **state)
{
	struct msghdr msg = { 0 };
	int val = 1;
	socklen_t len = sizeof(val);
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	socklen_t alen = sizeof(addr);
	struct timespec ts;

	(void)state;
	errno = 0;
	assert_int_equal(ops()->socket(NULL, -1, SOCK_RAW, 0), -EAFNOSUPPORT);
	assert_int_equal(ops()->bind(NULL, -1, (struct sockaddr *)&addr,
				     sizeof(addr)), -EBADF);
	assert_int_equal(ops()->getsockname(NULL, -1, (struct sockaddr *)&addr,
					    &alen), -EBADF);
	assert_int_equal(ops()->setsockopt(NULL, -1, SOL_SOCKET, SO_RCVBUF,
					   &val, sizeof(val)), -EBADF);
	assert_int_equal(ops()->getsockopt(NULL, -1, SOL_SOCKET, SO_RCVBUF,
					   &val, &len), -EBADF);
	assert_int_equal(ops()->sendmsg(NULL, -1, &msg, 0), -EBADF);
	assert_int_equal(ops()->recvmsg(NULL, -1, &msg, 0), -EBADF);
	assert_int_equal(ops()->poll(NULL, NULL, 0, 0), 0);
	assert_int_equal(ops()->close(NULL, -1), -EBADF);
	assert_int_equal(ops()->open(NULL, "/nonexistent/ctnl", O_RDONLY),
			 -ENOENT);
	assert_int_equal(ops()->setns(NULL, -1, CLONE_NEWNET), -EBADF);
	assert_int_equal(ops()->ioctl(NULL, -1, SIOCGSKNS, NULL), -EBADF);
	assert_int_equal(ops()->clock_gettime(NULL, (clockid_t)-99, &ts),
			 -EINVAL);
}

/* The monotonic clock goes forward. */
static void test_libc_clock_goes_forward(void **state)
{
	struct timespec a, b;

	(void)state;
	assert_int_equal(ops()->clock_gettime(NULL, CLOCK_MONOTONIC, &a), 0);
	assert_int_equal(ops()->clock_gettime(NULL, CLOCK_MONOTONIC, &b), 0);
	assert_true(b.tv_sec > a.tv_sec ||
		    (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
}

/* SIOCGSKNS: a socket's namespace, the one the process is in here. It
 * needs CAP_NET_ADMIN over that namespace; without it, -EPERM. */
static void test_libc_ioctl_names_a_socket_namespace(void **state)
{
	struct stat ours, got;
	int fd, ns;

	(void)state;
	fd = ops()->socket(NULL, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			   NETLINK_ROUTE);
	assert_true(fd >= 0);
	ns = ops()->ioctl(NULL, fd, SIOCGSKNS, NULL);
	if (ns == -EPERM) {
		assert_int_equal(ops()->close(NULL, fd), 0);
		return;
	}
	assert_true(ns >= 0);
	assert_int_equal(fstat(ns, &got), 0);
	assert_int_equal(stat("/proc/self/ns/net", &ours), 0);
	assert_true(got.st_ino == ours.st_ino && got.st_dev == ours.st_dev);
	assert_int_equal(ops()->close(NULL, ns), 0);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

static void test_libc_open_and_close_a_namespace_file(void **state)
{
	int fd;

	(void)state;
	fd = ops()->open(NULL, "/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

/* setns() is told the kind of namespace: one of another kind is refused
 * before any privilege is looked at. */
static void test_libc_setns_refuses_another_kind(void **state)
{
	int fd;

	(void)state;
	fd = ops()->open(NULL, "/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ops()->setns(NULL, fd, CLONE_NEWNET), -EINVAL);
	assert_int_equal(ops()->close(NULL, fd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libc_table_fills_every_slot),
		cmocka_unit_test(test_libc_netlink_socket_round_trip),
		cmocka_unit_test(test_libc_sendmsg_and_recvmsg_count_bytes),
		cmocka_unit_test(test_libc_setsockopt_passes_the_option_size),
		cmocka_unit_test(test_libc_poll_waits_its_timeout),
		cmocka_unit_test(test_libc_errors_are_negative_errno),
		cmocka_unit_test(test_libc_open_and_close_a_namespace_file),
		cmocka_unit_test(test_libc_ioctl_names_a_socket_namespace),
		cmocka_unit_test(test_libc_setns_refuses_another_kind),
		cmocka_unit_test(test_libc_clock_goes_forward),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
