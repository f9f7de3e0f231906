#!/bin/bash
# Disks (disk=) through xld, with the real xl, real monitors, the vblk test
# guest and Debian's xenstore tools:
#  - the guest reads the sector the image holds and writes one back; when
#    it powers off (on_poweroff=destroy) every vbd node goes;
#  - access r: the monitor gets --disk-ro, the guest's write fails and
#    the file is unchanged; access w on a read-only file system is refused
#    (xlhv would quietly fall back to read-only);
#  - a running guest's disk: Xen's backend and frontend nodes, state 4,
#    xl block-list shows it; the same image (by another path, a hard link)
#    is refused to a second domain, writable or not, naming the target and
#    the domain; read-only disks are shared; destroy frees the image;
#  - a block device (a loop device): read by the guest, physical-device,
#    the same device through another node refused, refused writable while
#    the host holds it (O_EXCL, as a mount does);
#  - xld killed and started again still refuses the image in use; a
#    restart (on_reboot) moves the nodes to the new domid, never two; a
#    preserved domain keeps its nodes but, shut down, no longer its image;
#  - bad disks named: missing target, a directory, an empty CD-ROM drive,
#    qcow2, a relative path, nine disks, two on one device, a block
#    script; nothing is left behind.  A CD-ROM with an image is read-only;
#  - three disks given out of order reach the guest in devid order (xvda,
#    xvdb, xvdc), each with its file and mode; block-list lists all three
#    connected (state 4); destroy removes them all.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
command -v xenstore-ls >/dev/null || skip "xenstore-utils is missing"

# xld in a mount namespace of its own where $T/rofs is mounted read-only
# (when the machine lets us: otherwise that one check is skipped).
mkdir "$T/rofs"
truncate -s 32K "$T/rofs/ro.img"
mount_ns=
unshare -m --propagation private true 2>/dev/null && mount_ns=yes
start_xld() {
	rm -f "$T/rofs.ok"
	if [ -n "$mount_ns" ]; then
		unshare -m --propagation private sh -c \
			'mount --bind -o ro "$1" "$1" 2>/dev/null && : >"$2"; exec "$3" --foreground' \
			sh "$T/rofs" "$T/rofs.ok" "$XLD" 2>>"$T/xld.stderr" &
	else
		"$XLD" --foreground 2>>"$T/xld.stderr" &
	fi
	XLD_PID=$!
	wait_for 10 "xld answers" sh -c '"$1" list >/dev/null 2>&1' sh "$XL"
}
start_xld

rd() { xenstore-read "$1" 2>&1 || fail "xenstore-read $1: failed"; }
bnodes() { xenstore-ls /local/domain/0/backend/vbd 2>/dev/null; }
# nothing_left WHAT: no vbd node, no domain, no monitor.
nothing_left() {
	[ -z "$(bnodes)" ] || fail "$1: backend nodes left: $(bnodes)"
	[ -z "$("$XL" list | tail -n +3)" ] || fail "$1: a domain is left: $("$XL" list)"
	[ -z "$(xld_monitors)" ] || fail "$1: a monitor is left"
}
# bad NAME WHAT REGEX KEY=VALUE...: create must fail with REGEX, in one line.
bad() {
	n=$1 what=$2 re=$3
	shift 3
	mkcfg "$n" idle "$@"
	out=$("$XL" create -q "$T/$n.cfg" 2>&1) && fail "$what: accepted"
	assert_match "$out" "$re" "$what"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$what: more than one line: $out"
	[ -z "$(row "$n")" ] || fail "$what: domain $n exists"
}
# monitor_argv NAME: the command line of NAME's monitor.
monitor_argv() {
	pid=$(pgrep -f -- "--control $XLD_RUNDIR/dom/$("$XL" domid "$1").sock") ||
		fail "no monitor for $1"
	tr '\0' ' ' <"/proc/$pid/cmdline"
}

img=$T/disk.img
truncate -s 32K "$img"
printf 'XLD-DISK %s' "$TESTNAME" | dd of="$img" bs=512 seek=1 conv=notrunc 2>/dev/null

# --- the guest reads and writes the disk the config names ---------------------
create rw vblk "disk = ['$img,raw,xvda,w']" 'cmdline = "sectors=64"'
wait_for 30 "rw powered off and destroyed" gone rw
log=$XLD_LOGDIR/console/rw.log
grep -q '^vblk: id disk\.img$' "$log" || fail "guest: GET_ID: $(cat "$log")"
grep -q "^vblk: sector 1: XLD-DISK $TESTNAME\$" "$log" ||
	fail "guest did not read the image: $(cat "$log")"
grep -q '^vblk: sector 2 written and read back$' "$log" || fail "guest write: $(cat "$log")"
grep -q '^vblk: ok$' "$log" || fail "guest checks: $(cat "$log")"
got=$(dd if="$img" bs=1 skip=1024 count=16 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ "$got" = 5a5b58595e5f5c5d5253505156575455 ] || fail "sector 2 on disk: $got"
nothing_left "poweroff, on_poweroff=destroy"
echo "xld-disk: the guest read and wrote $img; poweroff removed its nodes"

# --- access r: the guest cannot write ------------------------------------------
cp "$img" "$T/ro.img"
before=$(cksum <"$T/ro.img")
create ro vblk "disk = ['$T/ro.img,raw,xvda,r']" 'cmdline = "sectors=64 ro=1"' \
	'on_poweroff = "preserve"'
pkept() { [ -n "$("$XL" list | awk '$1 ~ /^ro-/')" ]; }
wait_for 30 "ro preserved" pkept
grep -q '^vblk: read-only write refused$' "$XLD_LOGDIR/console/ro.log" ||
	fail "read-only: the guest's write was not refused: $(cat "$XLD_LOGDIR/console/ro.log")"
grep -q '^vblk: ok$' "$XLD_LOGDIR/console/ro.log" || fail "read-only: guest checks"
[ "$(cksum <"$T/ro.img")" = "$before" ] || fail "a read-only disk was written"
# preserved: its nodes stay, its frontend rewritten in the new home
p=$("$XL" list | awk '$1 ~ /^ro-/ { print $2 }')
[ "$(rd /local/domain/0/backend/vbd/$p/51712/mode)" = r ] || fail "preserved: mode"
[ "$(rd /local/domain/$p/device/vbd/51712/state)" = 4 ] || fail "preserved: frontend"
# shut down, it writes nothing: the image may be written elsewhere
create after idle "disk = ['$T/ro.img,raw,xvda,w']"
"$XL" destroy after || fail "destroy after"
"$XL" destroy "$p" || fail "destroy the preserved ro"
nothing_left "destroy a preserved domain"
echo "xld-disk: access r is read-only for the guest; preserve keeps the nodes"

if [ -e "$T/rofs.ok" ]; then
	bad rofs "access w on a read-only file system" \
		"disk xvda: target $T/rofs/ro\.img cannot be opened for writing \(access w\): Read-only file system" \
		"disk = ['$T/rofs/ro.img,raw,xvda,w']"
	create rofsr idle "disk = ['$T/rofs/ro.img,raw,xvda,r']"
	assert_match "$(monitor_argv rofsr)" "--disk-ro $T/rofs/ro\.img( |\$)" "the monitor's --disk-ro"
	"$XL" destroy rofsr || fail "destroy rofsr"
	nothing_left "read-only file system"
	echo "xld-disk: access w on a read-only file system refused, r accepted"
else
	echo "xld-disk: cannot mount read-only here (mount namespace): that check skipped"
fi

# --- a running guest's disk: nodes, state 4, block-list, in use ---------------
create hold idle "disk = ['$img,raw,xvda,w']"
d=$("$XL" domid hold)
assert_match "$(monitor_argv hold)" "--disk $img( |\$)" "the monitor's --disk"
BE=/local/domain/0/backend/vbd/$d/51712
FE=/local/domain/$d/device/vbd/51712
[ "$(rd "$BE/frontend")" = "$FE" ] || fail "backend frontend"
[ "$(rd "$BE/frontend-id")" = "$d" ] || fail "backend frontend-id"
[ "$(rd "$BE/params")" = "$img" ] || fail "backend params"
[ "$(rd "$BE/mode")" = w ] || fail "backend mode"
[ "$(rd "$BE/type")" = qdisk ] || fail "backend type"
[ "$(rd "$BE/online")" = 1 ] || fail "backend online"
[ "$(rd "$BE/dev")" = xvda ] || fail "backend dev"
[ "$(rd "$BE/device-type")" = disk ] || fail "backend device-type"
[ "$(rd "$BE/sectors")" = 64 ] || fail "backend sectors"
[ "$(rd "$BE/info")" = 0 ] || fail "backend info"
[ "$(rd "$BE/state")" = 4 ] || fail "backend state"
[ "$(rd "$FE/backend")" = "$BE" ] || fail "frontend backend"
[ "$(rd "$FE/backend-id")" = 0 ] || fail "frontend backend-id"
[ "$(rd "$FE/virtual-device")" = 51712 ] || fail "frontend virtual-device"
[ "$(rd "$FE/device-type")" = disk ] || fail "frontend device-type"
[ "$(rd "$FE/state")" = 4 ] || fail "frontend state"
# the guest may read its backend, not write it; it owns its frontend
assert_match "$(xenstore-ls -p "$BE" | head -1)" "n0,r$d" "backend perms"
assert_match "$(xenstore-ls -p "$(dirname "$FE")" | head -1)" "n$d,r0" "frontend perms"
out=$("$XL" block-list hold) || fail "block-list hold"
[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || fail "block-list rows: $out"
assert_match "$(printf '%s\n' "$out" | sed -n 2p)" "^51712 0   $d +4 +-1 +-1 +$BE *\$" "block-list row"

# the same file by another name is the same disk
ln "$img" "$T/hard.img"
bad two "a disk written elsewhere, read-only" \
	"disk xvdb: target $T/hard\.img is in use by domain $d \(hold\) as its writable disk xvda" \
	"disk = ['$T/hard.img,raw,xvdb,r']"
bad two "a disk written elsewhere, writable" \
	"disk xvda: target $T/hard\.img is in use by domain $d \(hold\) as its writable disk xvda" \
	"disk = ['$T/hard.img,raw,xvda,w']"
[ "$(xenstore-list /local/domain/0/backend/vbd)" = "$d" ] ||
	fail "a refused domain left nodes: $(bnodes)"
echo "xld-disk: a running guest's disk: Xen's nodes, state 4, not shared"

# --- xld killed and started again still knows who has the image -------------
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
start_xld
bad two "a disk in use, after an xld restart" \
	"target $T/hard\.img is in use by domain $d \(hold\)" \
	"disk = ['$T/hard.img,raw,xvdb,r']"
"$XL" destroy hold || fail "destroy hold"
nothing_left "destroy after an xld restart"
xenstore-exists "$BE" 2>/dev/null && fail "$BE is left"
xenstore-exists "/local/domain/$d/device/vbd" 2>/dev/null && fail "frontends left"
# and the image is free again
create again idle "disk = ['$T/hard.img,raw,xvda,w']"
"$XL" destroy again || fail "destroy again"
echo "xld-disk: in use across an xld restart; destroy frees the image"

# --- read-only disks are shared; not with a writer ---------------------------
create r1 idle "disk = ['$img,raw,xvda,r']"
create r2 idle "disk = ['$T/hard.img,raw,xvdb,r']"
r1=$("$XL" domid r1)
bad w3 "a writable disk others read" \
	"disk xvda: target $img is in use by domain $r1 \(r1\) as its read-only disk xvda" \
	"disk = ['$img,raw,xvda,w']"
"$XL" destroy r1 && "$XL" destroy r2 || fail "destroy r1, r2"
nothing_left "shared read-only"

# --- several disks: the guest finds them in devid order ----------------------
# Given as xvdc, xvda, xvdb: the monitor gets them as xvda, xvdb, xvdc, and
# the guest finds each file in that order (vda, vdb, vdc for Linux).
for x in a:32 b:33 c:34; do
	truncate -s "${x#*:}K" "$T/m${x%:*}.img"
	printf 'DISK-%s' "${x%:*}" |
		dd of="$T/m${x%:*}.img" bs=512 seek=1 conv=notrunc 2>/dev/null
done
mdisks="disk = ['$T/mc.img,raw,xvdc,w', '$T/ma.img,raw,xvda,w', '$T/mb.img,raw,xvdb,r']"
create multi vblk "$mdisks" 'cmdline = "sectors=64 disks=3"'
wait_for 30 "multi powered off and destroyed" gone multi
log=$XLD_LOGDIR/console/multi.log
grep -q '^vblk: sector 1: DISK-a$' "$log" || fail "first disk is not xvda: $(cat "$log")"
grep -q '^vblk: ok$' "$log" || fail "multi: guest checks: $(cat "$log")"
grep -q '^vblk: disk 1: id mb\.img, 66 sectors$' "$log" || fail "second disk is not xvdb: $(cat "$log")"
grep -q '^vblk: disk 1: read-only$' "$log" || fail "xvdb (access r) was writable: $(cat "$log")"
grep -q '^vblk: disk 2: id mc\.img, 68 sectors$' "$log" || fail "third disk is not xvdc: $(cat "$log")"
grep -q '^vblk: disk 2: sector 2 written$' "$log" || fail "xvdc write: $(cat "$log")"
[ "$(od -An -tx1 -j1024 -N4 "$T/mc.img" | tr -d ' ')" = 02020202 ] ||
	fail "the guest's write to its third disk is not in mc.img"
nothing_left "three disks, poweroff"
create multi idle "$mdisks"
d=$("$XL" domid multi)
assert_match "$(monitor_argv multi)" \
	"--disk $T/ma\.img --disk-ro $T/mb\.img --disk $T/mc\.img( |\$)" \
	"the monitor's disks in devid order"
out=$("$XL" block-list multi) || fail "block-list multi"
[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] || fail "block-list multi rows: $out"
n=2
for id in 51712 51728 51744; do
	assert_match "$(printf '%s\n' "$out" | sed -n ${n}p)" \
		"^$id 0 +$d +4 +-1 +-1 +/local/domain/0/backend/vbd/$d/$id *\$" \
		"block-list row $n"
	[ "$(rd /local/domain/$d/device/vbd/$id/state)" = 4 ] || fail "frontend $id state"
	n=$((n + 1))
done
[ "$(rd /local/domain/0/backend/vbd/$d/51728/mode)" = r ] || fail "xvdb mode"
"$XL" destroy multi || fail "destroy multi"
nothing_left "three disks, destroy"
xenstore-exists "/local/domain/$d/device/vbd" 2>/dev/null && fail "multi: frontends left"
echo "xld-disk: three disks reach the guest in devid order, all connected"

# --- a restart moves the nodes to the new domid ------------------------------
create rb reboot "disk = ['$img,raw,xvda,w']" 'on_reboot = "restart"'
first=$(field rb domid)
restarted() {
	d=$(field rb domid)
	[ -n "$d" ] && [ "$d" != null ] && [ "$d" != "$first" ]
}
wait_for 20 "rb restarted" restarted
# each sample: the nodes of one domid at most (the old gone before the new)
for i in 1 2 3 4 5 6 7 8 9 10; do
	n=$(xenstore-list /local/domain/0/backend/vbd 2>/dev/null | wc -l)
	[ "$n" -le 1 ] || fail "restart: vbd nodes of $n domains: $(bnodes)"
done
"$XL" destroy rb 2>/dev/null || true
wait_for 10 "rb gone" gone rb
nothing_left "restart, then destroy"
grep -q "in use by domain" "$T/xld.stderr" && fail "a restart found its own disk in use"
echo "xld-disk: restarts move the vbd nodes, never two domids at once"

# --- a block device: a loop device over an image, when one can be made ------
cp "$img" "$T/blk.img"
loop=$(losetup --find --show "$T/blk.img" 2>/dev/null) || loop=
if [ -n "$loop" ] && [ -b "$loop" ]; then
	loop_cleanup() { losetup -d "$loop" 2>/dev/null; true; }
	hvt_on_exit loop_cleanup
	create bg vblk "disk = ['$loop,raw,xvda,w']" 'cmdline = "sectors=64"'
	wait_for 30 "bg powered off and destroyed" gone bg
	grep -q "^vblk: sector 1: XLD-DISK $TESTNAME\$" "$XLD_LOGDIR/console/bg.log" ||
		fail "guest did not read $loop: $(cat "$XLD_LOGDIR/console/bg.log")"
	create bd idle "disk = ['$loop,raw,xvda,w']"
	b=$("$XL" domid bd)
	mm=$(printf '%x:%x' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")
	[ "$(rd /local/domain/0/backend/vbd/$b/51712/physical-device)" = "$mm" ] ||
		fail "physical-device of $loop: want $mm"
	[ "$(rd /local/domain/0/backend/vbd/$b/51712/sectors)" = 64 ] || fail "$loop sectors"
	# another node of the same device is the same disk (where $T allows
	# device nodes: not on a nodev mount)
	mknod "$T/loopcopy" b "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")"
	if head -c 1 "$T/loopcopy" >/dev/null 2>&1; then
		bad bd2 "another node of a device in use" \
			"disk xvda: target $T/loopcopy is in use by domain $b \(bd\) as its writable disk xvda" \
			"disk = ['$T/loopcopy,raw,xvda,r']"
	fi
	"$XL" destroy bd || fail "destroy bd"
	# a device the host holds (as a mount does) is not written by a guest
	python3 -c 'import os, sys, time
os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
open(sys.argv[2], "w").close()
time.sleep(120)' "$loop" "$T/held" &
	holder=$!
	wait_for 10 "$loop held" test -e "$T/held"
	bad bh "a device the host holds" \
		"disk xvda: target $loop is in use by the host \(mounted, or held by another driver\)" \
		"disk = ['$loop,raw,xvda,w']"
	create bhr idle "disk = ['$loop,raw,xvda,r']"
	"$XL" destroy bhr || fail "destroy bhr"
	kill "$holder"
	wait "$holder" 2>/dev/null
	nothing_left "block devices"
	echo "xld-disk: $loop read by the guest, shared by device number, refused while held"
else
	echo "xld-disk: no loop device can be made here: the block device checks skipped"
fi

# --- bad disks ------------------------------------------------------------------
bad m1 "a missing target" "disk xvda: target $T/none\.img: No such file or directory" \
	"disk = ['$T/none.img,raw,xvda,w']"
bad m2 "a directory" "disk xvda: target $T/rofs is not a regular file or a block device" \
	"disk = ['$T/rofs,raw,xvda,w']"
bad m3 "an empty CD-ROM drive" "disk hdc: an empty CD-ROM drive is not supported" \
	"disk = [',,hdc:cdrom,r']"
bad m4 "qcow2" "disk xvda: $img: format qcow2 is not supported" \
	"disk = ['format=qcow2,vdev=xvda,access=w,target=$img']"
bad m5 "a relative target" "disk xvda: target 'disk\.img' is not an absolute path" \
	"disk = ['disk.img,raw,xvda,w']"
nine="'$img,raw,xvda,w'"
for x in b c d e f g h i; do nine="$nine, '$T/ro.img,raw,xvd$x,r'"; done
bad m6 "nine disks" "9 disks: a domain has at most 8" "disk = [$nine]"
bad m8 "two disks on one device" "disk 51712: device 51712 is also disk xvda's" \
	"disk = ['$img,raw,xvda,w', '$T/ro.img,raw,51712,r']"
bad m7 "a block script" "disk xvda: script=block-iscsi: block hotplug scripts are not supported" \
	"disk = ['vdev=xvda,access=w,script=block-iscsi,target=$img']"
nothing_left "bad disks"
# a CD-ROM with an image: read-only, Xen's hdc number and info bits
create cd idle "disk = ['$img,raw,hdc:cdrom,r']"
c=$("$XL" domid cd)
assert_match "$(monitor_argv cd)" "--disk-ro $img( |\$)" "a CD-ROM's --disk-ro"
[ "$(rd /local/domain/0/backend/vbd/$c/5632/device-type)" = cdrom ] || fail "cdrom device-type"
[ "$(rd /local/domain/0/backend/vbd/$c/5632/removable)" = 1 ] || fail "cdrom removable"
[ "$(rd /local/domain/0/backend/vbd/$c/5632/info)" = 5 ] || fail "cdrom info"
[ "$(rd /local/domain/$c/device/vbd/5632/device-type)" = cdrom ] || fail "cdrom frontend"
"$XL" destroy cd || fail "destroy cd"
nothing_left "a CD-ROM"
echo "xld-disk: bad disks refused, each named"

xld_finish
