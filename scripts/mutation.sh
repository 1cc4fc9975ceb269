#!/bin/sh
# The mutation check: do the tests notice small, plausible bugs?
#
#   scripts/mutation.sh [--check] [--list] [ID-PATTERN...]
#
# Applies each mutant of the catalogues in test/mutation/*.txt (file, an
# exact original snippet, its replacement; see test/mutation/README.md),
# one at a time, to a scratch copy of the tree (never to the tree itself),
# rebuilds what the tests need there and runs the fast tests: every unit
# test and the fuzz targets' corpus replays. A mutant they do not kill and
# that names kernel tests (`kernel` in its entry) runs those too, as root.
# It prints each mutant's fate, then the score and the survivors, and
# fails when a mutant survives that is not marked equivalent, when a
# mutant marked equivalent is killed after all, when a snippet is not
# found exactly once (a stale mutant: the code changed under it), or when
# a mutant does not build.
#
#   --check  only check that every mutant applies (seconds, no build)
#   --list   list the mutants
#   ID-PATTERN  run only mutants whose id matches one of these shell
#               patterns (e.g. 'sock/*' or ct/filter-prefix-mask)
#
# Scratch: build/mutation/ (CTNL_MUTATION_DIR), kept between runs so a
# run rebuilds only what changed. At most 2 jobs (CTNL_MUTATION_JOBS).
# The whole catalogue (214 mutants) takes 20 to 35 minutes on two
# shared cores, depending on their load.
# CTNL_MUTATION_TESTS=REGEX runs only the fast tests matching REGEX for
# every mutant, to see what one test kills on its own.
set -eu
# The whole script is one block, read before it runs: editing the tree
# (this file included) during a run does not change the run.
{
cd "$(dirname "$0")/.."
root=$(pwd)
helper="$root/test/mutation/mutant.pl"
catalogues=$(ls "$root"/test/mutation/*.txt)
scratch=${CTNL_MUTATION_DIR:-$root/build/mutation}
jobs=${CTNL_MUTATION_JOBS:-2}
[ "$jobs" -gt 2 ] && jobs=2

mode=run
case "${1:-}" in
--check) mode=check; shift ;;
--list) mode=list; shift ;;
--help|-h) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

# shellcheck disable=SC2086
perl "$helper" check "$root" $catalogues || {
	echo "mutation: stale mutants above: update their snippets in" \
		"test/mutation/*.txt" >&2
	exit 1
}
if [ "$mode" = check ]; then
	# shellcheck disable=SC2086
	echo "mutation: all $(perl "$helper" list $catalogues | wc -l)" \
		"mutants apply"
	exit 0
fi

# Mutants selected by the patterns, as id<TAB>file<TAB>tests<TAB>kernel<TAB>equivalent.
selected=$(mktemp)
trap 'rm -f "$selected"' EXIT
# shellcheck disable=SC2086
perl "$helper" list $catalogues | while IFS='	' read -r id rest; do
	if [ $# -eq 0 ]; then
		printf '%s\t%s\n' "$id" "$rest"
		continue
	fi
	for pat in "$@"; do
		# shellcheck disable=SC2254
		case "$id" in $pat) printf '%s\t%s\n' "$id" "$rest"; break ;; esac
	done
done >"$selected"
total=$(wc -l <"$selected")
if [ "$mode" = list ]; then
	cat "$selected"
	exit 0
fi
[ "$total" -gt 0 ] || { echo "mutation: no mutant matches $*" >&2; exit 1; }

scripts/install-deps.sh ninja-build
# A kernel test that a mutant makes wait for ever fails after a minute.
export CTNL_TEST_DEADLINE="${CTNL_TEST_DEADLINE:-60}"

tree=$scratch/tree
build=$scratch/build
log=$scratch/log
mkdir -p "$scratch" "$log"
perl "$helper" sync "$root" "$tree"
# Configured every run (seconds), so that the list of tests below is the
# tree's as it is now. Unoptimised, no debug information: the build is
# most of a mutant's time, and the tests' answers depend on neither.
cmake -G Ninja -S "$tree" -B "$build" -DCMAKE_BUILD_TYPE=None \
	-DCMAKE_C_FLAGS="-O0 -g0" >"$log/configure.log" 2>&1 || {
	cat "$log/configure.log"; exit 1; }

# The fast tests and the programs they run (unit/NAME[/...] is target
# NAME, fuzz/NAME is fuzz_NAME; kernel tests are integration/NAME).
fast_targets=$(ctest --test-dir "$build" -N -L '^(unit|fuzz)$' |
	sed -n 's/^ *Test *#[0-9]*: //p' |
	sed 's|^unit/\([^/]*\).*|\1|; s|^fuzz/|fuzz_|' | sort -u)

# Builds @targets...; the output goes to $log/build.log.
build_targets() {
	# shellcheck disable=SC2068
	cmake --build "$build" -j "$jobs" --target $@ >"$log/build.log" 2>&1
}

# Runs the tests matching regex $1 with labels $2: 0 if all pass. The
# failed ones are then in $log/failed.
run_tests() {
	rm -f "$build/Testing/Temporary/LastTestsFailed.log"
	if ctest --test-dir "$build" -R "$1" -L "$2" -j "$jobs" \
		--timeout "$3" --stop-on-failure >"$log/ctest.log" 2>&1; then
		return 0
	fi
	sed 's/^[0-9]*://' "$build/Testing/Temporary/LastTestsFailed.log" \
		2>/dev/null | tr '\n' ' ' >"$log/failed"
	return 1
}

echo "==> mutation: baseline (the unmutated tree must pass)"
start=$(date +%s)
# shellcheck disable=SC2086
build_targets $fast_targets || { cat "$log/build.log"; exit 1; }
run_tests . '^(unit|fuzz)$' 120 || {
	cat "$log/ctest.log"; echo "mutation: the baseline fails" >&2; exit 1; }
baseline_kernel=" "

killed=0 survived=0 equivalent=0 problems=0 n=0
survivors="" problem_ids=""
while IFS='	' read -r id file tests kernel reason; do
	n=$((n + 1))
	t0=$(date +%s)
	perl "$helper" apply "$tree" "$id" $catalogues
	fate="" by=""
	# shellcheck disable=SC2086
	if ! build_targets $fast_targets; then
		fate=unbuildable
	else
		regex=.
		[ "$tests" != - ] && regex=$tests
		[ -n "${CTNL_MUTATION_TESTS:-}" ] && regex=$CTNL_MUTATION_TESTS
		if ! run_tests "$regex" '^(unit|fuzz)$' 30; then
			fate=killed by=$(cat "$log/failed")
		elif [ "$kernel" != - ] && [ "$(id -u)" -ne 0 ]; then
			fate=unchecked by="its kernel tests need root"
		elif [ "$kernel" != - ]; then
			# Each kernel test passes unmutated first.
			for k in $kernel; do
				case "$baseline_kernel" in *" $k "*) continue ;; esac
				cp "$root/$file" "$tree/$file"
				build_targets "$k" && run_tests "^integration/$k\$" \
					integration 600 || {
					cat "$log/build.log" "$log/ctest.log"
					echo "mutation: baseline $k fails" >&2; exit 1; }
				baseline_kernel="$baseline_kernel$k "
				perl "$helper" apply "$tree" "$id" $catalogues
			done
			kregex=$(echo "$kernel" | sed 's/^/^integration\/(/; s/ /|/g; s/$/)$/')
			# shellcheck disable=SC2086
			if ! build_targets $kernel; then
				fate=unbuildable
			elif ! run_tests "$kregex" integration 600; then
				fate=killed by=$(cat "$log/failed")
			else
				fate=survived
			fi
		else
			fate=survived
		fi
	fi
	# Back to the original, with a fresh time stamp so it is rebuilt.
	cp "$root/$file" "$tree/$file"
	secs=$(( $(date +%s) - t0 ))

	case "$fate:$reason" in
	killed:-)
		killed=$((killed + 1)) ;;
	survived:-)
		survived=$((survived + 1)); survivors="$survivors $id" ;;
	survived:*)
		equivalent=$((equivalent + 1)); fate=equivalent by=$reason ;;
	killed:*)
		problems=$((problems + 1)); problem_ids="$problem_ids $id"
		fate="KILLED-BUT-MARKED-EQUIVALENT" ;;
	unbuildable:*)
		problems=$((problems + 1)); problem_ids="$problem_ids $id"
		fate=UNBUILDABLE by="see below"
		sed -n '/error/p' "$log/build.log" | head -5 ;;
	unchecked:*)
		problems=$((problems + 1)); problem_ids="$problem_ids $id" ;;
	esac
	[ "$fate" = survived ] && fate=SURVIVED
	printf '[%2d/%d] %-10s %-36s %3ss  %s\n' "$n" "$total" "$fate" "$id" \
		"$secs" "$by"
done <"$selected"

# Leave the scratch build as the tree is, for the next run.
# shellcheck disable=SC2086
build_targets $fast_targets || true
end=$(date +%s)
scored=$((killed + survived))
echo "==> mutation score: $killed killed of $scored" \
	"($( [ "$scored" -gt 0 ] && echo $((100 * killed / scored)) || echo 100) %)," \
	"$equivalent equivalent (listed with their reasons above)," \
	"$(( (end - start) / 60 )) min $(( (end - start) % 60 )) s"
[ -n "$survivors" ] && echo "survivors:$survivors"
[ -n "$problem_ids" ] && echo "catalogue problems:$problem_ids"
[ "$survived" -eq 0 ] && [ "$problems" -eq 0 ] && exit 0
exit 1
}
