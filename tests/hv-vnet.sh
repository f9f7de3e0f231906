#!/bin/sh
# virtio-net over TAP devices, with Debian's kernel as the guest.  Here:
# bad --net options and a TAP that does not exist are refused with one
# line and status 2.  Inside the test host (genuine AMD SVM, its own
# network namespace: nothing here touches the machine's network):
#  - a TAP with 10.0.2.1/24; guest A, with --net tap=...,mac=... twice,
#    sees those MACs on eth0 and eth1 in that order, sets eth0 to
#    10.0.2.2/24 and pings 10.0.2.1; the test host pings A back;
#  - A's second TAP and guest B's TAP on one Linux bridge: A and B, booted
#    at once, ping each other (B's MAC is the default one).
# Round-trip times go to stderr.  busybox (ping) comes from the guest
# initramfs, so the test host needs nothing more than iproute2.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"
CMDLINE="console=ttyS0 quiet panic=-1 pci=off"

# one_line WHAT: $out is exactly one line.
one_line() {
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
		fail "$1: more than one line: $out"
}

if [ -z "${XLD_IN_TESTHOST:-}" ]; then
	hello="$GUESTS/hello"
	for spec in "" "tap=" "mac=00:16:3e:00:00:01" "tap=a/b" \
		"tap=toolongname12345" "tap=a,mac=01:00:00:00:00:01" \
		"tap=a,mac=00:16:3e:00:00" "tap=a,bogus=1" "tap=a,"; do
		hv_run 2 run --kernel "$hello" --net "$spec"
		assert_match "$out" "^xlhv: --net $spec: " "--net '$spec'"
	done
	hv_run 2 run --kernel "$hello" --net tap=a --net tap=a
	assert_match "$out" "^xlhv: --net tap=a: this TAP device is already given" \
		"the same TAP twice"
	hv_run 2 run --kernel "$hello" --net tap=a --net tap=b,mac=00:16:3e:00:00:01 \
		--net tap=c,mac=00:16:3e:00:00:01
	assert_match "$out" "MAC is already another device's" "the same MAC twice"
	set -- run --kernel "$hello"
	for i in 0 1 2 3 4 5 6 7 8; do set -- "$@" --net "tap=t$i"; done
	hv_run 2 "$@"
	assert_match "$out" "^xlhv: --net tap=t8: at most 8 network devices" \
		"nine --net"
	ip link show lo >/dev/null 2>&1 ||
		fail "ip (iproute2) does not work here: apt-get install iproute2"

	"$top_srcdir/tests/images/fetch" >&2 ||
		fail "tests/images/fetch could not build the images"
	# busybox (for ping) from the guest initramfs.
	mkdir -p "$T/bb"
	(cd "$T/bb" && gzip -dc "$RD" | cpio -id --quiet bin/busybox) ||
		fail "cannot take busybox from $RD"
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	set +e
	XLD_IN_TESTHOST=1 XLD_BUSYBOX="$T/bb/bin/busybox" \
		"$top_srcdir/tests/testhost/run" --timeout 240 -- "$self"
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || fail "inside the test host (status $rc)"
	echo "hv-vnet: guests ping the test host and each other"
	exit 0
fi

# --- inside the test host ---------------------------------------------------
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
"$XLHV" info | grep -q '^runs_linux: yes' ||
	fail "the test host's KVM cannot run Linux: $("$XLHV" info 2>&1)"
BB=${XLD_BUSYBOX:?}
modprobe tun && modprobe bridge || fail "modprobe tun bridge failed"

# A TAP that is not there, or not a TAP: one line, before the guest runs
# (the device opens its TAP once the VM exists, so this needs KVM).
hv_run 2 run --kernel "$GUESTS/hello" --net tap=xlnosuch0
assert_match "$out" "^xlhv: vnet0: tap xlnosuch0: no such network device" \
	"missing TAP"
one_line "missing TAP"
hv_run 2 run --kernel "$GUESTS/hello" --net tap=lo
assert_match "$out" "^xlhv: vnet0: tap lo: (not a single-queue TAP device|Operation not permitted|open /dev/net/tun: )" \
	"not a TAP"
one_line "not a TAP"

pids=
stop_guests() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	ip link del xlbr0 2>/dev/null
	for t in xlt0 xlt1 xlt2; do ip tuntap del dev $t mode tap 2>/dev/null; done
	true
}
hvt_on_exit stop_guests

# guest NAME RUN ARGS...: start xlhv in the background, console in
# $T/NAME.log; its pid is appended to $pids and left in $pid.
guest() {
	name=$1
	run=$2
	shift 2
	date +%s%N >"$T/$name.start"
	"$XLHV" run --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 256 \
		--cmdline "$CMDLINE xl.action=wait xl.run=\"$run\"" "$@" \
		</dev/null >"$T/$name.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
}

# ran NAME: wait (up to 150 s) for the guest's command to finish.
ran() {
	i=0
	until grep -q '^XLD-GUEST-RUN status=' "$T/$1.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 1500 ]; then
			sed 's/^/  | /' "$T/$1.log" >&2
			fail "$1: the guest's command did not finish in 150 s"
		fi
		sleep 0.1
	done
	echo "hv-vnet: $1: its command finished $(( ($(date +%s%N) - $(cat "$T/$1.start")) / 1000000 )) ms after the start" >&2
	out=$(cat "$T/$1.log")
	if ! printf '%s\n' "$out" | grep -q '^XLD-GUEST-RUN status=0'; then
		sed 's/^/  | /' "$T/$1.log" >&2
		fail "$1: the guest's command failed"
	fi
}

# stop PID NAME: SIGTERM the monitor; it must exit 5 (stopped by a signal).
stop() {
	kill -TERM "$1"
	st=0
	wait "$1" || st=$?
	[ "$st" -eq 5 ] || fail "$2: xlhv exited $st after SIGTERM, want 5"
	assert_match "$(cat "$T/$2.log")" '^xlhv: received' "$2: stopped"
}

# rtt TEXT: the avg of ping's "round-trip min/avg/max = a/b/c ms".
rtt() {
	printf '%s\n' "$1" | sed -n 's|.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*|\1 ms|p' |
		tail -n 1
}

# A on two TAPs: xlt0 (10.0.2.1/24 here) as eth0 and xlt1, on the bridge
# xlbr0, as eth1; B on xlt2, on the bridge too.  Both boot at once.  A
# pings the test host, then B; B pings A; then the test host pings A.
ip tuntap add dev xlt0 mode tap
ip addr add 10.0.2.1/24 dev xlt0
ip link set xlt0 up
ip link add xlbr0 type bridge
ip link set xlbr0 up
for t in xlt1 xlt2; do
	ip tuntap add dev $t mode tap
	ip link set $t master xlbr0
	ip link set $t up
done
# up IF ADDR: bring the guest's IF up with ADDR/24.
up() { echo "ip link set $1 up; ip addr add $2/24 dev $1"; }
# peer ADDR: wait (up to 60 tries) for ADDR to answer, then ping it 3 times.
peer() {
	echo "i=0; until ping -c 1 -W 1 $1 >/dev/null; do i=\$((i+1)); [ \$i -lt 60 ] || break; done; ping -c 3 $1"
}
MAC0=00:16:3e:12:34:56
MAC1=02:00:00:00:00:01
guest a "$(up eth0 10.0.2.2); $(up eth1 10.0.3.2); cat /sys/class/net/eth0/address /sys/class/net/eth1/address; ping -c 3 10.0.2.1 && $(peer 10.0.3.3)" \
	--net "tap=xlt0,mac=$MAC0" --net "tap=xlt1,mac=$MAC1"
a=$pid
guest b "$(up eth0 10.0.3.3); cat /sys/class/net/eth0/address; $(peer 10.0.3.2)" \
	--net tap=xlt2
b=$pid

# pinged TEXT ADDR WHAT: TEXT has ADDR's ping statistics, 3 of 3 answered;
# prints the average round trip.
pinged() {
	stats=$(printf '%s\n' "$1" | grep -A2 -- "--- $2 ping statistics ---") ||
		fail "$3: no ping statistics for $2"
	assert_match "$stats" '3 packets transmitted, 3 packets received' "$3"
	echo "hv-vnet: $3: 3 of 3 answered, average $(rtt "$stats")" >&2
}

ran a
outa=$out
# The first --net is eth0, the second eth1, each with its MAC.
printf '%s\n' "$outa" | grep -A1 "^$MAC0" | grep -q "^$MAC1" ||
	fail "the guest's eth0, eth1 are not $MAC0, $MAC1: $outa"
pinged "$outa" 10.0.2.1 "a -> test host"
pinged "$outa" 10.0.3.3 "a -> b through the bridge"
ran b
pinged "$out" 10.0.3.2 "b -> a through the bridge"
# B's MAC, not given: Xen's range, derived from the TAP's name.
assert_match "$out" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}' \
	"b's default MAC"
pong=$("$BB" ping -c 3 -W 5 10.0.2.2 2>&1) ||
	fail "the test host cannot ping the guest: $pong"
pinged "$pong" 10.0.2.2 "test host -> a"
stop $a a
stop $b b
pids=
echo "hv-vnet: inside the test host: ok"
