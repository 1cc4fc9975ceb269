/*
 * A test program outside libctnl's tree, built against the installed
 * libctnl-mocks and libctnl as <ctnl/mocks.h> says to link them.
 */
#include <stdio.h>

#include <ctnl/ctnl.h>
#include <ctnl/mocks.h>

int main(void)
{
	struct ctnl_flow flow = { .attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT,
				  .timeout = 30 };
	struct ctnl_fake_ct *fake;
	struct ctnl_list list;
	int ret;

	if (ctnl_fake_ct_new(&fake) < 0)
		return 1;
	ret = ctnl_tuple_from_text(&flow.orig, "10.0.0.1", "10.0.0.2",
				   IPPROTO_UDP, 1000, 53);
	if (ret == 0)
		ret = ctnl_ct_create(ctnl_fake_ct_ct(fake), &flow);
	if (ret == 0)
		ret = ctnl_ct_list(ctnl_fake_ct_ct(fake), CTNL_TABLE_CONNTRACK,
				   0, &list);
	if (ret != 1) {
		fprintf(stderr, "unexpected: ret=%d\n", ret);
		ctnl_fake_ct_free(fake);
		return 1;
	}
	ctnl_list_free(&list);
	ctnl_fake_ct_free(fake);
	printf("libctnl-mocks: in-memory conntrack table works\n");
	return 0;
}
