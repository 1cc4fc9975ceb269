/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-nfct: the same work through libnetfilter_conntrack, used the way
 * its documentation shows: a handle from nfct_open(), a callback for
 * dumps, one nfct_query() per change.
 *
 *   bench-nfct dump              callback reads the same 7 fields
 *   bench-nfct update-each N HI  NFCT_Q_UPDATE of every mark, one each
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "common.h"

struct digest {
	uint64_t count;
	uint64_t sum;
};

static int digest_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		     void *data)
{
	struct digest *d = data;
	uint8_t family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	uint32_t src, dst;

	(void)type;
	if (family == AF_INET) {
		src = nfct_get_attr_u32(ct, ATTR_IPV4_SRC);
		dst = nfct_get_attr_u32(ct, ATTR_IPV4_DST);
	} else {
		memcpy(&src, nfct_get_attr(ct, ATTR_IPV6_SRC), sizeof(src));
		memcpy(&dst, nfct_get_attr(ct, ATTR_IPV6_DST), sizeof(dst));
	}
	d->count++;
	d->sum += family + nfct_get_attr_u8(ct, ATTR_L4PROTO) + src + dst +
		  ntohs(nfct_get_attr_u16(ct, ATTR_PORT_SRC)) +
		  ntohs(nfct_get_attr_u16(ct, ATTR_PORT_DST)) +
		  nfct_get_attr_u32(ct, ATTR_MARK);
	return NFCT_CB_CONTINUE;
}

static struct nfct_handle *open_handle(void)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);

	if (!h)
		bench_die("nfct_open", errno);
	return h;
}

static __attribute__((noinline)) int measured_dump(struct nfct_handle *h)
{
	uint32_t family = AF_UNSPEC;

	return nfct_query(h, NFCT_Q_DUMP, &family);
}

static int cmd_dump(void)
{
	struct nfct_handle *h = open_handle();
	struct digest d = { 0 };
	uint64_t t0, t1;
	int ret;

	nfct_callback_register(h, NFCT_T_ALL, digest_cb, &d);
	t0 = bench_now_ns();
	ret = measured_dump(h);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("nfct_query(NFCT_Q_DUMP)", errno);
	bench_report(t1 - t0, d.count, NULL);
	nfct_close(h);
	return 0;
}

/* One object per family, refilled for each entry: no allocation per
 * update, and no attribute of the other family left set. */
static void set_key(struct nf_conntrack *ct, const struct bench_entry *e,
		    uint32_t mark)
{
	nfct_set_attr_u8(ct, ATTR_L3PROTO, e->family);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, e->proto);
	if (e->family == AF_INET) {
		nfct_set_attr(ct, ATTR_IPV4_SRC, e->src);
		nfct_set_attr(ct, ATTR_IPV4_DST, e->dst);
	} else {
		nfct_set_attr(ct, ATTR_IPV6_SRC, e->src);
		nfct_set_attr(ct, ATTR_IPV6_DST, e->dst);
	}
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(e->sport));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(e->dport));
	nfct_set_attr_u32(ct, ATTR_MARK, mark);
}

static __attribute__((noinline)) int
measured_update_each(struct nfct_handle *h, const struct bench_entry *entries,
		     uint32_t n, uint32_t hi, struct nf_conntrack *objs[2])
{
	for (uint32_t i = 0; i < n; i++) {
		const struct bench_entry *e = &entries[i];
		struct nf_conntrack *ct = objs[e->family == AF_INET6];

		set_key(ct, e, (hi << 16) | (e->mark & BENCH_MARK_SELECTORS));
		if (nfct_query(h, NFCT_Q_UPDATE, ct) < 0)
			return -errno;
	}
	return (int)n;
}

static int cmd_update_each(uint32_t n, uint32_t hi)
{
	struct nfct_handle *h = open_handle();
	struct bench_entry *entries = calloc(n, sizeof(*entries));
	struct nf_conntrack *objs[2] = { nfct_new(), nfct_new() };
	uint64_t t0, t1;
	int ret;

	if (!entries || !objs[0] || !objs[1])
		bench_die("allocation", -ENOMEM);
	for (uint32_t i = 0; i < n; i++)
		bench_entry(i, &entries[i]);
	t0 = bench_now_ns();
	ret = measured_update_each(h, entries, n, hi, objs);
	t1 = bench_now_ns();
	if (ret < 0)
		bench_die("nfct_query(NFCT_Q_UPDATE)", ret);
	bench_report(t1 - t0, (uint64_t)ret, NULL);
	nfct_destroy(objs[0]);
	nfct_destroy(objs[1]);
	free(entries);
	nfct_close(h);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "dump"))
		return cmd_dump();
	if (!strcmp(cmd, "update-each") && argc == 4)
		return cmd_update_each((uint32_t)bench_arg_u64(argv[2], "N"),
				       (uint32_t)bench_arg_u64(argv[3], "HI"));
	fprintf(stderr, "usage: bench-nfct dump | update-each N HI\n");
	return 2;
}
