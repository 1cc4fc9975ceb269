/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl-agents: the agent workloads of issue 15, by section. agents.c
 * holds the options, the Kubernetes-shaped table and the deletes
 * (kube-proxy's reconcile, Calico's pod churn); agents_events.c the event
 * storms and the neighbour namespace; agents_soak.c the example agent
 * under churn.
 */
#ifndef CTNL_BENCH_AGENTS_H
#define CTNL_BENCH_AGENTS_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_RATES 8

struct agents_options {
	uint32_t size;			/* entries of the Kubernetes table */
	int seconds;			/* of each event storm */
	uint32_t rates[MAX_RATES];	/* events a second */
	int nrates;
	int ks[4];			/* Calico's address counts */
	int nks;
	int agent_seconds;		/* of the agent under churn */
	uint32_t agent_rate;		/* the churn's events a second */
	bool quick;
};

extern struct agents_options opt;

/* Refills the namespace with the whole Kubernetes table and checks it. */
void k8s_table_fresh(void);

void section_storms(void);
void print_storms(void);
void section_neighbours(void);
void print_neighbours(void);
void section_agent(void);
void print_agent(void);
void targets_agent(void);

/* One verdict line per target of the event storms. */
void targets_storms(void);

/* VmRSS of process @pid in KiB (-1 if unknown), and its open
 * descriptors (-1 if unknown). */
long proc_rss_kib(int pid);
int proc_fds(int pid);

#endif /* CTNL_BENCH_AGENTS_H */
