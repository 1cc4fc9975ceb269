#!/bin/sh
# Builds libctnl's Debian packages and checks them, touching nothing
# outside a temporary directory (dpkg-buildpackage writes its results
# next to the tree it builds, so it builds a copy):
#
#   1. copies the tree (the files git tracks, and new ones it does not
#      ignore: what a clean clone with these changes holds) and runs
#      dpkg-buildpackage -us -uc -b there, with the package's own test run
#      (ctest -L 'unit|abi|doc');
#   2. runs lintian on the .changes: any error or warning fails (the
#      informational tags it prints are explained in debian/README.source);
#   3. extracts libctnl0, libctnl-dev and libctnl-mocks-dev with dpkg-deb -x
#      into a temporary root (nothing is installed on the machine) and
#      builds and runs a program outside the tree against them with
#      pkg-config and with find_package(ctnl) (test/install/check.sh);
#   4. reads `man 3 ctnl_ct_open` from the extracted package and checks it
#      shows the function's documentation, and ctnl(1) from the ctnl
#      package.
#
#   test/package/check.sh [SRC]     (SRC: the tree; default: this one)
set -eu
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

echo "--> copying the tree to $tmp/libctnl"
mkdir "$tmp/libctnl"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		(cd "$src" && xargs -0 tar -cf - --no-recursion --ignore-failed-read) |
		tar -xf - -C "$tmp/libctnl"
else
	(cd "$src" && tar -cf - --exclude=./build .) | tar -xf - -C "$tmp/libctnl"
fi

echo "--> dpkg-buildpackage -us -uc -b (output in the log; its tail on failure)"
if ! (cd "$tmp/libctnl" && dpkg-buildpackage -us -uc -b) \
	>"$tmp/build.log" 2>&1; then
	tail -n 60 "$tmp/build.log"
	echo "dpkg-buildpackage failed" >&2
	exit 1
fi
grep -E '^(100% tests passed|[0-9]+% tests passed)' "$tmp/build.log" || true
built=$(date +%s)
echo "built in $((built - start)) s:"
(cd "$tmp" && ls -- *.deb)
for p in libctnl0 libctnl-dev libctnl-mocks-dev ctnl; do
	ls "$tmp/${p}"_*.deb >/dev/null 2>&1 ||
		{ echo "no package $p was built" >&2; exit 1; }
done

# No file in two packages (they could not be installed together), and
# the mocks' header only in libctnl-mocks-dev.
for p in libctnl0 libctnl-dev libctnl-mocks-dev ctnl; do
	dpkg-deb -c "$(ls "$tmp/${p}"_*.deb)" | awk '$1 !~ /^d/ { print $6 }'
done | sort | uniq -d > "$tmp/twice"
[ ! -s "$tmp/twice" ] || { cat "$tmp/twice"; echo "files in two packages" >&2; exit 1; }
dpkg-deb -c "$(ls "$tmp"/libctnl-mocks-dev_*.deb)" | grep -q 'include/ctnl/mocks.h$' ||
	{ echo "libctnl-mocks-dev lacks ctnl/mocks.h" >&2; exit 1; }

echo "--> lintian (errors and warnings fail)"
changes=$(ls "$tmp"/*.changes)
if ! lintian --fail-on error,warning --display-info --pedantic \
	"$changes" >"$tmp/lintian.log" 2>&1; then
	cat "$tmp/lintian.log"
	echo "lintian found errors or warnings" >&2
	exit 1
fi
# (Its one remark that is no tag: it was run as root, as CI runs.)
grep -v '^running with root privileges' "$tmp/lintian.log" \
	>"$tmp/lintian.tags" || true
if [ -s "$tmp/lintian.tags" ]; then
	echo "lintian: no error or warning; other tags (see debian/README.source):"
	sed 's/^/    /' "$tmp/lintian.tags"
else
	echo "lintian: no tag at all, informational and pedantic ones included"
fi

echo "--> the packages extracted into $tmp/root (dpkg-deb -x)"
for p in libctnl0 libctnl-dev libctnl-mocks-dev ctnl; do
	dpkg-deb -x "$(ls "$tmp/${p}"_*.deb)" "$tmp/root"
done
"$src/test/install/check.sh" --prefix "$src" "$tmp/root/usr"

echo "--> man 3 ctnl_ct_open, man 1 ctnl, from the extracted packages"
MANWIDTH=80 man -M "$tmp/root/usr/share/man" -P cat 3 ctnl_ct_open \
	>"$tmp/man3.txt" 2>"$tmp/man3.err" || true
for want in 'ctnl_ct_open' 'Opens a conntrack handle on a new socket handle' \
	'Errors:' 'Ownership:' 'ctnl_ct_dump'; do
	grep -q -- "$want" "$tmp/man3.txt" || {
		cat "$tmp/man3.err" "$tmp/man3.txt" | head -n 40
		echo "man 3 ctnl_ct_open does not show '$want'" >&2
		exit 1
	}
done
sed -n '/^Function Documentation/,$p' "$tmp/man3.txt" |
	sed -n '/int ctnl_ct_open (/,/Ownership:/p' | sed 's/^/    /'
MANWIDTH=80 man -M "$tmp/root/usr/share/man" -P cat 1 ctnl 2>/dev/null |
	grep -q 'conntrack' || { echo "man 1 ctnl shows nothing" >&2; exit 1; }
echo "package check passed in $(($(date +%s) - start)) s" \
	"(dpkg-buildpackage: $((built - start)) s)"
