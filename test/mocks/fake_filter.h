/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The in-memory table's filter (fake_filter.c), for the fake and for the
 * tests that hold it against ctnl_filter_match(). Not installed: callers
 * filter with ctnl_filter_match().
 */
#ifndef CTNL_FAKE_FILTER_H
#define CTNL_FAKE_FILTER_H

#include <stdbool.h>

#include <ctnl/flow.h>

/*
 * Whether @e is an entry @f selects (NULL: every entry), as a dump through
 * a real handle on Linux 6.18 answers: the kernel's comparisons for what
 * it compares, <ctnl/flow.h>'s words for the rest. @f must be valid (one
 * ctnl_build_dump() accepts).
 */
bool ctnl__fake_filter_match(const struct ctnl_filter *f,
			     const struct ctnl_flow *e);

#endif /* CTNL_FAKE_FILTER_H */
