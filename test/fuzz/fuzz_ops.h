/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The operations the reply fuzzer drives, and the layout of its inputs
 * and of the event fuzzer's (further down). Shared with the seed capture
 * program, so that a seed captured from the kernel replays the very
 * requests it was captured with: the same operation, the same arguments,
 * hence the same sequence numbers.
 *
 * A reply fuzzer's input is a two-byte header, then records:
 *
 *   byte 0   the operation (enum fuzz_op, modulo FUZZ_OPS)
 *   byte 1   FUZZ_CFG_* bits: socket flags, receive buffer, family, and
 *            when a dump's callback stops or fails
 *   records  kind (1 byte, modulo FUZZ_REC_KINDS), length (2 bytes, little
 *            endian, cut to what is left), that many bytes
 *
 * Each record becomes something the fake kernel does (enum fuzz_rec):
 * queue a datagram stamped as a reply to the latest request, queue one
 * exactly as given from the kernel or from another port, make a receive
 * fail with an errno, end a dump, or fail the n-th system call of a kind.
 */
#ifndef CTNL_FUZZ_OPS_H
#define CTNL_FUZZ_OPS_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctnl/conntrack.h>

/* An invariant the library broke: a crash for the fuzzer to report. */
#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

enum fuzz_op {
	FUZZ_LIST,		/* ctnl_ct_list() of the conntrack table */
	FUZZ_LIST_FILTERED,	/* ctnl_ct_list_filtered(), de-duplicated */
	FUZZ_DUMP,		/* ctnl_ct_dump() streaming to a callback */
	FUZZ_GET,		/* ctnl_ct_get() of FUZZ_KEY */
	FUZZ_LIST_EXPECT,	/* ctnl_ct_list() of the expectation table */
	FUZZ_DUMP_EXPECT,	/* ctnl_ct_dump_expect() to a callback */
	FUZZ_CREATE_LABELS,	/* ctnl_ct_create() with labels: create, get
				 * back, maybe delete */
	FUZZ_BATCH,		/* ctnl_ct_batch() of three mark updates */
	FUZZ_STATS,		/* ctnl_ct_stats(): the conntrack table's size,
				 * or (stop nibble odd) the expectations' */
	FUZZ_STATS_CPU,		/* ctnl_ct_stats_cpu(), both tables' dumps */
	FUZZ_GET_EXPECT,	/* ctnl_ct_get_expect() of FUZZ_EXP_KEY */
	FUZZ_UPDATE_MATCHING,	/* ctnl_ct_update_matching(): TCP entries'
				 * mark, a dump then batched updates */
	FUZZ_DELETE_MATCHING,	/* ctnl_ct_delete_matching() of TCP entries;
				 * stop nibble odd: CTNL_FILTER_UNCOUNTED */
	FUZZ_OPS
};

#define FUZZ_CFG_NONBLOCK 0x01	/* CTNL_SOCK_NONBLOCK */
#define FUZZ_CFG_SMALLBUF 0x02	/* a 256-byte receive buffer */
/* Bits 2-3: the family of lists and dumps: 0 and 3 both, 1 IPv4, 2 IPv6. */
#define FUZZ_CFG_FAMILY_SHIFT 2
/* Bits 4-7: a dump's callback stops (1-7) after that many entries, or
 * fails with -ECANCELED (8-15) after that many minus 7; 0: never. */
#define FUZZ_CFG_STOP_SHIFT 4

enum fuzz_rec {
	FUZZ_REC_STAMPED,	/* datagram, seq and port id of the latest
				 * request written into each message */
	FUZZ_REC_KERNEL,	/* datagram from the kernel, as given */
	FUZZ_REC_FOREIGN,	/* datagram from port id 1 + first byte */
	FUZZ_REC_ERRNO,		/* a receive fails: fuzz_errnos[byte 0] */
	FUZZ_REC_DONE,		/* NLMSG_DONE with status -fuzz_errnos[b0] */
	FUZZ_REC_FAIL,		/* call kind b0, n-th call b1, errno b2 */
	FUZZ_REC_KINDS
};

/* Takes the next record off *@data: its kind, and its bytes in *@rec and
 * *@len (cut to what is left). False at the end of the input. */
static inline bool fuzz_next_record(const uint8_t **data, size_t *size,
				    uint8_t *kind, const uint8_t **rec,
				    size_t *len)
{
	if (*size < 3)
		return false;
	*kind = (*data)[0];
	*len = (size_t)(*data)[1] | (size_t)(*data)[2] << 8;
	if (*len > *size - 3)
		*len = *size - 3;
	*rec = *data + 3;
	*data += 3 + *len;
	*size -= 3 + *len;
	return true;
}

/*
 * The event fuzzer's input (fuzz_event.c): a four-byte header, then
 * records laid out as above (kind, two-byte length, bytes).
 */
/* Byte 0: the events subscribed (CTNL_EVENT_NEW ... EXP_DESTROY; none in
 * the header means all), the overflow mode, a 256-byte receive buffer. */
#define FUZZ_EV_EVENTS 0x1f
#define FUZZ_EV_NO_ENOBUFS 0x20
#define FUZZ_EV_RELIABLE 0x40
#define FUZZ_EV_SMALLBUF 0x80
/* Byte 1: the filter. Bits 0-1: family 1 IPv4, 2 IPv6, 3 none but
 * CTNL_FILTER_USERSPACE; then criteria, their value from byte 3. */
#define FUZZ_EV_F_FAMILY 0x03
#define FUZZ_EV_F_MARK 0x04	/* mark & 0xff == byte 3 */
#define FUZZ_EV_F_PROTO 0x08	/* TCP */
#define FUZZ_EV_F_DPORT 0x10	/* TCP, original destination port byte 3 */
#define FUZZ_EV_F_STATUS 0x20	/* SEEN_REPLY set */
#define FUZZ_EV_F_ZONE 0x40	/* zone byte 3 */
#define FUZZ_EV_F_LABEL 0x80	/* label byte 3 % 128 set */
/* Byte 2: the callback stops at every n-th event (bits 0-5; 0: never),
 * or fails with -ECANCELED there; the last events are read with
 * ctnl_ct_event_loop() rather than ctnl_ct_event_read(). */
#define FUZZ_EV_CB_EVERY 0x3f
#define FUZZ_EV_CB_FAIL 0x40
#define FUZZ_EV_CB_LOOP 0x80

enum fuzz_ev_rec {
	FUZZ_EV_REC_EVENT,	/* a multicast datagram from the kernel */
	FUZZ_EV_REC_FOREIGN,	/* a datagram from port id 1 + byte 0 */
	FUZZ_EV_REC_ERRNO,	/* a receive fails (ENOBUFS, EAGAIN, ...) */
	FUZZ_EV_REC_DROP,	/* the kernel drops byte 0 messages */
	FUZZ_EV_REC_READ,	/* the program reads events now */
	FUZZ_EV_REC_WAIT,	/* ... or polls for them */
	FUZZ_EV_REC_FAIL,	/* call kind b0 fails b1 % 4 calls from now,
				 * with errno b2 */
	FUZZ_EV_REC_SUBSCRIBE,	/* subscribes anew: bytes 0-3 as the header
				 * (events 0 unsubscribes) */
	FUZZ_EV_REC_KINDS
};

/* The errors system calls and the kernel give in answer; index 0 is
 * "none" where that makes sense. */
static const int fuzz_errnos[] = {
	0, EINTR, EAGAIN, ENOBUFS, ENOMEM, EPERM, EBADF, EMSGSIZE, ENOENT,
	EEXIST, ENOSPC, EINVAL, EIO, EBUSY, EOPNOTSUPP, ETIMEDOUT,
};
#define FUZZ_NERRNOS (sizeof(fuzz_errnos) / sizeof(fuzz_errnos[0]))

static inline uint8_t fuzz_cfg_family(uint8_t cfg)
{
	switch ((cfg >> FUZZ_CFG_FAMILY_SHIFT) & 3) {
	case 1:
		return AF_INET;
	case 2:
		return AF_INET6;
	default:
		return 0;
	}
}

/* The socket configuration an input asks for. */
static inline struct ctnl_sock_config fuzz_sock_config(uint8_t cfg)
{
	struct ctnl_sock_config c = { .size = sizeof(c) };

	if (cfg & FUZZ_CFG_NONBLOCK)
		c.flags |= CTNL_SOCK_NONBLOCK;
	if (cfg & FUZZ_CFG_SMALLBUF)
		c.bufsize = 256;
	return c;
}

/* ---- The entries the operations name (documentation addresses) ---- */

static inline struct ctnl_tuple fuzz_tuple(const char *src, const char *dst,
					   uint8_t proto, uint16_t sport,
					   uint16_t dport)
{
	struct ctnl_tuple t;

	FUZZ_CHECK(ctnl_tuple_from_text(&t, src, dst, proto, sport, dport) ==
		   0);
	return t;
}

/* FUZZ_GET's key, and the first of the batch. */
static inline struct ctnl_flow fuzz_key(void)
{
	return (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG,
		.orig = fuzz_tuple("192.0.2.1", "192.0.2.2", IPPROTO_TCP, 1111,
				   2222),
	};
}

/* The batch: two entries that exist when seeds are captured, one not. */
static inline void fuzz_batch_keys(struct ctnl_flow keys[3])
{
	keys[0] = fuzz_key();
	keys[1] = keys[0];
	keys[1].orig = fuzz_tuple("192.0.2.1", "192.0.2.2", IPPROTO_UDP,
				  1111, 2222);
	keys[2] = keys[0];
	keys[2].orig = fuzz_tuple("192.0.2.9", "192.0.2.2", IPPROTO_TCP, 9,
				  2222);
}

/* FUZZ_GET_EXPECT's key: the expectation an FTP PORT command leaves. */
static inline struct ctnl_expect fuzz_exp_key(void)
{
	return (struct ctnl_expect){
		.attrs = CTNL_EXP_ATTR_TUPLE,
		.tuple = fuzz_tuple("192.0.2.2", "192.0.2.1", IPPROTO_TCP, 0,
				    5001),
	};
}

/* FUZZ_CREATE_LABELS's entry: labels 1 and 100. */
static inline struct ctnl_flow fuzz_labelled_flow(void)
{
	struct ctnl_flow f = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT | CTNL_ATTR_LABELS,
		.orig = fuzz_tuple("192.0.2.3", "192.0.2.4", IPPROTO_TCP, 3333,
				   4444),
		.timeout = 120,
	};

	ctnl_labels_set(&f.labels, 1);
	ctnl_labels_set(&f.labels, 100);
	return f;
}

/* ---- What every result must satisfy ---- */

/* A return value: a count, or a negative errno the kernel could give. */
static inline void fuzz_check_ret(int ret)
{
	FUZZ_CHECK(ret >= -4095);
}

static inline void fuzz_check_tuple(const struct ctnl_tuple *t)
{
	FUZZ_CHECK(t->family == AF_INET || t->family == AF_INET6);
}

/* A parsed flow: sane, and printable the way conntrack -L prints. */
static inline void fuzz_check_flow(const struct ctnl_flow *f)
{
	char line[512];
	int n;

	if (f->attrs & CTNL_ATTR_ORIG)
		fuzz_check_tuple(&f->orig);
	if (f->attrs & CTNL_ATTR_REPLY)
		fuzz_check_tuple(&f->reply);
	FUZZ_CHECK(memchr(f->helper, '\0', sizeof(f->helper)) != NULL);
	n = ctnl_flow_format(f, line, sizeof(line));
	FUZZ_CHECK(n >= 0);
	FUZZ_CHECK(strlen(line) == ((size_t)n < sizeof(line)
					    ? (size_t)n : sizeof(line) - 1));
}

static inline void fuzz_check_expect(const struct ctnl_expect *e)
{
	char line[512];
	int n;

	if (e->attrs & CTNL_EXP_ATTR_TUPLE)
		fuzz_check_tuple(&e->tuple);
	if (e->attrs & CTNL_EXP_ATTR_MASTER)
		fuzz_check_tuple(&e->master);
	FUZZ_CHECK(memchr(e->helper, '\0', sizeof(e->helper)) != NULL);
	FUZZ_CHECK(memchr(e->fn, '\0', sizeof(e->fn)) != NULL);
	n = ctnl_expect_format(e, line, sizeof(line));
	FUZZ_CHECK(n >= 0);
	FUZZ_CHECK(strlen(line) == ((size_t)n < sizeof(line)
					    ? (size_t)n : sizeof(line) - 1));
}

/* A dump's callback: checks each entry, then stops or fails on cue. */
struct fuzz_dump {
	unsigned int seen;
	unsigned int stop;	/* the FUZZ_CFG_STOP nibble */
};

static inline int fuzz_dump_verdict(struct fuzz_dump *d)
{
	d->seen++;
	if (d->stop >= 1 && d->stop <= 7 && d->seen == d->stop)
		return CTNL_CB_STOP;
	if (d->stop >= 8 && d->seen == d->stop - 7u)
		return -ECANCELED;
	return CTNL_CB_OK;
}

static inline int fuzz_flow_cb(const struct ctnl_flow *f, void *data)
{
	fuzz_check_flow(f);
	return fuzz_dump_verdict(data);
}

static inline int fuzz_expect_cb(const struct ctnl_expect *e, void *data)
{
	fuzz_check_expect(e);
	return fuzz_dump_verdict(data);
}

/* A list: on success what it says it holds, on failure untouched. */
static inline void fuzz_check_list(int ret, struct ctnl_list *l,
				   const struct ctnl_list *sentinel)
{
	fuzz_check_ret(ret);
	if (ret < 0) {
		FUZZ_CHECK(!memcmp(l, sentinel, sizeof(*l)));
		return;
	}
	FUZZ_CHECK((size_t)ret == l->count);
	FUZZ_CHECK(l->count <= l->capacity);
	for (size_t i = 0; i < l->count; i++) {
		if (l->table == CTNL_TABLE_CONNTRACK)
			fuzz_check_flow(&l->flows[i]);
		else
			fuzz_check_expect(&l->expects[i]);
	}
	ctnl_list_free(l);
}

/*
 * Runs operation @op on @ct as @cfg says, checks what it returns, and
 * returns that; a batch's results are left in @results.
 */
static inline int fuzz_run_op(struct ctnl_ct *ct, uint8_t op, uint8_t cfg,
			      int results[3])
{
	static const struct ctnl_list sentinel = { .count = 12345 };
	struct fuzz_dump d = { .stop = cfg >> FUZZ_CFG_STOP_SHIFT };
	uint8_t family = fuzz_cfg_family(cfg);
	struct ctnl_filter filter = { .family = family };
	struct ctnl_list list = sentinel;
	struct ctnl_flow key = fuzz_key(), out, out_before, keys[3];
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = 7 };
	struct ctnl_dump_info info = { 0 };
	struct ctnl_stats stats, stats_before;
	struct ctnl_cpu_stats cpus[4];
	struct ctnl_expect exp_key = fuzz_exp_key(), exp, exp_before;
	int ret, accepted = 0;

	switch (op % FUZZ_OPS) {
	case FUZZ_LIST:
		ret = ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, family, &list);
		fuzz_check_list(ret, &list, &sentinel);
		break;
	case FUZZ_LIST_FILTERED:
		/* TCP only: the kernel filters with a family given, this
		 * side filters again either way. */
		filter.match = CTNL_MATCH_PROTO;
		filter.proto = IPPROTO_TCP;
		ret = ctnl_ct_list_filtered(ct, &filter, CTNL_LIST_DEDUP,
					    &list);
		fuzz_check_list(ret, &list, &sentinel);
		break;
	case FUZZ_DUMP:
		ret = ctnl_ct_dump(ct, family ? &filter : NULL, fuzz_flow_cb,
				   &d, &info);
		fuzz_check_ret(ret);
		FUZZ_CHECK(info.matched <= info.received);
		if (ret >= 0)
			FUZZ_CHECK((uint64_t)ret == info.matched);
		break;
	case FUZZ_GET:
		memset(&out, 0x5a, sizeof(out));
		out_before = out;
		ret = ctnl_ct_get(ct, &key, &out);
		fuzz_check_ret(ret);
		FUZZ_CHECK(ret <= 0);
		if (ret == 0)
			fuzz_check_flow(&out);
		else
			FUZZ_CHECK(!memcmp(&out, &out_before, sizeof(out)));
		break;
	case FUZZ_LIST_EXPECT:
		ret = ctnl_ct_list(ct, CTNL_TABLE_EXPECT, family, &list);
		fuzz_check_list(ret, &list, &sentinel);
		break;
	case FUZZ_DUMP_EXPECT:
		ret = ctnl_ct_dump_expect(ct, family, fuzz_expect_cb, &d);
		fuzz_check_ret(ret);
		break;
	case FUZZ_CREATE_LABELS:
		key = fuzz_labelled_flow();
		ret = ctnl_ct_create(ct, &key);
		fuzz_check_ret(ret);
		FUZZ_CHECK(ret <= 0);
		break;
	case FUZZ_STATS:
		memset(&stats, 0x5a, sizeof(stats));
		stats_before = stats;
		ret = ctnl_ct_stats(ct, d.stop & 1 ? CTNL_TABLE_EXPECT
						   : CTNL_TABLE_CONNTRACK,
				    &stats);
		fuzz_check_ret(ret);
		FUZZ_CHECK(ret <= 0);
		if (ret < 0)
			FUZZ_CHECK(!memcmp(&stats, &stats_before,
					   sizeof(stats)));
		break;
	case FUZZ_STATS_CPU:
		ret = ctnl_ct_stats_cpu(ct, cpus, 4);
		fuzz_check_ret(ret);
		/* One entry per CPU, each CPU once. */
		for (int i = 0; i < ret && i < 4; i++)
			for (int j = 0; j < i; j++)
				FUZZ_CHECK(cpus[i].cpu != cpus[j].cpu);
		break;
	case FUZZ_GET_EXPECT:
		memset(&exp, 0x5a, sizeof(exp));
		exp_before = exp;
		ret = ctnl_ct_get_expect(ct, &exp_key, &exp);
		fuzz_check_ret(ret);
		FUZZ_CHECK(ret <= 0);
		if (ret == 0)
			fuzz_check_expect(&exp);
		else
			FUZZ_CHECK(!memcmp(&exp, &exp_before, sizeof(exp)));
		break;
	case FUZZ_UPDATE_MATCHING:
		filter.match = CTNL_MATCH_PROTO;
		filter.proto = IPPROTO_TCP;
		ret = ctnl_ct_update_matching(ct, &filter, &change, &info);
		fuzz_check_ret(ret);
		FUZZ_CHECK(info.matched <= info.received);
		if (ret >= 0)
			FUZZ_CHECK((uint64_t)ret <= info.matched);
		break;
	case FUZZ_DELETE_MATCHING:
		filter.match = CTNL_MATCH_PROTO;
		filter.proto = IPPROTO_TCP;
		if (d.stop & 1)
			filter.flags = CTNL_FILTER_UNCOUNTED;
		ret = ctnl_ct_delete_matching(ct, &filter, &info);
		fuzz_check_ret(ret);
		FUZZ_CHECK(info.matched <= info.received);
		if (ret >= 0 && !info.kernel_flush)
			FUZZ_CHECK((uint64_t)ret <= info.matched);
		if (info.kernel_flush)
			FUZZ_CHECK(ret == 0 && (d.stop & 1));
		break;
	default:
		fuzz_batch_keys(keys);
		ret = ctnl_ct_batch(ct, CTNL_OP_UPDATE, keys, 3, &change, 1,
				    results);
		fuzz_check_ret(ret);
		FUZZ_CHECK(ret <= 3);
		for (int i = 0; i < 3; i++) {
			FUZZ_CHECK(results[i] <= 0 && results[i] >= -4095);
			accepted += results[i] == 0;
		}
		if (ret >= 0)
			FUZZ_CHECK(ret == accepted);
		break;
	}
	return ret;
}

/*
 * The trace hook both fuzzers install on their handle: every message it
 * sends or receives, whatever the input made of it, goes through the
 * decoder, which must take it (0, or -EBADMSG for what is cut short or
 * malformed) and read no byte past what it is given; and what the hook is
 * told must be what <ctnl/sock.h> promises. @data is an open FILE *.
 */
static inline void fuzz_trace(enum ctnl_trace_dir dir, int status,
			      const struct nlmsghdr *nlh, size_t len,
			      void *data)
{
	int ret;

	FUZZ_CHECK(nlh != NULL);
	if (dir == CTNL_TRACE_RECEIVED)
		FUZZ_CHECK(status == 0 || status == -EPERM ||
			   status == -EMSGSIZE || status == -EBADMSG ||
			   status == -ESRCH || status == -EPROTO ||
			   status == -ECANCELED);
	else
		FUZZ_CHECK(dir == CTNL_TRACE_SENT && status <= 0);
	/* What the handle accepts is one whole message. */
	if (status == 0)
		FUZZ_CHECK(len >= NLMSG_HDRLEN && len == nlh->nlmsg_len);
	ret = ctnl_msg_fprint(data, nlh, len);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	ctnl_trace_print(dir, status, nlh, len, data);
}

#endif /* CTNL_FUZZ_OPS_H */
