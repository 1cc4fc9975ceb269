/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The C half of the Python binding: cursors over libctnl's walks, and
 * event batches. See shim.h.
 *
 * A cursor's walk runs on a stack of its own, switched to and from with
 * swapcontext(3) in the calling thread. Python never runs on that stack:
 * the binding calls pyctnl_cursor_next() (cffi releases the GIL around
 * it), the walk fills the batch with plain C copies, and control comes
 * back to the caller's stack before any Python object is made.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "shim.h"

/* The walk's stack: the library's deepest path (a dump over the fake, a
 * resync) uses a few KiB; this is generous, and only the pages touched
 * become memory. A guard page below it turns an overflow into a crash
 * rather than silent corruption. Stacks are made once per handle and
 * reused: mapping and faulting in fresh pages for every dump costs more
 * than a small dump itself (some 600 us a time on a loaded VM). */
#define WALK_STACK (256 * 1024)

struct pyctnl_stack {
	void *map;			/* guard page + WALK_STACK */
	size_t len;
	bool busy;			/* a cursor runs on it */
};

enum cursor_state { CURSOR_NEW, CURSOR_RUNNING, CURSOR_ENDED };

struct pyctnl_cursor {
	struct ctnl_ct *ct;
	struct ctnl_ct *req;		/* RESYNC: the request handle */
	int kind;
	uint8_t family;			/* EXPECTS */
	bool has_filter;
	struct ctnl_filter filter;	/* FLOWS */
	struct ctnl_dump_info info;

	enum cursor_state state;
	int result;			/* the walk's return value */
	bool error_told;		/* a failed result was returned once */
	bool stopping;			/* pyctnl_cursor_free() ends it */

	unsigned char *batch;
	size_t item, cap, n;

	struct pyctnl_stack *stack;	/* borrowed while the walk runs */
	ucontext_t caller, walker;
};

size_t pyctnl_item_size(int kind)
{
	switch (kind) {
	case PYCTNL_WALK_FLOWS:
		return sizeof(struct ctnl_flow);
	case PYCTNL_WALK_EXPECTS:
		return sizeof(struct ctnl_expect);
	case PYCTNL_WALK_RESYNC:
		return sizeof(struct ctnl_event);
	default:
		return 0;
	}
}

int pyctnl_stack_new(struct pyctnl_stack **ret)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct pyctnl_stack *s;

	if (!ret)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->len = page + WALK_STACK;
	s->map = mmap(NULL, s->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (s->map == MAP_FAILED || mprotect(s->map, page, PROT_NONE) < 0) {
		int err = -errno;

		if (s->map != MAP_FAILED)
			munmap(s->map, s->len);
		free(s);
		return err;
	}
	*ret = s;
	return 0;
}

void pyctnl_stack_free(struct pyctnl_stack *s)
{
	if (!s)
		return;
	munmap(s->map, s->len);
	free(s);
}

int pyctnl_cursor_new(struct ctnl_ct *ct, int kind,
		      const struct ctnl_filter *filter, int family,
		      struct ctnl_ct *req, struct pyctnl_stack *stack,
		      struct pyctnl_cursor **ret)
{
	struct pyctnl_cursor *c;

	if (!ct || !ret || !stack || !pyctnl_item_size(kind) || family < 0 ||
	    family > UINT8_MAX || (kind == PYCTNL_WALK_RESYNC && !req))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ct = ct;
	c->req = req;
	c->kind = kind;
	c->stack = stack;
	c->family = (uint8_t)family;
	c->item = pyctnl_item_size(kind);
	if (filter) {
		c->filter = *filter;
		c->has_filter = true;
	}
	*ret = c;
	return 0;
}

/*
 * Every item of the walk comes here: copied into the batch, and when the
 * batch is full, back to the caller until it asks for more. A cursor being
 * freed ends the walk: dumps stop (the library finishes the request
 * cleanly); a resync counts CTNL_CB_STOP as going on, so it is failed.
 */
static int take(struct pyctnl_cursor *c, const void *item)
{
	if (c->stopping)
		return c->kind == PYCTNL_WALK_RESYNC ? -ECANCELED : CTNL_CB_STOP;
	memcpy(c->batch + c->n * c->item, item, c->item);
	if (++c->n < c->cap)
		return CTNL_CB_OK;
	swapcontext(&c->walker, &c->caller);
	if (c->stopping)
		return c->kind == PYCTNL_WALK_RESYNC ? -ECANCELED : CTNL_CB_STOP;
	return CTNL_CB_OK;
}

static int take_flow(const struct ctnl_flow *flow, void *data)
{
	return take(data, flow);
}

static int take_expect(const struct ctnl_expect *exp, void *data)
{
	return take(data, exp);
}

static int take_event(const struct ctnl_event *ev, void *data)
{
	return take(data, ev);
}

static int walk(struct pyctnl_cursor *c)
{
	switch (c->kind) {
	case PYCTNL_WALK_FLOWS:
		return ctnl_ct_dump(c->ct, c->has_filter ? &c->filter : NULL,
				    take_flow, c, &c->info);
	case PYCTNL_WALK_EXPECTS:
		return ctnl_ct_dump_expect(c->ct, c->family, take_expect, c);
	default:
		return ctnl_ct_resync(c->ct, c->req, take_event, c);
	}
}

/* The coroutine's body; makecontext() passes only ints, so the cursor
 * comes in two halves. Returning resumes uc_link, the caller. */
static void walk_main(unsigned int hi, unsigned int lo)
{
	struct pyctnl_cursor *c =
		(void *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);

	c->result = walk(c);
	c->state = CURSOR_ENDED;
}

static int start(struct pyctnl_cursor *c)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t p = (uintptr_t)c;

	/* One walk per stack at a time: the binding allows one per handle. */
	if (c->stack->busy)
		return -EBUSY;
	if (getcontext(&c->walker) < 0)
		return -errno;
	c->walker.uc_stack.ss_sp = (unsigned char *)c->stack->map + page;
	c->walker.uc_stack.ss_size = c->stack->len - page;
	c->walker.uc_link = &c->caller;
	makecontext(&c->walker, (void (*)(void))walk_main, 2,
		    (unsigned int)(p >> 16 >> 16), (unsigned int)p);
	c->stack->busy = true;
	c->state = CURSOR_RUNNING;
	return 0;
}

/* Switches to the walk until it fills the batch or ends. */
static void resume(struct pyctnl_cursor *c)
{
	swapcontext(&c->caller, &c->walker);
	if (c->state == CURSOR_ENDED)
		c->stack->busy = false;
}

int pyctnl_cursor_next(struct pyctnl_cursor *c, void *batch, size_t cap)
{
	int ret;

	if (!c || !batch || cap == 0 || cap > INT32_MAX)
		return -EINVAL;
	c->batch = batch;
	c->cap = cap;
	c->n = 0;
	if (c->state == CURSOR_NEW && (ret = start(c)) < 0)
		return ret;
	if (c->state == CURSOR_RUNNING)
		resume(c);
	if (c->n > 0)
		return (int)c->n;
	if (c->result < 0 && !c->error_told) {
		c->error_told = true;
		return c->result;
	}
	return 0;
}

int pyctnl_cursor_result(const struct pyctnl_cursor *c)
{
	return c->result;
}

const struct ctnl_dump_info *pyctnl_cursor_info(const struct pyctnl_cursor *c)
{
	return &c->info;
}

int pyctnl_cursor_active(const struct pyctnl_cursor *c)
{
	return c && c->state == CURSOR_RUNNING;
}

void pyctnl_cursor_free(struct pyctnl_cursor *c)
{
	if (!c)
		return;
	if (c->state == CURSOR_RUNNING) {
		c->stopping = true;
		c->n = 0;
		resume(c);
	}
	free(c);
}

/* ---- Events ---- */

struct event_batch {
	struct ctnl_event *out;
	size_t cap, n;
};

static int take_read_event(const struct ctnl_event *ev, void *data)
{
	struct event_batch *b = data;

	/* The library calls no more after CTNL_CB_STOP; should it ever,
	 * failing the read beats dropping an event unseen. */
	if (b->n >= b->cap)
		return -EOVERFLOW;
	b->out[b->n++] = *ev;
	return b->n == b->cap ? CTNL_CB_STOP : CTNL_CB_OK;
}

static int take_report(const struct ctnl_event *ev, void *data)
{
	*(struct ctnl_event *)data = *ev;
	return CTNL_CB_OK;
}

int pyctnl_unsubscribe(struct ctnl_ct *ct, struct ctnl_event *report)
{
	if (!ct || !report)
		return -EINVAL;
	report->type = 0;
	return ctnl_ct_unsubscribe(ct, take_report, report);
}

int pyctnl_event_read(struct ctnl_ct *ct, struct ctnl_event *batch,
		      size_t cap, int *pending)
{
	struct event_batch b = { .out = batch, .cap = cap };
	int ret;

	if (!ct || !batch || !pending || cap == 0 || cap > INT32_MAX)
		return -EINVAL;
	*pending = 0;
	ret = ctnl_ct_event_read(ct, take_read_event, &b);
	if (ret < 0 && b.n == 0)
		return ret;
	if (ret < 0)
		*pending = ret;
	return (int)b.n;
}
