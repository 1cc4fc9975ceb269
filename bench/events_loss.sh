#!/bin/bash
# Does `ctnl events` account for every event of a burst it cannot keep up
# with? In a private network namespace (made by unshare -n for each run,
# gone when the run ends: never the host's table), `ctnl events -e NEW`
# listens while `bench-ctnl fill N` creates N entries in batches, far
# faster than the queue drains; once the producer is done and 2 s have
# passed, SIGINT. Then the events printed plus the losses reported must be
# N, and the kernel's drop counter for the listener's socket
# (/proc/net/netlink, column Drops, read just before the SIGINT) must be
# what was reported.
#
#   bench/events_loss.sh [-r RUNS] [-n ENTRIES] [-b BYTES] [BUILD]
#   defaults: -r 10 -n 200000, the tool's own queue (8 MiB asked)
#   -b BYTES  the queue size asked for (ctnl events --buffer-size)
#   BUILD     a build directory with the tools and the benchmarks
#             (cmake -DCTNL_BUILD_BENCH=ON); default build/bench, made
#             here if missing
#
# One line per run: printed, reported, kernel drops, printed + reported,
# and OK or FAIL; then a summary. Exits 1 if any run failed. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10 entries=200000 bytes=
while getopts r:n:b: opt; do
	case $opt in
	r) runs=$OPTARG ;;
	n) entries=$OPTARG ;;
	b) bytes=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
build=${1:-build/bench}

if [ "$(id -u)" -ne 0 ]; then
	echo "events_loss.sh: needs root (network namespaces)" >&2
	exit 1
fi

# One run, inside its own namespace: prints "printed reported drops".
if [ "${EVENTS_LOSS_IN_NETNS:-}" = 1 ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	ip link set lo up
	args=(events -e NEW)
	[ -n "$bytes" ] && args+=(--buffer-size "$bytes")
	"$build/tools/ctnl" "${args[@]}" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q listening "$tmp/err" && break
		sleep 0.05
	done
	"$build/bench/bench-ctnl" fill "$entries" >/dev/null
	sleep 2
	inode=$(readlink /proc/$pid/fd/* | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
	drops=$(awk -v i="$inode" '$10 == i { print $9 }' /proc/net/netlink)
	kill -INT $pid
	wait $pid || { cat "$tmp/err" >&2; exit 1; }
	printed=$(wc -l <"$tmp/out")
	reported=$(sed -n 's/.*the kernel dropped \([0-9]*\) events.*/\1/p' \
		"$tmp/err" | awk '{ s += $1 } END { print s + 0 }')
	echo "$printed $reported ${drops:-?}"
	exit 0
fi

if [ ! -x "$build/tools/ctnl" ] || [ ! -x "$build/bench/bench-ctnl" ]; then
	cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCTNL_BUILD_BENCH=ON -DCTNL_BUILD_TESTS=OFF >/dev/null
	cmake --build "$build" -j 2 >/dev/null
fi

echo "ctnl events -e NEW, $entries creates in one burst, queue" \
	"${bytes:-as the tool sets it}"
printf '%4s %9s %9s %9s %17s\n' run printed reported drops printed+reported
failed=0
for run in $(seq "$runs"); do
	read -r printed reported drops < <(EVENTS_LOSS_IN_NETNS=1 \
		unshare -n "$0" -n "$entries" -b "$bytes" "$build")
	sum=$((printed + reported))
	verdict=OK
	if [ "$sum" -ne "$entries" ] || [ "$drops" != "$reported" ]; then
		verdict=FAIL
		failed=$((failed + 1))
	fi
	printf '%4d %9d %9d %9s %17d %s\n' "$run" "$printed" "$reported" \
		"$drops" "$sum" "$verdict"
done
echo "$((runs - failed)) of $runs runs add up to $entries"
[ "$failed" -eq 0 ]
