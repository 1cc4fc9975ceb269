/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "peer.h"

#define MAX_CONNS 64

static int sockaddr_of(int family, const char *addr, unsigned short port,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return addr && inet_pton(AF_INET, addr, &sin->sin_addr) != 1
			       ? -1 : 0;
	}
	struct sockaddr_in6 *sin6 = (void *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*len = sizeof(*sin6);
	return addr && inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1 ? -1
									: 0;
}

static int listener(int family, int type, unsigned short port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	fd = socket(family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	sockaddr_of(family, NULL, port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The peer: TCP and UDP echo servers, until killed. */
static void serve(int ready_fd)
{
	struct pollfd fds[4 + MAX_CONNS];
	nfds_t n = 4;
	char buf[2048];

	fds[0].fd = listener(AF_INET, SOCK_STREAM, PEER_TCP_PORT);
	fds[1].fd = listener(AF_INET6, SOCK_STREAM, PEER_TCP_PORT);
	fds[2].fd = listener(AF_INET, SOCK_DGRAM, PEER_UDP_PORT);
	fds[3].fd = listener(AF_INET6, SOCK_DGRAM, PEER_UDP_PORT);
	for (int i = 0; i < 4; i++)
		if (fds[i].fd < 0)
			_exit(1);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	for (;;) {
		for (nfds_t i = 0; i < n; i++)
			fds[i].events = POLLIN;
		if (poll(fds, n, -1) < 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			ssize_t got;

			if (!(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (i < 2) {
				int c = accept4(fds[i].fd, NULL, NULL,
						SOCK_CLOEXEC);

				if (c >= 0 && n < 4 + MAX_CONNS)
					fds[n++].fd = c;
				else if (c >= 0)
					close(c);
			} else if (i < 4) {
				got = recvfrom(fds[i].fd, buf, sizeof(buf), 0,
					       (struct sockaddr *)&from, &flen);
				if (got > 0)
					sendto(fds[i].fd, buf, (size_t)got, 0,
					       (struct sockaddr *)&from, flen);
			} else {
				got = read(fds[i].fd, buf, sizeof(buf));
				if (got > 0 && write(fds[i].fd, buf,
						     (size_t)got) < 0)
					got = 0;
				if (got <= 0) {
					close(fds[i].fd);
					fds[i--] = fds[--n];
				}
			}
		}
	}
}

static int read_byte(int fd, char want)
{
	char c;

	return read(fd, &c, 1) == 1 && c == want ? 0 : -1;
}

int peer_start(struct peer *p)
{
	int to_child[2], to_parent[2], ret;
	char c;

	if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(to_parent, O_CLOEXEC) < 0)
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0 || write(to_parent[1], "n", 1) != 1)
			_exit(1);
		/* Wait for the parent to plug the cable in. */
		if (read(to_child[0], &c, 1) != 1)
			_exit(1);
		serve(to_parent[1]);
	}
	ret = read_byte(to_parent[0], 'n');
	if (ret == 0)
		ret = test_run(
			"ip link add ctnl-v0 type veth peer name ctnl-v1 && "
			"ip link set ctnl-v1 netns %d && "
			"ip addr add " PEER_V4_LOCAL "/24 dev ctnl-v0 && "
			"ip -6 addr add " PEER_V6_LOCAL "/64 dev ctnl-v0 nodad && "
			"ip link set ctnl-v0 up && "
			"nsenter --net=/proc/%d/ns/net sh -c '"
			"ip link set lo up && "
			"ip addr add " PEER_V4 "/24 dev ctnl-v1 && "
			"ip -6 addr add " PEER_V6 "/64 dev ctnl-v1 nodad && "
			"ip link set ctnl-v1 up'",
			(int)p->pid, (int)p->pid);
	if (ret == 0 && write(to_child[1], "c", 1) != 1)
		ret = -1;
	if (ret == 0)
		ret = read_byte(to_parent[0], 'r');
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	if (ret != 0) {
		fprintf(stderr, "peer: could not set up the veth peer\n");
		peer_stop(p);
		return -1;
	}
	return 0;
}

void peer_stop(struct peer *p)
{
	int status;

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
		p->pid = 0;
	}
}

int conntrack_on_with_labels(void)
{
	return test_run(
		"nft -f - <<'EOF'\n"
		"table inet ctnl_test {\n"
		"  chain out {\n"
		"    type filter hook output priority 0;\n"
		"    ct state new,established counter\n"
		"    meta mark 0xdeadbeef ct label set 127\n"
		"  }\n"
		"}\n"
		"EOF\n") == 0 ? 0 : -1;
}

/* Waits for a reply that must come: for as long as a loaded machine
 * takes, within the test's deadline (test_deadline()), not for a fixed
 * time. */
static int wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret;

	do
		ret = poll(&pfd, 1, -1);
	while (ret < 0 && errno == EINTR);
	return ret == 1 ? 0 : -1;
}

static int bound_socket(int family, int type, unsigned short sport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sockaddr_of(family, NULL, sport, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tcp_open(int family, unsigned short sport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[8];
	int fd = bound_socket(family, SOCK_STREAM, sport);

	if (fd < 0)
		return -1;
	sockaddr_of(family, family == AF_INET ? PEER_V4 : PEER_V6,
		    PEER_TCP_PORT, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    write(fd, "hello", 5) != 5 || wait_readable(fd) < 0 ||
	    read(fd, buf, sizeof(buf)) != 5) {
		close(fd);
		return -1;
	}
	return fd;
}

int udp_exchange(int family, unsigned short sport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[8];
	int fd = bound_socket(family, SOCK_DGRAM, sport), ret = -1;

	if (fd < 0)
		return -1;
	sockaddr_of(family, family == AF_INET ? PEER_V4 : PEER_V6,
		    PEER_UDP_PORT, &ss, &len);
	if (sendto(fd, "ping", 4, 0, (struct sockaddr *)&ss, len) == 4 &&
	    wait_readable(fd) == 0 && recv(fd, buf, sizeof(buf), 0) == 4)
		ret = 0;
	close(fd);
	return ret;
}

static uint16_t inet_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

int icmp_echo(int family, unsigned short id)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint8_t pkt[64] = { 0 }, buf[256];
	bool v6 = family == AF_INET6;
	int fd, ret = -1;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC,
		    v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	pkt[4] = (uint8_t)(id >> 8);
	pkt[5] = (uint8_t)id;
	pkt[7] = 1;	/* sequence */
	if (!v6) {	/* the kernel checksums ICMPv6 for raw sockets */
		uint16_t sum = inet_checksum(pkt, 16);

		memcpy(pkt + 2, &sum, sizeof(sum));
	}
	sockaddr_of(family, v6 ? PEER_V6 : PEER_V4, 0, &ss, &len);
	if (sendto(fd, pkt, 16, 0, (struct sockaddr *)&ss, len) != 16)
		goto out;
	/* Raw sockets see every ICMP packet: wait for our echo reply. */
	while (wait_readable(fd) == 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		size_t off = v6 ? 0 : (size_t)(buf[0] & 0x0f) * 4;

		if (n < 0 || (size_t)n < off + 8)
			break;
		if (buf[off] == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) &&
		    buf[off + 4] == (uint8_t)(id >> 8) &&
		    buf[off + 5] == (uint8_t)id) {
			ret = 0;
			break;
		}
	}
out:
	close(fd);
	return ret;
}

/* The overlay's writable layers, in the test's own /run. */
#define ETC_LAYERS "/run/ctnl-etc"

int private_connlabel_conf(const char *content)
{
	FILE *f;

	/* /run is an empty tmpfs of this process's own mount namespace, so
	 * the overlay's layers live there and nothing is left behind. */
	if (test_private_mounts() < 0 || mkdir(ETC_LAYERS, 0755) < 0 ||
	    mkdir(ETC_LAYERS "/u", 0755) < 0 ||
	    mkdir(ETC_LAYERS "/w", 0755) < 0 ||
	    mount("overlay", "/etc", "overlay", 0,
		  "lowerdir=/etc,upperdir=" ETC_LAYERS "/u,workdir="
		  ETC_LAYERS "/w") < 0)
		return -1;
	mkdir("/etc/xtables", 0755);
	f = fopen("/etc/xtables/connlabel.conf", "w");
	if (!f)
		return -1;
	fputs(content, f);
	return fclose(f) == 0 ? 0 : -1;
}
