/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-k8s: the Kubernetes-shaped table (table_k8s.h) on raw libmnl:
 * filling it with the kernel's own NAT, checking what is left of it, and
 * the raw floors of the agent workloads: nothing a real client would need
 * beyond the one dump and the deletes.
 *
 *   bench-k8s fill N [stale | calico K]
 *                         create entries 0..N-1 (only the stale ones, or
 *                         only those of the first K Calico addresses)
 *                         with CTA_NAT_DST / CTA_NAT_SRC, batched
 *   bench-k8s services    print the services and their serving endpoints,
 *                         one per line, for the Go peer (kube-proxy reads
 *                         them from the API server):
 *                           udp|tcp VIP PORT NODEPORT EP,EP,...
 *   bench-k8s policy      the UDP services in the reconcile agent's policy
 *                         format (examples/reconcile_agent.c):
 *                           udp VIP PORT [nodeport N] endpoints EP...
 *   bench-k8s census [K]  dump the IPv4 table; count its entries, those
 *                         kube-proxy would call stale, and those of the
 *                         first K Calico addresses (not timed)
 *   bench-k8s reconcile   the floor of kube-proxy's reconcile: a dump
 *                         the kernel filters to UDP, the policy on each
 *                         entry, batched deletes sent as the dump goes
 *   bench-k8s calico K    the floor of Calico's delete: an IPv4 dump,
 *                         "original or reply source among the K", the
 *                         same batched deletes
 *
 * The floors report the entries they deleted (a delete answered ENOENT is
 * not counted: the entry went by itself).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "common.h"
#include "table_k8s.h"

/* The kernel fills a dump datagram up to about 32 KiB. */
#define DUMP_BUFSIZE 32768
/* As libctnl sizes its batches: two worst-case error skbs of receive
 * queue per request, so no error is ever dropped. */
#define ERROR_TRUESIZE 1024
/* CTA_FILTER's "protocol number" flag (net/netfilter/nf_internals.h). */
#define CTA_FILTER_F_PROTO_NUM (1u << 3)

static struct mnl_socket *open_socket(int rcvbuf)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1;

	if (!nl)
		bench_die("mnl_socket_open", errno);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		bench_die("mnl_socket_bind", errno);
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (rcvbuf &&
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		bench_die("SO_RCVBUFFORCE", errno);
	return nl;
}

static struct nlmsghdr *put_request(void *buf, uint16_t msg, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* ---- Batches: many requests per datagram, one ACK, every error ---- */

struct batch {
	struct mnl_socket *nl;
	uint8_t *buf;
	size_t size, len, last;		/* last: offset of the last request */
	uint32_t per_dgram, count;	/* requests per datagram, queued */
	uint32_t seq, first_seq;
	uint64_t ok, enoent, eexist;	/* results of the requests sent */
};

static void batch_init(struct batch *b, struct mnl_socket *nl)
{
	int rcvbuf = 0, sndbuf = 0;
	socklen_t len = sizeof(rcvbuf);

	memset(b, 0, sizeof(*b));
	b->nl = nl;
	if (getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		       &len) < 0 ||
	    getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUF, &sndbuf,
		       &len) < 0)
		bench_die("getsockopt", errno);
	b->per_dgram = (uint32_t)rcvbuf / (2 * ERROR_TRUESIZE);
	b->size = (size_t)sndbuf - 32;
	b->buf = malloc(b->size);
	if (!b->buf)
		bench_die("malloc", -ENOMEM);
}

/* Reads the replies of the datagram just sent: its errors, then the ACK
 * of its last request. */
static void batch_replies(struct batch *b)
{
	uint8_t buf[8192];
	uint64_t errors = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(b->nl, buf, sizeof(buf));
		const struct nlmsghdr *r = (const void *)buf;
		const struct nlmsgerr *err;

		if (n < 0)
			bench_die("recv (batch)", errno);
		if (r->nlmsg_type != NLMSG_ERROR || r->nlmsg_seq < b->first_seq ||
		    r->nlmsg_seq > b->seq)
			bench_die("batch reply", -EPROTO);
		err = mnl_nlmsg_get_payload(r);
		if (err->error == -ENOENT)
			b->enoent++;
		else if (err->error == -EEXIST)
			b->eexist++;
		else if (err->error)
			bench_die("request of a batch", err->error);
		errors += err->error != 0;
		if (r->nlmsg_seq == b->seq)
			break;
	}
	b->ok += b->count - errors;
}

static void batch_flush(struct batch *b)
{
	struct nlmsghdr *last = (struct nlmsghdr *)(b->buf + b->last);

	if (b->count == 0)
		return;
	/* The kernel reports every failure; one ACK says the rest went. */
	last->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(b->nl, b->buf, b->len) < 0)
		bench_die("send (batch)", errno);
	batch_replies(b);
	b->len = 0;
	b->count = 0;
}

/* Room for one more request of at most @max bytes, sending the batch
 * when there is none. Returns where to build it. */
static void *batch_room(struct batch *b, size_t max)
{
	if (b->count == b->per_dgram || b->len + max > b->size)
		batch_flush(b);
	if (b->count == 0)
		b->first_seq = b->seq + 1;
	return b->buf + b->len;
}

/* Seals the request just built at the end of the batch. */
static void batch_push(struct batch *b, struct nlmsghdr *nlh)
{
	nlh->nlmsg_seq = ++b->seq;
	b->last = b->len;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	b->count++;
}

/* ---- fill ---- */

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, uint8_t proto,
		      uint32_t src, uint32_t dst, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	struct nlattr *l4;

	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, src);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, dst);
	mnl_attr_nest_end(nlh, ip);
	l4 = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, l4);
	mnl_attr_nest_end(nlh, tuple);
}

/* CTA_NAT_DST or CTA_NAT_SRC: one address, and one port when @port. */
static void put_nat(struct nlmsghdr *nlh, uint16_t type, uint32_t addr,
		    uint16_t port)
{
	struct nlattr *nat = mnl_attr_nest_start(nlh, type), *l4;

	mnl_attr_put_u32(nlh, CTA_NAT_V4_MINIP, addr);
	mnl_attr_put_u32(nlh, CTA_NAT_V4_MAXIP, addr);
	if (port) {
		l4 = mnl_attr_nest_start(nlh, CTA_NAT_PROTO);
		mnl_attr_put_u16(nlh, CTA_PROTONAT_PORT_MIN, htons(port));
		mnl_attr_put_u16(nlh, CTA_PROTONAT_PORT_MAX, htons(port));
		mnl_attr_nest_end(nlh, l4);
	}
	mnl_attr_nest_end(nlh, nat);
}

/*
 * The create request of one entry. The kernel wants both tuples; the
 * reply is the original's inverse, which the NAT set-up then rewrites
 * (ctnetlink_create_conntrack() -> ctnetlink_setup_nat() ->
 * nf_nat_setup_info()), as the first packet through a NAT rule would.
 */
static struct nlmsghdr *put_create(void *buf, const struct k8s_entry *e)
{
	struct nlmsghdr *nlh = put_request(buf, IPCTNL_MSG_CT_NEW,
					   NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *tcp;

	put_tuple(nlh, CTA_TUPLE_ORIG, e->proto, e->src, e->dst, e->sport,
		  e->dport);
	put_tuple(nlh, CTA_TUPLE_REPLY, e->proto, e->dst, e->src, e->dport,
		  e->sport);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(K8S_TIMEOUT));
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED |
						IPS_SEEN_REPLY | IPS_ASSURED));
	if (e->proto == IPPROTO_TCP) {
		info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE,
				TCP_CONNTRACK_ESTABLISHED);
		mnl_attr_nest_end(nlh, tcp);
		mnl_attr_nest_end(nlh, info);
	}
	if (e->dnat_ip)
		put_nat(nlh, CTA_NAT_DST, e->dnat_ip, e->dnat_port);
	if (e->snat_ip)
		put_nat(nlh, CTA_NAT_SRC, e->snat_ip, 0);
	return nlh;
}

enum selection { ALL, STALE, CALICO };

static int cmd_fill(uint32_t n, enum selection sel, int k)
{
	/* Large queues: fewer, larger datagrams for a setup step. */
	struct mnl_socket *nl = open_socket(16 << 20);
	struct k8s_entry e;
	struct batch b;
	uint64_t t0 = bench_now_ns();

	batch_init(&b, nl);
	for (uint32_t i = 0; i < n; i++) {
		k8s_entry(i, &e);
		if ((sel == STALE && !e.stale) ||
		    (sel == CALICO && !k8s_calico_match(&e, k)))
			continue;
		batch_push(&b, put_create(batch_room(&b, 512), &e));
	}
	batch_flush(&b);
	bench_report(bench_now_ns() - t0, b.ok,
		     b.eexist ? "some-existed" : NULL);
	free(b.buf);
	mnl_socket_close(nl);
	return 0;
}

/* ---- Dumps ---- */

/* What the floors and the census read of an entry, and nothing more. */
struct seen {
	const struct nlattr *orig, *id;	/* copied into a delete as they are */
	uint8_t proto;
	uint32_t orig_src, orig_dst, reply_src;
	uint16_t orig_dport;
	uint32_t status;
};

static void read_tuple(const struct nlattr *tuple, struct seen *s, bool orig)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each_nested(a, tuple) {
		uint16_t type = mnl_attr_get_type(a);

		mnl_attr_for_each_nested(b, a) {
			uint16_t t = mnl_attr_get_type(b);

			if (type == CTA_TUPLE_IP && t == CTA_IP_V4_SRC) {
				if (orig)
					s->orig_src = mnl_attr_get_u32(b);
				else
					s->reply_src = mnl_attr_get_u32(b);
			} else if (type == CTA_TUPLE_IP && t == CTA_IP_V4_DST &&
				   orig) {
				s->orig_dst = mnl_attr_get_u32(b);
			} else if (type == CTA_TUPLE_PROTO &&
				   t == CTA_PROTO_NUM && orig) {
				s->proto = mnl_attr_get_u8(b);
			} else if (type == CTA_TUPLE_PROTO &&
				   t == CTA_PROTO_DST_PORT && orig) {
				s->orig_dport = ntohs(mnl_attr_get_u16(b));
			}
		}
	}
}

static void read_entry(const struct nlmsghdr *nlh, struct seen *s)
{
	const struct nlattr *a;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			s->orig = a;
			read_tuple(a, s, true);
			break;
		case CTA_TUPLE_REPLY:
			read_tuple(a, s, false);
			break;
		case CTA_ID:
			s->id = a;
			break;
		case CTA_STATUS:
			s->status = ntohl(mnl_attr_get_u32(a));
			break;
		}
	}
}

/* Deletes the entry @s by its original tuple and id, as the dump gave
 * them: an entry re-created since has another id and stays. */
static void queue_delete(struct batch *b, const struct seen *s)
{
	struct nlmsghdr *nlh = put_request(batch_room(b, 256),
					   IPCTNL_MSG_CT_DELETE, 0);
	uint16_t olen = NLA_ALIGN(s->orig->nla_len);

	memcpy(mnl_nlmsg_get_payload_tail(nlh), s->orig, olen);
	nlh->nlmsg_len += olen;
	if (s->id) {
		memcpy(mnl_nlmsg_get_payload_tail(nlh), s->id,
		       NLA_ALIGN(s->id->nla_len));
		nlh->nlmsg_len += NLA_ALIGN(s->id->nla_len);
	}
	batch_push(b, nlh);
}

/* A dump of the IPv4 table, filtered by the kernel to UDP when @udp. */
static void send_dump(struct mnl_socket *nl, uint8_t *buf, bool udp)
{
	struct nlmsghdr *nlh = put_request(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP);
	struct nlattr *tuple, *l4, *filter;

	nlh->nlmsg_seq = 1;
	if (udp) {
		tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
		l4 = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
		mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_UDP);
		mnl_attr_nest_end(nlh, l4);
		mnl_attr_nest_end(nlh, tuple);
		/* The kernel reads these two flags in host byte order. */
		filter = mnl_attr_nest_start(nlh, CTA_FILTER);
		mnl_attr_put_u32(nlh, CTA_FILTER_ORIG_FLAGS,
				 CTA_FILTER_F_PROTO_NUM);
		mnl_attr_put_u32(nlh, CTA_FILTER_REPLY_FLAGS, 0);
		mnl_attr_nest_end(nlh, filter);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		bench_die("send (dump)", errno);
}

/* Runs a dump to its end, handing each message to @cb. */
static void run_dump(struct mnl_socket *nl, bool udp, mnl_cb_t cb,
		     void *data)
{
	uint8_t *buf = malloc(DUMP_BUFSIZE);
	uint32_t portid = mnl_socket_get_portid(nl);
	int ret;

	if (!buf)
		bench_die("malloc", -ENOMEM);
	send_dump(nl, buf, udp);
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, DUMP_BUFSIZE);

		if (n < 0)
			bench_die("recv (dump)", errno);
		ret = mnl_cb_run(buf, (size_t)n, 1, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		bench_die("dump", errno);
	free(buf);
}

/* ---- The floors ---- */

struct floor {
	struct batch batch;
	const struct k8s_policy *policy;	/* reconcile */
	const struct k8s_addr_set *addrs;	/* calico */
	uint64_t seen;
};

static int floor_cb(const struct nlmsghdr *nlh, void *data)
{
	struct floor *f = data;
	struct seen s;
	bool hit;

	read_entry(nlh, &s);
	f->seen++;
	if (f->policy)
		hit = k8s_policy_stale(f->policy, s.proto, s.orig_dst,
				       s.orig_dport, s.reply_src);
	else
		hit = k8s_addr_set_has(f->addrs, s.orig_src) ||
		      k8s_addr_set_has(f->addrs, s.reply_src);
	if (hit && s.orig)
		queue_delete(&f->batch, &s);
	return MNL_CB_OK;
}

static __attribute__((noinline)) void
measured_floor(struct mnl_socket *dump, struct floor *f, bool udp)
{
	run_dump(dump, udp, floor_cb, f);
	batch_flush(&f->batch);
}

static int cmd_floor(int k)
{
	struct mnl_socket *dump = open_socket(0), *del = open_socket(0);
	struct k8s_policy *policy = k < 0 ? k8s_policy_new() : NULL;
	struct k8s_addr_set *addrs = k >= 0 ? k8s_addr_set_new(k) : NULL;
	struct floor f = { .policy = policy, .addrs = addrs };
	uint64_t t0, t1;

	if (!policy && !addrs)
		bench_die("policy", -ENOMEM);
	batch_init(&f.batch, del);
	t0 = bench_now_ns();
	measured_floor(dump, &f, k < 0);
	t1 = bench_now_ns();
	bench_report(t1 - t0, f.batch.ok, f.batch.enoent ? "some-gone" : NULL);
	free(f.batch.buf);
	k8s_policy_free(policy);
	k8s_addr_set_free(addrs);
	mnl_socket_close(dump);
	mnl_socket_close(del);
	return 0;
}

/* ---- census ---- */

struct census {
	const struct k8s_policy *policy;
	const struct k8s_addr_set *addrs;
	uint64_t entries, udp, stale, calico, dnat, snat;
};

static int census_cb(const struct nlmsghdr *nlh, void *data)
{
	struct census *c = data;
	struct seen s;

	read_entry(nlh, &s);
	c->entries++;
	c->udp += s.proto == IPPROTO_UDP;
	c->stale += k8s_policy_stale(c->policy, s.proto, s.orig_dst,
				     s.orig_dport, s.reply_src);
	c->calico += c->addrs && (k8s_addr_set_has(c->addrs, s.orig_src) ||
				  k8s_addr_set_has(c->addrs, s.reply_src));
	c->dnat += !!(s.status & IPS_DST_NAT);
	c->snat += !!(s.status & IPS_SRC_NAT);
	return MNL_CB_OK;
}

static int cmd_census(int k)
{
	struct mnl_socket *nl = open_socket(0);
	struct census c = { .policy = k8s_policy_new() };
	uint64_t t0 = bench_now_ns();

	if (k > 0)
		c.addrs = k8s_addr_set_new(k);
	if (!c.policy || (k > 0 && !c.addrs))
		bench_die("policy", -ENOMEM);
	run_dump(nl, false, census_cb, &c);
	printf("census entries=%lu udp=%lu stale=%lu calico=%lu dnat=%lu "
	       "snat=%lu\n", (unsigned long)c.entries, (unsigned long)c.udp,
	       (unsigned long)c.stale, (unsigned long)c.calico,
	       (unsigned long)c.dnat, (unsigned long)c.snat);
	bench_report(bench_now_ns() - t0, c.entries, NULL);
	k8s_policy_free((struct k8s_policy *)c.policy);
	k8s_addr_set_free((struct k8s_addr_set *)c.addrs);
	mnl_socket_close(nl);
	return 0;
}

/* ---- services ---- */

static void print_addr(uint32_t addr)
{
	char text[INET_ADDRSTRLEN];

	fputs(inet_ntop(AF_INET, &addr, text, sizeof(text)), stdout);
}

static int cmd_services(void)
{
	struct k8s_service svc;

	for (int s = 0; s < K8S_SERVICES; s++) {
		k8s_service(s, &svc);
		printf("%s ", svc.proto == IPPROTO_UDP ? "udp" : "tcp");
		print_addr(svc.vip);
		printf(" %u %u ", svc.port, svc.node_port);
		for (int j = 0; j < svc.endpoints; j++) {
			if (j)
				putchar(',');
			print_addr(k8s_endpoint(s, j, svc.stale));
		}
		putchar('\n');
	}
	return fflush(stdout) ? 1 : 0;
}

static int cmd_policy(void)
{
	struct k8s_service svc;

	for (int s = 0; s < K8S_SERVICES; s++) {
		k8s_service(s, &svc);
		if (svc.proto != IPPROTO_UDP)
			continue;
		printf("udp ");
		print_addr(svc.vip);
		printf(" %u", svc.port);
		if (svc.node_port)
			printf(" nodeport %u", svc.node_port);
		printf(" endpoints");
		for (int j = 0; j < svc.endpoints; j++) {
			putchar(' ');
			print_addr(k8s_endpoint(s, j, svc.stale));
		}
		putchar('\n');
	}
	return fflush(stdout) ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-k8s fill N [stale | calico K] | "
			"services | policy | census [K] | reconcile | calico K\n");
	exit(2);
}

static int arg_k(const char *text)
{
	uint64_t k = bench_arg_u64(text, "K");

	if (k > K8S_CALICO_MAX)
		usage();
	return (int)k;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "fill") && argc >= 3) {
		uint32_t n = (uint32_t)bench_arg_u64(argv[2], "N");

		if (argc == 3)
			return cmd_fill(n, ALL, 0);
		if (argc == 4 && !strcmp(argv[3], "stale"))
			return cmd_fill(n, STALE, 0);
		if (argc == 5 && !strcmp(argv[3], "calico"))
			return cmd_fill(n, CALICO, arg_k(argv[4]));
	}
	if (!strcmp(cmd, "services") && argc == 2)
		return cmd_services();
	if (!strcmp(cmd, "policy") && argc == 2)
		return cmd_policy();
	if (!strcmp(cmd, "census") && argc <= 3)
		return cmd_census(argc == 3 ? arg_k(argv[2]) : 0);
	if (!strcmp(cmd, "reconcile") && argc == 2)
		return cmd_floor(-1);
	if (!strcmp(cmd, "calico") && argc == 3)
		return cmd_floor(arg_k(argv[2]));
	usage();
	return 2;
}
