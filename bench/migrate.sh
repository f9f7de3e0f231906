#!/bin/bash
# Live migration of the memtouch guest (it adds one to a byte of every
# page of its region, pass after pass, and checks each pass) between two
# monitors through a pipe (libdomctl's send and incoming, what xl migrate
# and xl migrate-receive drive): for each guest size in SIZES (64 256 MiB;
# memtouch touches a quarter of it) and each dirty rate in DELAYS (memtouch
# delay= spins per page: 0 is the fastest), RUNS migrations.  Per
# migration: the total time, the downtime the sender measured (pause to
# END written), the downtime seen from outside (the longest gap between
# the guest's progress marks, each stamped as it reached the console log,
# less the median gap), the live passes, and the bytes sent against the
# guest's RAM.  Then save and restore of a 256 MiB guest against cp of the
# same bytes on the same disk (the peer in the same run).
# On this machine's /dev/kvm where it is usable, else in the test host.
# Writes bench/results/migrate.md and migrate-downtime.png.
set -u
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
ME=migrate
. "$S/bench/lib.sh"
bench_where kvm
SIZES=${SIZES:-64 256}
DELAYS=${DELAYS:-0 1000 10000}
RUNS=${RUNS:-$(bench_pick 10 3)}
DOWNTIME=${DOWNTIME:-300}
# a create or a migration that takes longer than this is a hang
CMD_TIMEOUT=${CMD_TIMEOUT:-300}
TOP=0
for s in $SIZES; do [ "$s" -le "$TOP" ] || TOP=$s; done
BENCH_TESTHOST_CPUS=${BENCH_TESTHOST_CPUS:-2}
BENCH_TESTHOST_MEMORY=${BENCH_TESTHOST_MEMORY:-$((1024 + TOP * 3))}
DCT=$B/tests/dctool
G=$B/tests/guests

prepare() {
	for f in "$DCT" "$B/hypervisor/xlhv" "$G/memtouch"; do
		[ -x "$f" ] || die "$f not built (make all; make -C tests dctool)"
	done
	command -v python3 >/dev/null || die "python3 not found"
}

# stamp LOG...: one line per progress mark, "monotonic_ns", as each mark
# reaches any of the logs (the console logs of both ends).
stamp() {
	python3 - "$@" <<'PY'
import os, sys, time
files = {p: None for p in sys.argv[1:]}
out = sys.stdout
while True:
    for p in files:
        if files[p] is None:
            try:
                files[p] = open(p, "r", errors="replace")
            except OSError:
                continue
        for line in files[p]:
            if line.startswith("memtouch: pass"):
                out.write("%d\n" % time.monotonic_ns())
        out.flush()
    time.sleep(0.0005)
PY
}

kill_monitors() { pkill -KILL -f -- "--control $W/r" 2>/dev/null; true; }

field() { printf '%s\n' "$1" | sed -n "s/.*$2=\([0-9]*\).*/\1/p"; }

measure() {
	bench_on_exit kill_monitors
	export XLD_XLHV=$B/hypervisor/xlhv
	mkdir -p "$W/ra" "$W/rb"
	: >"$W/rows"
	for size in $SIZES; do
		pages=$((size * 256 / 4))
		for delay in $DELAYS; do
			log=$W/c0.log
			rm -f "$W"/c*.log
			echo "$ME: $size MiB, delay=$delay ($(date +%T))" >&2
			timeout "$CMD_TIMEOUT" "$DCT" "$W/ra" create 1 "$G/memtouch" "$size" 2 "$log" \
				"pages=$pages passes=0 report=1 delay=$delay" >/dev/null ||
				die "create memtouch $size MiB: $(tail -3 "$log")"
			sleep 2
			from=$W/ra to=$W/rb
			for n in $(seq "$RUNS"); do
				new=$W/c$n.log
				stamp "$log" "$new" >"$W/stamps" &
				sp=$!
				sleep 1
				t0=$(date +%s%N)
				timeout "$CMD_TIMEOUT" "$DCT" "$from" send 1 - live "downtime=$DOWNTIME" 2>"$W/send.err" |
					timeout "$CMD_TIMEOUT" "$DCT" "$to" incoming 1 "$G/memtouch" "$size" 2 "$new" >/dev/null 2>"$W/inc.err" ||
					die "incoming: $(cat "$W/inc.err") $(cat "$W/send.err")"
				"$DCT" "$to" unpause 1 || die "unpause"
				t1=$(date +%s%N)
				"$DCT" "$from" destroy 1 || die "destroy"
				sleep 2
				kill "$sp"
				wait "$sp" 2>/dev/null
				res=$(grep '^bytes=' "$W/send.err") || die "no result: $(cat "$W/send.err")"
				grep -q 'assertion failed' "$new" && die "memtouch: $(grep 'assertion failed' "$new")"
				# the longest gap between marks, less the median gap
				gap=$(awk 'NR > 1 { print $1 - p } { p = $1 }' "$W/stamps" | sort -n |
					awk '{ a[NR] = $1 } END { if (NR < 3) print -1; else printf "%d\n", (a[NR] - a[int((NR + 1) / 2)]) / 1000000 }')
				echo "$size $delay $(( (t1 - t0) / 1000000 )) $(( $(field "$res" downtime_ns) / 1000000 )) $gap $(field "$res" passes) $(field "$res" bytes)" >>"$W/rows"
				log=$new tmp=$from from=$to to=$tmp
			done
			"$DCT" "$from" destroy 1 || die "destroy"
		done
	done
	# Save and restore of a 256 MiB guest, every page written, against cp.
	"$DCT" "$W/ra" create 1 "$G/memtouch" 256 2 "$W/s.log" "pages=60000 passes=0 report=0" >/dev/null ||
		die "create for save"
	sleep 3
	: >"$W/save"
	for n in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		"$DCT" "$W/ra" send 1 "$W/img" resume 2>/dev/null || die "save"
		sync "$W/img"
		t1=$(date +%s%N)
		"$DCT" "$W/ra" pause 1
		"$DCT" "$W/rb" incoming 1 "$G/memtouch" 256 2 "$W/r.log" <"$W/img" >/dev/null || die "restore"
		t2=$(date +%s%N)
		"$DCT" "$W/rb" destroy 1
		"$DCT" "$W/ra" unpause 1
		t3=$(date +%s%N)
		cp "$W/img" "$W/img.cp"
		sync "$W/img.cp"
		t4=$(date +%s%N)
		echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) $(( (t4 - t3) / 1000000 )) $(stat -c %s "$W/img")" >>"$W/save"
		rm -f "$W/img.cp"
	done
	"$DCT" "$W/ra" destroy 1
}

report() {
	{
		echo "# Live migration of memtouch ($(date -u +%Y-%m-%d))"
		echo
		echo "\`make bench-migrate\` (bench/migrate.sh): $RUNS migrations per row, back and forth between two"
		echo "monitors through a pipe, downtime budget $DOWNTIME ms; medians."
		bench_where_line
		echo "The machine's load average meanwhile: $(bench_load); $BENCH_SECONDS s in all."
		echo
		echo "| RAM MiB | delay | total ms | downtime ms (sender) | downtime ms (outside) | live passes | sent / RAM |"
		echo "|---|---|---|---|---|---|---|"
		for size in $SIZES; do
			for delay in $DELAYS; do
				awk -v s="$size" -v d="$delay" '$1 == s && $2 == d' "$W/rows" >"$W/row"
				col() { awk -v c="$1" '{ print $c }' "$W/row" | median; }
				echo "| $size | $delay | $(col 3) | $(col 4) | $(col 5) | $(col 6) | $(awk -v b="$(col 7)" -v s="$size" 'BEGIN { printf "%.2f", b / (s * 1048576) }') |"
			done
		done
		echo
		sv=$(awk '{ print $1 }' "$W/save" | median)
		rs=$(awk '{ print $2 }' "$W/save" | median)
		cpm=$(awk '{ print $4 }' "$W/save" | median)
		cpt=$(awk '{ print $3 }' "$W/save" | median)
		echo "Save of a 256 MiB guest ($(( $(awk '{ print $4 }' "$W/save" | median) >> 20 )) MiB written): $sv ms; restore $rs ms;"
		echo "cp of the same file on the same disk, synced: $cpt ms. Save / cp: $(ratio "$sv" "$cpt"), restore / cp: $(ratio "$rs" "$cpt")."
		echo
		echo "delay: memtouch's spins per page (0 dirties fastest). Downtime outside: the longest gap between the"
		echo "guest's progress marks (one per pass, stamped as each reached a console log), less the median gap."
		echo "Not measured here yet: QEMU's migration of the same guest side by side (issue 11)."
		: "$cpm"
	} >"$R/migrate.md"
	if command -v gnuplot >/dev/null; then
		awk '{ print NR, $4, $5 }' "$W/rows" >"$W/plot"
		gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/migrate-downtime.png"
set title "memtouch live migration downtime, every run ($([ "$BENCH_AT" = testhost ] && echo "in the test host, emulated" || echo "$(bench_kvm_caps) KVM"))"
set ylabel "ms"
set xlabel "run (sizes $SIZES x delays $DELAYS)"
set yrange [0:*]
plot "$W/plot" using 1:2 with linespoints title "sender: pause to END", \
     "$W/plot" using 1:3 with linespoints title "outside: longest progress gap"
END
	fi
}

bench_main 3600
