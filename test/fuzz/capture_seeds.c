/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Captures the fuzzers' seed corpora from the running kernel, inside a
 * private network namespace (the host's table is never read or written).
 * Run as root:
 *
 *   build/test/fuzz/fuzz_capture_seeds test/fuzz/corpus
 *
 * It makes real traffic through a veth peer (TCP, UDP, ICMP over IPv4 and
 * IPv6), an FTP control connection that leaves an expectation behind, and
 * entries created over netlink (labels, marks, zones, SCTP state), then:
 *
 *  - for the reply fuzzer, runs each operation of fuzz_ops.h on a fresh
 *    handle over libc and writes what the kernel answered, datagram by
 *    datagram, as one input (corpus/reply/NAME): the header asking for
 *    the same operation, then one FUZZ_REC_KERNEL record per datagram
 *    with the port id changed to the fake's. A fresh handle numbers its
 *    requests from 1, over the kernel and over the fake alike, so the
 *    input replays the exchange exactly;
 *  - for the event fuzzer, writes each multicast datagram a subscribed
 *    socket received while all that happened (corpus/event/NAME), as an
 *    input subscribed to every event with that datagram queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>
#include <ctnl/sys/syscalls.h>

#include "fuzz_ops.h"
#include "netns.h"
#include "peer.h"

/* What the recording syscall table is doing with the datagrams it sees. */
struct recorder {
	FILE *out;		/* the input being written, or NULL */
	bool events;		/* one file per datagram, as received */
	const char *dir;
	unsigned int nevents;
};

static struct recorder rec;

static void die(const char *what)
{
	fprintf(stderr, "capture_seeds: %s failed\n", what);
	exit(1);
}

/* One input of the event fuzzer: subscribed to every event, no filter,
 * and the datagram as one FUZZ_EV_REC_EVENT record. */
static void write_event(const void *buf, size_t len)
{
	const uint8_t head[4] = { FUZZ_EV_EVENTS, 0, 0, 0 };
	const uint8_t record[3] = { FUZZ_EV_REC_EVENT, (uint8_t)len,
				    (uint8_t)(len >> 8) };
	char path[4096];
	FILE *f;

	if (len > UINT16_MAX)
		die("an event datagram over 64 KiB");
	snprintf(path, sizeof(path), "%s/event/captured-%02u", rec.dir,
		 rec.nevents++);
	f = fopen(path, "wb");
	if (!f || fwrite(head, 1, sizeof(head), f) != sizeof(head) ||
	    fwrite(record, 1, sizeof(record), f) != sizeof(record) ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

/* One FUZZ_REC_KERNEL record, addressed to the fake's port id. */
static void write_reply_record(const uint8_t *buf, size_t len)
{
	uint8_t copy[65535], head[3] = { FUZZ_REC_KERNEL, (uint8_t)len,
					 (uint8_t)(len >> 8) };
	size_t off = 0;

	if (len > sizeof(copy))
		die("a datagram over 64 KiB");
	memcpy(copy, buf, len);
	while (off + sizeof(struct nlmsghdr) <= len) {
		struct nlmsghdr *nlh = (void *)(copy + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		nlh->nlmsg_pid = CTNL_FAKE_PORTID;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	if (fwrite(head, 1, 3, rec.out) != 3 ||
	    fwrite(copy, 1, len, rec.out) != len)
		die("writing a seed");
}

/* recvmsg() of libc, keeping a copy of each datagram received. */
static ssize_t recording_recvmsg(void *ctx, int fd, struct msghdr *msg,
				 int flags)
{
	ssize_t n = ctnl_syscalls_libc()->ops->recvmsg(ctx, fd, msg, flags);
	size_t len;

	if (n <= 0 || (msg->msg_flags & MSG_TRUNC))
		return n;
	len = (size_t)n < msg->msg_iov[0].iov_len ? (size_t)n
						   : msg->msg_iov[0].iov_len;
	if (rec.events)
		write_event(msg->msg_iov[0].iov_base, len);
	else if (rec.out)
		write_reply_record(msg->msg_iov[0].iov_base, len);
	return n;
}

/* libc's table with recvmsg() recording; the libc slots ignore ctx. */
static struct ctnl_syscalls_ops recording_ops;
static const struct ctnl_syscalls recording = { .ops = &recording_ops };

/* Runs @op on a fresh handle and writes the kernel's answers as seed
 * corpus/reply/@name. */
static void capture(const char *name, uint8_t op, uint8_t cfg)
{
	struct ctnl_sock_config c = fuzz_sock_config(cfg);
	uint8_t head[2] = { op, cfg };
	struct ctnl_ct *ct;
	char path[4096];
	int ret, results[3];

	snprintf(path, sizeof(path), "%s/reply/%s", rec.dir, name);
	rec.out = fopen(path, "wb");
	if (!rec.out || fwrite(head, 1, 2, rec.out) != 2)
		die(path);
	if (ctnl_ct_open(&recording, &c, &ct) < 0)
		die("ctnl_ct_open");
	ret = fuzz_run_op(ct, op, cfg, results);
	ctnl_ct_close(ct);
	if (fclose(rec.out) != 0)
		die(path);
	rec.out = NULL;
	printf("reply/%-22s op %u cfg 0x%02x: %d (%s)\n", name, op, cfg, ret,
	       ret < 0 ? strerror(-ret) : "ok");
}

static void create(struct ctnl_ct *ct, const struct ctnl_flow *f,
		   const char *what)
{
	int ret = ctnl_ct_create(ct, f);

	if (ret < 0) {
		fprintf(stderr, "capture_seeds: creating %s: %s\n", what,
			strerror(-ret));
		exit(1);
	}
}

static struct ctnl_flow entry(const char *src, const char *dst,
			      uint8_t proto, uint16_t sport, uint16_t dport)
{
	return (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
		.orig = fuzz_tuple(src, dst, proto, sport, dport),
		.timeout = 300,
	};
}

/* Entries made over netlink, with what traffic on veth does not give. */
static void create_entries(struct ctnl_ct *ct)
{
	struct ctnl_flow f = fuzz_key(), keys[3];

	/* The key of FUZZ_GET and the batch: an assured TCP connection
	 * with a mark, labels and window scaling. */
	f.attrs |= CTNL_ATTR_TIMEOUT | CTNL_ATTR_STATUS | CTNL_ATTR_MARK |
		   CTNL_ATTR_LABELS | CTNL_ATTR_TCP_STATE |
		   CTNL_ATTR_TCP_WSCALE;
	f.timeout = 300;
	f.status = CTNL_STATUS_ASSURED | CTNL_STATUS_SEEN_REPLY;
	f.mark = 42;
	ctnl_labels_set(&f.labels, 5);
	f.tcp.state = CTNL_TCP_ESTABLISHED;
	f.tcp.wscale[0] = 7;
	f.tcp.wscale[1] = 9;
	create(ct, &f, "the TCP key");
	fuzz_batch_keys(keys);
	f = entry("192.0.2.1", "192.0.2.2", IPPROTO_UDP, 1111, 2222);
	f.orig = keys[1].orig;
	create(ct, &f, "the UDP key");

	/* Zones: one for both directions, and one for the original
	 * direction only (an entry has one zone). */
	f = entry("192.0.2.5", "192.0.2.6", IPPROTO_TCP, 5555, 6666);
	f.orig.zone = 7;
	create(ct, &f, "a zoned entry");
	f = entry("192.0.2.5", "192.0.2.6", IPPROTO_UDP, 5555, 6666);
	f.attrs |= CTNL_ATTR_REPLY;
	f.orig.zone = 3;
	f.reply = fuzz_tuple("192.0.2.6", "192.0.2.5", IPPROTO_UDP, 6666,
			     5555);
	create(ct, &f, "an entry with a directional zone");

	f = entry("2001:db8::1", "2001:db8::2", IPPROTO_SCTP, 7777, 8888);
	f.attrs |= CTNL_ATTR_SCTP_STATE | CTNL_ATTR_SCTP_VTAG;
	f.sctp.state = 4;	/* ESTABLISHED */
	f.sctp.vtag[0] = 0x11223344;
	f.sctp.vtag[1] = 0x55667788;
	create(ct, &f, "an SCTP entry");

	f = entry("2001:db8::1", "2001:db8::2", IPPROTO_ICMPV6, 0, 0);
	f.orig.icmp.type = 128;
	f.orig.icmp.id = 99;
	create(ct, &f, "an ICMPv6 entry");

}

/* An FTP control connection over loopback whose PORT command makes the
 * kernel's FTP helper expect a data connection. The helper parses only
 * what follows a line end it has seen in that direction, so a USER line
 * goes first, in a segment of its own. */
static void ftp_expectation(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(21) };
	static const char user[] = "USER anonymous\r\n";
	static const char port[] = "PORT 127,0,0,1,156,64\r\n";
	char buf[64];
	int l, c, s, one = 1;

	if (test_run("nft -f - <<'EOF'\n"
		     "table inet ctnl_ftp {\n"
		     "  ct helper ftp-std { type \"ftp\" protocol tcp; }\n"
		     "  chain out {\n"
		     "    type filter hook output priority 0;\n"
		     "    tcp dport 21 ct helper set \"ftp-std\"\n"
		     "  }\n"
		     "}\n"
		     "EOF\n") != 0)
		die("the FTP helper ruleset");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || c < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("the FTP connection");
	s = accept(l, NULL, NULL);
	if (s < 0 ||
	    write(c, user, sizeof(user) - 1) != (ssize_t)(sizeof(user) - 1) ||
	    read(s, buf, sizeof(buf)) != (ssize_t)(sizeof(user) - 1) ||
	    write(c, port, sizeof(port) - 1) != (ssize_t)(sizeof(port) - 1) ||
	    read(s, buf, sizeof(buf)) != (ssize_t)(sizeof(port) - 1))
		die("the FTP commands");
	close(s);
	close(c);
	close(l);
}

static int drop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return CTNL_CB_OK;
}

int main(int argc, char **argv)
{
	struct ctnl_sock_config evcfg = { .size = sizeof(evcfg),
					  .flags = CTNL_SOCK_NONBLOCK,
					  .rcvbuf = 4 << 20 };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 43 };
	struct ctnl_flow key = fuzz_key();
	struct ctnl_sock *events;
	struct ctnl_ct *ct;
	struct peer peer;
	int fds[2], ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	rec.dir = argv[1];
	recording_ops = *ctnl_syscalls_libc()->ops;
	recording_ops.recvmsg = recording_recvmsg;

	test_enter_private_netns("capture_seeds");
	if (conntrack_on_with_labels() < 0 ||
	    test_run("sysctl -qw net.netfilter.nf_conntrack_acct=1 "
		     "net.netfilter.nf_conntrack_timestamp=1") != 0)
		die("switching conntrack on");
	if (peer_start(&peer) < 0)
		die("starting the peer");

	/* Events of everything that follows. */
	if (ctnl_sock_open(&recording, &evcfg, &events) < 0)
		die("opening the event socket");
	for (unsigned int g = 1; g <= 5; g++)
		if (ctnl_sock_join(events, g) < 0)
			die("joining the event groups");

	fds[0] = tcp_open(AF_INET, 40001);
	fds[1] = tcp_open(AF_INET6, 40002);
	if (fds[0] < 0 || fds[1] < 0 || udp_exchange(AF_INET, 40003) < 0 ||
	    udp_exchange(AF_INET6, 40004) < 0 || icmp_echo(AF_INET, 77) < 0 ||
	    icmp_echo(AF_INET6, 78) < 0)
		die("traffic to the peer");
	ftp_expectation();
	if (ctnl_ct_open(NULL, NULL, &ct) < 0)
		die("ctnl_ct_open");
	create_entries(ct);
	if (ctnl_ct_update(ct, &key, &change) < 0)
		die("an update");

	capture("list-any", FUZZ_LIST, 0);
	capture("list-v4", FUZZ_LIST, 1 << FUZZ_CFG_FAMILY_SHIFT);
	capture("list-v6-nonblock", FUZZ_LIST,
		FUZZ_CFG_NONBLOCK | 2 << FUZZ_CFG_FAMILY_SHIFT);
	capture("list-filtered-v4", FUZZ_LIST_FILTERED,
		1 << FUZZ_CFG_FAMILY_SHIFT);
	capture("dump-stop-after-2", FUZZ_DUMP, 2 << FUZZ_CFG_STOP_SHIFT);
	capture("dump-fail-after-1", FUZZ_DUMP, 8 << FUZZ_CFG_STOP_SHIFT);
	capture("get", FUZZ_GET, 0);
	capture("list-expect", FUZZ_LIST_EXPECT, 0);
	capture("dump-expect", FUZZ_DUMP_EXPECT, 0);
	capture("create-labels", FUZZ_CREATE_LABELS, 0);
	capture("create-labels-eexist", FUZZ_CREATE_LABELS, 0);
	capture("batch-one-missing", FUZZ_BATCH, 0);

	if (ctnl_ct_delete(ct, &key) < 0 ||
	    ctnl_ct_flush(ct, CTNL_TABLE_EXPECT, 0) < 0)
		die("a delete");
	capture("get-enoent", FUZZ_GET, 0);
	capture("list-expect-empty", FUZZ_LIST_EXPECT, 0);

	/* The events of all that, one datagram per input. */
	rec.events = true;
	ret = ctnl_sock_receive(events, drop, NULL);
	while (ret > 0)
		ret = ctnl_sock_receive(events, drop, NULL);
	rec.events = false;
	if (ret < 0)
		die("receiving the events");
	printf("event/captured-*: %u datagrams\n", rec.nevents);
	ctnl_sock_close(events);

	/* A table that takes several datagrams to dump. */
	for (unsigned int i = 0; i < 300; i++) {
		struct ctnl_flow f = entry("198.51.100.1", "198.51.100.2",
					   IPPROTO_UDP, (uint16_t)(10000 + i),
					   53);

		create(ct, &f, "many entries");
	}
	capture("list-many-v4", FUZZ_LIST, 1 << FUZZ_CFG_FAMILY_SHIFT);

	ctnl_ct_close(ct);
	close(fds[0]);
	close(fds[1]);
	peer_stop(&peer);
	return 0;
}
