#!/bin/sh
# Builds the Python binding against a libctnl build tree and installs it
# into OUT/site, as the README's pip command does (no build isolation: no
# PyPI), for the tests that follow to import with PYTHONPATH=OUT/site.
#
#   python/tests/install.sh SOURCE_DIR BUILD_DIR OUT
#
# pip builds in the directory it is given (setuptools writes build/ and
# *.egg-info there), so it builds a copy in OUT and the source tree stays
# clean. Nothing is installed on the machine. Skips the work when nothing
# changed since the last install (the hermetic pass runs the tests again).
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
mkdir -p "$3"
out=$(cd "$3" && pwd)
stamp=$out/site/.installed

if [ -f "$stamp" ] &&
	[ -z "$(find "$src/python" "$build/libctnl.so" \
		"$build/test/mocks/libctnl-mocks.a" -newer "$stamp" \
		-not -path '*/__pycache__*' -not -name '*.pyc' -print -quit)" ]; then
	echo "ctnl binding: up to date in $out/site"
	exit 0
fi

rm -rf "$out/src" "$out/site"
mkdir -p "$out/src"
# The package's own files only: not a developer's build/ or compiled module.
(cd "$src/python" && tar cf - --exclude=build --exclude='*.egg-info' \
	--exclude='__pycache__' --exclude='_native*' .) | tar xf - -C "$out/src"
CTNL_BUILD_DIR=$build /usr/bin/python3 -m pip install --quiet \
	--disable-pip-version-check --root-user-action=ignore \
	--no-build-isolation --no-index --no-deps --target "$out/site" "$out/src"
PYTHONPATH=$out/site /usr/bin/python3 -c \
	'import ctnl, ctnl.testing; print("ctnl binding", ctnl.__version__, "on libctnl", ctnl.library_version(), "installed in", ctnl.__path__[0])'
touch "$stamp"
