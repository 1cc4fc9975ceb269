/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The commands of conntrack's syntax: what conntrack-tools 1.4.7 prints
 * for each, on which stream, and with which exit status (1 when a command
 * that changes or names entries found none), over the same library calls
 * as ctnl's own commands. Bulk changes go through the batched paths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "runner.h"

static const char *table_words(const struct ctx *x, const char *flows)
{
	return x->c->table == CTNL_TABLE_EXPECT ? "expectations have been shown"
						: flows;
}

/* ---- -L ---- */

static int list_flow_cb(const struct ctnl_flow *f, void *data)
{
	struct ctx *x = data;

	if (sel_extra_match(x->c, f))
		out_ct_flow(x, f, NULL);
	return CTNL_CB_OK;
}

static int list_expect_cb(const struct ctnl_expect *e, void *data)
{
	out_ct_expect(data, e, NULL);
	return CTNL_CB_OK;
}

static int ct_list(struct ctx *x)
{
	int ret;

	if (x->c->list == LIST_DYING)
		x->filter.flags |= CTNL_FILTER_DYING;
	else if (x->c->list == LIST_UNCONFIRMED)
		x->filter.flags |= CTNL_FILTER_UNCONFIRMED;
	else if (x->c->given & G_ZERO)
		x->filter.flags |= CTNL_FILTER_ZERO;
	if (x->c->table == CTNL_TABLE_EXPECT)
		ret = ctnl_ct_dump_expect(x->env->ct, x->c->family,
					  list_expect_cb, x);
	else
		ret = ctnl_ct_dump(x->env->ct, &x->filter, list_flow_cb, x,
				   NULL);
	out_ct_end(x);
	if (ret < 0)
		return out_kernel_fail(x, "-L", ret);
	out_summary(x, x->shown,
		    table_words(x, "flow entries have been shown"));
	return CLI_EXIT_OK;
}

/* ---- -G ---- */

/* The entry a get names: by its original tuple, else its reply tuple,
 * in the zone given, with the id given. */
static void ct_key(const struct cli *c, struct ctnl_flow *key)
{
	bool orig = c->orig.src.set && c->orig.dst.set;

	*key = (struct ctnl_flow){ .attrs = orig ? CTNL_ATTR_ORIG
						 : CTNL_ATTR_REPLY };
	if (orig) {
		sel_tuple(c, &c->orig, &key->orig);
		key->orig.zone = c->zone;
	} else {
		sel_tuple(c, &c->reply, &key->reply);
		key->reply.zone = c->zone;
	}
	if (c->given & G_ID) {
		key->attrs |= CTNL_ATTR_ID;
		key->id = c->id;
	}
}

static int ct_get(struct ctx *x)
{
	struct ctnl_flow key, flow;
	struct ctnl_expect ekey, exp;
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT) {
		sel_expect_key(x->c, &ekey);
		ret = ctnl_ct_get_expect(x->env->ct, &ekey, &exp);
		if (ret == 0)
			out_ct_expect(x, &exp, NULL);
	} else {
		ct_key(x->c, &key);
		ret = ctnl_ct_get(x->env->ct, &key, &flow);
		if (ret == 0 && sel_match(x, &flow))
			out_ct_flow(x, &flow, NULL);
	}
	/* conntrack begins the XML document of -G, and never ends it. */
	if (ret == -ENOENT)
		return out_no_such_entry(x);
	if (ret < 0)
		return out_kernel_fail(x, "-G", ret);
	if (x->c->table != CTNL_TABLE_EXPECT)
		out_summary(x, x->shown, "flow entries have been shown");
	return x->shown ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ---- -I, -A ---- */

static int ct_create(struct ctx *x)
{
	bool add = x->c->cmd == CMD_ADD;
	struct ctnl_expect e;
	struct ctnl_flow f;
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT) {
		sel_created_expect(x->c, &e);
		ret = ctnl_ct_create_expect(x->env->ct, &e);
		return ret < 0 ? out_kernel_fail(x, "-I", ret) : CLI_EXIT_OK;
	}
	sel_created(x, &f);
	ret = ctnl_ct_create(x->env->ct, &f);
	/* -A leaves an entry that exists as it is, and says so. */
	if (add && ret == -EEXIST) {
		out_summary(x, 0, "flow entries have been added");
		return CLI_EXIT_OK;
	}
	if (ret < 0)
		return out_kernel_fail(x, add ? "-A" : "-I", ret);
	out_summary(x, 1, add ? "flow entries have been added"
			      : "flow entries have been created");
	return CLI_EXIT_OK;
}

/* ---- -U, -D: read the selected entries, change them in one batch ---- */

struct selected {
	struct ctx *x;
	struct ctnl_flow *flows;	/* as read; -U: as changed */
	struct ctnl_flow *keys;
	struct ctnl_change *changes;	/* -U, per entry */
	size_t count, capacity;
};

static int selected_grow(struct selected *s)
{
	size_t cap = s->capacity ? s->capacity * 2 : 256;
	struct ctnl_flow *flows = realloc(s->flows, cap * sizeof(*flows));
	struct ctnl_flow *keys;
	struct ctnl_change *changes;

	if (!flows)
		return -ENOMEM;
	s->flows = flows;
	keys = realloc(s->keys, cap * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	s->keys = keys;
	changes = realloc(s->changes, cap * sizeof(*changes));
	if (!changes)
		return -ENOMEM;
	s->changes = changes;
	s->capacity = cap;
	return 0;
}

static void labels_apply(struct ctnl_labels *l, const struct ctnl_change *ch)
{
	for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
		l->words[i] = (l->words[i] & ~ch->labels_mask.words[i]) |
			      (ch->labels.words[i] & ch->labels_mask.words[i]);
}

/*
 * What -U does to one entry, as conntrack does it: the mark under its
 * mask, status bits added to those it has (the kernel refuses a status
 * that drops one), labels added or removed. Returns false when nothing
 * would change: conntrack leaves such an entry alone, uncounted. *@now
 * is the entry as it will be.
 */
static bool update_of(const struct ctx *x, const struct ctnl_flow *f,
		      struct ctnl_change *ch, struct ctnl_flow *now)
{
	bool changes = false;

	sel_change(x, ch);
	*now = *f;
	if (ch->attrs & CTNL_ATTR_MARK) {
		ch->mark = sel_new_mark(x->c, f->mark);
		changes |= ch->mark != f->mark;
		now->mark = ch->mark;
	}
	if (ch->attrs & CTNL_ATTR_STATUS) {
		ch->status |= f->status;
		changes |= ch->status != f->status;
		now->status = ch->status;
	}
	if (ch->attrs & CTNL_ATTR_LABELS) {
		static const struct ctnl_labels none;

		labels_apply(&now->labels, ch);
		changes |= memcmp(&now->labels, &f->labels,
				  sizeof(f->labels)) != 0;
		/* The kernel reports labels only while one is set. */
		if (memcmp(&now->labels, &none, sizeof(none)))
			now->attrs |= CTNL_ATTR_LABELS;
		else
			now->attrs &= ~CTNL_ATTR_LABELS;
	}
	if (ch->attrs & CTNL_ATTR_TIMEOUT) {
		changes |= ch->timeout != f->timeout;
		now->timeout = ch->timeout;
	}
	/* conntrack prints the entry as a get reads it: holding one more
	 * reference than a dump shows. */
	now->use++;
	return changes;
}

static int selected_cb(const struct ctnl_flow *f, void *data)
{
	struct selected *s = data;
	bool update = s->x->c->cmd == CMD_UPDATE;
	size_t i = s->count;

	if (!sel_extra_match(s->x->c, f))
		return CTNL_CB_OK;
	if (i == s->capacity && selected_grow(s) < 0)
		return -ENOMEM;
	s->flows[i] = *f;
	if (update && !update_of(s->x, f, &s->changes[i], &s->flows[i]))
		return CTNL_CB_OK;
	/* By tuple and id: an entry that went away and came back as
	 * another is not touched. */
	s->keys[i] = (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | (f->attrs & CTNL_ATTR_ID),
		.orig = f->orig,
		.id = f->id,
	};
	s->count++;
	return CTNL_CB_OK;
}

/* Sends the batch and prints each entry it changed; the count. */
static uint64_t change_selected(struct ctx *x, struct selected *s,
				int *first_err)
{
	bool update = x->c->cmd == CMD_UPDATE;
	int *results = calloc(s->count, sizeof(*results));
	struct progress p;
	uint64_t changed = 0;
	int ret;

	if (!results) {
		*first_err = -ENOMEM;
		return 0;
	}
	progress_begin(&p, x->env, update ? "updated" : "deleted", s->count);
	ret = progress_batch(&p, x->env->ct, update ? CTNL_OP_UPDATE
						   : CTNL_OP_DELETE,
			     s->keys, s->count, update ? s->changes : NULL,
			     update ? s->count : 0, results);
	progress_end(&p);
	for (size_t i = 0; i < s->count; i++) {
		if (results[i] == 0) {
			out_ct_flow(x, &s->flows[i], NULL);
			changed++;
		} else if (results[i] != -ENOENT && !*first_err) {
			/* Gone since it was read is no error. */
			*first_err = results[i];
		}
	}
	if (ret < 0 && !*first_err)
		*first_err = ret;
	free(results);
	return changed;
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
		return out_kernel_fail(x, "-D", ret);
	return CLI_EXIT_OK;
}

static int ct_change(struct ctx *x)
{
	bool update = x->c->cmd == CMD_UPDATE;
	struct selected s = { .x = x };
	uint64_t changed = 0;
	int ret, first_err = 0;

	if (x->c->table == CTNL_TABLE_EXPECT)
		return delete_expect(x);
	x->save_type = update ? 0 : CTNL_EVENT_DESTROY;
	/* What -U and -D print is XML without its document. */
	x->xml_open = true;
	ret = ctnl_ct_dump(x->env->ct, &x->filter, selected_cb, &s, NULL);
	if (ret >= 0 && s.count)
		changed = change_selected(x, &s, &first_err);
	else if (ret < 0)
		first_err = ret;
	free(s.flows);
	free(s.keys);
	free(s.changes);
	if (!x->in_file)
		out_summary(x, changed,
			    update ? "flow entries have been updated"
				   : "flow entries have been deleted");
	if (first_err)
		return out_kernel_fail(x, update ? "-U" : "-D", first_err);
	return changed || x->in_file ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ---- -F ---- */

static int ct_flush(struct ctx *x)
{
	int ret = ctnl_ct_flush(x->env->ct, x->c->table, x->c->family);

	if (ret < 0)
		return out_kernel_fail(x, "-F", ret);
	run_summary_prefix(x->env->err);
	fprintf(x->env->err, "%s table has been emptied.\n",
		x->c->table == CTNL_TABLE_EXPECT ? "expectation"
						 : "connection tracking");
	return CLI_EXIT_OK;
}

int ct_run(struct ctx *x)
{
	switch (x->c->cmd) {
	case CMD_LIST:
		return ct_list(x);
	case CMD_GET:
		return ct_get(x);
	case CMD_CREATE:
	case CMD_ADD:
		return ct_create(x);
	case CMD_UPDATE:
	case CMD_DELETE:
		return ct_change(x);
	case CMD_FLUSH:
		return ct_flush(x);
	case CMD_COUNT:
		return cmd_count(x);
	case CMD_STATS:
		return cmd_stats(x);
	case CMD_EVENTS:
		return cmd_events(x);
	case CMD_LOAD:
		return ct_load(x);
	default:
		fprintf(x->env->err, "ctnl: no command\n");
		return CLI_EXIT_USAGE;
	}
}
