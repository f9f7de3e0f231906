#!/bin/sh
# virtio-blk: the vblk guest reads what we put on the disk, writes a sector
# we then find in the file, sees a read-only disk refuse writes, and breaks
# its ring four ways: each time only the device stops, never the monitor.
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
hv_run 2 run --kernel "$GUESTS/vblk" --disk "$disk" --disk "$disk"
assert_match "$out" 'only one disk so far' "two disks"
echo "virtio-blk works and survives a hostile driver"
