#!/bin/bash
# The toolstack's own cost with many guests, side by side in one run, for
# N idle test guests under a real xld (N = 100 and 1000 by default; 50 and
# 200 in the test host):
#  - `xl list` of N + 1 domains against `xl help`: the same binary, its
#    libraries and its exit, without the round trip to xld and the rows;
#    so the ratio is what listing adds to starting xl at all;
#  - `xl create` of the idle guest, one per guest while the N are made,
#    against `xlhv run` of the same guest started directly, as libdomctl
#    does, timed to its "ok" on the ready fd: what the monitor alone costs.
# Alternating, medians.  On this machine's /dev/kvm where it is usable,
# else in the test host (bench/lib.sh).  Writes bench/results/xl-bench.md
# and .png.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
ME=xl-bench
. "$S/bench/lib.sh"
bench_where kvm
SIZES=${SIZES:-$(bench_pick "100 1000" "50 200")}
RUNS=${RUNS:-$(bench_pick 51 21)}
XL=$B/xlcli/xl
XLHV=$B/hypervisor/xlhv
IDLE=$B/tests/guests/idle
XLD_PID=

prepare() {
	for f in "$XL" "$XLHV" "$IDLE" "$B/xld/xld" "$B/bench/startlat"; do
		[ -x "$f" ] || die "$f not built (make all)"
	done
}

# Every monitor started here has a control socket under $W.
stop_all() {
	if [ -n "$XLD_PID" ]; then
		kill "$XLD_PID" 2>/dev/null
		wait "$XLD_PID" 2>/dev/null
	fi
	pkill -KILL -f -- "--control $W/" 2>/dev/null
	return 0
}

# ms since a time in microseconds (${EPOCHREALTIME/./}), without a fork.
ms_since() {
	local d=$((${EPOCHREALTIME/./} - $1))
	printf '%d.%03d\n' $((d / 1000)) $((d % 1000))
}

# xlhv run DOMID: ms from exec to the monitor's "ok" on the ready fd (the
# guest runs), then stop it.  The same arguments libdomctl gives, less
# the console log.
xlhv_direct() {
	"$B/bench/startlat" -f 3 -k 1 ok -- "$XLHV" run --kernel "$IDLE" \
		--memory 16 --domid "$1" --control "$W/direct/$1.sock" \
		--ready-fd 3
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
		t=${EPOCHREALTIME/./}
		"$XL" create -q "$W/g.cfg" "name=\"g$i\""
		ms_since "$t" >>"$W/create.$n"
		xlhv_direct $((30000 + i)) >>"$W/direct.$n"
	done
	rows=$("$XL" list | tail -n +2 | wc -l)
	[ "$rows" -eq $((n + 1)) ] || { echo "xl-bench: $rows rows, want $((n + 1))" >&2; exit 1; }
	echo "xl-bench: $RUNS lists of $((n + 1)) domains" >&2
	for _ in $(seq "$RUNS"); do
		t=${EPOCHREALTIME/./}; "$XL" list >/dev/null; ms_since "$t" >>"$W/list.$n"
		t=${EPOCHREALTIME/./}; "$XL" help >/dev/null; ms_since "$t" >>"$W/help.$n"
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

measure() {
	bench_on_exit stop_all
	for n in $SIZES; do bench_size "$n"; done
}

report() {
	{
		echo "# xl list and xl create with many guests ($(date -u +%Y-%m-%d))"
		echo
		echo "\`make bench-xl\` (bench/xl-bench.sh): a real xld and N idle test guests"
		echo "(16 MiB each); medians in ms, each pair alternating. \`xl list\`: $RUNS runs"
		echo "against \`xl help\` (starting xl alone). \`xl create\`: one per guest while the N"
		echo "are created, against \`xlhv run\` of the same guest to its ready fd (the monitor"
		echo "alone). Target (the issue): both under 20 ms at 1000 guests, on a host's own KVM."
		bench_where_line
		echo "The machine's load average meanwhile: $(bench_load); $BENCH_SECONDS s in all."
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
set title "xl with N idle guests (medians$([ "$BENCH_AT" = testhost ] && echo ", in the test host, emulated"))"
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
}

bench_main 3600
