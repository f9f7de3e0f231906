#!/bin/sh
# The guest initramfs's xl.action= keys and its power button, with Debian's
# kernel as a KVM guest (QEMU's microvm) inside the test host: reboot and
# panic stop the guest the way they say, and in xl.action=wait the ACPI
# power button (QEMU's system_powerdown) powers it off in an orderly way.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}

hvt_in_testhost 300 "$0"

# --- inside the test host ---------------------------------------------------
[ -r "$IMG/vmlinux" ] && [ -r "$IMG/guest-initrd.img" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	fail "qemu-system-x86_64 not found: apt-get install qemu-system-x86"

CMDLINE="console=ttyS0 quiet panic=-1 reboot=t pci=off initcall_blacklist=cmos_init"
# start NAME KEYS: boot the guest in the background with a human monitor
# on the FIFOs $T/NAME.mon.in/.out; console in $T/NAME.log.
start() {
	name=$1
	mkfifo "$T/$name.mon.in" "$T/$name.mon.out"
	timeout 120 qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 256 \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$T/$name.log" \
		-chardev "pipe,id=mon,path=$T/$name.mon" -mon chardev=mon,mode=readline \
		-kernel "$IMG/vmlinux" -initrd "$IMG/guest-initrd.img" \
		-append "$CMDLINE $2" </dev/null >"$T/$name.qemu" 2>&1 &
	qemu=$!
	# Keep the monitor's output drained and its input open.
	cat "$T/$name.mon.out" >/dev/null &
	exec 3>"$T/$name.mon.in"
}
# finish NAME: wait for QEMU, which must exit 0; the console into $log.
finish() {
	wait $qemu
	status=$?
	exec 3>&-
	echo "images-actions: $1: QEMU exited $status" >&2
	sed 's/^/  | /' "$T/$1.log" >&2
	[ "$status" -ne 124 ] || fail "$1: the guest did not stop within 120 s"
	[ "$status" -eq 0 ] || fail "$1: QEMU exited $status: $(cat "$T/$1.qemu")"
	log=$(cat "$T/$1.log")
}
stop_qemu() { [ -n "${qemu:-}" ] && kill "$qemu" 2>/dev/null; return 0; }
hvt_on_exit stop_qemu

start reboot "xl.action=reboot"
finish reboot
assert_match "$log" '^XLD-GUEST-ACTION reboot' "reboot requested"
assert_match "$log" 'reboot: Restarting system' "kernel restarted"

start panic "xl.action=panic"
finish panic
assert_match "$log" '^XLD-GUEST-ACTION panic' "panic requested"
assert_match "$log" 'Kernel panic - not syncing: sysrq triggered crash' "kernel panicked"

start button "xl.action=wait"
i=0
until grep -q '^XLD-GUEST-WAITING' "$T/button.log"; do
	i=$((i + 1))
	[ $i -lt 900 ] && kill -0 $qemu 2>/dev/null ||
		fail "the guest never reached xl.action=wait: $(cat "$T/button.log")"
	sleep 0.1
done
echo system_powerdown >&3
finish button
assert_match "$log" '^XLD-GUEST-POWERBUTTON' "power button seen by the guest"
assert_match "$log" '^XLD-GUEST-ACTION poweroff' "poweroff after the power button"
assert_match "$log" 'reboot: Power down' "kernel powered off"
