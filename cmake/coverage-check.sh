#!/bin/sh
# Fails unless the "total" line of a coverage summary (cmake/coverage.sh)
# shows at least MIN_LINES % of lines and MIN_FUNCS % of functions.
# Usage: coverage-check.sh SUMMARY MIN_LINES MIN_FUNCS
set -eu
awk -v lmin="$2" -v fmin="$3" '
	/ total / {
		found = 1
		for (i = 1; i <= NF; i++) {
			if ($i == "lines") l = $(i + 1)
			if ($i == "functions") f = $(i + 1)
		}
		sub("%", "", l); sub("%", "", f)
		if (l + 0 < lmin || f + 0 < fmin) {
			printf "coverage check FAILED: lines %s%% (need %s%%), functions %s%% (need %s%%)\n", l, lmin, f, fmin
			exit 1
		}
		printf "coverage check passed: lines %s%% >= %s%%, functions %s%% >= %s%%\n", l, lmin, f, fmin
	}
	END { if (!found) { print "coverage check FAILED: no total line"; exit 1 } }' "$1"
