#!/bin/sh
# Runs a command with this machine's leftover state hidden, as a fresh
# machine of the project's kind would have it: in a private mount
# namespace, the paths below are replaced by empty, freshly mounted
# directories, so a test that relies on something it did not create
# itself fails here even where the machine happens to have it. Nothing
# outside the command's own mount namespace changes. Needs root.
#
#   scripts/hermetic.sh COMMAND [ARG...]
set -eu

if [ "${CTNL_HERMETIC:-}" != 1 ]; then
	export CTNL_HERMETIC=1
	exec unshare --mount --propagation private "$0" "$@"
fi

hide() {
	mount -t tmpfs -o mode=755,size=16m ctnl-hermetic "$1"
	echo "hermetic: hid $1: $2"
}

# /run: `ip netns add` keeps namespace names in /run/netns and makes the
# directory on first use; a fresh machine has none. An empty /run means
# /run/netns does not exist, the state in which a test once failed.
hide /run "/run/netns (named network namespaces) is absent"
# /var/run: the historical path of the same names (/var/run/netns). On
# Debian it is a link to /run and hidden with it; where it is a directory
# of its own it is hidden too.
if [ -L /var/run ]; then
	echo "hermetic: /var/run is a link to $(readlink /var/run): hidden with it"
else
	hide /var/run "/var/run/netns is absent"
fi
# /etc/xtables: connlabel.conf, the names of conntrack labels, which
# iptables or nftables may have installed; tests write their own.
if [ -d /etc/xtables ]; then
	hide /etc/xtables "no connlabel.conf"
else
	echo "hermetic: /etc/xtables is absent already"
fi
# The conntrack table's host-wide size cannot be hidden: a benchmark that
# failed to restore it would show here.
echo "hermetic: net.netfilter.nf_conntrack_max is" \
	"$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo unset)"
exec "$@"
