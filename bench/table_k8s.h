/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A conntrack table shaped like a busy Kubernetes node's, for the agent
 * workloads (kube-proxy's reconcile, Calico's pod-churn delete). Like
 * common.h's table, entry i is a pure function of i, so every client and
 * the driver agree on it without reading the table, and a refill makes
 * exactly what a delete removed. IPv4 only (a single-stack cluster).
 *
 * The cluster: 1,000 services, ClusterIPs 10.96.0.1 on; a third are UDP
 * (service s with s % 3 == 0: port 53, target port 8053), the others TCP
 * (port 80 or 443, target port 8080 or 8443). Service s has 2 + s % 7
 * endpoints, pods in 10.244.1.0 - 10.244.32.255; every tenth service also
 * has a NodePort, 30000 + s, on the node's address 192.168.0.10. The node
 * runs 250 client pods, 10.244.0.1 - 10.244.0.250.
 *
 * Entry i is, by a hash of i:
 *   80 %  a client pod to a ClusterIP: DNAT to one of the service's
 *         endpoints (reply source = the endpoint, reply port = target);
 *   10 %  an outside client (172.16.0.0/16) to a NodePort: DNAT to an
 *         endpoint and SNAT to the node's address (masquerade);
 *   10 %  a client pod to the Internet (93.184.0.0/23): SNAT to the node's
 *         address; a third UDP (port 123), the rest TCP (443).
 * TCP entries are ESTABLISHED; every entry is SEEN_REPLY and ASSURED, with
 * a 4-hour timeout. The NAT is the kernel's own: entries are created with
 * CTA_NAT_DST / CTA_NAT_SRC, so their reply tuples and status bits are
 * those a packet through a DNAT rule would have made.
 *
 * Stale entries: the endpoints of 11 UDP services (s % 96 == 0; three of
 * them, s % 480 == 0, have a NodePort) were all replaced since the
 * entries were made (generation 1: 10.245.1.0 - 10.245.32.255), so each
 * of their UDP entries has a reply source that is no longer a serving
 * endpoint: about 1.2 % of the table (11,800 entries of 1,000,000).
 * Everything else points at a current endpoint.
 */
#ifndef CTNL_BENCH_TABLE_K8S_H
#define CTNL_BENCH_TABLE_K8S_H

#include <stdbool.h>
#include <stdint.h>

#define K8S_SERVICES 1000
#define K8S_MAX_ENDPOINTS 8
#define K8S_CLIENT_PODS 250
#define K8S_TIMEOUT 14400

/* Kinds of entries. */
enum k8s_kind {
	K8S_CLUSTER_IP,
	K8S_NODE_PORT,
	K8S_EXTERNAL,
};

struct k8s_service {
	uint8_t proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t vip;			/* ClusterIP, network byte order */
	uint16_t port;			/* host byte order */
	uint16_t target_port;
	uint16_t node_port;		/* 0: none */
	int endpoints;			/* how many */
	bool stale;			/* endpoints replaced since the
					 * entries were made */
};

/* Addresses and ports are in network byte order and host byte order
 * respectively, as the clients put them on the wire. */
struct k8s_entry {
	enum k8s_kind kind;
	uint8_t proto;
	uint32_t src, dst;		/* original direction */
	uint16_t sport, dport;
	uint32_t dnat_ip;		/* 0: no DNAT */
	uint16_t dnat_port;
	uint32_t snat_ip;		/* 0: no SNAT */
	int service;			/* -1: none */
	bool stale;			/* the reply source is not a serving
					 * endpoint of its UDP service */
};

void k8s_service(int s, struct k8s_service *svc);
/* Endpoint @j of service @s in @generation (0: when the entries were
 * made; the current one is 1 for stale services, 0 for the others). */
uint32_t k8s_endpoint(int s, int j, int generation);
void k8s_entry(uint32_t i, struct k8s_entry *e);

/* Entry counts of a table of @n entries. */
struct k8s_census {
	uint64_t entries, udp, tcp;
	uint64_t cluster_ip, node_port, external;
	uint64_t stale, stale_services, stale_node_ports;
};
void k8s_census(uint32_t n, struct k8s_census *c);

/* ---- Calico's pod churn: the K pod addresses that go ---- */

#define K8S_CALICO_MAX 128

/*
 * The address of the k-th pod removed (k < K8S_CALICO_MAX): client pods
 * of the node (sources of entries) and endpoints (reply sources) in turn.
 */
uint32_t k8s_calico_addr(int k);
/* Whether entry @e's original or reply source is among the first @k. */
bool k8s_calico_match(const struct k8s_entry *e, int k);

/* ---- What kube-proxy knows: services and their serving endpoints ---- */

/*
 * kube-proxy's view, built once from the services (the API server's
 * state): UDP service address:port and NodePort -> the serving endpoints.
 * Lookups are open-addressing hashes: the predicate costs a few compares.
 */
struct k8s_policy;

struct k8s_policy *k8s_policy_new(void);
void k8s_policy_free(struct k8s_policy *p);
/*
 * kube-proxy's rule for one entry: a UDP entry whose original destination
 * is a service address and port, or whose destination port is a NodePort,
 * and whose reply source is not one of that service's serving endpoints.
 * Addresses in network byte order, ports in host byte order.
 */
bool k8s_policy_stale(const struct k8s_policy *p, uint8_t proto,
		      uint32_t orig_dst, uint16_t orig_dport,
		      uint32_t reply_src);

/* The set of the first @k Calico addresses, for the same kind of lookup. */
struct k8s_addr_set;

struct k8s_addr_set *k8s_addr_set_new(int k);
void k8s_addr_set_free(struct k8s_addr_set *set);
bool k8s_addr_set_has(const struct k8s_addr_set *set, uint32_t addr);

#endif /* CTNL_BENCH_TABLE_K8S_H */
