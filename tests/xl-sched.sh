#!/bin/sh
# xl sched-credit against a real xld and real test guests: weights and
# caps as cgroups of each monitor (the files themselves checked), Xen's
# format and messages, a cap that really holds a busy guest down, values
# that survive an xld restart, a group gone with its domain, and a clear
# refusal where no cgroup cpu controller is mounted.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
hvt_require_kvm

CG=$(cgroup_cpu_root)
[ -n "$CG" ] || skip "no cgroup cpu controller is mounted"
if [ -f "$CG/cgroup.controllers" ]; then V=2; else V=1; fi
NCPU=$(getconf _NPROCESSORS_ONLN)
CAPMAX=$((NCPU * 100))
HZ=$(getconf CLK_TCK)

# the monitor pid of domain $1, from xld
mon_pid() {
	$XLDRAW call "$XLD_RUNDIR/xld.sock" \
		"{\"version\":1,\"id\":1,\"method\":\"info\",\"params\":{\"domain\":\"$1\"}}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["pid"])'
}

# cgfile DOMID FILE: a file of the domain's group
cgfile() { cat "$CG/$XLD_CGROUP/$1/$2"; }

# expect_group DOMID WEIGHT CAP: the files hold the mapped values
expect_group() {
	if [ $V = 1 ]; then
		[ "$(cgfile "$1" cpu.shares)" = $(($2 * 4)) ] ||
			fail "dom $1: cpu.shares $(cgfile "$1" cpu.shares), not $(($2 * 4))"
		q=-1
		[ "$3" = 0 ] || q=$(($3 * 1000))
		[ "$(cgfile "$1" cpu.cfs_quota_us)" = "$q" ] ||
			fail "dom $1: cpu.cfs_quota_us $(cgfile "$1" cpu.cfs_quota_us), not $q"
		[ "$(cgfile "$1" cpu.cfs_period_us)" = 100000 ] ||
			fail "dom $1: cpu.cfs_period_us $(cgfile "$1" cpu.cfs_period_us)"
	else
		w=$((($2 * 100 + 128) / 256))
		[ $w -ge 1 ] || w=1
		[ $w -le 10000 ] || w=10000
		[ "$(cgfile "$1" cpu.weight)" = $w ] ||
			fail "dom $1: cpu.weight $(cgfile "$1" cpu.weight), not $w"
		q=max
		[ "$3" = 0 ] || q=$(($3 * 1000))
		[ "$(cgfile "$1" cpu.max)" = "$q 100000" ] ||
			fail "dom $1: cpu.max $(cgfile "$1" cpu.max), not $q 100000"
	fi
}

# expect_member DOMID PID: every thread of PID is in the domain's group
expect_member() {
	grep -qx "$2" "$CG/$XLD_CGROUP/$1/cgroup.procs" ||
		fail "monitor $2 is not in $CG/$XLD_CGROUP/$1/cgroup.procs"
	for t in /proc/"$2"/task/*; do
		grep -Eq ":/$XLD_CGROUP/$1\$" "$t/cgroup" ||
			fail "thread ${t##*/} of monitor $2 is elsewhere: $(cat "$t/cgroup")"
	done
}

# cpu_pct PID: CPU use of PID over 2 s, in percent of one CPU
cpu_pct() {
	a=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat")
	sleep 2
	b=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat")
	echo $(((b - a) * 100 / HZ / 2))
}

xld_start

# --- the listing, exactly as Xen prints it ---
out=$("$XL" sched-credit) || fail "xl sched-credit: exit $?"
exp=$(printf 'Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n%-33s %4s %6s %4s\n%-33s %4d %6d %4d' \
	Name ID Weight Cap Domain-0 0 256 0)
[ "$out" = "$exp" ] || fail "xl sched-credit printed:
$out
expected:
$exp"

# --- the config's cpu_weight and cap at create ---
# memtouch with passes=0 runs forever in ring 3: a busy guest
create busy memtouch 'cmdline = "pages=16 passes=0 report=0"' \
	'cpu_weight = 512'
create quiet idle 'cap = 50'
P=$(mon_pid busy)
[ -n "$P" ] && alive "$P" || fail "no monitor for busy"
expect_group 1 512 0
expect_member 1 "$P"
expect_group 2 256 50
expect_member 2 "$(mon_pid quiet)"
# a guest with the defaults gets no group (a cgroup move costs a create
# ~9 ms) until xl sched-credit gives it other values
create plain idle
dp=$("$XL" domid plain)
[ ! -e "$CG/$XLD_CGROUP/$dp" ] || fail "plain (defaults) has a group"
"$XL" sched-credit -d plain -w 300 || fail "sched-credit -d plain -w 300"
expect_group "$dp" 300 0
expect_member "$dp" "$(mon_pid plain)"
"$XL" destroy plain || fail "destroy plain"
[ ! -e "$CG/$XLD_CGROUP/$dp" ] || fail "plain's group outlived it"
out=$("$XL" sched-credit -d busy) || fail "sched-credit -d busy: exit $?"
exp=$(printf '%-33s %4s %6s %4s\n%-33s %4d %6d %4d' Name ID Weight Cap \
	busy 1 512 0)
[ "$out" = "$exp" ] || fail "xl sched-credit -d busy printed:
$out"
out=$("$XL" sched-credit)
exp=$(printf 'Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n%-33s %4s %6s %4s' \
	Name ID Weight Cap
	printf '\n%-33s %4d %6d %4d' Domain-0 0 256 0 busy 1 512 0 quiet 2 256 50)
[ "$out" = "$exp" ] || fail "xl sched-credit printed:
$out
expected:
$exp"

# --- bash completion: domains after -d, the pool after -p, no guess
# for a weight ---
complete_line() {
	PATH="$(dirname "$XL"):$PATH" bash --norc --noprofile -c '
		. "$1"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_xl
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ \
		"$top_srcdir/xlcli/bash-completion/xl" "$1"
}
got=$(complete_line "xl sched-credit -d b")
[ "$got" = busy ] || fail "completion of -d: $got"
got=$(complete_line "xl sched-credit -p ")
[ "$got" = Pool-0 ] || fail "completion of -p: $got"
got=$(complete_line "xl sched-credit -d busy -w ")
[ -z "$got" ] || fail "completion of -w: $got"
got=$(complete_line "xl sched-credit --w")
[ "$got" = --weight= ] || fail "completion of --w: $got"

# --- a cap that holds: uncapped, the busy guest (at the highest weight)
# takes what the host gives it; capped, no more than the cap, and the
# kernel holds it back (the group's throttled time grows by most of the
# time measured).  On an idle host that is most of a CPU against 20%; on a
# loaded one (8 builds on 2 CPUs leave a spinning process 5 to 25%) a cap
# of a third of what it got shows the same.  Limits allow for the 10 ms
# tick (HZ=100) by which a quota can be overrun. ---
"$XL" sched-credit -d busy -w 65535 || fail "set -w 65535: exit $?"
expect_group 1 65535 0
u=0
for try in 1 2 3 4; do
	x=$(cpu_pct "$P")
	[ "$x" -le "$u" ] || u=$x
	[ "$u" -le 60 ] || break
done
echo "busy guest uncapped: ${u}% of a CPU"
[ "$u" -ge 4 ] || fail "the uncapped busy guest got only ${u}% of a CPU"
if [ "$u" -gt 60 ]; then
	cap=20 limit=35
else
	cap=$((u / 3)) limit=$((u / 3 + 4))
fi
"$XL" sched-credit -d busy -w 128 -c $cap || fail "set -w 128 -c $cap: exit $?"
expect_group 1 128 $cap
expect_member 1 "$P"
# milliseconds the group spent throttled so far
throttled() {
	awk '$1 == "throttled_time" { print int($2 / 1000000) }
	     $1 == "throttled_usec" { print int($2 / 1000) }' \
		"$CG/$XLD_CGROUP/1/cpu.stat"
}
sleep 0.3
t0=$(throttled)
x=$(cpu_pct "$P")
t1=$(throttled)
echo "busy guest capped at $cap: ${x}% of a CPU, throttled $((t1 - t0)) ms of 2000"
[ "$x" -lt "$limit" ] ||
	fail "capped at $cap%, the busy guest used ${x}% of a CPU (${u}% uncapped)"
[ "$u" -le 60 ] || [ $((x * 2)) -lt "$u" ] ||
	fail "capped at $cap%, the busy guest used ${x}% of a CPU against ${u}%"
[ $((t1 - t0)) -ge 400 ] ||
	fail "capped at $cap%, the group was throttled only $((t1 - t0)) ms of 2000"
"$XL" sched-credit -d busy -c 20 || fail "set -c 20"
assert_match "$("$XL" sched-credit -d 1)" "^busy +1 +128 +20\$" "read back"
# one of the two leaves the other as it was
"$XL" sched-credit -d busy -c 25 || fail "set -c 25"
assert_match "$("$XL" sched-credit -d busy)" "^busy +1 +128 +25\$" "-c alone"
expect_group 1 128 25

# --- bad values: Xen's messages, exit 1, nothing changed ---
bad() {
	st=0
	err=$("$XL" sched-credit "$@" 2>&1 >/dev/null) || st=$?
	[ "$st" = 1 ] || fail "xl sched-credit $*: exit $st, not 1 ($err)"
	echo "$err"
}
assert_match "$(bad -d busy -w 0)" \
	'Cpu weight out of range, valid values are within range from 1 to 65535' "-w 0"
assert_match "$(bad -d busy -w 65536)" 'Cpu weight out of range' "-w 65536"
assert_match "$(bad -d busy -c -1)" \
	"Cpu cap out of range, valid range is from 0 to $CAPMAX" "-c -1"
assert_match "$(bad -d busy -c $((CAPMAX + 1)))" \
	"Cpu cap out of range, valid range is from 0 to $CAPMAX" "-c past the host"
assert_match "$(bad -d busy -w 12abc)" "invalid weight '12abc'" "-w 12abc"
assert_match "$(bad -d busy -w 99999999999999999999)" "invalid weight" "-w huge"
assert_match "$(bad -d nosuch -w 300)" \
	'nosuch is an invalid domain identifier' "unknown domain"
assert_match "$(bad -w 300)" '^Must specify a domain\.$' "-w without -d"
assert_match "$(bad -p Pool-0 -d busy)" 'not allowed with domain options' "-p -d"
assert_match "$(bad -p other)" "unknown cpupool 'other'" "-p other"
assert_match "$(bad -d 0 -w 300)" 'Domain-0' "Domain-0"
assert_match "$("$XL" sched-credit -d busy)" "^busy +1 +128 +25\$" "unchanged"
expect_group 1 128 25
st=0
"$XL" sched-credit stray 2>/dev/null || st=$?
[ "$st" = 2 ] || fail "stray operand: exit $st, not 2"
st=0
"$XL" sched-credit -x 2>/dev/null || st=$?
[ "$st" = 2 ] || fail "unknown option: exit $st, not 2"
assert_match "$("$XL" sched-credit -s)" \
	'^Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us$' "-s"
# the protocol checks the parameters itself
q='{"version":1,"id":1,"method":"sched-credit-set","params":{"domain":"busy","weight":"9"}}'
assert_match "$($XLDRAW call "$XLD_RUNDIR/xld.sock" "$q")" '"EINVAL"' "string weight"
q='{"version":1,"id":1,"method":"sched-credit-set","params":{"domain":"busy","weight":300}}'
assert_match "$($XLDRAW call "$XLD_RUNDIR/xld-ro.sock" "$q")" '"EACCES"' "ro socket"
# a config asking for more than this host's CPUs is refused
mkcfg big idle "cap = $((CAPMAX + 100))"
err=$("$XL" create -q "$T/big.cfg" 2>&1) && fail "cap past the host accepted"
assert_match "$err" "Cpu cap out of range" "create with a cap past the host"

# --- a guest restarted by its policy keeps them under its new domid
# (memtouch powers off after its passes: a run of a second or more) ---
create cyc memtouch 'cmdline = "pages=16 passes=10000000 report=0"' \
	'on_poweroff = "restart"'
d0=$("$XL" domid cyc)
"$XL" sched-credit -d cyc -w 300 -c 40 || fail "set cyc: exit $?"
expect_group "$d0" 300 40
restarted() {
	d1=$("$XL" domid cyc 2>/dev/null) && [ -n "$d1" ] && [ "$d1" != "$d0" ]
}
wait_for 120 "cyc restarted under a new domid" restarted
assert_match "$("$XL" sched-credit -d cyc)" "^cyc +$d1 +300 +40\$" \
	"weight and cap after the restart"
# the group is made as the new monitor starts, its process last
joined() { [ -n "$(cat "$CG/$XLD_CGROUP/$1/cgroup.procs" 2>/dev/null)" ]; }
wait_for 10 "cyc's new monitor in its group $d1" joined "$d1"
expect_group "$d1" 300 40
[ ! -d "$CG/$XLD_CGROUP/$d0" ] || fail "the group of cyc's old domid $d0 stays"
"$XL" destroy cyc || fail "destroy cyc"

# --- xld restarted: the weight and cap come back from the record ---
xld_finish
xld_start
assert_match "$("$XL" sched-credit -d busy)" "^busy +1 +128 +25\$" "after restart"
expect_group 1 128 25
expect_member 1 "$P"
grep -q '"weight":128,"cap":25' "$XLD_STATEDIR/domains/1.json" ||
	fail "the record keeps no weight and cap: $(cat "$XLD_STATEDIR/domains/1.json")"

# --- destroy removes the group ---
"$XL" destroy busy || fail "destroy busy"
[ ! -d "$CG/$XLD_CGROUP/1" ] || fail "the group of a destroyed domain stays"
"$XL" destroy quiet || fail "destroy quiet"
[ ! -d "$CG/$XLD_CGROUP/2" ] || fail "the group of quiet stays"
xld_finish

# --- no cgroup cpu controller: set refused, create warned ---
cat >"$T/xld-nocg" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c 'umount "\$0" && exec "\$@"' \
	"$CG" "$top_builddir/xld/xld" "\$@"
EOF
chmod +x "$T/xld-nocg"
XLD=$T/xld-nocg
xld_start
mkcfg lone idle 'cap = 30'
err=$("$XL" create -q "$T/lone.cfg" 2>&1) || fail "create without cgroups: $err"
assert_match "$err" 'warning: cpu_weight 256 and cap 30 are not applied: no cgroup cpu controller' \
	"create's warning"
st=0
err=$("$XL" sched-credit -d lone -w 300 2>&1) || st=$?
[ "$st" = 1 ] || fail "set without cgroups: exit $st"
assert_match "$err" 'need the cgroup cpu controller: no cgroup cpu controller is mounted.*\(EOPNOTSUPP\)' \
	"set without cgroups"
"$XL" destroy lone || fail "destroy lone"
xld_finish
echo "PASS: $TESTNAME"
