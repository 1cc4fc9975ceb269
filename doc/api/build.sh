#!/bin/sh
# Makes the API reference (the `doc` target): runs Doxygen with DOXYFILE,
# which fails on any warning, checks the documentation rule
# (check-doc.sh), and gathers the manual pages to install into OUT/man3:
# each header's group page (libctnl-conntrack.3, ...), each struct's, and a
# link page (.so) for each function, macro and type, all named ctnl_*,
# CTNL_* or libctnl*. Doxygen's other pages are left out: pages of the
# headers themselves (conntrack.h.3) and links named after struct fields
# (count.3, flags.3) would clash with other packages' pages.
#
#   build.sh DOXYGEN DOXYFILE INCLUDE_DIR OUT
set -eu
[ $# -eq 4 ] || { echo "usage: $0 DOXYGEN DOXYFILE INCLUDE_DIR OUT" >&2; exit 2; }
doxygen=$1 doxyfile=$2 include=$3 out=$4
here=$(dirname "$0")

rm -rf "$out/html" "$out/man" "$out/man3"
"$doxygen" "$doxyfile"
"$here/check-doc.sh" "$include"

mkdir -p "$out/man3"
for page in "$out"/man/man3/*.3; do
	case ${page##*/} in
	libctnl*.3 | ctnl_*.3 | CTNL_*.3) cp "$page" "$out/man3/" ;;
	esac
done
# Doxygen writes a text line as it comes, quotes turned into apostrophes:
# one that then starts with "'" is a control line to groff (lintian's
# groff-message). Such a documentation line wants rewording.
bad=$(grep -Hn "^'" "$out"/man3/*.3 || true)
[ -z "$bad" ] || { printf '%s\n' "$bad" >&2
	echo "a documentation line starts with a quote: reword it" >&2; exit 1; }
# Every page has a NAME line "name \- what it is" (lintian's
# bad-whatis-entry): the first sentence of its comment.
for page in "$out"/man3/*.3; do
	grep -q '^\.so ' "$page" && continue
	sed -n '/^\.SH "*NAME"*/{n;p;}' "$page" | grep -q ' \\- ' ||
		{ echo "$page: no description on its NAME line" >&2; exit 1; }
done
# Every link must lead to a page that is installed. Doxygen links a macro
# it was told to expand (CTNL_API) to its header's page whatever its
# group says: such a link goes to the header's group page instead.
for page in "$out"/man3/*.3; do
	target=$(sed -n '1s/^\.so man3\///p' "$page")
	case $target in
	*.h.3)
		group=libctnl-${target%.h.3}.3
		[ -e "$out/man3/$group" ] && target=$group &&
			echo ".so man3/$group" > "$page"
		;;
	esac
	[ -z "$target" ] || [ -e "$out/man3/$target" ] ||
		{ echo "$page links to $target, which is not installed" >&2; exit 1; }
done
[ -e "$out/man3/ctnl_ct_open.3" ] || { echo "no page for ctnl_ct_open" >&2; exit 1; }
echo "API reference: $out/html/index.html and $(ls "$out/man3" | wc -l) manual pages"
