#!/bin/sh
# xld's "events" method: a client on the read-only socket gets the list
# of domains, then every change of a guest as it happens (created,
# paused, unpaused, renamed, gone), in order, until the guest is gone.
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
xld_start

$XLDRAW events "$XLD_RUNDIR/xld-ro.sock" ev2 >"$T/events" 2>"$T/events.err" &
sub=$!
# the subscription is in place once its reply (the list) has arrived
for _ in $(seq 100); do [ -s "$T/events" ] && break; sleep 0.1; done
[ -s "$T/events" ] || fail "no reply to events: $(cat "$T/events.err")"

cat >"$T/g.cfg" <<CFG
name = "ev1"
kernel = "$GUESTS/idle"
memory = 16
CFG
"$XL" create -q "$T/g.cfg" || fail "xl create"
"$XL" pause ev1
"$XL" unpause ev1
"$XL" rename ev1 ev2
"$XL" destroy ev2
wait "$sub" || fail "the subscriber failed: $(cat "$T/events.err")"

python3 - "$T/events" <<'PY' || fail "events: $(cat "$T/events")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
first, evs = lines[0], lines[1:]
assert first["version"] == 1 and "result" in first, first
names = [d["name"] for d in first["result"]["domains"]]
assert names == ["Domain-0"], names
assert all(e["version"] == 1 and "id" not in e for e in evs), evs
# an idle guest may be reported blocked; a refresh may repeat a state
steps = []
for e in evs:
    st = e["domain"]["state"]
    s = (e["event"], e["domain"]["name"], "running" if st == "blocked" else st)
    if not steps or steps[-1] != s:
        steps.append(s)
assert steps[-1][:2] == ("gone", "ev2"), steps
assert [s for s in steps if s[0] == "changed"] == [
    ("changed", "ev1", "running"), ("changed", "ev1", "paused"),
    ("changed", "ev1", "running"), ("changed", "ev2", "running")], steps
PY
xld_finish
echo "xld-events: list, then created/paused/unpaused/renamed/gone in order"
