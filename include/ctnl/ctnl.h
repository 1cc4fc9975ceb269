/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: the Linux conntrack table over netlink. Umbrella header: it
 * includes every public header, the implementer's tables of sys/ too.
 *
 * @defgroup libctnl libctnl: the Linux conntrack table over netlink
 * The umbrella header <ctnl/ctnl.h> includes every public header.
 *
 * The order a newcomer reads them in:
 * @verbatim
   <ctnl/conntrack.h>     the handle and its operations: open, dump, list,
                          get, create, update, delete, flush, close
   <ctnl/flow.h>          the data those take and give: tuples, flows,
                          expectations, filters, changes
   <ctnl/events.h>        following the table: subscriptions and events
   <ctnl/compat.h>        the Go package's operations (text addresses)
   <ctnl/msg.h>           messages without a socket: build, parse, format
   <ctnl/sock.h>          the netlink socket handle and its options
   <ctnl/syscalls.h>      the syscall table's libc default
   <ctnl/common.h>        CTNL_API, callback return values, the version
 and, to put something else behind an interface (a fake, a proxy):
   <ctnl/sys/ct.h>        the conntrack interface table
   <ctnl/sys/sock.h>      the socket-handle interface table
   <ctnl/sys/syscalls.h>  the syscall table
 Fakes of each for unit tests are in <ctnl/mocks.h> (libctnl-mocks).
   @endverbatim
 *
 * Every function that can fail returns 0 or a count on success and a
 * negative errno value on failure; each says what it returns, its errors
 * and who owns what. Each header is a group with a manual page of its own
 * (libctnl-conntrack(3), libctnl-flow(3), ...), and `man 3 FUNCTION` shows the
 * page of the group that declares FUNCTION.
 */
#ifndef CTNL_CTNL_H
#define CTNL_CTNL_H

#include <ctnl/common.h>
#include <ctnl/syscalls.h>
#include <ctnl/sock.h>
#include <ctnl/flow.h>
#include <ctnl/events.h>
#include <ctnl/compat.h>
#include <ctnl/msg.h>
#include <ctnl/conntrack.h>
#include <ctnl/sys/syscalls.h>
#include <ctnl/sys/sock.h>
#include <ctnl/sys/ct.h>

#endif /* CTNL_CTNL_H */
