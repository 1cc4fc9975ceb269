/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the syscall vtable, the lowest layer.
 *
 * Every system call libctnl makes goes through a struct ctnl_syscalls, so a
 * test can replace the kernel with a script (see <ctnl/mocks.h>). The
 * default table calls libc. Nothing here knows about netlink. Most
 * programs pass NULL (libc) where a table is asked for: read
 * <ctnl/conntrack.h> first. The table itself, and the rules every
 * implementation follows, are in <ctnl/sys/syscalls.h>.
 */
#ifndef CTNL_SYSCALLS_H
#define CTNL_SYSCALLS_H

#include <ctnl/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-syscalls syscalls.h: the syscall table's libc default
 * Every system call libctnl makes goes through a struct ctnl_syscalls;
 * most programs pass NULL, which stands for ctnl_syscalls_libc().
 * @{
 */

struct ctnl_syscalls;	/* opaque; the table is in <ctnl/sys/syscalls.h> */

/**
 * The table that calls libc. Thread-safe: it holds no state.
 * @return the table. Never fails.
 * @ownership Borrowed: a static object, never freed.
 */
CTNL_API const struct ctnl_syscalls *ctnl_syscalls_libc(void);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_SYSCALLS_H */
