/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A one-line progress report on standard error for long bulk operations
 * (-R, -D, -U; delete and update): once one has run for about a second,
 * the entries done and the rate, rewritten in place, and wiped when it
 * ends. Only when the run environment says standard error is a terminal.
 */
#ifndef CTNL_TOOLS_PROGRESS_H
#define CTNL_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctnl/ctnl.h>

#include "run.h"

/* Entries per batch while a report is kept: one update per batch. */
#define PROGRESS_CHUNK 8192

struct progress {
	const struct run_env *env;	/* NULL: no report */
	const char *what;		/* "deleted", "updated", "done" */
	uint64_t done, total;
	int64_t start_ms, last_ms;
	bool shown;			/* a line is on the terminal */
};

/* Starts a report of @total entries, if env->progress. */
void progress_begin(struct progress *p, const struct run_env *env,
		    const char *what, uint64_t total);
/* @n more done; the line is rewritten after the first second, at most
 * ten times a second. */
void progress_step(struct progress *p, uint64_t n);
/* Wipes the line, if one was shown. */
void progress_end(struct progress *p);

/*
 * ctnl_ct_batch() of @count entries, as several batches of
 * PROGRESS_CHUNK with the report stepped after each while @p reports,
 * else as one. @nchanges is 1 (one change for all) or @count. Every
 * results[] is set; returns what ctnl_ct_batch() returns: the number
 * that succeeded, or the first negative failure of a whole batch.
 */
int progress_batch(struct progress *p, struct ctnl_ct *ct, enum ctnl_op op,
		   const struct ctnl_flow *flows, size_t count,
		   const struct ctnl_change *changes, size_t nchanges,
		   int *results);

#endif /* CTNL_TOOLS_PROGRESS_H */
