#!/bin/sh
# 100 idle guests as 100 monitors through libdomctl in one process: all
# listed, paused, unpaused and destroyed, and nothing left behind.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
export XLD_XLHV="$top_builddir/hypervisor/xlhv"
N=${DC_SCALE_N:-100}
kill_monitors() { pkill -KILL -f -- "--control $XLD_RUNDIR/dom/" 2>/dev/null; true; }
hvt_on_exit kill_monitors

start=$(date +%s%N)
out=$("$top_builddir/tests/dctool" "$XLD_RUNDIR" scale "$N" \
	"$top_builddir/tests/guests/idle" 2>&1) || fail "scale $N: $out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_match "$out" "^scale: $N domains created" "scale result"
pgrep -f -- "--control $XLD_RUNDIR/dom/" >/dev/null && fail "monitors left running"
[ -z "$(ls "$XLD_RUNDIR/dom")" ] || fail "sockets left: $(ls "$XLD_RUNDIR/dom" | head)"
echo "$out (${ms} ms for the whole cycle)"
