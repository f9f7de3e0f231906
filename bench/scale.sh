#!/bin/bash
# xld with many guests: N idle test guests (N = 10, 100, 1000; SCALE_MAX
# caps the largest) made by `xl create' from one shell loop under a fresh
# xld for each N, and at the largest N also from PAR (8) parallel loops, in
# CYCLES (5) create/destroy cycles.  At each N: `xl list', `xl list -l',
# `xl top -b -i 1' and `xenstore-ls' latency (RUNS rounds, alternating,
# median and p99), `xl create' latency with the N running, the creation
# rate, the time to destroy them all, xld's RSS and CPU while idle, the
# monitors' RSS and CPU, the store's size, xld's connects per second idle.
# Rounds stop after BUDGET (600) s once MIN_RUNS (3) are done.  After the cycles: xld's RSS, fds,
# store nodes and records against before them (growth: a leak).  The peer
# in the same rounds: kvm-smoke (bare KVM: a VM, a vCPU, five
# instructions), so the emulation shows as a ratio, and `xl help' (xl
# started and exited without asking xld anything).
# On this machine's /dev/kvm where it is usable, else in the test host
# with 2 CPUs (bench/lib.sh).  Writes bench/results/scale.md and
# scale-latency.png, scale-rss.png, scale-rate.png.
set -u
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
ME=scale
. "$S/bench/lib.sh"
bench_where kvm
SIZES=${SIZES:-10 100 1000}
if [ -n "${SCALE_MAX:-}" ]; then
	_s=
	for n in $SIZES; do [ "$n" -ge "$SCALE_MAX" ] || _s="$_s $n"; done
	SIZES="${_s# } $SCALE_MAX"
	SIZES=${SIZES# }
fi
TOP=${SIZES##* }
RUNS=${RUNS:-20}
PAR=${PAR:-8}
CYCLES=${CYCLES:-5}
IDLE=${IDLE:-10}
# rounds stop after BUDGET s once MIN_RUNS are done (xenstore-ls apart)
BUDGET=${BUDGET:-600}
MIN_RUNS=${MIN_RUNS:-3}
# a create, list or destroy that takes longer than this is a hang
CMD_TIMEOUT=${CMD_TIMEOUT:-120}
# measured in the test host at 50 guests: 0.9 MiB of its memory each
BENCH_TESTHOST_CPUS=${BENCH_TESTHOST_CPUS:-2}
BENCH_TESTHOST_MEMORY=${BENCH_TESTHOST_MEMORY:-$((2048 + TOP * 2))}
XL=$B/xlcli/xl
XLD_PID=
# the guests' cgroups (CPU weight and cap) apart from any other xld's
export XLD_CGROUP="xld-bench/scale.$$"

prepare() {
	for f in "$XL" "$B/xld/xld" "$B/hypervisor/xlhv" "$B/tests/guests/idle" \
		"$B/tests/kvm-smoke" "$B/bench/startlat"; do
		[ -x "$f" ] || die "$f not built (make all; make -C tests kvm-smoke; make -C bench startlat)"
	done
	command -v xenstore-ls >/dev/null ||
		die "xenstore-ls not found: apt-get install xenstore-utils"
	uptime >"$W/uptime.start"
	# the sources the binaries were built from (BENCH_COMMIT to say it)
	src=$(sed -n 's/^abs_top_srcdir = //p' "$B/Makefile")
	if [ -n "${BENCH_COMMIT:-}" ]; then
		echo "$BENCH_COMMIT" >"$W/commit"
	elif git -C "$src" log -1 --format='%h %s' >"$W/commit" 2>/dev/null; then
		git -C "$src" status --porcelain -- xld xlcli libdomctl hypervisor |
			grep -q . && echo "(with uncommitted changes in the daemon's sources)" >>"$W/commit"
	else
		echo "a build of $src (not a git tree)" >"$W/commit"
	fi
	return 0
}

# --- helpers (here or in the test host) ----------------------------------
say() { echo "$ME: $*" >&2; }
now() { echo "${EPOCHREALTIME/./}"; }
# ms since a time in microseconds, without a fork
ms_since() {
	local d=$(($(now) - $1))
	printf '%d.%03d\n' $((d / 1000)) $((d % 1000))
}
# check DESCRIPTION CMD...: record ok or FAIL for the report
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok $what" >>"$W/checks"
	else
		echo "FAIL $what" >>"$W/checks"
		say "FAIL: $what"
	fi
}
xl() { timeout "$CMD_TIMEOUT" "$XL" "$@"; }
monitors() { pgrep -f -- "--control $XLD_RUNDIR/dom/" || true; }
stop_all() {
	if [ -n "$XLD_PID" ]; then
		kill "$XLD_PID" 2>/dev/null
		wait "$XLD_PID" 2>/dev/null
	fi
	pkill -KILL -f -- "--control $W/" 2>/dev/null
	# this run's cgroups (xld makes one per domain under XLD_CGROUP)
	for m in $(awk '$3 == "cgroup2" { print $2 }' /proc/self/mounts); do
		[ -d "$m/$XLD_CGROUP" ] || continue
		rmdir "$m/$XLD_CGROUP"/*/ "$m/$XLD_CGROUP" 2>/dev/null
		rmdir "$m/${XLD_CGROUP%/*}" 2>/dev/null
	done
	return 0
}
ticks() { awk '{ s += $14 + $15 } END { print s + 0 }' "$@" 2>/dev/null; }
kib() { awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status"; }

start_xld() {
	D=$W/xld.$1
	mkdir -p "$D/run" "$D/state" "$D/log"
	export XLD_RUNDIR="$D/run" XLD_STATEDIR="$D/state" XLD_LOGDIR="$D/log"
	export XLD_XLHV="$B/hypervisor/xlhv" XENSTORED_PATH="$D/run/xenstored.sock"
	"$B/xld/xld" --foreground 2>"$W/xld.$1.stderr" &
	XLD_PID=$!
	for _ in $(seq 200); do "$XL" list >/dev/null 2>&1 && break; sleep 0.05; done
	"$XL" list >/dev/null 2>&1 || die "xld did not start: $(tail -3 "$W/xld.$1.stderr")"
}

# sample FILE LABEL: xld's RSS (KiB), fds, store nodes, record files and
# all files in the state directory, as one line
sample() {
	printf '%s %s %s %s %s %s\n' "$2" "$(kib "$XLD_PID" VmRSS)" \
		"$(ls "/proc/$XLD_PID/fd" | wc -l)" "$(xenstore-ls 2>/dev/null | wc -l)" \
		"$(ls "$XLD_STATEDIR/domains" | wc -l)" \
		"$(find "$XLD_STATEDIR" -type f | wc -l)" >>"$1"
}

# fill PREFIX N LOOPS OUT: create N guests PREFIX1..PREFIXN from LOOPS
# shell loops at once, each create's ms into OUT.<loop>; wall s into OUT.wall
fill() {
	local p=$1 n=$2 loops=$3 out=$4 t0 k jobs=
	t0=$(now)
	for k in $(seq 0 $((loops - 1))); do
		(
			: >"$out.$k"
			for i in $(seq $((k + 1)) "$loops" "$n"); do
				t=$(now)
				if xl create -q "$W/g.cfg" "name=\"$p$i\""; then
					ms_since "$t" >>"$out.$k"
				else
					echo "$p$i" >>"$out.failed"
				fi
			done
		) &
		jobs="$jobs $!"
	done
	# shellcheck disable=SC2086 # not a bare wait: xld is a child too
	wait $jobs
	ms_since "$t0" | awk '{ printf "%.3f\n", $1 / 1000 }' >"$out.wall"
	cat "$out".[0-9]* >"$out.ms"
}

# destroy_all PREFIX N LOOPS OUT: destroy them, wall s into OUT
destroy_all() {
	local p=$1 n=$2 loops=$3 out=$4 t0 k jobs=
	t0=$(now)
	for k in $(seq 0 $((loops - 1))); do
		(
			for i in $(seq $((k + 1)) "$loops" "$n"); do
				xl destroy "$p$i" || echo "$p$i" >>"$out.failed"
			done
		) &
		jobs="$jobs $!"
	done
	# shellcheck disable=SC2086
	wait $jobs
	ms_since "$t0" | awk '{ printf "%.3f\n", $1 / 1000 }' >"$out"
}

# listed PREFIX N: `xl list' shows Domain-0 and exactly PREFIX1..PREFIXN
listed() {
	"$XL" list | awk 'NR > 1 { print $1 }' | sort >"$W/names"
	{ echo Domain-0; seq -f "$1%g" "$2"; } | sort | cmp -s - "$W/names"
}
# nothing_left: no guest, monitor, socket, store home, /vm entry or record
nothing_left() {
	[ "$("$XL" list | wc -l)" -eq 2 ] && [ -z "$(monitors)" ] &&
		[ -z "$(ls "$XLD_RUNDIR/dom")" ] && [ -z "$(ls "$XLD_RUNDIR/xs-dom")" ] &&
		[ "$(xenstore-list /local/domain)" = 0 ] &&
		[ -z "$(xenstore-list /vm 2>/dev/null)" ] &&
		[ -z "$(ls "$XLD_STATEDIR/domains" | grep json)" ]
}

# timed OUT CMD...: CMD's ms into OUT (its output thrown away)
timed() {
	local out=$1 t
	shift
	t=$(now)
	"$@" >/dev/null 2>&1 || echo "FAIL $*" >>"$W/cmdfail"
	ms_since "$t" >>"$out"
}

bench_size() {
	local n=$1 d="$W/n.$1" pids files t1 m1 a1
	mkdir -p "$d"
	start_xld "$n"
	sample "$d/samples" fresh
	say "N=$n: creating $n guests from one loop"
	fill g "$n" 1 "$d/fill"
	check "N=$n: $n created by one loop, no create failed" \
		test ! -e "$d/fill.failed"
	check "N=$n: xl list shows Domain-0 and g1..g$n" listed g "$n"
	pids=$(monitors)
	check "N=$n: $n monitors" test "$(echo "$pids" | grep -c .)" -eq "$n"
	check "N=$n: $((n + 1)) store homes" \
		test "$(xenstore-list /local/domain | wc -l)" -eq $((n + 1))
	"$XL" list | awk 'NR > 2 { print $5 }' | sort | uniq -c >"$d/letters"

	say "N=$n: up to $RUNS rounds of xl list, list -l, top, kvm-smoke, xl help, create"
	a1=$(now)
	for r in $(seq "$RUNS"); do
		timed "$d/list.ms" xl list
		timed "$d/listl.ms" xl list -l
		timed "$d/top.ms" xl top -b -i 1
		timed "$d/help.ms" xl help
		"$B/bench/startlat" 1 "guest:" -- "$B/tests/kvm-smoke" >>"$d/smoke.ms" 2>/dev/null
		t=$(now)
		if xl create -q "$W/g.cfg" 'name="extra"'; then
			ms_since "$t" >>"$d/create_at_n.ms"
		else
			echo extra >>"$d/fill.failed"
		fi
		xl destroy extra >/dev/null 2>&1
		[ "$r" -lt "$MIN_RUNS" ] || [ $(($(now) - a1)) -lt $((BUDGET * 1000000)) ] || break
	done
	echo "$r" >"$d/rounds"
	# a walk of the whole store: its own rounds, as long as it takes
	say "N=$n: up to $RUNS runs of xenstore-ls"
	a1=$(now)
	for r in $(seq "$RUNS"); do
		timed "$d/xsls.ms" xenstore-ls
		[ "$r" -lt "$MIN_RUNS" ] || [ $(($(now) - a1)) -lt $((BUDGET * 1000000)) ] || break
	done
	echo "$r" >"$d/xsls.rounds"
	xl top -b -i 1 | awk 'NR > 1' | wc -l >"$d/top.rows"
	check "N=$n: xl top shows $((n + 1)) domains" test "$(cat "$d/top.rows")" -eq $((n + 1))
	check "N=$n: every timed command succeeded" test ! -e "$W/cmdfail"
	rm -f "$W/cmdfail"

	say "N=$n: idle for $IDLE s"
	files=$(for p in $pids; do echo "/proc/$p/stat"; done)
	t1=$(ticks "/proc/$XLD_PID/stat")
	# shellcheck disable=SC2086
	m1=$(ticks $files)
	a1=$(now)
	sleep "$IDLE"
	{
		hz=$(getconf CLK_TCK)
		el=$(($(now) - a1))
		# shellcheck disable=SC2086
		echo "xld_cpu $(awk -v a="$t1" -v b="$(ticks "/proc/$XLD_PID/stat")" -v hz="$hz" -v el="$el" \
			'BEGIN { printf "%.2f", (b - a) / hz / (el / 1e6) * 100 }')"
		# shellcheck disable=SC2086
		echo "mon_cpu $(awk -v a="$m1" -v b="$(ticks $files)" -v hz="$hz" -v el="$el" \
			'BEGIN { printf "%.2f", (b - a) / hz / (el / 1e6) * 100 }')"
		echo "xld_rss $(kib "$XLD_PID" VmRSS)"
		echo "fds $(ls "/proc/$XLD_PID/fd" | wc -l)"
		# a monitor's own memory (RssAnon + RssFile) and its guest's RAM
		# touched (RssShmem, the memfd), medians over all
		# shellcheck disable=SC2086
		awk '/^RssAnon:|^RssFile:/ { s[FILENAME] += $2 }
			/^RssShmem:/ { m[FILENAME] = $2 }
			END { for (f in s) print s[f], m[f] + 0 }' \
			$(for p in $pids; do echo "/proc/$p/status"; done) >"$d/monrss"
		echo "mon_rss $(cut -d' ' -f1 "$d/monrss" | median)"
		echo "mon_shm $(cut -d' ' -f2 "$d/monrss" | median)"
		xenstore-ls >"$d/store.ls" 2>/dev/null
		echo "store_nodes $(wc -l <"$d/store.ls")"
		echo "store_bytes $(wc -c <"$d/store.ls")"
		echo "store_disk $(cat "$XLD_STATEDIR"/store.* 2>/dev/null | wc -c)"
		echo "records $(ls "$XLD_STATEDIR/domains" | wc -l)"
		echo "mem_avail $(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)"
	} >"$d/vals"
	# what xld does while idle: its connects (to monitors) per second
	if command -v strace >/dev/null; then
		timeout -s INT 5 strace -f -c -e trace=connect -o "$d/strace" \
			-p "$XLD_PID" >/dev/null 2>&1
		echo "connects $(awk '$NF == "connect" { c = $4 } END { printf "%.1f", c / 5 }' \
			"$d/strace" 2>/dev/null)" >>"$d/vals"
	fi

	say "N=$n: destroying them from one loop"
	destroy_all g "$n" 1 "$d/destroy.s"
	check "N=$n: every destroy succeeded" test ! -e "$d/destroy.s.failed"
	check "N=$n: all destroyed, nothing left (monitors, sockets, store, records)" nothing_left
	sample "$d/samples" after-one-loop

	if [ "$n" = "$TOP" ]; then
		for c in $(seq "$CYCLES"); do
			say "N=$n: cycle $c of $CYCLES: $n guests from $PAR loops at once"
			fill p "$n" "$PAR" "$d/cycle.$c"
			check "N=$n cycle $c: $n created by $PAR loops, no create failed" \
				test ! -e "$d/cycle.$c.failed"
			check "N=$n cycle $c: xl list shows Domain-0 and p1..p$n" listed p "$n"
			check "N=$n cycle $c: $n monitors" test "$(monitors | grep -c .)" -eq "$n"
			destroy_all p "$n" "$PAR" "$d/cycle.$c.destroy"
			check "N=$n cycle $c: all destroyed by $PAR loops, nothing left" nothing_left
			sample "$d/samples" "cycle-$c"
		done
	fi
	check "N=$n: xld still running" kill -0 "$XLD_PID"
	kill "$XLD_PID"
	st=0
	wait "$XLD_PID" || st=$?
	XLD_PID=
	check "N=$n: xld exits 0 on SIGTERM" test "$st" -eq 0
}

measure() {
	bench_on_exit stop_all
	: >"$W/checks"
	nproc >"$W/cpus"
	printf 'name = "g"\nkernel = "%s"\nmemory = 16\n' "$B/tests/guests/idle" >"$W/g.cfg"
	# first reads of the binaries over virtiofs in the test host: untimed
	"$XL" help >/dev/null 2>&1
	"$B/bench/startlat" 1 "guest:" -- "$B/tests/kvm-smoke" >/dev/null 2>&1
	for n in $SIZES; do bench_size "$n"; done
}

# --- report (on the machine) -----------------------------------------------
# pct P < values: the nearest-rank percentile
pct() { sort -n | awk -v p="$1" '{ a[NR] = $1 } END { if (NR) { i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; print a[i] } }'; }
val() { awk -v k="$2" '$1 == k { print $2 }' "$W/n.$1/vals"; }
f1() { awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
mib() { awk -v x="$1" 'BEGIN { printf "%.1f", x / 1024 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
mp() { printf '%s / %s' "$(f1 "$(median <"$1")")" "$(f1 "$(pct 99 <"$1")")"; }
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = op == "<" ? v < t : v >= t; print ok ? "pass" : "miss" }'; }

report() {
	local top=$TOP d="$W/n.$TOP" n
	local cpus
	cpus=$(cat "$W/cpus")
	uptime >"$W/uptime.end"
	{
		echo "# xld with many guests ($(date -u +%Y-%m-%d))"
		echo
		echo "\`make bench-scale\` (bench/scale.sh): N idle test guests (16 MiB, 1 vCPU, \`tests/guests/idle\`)"
		echo "made by \`xl create\` from one shell loop under a fresh xld for each N; at N = $top also"
		echo "from $PAR loops at once, $CYCLES create/destroy cycles. Latencies: $RUNS rounds, each running"
		echo "every command once (alternating), median / p99 (nearest rank: of $RUNS runs, p99 is the"
		echo "slowest) in ms; rounds stop after $BUDGET s once $MIN_RUNS are done (xenstore-ls has its"
		echo "own rounds: the table says how many ran). \`xl create\` at N: one more guest created (and destroyed) each round with"
		echo "the N running. Peers in the same rounds: kvm-smoke (bare KVM: open /dev/kvm, a VM, a vCPU,"
		echo "five instructions; \`tests/kvm-smoke.c\`) and \`xl help\` (xl started and exited, no request)."
		bench_where_line
		echo "Daemon measured: $(paste -sd" " "$W/commit")."
		echo "The machine's load average meanwhile: $(bench_load); $BENCH_SECONDS s in all."
		echo "\`uptime\` before: $(sed 's/^ *//' "$W/uptime.start"); after: $(sed 's/^ *//' "$W/uptime.end")."
		echo
		echo "## Latency with N guests (ms, median / p99)"
		echo
		echo "| N | rounds | xl list | xl list -l | xl top -b -i 1 | xenstore-ls (runs) | xl create at N | xl help | kvm-smoke | create / kvm-smoke |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
		for n in $SIZES; do
			d="$W/n.$n"
			printf '| %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s |\n' "$n" \
				"$(cat "$d/rounds")" \
				"$(mp "$d/list.ms")" "$(mp "$d/listl.ms")" "$(mp "$d/top.ms")" \
				"$(mp "$d/xsls.ms")" "$(cat "$d/xsls.rounds")" \
				"$(mp "$d/create_at_n.ms")" "$(mp "$d/help.ms")" \
				"$(mp "$d/smoke.ms")" \
				"$(ratio "$(median <"$d/create_at_n.ms")" "$(median <"$d/smoke.ms")")"
			echo "$n $(median <"$d/list.ms") $(median <"$d/listl.ms") $(median <"$d/top.ms") $(median <"$d/xsls.ms") $(median <"$d/create_at_n.ms") $(median <"$d/smoke.ms") $(median <"$d/help.ms")" >>"$W/lat.dat"
		done
		echo
		echo "## Creating, destroying, and what N idle guests cost"
		echo
		echo "| N | create (one loop): median / p99 ms | guests/s | destroy all (one loop) s | xld RSS MiB | xld CPU idle % | xld connects/s idle | monitors' CPU idle % (sum) | monitor RSS KiB (median; guest RAM apart) | guest RAM touched KiB | store nodes | store bytes (xenstore-ls) | store on disk bytes | guests listed by xl top |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		for n in $SIZES; do
			d="$W/n.$n"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
				"$(mp "$d/fill.ms")" "$(rate "$n" "$(cat "$d/fill.wall")")" \
				"$(cat "$d/destroy.s")" "$(mib "$(val "$n" xld_rss)")" "$(val "$n" xld_cpu)" \
				"$(val "$n" connects)" \
				"$(val "$n" mon_cpu)" "$(val "$n" mon_rss)" "$(val "$n" mon_shm)" \
				"$(val "$n" store_nodes)" "$(val "$n" store_bytes)" "$(val "$n" store_disk)" \
				"$(($(cat "$d/top.rows") - 1))"
			echo "$n $(mib "$(val "$n" xld_rss)") $(val "$n" mon_rss) $(rate "$n" "$(cat "$d/fill.wall")")" >>"$W/rss.dat"
		done
		d="$W/n.$top"
		echo
		echo "## $CYCLES cycles of $top guests from $PAR loops at once"
		echo
		echo "| cycle | create all s | guests/s | create median / p99 ms | destroy all s |"
		echo "|---|---|---|---|---|"
		for c in $(seq "$CYCLES"); do
			printf '| %s | %s | %s | %s | %s |\n' "$c" "$(cat "$d/cycle.$c.wall")" \
				"$(rate "$top" "$(cat "$d/cycle.$c.wall")")" "$(mp "$d/cycle.$c.ms")" \
				"$(cat "$d/cycle.$c.destroy")"
			echo "$c $(rate "$top" "$(cat "$d/cycle.$c.wall")")" >>"$W/cycles.dat"
		done
		echo
		echo "What xld holds with no guest: at its start, after the one-loop fill of $top was"
		echo "destroyed, and after each cycle (growth = last cycle against after the one loop):"
		echo
		echo "| when | xld RSS KiB | xld fds | store nodes | domain records | files in the state dir |"
		echo "|---|---|---|---|---|---|"
		awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$d/samples"
		awk '$1 == "after-one-loop" { for (i = 2; i <= 6; i++) b[i] = $i }
			END { for (i = 2; i <= 6; i++) e[i] = $i
				printf "| growth | %+d | %+d | %+d | %+d | %+d |\n", e[2] - b[2], e[3] - b[3], e[4] - b[4], e[5] - b[5], e[6] - b[6] }' "$d/samples"
		echo
		echo "## Targets (in the test host, $cpus CPUs, at N = $top)"
		echo
		l=$(median <"$d/list.ms") c=$(median <"$d/create_at_n.ms")
		cpu=$(val "$top" xld_cpu) rss=$(mib "$(val "$top" xld_rss)")
		r1=$(rate "$top" "$(cat "$d/fill.wall")") rp=$(rate "$top" "$(cat "$d/cycle.1.wall")")
		echo "| target | measured | verdict |"
		echo "|---|---|---|"
		echo "| \`xl list\` of $top domains < 15 ms | $(f1 "$l") ms (\`xl help\` alone: $(f1 "$(median <"$d/help.ms")") ms) | $(verdict "$l" "<" 15) |"
		echo "| \`xl create\` < 20 ms at $top | $(f1 "$c") ms (kvm-smoke: $(f1 "$(median <"$d/smoke.ms")") ms) | $(verdict "$c" "<" 20) |"
		echo "| xld idle CPU < 1% at $top | $cpu % | $(verdict "$cpu" "<" 1) |"
		echo "| xld RSS < 64 MiB at $top | $rss MiB | $(verdict "$rss" "<" 64) |"
		echo "| creation rate >= 10 guests/s | $r1 (one loop), $rp ($PAR loops) | $(verdict "$r1" ">=" 10) (one loop), $(verdict "$rp" ">=" 10) ($PAR loops) |"
		echo
		echo "xld connects/s idle: xld's connect(2) calls while idle (strace -c for 5 s), so a"
		echo "periodic per-domain refresh shows as about N per second; its CPU follows it."
		echo
		echo "Time targets are for a host's own KVM; here each xl, xld and xlhv instruction is"
		echo "emulated by TCG, so read them with the peers: kvm-smoke is what starting the least"
		echo "possible VM costs in the same place, \`xl help\` what starting xl at all costs."
		echo
		echo "## Side by side: published limits"
		echo
		echo "| | guests per host | creation rate |"
		echo "|---|---|---|"
		echo "| xld, measured here | $top idle test guests ($cpus CPUs, emulated) | $r1/s (one loop), $rp/s ($PAR loops) on $cpus CPUs |"
		echo "| Xen 4.17 | domain ids 1..32751 (\`DOMID_FIRST_RESERVED\` = 0x7FF0, xen/include/public/xen.h); its SUPPORT.md states CPU and RAM limits, no domain count | not published |"
		echo "| XenServer (Xen-based product) | 1000 concurrent VMs per host (configuration limits [1]) | not published |"
		echo "| Firecracker | \"limited only by the availability of hardware resources\" [2] | 5 microVMs per host core per second [2]: $((5 * cpus))/s on $cpus cores |"
		echo
		echo "[1] https://docs.citrix.com/en-us/xenserver/current-release/system-requirements/configuration-limits.html (\"Concurrent VMs per host: 1000\")"
		echo "[2] https://github.com/firecracker-microvm/firecracker/blob/main/docs/design.md (\"a steady mutation rate of 5 microVMs per host core per second\", for a microVM with a minimal Linux kernel, 1 vCPU and 128 MiB)"
		echo
		echo "## Checks"
		echo
		echo "$(grep -c '^ok' "$W/checks") passed, $(grep -c '^FAIL' "$W/checks") failed:"
		echo
		sed 's/^/- /' "$W/checks"
		echo
		echo "States in \`xl list\` at N = $top: $(awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }' "$d/letters")."
		echo
		echo "![latency](scale-latency.png) ![memory](scale-rss.png) ![rate](scale-rate.png)"
	} >"$R/scale.md"
	{
		awk '{ printf "\"one loop, N=%s\" %s\n", $1, $4 }' "$W/rss.dat"
		awk -v p="$PAR" -v n="$TOP" '{ printf "\"%s loops, N=%s, cycle %s\" %s\n", p, n, $1, $2 }' "$W/cycles.dat"
	} >"$W/rate.dat"
	plots
	cat "$R/scale.md"
	! grep -q '^FAIL' "$W/checks"
}

plots() {
	command -v gnuplot >/dev/null || return 0
	local where
	where=$([ "$BENCH_AT" = testhost ] && echo "test host, $(cat "$W/cpus") CPUs, emulated" || echo "$(cat "$W/.kvm") KVM")
	gnuplot <<END
set terminal pngcairo size 800,450 noenhanced
set output "$R/scale-latency.png"
set title "latency with N idle guests (medians; $where)"
set logscale x
set xtics ($(echo "$SIZES" | sed 's/\([0-9][0-9]*\)/"\1" \1/g; s/ "/, "/g'))
set xlabel "N guests"
set ylabel "ms"
set yrange [0:*]
set key top left
plot "$W/lat.dat" using 1:2 with linespoints title "xl list", \
     "" using 1:3 with linespoints title "xl list -l", \
     "" using 1:4 with linespoints title "xl top -b -i 1", \
     "" using 1:5 with linespoints title "xenstore-ls", \
     "" using 1:6 with linespoints title "xl create at N", \
     "" using 1:8 with linespoints title "xl help (peer)", \
     "" using 1:7 with linespoints title "kvm-smoke (bare KVM, peer)"
set output "$R/scale-rss.png"
set title "memory with N idle guests ($where)"
set ylabel "MiB (xld)"
set y2label "KiB (one monitor, median)"
set ytics nomirror
set y2tics
set y2range [0:*]
plot "$W/rss.dat" using 1:2 with linespoints title "xld RSS", \
     "" using 1:3 axes x1y2 with linespoints title "xlhv RSS, guest RAM apart"
unset logscale x
unset y2label
unset y2tics
set ytics mirror
set output "$R/scale-rate.png"
set title "guests created per second ($where)"
set style data histograms
set style fill solid 0.8
set ylabel "guests/s"
set xlabel ""
set xtics auto rotate by -30
set arrow from graph 0, first 10 to graph 1, first 10 nohead dt 2 lc rgb "red"
set label "target 10/s = Firecracker's 5 per core per s x 2 CPUs" at graph 0.02, first 10.5 tc rgb "red"
set yrange [0:*]
plot "$W/rate.dat" using 2:xtic(1) title "guests/s"
END
}

bench_main $((1800 + TOP * 16))
