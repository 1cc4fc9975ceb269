/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conntrack's other output formats, byte for byte as conntrack-tools
 * 1.4.7 over libnetfilter_conntrack 1.0.9 writes them: -o xml and -o save.
 * (Its text line is the library's, ctnl_flow_format_opts().)
 */
#ifndef CTNL_TOOLS_CTFORMAT_H
#define CTNL_TOOLS_CTFORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include <ctnl/ctnl.h>

#include "textbuf.h"

/* Whether the entry's source (destination) address or port is
 * translated, as libnetfilter_conntrack judges it: the status says the
 * translation was done and the two tuples disagree. */
bool ct_is_snat(const struct ctnl_flow *f);
bool ct_is_dnat(const struct ctnl_flow *f);
bool ct_is_spat(const struct ctnl_flow *f);
bool ct_is_dpat(const struct ctnl_flow *f);

struct ct_xml {
	unsigned int event;		/* enum ctnl_event_type; 0: none */
	bool ktimestamp;		/* -o ktimestamp: <timestamp> */
	bool when;			/* -o timestamp: <when>, local time */
	const char *const *label_names;	/* -o labels, or NULL */
	int64_t now;			/* what <deltatime> counts to */
};

/* One <flow>...</flow>, no newline. */
void ct_xml_flow(struct textbuf *b, const struct ctnl_flow *f,
		 const struct ct_xml *how);

/* One expectation's <flow>...</flow>, no newline. */
void ct_xml_expect(struct textbuf *b, const struct ctnl_expect *e,
		   const struct ct_xml *how);

/* One line of -o save: the command that would create the entry ("-A"),
 * or for an event or a deleted entry the one it stands for ("-U", "-D");
 * @event is 0 or an enum ctnl_event_type. No newline. */
void ct_save_flow(struct textbuf *b, const struct ctnl_flow *f,
		  unsigned int event);

#endif /* CTNL_TOOLS_CTFORMAT_H */
