#!/bin/sh
# Checks what libctnl exports, against its version script (src/libctnl.map)
# and its headers. One check per call, so that ctest names the one failing:
#
#   check-symbols.sh headers INCLUDE_DIR MAP
#       the functions declared CTNL_API in INCLUDE_DIR/**/*.h and the names
#       MAP exports are the same set; MAP has no wildcard
#   check-symbols.sh shared LIB.so MAP
#       the shared library exports exactly MAP's names (and its version
#       nodes, which the linker defines as symbols of their own)
#   check-symbols.sh static LIB.a PREFIX [MAP]
#       every global symbol the archive defines starts with ctnl__ (an
#       internal) or PREFIX; with MAP, a PREFIX name must also be one MAP
#       exports, so that no internal goes under a public-looking name
#   check-symbols.sh names MAP
#       prints MAP's names as NAME@NODE and its nodes as NODE@NODE, sorted
#       (scripts/update-symbols.sh writes the symbols file from them)
#   check-symbols.sh debian SYMBOLS MAP
#       the Debian symbols file (debian/libctnl0.symbols) lists exactly
#       MAP's names, each as NAME@NODE, and its version nodes as
#       NODE@NODE; scripts/update-symbols.sh regenerates it from MAP
#
# A failing check prints the names in question, one a line.
set -eu
nm=${NM:-nm}

# Symbols that instrumented builds define themselves, never the library's
# code (a C identifier cannot hold a '.', and names starting with two
# underscores are the implementation's): GCC --coverage's per-function
# counters __gcov0.FN and __gcov_.FN, and AddressSanitizer's one-definition
# indicators for global variables, __odr_asan.VAR (GCC) and
# __odr_asan_gen_VAR (clang). GCC 12 and clang 14 make them all local, but
# the check does not depend on that.
runtime='^(__gcov0\.|__gcov_\.|__odr_asan\.|__odr_asan_gen_)'

fail() {
	echo "$1" >&2
	exit 1
}

# Prints its input with C comments removed.
strip_comments() {
	awk '{
		out = ""; line = $0
		while (line != "") {
			if (incomment) {
				i = index(line, "*/")
				if (!i) { line = ""; break }
				line = substr(line, i + 2); incomment = 0
			} else {
				i = index(line, "/*")
				if (!i) { out = out line; break }
				out = out substr(line, 1, i - 1) " "
				line = substr(line, i + 2); incomment = 1
			}
		}
		print out
	}' "$@"
}

# The names a version script exports; fails on a wildcard among them.
map_globals() {
	names=$(awk '$1 == "global" { print $2 }' "$1")
	wild=$(printf '%s\n' "$names" | grep '[][*?]' || true)
	[ -z "$wild" ] || fail "the version script exports by wildcard: $wild"
	printf '%s\n' "$names" | LC_ALL=C sort -u
}

# The names a version script exports as a symbols file spells them,
# NAME@NODE, with each node's own symbol NODE@NODE.
map_versioned() {
	awk '$1 == "node" { node = $2; print node "@" node }
	     $1 == "global" { print $2 "@" node }' "$1" | LC_ALL=C sort -u
}

# Prints the lines only in the first sorted file, then only in the second,
# under the given headings; fails if there are any.
compare() {
	only1=$(LC_ALL=C comm -23 "$1" "$2")
	only2=$(LC_ALL=C comm -13 "$1" "$2")
	[ -z "$only1$only2" ] && return 0
	[ -z "$only1" ] || printf '%s\n%s\n' "$3" "$only1" >&2
	[ -z "$only2" ] || printf '%s\n%s\n' "$4" "$only2" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The version script, parsed once: its nodes and scopes are kept apart by
# a parser that understands "NAME { global: ...; local: ...; } [PARENT];".
parse_map() {
	strip_comments "$1" | tr '\n' ' ' |
	sed -e 's/{/ { /g' -e 's/}/ } /g' -e 's/;/ ; /g' -e 's/:/: /g' |
	tr -s ' \t' '\n\n' | awk '
		$0 == "" { next }
		depth == 0 && $0 == "{" { depth = 1; scope = "global"; next }
		depth == 0 && $0 == "}" { next }
		depth == 0 && $0 == ";" { node = ""; next }
		depth == 0 { if (node == "") { node = $0; print "node " node }
			     next }
		$0 == "}" { depth = 0; next }
		$0 == "global:" { scope = "global"; next }
		$0 == "local:" { scope = "local"; next }
		$0 == ";" { next }
		{ print scope " " $0 }
	' > "$2"
	grep -q '^node ' "$2" || fail "$1: no version node"
}

mode=${1:-}
case $mode in
headers)
	[ $# -eq 3 ] || fail "usage: $0 headers INCLUDE_DIR MAP"
	parse_map "$3" "$tmp/map"
	map_globals "$tmp/map" > "$tmp/exported"
	# Every declaration that starts with CTNL_API, whatever its layout:
	# comments and preprocessor lines out, statements one a line, the
	# name the last identifier before its parameter list (or before
	# the ';' of a variable).
	find "$2" -name '*.h' | LC_ALL=C sort | while read -r h; do
		strip_comments "$h" | grep -v '^[[:space:]]*#' | tr '\n' ' ' |
			tr ';{}' '\n\n\n' |
			sed -n 's/^[[:space:]]*\(.*CTNL_API[[:space:]].*\)$/\1/p'
	done | sed -e 's/(.*//' -e 's/[=[].*//' -e 's/[[:space:]]*$//' \
		-e 's/.*[^A-Za-z0-9_]//' | LC_ALL=C sort -u > "$tmp/declared"
	[ -s "$tmp/declared" ] || fail "no CTNL_API declaration in $2"
	compare "$tmp/declared" "$tmp/exported" \
		"declared CTNL_API in $2 but not in $3:" \
		"in $3 but declared CTNL_API in no header:"
	echo "$(wc -l < "$tmp/declared") CTNL_API functions, the same in $3"
	;;
shared)
	[ $# -eq 3 ] || fail "usage: $0 shared LIB.so MAP"
	parse_map "$3" "$tmp/map"
	map_globals "$tmp/map" > "$tmp/exported"
	awk '$1 == "node" { print $2 }' "$tmp/map" | LC_ALL=C sort > "$tmp/nodes"
	"$nm" -D --defined-only -P "$2" | awk '{ sub(/@.*/, "", $1); print $1 }' |
		LC_ALL=C sort -u > "$tmp/dynamic"
	LC_ALL=C comm -23 "$tmp/dynamic" "$tmp/nodes" > "$tmp/symbols"
	compare "$tmp/symbols" "$tmp/exported" \
		"$2 exports, and $3 does not name:" \
		"$3 names, and $2 does not export:"
	echo "$(wc -l < "$tmp/symbols") symbols exported, as $3 lists"
	;;
static)
	[ $# -eq 3 ] || [ $# -eq 4 ] ||
		fail "usage: $0 static LIB.a PREFIX [MAP]"
	prefix=$3
	"$nm" -g --defined-only -P "$2" | awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' |
		grep -Ev "$runtime" | LC_ALL=C sort -u > "$tmp/defined"
	[ -s "$tmp/defined" ] || fail "$2 defines no global symbol"
	grep -v '^ctnl__' "$tmp/defined" > "$tmp/public" || true
	bad=$(grep -v "^$prefix" "$tmp/public" || true)
	[ -z "$bad" ] ||
		fail "$(printf '%s defines globals without the ctnl__ or %s prefix:\n%s' "$2" "$prefix" "$bad")"
	if [ $# -eq 4 ]; then
		parse_map "$4" "$tmp/map"
		map_globals "$tmp/map" > "$tmp/exported"
		bad=$(LC_ALL=C comm -23 "$tmp/public" "$tmp/exported")
		[ -z "$bad" ] ||
			fail "$(printf '%s defines %s names that %s does not export (internals take ctnl__):\n%s' "$2" "$prefix" "$4" "$bad")"
	fi
	echo "$(wc -l < "$tmp/defined") global symbols, $(grep -c '^ctnl__' "$tmp/defined" || true) of them ctnl__ internals"
	;;
names)
	[ $# -eq 2 ] || fail "usage: $0 names MAP"
	parse_map "$2" "$tmp/map"
	map_globals "$tmp/map" > /dev/null
	map_versioned "$tmp/map"
	;;
debian)
	[ $# -eq 3 ] || fail "usage: $0 debian SYMBOLS MAP"
	parse_map "$3" "$tmp/map"
	map_globals "$tmp/map" > /dev/null
	map_versioned "$tmp/map" > "$tmp/exported"
	awk '/^ / { print $1 }' "$2" | LC_ALL=C sort > "$tmp/listed"
	[ -s "$tmp/listed" ] || fail "$2 lists no symbol"
	compare "$tmp/listed" "$tmp/exported" \
		"in $2 but not in $3 (run scripts/update-symbols.sh):" \
		"in $3 but not in $2 (run scripts/update-symbols.sh):"
	echo "$(wc -l < "$tmp/listed") symbols in $2, as $3 exports them"
	;;
*)
	fail "usage: $0 headers|shared|static|names|debian ..."
	;;
esac
