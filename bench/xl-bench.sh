#!/bin/bash
# The toolstack's own cost with many guests, side by side in one run, for
# N idle test guests under a real xld (N = 100 and 1000 by default):
#  - `xl list` of N + 1 domains against `xl help`: the same binary, its
#    libraries and its exit, without the round trip to xld and the rows;
#    so the ratio is what listing adds to starting xl at all;
#  - `xl create` of the idle guest, one per guest while the N are made,
#    against `xlhv run` of the same guest started directly, as libdomctl
#    does, timed to its "ok" on the ready fd: what the monitor alone costs.
# Alternating, medians.  Writes bench/results/xl-bench.md and .png.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
SIZES=${SIZES:-100 1000}
RUNS=${RUNS:-51}
XL=$B/xlcli/xl
XLHV=$B/hypervisor/xlhv
IDLE=$B/tests/guests/idle
W=$(mktemp -d /tmp/xld-xlbench.XXXXXX)
XLD_PID=

# Every monitor started here has a control socket under $W.
cleanup() {
	set +e
	if [ -n "$XLD_PID" ]; then
		kill "$XLD_PID" 2>/dev/null
		wait "$XLD_PID" 2>/dev/null
	fi
	pkill -KILL -f -- "--control $W/" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$R"
[ -x "$XL" ] && [ -x "$XLHV" ] && [ -x "$IDLE" ] ||
	{ echo "xl-bench: build first (make all)" >&2; exit 1; }

ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f\n", (b - a) * 1000}'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# xlhv run DOMID: ms from exec to the monitor's "ok" on the ready fd (the
# guest runs), then stop it.  The same arguments libdomctl gives, less
# the console log; the timer is Python's, started just before the spawn.
xlhv_direct() {
	python3 - "$XLHV" "$IDLE" "$W/direct" "$1" <<'PY'
import os, subprocess, sys, time
xlhv, idle, d, domid = sys.argv[1:]
rfd, wfd = os.pipe()
t0 = time.monotonic()
p = subprocess.Popen([xlhv, "run", "--kernel", idle, "--memory", "16",
                      "--domid", domid, "--control", "%s/%s.sock" % (d, domid),
                      "--ready-fd", str(wfd)], pass_fds=(wfd,),
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=wfd)
os.close(wfd)
out = b""
while True:
    b = os.read(rfd, 64)
    if not b or out.startswith(b"ok\n"):
        break
    out += b
    if out.startswith(b"ok\n"):
        break
t1 = time.monotonic()
p.kill(); p.wait()
if not out.startswith(b"ok"):
    sys.exit("xlhv did not start: %r" % out)
print("%.3f" % ((t1 - t0) * 1000))
PY
}

bench_size() {
	n=$1 d="$W/xld.$1"
	mkdir -p "$d/run" "$d/state" "$d/log" "$W/direct"
	export XLD_RUNDIR="$d/run" XLD_STATEDIR="$d/state" XLD_LOGDIR="$d/log"
	export XLD_XLHV="$XLHV" XENSTORED_PATH="$d/run/xenstored.sock"
	"$B/xld/xld" --foreground 2>"$W/xld.$n.stderr" &
	XLD_PID=$!
	for _ in $(seq 100); do "$XL" list >/dev/null 2>&1 && break; sleep 0.05; done
	printf 'name = "g"\nkernel = "%s"\nmemory = 16\n' "$IDLE" >"$W/g.cfg"
	: >"$W/create.$n"; : >"$W/direct.$n"; : >"$W/list.$n"; : >"$W/help.$n"
	echo "xl-bench: creating $n guests" >&2
	for i in $(seq "$n"); do
		t=$EPOCHREALTIME
		"$XL" create -q "$W/g.cfg" "name=\"g$i\""
		ms_since "$t" >>"$W/create.$n"
		xlhv_direct $((30000 + i)) >>"$W/direct.$n"
	done
	rows=$("$XL" list | tail -n +2 | wc -l)
	[ "$rows" -eq $((n + 1)) ] || { echo "xl-bench: $rows rows, want $((n + 1))" >&2; exit 1; }
	echo "xl-bench: $RUNS lists of $((n + 1)) domains" >&2
	for _ in $(seq "$RUNS"); do
		t=$EPOCHREALTIME; "$XL" list >/dev/null; ms_since "$t" >>"$W/list.$n"
		t=$EPOCHREALTIME; "$XL" help >/dev/null; ms_since "$t" >>"$W/help.$n"
	done
	# the guests' own letters, as a check the list is not an empty one
	"$XL" list | awk 'NR > 2 {print $5}' | sort | uniq -c >"$W/letters.$n"
	echo "xl-bench: destroying $n guests" >&2
	for i in $(seq "$n"); do "$XL" destroy "g$i"; done
	kill "$XLD_PID"; wait "$XLD_PID" || true
	XLD_PID=
	if pgrep -f -- "--control $W/" >/dev/null; then
		echo "xl-bench: monitors left behind" >&2; exit 1
	fi
}

for n in $SIZES; do bench_size "$n"; done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
{
	echo "# xl list and xl create with many guests ($(date -u +%Y-%m-%d), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
	echo
	echo "\`make bench-xl\` (bench/xl-bench.sh): a real xld and N idle test guests"
	echo "(16 MiB each); medians in ms, each pair alternating. \`xl list\`: $RUNS runs"
	echo "against \`xl help\` (starting xl alone). \`xl create\`: one per guest while the N"
	echo "are created, against \`xlhv run\` of the same guest to its ready fd (the monitor"
	echo "alone). Target (the issue): both under 20 ms at 1000 guests."
	echo
	echo "| N guests | xl list | xl help | list / help | xl create | xlhv run | create / xlhv | letters |"
	echo "|---|---|---|---|---|---|---|---|"
	for n in $SIZES; do
		l=$(median <"$W/list.$n"); h=$(median <"$W/help.$n")
		c=$(median <"$W/create.$n"); x=$(median <"$W/direct.$n")
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$l" "$h" \
			"$(ratio "$l" "$h")" "$c" "$x" "$(ratio "$c" "$x")" \
			"$(awk '{printf "%s%s x%s", s, $2, $1; s = ", "}' "$W/letters.$n")"
		echo "$n $l $h $c $x" >>"$W/table"
	done
} >"$R/xl-bench.md"
if command -v gnuplot >/dev/null; then
	gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/xl-bench.png"
set title "xl with N idle guests (medians)"
set style data histograms
set style fill solid 0.8
set ylabel "ms"
set xlabel "N guests"
set yrange [0:*]
plot "$W/table" using 2:xtic(1) title "xl list", "" using 3 title "xl help", \
     "" using 4 title "xl create", "" using 5 title "xlhv run (ready)"
END
fi
cat "$R/xl-bench.md"
