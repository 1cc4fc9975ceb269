/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's commands over the Conntrack interface, and nothing else: no
 * socket of its own, so a fake interface runs them in tests just as the
 * kernel's does. (Events are in events.c.)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "progress.h"
#include "runner.h"

#define CPU_MAX 4096

static int list_flow_cb(const struct ctnl_flow *f, void *data)
{
	struct ctx *x = data;

	if (sel_extra_match(x->c, f))
		out_flow(x, f, NULL);
	return CTNL_CB_OK;
}

static int list_expect_cb(const struct ctnl_expect *e, void *data)
{
	out_expect(data, e, NULL);
	return CTNL_CB_OK;
}

int cmd_list(struct ctx *x)
{
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT) {
		ret = ctnl_ct_dump_expect(x->env->ct, x->c->family,
					  list_expect_cb, x);
		if (ret < 0)
			return out_kernel_fail(x, "list", ret);
		out_summary(x, x->shown, "expectations have been shown");
		return CLI_EXIT_OK;
	}
	ret = ctnl_ct_dump(x->env->ct, &x->filter, list_flow_cb, x, NULL);
	if (ret < 0)
		return out_kernel_fail(x, "list", ret);
	out_summary(x, x->shown, "flow entries have been shown");
	return CLI_EXIT_OK;
}

static int get_expect(struct ctx *x)
{
	struct ctnl_expect key, exp;
	int ret;

	sel_expect_key(x->c, &key);
	ret = ctnl_ct_get_expect(x->env->ct, &key, &exp);
	if (ret == -ENOENT)
		return out_no_such_entry(x);
	if (ret < 0)
		return out_kernel_fail(x, "get", ret);
	out_expect(x, &exp, NULL);
	out_summary(x, 1, "expectations have been shown");
	return CLI_EXIT_OK;
}

int cmd_get(struct ctx *x)
{
	struct ctnl_flow key, flow;
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT)
		return get_expect(x);
	sel_key(x->c, &key);
	ret = ctnl_ct_get(x->env->ct, &key, &flow);
	if (ret == -ENOENT)
		return out_no_such_entry(x);
	if (ret < 0)
		return out_kernel_fail(x, "get", ret);
	out_flow(x, &flow, NULL);
	out_summary(x, 1, "flow entries have been shown");
	return CLI_EXIT_OK;
}

static int create_expect(struct ctx *x)
{
	struct ctnl_expect e;
	int ret;

	sel_created_expect(x->c, &e);
	ret = ctnl_ct_create_expect(x->env->ct, &e);
	if (ret < 0)
		return out_kernel_fail(x, "create", ret);
	out_summary(x, 1, "expectations have been created");
	out_json_result(x, 1);
	return CLI_EXIT_OK;
}

int cmd_create(struct ctx *x)
{
	struct ctnl_flow f;
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT)
		return create_expect(x);
	sel_created(x, &f);
	ret = ctnl_ct_create(x->env->ct, &f);
	if (ret < 0)
		return out_kernel_fail(x, "create", ret);
	out_summary(x, 1, "flow entries have been created");
	out_json_result(x, 1);
	return CLI_EXIT_OK;
}

static const char *done_words(enum cli_cmd cmd)
{
	return cmd == CMD_UPDATE ? "flow entries have been updated"
				 : "flow entries have been deleted";
}

/* One entry, named by its whole tuple. */
static int change_one(struct ctx *x, const struct ctnl_change *change)
{
	struct ctnl_flow key, got;
	struct ctnl_change ch = *change;
	const char *what = cli_cmd_name(x->c->cmd);
	int ret = 0;

	sel_key(x->c, &key);
	if (x->c->cmd == CMD_DELETE) {
		ret = ctnl_ct_delete(x->env->ct, &key);
	} else {
		if (sel_mark_masked(x->c)) {
			ret = ctnl_ct_get(x->env->ct, &key, &got);
			ch.mark = sel_new_mark(x->c, got.mark);
			/* The same entry, not one that took its place. */
			key.attrs |= got.attrs & CTNL_ATTR_ID;
			key.id = got.id;
		}
		if (ret == 0)
			ret = ctnl_ct_update(x->env->ct, &key, &ch);
	}
	if (ret == -ENOENT)
		return out_no_such_entry(x);
	if (ret < 0)
		return out_kernel_fail(x, what, ret);
	out_summary(x, 1, done_words(x->c->cmd));
	out_json_result(x, 1);
	return CLI_EXIT_OK;
}

struct collected {
	struct ctx *x;
	struct ctnl_flow *keys;
	struct ctnl_change *changes;	/* per entry, or NULL */
	const struct ctnl_change *change;
	size_t count, capacity;
};

static int collect_grow(struct collected *col)
{
	size_t cap = col->capacity ? col->capacity * 2 : 256;
	struct ctnl_flow *k = realloc(col->keys, cap * sizeof(*k));
	struct ctnl_change *ch;

	if (!k)
		return -ENOMEM;
	col->keys = k;
	if (col->change) {
		ch = realloc(col->changes, cap * sizeof(*ch));
		if (!ch)
			return -ENOMEM;
		col->changes = ch;
	}
	col->capacity = cap;
	return 0;
}

static int collect_cb(const struct ctnl_flow *f, void *data)
{
	struct collected *col = data;

	if (!sel_extra_match(col->x->c, f))
		return CTNL_CB_OK;
	if (col->count == col->capacity && collect_grow(col) < 0)
		return -ENOMEM;
	/* By tuple and id: an entry that went away and came back as
	 * another is not touched. */
	col->keys[col->count] = (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | (f->attrs & CTNL_ATTR_ID),
		.orig = f->orig,
		.id = f->id,
	};
	if (col->change) {
		col->changes[col->count] = *col->change;
		col->changes[col->count].mark = sel_new_mark(col->x->c, f->mark);
	}
	col->count++;
	return CTNL_CB_OK;
}

/* Sends the collected entries' changes in one batch; the number changed
 * (an entry gone since it was read is no error), *@first_err the first
 * refusal. */
static uint64_t change_batch(struct ctx *x, const struct collected *col,
			     const struct ctnl_change *change, int *first_err)
{
	bool update = x->c->cmd == CMD_UPDATE;
	int *results = calloc(col->count, sizeof(*results));
	struct progress p;
	uint64_t changed = 0;
	int ret = -ENOMEM;

	progress_begin(&p, x->env, update ? "updated" : "deleted",
		       col->count);
	if (results)
		ret = progress_batch(&p, x->env->ct,
				     update ? CTNL_OP_UPDATE : CTNL_OP_DELETE,
				     col->keys, col->count,
				     col->changes ? col->changes : change,
				     update ? (col->changes ? col->count : 1)
					    : 0,
				     results);
	progress_end(&p);
	for (size_t i = 0; results && i < col->count; i++) {
		if (results[i] == 0)
			changed++;
		else if (results[i] != -ENOENT && !*first_err)
			*first_err = results[i];
	}
	if (ret < 0 && !*first_err)
		*first_err = ret;
	free(results);
	return changed;
}

/*
 * Every entry the filters select, read first and then changed in one
 * batch: the way when the interface has no update_matching or
 * delete_matching, or when the change depends on each entry.
 */
static int change_listed(struct ctx *x, const struct ctnl_change *change)
{
	const char *what = cli_cmd_name(x->c->cmd);
	struct collected col = {
		.x = x,
		.change = x->c->cmd == CMD_UPDATE && sel_mark_masked(x->c)
				  ? change : NULL,
	};
	int ret, first_err = 0;
	uint64_t changed = 0;

	ret = ctnl_ct_dump(x->env->ct, &x->filter, collect_cb, &col, NULL);
	if (ret < 0) {
		free(col.keys);
		free(col.changes);
		return out_kernel_fail(x, what, ret);
	}
	if (col.count)
		changed = change_batch(x, &col, change, &first_err);
	free(col.keys);
	free(col.changes);
	out_summary(x, changed, done_words(x->c->cmd));
	out_json_result(x, changed);
	if (first_err)
		return out_kernel_fail(x, what, first_err);
	return CLI_EXIT_OK;
}

static int change_matching(struct ctx *x, const struct ctnl_change *change)
{
	bool update = x->c->cmd == CMD_UPDATE;
	int ret;

	/* On a terminal, read and changed here, to report progress. */
	if (sel_has_extra(x->c) || sel_mark_masked(x->c) || x->env->progress)
		return change_listed(x, change);
	ret = update ? ctnl_ct_update_matching(x->env->ct, &x->filter, change,
					       NULL)
		     : ctnl_ct_delete_matching(x->env->ct, &x->filter, NULL);
	if (ret == -ENOSYS)
		return change_listed(x, change);
	if (ret < 0)
		return out_kernel_fail(x, cli_cmd_name(x->c->cmd), ret);
	out_summary(x, (uint64_t)ret, done_words(x->c->cmd));
	out_json_result(x, (uint64_t)ret);
	return CLI_EXIT_OK;
}

static int delete_expect(struct ctx *x)
{
	struct ctnl_expect key;
	int ret;

	sel_expect_key(x->c, &key);
	ret = ctnl_ct_delete_expect(x->env->ct, &key);
	if (ret == -ENOENT)
		return out_no_such_entry(x);
	if (ret < 0)
		return out_kernel_fail(x, "delete", ret);
	out_summary(x, 1, "expectations have been deleted");
	out_json_result(x, 1);
	return CLI_EXIT_OK;
}

int cmd_change(struct ctx *x)
{
	struct ctnl_change change;

	if (x->c->table == CTNL_TABLE_EXPECT)
		return delete_expect(x);
	sel_change(x, &change);
	if (cli_whole_tuple(x->c) && !cli_has_other_criteria(x->c))
		return change_one(x, &change);
	return change_matching(x, &change);
}

int cmd_flush(struct ctx *x)
{
	int ret = ctnl_ct_flush(x->env->ct, x->c->table, x->c->family);

	if (ret < 0)
		return out_kernel_fail(x, "flush", ret);
	run_summary_prefix(x->env->err);
	fprintf(x->env->err, "%s table has been emptied.\n",
		x->c->table == CTNL_TABLE_EXPECT ? "expectation"
						 : "connection tracking");
	if (x->c->output == OUT_JSON)
		fprintf(x->env->out, "{\"command\":\"flush\",\"table\":\"%s\"}\n",
			out_table_name(x->c->table));
	return CLI_EXIT_OK;
}

static int count_flow_cb(const struct ctnl_flow *f, void *data)
{
	struct ctx *x = data;

	if (sel_extra_match(x->c, f))
		x->shown++;
	return CTNL_CB_OK;
}

static int count_expect_cb(const struct ctnl_expect *e, void *data)
{
	(void)e;
	((struct ctx *)data)->shown++;
	return CTNL_CB_OK;
}

int cmd_count(struct ctx *x)
{
	struct ctnl_stats st;
	int ret = -ENOSYS;

	/* The kernel's own count when nothing is selected; otherwise, or
	 * where the interface has no stats, entries are counted. */
	if (!cli_any_selection(x->c)) {
		ret = ctnl_ct_stats(x->env->ct, x->c->table, &st);
		if (ret == 0)
			x->shown = st.count;
	}
	if (ret == -ENOSYS)
		ret = x->c->table == CTNL_TABLE_EXPECT
			      ? ctnl_ct_dump_expect(x->env->ct, x->c->family,
						    count_expect_cb, x)
			      : ctnl_ct_dump(x->env->ct, &x->filter,
					     count_flow_cb, x, NULL);
	if (ret < 0)
		return out_kernel_fail(x, "count", ret);
	if (x->c->output == OUT_JSON)
		fprintf(x->env->out, "{\"table\":\"%s\",\"count\":%" PRIu64
			"}\n", out_table_name(x->c->table), x->shown);
	else
		fprintf(x->env->out, "%" PRIu64 "\n", x->shown);
	return CLI_EXIT_OK;
}

static void print_cpu(const struct ctx *x, const struct ctnl_cpu_stats *s)
{
	FILE *out = x->env->out;
	bool json = x->c->output == OUT_JSON;

	if (x->c->table == CTNL_TABLE_EXPECT) {
		fprintf(out, json ? "{\"cpu\":%u,\"expect_new\":%u,"
				    "\"expect_create\":%u,\"expect_delete\":%u}\n"
				  : "cpu=%-4u\texpect_new=%u expect_create=%u "
				    "expect_delete=%u \n",
			s->cpu, s->exp_new, s->exp_create, s->exp_delete);
		return;
	}
	fprintf(out, json ? "{\"cpu\":%u,\"found\":%u,\"invalid\":%u,"
			    "\"insert\":%u,\"insert_failed\":%u,\"drop\":%u,"
			    "\"early_drop\":%u,\"error\":%u,"
			    "\"search_restart\":%u,\"clash_resolve\":%u,"
			    "\"chaintoolong\":%u}\n"
			  : "cpu=%-4u\tfound=%u invalid=%u insert=%u "
			    "insert_failed=%u drop=%u early_drop=%u error=%u "
			    "search_restart=%u clash_resolve=%u "
			    "chaintoolong=%u \n",
		s->cpu, s->found, s->invalid, s->insert, s->insert_failed,
		s->drop, s->early_drop, s->error, s->search_restart,
		s->clash_resolve, s->chaintoolong);
}

int cmd_stats(struct ctx *x)
{
	struct ctnl_cpu_stats *s = calloc(CPU_MAX, sizeof(*s));
	int ret;

	if (!s)
		return out_kernel_fail(x, "stats", -ENOMEM);
	ret = ctnl_ct_stats_cpu(x->env->ct, s, CPU_MAX);
	if (ret < 0) {
		free(s);
		return out_kernel_fail(x, "stats", ret);
	}
	for (int i = 0; i < ret && i < CPU_MAX; i++)
		print_cpu(x, &s[i]);
	free(s);
	return CLI_EXIT_OK;
}
