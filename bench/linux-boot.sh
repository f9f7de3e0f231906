#!/bin/sh
# Debian's unmodified kernel booted by xlhv against QEMU's microvm machine,
# side by side in one run, on this machine's /dev/kvm where it runs Linux,
# else inside the test host (bench/lib.sh; tests/testhost: QEMU-TCG with a
# genuine AMD SVM /dev/kvm; a PVM /dev/kvm cannot run Linux).
# Same kernel, initramfs, memory, vCPUs and command line for both; both
# boot paths: the PVH vmlinux and the bzImage.  Per boot (bench/bootmon):
#  - ms from the VMM's exec to the init's XLD-GUEST-INIT line on the
#    serial console (and the guest's own uptime in that line);
#  - the VMM's RssAnon + RssFile when the init has loaded its modules
#    (XLD-GUEST-MODULES); guest RAM is a shared memfd in both (QEMU is
#    given memory-backend-memfd), so it is RssShmem, reported apart;
#  - ms from exec to the VMM's exit (the guest powers off).
# RUNS (default 11 on a host's own KVM, 5 in the test host) rounds; in
# each, every boot path is booted by both VMMs, which goes first
# alternating from round to round.
# Writes bench/results/linux-boot.md and linux-boot.png.
set -eu
B=${top_builddir:?}
S=${top_srcdir:?}
R="$S/bench/results"
ME=linux-boot
. "$S/bench/lib.sh"
bench_where linux
RUNS=${RUNS:-$(bench_pick 11 5)}
MEM=${MEM:-256}
VCPUS=${VCPUS:-1}
BOOTS=${BOOTS:-pvh bzimage}
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"
# tests/images/README: each console byte is an exit (quiet); no PCI on
# microvm (pci=off); rtc-cmos probing takes 8 s nested (cmos_init);
# reboot=t skips the keyboard-controller reset loop.
CMDLINE="console=ttyS0 quiet panic=-1 reboot=t pci=off initcall_blacklist=cmos_init xl.action=poweroff"

# boot VMM KIND ROUND: one boot, a line into $W/VMM-KIND.dat
boot() {
	case $2 in
	pvh) k="$IMG/vmlinux" ;;
	bzimage) k="$IMG/vmlinuz" ;;
	*) die "BOOTS: unknown boot path $2 (pvh, bzimage)" ;;
	esac
	case $1 in
	xlhv)
		set -- "$1" "$2" "$3" "$B/hypervisor/xlhv" run \
			--kernel "$k" --ramdisk "$RD" --memory "$MEM" \
			--vcpus "$VCPUS" --cmdline "$CMDLINE"
		;;
	qemu)
		set -- "$1" "$2" "$3" qemu-system-x86_64 \
			-M microvm,memory-backend=ram -accel kvm -cpu host \
			-m "$MEM" -smp "$VCPUS" \
			-object "memory-backend-memfd,id=ram,size=${MEM}M,share=on" \
			-nodefaults -no-user-config -nographic -no-reboot \
			-serial stdio -kernel "$k" -initrd "$RD" \
			-append "$CMDLINE"
		;;
	esac
	n="$1-$2-$3"
	shift 3
	if line=$("$B/bench/bootmon" -t 150 -l "$n.log" \
		XLD-GUEST-INIT XLD-GUEST-MODULES -- "$@" \
		</dev/null 2>"$n.err"); then
		up=$(sed -n 's/^XLD-GUEST-INIT uptime=\([0-9.]*\).*/\1/p' \
			"$n.log" | head -1)
		xs=$(grep -c 'XSAVE consistency problem' "$n.log" || true)
		echo "$line ${up:--1} $xs" >>"${n%-*}.dat"
		echo "$ME: $n: $line uptime=$up" >&2
	else
		echo "$ME: $n failed: $line" >&2
		sed 's/^/  | /' "$n.err" >&2
		tail -n 30 "$n.log" | sed 's/^/  | /' >&2
		exit 1
	fi
}

prepare() {
	[ -x "$B/bench/bootmon" ] || die "$B/bench/bootmon not built: make -C bench bootmon"
	[ -x "$B/hypervisor/xlhv" ] || die "$B/hypervisor/xlhv not built"
	# the test host's way in fetches them itself
	[ "$BENCH_AT" = testhost ] || "$S/tests/images/fetch" >&2 ||
		die "tests/images/fetch could not build the images"
}

measure() {
	cd "$W"
	"$B/hypervisor/xlhv" info >xlhv.info 2>&1 ||
		die "xlhv info failed: $(cat xlhv.info)"
	grep -q '^runs_linux: yes' xlhv.info ||
		die "this KVM cannot run Linux: $(cat xlhv.info)"
	qemu-system-x86_64 --version | head -1 >qemu.version ||
		die "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
	i=1
	while [ "$i" -le "$RUNS" ]; do
		for p in $BOOTS; do
			if [ $((i % 2)) -eq 1 ]; then
				boot xlhv "$p" "$i"
				boot qemu "$p" "$i"
			else
				boot qemu "$p" "$i"
				boot xlhv "$p" "$i"
			fi
		done
		i=$((i + 1))
	done
	for v in xlhv qemu; do
		for p in $BOOTS; do
			[ "$(wc -l <"$v-$p.dat")" -eq "$RUNS" ] ||
				die "$v-$p: $(wc -l <"$v-$p.dat") of $RUNS runs recorded"
		done
	done
}

# med VMM PATH COLUMN [SCALE]: median of a .dat column, divided by SCALE.
# Columns: 1 marker ms, 2 up ms, 3 exit ms, 4 status, 5 RssAnon,
# 6 RssFile, 7 RssShmem (KiB), 8 guest uptime at the marker (s),
# 9 XSAVE warnings on the console.
med() { awk -v c="$3" -v s="${4:-1}" '{print $c / s}' "$W/$1-$2.dat" | median | awk '{printf "%.2f", $1}'; }
medrss() { awk '{print $5 + $6}' "$W/$1-$2.dat" | median; }
range() { awk -v c="$3" -v s="${4:-1}" '{v = $c / s; if (NR == 1 || v < lo) lo = v; if (NR == 1 || v > hi) hi = v} END {printf "%.2f-%.2f", lo, hi}' "$W/$1-$2.dat"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

report() {
	{
		echo "# Debian's kernel: xlhv against QEMU microvm ($(date -u +%Y-%m-%d))"
		echo
		echo "\`make bench-linux\` (bench/linux-boot.sh): Debian $(cat "$IMG/VERSION"),"
		echo "tests/images' guest-initrd.img, $MEM MiB, $VCPUS vCPU(s), $(cat "$W/qemu.version")."
		bench_where_line
		echo "$RUNS rounds; in each, both VMMs boot each path, which goes first"
		echo "alternating by round. Medians (min-max in brackets). Ratio: xlhv / QEMU."
		echo "The machine's load average (1 min) during the run: $(bench_load);"
		echo "the whole run took $BENCH_SECONDS s."
		echo
		echo "Command line, both: \`$CMDLINE\`"
		echo
		echo "| boot path | measure | xlhv | QEMU microvm | ratio |"
		echo "|---|---|---|---|---|"
		for p in $BOOTS; do
			case $p in pvh) pn="PVH vmlinux" ;; bzimage) pn="bzImage" ;; esac
			a=$(med xlhv "$p" 1 1000); b=$(med qemu "$p" 1 1000)
			echo "| $pn | exec to XLD-GUEST-INIT (s) | $a [$(range xlhv "$p" 1 1000)] | $b [$(range qemu "$p" 1 1000)] | $(ratio "$a" "$b") |"
			a=$(med xlhv "$p" 8); b=$(med qemu "$p" 8)
			echo "| $pn | guest uptime at XLD-GUEST-INIT (s) | $a [$(range xlhv "$p" 8)] | $b [$(range qemu "$p" 8)] | $(ratio "$a" "$b") |"
			a=$(med xlhv "$p" 3 1000); b=$(med qemu "$p" 3 1000)
			echo "| $pn | exec to VMM exit after power-off (s) | $a [$(range xlhv "$p" 3 1000)] | $b [$(range qemu "$p" 3 1000)] | $(ratio "$a" "$b") |"
			a=$(medrss xlhv "$p"); b=$(medrss qemu "$p")
			echo "| $pn | VMM RSS, RssAnon + RssFile, guest up (MiB) | $(mib "$a") | $(mib "$b") | $(ratio "$a" "$b") |"
			a=$(med xlhv "$p" 5); b=$(med qemu "$p" 5)
			echo "| $pn | of which RssAnon (MiB) | $(mib "$a") | $(mib "$b") | $(ratio "$a" "$b") |"
			a=$(med xlhv "$p" 7); b=$(med qemu "$p" 7)
			echo "| $pn | guest RAM touched, RssShmem, not counted above (MiB) | $(mib "$a") | $(mib "$b") | $(ratio "$a" "$b") |"
		done
		echo
		echo "RSS is read from /proc/PID/status when the init prints XLD-GUEST-MODULES"
		echo "(kernel up, modules loaded). Guest RAM is a shared memfd in both VMMs"
		echo "(xlhv's own; QEMU: \`-object memory-backend-memfd,share=on\`), so it is"
		echo "RssShmem for both and left out of RssAnon + RssFile the same way. QEMU's"
		echo "RssAnon includes its copy of the kernel and initramfs kept for reset;"
		echo "its RssFile, for the PVH path, the $(($(stat -c %s "$IMG/vmlinux") >> 20)) MiB vmlinux it keeps mapped (clean"
		echo "page-cache pages, shared and reclaimable; xlhv read()s the kernel instead)."
		echo "The guest's uptime comes from its own clock, which starts at a different"
		echo "point of the boot and from a different clock source under each VMM: it is"
		echo "not the wall time from exec, which the first row is."
		echo
		echo "Every boot (s: exec to marker / guest uptime at marker / exec to exit;"
		echo "KiB: RssAnon + RssFile):"
		echo
		echo "| round | path | xlhv | QEMU microvm |"
		echo "|---|---|---|---|"
		for p in $BOOTS; do
			paste -d' ' "$W/xlhv-$p.dat" "$W/qemu-$p.dat" | awk -v p="$p" '
			function f(o) { return sprintf("%.2f / %.2f / %.2f s, %d KiB", $(o+1) / 1000, $(o+8), $(o+3) / 1000, $(o+5) + $(o+6)) }
			{ printf "| %d | %s | %s | %s |\n", NR, p, f(0), f(9) }'
		done
	} >"$R/linux-boot.md"

	if command -v gnuplot >/dev/null; then
		for v in xlhv qemu; do
			for p in $BOOTS; do
				awk '{print NR, $1 / 1000, ($5 + $6) / 1024}' "$W/$v-$p.dat" >"$W/$v-$p.plot"
			done
		done
		plot1= plot2=
		for p in $BOOTS; do
			for v in xlhv qemu; do
				case $v in xlhv) vn=xlhv ;; qemu) vn="QEMU microvm" ;; esac
				plot1="$plot1${plot1:+, }\"$W/$v-$p.plot\" using 1:2 with linespoints title \"$vn, $p\""
				plot2="$plot2${plot2:+, }\"$W/$v-$p.plot\" using 1:3 with linespoints title \"$vn, $p\""
			done
		done
		gnuplot <<END
set terminal pngcairo size 1100,520 noenhanced
set output "$R/linux-boot.png"
set multiplot layout 1,2 title "Debian $(cat "$IMG/VERSION") $([ "$BENCH_AT" = testhost ] && echo "in the test host (nested KVM, emulated)" || echo "on $(cat "$W/.kvm") KVM"), $MEM MiB, $VCPUS vCPU; load avg $(bench_load)"
set xlabel "round"
set key below
set yrange [0:*]
set xtics 1
set title "exec to XLD-GUEST-INIT on the console"
set ylabel "s"
plot $plot1
set title "VMM RssAnon + RssFile, guest up (guest RAM excluded)"
set ylabel "MiB"
plot $plot2
unset multiplot
END
	fi
	cat "$R/linux-boot.md"
}

bench_main $((120 + RUNS * $(echo $BOOTS | wc -w) * 2 * 150))
