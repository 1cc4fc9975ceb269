/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl's JSON output: one object per entry (or event) on one line. The
 * field names are documented in ctnl(1); tools/ctnl.1 is checked against
 * them by a test.
 */
#ifndef CTNL_TOOLS_JSON_H
#define CTNL_TOOLS_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <ctnl/ctnl.h>

/*
 * Writes @flow as one JSON object and a newline. @event is 0 or the
 * event's type; @label_names (CTNL_LABEL_BITS entries) may be NULL; @now
 * is the time delta_time counts to (seconds since the epoch).
 */
void json_flow(FILE *f, const struct ctnl_flow *flow, unsigned int event,
	       const char *const *label_names, int64_t now);

/* Writes @exp as one JSON object and a newline. */
void json_expect(FILE *f, const struct ctnl_expect *exp, unsigned int event);

/* Writes a string with JSON escapes, in quotes. */
void json_string(FILE *f, const char *s);

#endif /* CTNL_TOOLS_JSON_H */
