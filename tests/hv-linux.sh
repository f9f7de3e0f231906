#!/bin/sh
# Debian's unmodified kernel booted by xlhv.  Here (a KVM that cannot run
# Linux, such as PVM) xlhv refuses it at once with status 2.  Inside the
# test host (genuine AMD SVM) it boots: the PVH vmlinux with 2 vCPUs and an
# ext4 virtio-blk disk found through ACPI, which the guest mounts and
# writes a file to that we then read from the image, and powers off (0);
# the bzImage reboots (3); a panic is reported through pvpanic as a crash
# (4); a shutdown request to a managed monitor presses the ACPI power
# button and the guest powers off; bad images and a ramdisk too large are
# refused with status 2.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"
# pci=off: nothing on PCI; quiet: every console byte is an exit.
CMDLINE="console=ttyS0 quiet panic=-1 pci=off"

if [ -z "${XLD_IN_TESTHOST:-}" ]; then
	for t in mkfs.ext4 debugfs; do
		command -v $t >/dev/null 2>&1 ||
			fail "$t not found: apt-get install e2fsprogs"
	done
	"$top_srcdir/tests/images/fetch" >&2 ||
		fail "tests/images/fetch could not build the images"

	# A KVM that cannot run Linux (PVM) refuses it at once.
	if hvt_kvm_usable && "$XLHV" info | grep -q '^runs_linux: no'; then
		for k in vmlinuz vmlinux; do
			hv_run 2 run --kernel "$IMG/$k" --ramdisk "$RD" \
				--memory 256
			assert_match "$out" "^xlhv: kernel $IMG/$k: a Linux kernel needs hardware-assisted KVM" \
				"$k refused on this KVM"
			[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
				fail "$k: more than one line: $out"
		done
		echo "hv-linux: this KVM cannot run Linux: refused, status 2" >&2
	fi

	mkfs.ext4 -q -F -L xldtest "$T/disk.img" 32M >/dev/null 2>&1 ||
		fail "mkfs.ext4 failed"
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	XLD_IN_TESTHOST=1 XLD_LINUX_DISK="$T/disk.img" \
		"$top_srcdir/tests/testhost/run" --timeout 400 -- "$self"
	rc=$?
	[ "$rc" -eq 0 ] || fail "inside the test host (status $rc)"
	got=$(debugfs -R "cat /hello.txt" "$T/disk.img" 2>/dev/null)
	[ "$got" = "written-by-the-guest" ] ||
		fail "the guest's file on the disk image: '$got'"
	echo "hv-linux: Linux booted, and its file is on the disk"
	exit 0
fi

# --- inside the test host ---------------------------------------------------
[ -r "$IMG/vmlinux" ] && [ -r "$IMG/vmlinuz" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
"$XLHV" info | grep -q '^runs_linux: yes' ||
	fail "the test host's KVM cannot run Linux: $("$XLHV" info 2>&1)"

# Only a Linux kernel takes a ramdisk, and a missing one is named (both
# found while loading, once the VM exists).
hv_run 2 run --kernel "$GUESTS/hello" --ramdisk "$RD"
assert_match "$out" "^xlhv: ramdisk $RD: only a Linux kernel takes one" \
	"ramdisk with a test guest"
hv_run 2 run --kernel "$IMG/vmlinuz" --ramdisk "$T/none" --memory 256
assert_match "$out" "ramdisk $T/none: No such file" "missing ramdisk"

# boot NAME WANT ARGS...: run xlhv, console in $T/NAME.log; the time from
# the start to the init's marker line goes to stderr.
boot() {
	name=$1
	want=$2
	shift 2
	start=$(date +%s%N)
	{
		st=0
		timeout 120 "$XLHV" run "$@" </dev/null 2>&1 || st=$?
		echo $st >"$T/$name.status"
	} | while IFS= read -r line; do
		case $line in
		XLD-GUEST-INIT*) date +%s%N >"$T/$name.marker" ;;
		esac
		printf '%s\n' "$line"
	done >"$T/$name.log"
	end=$(date +%s%N)
	st=$(cat "$T/$name.status")
	out=$(cat "$T/$name.log")
	m=none
	[ -f "$T/$name.marker" ] &&
		m="$(( ($(cat "$T/$name.marker") - start) / 1000000 )) ms"
	echo "hv-linux: $name: status $st after $(( (end - start) / 1000000 )) ms; init marker after $m" >&2
	if [ "$st" -ne "$want" ]; then
		sed 's/^/  | /' "$T/$name.log" >&2
		[ "$st" -ne 124 ] || fail "$name: the guest did not stop in 120 s"
		fail "$name: xlhv exited $st, want $want"
	fi
	assert_match "$out" '^XLD-GUEST-INIT uptime=' "$name: init marker"
	assert_match "$out" '^XLD-GUEST-MODULES loaded=[0-9]+ failed=0' \
		"$name: modules"
}

# PVH, 2 vCPUs, the disk: mount, write, power off.
boot pvh 0 --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 256 --vcpus 2 \
	--disk "$XLD_LINUX_DISK" --cmdline "$CMDLINE xl.mount=/dev/vda xl.write=hello.txt:written-by-the-guest xl.action=poweroff"
assert_match "$out" '^XLD-GUEST-INIT .*cpus=2 ' "two vCPUs online"
assert_match "$out" '^XLD-GUEST-MOUNTED /dev/vda on /mnt type ext4' "mounted"
assert_match "$out" '^XLD-GUEST-WROTE' "wrote"
assert_match "$out" '^XLD-GUEST-ACTION poweroff' "poweroff"

# bzImage, one vCPU: reboot is status 3.
boot bzimage 3 --kernel "$IMG/vmlinuz" --ramdisk "$RD" --memory 256 \
	--cmdline "$CMDLINE xl.action=reboot"
assert_match "$out" '^XLD-GUEST-INIT .*cpus=1 ' "one vCPU"
assert_match "$out" '^XLD-GUEST-ACTION reboot' "reboot"

# A panic is a crash (pvpanic), not the reboot panic=-1 asks for.
boot panic 4 --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 256 \
	--cmdline "$CMDLINE xl.action=panic"
assert_match "$out" '^XLD-GUEST-ACTION panic' "panic"
assert_match "$out" 'xlhv: guest reported a panic through pvpanic' "pvpanic"

# The ACPI power button: a managed monitor (as xld starts it) with the
# guest up and waiting; a shutdown request through libdomctl presses the
# button, the guest's init sees it and powers off: shutdown, poweroff.
dc() { "$top_builddir/tests/dctool" "$XLD_RUNDIR" "$@"; }
mkdir -p "$XLD_RUNDIR/dom"
"$XLHV" run --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 256 \
	--cmdline "$CMDLINE xl.action=wait" --domid 1 \
	--control "$XLD_RUNDIR/dom/1.sock" --console-log "$T/button.log" \
	</dev/null >"$T/button.out" 2>&1 &
mon=$!
stop_monitor() { kill -TERM $mon 2>/dev/null; true; }
hvt_on_exit stop_monitor
i=0
until grep -q '^XLD-GUEST-WAITING' "$T/button.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 1200 ] && kill -0 $mon 2>/dev/null ||
		fail "the waiting guest never came up: $(cat "$T/button.out" "$T/button.log" 2>&1)"
	sleep 0.1
done
start=$(date +%s%N)
dc shutdown 1 poweroff || fail "shutdown request refused: $(cat "$T/button.out")"
i=0
until [ "$(dc info 1 | cut -d' ' -f3-4)" = "shutdown poweroff" ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || fail "no power-off after the power button: $(dc info 1); $(tail -5 "$T/button.log")"
	sleep 0.1
done
echo "hv-linux: power button: the guest was off $(( ($(date +%s%N) - start) / 1000000 )) ms after the request" >&2
dc destroy 1 || fail "destroy"
wait $mon || true
assert_match "$(cat "$T/button.log")" '^XLD-GUEST-POWERBUTTON' \
	"the guest saw the power button"

# Bad input: status 2 and one line naming the file, before any boot.
hv_run 2 run --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 64
assert_match "$out" "^xlhv: kernel $IMG/vmlinux: the kernel needs RAM up to [0-9]+ MiB" \
	"PVH kernel in 64 MiB"
hv_run 2 run --kernel "$IMG/vmlinuz" --ramdisk "$RD" --memory 32
assert_match "$out" "^xlhv: kernel $IMG/vmlinuz: the kernel needs RAM up to [0-9]+ MiB" \
	"bzImage in 32 MiB"
truncate -s 100M "$T/big.img"
hv_run 2 run --kernel "$IMG/vmlinuz" --ramdisk "$T/big.img" --memory 128
assert_match "$out" "^xlhv: ramdisk $T/big.img: too large" "ramdisk too large"
# The same after loading the PVH vmlinux: how long loading takes.
start=$(date +%s%N)
hv_run 2 run --kernel "$IMG/vmlinux" --ramdisk "$T/big.img" --memory 128
echo "hv-linux: loading vmlinux ($(($(stat -c %s "$IMG/vmlinux") >> 20)) MiB) and refusing the ramdisk took $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
assert_match "$out" "^xlhv: ramdisk $T/big.img: too large" "ramdisk too large (PVH)"
XLHV_IRQCHIP=0 hv_run 2 run --kernel "$IMG/vmlinux" --memory 256
assert_match "$out" "^xlhv: kernel $IMG/vmlinux: a Linux kernel needs KVM's in-kernel irqchip" \
	"no irqchip"
head -c 3000000 "$IMG/vmlinuz" >"$T/short"
hv_run 2 run --kernel "$T/short" --memory 256
assert_match "$out" "^xlhv: kernel $T/short: truncated" "truncated bzImage"
echo "hv-linux: PVH and bzImage boots, poweroff/reboot/panic, bad input: ok"
