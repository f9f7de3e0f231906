#!/bin/sh
# virtio-blk: the vblk guest reads what we put on the disk, writes a sector
# we then find in the file, sees a read-only disk refuse writes, and breaks
# its ring four ways: each time only the device stops, never the monitor.
# Then eight disks, each found in its place in the guest's order, and a
# guest saved with two disks restored with the same two, not with one.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

disk="$T/disk.img"
truncate -s 32K "$disk"
printf 'XLHV-DISK %s' "$TESTNAME" | dd of="$disk" bs=512 seek=1 conv=notrunc \
	2>/dev/null

hv_run 0 run --kernel "$GUESTS/vblk" --disk "$disk" --cmdline sectors=64
assert_match "$out" '^vblk: id disk\.img$' "GET_ID gives the file name"
assert_match "$out" "^vblk: sector 1: XLHV-DISK $TESTNAME\$" "guest read"
assert_match "$out" '^vblk: sector 2 written and read back$' "guest wrote"
assert_match "$out" '^vblk: ok$' "error statuses"
# The guest wrote byte i ^ 0x5a at offset i of sector 2: 0 ^ 0x5a ...
want=5a5b58595e5f5c5d5253505156575455
got=$(dd if="$disk" bs=1 skip=1024 count=16 2>/dev/null | od -An -tx1 |
	tr -d ' \n')
[ "$got" = "$want" ] || fail "sector 2 on disk: $got, want $want"

cp "$disk" "$T/ro.img"
before=$(cksum <"$T/ro.img")
hv_run 0 run --kernel "$GUESTS/vblk" --disk-ro "$T/ro.img" \
	--cmdline "sectors=64 ro=1"
assert_match "$out" '^vblk: read-only write refused$' "read-only disk"
[ "$(cksum <"$T/ro.img")" = "$before" ] || fail "read-only disk changed"

for bad in 1 2 3 4; do
	hv_run 0 run --kernel "$GUESTS/vblk" --disk "$disk" --cmdline bad=$bad
	assert_match "$out" 'vblk: .*: device needs reset' "bad=$bad guest"
	assert_match "$out" 'xlhv: vblk0: queue 0: .*: device needs reset' \
		"bad=$bad monitor message"
done

hv_run 2 run --kernel "$GUESTS/vblk" --disk "$T/none.img"
assert_match "$out" "^xlhv: disk $T/none.img: No such file or directory\$" \
	"missing disk"
hv_run 2 run --kernel "$GUESTS/vblk" --disk "$T"
assert_match "$out" "^xlhv: disk $T: Is a directory\$" "directory as disk"
# Eight disks, the most a guest has, in the order given: the guest visits
# each on its slot (0, then 10..16) and finds that file's sector 1, size
# and name; it writes byte N over sector 2 of disk N, except the
# read-only one, and each write lands in its own file.
args=
for n in 0 1 2 3 4 5 6 7; do
	truncate -s $((32 + n))K "$T/d$n.img"
	printf 'DISK-%s' $n | dd of="$T/d$n.img" bs=512 seek=1 conv=notrunc \
		2>/dev/null
	if [ $n = 5 ]; then
		args="$args --disk-ro $T/d$n.img"
	else
		args="$args --disk $T/d$n.img"
	fi
done
hv_run 0 run --kernel "$GUESTS/vblk" $args --cmdline "sectors=64 disks=8"
for n in 1 2 3 4 5 6 7; do
	assert_match "$out" "^vblk: disk $n: id d$n\\.img, $((64 + 2 * n)) sectors\$" \
		"disk $n found in its place"
	assert_match "$out" "^vblk: disk $n: sector 1: DISK-$n\$" "disk $n read"
	want=$(printf '%02x' $n)
	[ $n = 5 ] && want=00
	got=$(dd if="$T/d$n.img" bs=1 skip=1024 count=512 2>/dev/null |
		od -An -tx1 -v | tr ' ' '\n' | grep . | sort -u | tr -d '\n')
	[ "$got" = "$want" ] || fail "d$n.img sector 2 holds $got, want $want"
done
assert_match "$out" '^vblk: disk 5: read-only$' "disk 5 read-only"
[ "$(printf '%s\n' "$out" | grep -c '^vblk: disk [1-7]: ')" = 21 ] ||
	fail "not 7 more disks visited: $out"

hv_run 2 run --kernel "$GUESTS/vblk" $args --disk "$disk"
assert_match "$out" "^xlhv: --disk $disk: a guest has at most 8 disks\$" \
	"a ninth disk"
hv_run 2 run --kernel "$GUESTS/vblk" --disk "$disk" --disk-ro "$disk"
assert_match "$out" 'given twice, and a disk that may be written' \
	"a writable disk given twice"
# Read-only, a file may be given twice.
hv_run 0 run --kernel "$GUESTS/vblk" --disk-ro "$T/ro.img" \
	--disk-ro "$T/ro.img" --cmdline "sectors=64 ro=1 disks=2"
assert_match "$out" '^vblk: disk 1: sector 1: XLHV-DISK ' "same file twice"
# The second disk failing stops the monitor as the first would.
hv_run 2 run --kernel "$GUESTS/vblk" --disk "$disk" --disk "$T/none.img"
assert_match "$out" "^xlhv: disk $T/none.img: No such file or directory\$" \
	"missing second disk"
# Saved with two disks, a guest resumes with the same two in the same
# order; with one fewer it is refused, naming the device that differs.
DCTOOL="$top_builddir/tests/dctool"
mkdir -p "$T/run/dom"
"$XLHV" run --kernel "$GUESTS/memtouch" --disk "$disk" --disk-ro "$T/ro.img" \
	--domid 1 --control "$T/run/dom/1.sock" \
	--cmdline "pages=64 passes=0 report=10000" >"$T/m1.log" 2>&1 &
mpid=$!
kill_mon() { kill -9 "$mpid" 2>/dev/null; true; }
hvt_on_exit kill_mon
for _ in $(seq 100); do
	[ -S "$T/run/dom/1.sock" ] && break
	sleep 0.1
done
out=$("$DCTOOL" "$T/run" save 1 "$T/two.state" destroy 2>&1) ||
	fail "save with two disks: $out $(cat "$T/m1.log")"
wait "$mpid" 2>/dev/null || true
set +e
out=$(timeout 3 "$XLHV" run --restore "$T/two.state" --disk "$disk" \
	--disk-ro "$T/ro.img" 2>&1)
st=$?
set -e
[ "$st" = 124 ] || fail "restore with the same two disks: status $st: $out"
assert_match "$out" '^memtouch: pass [0-9]+$' "the restored guest runs on"
hv_run 2 run --restore "$T/two.state" --disk "$disk"
assert_match "$out" "device [0-9]+ is \"vblk1\" in the file, but \"vballoon\" here" \
	"restore with one disk fewer"
echo "virtio-blk works, up to 8 disks, and survives a hostile driver"
