/* A program outside libctnl's tree, built against the installed library. */
#include <stdio.h>
#include <string.h>

#include <ctnl/ctnl.h>

int main(void)
{
	const struct ctnl_syscalls *sys = ctnl_syscalls_libc();
	struct ctnl_sock *sock = NULL;
	int ret;

	/* An invalid call must fail cleanly without touching any socket. */
	ret = ctnl_sock_open(sys, NULL, NULL);
	if (ret >= 0 || sys == NULL || strlen(ctnl_version()) == 0) {
		fprintf(stderr, "unexpected: ret=%d\n", ret);
		return 1;
	}
	ctnl_sock_close(sock);
	printf("libctnl %s\n", ctnl_version());
	return 0;
}
