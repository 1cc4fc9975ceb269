/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Two readings of one rule: the in-memory table's filter (fake_filter.c,
 * written from the kernel's ctnetlink_filter_match() and <ctnl/flow.h>)
 * against libctnl's ctnl_filter_match(). They must give the same answer
 * for every valid filter and entry: first on a table of cases at the
 * boundaries, each with the answer both must give; then on many random
 * filters and entries drawn close to each other (addresses a bit apart
 * around every prefix length, marks and statuses sharing bits under their
 * masks, labels that overlap); then through the fake's dump and
 * delete_matching, which must select exactly what ctnl_filter_match()
 * selects. CTNL_TEST_SEED=N draws another random sequence.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "ct/internal.h"
#include "fake_filter.h"
#include "helpers.h"

/* ---- Cases at the boundaries ---- */

static union ctnl_addr ip(uint8_t family, const char *text)
{
	union ctnl_addr a = { .u32 = { 0 } };

	assert_int_equal(inet_pton(family, text, &a), 1);
	return a;
}

/* A TCP entry 10.0.0.128:1000 -> 10.0.0.2:80, mark 0x12, status
 * CONFIRMED|ASSURED, state ESTABLISHED, labels 3 and 90, or the same over
 * IPv6 (2001:db8::8000 -> 2001:db8::2). */
static struct ctnl_flow entry(uint8_t family)
{
	struct ctnl_flow e = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY | CTNL_ATTR_MARK |
			 CTNL_ATTR_STATUS | CTNL_ATTR_TCP_STATE |
			 CTNL_ATTR_LABELS,
		.mark = 0x12,
		.status = CTNL_STATUS_CONFIRMED | CTNL_STATUS_ASSURED,
		.tcp = { .state = CTNL_TCP_ESTABLISHED },
	};
	bool v4 = family == AF_INET;

	e.orig = (struct ctnl_tuple){ .family = family,
				      .proto = IPPROTO_TCP,
				      .port = { 1000, 80 } };
	e.orig.src = ip(family, v4 ? "10.0.0.128" : "2001:db8::8000");
	e.orig.dst = ip(family, v4 ? "10.0.0.2" : "2001:db8::2");
	e.reply = e.orig;
	e.reply.src = e.orig.dst;
	e.reply.dst = e.orig.src;
	e.reply.port.src = 80;
	e.reply.port.dst = 1000;
	ctnl_labels_set(&e.labels, 3);
	ctnl_labels_set(&e.labels, 90);
	return e;
}

struct filter_case {
	const char *what;
	struct ctnl_filter f;
	struct ctnl_flow e;
	bool selected;
};

static void check_case(const struct filter_case *c)
{
	bool lib = ctnl_filter_match(&c->f, &c->e);
	bool fake = ctnl__fake_filter_match(&c->f, &c->e);

	assert_int_equal(ctnl__filter_check(&c->f), 0);
	if (lib != c->selected || fake != c->selected)
		fail_msg("%s: libctnl says %d, the fake %d, the answer is %d",
			 c->what, lib, fake, c->selected);
}

static void test_boundary_cases(void **state)
{
	const struct ctnl_flow v4 = entry(AF_INET), v6 = entry(AF_INET6);
	struct ctnl_flow sctp = v4, unknown_state = v4, reply_zone = v4;
	struct filter_case cases[32];
	size_t n = 0;

	(void)state;
	sctp.orig.proto = sctp.reply.proto = IPPROTO_SCTP;
	unknown_state.attrs &= ~CTNL_ATTR_TCP_STATE;
	unknown_state.tcp.state = CTNL_TCP_NONE;
	reply_zone.reply.zone = 6;

#define CASE(desc, entry_, sel, ...)                                         \
	cases[n++] = (struct filter_case){ .what = desc, .e = entry_,       \
					   .selected = sel,                   \
					   .f = { __VA_ARGS__ } }
	CASE("/25 holds the bit after /24", v4, false, .family = AF_INET,
	     .match = CTNL_MATCH_ORIG_SRC, .orig_src_len = 25,
	     .orig_src = ip(AF_INET, "10.0.0.0"));
	CASE("/25 ends before bit 26", v4, true, .family = AF_INET,
	     .match = CTNL_MATCH_ORIG_SRC, .orig_src_len = 25,
	     .orig_src = ip(AF_INET, "10.0.0.191"));
	CASE("/31", v4, true, .family = AF_INET,
	     .match = CTNL_MATCH_REPLY_DST, .reply_dst_len = 31,
	     .reply_dst = ip(AF_INET, "10.0.0.129"));
	CASE("/1 of a class A address", v4, true, .family = AF_INET,
	     .match = CTNL_MATCH_ORIG_DST, .orig_dst_len = 1,
	     .orig_dst = ip(AF_INET, "127.255.255.255"));
	CASE("/32 is the whole address", v4, false, .family = AF_INET,
	     .match = CTNL_MATCH_ORIG_DST, .orig_dst_len = 32,
	     .orig_dst = ip(AF_INET, "10.0.0.3"));
	CASE("IPv6 /113 holds the 113th bit", v6, false, .family = AF_INET6,
	     .match = CTNL_MATCH_ORIG_SRC, .orig_src_len = 113,
	     .orig_src = ip(AF_INET6, "2001:db8::"));
	CASE("IPv6 /65", v6, true, .family = AF_INET6,
	     .match = CTNL_MATCH_ORIG_SRC, .orig_src_len = 65,
	     .orig_src = ip(AF_INET6, "2001:db8::7fff:0:0:1"));
	CASE("IPv6 exact", v6, true, .family = AF_INET6,
	     .match = CTNL_MATCH_REPLY_SRC,
	     .reply_src = ip(AF_INET6, "2001:db8::2"));
	CASE("the other family", v6, false, .family = AF_INET);
	CASE("mark under its mask", v4, true, .match = CTNL_MATCH_MARK,
	     .mark = 0x10, .mark_mask = 0xf0);
	CASE("mark, whole", v4, false, .match = CTNL_MATCH_MARK,
	     .mark = 0x10, .mark_mask = 0xffffffff);
	CASE("mark mask 0 takes all", v4, true, .match = CTNL_MATCH_MARK);
	CASE("status under its mask", v4, true, .match = CTNL_MATCH_STATUS,
	     .status = CTNL_STATUS_ASSURED, .status_mask = CTNL_STATUS_ASSURED);
	CASE("status bit not set", v4, false, .match = CTNL_MATCH_STATUS,
	     .status = CTNL_STATUS_DYING, .status_mask = CTNL_STATUS_DYING);
	CASE("labels: every one asked", v4, false, .match = CTNL_MATCH_LABELS,
	     .labels = { .words = { 1u << 3, 0, 1u << 27, 0 } });
	CASE("labels: a subset", v4, true, .match = CTNL_MATCH_LABELS,
	     .labels = { .words = { 0, 0, 1u << 26, 0 } });
	CASE("a zone of the reply direction", reply_zone, true,
	     .match = CTNL_MATCH_ZONE, .zone = 6);
	CASE("the default zone", reply_zone, false, .match = CTNL_MATCH_ZONE);
	CASE("SCTP ports", sctp, false,
	     .match = CTNL_MATCH_PROTO | CTNL_MATCH_ORIG_DPORT,
	     .proto = IPPROTO_SCTP, .orig_dport = 81);
	CASE("reply ports", v4, true,
	     .match = CTNL_MATCH_PROTO | CTNL_MATCH_REPLY_DPORT,
	     .proto = IPPROTO_TCP, .reply_dport = 1000);
	CASE("TCP state", v4, true, .match = CTNL_MATCH_TCP_STATE,
	     .tcp_state = CTNL_TCP_ESTABLISHED);
	CASE("TCP state unknown is no state", unknown_state, false,
	     .match = CTNL_MATCH_TCP_STATE, .tcp_state = CTNL_TCP_NONE);
	CASE("protocol", v4, false, .match = CTNL_MATCH_PROTO,
	     .proto = IPPROTO_UDP);
	CASE("nothing asked", v6, true, .match = 0);
#undef CASE
	assert_true(n <= sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < n; i++)
		check_case(&cases[i]);
	assert_true(ctnl_filter_match(NULL, &v4));
	assert_true(ctnl__fake_filter_match(NULL, &v4));
}

/* ---- Random filters and entries, drawn close together ---- */

struct rng {
	uint64_t s;
};

static uint32_t draw(struct rng *r, uint32_t n)
{
	/* xorshift64*: plenty for test inputs, the same everywhere. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32) % n;
}

static uint64_t seed(void)
{
	const char *s = getenv("CTNL_TEST_SEED");

	return s ? strtoull(s, NULL, 0) | 1 : 0x6c69626374686cull;
}

static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
				  IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6 };
static const uint16_t ports[] = { 0, 53, 80, 81 };

static void random_addr(struct rng *r, uint8_t family, union ctnl_addr *a)
{
	*a = (union ctnl_addr){ .u32 = { 0 } };
	for (size_t i = 0; i < (family == AF_INET ? 4u : 16u); i++)
		a->u8[i] = (uint8_t)draw(r, 4);
}

/* An address like @a, but for up to two bits next to a prefix of @len. */
static union ctnl_addr near(struct rng *r, const union ctnl_addr *a,
			    uint8_t len, unsigned int bits)
{
	union ctnl_addr b = *a;

	for (uint32_t flips = draw(r, 3); flips > 0; flips--) {
		int at = (int)len - 2 + (int)draw(r, 4);

		if (at >= 0 && at < (int)bits)
			b.u8[at / 8] ^= (uint8_t)(0x80u >> (at % 8));
	}
	return b;
}

static struct ctnl_flow random_entry(struct rng *r, uint8_t family)
{
	struct ctnl_flow e = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_REPLY };
	uint16_t zone = (uint16_t)draw(r, 3);

	e.orig.family = family;
	e.orig.proto = protos[draw(r, sizeof(protos))];
	random_addr(r, family, &e.orig.src);
	random_addr(r, family, &e.orig.dst);
	e.orig.port.src = ports[draw(r, 4)];
	e.orig.port.dst = ports[draw(r, 4)];
	e.reply = e.orig;
	e.reply.src = e.orig.dst;
	e.reply.dst = e.orig.src;
	e.reply.port.src = e.orig.port.dst;
	e.reply.port.dst = e.orig.port.src;
	/* One zone id, for one direction or both. */
	switch (draw(r, 3)) {
	case 0:
		e.orig.zone = e.reply.zone = zone;
		break;
	case 1:
		e.orig.zone = zone;
		break;
	default:
		e.reply.zone = zone;
		break;
	}
	e.mark = draw(r, 4) == 0 ? 0 : draw(r, 256) | (draw(r, 2) << 31);
	e.status = draw(r, 1u << 10);
	if (draw(r, 4)) {
		e.attrs |= CTNL_ATTR_TCP_STATE;
		e.tcp.state = (uint8_t)draw(r, 3);
	}
	for (int i = 0; i < 3; i++)
		ctnl_labels_set(&e.labels, draw(r, 6) * 21);
	return e;
}

/* An address criterion of @f near @e's address @have. */
static void near_prefix(struct rng *r, union ctnl_addr *want, uint8_t *len,
			const union ctnl_addr *have, uint8_t family)
{
	unsigned int bits = family == AF_INET ? 32 : 128;

	*len = (uint8_t)draw(r, bits + 1);
	*want = near(r, have, *len ? *len : (uint8_t)bits, bits);
}

static void random_tuple_criteria(struct rng *r, struct ctnl_filter *f,
				  const struct ctnl_flow *e)
{
	f->proto = draw(r, 4) ? e->orig.proto : protos[draw(r, 6)];
	if (draw(r, 2))
		f->match |= CTNL_MATCH_PROTO;
	if ((f->match & CTNL_MATCH_PROTO) && ctnl_proto_has_ports(f->proto)) {
		const uint32_t port_bits[] = {
			CTNL_MATCH_ORIG_SPORT, CTNL_MATCH_ORIG_DPORT,
			CTNL_MATCH_REPLY_SPORT, CTNL_MATCH_REPLY_DPORT };

		f->match |= port_bits[draw(r, 4)] * draw(r, 2);
		f->orig_sport = draw(r, 2) ? e->orig.port.src : ports[draw(r, 4)];
		f->orig_dport = draw(r, 2) ? e->orig.port.dst : ports[draw(r, 4)];
		f->reply_sport = draw(r, 2) ? e->reply.port.src : ports[draw(r, 4)];
		f->reply_dport = draw(r, 2) ? e->reply.port.dst : ports[draw(r, 4)];
	}
	if (!f->family)
		return;
	f->match |= (CTNL_MATCH_ORIG_SRC << draw(r, 2)) * draw(r, 2);
	f->match |= (CTNL_MATCH_REPLY_SRC << draw(r, 2)) * draw(r, 2);
	near_prefix(r, &f->orig_src, &f->orig_src_len, &e->orig.src, f->family);
	near_prefix(r, &f->orig_dst, &f->orig_dst_len, &e->orig.dst, f->family);
	near_prefix(r, &f->reply_src, &f->reply_src_len, &e->reply.src,
		    f->family);
	near_prefix(r, &f->reply_dst, &f->reply_dst_len, &e->reply.dst,
		    f->family);
}

static const uint32_t masks[] = { 0, 0xff, 0xf0, 0x80000001, 0xffffffff };

static struct ctnl_filter random_filter(struct rng *r,
					const struct ctnl_flow *e)
{
	struct ctnl_filter f = { .flags = draw(r, 2) * CTNL_FILTER_USERSPACE };

	switch (draw(r, 4)) {
	case 0:
		break;
	case 1:
		f.family = e->orig.family == AF_INET ? AF_INET6 : AF_INET;
		break;
	default:
		f.family = e->orig.family;
		break;
	}
	random_tuple_criteria(r, &f, e);
	if (draw(r, 3) == 0) {
		f.match |= CTNL_MATCH_MARK;
		f.mark_mask = masks[draw(r, 5)];
		f.mark = (e->mark ^ (draw(r, 3) == 0 ? 1u << draw(r, 8) : 0)) &
			 f.mark_mask;
	}
	if (draw(r, 3) == 0) {
		f.match |= CTNL_MATCH_STATUS;
		f.status_mask = draw(r, 1u << 10);
		f.status = (e->status ^ (draw(r, 3) == 0 ? 1u : 0)) &
			   f.status_mask;
	}
	if (draw(r, 3) == 0) {
		f.match |= CTNL_MATCH_ZONE;
		f.zone = (uint16_t)draw(r, 3);
	}
	if (draw(r, 4) == 0) {
		f.match |= CTNL_MATCH_TCP_STATE;
		f.tcp_state = (uint8_t)draw(r, 3);
	}
	if (draw(r, 3) == 0) {
		f.match |= CTNL_MATCH_LABELS;
		for (uint32_t i = draw(r, 3); i > 0; i--)
			ctnl_labels_set(&f.labels, draw(r, 7) * 21);
	}
	return f;
}

static void test_random_filters_and_entries_agree(void **state)
{
	struct rng r = { seed() };
	unsigned long valid = 0, selected = 0;

	(void)state;
	for (int i = 0; i < 60000; i++) {
		struct ctnl_flow e = random_entry(&r, draw(&r, 2) ? AF_INET
								  : AF_INET6);
		struct ctnl_filter f = random_filter(&r, &e);
		bool lib, fake;

		if (ctnl__filter_check(&f) != 0)
			continue;
		valid++;
		lib = ctnl_filter_match(&f, &e);
		fake = ctnl__fake_filter_match(&f, &e);
		if (lib != fake)
			fail_msg("draw %d (CTNL_TEST_SEED=%#" PRIx64 "): "
				 "libctnl says %d, the fake %d; match %#x",
				 i, seed(), lib, fake, (unsigned int)f.match);
		selected += lib;
	}
	/* Neither answer is rare, or the agreement would say little. */
	assert_true(valid > 50000);
	assert_true(selected > valid / 10);
	assert_true(selected < valid * 9 / 10);
}

/* ---- Through the fake ---- */

struct ids {
	uint32_t id[64];
	int n;
};

static int collect_id(const struct ctnl_flow *flow, void *data)
{
	struct ids *ids = data;

	assert_true(ids->n < 64);
	ids->id[ids->n++] = flow->id;
	return CTNL_CB_OK;
}

/* A table of 48 random entries; for random filters, the fake's dump and
 * delete_matching select exactly the entries ctnl_filter_match() does. */
static void test_fake_selects_what_libctnl_selects(void **state)
{
	size_t before = heap_in_use();
	struct rng r = { seed() ^ 0x5eed };
	struct ctnl_flow entries[48];
	struct ctnl_fake_ct *fake;
	size_t n = 0;

	(void)state;
	assert_int_equal(ctnl_fake_ct_new(&fake), 0);
	while (n < 48) {
		entries[n] = random_entry(&r, n % 2 ? AF_INET : AF_INET6);
		entries[n].attrs |= CTNL_ATTR_ID;
		entries[n].id = (uint32_t)n + 1;
		if (ctnl_fake_ct_add(fake, &entries[n]) == 0)
			n++;
	}
	for (int i = 0; i < 400; i++) {
		struct ctnl_filter f = random_filter(&r, &entries[draw(&r, 48)]);
		struct ids got = { .n = 0 };
		int want = 0, ret;

		if (ctnl__filter_check(&f) != 0)
			continue;
		ret = ctnl_ct_dump(ctnl_fake_ct_ct(fake), &f, collect_id, &got,
				   NULL);
		assert_int_equal(ret, got.n);
		for (size_t k = 0, at = 0; k < n; k++) {
			if (!ctnl_filter_match(&f, &entries[k]))
				continue;
			want++;
			assert_true(at < (size_t)got.n);
			assert_int_equal(got.id[at++], entries[k].id);
		}
		assert_int_equal(got.n, want);
	}
	/* Deleting what one filter selects leaves exactly the rest. */
	{
		struct ctnl_filter f = { .match = CTNL_MATCH_MARK,
					 .mark = 0, .mark_mask = 0x1 };
		int want = 0;

		for (size_t k = 0; k < n; k++)
			want += ctnl_filter_match(&f, &entries[k]);
		assert_int_equal(ctnl_ct_delete_matching(ctnl_fake_ct_ct(fake),
							 &f, NULL), want);
		assert_int_equal(ctnl_fake_ct_count(fake), n - (size_t)want);
	}
	ctnl_fake_ct_free(fake);
	assert_int_equal(heap_in_use(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_cases),
		cmocka_unit_test(test_random_filters_and_entries_agree),
		cmocka_unit_test(test_fake_selects_what_libctnl_selects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
