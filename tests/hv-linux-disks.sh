#!/bin/sh
# Several disks for a Linux guest: Debian's kernel, booted by xlhv inside
# the test host (genuine AMD SVM) with three ext4 disks, finds them through
# ACPI as vda, vdb and vdc in the order of --disk (each names its file as
# its serial), the third read-only; it mounts vdb, which interrupts on a
# GSI above the ISA range, and writes a file that we then find in the
# second image only.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"

if [ -z "${XLD_IN_TESTHOST:-}" ]; then
	for t in mkfs.ext4 debugfs; do
		command -v $t >/dev/null 2>&1 ||
			fail "$t not found: apt-get install e2fsprogs"
	done
	"$top_srcdir/tests/images/fetch" >&2 ||
		fail "tests/images/fetch could not build the images"
	for n in 0 1 2; do
		mkfs.ext4 -q -F -L "xld$n" "$T/d$n.img" 16M >/dev/null 2>&1 ||
			fail "mkfs.ext4 d$n.img failed"
	done
	before=$(cksum <"$T/d2.img")
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	XLD_IN_TESTHOST=1 XLD_DISKS_DIR="$T" \
		"$top_srcdir/tests/testhost/run" --timeout 400 -- "$self"
	rc=$?
	[ "$rc" -eq 0 ] || fail "inside the test host (status $rc)"
	got=$(debugfs -R "cat /second.txt" "$T/d1.img" 2>/dev/null)
	[ "$got" = "on-the-second-disk" ] ||
		fail "the guest's file on the second disk: '$got'"
	for n in 0 2; do
		debugfs -R "stat /second.txt" "$T/d$n.img" 2>&1 |
			grep -q 'File not found' ||
			fail "the guest's file is on d$n.img too"
	done
	[ "$(cksum <"$T/d2.img")" = "$before" ] || fail "the read-only disk changed"
	echo "hv-linux-disks: vdb is the second --disk, and holds the guest's file"
	exit 0
fi

# --- inside the test host ---------------------------------------------------
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
"$XLHV" info | grep -q '^runs_linux: yes' ||
	fail "the test host's KVM cannot run Linux: $("$XLHV" info 2>&1)"

D=$XLD_DISKS_DIR
run='for d in vda vdb vdc; do echo DISK $d $(cat /sys/block/$d/serial) ro=$(cat /sys/block/$d/ro); done; grep virtio /proc/interrupts'
set +e
timeout 150 "$XLHV" run --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 256 \
	--disk "$D/d0.img" --disk "$D/d1.img" --disk-ro "$D/d2.img" \
	--cmdline "console=ttyS0 quiet panic=-1 pci=off xl.mount=/dev/vdb xl.write=second.txt:on-the-second-disk xl.run=\"$run\" xl.action=poweroff" \
	</dev/null >"$T/console.log" 2>&1
st=$?
set -e
out=$(cat "$T/console.log")
[ "$st" -eq 0 ] || fail "xlhv exited $st: $out"
assert_match "$out" '^XLD-GUEST-MOUNTED /dev/vdb on /mnt type ext4' "vdb mounted"
assert_match "$out" '^XLD-GUEST-WROTE /mnt/second.txt' "wrote on vdb"
assert_match "$out" '^DISK vda d0\.img ro=0' "vda is the first --disk"
assert_match "$out" '^DISK vdb d1\.img ro=0' "vdb is the second --disk"
assert_match "$out" '^DISK vdc d2\.img ro=1' "vdc is the third, read-only"
# vdb (slot 10) completed its requests through its interrupt, GSI 16.
assert_match "$out" '^ *16: +[1-9][0-9]* +IO-APIC +16-fasteoi +virtio' \
	"interrupts on GSI 16"
printf '%s\n' "$out" | grep -E '^DISK|virtio' | sed 's/^/hv-linux-disks: /' >&2
echo "hv-linux-disks: the guest found its three disks in order"
