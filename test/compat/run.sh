#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ctnl against conntrack, line by line: runs command files in
# conntrack-tools' testsuite format against both programs, each file in a
# fresh pair of network namespaces (one per program), and checks for
# every line the exit status against the file's OK or BAD, and ctnl's
# standard output and summary (the last line on standard error) against
# conntrack's, timeouts, ids and times masked.
#
#   run.sh CTNL FILE...
#
# The lines of a file:
#
#   ARGS ; OK                 both programs succeed, and print the same
#   ARGS ; BAD                both fail (their messages are not compared)
#   ARGS ; OK ; conntrack-bug: WHY
#                             conntrack 1.4.7 is wrong here: ctnl must
#                             give OK/BAD and print the "> " lines that
#                             follow (masked), whatever conntrack does
#   ARGS ; OK ; differs: WHY  the two print different things on purpose
#                             (help, version): only ctnl's status is
#                             checked
#   > LINE                    a line of ctnl's expected output
#   > [N lines]               (alone) ctnl's output has N lines
#   ARGS ;                    a line for the next "-R -", on its stdin
#   ARGS ; |SED               ARGS' output, through sed, on the next
#                             "-R -"'s stdin
#   ARGS ; EVENTS             starts ARGS (an -E) in the background
#   ; STOP OK                 interrupts it and compares what it printed
#   ! COMMAND                 a shell command run in both namespaces
#                             first (nft rules, traffic)
#   # ...                     a comment
#
# Exits 0 when every line agrees, 1 otherwise, 77 (skipped) without
# root or namespaces. Everything it makes (namespaces, mounts, files) is
# private to it and gone when it ends.
set -u

CTNL=${1:?usage: run.sh CTNL FILE...}
shift

if [ "$(id -u)" -ne 0 ]; then
	echo "compat: SKIPPED: needs root (network namespaces)" >&2
	exit 77
fi
if ! command -v conntrack >/dev/null || ! command -v nft >/dev/null; then
	echo "compat: SKIPPED: needs conntrack and nft (scripts/install-deps.sh)" >&2
	exit 77
fi

# Everything below runs in a mount namespace of its own: a private /run
# for `ip netns`, and an /etc with this test's connlabel.conf, so that
# nothing of the machine's is used or changed.
if [ -z "${CTNL_COMPAT_INNER:-}" ]; then
	export CTNL_COMPAT_INNER=1
	exec unshare --mount --propagation private "$0" "$CTNL" "$@"
fi

TMP=$(mktemp -d /tmp/ctnl-compat.XXXXXX) || exit 1
mount -t tmpfs ctnl-compat "$TMP" || { rmdir "$TMP"; exit 77; }
mkdir -p "$TMP/etc/xtables" "$TMP/work" "$TMP/run"
printf '0 zero\n1 one\n2 two\n5 five\n42 answer\n127 last\n' \
	>"$TMP/etc/xtables/connlabel.conf"
mount -t overlay ctnl-compat-etc \
	-o "lowerdir=/etc,upperdir=$TMP/etc,workdir=$TMP/work" /etc || exit 77
mount -t tmpfs ctnl-compat-run /run || exit 77

NS_CT="compat-ct-$$"
NS_CTNL="compat-ctnl-$$"
failures=0
lines=0

cleanup() {
	local pids
	for ns in "$NS_CT" "$NS_CTNL"; do
		# What a file started there (servers, clients) ends with it.
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT

in_ns() { ip netns exec "$@"; }

# The namespace of one program, as a fresh machine has it, with
# accounting and timestamps on so that every field shows.
make_ns() {
	ip netns add "$1" || return 1
	in_ns "$1" ip link set lo up
	in_ns "$1" sysctl -qw net.netfilter.nf_conntrack_acct=1 \
		net.netfilter.nf_conntrack_timestamp=1 2>/dev/null
	return 0
}

# Output as compared: what changes from run to run is masked, and the
# lines sorted, as two namespaces hash the same entries in different
# orders (the XML header and footer stay where they are).
mask() {
	local head='^(<\?xml|<conntrack>|<expect>)' tail='^(</conntrack>|</expect>)'

	mask_fields >"$TMP/masking"
	grep -aE "$head" "$TMP/masking"
	grep -avE "$head|$tail" "$TMP/masking" | LC_ALL=C sort
	grep -aE "$tail" "$TMP/masking"
	return 0
}

mask_fields() {
	sed -E \
		-e 's/^\[[0-9]+\.[0-9]+\]\t/[TIME]\t/' \
		-e 's/^((\[TIME\]\t)? *(\[[A-Z]+\] +)?(ipv[46] +[0-9]+ )?[a-z0-9-]+ +[0-9]+ )[0-9]+ /\1T /' \
		-e 's/(-t )[0-9]+/\1T/' \
		-e 's/^((\[[A-Z]+\] +)?)[0-9]+ proto=/\1T proto=/' \
		-e 's/\bid=[0-9]+/id=I/g; s/<id>[0-9]+<\/id>/<id>I<\/id>/g' \
		-e 's/delta-time=[0-9]+/delta-time=D/g' \
		-e 's/<deltatime>[0-9]+</<deltatime>D</g' \
		-e 's/<timeout>[0-9]+</<timeout>T</g' \
		-e 's/\[start=[^]]*\]/[start=S]/g; s/\[stop=[^]]*\]/[stop=S]/g' \
		-e 's/<(start|stop)>[0-9]+</<\1>S</g' \
		-e 's/portid=[0-9]+( progname=[^ ]*)?/portid=P/g' \
		-e 's/<when>.*<\/when>/<when>W<\/when>/' \
		-e '/^cpu=/s/=[0-9]+/=N/g'
}

# The summary line: conntrack's, with the program's name taken off.
summary() {
	sed -nE 's/^(conntrack v[0-9.]+ \(conntrack-tools\)|ctnl v[0-9.]+ \(libctnl\)): ([0-9]+ [a-z ]+ have been [a-z]+\.|[a-z ]+ table has been emptied\.)$/\2/p' "$1"
}

status_word() { [ "$1" -eq 0 ] && echo OK || echo BAD; }

fail() {
	failures=$((failures + 1))
	echo "FAIL $file:$lineno: $*"
}

# Runs ARGS with both programs (with $use_stdin, each its stdin file).
run_both() {
	local args=$1
	for side in ct ctnl; do
		local prog=conntrack ns=$NS_CT
		[ $side = ctnl ] && prog=$CTNL && ns=$NS_CTNL
		eval "set -- $args"
		if [ -n "$use_stdin" ]; then
			in_ns "$ns" "$prog" "$@" <"$TMP/stdin.$side" \
				>"$TMP/$side.out" 2>"$TMP/$side.err"
		else
			in_ns "$ns" "$prog" "$@" </dev/null \
				>"$TMP/$side.out" 2>"$TMP/$side.err"
		fi
		echo $? >"$TMP/$side.rc"
	done
}

# Checks one line's results; $expected holds ctnl's own answer, if any.
check_line() {
	local want=$1 why=$2 args=$3
	local rc_ct rc_ctnl
	rc_ct=$(cat "$TMP/ct.rc")
	rc_ctnl=$(cat "$TMP/ctnl.rc")
	mask <"$TMP/ct.out" >"$TMP/ct.masked"
	mask <"$TMP/ctnl.out" >"$TMP/ctnl.masked"
	if [ "$(status_word "$rc_ctnl")" != "$want" ]; then
		fail "ctnl $args: exit $rc_ctnl, expected $want"
		sed 's/^/    ctnl: /' "$TMP/ctnl.err"
	fi
	case $why in ' differs:'*|'differs:'*) return ;; esac
	if [ -n "$why" ]; then
		printf '%s' "$expected" >"$TMP/expected"
		if [[ $expected =~ ^\[([0-9]+)\ lines\]$'\n'$ ]]; then
			local n
			n=$(wc -l <"$TMP/ctnl.masked")
			[ "$n" -eq "${BASH_REMATCH[1]}" ] ||
				fail "ctnl $args: $n lines, expected" \
					"${BASH_REMATCH[1]}"
			return
		fi
		if ! cmp -s "$TMP/expected" "$TMP/ctnl.masked"; then
			fail "ctnl $args: output differs from the right answer"
			diff "$TMP/expected" "$TMP/ctnl.masked" | sed 's/^/    /'
		fi
		return
	fi
	if [ "$(status_word "$rc_ct")" != "$want" ]; then
		fail "conntrack $args: exit $rc_ct, expected $want"
		sed 's/^/    conntrack: /' "$TMP/ct.err"
	fi
	if ! cmp -s "$TMP/ct.masked" "$TMP/ctnl.masked"; then
		fail "$args: ctnl's output differs from conntrack's"
		diff "$TMP/ct.masked" "$TMP/ctnl.masked" | sed 's/^/    /'
	fi
	if [ "$(summary "$TMP/ct.err")" != "$(summary "$TMP/ctnl.err")" ]; then
		fail "$args: ctnl's summary differs from conntrack's"
		diff <(summary "$TMP/ct.err") <(summary "$TMP/ctnl.err") |
			sed 's/^/    /'
	fi
}

start_events() {
	local args=$1
	for side in ct ctnl; do
		local prog=conntrack ns=$NS_CT
		[ $side = ctnl ] && prog=$CTNL && ns=$NS_CTNL
		eval "set -- $args"
		# Not through a function: its subshell would get the signal.
		ip netns exec "$ns" "$prog" "$@" >"$TMP/$side.ev.out" \
			2>"$TMP/$side.ev.err" &
		echo $! >"$TMP/$side.pid"
	done
	for ns in "$NS_CT" "$NS_CTNL"; do
		wait_netlink "$ns" listening
	done
}

# Waits (10 s at most) until the netfilter netlink sockets of namespace
# $1 that have joined event groups are: "listening" (one exists), or
# "drained" (their receive queues are empty: every event was read).
wait_netlink() {
	local cond='$4 != "00000000"'
	[ "$2" = drained ] && cond='$4 != "00000000" && $5 != 0'
	for _ in $(seq 100); do
		local n
		n=$(in_ns "$1" awk "NR > 1 && \$2 == 12 && $cond" \
			/proc/net/netlink | wc -l)
		[ "$2" = listening ] && [ "$n" -gt 0 ] && return
		[ "$2" = drained ] && [ "$n" -eq 0 ] && return
		sleep 0.1
	done
}

stop_events() {
	for ns in "$NS_CT" "$NS_CTNL"; do
		wait_netlink "$ns" drained
	done
	sleep 0.2	# until the last line read is written
	for side in ct ctnl; do
		local pid
		pid=$(cat "$TMP/$side.pid")
		kill -TERM "$pid" 2>/dev/null
		wait "$pid"
		echo $? >"$TMP/$side.rc"
		mv "$TMP/$side.ev.out" "$TMP/$side.out"
		mv "$TMP/$side.ev.err" "$TMP/$side.err"
	done
}

# A pending line's work: a checked command, once its "> " lines are read.
pending=""
flush_pending() {
	[ -z "$pending" ] && return
	local want why args
	IFS=$'\x1f' read -r want why args <<<"$pending"
	check_line "$want" "$why" "$args"
	pending=""
	expected=""
}

run_file() {
	file=$1
	stdin_lines=()
	use_stdin=""
	rm -f "$TMP/stdin.ct" "$TMP/stdin.ctnl"
	expected=""
	pending=""
	cleanup
	make_ns "$NS_CT" && make_ns "$NS_CTNL" || {
		fail "cannot make the namespaces"
		return
	}
	lineno=0
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case $line in
		'> '*|'>')
			expected+="${line#> }"$'\n'
			continue ;;
		esac
		flush_pending
		case $line in
		''|'#'*) continue ;;
		'!'*)
			in_ns "$NS_CT" bash -c "${line#!}" >/dev/null 2>&1
			in_ns "$NS_CTNL" bash -c "${line#!}" >/dev/null 2>&1
			continue ;;
		esac
		case $line in *';'*) ;; *)
			fail "no ';' in: $line"; continue ;;
		esac
		local args=${line%%;*} rest=${line#*;}
		args=${args%"${args##*[! $'\t']}"}
		rest=${rest#"${rest%%[! $'\t']*}"}
		local want=${rest%%;*} why=""
		want=${want%"${want##*[! ]}"}
		[ "$rest" != "${rest#*;}" ] && why=${rest#*;}
		case $want in
		'')	# a line for the next "-R -"
			[ -n "${args//[[:space:]]/}" ] && stdin_lines+=("$args")
			continue ;;
		'|'*)
			run_both "$args"
			sed -E "${want#|}" "$TMP/ct.out" >>"$TMP/stdin.ct"
			sed -E "${want#|}" "$TMP/ctnl.out" >>"$TMP/stdin.ctnl"
			continue ;;
		EVENTS)
			start_events "$args"
			continue ;;
		'STOP '*)
			stop_events
			lines=$((lines + 1))
			pending="${want#STOP }"$'\x1f'"$why"$'\x1f'"-E (events)"
			continue ;;
		OK|BAD) ;;
		*)
			fail "unknown result '$want'"
			continue ;;
		esac
		use_stdin=""
		if [ ${#stdin_lines[@]} -gt 0 ] || [ -e "$TMP/stdin.ct" ]; then
			for side in ct ctnl; do
				[ ${#stdin_lines[@]} -gt 0 ] &&
					printf '%s\n' "${stdin_lines[@]}" \
						>>"$TMP/stdin.$side"
				touch "$TMP/stdin.$side"
			done
			use_stdin=1
		fi
		run_both "$args"
		use_stdin=""
		rm -f "$TMP/stdin.ct" "$TMP/stdin.ctnl"
		stdin_lines=()
		lines=$((lines + 1))
		pending="$want"$'\x1f'"$why"$'\x1f'"$args"
	done <"$file"
	flush_pending
	cleanup
}

for f in "$@"; do
	run_file "$f"
done
echo "compat: $lines lines, $failures failures"
[ "$failures" -eq 0 ]
