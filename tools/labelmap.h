/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Label names: /etc/xtables/connlabel.conf, the file iptables, nftables
 * and conntrack read ("BIT NAME" per line, '#' comments).
 */
#ifndef CTNL_TOOLS_LABELMAP_H
#define CTNL_TOOLS_LABELMAP_H

#include <stddef.h>

#include <ctnl/ctnl.h>

#include "cli.h"

#define LABELMAP_PATH "/etc/xtables/connlabel.conf"

struct labelmap {
	char *names[CTNL_LABEL_BITS];	/* NULL where a bit has no name */
};

/*
 * Reads @path into *@map (zeroed first). Returns 0, -ENOENT when there is
 * no such file (an empty map), or another negative errno. Lines that are
 * not "BIT NAME" with BIT in 0..127 are skipped, as conntrack skips them;
 * the first name of a bit wins.
 */
int labelmap_load(struct labelmap *map, const char *path);

/* Reads a map from text (the same format), for tests. */
int labelmap_parse(struct labelmap *map, const char *text);

void labelmap_free(struct labelmap *map);

/* The bit named @name (@len bytes), or -1. */
int labelmap_find(const struct labelmap *map, const char *name, size_t len);

/*
 * Resolves labels given on the command line into bits. Returns 0, or
 * CLI_EXIT_USAGE with a message in @err naming @option and the label.
 * @have_file says whether the map came from a file, for the message.
 */
int labelmap_resolve(const struct labelmap *map, bool have_file,
		     const char *option, const struct cli_labels *in,
		     struct ctnl_labels *out, char *err, size_t errsize);

#endif /* CTNL_TOOLS_LABELMAP_H */
