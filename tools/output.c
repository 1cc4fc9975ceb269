/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the commands print: entries (text as conntrack prints them, or
 * JSON), the summary line on standard error, and the reasons of failures.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner.h"

void run_summary_prefix(FILE *f)
{
	fprintf(f, "ctnl v%s (libctnl): ", ctnl_version());
}

const char *out_table_name(enum ctnl_table t)
{
	return t == CTNL_TABLE_EXPECT ? "expect" : "conntrack";
}

/* The clock delta-time counts to: time(), as in the text output. */
static int64_t now_of(const struct ctx *x)
{
	return x->env->now ? x->env->now : (int64_t)time(NULL);
}

int out_kernel_fail(const struct ctx *x, const char *what, int err)
{
	const char *msg = ctnl_ct_error_msg(x->env->ct);

	if (err == -ENOSYS) {
		fprintf(x->env->err, "ctnl: %s: not available in this libctnl "
			"(%s)\n", what, strerror(ENOSYS));
		return CLI_EXIT_FAIL;
	}
	fprintf(x->env->err, "ctnl: %s: %s%s%s\n", what, strerror(-err),
		msg && *msg ? ": " : "", msg && *msg ? msg : "");
	return CLI_EXIT_FAIL;
}

int out_no_such_entry(const struct ctx *x)
{
	fprintf(x->env->err, "ctnl: %s: no such entry\n",
		cli_cmd_name(x->c->cmd));
	return CLI_EXIT_FAIL;
}

void out_summary(const struct ctx *x, uint64_t n, const char *what)
{
	run_summary_prefix(x->env->err);
	fprintf(x->env->err, "%" PRIu64 " %s.\n", n, what);
}

void out_json_result(const struct ctx *x, uint64_t n)
{
	if (x->c->output != OUT_JSON)
		return;
	fprintf(x->env->out, "{\"command\":\"%s\",\"table\":\"%s\","
		"\"count\":%" PRIu64 "}\n", cli_cmd_name(x->c->cmd),
		out_table_name(x->c->table), n);
}

/*
 * What conntrack -E adds to an event a program caused (the kernel sends
 * that program's port id): " [USERSPACE] portid=N progname=NAME", the
 * name when the program can still be found.
 */
static void print_userspace(FILE *out, const struct json_event *ev)
{
	if (!ev || !ev->portid)
		return;
	fprintf(out, " [USERSPACE] portid=%u", ev->portid);
	if (ev->progname)
		fprintf(out, " progname=%s", ev->progname);
}

void out_flow(struct ctx *x, const struct ctnl_flow *f,
	      const struct json_event *ev)
{
	FILE *out = x->env->out;
	char line[2048], *big = NULL;
	int n;

	x->shown++;
	if (x->c->output == OUT_JSON) {
		json_flow(out, f, ev, x->names, now_of(x));
		return;
	}
	x->opts.event = ev ? ev->type : 0;
	x->opts.now = now_of(x);	/* per line: events run for long */
	n = ctnl_flow_format_opts(f, &x->opts, line, sizeof(line));
	if (n >= (int)sizeof(line)) {
		big = malloc((size_t)n + 1);
		if (big)
			ctnl_flow_format_opts(f, &x->opts, big, (size_t)n + 1);
	}
	fputs(big ? big : line, out);
	print_userspace(out, ev);
	fputc('\n', out);
	free(big);
}

void out_expect(struct ctx *x, const struct ctnl_expect *e,
		const struct json_event *ev)
{
	char line[2048];

	x->shown++;
	if (x->c->output == OUT_JSON) {
		json_expect(x->env->out, e, ev);
		return;
	}
	x->opts.event = ev ? ev->type : 0;
	ctnl_expect_format_opts(e, &x->opts, line, sizeof(line));
	fputs(line, x->env->out);
	print_userspace(x->env->out, ev);
	fputc('\n', x->env->out);
}
