#!/bin/sh
# How the KVM tests should reach the test host on a machine without KVM
# (tests/lib.sh, hvt_require_kvm): the same ten KVM tests, `make -j2'
# style (two at a time), four ways, alternating, ROUNDS times:
#   boot-1cpu   one test-host boot per test, --cpus 1 (what lib.sh does)
#   boot-2cpu   one test-host boot per test, --cpus 2
#   batch-1cpu  two boots of --cpus 1, each running half the tests in turn
#   batch-2cpu  one boot of --cpus 2 running them two at a time
# and the wall time of each (a test host stopped after 300 s a test, 600 s
# a batch).  Only where this machine has no usable
# /dev/kvm (there is nothing to choose elsewhere).  Not part of `make
# bench' (about 15 minutes a round): `make bench-test-mechanism'.
# Writes bench/results/test-mechanism.md and .png.
set -eu
ME=test-mechanism
S=$top_srcdir B=$top_builddir R=$S/bench/results
ROUNDS=${ROUNDS:-1}
TESTS=${TESTS:-"kvm-smoke hv-info hv-console hv-guests hv-badinput hv-signal xld-domid xld-list xld-events xl-vcpu"}
W=$(mktemp -d "$B/bench/$ME.XXXXXX")
trap 'rm -rf "$W"' EXIT

if [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null; then
	echo "$ME: this machine has a usable /dev/kvm: the tests run on it"
	exit 0
fi
"$S/tests/images/fetch" >&2
make -C "$B/tests" -s check TESTS= >/dev/null
now() { date +%s.%N; }

# Inside a boot: run the tests named in $W/list.N in turn (the variables
# as the test driver sets them; XLD_IN_TESTHOST: already in the test host).
cat >"$W/batch" <<END
#!/bin/sh
cd "$B/tests"
export top_srcdir=$S top_builddir=$B KVM_TESTS=yes XLD_IN_TESTHOST=1
rc=0
for t in \$(cat "\$1"); do "$S/tests/\$t.sh" >"$W/\$t.\$2.log" 2>&1 || { echo "\$t: \$?"; rc=1; }; done
exit \$rc
END
chmod +x "$W/batch"
half() { # half N: the tests of half N (1 or 2), alternating
	echo $TESTS | tr ' ' '\n' | awk -v n="$1" 'NR % 2 == n % 2' >"$W/list.$1"
}
half 1
half 2

run() {
	case $1 in
	boot-*)
		cpus=${1#boot-} cpus=${cpus%cpu}
		HVT_TESTHOST_CPUS=$cpus HVT_TESTHOST_TIMEOUT=300 \
			make -C "$B/tests" -s -j2 check \
			TESTS="$(echo $TESTS | sed 's/\([^ ]*\)/\1.sh/g')" \
			>"$W/$1.out" 2>&1 ;;
	batch-1cpu)
		"$S/tests/testhost/run" --cpus 1 --timeout 600 -- "$W/batch" "$W/list.1" a &
		p=$!
		"$S/tests/testhost/run" --cpus 1 --timeout 600 -- "$W/batch" "$W/list.2" b ||
			{ wait $p; return 1; }
		wait $p ;;
	batch-2cpu)
		# two at a time inside one boot
		cat >"$W/pair" <<END
#!/bin/sh
"$W/batch" "$W/list.1" c & p=\$!
"$W/batch" "$W/list.2" d || { wait \$p; exit 1; }
wait \$p
END
		chmod +x "$W/pair"
		"$S/tests/testhost/run" --cpus 2 --timeout 600 -- "$W/pair" ;;
	esac >>"$W/$1.out" 2>&1
}

: >"$W/times"
for r in $(seq "$ROUNDS"); do
	for m in boot-1cpu boot-2cpu batch-1cpu batch-2cpu; do
		t0=$(now)
		st=ok
		run $m || st=FAILED
		t1=$(now)
		echo "$m $(echo "$t1 - $t0" | bc) $st" | tee -a "$W/times" >&2
	done
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
median() { grep "^$1 " "$W/times" | cut -d' ' -f2 | sort -n |
	awk '{ v[NR] = $1 } END { printf "%.0f", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'; }
base=$(median boot-1cpu)
{
	echo "# How KVM tests reach the test host (no /dev/kvm here)"
	echo
	echo "Measured on this machine (no usable /dev/kvm; $(nproc) CPUs), each"
	echo "way running the same $(echo $TESTS | wc -w) KVM tests two at a time:"
	echo "$TESTS."
	echo "$ROUNDS round(s), alternating; the load average afterwards: $load."
	echo "Run: \`make bench-test-mechanism\` (bench/test-mechanism.sh)."
	echo
	echo "| way | median wall (s) | vs boot-1cpu | all passed |"
	echo "|---|---|---|---|"
	for m in boot-1cpu boot-2cpu batch-1cpu batch-2cpu; do
		med=$(median $m)
		ok=$(grep "^$m " "$W/times" | grep -c FAILED || true)
		[ "$ok" -eq 0 ] && ok=yes || ok="no ($ok failed runs)"
		echo "| $m | $med | $(echo "scale=2; $med / $base" | bc) | $ok |"
	done
} >"$R/$ME.md"
cat "$R/$ME.md"
if command -v gnuplot >/dev/null; then
	for m in boot-1cpu boot-2cpu batch-1cpu batch-2cpu; do
		echo "$m $(median $m)"
	done >"$W/plot.dat"
	gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/$ME.png"
set title "ten KVM tests through the test host, two at a time (median wall s)"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set ylabel "s"
plot "$W/plot.dat" using 0:2:xtic(1) with boxes notitle
END
fi
