#!/bin/sh
# Installs the Debian packages that the README's two commands (the demo
# and the tests) use, plus any package names given as arguments (the
# benchmarks add theirs). Does nothing when they are all present already.
#
#   scripts/install-deps.sh [PACKAGE...]
#
# Each package is here because a command of scripts/demo.sh,
# scripts/test.sh or what they run calls it; packages that Debian marks
# Essential (coreutils, grep, sed, findutils, util-linux's unshare and
# nsenter, ...) are on every machine and not listed.
set -eu

# Building: gcc, make and binutils (nm, objdump: test/install/check.sh),
# cmake and ctest, pkg-config, libmnl, cmocka (every test program).
BUILD="build-essential binutils cmake pkg-config libmnl-dev libcmocka-dev"
# Test builds: lcov and genhtml (cmake/coverage.sh), valgrind (the
# memcheck pass), clang and its libFuzzer and sanitizer runtimes (the
# fuzz build), mount (scripts/hermetic.sh; priority required, but not
# Essential).
TESTING="lcov valgrind clang libclang-rt-14-dev mount"
# The kernel tests and the demo: conntrack (the witness), nft (rules
# that switch conntrack on, labels, helpers), ip and ss (iproute2),
# sysctl (procps), socat and ping (the demo's traffic).
KERNEL="conntrack nftables iproute2 procps socat iputils-ping"
# Shipping (the test command's API reference, ABI and package stages):
# doxygen (the doc target: HTML and man pages), abigail-tools (abidw and
# abidiff: the ABI check and scripts/update-abi.sh), debhelper and dpkg-dev
# (dpkg-buildpackage and dh, test/package/check.sh), pkgconf (the
# packages' Build-Depends names it), lintian (the packages' check), man-db
# (man, to read the extracted man pages). No fakeroot: the packaging says
# Rules-Requires-Root: no.
SHIPPING="doxygen abigail-tools debhelper dpkg-dev pkgconf lintian man-db"
# The Python binding (python/, built and tested by the test command, for
# Debian's /usr/bin/python3): python3-cffi (the binding is a cffi module),
# python3-dev (Python.h, to compile it), python3-pip, python3-setuptools
# and python3-wheel (pip builds and installs it, offline, without build
# isolation), python3-pytest (its tests).
PYTHON="python3-cffi python3-dev python3-pip python3-setuptools python3-wheel python3-pytest"

missing=""
for p in $BUILD $TESTING $KERNEL $SHIPPING $PYTHON "$@"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "Installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "error: root (or sudo) is needed to install:$missing" >&2
	exit 1
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
