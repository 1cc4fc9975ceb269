#!/bin/sh
# Runs every test of libctnl: installs the Debian packages it needs, builds
# with coverage and runs all unit and kernel integration tests under ctest
# (the kernel tests in private network namespaces; they are counted as
# skipped, loudly, without root), prints the coverage of src/ and fails if
# it is under 95 % of lines or 100 % of functions; then runs the kernel
# tests and the demo once more with the machine's leftover state hidden
# (scripts/hermetic.sh), as on a fresh machine; then builds with
# AddressSanitizer and UndefinedBehaviorSanitizer and runs the tests again;
# then runs every unit test under valgrind memcheck, any error fatal; then
# fuzzes the reply path, the event path and ctnl's argument parser for
# 60 s each (CTNL_FUZZ_SECONDS); then builds the Debian packages from a
# copy of the tree in a temporary directory, runs lintian on them, and
# builds an outside program against them extracted into a temporary root
# (test/package/check.sh).
#
# The coverage build also makes the API reference (Doxygen, any warning
# fatal) and its ctest run includes the checks of the exported symbols,
# the Debian symbols file, the static archives' globals, the ABI against
# abi/libctnl.so.0.abi (label abi) and the documentation rule (label doc).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh

echo "==> coverage build"
cmake -S . -B build/coverage -DCTNL_COVERAGE=ON -DCTNL_BUILD_DOCS=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/coverage -j "$jobs"
cmake --build build/coverage --target coverage
cmake/coverage-check.sh build/coverage/coverage/summary.txt 95 100

echo "==> kernel tests and demo again, as on a fresh machine (scripts/hermetic.sh)"
if [ "$(id -u)" -eq 0 ]; then
	scripts/hermetic.sh ctest --test-dir build/coverage -L integration \
		--output-on-failure
	if ! scripts/hermetic.sh env CTNL_DEMO_BUILD=build/coverage \
		scripts/demo.sh --namespaces >build/coverage/demo.log 2>&1; then
		tail -n 40 build/coverage/demo.log
		echo "the demo failed with the machine's state hidden" >&2
		exit 1
	fi
	echo "demo: ran to the end (output in build/coverage/demo.log)"
else
	echo "*** SKIPPED the hermetic pass: it needs root to hide paths" \
		"in a private mount namespace"
fi

echo "==> sanitizer build (ASan + UBSan)"
cmake -S . -B build/sanitize -DCTNL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/sanitize -j "$jobs"
ctest --test-dir build/sanitize --verbose

echo "==> unit tests under valgrind memcheck"
cmake -S . -B build/valgrind -DCTNL_VALGRIND=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/valgrind -j "$jobs"
ctest --test-dir build/valgrind -L valgrind -j "$jobs" --output-on-failure

echo "==> fuzzing (libFuzzer + ASan + UBSan), ${CTNL_FUZZ_SECONDS:-60} s per target"
cmake -S . -B build/fuzz -DCTNL_FUZZ=ON -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j "$jobs" --target fuzz_reply fuzz_event fuzz_args
test/fuzz/run.sh build/fuzz "${CTNL_FUZZ_SECONDS:-60}"

echo "==> Debian packages: build, lintian, use from a temporary root"
test/package/check.sh

echo "==> all tests passed"
