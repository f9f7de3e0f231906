#!/bin/bash
# xl save and xl restore through the real xld, xl and xlhv, with the
# memtouch guest (each page's byte the pass number, checked every pass):
#  - the file starts with Xen's xl header: its magic, byte order 0x01020304,
#    mandatory flags JSON|STREAMv2|KVM (0x80000003), optional 0, and the
#    domain's JSON config; xl says Xen's "Saving to ..." and "Loading new
#    save file ..."; the saved domain is gone, the restored one runs on
#    from the pass it was at, with no assertion;
#  - save -c leaves it running, save -p paused, -D keeps its domid;
#  - a Xen file (flags 0x3), a wrong magic, a wrong byte order, a file
#    truncated in its header or config are refused with Xen's messages,
#    exit 1, no domain left;
#  - a save onto a full filesystem fails and the guest runs on;
#  - XL_SAVE_VARIANTS (200; 150 in the test host) corrupt copies of a real file (a byte of the
#    stream flipped, or the file cut short, fixed seed) are all refused
#    with a message, no domain left behind, xld answering.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
[ -x "$GUESTS/memtouch" ] || fail "$GUESTS/memtouch is not built"
CON=$XLD_LOGDIR/console
t0=$(date +%s)

passes() { sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$1"; }
last_pass() { passes "$1" | tail -1 | grep . || echo 0; }
# wait_reports LOG N: until LOG holds at least N pass reports (60 s).
wait_reports() {
	for _ in $(seq 600); do
		[ "$(grep -c '^memtouch: pass' "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: fewer than $2 reports: $(tail -3 "$1")"
}
no_assert() {
	! grep -q 'assertion failed' "$1" || fail "memtouch: $(grep -m1 'assertion failed' "$1")"
}
# guests: the names xl list shows, Domain-0 aside
guests() { "$XL" list | awk 'NR > 2 { print $1 }' | sort | tr '\n' ' '; }
# expect_fail PATTERN CMD...: CMD exits 1 and says PATTERN.
expect_fail() {
	pat=$1
	shift
	st=0
	out=$("$@" 2>&1) || st=$?
	[ "$st" -eq 1 ] || fail "$*: exit $st, want 1: $out"
	printf '%s\n' "$out" | grep -qF -- "$pat" || fail "$*: no \"$pat\" in: $out"
}
# go_on LOG: the guest still counts: two more reports, no assertion
go_on() {
	n=$(grep -c '^memtouch: pass' "$1")
	wait_reports "$1" $((n + 2))
	no_assert "$1"
}

xld_start
create g memtouch memory=32 'extra = "pages=2048 passes=0 report=20"'
log=$CON/g.log
wait_reports "$log" 3
id=$("$XL" domid g)

# 1. Saved: Xen's header and message, the domain gone.
out=$("$XL" save g "$T/g.sav" 2>&1) || fail "xl save: $out"
assert_match "$out" "^Saving to $T/g.sav new xl format \(info 0x80000003/0x0/[0-9]+\)$" "save's message"
[ -z "$(row g)" ] || fail "g still listed after save: $(row g)"
before=$(last_pass "$log")
lines=$(wc -l <"$log")
magic=$(head -c 32 "$T/g.sav" | od -An -tx1 | tr -d ' \n')
[ "$magic" = 58656e20736176656420646f6d61696e2c20786c20666f726d61740a2000200d ] ||
	fail "magic: $magic"
words=$(od -An -tx4 -j32 -N12 "$T/g.sav" | tr -s ' ' | sed 's/^ //')
[ "$words" = "01020304 80000003 00000000" ] || fail "byte order, flags: $words"
optlen=$(od -An -tu4 -j44 -N4 "$T/g.sav" | tr -d ' ')
cfglen=$(od -An -tu4 -j48 -N4 "$T/g.sav" | tr -d ' ')
[ "$optlen" = $((cfglen + 4)) ] || fail "optdata $optlen for a config of $cfglen"
json=$(dd if="$T/g.sav" bs=1 skip=52 count=$((cfglen - 1)) 2>/dev/null)
[ "$(dd if="$T/g.sav" bs=1 skip=$((52 + cfglen - 1)) count=1 2>/dev/null | od -An -tx1 | tr -d ' ')" = 00 ] ||
	fail "the config has no NUL"
printf '%s' "$json" | python3 -c '
import json, sys
c = json.load(sys.stdin)
assert c["name"] == "g" and "domid" not in c, c' || fail "the saved config: $json"

# 2. Restored: it runs on from where it was.
out=$("$XL" restore "$T/g.sav" 2>&1) || fail "xl restore: $out"
assert_match "$out" "Loading new save file $T/g.sav \(new xl fmt info 0x80000003/0x0/$optlen\)" "restore's message"
assert_match "$out" "^ Savefile contains xl domain config in JSON format$" "restore's config line"
[ -n "$(row g)" ] || fail "g not listed after restore"
wait_reports "$log" $(($(grep -c '^memtouch: pass' "$log") + 3))
first=$(tail -n +$((lines + 1)) "$log" | sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' | head -1)
tail -n +$((lines + 1)) "$log" | grep -q 'pages from' && fail "the restored guest booted afresh"
[ "$first" -gt "$before" ] && [ "$first" -le $((before + 40)) ] ||
	fail "first pass after restore $first, last before $before"
no_assert "$log"

# 3. -c: it runs on; -p: it waits paused, and a restore -p of that file
#    waits paused too; -D keeps the domid in the config.
"$XL" save -c g "$T/c.sav" 2>/dev/null || fail "xl save -c"
[ -n "$(row g)" ] || fail "g gone after save -c"
go_on "$log"
"$XL" save -p g "$T/p.sav" 2>/dev/null || fail "xl save -p"
[ "$(field g state)" = paused ] || fail "state after save -p: $(field g state)"
p1=$(last_pass "$log"); sleep 1; p2=$(last_pass "$log")
[ "$p1" = "$p2" ] || fail "the guest ran while paused: $p1 -> $p2"
"$XL" unpause g || fail "unpause after save -p"
go_on "$log"
id=$("$XL" domid g)
"$XL" save -D g "$T/d.sav" 2>/dev/null || fail "xl save -D"
[ -z "$(row g)" ] || fail "g still there after save -D"
grep -aq "\"domid\": $id" "$T/d.sav" || fail "no domid $id in the -D file's config"
"$XL" restore -p "$T/d.sav" 2>/dev/null || fail "xl restore -p of the -D file"
[ "$("$XL" domid g)" = "$id" ] || fail "restored as $("$XL" domid g), not $id"
[ "$(field g state)" = paused ] || fail "restore -p: $(field g state)"
"$XL" unpause g || fail "unpause after restore -p"
go_on "$log"

# 4. Files that are not ours: Xen's messages, nothing created.
hdr() { python3 -c '
import sys
src, dst, off, val = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
b = bytearray(open(src, "rb").read(100000))
if val == "cut":
    b = b[:off]
else:
    b[off:off + 4] = int(val, 16).to_bytes(4, "little")
open(dst, "wb").write(b)' "$T/c.sav" "$2" "$1" "$3"; }
hdr 36 "$T/xen.sav" 3
expect_fail "Loading new save file $T/xen.sav (new xl fmt info 0x3/0x0/$optlen)" "$XL" restore "$T/xen.sav"
expect_fail "a Xen (libxc) domain stream" "$XL" restore "$T/xen.sav"
hdr 0 "$T/magic.sav" 0x214e4558
expect_fail "File has wrong magic number - corrupt or for a different tool?" "$XL" restore "$T/magic.sav"
hdr 32 "$T/order.sav" 0x04030201
expect_fail "File has wrong byte order" "$XL" restore "$T/order.sav"
hdr 36 "$T/flags.sav" 0x80000013
expect_fail "Savefile has mandatory flag(s) 0x10 which are not supported; need newer xl" "$XL" restore "$T/flags.sav"
hdr 40 "$T/short.sav" cut
expect_fail "truncated reading header" "$XL" restore "$T/short.sav"
hdr 60 "$T/shortopt.sav" cut
expect_fail "truncated reading optdata" "$XL" restore "$T/shortopt.sav"
hdr 48 "$T/cfglen.sav" 0x7fff
expect_fail "Savefile truncated." "$XL" restore "$T/cfglen.sav"
hdr 44 "$T/noopt.sav" 0
expect_fail "Config file not specified and none in save file" "$XL" restore "$T/noopt.sav"
expect_fail "Can't open restore file: No such file or directory" "$XL" restore "$T/none.sav"
[ "$(guests)" = "g " ] || fail "domains left by refused files: $(guests)"

# 5. A full filesystem: the save fails, the guest runs on.
mkdir "$T/full"
if mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
	st=0
	out=$("$XL" save g "$T/full/g.sav" 2>&1) || st=$?
	umount "$T/full"
	[ "$st" = 1 ] || fail "save onto a full filesystem: exit $st: $out"
	assert_match "$out" "Failed to save domain, resuming domain" "full filesystem"
	[ "$(field g state)" = running ] || [ "$(field g state)" = blocked ] ||
		fail "state after a failed save: $(field g state)"
	go_on "$log"
else
	echo "$TESTNAME: no tmpfs mount here: the full filesystem case is skipped" >&2
fi

# 6. Corrupt copies of a real (small) save file, all refused.
"$XL" destroy g || fail "destroy g"
create s memtouch memory=16 'extra = "pages=64 passes=0 report=100"'
wait_reports "$CON/s.log" 1
"$XL" save s "$T/s.sav" 2>/dev/null || fail "xl save s"
# 200 on a KVM host; in the emulated test host each takes 0.75 s: 150
n=${XL_SAVE_VARIANTS:-$([ -n "${XLD_IN_TESTHOST:-}" ] && echo 150 || echo 200)}
python3 - "$T/s.sav" "$T/bad" "$n" <<'PY' || fail "making the variants"
import random, struct, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
b = open(src, "rb").read()
body = 48 + struct.unpack_from("<I", b, 44)[0]  # the stream starts here
rng = random.Random(11)
for i in range(n):
    v = bytearray(b)
    if i % 3 == 2:
        v = v[:rng.randrange(0, len(v))]  # cut short anywhere
    else:
        k = rng.randrange(body, len(v))
        v[k] ^= 1 << rng.randrange(8)  # one bit of the stream flipped
    open("%s%d" % (dst, i), "wb").write(v)
PY
"$XL" destroy s 2>/dev/null || true
t1=$(date +%s)
for i in $(seq 0 $((n - 1))); do
	st=0
	out=$("$XL" restore -p "$T/bad$i" 2>&1) || st=$?
	[ "$st" = 1 ] || fail "variant $i: exit $st: $out"
	[ -n "$out" ] || fail "variant $i: refused without a message"
	printf '%s\n' "$out" | grep -q 'Sanitizer\|Segmentation' && fail "variant $i: $out"
	[ -z "$(guests)" ] || fail "variant $i left $(guests): $out"
done
"$XL" list >/dev/null || fail "xld does not answer after the variants"
kill -0 "$XLD_PID" || fail "xld died"
echo "$TESTNAME: $n corrupt variants refused in $(($(date +%s) - t1)) s"
xld_finish
echo "$TESTNAME: ok in $(($(date +%s) - t0)) s"
