/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the reply path. The input scripts what the fake kernel
 * answers (datagram boundaries, senders, sequence numbers, truncation,
 * failing system calls; see fuzz_ops.h), then a conntrack handle opened
 * over the fake syscall table lists, dumps, gets, creates or batches, the
 * whole stack from recvmsg() to struct ctnl_flow. Whatever comes, the
 * operation returns a count or a negative errno, a list or an entry is
 * either whole or untouched, and once the handle is closed no descriptor
 * stays open (AddressSanitizer's leak check covers memory). Every message
 * sent and received also goes through the trace hook to the decoder
 * (fuzz_trace()).
 *
 * A tap on the syscall table (fuzz_tap.h) sees what the library was told,
 * and the answers are judged against that: an error the operation returns
 * is one a system call gave it, a status the kernel sent, or one of the
 * library's own whose cause is in what it read (a foreign sender, port id
 * or sequence number, an oversized datagram, ...), never one nothing
 * scheduled. A batch's results are each its own request's: read off the
 * replies here, request by request, they must be what the batch says.
 */
#include <stdint.h>

#include <ctnl/mocks.h>

#include "fuzz_ops.h"
#include "fuzz_tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int pick_errno(uint8_t b)
{
	/* Index 0 ("none") is no error for a failing receive. */
	return -fuzz_errnos[1 + b % (FUZZ_NERRNOS - 1)];
}

/* What the input scheduled that the tap cannot see. */
struct script {
	bool short_send;	/* a sendmsg() sends a byte short: -EIO */
};

static void apply_record(struct ctnl_fake_sys *f, struct script *sc,
			 uint8_t kind, const uint8_t *p, size_t len)
{
	uint8_t b0 = len > 0 ? p[0] : 0, b1 = len > 1 ? p[1] : 0;
	uint8_t b2 = len > 2 ? p[2] : 0;
	int err;

	switch (kind % FUZZ_REC_KINDS) {
	case FUZZ_REC_STAMPED:
		ctnl_fake_sys_queue(f, p, len);
		break;
	case FUZZ_REC_KERNEL:
		ctnl_fake_sys_queue_raw(f, 0, 0, p, len);
		break;
	case FUZZ_REC_FOREIGN:
		ctnl_fake_sys_queue_raw(f, 1u + b0, 0, p, len);
		break;
	case FUZZ_REC_ERRNO:
		ctnl_fake_sys_queue_errno(f, pick_errno(b0));
		break;
	case FUZZ_REC_DONE:
		ctnl_fake_sys_queue_done(f, -fuzz_errnos[b0 % FUZZ_NERRNOS]);
		break;
	default:
		/* Errno index 0: sendmsg() sends a byte short. */
		err = fuzz_errnos[b2 % FUZZ_NERRNOS];
		sc->short_send |= !err && b0 % CTNL_FAKE_NCALLS ==
						  CTNL_FAKE_SENDMSG;
		ctnl_fake_sys_fail(f, (enum ctnl_fake_call)(b0 % CTNL_FAKE_NCALLS),
				   b1, err ? -err : CTNL_FAKE_SHORT);
		break;
	}
}

/* The messages of tapped datagram @d, one at a time (whole ones only). */
static const struct nlmsghdr *next_msg(const struct fuzz_dgram *d,
				       size_t *off)
{
	struct nlmsghdr h;
	const uint8_t *at = d->bytes + *off;

	if (d->copied - *off < sizeof(h))
		return NULL;
	memcpy(&h, at, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > d->copied - *off)
		return NULL;
	*off += NLMSG_ALIGN(h.nlmsg_len) < d->copied - *off
			? NLMSG_ALIGN(h.nlmsg_len)
			: d->copied - *off;
	return (const struct nlmsghdr *)(const void *)at;
}

/* The status an NLMSG_ERROR or NLMSG_DONE carries; false if it has none
 * that a kernel could send. */
static bool status_of(const struct nlmsghdr *nlh, int *status)
{
	size_t need = nlh->nlmsg_type == NLMSG_ERROR ? sizeof(struct nlmsgerr)
						     : sizeof(int);

	if ((nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_type != NLMSG_DONE) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + need)
		return false;
	memcpy(status, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(*status));
	return *status <= 0 && *status >= -4095;
}

/* The sequence numbers of sent datagram @i (a request, or a batch). */
static bool sent_seqs(struct ctnl_fake_sys *f, size_t i, uint32_t *first,
		      uint32_t *last)
{
	size_t len;
	const uint8_t *p = ctnl_fake_sys_sent(f, i, &len);
	struct fuzz_dgram d = { .bytes = (uint8_t *)p, .copied = len };
	const struct nlmsghdr *nlh;
	size_t off = 0;
	bool any = false;

	if (!p)
		return false;
	while ((nlh = next_msg(&d, &off))) {
		if (!any)
			*first = nlh->nlmsg_seq;
		*last = nlh->nlmsg_seq;
		any = true;
	}
	return any;
}

/* Whether the input made the library answer @err of its own accord. */
static bool own_error(const struct script *sc, uint8_t op, uint8_t cfg,
		      int err)
{
	switch (err) {
	case EIO:	/* a short send */
		return sc->short_send;
	case ECANCELED:	/* the dump's callback fails */
		return cfg >> FUZZ_CFG_STOP_SHIFT >= 8;
	case ETIMEDOUT:	/* a non-blocking socket with nothing to come */
		return cfg & FUZZ_CFG_NONBLOCK;
	case ENOSPC:	/* labels that did not stick */
		return op % FUZZ_OPS == FUZZ_CREATE_LABELS;
	default:
		return false;
	}
}

/* Whether what the library read explains the error @err it returned. */
/*
 * Whether @d may have been read as a reply. A drain reads with
 * MSG_DONTWAIT; so does every read on a non-blocking socket, where a drain
 * and a reply cannot be told apart, and either may hold the answer.
 */
static bool maybe_reply(const struct fuzz_dgram *d, uint8_t cfg)
{
	return !d->dontwait || (cfg & FUZZ_CFG_NONBLOCK);
}

static bool explained(const struct fuzz_tap *t, const struct script *sc,
		      uint8_t op, uint8_t cfg, int err)
{
	if (fuzz_tap_told(t, err) || own_error(sc, op, cfg, err))
		return true;
	for (size_t i = 0; i < t->n; i++) {
		const struct fuzz_dgram *d = &t->d[i];
		const struct nlmsghdr *nlh;
		uint32_t first = 0, last = 0;
		size_t off = 0;
		int status;

		if (err == EPERM && d->sender != 0)
			return true;
		if (err == EMSGSIZE && d->len > d->copied)
			return true;
		if (err == EBADMSG)	/* what was read was malformed */
			return true;
		if (!maybe_reply(d, cfg) || d->sender != 0)
			continue;
		if (!sent_seqs(t->fake, d->sent - 1, &first, &last))
			continue;
		while ((nlh = next_msg(d, &off))) {
			if (err == ESRCH && nlh->nlmsg_pid != CTNL_FAKE_PORTID)
				return true;
			if (err == EPROTO && (nlh->nlmsg_seq < first ||
					      nlh->nlmsg_seq > last))
				return true;
			if (err == EINTR && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
				return true;
			if (status_of(nlh, &status) && status == -err)
				return true;
		}
	}
	return false;
}

/*
 * A batch's results, read off the replies: each NLMSG_ERROR addressed to
 * one of its requests is that request's result, and once the last one is
 * answered, every request not reported has succeeded. When the batch
 * succeeded, its results are exactly those; when it failed, each result
 * is its request's own reply, or the failure.
 */
static void check_batch(const struct fuzz_tap *t, uint8_t cfg, int ret,
			const int results[3])
{
	int want[3] = { 1, 1, 1 };	/* 1: not known */
	uint32_t first, last;
	bool answered = false;
	size_t sent = ctnl_fake_sys_sent_count(t->fake);

	if (sent == 0 || !sent_seqs(t->fake, sent - 1, &first, &last) ||
	    last - first != 2)
		return;
	for (size_t i = 0; i < t->n && !answered; i++) {
		const struct fuzz_dgram *d = &t->d[i];
		const struct nlmsghdr *nlh;
		size_t off = 0;
		int status;

		if (!maybe_reply(d, cfg) || d->sent != sent || d->sender != 0 ||
		    d->len > d->copied)
			continue;
		while (!answered && (nlh = next_msg(d, &off))) {
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_pid != CTNL_FAKE_PORTID ||
			    nlh->nlmsg_seq < first || nlh->nlmsg_seq > last ||
			    !status_of(nlh, &status))
				break;
			want[nlh->nlmsg_seq - first] = status;
			answered = nlh->nlmsg_seq == last;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (answered && want[i] == 1)
			want[i] = 0;
		if (ret >= 0)
			FUZZ_CHECK(results[i] == want[i]);
		else
			FUZZ_CHECK(results[i] == ret || results[i] == want[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctnl_sock_config cfg;
	struct ctnl_fake_sys *f;
	struct fuzz_tap tap;
	struct script sc = { .short_send = false };
	struct ctnl_ct *ct = NULL;
	FILE *sink;
	uint8_t op, flags, kind;
	const uint8_t *rec;
	size_t len;
	int ret, results[3] = { 1, 1, 1 };

	if (size < 2)
		return 0;
	op = data[0];
	flags = data[1];
	data += 2;
	size -= 2;

	FUZZ_CHECK(ctnl_fake_sys_new(&f) == 0);
	fuzz_tap_init(&tap, f);
	cfg = fuzz_sock_config(flags);
	FUZZ_CHECK(ctnl_ct_open(&tap.sys, &cfg, &ct) == 0);
	sink = fopen("/dev/null", "w");
	FUZZ_CHECK(sink != NULL);
	FUZZ_CHECK(ctnl_ct_set_trace(ct, fuzz_trace, sink) == 0);

	while (fuzz_next_record(&data, &size, &kind, &rec, &len))
		apply_record(f, &sc, kind, rec, len);

	ret = fuzz_run_op(ct, op, flags, results);
	if (ret < 0)
		FUZZ_CHECK(explained(&tap, &sc, op, flags, -ret));
	if (op % FUZZ_OPS == FUZZ_BATCH)
		check_batch(&tap, flags, ret, results);

	/* Whatever the replies did to it, the handle can be used on, and
	 * closed without leaving anything behind. */
	ctnl_fake_sys_queue_ack(f, 0, 0, NULL);
	fuzz_check_ret(ctnl_ct_flush(ct, CTNL_TABLE_CONNTRACK, AF_INET));
	ctnl_ct_close(ct);
	fclose(sink);
	FUZZ_CHECK(ctnl_fake_sys_open_fds(f) == 0);
	FUZZ_CHECK(ctnl_fake_sys_bad_closes(f) == 0);
	fuzz_tap_free(&tap);
	ctnl_fake_sys_free(f);
	return 0;
}
