/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How each operation of ctnl-bench grows with the table (issue 15): the
 * cost per table entry at each size, and the targets at 1,000,000
 * entries. Printed after issue 7's targets when more than one size ran.
 */
#ifndef CTNL_BENCH_GROWTH_H
#define CTNL_BENCH_GROWTH_H

#include <stdint.h>

/* Records the fill of @n entries, which took @sec, as a row. */
void growth_fill(uint32_t n, double sec);

/* The time per table entry of each operation at each of @sizes. */
void print_growth(const uint32_t *sizes, int nsizes);

/* Issue 15's targets at the largest size, if it is 1,000,000 or more. */
void print_targets_growth(const uint32_t *sizes, int nsizes);

#endif /* CTNL_BENCH_GROWTH_H */
