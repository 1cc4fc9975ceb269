/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Counts the bytes the process holds from the allocator, so a test can
 * prove an operation leaked nothing: the allocator functions are replaced
 * (glibc supports replacing malloc this way) by thin wrappers that count and
 * forward to glibc's own. mallinfo2() cannot do this job: it counts freed
 * chunks parked in the thread cache as still in use.
 *
 * Under AddressSanitizer the sanitizer owns the allocator; there the count
 * stays 0 and LeakSanitizer does the same job for the whole run.
 *
 * Under valgrind likewise: memcheck replaces malloc and its kin in the main
 * executable as well as in libc (its default soname synonym "NONE" names
 * the executable), so these wrappers are never called. The count would
 * stay 0 and an injected failure would never happen, so both are switched
 * off when RUNNING_ON_VALGRIND, and memcheck's leak check does the job.
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <valgrind/valgrind.h>

#include "heap.h"

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_COUNTING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_COUNTING 0
#endif
#endif
#ifndef HEAP_COUNTING
#define HEAP_COUNTING 1
#endif

#if HEAP_COUNTING

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

static size_t in_use;
static unsigned int fail_countdown;	/* 0: never fail */
static unsigned long allocs;		/* allocations while not paused */
static bool paused;

/* Counts this allocation, and says whether it is the one a test asked to
 * fail. While paused, neither. */
static bool injected_failure(void)
{
	if (paused)
		return false;
	allocs++;
	return fail_countdown > 0 && --fail_countdown == 0;
}

static void *counted(void *p)
{
	if (p)
		in_use += malloc_usable_size(p);
	return p;
}

void *malloc(size_t size)
{
	if (injected_failure())
		return NULL;
	return counted(__libc_malloc(size));
}

void *calloc(size_t n, size_t size)
{
	if (injected_failure())
		return NULL;
	return counted(__libc_calloc(n, size));
}

void free(void *p)
{
	if (p)
		in_use -= malloc_usable_size(p);
	__libc_free(p);
}

void *realloc(void *p, size_t size)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q;

	if (injected_failure())
		return NULL;
	q = __libc_realloc(p, size);

	/* A failed realloc leaves the old block as it was. */
	if (q || size == 0)
		in_use -= old;
	return counted(q);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

void *memalign(size_t align, size_t size)
{
	if (injected_failure())
		return NULL;
	return counted(__libc_memalign(align, size));
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

int posix_memalign(void **ret, size_t align, size_t size)
{
	void *p = memalign(align, size);

	if (!p)
		return ENOMEM;
	*ret = p;
	return 0;
}

size_t heap_in_use(void)
{
	return RUNNING_ON_VALGRIND ? 0 : in_use;
}

bool heap_fail_nth(unsigned int n)
{
	if (RUNNING_ON_VALGRIND)
		return false;
	fail_countdown = n;
	return true;
}

unsigned long heap_allocs(void)
{
	return allocs;
}

void heap_pause(bool pause)
{
	paused = pause;
}

#else

size_t heap_in_use(void)
{
	return 0;
}

bool heap_fail_nth(unsigned int n)
{
	(void)n;
	return false;
}

unsigned long heap_allocs(void)
{
	return 0;
}

void heap_pause(bool pause)
{
	(void)pause;
}

#endif

#define OOM_TESTS "*out_of_memory*"

void heap_select_tests(void)
{
	const char *mode = getenv("CTNL_TEST_OOM");

	if (!mode)
		return;
	if (strcmp(mode, "skip") == 0) {
		cmocka_set_skip_filter(OOM_TESTS);
		return;
	}
	if (!heap_fail_nth(0)) {
		printf("*** SKIPPED: the out-of-memory tests did not run: "
		       "%s replaces the allocator that would fail them\n",
		       RUNNING_ON_VALGRIND ? "valgrind" : "AddressSanitizer");
		fflush(stdout);
		exit(77);
	}
	cmocka_set_test_filter(OOM_TESTS);
}
