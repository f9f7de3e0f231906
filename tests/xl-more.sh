#!/bin/bash
# xl block-list, network-list, vcpu-list and vcpu-pin against the real
# xld, real monitors and test guests:
#  - block-list: Xen's table, a row per disk with Xen's device number
#    (sdb1 2065), state 4 (connected) and backend path, -1 for evt-ch and
#    ring-ref (xld-disk.sh tests the disks themselves);
#  - network-list: Xen's table, a row per vif from its backend nodes (in
#    a network namespace of the test's own, when one can be made);
#  - vcpu-list: a row per vCPU, read from the monitor's "vcpu<N>" threads;
#    a busy guest's CPU time grows; a paused domain's vCPUs read p;
#  - vcpu-pin: the thread's affinity really changes (Cpus_allowed_list)
#    and vcpu-list shows it;
#  - dmesg shows xld's log, -c empties it, root only;
#  - unknown domains (Xen's message, exit 1), usage errors (exit 2).
. "$top_srcdir/tests/lib.sh"
# in the test host (no KVM here): two CPUs, so vcpu-pin moves a thread
HVT_TESTHOST_CPUS=${HVT_TESTHOST_CPUS:-2}
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

# xld in a network namespace with a bridge, so a vif can be made without
# touching the machine's interfaces; without one, no vif part.
NS=xlmore$$
BR=xlmbr0
NETNS=
if [ -c /dev/net/tun ] && ip netns add "$NS" 2>/dev/null; then
	net_cleanup() { ip netns del "$NS" 2>/dev/null; true; }
	hvt_on_exit net_cleanup
	ip -n "$NS" link set lo up
	ip -n "$NS" link add "$BR" type bridge && ip -n "$NS" link set "$BR" up &&
		NETNS=yes
fi
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"
if [ -n "$NETNS" ]; then
	ip netns exec "$NS" "$XLD" --foreground 2>>"$T/xld.stderr" &
	XLD_PID=$!
	xl_up() { "$XL" list >/dev/null 2>&1; }
	wait_for 10 "xld answers" xl_up
else
	echo "NOTE: $TESTNAME: no network namespace here: network-list rows untested" >&2
	xld_start
fi

# thread TID of vCPU N of domain D's monitor
vcpu_tid() {
	pid=$(pgrep -f -- "--control $XLD_RUNDIR/dom/$1.sock") || return 1
	for t in /proc/$pid/task/*; do
		[ "$(cat "$t/comm")" = "vcpu$2" ] && basename "$t" && return 0
	done
	return 1
}
allowed() { awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$(vcpu_tid "$1" "$2")/status"; }

# --- block-list -------------------------------------------------------------
: >"$T/b.img"
create g1 idle 'vcpus = 2' "disk = ['format=raw, vdev=sdb1, access=ro, target=$T/b.img']"
d=$("$XL" domid g1)
out=$("$XL" block-list g1) || fail "block-list g1: $out"
hdr='Vdev  BE  handle state evt-ch ring-ref BE-path                       '
[ "$(printf '%s\n' "$out" | sed -n 1p)" = "$hdr" ] || fail "block-list header: $out"
[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || fail "block-list rows: $out"
assert_match "$(printf '%s\n' "$out" | sed -n 2p)" "^2065  0   $d +4     -1     -1       /local/domain/0/backend/vbd/$d/2065 *\$" "sdb1 row"
[ "$("$XL" block-list "$d")" = "$out" ] || fail "block-list by domid"
out=$("$XL" block-list nope 2>&1) && fail "block-list of an unknown domain succeeded"
assert_match "$out" "nope is an invalid domain identifier" "block-list nope"
"$XL" block-list >/dev/null 2>&1; [ $? = 2 ] || fail "block-list without a domain: not 2"
"$XL" block-list -x g1 >/dev/null 2>&1; [ $? = 2 ] || fail "block-list -x: not 2"
out=$("$XL" block-list 0 2>&1) && fail "block-list of Domain-0 succeeded"
assert_match "$out" "Domain-0 has no virtual devices" "block-list 0"

# --- network-list -------------------------------------------------------------
nhdr='Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       '
out=$("$XL" network-list g1) || fail "network-list g1"
[ "$out" = "$nhdr" ] || fail "network-list of a guest without vifs: $out"
out=$("$XL" network-list nope 2>&1) && fail "network-list of an unknown domain succeeded"
assert_match "$out" "nope is an invalid domain identifier" "network-list nope"
"$XL" network-list >/dev/null 2>&1; [ $? = 2 ] || fail "network-list without a domain: not 2"
if [ -n "$NETNS" ]; then
	create n1 idle "vif = ['bridge=$BR,mac=00:16:3e:01:02:03', 'bridge=$BR']"
	n=$("$XL" domid n1)
	out=$("$XL" network-list n1) || fail "network-list n1"
	[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || fail "network-list rows: $out"
	assert_match "$(printf '%s\n' "$out" | sed -n 2p)" "^0   0  00:16:3e:01:02:03 0      4     -1        -1/-1          /local/domain/0/backend/vif/$n/0 *\$" "vif 0 row"
	mac1=$(xenstore-read "/local/domain/0/backend/vif/$n/1/mac") || fail "vif 1 mac"
	assert_match "$(printf '%s\n' "$out" | sed -n 3p)" "^1   0  $mac1 1      4     -1        -1/-1          /local/domain/0/backend/vif/$n/1 *\$" "vif 1 row"
	# both domains at once, header once
	[ "$("$XL" network-list g1 n1 | grep -c '^Idx')" = 1 ] || fail "two domains: one header"
	"$XL" destroy n1 || fail "destroy n1"
fi

# --- vcpu-list ------------------------------------------------------------------
vhdr='Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)'
vcpu_tid "$d" 0 >/dev/null || fail "no thread named vcpu0 in g1's monitor"
vcpu_tid "$d" 1 >/dev/null || fail "no thread named vcpu1 in g1's monitor"
out=$("$XL" vcpu-list g1) || fail "vcpu-list g1"
[ "$(printf '%s\n' "$out" | sed -n 1p)" = "$vhdr" ] || fail "vcpu-list header: $out"
[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || fail "vcpu-list rows: $out"
for v in 0 1; do
	a=$(allowed "$d" $v)
	[ "$a" = "0-$(($(nproc --all) - 1))" ] && a=all
	[ "$(nproc --all)" = 1 ] && [ "$a" = 0 ] && a=all
	assert_match "$(printf '%s\n' "$out" | sed -n $((v + 2))p)" "^g1 {31}$(printf '%5d' "$d") $(printf '%5d' $v) +[0-9]+ +(r--|-b-) +[0-9]+\.[0-9]  $a / all\$" "vcpu $v row"
done

# a busy guest's vCPU time grows
create busy memtouch 'extra = "passes=0 report=0"'
b=$("$XL" domid busy)
# (a loaded host may give it a fraction of a CPU: wait up to 20 s)
i=0
while :; do
	t=$("$XL" vcpu-list busy | awk 'NR == 2 { print $6 }')
	awk -v t="$t" 'BEGIN { exit !(t >= 0.5) }' && break
	i=$((i + 1))
	[ $i -lt 100 ] || fail "busy's vCPU time after 20 s: $t"
	sleep 0.2
done
# no operands: every guest, not Domain-0
out=$("$XL" vcpu-list) || fail "vcpu-list"
[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] || fail "vcpu-list of all: $out"
printf '%s\n' "$out" | grep -q '^Domain-0' && fail "vcpu-list lists Domain-0"
printf '%s\n' "$out" | grep -q "^busy  .* $(printf '%5d' "$b")     0 " || fail "vcpu-list: no busy: $out"
# a paused domain's vCPUs read p
"$XL" pause busy || fail "pause busy"
assert_match "$("$XL" vcpu-list busy | sed -n 2p)" ' [-r][-b]p ' "paused vCPU state"
"$XL" destroy busy || fail "destroy busy"
out=$("$XL" vcpu-list nope 2>&1) && fail "vcpu-list of an unknown domain succeeded"
assert_match "$out" "nope is an invalid domain identifier" "vcpu-list nope"

# --- vcpu-pin -------------------------------------------------------------------
"$XL" vcpu-pin g1 1 0 || fail "vcpu-pin g1 1 0"
[ "$(allowed "$d" 1)" = 0 ] || fail "vcpu1's affinity: $(allowed "$d" 1)"
assert_match "$("$XL" vcpu-list g1 | sed -n 3p)" ' 0 / all$' "vcpu-list after the pin"
[ "$(allowed "$d" 0)" = 0 ] && [ "$(nproc --all)" -gt 1 ] && fail "vcpu0 was pinned too"
"$XL" vcpu-pin g1 all all - || fail "vcpu-pin g1 all all -"
assert_match "$("$XL" vcpu-list g1 | sed -n 3p)" ' all / all$' "vcpu-list after all"
if [ "$(nproc --all)" -gt 1 ]; then
	"$XL" vcpu-pin g1 all "all,^0" || fail "vcpu-pin all,^0"
	want=1
	[ "$(nproc --all)" -gt 2 ] && want=1-$(($(nproc --all) - 1))
	[ "$(allowed "$d" 0)" = "$want" ] || fail "all,^0 on vcpu0: $(allowed "$d" 0)"
	[ "$(allowed "$d" 1)" = "$want" ] || fail "all,^0 on vcpu1: $(allowed "$d" 1)"
	assert_match "$("$XL" vcpu-list g1 | sed -n 2p)" " $want / all\$" "vcpu-list after all,^0"
fi
# bad input: nothing changes
before=$(allowed "$d" 0)
out=$("$XL" vcpu-pin g1 5 0 2>&1) && fail "vcpu-pin of vcpu 5 succeeded"
assert_match "$out" "has no vcpu 5" "vcpu 5"
out=$("$XL" vcpu-pin g1 0 99999 2>&1) && fail "vcpu-pin to CPU 99999 succeeded"
assert_match "$out" "invalid CPU list" "CPU 99999"
out=$("$XL" vcpu-pin g1 0 0 1 2>&1) && fail "a soft affinity was accepted"
assert_match "$out" "soft affinity is not supported" "soft affinity"
out=$("$XL" vcpu-pin g1 x 0 2>&1) && fail "vcpu x accepted"
assert_match "$out" "Invalid vcpu id: x" "vcpu x"
[ "$(allowed "$d" 0)" = "$before" ] || fail "a refused pin changed vcpu0"
out=$("$XL" vcpu-pin nope 0 - 2>&1) && fail "vcpu-pin - of an unknown domain succeeded"
assert_match "$out" "nope is an invalid domain identifier" "vcpu-pin nope -"
"$XL" vcpu-pin g1 0 - all || fail "vcpu-pin g1 0 - all"
[ "$(allowed "$d" 0)" = "$before" ] || fail "vcpu-pin - changed vcpu0"
out=$("$XL" vcpu-pin nope 0 0 2>&1) && fail "vcpu-pin of an unknown domain succeeded"
assert_match "$out" "nope is an invalid domain identifier" "vcpu-pin nope"
"$XL" vcpu-pin g1 0 >/dev/null 2>&1; [ $? = 2 ] || fail "vcpu-pin with 2 operands: not 2"
"$XL" vcpu-pin g1 0 0 - x >/dev/null 2>&1; [ $? = 2 ] || fail "vcpu-pin with 5 operands: not 2"
# the read-only socket may list, not pin
q='{"version":1,"id":1,"method":"vcpu-pin","params":{"domain":"g1","vcpu":0,"cpus":"0"}}'
assert_match "$($XLDRAW call "$XLD_RUNDIR/xld-ro.sock" "$q")" '"EPERM"|"EACCES"' "ro vcpu-pin"

# --- dmesg ----------------------------------------------------------------------
log=$XLD_LOGDIR/xld.log
[ -s "$log" ] || fail "xld wrote no log at $log"
out=$("$XL" dmesg) || fail "xl dmesg"
[ "$out" = "$(cat "$log")" ] || fail "dmesg is not xld's log"
assert_match "$out" "g1" "dmesg names the guest created"
"$XL" dmesg -c >"$T/dmesg1" || fail "xl dmesg -c"
grep -q g1 "$T/dmesg1" || fail "dmesg -c did not print before clearing"
out=$("$XL" dmesg) || fail "xl dmesg after -c"
printf '%s\n' "$out" | grep -q 'g1' && fail "dmesg -c did not clear: $out"
# xld goes on writing to the cleared log
create g2 idle
"$XL" destroy g2 || fail "destroy g2"
assert_match "$("$XL" dmesg)" "g2" "the log after -c"
q='{"version":1,"id":1,"method":"dmesg","params":{}}'
assert_match "$($XLDRAW call "$XLD_RUNDIR/xld-ro.sock" "$q")" '"EACCES"' "ro dmesg"
"$XL" dmesg -x >/dev/null 2>&1; [ $? = 2 ] || fail "dmesg -x: not 2"
"$XL" dmesg extra >/dev/null 2>&1; [ $? = 2 ] || fail "dmesg extra: not 2"

"$XL" destroy g1 || fail "destroy g1"
xld_finish
exit 0
