#!/bin/sh
# The store against Debian's real C xenstored, side by side in one run:
# Xen's own benchmark client (xsbench, through Debian's libxenstore) over
# 100,000 keys against each daemon in turn, ROUNDS alternating rounds,
# daemon and client pinned to CPU 0 alike.  Medians and ratios go to
# bench/results/xs-bench.md and xs-bench.png.
#
# It needs no KVM, so it runs on this machine itself wherever it is
# (bench_where none): both daemons are plain processes on a unix socket,
# and the test host would only put the same comparison under TCG, ten
# times slower and with the costs of emulated syscalls and context
# switches in place of real ones (bench/README).  BENCH_AT=testhost runs
# it there anyway (with a tenth of the keys and operations and ROUNDS 1
# unless set).
#
# Needs the anchor in ../shared/anchors/xenstored (set XSD_ANCHOR to
# move it): it downloads xen-utils-4.17 and builds xsbench once.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
ME=xs-bench
. "$S/bench/lib.sh"
bench_where none
A=${XSD_ANCHOR:-$S/../shared/anchors/xenstored}
ROUNDS=${ROUNDS:-$(bench_pick 3 1)}
KEYS=${KEYS:-$(bench_pick 100000 10000)}
# transactions, watch round trips, listings
TXS=${TXS:-$(bench_pick 20000 2000)}
WATCHES=${WATCHES:-$(bench_pick 10000 1000)}
DIRS=${DIRS:-$(bench_pick 20000 2000)}
export WORK=${WORK:-/tmp/xsd-anchor}

prepare() {
	[ -x "$B/xld/xld" ] || die "$B/xld/xld not built"
	[ -x "$A/xsd.sh" ] || die "no anchor at $A (set XSD_ANCHOR)"
	[ -x "$WORK/xsbench" ] || "$A/xsd.sh" setup >&2
}

XSBENCH="taskset -c 0 $WORK/xsbench -n $KEYS -f 500 -t $TXS -w $WATCHES -d $DIRS -k"

# "phase ops/s" lines, and "rss KiB", from one xsbench run.
digest() {
	awk '$1 == "RESULT" && $4 == "ops" {print $2, $(NF-1)}
	     $1 == "RSS_KB" && $2 == "after_writes" {print "rss_kib", $3}'
}

run_xenstored() {
	read -r pid sock <<END
$(XSD_CPU=0 "$A/xsd.sh" start)
END
	XENSTORED_PATH=$sock $XSBENCH -p "$pid" | digest
	"$A/xsd.sh" stop >/dev/null
}

run_xld() {
	d="$W/xld.$1"
	mkdir -p "$d/run" "$d/state" "$d/log"
	# no guest is made: the store alone, on any host (xld --without-kvm)
	XLD_RUNDIR="$d/run" XLD_STATEDIR="$d/state" XLD_LOGDIR="$d/log" \
		XLD_WITHOUT_KVM=1 taskset -c 0 "$B/xld/xld" --foreground \
		2>"$W/xld.$1.stderr" &
	echo $! >"$W/xld.pid"
	for _ in $(seq 50); do [ -S "$d/run/xenstored.sock" ] && break; sleep 0.1; done
	[ -S "$d/run/xenstored.sock" ] ||
		die "xld did not start: $(cat "$W/xld.$1.stderr")"
	XENSTORED_PATH="$d/run/xenstored.sock" $XSBENCH -p "$(cat "$W/xld.pid")" | digest
	kill "$(cat "$W/xld.pid")"; wait "$(cat "$W/xld.pid")" 2>/dev/null || true
	rm -f "$W/xld.pid"
}

stop_daemons() {
	"$A/xsd.sh" stop >/dev/null 2>&1
	[ ! -f "$W/xld.pid" ] || kill "$(cat "$W/xld.pid")" 2>/dev/null
}

measure() {
	bench_on_exit stop_daemons
	for i in $(seq "$ROUNDS"); do
		echo "round $i/$ROUNDS: xenstored" >&2
		run_xenstored >>"$W/xenstored"
		echo "round $i/$ROUNDS: xld" >&2
		run_xld "$i" >>"$W/xld"
	done
}

median_of() {	# median_of FILE PHASE
	awk -v p="$2" '$1 == p {print $2}' "$1" | sort -n |
		awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

report() {
	{
		echo "# xld's store against Debian's xenstored ($(date -u +%Y-%m-%d))"
		echo
		echo "\`make bench-xs\` (bench/xs-bench.sh): xsbench over $KEYS keys ($TXS transactions, $WATCHES watch"
		echo "round trips, $DIRS listings), $ROUNDS alternating rounds,"
		echo "both daemons and the client pinned to CPU 0; medians. Higher is better, except RSS."
		bench_where_line
		echo "The machine's load average meanwhile: $(bench_load); $BENCH_SECONDS s in all."
		echo
		echo "| operation | xenstored | xld | xld / xenstored |"
		echo "|---|---|---|---|"
		for p in write read dir_small tx_rmw tx_empty watch_rtt rss_kib; do
			x=$(median_of "$W/xenstored" $p); y=$(median_of "$W/xld" $p)
			[ -n "$x" ] && [ -n "$y" ] || continue
			u="ops/s"; [ $p = rss_kib ] && u="KiB after writes"
			printf '| %s (%s) | %s | %s | %s |\n' "$p" "$u" "$x" "$y" \
				"$(awk -v a="$y" -v b="$x" 'BEGIN {printf "%.2f", a / b}')"
			echo "$p $x $y" >>"$W/table"
		done
	} >"$R/xs-bench.md"
	if command -v gnuplot >/dev/null; then
		grep -v rss_kib "$W/table" >"$W/ops"
		gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/xs-bench.png"
set title "XenStore operations per second, $KEYS keys (median of $ROUNDS, $([ "$BENCH_AT" = testhost ] && echo "in the test host, emulated" || echo "on this machine"))"
set style data histograms
set style fill solid 0.8
set ylabel "ops/s"
set yrange [0:*]
plot "$W/ops" using 2:xtic(1) title "Debian xenstored", "" using 3 title "xld"
END
	fi
	cat "$R/xs-bench.md"
}

bench_main 1800
