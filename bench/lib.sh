# Shared by the benchmark scripts (sourced; POSIX sh).
#
# A benchmark runs where it can: on this machine where it has what the
# benchmark needs, else inside the test host (tests/testhost: QEMU TCG with
# a genuine AMD SVM /dev/kvm), the script running itself again there, as
# the tests do (hvt_in_testhost in tests/lib.sh).  A script defines
#
#	prepare()	on the machine, before measuring (images, anchors:
#			the test host has no network)
#	measure()	here or in the test host: figures into files under $W
#	report()	on the machine: tables and plots from $W
#
# and calls, at its top (before its counts, which may follow BENCH_AT):
#
#	. "$S/bench/lib.sh"
#	bench_where kvm|linux|none	what it needs: a usable /dev/kvm, one
#					that runs Linux (not PVM), or no KVM
#	RUNS=${RUNS:-$(bench_pick 50 21)}	here / in the test host
#	bench_main TIMEOUT		prepare, measure, report
#
# BENCH_AT=host or BENCH_AT=testhost forces the place; a script may set
# BENCH_TESTHOST_CPUS (default 1) and BENCH_TESTHOST_MEMORY (MiB, default
# 2048) for the test host before bench_main.  bench_where_line
# says in the tables where the figures were measured, bench_load the
# machine's load meanwhile.  bench_on_exit FN runs FN on exit, in the test
# host too (daemons, guests).

: "${top_srcdir:?run through make bench}" "${top_builddir:?run through make bench}"

die() {
	echo "$ME: $*" >&2
	exit 1
}

_bench_hooks=
_bench_sampler=
bench_on_exit() { _bench_hooks="$1 $_bench_hooks"; }
bench_cleanup() {
	_rc=$?
	set +e
	for _h in $_bench_hooks; do "$_h"; done
	if [ -n "$_bench_sampler" ]; then
		kill "$_bench_sampler" 2>/dev/null
		wait "$_bench_sampler" 2>/dev/null
	fi
	[ -n "${BENCH_INSIDE:-}" ] || rm -rf "$W"
	exit "$_rc"
}

# virt_caps of xlhv info here ("none" without a usable /dev/kvm).
bench_kvm_caps() {
	"$top_builddir/hypervisor/xlhv" info 2>/dev/null |
		sed -n 's/^virt_caps: //p' | grep . || echo none
}

# Why this machine cannot run a benchmark needing $1; nothing if it can.
bench_lacks() {
	[ "$1" != none ] || return 0
	if [ ! -c /dev/kvm ]; then
		echo "a host without /dev/kvm"
	elif ! { : <>/dev/kvm; } 2>/dev/null; then
		echo "a host whose /dev/kvm cannot be opened read-write"
	elif [ "$1" = linux ] && ! "$top_builddir/hypervisor/xlhv" info \
		2>/dev/null | grep -q '^runs_linux: yes'; then
		echo "a host whose /dev/kvm ($(bench_kvm_caps)) cannot run Linux"
	fi
}

bench_where() {
	BENCH_NEED=$1
	if [ -n "${BENCH_INSIDE:-}" ]; then
		W=$BENCH_W
		trap bench_cleanup EXIT
		return 0
	fi
	case ${BENCH_AT:-} in
	'')
		BENCH_WHY=$(bench_lacks "$1")
		BENCH_AT=host
		[ -z "$BENCH_WHY" ] || BENCH_AT=testhost
		;;
	testhost) BENCH_WHY="a host whose KVM is $(bench_kvm_caps) (BENCH_AT=testhost)" ;;
	host) BENCH_WHY= ;;
	*) die "BENCH_AT=$BENCH_AT: want host or testhost" ;;
	esac
	W=$(mktemp -d "${TMPDIR:-/tmp}/xld-bench.XXXXXX")
	export BENCH_AT BENCH_WHY BENCH_NEED BENCH_W="$W"
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	mkdir -p "$top_srcdir/bench/results"
}

# bench_pick HERE TESTHOST: the count for where the benchmark runs.
bench_pick() { if [ "$BENCH_AT" = testhost ]; then echo "$2"; else echo "$1"; fi; }

# The machine's load average (1 min) every 5 s, into $W/.load.
bench_sample_load() {
	(
		_s=
		trap '[ -z "$_s" ] || kill "$_s" 2>/dev/null; exit 0' TERM
		while :; do
			cut -d' ' -f1 /proc/loadavg >>"$W/.load"
			sleep 5 &
			_s=$!
			wait "$_s"
		done
	) &
	_bench_sampler=$!
}

bench_main() {
	if [ -n "${BENCH_INSIDE:-}" ]; then
		bench_kvm_caps >"$W/.kvm"
		measure
		exit 0
	fi
	prepare
	bench_sample_load
	_t0=$(date +%s)
	if [ "$BENCH_AT" = testhost ]; then
		command -v qemu-system-x86_64 >/dev/null ||
			die "needs the test host ($BENCH_WHY) and so qemu-system-x86_64: apt-get install qemu-system-x86"
		"$top_srcdir/tests/images/fetch" >&2 ||
			die "tests/images/fetch could not build the images"
		_self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
		echo "$ME: measuring in the test host ($BENCH_WHY)" >&2
		_rc=0
		BENCH_INSIDE=1 "$top_srcdir/tests/testhost/run" --timeout "$1" \
			--cpus "${BENCH_TESTHOST_CPUS:-1}" \
			--memory "${BENCH_TESTHOST_MEMORY:-2048}" -- "$_self" || _rc=$?
		[ "$_rc" -eq 0 ] ||
			die "inside the test host (status $_rc$([ "$_rc" -ne 124 ] || echo ": time limit of $1 s"))"
	else
		bench_kvm_caps >"$W/.kvm"
		measure
	fi
	BENCH_SECONDS=$(($(date +%s) - _t0))
	kill "$_bench_sampler" 2>/dev/null
	wait "$_bench_sampler" 2>/dev/null || true
	_bench_sampler=
	report
}

# One line for a table: where the figures were measured.
bench_where_line() {
	_k=$(cat "$W/.kvm")
	if [ "$BENCH_AT" = testhost ]; then
		_c=${BENCH_TESTHOST_CPUS:-1}
		echo "Measured in the test host (QEMU TCG, \`-cpu max\`, $_c CPU$([ "$_c" -eq 1 ] || echo s); its /dev/kvm: $_k) on $BENCH_WHY: the figures are emulated, read the ratios against the peer measured in the same run."
	elif [ "$BENCH_NEED" = none ]; then
		echo "Measured on this machine itself, $(nproc) CPUs: the benchmark needs no KVM, so it runs here$([ "$_k" != none ] && echo " (this host's KVM: $_k)" || echo " even on a host without /dev/kvm, not in the test host")."
	else
		echo "Measured on this host's /dev/kvm ($_k), $(nproc) CPUs."
	fi
}

# The machine's load average while measuring: "median M (LO-HI)".
bench_load() {
	[ -s "$W/.load" ] || cut -d' ' -f1 /proc/loadavg >"$W/.load"
	sort -n "$W/.load" | awk '{a[NR] = $1}
		END {printf "median %s (%s-%s)", a[int((NR + 1) / 2)], a[1], a[NR]}'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
