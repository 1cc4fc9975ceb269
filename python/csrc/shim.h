/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The C half of the Python binding: what Python cannot do through cffi
 * alone. Two things:
 *
 *  - Cursors turn libctnl's callback-driven walks (ctnl_ct_dump(),
 *    ctnl_ct_dump_expect(), ctnl_ct_resync()) into something Python can
 *    pull from, a batch at a time, in constant memory. The walk runs on a
 *    stack of its own (a ucontext coroutine) in the calling thread: its
 *    callback copies each item into the caller's batch and, when the batch
 *    is full, switches back to the caller, which resumes it for the next
 *    batch. No thread, no lock, no call into Python per entry; the
 *    library sees one ordinary call on one thread.
 *  - Event batches: ctnl_ct_event_read() with a callback that copies
 *    events into the caller's array and stops when it is full (the rest
 *    waits in the socket for the next read, as the library promises).
 *
 * Everything here returns 0 or a count, or a negative errno, as libctnl
 * does.
 */
#ifndef PYCTNL_SHIM_H
#define PYCTNL_SHIM_H

#include <stddef.h>

#include <ctnl/ctnl.h>

/* What a cursor walks, and so what its batches hold. */
enum pyctnl_walk {
	PYCTNL_WALK_FLOWS = 0,		/* ctnl_ct_dump(): struct ctnl_flow */
	PYCTNL_WALK_EXPECTS = 1,	/* ctnl_ct_dump_expect(): struct ctnl_expect */
	PYCTNL_WALK_RESYNC = 2,		/* ctnl_ct_resync(): struct ctnl_event */
};

struct pyctnl_cursor;
struct pyctnl_stack;

/*
 * A stack for walks to run on, with a guard page: one per handle, reused
 * by its walks one after the other. On success *@ret is the caller's, for
 * pyctnl_stack_free() (once no cursor uses it). Errors: -EINVAL, -ENOMEM,
 * those of mmap(2) and mprotect(2).
 */
int pyctnl_stack_new(struct pyctnl_stack **ret);
void pyctnl_stack_free(struct pyctnl_stack *s);

/*
 * Prepares a walk of @kind over @ct, to run on @stack (borrowed: it must
 * outlive the cursor); nothing is sent until the first
 * pyctnl_cursor_next(). @filter (FLOWS; NULL: all) is copied; @family is
 * the family of EXPECTS; @req is the request handle of RESYNC (@ct being
 * the subscribed one). On success *@ret is the caller's, for
 * pyctnl_cursor_free(). Errors: -EINVAL, -ENOMEM; the first
 * pyctnl_cursor_next() fails with -EBUSY while another walk runs on
 * @stack.
 */
int pyctnl_cursor_new(struct ctnl_ct *ct, int kind,
		      const struct ctnl_filter *filter, int family,
		      struct ctnl_ct *req, struct pyctnl_stack *stack,
		      struct pyctnl_cursor **ret);

/*
 * Runs the walk until @cap items are in @batch (an array of the kind's
 * struct) or the walk ends. Returns the number of items stored; 0 once the
 * walk has ended and everything was handed over; a negative errno when the
 * walk failed (after the items stored before the failure were returned by
 * earlier calls). The batch may be a different array at each call.
 */
int pyctnl_cursor_next(struct pyctnl_cursor *c, void *batch, size_t cap);

/* What ctnl_ct_dump() returned (the entries handed over), once the walk
 * has ended; its info (FLOWS). Borrowed, valid as long as @c. */
int pyctnl_cursor_result(const struct pyctnl_cursor *c);
const struct ctnl_dump_info *pyctnl_cursor_info(const struct pyctnl_cursor *c);

/* Whether the walk is under way: started and not ended. */
int pyctnl_cursor_active(const struct pyctnl_cursor *c);

/*
 * Ends the walk early if it is under way (its callback answers
 * CTNL_CB_STOP, so the library finishes the request and leaves the handle
 * usable) and frees the cursor. Accepts NULL. The handle must still be
 * open.
 */
void pyctnl_cursor_free(struct pyctnl_cursor *c);

/*
 * Reads the events already queued on the subscribed @ct, without
 * blocking, into @batch (at most @cap). Returns how many were stored, or
 * a negative errno. When the read fails after some events were stored,
 * those are returned and the error is kept in *@pending for the caller to
 * raise after handing them over.
 */
int pyctnl_event_read(struct ctnl_ct *ct, struct ctnl_event *batch,
		      size_t cap, int *pending);

/*
 * Ends the subscription of @ct with ctnl_ct_unsubscribe(), storing in
 * *@report the overflow report of the loss no read has reported yet.
 * Returns 1 if there was one, 0 if not, or a negative errno (the handle is
 * unsubscribed all the same, and a report is still stored).
 */
int pyctnl_unsubscribe(struct ctnl_ct *ct, struct ctnl_event *report);

/* The size of each walk's item, for the caller's batch arrays. */
size_t pyctnl_item_size(int kind);

#endif /* PYCTNL_SHIM_H */
