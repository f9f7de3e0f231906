#!/bin/sh
# Debian's own kernel with tests/images' guest initramfs boots as a KVM
# guest (QEMU's microvm, which describes its virtio-mmio devices through
# ACPI) inside the test host: the init marker appears, two vCPUs are up,
# the guest mounts an ext4 virtio-blk disk made here and writes a file
# that is then read back from the image, and the guest powers off.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}

if [ -z "${XLD_IN_TESTHOST:-}" ]; then
	for t in mkfs.ext4 debugfs; do
		command -v $t >/dev/null 2>&1 ||
			fail "$t not found: apt-get install e2fsprogs"
	done
fi
hvt_in_testhost 300 "$0"

# --- inside the test host ---------------------------------------------------
[ -r "$IMG/vmlinux" ] && [ -r "$IMG/guest-initrd.img" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	fail "qemu-system-x86_64 not found: apt-get install qemu-system-x86"

# boot NAME QEMU-ARGS...: boot the guest, console in $T/NAME.log.
# pci=off skips PCI probing microvm does not need, and rtc-cmos is left
# out: its probe takes 8 s under nested emulation (see tests/images/README).
boot() {
	name=$1
	shift
	start=$(date +%s)
	timeout 120 qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 256 \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$T/$name.log" \
		-kernel "$IMG/vmlinux" -initrd "$IMG/guest-initrd.img" "$@" \
		</dev/null >"$T/$name.qemu" 2>&1
	status=$?
	echo "images-guest: $name: QEMU exited $status after $(( $(date +%s) - start )) s" >&2
	sed 's/^/  | /' "$T/$name.log" >&2
	[ "$status" -ne 124 ] || fail "$name: the guest did not stop within 120 s"
	[ "$status" -eq 0 ] || fail "$name: QEMU exited $status: $(cat "$T/$name.qemu")"
}
CMDLINE="console=ttyS0 quiet panic=-1 reboot=t pci=off initcall_blacklist=cmos_init"

truncate -s 64M "$T/disk.img"
mkfs.ext4 -q -F -L xldtest "$T/disk.img" || fail "mkfs.ext4 $T/disk.img failed"

keys="xl.mount=/dev/vda xl.write=hello.txt:written-by-the-guest"
keys="$keys xl.run=\"echo online=\$(cat /sys/devices/system/cpu/online)\""
boot disk -smp 2 \
	-drive "id=d0,file=$T/disk.img,format=raw,if=none" \
	-device virtio-blk-device,drive=d0 -append "$CMDLINE $keys"
log=$(cat "$T/disk.log")
assert_match "$log" '^XLD-GUEST-INIT uptime=[0-9]+\.[0-9]+ cpus=2 kernel=' "init marker with 2 CPUs"
assert_match "$log" '^XLD-GUEST-MODULES loaded=[1-9][0-9]* failed=0' "modules loaded"
assert_match "$log" '^online=0-1' "both CPUs online"
assert_match "$log" '^XLD-GUEST-MOUNTED /dev/vda on /mnt type ext4' "ext4 on virtio-blk mounted"
assert_match "$log" '^XLD-GUEST-WROTE /mnt/hello.txt' "file written"
assert_match "$log" '^XLD-GUEST-ACTION poweroff' "poweroff requested"
assert_match "$log" 'reboot: Power down' "kernel powered off"

got=$(debugfs -R 'cat /hello.txt' "$T/disk.img" 2>/dev/null)
[ "$got" = written-by-the-guest ] ||
	fail "the file the guest wrote reads back as '$got'"
e2fsck -fn "$T/disk.img" >"$T/fsck" 2>&1 ||
	fail "the guest left the file system unclean: $(cat "$T/fsck")"
echo "images-guest: $(grep '^XLD-GUEST-INIT' "$T/disk.log")"
