/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default handle's expectation operations: one expectation read,
 * created or deleted by its tuple. (Dumps and the flush of the table are
 * with the conntrack operations in ops.c.)
 */
#include <errno.h>

#include "internal.h"

struct get_expect_state {
	struct ctnl_expect exp;
	int replies;
};

static int get_expect_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct get_expect_state *g = arg;
	int err;

	/* One request, one expectation. */
	if (g->replies++)
		return -EBADMSG;
	err = ctnl_expect_parse(nlh, &g->exp);
	return err == -EPROTO ? -EBADMSG : err;
}

int ctnl__ct_get_expect(void *ctx, const struct ctnl_expect *key,
			struct ctnl_expect *out)
{
	struct ct_handle *h = ctx;
	struct get_expect_state g = { .replies = 0 };
	int ret;

	if (!out)
		return -EINVAL;
	ctnl__ct_begin_op(h);
	ret = ctnl_build_get_expect(h->req, sizeof(h->req), key);
	if (ret < 0)
		return ret;
	ret = ctnl_sock_request(h->sock, ctnl__ct_req(h), get_expect_msg, &g);
	if (ret < 0)
		return ret;
	if (g.replies == 0)
		return -EBADMSG;
	*out = g.exp;
	return 0;
}

int ctnl__ct_create_expect(void *ctx, const struct ctnl_expect *exp)
{
	struct ct_handle *h = ctx;

	ctnl__ct_begin_op(h);
	return ctnl__ct_send(h, ctnl_build_create_expect(h->req, sizeof(h->req),
							 exp));
}

int ctnl__ct_del_expect(void *ctx, const struct ctnl_expect *key)
{
	struct ct_handle *h = ctx;

	ctnl__ct_begin_op(h);
	return ctnl__ct_send(h, ctnl_build_delete_expect(h->req, sizeof(h->req),
							 key));
}
