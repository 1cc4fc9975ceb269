#!/bin/sh
# Records the shared library's ABI as the new baseline, abi/libctnl.so.0.abi,
# which the test command's ABI check (ctest abi/abidiff) compares every
# build with. Run it deliberately: after adding functions (a compatible
# addition), or after an incompatible change together with a new SONAME.
# Builds the library alone, with debug info, in build/abi.
#
#   scripts/update-abi.sh
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build/abi -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCTNL_BUILD_TESTS=OFF >/dev/null
cmake --build build/abi -j 2 --target ctnl
soname=$(objdump -p build/abi/libctnl.so | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libctnl.so.0 ] ||
	{ echo "the SONAME is $soname: rename abi/libctnl.so.0.abi to match" >&2; exit 1; }
test/abi/abi.sh dump build/abi/libctnl.so include/ctnl > abi/libctnl.so.0.abi
echo "abi/libctnl.so.0.abi: $(grep -c '<elf-symbol .*type=.func-type' abi/libctnl.so.0.abi) functions; commit it"
