#!/bin/bash
# kill -9 xld with 10 guests running, restart it: the same domids, names,
# UUIDs and states within 10 s; a guest that died meanwhile gets its
# on_crash policy; nothing of the old daemon keeps a guest from running.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

snapshot() {
	"$XL" list --json | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["domid"]:
        print(d["domid"], d["name"], d["uuid"], d["state"], d["pid"])'
}

xld_start
for i in $(seq 1 10); do create "g$i" idle; done
"$XL" pause g3 || fail "pause g3"
create victim idle 'on_crash = "destroy"'
create keeper idle 'on_crash = "preserve"'
[ "$("$XL" list | wc -l)" -eq 14 ] || fail "13 guests and Domain-0 expected"
victim_id=$("$XL" domid victim)
keeper_id=$("$XL" domid keeper)
# Idle guests settle from running to blocked at xld's next poll (1 s).
for _ in $(seq 50); do snapshot | grep -q ' running ' || break; sleep 0.1; done
before=$(snapshot | grep -Ev ' (victim|keeper) ')

kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
# the guests outlive their daemon; two of them die while it is away
[ "$(xld_monitors | wc -l)" -eq 12 ] || fail "monitors did not outlive xld"
vpid=$(pgrep -f -- "--control $XLD_RUNDIR/dom/$victim_id.sock")
kpid=$(pgrep -f -- "--control $XLD_RUNDIR/dom/$keeper_id.sock")
[ -n "$vpid" ] && [ -n "$kpid" ] || fail "monitors of victim and keeper not found"
kill -9 $vpid $kpid

start=$(date +%s.%N)
xld_start
# xl answers once xld has re-attached (what follows is the test's own
# python3, which takes seconds to start in the test host)
end=$(date +%s.%N)
after=$(snapshot | grep -Ev ' (victim|keeper)')
[ "$before" = "$after" ] || fail "not the same domains after restart:
before:
$before
after:
$after"
awk -v s="$start" -v e="$end" 'BEGIN { exit !(e - s < 10) }' || fail "re-attach took more than 10 s"
awk -v s="$start" -v e="$end" 'BEGIN { printf "xld-restart: re-attached to 10 guests in %.2f s\n", e - s }' >&2
assert_match "$(row g3)" ' --p---  ' "g3 still paused"
# the victim's on_crash=destroy was applied, its traces removed
gone victim || fail "the dead victim is still listed"
! xenstore-read "/local/domain/$victim_id/name" 2>/dev/null || fail "victim's nodes left"
[ ! -e "$XLD_STATEDIR/domains/$victim_id.json" ] || fail "victim's record left"
# the keeper's on_crash=preserve: listed as crashed, under a new name
k=$("$XL" list | grep -E '^keeper-')
assert_match "$k" ' ---sc-  ' "keeper preserved as crashed"
# still a working daemon: new domids do not reuse old ones
create late idle
[ "$("$XL" domid late)" -gt 12 ] || fail "a domid was reused: $("$XL" domid late)"
"$XL" destroy g1 || fail "destroy after restart"
[ -z "$(pgrep -f -- "--control $XLD_RUNDIR/dom/1.sock")" ] || fail "g1's monitor survived destroy"
# killed right after a destroy: the store remembers the removal
g2uuid=$(field g2 uuid)
"$XL" destroy g2 || fail "destroy g2"
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
xld_start
! xenstore-read /local/domain/2/name 2>/dev/null || fail "g2's home came back"
! xenstore-read "/vm/$g2uuid/name" 2>/dev/null || fail "g2's /vm came back"
gone g2 || fail "g2 came back"

# a record xld cannot write never kills a running guest (the temporary
# file is a directory: refused even to root)
create r1 idle
rid=$("$XL" domid r1)
mkdir "$XLD_STATEDIR/domains/.$rid.json.tmp"
"$XL" mem-set r1 12m || fail "mem-set with an unwritable record"
alive "$(field r1 pid)" || fail "a failed record write stopped r1"
grep -q "domain $rid (r1): cannot write its record" "$XLD_LOGDIR/xld.log" ||
	fail "the failed record write was not logged"
# a rename, which only the record keeps, is refused
out=$("$XL" rename r1 r1b 2>&1) && fail "renamed with an unwritable record"
assert_match "$out" "not renamed to 'r1b': cannot write its record" "rename's error"
rmdir "$XLD_STATEDIR/domains/.$rid.json.tmp"
"$XL" rename r1 r1b || fail "rename r1"
# once it can, xld writes the record it owes
rewritten() { grep -q '"target_kib":12288' "$XLD_STATEDIR/domains/$rid.json"; }
wait_for 5 "r1b's record rewritten" rewritten
# and a guest whose record cannot be written is not started
mkdir "$XLD_STATEDIR/domains/.next-domid.tmp"
mkcfg nr idle
out=$("$XL" create -q "$T/nr.cfg" 2>&1) && fail "created without a record"
assert_match "$out" "cannot write the domain record in $XLD_STATEDIR/domains" "no record message"
gone nr || fail "nr listed"
rmdir "$XLD_STATEDIR/domains/.next-domid.tmp"
[ "$(xld_monitors | wc -l)" -eq 10 ] || fail "a monitor started without a record"

# a live monitor whose record is lost is adopted, never killed
create lost idle
lid=$("$XL" domid lost)
lpid=$(field lost pid)
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
rm "$XLD_STATEDIR/domains/$lid.json"
xld_start
assert_match "$(row "orphan-$lid")" "^orphan-$lid +$lid " "orphan adopted"
[ "$(field "orphan-$lid" pid)" = "$lpid" ] || fail "orphan's monitor changed"
alive "$lpid" || fail "the orphan's guest was stopped"
[ -e "$XLD_STATEDIR/domains/$lid.json" ] || fail "no record written for the orphan"
"$XL" destroy "orphan-$lid" || fail "destroy the orphan"

# a plain restart (SIGTERM) keeps every guest too
before=$(snapshot)
xld_stop
xld_start
after=$(snapshot)
[ "$before" = "$after" ] || fail "SIGTERM restart changed the domains:
$before
---
$after"

for d in $("$XL" list | awk 'NR > 2 { print $1 }'); do "$XL" destroy "$d" || fail "destroy $d"; done
[ -z "$(xld_monitors)" ] || fail "monitors left"
[ "$(xenstore-list /local/domain)" = 0 ] || fail "store homes left"
xld_finish
echo "xld-restart: ok"
