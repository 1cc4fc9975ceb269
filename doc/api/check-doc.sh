#!/bin/sh
# Checks the rule of CONTRIBUTING's "Documenting the API" on every
# function the public headers export (CTNL_API):
#
#   - a /** ... */ comment comes right before the declaration;
#   - it has @return, unless the function returns void;
#   - it has an @errors paragraph that names the errors (a -EXXX value,
#     or the function whose errors it passes on: "...()"), or the words
#     "Never fails";
#   - when a parameter or the return value is a pointer, an @ownership
#     paragraph says who owns what, and for how long;
# and that each header has a @file comment and a @defgroup libctnl-NAME.
#
# Doxygen itself (the doc target) fails on anything undocumented and on a
# parameter without @param; this checks what it cannot.
#
#   check-doc.sh INCLUDE_DIR
#
# Prints each gap as FILE:LINE: FUNCTION: what is missing; exits 1 if any.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 INCLUDE_DIR" >&2; exit 2; }

# Each header has a @file comment (else Doxygen says nothing of what it
# leaves undocumented there) and is a group of its own (its man page).
for h in $(find "$1" -name '*.h' | LC_ALL=C sort); do
	grep -q '@file' "$h" || { echo "$h: no @file comment"; exit 1; }
	grep -q '@defgroup libctnl' "$h" ||
		{ echo "$h: no @defgroup libctnl-NAME around its declarations"; exit 1; }
done

find "$1" -name '*.h' | LC_ALL=C sort | xargs awk '
function report(what) {
	printf "%s:%d: %s: %s\n", FILENAME, declline, name, what
	bad++
}
function check(   errs) {
	if (!(decl ~ /CTNL_API/))
		return
	name = decl
	sub(/\(.*/, "", name)
	sub(/.*[^A-Za-z0-9_]/, "", name)
	checked++
	if (doc == "" || docend != declline - 1) {
		report("no /** */ comment right before it")
		return
	}
	ret = decl
	sub(/^[ \t]*CTNL_API[ \t]+/, "", ret)
	if (!(ret ~ /^void[ \t]+[A-Za-z_]/) && !(doc ~ /@return/))
		report("no @return")
	if (doc ~ /Never fails/)
		;
	else if (!(doc ~ /@errors/))
		report("no @errors paragraph (or \"Never fails\")")
	else {
		errs = doc
		sub(/.*@errors/, "", errs)
		sub(/@(return|param|ownership)[^a-z].*/, "", errs)
		if (!(errs ~ /-E[A-Z]+/ || errs ~ /[a-z_]+\(\)/))
			report("@errors names no -EXXX value nor a function")
	}
	if (decl ~ /\*/ && !(doc ~ /@ownership/))
		report("takes or returns a pointer, and has no @ownership")
}
FNR == 1 { doc = ""; docend = 0; indoc = 0; decl = ""; indecl = 0 }
indoc {
	line = $0
	sub(/^[ \t]*\*?[ \t]*/, "", line)
	doc = doc " " line
	if ($0 ~ /\*\//) { indoc = 0; docend = FNR }
	next
}
/^[ \t]*\/\*\*([^<]|$)/ {
	doc = $0; indoc = !($0 ~ /\*\//); docend = FNR
	next
}
indecl {
	decl = decl " " $0
	if ($0 ~ /;/) { indecl = 0; check() }
	next
}
/^[ \t]*CTNL_API[ \t]/ {
	decl = $0; declline = FNR
	if ($0 ~ /;/) check(); else indecl = 1
	next
}
END {
	if (!checked) { print "no CTNL_API declaration found"; exit 1 }
	if (bad) { printf "%d gap(s) in the documentation of %d functions\n", bad, checked; exit 1 }
	printf "%d CTNL_API functions: each documents its return value, errors and ownership\n", checked
}' || exit 1
