#!/bin/sh
# A tour of ctnl on real traffic: installs what it needs (Debian 12),
# builds, then in two throw-away network namespaces joined by a veth pair
# sends TCP, UDP and ICMP (IPv4 and IPv6) through conntrack, switched on
# by an nftables rule, and shows what ctnl sees and changes. The
# namespaces and everything started in them are removed on exit, even
# when interrupted. The host's own conntrack table is never touched, and
# the namespaces' names live in a /run of the demo's own, so nothing is
# left on the machine either (not even the /run/netns that `ip netns add`
# would create).
#
#   ./scripts/demo.sh            (root, or a user who may sudo)
#   CTNL_DEMO_BUILD=DIR          show the ctnl of another build directory
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
build=${CTNL_DEMO_BUILD:-$root/build/demo}

if [ "${1:-}" != "--namespaces" ]; then
	scripts/install-deps.sh
	echo "==> building ctnl in build/demo"
	cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCTNL_BUILD_TESTS=OFF >/dev/null
	cmake --build "$build" -j "$(nproc)" --target ctnl_tool >/dev/null
	# Namespaces need root; the build stays the caller's.
	if [ "$(id -u)" -ne 0 ]; then
		exec sudo "$0" --namespaces
	fi
	exec "$0" --namespaces
fi

# A mount namespace of the demo's own with an empty /run: `ip netns add`
# makes /run/netns there, and it vanishes when the demo ends.
if [ "${CTNL_DEMO_MOUNTS:-}" != private ]; then
	export CTNL_DEMO_MOUNTS=private
	exec unshare --mount --propagation private "$0" --namespaces
fi
mount -t tmpfs -o mode=755,size=4m ctnl-demo /run

ctnl_bin=$build/tools/ctnl
A=ctnl-demo-$$-client
B=ctnl-demo-$$-server
pids=""

cleanup() {
	status=$?
	trap - EXIT INT TERM
	for pid in $pids; do
		kill "$pid" 2>/dev/null || true
	done
	# Whatever still runs in the namespaces was started here: servers,
	# clients and what they forked.
	for ns in "$A" "$B"; do
		pids_in=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -n "$pids_in" ] && kill $pids_in 2>/dev/null || true
	done
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
	echo
	echo "==> removed the namespaces $A and $B"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d)

bold=$(printf '\033[1m')
plain=$(printf '\033[0m')
[ -t 1 ] || { bold=""; plain=""; }

caption() {
	printf '\n%s== %s%s\n' "$bold" "$*" "$plain"
}

# Shows a ctnl command as one would type it, then runs it against the
# client namespace's table.
ctnl() {
	printf '$ ctnl --netns %s %s\n' "$A" "$*"
	"$ctnl_bin" --netns "$A" "$@"
}

in_a() { ip netns exec "$A" "$@"; }
in_b() { ip netns exec "$B" "$@"; }

# Starts a program in the background, to be stopped on exit.
background() {
	"$@" &
	pids="$pids $!"
}

wait_listening() {
	for _ in $(seq 50); do
		in_b ss -Hln"$2" "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "demo: the server on port $1 did not start" >&2
	exit 1
}

echo "==> two network namespaces, $A and $B, joined by a veth pair"
ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add veth0 type veth peer name veth1 netns "$B"
ip -n "$A" addr add 10.99.0.1/24 dev veth0
ip -n "$A" addr add fd99::1/64 dev veth0 nodad
ip -n "$B" addr add 10.99.0.2/24 dev veth1
ip -n "$B" addr add fd99::2/64 dev veth1 nodad
for ns in "$A" "$B"; do
	ip -n "$ns" link set lo up
done
ip -n "$A" link set veth0 up
ip -n "$B" link set veth1 up

# conntrack tracks nothing in a namespace until a rule needs it. The
# label rule never matches; it makes the kernel keep room for labels.
in_a nft -f - <<'EOF'
table inet ctnl_demo {
	chain output {
		type filter hook output priority 0;
		ct state new,established counter
		meta mark 0xdeadbeef ct label set 127
	}
}
EOF
in_a sysctl -q -w net.netfilter.nf_conntrack_acct=1 \
	net.netfilter.nf_conntrack_timestamp=1

echo "==> echo servers in $B; TCP, UDP and ICMP from $A, IPv4 and IPv6"
background ip netns exec "$B" socat \
	TCP6-LISTEN:8080,fork,reuseaddr,ipv6only=0 EXEC:cat
background ip netns exec "$B" socat -T1 \
	UDP6-RECVFROM:5353,fork,reuseaddr,ipv6only=0 EXEC:cat
wait_listening 8080 t
wait_listening 5353 u
# Two TCP connections that stay open (ESTABLISHED), from known ports.
background ip netns exec "$A" socat SYSTEM:"echo hello; exec sleep 600" \
	TCP:10.99.0.2:8080,sourceport=40000
background ip netns exec "$A" socat SYSTEM:"echo hello; exec sleep 600" \
	TCP6:[fd99::2]:8080,sourceport=40006
echo ping | in_a socat -T1 - UDP:10.99.0.2:5353,sourceport=41000 >/dev/null
echo ping | in_a socat -T1 - UDP6:[fd99::2]:5353,sourceport=41006 >/dev/null
in_a ping -c 1 -W 2 10.99.0.2 >/dev/null
in_a ping -6 -c 1 -W 2 fd99::2 >/dev/null
sleep 0.5

caption "ctnl list: the client's table, as conntrack -L prints it (summary on stderr)"
ctnl list

caption "The same table through conntrack -L, for comparison"
printf '$ ip netns exec %s conntrack -L\n' "$A"
in_a conntrack -L

caption "conntrack's own command line works too: ctnl is a drop-in for conntrack(8)"
ctnl -L -p udp -o extended
ctnl -D -p udp --orig-dst 10.99.0.2
ctnl -C

caption "Set the mark of the IPv4 TCP flow to 42"
ctnl update -p tcp -s 10.99.0.1 -d 10.99.0.2 --sport 40000 --dport 8080 -m 42
ctnl list -m 42

caption "Give it labels 1 and 5 (names from /etc/xtables/connlabel.conf work too)"
ctnl update -p tcp -s 10.99.0.1 -d 10.99.0.2 --sport 40000 --dport 8080 \
	--label-add 1,5

caption "That flow as JSON: one object per entry, per line"
ctnl list -o json -m 42

caption "ctnl events, while a new TCP connection opens and closes"
"$ctnl_bin" --netns "$A" events -p tcp --dport 8080 \
	>"$tmp/events" 2>"$tmp/events.err" &
events_pid=$!
pids="$pids $events_pid"
for _ in $(seq 30); do
	grep -q "listening\|not available" "$tmp/events.err" && break
	sleep 0.1
done
printf '$ ctnl --netns %s events -p tcp --dport 8080 &\n' "$A"
printf '$ echo bye | socat - TCP:10.99.0.2:8080\n'
echo bye | in_a socat -T1 - TCP:10.99.0.2:8080 >/dev/null
sleep 1
kill -INT "$events_pid" 2>/dev/null || true
wait "$events_pid" 2>/dev/null || true
cat "$tmp/events"
cat "$tmp/events.err" >&2

caption "ctnl count"
ctnl count

caption "ctnl flush: the table is emptied"
ctnl flush
ctnl count
