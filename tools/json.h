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

#include "textbuf.h"

/* What an event adds to an entry. */
struct json_event {
	unsigned int type;	/* enum ctnl_event_type; 0: not an event */
	uint32_t portid;	/* the port that caused it; 0: the kernel */
	const char *progname;	/* the program holding that port, or NULL */
};

/*
 * Appends @flow to @b as one JSON object and a newline. @ev is NULL or
 * the event it came in; @label_names (CTNL_LABEL_BITS entries) may be
 * NULL; @now is the time delta_time counts to (seconds since the epoch).
 */
void json_flow(struct textbuf *b, const struct ctnl_flow *flow,
	       const struct json_event *ev, const char *const *label_names,
	       int64_t now);

/* Appends @exp to @b as one JSON object and a newline. */
void json_expect(struct textbuf *b, const struct ctnl_expect *exp,
		 const struct json_event *ev);

/* Appends a string with JSON escapes, in quotes. */
void json_string(struct textbuf *b, const char *s);

#endif /* CTNL_TOOLS_JSON_H */
