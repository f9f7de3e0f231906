#!/bin/sh
# tests/testhost/run's edges: usage errors and a missing image are
# reported without booting; two runs at once keep apart; modules and
# special files work inside; a run stopped by a signal leaves no QEMU, no
# virtiofsd and no directory behind.
. "$top_srcdir/tests/lib.sh"
TH="$top_srcdir/tests/testhost/run"

# --- without booting ------------------------------------------------------------
"$TH" --timeout 0 -- true 2>"$T/err"
rc=$?
[ "$rc" -eq 2 ] || fail "--timeout 0 exited $rc, want 2"
grep -q 'positive integer' "$T/err" || fail "--timeout 0: $(cat "$T/err")"
"$TH" --timeout 5 2>"$T/err"
[ $? -eq 2 ] || fail "no COMMAND: want exit 2"
grep -q 'no COMMAND' "$T/err" || fail "no COMMAND: $(cat "$T/err")"

mkdir "$T/empty"
XLD_IMAGES="$T/empty" "$TH" -- true 2>"$T/err"
rc=$?
[ "$rc" -eq 125 ] || fail "without images exited $rc, want 125"
grep -q 'run tests/images/fetch' "$T/err" ||
	fail "without images: no hint to run tests/images/fetch: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "without images: more than one line: $(cat "$T/err")"

# --- booting --------------------------------------------------------------------
hvt_require_testhost
"$top_srcdir/tests/images/fetch" >&2 || fail "tests/images/fetch could not build the images"

# Two at once, each in its own directory under its own TMPDIR.  Inside,
# modprobe finds the test host kernel's modules, and special files (which
# 9p under Debian 12's QEMU refuses) can be made on the shared /.
mkdir "$T/a" "$T/b" "$T/shared"
TMPDIR="$T/a" "$TH" --timeout 200 -- sh -c 'echo one; echo x >"$0/file";
	mkfifo "$0/fifo" && modprobe veth && ip link add v0 type veth peer name v1 &&
	echo special' "$T/shared" >"$T/a.out" 2>"$T/a.err" &
a=$!
TMPDIR="$T/b" "$TH" --timeout 200 -- sh -c 'echo two; exit 3' \
	>"$T/b.out" 2>"$T/b.err" &
b=$!
wait $a
rca=$?
wait $b
rcb=$?
[ "$rca" -eq 0 ] || fail "first of two runs exited $rca: $(cat "$T/a.err")"
[ "$rcb" -eq 3 ] || fail "second of two runs exited $rcb, want 3: $(cat "$T/b.err")"
[ "$(cat "$T/a.out")" = "one
special" ] || fail "first run's output: $(cat "$T/a.out") $(cat "$T/a.err")"
[ "$(cat "$T/b.out")" = two ] || fail "second run's output: $(cat "$T/b.out")"
[ "$(cat "$T/shared/file")" = x ] || fail "first run's file missing"
[ -p "$T/shared/fifo" ] || fail "first run's FIFO missing"
[ -z "$(ls "$T/a")" ] || fail "run left files in its TMPDIR: $(ls "$T/a")"
[ -z "$(ls "$T/b")" ] || fail "run left files in its TMPDIR: $(ls "$T/b")"

# Stopped by SIGTERM once the command runs: status 143, nothing left.
mkdir "$T/c"
TMPDIR="$T/c" "$TH" --timeout 200 -- sleep 600 >/dev/null 2>"$T/c.err" &
c=$!
i=0
until [ -n "$(find "$T/c" -name started 2>/dev/null)" ]; do
	i=$((i + 1))
	[ $i -lt 1800 ] && kill -0 $c 2>/dev/null ||
		fail "the command never started: $(cat "$T/c.err")"
	sleep 0.1
done
kill -TERM $c
wait $c
rc=$?
[ "$rc" -eq 143 ] || fail "run stopped by SIGTERM exited $rc, want 143"
[ -z "$(ls "$T/c")" ] || fail "run stopped by SIGTERM left $(ls "$T/c")"
sleep 0.5
if pgrep -f "$T/c/" >"$T/left"; then
	fail "processes left behind: $(ps -o pid,args -p "$(paste -sd, "$T/left")")"
fi
echo "two runs at once and a stopped run: ok"
