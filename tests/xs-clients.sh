#!/bin/sh
# Many clients: 1000 idle connections do not stop a new client being
# served, and a watcher that never reads neither stalls a writer nor grows
# xld's memory without bound (it is dropped).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start
ulimit -n 4096 2>/dev/null || true

mkfifo "$T/hold"
$XSRAW idle "$XENSTORED_PATH" 1000 <"$T/hold" >"$T/idle.out" 2>&1 &
ipid=$!
exec 9>"$T/hold"
i=0
until grep -q '^ready 1000$' "$T/idle.out"; do
	kill -0 $ipid 2>/dev/null || fail "idle clients: $(cat "$T/idle.out")"
	i=$((i + 1)); [ $i -lt 200 ] || fail "1000 clients did not connect"
	sleep 0.05
done
# connected is not yet accepted: a loaded xld may still be taking them
i=0
while n=$(ls /proc/"$XLD_PID"/fd | wc -l) && [ "$n" -lt 1000 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "xld holds only $n fds after 10 s"
	sleep 0.05
done
start=$(date +%s%N)
xenstore-write /busy/x 1 || fail "write with 1000 idle clients"
assert_match "$(xenstore-read /busy/x)" '^1$' "read with 1000 idle clients"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 2000 ] || fail "a new client waited ${ms} ms"
echo "new client served in ${ms} ms with 1000 idle connections"
exec 9>&-
wait $ipid

# many requests sent without waiting: all answered, in order, as
# Domain-0 (past the 64 KiB output mark) and as a guest (past its
# 20 outstanding requests)
xenstore-write /local/domain/6/x 1 || fail "write"
xenstore-chmod /local/domain/6 n6 || fail "chmod"
"$XSCLIENT" introduce 6 || fail "introduce"
out=$($XSRAW pipeline "$XENSTORED_PATH" 20000 /busy/x 2>&1) || fail "pipeline: $out"
assert_match "$out" '^pipelined 20000: in order$' "Domain-0 pipeline"
out=$($XSRAW pipeline "$XLD_RUNDIR/xs-dom/6.sock" 2000 x 2>&1) || fail "guest pipeline: $out"
assert_match "$out" '^pipelined 2000: in order$' "guest pipeline"

out=$($XSRAW slow "$XENSTORED_PATH" 2>&1) || fail "slow watcher: $out"
echo "$out"
assert_match "$out" '^watcher: dropped after' "slow watcher dropped"
grep -q 'watch events not read' "$XLD_LOGDIR/xld.log" || fail "drop not logged"
rss=$(awk '/^VmRSS/ {print $2}' /proc/"$XLD_PID"/status)
echo "xld RSS after the slow watcher: ${rss} kB"
# (AddressSanitizer's quarantine keeps freed memory: no bound to check)
if ! grep -q libasan /proc/"$XLD_PID"/maps; then
	[ "$rss" -lt 65536 ] || fail "xld RSS ${rss} kB after a slow watcher"
fi
assert_match "$(xenstore-read /busy/x)" '^1$' "still serving"
xs_finish
