#!/bin/bash
# Issue #4's "done when": kill -9 xld while 50 guests run (some paused),
# start it again: the same 50 are listed with the same ids, names, UUIDs,
# states and monitors within 10 s, their consoles still answer, and the
# store is exactly as it was.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
TERM_DRIVER="python3 $top_srcdir/tests/xld-console.py"
N=${XLD_RESTART_N:-50}
ECHO=2 # uartecho guests, whose consoles answer; the rest idle

snapshot() {
	"$XL" list --json | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["domid"]:
        print(d["domid"], d["name"], d["uuid"], d["state"], d["pid"])'
}
# `xl list -v' without the CPU time column, which moves
list_v() { "$XL" list -v | awk '{ $6 = ""; print }'; }
store() { xenstore-ls -fp /; }
now() { date +%s.%N; }
# answers NAME WORD: NAME's console echoes WORD back
answers() {
	$TERM_DRIVER "$XL" console "$1" -- raw "send:$2\n" \
		"expect:uartecho: $2" 'send:\x1d' exit:0 ||
		fail "$1's console did not answer '$2': $("$XL" list "$1" 2>&1)
$(tail -5 "$T/xld.stderr")"
}

xld_start
mkcfg g idle
for i in $(seq 1 $((N - ECHO))); do
	"$XL" create -q "$T/g.cfg" "name=\"g$i\"" || fail "create g$i"
done
for i in $(seq 1 $ECHO); do create "echo$i" uartecho; done
PAUSED=$(seq 5 12 $((N - ECHO)))
for i in $PAUSED; do "$XL" pause "g$i" || fail "pause g$i"; done
# idle guests settle from running to blocked at xld's next poll (1 s)
settled() {
	s=$(snapshot) && [ "$(printf '%s\n' "$s" | grep -c ' running ')" -eq "$ECHO" ]
}
wait_for 10 "idle guests blocked" settled
for i in $(seq 1 $ECHO); do answers "echo$i" "before$i"; done
before=$(snapshot)
before_v=$(list_v)
before_store=$(store)
[ "$(printf '%s\n' "$before" | wc -l)" -eq $N ] || fail "not $N guests"
[ "$(printf '%s\n' "$before" | grep -c ' paused ')" -eq "$(echo $PAUSED | wc -w)" ] ||
	fail "paused guests: $(printf '%s\n' "$before" | grep ' paused ')"

kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
[ "$(xld_monitors | wc -l)" -eq $N ] ||
	fail "monitors did not outlive xld: $(xld_monitors | wc -l) of $N
$(tail -5 "$T/xld.stderr")"

# xl answers only once every record is loaded and re-attached
t0=$(now)
xld_start
t1=$(now)
after=$(snapshot)
[ "$before" = "$after" ] || fail "not the same domains after restart:
$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after"))"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 10) }' ||
	fail "re-attach took more than 10 s"
awk -v a="$t0" -v b="$t1" -v n=$N 'BEGIN {
	printf "xld-restart-50: re-attached to %d guests in %.2f s\n", n, b - a }' >&2
[ "$(list_v)" = "$before_v" ] || fail "xl list -v differs:
$(diff <(printf '%s\n' "$before_v") <(list_v))"
after_store=$(store)
[ "$after_store" = "$before_store" ] || fail "the store changed:
$(diff <(printf '%s\n' "$before_store") <(printf '%s\n' "$after_store"))"
for i in $(seq 1 $ECHO); do answers "echo$i" "after$i"; done
# the daemon is whole: a paused guest goes on, a new one gets a new id
"$XL" unpause g5 || fail "unpause g5"
create late idle
[ "$("$XL" domid late)" -gt $N ] || fail "a domid was reused"
for d in $("$XL" list | awk 'NR > 2 { print $1 }'); do
	"$XL" destroy "$d" || fail "destroy $d: $("$XL" list)
$(tail -20 "$T/xld.stderr")"
done
[ -z "$(xld_monitors)" ] || fail "monitors left"
xld_finish
echo "xld-restart-50: ok"
