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

#include "ctformat.h"
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

	if (x->c->syntax == SYNTAX_CONNTRACK) {
		out_ct_flow(x, f, ev);
		return;
	}
	x->shown++;
	if (x->c->output == OUT_JSON) {
		json_flow(&x->line, f, ev, x->names, now_of(x));
		tb_flush(&x->line, out);
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

	if (x->c->syntax == SYNTAX_CONNTRACK) {
		out_ct_expect(x, e, ev);
		return;
	}
	x->shown++;
	if (x->c->output == OUT_JSON) {
		json_expect(&x->line, e, ev);
		tb_flush(&x->line, x->env->out);
		return;
	}
	x->opts.event = ev ? ev->type : 0;
	ctnl_expect_format_opts(e, &x->opts, line, sizeof(line));
	fputs(line, x->env->out);
	print_userspace(x->env->out, ev);
	fputc('\n', x->env->out);
}

/* ---- conntrack's formats ---- */

/* " [USERSPACE] portid=N progname=NAME" after an event a program made. */
static void ct_userspace(struct textbuf *b, const struct json_event *ev)
{
	if (!ev || !ev->portid)
		return;
	tb_str(b, " [USERSPACE] portid=");
	tb_u64(b, ev->portid);
	if (ev->progname) {
		tb_str(b, " progname=");
		tb_str(b, ev->progname);
	}
}

/* -o timestamp on an event's text line: "[SECONDS.MICROS]\t". */
static void ct_event_time(struct textbuf *b)
{
	struct timespec ts;
	uint64_t us;

	clock_gettime(CLOCK_REALTIME, &ts);
	tb_char(b, '[');
	tb_u64(b, (uint64_t)ts.tv_sec);
	tb_char(b, '.');
	us = (uint64_t)ts.tv_nsec / 1000;
	for (uint64_t d = 100000; d > 1 && us < d; d /= 10)
		tb_char(b, '0');
	tb_u64(b, us);
	tb_str(b, "]\t");
}

static void ct_xml_begin(struct ctx *x)
{
	if (x->xml_open)
		return;
	x->xml_open = true;
	fputs(x->c->table == CTNL_TABLE_EXPECT
		      ? "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<expect>\n"
		      : "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			"<conntrack>\n", x->env->out);
}

void out_ct_end(struct ctx *x)
{
	if (!x->xml_open)
		return;
	fputs(x->c->table == CTNL_TABLE_EXPECT ? "</expect>\n"
					       : "</conntrack>\n", x->env->out);
	x->xml_open = false;
}

/* The library's text line, appended. */
static void ct_text(struct ctx *x, const struct ctnl_flow *f)
{
	struct textbuf *b = &x->line;
	size_t room = b->cap - b->len;
	int n = ctnl_flow_format_opts(f, &x->opts, b->p ? b->p + b->len : NULL,
				      room);

	if (n >= 0 && (size_t)n >= room && tb_room(b, (size_t)n + 1))
		n = ctnl_flow_format_opts(f, &x->opts, b->p + b->len,
					  (size_t)n + 1);
	if (n > 0 && !b->failed)
		b->len += (size_t)n;
}

void out_ct_flow(struct ctx *x, const struct ctnl_flow *f,
		 const struct json_event *ev)
{
	unsigned int out = x->c->ct_out;
	struct textbuf *b = &x->line;

	x->shown++;
	if (out & CT_OUT_SAVE) {
		ct_save_flow(b, f, ev ? ev->type : x->save_type);
	} else if (out & CT_OUT_XML) {
		struct ct_xml how = {
			.event = ev ? ev->type : 0,
			.ktimestamp = out & CT_OUT_KTIMESTAMP,
			.when = ev && (out & CT_OUT_TIMESTAMP),
			.label_names = x->labels_out ? x->names : NULL,
			.now = now_of(x),
		};

		ct_xml_begin(x);
		ct_xml_flow(b, f, &how);
	} else {
		if (ev && (out & CT_OUT_TIMESTAMP))
			ct_event_time(b);
		x->opts.event = ev ? ev->type : 0;
		x->opts.now = now_of(x);
		ct_text(x, f);
	}
	ct_userspace(b, ev);
	tb_char(b, '\n');
	tb_flush(b, x->env->out);
}

void out_ct_expect(struct ctx *x, const struct ctnl_expect *e,
		   const struct json_event *ev)
{
	struct textbuf *b = &x->line;
	char line[2048];

	x->shown++;
	if (x->c->ct_out & CT_OUT_XML) {
		struct ct_xml how = {
			.event = ev ? ev->type : 0,
			.when = ev && (x->c->ct_out & CT_OUT_TIMESTAMP),
			.now = now_of(x),
		};

		ct_xml_begin(x);
		ct_xml_expect(b, e, &how);
		ct_userspace(b, ev);
		tb_char(b, '\n');
		tb_flush(b, x->env->out);
		return;
	}
	if (ev && (x->c->ct_out & CT_OUT_TIMESTAMP))
		ct_event_time(b);
	x->opts.event = ev ? ev->type : 0;
	/* -o extended and id: nothing on an expectation's line. */
	x->opts.flags = 0;
	ctnl_expect_format_opts(e, &x->opts, line, sizeof(line));
	tb_str(b, line);
	ct_userspace(b, ev);
	tb_char(b, '\n');
	tb_flush(b, x->env->out);
}
