#!/bin/sh
# Monitor start-up and footprint on this machine's /dev/kvm, side by side:
#  - start: ms from exec to the first console line of the `hello` test
#    guest under xlhv, against kvm-smoke (the least a VMM can do: one
#    VM, one vCPU, five instructions) in the same run;
#  - footprint: resident memory of an idle guest's monitor, guest RAM
#    (the memfd, RssShmem) excluded, against QEMU's microvm machine idling
#    with the same 16 MiB and no devices.
# Writes bench/results/hv-start.md and hv-start.png.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
RUNS=${RUNS:-50}
W=$(mktemp -d /tmp/xld-bench.XXXXXX)
trap 'kill $(cat "$W"/pids 2>/dev/null) 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$R"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Alternate the two so drift in machine load hits both alike.
: >"$W/xlhv.ms"; : >"$W/smoke.ms"
for _ in $(seq "$RUNS"); do
	"$B/bench/startlat" 1 "Hello from" -- "$B/hypervisor/xlhv" run \
		--kernel "$B/tests/guests/hello" >>"$W/xlhv.ms"
	"$B/bench/startlat" 1 "guest:" -- "$B/tests/kvm-smoke" >>"$W/smoke.ms"
done
x_ms=$(median <"$W/xlhv.ms"); s_ms=$(median <"$W/smoke.ms")

# Private memory of a process: RssAnon + RssFile, not the guest's RAM.
rss_kib() { awk '/^RssAnon|^RssFile/ {s += $2} END {print s}' "/proc/$1/status"; }
"$B/hypervisor/xlhv" run --kernel "$B/tests/guests/idle" --memory 16 \
	>/dev/null 2>&1 </dev/null &
echo $! >>"$W/pids"; xpid=$!
qemu-system-x86_64 -M microvm -accel kvm -m 16 -nodefaults -no-user-config \
	-display none -serial none >/dev/null 2>&1 </dev/null &
echo $! >>"$W/pids"; qpid=$!
sleep 2
x_rss=$(rss_kib "$xpid"); q_rss=$(rss_kib "$qpid")
x_shm=$(awk '/^RssShmem/ {print $2}' "/proc/$xpid/status")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
cat >"$R/hv-start.md" <<END
# xlhv start-up and footprint ($(date -u +%Y-%m-%d), $(nproc) CPUs, KVM: $("$B/hypervisor/xlhv" info | sed -n 's/virt_caps: //p'))

\`make bench\` (bench/hv-start.sh), $RUNS alternating runs each; medians.

| measure | xlhv | baseline | ratio |
|---|---|---|---|
| exec to first guest console line (ms) | $x_ms | $s_ms (kvm-smoke: bare KVM, 5 instructions) | $(ratio "$x_ms" "$s_ms") |
| idle monitor RSS, guest RAM excluded (KiB) | $x_rss | $q_rss (qemu-system-x86_64 -M microvm, 16 MiB) | $(ratio "$x_rss" "$q_rss") |

Guest RAM the idle guest touched (RssShmem, not counted above): $x_shm KiB.
Targets (issue 3): start under 5 ms, under 2 MiB per idle monitor.
END
if command -v gnuplot >/dev/null; then
	paste "$W/xlhv.ms" "$W/smoke.ms" >"$W/both"
	gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/hv-start.png"
set title "exec to first guest console line, $RUNS runs"
set ylabel "ms"
set xlabel "run"
plot "$W/both" using 1 with linespoints title "xlhv + hello", \
     "$W/both" using 2 with linespoints title "kvm-smoke (bare KVM)"
END
fi
cat "$R/hv-start.md"
