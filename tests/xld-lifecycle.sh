#!/bin/bash
# Domains end to end with the real xld, xl, xlhv and test guests: create,
# list, the store layout, pause/unpause, rename, destroy, and the
# on_poweroff/on_reboot/on_crash policies.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

xld_start
xenstore-watch -n 3 @introduceDomain >"$T/intro.watch" 2>&1 &
WATCH1=$!
xenstore-watch -n 2 @releaseDomain >"$T/release.watch" 2>&1 &
WATCH2=$!
sleep 0.2

# create an idle guest with a given UUID
U=5f0c2a3e-8d4b-4c61-9e7a-0123456789ab
create web idle "uuid = \"$U\"" 'vcpus = 2' 'memory = 32'
r=$(row web)
assert_match "$r" '^web {42}1 {4}32 {5}2     [rb-]{2}----  +[0-9]+\.[0-9]$' "web's row"
[ "$("$XL" domid web)" = 1 ] || fail "domid web"
[ "$("$XL" domname 1)" = web ] || fail "domname 1"
[ "$(field web uuid)" = "$U" ] || fail "uuid from the config"
assert_match "$("$XL" list -v web)" "^web .* $U        -                -$" "list -v web"
out=$("$XL" list -l) || fail "list -l"
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["domid"] == 1, d
c = d[0]["config"]
assert c["name"] == "web" and c["uuid"] == sys.argv[1], c
assert c["kernel"].endswith("/idle") and c["memory"] == 32 and c["vcpus"] == 2, c
' "$U" || fail "list -l: $out"

# the store, read by Debian's xenstore tools
[ "$(xenstore-read /local/domain/1/name)" = web ] || fail "store name"
[ "$(xenstore-read /local/domain/1/domid)" = 1 ] || fail "store domid"
[ "$(xenstore-read /local/domain/1/vm)" = "/vm/$U" ] || fail "store vm"
[ "$(xenstore-read /local/domain/1/memory/target)" = 32768 ] || fail "memory/target"
[ "$(xenstore-read /local/domain/1/cpu/0/availability)" = online ] || fail "cpu/0"
[ "$(xenstore-read /local/domain/1/cpu/1/availability)" = online ] || fail "cpu/1"
xenstore-read /local/domain/1/control/shutdown >/dev/null || fail "control/shutdown"
[ "$(xenstore-read "/vm/$U/name")" = web ] || fail "/vm name"
[ "$(xenstore-read "/vm/$U/uuid")" = "$U" ] || fail "/vm uuid"
[ "$(xenstore-read /local/domain/0/name)" = Domain-0 ] || fail "Domain-0 name"
# the guest may read its home, not write it; it owns control/
assert_match "$(xenstore-ls -p /local/domain/1 | head -1)" 'n0,r1' "home perms"
[ -S "$XLD_RUNDIR/xs-dom/1.sock" ] || fail "domain 1 not introduced"
# a second domain of the same name or UUID is refused
mkcfg web idle
out=$("$XL" create -q "$T/web.cfg" 2>&1) && fail "a duplicate name was accepted"
assert_match "$out" "already in use by domain 1" "duplicate name message"
mkcfg web2 idle "uuid = \"$U\""
out=$("$XL" create -q "$T/web2.cfg" 2>&1) && fail "a duplicate uuid was accepted"
assert_match "$out" "uuid $U is already in use" "duplicate uuid message"

# the config (host paths) only on the root socket
q='{"version":1,"id":1,"method":"info","params":{"domain":"web"}}'
assert_match "$($XLDRAW call "$XLD_RUNDIR/xld.sock" "$q")" '"kernel":' "info config"
out=$($XLDRAW call "$XLD_RUNDIR/xld-ro.sock" "$q")
assert_match "$out" '"name":"web"' "ro info"
! printf '%s' "$out" | grep -q '"config"' || fail "ro info shows the config"

# pause/unpause show in the state letters
"$XL" pause web || fail "pause"
assert_match "$(row web)" ' --p---  ' "paused letters"
[ "$(field web state)" = paused ] || fail "json state paused"
"$XL" unpause 1 || fail "unpause"
assert_match "$(row web)" ' [rb-]{2}----  ' "unpaused letters"

# create -p: paused once created
mkcfg pz idle
"$XL" create -q -p "$T/pz.cfg" || fail "create -p"
assert_match "$(row pz)" ' --p---  ' "create -p letters"
"$XL" destroy pz || fail "destroy pz"

# rename: name, store and lookups follow; the UUID stays
"$XL" rename web www || fail "rename"
[ -z "$(row web)" ] || fail "old name still listed"
[ "$("$XL" domid www)" = 1 ] || fail "domid after rename"
[ "$(xenstore-read /local/domain/1/name)" = www ] || fail "store name after rename"
[ "$(field www uuid)" = "$U" ] || fail "uuid after rename"
create other idle
out=$("$XL" rename www other 2>&1) && fail "rename onto a used name"
assert_match "$out" "already in use" "rename collision"

# uptime lists the guests
assert_match "$("$XL" uptime www)" '^www +1 +[0-9 ]+:[0-9]{2}:[0-9]{2}$' "uptime www"

# destroy: gone from the list, the store, the run directory
pid=$(field www pid)
"$XL" destroy www || fail "destroy"
gone www || fail "www still listed"
! xenstore-read /local/domain/1/name 2>/dev/null || fail "store home left"
! xenstore-read "/vm/$U/name" 2>/dev/null || fail "/vm left"
[ ! -e "$XLD_RUNDIR/dom/1.sock" ] || fail "control socket left"
[ ! -e "$XLD_RUNDIR/xs-dom/1.sock" ] || fail "store socket left"
! alive "$pid" || fail "monitor $pid still running"
[ ! -e "$XLD_STATEDIR/domains/1.json" ] || fail "record left"
"$XL" destroy other || fail "destroy other"

# the special watches fired (once at registration, then per domain)
lines_ge() { [ "$(grep -c . "$1")" -ge "$2" ]; }
wait_for 5 "@introduceDomain x2" lines_ge "$T/intro.watch" 3
wait_for 5 "@releaseDomain x1" lines_ge "$T/release.watch" 2
kill $WATCH1 $WATCH2 2>/dev/null

# on_poweroff=destroy: hello powers off and the domain goes away
mkcfg hi hello 'on_poweroff = "destroy"'
id=$("$XL" create "$T/hi.cfg" 2>&1 | sed -n 's/^Started domain hi (id=\([0-9]*\))$/\1/p')
[ -n "$id" ] || fail "xl create did not say which domid it started"
wait_for 10 "hello destroyed" gone hi
! xenstore-read "/local/domain/$id/name" 2>/dev/null || fail "hello's nodes left"
[ ! -e "$XLD_STATEDIR/domains/$id.json" ] || fail "hello's record left"
grep -q 'Hello from an xlhv test guest' "$XLD_LOGDIR/console/hi.log" ||
	fail "console log: $(cat "$XLD_LOGDIR/console/hi.log")"

# on_poweroff=preserve: kept, shut down, under a new name
K=7d2d4c1a-5b6e-4f70-8a9b-0c1d2e3f4a5b
create keep hello 'on_poweroff = "preserve"' "uuid = \"$K\""
listed() { "$XL" list | grep -Eq "$1"; }
wait_for 10 "hello preserved" listed '^keep-[0-9]{8}T[0-9]{4}Z '
! "$XL" list -v | grep -q "$K" || fail "the preserved domain kept its UUID (Xen gives it a new one)"
assert_match "$("$XL" list | awk '$1 ~ /^keep-/')" ' ---s--  ' "poweroff letters"

# on_crash=preserve: listed as crashed
create boom crash 'on_crash = "preserve"'
wait_for 10 "crash preserved" listed '^boom-'
b=$("$XL" list -v | awk '$1 ~ /^boom-/')
assert_match "$b" ' ---sc-  .* {8}3 ' "crashed letters and reason code"
bname=$(printf '%s\n' "$b" | awk '{ print $1 }')
[ "$(field "$bname" shutdown_reason)" = crash ] || fail "json reason crash"
[ "$(field "$bname" state)" = shutdown ] || fail "json state shutdown"
out=$("$XL" pause "$bname" 2>&1) && fail "paused a shut-down domain"
assert_match "$out" "is shut down: destroy it" "pause a shut-down domain"
out=$("$XL" shutdown "$bname" 2>&1) && fail "shut down a shut-down domain"
assert_match "$out" "is shut down" "shutdown a shut-down domain"
"$XL" destroy "$bname" || fail "destroy a preserved domain"
gone "$bname" || fail "preserved domain not destroyed"

# on_crash=destroy (the default)
create boom2 crash
wait_for 10 "crash destroyed" gone boom2

# on_reboot=restart: same name and UUID, a new domid
R=0c3c8b7e-1111-4222-8333-944455566677
create rb reboot "uuid = \"$R\"" 'on_reboot = "restart"'
first=$(field rb domid)
restarted() {
	d=$(field rb domid)
	[ -n "$d" ] && [ "$d" != "$first" ]
}
wait_for 10 "reboot restarted" restarted
[ "$(field rb uuid)" = "$R" ] || fail "restart changed the uuid"
n=$("$XL" list | awk '$1 == "rb"' | wc -l)
[ "$n" -eq 1 ] || fail "$n domains named rb"
"$XL" destroy rb || fail "destroy rb"
gone rb || fail "rb still listed"

# on_reboot=rename-restart: the old one kept, renamed; a new one runs
create rr reboot 'on_reboot = "rename-restart"' 'on_poweroff = "destroy"'
wait_for 10 "rename-restart" listed '^rr-'
"$XL" destroy rr 2>/dev/null || true
for d in $("$XL" list | awk 'NR > 2 { print $1 }'); do "$XL" destroy "$d" || true; done

# "wait": the reply is held until the guest stops, then the connection
# carries on
create w idle
wid=$("$XL" domid w)
python3 - "$XLD_RUNDIR/xld.sock" "$wid" >"$T/wait.out" 2>&1 <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
s.sendall(b'{"version":1,"id":"w","method":"wait","params":{"domain":"w"}}\n'
          b'{"version":1,"id":"after","method":"hello"}\n')
for _ in range(2):
    print(json.loads(f.readline())["id"], flush=True)
PY
WP=$!
sleep 0.5
kill -0 $WP 2>/dev/null || fail "wait returned while the guest runs: $(cat "$T/wait.out")"
[ ! -s "$T/wait.out" ] || fail "a request after wait was answered first: $(cat "$T/wait.out")"
"$XL" list >/dev/null || fail "another client is not served during a wait"
"$XL" destroy w || fail "destroy w"
wait $WP || fail "the waiting client failed: $(cat "$T/wait.out")"
[ "$(tr '\n' ' ' <"$T/wait.out")" = "w after " ] || fail "wait replies: $(cat "$T/wait.out")"
# a guest that powers off by itself ends the wait with its reason
mkcfg hw hello 'on_poweroff = "preserve"'
hwid=$("$XL" create "$T/hw.cfg" 2>&1 | sed -n 's/^Started domain hw (id=\([0-9]*\))$/\1/p')
[ -n "$hwid" ] || fail "create hw"
out=$($XLDRAW call "$XLD_RUNDIR/xld.sock" "{\"version\":1,\"method\":\"wait\",\"params\":{\"domain\":$hwid}}" 2>&1)
assert_match "$out" '"shutdown_reason":"poweroff"' "wait for hello"
for d in $("$XL" list | awk '$1 ~ /^hw-/ { print $1 }'); do "$XL" destroy "$d"; done

# xl shutdown -w, where the monitor can deliver it
create sd idle
if out=$("$XL" shutdown -w sd 2>&1); then
	assert_match "$out" 'Domain [0-9]+ has been shut down, reason code 0' "shutdown -w"
	gone sd || fail "sd listed after shutdown -w"
else
	assert_match "$out" 'does not listen to the ACPI power button.*\(EOPNOTSUPP\)' "shutdown refused clearly"
	echo "note: the idle test guest does not arm the ACPI power button: shutdown -w not exercised" >&2
	"$XL" destroy sd || fail "destroy sd"
fi

# shutdown -a: every running guest (a preserved one is left alone)
create sa1 idle
create sa2 idle
create sa3 hello 'on_poweroff = "preserve"'
wait_for 10 "sa3 preserved" listed '^sa3-'
if out=$("$XL" shutdown -a -w 2>&1); then
	assert_match "$out" 'Waiting for 2 domains' "shutdown -a -w"
else
	assert_match "$out" 'domain [0-9]+ \(sa1\): the guest does not listen' "shutdown -a: sa1"
	assert_match "$out" 'domain [0-9]+ \(sa2\): the guest does not listen' "shutdown -a: sa2"
	! printf '%s' "$out" | grep -q 'sa3' || fail "shutdown -a asked a shut-down guest"
fi
for d in $("$XL" list | awk '$1 ~ /^sa/ { print $1 }'); do "$XL" destroy "$d"; done

# nothing left behind
only_dom0() { [ "$("$XL" list | wc -l)" -eq 2 ]; }
wait_for 10 "all domains gone" only_dom0
[ -z "$(xld_monitors)" ] || fail "monitors left: $(xld_monitors)"
[ -z "$(ls "$XLD_RUNDIR/dom")" ] || fail "sockets left: $(ls "$XLD_RUNDIR/dom")"
[ "$(xenstore-list /local/domain)" = 0 ] || fail "store homes left: $(xenstore-list /local/domain)"
[ -z "$(xenstore-list /vm 2>/dev/null)" ] || fail "/vm left: $(xenstore-list /vm)"
kill -0 "$XLD_PID" || fail "xld died"
xld_finish
echo "xld-lifecycle: ok"
