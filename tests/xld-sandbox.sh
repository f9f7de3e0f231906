#!/bin/bash
# The monitor's sandbox (xlhv(8), SANDBOX), on a guest that xld runs:
#  - every thread of its monitor has no capability (effective and
#    permitted), no new privileges and the seccomp filter (mode 2), and
#    its bounding set is empty;
#  - made to call ptrace() (gdb attached, calling syscall(2) in it), the
#    monitor dies of SIGSYS, the whole process at once; xld logs which
#    call killed it and applies on_crash ("preserve": the domain stays,
#    crashed, as s1-<time>);
#  - XLHV_SANDBOX=off runs a monitor without the filter.
# Not proven here, as not done: a monitor uid of its own and namespaces.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
command -v gdb >/dev/null || fail "gdb not found: apt-get install gdb"

# status KEY PID-or-PID/task/TID: the value of KEY in its status file
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status"; }

xld_start
create s1 memtouch 'memory = 32' 'extra = "pages=256 passes=0 report=0"' \
	'on_crash = "preserve"'
id=$("$XL" domid s1) || fail "no domid for s1"
pid=$(pgrep -f -- "--control $XLD_RUNDIR/dom/$id.sock")
[ -n "$pid" ] || fail "no monitor for s1"

n=0
for t in /proc/"$pid"/task/*; do
	tid=$pid/task/${t##*/}
	what="thread ${t##*/} ($(cat "$t/comm"))"
	[ "$(status CapEff "$tid")" = 0000000000000000 ] || fail "$what: CapEff $(status CapEff "$tid")"
	[ "$(status CapPrm "$tid")" = 0000000000000000 ] || fail "$what: CapPrm $(status CapPrm "$tid")"
	[ "$(status NoNewPrivs "$tid")" = 1 ] || fail "$what: NoNewPrivs $(status NoNewPrivs "$tid")"
	[ "$(status Seccomp "$tid")" = 2 ] || fail "$what: Seccomp $(status Seccomp "$tid")"
	n=$((n + 1))
done
[ "$n" -ge 3 ] || fail "only $n threads in monitor $pid"
[ "$(status CapBnd "$pid")" = 0000000000000000 ] || fail "CapBnd $(status CapBnd "$pid")"

# ptrace (101 on x86_64) is not on the list
gdb -p "$pid" -batch -ex 'handle SIGSYS nostop noprint pass' \
	-ex 'call (long)syscall(101, 0, 0, 0, 0)' >"$T/gdb.out" 2>&1 || true
monitor_gone() { ! alive "$pid"; }
wait_for 10 "monitor $pid killed by SIGSYS" monitor_gone
note="domain $id (s1): its monitor was killed by the sandbox: forbidden system call 101 (x86_64) in thread $pid"
wait_for 10 "xld logs: $note" grep -qF "$note" "$XLD_LOGDIR/xld.log"
# preserved under a new name, NAME-<time>
kept() { "$XL" list | awk '$1 ~ /^s1-/ { print $1, $5 }'; }
crashed() { kept | grep -q ' .*c'; }
wait_for 10 "s1 preserved as crashed" crashed
"$XL" destroy "$(kept | awk '{ print $1 }')" || fail "destroy the crashed copy of s1"

# the way out, for finding a call missing from the list
XLHV_SANDBOX=off "$XLD_XLHV" run --kernel "$GUESTS/memtouch" --memory 16 \
	--cmdline "pages=16 passes=0 report=0" >"$T/off.out" 2>&1 &
off=$!
wait_for 10 "the unsandboxed guest runs" grep -q "^memtouch:" "$T/off.out"
[ "$(status Seccomp "$off")" = 0 ] || fail "XLHV_SANDBOX=off: Seccomp $(status Seccomp "$off")"
grep -q "runs without its sandbox" "$T/off.out" || fail "no note that the sandbox is off: $(cat "$T/off.out")"
kill "$off"
wait "$off" 2>/dev/null || true
xld_finish
echo "$TESTNAME: $n threads sandboxed; a forbidden call killed the monitor"
