#!/bin/sh
# Installs the Debian packages libctnl's build, tests and demo need.
# Does nothing when they are all present already.
set -eu

PACKAGES="build-essential cmake pkg-config libmnl-dev libcmocka-dev lcov
conntrack libnetfilter-conntrack-dev nftables iproute2 socat iputils-ping
procps valgrind clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
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
