#!/bin/bash
# kube-proxy's reconcile by libctnl and by the raw floor only, in pairs
# whose order alternates, on the Kubernetes-shaped table (BENCHMARKS.md,
# "Agent workloads"): a closer look at the two figures ctnl-agents times
# beside much slower peers. Each run deletes the table's stale entries;
# they are made again before the next. Prints each pair, then the medians
# of wall time and of CPU time (user + system) and their ratios.
#
#   bench/agents_pairs.sh [PAIRS] [ENTRIES]     (defaults: 9 1000000)
#
# Needs root and bench/run.sh's build (build/bench, BENCH_BUILD_DIR); runs
# in a network namespace of its own (unshare -n), gone when it ends. The
# table must fit net.netfilter.nf_conntrack_max (bench/run.sh raises it).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-9} entries=${2:-1000000}
bin=${BENCH_BUILD_DIR:-build/bench}/bench
if [ "${AGENTS_PAIRS_IN_NETNS:-}" != yes ]; then
	AGENTS_PAIRS_IN_NETNS=yes exec unshare -n -- "$0" "$@"
fi

# One timed run: "ns cpu_seconds count".
timed() {
	local out cpu
	out=$({ /usr/bin/time -f "cpu %U %S" "$@"; } 2>&1)
	cpu=$(echo "$out" | awk '/^cpu / { print $2 + $3 }')
	echo "$out" | awk -v cpu="$cpu" '/^ok ns=/ {
		split($2, a, "="); split($3, b, "="); print a[2], cpu, b[2] }'
}

"$bin/bench-k8s" fill "$entries" >/dev/null
ctnl=() floor=()
for ((i = 0; i < pairs; i++)); do
	for who in $( ((i % 2)) && echo "floor ctnl" || echo "ctnl floor"); do
		if [ "$who" = ctnl ]; then
			r=$(timed "$bin/bench-agents-ctnl" reconcile)
			ctnl+=("$r")
		else
			r=$(timed "$bin/bench-k8s" reconcile)
			floor+=("$r")
		fi
		echo "pair $i $who: ns cpu count = $r"
		"$bin/bench-k8s" fill "$entries" stale >/dev/null
	done
done
median() { sort -g | awk '{ v[NR] = $1 } END {
	print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { printf '%s\n' "$@" | awk -v c="$COL" '{ print $c }' | median; }
COL=1 cw=$(col "${ctnl[@]}"); COL=1 fw=$(col "${floor[@]}")
COL=2 cc=$(col "${ctnl[@]}"); COL=2 fc=$(col "${floor[@]}")
awk -v cw="$cw" -v fw="$fw" -v cc="$cc" -v fc="$fc" -v n="$pairs" 'BEGIN {
	printf "median of %d: libctnl %.1f ms wall, %.3f s CPU; floor %.1f ms " \
	       "wall, %.3f s CPU\n", n, cw / 1e6, cc, fw / 1e6, fc
	printf "libctnl / floor: wall %.2f, CPU %.2f\n", cw / fw, cc / fc }'
