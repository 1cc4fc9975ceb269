/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: definitions shared by every layer.
 */
#ifndef CTNL_COMMON_H
#define CTNL_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup libctnl-common common.h: shared definitions
 * CTNL_API, the return values of callbacks, the library's version.
 * @{
 */

/**
 * @def CTNL_API
 * Marks the symbols the shared library exports; everything else is
 * hidden.
 */
#if defined(__GNUC__) && defined(CTNL_BUILDING_LIBRARY)
#define CTNL_API __attribute__((visibility("default")))
#else
#define CTNL_API
#endif

/*
 * Return values of the callbacks that receive messages, flows or events.
 * A negative errno value aborts the operation with that error.
 */
/** A callback's answer: go on. */
#define CTNL_CB_OK   0
/** A callback's answer: stop early; the operation still succeeds. */
#define CTNL_CB_STOP 1

/**
 * The library's version.
 * @return the version as "MAJOR.MINOR.PATCH", such as "0.2.0". Never
 * fails.
 * @ownership A static string: never free it.
 */
CTNL_API const char *ctnl_version(void);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_COMMON_H */
