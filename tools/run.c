/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running ctnl's commands over the Conntrack interface, and nothing else:
 * no socket of its own, so a fake interface runs them in tests just as
 * the kernel's does.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "progname.h"
#include "run.h"

#define CPU_MAX 4096

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
};

void run_summary_prefix(FILE *f)
{
	fprintf(f, "ctnl v%s (libctnl): ", ctnl_version());
}

static const char *table_name(enum ctnl_table t)
{
	return t == CTNL_TABLE_EXPECT ? "expect" : "conntrack";
}

/* The clock delta-time counts to: time(), as in the text output. */
static int64_t now_of(const struct ctx *x)
{
	return x->env->now ? x->env->now : (int64_t)time(NULL);
}

/* ---- Reporting ---- */

/* "ctnl: get: Operation not permitted: the kernel's words" */
static int kernel_fail(const struct ctx *x, const char *what, int err)
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

static int no_such_entry(const struct ctx *x)
{
	fprintf(x->env->err, "ctnl: %s: no such entry\n",
		cli_cmd_name(x->c->cmd));
	return CLI_EXIT_FAIL;
}

static void summary(const struct ctx *x, uint64_t n, const char *what)
{
	run_summary_prefix(x->env->err);
	fprintf(x->env->err, "%" PRIu64 " %s.\n", n, what);
}

/* In JSON, what a change did goes to stdout as well, as one object. */
static void json_result(const struct ctx *x, uint64_t n)
{
	if (x->c->output != OUT_JSON)
		return;
	fprintf(x->env->out, "{\"command\":\"%s\",\"table\":\"%s\","
		"\"count\":%" PRIu64 "}\n", cli_cmd_name(x->c->cmd),
		table_name(x->c->table), n);
}

/* ---- Printing entries ---- */

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

static void print_flow(struct ctx *x, const struct ctnl_flow *f,
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

static void print_expect(struct ctx *x, const struct ctnl_expect *e,
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

/* ---- Selecting ---- */

/* Criteria struct ctnl_filter cannot say, checked here. */
static bool has_extra(const struct cli *c)
{
	return (c->given & (G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID)) ||
	       ((c->given & G_STATE) && c->proto == IPPROTO_SCTP);
}

static bool extra_match(const struct cli *c, const struct ctnl_flow *f)
{
	if ((c->given & G_ICMP_TYPE) && f->orig.icmp.type != c->icmp_type)
		return false;
	if ((c->given & G_ICMP_CODE) && f->orig.icmp.code != c->icmp_code)
		return false;
	if ((c->given & G_ICMP_ID) && f->orig.icmp.id != c->icmp_id)
		return false;
	if ((c->given & G_STATE) && c->proto == IPPROTO_SCTP &&
	    (f->orig.proto != IPPROTO_SCTP ||
	     !(f->attrs & CTNL_ATTR_SCTP_STATE) || f->sctp.state != c->state))
		return false;
	return true;
}

static bool selects(const struct ctx *x, const struct ctnl_flow *f)
{
	return ctnl_filter_match(&x->filter, f) && extra_match(x->c, f);
}

static void filter_addr(struct ctnl_filter *f, uint32_t bit,
			const struct cli_addr *a, union ctnl_addr *addr,
			uint8_t *len)
{
	if (!a->set)
		return;
	f->match |= bit;
	*addr = a->addr;
	*len = a->len;
}

/* Whether a change command reads -m and -u as values to set. */
static bool sets_values(const struct cli *c)
{
	return c->cmd == CMD_UPDATE || c->cmd == CMD_CREATE;
}

static void build_filter(struct ctx *x)
{
	const struct cli *c = x->c;
	struct ctnl_filter *f = &x->filter;

	*f = (struct ctnl_filter){ .family = c->family };
	if (c->given & G_PROTO) {
		f->match |= CTNL_MATCH_PROTO;
		f->proto = c->proto;
	}
	filter_addr(f, CTNL_MATCH_ORIG_SRC, &c->orig.src, &f->orig_src,
		    &f->orig_src_len);
	filter_addr(f, CTNL_MATCH_ORIG_DST, &c->orig.dst, &f->orig_dst,
		    &f->orig_dst_len);
	filter_addr(f, CTNL_MATCH_REPLY_SRC, &c->reply.src, &f->reply_src,
		    &f->reply_src_len);
	filter_addr(f, CTNL_MATCH_REPLY_DST, &c->reply.dst, &f->reply_dst,
		    &f->reply_dst_len);
	if (c->orig.has_sport) {
		f->match |= CTNL_MATCH_ORIG_SPORT;
		f->orig_sport = c->orig.sport;
	}
	if (c->orig.has_dport) {
		f->match |= CTNL_MATCH_ORIG_DPORT;
		f->orig_dport = c->orig.dport;
	}
	if (c->reply.has_sport) {
		f->match |= CTNL_MATCH_REPLY_SPORT;
		f->reply_sport = c->reply.sport;
	}
	if (c->reply.has_dport) {
		f->match |= CTNL_MATCH_REPLY_DPORT;
		f->reply_dport = c->reply.dport;
	}
	if ((c->given & G_MARK) && !sets_values(c)) {
		f->match |= CTNL_MATCH_MARK;
		f->mark = c->mark & c->mark_mask;
		f->mark_mask = c->mark_mask;
	}
	if ((c->given & G_STATUS) && !sets_values(c)) {
		f->match |= CTNL_MATCH_STATUS;
		f->status = c->status;
		f->status_mask = c->status ? c->status : CLI_STATUS_UNSET_MASK;
	}
	if (c->given & G_ZONE) {
		f->match |= CTNL_MATCH_ZONE;
		f->zone = c->zone;
	}
	if ((c->given & G_STATE) && c->proto == IPPROTO_TCP) {
		f->match |= CTNL_MATCH_TCP_STATE;
		f->tcp_state = c->state;
	}
	if (c->given & G_LABEL) {
		f->match |= CTNL_MATCH_LABELS;
		f->labels = x->label;
	}
}

/* ICMP replies carry the reply type of the request's type. */
static uint8_t icmp_reply_type(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 },
					 { 17, 18 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 130, 131 },
					 { 139, 140 } };
	const bool is6 = proto == IPPROTO_ICMPV6;
	const size_t n = is6 ? 3 : 4;

	for (size_t i = 0; i < n; i++)
		if ((is6 ? v6[i][0] : v4[i][0]) == type)
			return is6 ? v6[i][1] : v4[i][1];
	return type;
}

static void tuple_of(const struct cli *c, const struct cli_dir *d,
		     struct ctnl_tuple *t)
{
	*t = (struct ctnl_tuple){ .family = c->family, .proto = c->proto };
	t->src = d->src.addr;
	t->dst = d->dst.addr;
	if (ctnl_proto_has_ports(c->proto)) {
		t->port.src = d->sport;
		t->port.dst = d->dport;
	} else if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6) {
		t->icmp.type = c->icmp_type;
		t->icmp.code = c->icmp_code;
		t->icmp.id = c->icmp_id;
	}
}

static void build_key(const struct cli *c, struct ctnl_flow *key)
{
	uint64_t which = cli_whole_tuple(c);

	*key = (struct ctnl_flow){ .attrs = which };
	if (which == CTNL_ATTR_ORIG) {
		tuple_of(c, &c->orig, &key->orig);
		key->orig.zone = c->zone;
	} else {
		tuple_of(c, &c->reply, &key->reply);
		key->reply.zone = c->zone;
	}
}

/* ---- Labels, resolved before anything is done ---- */

static int resolve_labels(struct ctx *x, char *err, size_t size)
{
	const struct cli *c = x->c;
	const struct run_env *env = x->env;
	int ret;

	ret = labelmap_resolve(env->labels, env->have_labelmap, "--label",
			       &c->label, &x->label, err, size);
	if (!ret)
		ret = labelmap_resolve(env->labels, env->have_labelmap,
				       "--label-add", &c->label_add,
				       &x->label_add, err, size);
	if (!ret)
		ret = labelmap_resolve(env->labels, env->have_labelmap,
				       "--label-del", &c->label_del,
				       &x->label_del, err, size);
	if (ret)
		return ret;
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (ctnl_labels_test(&x->label_add, bit) &&
		    ctnl_labels_test(&x->label_del, bit)) {
			snprintf(err, size, "--label-del: label %u is also in "
				 "--label-add", bit);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* ---- Commands ---- */

static int list_flow_cb(const struct ctnl_flow *f, void *data)
{
	struct ctx *x = data;

	if (extra_match(x->c, f))
		print_flow(x, f, NULL);
	return CTNL_CB_OK;
}

static int list_expect_cb(const struct ctnl_expect *e, void *data)
{
	print_expect(data, e, NULL);
	return CTNL_CB_OK;
}

static int cmd_list(struct ctx *x)
{
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT) {
		ret = ctnl_ct_dump_expect(x->env->ct, x->c->family,
					  list_expect_cb, x);
		if (ret < 0)
			return kernel_fail(x, "list", ret);
		summary(x, x->shown, "expectations have been shown");
		return CLI_EXIT_OK;
	}
	ret = ctnl_ct_dump(x->env->ct, &x->filter, list_flow_cb, x, NULL);
	if (ret < 0)
		return kernel_fail(x, "list", ret);
	summary(x, x->shown, "flow entries have been shown");
	return CLI_EXIT_OK;
}

static void expect_key(const struct cli *c, struct ctnl_expect *key)
{
	*key = (struct ctnl_expect){ .attrs = CTNL_EXP_ATTR_TUPLE };
	tuple_of(c, &c->exp_tuple, &key->tuple);
	if (c->given & G_ZONE) {
		key->attrs |= CTNL_EXP_ATTR_ZONE;
		key->zone = c->zone;
	}
}

static int cmd_get(struct ctx *x)
{
	struct ctnl_flow key, flow;
	struct ctnl_expect ekey, exp;
	int ret;

	if (x->c->table == CTNL_TABLE_EXPECT) {
		expect_key(x->c, &ekey);
		ret = ctnl_ct_get_expect(x->env->ct, &ekey, &exp);
		if (ret == -ENOENT)
			return no_such_entry(x);
		if (ret < 0)
			return kernel_fail(x, "get", ret);
		print_expect(x, &exp, NULL);
		summary(x, 1, "expectations have been shown");
		return CLI_EXIT_OK;
	}
	build_key(x->c, &key);
	ret = ctnl_ct_get(x->env->ct, &key, &flow);
	if (ret == -ENOENT)
		return no_such_entry(x);
	if (ret < 0)
		return kernel_fail(x, "get", ret);
	print_flow(x, &flow, NULL);
	summary(x, 1, "flow entries have been shown");
	return CLI_EXIT_OK;
}

static int create_expect(struct ctx *x)
{
	const struct cli *c = x->c;
	struct ctnl_expect e = {
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT,
		.timeout = c->timeout,
	};
	int ret;

	tuple_of(c, &c->orig, &e.master);
	tuple_of(c, &c->exp_tuple, &e.tuple);
	tuple_of(c, &c->exp_mask, &e.mask);
	if (c->given & G_ZONE) {
		e.attrs |= CTNL_EXP_ATTR_ZONE;
		e.zone = c->zone;
	}
	if (c->helper) {
		e.attrs |= CTNL_EXP_ATTR_HELPER;
		snprintf(e.helper, sizeof(e.helper), "%s", c->helper);
	}
	ret = ctnl_ct_create_expect(x->env->ct, &e);
	if (ret < 0)
		return kernel_fail(x, "create", ret);
	summary(x, 1, "expectations have been created");
	json_result(x, 1);
	return CLI_EXIT_OK;
}

static int cmd_create(struct ctx *x)
{
	const struct cli *c = x->c;
	struct ctnl_flow f = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY |
					CTNL_ATTR_TIMEOUT,
			       .timeout = c->timeout };
	int ret;

	if (c->table == CTNL_TABLE_EXPECT)
		return create_expect(x);
	tuple_of(c, &c->orig, &f.orig);
	/* The reply tuple is always given, so that zones of one direction
	 * stay with that direction. */
	if (c->reply.src.set) {
		tuple_of(c, &c->reply, &f.reply);
	} else {
		tuple_of(c, &c->orig, &f.reply);
		f.reply.src = f.orig.dst;
		f.reply.dst = f.orig.src;
		if (ctnl_proto_has_ports(c->proto)) {
			f.reply.port.src = f.orig.port.dst;
			f.reply.port.dst = f.orig.port.src;
		}
	}
	if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6)
		f.reply.icmp.type = icmp_reply_type(c->proto, c->icmp_type);
	if (c->given & G_ZONE)
		f.orig.zone = f.reply.zone = c->zone;
	if (c->given & G_ORIG_ZONE)
		f.orig.zone = c->orig_zone;
	if (c->given & G_REPLY_ZONE)
		f.reply.zone = c->reply_zone;
	if (c->given & G_MARK) {
		f.attrs |= CTNL_ATTR_MARK;
		f.mark = c->mark;
	}
	if (c->given & G_LABEL_ADD) {
		f.attrs |= CTNL_ATTR_LABELS;
		f.labels = x->label_add;
	}
	if (c->given & G_STATUS) {
		f.attrs |= CTNL_ATTR_STATUS;
		f.status = c->status;
	}
	if ((c->given & G_STATE) && c->proto == IPPROTO_TCP) {
		f.attrs |= CTNL_ATTR_TCP_STATE;
		f.tcp.state = c->state;
	} else if (c->given & G_STATE) {
		f.attrs |= CTNL_ATTR_SCTP_STATE;
		f.sctp.state = c->state;
	}
	ret = ctnl_ct_create(x->env->ct, &f);
	if (ret < 0)
		return kernel_fail(x, "create", ret);
	summary(x, 1, "flow entries have been created");
	json_result(x, 1);
	return CLI_EXIT_OK;
}

static bool mark_masked(const struct cli *c)
{
	return (c->given & G_MARK) && c->mark_mask != UINT32_MAX;
}

/* The mark an update gives an entry that has @old: the kernel's rule
 * for a mark with a mask, new = (old & ~mask) ^ value. */
static uint32_t new_mark(const struct cli *c, uint32_t old)
{
	return (old & ~c->mark_mask) ^ c->mark;
}

static void build_change(const struct ctx *x, struct ctnl_change *ch)
{
	const struct cli *c = x->c;

	*ch = (struct ctnl_change){ 0 };
	if (c->given & G_MARK) {
		ch->attrs |= CTNL_ATTR_MARK;
		ch->mark = c->mark;
	}
	if (c->given & G_TIMEOUT) {
		ch->attrs |= CTNL_ATTR_TIMEOUT;
		ch->timeout = c->timeout;
	}
	if (c->given & G_STATUS) {
		ch->attrs |= CTNL_ATTR_STATUS;
		ch->status = c->status;
	}
	if (c->given & (G_LABEL_ADD | G_LABEL_DEL)) {
		ch->attrs |= CTNL_ATTR_LABELS;
		ch->labels = x->label_add;
		for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
			ch->labels_mask.words[i] = x->label_add.words[i] |
						   x->label_del.words[i];
	}
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
	int ret;

	build_key(x->c, &key);
	if (x->c->cmd == CMD_DELETE) {
		ret = ctnl_ct_delete(x->env->ct, &key);
	} else {
		ret = 0;
		if (mark_masked(x->c)) {
			ret = ctnl_ct_get(x->env->ct, &key, &got);
			ch.mark = new_mark(x->c, got.mark);
			/* The same entry, not one that took its place. */
			key.attrs |= got.attrs & CTNL_ATTR_ID;
			key.id = got.id;
		}
		if (ret == 0)
			ret = ctnl_ct_update(x->env->ct, &key, &ch);
	}
	if (ret == -ENOENT)
		return no_such_entry(x);
	if (ret < 0)
		return kernel_fail(x, what, ret);
	summary(x, 1, done_words(x->c->cmd));
	json_result(x, 1);
	return CLI_EXIT_OK;
}

struct collected {
	struct ctx *x;
	struct ctnl_flow *keys;
	struct ctnl_change *changes;	/* per entry, or NULL */
	const struct ctnl_change *change;
	size_t count, capacity;
};

static int collect_cb(const struct ctnl_flow *f, void *data)
{
	struct collected *col = data;

	if (!extra_match(col->x->c, f))
		return CTNL_CB_OK;
	if (col->count == col->capacity) {
		size_t cap = col->capacity ? col->capacity * 2 : 256;
		struct ctnl_flow *k = realloc(col->keys, cap * sizeof(*k));
		struct ctnl_change *ch = NULL;

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
	}
	/* By tuple and id: an entry that went away and came back as
	 * another is not touched. */
	col->keys[col->count] = (struct ctnl_flow){
		.attrs = CTNL_ATTR_ORIG | (f->attrs & CTNL_ATTR_ID),
		.orig = f->orig,
		.id = f->id,
	};
	if (col->change) {
		col->changes[col->count] = *col->change;
		col->changes[col->count].mark = new_mark(col->x->c, f->mark);
	}
	col->count++;
	return CTNL_CB_OK;
}

/*
 * Every entry the filters select, read first and then changed in one
 * batch: the way when the interface has no update_matching or
 * delete_matching, or when the change depends on each entry.
 */
static int change_listed(struct ctx *x, const struct ctnl_change *change)
{
	const char *what = cli_cmd_name(x->c->cmd);
	bool update = x->c->cmd == CMD_UPDATE;
	struct collected col = {
		.x = x,
		.change = update && mark_masked(x->c) ? change : NULL,
	};
	int *results = NULL, ret, first_err = 0;
	uint64_t changed = 0;

	ret = ctnl_ct_dump(x->env->ct, &x->filter, collect_cb, &col, NULL);
	if (ret < 0) {
		free(col.keys);
		free(col.changes);
		return kernel_fail(x, what, ret);
	}
	if (col.count) {
		results = calloc(col.count, sizeof(*results));
		if (!results) {
			ret = -ENOMEM;
		} else {
			ret = ctnl_ct_batch(x->env->ct,
					    update ? CTNL_OP_UPDATE
						   : CTNL_OP_DELETE,
					    col.keys, col.count,
					    col.changes ? col.changes : change,
					    update ? (col.changes ? col.count : 1)
						   : 0,
					    results);
		}
		for (size_t i = 0; results && i < col.count; i++) {
			if (results[i] == 0)
				changed++;
			/* Gone since it was read: nothing to change. */
			else if (results[i] != -ENOENT && !first_err)
				first_err = results[i];
		}
		if (ret < 0 && !first_err)
			first_err = ret;
	}
	free(results);
	free(col.keys);
	free(col.changes);
	summary(x, changed, done_words(x->c->cmd));
	json_result(x, changed);
	if (first_err)
		return kernel_fail(x, what, first_err);
	return CLI_EXIT_OK;
}

static int change_matching(struct ctx *x, const struct ctnl_change *change)
{
	bool update = x->c->cmd == CMD_UPDATE;
	int ret;

	if (!has_extra(x->c) && !mark_masked(x->c)) {
		ret = update ? ctnl_ct_update_matching(x->env->ct, &x->filter,
						       change, NULL)
			     : ctnl_ct_delete_matching(x->env->ct, &x->filter,
						       NULL);
		if (ret != -ENOSYS) {
			if (ret < 0)
				return kernel_fail(x, cli_cmd_name(x->c->cmd),
						   ret);
			summary(x, (uint64_t)ret, done_words(x->c->cmd));
			json_result(x, (uint64_t)ret);
			return CLI_EXIT_OK;
		}
	}
	return change_listed(x, change);
}

static int delete_expect(struct ctx *x)
{
	struct ctnl_expect key;
	int ret;

	expect_key(x->c, &key);
	ret = ctnl_ct_delete_expect(x->env->ct, &key);
	if (ret == -ENOENT)
		return no_such_entry(x);
	if (ret < 0)
		return kernel_fail(x, "delete", ret);
	summary(x, 1, "expectations have been deleted");
	json_result(x, 1);
	return CLI_EXIT_OK;
}

static int cmd_change(struct ctx *x)
{
	struct ctnl_change change;

	if (x->c->table == CTNL_TABLE_EXPECT)
		return delete_expect(x);
	build_change(x, &change);
	if (cli_whole_tuple(x->c) && !cli_has_other_criteria(x->c))
		return change_one(x, &change);
	return change_matching(x, &change);
}

static int cmd_flush(struct ctx *x)
{
	int ret = ctnl_ct_flush(x->env->ct, x->c->table, x->c->family);

	if (ret < 0)
		return kernel_fail(x, "flush", ret);
	run_summary_prefix(x->env->err);
	fprintf(x->env->err, "%s table has been emptied.\n",
		x->c->table == CTNL_TABLE_EXPECT ? "expectation"
						 : "connection tracking");
	if (x->c->output == OUT_JSON)
		fprintf(x->env->out, "{\"command\":\"flush\",\"table\":\"%s\"}\n",
			table_name(x->c->table));
	return CLI_EXIT_OK;
}

static int count_flow_cb(const struct ctnl_flow *f, void *data)
{
	struct ctx *x = data;

	if (extra_match(x->c, f))
		x->shown++;
	return CTNL_CB_OK;
}

static int count_expect_cb(const struct ctnl_expect *e, void *data)
{
	(void)e;
	((struct ctx *)data)->shown++;
	return CTNL_CB_OK;
}

static int cmd_count(struct ctx *x)
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
	if (ret == -ENOSYS) {
		ret = x->c->table == CTNL_TABLE_EXPECT
			      ? ctnl_ct_dump_expect(x->env->ct, x->c->family,
						    count_expect_cb, x)
			      : ctnl_ct_dump(x->env->ct, &x->filter,
					     count_flow_cb, x, NULL);
	}
	if (ret < 0)
		return kernel_fail(x, "count", ret);
	if (x->c->output == OUT_JSON)
		fprintf(x->env->out, "{\"table\":\"%s\",\"count\":%" PRIu64
			"}\n", table_name(x->c->table), x->shown);
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

static int cmd_stats(struct ctx *x)
{
	struct ctnl_cpu_stats *s = calloc(CPU_MAX, sizeof(*s));
	int ret;

	if (!s)
		return kernel_fail(x, "stats", -ENOMEM);
	ret = ctnl_ct_stats_cpu(x->env->ct, s, CPU_MAX);
	if (ret < 0) {
		free(s);
		return kernel_fail(x, "stats", ret);
	}
	for (int i = 0; i < ret && i < CPU_MAX; i++)
		print_cpu(x, &s[i]);
	free(s);
	return CLI_EXIT_OK;
}

static int event_cb(const struct ctnl_event *ev, void *data)
{
	struct ctx *x = data;
	struct json_event je = { .type = ev->type, .portid = ev->portid };
	bool exp = ev->type == CTNL_EVENT_EXP_NEW ||
		   ev->type == CTNL_EVENT_EXP_DESTROY;

	if (ev->type == CTNL_EVENT_OVERFLOW) {
		/* Said, and carried on: what follows is still worth seeing. */
		fprintf(x->env->err, "ctnl: events: the kernel dropped "
			"%llu events: they came faster than they were read\n",
			(unsigned long long)ev->overflow.lost);
		fflush(x->env->err);
		return CTNL_CB_OK;
	}
	if (!exp && ev->type != CTNL_EVENT_NEW &&
	    ev->type != CTNL_EVENT_UPDATE && ev->type != CTNL_EVENT_DESTROY)
		return CTNL_CB_OK;
	if (exp != (x->c->table == CTNL_TABLE_EXPECT))
		return CTNL_CB_OK;
	if (ev->portid)
		je.progname = progname_of(ev->portid, &x->progname);
	if (exp) {
		if (x->c->family && ev->expect.tuple.family != x->c->family)
			return CTNL_CB_OK;
		print_expect(x, &ev->expect, &je);
	} else {
		if (!selects(x, &ev->flow))
			return CTNL_CB_OK;
		print_flow(x, &ev->flow, &je);
	}
	/* Each line as it happens, for whoever reads the pipe. */
	fflush(x->env->out);
	if (x->c->limit && x->shown >= x->c->limit) {
		x->done = true;
		return CTNL_CB_STOP;
	}
	return CTNL_CB_OK;
}

static unsigned int event_mask(const struct cli *c)
{
	unsigned int ev = c->events ? c->events
				    : CTNL_EVENT_NEW | CTNL_EVENT_UPDATE |
					      CTNL_EVENT_DESTROY;

	if (c->table != CTNL_TABLE_EXPECT)
		return ev;
	return (ev & CTNL_EVENT_NEW ? CTNL_EVENT_EXP_NEW : 0) |
	       (ev & CTNL_EVENT_DESTROY ? CTNL_EVENT_EXP_DESTROY : 0);
}

/* The filter goes with the subscription, so that the kernel drops what
 * it can (family, mark) before it is queued; it is checked again here
 * with what it cannot say. */
static int subscribe(struct ctx *x)
{
	struct ctnl_filter family_only = { .family = x->c->family };
	struct ctnl_events_config cfg = {
		.size = sizeof(cfg),
		.events = event_mask(x->c),
		.filter = x->c->table == CTNL_TABLE_EXPECT ? &family_only
							   : &x->filter,
	};

	return ctnl_ct_subscribe_config(x->env->ct, &cfg);
}

static bool stopped(const struct ctx *x)
{
	return x->done || (x->env->stop && *x->env->stop);
}

static int cmd_events(struct ctx *x)
{
	struct pollfd pfd = { .events = POLLIN };
	int ret, status = CLI_EXIT_OK;

	ret = subscribe(x);
	if (ret < 0)
		return kernel_fail(x, "events", ret);
	pfd.fd = ctnl_ct_event_fd(x->env->ct);
	if (pfd.fd < 0)
		return kernel_fail(x, "events", pfd.fd);
	/* On stderr, so a script knows when to make something happen. */
	fprintf(x->env->err, "ctnl: listening for %s events; interrupt to "
		"stop\n", x->c->table == CTNL_TABLE_EXPECT ? "expectation"
							   : "conntrack");
	fflush(x->env->err);
	while (!stopped(x)) {
		/* A short wait, so a signal between the check and the wait
		 * is seen soon. */
		ret = poll(&pfd, 1, 200);
		if (ret < 0 && errno != EINTR) {
			status = kernel_fail(x, "events", -errno);
			break;
		}
		if (ret <= 0)
			continue;
		do {
			ret = ctnl_ct_event_read(x->env->ct, event_cb, x);
		} while (ret > 0 && !stopped(x));
		if (ret == -EBADMSG || ret == -EPERM) {
			/* Skipped by the library; the next read goes on. */
			fprintf(x->env->err, "ctnl: events: a message was "
				"dropped: %s\n", strerror(-ret));
		} else if (ret < 0 && ret != -EAGAIN) {
			status = kernel_fail(x, "events", ret);
			break;
		}
	}
	summary(x, x->shown, x->c->table == CTNL_TABLE_EXPECT
				     ? "expectation events have been shown"
				     : "flow events have been shown");
	return status;
}

int run(const struct cli *c, const struct run_env *env)
{
	struct ctx x = { .c = c, .env = env };
	char err[256];
	int ret;

	ret = resolve_labels(&x, err, sizeof(err));
	if (ret) {
		fprintf(env->err, "ctnl: %s\n", err);
		return ret;
	}
	x.names = (const char *const *)env->labels->names;
	x.opts = (struct ctnl_format_opts){
		.size = sizeof(x.opts),
		.flags = (c->out_flags & OUT_ID ? CTNL_FORMAT_ID : 0) |
			 (c->out_flags & OUT_EXTENDED ? CTNL_FORMAT_EXTENDED
						      : 0),
	};
	/* conntrack prints labels with -o labels, and whenever -l made it
	 * read the label names. */
	if ((c->out_flags & OUT_LABELS) || (c->given & G_LABEL)) {
		if (env->have_labelmap)
			x.opts.label_names = x.names;
		else if (c->out_flags & OUT_LABELS)
			fprintf(env->err, "ctnl: -o labels: there is no %s, so "
				"no label has a name to show\n", LABELMAP_PATH);
	}
	build_filter(&x);

	switch (c->cmd) {
	case CMD_LIST:
		return cmd_list(&x);
	case CMD_GET:
		return cmd_get(&x);
	case CMD_CREATE:
		return cmd_create(&x);
	case CMD_UPDATE:
	case CMD_DELETE:
		return cmd_change(&x);
	case CMD_FLUSH:
		return cmd_flush(&x);
	case CMD_COUNT:
		return cmd_count(&x);
	case CMD_STATS:
		return cmd_stats(&x);
	case CMD_EVENTS:
		return cmd_events(&x);
	default:
		fprintf(env->err, "ctnl: no command\n");
		return CLI_EXIT_USAGE;
	}
}
