/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "table_k8s.h"

#define NODE_IP 0xc0a8000au		/* 192.168.0.10 */
#define POD_NET 0x0af40000u		/* 10.244.0.0: the node's pods */
#define EXT_CLIENTS 0xac100000u	/* 172.16.0.0/16 */
#define INTERNET 0x5db80000u		/* 93.184.0.0/23 */
#define VIP_NET 0x0a600000u		/* 10.96.0.0/16 */

/* A 32-bit mixer (a finaliser of the murmur family): spreads entries
 * over kinds, services and endpoints with no pattern in i. */
static uint32_t mix(uint32_t x, uint32_t seed)
{
	x ^= seed * 0x9e3779b9u;
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

void k8s_service(int s, struct k8s_service *svc)
{
	memset(svc, 0, sizeof(*svc));
	svc->proto = s % 3 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	svc->vip = htonl(VIP_NET + (uint32_t)(s + 1));
	if (svc->proto == IPPROTO_UDP)
		svc->port = 53;
	else
		svc->port = s % 2 ? 443 : 80;
	svc->target_port = (uint16_t)(svc->port + 8000);
	svc->node_port = s % 10 == 0 ? (uint16_t)(30000 + s) : 0;
	svc->endpoints = 2 + s % 7;
	/* 11 services: enough stale entries to matter (issue 15 asks for
	 * 5,000-35,000 of 1,000,000), few enough that kube-proxy 1.32's
	 * filters x entries loop makes one pass in minutes, not an hour. */
	svc->stale = s % 96 == 0;
}

uint32_t k8s_endpoint(int s, int j, int generation)
{
	uint32_t k = (uint32_t)(s * K8S_MAX_ENDPOINTS + j);

	return htonl(((10u << 24) | ((244u + (uint32_t)generation) << 16)) +
		     ((1 + k / 250) << 8) + 1 + k % 250);
}

static uint32_t client_pod(uint32_t i)
{
	return htonl(POD_NET + 1 + i % K8S_CLIENT_PODS);
}

/* A client pod's source port: with the pod, unique per index. */
static uint16_t client_port(uint32_t i)
{
	return (uint16_t)(1024 + i / K8S_CLIENT_PODS);
}

static void service_entry(uint32_t i, int s, struct k8s_entry *e)
{
	struct k8s_service svc;

	k8s_service(s, &svc);
	e->service = s;
	e->proto = svc.proto;
	e->dnat_ip = k8s_endpoint(s, (int)(mix(i, 3) % (uint32_t)svc.endpoints),
				  0);
	e->dnat_port = svc.target_port;
	e->stale = svc.stale;
	if (e->kind == K8S_CLUSTER_IP) {
		e->src = client_pod(i);
		e->sport = client_port(i);
		e->dst = svc.vip;
		e->dport = svc.port;
	} else {
		/* The outside client and its port, unique per index. */
		e->src = htonl(EXT_CLIENTS + (i & 0xffff));
		e->sport = (uint16_t)(1024 + (i >> 16));
		e->dst = htonl(NODE_IP);
		e->dport = svc.node_port;
		e->snat_ip = htonl(NODE_IP);
	}
}

void k8s_entry(uint32_t i, struct k8s_entry *e)
{
	uint32_t kind = mix(i, 1) % 10;

	memset(e, 0, sizeof(*e));
	e->service = -1;
	if (kind < 8) {
		e->kind = K8S_CLUSTER_IP;
		service_entry(i, (int)(mix(i, 2) % K8S_SERVICES), e);
	} else if (kind == 8) {
		e->kind = K8S_NODE_PORT;
		service_entry(i, (int)(mix(i, 2) % (K8S_SERVICES / 10)) * 10,
			      e);
	} else {
		e->kind = K8S_EXTERNAL;
		e->src = client_pod(i);
		e->sport = client_port(i);
		e->dst = htonl(INTERNET + mix(i, 4) % 512);
		e->proto = mix(i, 5) % 3 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		e->dport = e->proto == IPPROTO_UDP ? 123 : 443;
		e->snat_ip = htonl(NODE_IP);
	}
	/* Only UDP services are reconciled; only theirs are stale. */
	e->stale = e->stale && e->proto == IPPROTO_UDP;
}

void k8s_census(uint32_t n, struct k8s_census *c)
{
	struct k8s_service svc;
	struct k8s_entry e;

	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < n; i++) {
		k8s_entry(i, &e);
		c->entries++;
		c->udp += e.proto == IPPROTO_UDP;
		c->tcp += e.proto == IPPROTO_TCP;
		c->cluster_ip += e.kind == K8S_CLUSTER_IP;
		c->node_port += e.kind == K8S_NODE_PORT;
		c->external += e.kind == K8S_EXTERNAL;
		c->stale += e.stale;
	}
	for (int s = 0; s < K8S_SERVICES; s++) {
		k8s_service(s, &svc);
		c->stale_services += svc.stale;
		c->stale_node_ports += svc.stale && svc.node_port;
	}
}

/* ---- Calico ---- */

uint32_t k8s_calico_addr(int k)
{
	uint32_t half = (uint32_t)k / 2;

	/* 7 and 13 are prime to 250 and 1,000: no address comes twice. */
	if (k % 2 == 0)
		return htonl(POD_NET + 1 + half * 7 % K8S_CLIENT_PODS);
	return k8s_endpoint((int)(half * 13 % K8S_SERVICES), 0, 0);
}

/* The reply source of an entry: the endpoint when DNATed, else the
 * original destination. */
static uint32_t reply_src(const struct k8s_entry *e)
{
	return e->dnat_ip ? e->dnat_ip : e->dst;
}

bool k8s_calico_match(const struct k8s_entry *e, int k)
{
	for (int j = 0; j < k; j++) {
		uint32_t a = k8s_calico_addr(j);

		if (e->src == a || reply_src(e) == a)
			return true;
	}
	return false;
}

/* ---- kube-proxy's view ---- */

#define POLICY_SLOTS 4096	/* a power of two, over 4 x the services */

struct k8s_policy {
	uint64_t keys[POLICY_SLOTS];	/* (address << 16 | port) + 1; 0: free */
	int16_t svc_of_slot[POLICY_SLOTS];
	int16_t svc_of_node_port[65536];	/* -1: none */
	uint32_t endpoints[K8S_SERVICES][K8S_MAX_ENDPOINTS];
	uint8_t nendpoints[K8S_SERVICES];
};

static uint32_t slot_of(uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 52) &
	       (POLICY_SLOTS - 1);
}

static void policy_add(struct k8s_policy *p, uint32_t addr, uint16_t port,
		       int s)
{
	uint64_t key = ((uint64_t)addr << 16 | port) + 1;
	uint32_t slot = slot_of(key);

	while (p->keys[slot] && p->keys[slot] != key)
		slot = (slot + 1) & (POLICY_SLOTS - 1);
	p->keys[slot] = key;
	p->svc_of_slot[slot] = (int16_t)s;
}

static int policy_service(const struct k8s_policy *p, uint32_t addr,
			  uint16_t port)
{
	uint64_t key = ((uint64_t)addr << 16 | port) + 1;
	uint32_t slot = slot_of(key);

	for (; p->keys[slot]; slot = (slot + 1) & (POLICY_SLOTS - 1))
		if (p->keys[slot] == key)
			return p->svc_of_slot[slot];
	return -1;
}

struct k8s_policy *k8s_policy_new(void)
{
	struct k8s_policy *p = calloc(1, sizeof(*p));
	struct k8s_service svc;

	if (!p)
		return NULL;
	memset(p->svc_of_node_port, 0xff, sizeof(p->svc_of_node_port));
	for (int s = 0; s < K8S_SERVICES; s++) {
		k8s_service(s, &svc);
		/* kube-proxy reconciles UDP services with endpoints only. */
		if (svc.proto != IPPROTO_UDP || svc.endpoints == 0)
			continue;
		for (int j = 0; j < svc.endpoints; j++)
			p->endpoints[s][j] = k8s_endpoint(s, j, svc.stale);
		p->nendpoints[s] = (uint8_t)svc.endpoints;
		policy_add(p, svc.vip, svc.port, s);
		if (svc.node_port)
			p->svc_of_node_port[svc.node_port] = (int16_t)s;
	}
	return p;
}

void k8s_policy_free(struct k8s_policy *p)
{
	free(p);
}

static bool serving(const struct k8s_policy *p, int s, uint32_t addr)
{
	for (int j = 0; j < p->nendpoints[s]; j++)
		if (p->endpoints[s][j] == addr)
			return true;
	return false;
}

bool k8s_policy_stale(const struct k8s_policy *p, uint8_t proto,
		      uint32_t orig_dst, uint16_t orig_dport,
		      uint32_t reply_src_addr)
{
	int s;

	if (proto != IPPROTO_UDP)
		return false;
	s = policy_service(p, orig_dst, orig_dport);
	if (s >= 0 && !serving(p, s, reply_src_addr))
		return true;
	s = p->svc_of_node_port[orig_dport];
	return s >= 0 && !serving(p, s, reply_src_addr);
}

/* ---- A set of addresses ---- */

#define SET_SLOTS 512		/* a power of two, over 4 x K8S_CALICO_MAX */

struct k8s_addr_set {
	uint32_t addrs[SET_SLOTS];	/* 0: free (no pod address is 0) */
};

static uint32_t addr_slot(uint32_t addr)
{
	return (addr * 0x9e3779b9u) >> 23;
}

struct k8s_addr_set *k8s_addr_set_new(int k)
{
	struct k8s_addr_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	for (int j = 0; j < k && j < K8S_CALICO_MAX; j++) {
		uint32_t a = k8s_calico_addr(j), slot = addr_slot(a);

		while (set->addrs[slot] && set->addrs[slot] != a)
			slot = (slot + 1) & (SET_SLOTS - 1);
		set->addrs[slot] = a;
	}
	return set;
}

void k8s_addr_set_free(struct k8s_addr_set *set)
{
	free(set);
}

bool k8s_addr_set_has(const struct k8s_addr_set *set, uint32_t addr)
{
	for (uint32_t slot = addr_slot(addr); set->addrs[slot];
	     slot = (slot + 1) & (SET_SLOTS - 1))
		if (set->addrs[slot] == addr)
			return true;
	return false;
}
