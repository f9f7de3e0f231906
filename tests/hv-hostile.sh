#!/bin/sh
# A hostile guest (tests/guests/hostile.c) throws random registers, rings,
# descriptors and indices at virtio-blk, virtio-net and the balloon, and
# random port I/O at the UART and the ACPI registers, SECS seconds each.
# The monitor must serve it to the end and power off as asked: no
# sanitizer report, no signal, no hang; its RSS grows by at most 1 MiB
# between warm-up and the end; and every device really was attacked (the
# guest's counts, non-zero).  HOSTILE_SEED=N replays a run, HOSTILE_SECS=N
# sets the time a device (the issue's long run: 60).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

# Inside the emulated test host each exit costs ~10x more: the guest
# measures wall time, so the same seconds do a tenth of the work; halve
# them there to keep the run (and the test host's boot) within the limit.
# 4 s a device: the whole test in about 30 s here.
secs=${HOSTILE_SECS:-4}
[ -z "${XLD_IN_TESTHOST:-}" ] || secs=${HOSTILE_SECS:-3}
seed=${HOSTILE_SEED:-0}
# The guest's clock is the TSC; a VM's "cpu MHz" is its TSC rate.
mhz=$(sed -n 's/^cpu MHz[^:]*: *\([0-9]*\).*/\1/p' /proc/cpuinfo | head -1)
[ -n "$mhz" ] || mhz=2000

disk="$T/disk.img"
truncate -s 1M "$disk"

# A net device needs a TAP: one of our own in a network namespace of our
# own, where nothing of the machine's network is touched.  Without
# unshare or tun the run goes on without one (and says so).
net=
# (tun may be built in: no module to load then.)
if command -v unshare >/dev/null &&
	{ [ -c /dev/net/tun ] || modprobe tun 2>/dev/null; } &&
	unshare -n sh -c 'ip tuntap add dev xlh0 mode tap' 2>/dev/null; then
	net=1
else
	echo "hv-hostile: no TAP in a namespace here: no net device" >&2
fi

mkfifo "$T/in"
exec 3<>"$T/in"
start=$(date +%s)
args="run --kernel $GUESTS/hostile --memory 64 --disk $disk --cmdline"
args2="seed=$seed seconds=$secs tsc_mhz=$mhz"
if [ -n "$net" ]; then
	# exec all the way: the pid we hold is xlhv's
	unshare -n sh -c 'ip tuntap add dev xlh0 mode tap &&
		ip link set xlh0 up && exec "$@"' sh \
		"$XLHV" $args "$args2" --net tap=xlh0 <&3 >"$T/out" 2>&1 &
else
	"$XLHV" $args "$args2" <&3 >"$T/out" 2>&1 &
fi
pid=$!
stop_monitor() { kill -9 "$pid" 2>/dev/null || true; }
hvt_on_exit stop_monitor

# wait_output PATTERN SECONDS: until the guest says PATTERN; the monitor
# dying or the time running out fails.
wait_output() {
	i=0
	while ! grep -aq "$1" "$T/out"; do
		kill -0 "$pid" 2>/dev/null ||
			fail "monitor gone before '$1': $(tail -c 2000 "$T/out")"
		i=$((i + 1))
		[ "$i" -le $(($2 * 10)) ] ||
			fail "no '$1' after $2 s (hung?): $(tail -c 2000 "$T/out")"
		sleep 0.1
	done
}
rss() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$pid/status"; }

wait_output '^hostile: warm' 30
sleep 1
rss0=$(rss)
wait_output '^hostile: done' $((5 * secs + 60))
rss1=$(rss)
printf 'x' >&3
set +e
wait "$pid"
st=$?
set -e
end=$(date +%s)
out=$(tr -d '\000' <"$T/out")
printf '%s\n' "$out" | grep -a '^hostile: ' >&2 || true
echo "hv-hostile: VmRSS $rss0 kB after warm-up, $rss1 kB at the end, $((end - start)) s" >&2

if printf '%s\n' "$out" | grep -aEq 'Sanitizer|runtime error:'; then
	fail "sanitizer report: $(printf '%s\n' "$out" | grep -aE -A20 'Sanitizer|runtime error:' | head -40)"
fi
seedline=$(printf '%s\n' "$out" | grep -a '^hostile: seed' || true)
[ "$st" -eq 0 ] || fail "monitor exit status $st, want 0 ($seedline): $(tail -c 2000 "$T/out")"
[ $((rss1 - rss0)) -le 1024 ] ||
	fail "monitor RSS grew from $rss0 to $rss1 kB ($seedline)"

# Each device attacked: operations done, and requests served.
count() {
	printf '%s\n' "$out" |
		sed -n "s/^hostile: $1: .*[^0-9]\([0-9][0-9]*\) $2.*/\1/p;s/^hostile: $1: \([0-9][0-9]*\) $2.*/\1/p" |
		head -1
}
devs="blk balloon"
[ -z "$net" ] || devs="blk net balloon"
for d in $devs; do
	for what in ops kicks used; do
		n=$(count $d $what)
		[ -n "$n" ] && [ "$n" -gt 0 ] ||
			fail "$d: no $what ($seedline): $(printf '%s\n' "$out" | grep -a "^hostile: $d:")"
	done
done
for d in uart acpi; do
	n=$(count $d ops)
	[ -n "$n" ] && [ "$n" -gt 0 ] || fail "$d: no ops ($seedline)"
done
# A random ring must have broken blk at least once: the checks ran.
n=$(count blk resets)
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "blk never needed a reset ($seedline)"
# Thousands of broken rings and refused sleeps a second, but the log
# (xld's, in the end) has a few lines of each, said to be cut.
n=$(printf '%s\n' "$out" | grep -ac 'device needs reset' || true)
[ "$n" -le 16 ] || fail "$n 'device needs reset' lines: the log is the guest's to flood"
printf '%s\n' "$out" | grep -aq 'device needs reset (not logging more)' ||
	fail "no 'not logging more' after the broken rings ($seedline)"
n=$(printf '%s\n' "$out" | grep -ac 'is not supported; ignored' || true)
[ "$n" -le 8 ] || fail "$n 'sleep type' lines: the log is the guest's to flood"
echo "hv-hostile: ok"
