#!/bin/sh
# Monitor start-up and footprint on a /dev/kvm, side by side in one run:
#  - start: ms from exec to the first console line of the `hello` test
#    guest under xlhv, against kvm-smoke (the least a VMM can do: one
#    VM, one vCPU, five instructions) in the same run;
#  - footprint: resident memory of an idle guest's monitor, guest RAM
#    (the memfd, RssShmem) excluded, against QEMU's microvm machine idling
#    with the same 16 MiB and no devices;
#  - the sandbox's cost (xlhv(8), SANDBOX): the monitor runs sandboxed
#    as xld runs it, under a uid of its own (--uid, --gid); both figures
#    again for a monitor run with XLHV_SANDBOX=off, in the same run.
# On this machine's /dev/kvm where it is usable, else in the test host
# (bench/lib.sh), with RUNS 50 here, 21 there.
# Writes bench/results/hv-start.md and hv-start.png.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
ME=hv-start
# as xld runs domain 99's monitor by default
OWN="--uid 200099 --gid 200099"
. "$S/bench/lib.sh"
bench_where kvm
RUNS=${RUNS:-$(bench_pick 50 21)}
# QEMU takes about 1 s to start in the test host: let both settle first.
SETTLE=$(bench_pick 2 8)

prepare() {
	for f in bench/startlat tests/kvm-smoke hypervisor/xlhv \
		tests/guests/hello tests/guests/idle; do
		[ -x "$B/$f" ] || die "$B/$f not built"
	done
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
}

kill_idlers() { [ ! -s "$W/pids" ] || kill $(cat "$W/pids") 2>/dev/null; }

# One start of each, timed into $1 and $2, and one without the sandbox
# into $3.
start_pair() {
	"$B/bench/startlat" 1 "Hello from" -- "$B/hypervisor/xlhv" run $OWN \
		--kernel "$B/tests/guests/hello" >>"$1"
	"$B/bench/startlat" 1 "guest:" -- "$B/tests/kvm-smoke" >>"$2"
	XLHV_SANDBOX=off "$B/bench/startlat" 1 "Hello from" -- \
		"$B/hypervisor/xlhv" run --kernel "$B/tests/guests/hello" >>"$3"
}

measure() {
	bench_on_exit kill_idlers
	# One untimed pair first (the test host's first read of a binary goes
	# over virtiofs: 1-2 s), then alternate the two so drift in machine
	# load hits both alike.
	start_pair /dev/null /dev/null /dev/null
	: >"$W/xlhv.ms"
	: >"$W/smoke.ms"
	: >"$W/open.ms"
	for _ in $(seq "$RUNS"); do
		start_pair "$W/xlhv.ms" "$W/smoke.ms" "$W/open.ms"
	done

	"$B/hypervisor/xlhv" run $OWN --kernel "$B/tests/guests/idle" \
		--memory 16 >/dev/null 2>&1 </dev/null &
	echo $! >>"$W/pids"
	xpid=$!
	qemu-system-x86_64 -M microvm -accel kvm -m 16 -nodefaults \
		-no-user-config -display none -serial none \
		>/dev/null 2>&1 </dev/null &
	echo $! >>"$W/pids"
	qpid=$!
	XLHV_SANDBOX=off "$B/hypervisor/xlhv" run --kernel "$B/tests/guests/idle" \
		--memory 16 >/dev/null 2>&1 </dev/null &
	echo $! >>"$W/pids"
	opid=$!
	sleep "$SETTLE"
	# Private memory of a process: RssAnon + RssFile, not the guest's RAM.
	for p in $xpid $qpid $opid; do
		kill -0 "$p" || die "the idle monitor $p stopped"
		awk '/^RssAnon|^RssFile/ {s += $2} /^RssShmem/ {m = $2}
			END {print s, m}' "/proc/$p/status"
	done >"$W/rss"
	qemu-system-x86_64 --version | head -1 >"$W/qemu.version"
}

report() {
	x_ms=$(median <"$W/xlhv.ms")
	s_ms=$(median <"$W/smoke.ms")
	o_ms=$(median <"$W/open.ms")
	{ read -r x_rss x_shm; read -r q_rss _; read -r o_rss _; } <"$W/rss"
	cat >"$R/hv-start.md" <<END
# xlhv start-up and footprint ($(date -u +%Y-%m-%d))

\`make bench-hv\` (bench/hv-start.sh), $RUNS alternating runs each after an untimed one; medians.
$(bench_where_line)
The machine's load average meanwhile: $(bench_load); $BENCH_SECONDS s in all.

| measure | xlhv | baseline | ratio |
|---|---|---|---|
| exec to first guest console line (ms) | $x_ms | $s_ms (kvm-smoke: bare KVM, 5 instructions) | $(ratio "$x_ms" "$s_ms") |
| idle monitor RSS, guest RAM excluded (KiB) | $x_rss | $q_rss ($(cat "$W/qemu.version"), -M microvm, 16 MiB) | $(ratio "$x_rss" "$q_rss") |
| the sandbox (own uid, namespaces, filter): exec to first console line (ms) | $x_ms | $o_ms (xlhv, XLHV_SANDBOX=off) | $(ratio "$x_ms" "$o_ms") |
| the sandbox: idle monitor RSS (KiB) | $x_rss | $o_rss (xlhv, XLHV_SANDBOX=off) | $(ratio "$x_rss" "$o_rss") |

Guest RAM the idle guest touched (RssShmem, not counted above): $x_shm KiB.
RSS is read $SETTLE s after both started. Targets (issue 3): start under 5 ms, under
2 MiB per idle monitor, on a host's own KVM; the sandbox at most 10% of the start
(issue 12).
END
	if command -v gnuplot >/dev/null; then
		paste "$W/xlhv.ms" "$W/smoke.ms" "$W/open.ms" >"$W/both"
		gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/hv-start.png"
set title "exec to first guest console line, $RUNS runs ($([ "$BENCH_AT" = testhost ] && echo "in the test host, emulated" || echo "$(cat "$W/.kvm") KVM"))"
set ylabel "ms"
set xlabel "run"
set yrange [0:*]
plot "$W/both" using 1 with linespoints title "xlhv + hello", \
     "$W/both" using 3 with linespoints title "xlhv + hello, XLHV_SANDBOX=off", \
     "$W/both" using 2 with linespoints title "kvm-smoke (bare KVM)"
END
	fi
	cat "$R/hv-start.md"
}

bench_main 900
