#!/bin/bash
# Runs the tests of a CTNL_COVERAGE build and reports line and function
# coverage of src/: an HTML report in coverage/html and one summary line,
# plus one line per layer. Usage: coverage.sh SOURCE_DIR BUILD_DIR
set -eu
# lcov 1.16 on Debian 12 prints perl "Subroutine ... redefined" warnings
# on every run: noise, filtered out so real warnings stay visible.
lcov() { "$LCOV" "$@" 2> >(grep -v 'redefined at' >&2); }
src=$1
build=$2
out=$build/coverage
mkdir -p "$out"

lcov --quiet --zerocounters --directory "$build"
status=0
ctest --test-dir "$build" --verbose || status=$?

lcov --quiet --capture --directory "$build" --output-file "$out/all.info"
lcov --quiet --extract "$out/all.info" "$src/src/*" --output-file "$out/src.info"
"$GENHTML" --quiet --output-directory "$out/html" "$out/src.info"

# Totals per layer and for src/ as a whole, from the tracefile's LF/LH
# (lines found/hit) and FNF/FNH (functions found/hit) records.
awk -v root="$src/src/" '
	/^SF:/ { f = substr($0, 4); sub(root, "", f); d = f; sub("/[^/]*$", "", d)
		 if (d == f) d = "(top)"; }
	/^LF:/ { lf[d] += substr($0, 4); LF += substr($0, 4) }
	/^LH:/ { lh[d] += substr($0, 4); LH += substr($0, 4) }
	/^FNF:/ { ff[d] += substr($0, 5); FF += substr($0, 5) }
	/^FNH:/ { fh[d] += substr($0, 5); FH += substr($0, 5) }
	function pct(a, b) { return b ? 100 * a / b : 100 }
	END {
		for (d in lf)
			printf "coverage src/%-10s lines %5.1f%% (%d/%d)  functions %5.1f%% (%d/%d)\n",
				d, pct(lh[d], lf[d]), lh[d], lf[d], pct(fh[d], ff[d]), fh[d], ff[d] | "sort"
		close("sort")
		printf "coverage src/ total    lines %5.1f%% (%d/%d)  functions %5.1f%% (%d/%d)\n",
			pct(LH, LF), LH, LF, pct(FH, FF), FH, FF
	}' "$out/src.info" | tee "$out/summary.txt"
echo "HTML report: $out/html/index.html"
exit $status
