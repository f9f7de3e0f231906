#!/bin/sh
# The store against Debian's real C xenstored, side by side in one run:
# Xen's own benchmark client (xsbench, through Debian's libxenstore) over
# 100,000 keys against each daemon in turn, ROUNDS alternating rounds,
# daemon and client pinned to CPU 0 alike.  Medians and ratios go to
# bench/results/xs-bench.md and xs-bench.png.
#
# Needs the anchor in ../shared/anchors/xenstored (set XSD_ANCHOR to
# move it): it downloads xen-utils-4.17 and builds xsbench once.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
A=${XSD_ANCHOR:-$S/../shared/anchors/xenstored}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-100000}
export WORK=${WORK:-/tmp/xsd-anchor}
W=$(mktemp -d /tmp/xld-xsbench.XXXXXX)
trap '"$A/xsd.sh" stop >/dev/null 2>&1; [ -f "$W/xld.pid" ] && kill "$(cat "$W/xld.pid")" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$R"
[ -x "$A/xsd.sh" ] || { echo "xs-bench: no anchor at $A (set XSD_ANCHOR)" >&2; exit 1; }
[ -x "$WORK/xsbench" ] || "$A/xsd.sh" setup

XSBENCH="taskset -c 0 $WORK/xsbench -n $KEYS -f 500 -t 20000 -w 10000 -d 20000 -k"

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
	XLD_RUNDIR="$d/run" XLD_STATEDIR="$d/state" XLD_LOGDIR="$d/log" \
		taskset -c 0 "$B/xld/xld" --foreground 2>/dev/null &
	echo $! >"$W/xld.pid"
	for _ in $(seq 50); do [ -S "$d/run/xenstored.sock" ] && break; sleep 0.1; done
	XENSTORED_PATH="$d/run/xenstored.sock" $XSBENCH -p "$(cat "$W/xld.pid")" | digest
	kill "$(cat "$W/xld.pid")"; wait "$(cat "$W/xld.pid")" 2>/dev/null || true
	rm -f "$W/xld.pid"
}

for i in $(seq "$ROUNDS"); do
	echo "round $i/$ROUNDS: xenstored" >&2; run_xenstored >>"$W/xenstored"
	echo "round $i/$ROUNDS: xld" >&2; run_xld "$i" >>"$W/xld"
done

median_of() {	# median_of FILE PHASE
	awk -v p="$2" '$1 == p {print $2}' "$1" | sort -n |
		awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
{
	echo "# xld's store against Debian's xenstored ($(date -u +%Y-%m-%d), $(nproc) CPUs)"
	echo
	echo "\`make bench\` (bench/xs-bench.sh): xsbench over $KEYS keys, $ROUNDS alternating rounds,"
	echo "both daemons and the client pinned to CPU 0; medians. Higher is better, except RSS."
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
set title "XenStore operations per second, $KEYS keys (median of $ROUNDS)"
set style data histograms
set style fill solid 0.8
set ylabel "ops/s"
set yrange [0:*]
plot "$W/ops" using 2:xtic(1) title "Debian xenstored", "" using 3 title "xld"
END
fi
cat "$R/xs-bench.md"
