#!/bin/sh
# xl vcpu-set with Debian's kernel: ACPI CPU hotplug end to end.  Inside
# the test host (genuine AMD SVM) a guest made by xl with vcpus = 1 and
# maxvcpus = 2 sees 1 CPU present and 2 possible; vcpu-set above maxvcpus
# fails naming maxcpus; `xl vcpu-set g 2` makes /sys/devices/system/cpu/
# cpu1 appear, the guest onlines it and /proc/cpuinfo shows 2, xl list
# shows 2 VCPUs and cpu/1/availability reads online; `xl vcpu-set g 1`
# has the guest offline and eject it: cpu1 goes away, and xl list shows 1.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"

hvt_in_testhost 400 "$0" "xl-vcpu-linux: a vCPU hot-added and ejected with xl vcpu-set"

# --- inside the test host ---------------------------------------------------
. "$top_srcdir/tests/xld-lib.sh"
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
xld_start

# The guest's side: report, wait for cpu1 (hot-added), online it, then
# wait for it to go (ejected).  XLV- lines mark each step on its console,
# XLV-END their end (a line is read while the console may still write it).
C=/sys/devices/system/cpu
GS="echo XLV-BOOT cpus=\$(nproc) possible=\$(cat $C/possible) present=\$(cat $C/present) XLV-END;"
GS="$GS i=0; until [ -e $C/cpu1/online ]; do sleep 0.1; i=\$((i+1)); [ \$i -lt 3000 ] || break; done;"
GS="$GS echo 1 >$C/cpu1/online; echo XLV-ONLINE \$(grep -c ^processor /proc/cpuinfo) online=\$(cat $C/online) XLV-END;"
GS="$GS i=0; while [ -e $C/cpu1 ]; do sleep 0.1; i=\$((i+1)); [ \$i -lt 3000 ] || break; done;"
GS="$GS echo XLV-GONE \$(grep -c ^processor /proc/cpuinfo) present=\$(cat $C/present) XLV-END"
cat >"$T/g.cfg" <<CFG
name = "g"
type = "pvh"
kernel = "$IMG/vmlinux"
ramdisk = "$RD"
memory = 256
vcpus = 1
maxvcpus = 2
cmdline = 'console=ttyS0 quiet panic=-1 pci=off xl.action=wait xl.run="$GS"'
CFG
"$XL" create -q "$T/g.cfg" || fail "xl create g: $(tail -5 "$T/xld.stderr")"
d=$("$XL" domid g)
LOG="$XLD_LOGDIR/console/g.log"

# logged MARK: wait (up to 300 s: nested emulation on a loaded machine)
# for the console line starting MARK; $line is it.
logged() {
	i=0
	until line=$(grep -a "^$1 .*XLV-END" "$LOG" 2>/dev/null); do
		i=$((i + 1))
		if [ $i -ge 3000 ]; then
			sed 's/^/  | /' "$LOG" >&2
			fail "the guest did not print $1 in 300 s"
		fi
		sleep 0.1
	done
}
vcpus() { row g | awk '{ print $4 }'; }
avail() { xenstore-read "/local/domain/$d/cpu/$1/availability"; }
ms() { date +%s%3N; }

logged XLV-BOOT
assert_match "$line" "cpus=1 possible=0-1 present=0 XLV-END" "boot: 1 present of 2 possible"
[ "$(vcpus)" = 1 ] || fail "xl list VCPUs at boot: $(row g)"
[ "$(avail 0)" = online ] && [ "$(avail 1)" = offline ] ||
	fail "availability at boot: $(avail 0) $(avail 1)"

set +e
out=$("$XL" vcpu-set -i g 3 2>&1)
st=$?
set -e
[ $st -eq 1 ] || fail "vcpu-set g 3: want exit 1, got $st ($out)"
assert_match "$out" "Requested 3 VCPUs, however maxcpus is 2!" "above maxvcpus"

# -i: the test host may have fewer CPUs than the guest gets
t0=$(ms)
"$XL" vcpu-set -i g 2 || fail "vcpu-set g 2"
[ "$(vcpus)" = 2 ] || fail "xl list VCPUs after vcpu-set 2: $(row g)"
[ "$(avail 1)" = online ] || fail "cpu/1/availability after vcpu-set 2"
logged XLV-ONLINE
echo "xl-vcpu-linux: vcpu-set 2 to cpu1 online in the guest: $(($(ms) - t0)) ms" >&2
assert_match "$line" "^XLV-ONLINE 2 online=0-1" "/proc/cpuinfo after hot-add"
[ "$("$XL" vcpu-list g | grep -c '^g ')" = 2 ] || fail "vcpu-list rows"

t0=$(ms)
"$XL" vcpu-set g 1 || fail "vcpu-set g 1"
[ "$(avail 1)" = offline ] || fail "cpu/1/availability after vcpu-set 1"
logged XLV-GONE
echo "xl-vcpu-linux: vcpu-set 1 to cpu1 ejected: $(($(ms) - t0)) ms" >&2
assert_match "$line" "^XLV-GONE 1 present=0 XLV-END" "cpu1 ejected"
one() { [ "$(vcpus)" = 1 ]; }
wait_for 30 "xl list VCPUs back to 1" one
"$XL" vcpu-list g | awk '$1 == "g" && $3 == 1' | grep -q ' - ' ||
	fail "vcpu-list: vcpu 1 not offline: $("$XL" vcpu-list g)"
grep -a "XLD-GUEST-ERROR\|Eject incomplete" "$LOG" &&
	fail "the guest reported an error"

"$XL" destroy g || fail "destroy g"
xld_finish
echo "xl-vcpu-linux: inside the test host: ok"
