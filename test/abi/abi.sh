#!/bin/sh
# The ABI of the shared library, as libabigail sees it (abidw, abidiff;
# Debian package abigail-tools), against the committed baseline
# abi/libctnl.so.0.abi. One place for the options, so that the baseline and
# the library it is compared with are read the same way: the functions
# the library exports and the types they use that the public headers
# define. The library must carry debug info (-g: RelWithDebInfo, Debug).
#
#   abi.sh dump LIB.so INCLUDE_DIR
#       prints LIB.so's ABI (what scripts/update-abi.sh commits)
#   abi.sh check BASELINE LIB.so INCLUDE_DIR
#       compares LIB.so with BASELINE: the same ABI passes; functions or
#       variables added and nothing else changed passes and says so (a
#       compatible addition); anything removed or changed (a function's
#       parameters, a public struct's layout, ...) fails and prints
#       abidiff's report. Update the baseline deliberately with
#       scripts/update-abi.sh.
set -eu
abidw=${ABIDW:-abidw}
abidiff=${ABIDIFF:-abidiff}

fail() {
	echo "$1" >&2
	exit 1
}

dump() {
	"$abidw" --no-corpus-path --no-comp-dir-path --no-show-locs \
		--headers-dir "$2" --drop-private-types "$1"
}

# The number in abidiff's summary line NAME ("Functions changes summary:
# 0 Removed, 1 Changed (...), 2 Added functions") before WORD.
count() {
	sed -n "s/^$2 changes summary: //p" "$1" | tr ',' '\n' |
		sed -n "s/^ *\([0-9][0-9]*\) $3.*/\1/p" | head -n1
}

case ${1:-} in
dump)
	[ $# -eq 3 ] || fail "usage: $0 dump LIB.so INCLUDE_DIR"
	dump "$2" "$3"
	;;
check)
	[ $# -eq 4 ] || fail "usage: $0 check BASELINE LIB.so INCLUDE_DIR"
	[ -s "$2" ] || fail "no ABI baseline at $2: make one with scripts/update-abi.sh"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	dump "$3" "$4" > "$tmp/new.abi"
	rc=0
	"$abidiff" --no-show-locs "$2" "$tmp/new.abi" > "$tmp/report" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ABI unchanged: $3 is the baseline $2"
		exit 0
	fi
	# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI
	# change, 8 incompatible change (something removed).
	if [ $((rc & 3)) -ne 0 ]; then
		cat "$tmp/report" >&2
		fail "abidiff failed (exit status $rc)"
	fi
	removed=$(( $(count "$tmp/report" Functions Removed) + \
		$(count "$tmp/report" Variables Removed) ))
	changed=$(( $(count "$tmp/report" Functions Changed) + \
		$(count "$tmp/report" Variables Changed) ))
	added=$(count "$tmp/report" Functions Added)
	vadded=$(count "$tmp/report" Variables Added)
	if [ $((rc & 8)) -ne 0 ] || [ "$removed" -ne 0 ] || [ "$changed" -ne 0 ] ||
		[ $((added + vadded)) -eq 0 ]; then
		cat "$tmp/report" >&2
		fail "INCOMPATIBLE ABI change against $2 ($removed removed, $changed changed): if it is meant, raise the SONAME or update the baseline deliberately (scripts/update-abi.sh, see CONTRIBUTING)"
	fi
	sed -n '/Added function/,$p' "$tmp/report"
	echo "compatible addition: $added new functions, $vadded new variables, nothing removed or changed (scripts/update-abi.sh records them in the baseline)"
	;;
*)
	fail "usage: $0 dump|check ..."
	;;
esac
