/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libctnl: definitions shared by every layer.
 */
#ifndef CTNL_COMMON_H
#define CTNL_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the symbols the shared library exports; everything else is hidden. */
#if defined(__GNUC__) && defined(CTNL_BUILDING_LIBRARY)
#define CTNL_API __attribute__((visibility("default")))
#else
#define CTNL_API
#endif

/*
 * Return values of the callbacks that receive messages, flows or events.
 * A negative errno value aborts the operation with that error.
 */
#define CTNL_CB_OK   0	/* go on */
#define CTNL_CB_STOP 1	/* stop early; the operation still succeeds */

/* The library's version as "MAJOR.MINOR.PATCH"; a static string. */
CTNL_API const char *ctnl_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CTNL_COMMON_H */
