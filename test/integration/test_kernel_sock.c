/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The socket layer against the real kernel, in a private network
 * namespace: dumps, ACKs, kernel errors with their extended-ACK text,
 * batches far larger than the socket's queues, and a socket opened in
 * another namespace. `conntrack` (conntrack-tools) is the witness.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/sock.h>

#include "netns.h"

#define CT_TYPE(msg) ((NFNL_SUBSYS_CTNETLINK << 8) | (msg))
/* Room for any one request these tests build. */
#define MSG_ROOM 256

static struct nlmsghdr *put_ct_msg(void *buf, uint16_t msg, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = CT_TYPE(msg);
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

static void put_udp_tuple(struct nlmsghdr *nlh, uint16_t type, uint32_t src,
			  uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct nlattr *tuple, *ip, *proto;

	tuple = mnl_attr_nest_start(nlh, type);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(src));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(dst));
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
}

/* A UDP entry 10.0.0.1:sport -> 10.0.0.2:53 (reply tuple mirrored). */
static struct nlmsghdr *put_create(void *buf, uint16_t sport)
{
	struct nlmsghdr *nlh = put_ct_msg(buf, IPCTNL_MSG_CT_NEW,
					  NLM_F_CREATE | NLM_F_EXCL);

	put_udp_tuple(nlh, CTA_TUPLE_ORIG, 0x0a000001, 0x0a000002, sport, 53);
	put_udp_tuple(nlh, CTA_TUPLE_REPLY, 0x0a000002, 0x0a000001, 53, sport);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(300));
	return nlh;
}

static struct nlmsghdr *put_delete(void *buf, uint16_t sport)
{
	struct nlmsghdr *nlh = put_ct_msg(buf, IPCTNL_MSG_CT_DELETE, 0);

	put_udp_tuple(nlh, CTA_TUPLE_ORIG, 0x0a000001, 0x0a000002, sport, 53);
	return nlh;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	int *n = data;

	assert_int_equal(nlh->nlmsg_type, CT_TYPE(IPCTNL_MSG_CT_NEW));
	(*n)++;
	return CTNL_CB_OK;
}

static int dump_count(struct ctnl_sock *sock)
{
	_Alignas(8) uint8_t buf[64];
	int n = 0;

	assert_int_equal(ctnl_sock_request(sock, put_ct_msg(buf,
					   IPCTNL_MSG_CT_GET, NLM_F_DUMP),
					   count_cb, &n), 0);
	return n;
}

/* Entries `conntrack -L` sees in the current namespace. */
static int witness_count(void)
{
	char out[64];

	assert_int_equal(test_capture(out, sizeof(out),
				      "conntrack -C 2>/dev/null"), 0);
	return atoi(out);
}

static int setup(void **state)
{
	struct ctnl_sock *sock;

	test_deadline();
	assert_int_equal(test_run("conntrack -F 2>/dev/null"), 0);
	assert_int_equal(ctnl_sock_open(NULL, NULL, &sock), 0);
	*state = sock;
	return 0;
}

static int teardown(void **state)
{
	ctnl_sock_close(*state);
	return 0;
}

static void test_kernel_dump_of_empty_table_ends_cleanly(void **state)
{
	assert_int_equal(dump_count(*state), 0);
	assert_int_equal(witness_count(), 0);
}

static void test_kernel_dump_sees_entries_conntrack_made(void **state)
{
	assert_int_equal(test_run("for p in 1 2 3; do conntrack -I -p udp "
				  "-s 10.1.0.1 -d 10.1.0.2 --sport $p --dport 9 "
				  "-t 600 2>/dev/null || exit 1; done"), 0);
	assert_int_equal(dump_count(*state), 3);
	assert_int_equal(witness_count(), 3);
}

static void test_kernel_request_ack_and_errno(void **state)
{
	struct ctnl_sock *sock = *state;
	_Alignas(8) uint8_t buf[256];

	assert_int_equal(ctnl_sock_request(sock, put_create(buf, 1000), NULL,
					   NULL), 0);
	assert_int_equal(witness_count(), 1);
	assert_int_equal(ctnl_sock_request(sock, put_create(buf, 1000), NULL,
					   NULL), -EEXIST);
	assert_int_equal(ctnl_sock_request(sock, put_delete(buf, 1000), NULL,
					   NULL), 0);
	assert_int_equal(ctnl_sock_request(sock, put_delete(buf, 1000), NULL,
					   NULL), -ENOENT);
	assert_int_equal(witness_count(), 0);
}

/* A mark of two bytes fails the kernel's attribute policy, which the
 * kernel explains in an extended ACK. */
static void test_kernel_refusal_carries_extack_text(void **state)
{
	struct ctnl_sock *sock = *state;
	_Alignas(8) uint8_t buf[256];
	struct nlmsghdr *nlh = put_create(buf, 2000);
	uint16_t short_mark = 1;

	mnl_attr_put(nlh, CTA_MARK, sizeof(short_mark), &short_mark);
	assert_int_equal(ctnl_sock_request(sock, nlh, NULL, NULL), -ERANGE);
	assert_non_null(ctnl_sock_error_msg(sock));
	assert_non_null(strstr(ctnl_sock_error_msg(sock), "policy"));
	assert_int_equal(witness_count(), 0);
}

/*
 * 20,000 creates, then 20,000 deletes of which the second half do not
 * exist: far more failures than the default receive queue holds error
 * messages for, which is where `conntrack -U` stops with ENOBUFS. Every
 * result must still be known.
 */
#define BATCH_N 20000

static void test_kernel_batch_larger_than_queues(void **state)
{
	struct ctnl_sock *sock = *state;
	uint8_t *buf = malloc(BATCH_N * MSG_ROOM);
	int *results = calloc(BATCH_N, sizeof(*results));
	size_t len = 0;
	int ok;

	assert_non_null(buf);
	assert_non_null(results);
	for (int i = 0; i < BATCH_N; i++)
		len += NLMSG_ALIGN(put_create(buf + len,
					      (uint16_t)(10000 + i))->nlmsg_len);
	assert_int_equal(ctnl_sock_batch(sock, buf, len, results, BATCH_N),
			 BATCH_N);
	assert_int_equal(witness_count(), BATCH_N);
	assert_int_equal(dump_count(sock), BATCH_N);

	/* Delete the first half twice over: the second time, all fail. */
	len = 0;
	for (int i = 0; i < BATCH_N; i++)
		len += NLMSG_ALIGN(put_delete(buf + len, (uint16_t)(10000 +
					      i % (BATCH_N / 2)))->nlmsg_len);
	ok = ctnl_sock_batch(sock, buf, len, results, BATCH_N);
	assert_int_equal(ok, BATCH_N / 2);
	for (int i = 0; i < BATCH_N; i++)
		assert_int_equal(results[i], i < BATCH_N / 2 ? 0 : -ENOENT);
	assert_int_equal(witness_count(), BATCH_N / 2);
	free(buf);
	free(results);
}

/* A callback that stops early leaves the socket ready for more. */
static int stop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(int *)data;
	return CTNL_CB_STOP;
}

static void test_kernel_stopped_dump_leaves_socket_usable(void **state)
{
	struct ctnl_sock *sock = *state;
	uint8_t *buf = malloc(2000 * MSG_ROOM);
	int n = 0, results[2000];
	size_t len = 0;

	assert_non_null(buf);
	for (int i = 0; i < 2000; i++)
		len += NLMSG_ALIGN(put_create(buf + len,
					      (uint16_t)(3000 + i))->nlmsg_len);
	assert_int_equal(ctnl_sock_batch(sock, buf, len, results, 2000), 2000);
	assert_int_equal(ctnl_sock_request(sock, put_ct_msg(buf,
					   IPCTNL_MSG_CT_GET, NLM_F_DUMP),
					   stop_cb, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(dump_count(sock), 2000);
	free(buf);
}

/* A socket opened in another namespace sees that namespace's table and
 * leaves the thread where it was. */
static void test_kernel_socket_in_another_namespace(void **state)
{
	char path[64], self_before[64] = "", self_after[64] = "";
	struct ctnl_sock_config cfg = { .size = sizeof(cfg) };
	struct ctnl_sock *other;
	int pipefd[2], status, fd;
	char c;
	pid_t child;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* A namespace that lives as long as this child. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0 ||
		    system("conntrack -I -p udp -s 10.9.0.1 -d 10.9.0.2 "
			   "--sport 1 --dport 2 -t 600 2>/dev/null") != 0)
			_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);

	assert_true(readlink("/proc/thread-self/ns/net", self_before,
			     sizeof(self_before)) > 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)child);
	cfg.netns_path = path;
	assert_int_equal(ctnl_sock_open(NULL, &cfg, &other), 0);
	assert_int_equal(dump_count(other), 1);
	ctnl_sock_close(other);

	/* By descriptor too. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	cfg.netns_path = NULL;
	cfg.flags = CTNL_SOCK_NETNS_FD;
	cfg.netns_fd = fd;
	assert_int_equal(ctnl_sock_open(NULL, &cfg, &other), 0);
	assert_int_equal(dump_count(other), 1);
	ctnl_sock_close(other);
	close(fd);

	assert_true(readlink("/proc/thread-self/ns/net", self_after,
			     sizeof(self_after)) > 0);
	assert_string_equal(self_before, self_after);
	/* Our own table is untouched. */
	assert_int_equal(witness_count(), 0);

	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_kernel_dump_of_empty_table_ends_cleanly),
		T(test_kernel_dump_sees_entries_conntrack_made),
		T(test_kernel_request_ack_and_errno),
		T(test_kernel_refusal_carries_extack_text),
		T(test_kernel_batch_larger_than_queues),
		T(test_kernel_stopped_dump_leaves_socket_usable),
		T(test_kernel_socket_in_another_namespace),
	};

	test_enter_private_netns("test_kernel_sock");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
