#!/bin/bash
# xl migrate and xl migrate-receive between two xld instances on one
# machine (each its own XLD_RUNDIR, STATEDIR, LOGDIR and store), through
# Xen's protocol run by `xl migrate -s CMD DOM HOST' (CMD stands in for
# ssh: it runs the other instance's `xl migrate-receive'):
#  - memtouch moved A->B->A... XL_MIGRATE_ROUNDS (6) times: "Migration
#    successful.", the sender's copy gone, the receiver's running under
#    its name (no NAME--incoming or NAME--migratedaway left), exactly one
#    running copy, its passes going on from where they were, no assertion;
#    xl list --json showed the receiver's "receiving" phase; nothing on
#    a stdout that is not a terminal, the progress line on one;
#  - the receiver killed mid-stream, and signalled (SIGTERM, SIGKILL)
#    before "go": "Migration failed, resuming at sender.", the source runs
#    on under its name, nothing left at the receiver (a killed receiver's
#    NAME--incoming goes with its connection to xld, "hold"); SIGTERM to
#    the sender mid-stream (--bandwidth 2 to slow it) the same.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
[ -x "$GUESTS/memtouch" ] || fail "$GUESTS/memtouch is not built"
t0=$(date +%s)
RELAY=$top_srcdir/tests/xl-migrate-relay.py
PIDS=

# The environment of instance $1 (a or b).
envof() {
	echo "XLD_RUNDIR=$T/$1/run XLD_STATEDIR=$T/$1/state XLD_LOGDIR=$T/$1/log XENSTORED_PATH=$T/$1/run/xenstored.sock XLD_CGROUP=$XLD_CGROUP/$1"
}
# on X CMD...: CMD with instance X's environment
on() {
	x=$1
	shift
	env $(envof "$x") "$@"
}
for x in a b; do
	mkdir -p "$T/$x/run" "$T/$x/state" "$T/$x/log"
	# exec: $! must be xld itself, not a shell running the function
	(exec env $(envof $x) "$XLD" --foreground 2>>"$T/xld-$x.stderr") &
	PIDS="$PIDS $!"
	# the ssh stand-in: `via-X HOST xl migrate-receive ...' runs the
	# receiver of instance X
	printf '#!/bin/sh\nshift\nexport %s PATH=%s:$PATH\nexec "$@"\n' \
		"$(envof $x)" "$(dirname "$XL")" >"$T/via-$x"
	chmod +x "$T/via-$x"
done
stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	for p in $(pgrep -f -- "--control $T/" || true); do kill -9 "$p" 2>/dev/null || true; done
}
hvt_on_exit stop_all
for x in a b; do
	wait_for 10 "xld $x answers" on $x "$XL" list >/dev/null 2>&1
done

passes() { sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$1"; }
nreports() {
	n=$(grep -sc '^memtouch: pass' "$1")
	echo "${n:-0}"
}
wait_reports() {
	for _ in $(seq 600); do
		[ "$(nreports "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: fewer than $2 reports: $(tail -3 "$1")"
}
names() { on "$1" "$XL" list | awk 'NR > 2 { print $1 }' | sort | tr '\n' ' '; }
# polled by wait_for, so asked afresh each time
nothing_at() { [ -z "$(names "$1")" ]; }
stateof() {
	on "$1" "$XL" list --json | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"] == "g":
        print(d["state"])'
}
# exactly one running copy, at $1, named g, and nothing else anywhere
only_at() {
	other=$2
	[ "$(names "$1")" = "g " ] || fail "at $1: $(names "$1")"
	[ -z "$(names "$other")" ] || fail "left at $other: $(names "$other")"
	case $(stateof "$1") in running | blocked) ;; *) fail "g at $1 is $(stateof "$1")" ;; esac
}
# the console log of g at X
clog() { echo "$T/$1/log/console/g.log"; }

mkcfg g memtouch memory=32 'extra = "pages=2048 passes=0 report=20"'
on a "$XL" create -q "$T/g.cfg" || fail "create g at a"
wait_reports "$(clog a)" 3

# 1. Back and forth.
src=a dst=b
rounds=${XL_MIGRATE_ROUNDS:-6}
for i in $(seq "$rounds"); do
	before=$(passes "$(clog $src)" | tail -1)
	lines=$({ wc -l <"$(clog $dst)"; } 2>/dev/null || echo 0)
	# watch the receiver's phase while it runs
	(for _ in $(seq 200); do
		on $dst "$XL" list --json 2>/dev/null | grep -q '"phase": "receiving"' &&
			{ touch "$T/phase-$i"; exit 0; }
		sleep 0.05
	done) &
	watcher=$!
	st=0
	out=$(on $src "$XL" migrate -s "$T/via-$dst" g host-$dst 2>&1 >"$T/stdout") || st=$?
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	[ "$st" = 0 ] || fail "round $i $src->$dst: exit $st: $out"
	for m in "migration target: Ready to receive domain." \
		"Saving to migration stream new xl format (info 0x80000003/0x0/" \
		"Loading new save file <incoming migration stream> (new xl fmt info 0x80000003/0x0/" \
		"migration sender: Target has acknowledged transfer." \
		"migration sender: Giving target permission to start." \
		"migration target: Got permission, starting domain." \
		"migration target: Domain started successsfully." \
		"migration sender: Target reports successful startup." \
		"Migration successful."; do
		printf '%s\n' "$out" | grep -qF -- "$m" || fail "round $i: no \"$m\" in: $out"
	done
	[ ! -s "$T/stdout" ] || fail "round $i: progress on a stdout that is no terminal: $(head -c 300 "$T/stdout")"
	only_at $dst $src
	wait_reports "$(clog $dst)" $(($(nreports "$(clog $dst)") + 2))
	first=$(tail -n +$((lines + 1)) "$(clog $dst)" | sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' | head -1)
	[ "$first" -gt "$before" ] || fail "round $i: first pass at $dst $first, last at $src $before"
	tail -n +$((lines + 1)) "$(clog $dst)" | grep -q 'pages from' && fail "round $i: the guest booted afresh"
	for x in a b; do
		grep -q 'assertion failed' "$(clog $x)" 2>/dev/null &&
			fail "round $i: $(grep -m1 'assertion failed' "$(clog $x)")"
	done
	tmp=$src src=$dst dst=$tmp
done
ls "$T"/phase-* >/dev/null 2>&1 || echo "$TESTNAME: the receiving phase was never seen (a fast stream)" >&2

# On a terminal (script(1)'s pty): the progress line, and -t for the
# receiver since stderr is one too.
st=0
script -qec "env $(envof $src) $XL migrate -s $T/via-$dst g host-$dst" "$T/tty.out" \
	>/dev/null 2>&1 </dev/null || st=$?
[ "$st" = 0 ] || fail "migrate on a terminal: exit $st: $(tail -5 "$T/tty.out")"
grep -aEq 'pass [0-9]+.*: [0-9]+/[0-9]+ pages sent, [0-9]+ dirty, dirty rate [0-9]+ pages/s, [0-9.]+ MiB/s, est\. downtime [0-9]+ ms' "$T/tty.out" ||
	fail "no progress line on a terminal: $(tr '\r' '\n' <"$T/tty.out" | tail -5)"
grep -aq "Migration successful" "$T/tty.out" || fail "on a terminal: $(tail -5 "$T/tty.out")"
only_at $dst $src
tmp=$src src=$dst dst=$tmp

# 2. The receiver killed mid-stream, then signalled before "go" (SIGKILL
#    too: xld destroys the copy whose receiver went): the source runs on,
#    nothing is left at the receiver.
for how in "stdin 65536" "ready SIGTERM" "ready SIGKILL"; do
	lines=$(wc -l <"$(clog $src)")
	printf '#!/bin/sh\nshift\nexport %s PATH=%s:$PATH\nexec %s %s -- "$@"\n' \
		"$(envof $dst)" "$(dirname "$XL")" "$RELAY" "$how" >"$T/via-kill"
	chmod +x "$T/via-kill"
	st=0
	out=$(on $src "$XL" migrate -s "$T/via-kill" g host-$dst 2>&1) || st=$?
	[ "$st" = 1 ] || fail "$how: exit $st: $out"
	assert_match "$out" "Migration failed, resuming at sender\." "$how"
	printf '%s\n' "$out" | grep -q "Migration successful" && fail "$how: $out"
	# the receiver's copy goes as its stream or its xl ends
	wait_for 30 "$how: nothing left at $dst" nothing_at $dst
	only_at $src $dst
	wait_reports "$(clog $src)" $(($(nreports "$(clog $src)") + 2))
	grep -q 'assertion failed' "$(clog $src)" && fail "$how: $(grep -m1 'assertion failed' "$(clog $src)")"
done
# 3. SIGTERM to the sender mid-stream (the stream slowed to 2 MiB/s):
#    the send is cancelled, the source runs on, the receiver's copy goes.
# (env execs xl: $! is xl's pid)
env $(envof $src) "$XL" migrate --bandwidth 2 -s "$T/via-$dst" g host-$dst >"$T/term.out" 2>&1 &
mig=$!
wait_for 30 "the stream to start" grep -q "Saving to migration stream" "$T/term.out"
sleep 1
kill -TERM "$mig"
st=0
wait "$mig" || st=$?
[ "$st" = 1 ] || fail "SIGTERM: exit $st: $(cat "$T/term.out")"
grep -q "Migration failed, resuming at sender\." "$T/term.out" || fail "SIGTERM: $(cat "$T/term.out")"
wait_for 30 "SIGTERM: nothing left at $dst" nothing_at $dst
only_at $src $dst
wait_reports "$(clog $src)" $(($(nreports "$(clog $src)") + 2))
grep -q 'assertion failed' "$(clog $src)" && fail "SIGTERM: $(grep -m1 'assertion failed' "$(clog $src)")"
echo "$TESTNAME: $rounds migrations and 4 failures in $(($(date +%s) - t0)) s"
