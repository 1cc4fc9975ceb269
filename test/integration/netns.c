/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"

static void skip(const char *test_name, const char *why)
{
	fprintf(stderr,
		"\n*** SKIPPED %s: %s.\n"
		"*** Kernel integration tests need root (CAP_SYS_ADMIN and "
		"CAP_NET_ADMIN) and network namespaces.\n"
		"*** Nothing was tested; ctest counts this test as skipped.\n\n",
		test_name, why);
	exit(TEST_SKIPPED);
}

#define STR(x) #x
#define XSTR(x) STR(x)

static void deadline_passed(int sig)
{
	static const char msg[] =
		"\n*** FAILED: the test above did not finish within its "
		"deadline (TEST_DEADLINE, " XSTR(TEST_DEADLINE) " s, or "
		"CTNL_TEST_DEADLINE): a wait that should have ended did "
		"not.\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

void test_deadline(void)
{
	const char *env = getenv("CTNL_TEST_DEADLINE");
	unsigned int seconds = env ? (unsigned int)strtoul(env, NULL, 10) : 0;

	signal(SIGALRM, deadline_passed);
	alarm(seconds ? seconds : TEST_DEADLINE);
}

int test_deadline_setup(void **state)
{
	(void)state;
	test_deadline();
	return 0;
}

static int bring_up_loopback(void)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (ret == 0) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	ret = ret < 0 ? -errno : 0;
	close(fd);
	return ret;
}

void test_enter_private_netns(const char *test_name)
{
	char why[128];

	if (geteuid() != 0)
		skip(test_name, "not running as root");
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(why, sizeof(why), "unshare(CLONE_NEWNET) failed: %s",
			 strerror(errno));
		skip(test_name, why);
	}
	if (bring_up_loopback() < 0) {
		fprintf(stderr, "%s: cannot bring up lo in the new namespace\n",
			test_name);
		exit(1);
	}
}

int test_private_mounts(void)
{
	static int done;

	if (done)
		return 0;
	/* Mounts made from here on are this process's alone. */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "size=4m,mode=755") < 0)
		return -1;
	done = 1;
	return 0;
}

static int run_shell(char *out, unsigned long size, const char *fmt,
		     va_list ap)
{
	char cmd[4096];
	FILE *p;
	size_t n = 0;
	int status;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && size > 0) {
		n = fread(out, 1, size - 1, p);
		out[n] = '\0';
	}
	/* Read what is left so the command never blocks on a full pipe. */
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int test_run(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = run_shell(NULL, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int test_capture(char *buf, unsigned long size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = run_shell(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
