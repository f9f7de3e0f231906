#!/bin/bash
# kill -9 during every step (issue 12): xld is killed with SIGKILL, and
# separately the domain's monitor, at points spread over each op of
# create, destroy, reboot (on_reboot=restart), rename, mem-set and
# dump-core.  After each kill xld is started again and every domain must
# end fully up or fully gone:
#  - up: listed, its monitor alive, its socket, record and store home;
#  - gone: no monitor, no socket/tty/crash file in $XLD_RUNDIR/dom, no
#    store node under /local/domain/N (Debian's xenstore-ls), no record,
#    no cgroup, no TAP;
#  - the same name can be created again.
# A killed monitor makes its domain crashed (on_crash=destroy: gone).
# Each op's duration is measured first; the kill delays sweep from 0 to
# a bit past it in equal steps, plus random ones (KILL9_RANDOM of each
# KILL9_RUNS runs of a case).  The domain has a vif with a do-nothing
# script (a TAP, no bridge), xld in a network namespace of its own.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
command -v xenstore-ls >/dev/null || skip "xenstore-utils is missing"
command -v ip >/dev/null || skip "ip (iproute2) is missing"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"

# Runs per case (6 ops x 2 victims = 12 cases): 17 gives 204 runs, about
# 150 s on this 2-core PVM machine (0.75 s a run: restarting xld,
# re-creating the domain, the checks).  Inside the emulated test host (no
# /dev/kvm on the machine, XLD_IN_TESTHOST) everything is about 10x
# slower: 3 runs a case, 36 runs, keeps it within a 400 s budget.
if [ -n "${XLD_IN_TESTHOST:-}" ]; then
	RUNS=${KILL9_RUNS:-3}
else
	RUNS=${KILL9_RUNS:-17}
fi
RANDOM_RUNS=${KILL9_RANDOM:-$((RUNS / 4))}
RANDOM=${KILL9_SEED:-$$}
echo "$TESTNAME: $RUNS runs a case ($RANDOM_RUNS at random delays), seed ${KILL9_SEED:-$$}"

NS=xlk9$$
ip netns add "$NS" || skip "cannot make a network namespace (ip netns add)"
net_cleanup() { ip netns del "$NS" 2>/dev/null; true; }
hvt_on_exit net_cleanup
ip -n "$NS" link set lo up
printf '#!/bin/sh\nexit 0\n' >"$T/noop"
chmod +x "$T/noop"
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"
CG=$(cgroup_cpu_root)

k9_start() { xld_start ip netns exec "$NS"; }
k9_kill_xld() {
	kill -9 "$XLD_PID" 2>/dev/null
	wait "$XLD_PID" 2>/dev/null
	XLD_PID=
}

# cfg NAME: the config of every run's domain (weight 512, so it has a
# cgroup; a vif, so it has a TAP)
cfg() {
	mkcfg "$1" reboot 'maxmem = 32' 'extra = "key=1"' \
		'on_reboot = "restart"' 'on_crash = "destroy"' \
		"vif = ['script=$T/noop']" 'cpu_weight = 512'
}
cfg k

# The domids listed (Domain-0 aside), one a line.
ids() { "$XL" list | awk 'NR > 2 { print $2 }' | sort -n; }
monitor_of() { pgrep -f -- "--control $XLD_RUNDIR/dom/$1.sock"; }

# consistent: every domain fully up or fully gone; WHY says what is not.
consistent() {
	WHY=
	l=$("$XL" list 2>&1) || { WHY="xl list: $l"; return 1; }
	up=$(printf '%s\n' "$l" | awk 'NR > 2 { print $2 }' | sort -n | tr '\n' ' ')
	# nothing half-made or half-gone still listed
	if printf '%s\n' "$l" | awk 'NR > 2 && ($5 ~ /d/ || $1 ~ /--incoming$/)' | grep -q .; then
		WHY="a domain is dying: $l"
		return 1
	fi
	for d in $up; do
		p=$(monitor_of "$d")
		[ -n "$p" ] || { WHY="domain $d listed without a monitor"; return 1; }
		[ -S "$XLD_RUNDIR/dom/$d.sock" ] || { WHY="domain $d: no socket"; return 1; }
		[ -e "$XLD_STATEDIR/domains/$d.json" ] || { WHY="domain $d: no record"; return 1; }
		xenstore-read "/local/domain/$d/name" >/dev/null 2>&1 ||
			{ WHY="domain $d: no store home"; return 1; }
	done
	# what is not listed is gone: monitors, run files, records, nodes,
	# cgroups and TAPs
	for p in $(xld_monitors); do
		d=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null |
			sed -n "s|^$XLD_RUNDIR/dom/\([0-9]*\)\.sock$|\1|p")
		[ -z "$d" ] || case " $up " in *" $d "*) ;; *)
			WHY="orphan monitor $p of domain $d"; return 1 ;; esac
	done
	for f in "$XLD_RUNDIR"/dom/*; do
		[ -e "$f" ] || continue
		d=${f##*/}
		d=${d%%.*}
		case " $up " in *" $d "*) ;; *)
			WHY="$f left of a gone domain"; return 1 ;; esac
	done
	for f in "$XLD_STATEDIR"/domains/[0-9]*.json; do
		[ -e "$f" ] || continue
		d=${f##*/}
		d=${d%.json}
		case " $up " in *" $d "*) ;; *)
			WHY="record $f left of a gone domain"; return 1 ;; esac
	done
	for d in $(xenstore-list /local/domain 2>/dev/null); do
		[ "$d" = 0 ] && continue
		case " $up " in *" $d "*) ;; *)
			WHY="/local/domain/$d left of a gone domain"; return 1 ;; esac
	done
	for d in $(xenstore-list /local/domain/0/backend/vif 2>/dev/null); do
		case " $up " in *" $d "*) ;; *)
			WHY="backend/vif/$d left of a gone domain"; return 1 ;; esac
	done
	if [ -n "$CG" ] && [ -d "$CG/$XLD_CGROUP" ]; then
		for g in "$CG/$XLD_CGROUP"/*/; do
			[ -d "$g" ] || continue
			d=$(basename "$g")
			case " $up " in *" $d "*) ;; *)
				WHY="cgroup $g left of a gone domain"; return 1 ;; esac
		done
	fi
	for t in $(ip -n "$NS" -o link show type tun 2>/dev/null | awk -F': ' '{ print $2 }'); do
		d=${t#vif}
		d=${d%%.*}
		case " $up " in *" $d "*) ;; *)
			WHY="TAP $t left of a gone domain"; return 1 ;; esac
	done
	return 0
}
settle() {
	i=0
	until consistent; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "$1: not settled in 10 s: $WHY"
		sleep 0.02
	done
}

# The domain k is up and waiting for its key (its console pty opened
# by the guest's monitor), its domid in K.
k_up() {
	K=$("$XL" domid k 2>/dev/null) || return 1
	xenstore-read "/local/domain/$K/console/tty" >/dev/null 2>&1
}
ensure_k() {
	k_up && return 0
	# listed (a restart's new domain, its console not yet published),
	# or created again
	if ! "$XL" domid k >/dev/null 2>&1; then
		out=$("$XL" create -q "$T/k.cfg" 2>&1) ||
			fail "$1: cannot create k again: $out"
	fi
	wait_for 10 "$1: k up again" k_up
}

# The ops, each run in the background by run_case; OP_PID its pid.
# reboot: a key on the console makes the guest pulse reset; xld restarts
# it under a new domid (op_reboot waits for it).
rebooted() { d=$("$XL" domid k 2>/dev/null) && [ "$d" != "$1" ]; }
op_reboot_fg() {
	tty=$(xenstore-read "/local/domain/$K/console/tty") || return 1
	printf x >"$tty"
	i=0
	until rebooted "$K"; do
		i=$((i + 1))
		[ $i -lt 400 ] || return 1
		sleep 0.01
	done
}
op_fg() {
	case $1 in
	create) "$XL" create -q "$T/k.cfg" ;;
	destroy) "$XL" destroy k ;;
	reboot) op_reboot_fg ;;
	rename) "$XL" rename k k-renamed ;;
	mem-set) "$XL" mem-set k 20 ;;
	dump-core) "$XL" dump-core k "$T/core" ;;
	esac
}
# before OP: its domain in the state the op starts from
prepare() {
	case $1 in
	create)
		if k_up; then "$XL" destroy k || fail "destroy k before create"; fi ;;
	*) ensure_k "before $1" ;;
	esac
	rm -f "$T/core"
}
# after a run: back to a k that is up (its name reusable), nothing else
tidy() {
	for n in $("$XL" list | awk 'NR > 2 && $1 != "k" { print $1 }'); do
		"$XL" destroy "$n" || fail "$1: cannot destroy $n"
	done
	ensure_k "$1"
}

# Measure each op's duration (ms), three times, the longest.
declare -A DUR
k9_start
for op in create destroy reboot rename mem-set dump-core; do
	best=0
	for _ in 1 2 3; do
		prepare "$op"
		s=$(date +%s%N)
		op_fg "$op" >/dev/null 2>&1 || fail "op $op failed without a kill"
		e=$(date +%s%N)
		ms=$(((e - s) / 1000000))
		[ "$ms" -gt "$best" ] && best=$ms
		tidy "measure $op"
	done
	DUR[$op]=$best
done
echo "$TESTNAME: op durations (ms, longest of 3):$(for op in create destroy reboot rename mem-set dump-core; do printf ' %s %s' "$op" "${DUR[$op]}"; done)"

# run_case OP VICTIM DELAY_US: start OP, kill VICTIM after DELAY_US µs,
# restart xld if killed, wait until consistent, tidy up.
RUNS_DONE=0
run_case() {
	op=$1 victim=$2 delay=$3
	what="$op, $victim killed at $delay µs"
	prepare "$op"
	mon=
	[ "$op" = create ] || mon=$(monitor_of "$K")
	op_fg "$op" >/dev/null 2>&1 &
	OP_PID=$!
	[ "$delay" -eq 0 ] || sleep "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))"
	case $victim in
	xld) k9_kill_xld ;;
	monitor)
		# at create, the monitor being started (maybe not yet)
		[ -n "$mon" ] || mon=$(monitor_of "$("$XL" domid k 2>/dev/null || echo x)" || true)
		[ -z "$mon" ] || kill -9 $mon 2>/dev/null ;;
	esac
	wait "$OP_PID" 2>/dev/null
	[ -n "$XLD_PID" ] || k9_start
	settle "$what"
	# the name is free again or the domain is whole; either way k
	# can be had again
	tidy "$what"
	RUNS_DONE=$((RUNS_DONE + 1))
}

for op in create destroy reboot rename mem-set dump-core; do
	dur=${DUR[$op]}
	# sweep 0 .. 1.25 x the op's duration (µs), then random in it
	span=$(((dur * 1250) + 2000))
	sweep=$((RUNS - RANDOM_RUNS))
	for victim in xld monitor; do
		delays=
		for i in $(seq 0 $((sweep - 1))); do
			delays="$delays $((span * i / sweep))"
		done
		for _ in $(seq 1 "$RANDOM_RUNS"); do
			delays="$delays $(((RANDOM * 32768 + RANDOM) % span))"
		done
		for d in $delays; do
			run_case "$op" "$victim" "$d"
		done
		echo "$TESTNAME: $op, $victim: kill delays (µs)$delays; the op takes ${dur} ms"
	done
done

# finally: all gone, the name reused
"$XL" destroy k || fail "final destroy"
settle "final destroy"
[ -z "$(ids)" ] || fail "domains left: $("$XL" list)"
"$XL" create -q "$T/k.cfg" || fail "k cannot be created at the end"
"$XL" destroy k || fail "destroy k"
xld_finish
echo "$TESTNAME: $RUNS_DONE kill -9 runs, every domain fully up or fully gone"
