#!/bin/sh
# libdomctl drives real monitors: create, info, pause, unpause, a guest's
# own power-off and crash kept as "shutdown" until destroyed, bad builds
# refused with the monitor's own message, and nothing left behind.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
export XLD_XLHV="$top_builddir/hypervisor/xlhv"
G="$top_builddir/tests/guests"
dc() { "$top_builddir/tests/dctool" "$XLD_RUNDIR" "$@"; }
field() { dc info "$1" | cut -d' ' -f"$2"; }
# Alive and not a zombie waiting for init to reap it.
alive() { s=$(ps -o stat= -p "$1"); [ -n "$s" ] && [ "${s#Z}" = "$s" ]; }
kill_monitors() { pkill -KILL -f -- "--control $XLD_RUNDIR/dom/" 2>/dev/null; true; }
hvt_on_exit kill_monitors

# A guest that burns CPU forever: memtouch with no pass limit.
pid=$(dc create 1 "$G/memtouch" 16 1 "$T/c1.log" "passes=0 report=0") ||
	fail "create domain 1"
kill -0 "$pid" || fail "monitor $pid is not running"
[ -S "$XLD_RUNDIR/dom/1.sock" ] || fail "no control socket"
[ "$(stat -c %a "$XLD_RUNDIR/dom/1.sock")" = 600 ] || fail "socket not 0600"
# The monitor is detached: its own session, not our child.
[ "$(ps -o sid= -p "$pid")" != "$(ps -o sid= -p $$)" ] || fail "monitor shares our session"
[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" != $$ ] || fail "monitor is our child"
out=$(dc info 1)
assert_match "$out" "^1 $pid running - 1 16384 [0-9]+$" "info of a running domain"

# A watcher hears the state as it begins, then every change that follows.
dc watch 1 4 >"$T/watch" 2>&1 &
watcher=$!
for _ in $(seq 50); do grep -q watching "$T/watch" && break; sleep 0.1; done

# Paused: CPU time stands still; unpaused: it moves again.
dc pause 1 || fail "pause"
[ "$(field 1 3)" = paused ] || fail "state after pause: $(dc info 1)"
t1=$(field 1 7); sleep 0.5; t2=$(field 1 7)
[ "$t1" = "$t2" ] || fail "CPU time moved while paused: $t1 -> $t2"
dc unpause 1 || fail "unpause"
[ "$(field 1 3)" = running ] || fail "state after unpause: $(dc info 1)"
sleep 0.5; t3=$(field 1 7)
[ "$t3" -gt "$t2" ] || fail "CPU time still after unpause: $t2 -> $t3"

# The fourth event ends the watcher.
dc pause 1 && dc unpause 1 || fail "second pause"
wait "$watcher" || fail "watcher failed: $(cat "$T/watch")"
[ "$(sed 1d "$T/watch" | tr '\n' ,)" = "running -,paused -,running -,paused -," ] ||
	fail "events: $(cat "$T/watch")"

# A client that asks much and reads nothing is dropped once its replies
# fill the socket (2 s): the monitor serves on, and so do the others.
python3 - "$XLD_RUNDIR/dom/1.sock" <<'PY' || fail "the flooding client"
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
info = b"".join(struct.pack("<IHHII", 0x43444c58, 1, 2, i, 0) for i in range(256))
try:
    for _ in range(64):
        s.sendall(info)
        time.sleep(0.05)
except OSError:
    pass  # dropped: what is asked for
time.sleep(3)
PY
alive "$pid" || fail "a client that reads no reply killed the monitor"
assert_match "$(dc info 1)" "^1 $pid running " "info after the flooding client"

# The same domid twice is refused; the first domain is untouched.
out=$(dc create 1 "$G/idle" 16 1 2>&1) && fail "second domain 1 was created"
assert_match "$out" "already has a monitor" "duplicate domid message"
kill -0 "$pid" || fail "duplicate create hurt domain 1"

# A guest that powers off, and one that crashes, stay until destroyed.
dc create 2 "$G/hello" 16 1 "$T/c2.log" >/dev/null || fail "create hello"
dc create 3 "$G/crash" 16 1 >/dev/null || fail "create crash"
for _ in $(seq 50); do
	[ "$(field 2 3)" = shutdown ] && [ "$(field 3 3)" = shutdown ] && break
	sleep 0.1
done
assert_match "$(dc info 2)" "^2 [0-9]+ shutdown poweroff " "hello's state"
assert_match "$(dc info 3)" "^3 [0-9]+ shutdown crash " "crash's state"
grep -q 'hello' "$T/c2.log" || fail "hello's console output not in its log"
# A watch begun after the crash is told of it at once (xld watches a
# guest only once its create returns, and a guest may crash before).
out=$(timeout 10 "$top_builddir/tests/dctool" "$XLD_RUNDIR" watch 3 1 2>&1) ||
	fail "no event for a watch begun after a crash: $out"
[ "$(echo "$out" | sed 1d)" = "shutdown crash" ] || fail "late watch: $out"
dc pause 2 2>/dev/null && fail "paused a shut-down domain"

# Bad builds: the monitor's own reason, status 1, nothing left behind.
out=$(dc create 4 /nonexistent/kernel 16 1 2>&1) && fail "bad kernel accepted"
assert_match "$out" "/nonexistent/kernel" "bad kernel message names the file"
out=$(dc create 4 "$G/idle" 999999 1 2>&1) && fail "absurd memory accepted"
assert_match "$out" "memory" "absurd memory message"
[ ! -e "$XLD_RUNDIR/dom/4.sock" ] || fail "failed create left a socket"

# The list is sorted and complete; destroy leaves no process or socket.
[ "$(dc list | cut -d' ' -f1 | tr '\n' ' ')" = "1 2 3 " ] || fail "list: $(dc list)"
pids=$(dc list | cut -d' ' -f2)
for d in 1 2 3; do dc destroy "$d" || fail "destroy $d"; done
for p in $pids; do alive "$p" && fail "monitor $p survived destroy"; done
[ -z "$(ls "$XLD_RUNDIR/dom")" ] || fail "left in dom/: $(ls "$XLD_RUNDIR/dom")"
[ -z "$(dc list)" ] || fail "list after destroy: $(dc list)"
out=$(dc info 1 2>&1) && fail "info of a destroyed domain succeeded"
assert_match "$out" "No such process" "info of a destroyed domain"
echo "ok"
