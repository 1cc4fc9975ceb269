#!/bin/sh
# Builds a program outside the tree against an installed libctnl twice:
# with pkg-config and with CMake's find_package(), and runs it; also
# checks that every installed header compiles on its own, that the shared
# library exports ctnl_* symbols only and has a versioned SONAME.
#
#   check.sh SRC BUILD
#       installs BUILD (cmake --install) into a temporary prefix first
#   check.sh --prefix SRC PREFIX
#       checks what is installed under PREFIX already (the Debian packages
#       extracted into a temporary root: PREFIX is ROOT/usr)
#
# CONSUMER_LDFLAGS: extra link flags for the outside programs (--coverage
# when the tree is instrumented: the static mocks archive then needs
# gcov's runtime).
set -eu
ldflags=${CONSUMER_LDFLAGS:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "${1:-}" = --prefix ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --prefix SRC PREFIX" >&2; exit 2; }
	src=$2
	prefix=$(cd "$3" && pwd)
else
	[ $# -eq 2 ] || { echo "usage: $0 SRC BUILD" >&2; exit 2; }
	src=$1
	build=$2
	prefix=$tmp/prefix
	cmake --install "$build" --prefix "$prefix" >/dev/null
fi

libdir=$(find "$prefix" -name 'libctnl.so' -printf '%h\n' | head -n1)
[ -n "$libdir" ] || { echo "libctnl.so was not installed"; exit 1; }
for f in "$prefix/include/ctnl/ctnl.h" "$prefix/include/ctnl/mocks.h" \
	"$prefix/include/ctnl/sys/ct.h" "$prefix/include/ctnl/sys/sock.h" \
	"$prefix/include/ctnl/sys/syscalls.h" \
	"$libdir/libctnl.a" "$libdir/libctnl-mocks.a" \
	"$libdir/pkgconfig/libctnl.pc" "$libdir/cmake/ctnl/ctnlConfig.cmake" \
	"$libdir/cmake/ctnl/ctnlMocksTargets.cmake"; do
	[ -e "$f" ] || { echo "missing after install: $f"; exit 1; }
done

# Each installed header compiles on its own: it includes what it uses.
for h in "$prefix/include/ctnl"/*.h "$prefix/include/ctnl/sys"/*.h; do
	printf '#include <ctnl/%s>\n' "${h#"$prefix/include/ctnl/"}" |
		cc -std=c11 -Wall -Wextra -Werror -fsyntax-only \
			-I"$prefix/include" -x c - ||
		{ echo "does not compile on its own: $h"; exit 1; }
done

# The link named conntrack: installed by a build with
# -DCTNL_CONNTRACK_LINK=ON only (never by the packages, whose ctnl would
# then collide with conntrack's).
bindir=$(find "$prefix" -name ctnl -type f -printf '%h\n' | head -n1)
if [ -n "${build:-}" ] &&
	grep -q '^CTNL_CONNTRACK_LINK:BOOL=ON$' "$build/CMakeCache.txt"; then
	[ -n "$bindir" ] && [ "$(readlink "$bindir/conntrack")" = ctnl ] ||
		{ echo "no link conntrack -> ctnl in ${bindir:-bin}"; exit 1; }
elif [ -n "$bindir" ] &&
	{ [ -e "$bindir/conntrack" ] || [ -L "$bindir/conntrack" ]; }; then
	echo "conntrack installed without CTNL_CONNTRACK_LINK"; exit 1
fi

soname=$(objdump -p "$libdir/libctnl.so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libctnl.so.0" ] || { echo "SONAME is '$soname'"; exit 1; }
foreign=$(nm -D --defined-only "$libdir/libctnl.so" | awk '{ print $3 }' |
	grep -v '^ctnl_' | grep -v '^CTNL_' || true)
[ -z "$foreign" ] || { echo "exported beyond ctnl_*: $foreign"; exit 1; }

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer-pc" "$src/test/install/consumer.c" \
	$(pkg-config --cflags libctnl) $(pkg-config --libs libctnl) \
	-Wl,-rpath,"$libdir" $ldflags
"$tmp/consumer-pc"
# A test program using the mocks links libctnl (and libmnl) after them.
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer-mocks-pc" \
	"$src/test/install/consumer_mocks.c" $(pkg-config --cflags libctnl) \
	-L"$libdir" -lctnl-mocks $(pkg-config --libs libctnl libmnl) \
	-Wl,-rpath,"$libdir" $ldflags
"$tmp/consumer-mocks-pc"

# CMake package
cmake -S "$src/test/install" -B "$tmp/cmake-build" \
	-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_RPATH="$libdir" \
	-DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$tmp/cmake-build" >/dev/null
"$tmp/cmake-build/consumer"
"$tmp/cmake-build/consumer_mocks"
echo "install check passed ($prefix): pkg-config and find_package(ctnl), SONAME $soname, exports ctnl_* only"
