/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a kernel test inside a network namespace of its own.
 */
#ifndef CTNL_TEST_NETNS_H
#define CTNL_TEST_NETNS_H

/* ctest's SKIP_RETURN_CODE: the test could not run here. */
#define TEST_SKIPPED 77

/*
 * Moves the whole (still single-threaded) process into a fresh network
 * namespace with loopback up; the kernel removes the namespace when the
 * process exits, however it exits, so no test can touch the host's
 * conntrack table or leave anything behind. When that is impossible (not
 * root, no namespaces), says so loudly on stderr and exits TEST_SKIPPED.
 */
void test_enter_private_netns(const char *test_name);

/*
 * Gives the process a mount namespace of its own with an empty tmpfs on
 * /run, the state of a fresh machine: /run/netns (where `ip netns` keeps
 * its names; /var/run is a link to /run) does not exist until the test
 * creates it, and whatever the test puts there vanishes with the process,
 * even when it crashes. Idempotent. Returns 0 or -1 with errno set.
 */
int test_private_mounts(void);

/*
 * Every wait in a kernel test is bounded: a test still running
 * TEST_DEADLINE seconds after test_deadline() (called first thing in each
 * test's setup) fails the program with a message, so that a broken event
 * path or a child that never answers fails within three minutes instead
 * of hanging to ctest's timeout (600 s a program). The 16 tests of
 * test_kernel_api take 11 s together in a plain build, but one of them
 * went past 60 s in the coverage build on two cores shared with other
 * builds. CTNL_TEST_DEADLINE=SECONDS sets another bound.
 */
#define TEST_DEADLINE 180
void test_deadline(void);

/* The same, in the form of a cmocka setup function. */
int test_deadline_setup(void **state);

/* Runs a shell command in the current namespace; returns its exit status,
 * or -1 if it could not be run. */
int test_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command and captures its standard output into @buf
 * (NUL-terminated, truncated to @size). Returns the exit status. */
int test_capture(char *buf, unsigned long size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* CTNL_TEST_NETNS_H */
