#!/bin/sh
# Live migration with real monitors: memtouch (64 MiB, 2 vCPUs, 1024
# pages touched) sent live from one monitor to a new one through a pipe
# (dctool send - live | dctool incoming), the copy unpaused and the
# source destroyed (one running copy at any time), 7 times at each of
# three dirty rates (memtouch delay=), 21 in all, between two run
# directories as two xld would be.  Each migration must take at least
# one dirty pass after the full one (on a fast host what one leaves
# fits the 1 ms budget), report its paused pass, the guest's pass
# number must go on rising in the new
# monitor and its self-check (every page holds the pass number) must
# never fail.  Then: a reader that dies mid-stream and a cancelled send
# leave the source running; --debug's verify pass passes; a truncated
# stream is refused by the receiver with a message, no monitor left.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
export XLD_XLHV="$top_builddir/hypervisor/xlhv"
XLHV=$XLD_XLHV
G="$top_builddir/tests/guests"
DCT="$top_builddir/tests/dctool"
RA="$XLD_RUNDIR/a" RB="$XLD_RUNDIR/b"
mkdir -p "$RA" "$RB"
kill_monitors() { pkill -KILL -f -- "--control $XLD_RUNDIR/" 2>/dev/null; true; }
hvt_on_exit kill_monitors
# The downtime budget: small enough that a guest dirtying pages keeps
# the sender iterating (the test host's link is fast, its CPU slow).
DOWNTIME=${HVT_MIGRATE_DOWNTIME:-1}
# At most this many live passes (a full one and dirty ones): the test
# host copies some 25 MB/s, and 21 migrations must fit in a minute or so.
PASSES=${HVT_MIGRATE_PASSES:-6}
# The link, held to about the test host's own speed: on hardware (or
# PVM) a pipe copies 4 MiB in a few ms, too fast for any page to be
# dirtied meanwhile, and nothing would be left to iterate on.
BW=${HVT_MIGRATE_BW:-20000000}
last_pass() { sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$1" | tail -1 | grep . || echo 0; }
first_pass() { sed -n 's/^memtouch: pass \([0-9]*\)$/\1/p' "$1" | head -1 | grep . || echo 0; }
reports() { grep -c '^memtouch: pass' "$1"; }
# wait_reports LOG N: until LOG holds at least N pass reports (20 s).
wait_reports() {
	for _ in $(seq 200); do
		[ "$(reports "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: fewer than $2 reports: $(tail -3 "$1")"
}
no_assert() {
	! grep -q 'assertion failed' "$1" || fail "memtouch: $(grep 'assertion failed' "$1")"
}
field() { printf '%s\n' "$1" | sed -n "s/.*$2=\([0-9]*\).*/\1/p"; }

# migrate FROM TO NEWLOG [send options]: domain 1 of run dir FROM to a
# new domain 1 of TO, whose console goes to NEWLOG; sets $res.
migrate() {
	from=$1 to=$2 newlog=$3
	shift 3
	rm -f "$T/send.rc"
	{ "$DCT" "$from" send 1 - live "downtime=$DOWNTIME" "passes=$PASSES" "$@" 2>"$T/send.err"
	  echo $? >"$T/send.rc"; } |
		"$DCT" "$to" incoming 1 "$G/memtouch" 64 2 "$newlog" >/dev/null 2>"$T/inc.err" ||
		fail "incoming: $(cat "$T/inc.err") / sender: $(cat "$T/send.err")"
	[ "$(cat "$T/send.rc")" = 0 ] || fail "send: $(cat "$T/send.err")"
	res=$(grep '^bytes=' "$T/send.err") || fail "no send result: $(cat "$T/send.err")"
	st=$("$DCT" "$to" info 1 | cut -d' ' -f3)
	[ "$st" = paused ] || fail "received guest is $st, not paused"
	st=$("$DCT" "$from" info 1 | cut -d' ' -f3)
	[ "$st" = paused ] || fail "sent guest is $st, not paused"
	"$DCT" "$to" unpause 1 || fail "unpause the received guest"
	"$DCT" "$from" destroy 1 || fail "destroy the source"
}

n=0 total_passes=0 max_down=0 sum_bytes=0 summary=
# delay (spins per page) and report interval (passes) of each dirty rate
for rate in 0:50 1000:5 10000:2; do
	delay=${rate%:*}
	log="$T/boot$delay.log"
	"$DCT" "$RA" create 1 "$G/memtouch" 64 2 "$log" \
		"pages=1024 passes=0 report=${rate#*:} delay=$delay" >/dev/null ||
		fail "create memtouch delay=$delay"
	wait_reports "$log" 2
	from=$RA to=$RB
	for i in 1 2 3 4 5 6 7; do
		n=$((n + 1))
		before=$(last_pass "$log")
		new="$T/c$n.log"
		migrate "$from" "$to" "$new" progress "bw=$BW"
		grep -q '^progress pass=2 ' "$T/send.err" || fail "migration $n: no progress report for pass 2: $(cat "$T/send.err")"
		grep -q '^progress pass=.* paused=1 ' "$T/send.err" || fail "migration $n: no progress report paused: $(cat "$T/send.err")"
		passes=$(field "$res" passes)
		[ "$passes" -ge 2 ] || fail "migration $n (delay=$delay): $passes live passes, want a full one and a dirty one: $res"
		wait_reports "$new" 1
		first=$(first_pass "$new")
		[ "$first" -gt "$before" ] || fail "migration $n: pass $first after, $before before"
		no_assert "$log"
		no_assert "$new"
		down=$(( $(field "$res" downtime_ns) / 1000 ))
		[ "$down" -gt "$max_down" ] && max_down=$down
		total_passes=$((total_passes + passes))
		sum_bytes=$((sum_bytes + $(field "$res" bytes)))
		summary="$summary
  $n delay=$delay $res"
		log=$new tmp=$from from=$to to=$tmp
	done
	wait_reports "$log" 2
	no_assert "$log"
	"$DCT" "$from" destroy 1 || fail "destroy after delay=$delay"
	echo "hv-migrate: delay=$delay: 7 migrations done ($(date +%T))"
done
echo "hv-migrate: $n migrations, $total_passes live passes, max downtime ${max_down} us, $((sum_bytes / n)) bytes each on average (64 MiB guest, 4 MiB touched):$summary"

# A reader that dies mid-stream: the send fails, the source runs on.
log="$T/f.log"
"$DCT" "$RA" create 1 "$G/memtouch" 64 2 "$log" "pages=1024 passes=0 report=20" >/dev/null ||
	fail "create for the failure cases"
wait_reports "$log" 2
{ "$DCT" "$RA" send 1 - live "downtime=$DOWNTIME" 2>"$T/send.err"; echo $? >"$T/send.rc"; } |
	head -c 3000000 >/dev/null
[ "$(cat "$T/send.rc")" = 1 ] || fail "send to a dead reader: $(cat "$T/send.err")"
assert_match "$(cat "$T/send.err")" "Broken pipe" "send to a dead reader"
[ "$("$DCT" "$RA" info 1 | cut -d' ' -f3)" = running ] || fail "source after a dead reader: $("$DCT" "$RA" info 1)"
r=$(reports "$log")
wait_reports "$log" $((r + 2))

# A cancel: the sending dctool killed, slowed to 4 MB/s so it is mid-way.
"$DCT" "$RA" send 1 "$T/cancel.stream" live bw=4000000 >/dev/null 2>&1 &
spid=$!
sleep 1
kill "$spid"
wait "$spid" 2>/dev/null
for _ in $(seq 50); do
	[ "$("$DCT" "$RA" info 1 | cut -d' ' -f3)" = running ] && break
	sleep 0.1
done
[ "$("$DCT" "$RA" info 1 | cut -d' ' -f3)" = running ] || fail "source after a cancel: $("$DCT" "$RA" info 1)"
r=$(reports "$log")
wait_reports "$log" $((r + 2))
no_assert "$log"

# --debug: every page sent again while paused and compared.
before=$(last_pass "$log")
migrate "$RA" "$RB" "$T/d.log" debug
wait_reports "$T/d.log" 1
grep -q "every page verified" "$T/d.log" || fail "no verify pass: $(head -3 "$T/d.log")"
[ "$(first_pass "$T/d.log")" -gt "$before" ] || fail "debug migration: pass went back"
no_assert "$T/d.log"

# A truncated stream: refused, with the stream and record named.
"$DCT" "$RB" send 1 "$T/full.stream" resume >/dev/null || fail "send to a file"
[ "$("$DCT" "$RB" info 1 | cut -d' ' -f3)" = running ] || fail "not resumed after send resume"
size=$(stat -c %s "$T/full.stream")
head -c $((size / 2)) "$T/full.stream" >"$T/short.stream"
st=0
out=$("$DCT" "$RA" incoming 1 "$G/memtouch" 64 2 "$T/s.log" <"$T/short.stream" 2>&1) || st=$?
[ "$st" -ne 0 ] || fail "a truncated stream was taken"
assert_match "$out" "migration stream \(fd [0-9]+\): .*" "truncated stream message"
[ -e "$RA/dom/1.sock" ] && fail "socket left by a refused stream"
# the monitor said why before it exits: give it the time to
for _ in $(seq 50); do
	pgrep -f -- "--control $RA/" >/dev/null || break
	sleep 0.1
done
pgrep -f -- "--control $RA/" >/dev/null && fail "monitor left by a refused stream"
st=0
out=$(timeout 30 "$XLHV" run --memory 64 --vcpus 2 --incoming 0 <"$T/short.stream" 2>&1) || st=$?
[ "$st" -eq 2 ] || fail "truncated stream: xlhv exit $st, want 2: $out"
tmsg=$out
st=0
out=$(timeout 30 "$XLHV" run --memory 32 --vcpus 2 --incoming 0 <"$T/full.stream" 2>&1) || st=$?
[ "$st" -eq 2 ] || fail "wrong RAM size: xlhv exit $st, want 2: $out"
assert_match "$out" "RAM size differ" "RAM size mismatch"
"$DCT" "$RB" destroy 1 || fail "destroy"
echo "hv-migrate: truncated stream refused: $tmsg; $out"
