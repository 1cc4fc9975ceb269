/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address sets: open addressing with linear probing, kept at most half
 * full, so a lookup is a hash and a probe or two. An address is its family
 * and 16 bytes, an IPv4 one padded with zeroes, so both families share one
 * table and one comparison.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SET_FIRST_CAPACITY 16

struct slot {
	uint8_t family;		/* 0: empty */
	union ctnl_addr addr;
};

struct ctnl_addr_set {
	struct slot *slots;
	size_t cap;		/* a power of two */
	size_t count;
};

/* @addr of @family as stored: only the family's bytes, the rest zero. */
static bool normalise(uint8_t family, const union ctnl_addr *addr,
		      union ctnl_addr *out)
{
	if (family != AF_INET && family != AF_INET6)
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out, addr, ctnl__addr_len(family));
	return true;
}

/* A 64-bit multiplicative mix of the four words; the high bits spread
 * best, and the table takes the low bits of the result. */
static size_t hash_of(uint8_t family, const union ctnl_addr *a)
{
	uint64_t h = family;

	for (int i = 0; i < 4; i++) {
		h = (h ^ a->u32[i]) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 32;
	}
	return (size_t)h;
}

/* The slot holding @a, or the empty one where it would go. */
static struct slot *probe(struct slot *slots, size_t cap, uint8_t family,
			  const union ctnl_addr *a)
{
	size_t i = hash_of(family, a) & (cap - 1);

	while (slots[i].family &&
	       (slots[i].family != family ||
		memcmp(&slots[i].addr, a, sizeof(*a))))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct ctnl_addr_set *set)
{
	size_t cap = set->cap ? set->cap * 2 : SET_FIRST_CAPACITY;
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i].family)
			*probe(slots, cap, set->slots[i].family,
			       &set->slots[i].addr) = set->slots[i];
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
	return 0;
}

int ctnl_addr_set_new(struct ctnl_addr_set **ret)
{
	struct ctnl_addr_set *set;

	if (!ret)
		return -EINVAL;
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	*ret = set;
	return 0;
}

void ctnl_addr_set_free(struct ctnl_addr_set *set)
{
	if (!set)
		return;
	free(set->slots);
	free(set);
}

int ctnl_addr_set_add(struct ctnl_addr_set *set, uint8_t family,
		      const union ctnl_addr *addr)
{
	union ctnl_addr a;
	struct slot *s;
	int ret;

	if (!set || !addr || !normalise(family, addr, &a))
		return -EINVAL;
	if (ctnl_addr_set_contains(set, family, &a))
		return 0;
	if (2 * (set->count + 1) > set->cap) {
		ret = grow(set);
		if (ret < 0)
			return ret;
	}
	s = probe(set->slots, set->cap, family, &a);
	s->family = family;
	s->addr = a;
	set->count++;
	return 1;
}

int ctnl_addr_set_add_text(struct ctnl_addr_set *set, const char *text)
{
	union ctnl_addr a;

	if (!set || !text)
		return -EINVAL;
	if (inet_pton(AF_INET, text, &a.in) == 1)
		return ctnl_addr_set_add(set, AF_INET, &a);
	if (inet_pton(AF_INET6, text, &a.in6) == 1)
		return ctnl_addr_set_add(set, AF_INET6, &a);
	return -EINVAL;
}

bool ctnl_addr_set_contains(const struct ctnl_addr_set *set, uint8_t family,
			    const union ctnl_addr *addr)
{
	union ctnl_addr a;

	if (!set || !addr || set->count == 0 || !normalise(family, addr, &a))
		return false;
	return probe(set->slots, set->cap, family, &a)->family != 0;
}

size_t ctnl_addr_set_count(const struct ctnl_addr_set *set)
{
	return set ? set->count : 0;
}

void ctnl_addr_set_clear(struct ctnl_addr_set *set)
{
	if (!set || !set->slots)
		return;
	memset(set->slots, 0, set->cap * sizeof(*set->slots));
	set->count = 0;
}

int ctnl_addr_set_has_src(const struct ctnl_flow *flow, void *set)
{
	const struct ctnl_addr_set *s = set;

	if (!flow)
		return 0;
	return ctnl_addr_set_contains(s, flow->orig.family, &flow->orig.src) ||
	       ((flow->attrs & CTNL_ATTR_REPLY) &&
		ctnl_addr_set_contains(s, flow->reply.family,
				       &flow->reply.src));
}
