/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelmap.h"

/* One line: optional blanks, a number, blanks, a name up to a blank. */
static int parse_line(struct labelmap *map, const char *line)
{
	const char *s = line, *name;
	unsigned long bit;
	char *end;
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	bit = strtoul(s, &end, 10);
	if (errno || bit >= CTNL_LABEL_BITS || (*end != ' ' && *end != '\t'))
		return 0;
	name = end;
	while (*name == ' ' || *name == '\t')
		name++;
	len = strcspn(name, " \t\r\n#");
	if (len == 0 || map->names[bit])
		return 0;
	map->names[bit] = strndup(name, len);
	return map->names[bit] ? 0 : -ENOMEM;
}

int labelmap_parse(struct labelmap *map, const char *text)
{
	const char *s = text;

	memset(map, 0, sizeof(*map));
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char line[512];
		int err;

		if (len < sizeof(line)) {
			memcpy(line, s, len);
			line[len] = '\0';
			err = parse_line(map, line);
			if (err) {
				labelmap_free(map);
				return err;
			}
		}
		s = nl ? nl + 1 : NULL;
	}
	return 0;
}

int labelmap_load(struct labelmap *map, const char *path)
{
	char line[512];
	FILE *f;
	int err = 0;

	memset(map, 0, sizeof(*map));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f))
		err = parse_line(map, line);
	fclose(f);
	if (err)
		labelmap_free(map);
	return err;
}

void labelmap_free(struct labelmap *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < CTNL_LABEL_BITS; i++) {
		free(map->names[i]);
		map->names[i] = NULL;
	}
}

int labelmap_find(const struct labelmap *map, const char *name, size_t len)
{
	for (int i = 0; i < CTNL_LABEL_BITS; i++)
		if (map->names[i] && strlen(map->names[i]) == len &&
		    memcmp(map->names[i], name, len) == 0)
			return i;
	return -1;
}

int labelmap_resolve(const struct labelmap *map, bool have_file,
		     const char *option, const struct cli_labels *in,
		     struct ctnl_labels *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->count; i++) {
		const struct cli_label *l = &in->item[i];
		int bit;

		if (!l->name) {
			ctnl_labels_set(out, l->bit);
			continue;
		}
		bit = labelmap_find(map, l->name, l->name_len);
		if (bit < 0) {
			snprintf(err, errsize,
				 "%s: unknown label '%.*s' (%s; or give a "
				 "number 0-127)", option, (int)l->name_len,
				 l->name,
				 have_file ? "not in " LABELMAP_PATH
					   : "there is no " LABELMAP_PATH);
			return CLI_EXIT_USAGE;
		}
		ctnl_labels_set(out, (unsigned int)bit);
	}
	return 0;
}
