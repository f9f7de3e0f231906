#!/bin/bash
# xl mem-set and xl mem-max through the real xld, xl and xlhv, on this
# machine's /dev/kvm with a test guest (it has no balloon driver: what is
# checked here is the control path; tests/xl-mem-linux.sh has Debian's
# kernel give memory back):
#  - memory/maxmem from the config: the monitor is built at maxmem, xl
#    list shows the target, memory/target and static-max are Xen's;
#  - mem-set moves the target the monitor reports (libdomctl's INFO), xl
#    list and memory/target; Xen's size suffixes (m default, k, b, g);
#  - mem-set above maxmem and mem-max below the target fail with Xen's
#    messages, exit 1; mem-max above the built RAM is refused; bad sizes,
#    a missing domain, Domain-0 and usage errors are named (1, 2);
#  - the target and maxmem survive an xld restart (its record) and a
#    state save and restore (the balloon's device state).
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
DCTOOL=$top_builddir/tests/dctool
[ -x "$DCTOOL" ] || fail "$DCTOOL is not built"
command -v xenstore-read >/dev/null || skip "xenstore-utils is missing"

xsr() { xenstore-read "$@" 2>&1; }
# mem COL: the Mem column of g's `xl list' row
mem() { row g | awk '{ print $3 }'; }
# the memory the monitor itself reports, in KiB
monitor_kib() { "$DCTOOL" "$XLD_RUNDIR" info "$1" | awk '{ print $6 }'; }

# expect_fail STATUS PATTERN CMD...: CMD exits STATUS and says PATTERN.
expect_fail() {
	want=$1 pat=$2
	shift 2
	st=0
	out=$("$@" 2>&1) || st=$?
	[ "$st" -eq "$want" ] || fail "$*: exit $st, want $want: $out"
	printf '%s\n' "$out" | grep -q -- "$pat" ||
		fail "$*: no \"$pat\" in: $out"
}

xld_start
create g idle memory=16 maxmem=32
id=$("$XL" domid g)
pid=$(field g pid)

# Built at maxmem, running with memory.
args=$(tr '\0' ' ' <"/proc/$pid/cmdline")
case $args in *" --memory 16 "*" --maxmem 32 "*) ;; *) false ;; esac ||
	fail "monitor not given --maxmem: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
[ "$(mem)" = 16 ] || fail "xl list Mem $(mem), want 16"
[ "$(monitor_kib "$id")" = 16384 ] || fail "monitor reports $(monitor_kib "$id") KiB"
[ "$(xsr "/local/domain/$id/memory/target")" = 16384 ] || fail "target node"
[ "$(xsr "/local/domain/$id/memory/static-max")" = 32768 ] || fail "static-max node"
[ "$(field g maxmem_kib)" = 32768 ] || fail "maxmem_kib $(field g maxmem_kib)"

# mem-set: MiB by default, and Xen's suffixes.
"$XL" mem-set g 24 || fail "xl mem-set g 24"
[ "$(mem)" = 24 ] || fail "xl list Mem $(mem) after mem-set 24"
[ "$(monitor_kib "$id")" = 24576 ] || fail "monitor reports $(monitor_kib "$id") KiB after mem-set 24"
[ "$(xsr "/local/domain/$id/memory/target")" = 24576 ] || fail "target node after mem-set"
"$XL" mem-set g 20480k || fail "xl mem-set g 20480k"
[ "$(monitor_kib "$id")" = 20480 ] || fail "20480k: $(monitor_kib "$id")"
"$XL" mem-set g 29360128b || fail "xl mem-set g 29360128b"
[ "$(monitor_kib "$id")" = 28672 ] || fail "29360128b: $(monitor_kib "$id")"
"$XL" mem-set g 32M || fail "xl mem-set g 32M (all of maxmem)"
[ "$(monitor_kib "$id")" = 32768 ] || fail "32M: $(monitor_kib "$id")"
"$XL" mem-set "$id" 24m || fail "xl mem-set by domid"

# Above maxmem: Xen's message, exit 1, nothing changed.
expect_fail 1 'memory_dynamic_max must be less than or equal to memory_static_max' \
	"$XL" mem-set g 33m
expect_fail 1 'memory_dynamic_max' "$XL" mem-set g 1g
expect_fail 1 'the least is 4096 KiB' "$XL" mem-set g 1m
[ "$(monitor_kib "$id")" = 24576 ] || fail "refused mem-set changed the monitor"
[ "$(xsr "/local/domain/$id/memory/target")" = 24576 ] || fail "refused mem-set changed the store"

# mem-max: not below the target, not above the RAM built.
expect_fail 1 'memory_static_max must be greater than or equal to memory_dynamic_max' \
	"$XL" mem-max g 20m
expect_fail 1 'built with 32768 KiB of RAM' "$XL" mem-max g 64m
"$XL" mem-max g 28m || fail "xl mem-max g 28m"
[ "$(xsr "/local/domain/$id/memory/static-max")" = 28672 ] || fail "static-max after mem-max"
expect_fail 1 'memory_static_max (28672 KiB)' "$XL" mem-set g 30m
"$XL" mem-max g 32m || fail "xl mem-max g 32m (back up to the RAM)"

# Bash completion: the command, the domain, nothing for the size.
complete_line() {
	PATH="$(dirname "$XL"):$PATH" bash --norc --noprofile -c '
		. "$1"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_xl
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ \
		"$top_srcdir/xlcli/bash-completion/xl" "$1"
}
[ "$(complete_line "xl mem-")" = "$(printf 'mem-max\nmem-set')" ] ||
	fail "completion of 'xl mem-': $(complete_line "xl mem-")"
[ "$(complete_line "xl mem-set ")" = "$(printf 'Domain-0\ng')" ] ||
	fail "completion of mem-set's domain: $(complete_line "xl mem-set ")"
[ -z "$(complete_line "xl mem-max g ")" ] ||
	fail "completion offers a size: $(complete_line "xl mem-max g ")"

# Bad input and usage.
for bad in 12x 0 '' 1.5g 99999999999999999999 2t; do
	expect_fail 1 "invalid memory size: $bad" "$XL" mem-set g "$bad"
done
expect_fail 1 'invalid memory size' "$XL" mem-max g 3q
expect_fail 2 'Usage: xl .*mem-set' "$XL" mem-set g
expect_fail 2 'Usage: xl .*mem-max' "$XL" mem-max
expect_fail 2 'Usage' "$XL" mem-set g 1 2
expect_fail 1 'nosuch is an invalid domain identifier' "$XL" mem-set nosuch 20
expect_fail 1 'Domain-0 cannot be ballooned' "$XL" mem-set 0 20
"$XL" help mem-set | grep -q 'balloon' || fail "xl help mem-set"

# An xld restart keeps target and maximum (its record; the monitor
# agrees).
"$XL" mem-max g 30m || fail "xl mem-max g 30m"
xld_stop
xld_start
[ "$(mem)" = 24 ] || fail "xl list Mem $(mem) after xld restart"
[ "$(field g maxmem_kib)" = 30720 ] || fail "maxmem $(field g maxmem_kib) after restart"
expect_fail 1 'memory_static_max (30720 KiB)' "$XL" mem-set g 31m

# The balloon's target is device state: saved and restored with it.
"$DCTOOL" "$XLD_RUNDIR" save "$id" "$T/g.state" destroy >/dev/null ||
	fail "dctool save"
rid=$((id + 100))
"$DCTOOL" "$XLD_RUNDIR" restore "$rid" "$T/g.state" >/dev/null ||
	fail "dctool restore"
[ "$(monitor_kib "$rid")" = 24576 ] ||
	fail "restored monitor reports $(monitor_kib "$rid") KiB, want 24576"
"$DCTOOL" "$XLD_RUNDIR" destroy "$rid" || fail "dctool destroy"
"$XL" destroy g 2>/dev/null || true

# maxmem below memory in a config is refused before anything runs.
mkcfg bad idle memory=32 maxmem=16
expect_fail 1 'maxmem (16) < memory (32)' "$XL" create -q "$T/bad.cfg"
xld_finish
echo "xl-mem: ok"
