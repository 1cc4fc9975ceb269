/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs a fuzz target over files without libFuzzer: each argument is an
 * input file or a directory of them. Builds that are not fuzzing (gcc,
 * coverage, sanitizers, valgrind) link a target with this driver and run
 * its seed corpus and regression inputs as an ordinary test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = -1;

	if (!f)
		goto out;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0)
		goto out;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	ret = 0;
out:
	if (ret < 0)
		perror(path);
	free(buf);
	if (f)
		fclose(f);
	return ret;
}

static int only_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	unsigned long inputs = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		struct stat st;
		char path[4096];
		int n;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			inputs++;
			continue;
		}
		n = scandir(argv[i], &names, only_files, alphasort);
		if (n < 0) {
			perror(argv[i]);
			return 1;
		}
		for (int j = 0; j < n; j++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 names[j]->d_name);
			if (run_file(path) < 0)
				return 1;
			inputs++;
			free(names[j]);
		}
		free(names);
	}
	printf("%s: %lu inputs, no check failed\n", argv[0], inputs);
	return 0;
}
