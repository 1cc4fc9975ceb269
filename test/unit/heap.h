/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The allocator the unit tests run on (heap.c): it counts what is held
 * and can fail the n-th allocation.
 */
#ifndef CTNL_TEST_HEAP_H
#define CTNL_TEST_HEAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Bytes the process holds from the allocator (heap.c). Tests compare it
 * before and after an operation to prove nothing leaked. 0 under
 * AddressSanitizer, whose LeakSanitizer checks the whole run instead.
 */
size_t heap_in_use(void);

/*
 * Makes the @n-th allocation from now on (1-based) fail; 0 cancels. Returns
 * false where allocations cannot be failed (under AddressSanitizer): tests
 * that need it then skip.
 */
bool heap_fail_nth(unsigned int n);

/* Allocations made so far (not counting those made while paused); 0 where
 * allocations are not counted. */
unsigned long heap_allocs(void);

/* While paused, allocations are neither counted nor failed: a test pauses
 * around its fakes, so that only the code under test sees failures. */
void heap_pause(bool pause);

/*
 * The out-of-memory tests (named *out_of_memory*) run as a ctest test of
 * their own, unit/NAME/out-of-memory with CTNL_TEST_OOM=only, apart from
 * the rest of their program (CTNL_TEST_OOM=skip). Where allocations
 * cannot be failed (AddressSanitizer, valgrind) the out-of-memory run
 * says so and exits 77, which ctest reports as skipped, not passed.
 * Without CTNL_TEST_OOM every test runs. Call first in main().
 */
void heap_select_tests(void);

#endif /* CTNL_TEST_HEAP_H */
