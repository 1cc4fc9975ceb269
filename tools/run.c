/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a parsed command: labels resolved, output options and the
 * filter set up once, then the command.
 */
#include "runner.h"

/* conntrack's -o: extended and id on the text line; labels whenever
 * conntrack would have read the label names (not on what -D prints). */
static void ct_output_options(struct ctx *x)
{
	const struct cli *c = x->c;

	x->opts.flags =
		(c->ct_out & CT_OUT_ID ? CTNL_FORMAT_ID : 0) |
		(c->ct_out & CT_OUT_EXTENDED ? CTNL_FORMAT_EXTENDED : 0);
	/* -o ktimestamp: on what -L and -G list and -E prints. */
	if ((c->ct_out & CT_OUT_KTIMESTAMP) &&
	    (c->cmd == CMD_LIST || c->cmd == CMD_GET || c->cmd == CMD_EVENTS))
		x->opts.flags |= CTNL_FORMAT_TIMESTAMP;
	x->labels_out = x->env->have_labelmap && c->cmd != CMD_DELETE &&
			((c->ct_out & CT_OUT_LABELS) ||
			 (c->given & (G_LABEL | G_LABEL_ADD | G_LABEL_DEL)));
	if (x->labels_out)
		x->opts.label_names = x->names;
}

static void output_options(struct ctx *x)
{
	const struct cli *c = x->c;
	const struct run_env *env = x->env;

	x->names = (const char *const *)env->labels->names;
	x->opts = (struct ctnl_format_opts){
		.size = sizeof(x->opts),
		.flags = (c->out_flags & OUT_ID ? CTNL_FORMAT_ID : 0) |
			 (c->out_flags & OUT_EXTENDED ? CTNL_FORMAT_EXTENDED
						      : 0),
	};
	if (c->syntax == SYNTAX_CONNTRACK) {
		ct_output_options(x);
		return;
	}
	/* conntrack prints labels with -o labels, and whenever -l made it
	 * read the label names. */
	if ((c->out_flags & OUT_LABELS) || (c->given & G_LABEL)) {
		if (env->have_labelmap)
			x->opts.label_names = x->names;
		else if (c->out_flags & OUT_LABELS)
			fprintf(env->err, "ctnl: -o labels: there is no %s, so "
				"no label has a name to show\n", LABELMAP_PATH);
	}
}

int run_prepare(struct ctx *x)
{
	char err[256];
	int ret = sel_labels(x, err, sizeof(err));

	if (ret) {
		fprintf(x->env->err, "ctnl: %s\n", err);
		return ret;
	}
	output_options(x);
	sel_filter(x);
	return 0;
}

/* ctnl's own commands. */
static int run_ctnl(struct ctx *x)
{
	switch (x->c->cmd) {
	case CMD_LIST:
		return cmd_list(x);
	case CMD_GET:
		return cmd_get(x);
	case CMD_CREATE:
		return cmd_create(x);
	case CMD_UPDATE:
	case CMD_DELETE:
		return cmd_change(x);
	case CMD_FLUSH:
		return cmd_flush(x);
	case CMD_COUNT:
		return cmd_count(x);
	case CMD_STATS:
		return cmd_stats(x);
	case CMD_EVENTS:
		return cmd_events(x);
	default:
		fprintf(x->env->err, "ctnl: no command\n");
		return CLI_EXIT_USAGE;
	}
}

int run(const struct cli *c, const struct run_env *env)
{
	struct ctx x = { .c = c, .env = env };
	int ret = run_prepare(&x);

	if (ret)
		return ret;
	ret = c->syntax == SYNTAX_CONNTRACK ? ct_run(&x) : run_ctnl(&x);
	tb_free(&x.line);
	return ret;
}
