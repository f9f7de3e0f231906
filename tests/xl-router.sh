#!/bin/sh
# Issue #5's end-to-end check: a router guest with two vifs on two bridges
# forwards traffic between two network namespaces.  Inside the test host
# (genuine AMD SVM, a network of its own): bridges br-wan and br-lan, as
# in config-examples/router.cfg, whose vif= lines the guest's config takes
# verbatim; namespace A (10.0.1.2/24, gateway 10.0.1.1) on br-wan and
# namespace B (10.0.2.2/24, gateway 10.0.2.1) on br-lan, each through a
# veth pair.  The guest, Debian's kernel made by xl create, sets eth0
# 10.0.1.1, eth1 10.0.2.1 and ip_forward=1 (xl.run= on its command line).
# Then:
#  - A pings B and B pings A, and each reply came back with TTL 63: one
#    hop decremented it, and the only hop between the bridges is the guest;
#  - traceroute from A lists the router's 10.0.1.1 as the first hop and B
#    as the second;
#  - the guest's TAPs (vifname= router-wan, router-lan) carried the pings;
#  - after xl destroy of the router, A's ping to B fails and no TAP is left.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"
EX="$top_srcdir/config-examples/router.cfg"

if [ -z "${XLD_IN_TESTHOST:-}" ]; then
	command -v busybox >/dev/null || skip "busybox (busybox-static) is missing"
fi
hvt_in_testhost 400 "$0" "xl-router: a router guest forwards between two namespaces, and stops when destroyed"

# --- inside the test host ---------------------------------------------------
. "$top_srcdir/tests/xld-lib.sh"
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
modprobe tun && modprobe bridge && modprobe veth ||
	fail "modprobe tun bridge veth failed"
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"

# The example's vif= list, comments and all: the test proves its shape.
vifs=$(sed -n '/^vif = \[/,/^\]/p' "$EX")
assert_match "$vifs" 'bridge=br-wan,vifname=router-wan' "router.cfg's first vif"
assert_match "$vifs" 'bridge=br-lan,vifname=router-lan' "router.cfg's second vif"

NSA=xlrouterA NSB=xlrouterB
net_cleanup() {
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	ip link del br-wan 2>/dev/null
	ip link del br-lan 2>/dev/null
	true
}
hvt_on_exit net_cleanup

# side NS BRIDGE ADDR GATEWAY: namespace NS with eth0 ADDR/24 on BRIDGE.
side() {
	ip link add "$2" type bridge
	ip link set "$2" up
	ip netns add "$1"
	ip link add "$1" type veth peer name eth0 netns "$1"
	ip link set "$1" master "$2" up
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" route add default via "$4"
}
side "$NSA" br-wan 10.0.1.2 10.0.1.1
side "$NSB" br-lan 10.0.2.2 10.0.2.1
xld_start

cat >"$T/router.cfg" <<CFG
name = "router"
type = "pvh"
kernel = "$IMG/vmlinux"
ramdisk = "$RD"
memory = 256
$vifs
cmdline = 'console=ttyS0 quiet panic=-1 pci=off xl.action=wait xl.run="ip link set eth0 up; ip link set eth1 up; ip addr add 10.0.1.1/24 dev eth0; ip addr add 10.0.2.1/24 dev eth1; echo 1 >/proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/ip_forward /sys/class/net/eth0/address /sys/class/net/eth1/address"'
CFG
"$XL" create -q "$T/router.cfg" || fail "xl create router: $(tail -5 "$T/xld.stderr")"
# onbridge BRIDGE WANT: the interfaces on BRIDGE, sorted, are WANT.
onbridge() {
	on=$(ip -o link show master "$1" | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort | tr '\n' ' ')
	[ "$on" = "$2 " ] || fail "on $1: '$on', want '$2 '"
}
onbridge br-wan "router-wan $NSA"
onbridge br-lan "router-lan $NSB"

# Wait (up to 300 s: nested emulation on a loaded machine) for the guest's
# command; eth0 must be the first vif's MAC and eth1 the second's.
log="$XLD_LOGDIR/console/router.log"
i=0
until grep -q '^XLD-GUEST-RUN status=' "$log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -ge 3000 ]; then
		sed 's/^/  | /' "$log" >&2
		fail "router: the guest's command did not finish in 300 s"
	fi
	sleep 0.1
done
out=$(cat "$log")
printf '%s\n' "$out" | grep -q '^XLD-GUEST-RUN status=0' || {
	sed 's/^/  | /' "$log" >&2
	fail "router: the guest's command failed"
}
assert_match "$out" '^1' "router: ip_forward"
assert_match "$out" '^00:16:3e:00:01:01' "router: eth0's MAC (the first vif)"
assert_match "$out" '^00:16:3e:00:01:02' "router: eth1's MAC (the second vif)"

# pings FROM TO: FROM's 3 pings to TO all answered, each with TTL 63.
pings() {
	i=0
	until ip netns exec "$1" busybox ping -c 1 -W 2 "$2" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 30 ] || fail "$1 -> $2: no answer in 30 tries"
	done
	out=$(ip netns exec "$1" busybox ping -c 3 -W 5 "$2" 2>&1) ||
		fail "$1 -> $2: $out"
	assert_match "$out" '3 packets transmitted, 3 packets received' "$1 -> $2"
	[ "$(printf '%s\n' "$out" | grep -c 'ttl=63 ')" -eq 3 ] ||
		fail "$1 -> $2: want 3 replies with ttl=63 (one hop): $out"
	echo "xl-router: $1 -> $2: $(printf '%s\n' "$out" | sed -n 's|.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*|average \1 ms|p')" >&2
}
# count TAP DIR: a counter of the guest's TAP; rx is what the guest sent,
# tx what it was given.  Each answered ping crosses both TAPs twice: the
# request in through one and out through the other, the reply back.
count() { cat "/sys/class/net/$1/statistics/$2_packets"; }
counters() { echo "$(count router-wan rx) $(count router-wan tx) $(count router-lan rx) $(count router-lan tx)"; }
before=$(counters)
pings "$NSA" 10.0.2.2
pings "$NSB" 10.0.1.2
after=$(counters)
set -- $before
for c in $after; do
	[ $((c - $1)) -ge 6 ] ||
		fail "the guest's TAP counters (wan rx tx, lan rx tx) went from '$before' to '$after': want each up by >= 6"
	shift
done

hops=$(ip netns exec "$NSA" busybox traceroute -n -q 1 -w 3 -m 4 10.0.2.2 2>&1) ||
	fail "traceroute A -> B: $hops"
assert_match "$hops" '^ *1 +10\.0\.1\.1 ' "traceroute A -> B: the router first"
assert_match "$hops" '^ *2 +10\.0\.2\.2 ' "traceroute A -> B: then B"

"$XL" destroy router || fail "xl destroy router"
out=$(ip netns exec "$NSA" busybox ping -c 2 -W 2 10.0.2.2 2>&1) &&
	fail "A -> B still answered with the router destroyed: $out"
assert_match "$out" '2 packets transmitted, 0 packets received' "A -> B without the router"
left=$(ip -o link show type tun | awk -F': ' '{ print $2 }')
[ -z "$left" ] || fail "TAPs left after destroy: $left"
xld_finish
echo "xl-router: inside the test host: ok"
