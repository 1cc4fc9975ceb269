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
 */
#include <stdint.h>

#include <ctnl/mocks.h>

#include "fuzz_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int pick_errno(uint8_t b)
{
	/* Index 0 ("none") is no error for a failing receive. */
	return -fuzz_errnos[1 + b % (FUZZ_NERRNOS - 1)];
}

static void apply_record(struct ctnl_fake_sys *f, uint8_t kind,
			 const uint8_t *p, size_t len)
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
		ctnl_fake_sys_fail(f, (enum ctnl_fake_call)(b0 % CTNL_FAKE_NCALLS),
				   b1, err ? -err : CTNL_FAKE_SHORT);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctnl_sock_config cfg;
	struct ctnl_fake_sys *f;
	struct ctnl_ct *ct = NULL;
	FILE *sink;
	uint8_t op, flags, kind;
	const uint8_t *rec;
	size_t len;

	if (size < 2)
		return 0;
	op = data[0];
	flags = data[1];
	data += 2;
	size -= 2;

	FUZZ_CHECK(ctnl_fake_sys_new(&f) == 0);
	cfg = fuzz_sock_config(flags);
	FUZZ_CHECK(ctnl_ct_open(ctnl_fake_sys_syscalls(f), &cfg, &ct) == 0);
	sink = fopen("/dev/null", "w");
	FUZZ_CHECK(sink != NULL);
	FUZZ_CHECK(ctnl_ct_set_trace(ct, fuzz_trace, sink) == 0);

	while (fuzz_next_record(&data, &size, &kind, &rec, &len))
		apply_record(f, kind, rec, len);

	fuzz_run_op(ct, op, flags);

	/* Whatever the replies did to it, the handle can be used on, and
	 * closed without leaving anything behind. */
	ctnl_fake_sys_queue_ack(f, 0, 0, NULL);
	fuzz_check_ret(ctnl_ct_flush(ct, CTNL_TABLE_CONNTRACK, AF_INET));
	ctnl_ct_close(ct);
	fclose(sink);
	FUZZ_CHECK(ctnl_fake_sys_open_fds(f) == 0);
	FUZZ_CHECK(ctnl_fake_sys_bad_closes(f) == 0);
	ctnl_fake_sys_free(f);
	return 0;
}
