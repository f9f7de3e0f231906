#!/bin/sh
# Save and restore with real monitors: memtouch (64 MiB, 4096 pages, 2
# vCPUs) saved mid-run and destroyed, restored in a new monitor where its
# pass assertions keep holding for several more reports, with 2 vCPUs and
# its console going on in the new log; a save that leaves the guest
# paused; a failed save that lets it run on; damaged files refused with a
# message naming the file, by xlhv and through libdomctl.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
export XLD_XLHV="$top_builddir/hypervisor/xlhv"
XLHV=$XLD_XLHV
G="$top_builddir/tests/guests"
dc() { "$top_builddir/tests/dctool" "$XLD_RUNDIR" "$@"; }
field() { dc info "$1" | cut -d' ' -f"$2"; }
kill_monitors() { pkill -KILL -f -- "--control $XLD_RUNDIR/dom/" 2>/dev/null; true; }
hvt_on_exit kill_monitors
now_ms() { date +%s%3N; }
# The last pass memtouch reported in log $1 (0 if none).
last_pass() { sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$1" | tail -1 | grep . || echo 0; }
# wait_reports LOG N: until LOG holds at least N pass reports (10 s).
wait_reports() {
	for _ in $(seq 100); do
		[ "$(grep -c '^memtouch: pass' "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: fewer than $2 reports: $(tail -3 "$1")"
}

# 1. Saved mid-run, destroyed, restored in a new monitor.
pid=$(dc create 1 "$G/memtouch" 64 2 "$T/c1.log" "pages=4096 passes=0 report=50") ||
	fail "create memtouch"
wait_reports "$T/c1.log" 3
out=$(dc save 1 "$T/s1.state" destroy) || fail "save: $out"
bytes=${out% *}
save_ns=${out#* }
[ "$bytes" = "$(stat -c %s "$T/s1.state")" ] || fail "save said $bytes bytes, file has $(stat -c %s "$T/s1.state")"
# Only the nonzero pages: 16 MiB touched of 64, plus the image.
[ "$bytes" -gt 16777216 ] && [ "$bytes" -lt 20000000 ] ||
	fail "state file of $bytes bytes for 16 MiB of touched RAM"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "monitor $pid still there after save+destroy"
[ -e "$XLD_RUNDIR/dom/1.sock" ] && fail "control socket left after save+destroy"
before=$(last_pass "$T/c1.log")
[ "$before" -ge 150 ] || fail "only pass $before before the save"
grep -q 'saved 2 vCPUs and 64 MiB' "$T/c1.log" || fail "no save message in the log"

t0=$(now_ms)
pid2=$(dc restore 1 "$T/s1.state" "$T/c2.log") || fail "restore: $pid2"
restore_ms=$(( $(now_ms) - t0 ))
[ "$pid2" != "$pid" ] || fail "restore reused the old monitor"
assert_match "$(dc info 1)" "^1 $pid2 running - 2 65536 " "restored domain's info"
wait_reports "$T/c2.log" 4
first=$(sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$T/c2.log" | head -1)
after=$(last_pass "$T/c2.log")
# It went on from where it was, not from a new boot.
grep -q 'pages from' "$T/c2.log" && fail "the restored guest booted afresh: $(head -2 "$T/c2.log")"
[ "$first" -gt "$before" ] && [ "$first" -le $((before + 100)) ] ||
	fail "first pass after restore $first, last before $before"
[ "$after" -ge $((first + 150)) ] || fail "restored guest stalled at $after"
grep -q 'assertion failed' "$T/c2.log" && fail "memtouch assertion: $(grep assertion "$T/c2.log")"
[ "$(field 1 3)" = running ] || fail "restored guest not running: $(dc info 1)"

# 2. Save without destroy leaves it paused; it resumes on unpause.
out=$(dc save 1 "$T/s2.state") || fail "save (keep): $out"
[ "$(field 1 3)" = paused ] || fail "state after save: $(dc info 1)"
p1=$(last_pass "$T/c2.log"); sleep 0.5; p2=$(last_pass "$T/c2.log")
[ "$p1" = "$p2" ] || fail "guest ran while paused after save: $p1 -> $p2"
# Its domid is taken; as domain 2 the copy runs beside the original.
out=$(dc restore 1 "$T/s2.state" 2>&1) && fail "restored over a live domain 1"
assert_match "$out" "already has a monitor" "restore onto a live domid"
dc restore 2 "$T/s2.state" "$T/c2b.log" >/dev/null || fail "restore as domain 2"
dc unpause 1 || fail "unpause after save"
wait_reports "$T/c2.log" $(( $(grep -c '^memtouch: pass' "$T/c2.log") + 2 ))
wait_reports "$T/c2b.log" 3
[ "$(sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$T/c2b.log" | head -1)" -le $((p2 + 50)) ] ||
	fail "the copy did not go on from pass $p2: $(head -1 "$T/c2b.log")"
grep -q 'assertion failed' "$T/c2b.log" && fail "assertion in the copy"
dc destroy 2 || fail "destroy the copy"

# 3. A save that cannot write its file fails and the guest runs on.
out=$(dc save 1 "$T/no/such/dir/s.state" 2>&1) && fail "save to a missing directory succeeded"
assert_match "$out" "No such file" "failed save"
[ "$(field 1 3)" = running ] || fail "state after a failed save: $(dc info 1)"
dc destroy 1 || fail "destroy"

# 4. The file is checked whole before anything runs.
cp "$T/s1.state" "$T/bad.state"
printf '\377' | dd of="$T/bad.state" bs=1 seek=5000 conv=notrunc 2>/dev/null
hv_run() {
	st=0
	out=$(timeout 30 "$XLHV" run "$@" 2>&1) || st=$?
}
hv_run --restore "$T/bad.state"
[ "$st" -eq 2 ] || fail "corrupt file: exit $st, want 2: $out"
assert_match "$out" "restore $T/bad.state: section [0-9]+ \(VCPU\): checksum mismatch" "corrupt file message"
head -c 10000000 "$T/s1.state" >"$T/short.state"
hv_run --restore "$T/short.state"
[ "$st" -eq 2 ] || fail "truncated file: exit $st"
assert_match "$out" "restore $T/short.state: truncated in the RAM pages" "truncated message"
hv_run --restore "$T/missing.state"
[ "$st" -eq 2 ] || fail "missing file: exit $st"
assert_match "$out" "restore $T/missing.state: No such file" "missing file message"
hv_run --restore "$T/s1.state" --kernel "$G/hello"
[ "$st" -eq 2 ] || fail "--restore with --kernel: exit $st"
# A state file saved with a disk needs the disk, and the reverse.
truncate -s 1M "$T/disk.img"
hv_run --restore "$T/s1.state" --disk "$T/disk.img"
[ "$st" -eq 2 ] || fail "restore with an extra disk: exit $st"
assert_match "$out" "the same devices must be configured" "device mismatch message"
# Through libdomctl: refused with the monitor's message, nothing left.
out=$(dc restore 2 "$T/bad.state" 2>&1) && fail "libdomctl restored a corrupt file"
assert_match "$out" "checksum mismatch" "libdomctl's log of the refusal"
[ -e "$XLD_RUNDIR/dom/2.sock" ] && fail "socket left by a refused restore"
true >"$T/empty.state"
out=$(dc restore 2 "$T/empty.state" 2>&1) && fail "libdomctl restored an empty file"
assert_match "$out" "truncated in the header" "empty file"

# 5. A KVM without an in-kernel irqchip saves without it, says so in the
# file, and only a VM without one takes the file.
XLHV_IRQCHIP=0 dc create 3 "$G/memtouch" 16 1 "$T/n1.log" \
	"pages=1024 passes=0 report=50" >/dev/null || fail "create without irqchip"
wait_reports "$T/n1.log" 2
dc save 3 "$T/n.state" destroy >/dev/null || fail "save without irqchip"
out=$(dc restore 3 "$T/n.state" 2>&1) && fail "a VM with an irqchip took a file without"
assert_match "$out" "saved without an in-kernel irqchip, but this VM has one" "irqchip mismatch"
XLHV_IRQCHIP=0 dc restore 3 "$T/n.state" "$T/n2.log" >/dev/null ||
	fail "restore without irqchip"
wait_reports "$T/n2.log" 3
grep -q 'assertion failed' "$T/n2.log" && fail "memtouch assertion without irqchip"
dc destroy 3 || fail "destroy 3"

# 6. In the foreground the console goes on on standard output.
st=0
out=$(timeout 2 "$XLHV" run --restore "$T/s1.state" 2>&1) || st=$?
[ "$st" -eq 124 ] || fail "foreground restore ended early ($st): $out"
assert_match "$out" "^memtouch: pass [0-9]+$" "foreground restore's console"

# 7. A guest with a disk: the virtio-blk transport is saved, and the
# restoring monitor must be given the disk again.
truncate -s 4M "$T/disk2.img"
"$XLHV" run --kernel "$G/memtouch" --memory 16 --disk "$T/disk2.img" \
	--cmdline "pages=512 passes=0 report=50" --domid 4 \
	--control "$XLD_RUNDIR/dom/4.sock" --console-log "$T/d1.log" &
for _ in $(seq 100); do [ -S "$XLD_RUNDIR/dom/4.sock" ] && break; sleep 0.1; done
wait_reports "$T/d1.log" 2
dc save 4 "$T/d.state" destroy >/dev/null || fail "save with a disk"
wait
hv_run --restore "$T/d.state"
[ "$st" -eq 2 ] || fail "restore without its disk: exit $st"
assert_match "$out" "1 devices here|here \(the same devices" "restore without its disk"
st=0
out=$(timeout 2 "$XLHV" run --restore "$T/d.state" --disk "$T/disk2.img" 2>&1) || st=$?
[ "$st" -eq 124 ] || fail "restore with its disk ended ($st): $out"
assert_match "$out" "^memtouch: pass [0-9]+$" "restore with its disk"

echo "hv-save: 64 MiB memtouch (2 vCPUs): state file $bytes bytes," \
	"save $((save_ns / 1000000)) ms, restore to running $restore_ms ms;" \
	"passes $before -> $first..$after"
