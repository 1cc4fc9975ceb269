/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reply fixtures captured from a real kernel (test/fixtures/, made by
 * capture.sh), loaded for the unit tests and queued on the scripted fake
 * syscall table. Include after <cmocka.h> and <ctnl/mocks.h>.
 *
 * A fixture file is a sequence of records: a 4-byte little-endian length,
 * then exactly that many bytes, one datagram as the kernel sent it. Each
 * datagram is loaded into its own allocation of exactly its length, so a
 * parser that reads past the end is caught by AddressSanitizer.
 */
#ifndef CTNL_TEST_FIXTURE_H
#define CTNL_TEST_FIXTURE_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#ifndef CTNL_FIXTURE_DIR
#error "CTNL_FIXTURE_DIR (the test/fixtures directory, a string) must be defined by the build"
#endif

/* No kernel datagram comes near this; a bigger length is a broken file. */
#define FIXTURE_MAX_DGRAM (1u << 20)

struct fixture_dgram {
	uint8_t *data;
	size_t len;
};

struct fixture {
	size_t count;
	struct fixture_dgram *dgrams;
};

static inline void fixture_free(struct fixture *fx)
{
	if (!fx)
		return;
	for (size_t i = 0; i < fx->count; i++)
		free(fx->dgrams[i].data);
	free(fx->dgrams);
	fx->dgrams = NULL;
	fx->count = 0;
}

/* The whole file into a fresh buffer; NULL (and errno) on failure. */
static inline uint8_t *fixture_read_file_(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/*
 * Checks that @data holds whole netlink messages and nothing else: every
 * message at least a header long and within the datagram. Returns NULL or
 * what is wrong.
 */
static inline const char *fixture_check_framing_(const uint8_t *data,
						 size_t len)
{
	size_t off = 0;

	while (off < len) {
		struct nlmsghdr nlh;

		if (len - off < sizeof(nlh))
			return "a message header is cut short";
		memcpy(&nlh, data + off, sizeof(nlh));
		if (nlh.nlmsg_len < sizeof(nlh))
			return "a message is shorter than its header";
		if (nlh.nlmsg_len > len - off)
			return "a message runs past the end of its datagram";
		off += NLMSG_ALIGN(nlh.nlmsg_len) < len - off ?
		       NLMSG_ALIGN(nlh.nlmsg_len) : len - off;
	}
	return NULL;
}

/* Loads CTNL_FIXTURE_DIR "/" @name into @out; fails the cmocka test on any
 * error (missing file, truncated record, malformed datagram). Free with
 * fixture_free(). */
static inline void fixture_load(const char *name, struct fixture *out)
{
	char path[PATH_MAX];
	const char *why = NULL;
	uint8_t *file;
	size_t flen = 0, off, n = 0;
	int r;

	out->count = 0;
	out->dgrams = NULL;
	r = snprintf(path, sizeof(path), "%s/%s", CTNL_FIXTURE_DIR, name);
	if (r < 0 || (size_t)r >= sizeof(path))
		fail_msg("fixture %s: path too long", name);
	file = fixture_read_file_(path, &flen);
	if (!file)
		fail_msg("fixture %s: %s", path, strerror(errno));

	/* First pass: count and check every record before allocating. */
	for (off = 0; off < flen; n++) {
		uint32_t len;

		if (flen - off < 4) {
			why = "truncated record length";
			break;
		}
		len = (uint32_t)file[off] | (uint32_t)file[off + 1] << 8 |
		      (uint32_t)file[off + 2] << 16 |
		      (uint32_t)file[off + 3] << 24;
		off += 4;
		if (len == 0 || len > FIXTURE_MAX_DGRAM) {
			why = "record length 0 or too large";
			break;
		}
		if (len > flen - off) {
			why = "record runs past the end of the file";
			break;
		}
		why = fixture_check_framing_(file + off, len);
		if (why)
			break;
		off += len;
	}
	if (!why && n == 0)
		why = "no datagram";
	if (why) {
		free(file);
		fail_msg("fixture %s: record %zu: %s", path, n, why);
	}

	out->dgrams = calloc(n, sizeof(*out->dgrams));
	if (!out->dgrams) {
		free(file);
		fail_msg("fixture %s: out of memory", path);
	}
	for (off = 0; out->count < n; out->count++) {
		struct fixture_dgram *d = &out->dgrams[out->count];

		d->len = (size_t)file[off] | (size_t)file[off + 1] << 8 |
			 (size_t)file[off + 2] << 16 |
			 (size_t)file[off + 3] << 24;
		off += 4;
		d->data = malloc(d->len);
		if (!d->data) {
			free(file);
			fixture_free(out);
			fail_msg("fixture %s: out of memory", path);
		}
		memcpy(d->data, file + off, d->len);
		off += d->len;
	}
	free(file);
}

/* Queues every datagram on @f as a reply, stamped with the sequence number
 * and port id of the request the code under test sends
 * (ctnl_fake_sys_queue). */
static inline void fixture_queue(struct ctnl_fake_sys *f,
				 const struct fixture *fx)
{
	for (size_t i = 0; i < fx->count; i++)
		ctnl_fake_sys_queue(f, fx->dgrams[i].data, fx->dgrams[i].len);
}

/* Queues every datagram on @f as a multicast event from the kernel to
 * @groups (a bitmask, as in sockaddr_nl.nl_groups), byte for byte,
 * unstamped. */
static inline void fixture_queue_events(struct ctnl_fake_sys *f,
					uint32_t groups,
					const struct fixture *fx)
{
	for (size_t i = 0; i < fx->count; i++)
		ctnl_fake_sys_queue_raw(f, 0, groups, fx->dgrams[i].data,
					fx->dgrams[i].len);
}

#endif /* CTNL_TEST_FIXTURE_H */
