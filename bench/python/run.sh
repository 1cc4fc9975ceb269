#!/bin/bash
# The Python binding beside pyroute2, on bench/'s tables, in a private
# network namespace (never the host's table). See BENCHMARKS.md, "Python".
#
#   bench/python/run.sh BUILD [-n RUNS] [-s SIZE[,SIZE...]] [--pyroute2-runs N]
#   defaults: -n 3 -s 100000,250000 --pyroute2-runs 1
#
# BUILD is an optimised build tree with the benchmarks (bench/run.sh makes
# build/bench and then runs this); the binding is built against it into
# BUILD/python. Needs root. pyroute2 is slow: at 250,000 entries one run of
# its dump and of its update takes minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: bench/python/run.sh BUILD [bench.py options]}
shift
if [ "$(id -u)" -ne 0 ]; then
	echo "bench/python/run.sh: needs root: it makes a network namespace" \
	     "and fills its conntrack table" >&2
	exit 1
fi
if [ ! -x "$build/bench/bench-ctnl" ]; then
	echo "bench/python/run.sh: no $build/bench/bench-ctnl: build with" \
	     "-DCTNL_BUILD_BENCH=ON first (bench/run.sh does)" >&2
	exit 1
fi

# pyroute2, the client compared with (Debian's, as agents use it).
scripts/install-deps.sh python3-pyroute2
# The tree as it is now (nothing to do when bench/run.sh just built it),
# then the binding against it.
if ! cmake --build "$build" -j "$(nproc)" >"$build/build-python.log" 2>&1; then
	cat "$build/build-python.log" >&2
	exit 1
fi
python/tests/install.sh . "$build" "$build/python" >/dev/null

out="$build/bench-python-results.txt"
/usr/bin/python3 bench/python/bench.py --bin "$build/bench" \
	--site "$build/python/site" "$@" | tee "$out"
echo "(this table is also in $out)"
