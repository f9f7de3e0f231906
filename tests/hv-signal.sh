#!/bin/sh
# A signal stops a running guest cleanly with status 5; an idle guest
# (halted with interrupts on) costs the host next to no CPU.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

pid=
kill_monitor() { [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true; }
hvt_on_exit kill_monitor

# wait_line FILE REGEX: up to 10 s for the guest to print it.  Each run
# gets its own FILE: the shell creates it only once the job has started.
wait_line() {
	i=0
	until grep -Eqs -- "$2" "$1"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "no /$2/ in $(cat "$1")"
		sleep 0.1
	done
}

# alive PID: running, not a zombie waiting for us to reap it.
alive() {
	[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ] &&
		[ -e "/proc/$1" ]
}

# wait_exit PID: up to 10 s for it to end.
wait_exit() {
	i=0
	while alive "$1"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
	done
}

wait_exit_short() {
	sleep 0.5
	! alive "$1"
}

# TERM0: SIGTERM to a monitor running without the in-kernel irqchip.
for sig in TERM INT HUP TERM0; do
	irqchip=1
	[ "$sig" != TERM0 ] || { sig=TERM irqchip=0; }
	# sh starts background jobs with SIGINT ignored, which xlhv honours.
	XLHV_IRQCHIP=$irqchip env --default-signal=INT,HUP \
		"$XLHV" run --kernel "$GUESTS/idle" --vcpus 2 \
		>"$T/out.$sig$irqchip" 2>&1 &
	pid=$!
	wait_line "$T/out.$sig$irqchip" '^idle: halting$'
	if [ "$sig" = TERM ]; then
		# utime + stime (fields 14, 15) in clock ticks over 1 s: idle
		# means ~0 (not counting the start, which under emulation alone
		# may take half a second)
		t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
		sleep 1
		ticks=$(($(awk '{ print $14 + $15 }' "/proc/$pid/stat") - t0))
		hz=$(getconf CLK_TCK)
		[ "$ticks" -lt $((hz / 2)) ] ||
			fail "idle guest used $ticks ticks of CPU in ~1 s"
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
		echo "idle monitor (irqchip=$irqchip): $ticks ticks CPU," \
			"RSS $rss kB"
	fi
	kill -"$sig" "$pid"
	wait_exit "$pid" || fail "SIG$sig did not stop the monitor in 10 s"
	set +e
	wait "$pid"
	st=$?
	set -e
	pid=
	out=$(cat "$T/out.$sig$irqchip")
	[ "$st" -eq 5 ] || fail "SIG$sig: exit status $st, want 5: $out"
	assert_match "$out" 'received .*: stopping the guest' \
		"SIG$sig is reported"
done
# A vCPU blocked writing to a console nobody reads still stops at once.
mkfifo "$T/console"
"$XLHV" run --kernel "$GUESTS/memtouch" \
	--cmdline "pages=1 passes=0 report=1" >"$T/console" 2>"$T/err" &
pid=$!
exec 3<"$T/console"	# opened, never read: the pipe fills up
sleep 1
kill -TERM "$pid"
set +e
wait_exit "$pid"
gone=$?
wait "$pid"
st=$?
set -e
exec 3<&-
[ "$gone" -eq 0 ] || fail "monitor blocked on its console ignored SIGTERM"
pid=
[ "$st" -eq 5 ] || fail "blocked console: exit status $st, want 5"
# An ignored SIGINT stays ignored (nohup semantics); SIGTERM still works.
"$XLHV" run --kernel "$GUESTS/idle" >"$T/out.ign" 2>&1 &
pid=$!
wait_line "$T/out.ign" '^idle: halting$'
kill -INT "$pid"
! wait_exit_short "$pid" || fail "an ignored SIGINT stopped the monitor"
kill -TERM "$pid"
wait_exit "$pid" || fail "SIGTERM did not stop the monitor"
set +e
wait "$pid"
st=$?
set -e
pid=
[ "$st" -eq 5 ] || fail "ignored SIGINT then SIGTERM: status $st, want 5"
echo "signals stop the guest with status 5"
