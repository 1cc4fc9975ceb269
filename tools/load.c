/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conntrack -R FILE: the -I, -A, -U, -D and -F lines of a file (or of
 * standard input), read and checked whole before anything is sent, so a
 * bad line changes nothing and is named. Then run in order, consecutive
 * creations (and deletions by tuple) in one batch each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "progress.h"
#include "runner.h"

/* What one line asks. */
struct action {
	unsigned int line;
	enum cli_cmd cmd;
	/* -U, -D by filter, -F: the whole command line, to run as is;
	 * NULL for -I, -A and -D by a whole tuple, whose entry or key is
	 * the next of flows[]. */
	struct cli *c;
};

struct load {
	struct ctx *x;
	const char *name;		/* the file's, for the messages */
	char *text;			/* the file, split in place */
	struct action *actions;
	size_t count, capacity;
	struct ctnl_flow *flows;	/* for the batches, in order */
	size_t nflows, flows_cap;
	char **words;			/* one line's, for the parser */
	size_t nwords, words_cap;
	struct cli *scratch;		/* one line's, parsed */
	struct progress progress;	/* lines done, on a terminal */
};

static int read_all(FILE *f, char **text)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *p;
	size_t n;

	if (!buf)
		return -ENOMEM;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

static int add_word(struct load *l, char *word)
{
	if (l->nwords + 1 >= l->words_cap) {
		size_t cap = l->words_cap ? l->words_cap * 2 : 32;
		char **w = realloc(l->words, cap * sizeof(*w));

		if (!w)
			return -ENOMEM;
		l->words = w;
		l->words_cap = cap;
	}
	l->words[l->nwords++] = word;
	l->words[l->nwords] = NULL;
	return 0;
}

/* The words of a line without quotes, where they are. */
static int split_plain(struct load *l, char *s)
{
	int err = 0;

	while (!err) {
		size_t n;

		s += strspn(s, " \t");
		if (!*s)
			break;
		n = strcspn(s, " \t");
		err = add_word(l, s);
		if (!s[n])
			break;
		s[n] = '\0';
		s += n + 1;
	}
	return err;
}

/*
 * Splits @s, one line, into words, in place, as conntrack does: blanks
 * separate words; "double quotes" keep them, and a backslash in quotes
 * takes the next character as it is.
 */
static int split_line(struct load *l, char *s)
{
	char *out = s, *word = NULL;
	bool quoted = false;
	int err;

	l->nwords = 0;
	err = add_word(l, "conntrack");
	if (!err && !strchr(s, '"'))
		return split_plain(l, s);
	for (; *s && !err; s++) {
		if (quoted && *s == '\\' && s[1]) {
			*out++ = *++s;
		} else if (*s == '"') {
			quoted = !quoted;
			word = word ? word : out;
		} else if (!quoted && (*s == ' ' || *s == '\t')) {
			if (word) {
				*out++ = '\0';
				err = add_word(l, word);
				word = NULL;
			}
		} else {
			word = word ? word : out;
			*out++ = *s;
		}
	}
	if (word && !err) {
		*out = '\0';
		err = add_word(l, word);
	}
	return err;
}

static struct action *new_action(struct load *l, unsigned int line)
{
	if (l->count == l->capacity) {
		size_t cap = l->capacity ? l->capacity * 2 : 1024;
		struct action *a = realloc(l->actions, cap * sizeof(*a));

		if (!a)
			return NULL;
		l->actions = a;
		l->capacity = cap;
	}
	l->actions[l->count] = (struct action){ .line = line };
	return &l->actions[l->count++];
}

static struct ctnl_flow *next_flow(struct load *l)
{
	if (l->nflows == l->flows_cap) {
		size_t cap = l->flows_cap ? l->flows_cap * 2 : 1024;
		struct ctnl_flow *f = realloc(l->flows, cap * sizeof(*f));

		if (!f)
			return NULL;
		l->flows = f;
		l->flows_cap = cap;
	}
	return &l->flows[l->nflows++];
}

/* A -D that names one entry by its whole tuple, and nothing else: a key
 * for a batch. */
static bool delete_by_key(const struct cli *c)
{
	return c->cmd == CMD_DELETE && c->table == CTNL_TABLE_CONNTRACK &&
	       cli_whole_tuple(c) && !cli_has_other_criteria(c) &&
	       !(c->given & (G_ID | G_SRC_NAT | G_DST_NAT | G_ZONE |
			     G_ORIG_ZONE | G_REPLY_ZONE | G_OUTPUT));
}

/* Turns one parsed line into what it asks; CLI_EXIT_USAGE with @err for
 * what cannot be run from a file. */
static int take_line(struct load *l, struct action *a, const struct cli *c,
		     char *err, size_t size)
{
	struct ctx x = { .c = c, .env = l->x->env };

	if (c->cmd != CMD_CREATE && c->cmd != CMD_ADD &&
	    c->cmd != CMD_UPDATE && c->cmd != CMD_DELETE &&
	    c->cmd != CMD_FLUSH) {
		snprintf(err, size, "only -I, -A, -U, -D and -F can be run "
			 "from a file");
		return CLI_EXIT_USAGE;
	}
	if (sel_labels(&x, err, size))
		return CLI_EXIT_USAGE;
	a->cmd = c->cmd;
	if (((c->cmd == CMD_CREATE || c->cmd == CMD_ADD) &&
	     c->table == CTNL_TABLE_CONNTRACK) ||
	    delete_by_key(c)) {
		struct ctnl_flow *f = next_flow(l);

		if (!f) {
			snprintf(err, size, "%s", strerror(ENOMEM));
			return CLI_EXIT_FAIL;
		}
		if (c->cmd == CMD_DELETE)
			sel_key(c, f);
		else
			sel_created(&x, f);
		return 0;
	}
	a->c = malloc(sizeof(*c));
	if (!a->c) {
		snprintf(err, size, "%s", strerror(ENOMEM));
		return CLI_EXIT_FAIL;
	}
	*a->c = *c;
	return 0;
}

static int parse_line(struct load *l, unsigned int line)
{
	struct cli *c = l->scratch;
	struct action *a;
	char err[256];
	int ret;

	ret = compat_parse((int)l->nwords, l->words, c, err, sizeof(err));
	if (ret == 0 && c->cmd == CMD_LOAD) {
		ret = CLI_EXIT_USAGE;
		snprintf(err, sizeof(err), "-R in a file");
	}
	a = ret == 0 ? new_action(l, line) : NULL;
	if (ret == 0 && !a) {
		ret = CLI_EXIT_FAIL;
		snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
	}
	if (ret == 0)
		ret = take_line(l, a, c, err, sizeof(err));
	if (ret)
		fprintf(l->x->env->err, "ctnl: %s:%u: %s\n", l->name, line,
			err);
	return ret;
}

/* Reads every line; the first bad one stops it, before anything runs. */
static int parse_all(struct load *l)
{
	unsigned int line = 0;
	char *s = l->text;

	while (*s) {
		char *end = strchr(s, '\n');
		char *next = end ? end + 1 : s + strlen(s);

		line++;
		if (end)
			*end = '\0';
		s += strspn(s, " \t");
		if (*s != '#' && *s != '\0') {
			if (split_line(l, s))
				return CLI_EXIT_FAIL;
			if (l->nwords > 1 && parse_line(l, line))
				return CLI_EXIT_USAGE;
		}
		s = next;
	}
	return 0;
}

/* ---- Running what was read ---- */

/* Whether two actions go in one batch: creations, or deletions by key. */
static bool same_batch(const struct action *a, const struct action *b)
{
	bool create_a = a->cmd == CMD_CREATE || a->cmd == CMD_ADD;
	bool create_b = b->cmd == CMD_CREATE || b->cmd == CMD_ADD;

	return !a->c && !b->c && create_a == create_b;
}

/* ---- Deletions by tuple: one dump finds them all ---- */

/* Keys by tuple, open addressing: conntrack deletes what a dump shows
 * with that tuple (and prints it), so the entries are found, then
 * deleted in one batch, then printed. */
struct key_index {
	const struct ctnl_flow *keys;
	size_t n, slots;
	size_t *slot;			/* key + 1; 0: empty */
	struct ctnl_flow *found;	/* per key */
	bool *hit;
};

static const struct ctnl_tuple *key_tuple(const struct ctnl_flow *k)
{
	return (k->attrs & CTNL_ATTR_ORIG) ? &k->orig : &k->reply;
}

/* FNV-1a over the tuple, which the parser and sel_tuple() leave zeroed
 * where a protocol has nothing. */
static size_t tuple_hash(const struct ctnl_tuple *t, bool reply)
{
	const unsigned char *p = (const unsigned char *)t;
	uint64_t h = reply ? 0xcbf29ce484222325u : 0x84222325cbf29ce4u;

	for (size_t i = 0; i < sizeof(*t); i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return (size_t)h;
}

static int index_keys(struct key_index *ix)
{
	ix->slots = 16;
	while (ix->slots < ix->n * 2)
		ix->slots *= 2;
	ix->slot = calloc(ix->slots, sizeof(*ix->slot));
	ix->found = calloc(ix->n, sizeof(*ix->found));
	ix->hit = calloc(ix->n, sizeof(*ix->hit));
	if (!ix->slot || !ix->found || !ix->hit)
		return -ENOMEM;
	for (size_t k = 0; k < ix->n; k++) {
		const struct ctnl_flow *key = &ix->keys[k];
		size_t at = tuple_hash(key_tuple(key),
				       !(key->attrs & CTNL_ATTR_ORIG));

		while (ix->slot[at & (ix->slots - 1)])
			at++;
		ix->slot[at & (ix->slots - 1)] = k + 1;
	}
	return 0;
}

/* The first key not yet found that names @t (in its direction). */
static void find_key(struct key_index *ix, const struct ctnl_tuple *t,
		     bool reply, const struct ctnl_flow *entry)
{
	for (size_t at = tuple_hash(t, reply);; at++) {
		size_t k = ix->slot[at & (ix->slots - 1)];
		const struct ctnl_flow *key;

		if (!k)
			return;
		key = &ix->keys[k - 1];
		if (ix->hit[k - 1] ||
		    !(key->attrs & CTNL_ATTR_ORIG) == !reply ||
		    memcmp(key_tuple(key), t, sizeof(*t)))
			continue;
		ix->hit[k - 1] = true;
		ix->found[k - 1] = *entry;
		return;
	}
}

static int index_cb(const struct ctnl_flow *f, void *data)
{
	find_key(data, &f->orig, false, f);
	find_key(data, &f->reply, true, f);
	return CTNL_CB_OK;
}

/* Deletes the entries keys[0..n) name, in one batch, and prints them. */
static int delete_keys(struct load *l, const struct action *first,
		       const struct ctnl_flow *keys, size_t n)
{
	struct key_index ix = { .keys = keys, .n = n };
	struct ctnl_flow *byid = calloc(n, sizeof(*byid));
	int *results = calloc(n, sizeof(*results));
	size_t m = 0;
	int ret = byid && results ? index_keys(&ix) : -ENOMEM;

	if (ret == 0)
		ret = ctnl_ct_dump(l->x->env->ct, NULL, index_cb, &ix, NULL);
	for (size_t k = 0; ret >= 0 && k < n; k++)
		if (ix.hit[k])
			byid[m++] = (struct ctnl_flow){
				.attrs = CTNL_ATTR_ORIG |
					 (ix.found[k].attrs & CTNL_ATTR_ID),
				.orig = ix.found[k].orig,
				.id = ix.found[k].id,
			};
	if (ret >= 0 && m)
		ret = progress_batch(&l->progress, l->x->env->ct,
				     CTNL_OP_DELETE, byid, m, NULL, 0, results);
	progress_step(&l->progress, n - m);
	l->x->save_type = CTNL_EVENT_DESTROY;
	for (size_t k = 0, j = 0; ret >= 0 && k < n; k++)
		if (ix.hit[k] && results[j++] == 0)
			out_ct_flow(l->x, &ix.found[k], NULL);
	free(ix.slot);
	free(ix.found);
	free(ix.hit);
	free(byid);
	free(results);
	if (ret < 0)
		fprintf(l->x->env->err, "ctnl: %s:%u: -D: %s\n", l->name,
			first->line, strerror(-ret));
	return ret < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* Runs actions [*i, the end of their batch) and moves *i past them;
 * *@flow is the first of their entries. CLI_EXIT_FAIL if one failed. */
static int run_batch(struct load *l, size_t *i, size_t *flow)
{
	const struct action *first = &l->actions[*i];
	bool create = first->cmd != CMD_DELETE;
	size_t n = 1, f0 = *flow;
	int *results, status = CLI_EXIT_OK;

	while (*i + n < l->count && same_batch(first, first + n))
		n++;
	if (!create) {
		status = delete_keys(l, first, &l->flows[f0], n);
		*i += n;
		*flow += n;
		return status;
	}
	results = calloc(n, sizeof(*results));
	if (!results)
		return out_kernel_fail(l->x, "-R", -ENOMEM);
	progress_batch(&l->progress, l->x->env->ct, CTNL_OP_CREATE,
		       &l->flows[f0], n, NULL, 0, results);
	for (size_t k = 0; k < n; k++) {
		const struct action *a = first + k;
		int r = results[k];

		/* -A leaves an entry that exists, as conntrack does. */
		if (r == 0 || (r == -EEXIST && a->cmd == CMD_ADD))
			continue;
		fprintf(l->x->env->err, "ctnl: %s:%u: %s: %s\n", l->name,
			a->line, a->cmd == CMD_ADD ? "-A" : "-I",
			strerror(-r));
		status = CLI_EXIT_FAIL;
	}
	free(results);
	*i += n;
	*flow += n;
	return status;
}

/* One -U, -D or -F line, as the command alone would run, less its
 * summary: conntrack counts nothing a file does. */
static int run_line(struct load *l, const struct action *a)
{
	/* The file's report is the one on the terminal. */
	struct run_env env = *l->x->env;
	struct ctx x = { .c = a->c, .env = &env, .in_file = true };
	int ret;

	env.progress = false;
	ret = run_prepare(&x);
	if (ret == 0)
		ret = ct_run(&x);
	tb_free(&x.line);
	progress_step(&l->progress, 1);
	if (ret != CLI_EXIT_OK)
		fprintf(l->x->env->err, "ctnl: %s:%u: failed, as said\n",
			l->name, a->line);
	return ret;
}

static int run_all(struct load *l)
{
	size_t i = 0, flow = 0;
	int status = CLI_EXIT_OK, ret;

	progress_begin(&l->progress, l->x->env, "done", l->count);
	while (i < l->count) {
		if (l->actions[i].c)
			ret = run_line(l, &l->actions[i++]);
		else
			ret = run_batch(l, &i, &flow);
		if (ret != CLI_EXIT_OK)
			status = CLI_EXIT_FAIL;
	}
	progress_end(&l->progress);
	return status;
}

static void load_free(struct load *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->actions[i].c);
	free(l->actions);
	free(l->flows);
	free(l->words);
	free(l->scratch);
	free(l->text);
}

int ct_load(struct ctx *x)
{
	const char *path = x->c->load_file;
	struct load l = { .x = x, .name = path };
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int ret;

	if (!f) {
		fprintf(x->env->err, "ctnl: -R: cannot read %s: %s\n", path,
			strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if (f == stdin)
		l.name = "standard input";
	ret = read_all(f, &l.text);
	if (f != stdin)
		fclose(f);
	l.scratch = malloc(sizeof(*l.scratch));
	if (ret < 0 || !l.scratch) {
		fprintf(x->env->err, "ctnl: -R: %s: %s\n", path,
			strerror(ret < 0 ? -ret : ENOMEM));
		load_free(&l);
		return CLI_EXIT_FAIL;
	}
	ret = parse_all(&l);
	if (ret == CLI_EXIT_OK)
		ret = run_all(&l);
	load_free(&l);
	return ret;
}
