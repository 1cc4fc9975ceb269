/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Real traffic for kernel tests: a peer in a second network namespace,
 * joined to the test's own by a veth pair, answering TCP, UDP and ICMP.
 */
#ifndef CTNL_TEST_PEER_H
#define CTNL_TEST_PEER_H

#include <sys/types.h>

/* Addresses: the test's side is .1, the peer .2. */
#define PEER_V4_LOCAL "10.77.0.1"
#define PEER_V4 "10.77.0.2"
#define PEER_V6_LOCAL "fd77::1"
#define PEER_V6 "fd77::2"
#define PEER_TCP_PORT 8080
#define PEER_UDP_PORT 5353

struct peer {
	pid_t pid;		/* the peer process; its namespace dies with it */
};

/*
 * Starts the peer (a forked child in a new network namespace), links it to
 * the caller's namespace with a veth pair and addresses, and waits until
 * its servers listen. Returns 0 or -1 (after saying why on stderr).
 */
int peer_start(struct peer *p);
void peer_stop(struct peer *p);

/* Switches conntrack on in the caller's namespace with an nftables rule
 * that also uses labels (so entries get room for them). Returns 0 or -1. */
int conntrack_on_with_labels(void);

/* A TCP connection from local port @sport to the peer, one exchange, left
 * open (so ESTABLISHED): returns its descriptor, or -1. */
int tcp_open(int family, unsigned short sport);
/* One UDP datagram to the peer and its echo back. Returns 0 or -1. */
int udp_exchange(int family, unsigned short sport);
/* One ICMP or ICMPv6 echo to the peer and its reply, with @id. */
int icmp_echo(int family, unsigned short id);

/*
 * Gives this process a private view of /etc (an overlay in a mount
 * namespace of its own) and writes /etc/xtables/connlabel.conf there, so
 * `conntrack` can print labels by name without touching the host's /etc.
 * Returns 0 or -1.
 */
int private_connlabel_conf(const char *content);

#endif /* CTNL_TEST_PEER_H */
