#!/bin/sh
# Fails unless the "total" line of a coverage summary (cmake/coverage.sh)
# shows at least MIN_LINES % of lines and MIN_FUNCS % of functions, of a
# non-empty count: no line or function measured (say the tests left no
# .gcda behind) is a failure, not a vacuous 100 %.
# Usage: coverage-check.sh SUMMARY MIN_LINES MIN_FUNCS
set -eu
awk -v lmin="$2" -v fmin="$3" '
	# "(hit/found)" -> found
	function found(s) { gsub(/[()]/, "", s); split(s, a, "/"); return a[2] + 0 }
	/ total / {
		seen = 1
		for (i = 1; i <= NF; i++) {
			if ($i == "lines") { l = $(i + 1); lf = found($(i + 2)) }
			if ($i == "functions") { f = $(i + 1); ff = found($(i + 2)) }
		}
		sub("%", "", l); sub("%", "", f)
		if (lf == 0 || ff == 0) {
			printf "coverage check FAILED: nothing measured (%d lines, %d functions)\n", lf, ff
			exit 1
		}
		if (l + 0 < lmin || f + 0 < fmin) {
			printf "coverage check FAILED: lines %s%% (need %s%%), functions %s%% (need %s%%)\n", l, lmin, f, fmin
			exit 1
		}
		printf "coverage check passed: lines %s%% >= %s%%, functions %s%% >= %s%%\n", l, lmin, f, fmin
	}
	END { if (!seen) { print "coverage check FAILED: no total line"; exit 1 } }' "$1"
