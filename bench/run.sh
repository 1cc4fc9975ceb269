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
#   bench/run.sh --agents [--quick] [ctnl-agents options]
#   the agent workloads of issue 15 ("Agent workloads" in BENCHMARKS.md):
#   kube-proxy's reconcile, Calico's delete, the event storms and the
#   example reconcile agent under churn on a 1,000,000-entry table, then
#   the table sizes 10,000 to 1,000,000.
#   --quick: a small, short pass that proves the whole thing works.
#
#   --hashsize N|keep: the conntrack hash's buckets for the run (default:
#   raised to one per entry of the largest table; keep: leave them).
#
# A table of more than the kernel's nf_conntrack_max needs it raised, in
# the initial network namespace (the limit is global): this script raises
# it, and the hash size, for the run only, and restores both however the
# run ends (its end, an error, Ctrl-C, SIGTERM or SIGHUP).
#
# Needs root (namespaces, filling a conntrack table, the sysctls,
# installing packages). Environment: BENCH_BUILD_DIR (default build/bench);
# BENCH_PYTHON=0 skips the Python binding's part (bench/python/run.sh,
# minutes with pyroute2).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: needs root: it makes a network namespace and" \
	     "fills its conntrack table" >&2
	exit 1
fi

agents=no quick=no hashsize=""
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--agents) agents=yes ;;
	--quick) quick=yes ;;
	--hashsize) hashsize=${2:?--hashsize needs a value}; shift ;;
	*) args+=("$1") ;;
	esac
	shift
done

# The largest table the run makes: the biggest -s, else the default.
largest() {
	local default=$1 s="" prev=""
	for a in "${args[@]+"${args[@]}"}"; do
		[ "$prev" = "-s" ] && s=$a
		prev=$a
	done
	echo "${s:-$default}" | tr ',' '\n' | sort -n | tail -n 1
}

# libnetfilter_conntrack, the client compared with; valgrind's callgrind
# counts the instructions; Go and its netlink library build kube-proxy's
# reconcile (the agent workloads' peer).
scripts/install-deps.sh libnetfilter-conntrack-dev valgrind golang-go \
	golang-github-vishvananda-netlink-dev

build=${BENCH_BUILD_DIR:-build/bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCTNL_BUILD_BENCH=ON -DCTNL_BUILD_TESTS=OFF >/dev/null
if ! cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1; then
	cat "$build/build.log" >&2
	exit 1
fi

# ---- The table's limit and hash size, for this run only ----

sysdir=/proc/sys/net/netfilter
saved_max="" saved_buckets=""

restore_sysctls() {
	if [ -n "$saved_buckets" ]; then
		echo "$saved_buckets" >"$sysdir/nf_conntrack_buckets"
		echo "bench/run.sh: restored net.netfilter.nf_conntrack_buckets" \
		     "to $(cat "$sysdir/nf_conntrack_buckets")"
	fi
	if [ -n "$saved_max" ]; then
		echo "$saved_max" >"$sysdir/nf_conntrack_max"
		echo "bench/run.sh: restored net.netfilter.nf_conntrack_max to" \
		     "$(cat "$sysdir/nf_conntrack_max")"
	fi
}

# Room for @1 entries in our namespace, as many in a neighbour's (the
# agents' global-hash section) and the storms' own, whatever else the
# machine's other namespaces hold; buckets: one per entry, a power of 2.
raise_sysctls() {
	local entries=$1 max buckets want_max want_buckets=1
	max=$(cat "$sysdir/nf_conntrack_max")
	buckets=$(cat "$sysdir/nf_conntrack_buckets")
	want_max=$((2 * entries + 300000 + $(cat "$sysdir/nf_conntrack_count")))
	while [ "$want_buckets" -lt "$entries" ]; do
		want_buckets=$((want_buckets * 2))
	done
	case "$hashsize" in
	keep) want_buckets=0 ;;
	"") ;;
	*) want_buckets=$hashsize ;;
	esac
	if [ "$max" -lt "$want_max" ]; then
		saved_max=$max
		echo "$want_max" >"$sysdir/nf_conntrack_max"
		echo "bench/run.sh: raised net.netfilter.nf_conntrack_max from" \
		     "$max to $(cat "$sysdir/nf_conntrack_max") for this run"
	fi
	if [ "$want_buckets" -gt 0 ] && [ "$buckets" -ne "$want_buckets" ] &&
	   { [ -n "$hashsize" ] || [ "$buckets" -lt "$want_buckets" ]; }; then
		saved_buckets=$buckets
		echo "$want_buckets" >"$sysdir/nf_conntrack_buckets"
		echo "bench/run.sh: set net.netfilter.nf_conntrack_buckets from" \
		     "$buckets to $(cat "$sysdir/nf_conntrack_buckets") for this run"
	fi
}

# ---- Running a driver so that any end restores the sysctls ----

driver_pid="" tail_pid=""

on_signal() {
	if [ -n "$driver_pid" ]; then
		kill -TERM "$driver_pid" 2>/dev/null || true
		wait "$driver_pid" 2>/dev/null || true
	fi
	exit $((128 + $1))
}

trap restore_sysctls EXIT
trap 'on_signal 1' HUP
trap 'on_signal 2' INT
trap 'on_signal 15' TERM

# Runs a driver in the background, its output shown and kept in @1, so
# that a signal reaches the traps at once (bash runs them only when the
# command in the foreground ends; `wait` returns at once).
run_driver() {
	local out=$1 rc=0
	shift
	BENCH_GIT="$rev" "$@" >"$out" &
	driver_pid=$!
	tail -n +1 -f --pid="$driver_pid" "$out" &
	tail_pid=$!
	wait "$driver_pid" || rc=$?
	wait "$tail_pid" || true
	driver_pid=""
	echo "(this table is also in $out)"
	return "$rc"
}

rev=$(git describe --always --dirty 2>/dev/null || echo "not a git checkout")
if [ "$agents" = no ]; then
	raise_sysctls "$(largest 250000)"
	run_driver "$build/bench-results.txt" "$build/bench/ctnl-bench" \
		"${args[@]+"${args[@]}"}"
	# The Python binding beside pyroute2 (bench/python/run.sh;
	# BENCHMARKS.md, "Python"). BENCH_PYTHON=0 leaves it out.
	if [ "${BENCH_PYTHON:-1}" != 0 ]; then
		bench/python/run.sh "$build"
	fi
	exit 0
fi

# The agent workloads: first the agents' own work on the
# Kubernetes-shaped table, then how each operation grows with the table
# (ctnl-bench without its ctnl-against-conntrack part, -T). A failed check
# in the first does not stop the second; the exit status says.
rc=0
if [ "$quick" = yes ]; then
	raise_sysctls "$(largest 100000)"
	agent_args=(-q "${args[@]+"${args[@]}"}")
	growth_args=(-n 1 -s "10000,100000" -c 0 -T)
else
	entries=$(largest 1000000)
	raise_sysctls $((entries > 1000000 ? entries : 1000000))
	agent_args=("${args[@]+"${args[@]}"}")
	growth_args=(-n 3 -s "10000,100000,250000,1000000" -c 0 -T)
fi
run_driver "$build/bench-agents.txt" "$build/bench/ctnl-agents" \
	"${agent_args[@]}" || rc=$?
run_driver "$build/bench-growth.txt" "$build/bench/ctnl-bench" \
	"${growth_args[@]}" || rc=$?
exit "$rc"
