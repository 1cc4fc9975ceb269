/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: ctnl's command line. The input is split at its NUL bytes
 * into arguments (so "list\0-p\0tcp" is `ctnl list -p tcp`; an empty piece
 * is an empty argument), each in an allocation of exactly its size, and
 * handed to cli_parse(), the tool's parser, which promises to be a pure
 * function of argv.
 *
 * Whatever the words, the parse accepts (0) or refuses (CLI_EXIT_USAGE);
 * a refusal comes with a message, one line unless an argument it quotes
 * holds a newline, terminated in its buffer, the same whatever the
 * buffer's size (cut short in a small one, absent without one); an
 * acceptance leaves no message and a struct cli that makes sense (each
 * field within its range, every string it keeps pointing into argv, what
 * check() enforces holding). The parse is repeatable and writes nothing
 * into argv. AddressSanitizer catches a read past an argument, a leak or
 * any allocation at all; libFuzzer's -timeout a loop.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room for any message the parser writes: it quotes arguments, so it
 * can be long; a shorter buffer must cut it, not overflow. */
#define ERR_MAX 512

struct words {
	int argc;
	char **argv;		/* argv[0] is "ctnl"; argv[argc] NULL */
	size_t *len;		/* each word's length */
	bool newline;		/* some word holds a '\n' */
};

static void split(const uint8_t *data, size_t size, struct words *w)
{
	size_t n = 1, start = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\0';
	w->argc = (int)n + 1;
	w->argv = calloc(n + 2, sizeof(*w->argv));
	w->len = calloc(n + 1, sizeof(*w->len));
	FUZZ_CHECK(w->argv && w->len);
	w->argv[0] = strdup("ctnl");
	w->len[0] = 4;
	FUZZ_CHECK(w->argv[0]);
	w->newline = false;
	for (size_t i = 1; i <= n; i++) {
		size_t end = start;

		while (end < size && data[end] != '\0')
			end++;
		w->argv[i] = malloc(end - start + 1);
		FUZZ_CHECK(w->argv[i]);
		memcpy(w->argv[i], data + start, end - start);
		w->argv[i][end - start] = '\0';
		w->len[i] = end - start;
		w->newline |= memchr(w->argv[i], '\n', end - start) != NULL;
		start = end + 1;
	}
}

static void free_words(struct words *w)
{
	for (int i = 0; i < w->argc; i++)
		free(w->argv[i]);
	free(w->argv);
	free(w->len);
}

/* Whether [@p, @p + @len] lies inside one argument (its NUL included). */
static bool in_argv(const struct words *w, const char *p, size_t len)
{
	for (int i = 1; i < w->argc; i++)
		if (p >= w->argv[i] && p + len <= w->argv[i] + w->len[i])
			return true;
	return false;
}

static void check_string(const struct words *w, const char *s, size_t min,
			 size_t max)
{
	size_t len;

	if (!s)
		return;
	len = strlen(s);
	FUZZ_CHECK(in_argv(w, s, len));
	FUZZ_CHECK(len >= min && len <= max);
}

static void check_addr(const struct cli *c, const struct cli_addr *a)
{
	if (!a->set) {
		FUZZ_CHECK(a->family == 0 && a->len == 0);
		return;
	}
	/* Every address shares the command's family; a prefix is shorter
	 * than the address (its whole length is stored as 0). */
	FUZZ_CHECK(a->family == c->family);
	FUZZ_CHECK(a->len < (a->family == AF_INET ? 32 : 128));
}

static void check_dir(const struct cli *c, const struct cli_dir *d,
		      bool checked)
{
	check_addr(c, &d->src);
	check_addr(c, &d->dst);
	if (checked && (d->has_sport || d->has_dport))
		FUZZ_CHECK((c->given & G_PROTO) &&
			   ctnl_proto_has_ports(c->proto));
}

static void check_labels(const struct words *w, const struct cli_labels *l)
{
	FUZZ_CHECK(l->count <= CLI_LABELS_MAX);
	for (size_t i = 0; i < l->count; i++) {
		const struct cli_label *x = &l->item[i];

		if (!x->name) {
			FUZZ_CHECK(x->bit < CTNL_LABEL_BITS);
			continue;
		}
		/* A name: a piece of a comma list, not a number. */
		FUZZ_CHECK(x->name_len > 0);
		FUZZ_CHECK(in_argv(w, x->name, x->name_len));
		FUZZ_CHECK(!memchr(x->name, ',', x->name_len));
		FUZZ_CHECK(!memchr(x->name, '\0', x->name_len));
		FUZZ_CHECK(x->name[0] < '0' || x->name[0] > '9');
	}
}

/* What an accepted command line in conntrack's syntax must look like. */
static void check_conntrack_syntax(const struct words *w, const struct cli *c)
{
	bool checked = !c->help && !c->version;

	FUZZ_CHECK(c->cmd >= CMD_NONE && c->cmd < CMD_ALL_MAX);
	FUZZ_CHECK(c->list == LIST_TABLE || c->list == LIST_DYING ||
		   c->list == LIST_UNCONFIRMED);
	FUZZ_CHECK(c->family == 0 || c->family == AF_INET ||
		   c->family == AF_INET6);
	FUZZ_CHECK(!(c->ct_out & CT_OUT_SAVE) || c->ct_out == CT_OUT_SAVE);
	check_string(w, c->netns, 1, SIZE_MAX);
	check_string(w, c->load_file, 0, SIZE_MAX);
	check_dir(c, &c->orig, checked);
	check_dir(c, &c->reply, checked);
	check_labels(w, &c->label);
	check_labels(w, &c->label_add);
	check_labels(w, &c->label_del);
	if (!checked)
		return;
	FUZZ_CHECK(c->cmd != CMD_NONE);
	FUZZ_CHECK(c->list == LIST_TABLE || c->cmd == CMD_LIST);
	FUZZ_CHECK((c->cmd == CMD_LOAD) == (c->load_file != NULL));
	if ((c->cmd == CMD_CREATE || c->cmd == CMD_ADD) &&
	    c->table == CTNL_TABLE_CONNTRACK)
		FUZZ_CHECK((c->given & (G_TIMEOUT | G_PROTO)) ==
			   (G_TIMEOUT | G_PROTO));
}

/* What an accepted command line must look like. */
static void check_cli(const struct words *w, const struct cli *c)
{
	/* Help and --version stop before the checks of a command. */
	bool checked = !c->help && !c->version;

	FUZZ_CHECK(c->syntax == SYNTAX_CTNL || c->syntax == SYNTAX_CONNTRACK);
	if (c->syntax == SYNTAX_CONNTRACK) {
		check_conntrack_syntax(w, c);
		return;
	}
	FUZZ_CHECK(c->cmd >= CMD_NONE && c->cmd < CMD_MAX);
	FUZZ_CHECK((cli_cmd_name(c->cmd) != NULL) == (c->cmd != CMD_NONE));
	FUZZ_CHECK(c->output == OUT_TEXT || c->output == OUT_JSON);
	FUZZ_CHECK(!(c->out_flags & ~(OUT_LABELS | OUT_ID | OUT_EXTENDED)));
	FUZZ_CHECK(c->output == OUT_TEXT || c->out_flags == 0);
	FUZZ_CHECK(c->table == CTNL_TABLE_CONNTRACK ||
		   c->table == CTNL_TABLE_EXPECT);
	FUZZ_CHECK(c->family == 0 || c->family == AF_INET ||
		   c->family == AF_INET6);
	check_string(w, c->netns, 1, SIZE_MAX);
	check_string(w, c->helper, 1, 15);
	check_dir(c, &c->orig, checked);
	check_dir(c, &c->reply, checked);
	check_dir(c, &c->exp_tuple, checked);
	check_dir(c, &c->exp_mask, checked);
	check_labels(w, &c->label);
	check_labels(w, &c->label_add);
	check_labels(w, &c->label_del);
	FUZZ_CHECK(!(c->events & ~(unsigned int)CTNL_EVENT_CT_ALL));
	FUZZ_CHECK(c->limit <= UINT32_MAX);
	FUZZ_CHECK(c->mark_mask == UINT32_MAX || (c->given & G_MARK));

	/* The helpers the runner asks, on anything accepted. */
	(void)cli_any_selection(c);
	(void)cli_has_other_criteria(c);
	FUZZ_CHECK(cli_whole_tuple(c) == 0 ||
		   cli_whole_tuple(c) == CTNL_ATTR_ORIG ||
		   cli_whole_tuple(c) == CTNL_ATTR_REPLY);
	if (!checked)
		return;

	FUZZ_CHECK(c->cmd != CMD_NONE);
	if (c->given & G_STATE) {
		FUZZ_CHECK(c->given & G_PROTO);
		FUZZ_CHECK(c->proto == IPPROTO_TCP
				   ? cli_tcp_state_name(c->state) != NULL
				   : c->proto == IPPROTO_SCTP &&
					     cli_sctp_state_name(c->state));
	}
	if (c->given & (G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID))
		FUZZ_CHECK((c->given & G_PROTO) &&
			   (c->proto == IPPROTO_ICMP ||
			    c->proto == IPPROTO_ICMPV6));
	if (c->given & G_LIMIT)
		FUZZ_CHECK(c->limit >= 1);
	if (c->cmd == CMD_CREATE && c->table == CTNL_TABLE_CONNTRACK) {
		FUZZ_CHECK(c->given & G_TIMEOUT);
		FUZZ_CHECK(cli_whole_tuple(c) == CTNL_ATTR_ORIG);
	}
	if (c->cmd == CMD_GET && c->table == CTNL_TABLE_CONNTRACK)
		FUZZ_CHECK(cli_whole_tuple(c) != 0);
	if (c->cmd == CMD_DELETE && c->table == CTNL_TABLE_CONNTRACK)
		FUZZ_CHECK(cli_any_selection(c));
	if (c->table == CTNL_TABLE_CONNTRACK)
		FUZZ_CHECK(!(c->given & G_HELPER));
}

/* What a second parse must agree on (the struct may hold padding, so
 * field by field). */
static void check_same(const struct cli *a, const struct cli *b)
{
	FUZZ_CHECK(a->cmd == b->cmd && a->help == b->help &&
		   a->version == b->version && a->netns == b->netns &&
		   a->output == b->output && a->out_flags == b->out_flags &&
		   a->table == b->table && a->given == b->given &&
		   a->family == b->family && a->proto == b->proto &&
		   a->mark == b->mark && a->mark_mask == b->mark_mask &&
		   a->zone == b->zone && a->state == b->state &&
		   a->status == b->status && a->timeout == b->timeout &&
		   a->events == b->events && a->limit == b->limit &&
		   a->helper == b->helper &&
		   a->label.count == b->label.count &&
		   a->label_add.count == b->label_add.count &&
		   a->label_del.count == b->label_del.count);
	FUZZ_CHECK(!memcmp(&a->orig.src.addr, &b->orig.src.addr,
			   sizeof(a->orig.src.addr)));
	FUZZ_CHECK(a->orig.sport == b->orig.sport &&
		   a->orig.dport == b->orig.dport &&
		   a->reply.sport == b->reply.sport &&
		   a->reply.dport == b->reply.dport);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct words w;
	struct cli c, again;
	char err[ERR_MAX], small[12];
	size_t len;
	int ret;

	split(data, size, &w);

	memset(err, 0x5a, sizeof(err));
	ret = cli_parse(w.argc, w.argv, &c, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || ret == CLI_EXIT_USAGE);
	len = strnlen(err, sizeof(err));
	FUZZ_CHECK(len < sizeof(err));
	if (ret == 0) {
		FUZZ_CHECK(len == 0);
		check_cli(&w, &c);
	} else {
		FUZZ_CHECK(len > 0);
		FUZZ_CHECK(w.newline || !memchr(err, '\n', len));
	}

	/* The same words, the same answer: a short buffer holds the start
	 * of the same message, and no buffer at all is fine. */
	memset(small, 0x5a, sizeof(small));
	FUZZ_CHECK(cli_parse(w.argc, w.argv, &again, small, sizeof(small)) ==
		   ret);
	FUZZ_CHECK(strnlen(small, sizeof(small)) < sizeof(small));
	FUZZ_CHECK(!strncmp(small, err, sizeof(small) - 1));
	check_same(&c, &again);
	FUZZ_CHECK(cli_parse(w.argc, w.argv, &again, NULL, 0) == ret);
	check_same(&c, &again);

	/* argv is read only. */
	for (int i = 1, off = 0; i < w.argc; i++) {
		FUZZ_CHECK(strlen(w.argv[i]) == w.len[i]);
		FUZZ_CHECK(!memcmp(w.argv[i], data + off, w.len[i]));
		off += (int)w.len[i] + 1;
	}
	free_words(&w);
	return 0;
}
