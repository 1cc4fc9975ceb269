/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a parsed command against any implementation of the Conntrack
 * interface: the kernel's (ctnl_ct_open()) or a test's fake.
 */
#ifndef CTNL_TOOLS_RUN_H
#define CTNL_TOOLS_RUN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <ctnl/ctnl.h>

#include "cli.h"
#include "labelmap.h"

struct run_env {
	struct ctnl_ct *ct;
	FILE *out;			/* entries, counts */
	FILE *err;			/* summaries, errors */
	const struct labelmap *labels;	/* names; may be all NULL */
	bool have_labelmap;		/* it came from a file */
	/* Set by a signal handler: events stop at the next chance. */
	volatile sig_atomic_t *stop;
	/* The time delta-time counts to; 0: the clock, line by line. */
	int64_t now;
	/* Long bulk operations report progress on @err (a terminal). */
	bool progress;
	/* Milliseconds of a monotonic clock, for the progress report; NULL:
	 * CLOCK_MONOTONIC. */
	int64_t (*clock_ms)(void);
};

/*
 * Runs @c. Returns the exit status: CLI_EXIT_OK, CLI_EXIT_FAIL (the
 * kernel refused, or there was no such entry; the reason is on env->err)
 * or CLI_EXIT_USAGE (an argument the parser could not judge alone, such
 * as an unknown label name; nothing was changed).
 */
int run(const struct cli *c, const struct run_env *env);

/* "ctnl v0.2.0 (libctnl): ", the summary lines' prefix. */
void run_summary_prefix(FILE *f);

#endif /* CTNL_TOOLS_RUN_H */
