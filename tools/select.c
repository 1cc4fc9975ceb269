/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Turning the options into what the library takes: a filter (struct
 * ctnl_filter) for the entries a command selects, a key for the one entry
 * a whole tuple names, the change an update makes, and labels as bits.
 */
#include <stdio.h>
#include <string.h>

#include "ctformat.h"
#include "runner.h"

/* Whether the options set values rather than select (-m, -u, zones). */
static bool sets_values(const struct cli *c)
{
	return c->cmd == CMD_UPDATE || c->cmd == CMD_CREATE ||
	       c->cmd == CMD_ADD;
}

bool sel_has_extra(const struct cli *c)
{
	uint32_t extra = G_ICMP_TYPE | G_ICMP_CODE | G_ICMP_ID;

	/* conntrack's criteria that struct ctnl_filter cannot say; zones
	 * of one direction are values where the entry is made. */
	if (c->syntax == SYNTAX_CONNTRACK)
		extra |= G_ID | G_SRC_NAT | G_DST_NAT | G_ANY_NAT |
			 (sets_values(c) ? 0 : G_ORIG_ZONE | G_REPLY_ZONE) |
			 (c->zone == 0 && !sets_values(c) ? G_ZONE : 0);
	return (c->given & extra) ||
	       ((c->given & G_STATE) && c->proto != IPPROTO_TCP);
}

static bool state_match(const struct cli *c, const struct ctnl_flow *f)
{
	if (c->proto == IPPROTO_SCTP)
		return f->orig.proto == IPPROTO_SCTP &&
		       (f->attrs & CTNL_ATTR_SCTP_STATE) &&
		       f->sctp.state == c->state;
	if (c->proto == IPPROTO_DCCP)
		return f->orig.proto == IPPROTO_DCCP &&
		       (f->attrs & CTNL_ATTR_DCCP_STATE) &&
		       f->dccp.state == c->state;
	return true;	/* TCP: in the filter */
}

static bool addr_is(const struct ctnl_flow *f, const struct cli_addr *a,
		    const union ctnl_addr *have)
{
	return a->family == f->orig.family &&
	       memcmp(&a->addr, have, a->family == AF_INET ? 4 : 16) == 0;
}

/* One way of translation, as conntrack's --src-nat/--dst-nat judge it:
 * translated at all, or to the address and port given. */
static bool nat_match(const struct ctnl_flow *f, const struct cli_nat *n,
		      bool src)
{
	bool addr = src ? ct_is_snat(f) : ct_is_dnat(f);
	bool port = src ? ct_is_spat(f) : ct_is_dpat(f);

	if (n->addr.set)
		addr = addr && addr_is(f, &n->addr,
				       src ? &f->reply.dst : &f->reply.src);
	if (n->has_port)
		port = port && n->port == (src ? f->reply.port.dst
					       : f->reply.port.src);
	if (n->addr.set && n->has_port)
		return addr && port;
	if (n->addr.set)
		return addr;
	if (n->has_port)
		return port;
	return addr || port;
}

static bool ct_extra_match(const struct cli *c, const struct ctnl_flow *f)
{
	bool snat = c->given & (G_SRC_NAT | G_ANY_NAT);
	bool dnat = c->given & (G_DST_NAT | G_ANY_NAT);

	if ((c->given & G_ID) && (!(f->attrs & CTNL_ATTR_ID) || f->id != c->id))
		return false;
	/* conntrack's -w 0: no zone of both directions (a zone of one
	 * direction leaves the other in zone 0). */
	if (!sets_values(c) && (c->given & G_ZONE) && c->zone == 0 &&
	    f->orig.zone && f->orig.zone == f->reply.zone)
		return false;
	if (!sets_values(c) && (c->given & G_ORIG_ZONE) &&
	    f->orig.zone != c->orig_zone)
		return false;
	if (!sets_values(c) && (c->given & G_REPLY_ZONE) &&
	    f->reply.zone != c->reply_zone)
		return false;
	if (c->given & G_ANY_NAT)
		return nat_match(f, &c->src_nat, true) ||
		       nat_match(f, &c->dst_nat, false);
	if (snat && !nat_match(f, &c->src_nat, true))
		return false;
	return !dnat || nat_match(f, &c->dst_nat, false);
}

bool sel_extra_match(const struct cli *c, const struct ctnl_flow *f)
{
	if ((c->given & G_ICMP_TYPE) && f->orig.icmp.type != c->icmp_type)
		return false;
	if ((c->given & G_ICMP_CODE) && f->orig.icmp.code != c->icmp_code)
		return false;
	if ((c->given & G_ICMP_ID) && f->orig.icmp.id != c->icmp_id)
		return false;
	if ((c->given & G_STATE) && !state_match(c, f))
		return false;
	return c->syntax != SYNTAX_CONNTRACK || ct_extra_match(c, f);
}

bool sel_match(const struct ctx *x, const struct ctnl_flow *f)
{
	return ctnl_filter_match(&x->filter, f) && sel_extra_match(x->c, f);
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

static void filter_port(struct ctnl_filter *f, uint32_t bit, bool has,
			uint16_t value, uint16_t *port)
{
	if (!has)
		return;
	f->match |= bit;
	*port = value;
}

static void filter_tuples(const struct cli *c, struct ctnl_filter *f)
{
	filter_addr(f, CTNL_MATCH_ORIG_SRC, &c->orig.src, &f->orig_src,
		    &f->orig_src_len);
	filter_addr(f, CTNL_MATCH_ORIG_DST, &c->orig.dst, &f->orig_dst,
		    &f->orig_dst_len);
	filter_addr(f, CTNL_MATCH_REPLY_SRC, &c->reply.src, &f->reply_src,
		    &f->reply_src_len);
	filter_addr(f, CTNL_MATCH_REPLY_DST, &c->reply.dst, &f->reply_dst,
		    &f->reply_dst_len);
	filter_port(f, CTNL_MATCH_ORIG_SPORT, c->orig.has_sport, c->orig.sport,
		    &f->orig_sport);
	filter_port(f, CTNL_MATCH_ORIG_DPORT, c->orig.has_dport, c->orig.dport,
		    &f->orig_dport);
	filter_port(f, CTNL_MATCH_REPLY_SPORT, c->reply.has_sport,
		    c->reply.sport, &f->reply_sport);
	filter_port(f, CTNL_MATCH_REPLY_DPORT, c->reply.has_dport,
		    c->reply.dport, &f->reply_dport);
}

void sel_filter(struct ctx *x)
{
	const struct cli *c = x->c;
	struct ctnl_filter *f = &x->filter;

	*f = (struct ctnl_filter){ .family = c->family };
	if (c->given & G_PROTO) {
		f->match |= CTNL_MATCH_PROTO;
		f->proto = c->proto;
	}
	filter_tuples(c, f);
	if ((c->given & G_MARK) && !sets_values(c)) {
		f->match |= CTNL_MATCH_MARK;
		/* conntrack compares the value as given, so a value with
		 * bits outside the mask selects nothing. */
		f->mark = c->syntax == SYNTAX_CONNTRACK
				  ? c->mark : c->mark & c->mark_mask;
		f->mark_mask = c->mark_mask;
	}
	if ((c->given & G_STATUS) && !sets_values(c)) {
		f->match |= CTNL_MATCH_STATUS;
		f->status = c->status;
		f->status_mask = c->syntax == SYNTAX_CONNTRACK
					 ? c->status_mask
				 : c->status ? c->status
					     : CLI_STATUS_UNSET_MASK;
	}
	/* conntrack's -w 0 is checked apart (see ct_extra_match()). */
	if ((c->given & G_ZONE) &&
	    (c->zone || c->syntax != SYNTAX_CONNTRACK || sets_values(c))) {
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

void sel_tuple(const struct cli *c, const struct cli_dir *d,
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

void sel_key(const struct cli *c, struct ctnl_flow *key)
{
	uint64_t which = cli_whole_tuple(c);

	*key = (struct ctnl_flow){ .attrs = which };
	if (which == CTNL_ATTR_ORIG) {
		sel_tuple(c, &c->orig, &key->orig);
		key->orig.zone = c->zone;
	} else {
		sel_tuple(c, &c->reply, &key->reply);
		key->reply.zone = c->zone;
	}
}

void sel_expect_key(const struct cli *c, struct ctnl_expect *key)
{
	*key = (struct ctnl_expect){ .attrs = CTNL_EXP_ATTR_TUPLE };
	sel_tuple(c, &c->exp_tuple, &key->tuple);
	if (c->given & G_ZONE) {
		key->attrs |= CTNL_EXP_ATTR_ZONE;
		key->zone = c->zone;
	}
}

bool sel_mark_masked(const struct cli *c)
{
	return (c->given & G_MARK) && c->mark_mask != UINT32_MAX;
}

/* The kernel's rule for a mark with a mask: new = (old & ~mask) ^ value. */
uint32_t sel_new_mark(const struct cli *c, uint32_t old)
{
	return (old & ~c->mark_mask) ^ c->mark;
}

void sel_change(const struct ctx *x, struct ctnl_change *ch)
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
		/* --label-del without labels: every label goes. */
		for (size_t i = 0; i < CTNL_LABEL_BITS / 32; i++)
			ch->labels_mask.words[i] =
				c->label_del_all ? UINT32_MAX
						 : x->label_add.words[i] |
							   x->label_del.words[i];
	}
}

int sel_labels(struct ctx *x, char *err, size_t size)
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
	for (unsigned int w = 0; w < CTNL_LABEL_BITS / 32; w++) {
		uint32_t both = x->label_add.words[w] & x->label_del.words[w];

		if (both) {
			snprintf(err, size, "--label-del: label %u is also in "
				 "--label-add",
				 w * 32 + (unsigned int)__builtin_ctz(both));
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* Both tuples are always given, so that zones of one direction stay with
 * that direction; the one not given is the other's inverse. */
static void created_tuples(const struct cli *c, struct ctnl_flow *f)
{
	struct ctnl_tuple inverse;

	if (!c->orig.src.set) {
		/* conntrack -I -r -q: made from its reply tuple. */
		sel_tuple(c, &c->reply, &f->reply);
		ctnl_tuple_invert(&f->reply, &f->orig);
	} else if (c->reply.src.set) {
		/* ICMP fields are the original direction's: the reply's
		 * type is its pair. */
		sel_tuple(c, &c->orig, &f->orig);
		sel_tuple(c, &c->reply, &f->reply);
		ctnl_tuple_invert(&f->orig, &inverse);
		if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6)
			f->reply.icmp.type = inverse.icmp.type;
	} else {
		sel_tuple(c, &c->orig, &f->orig);
		ctnl_tuple_invert(&f->orig, &f->reply);
	}
	if (c->given & G_ZONE)
		f->orig.zone = f->reply.zone = c->zone;
	if (c->given & G_ORIG_ZONE)
		f->orig.zone = c->orig_zone;
	if (c->given & G_REPLY_ZONE)
		f->reply.zone = c->reply_zone;
}

/* What conntrack adds to an entry it creates. */
static void created_as_conntrack(const struct cli *c, struct ctnl_flow *f)
{
	/* No window tracking for a TCP entry made by hand (its packets
	 * would look out of window), and from TIME_WAIT on a new
	 * connection may reopen it, as conntrack sets them. */
	uint8_t tcp = IP_CT_TCP_FLAG_BE_LIBERAL | IP_CT_TCP_FLAG_SACK_PERM;

	if (c->proto == IPPROTO_TCP && (c->given & G_STATE)) {
		if (c->state >= CTNL_TCP_TIME_WAIT)
			tcp |= IP_CT_TCP_FLAG_CLOSE_INIT;
		f->attrs |= CTNL_ATTR_TCP_FLAGS;
		f->tcp.flags[0] = f->tcp.flags[1] = tcp;
		f->tcp.flags_mask[0] = f->tcp.flags_mask[1] = tcp;
	}
	/* -n, -g ADDR[:PORT]: the kernel translates as a NAT rule would. */
	if ((c->given & G_SRC_NAT) && c->src_nat.addr.set) {
		f->attrs |= CTNL_ATTR_SNAT;
		f->snat = (struct ctnl_nat){ .min = c->src_nat.addr.addr,
					     .port_min = c->src_nat.port };
	}
	if ((c->given & G_DST_NAT) && c->dst_nat.addr.set) {
		f->attrs |= CTNL_ATTR_DNAT;
		f->dnat = (struct ctnl_nat){ .min = c->dst_nat.addr.addr,
					     .port_min = c->dst_nat.port };
	}
	if (c->proto == IPPROTO_SCTP && (c->given & G_VTAG)) {
		f->attrs |= CTNL_ATTR_SCTP_VTAG;
		f->sctp.vtag[0] = c->vtag[0];
		f->sctp.vtag[1] = c->vtag[1];
	}
}

void sel_created(const struct ctx *x, struct ctnl_flow *f)
{
	const struct cli *c = x->c;

	*f = (struct ctnl_flow){ .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY |
					  CTNL_ATTR_TIMEOUT,
				 .timeout = c->timeout };
	created_tuples(c, f);
	if (c->given & G_MARK) {
		f->attrs |= CTNL_ATTR_MARK;
		f->mark = c->mark;
	}
	if (c->given & G_LABEL_ADD) {
		f->attrs |= CTNL_ATTR_LABELS;
		f->labels = x->label_add;
	}
	if (c->given & G_STATUS) {
		f->attrs |= CTNL_ATTR_STATUS;
		f->status = c->status;
	}
	if ((c->given & G_STATE) && c->proto == IPPROTO_TCP) {
		f->attrs |= CTNL_ATTR_TCP_STATE;
		f->tcp.state = c->state;
	} else if ((c->given & G_STATE) && c->proto == IPPROTO_SCTP) {
		f->attrs |= CTNL_ATTR_SCTP_STATE;
		f->sctp.state = c->state;
	}
	if (c->syntax == SYNTAX_CONNTRACK)
		created_as_conntrack(c, f);
}

void sel_created_expect(const struct cli *c, struct ctnl_expect *e)
{
	*e = (struct ctnl_expect){
		.attrs = CTNL_EXP_ATTR_MASTER | CTNL_EXP_ATTR_TUPLE |
			 CTNL_EXP_ATTR_MASK | CTNL_EXP_ATTR_TIMEOUT,
		.timeout = c->timeout,
	};
	sel_tuple(c, &c->orig, &e->master);
	sel_tuple(c, &c->exp_tuple, &e->tuple);
	sel_tuple(c, &c->exp_mask, &e->mask);
	if (c->given & G_ZONE) {
		e->attrs |= CTNL_EXP_ATTR_ZONE;
		e->zone = c->zone;
	}
	if (c->helper) {
		e->attrs |= CTNL_EXP_ATTR_HELPER;
		snprintf(e->helper, sizeof(e->helper), "%s", c->helper);
	}
}
