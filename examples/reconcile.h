/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core of examples/reconcile_agent.c, apart from its main() so that
 * unit tests can drive it over the in-memory conntrack table
 * (<ctnl/mocks.h>): a kube-proxy-like policy, and an agent that follows
 * the table's events into a view of its own and deletes, in one pass,
 * what the policy says is stale.
 *
 * Every function returns 0 or a count, or a negative errno, as libctnl's.
 */
#ifndef CTNL_EXAMPLE_RECONCILE_H
#define CTNL_EXAMPLE_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctnl/ctnl.h>

/* ---- The policy: services and their endpoints ---- */

/* One service: UDP entries to vip:port, or to any address at nodeport,
 * must be answered by one of its endpoints (reply source). */
struct service {
	uint8_t family;
	union ctnl_addr vip;
	uint16_t port;
	uint16_t nodeport;			/* 0: none */
	struct ctnl_addr_set *endpoints;	/* owned */
};

struct policy {
	struct service *services;	/* sorted by family, vip, port */
	size_t count, cap;
	int32_t *by_nodeport;		/* 65536 indexes, -1: none; NULL
					 * while no service has one */
	unsigned int families;		/* bit 0: IPv4 services, bit 1: IPv6 */
};

void policy_init(struct policy *p);
void policy_free(struct policy *p);

/*
 * Adds the service a line describes:
 *
 *   udp VIP PORT [nodeport N] endpoints [ADDR...]
 *
 * (whitespace-separated; VIP and endpoints IPv4 or IPv6, of one family).
 * Errors: -EINVAL, with the reason in @err; -EEXIST (that VIP and port
 * twice); -ENOMEM. On error the policy is unchanged.
 */
int policy_add_line(struct policy *p, const char *line, char *err,
		    size_t errlen);

/*
 * Reads a policy file: one service per line as above, '#' comments and
 * blank lines. Errors: those of fopen(2) and policy_add_line() (with the
 * line number in @err); *@p is then unchanged.
 */
int policy_load(struct policy *p, const char *path, char *err, size_t errlen);

/* Whether @flow is stale: UDP to a service whose endpoints do not include
 * its reply source. */
bool policy_stale(const struct policy *p, const struct ctnl_flow *flow);

/* ---- The agent ---- */

struct agent_stats {
	uint64_t events;	/* kernel events applied to the view */
	uint64_t overflows;	/* loss reports */
	uint64_t lost;		/* events lost, as reported */
	uint64_t resyncs;
	uint64_t ticks;		/* reconciles asked for */
	uint64_t passes;	/* delete_if passes run */
	uint64_t seen, deleted, gone, failed;	/* of those passes */
	size_t view;		/* UDP entries in the view */
	size_t stale;		/* ... of which the policy says stale */
};

struct agent;

/*
 * An agent following the table through @ev (subscribed by agent_start())
 * and making its requests through @req (two handles on the same table).
 * Both stay the caller's. Errors: -EINVAL, -ENOMEM.
 */
int agent_new(struct ctnl_ct *ev, struct ctnl_ct *req, struct agent **ret);
void agent_free(struct agent *a);

/* Takes @p over (it is left empty) and judges the view by it. */
void agent_set_policy(struct agent *a, struct policy *p);

/*
 * Subscribes @ev to UDP entries' events (@rcvbuf: the queue's size, 0 for
 * the system's) and builds the view from a re-read of the table. Returns
 * 0. Errors: those of ctnl_ct_subscribe_config() and ctnl_ct_resync().
 */
int agent_start(struct agent *a, int rcvbuf);

/*
 * Waits up to @timeout_ms for events and applies what is queued to the
 * view, bounded so that ticks stay on time; after a reported loss, re-reads
 * the table (ctnl_ct_resync()). Returns the events applied; -EINTR when a
 * signal interrupted the wait; other errors of the events API.
 */
int agent_step(struct agent *a, int timeout_ms);

/*
 * Reconciles: when the view holds stale entries (or @force), deletes in
 * one pass per family (ctnl_ct_delete_if(), the kernel filtering UDP)
 * every entry the policy says is stale. Returns the number deleted.
 */
int agent_tick(struct agent *a, bool force);

void agent_stats(const struct agent *a, struct agent_stats *out);

/* Whether the view holds the entry of original tuple @orig (for tests). */
bool agent_view_has(const struct agent *a, const struct ctnl_tuple *orig);

#endif /* CTNL_EXAMPLE_RECONCILE_H */
