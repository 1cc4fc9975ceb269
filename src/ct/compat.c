/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Go package's operations, in their familiar shape: addresses as text,
 * protocol and ports as numbers. Each parses its arguments once and calls
 * the tuple-based operations of the interface, so they work over any
 * implementation, fakes included.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int ctnl_ct_update_mark(struct ctnl_ct *ct, const char *src, const char *dst,
			uint8_t proto, uint16_t sport, uint16_t dport,
			uint32_t mark)
{
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG };
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = mark };
	int err;

	err = ctnl_tuple_from_text(&key.orig, src, dst, proto, sport, dport);
	if (err)
		return err;
	return ctnl_ct_update(ct, &key, &change);
}

/*
 * Whether @t is the tuple the Go package's arguments describe: addresses,
 * protocol and, for protocols that have them, ports. Nothing else can be
 * said in those arguments, so an ICMP flow matches on its addresses alone
 * (as it did in the Go package, whose flows carried zero ports for it).
 */
static bool go_tuple_match(const struct ctnl_tuple *t,
			   const struct ctnl_tuple *args)
{
	size_t len = ctnl__addr_len(t->family);

	if (t->family != args->family || t->proto != args->proto ||
	    memcmp(&t->src, &args->src, len) || memcmp(&t->dst, &args->dst, len))
		return false;
	return !ctnl_proto_has_ports(t->proto) ||
	       (t->port.src == args->port.src && t->port.dst == args->port.dst);
}

/*
 * Updates, in one batch, those of @flows whose original tuple is the one
 * given, each named by its tuple and zone (and id, which the kernel
 * ignores on updates). Returns how many the kernel updated; when there
 * were matches but none could be updated, the first error.
 */
static int update_matching_flows(struct ctnl_ct *ct,
				 const struct ctnl_flow *flows, size_t count,
				 const struct ctnl_tuple *orig,
				 const struct ctnl_change *change)
{
	struct ctnl_flow *keys;
	size_t n = 0;
	int *results, ret;

	if (!flows && count)
		return -EINVAL;
	keys = malloc((count ? count : 1) * sizeof(*keys));
	results = malloc((count ? count : 1) * sizeof(*results));
	if (!keys || !results) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		if (!(flows[i].attrs & CTNL_ATTR_ORIG) ||
		    !go_tuple_match(&flows[i].orig, orig))
			continue;
		keys[n] = (struct ctnl_flow){
			.attrs = CTNL_ATTR_ORIG |
				 (flows[i].attrs & CTNL_ATTR_ID),
			.orig = flows[i].orig,
			.id = flows[i].id,
		};
		n++;
	}
	ret = 0;
	if (n == 0)
		goto out;
	ret = ctnl_ct_batch(ct, CTNL_OP_UPDATE, keys, n, change, 1, results);
	if (ret == 0) {
		for (size_t i = 0; i < n; i++) {
			if (results[i] < 0) {
				ret = results[i];
				break;
			}
		}
	}
out:
	free(keys);
	free(results);
	return ret;
}

int ctnl_ct_update_mark_for_available_flow(
	struct ctnl_ct *ct, const struct ctnl_flow *flows, size_t count,
	const char *src, const char *dst, uint8_t proto, uint16_t sport,
	uint16_t dport, uint32_t mark)
{
	struct ctnl_change change = { .attrs = CTNL_ATTR_MARK, .mark = mark };
	struct ctnl_tuple orig;
	int err;

	err = ctnl_tuple_from_text(&orig, src, dst, proto, sport, dport);
	if (err)
		return err;
	return update_matching_flows(ct, flows, count, &orig, &change);
}

int ctnl_ct_update_label(struct ctnl_ct *ct, enum ctnl_table table,
			 const struct ctnl_flow *flows, size_t count,
			 const char *src, const char *dst, uint8_t proto,
			 uint16_t sport, uint16_t dport,
			 const struct ctnl_labels *value,
			 const struct ctnl_labels *mask)
{
	struct ctnl_change change = { .attrs = CTNL_ATTR_LABELS };
	struct ctnl_tuple orig;
	int err;

	if (table == CTNL_TABLE_EXPECT)
		return -EOPNOTSUPP;
	if (table != CTNL_TABLE_CONNTRACK || !value || !mask)
		return -EINVAL;
	err = ctnl_tuple_from_text(&orig, src, dst, proto, sport, dport);
	if (err)
		return err;
	change.labels = *value;
	change.labels_mask = *mask;
	return update_matching_flows(ct, flows, count, &orig, &change);
}

int ctnl_ct_update_label32(struct ctnl_ct *ct, enum ctnl_table table,
			   const struct ctnl_flow *flows, size_t count,
			   const char *src, const char *dst, uint8_t proto,
			   uint16_t sport, uint16_t dport, uint32_t labels)
{
	struct ctnl_labels value = { .words = { labels } };
	struct ctnl_labels mask = { .words = { UINT32_MAX } };

	return ctnl_ct_update_label(ct, table, flows, count, src, dst, proto,
				    sport, dport, &value, &mask);
}
