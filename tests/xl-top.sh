#!/bin/bash
# xl top, xl config-update and xl create's Xen options against the real
# xld, real monitors and test guests:
#  - top -b: xentop's header and one row per domain per iteration, with
#    the right names, states, memory and devices; CPU(%) 0.0 in the first
#    (no previous sample, as xentop) and a CPU-bound guest's above an
#    idle one's in the second; -n shows a vif's TAP counters, which grow
#    with traffic on its bridge (in a network namespace of the test's own);
#  - top on a pty: summary, header and rows drawn, s and d work, q quits
#    with the terminal modes restored (tests/xl-top-pty.py);
#  - top's bad input: no terminal without -b, a bad -d or -i, operands,
#    and a hostile xld's bad values, each named;
#  - config-update: Xen's warning, the running guest unchanged, a bad
#    file refused with its file:line and the update kept, a rename or an
#    unknown domain refused, the update surviving an xld restart, and the
#    guest rebuilt from it at its reboot (reboot guest, key=1);
#  - create -d prints the config and creates, -q is silent, -e is
#    accepted, -F waits for the guest to stop, -V is refused, -c with -F
#    is a usage error.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

NS=xltop$$
BR=xltbr0
NETNS=
if [ -c /dev/net/tun ] && ip netns add "$NS" 2>/dev/null; then
	net_cleanup() { ip netns del "$NS" 2>/dev/null; true; }
	hvt_on_exit net_cleanup
	ip -n "$NS" link set lo up
	ip -n "$NS" link add "$BR" type bridge && ip -n "$NS" link set "$BR" up &&
		ip -n "$NS" addr add 10.211.0.1/24 dev "$BR" && NETNS=yes
fi
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"
# xld in the namespace when there is one (its vifs' counters are there)
xld_up() {
	if [ -n "$NETNS" ]; then
		ip netns exec "$NS" "$XLD" --foreground 2>>"$T/xld.stderr" &
		XLD_PID=$!
		xl_up() { "$XL" list >/dev/null 2>&1; }
		wait_for 10 "xld answers" xl_up
	else
		xld_start
	fi
}
[ -n "$NETNS" ] || echo "NOTE: $TESTNAME: no network namespace here: top -n's counters untested" >&2
xld_up

letters() { row "$1" | awk '{ print $5 }'; }
is() { [ "$(letters "$1")" = "$2" ]; }

# --- top -b -------------------------------------------------------------------
: >"$T/calm.img"
create calm idle "disk = ['$T/calm.img,raw,xvda,rw']"
create busy memtouch 'cmdline = "passes=0 report=0"'
wait_for 10 "calm blocked" is calm -b----
wait_for 10 "busy running" is busy r-----
"$XL" top -b -i 2 -d 0.5 >"$T/top.out" 2>"$T/top.err" || fail "top -b: $(cat "$T/top.err")"
[ ! -s "$T/top.err" ] || fail "top -b wrote to stderr: $(cat "$T/top.err")"
hdr='      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS SSID'
[ "$(wc -l <"$T/top.out")" = 8 ] || fail "top -b -i 2: not 2 x (header + 3 rows): $(cat "$T/top.out")"
[ "$(sed -n 1p "$T/top.out")" = "$hdr" ] || fail "top header: $(sed -n 1p "$T/top.out")"
[ "$(sed -n 5p "$T/top.out")" = "$hdr" ] || fail "top: no header for the second iteration"
# field N of NAME's row in iteration I
col() { awk -v i="$1" -v n="$2" -v f="$3" '$1 == "NAME" { it++ } it == i && $1 == n { print $f }' "$T/top.out"; }
for i in 1 2; do
	[ "$(col $i Domain-0 2)" = -----r ] || fail "iteration $i: Domain-0 state $(col $i Domain-0 2)"
	[ "$(col $i calm 2)" = --b--- ] || fail "iteration $i: calm state $(col $i calm 2)"
	[ "$(col $i busy 2)" = -----r ] || fail "iteration $i: busy state $(col $i busy 2)"
done
[ "$(col 1 busy 4)" = 0.0 ] || fail "CPU(%) without a previous sample: $(col 1 busy 4)"
b=$(col 2 busy 4) c=$(col 2 calm 4)
awk -v b="$b" -v c="$c" 'BEGIN { exit !(b > c && b >= 5) }' ||
	fail "CPU(%): busy $b, calm $c: $(cat "$T/top.out")"
assert_match "$(awk '$1 == "calm"' "$T/top.out" | head -1)" \
	'^ +calm --b--- +[0-9]+ +[0-9.]+ +16384 +[0-9.]+ +16384 +[0-9.]+ +1 +0 +0 +0 +1 +0$' "calm's row"
assert_match "$(awk '$1 == "Domain-0"' "$T/top.out" | head -1)" \
	' no limit +n/a ' "Domain-0 has no memory limit"
# sorted by name: busy, calm, Domain-0 (case-blind, as xentop)
"$XL" top -b -i 1 -f -r >"$T/top1.out" || fail "top -b -i 1 -f -r"
[ "$(grep -c NAME "$T/top1.out")" = 3 ] || fail "top -r: a header per domain: $(cat "$T/top1.out")"

# --- top -n: a vif's TAP counters ----------------------------------------------
if [ -n "$NETNS" ]; then
	create n1 idle "vif = ['bridge=$BR,mac=00:16:3e:0a:0b:0c']"
	nd=$("$XL" domid n1)
	# broadcasts on the bridge go out through the TAP: 20 x 1000 bytes
	ip netns exec "$NS" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for _ in range(20):
    s.sendto(b"x" * 1000, ("10.211.0.255", 9))' || fail "broadcast on $BR"
	out=$("$XL" top -b -i 1 -n) || fail "top -n"
	line=$(printf '%s\n' "$out" | awk '$1 == "n1" { getline; print; exit }')
	assert_match "$line" '^Net0 RX: +[0-9]+bytes +[0-9]+pkts +[0-9]+err +[0-9]+drop  TX: +[0-9]+bytes +[0-9]+pkts +[0-9]+err +[0-9]+drop$' "n1's Net0 line"
	rx=$(printf '%s\n' "$line" | sed 's/^Net0 RX: *\([0-9]*\)bytes *\([0-9]*\)pkts.*/\2/')
	[ "$rx" -ge 20 ] || fail "the guest's vif did not get the 20 broadcasts: $line"
	# NETRX(k): what it received, in KiB
	nrx=$(printf '%s\n' "$out" | awk '$1 == "n1" { print $12 }')
	[ "$nrx" -ge 19 ] || fail "n1: NETRX(k) $nrx after 20 KB"
	# the TAP sent what the guest received (xentop's view of a vif)
	tap=$(ip netns exec "$NS" cat "/sys/class/net/vif$nd.0/statistics/tx_packets")
	[ "$tap" -ge "$rx" ] || fail "Net0 RX $rx packets, the TAP sent $tap"
	[ "$(printf '%s\n' "$out" | awk '$1 == "n1" { print $10 }')" = 1 ] || fail "n1: NETS not 1"
	"$XL" destroy n1 || fail "destroy n1"
fi

# --- top on a terminal -----------------------------------------------------------
python3 "$top_srcdir/tests/xl-top-pty.py" "$XL" Domain-0 calm busy >"$T/pty.out" 2>&1 ||
	fail "top on a pty: $(cat "$T/pty.out")"

# --- top's bad input ---------------------------------------------------------------
out=$("$XL" top </dev/null 2>&1) && fail "top without a terminal succeeded"
assert_match "$out" 'needs a terminal: use -b' "top without a terminal"
for bad in "-d 0" "-d abc" "-d -1" "-d inf" "-i 0" "-i x" "-b extra"; do
	# shellcheck disable=SC2086
	"$XL" top -b $bad >/dev/null 2>"$T/bad.err"
	[ $? = 2 ] || fail "top $bad: not a usage error"
	[ -s "$T/bad.err" ] || fail "top $bad: no message"
done
assert_match "$("$XL" top -b -d abc 2>&1)" "-d 'abc': give the delay in seconds" "top -d abc"

# a hostile xld: each bad value is named, no table is printed
FAKE=$T/fake
mkdir -p "$FAKE"
python3 - "$FAKE/xld.sock" >"$T/fake.out" 2>&1 <<'PY' &
import json, socket, sys
ok = {"domid": 1, "name": "g", "state": "running", "cpu_time_ns": 5,
      "memory_kib": 1024, "vcpus": 1}
def dom(**kw):
    d = dict(ok)
    d.update(kw)
    return {"domains": [d]}
replies = [
    {"domains": 5},
    dom(domid=-1),
    dom(domid="1"),
    dom(name="x" * 65),
    dom(state=7),
    dom(memory_kib=-5),
    dom(vcpus=100000),
    dom(maxmem_kib="lots"),
    dom(vifs=[{"devid": 0, "stats": {"tx_bytes": -1}}]),
    dom(vifs=[{"devid": 0}] * 9),
    dom(vbds={"a": 1}),
]
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[1])
srv.listen(4)
for r in replies:
    c, _ = srv.accept()
    req = json.loads(c.makefile("rb").readline())
    c.sendall(json.dumps({"version": 1, "id": req.get("id"),
                          "result": r}).encode() + b"\n")
    c.close()
PY
FP=$!
fake_up() { [ -S "$FAKE/xld.sock" ]; }
wait_for 10 "the hostile xld listens" fake_up
for want in "no domains array" "entry 0: bad or missing domid" \
	"entry 0: bad or missing domid" "domain 1: bad or missing name" \
	"domain 1: bad or missing state" "domain 1: bad or missing cpu_time_ns, memory_kib or vcpus" \
	"domain 1: bad or missing cpu_time_ns, memory_kib or vcpus" "domain 1: bad maxmem_kib" \
	"domain 1: vif 0: bad or missing tx_bytes" "domain 1: bad vifs" "domain 1: bad vbds"; do
	out=$(XLD_RUNDIR=$FAKE "$XL" top -b -i 1 2>&1) && fail "top took a bad reply ($want): $out"
	assert_match "$out" "^xl top: xld's stats.*$want\$" "hostile reply: $want"
done
wait $FP || fail "the hostile xld: $(cat "$T/fake.out")"
"$XL" destroy busy || fail "destroy busy"

# --- config-update -------------------------------------------------------------------
mkcfg rb reboot 'cmdline = "key=1"' 'on_reboot = "restart"'
"$XL" create -q "$T/rb.cfg" || fail "create rb"
d1=$("$XL" domid rb)
wait_for 10 "rb waits for its key" grep -q 'waiting for a key' "$XLD_LOGDIR/console/rb.log"
out=$("$XL" config-update rb "$T/rb.cfg" memory=32 2>&1) || fail "config-update: $out"
assert_match "$out" '^WARNING: xl now has better capability to manage domain configuration, avoid using this command when possible' "Xen's warning"
assert_match "$out" "setting dom$d1 configuration" "config-update says what it set"
[ "$(field rb memory_kib)" = 16384 ] || fail "config-update changed the running guest: $(field rb memory_kib)"
# a bad file: Xen's file:line, exit 1, and the update kept
printf 'name = "rb"\nmemory = = 8\n' >"$T/bad.cfg"
out=$("$XL" config-update rb "$T/bad.cfg" 2>&1) && fail "a bad config was taken"
assert_match "$out" "$T/bad.cfg:2: config parsing error near" "bad config's file:line"
out=$("$XL" config-update rb "$T/rb.cfg" 'name = "other"' 2>&1) && fail "config-update renamed"
assert_match "$out" "not 'rb': config-update does not rename" "rename refused"
out=$("$XL" config-update nope "$T/rb.cfg" 2>&1) && fail "config-update of an unknown domain"
assert_match "$out" "nope" "unknown domain named"
"$XL" config-update rb >/dev/null 2>&1; [ $? = 2 ] || fail "config-update without a file: not 2"
"$XL" config-update >/dev/null 2>&1; [ $? = 2 ] || fail "config-update without a domain: not 2"
out=$("$XL" config-update 0 "$T/rb.cfg" 2>&1) && fail "config-update of Domain-0"
assert_match "$out" "Domain-0 has no domain config" "Domain-0 refused"
out=$("$XL" -N config-update rb "$T/rb.cfg" memory=64 2>/dev/null) || fail "config-update -N"
assert_match "$out" '"memory": 64' "-N prints the config"

# xld restarts: the update is in the domain's record
xld_finish
xld_up
[ "$("$XL" domid rb)" = "$d1" ] || fail "rb changed across the xld restart"
[ "$(field rb memory_kib)" = 16384 ] || fail "rb's memory after the xld restart: $(field rb memory_kib)"
# a key: the guest reboots, and is rebuilt from the updated config
tty=$(xenstore-read "/local/domain/$d1/console/tty") || fail "rb has no console tty"
# held open: the monitor reads its pty while a reader is attached
exec 7<>"$tty"
printf 'x\n' >&7
restarted() { d=$("$XL" domid rb 2>/dev/null) && [ "$d" != "$d1" ]; }
wait_for 30 "rb restarted" restarted
exec 7>&-
wait_for 10 "rb's new memory" sh -c "[ \"\$('$XL' list rb | awk 'NR == 2 { print \$3 }')\" = 32 ]"
cfgmem=$("$XL" list -l rb | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["config"]["memory"])')
[ "$cfgmem" = 32 ] || fail "xl list -l: config memory $cfgmem"
# and keeps it: another xld restart
d2=$("$XL" domid rb)
xld_finish
xld_up
[ "$("$XL" list rb | awk 'NR == 2 { print $3 }')" = 32 ] || fail "rb's memory after the second xld restart"
[ "$("$XL" domid rb)" = "$d2" ] || fail "rb changed across the second xld restart"
"$XL" destroy rb || fail "destroy rb"
"$XL" destroy calm || fail "destroy calm"

# --- create's options ---------------------------------------------------------------------
mkcfg dd idle
out=$("$XL" create -d "$T/dd.cfg" 2>"$T/dd.err") || fail "create -d: $(cat "$T/dd.err")"
assert_match "$out" '"name": "dd"' "create -d prints the config"
[ -n "$(row dd)" ] || fail "create -d did not create dd"
"$XL" destroy dd
mkcfg qq idle
out=$("$XL" create -q -e "$T/qq.cfg" 2>&1) || fail "create -q -e: $out"
[ -z "$out" ] || fail "create -q printed: $out"
[ -n "$(row qq)" ] || fail "create -q -e did not create qq"
"$XL" destroy qq
mkcfg vv idle
out=$("$XL" create -V "$T/vv.cfg" 2>&1) && fail "create -V succeeded"
assert_match "$out" 'no graphical display \(VNC\)' "create -V refused"
[ -z "$(row vv)" ] || fail "create -V created vv"
"$XL" create -c -F "$T/vv.cfg" >/dev/null 2>&1; [ $? = 2 ] || fail "create -c -F: not 2"
mkcfg ff hello 'on_poweroff = "preserve"'
out=$("$XL" create -F "$T/ff.cfg" 2>&1) || fail "create -F: $out"
assert_match "$out" 'Domain [0-9]+ has shut down, reason code 0' "create -F waits"
for d in $("$XL" list | awk '$1 ~ /^ff-/ { print $1 }'); do "$XL" destroy "$d"; done
mkcfg fd idle
"$XL" create -q -f "$T/fd.cfg" || fail "create -f"
[ -n "$(row fd)" ] || fail "create -f did not create fd"
"$XL" destroy fd

xld_finish
echo "xl-top: ok"
