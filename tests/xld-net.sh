#!/bin/bash
# Network interfaces (vif=) through xld, Xen's way, on this machine: xld
# runs in a network namespace this test makes (with its own bridge), so
# nothing here touches the machine's interfaces.  Real TAPs, the real
# vif-bridge script, Debian's xenstore tools:
#  - a vif on the bridge: the TAP vif<domid>.<devid> exists, is up and on
#    the bridge; the backend and frontend nodes are Xen's; the monitor got
#    --net tap=...,mac=...; xl destroy removes TAP and nodes (the script ran
#    online, then offline);
#  - vifname, mac and two vifs; a restart (on_reboot) moves the vif to the
#    new domid and leaves nothing of the old; an xld killed and started
#    again still removes a guest's vif on destroy; a preserved domain
#    keeps its vif and nodes until destroyed;
#  - a failing script, a missing bridge, a script that hangs, a monitor
#    that cannot start: a clear error and nothing left behind;
#  - bad input (a long bridge name, 9 vifs, a multicast MAC) named.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
command -v ip >/dev/null || skip "ip (iproute2) is missing"
command -v xenstore-read >/dev/null || skip "xenstore-utils is missing"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"

NS=xlnet$$
BR=xltbr0
ip netns add "$NS" || skip "cannot make a network namespace (ip netns add)"
net_cleanup() { ip netns del "$NS" 2>/dev/null; true; }
hvt_on_exit net_cleanup
nsip() { ip -n "$NS" "$@"; }
nsip link set lo up
nsip link add "$BR" type bridge || fail "cannot make bridge $BR in $NS"
nsip link set "$BR" up

# The scripts: vif-bridge from the source tree, and a wrapper that logs.
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"
export XLD_HOTPLUG_TIMEOUT=3
cat >"$T/logged" <<EOF
#!/bin/sh
echo "\$1 \$vif \$bridge \$mac \$XENBUS_PATH" >>"$T/script.log"
exec "$XLD_SCRIPTDIR/vif-bridge" "\$@"
EOF
cat >"$T/failing" <<'EOF'
#!/bin/sh
echo "checking $vif"
echo "no luck for $vif on $bridge" >&2
exit 3
EOF
cat >"$T/hanging" <<'EOF'
#!/bin/sh
echo "waiting for Godot"
sleep 60
EOF
chmod +x "$T/logged" "$T/failing" "$T/hanging"

ip netns exec "$NS" "$XLD" --foreground 2>>"$T/xld.stderr" &
XLD_PID=$!
xl_up() { "$XL" list >/dev/null 2>&1; }
wait_for 10 "xld answers" xl_up

taps() { nsip -o link show type tun 2>/dev/null | awk -F': ' '{ print $2 }'; }
on_bridge() { nsip -o link show master "$BR" | awk -F': ' '{ print $2 }' | sed 's/@.*//'; }
bnodes() { xenstore-ls /local/domain/0/backend/vif 2>/dev/null; }
# nothing_left WHAT: no TAP, no vif node, no domain, no monitor.
nothing_left() {
	[ -z "$(taps)" ] || fail "$1: TAPs left: $(taps)"
	[ -z "$(bnodes)" ] || fail "$1: backend nodes left: $(bnodes)"
	[ -z "$("$XL" list | tail -n +3)" ] || fail "$1: a domain is left: $("$XL" list)"
	[ -z "$(xld_monitors)" ] || fail "$1: a monitor is left"
}
# bad NAME WHAT REGEX KEY=VALUE...: create must fail with REGEX; nothing left.
bad() {
	n=$1 what=$2 re=$3
	shift 3
	mkcfg "$n" idle "$@"
	out=$("$XL" create -q "$T/$n.cfg" 2>&1) && fail "$what: accepted"
	assert_match "$out" "$re" "$what"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$what: more than one line: $out"
	nothing_left "$what"
}

# --- one vif on the bridge --------------------------------------------------
create web idle "vif = ['bridge=$BR,script=$T/logged']"
d=$("$XL" domid web)
TAP=vif$d.0
[ "$(taps)" = "$TAP" ] || fail "the TAP: want $TAP, have '$(taps)'"
[ "$(on_bridge)" = "$TAP" ] || fail "$TAP is not on $BR: '$(on_bridge)'"
assert_match "$(nsip -o link show "$TAP")" '<[^>]*UP' "$TAP is up"
BE=/local/domain/0/backend/vif/$d/0
FE=/local/domain/$d/device/vif/0
mac=$(xenstore-read "$BE/mac") || fail "no $BE/mac"
assert_match "$mac" '^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$' "generated mac"
rd() { xenstore-read "$1" 2>&1 || fail "xenstore-read $1: failed"; }
[ "$(rd "$BE/frontend")" = "$FE" ] || fail "backend frontend"
[ "$(rd "$BE/frontend-id")" = "$d" ] || fail "backend frontend-id"
[ "$(rd "$BE/online")" = 1 ] || fail "backend online"
[ "$(rd "$BE/state")" = 4 ] || fail "backend state"
[ "$(rd "$BE/script")" = "$T/logged" ] || fail "backend script"
[ "$(rd "$BE/bridge")" = "$BR" ] || fail "backend bridge"
[ "$(rd "$BE/handle")" = 0 ] || fail "backend handle"
[ "$(rd "$BE/hotplug-status")" = connected ] || fail "hotplug-status"
[ "$(rd "$FE/backend")" = "$BE" ] || fail "frontend backend"
[ "$(rd "$FE/backend-id")" = 0 ] || fail "frontend backend-id"
[ "$(rd "$FE/mac")" = "$mac" ] || fail "frontend mac"
[ "$(rd "$FE/handle")" = 0 ] || fail "frontend handle"
[ "$(rd "$FE/state")" = 4 ] || fail "frontend state"
# the guest may read its backend, not write it; it owns its frontend
assert_match "$(xenstore-ls -p "$BE" | head -1)" "n0,r$d" "backend perms"
assert_match "$(xenstore-ls -p "$(dirname "$FE")" | head -1)" "n$d,r0" "frontend perms"
# the monitor was given the TAP and the MAC
pid=$(field web pid 2>/dev/null || true)
[ -n "$pid" ] && [ "$pid" != null ] || pid=$(xld_monitors | head -1)
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--net tap=$TAP,mac=$mac" ||
	fail "the monitor's argv lacks --net tap=$TAP,mac=$mac: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
# the script ran with Xen's environment
[ "$(cat "$T/script.log")" = "online $TAP $BR $mac backend/vif/$d/0" ] ||
	fail "the script's environment: $(cat "$T/script.log")"
"$XL" destroy web || fail "destroy web"
nothing_left "destroy"
[ "$(tail -1 "$T/script.log")" = "offline $TAP $BR $mac backend/vif/$d/0" ] ||
	fail "offline was not run: $(cat "$T/script.log")"
xenstore-read "$FE/mac" >/dev/null 2>&1 && fail "frontend nodes left"
echo "xld-net: $TAP on $BR, Xen's nodes, all gone on destroy"

# --- vifname, mac, two vifs --------------------------------------------------
create two idle "vif = ['bridge=$BR,mac=00:16:3e:00:00:aa,vifname=xlguest0', 'bridge=$BR,mtu=1400']"
d=$("$XL" domid two)
[ "$(taps | sort | tr '\n' ' ')" = "vif$d.1 xlguest0 " ] ||
	fail "two vifs: $(taps)"
[ "$(on_bridge | sort | tr '\n' ' ')" = "vif$d.1 xlguest0 " ] ||
	fail "two vifs on the bridge: $(on_bridge)"
[ "$(rd /local/domain/0/backend/vif/$d/0/mac)" = 00:16:3e:00:00:aa ] || fail "given mac"
[ "$(rd /local/domain/0/backend/vif/$d/0/vifname)" = xlguest0 ] || fail "vifname node"
assert_match "$(nsip -o link show "vif$d.1")" ' mtu 1400 ' "mtu=1400"
"$XL" destroy two || fail "destroy two"
nothing_left "destroy two"

# --- xld killed and started again: destroy still removes the vif -----------
create kx idle "vif = ['bridge=$BR']"
d=$("$XL" domid kx)
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
[ "$(taps)" = "vif$d.0" ] || fail "xld killed: the guest's TAP went: $(taps)"
ip netns exec "$NS" "$XLD" --foreground 2>>"$T/xld.stderr" &
XLD_PID=$!
wait_for 10 "xld answers again" xl_up
"$XL" destroy kx || fail "destroy kx after an xld restart"
nothing_left "destroy after an xld restart"

# --- preserve keeps the vif and its nodes until destroy ----------------------
create pv hello "vif = ['bridge=$BR']" 'on_poweroff = "preserve"'
pkept() { [ -n "$("$XL" list | awk '$1 ~ /^pv-/')" ]; }
wait_for 20 "pv preserved" pkept
d=$("$XL" list | awk '$1 ~ /^pv-/ { print $2 }')
[ "$(taps)" = "vif$d.0" ] || fail "preserved: the TAP went: $(taps)"
[ "$(rd /local/domain/$d/device/vif/0/state)" = 4 ] || fail "preserved: frontend nodes"
[ "$(rd /local/domain/0/backend/vif/$d/0/hotplug-status)" = connected ] ||
	fail "preserved: backend nodes"
"$XL" destroy "$d" || fail "destroy the preserved pv"
nothing_left "destroy a preserved domain"

# --- restart moves the vif to the new domid ---------------------------------
: >"$T/script.log"
create rb reboot "vif = ['bridge=$BR,script=$T/logged']" 'on_reboot = "restart"'
first=$(awk 'NR == 1 { print $2 }' "$T/script.log")
wait_for 20 "a restart" sh -c "grep -q '^offline $first ' '$T/script.log'"
# the scripts run off xld's loop: a destroy before the new vif's online
# would end the restart (and rightly leave no vif up)
wait_for 20 "the restarted vif" sh -c "[ \$(grep -c '^online ' '$T/script.log') -ge 2 ]"
"$XL" destroy rb 2>/dev/null || true
wait_for 10 "rb gone" gone rb
nothing_left "restart, then destroy"
on=$(grep -c '^online ' "$T/script.log")
off=$(grep -c '^offline ' "$T/script.log")
[ "$on" -ge 2 ] && [ "$on" -eq "$off" ] ||
	fail "restarts: $on online, $off offline: $(cat "$T/script.log")"
echo "xld-net: $on restarts, each vif online then offline"

# --- failures leave nothing --------------------------------------------------
bad sf "a failing script" "vif 1: hotplug script $T/failing online vif[0-9]+\.1 failed \(status 3\): no luck for vif[0-9]+\.1 on $BR" \
	"vif = ['bridge=$BR', 'bridge=$BR,script=$T/failing']"
grep -q 'checking vif' "$T/xld.stderr" || fail "the script's output is not logged"
bad nb "a missing bridge" "bridge xlnobr0 does not exist" "vif = ['bridge=xlnobr0']"
bad hs "a hanging script" "did not finish within 3 s: waiting for Godot" \
	"vif = ['bridge=$BR,script=$T/hanging']"
bad ns "a missing script" "hotplug script $T/nosuch: No such file" \
	"vif = ['bridge=$BR,script=$T/nosuch']"
: >"$T/script.log"
mkcfg mf idle "vif = ['bridge=$BR,script=$T/logged']"
sed -i 's|^kernel = .*|kernel = "/nonexistent/kernel"|' "$T/mf.cfg"
out=$("$XL" create -q "$T/mf.cfg" 2>&1) && fail "a missing kernel was accepted"
assert_match "$out" "/nonexistent/kernel" "the monitor's reason"
nothing_left "a monitor that does not start"
[ "$(cut -d' ' -f1 "$T/script.log" | tr '\n' ' ')" = "online offline " ] ||
	fail "a monitor that does not start: $(cat "$T/script.log")"
# a TAP name in use is not taken over
nsip tuntap add dev xlbusy0 mode tap
mkcfg tk idle "vif = ['bridge=$BR', 'bridge=$BR,vifname=xlbusy0']"
out=$("$XL" create -q "$T/tk.cfg" 2>&1) && fail "a vifname in use was accepted"
assert_match "$out" "a network interface named 'xlbusy0' already exists" "a vifname in use"
nsip link show xlbusy0 >/dev/null 2>&1 || fail "someone else's TAP was deleted"
nsip link del xlbusy0
nothing_left "a vifname in use"

# --- bad input ---------------------------------------------------------------
bad lb "a long bridge name" "bridge name 'xlbridgeismuchtoolong'" \
	"vif = ['bridge=xlbridgeismuchtoolong']"
bad n9 "nine vifs" "9 vifs: a domain has at most 8" \
	"vif = ['', '', '', '', '', '', '', '', '']"
# (xl's parser refuses it, with its usual second line)
mkcfg mc idle "vif = ['mac=01:16:3e:00:00:01']"
out=$("$XL" create -q "$T/mc.cfg" 2>&1) && fail "a multicast MAC was accepted"
assert_match "$out" "mac address .01:16:3e:00:00:01' is multicast" "a multicast MAC"
nothing_left "a multicast MAC"
# the same refused by xld itself, for a client that is not xl
cfg='{"name":"raw","kernel":"'$GUESTS'/idle","memory":16,"vifs":[{"devid":0,"mac":"03:00:00:00:00:01","bridge":"'$BR'"}]}'
out=$($XLDRAW call "$XLD_RUNDIR/xld.sock" '{"version":1,"id":1,"method":"create","params":{"config":'"$cfg"'}}')
assert_match "$out" "mac '03:00:00:00:00:01' is not a unicast address" "xld: multicast MAC"
nothing_left "raw multicast MAC"

xld_finish
echo "xld-net: ok"
