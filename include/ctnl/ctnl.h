/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl: the Linux conntrack table over netlink. Umbrella header.
 */
#ifndef CTNL_CTNL_H
#define CTNL_CTNL_H

#include <ctnl/common.h>
#include <ctnl/syscalls.h>
#include <ctnl/sock.h>
#include <ctnl/conntrack.h>

#endif /* CTNL_CTNL_H */
