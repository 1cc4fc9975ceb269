/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Go package's first example, in C: list the conntrack table, give its
 * first flow mark 42 through update-mark-for-available-flow, list again and
 * print that flow.
 *
 *   mark_first_flow
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <ctnl/ctnl.h>

#define NEW_MARK 42

static int fail(const char *what, int err, struct ctnl_ct *ct)
{
	const char *why = ctnl_ct_error_msg(ct);

	fprintf(stderr, "mark_first_flow: %s: %s%s%s\n", what, strerror(-err),
		why ? ": " : "", why ? why : "");
	return 1;
}

int main(void)
{
	struct ctnl_list list = { 0 };
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], line[512];
	const struct ctnl_flow *first;
	uint16_t sport = 0, dport = 0;
	struct ctnl_ct *ct;
	uint32_t id;
	int ret;

	ret = ctnl_ct_open(NULL, NULL, &ct);
	if (ret < 0)
		return fail("open", ret, NULL);
	ret = ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list);
	if (ret < 0)
		return fail("list", ret, ct);
	if (list.count == 0) {
		fprintf(stderr, "mark_first_flow: the table is empty\n");
		ctnl_ct_close(ct);
		return 1;
	}

	/* The Go package's arguments: addresses as text, ports as numbers. */
	first = &list.flows[0];
	id = first->id;
	inet_ntop(first->orig.family, &first->orig.src, src, sizeof(src));
	inet_ntop(first->orig.family, &first->orig.dst, dst, sizeof(dst));
	if (ctnl_proto_has_ports(first->orig.proto)) {
		sport = first->orig.port.src;
		dport = first->orig.port.dst;
	}
	ret = ctnl_ct_update_mark_for_available_flow(ct, first, 1, src, dst,
						     first->orig.proto, sport,
						     dport, NEW_MARK);
	ctnl_list_free(&list);
	if (ret < 0)
		return fail("update mark", ret, ct);
	printf("updated %d flow(s)\n", ret);

	ret = ctnl_ct_list(ct, CTNL_TABLE_CONNTRACK, 0, &list);
	if (ret < 0)
		return fail("list again", ret, ct);
	for (size_t i = 0; i < list.count; i++) {
		if (list.flows[i].id == id) {
			ctnl_flow_format(&list.flows[i], line, sizeof(line));
			printf("%s\n", line);
		}
	}
	ctnl_list_free(&list);
	ctnl_ct_close(ct);
	return 0;
}
