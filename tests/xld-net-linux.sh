#!/bin/sh
# vif= through xld with real Linux guests: inside the test host (genuine
# AMD SVM, a network of its own: nothing here touches the machine's), two
# guests running Debian's kernel are created with xl, each with
# vif = ['bridge=xltbr0,mac=...']; xld makes their TAPs and vif-bridge puts
# them on the bridge; each guest sets up eth0 (xl.run= on its command
# line) and pings the other.  xl destroy then leaves no TAP behind.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"

hvt_in_testhost 400 "$0" "xld-net-linux: two guests made by xl ping each other over their vifs"

# --- inside the test host ---------------------------------------------------
. "$top_srcdir/tests/xld-lib.sh"
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
modprobe tun && modprobe bridge || fail "modprobe tun bridge failed"
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"
BR=xltbr0
br_cleanup() { ip link del "$BR" 2>/dev/null; true; }
hvt_on_exit br_cleanup
ip link add "$BR" type bridge
ip link set "$BR" up
xld_start

# guest NAME MAC ADDR PEER: a Linux guest on the bridge that pings PEER.
guest() {
	cat >"$T/$1.cfg" <<CFG
name = "$1"
type = "pvh"
kernel = "$IMG/vmlinux"
ramdisk = "$RD"
memory = 256
vif = ['bridge=$BR,mac=$2']
cmdline = 'console=ttyS0 quiet panic=-1 pci=off xl.action=wait xl.run="ip link set eth0 up; ip addr add $3/24 dev eth0; cat /sys/class/net/eth0/address; i=0; until ping -c 1 -W 1 $4 >/dev/null; do i=\$((i+1)); [ \$i -lt 60 ] || break; done; ping -c 3 $4"'
CFG
	"$XL" create -q "$T/$1.cfg" || fail "xl create $1: $(tail -5 "$T/xld.stderr")"
}
guest ga 00:16:3e:0a:00:02 10.0.5.2 10.0.5.3
guest gb 00:16:3e:0a:00:03 10.0.5.3 10.0.5.2
da=$("$XL" domid ga) db=$("$XL" domid gb)
on=$(ip -o link show master "$BR" | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort | tr '\n' ' ')
[ "$on" = "vif$da.0 vif$db.0 " ] || fail "on $BR: '$on', want vif$da.0 vif$db.0"

# ran NAME: wait (up to 300 s, nested emulation on a loaded machine) for the guest's command; $out is its console.
ran() {
	log="$XLD_LOGDIR/console/$1.log"
	i=0
	until grep -q '^XLD-GUEST-RUN status=' "$log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 3000 ]; then
			sed 's/^/  | /' "$log" >&2
			fail "$1: the guest's command did not finish in 300 s"
		fi
		sleep 0.1
	done
	out=$(cat "$log")
	printf '%s\n' "$out" | grep -q '^XLD-GUEST-RUN status=0' || {
		sed 's/^/  | /' "$log" >&2
		fail "$1: the guest's command failed"
	}
}
# pinged NAME MAC PEER: NAME's eth0 had MAC, and 3 of 3 pings answered.
pinged() {
	ran "$1"
	assert_match "$out" "^$2" "$1: eth0's MAC"
	stats=$(printf '%s\n' "$out" | grep -A2 -- "--- $3 ping statistics ---") ||
		fail "$1: no ping statistics for $3"
	assert_match "$stats" '3 packets transmitted, 3 packets received' "$1 -> $3"
	echo "xld-net-linux: $1 -> $3: $(printf '%s\n' "$stats" | sed -n 's|.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*|average \1 ms|p')" >&2
}
pinged ga 00:16:3e:0a:00:02 10.0.5.3
pinged gb 00:16:3e:0a:00:03 10.0.5.2
"$XL" destroy ga || fail "destroy ga"
"$XL" destroy gb || fail "destroy gb"
left=$(ip -o link show type tun | awk -F': ' '{ print $2 }')
[ -z "$left" ] || fail "TAPs left after destroy: $left"
xld_finish
echo "xld-net-linux: inside the test host: ok"
