#!/bin/sh
# Runs each libFuzzer target of a CTNL_FUZZ build for SECONDS seconds,
# starting from its committed seed corpus and regression inputs, and fails
# if any input crashes, leaks, hangs or breaks a check. New inputs go to a
# working corpus in the build directory, never into the source tree; a
# crashing input is kept in BUILD_DIR/fuzz-artifacts/ and its path printed.
# Usage: test/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#   (targets: reply event args; default all three)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
seconds=$2
shift 2
[ $# -gt 0 ] || set -- reply event args

for t in "$@"; do
	bin=$build/test/fuzz/fuzz_$t
	work=$build/fuzz-corpus/$t
	artifacts=$build/fuzz-artifacts/$t/
	mkdir -p "$work" "$artifacts"
	echo "==> fuzz_$t for ${seconds}s"
	# -timeout: an input that takes over 10 s is a hang. -max_len: room
	# for a few full dump datagrams; for a handful of event datagrams
	# (one event each, about 1.3 KiB) or dozens of small ones, as longer
	# inputs only run slower; a command line is much shorter, and the
	# parser's words (option names, protocols, states, ...) help the
	# fuzzer past its lookups. ASan's leak check runs on every input
	# that allocates more than it frees. (The loop's list was expanded
	# already: "$@" is free for the options.)
	case $t in
	args) set -- -max_len=4096 -dict="$here/args.dict" ;;
	event) set -- -max_len=8192 ;;
	*) set -- -max_len=65536 ;;
	esac
	status=0
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		"$@" -print_final_stats=1 \
		-artifact_prefix="$artifacts" \
		"$work" "$here/corpus/$t" "$here/regress/$t" \
		>"$build/fuzz-$t.log" 2>&1 || status=$?
	if [ "$status" -ne 0 ]; then
		tail -n 60 "$build/fuzz-$t.log"
		echo "fuzz_$t FAILED (exit $status); inputs kept in $artifacts:" >&2
		ls "$artifacts" >&2
		exit 1
	fi
	# The seed corpus loaded, the last coverage line, the totals.
	grep -e '^INFO: seed corpus' "$build/fuzz-$t.log" || true
	grep -e ' cov: ' "$build/fuzz-$t.log" | tail -n 1
	grep -e '^Done' -e '^stat::' "$build/fuzz-$t.log"
done
