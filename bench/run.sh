#!/bin/bash
# The benchmarks, in one command: libctnl against libnetfilter_conntrack,
# the conntrack program and raw libmnl floors, on one table in a private
# network namespace that is created and removed here (never the host's
# table). Installs what it needs, builds optimised (RelWithDebInfo: -O2),
# runs, prints the table and keeps a copy of it. See BENCHMARKS.md.
#
#   bench/run.sh [-n RUNS] [-s SIZE[,SIZE...]] [-c CALLGRIND_SIZE|0]
#   defaults: -n 5 -s 10000,100000,250000 -c 100000
#
# Needs root (namespaces, filling a conntrack table, installing packages).
# Environment: BENCH_BUILD_DIR (default build/bench); BENCH_PYTHON=0 skips
# the Python binding's part (bench/python/run.sh, minutes with pyroute2).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: needs root: it makes a network namespace and" \
	     "fills its conntrack table" >&2
	exit 1
fi

# libnetfilter_conntrack, the client compared with; valgrind's callgrind
# counts the instructions.
scripts/install-deps.sh libnetfilter-conntrack-dev valgrind

build=${BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCTNL_BUILD_BENCH=ON -DCTNL_BUILD_TESTS=OFF >/dev/null
if ! cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1; then
	cat "$build/build.log" >&2
	exit 1
fi

rev=$(git describe --always --dirty 2>/dev/null || echo "not a git checkout")
out="$build/bench-results.txt"
BENCH_GIT="$rev" "$build/bench/ctnl-bench" "$@" | tee "$out"
echo "(this table is also in $out)"

# The Python binding beside pyroute2 (bench/python/run.sh; BENCHMARKS.md,
# "Python"). BENCH_PYTHON=0 leaves it out.
if [ "${BENCH_PYTHON:-1}" != 0 ]; then
	bench/python/run.sh "$build"
fi
