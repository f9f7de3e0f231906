#!/bin/sh
# xl mem-set with a real Linux guest: inside the test host (genuine AMD
# SVM), Debian's kernel is created with memory = 128, maxmem = 256 and
# prints its MemTotal every half second (xl.run= on its command line).
# Its virtio_balloon driver gives back what is above the target (MemTotal
# is the target less what the kernel keeps for itself):
#  - after boot MemTotal is under 128 MiB (RAM is 256 MiB);
#  - xl mem-set g 200m: MemTotal grows by 72 MiB, and the guest then
#    writes and deletes a 100 MiB file, so the host holds more than 128
#    MiB of its RAM; xl mem-set g 96m: MemTotal shrinks by 104 MiB, and
#    the memfd behind guest RAM has no more than 96 MiB allocated (the
#    pages the balloon took went back to the host);
#  - xl list shows the target; mem-set above maxmem fails, exit 1.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"

hvt_in_testhost 900 "$0" "xl-mem-linux: Debian's kernel gave memory back and took it again"

# --- inside the test host ---------------------------------------------------
. "$top_srcdir/tests/xld-lib.sh"
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
xld_start

cat >"$T/g.cfg" <<CFG
name = "g"
type = "pvh"
kernel = "$IMG/vmlinux"
ramdisk = "$RD"
memory = 128
maxmem = 256
cmdline = 'console=ttyS0 quiet panic=-1 pci=off xl.action=wait xl.run="grep virtio_balloon /proc/modules; f=0; low=0; i=0; while [ \$i -lt 1200 ]; do m=\$(grep MemTotal /proc/meminfo); echo \$m; set -- \$m; [ \$2 -lt 100000 ] && low=1; if [ \$low = 1 ] && [ \$f = 0 ] && [ \$2 -gt 140000 ]; then dd if=/dev/zero of=/fill bs=1M count=100 2>/dev/null; rm /fill; f=1; echo XLD-FILLED; fi; sleep 0.5; i=\$((i+1)); done"'
CFG
"$XL" create -q "$T/g.cfg" || fail "xl create g: $(tail -5 "$T/xld.stderr")"
LOG="$XLD_LOGDIR/console/g.log"
pid=$(field g pid)

# The guest's latest MemTotal, in KiB (empty before the first).
memtotal() { grep '^MemTotal:' "$LOG" 2>/dev/null | tail -1 | awk '{ print $2 }'; }
# settled LO HI: the guest's last 4 MemTotal lines (2 s of its time) are
# the same and within [LO, HI] KiB: the balloon has stopped moving.
settled() {
	last=$(grep '^MemTotal:' "$LOG" 2>/dev/null | tail -4 | awk '{ print $2 }')
	[ "$(printf '%s\n' "$last" | wc -l)" -eq 4 ] &&
		[ "$(printf '%s\n' "$last" | sort -u | wc -l)" -eq 1 ] || return 1
	a=$(memtotal)
	[ "$a" -ge "$1" ] && [ "$a" -le "$2" ]
}
# wait_mem LO HI WHAT: wait up to 300 s (a nested guest on a busy
# machine is slow) for MemTotal to settle in range.
wait_mem() {
	i=0
	until settled "$1" "$2"; do
		i=$((i + 1))
		if [ $i -ge 600 ]; then
			sed 's/^/  | /' "$LOG" | tail -30 >&2
			fail "$3: MemTotal $(memtotal) KiB, want $1..$2"
		fi
		sleep 0.5
	done
	memtotal
}
# KiB the memfd behind guest RAM holds (its allocated blocks).
ram_kib() {
	for f in /proc/"$pid"/fd/*; do
		case $(readlink "$f") in
		*xlhv-ram*) echo $(($(stat -L -c '%b * %B' "$f") / 1024)); return ;;
		esac
	done
	fail "monitor $pid has no xlhv-ram memfd"
}

# The driver is there, and the boot target holds: RAM 256 MiB, MemTotal
# below 128 MiB (the kernel keeps some of it for itself).
i=0
until grep -q '^virtio_balloon ' "$LOG" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -ge 3000 ]; then
		sed 's/^/  | /' "$LOG" >&2
		fail "the guest never listed virtio_balloon in /proc/modules"
	fi
	sleep 0.1
done
m128=$(wait_mem 32768 131072 "boot with memory=128 maxmem=256")
echo "xl-mem-linux: at boot MemTotal $m128 KiB, RAM held $(ram_kib) KiB" >&2
[ "$(row g | awk '{ print $3 }')" = 128 ] || fail "xl list Mem: $(row g)"

# Up to 200 MiB: 72 MiB more, within 2 MiB.
n=$(grep -c '^MemTotal:' "$LOG")
"$XL" mem-set g 200m || fail "xl mem-set g 200m"
# (wait for lines the guest printed after the change)
wait_for 300 "the guest prints again" sh -c "[ \$(grep -c '^MemTotal:' '$LOG') -ge $((n + 4)) ]"
m200=$(wait_mem $((m128 + 72 * 1024 - 2048)) $((m128 + 72 * 1024 + 2048)) \
	"mem-set 200m")
[ "$(row g | awk '{ print $3 }')" = 200 ] || fail "xl list Mem: $(row g)"
filled() { grep -q '^XLD-FILLED' "$LOG"; }
wait_for 300 "the guest writes 100 MiB" filled
held=$(ram_kib)
echo "xl-mem-linux: mem-set 200m: MemTotal $m200 KiB, RAM held $held KiB after 100 MiB written" >&2
[ "$held" -gt $((128 * 1024)) ] ||
	fail "the guest's 100 MiB file left the monitor holding only $held KiB"

# Down to 96 MiB: 104 MiB less, and the host has those pages back.
n=$(grep -c '^MemTotal:' "$LOG")
"$XL" mem-set g 96m || fail "xl mem-set g 96m"
wait_for 300 "the guest prints again" sh -c "[ \$(grep -c '^MemTotal:' '$LOG') -ge $((n + 4)) ]"
m96=$(wait_mem $((m200 - 104 * 1024 - 2048)) $((m200 - 104 * 1024 + 2048)) \
	"mem-set 96m")
held=$(ram_kib)
echo "xl-mem-linux: mem-set 96m: MemTotal $m96 KiB, RAM held $held KiB of 262144" >&2
[ "$held" -le $((96 * 1024 + 1024)) ] ||
	fail "the monitor still holds $held KiB of guest RAM after mem-set 96m"
[ "$(row g | awk '{ print $3 }')" = 96 ] || fail "xl list Mem: $(row g)"

# Above maxmem: refused, the guest unchanged.
st=0
out=$("$XL" mem-set g 300m 2>&1) || st=$?
[ "$st" -eq 1 ] || fail "mem-set 300m: exit $st: $out"
assert_match "$out" 'memory_dynamic_max must be less than or equal to memory_static_max' \
	"mem-set above maxmem"
n=$(grep -c '^MemTotal:' "$LOG")
wait_for 300 "the guest prints again" sh -c "[ \$(grep -c '^MemTotal:' '$LOG') -ge $((n + 4)) ]"
[ "$(memtotal)" = "$m96" ] || fail "MemTotal moved to $(memtotal) after a refused mem-set"

"$XL" destroy g || fail "destroy g"
xld_finish
echo "xl-mem-linux: inside the test host: ok"
