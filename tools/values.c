/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the value of one option: numbers, addresses, protocols, marks,
 * lists. Each refusal names the option as given and the value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "parser.h"

int parse_number(const char *text, uint64_t max, enum num_base nb,
		 uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	const char *s = text;

	if (!s || *s == '\0')
		return -EINVAL;
	if (nb != NUM_DEC && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (*s == '\0')
			return -EINVAL;
	} else if (nb == NUM_C && s[0] == '0') {
		base = 8;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9' && (unsigned int)(*s - '0') < base)
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (max - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int parse_uint(struct parser *p, const char *text, uint64_t max,
	       enum num_base nb, const char *what, uint64_t *out)
{
	if (parse_number(text, max, nb, out) < 0)
		return parser_fail(p, "%s: '%s' is not %s (0-%llu)",
				   p->opt_text, text, what,
				   (unsigned long long)max);
	return 0;
}

/* Sets the family from an address; all addresses share one. */
static int set_family(struct parser *p, uint8_t family)
{
	if (p->c->family && p->c->family != family)
		return parser_fail(p, "%s: an %s address where the others "
				      "are %s", p->opt_text,
				   family == AF_INET ? "IPv4" : "IPv6",
				   p->c->family == AF_INET ? "IPv4" : "IPv6");
	p->c->family = family;
	return 0;
}

/* The prefix after the slash: /0 is every address, which selects nothing
 * out, so it leaves the address unset (*@all); the whole length is 0. */
static int parse_prefix(struct parser *p, const char *text,
			struct cli_addr *a, bool *all)
{
	unsigned int max = a->family == AF_INET ? 32 : 128;
	uint64_t plen;

	if (parse_number(text, max, NUM_DEC, &plen) < 0)
		return parser_fail(p, "%s: '%s' is not a prefix length "
				      "(0-%u)", p->opt_text, text, max);
	*all = plen == 0;
	a->len = plen == max ? 0 : (uint8_t)plen;
	return 0;
}

int parse_addr(struct parser *p, const char *text, bool prefix_ok,
	       struct cli_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	struct cli_addr a = { .set = true };
	bool all = false;

	if (len >= sizeof(buf))
		return parser_fail(p, "%s: '%s' is not an IPv4 or IPv6 "
				      "address", p->opt_text, text);
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a.addr.in) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a.addr.in6) == 1)
		a.family = AF_INET6;
	else
		return parser_fail(p, "%s: '%s' is not an IPv4 or IPv6 "
				      "address", p->opt_text, buf);
	if (slash && !prefix_ok)
		return parser_fail(p, "%s: takes an address, not a prefix",
				   p->opt_text);
	if (slash && parse_prefix(p, slash + 1, &a, &all))
		return CLI_EXIT_USAGE;
	if (all) {
		*out = (struct cli_addr){ 0 };
		return 0;
	}
	if (set_family(p, a.family))
		return CLI_EXIT_USAGE;
	*out = a;
	return 0;
}

int parse_proto(struct parser *p, const char *text)
{
	int num = names_proto(text);
	uint64_t v;

	if (num >= 0) {
		p->c->proto = (uint8_t)num;
		return 0;
	}
	if (parse_number(text, 255, NUM_DEC, &v) < 0)
		return parser_fail(p, "%s: unknown protocol '%s' (tcp, udp, "
				      "udplite, sctp, dccp, gre, icmp, icmpv6, "
				      "or 0-255)", p->opt_text, text);
	p->c->proto = (uint8_t)v;
	return 0;
}

int parse_family(struct parser *p, const char *text)
{
	uint8_t family;

	if (strcmp(text, "ipv4") == 0 || strcmp(text, "inet") == 0)
		family = AF_INET;
	else if (strcmp(text, "ipv6") == 0 || strcmp(text, "inet6") == 0)
		family = AF_INET6;
	else
		return parser_fail(p, "%s: unknown family '%s' (ipv4 or "
				      "ipv6)", p->opt_text, text);
	return set_family(p, family);
}

int parse_mark(struct parser *p, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	uint64_t v, m = UINT32_MAX;

	if (strlen(text) >= sizeof(buf))
		return parser_fail(p, "%s: '%s' is not a mark (VALUE[/MASK])",
				   p->opt_text, text);
	snprintf(buf, sizeof(buf), "%s", text);
	if (slash)
		buf[slash - text] = '\0';
	if (parse_number(buf, UINT32_MAX, NUM_HEX, &v) < 0 ||
	    (slash && parse_number(slash + 1, UINT32_MAX, NUM_HEX, &m) < 0))
		return parser_fail(p, "%s: '%s' is not a mark: VALUE[/MASK], "
				      "32-bit numbers, decimal or 0x hex",
				   p->opt_text, text);
	p->c->mark = (uint32_t)v;
	p->c->mark_mask = (uint32_t)m;
	return 0;
}

/* Splits a comma list into @fn(item) calls; empty items are errors. */
static int each_item(struct parser *p, const char *text,
		     int (*fn)(struct parser *, const char *, void *),
		     void *arg)
{
	char item[128];
	const char *s = text;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int ret;

		if (len == 0 || len >= sizeof(item))
			return parser_fail(p, "%s: '%s' is not a "
					      "comma-separated list",
					   p->opt_text, text);
		memcpy(item, s, len);
		item[len] = '\0';
		ret = fn(p, item, arg);
		if (ret)
			return ret;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* One label of a list: a number is taken now; a name is kept as a
 * pointer into argv (which outlives the parse) and a length, for the
 * label map to resolve when the command runs. */
static int parse_label(struct parser *p, const char *s, size_t len,
		       struct cli_label *out)
{
	char num[8];
	uint64_t bit;

	*out = (struct cli_label){ .name = s, .name_len = len };
	if (s[0] < '0' || s[0] > '9')
		return 0;
	if (len < sizeof(num)) {
		memcpy(num, s, len);
		num[len] = '\0';
		if (parse_number(num, CTNL_LABEL_BITS - 1, NUM_DEC, &bit) == 0) {
			*out = (struct cli_label){ .bit = (unsigned int)bit };
			return 0;
		}
	}
	return parser_fail(p, "%s: label '%.*s' is not a number 0-127 nor a "
			      "name", p->opt_text, (int)len, s);
}

int parse_labels(struct parser *p, const char *text, struct cli_labels *out)
{
	const char *s = text;

	out->count = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len == 0)
			return parser_fail(p, "%s: '%s' is not a "
					      "comma-separated list",
					   p->opt_text, text);
		if (out->count >= CLI_LABELS_MAX)
			return parser_fail(p, "%s: too many labels",
					   p->opt_text);
		if (parse_label(p, s, len, &out->item[out->count]))
			return CLI_EXIT_USAGE;
		out->count++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int add_status(struct parser *p, const char *item, void *arg)
{
	uint32_t *status = arg;
	uint32_t bit;

	if (strcasecmp(item, "UNSET") == 0)
		return 0;
	bit = names_status(item);
	if (!bit)
		return parser_fail(p, "%s: unknown status flag '%s' (ASSURED, "
				      "SEEN_REPLY, FIXED_TIMEOUT, EXPECTED, "
				      "UNSET, ...)", p->opt_text, item);
	*status |= bit;
	return 0;
}

int parse_status(struct parser *p, const char *text)
{
	p->c->status = 0;
	return each_item(p, text, add_status, &p->c->status);
}

static int add_event(struct parser *p, const char *item, void *arg)
{
	unsigned int *events = arg;

	if (strcasecmp(item, "NEW") == 0)
		*events |= CTNL_EVENT_NEW;
	else if (strcasecmp(item, "UPDATE") == 0)
		*events |= CTNL_EVENT_UPDATE;
	else if (strcasecmp(item, "DESTROY") == 0)
		*events |= CTNL_EVENT_DESTROY;
	else if (strcasecmp(item, "ALL") == 0)
		*events |= CTNL_EVENT_NEW | CTNL_EVENT_UPDATE |
			   CTNL_EVENT_DESTROY;
	else
		return parser_fail(p, "%s: unknown event '%s' (NEW, UPDATE, "
				      "DESTROY, ALL)", p->opt_text, item);
	return 0;
}

int parse_events(struct parser *p, const char *text)
{
	p->c->events = 0;
	return each_item(p, text, add_event, &p->c->events);
}

static int add_output(struct parser *p, const char *item, void *arg)
{
	bool *format_seen = arg;
	struct cli *c = p->c;

	if (strcmp(item, "text") == 0 || strcmp(item, "json") == 0) {
		if (*format_seen)
			return parser_fail(p, "%s: give one format, text or "
					      "json", p->opt_text);
		*format_seen = true;
		c->output = item[0] == 'j' ? OUT_JSON : OUT_TEXT;
	} else if (strcmp(item, "labels") == 0) {
		c->out_flags |= OUT_LABELS;
	} else if (strcmp(item, "id") == 0) {
		c->out_flags |= OUT_ID;
	} else if (strcmp(item, "extended") == 0) {
		c->out_flags |= OUT_EXTENDED;
	} else {
		return parser_fail(p, "%s: unknown output '%s' (text or json; "
				      "for text also labels, id, extended)",
				   p->opt_text, item);
	}
	if (c->output == OUT_JSON && c->out_flags)
		return parser_fail(p, "%s: labels, id and extended apply to "
				      "text output; json always has them",
				   p->opt_text);
	return 0;
}

int parse_output(struct parser *p, const char *text)
{
	bool format_seen = false;

	p->c->output = OUT_TEXT;
	p->c->out_flags = 0;
	return each_item(p, text, add_output, &format_seen);
}
