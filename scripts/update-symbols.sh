#!/bin/sh
# Regenerates debian/libctnl0.symbols from the version script
# src/libctnl.map: every exported name as NAME@NODE, and each version
# node's own symbol. A name the file lists already keeps the version it
# gives (the release that introduced it); a new name gets the version of
# CMakeLists.txt's project(), the release being made. Run it after adding
# a function to the map; the ctest abi/debian-symbols-match-map fails
# until then.
#
#   scripts/update-symbols.sh
set -eu
cd "$(dirname "$0")/.."
symbols=debian/libctnl0.symbols
map=src/libctnl.map
version=$(sed -n 's/^project(libctnl VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || { echo "no version in CMakeLists.txt's project()" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The map read as the ctest that compares the two reads it.
test/abi/check-symbols.sh names "$map" > "$tmp/names"
[ -s "$tmp/names" ] || { echo "no symbol found in $map" >&2; exit 1; }

[ -e "$symbols" ] && awk '/^ / { print $1, $2 }' "$symbols" > "$tmp/known" ||
	: > "$tmp/known"
{
	echo "libctnl.so.0 libctnl0 #MINVER#"
	echo "* Build-Depends-Package: libctnl-dev"
	awk -v v="$version" -v known_file="$tmp/known" '
		FILENAME == known_file { known[$1] = $2; next }
		{ print " " $1 " " ($1 in known ? known[$1] : v) }' \
		"$tmp/known" "$tmp/names"
} > "$tmp/symbols"
added=$(awk -v v="$version" '$NF == v' "$tmp/symbols" | grep -c '^ ' || true)
mv "$tmp/symbols" "$symbols"
echo "$symbols: $(grep -c '^ ' "$symbols") symbols, $added of them new in $version"
