/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-mnl: the floors, written straight on libmnl with nothing a real
 * client would need (no attribute parsing, no checks beyond libmnl's):
 * what the kernel and the system calls cost by themselves.
 *
 *   bench-mnl dump               walks the messages of a full dump and
 *                                counts them, 32 KiB receive buffer
 *   bench-mnl update-batch N HI  mark updates packed many per datagram,
 *                                each request ACKed (NLM_F_ACK), every ACK
 *                                read: a result per entry
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "common.h"

/* The kernel fills a dump datagram up to about 32 KiB; larger gains
 * nothing, smaller costs system calls. */
#define BUFSIZE 32768

/* As libctnl sizes its batches: two worst-case error skbs of receive
 * queue per request, so no result is ever dropped. */
#define ERROR_TRUESIZE 1024

static struct mnl_socket *open_socket(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1;

	if (!nl)
		bench_die("mnl_socket_open", errno);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		bench_die("mnl_socket_bind", errno);
	/* Errors echo only the request's header, as libctnl asks too. */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

static struct nlmsghdr *put_request(void *buf, uint16_t msg, uint16_t flags,
				    uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* ---- dump ---- */

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(uint64_t *)data)++;
	return MNL_CB_OK;
}

static __attribute__((noinline)) int measured_dump(struct mnl_socket *nl,
						   uint8_t *buf,
						   uint64_t *count)
{
	uint32_t portid = mnl_socket_get_portid(nl), seq = 1;
	struct nlmsghdr *nlh = put_request(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP,
					   AF_UNSPEC);
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, BUFSIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, count_cb, count);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static int cmd_dump(void)
{
	struct mnl_socket *nl = open_socket();
	uint8_t *buf = malloc(BUFSIZE);
	uint64_t t0, t1, count = 0;
	int ret;

	if (!buf)
		bench_die("malloc", -ENOMEM);
	t0 = bench_now_ns();
	ret = measured_dump(nl, buf, &count);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("dump", ret);
	bench_report(t1 - t0, count, NULL);
	free(buf);
	mnl_socket_close(nl);
	return 0;
}

/* ---- batched updates, each ACKed ---- */

static size_t put_update(uint8_t *buf, const struct bench_entry *e,
			 uint32_t mark)
{
	struct nlmsghdr *nlh = put_request(buf, IPCTNL_MSG_CT_NEW, NLM_F_ACK,
					   e->family);
	struct nlattr *tuple, *ip, *proto;
	bool v4 = e->family == AF_INET;

	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, v4 ? 4 : 16,
		     e->src);
	mnl_attr_put(nlh, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, v4 ? 4 : 16,
		     e->dst);
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, e->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(e->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(e->dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark));
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

static __attribute__((noinline)) int
measured_update_batch(struct mnl_socket *nl, const struct bench_entry *entries,
		      uint32_t n, uint32_t hi, uint32_t per_dgram,
		      uint8_t *out, size_t out_size, int *results)
{
	uint8_t ack[8192];
	uint32_t seq = 0;

	for (uint32_t i = 0; i < n;) {
		uint32_t first = seq + 1, k = 0;
		size_t len = 0;

		for (; i < n && k < per_dgram && len + 256 <= out_size;
		     i++, k++) {
			const struct bench_entry *e = &entries[i];
			struct nlmsghdr *nlh = (void *)(out + len);

			len += put_update(out + len, e,
					  (hi << 16) |
					  (e->mark & BENCH_MARK_SELECTORS));
			nlh->nlmsg_seq = ++seq;
		}
		if (mnl_socket_sendto(nl, out, len) < 0)
			return -errno;
		/* One ACK per request, each its own datagram. */
		for (uint32_t j = 0; j < k; j++) {
			const struct nlmsghdr *r = (void *)ack;
			const struct nlmsgerr *err;
			ssize_t got = mnl_socket_recvfrom(nl, ack, sizeof(ack));

			if (got < 0)
				return -errno;
			if (r->nlmsg_type != NLMSG_ERROR ||
			    r->nlmsg_seq < first || r->nlmsg_seq > seq)
				return -EPROTO;
			err = mnl_nlmsg_get_payload(r);
			results[i - k + (r->nlmsg_seq - first)] = err->error;
		}
	}
	return 0;
}

static int cmd_update_batch(uint32_t n, uint32_t hi)
{
	struct mnl_socket *nl = open_socket();
	struct bench_entry *entries = calloc(n, sizeof(*entries));
	int *results = calloc(n, sizeof(*results));
	int rcvbuf = 0, sndbuf = 0;
	socklen_t len = sizeof(rcvbuf);
	size_t out_size;
	uint8_t *out;
	uint64_t t0, t1, ok = 0;
	int ret;

	if (!entries || !results)
		bench_die("calloc", -ENOMEM);
	for (uint32_t i = 0; i < n; i++)
		bench_entry(i, &entries[i]);
	/* The system's default queue sizes, as libctnl's default handle. */
	if (getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		       &len) < 0 ||
	    getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUF, &sndbuf,
		       &len) < 0)
		bench_die("getsockopt", errno);
	out_size = (size_t)sndbuf - 32;
	out = malloc(out_size);
	if (!out)
		bench_die("malloc", -ENOMEM);

	t0 = bench_now_ns();
	ret = measured_update_batch(nl, entries, n, hi,
				    (uint32_t)rcvbuf / (2 * ERROR_TRUESIZE),
				    out, out_size, results);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("update batch", ret);
	for (uint32_t i = 0; i < n; i++) {
		if (results[i])
			bench_die("update of one entry", results[i]);
		ok++;
	}
	bench_report(t1 - t0, ok, NULL);
	free(out);
	free(results);
	free(entries);
	mnl_socket_close(nl);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "dump"))
		return cmd_dump();
	if (!strcmp(cmd, "update-batch") && argc == 4)
		return cmd_update_batch((uint32_t)bench_arg_u64(argv[2], "N"),
					(uint32_t)bench_arg_u64(argv[3], "HI"));
	fprintf(stderr, "usage: bench-mnl dump | update-batch N HI\n");
	return 2;
}
