/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runner's own state, shared by the files that run a command:
 * select.c turns options into filters, keys and changes, output.c prints
 * entries and reports, commands.c and events.c carry out the commands,
 * run.c sets up and chooses.
 */
#ifndef CTNL_TOOLS_RUNNER_H
#define CTNL_TOOLS_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "progname.h"
#include "run.h"
#include "textbuf.h"

/* What one run of a command holds. */
struct ctx {
	const struct cli *c;
	const struct run_env *env;
	struct ctnl_labels label, label_add, label_del;
	struct ctnl_filter filter;
	struct ctnl_format_opts opts;
	const char *const *names;	/* all label names (JSON) */
	uint64_t shown;
	bool done;			/* events: the limit is reached */
	struct progname_cache progname;	/* events from user space */

	/* conntrack's syntax */
	struct textbuf line;		/* the line being written */
	bool xml_open;			/* the XML header is out */
	unsigned int save_type;		/* -o save: "-A" or "-D" (an event
					 * type) */
	bool labels_out;		/* labels= on text lines */
	bool in_file;			/* a line of -R: no summary, and
					 * nothing changed is no failure */
};

/* ---- select.c: options turned into filters, keys and changes ---- */

/* Fills x->filter from the options. */
void sel_filter(struct ctx *x);
/* Whether @f passes what struct ctnl_filter cannot say (ICMP fields, an
 * SCTP state), checked here. */
bool sel_extra_match(const struct cli *c, const struct ctnl_flow *f);
/* Whether the options have such criteria. */
bool sel_has_extra(const struct cli *c);
/* The filter and the rest. */
bool sel_match(const struct ctx *x, const struct ctnl_flow *f);
/* One direction's tuple as the options give it. */
void sel_tuple(const struct cli *c, const struct cli_dir *d,
	       struct ctnl_tuple *t);
/* The key naming the one entry of a whole tuple (cli_whole_tuple()). */
void sel_key(const struct cli *c, struct ctnl_flow *key);
/* The key naming an expectation by its expected tuple. */
void sel_expect_key(const struct cli *c, struct ctnl_expect *key);
/* What an update changes. */
void sel_change(const struct ctx *x, struct ctnl_change *ch);
/* Whether -m has a mask (the new mark then depends on the old). */
bool sel_mark_masked(const struct cli *c);
/* The mark an update gives an entry whose mark is @old. */
uint32_t sel_new_mark(const struct cli *c, uint32_t old);
/* The entry and the expectation a create makes. */
void sel_created(const struct ctx *x, struct ctnl_flow *f);
void sel_created_expect(const struct cli *c, struct ctnl_expect *e);
/* Label names resolved into bits; CLI_EXIT_USAGE and a message in @err
 * for an unknown name. */
int sel_labels(struct ctx *x, char *err, size_t size);

/* ---- output.c: entries, summaries, errors ---- */

/* "ctnl: get: Operation not permitted: the kernel's words" on stderr;
 * returns CLI_EXIT_FAIL. */
int out_kernel_fail(const struct ctx *x, const char *what, int err);
/* "ctnl: get: no such entry"; CLI_EXIT_FAIL. */
int out_no_such_entry(const struct ctx *x);
/* The summary line on stderr: "ctnl v0.2.0 (libctnl): N WHAT." */
void out_summary(const struct ctx *x, uint64_t n, const char *what);
/* In JSON, what a change did goes to stdout too, as one object. */
void out_json_result(const struct ctx *x, uint64_t n);
/* "conntrack" or "expect". */
const char *out_table_name(enum ctnl_table t);
/* One entry or expectation, as text or JSON; @ev NULL if not an event. */
void out_flow(struct ctx *x, const struct ctnl_flow *f,
	      const struct json_event *ev);
void out_expect(struct ctx *x, const struct ctnl_expect *e,
		const struct json_event *ev);

/* conntrack's formats (-o xml, save, extended, ...): one entry or
 * expectation, and the end of the XML document if it was begun. */
void out_ct_flow(struct ctx *x, const struct ctnl_flow *f,
		 const struct json_event *ev);
void out_ct_expect(struct ctx *x, const struct ctnl_expect *e,
		   const struct json_event *ev);
void out_ct_end(struct ctx *x);

/* ---- commands.c, events.c ---- */

int cmd_list(struct ctx *x);
int cmd_get(struct ctx *x);
int cmd_create(struct ctx *x);
int cmd_change(struct ctx *x);		/* update and delete */
int cmd_flush(struct ctx *x);
int cmd_count(struct ctx *x);
int cmd_stats(struct ctx *x);
int cmd_events(struct ctx *x);

/* ---- ctcommands.c: the commands in conntrack's syntax ---- */

int ct_run(struct ctx *x);
/* -R FILE (load.c). */
int ct_load(struct ctx *x);

/* ---- run.c ---- */

/* What every command needs first: label names resolved, the output's
 * options, the filter. CLI_EXIT_USAGE (said) for an unknown label. */
int run_prepare(struct ctx *x);

#endif /* CTNL_TOOLS_RUNNER_H */
