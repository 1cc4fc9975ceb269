/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl-agents: what the agents this library is for do to a big table —
 * kube-proxy's conntrack reconcile, Calico's delete of a pod's entries,
 * event storms with every loss accounted — against the ways they do it
 * today, in a private network namespace (never the host's table). Like
 * ctnl-bench, every measured client is a process of its own.
 *
 *   ctnl-agents [-n RUNS] [-s SIZE] [-S SECTION[,SECTION...]] [-r RATE,...]
 *               [-d SECONDS] [-k K,...] [-q]
 *
 *   -n  runs per figure (default 3)        -s  table entries (1000000)
 *   -S  sections: reconcile, calico, storms, agent, neighbours (default:
 *       all, in that order)
 *   -r  storm rates, events/s (10000,50000,100000)
 *   -d  seconds per storm (60)             -k  Calico's K (1,10,100)
 *   -q  quick: 100,000 entries, 1 run, 10 s storms (to test the bench);
 *       the options after it still apply
 *
 * Environment: BENCH_GIT (the revision measured, printed in the header).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "common.h"
#include "harness.h"
#include "table_k8s.h"

struct agents_options opt = {
	.size = 1000000,
	.seconds = 60,
	.rates = { 10000, 50000, 100000 },
	.nrates = 3,
	.ks = { 1, 10, 100 },
	.nks = 3,
	.agent_seconds = 180,
	.agent_rate = 10000,
};


/* ---- The Kubernetes-shaped table ---- */

struct census {
	uint64_t entries, udp, stale, calico, dnat, snat;
};

/* Counts what the table holds (bench-k8s census): a dump, untimed. */
static bool census(int k, struct census *c)
{
	char *argv[] = { client_path("bench-k8s"), "census", num((uint64_t)k),
			 NULL };
	char out[1024];
	struct sample s;
	const char *line;

	memset(c, 0, sizeof(*c));
	if (!run_client_out(&s, out, sizeof(out), argv))
		return false;
	line = strstr(out, "census ");
	return line && sscanf(line, "census entries=%" SCNu64 " udp=%" SCNu64
			      " stale=%" SCNu64 " calico=%" SCNu64
			      " dnat=%" SCNu64 " snat=%" SCNu64, &c->entries,
			      &c->udp, &c->stale, &c->calico, &c->dnat,
			      &c->snat) == 6;
}

static void print_shape(const struct census *c)
{
	struct k8s_census want;

	k8s_census(opt.size, &want);
	printf("\nThe table: %s entries shaped like a Kubernetes node's "
	       "(bench/table_k8s.h), created with the kernel's NAT\n",
	       num(want.entries));
	printf("  %s TCP, %s UDP (%.1f %%); %s to ClusterIPs, %s to NodePorts "
	       "(DNAT + masquerade), %s to the Internet (SNAT)\n",
	       num(want.tcp), num(want.udp), 100.0 * want.udp / want.entries,
	       num(want.cluster_ip), num(want.node_port), num(want.external));
	printf("  1,000 services (334 UDP), 2-8 endpoints each, 100 NodePorts "
	       "(34 UDP); 250 client pods on the node\n");
	printf("  stale: %s entries (%.1f %%), the UDP entries of %s services "
	       "whose endpoints were all replaced (%s of them with a "
	       "NodePort)\n", num(want.stale), 100.0 * want.stale / want.entries,
	       num(want.stale_services), num(want.stale_node_ports));
	printf("  as the kernel holds it: %s entries, %s UDP, %s stale by "
	       "kube-proxy's rule, %s DST_NAT, %s SRC_NAT\n", num(c->entries),
	       num(c->udp), num(c->stale), num(c->dnat), num(c->snat));
}

void k8s_table_fresh(void)
{
	struct k8s_census want;
	struct census c;
	struct sample s;

	k8s_census(opt.size, &want);
	flush_table();
	must(run_client(&s, "bench-k8s", "fill", num(opt.size), NULL),
	     "fill (Kubernetes table)");
	printf("\n(%s entries: filled with batched libmnl creates with "
	       "CTA_NAT in %.1f s)\n", num(opt.size), s.sec);
	expect_count((long)opt.size, "the fill");
	must(census(0, &c), "census");
	if (c.entries != want.entries || c.stale != want.stale) {
		fprintf(stderr, "ctnl-agents: the table holds %" PRIu64
			" entries, %" PRIu64 " stale; expected %" PRIu64 ", %"
			PRIu64 "\n", c.entries, c.stale, want.entries,
			want.stale);
		failures++;
	}
	print_shape(&c);
}

/*
 * After a client's delete: the table holds exactly the entries that
 * should be left (count), none of those it should have deleted (census);
 * then what it deleted is made again.
 */
static void check_and_refill(uint64_t removed, int k, const char *who)
{
	struct census c;
	struct sample s;
	bool calico = k > 0;

	expect_count((long)(opt.size - removed), who);
	if (census(k, &c) && (calico ? c.calico : c.stale) != 0) {
		fprintf(stderr, "ctnl-agents: after %s %" PRIu64 " entries "
			"it should have deleted are left\n", who,
			calico ? c.calico : c.stale);
		failures++;
	}
	must(calico ? run_client(&s, "bench-k8s", "fill", num(opt.size),
				 "calico", num((uint64_t)k), NULL)
		    : run_client(&s, "bench-k8s", "fill", num(opt.size),
				 "stale", NULL),
	     "refill");
	expect_count((long)opt.size, "a refill");
}

/* ---- conntrack, one command per address, as the agents ran it ---- */

#define MAX_COMMANDS 256

struct commands {
	int n;
	char *argv[MAX_COMMANDS][10];
	char text[MAX_COMMANDS][2][INET_ADDRSTRLEN];
};

static char *addr_text(struct commands *c, int slot, uint32_t addr)
{
	return (char *)inet_ntop(AF_INET, &addr, c->text[c->n][slot],
				 INET_ADDRSTRLEN);
}

/*
 * Runs every command in turn, summing their times and counts; each is
 * timed from fork to exit, as an agent that execs conntrack pays it.
 * conntrack exits with 1 when it deleted nothing, which is no failure.
 */
static bool run_commands(struct commands *c, struct sample *total)
{
	char err[1024];
	struct sample s;

	memset(total, 0, sizeof(*total));
	for (int i = 0; i < c->n; i++) {
		int rc = run_command_rc(&s, err, sizeof(err), c->argv[i]);
		uint64_t count = conntrack_count(err);

		if (rc != 0 && !(rc == 1 && count == 0 && strstr(err, " 0 flow"))) {
			fprintf(stderr, "ctnl-agents: conntrack %s %s failed "
				"(exit %d): %s\n", c->argv[i][1], c->argv[i][2],
				rc, err);
			return false;
		}
		total->sec += s.sec;
		total->usr += s.usr;
		total->sys += s.sys;
		total->count += count;
		if (s.rss_kib > total->rss_kib)
			total->rss_kib = s.rss_kib;
	}
	snprintf(total->note, sizeof(total->note), "%d runs", c->n);
	return true;
}

static void add_command(struct commands *c, char *const args[])
{
	int i = 0;

	if (c->n == MAX_COMMANDS) {
		fprintf(stderr, "ctnl-agents: too many commands\n");
		exit(1);
	}
	c->argv[c->n][i++] = "conntrack";
	for (; args[i - 1] && i < 9; i++)
		c->argv[c->n][i] = args[i - 1];
	c->argv[c->n][i] = NULL;
	c->n++;
}

/* kube-proxy before 1.32, for each stale service: `conntrack -D
 * --orig-dst VIP -p udp` (ClearEntriesForIP), and for its NodePort
 * `conntrack -D -p udp --dport PORT` (ClearEntriesForPort). */
static void kube_proxy_commands(struct commands *c)
{
	static char ports[K8S_SERVICES][8];
	struct k8s_service svc;

	c->n = 0;
	for (int s = 0; s < K8S_SERVICES; s++) {
		k8s_service(s, &svc);
		if (!svc.stale)
			continue;
		add_command(c, (char *[]){ "-D", "--orig-dst",
					   addr_text(c, 0, svc.vip), "-p",
					   "udp", NULL });
		if (!svc.node_port)
			continue;
		snprintf(ports[s], sizeof(ports[s]), "%u", svc.node_port);
		add_command(c, (char *[]){ "-D", "-p", "udp", "--dport",
					   ports[s], NULL });
	}
}

/* Calico's Felix, for each address that goes: `conntrack --family ipv4
 * --delete --orig-src IP` and the same with --reply-src. */
static void calico_commands(struct commands *c, int k)
{
	c->n = 0;
	for (int j = 0; j < k; j++) {
		char *ip = addr_text(c, 0, k8s_calico_addr(j));

		add_command(c, (char *[]){ "--family", "ipv4", "--delete",
					   "--orig-src", ip, NULL });
		add_command(c, (char *[]){ "--family", "ipv4", "--delete",
					   "--reply-src", ip, NULL });
	}
}

/* ---- kube-proxy's reconcile ---- */

/* The clients of the reconcile, in the order of the first run. */
enum { KP_CTNL, KP_GO, KP_GOSET, KP_CLI, KP_FLOOR, KP_CLIENTS };

static const char *const kp_keys[] = { "kp.ctnl", "kp.go", "kp.goset",
				       "kp.cli", "kp.floor", NULL };

static void reconcile_one(int client, struct commands *cmds,
			  uint64_t stale)
{
	struct row *r = row_get(opt.size, kp_keys[client], NULL);
	struct sample s;
	bool ok = false;

	switch (client) {
	case KP_CTNL:
		ok = run_client(&s, "bench-agents-ctnl", "reconcile", NULL);
		break;
	case KP_GO:
		ok = run_client(&s, "bench-go-kubeproxy", "reconcile", NULL);
		break;
	case KP_GOSET:
		ok = run_client(&s, "bench-go-kubeproxy", "reconcile", "set",
				NULL);
		break;
	case KP_CLI:
		ok = run_commands(cmds, &s);
		break;
	case KP_FLOOR:
		ok = run_client(&s, "bench-k8s", "reconcile", NULL);
		break;
	}
	record(r, ok, &s, stale, true);
	check_and_refill(stale, 0, r->label);
}

static void section_reconcile(void)
{
	static struct commands cmds;
	struct k8s_census want;

	k8s_census(opt.size, &want);
	row_get(opt.size, "kp.ctnl", "libctnl ctnl_ct_delete_if");
	row_get(opt.size, "kp.go", "Go netlink, as kube-proxy 1.32 (a)");
	row_get(opt.size, "kp.goset",
		"Go netlink, one set filter (after PR 135511)");
	row_get(opt.size, "kp.cli", "conntrack -D per stale service (b)");
	row_get(opt.size, "kp.floor", "raw libmnl floor (c)");
	kube_proxy_commands(&cmds);
	fprintf(stderr, "ctnl-agents: kube-proxy's reconcile...\n");
	for (int r = 0; r < runs; r++)
		for (int i = 0; i < KP_CLIENTS; i++) {
			int client = rotate(i, r, KP_CLIENTS);

			/* On a big table the slow peers make one pass: (a)
			 * tries each of its ~12,000 filters on each entry,
			 * (b)'s every command dumps the whole table. */
			if ((client == KP_GO || client == KP_CLI) &&
			    opt.size > 500000 && r > 0)
				continue;
			reconcile_one(client, &cmds, want.stale);
		}
}

/* ---- Calico's pod churn ---- */

static char cal_key[3][4][16];

/* The rows of Calico's section: 0 libctnl, 1 the floor, 2 conntrack. */
static const char *calico_key(int what, int kk)
{
	static const char *const names[] = { "cal.ctnl", "cal.floor",
					     "cal.cli" };

	snprintf(cal_key[what][kk], sizeof(cal_key[0][0]), "%s.%d",
		 names[what], opt.ks[kk]);
	return cal_key[what][kk];
}

/* The entries the first @k addresses account for. */
static uint64_t calico_want(int k)
{
	struct k8s_addr_set *set = k8s_addr_set_new(k);
	struct k8s_entry e;
	uint64_t n = 0;

	if (!set)
		exit(1);
	for (uint32_t i = 0; i < opt.size; i++) {
		k8s_entry(i, &e);
		n += k8s_addr_set_has(set, e.src) ||
		     k8s_addr_set_has(set, e.dnat_ip ? e.dnat_ip : e.dst);
	}
	k8s_addr_set_free(set);
	return n;
}

static void calico_k(int kk)
{
	static struct commands cmds;
	int k = opt.ks[kk];
	uint64_t want = calico_want(k);
	struct row *rows[3] = {
		row_get(opt.size, calico_key(0, kk),
			"libctnl ctnl_ct_delete_if, one call"),
		row_get(opt.size, calico_key(1, kk),
			"raw libmnl floor, one pass"),
		row_get(opt.size, calico_key(2, kk),
			"conntrack --delete --orig-src/--reply-src"),
	};

	calico_commands(&cmds, k);
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < 3; i++) {
			int which = rotate(i, r, 3);
			struct row *row = rows[which];
			struct sample s;
			bool ok;

			/* 200 conntrack runs, each a dump of the whole table:
			 * one pass is minutes, and 200 samples already. */
			if (which == 2 && k >= 100 && r > 0)
				continue;
			if (which == 0)
				ok = run_client(&s, "bench-agents-ctnl",
						"calico", num((uint64_t)k),
						NULL);
			else if (which == 1)
				ok = run_client(&s, "bench-k8s", "calico",
						num((uint64_t)k), NULL);
			else
				ok = run_commands(&cmds, &s);
			record(row, ok, &s, want, true);
			check_and_refill(want, k, row->label);
		}
	}
}

static void section_calico(void)
{
	for (int kk = 0; kk < opt.nks; kk++) {
		fprintf(stderr, "ctnl-agents: Calico, K = %d...\n", opt.ks[kk]);
		calico_k(kk);
	}
}

/* ---- Printing ---- */

static const char *sections = "reconcile,calico,storms,agent,neighbours";

static bool wanted(const char *section)
{
	return strstr(sections, section) != NULL;
}


static void print_reconcile(void)
{
	char title[160];

	snprintf(title, sizeof(title), "kube-proxy's reconcile, one pass: "
		 "delete the stale UDP entries of %s (the table is checked "
		 "after each client)", num(opt.size));
	print_section(opt.size, title, "kp.ctnl", "ctnl/this", kp_keys);
}

static void print_calico(void)
{
	for (int kk = 0; kk < opt.nks; kk++) {
		const char *keys[] = { calico_key(0, kk), calico_key(1, kk),
				       calico_key(2, kk), NULL };
		char title[160];

		snprintf(title, sizeof(title), "Calico's pod churn, K = %d: "
			 "delete the entries whose original or reply source "
			 "is one of %d addresses (%s entries)", opt.ks[kk],
			 opt.ks[kk], num(calico_want(opt.ks[kk])));
		print_section(opt.size, title, keys[0], "ctnl/this", keys);
	}
}

/* Peak RSS of row @a over row @b's, or -1. */
static double rss_ratio(const char *a, const char *b)
{
	const struct row *ra = row_find(opt.size, a);
	const struct row *rb = row_find(opt.size, b);
	long pa = ra && ra->n && !ra->failed ? peak_rss(ra) : -1;
	long pb = rb && rb->n && !rb->failed ? peak_rss(rb) : -1;

	return pa > 0 && pb > 0 ? (double)pa / (double)pb : -1;
}

static void targets_reconcile(void)
{
	double x = ratio(opt.size, "kp.go", "kp.ctnl");
	double m = rss_ratio("kp.go", "kp.ctnl");

	verdict(x > 0, x >= 10, "reconcile: ctnl_ct_delete_if %.1fx faster "
		"than (a), the Go netlink library as kube-proxy 1.32 uses it "
		"(target >= 10x)", x);
	verdict(m > 0, m >= 50, "reconcile: (a)'s peak RSS is %.0fx "
		"ctnl_ct_delete_if's (target >= 50x)", m);
	x = ratio(opt.size, "kp.cli", "kp.ctnl");
	verdict(x > 0, x >= 3, "reconcile: %.1fx faster than (b), conntrack "
		"-D per stale service (target >= 3x)", x);
	x = ratio(opt.size, "kp.ctnl", "kp.floor");
	verdict(x > 0, x > 0 && x <= 1.2, "reconcile: %.2fx the time of (c), "
		"the raw floor (target <= 1.2)", x);
	x = ratio(opt.size, "kp.goset", "kp.ctnl");
	verdict(x > 0, true, "reconcile: %.1fx faster than the Go netlink "
		"library with one set-backed filter (no target)", x);
}

static void targets_calico(void)
{
	for (int kk = 0; kk < opt.nks; kk++) {
		double x = ratio(opt.size, calico_key(2, kk),
				 calico_key(0, kk));
		double f = ratio(opt.size, calico_key(0, kk),
				 calico_key(1, kk));
		bool target = opt.ks[kk] == 100;

		verdict(x > 0, !target || x >= 20, "Calico, K = %d: %.1fx "
			"faster than 2 x %d conntrack runs%s; %.2fx the floor's "
			"time", opt.ks[kk], x, opt.ks[kk],
			target ? " (target >= 20x)" : "", f);
	}
}

static void targets(void)
{
	printf("\n=========== Targets of issue 15 (%s entries; ratios of "
	       "medians in this run) ===========\n", num(opt.size));
	if (wanted("reconcile"))
		targets_reconcile();
	if (wanted("calico"))
		targets_calico();
	if (wanted("storms"))
		targets_storms();
	if (wanted("agent"))
		targets_agent();
}

/* ---- Main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: ctnl-agents [-n RUNS] [-s SIZE] [-S SECTION,...] "
		"[-r RATE,...] [-d SECONDS] [-k K,...] [-q]\n"
		"  sections: reconcile, calico, storms, agent, neighbours\n");
	exit(2);
}

/* Parses "a,b,c" into at most @max numbers. */
static int parse_list(const char *arg, uint32_t *out, int max)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		out[n++] = (uint32_t)bench_arg_u64(tok, "number");
	free(copy);
	return n;
}

/* Options after -q still apply. */
static void quick_mode(void)
{
	opt.quick = true;
	opt.size = 100000;
	opt.seconds = 10;
	opt.agent_seconds = 60;
	runs = 1;
}

static void parse_options(int argc, char **argv)
{
	uint32_t ks[4];
	int o;

	while ((o = getopt(argc, argv, "n:s:S:r:d:k:qh")) != -1) {
		switch (o) {
		case 'n':
			runs = (int)bench_arg_u64(optarg, "runs");
			if (runs < 1 || runs > MAX_RUNS)
				usage();
			break;
		case 's':
			opt.size = (uint32_t)bench_arg_u64(optarg, "size");
			break;
		case 'S':
			sections = optarg;
			break;
		case 'r':
			opt.nrates = parse_list(optarg, opt.rates, MAX_RATES);
			break;
		case 'd':
			opt.seconds = (int)bench_arg_u64(optarg, "seconds");
			break;
		case 'k':
			opt.nks = parse_list(optarg, ks, 4);
			for (int i = 0; i < opt.nks; i++)
				if (ks[i] < 1 || ks[i] > K8S_CALICO_MAX)
					usage();
				else
					opt.ks[i] = (int)ks[i];
			break;
		case 'q':
			quick_mode();
			break;
		default:
			usage();
		}
	}
}

int main(int argc, char **argv)
{
	double t_start = now();
	struct cpu_times c0;

	runs = 3;
	parse_options(argc, argv);
	if (geteuid() != 0) {
		fprintf(stderr, "ctnl-agents: needs root, to make a private "
				"network namespace and fill its table\n");
		return 77;
	}
	harness_init(argv[0]);
	print_context("ctnl-agents: the agent workloads of issue 15");
	if (unshare(CLONE_NEWNET) < 0) {
		perror("ctnl-agents: unshare(CLONE_NEWNET)");
		return 1;
	}
	print_exec_cost();
	setvbuf(stdout, NULL, _IOLBF, 0);
	c0 = cpu_times();
	if (wanted("reconcile") || wanted("calico")) {
		k8s_table_fresh();
		if (wanted("reconcile")) {
			section_reconcile();
			print_reconcile();
		}
		if (wanted("calico")) {
			section_calico();
			print_calico();
		}
	}
	if (wanted("storms")) {
		section_storms();
		print_storms();
	}
	if (wanted("agent")) {
		if (!wanted("reconcile") && !wanted("calico"))
			k8s_table_fresh();
		section_agent();
		print_agent();
	}
	if (wanted("neighbours")) {
		section_neighbours();
		print_neighbours();
	}
	flush_table();
	targets();
	print_noise(t_start, c0);
	if (failures)
		printf("%d check(s) FAILED: see the messages on stderr\n",
		       failures);
	return failures ? 1 : 0;
}
