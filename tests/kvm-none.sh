#!/bin/sh
# A host without KVM, as these machines are (PVM guests: their kvm_pvm
# module loads but does not bind, so there is no /dev/kvm), is told apart
# from one with KVM: xlhv info and xl info say virt_caps none; xlhv run,
# xld and xl create fail at once with one line that names what is missing
# and what would serve; xld --without-kvm serves the store and xl's
# requests and refuses guests with that line.  On a host with a usable
# /dev/kvm, "none" cannot be produced for real: the test then proves only
# that virt_caps is not none there.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
set -e
XLHV=$XLD_XLHV

if hvt_kvm_usable; then
	caps=$("$XLHV" info | sed -n 's/^virt_caps: //p')
	assert_match "$caps" '^(svm|vmx|pvm)$' "virt_caps with a usable /dev/kvm"
	echo "kvm-none: this host has KVM ($caps): the no-KVM case cannot be made here"
	exit 0
fi
unset XLD_WITHOUT_KVM

# The reason follows the CPU: these machines are VMs (the hypervisor flag).
if grep -qw hypervisor /proc/cpuinfo; then
	why='it is a virtual machine without nested virtualization'
else
	why='its CPU has no hardware virtualization'
fi
grep -qwE 'svm|vmx' /proc/cpuinfo && why='its CPU offers (AMD-V|VT-x) but KVM is not loaded'
line="this host offers no KVM: $why; guests need a host with AMD-V or VT-x \\(for testing: tests/testhost/run, see xlhv\\(8\\)\\)"

# one_line WHAT TEXT: TEXT is exactly one line.
one_line() {
	[ "$(printf '%s\n' "$2" | wc -l)" -eq 1 ] || fail "$1: more than one line: $2"
}

st=0
"$XLHV" info >"$T/info.out" 2>"$T/info.err" || st=$?
[ "$st" -eq 2 ] || fail "xlhv info: status $st, want 2"
[ "$(cat "$T/info.out")" = "virt_caps: none
runs_linux: no" ] || fail "xlhv info printed: $(cat "$T/info.out")"
err=$(cat "$T/info.err")
one_line "xlhv info" "$err"
assert_match "$err" "^xlhv: $line\$" "xlhv info's reason"

st=0
out=$(timeout 20 "$XLHV" run --kernel "$GUESTS/hello" 2>&1) || st=$?
[ "$st" -eq 2 ] || fail "xlhv run: status $st, want 2: $out"
one_line "xlhv run" "$out"
assert_match "$out" "^xlhv: $line\$" "xlhv run"
# a bad argument is still reported as such, before KVM is looked for
st=0
out=$(timeout 20 "$XLHV" run --kernel "$GUESTS/hello" --memory 0 2>&1) || st=$?
[ "$st" -eq 2 ] || fail "xlhv run --memory 0: status $st"
assert_match "$out" "^xlhv: --memory" "a bad argument without KVM"

# xld refuses to start, in both modes, with the line, and leaves no socket.
for mode in --foreground ""; do
	st=0
	out=$(timeout 20 "$XLD" $mode 2>&1) || st=$?
	[ "$st" -eq 1 ] || fail "xld $mode: status $st, want 1: $out"
	one_line "xld $mode" "$out"
	assert_match "$out" "^xld: $line\$" "xld $mode"
	[ ! -e "$XLD_RUNDIR/xld.sock" ] || fail "xld $mode left xld.sock"
done

# a value of XLD_WITHOUT_KVM that is neither 0 nor 1 is named, status 2
st=0
out=$(XLD_WITHOUT_KVM=yes timeout 20 "$XLD" --foreground 2>&1) || st=$?
[ "$st" -eq 2 ] || fail "XLD_WITHOUT_KVM=yes: status $st, want 2: $out"
assert_match "$out" "^xld: XLD_WITHOUT_KVM 'yes': want 0 or 1\$" "XLD_WITHOUT_KVM=yes"

# --without-kvm (or XLD_WITHOUT_KVM=1): the store and xl work, guests do not.
"$XLD" --foreground --without-kvm 2>>"$T/xld.stderr" &
XLD_PID=$!
i=0
while ! "$XL" list >/dev/null 2>&1; do
	kill -0 "$XLD_PID" 2>/dev/null || fail "xld --without-kvm exited: $(cat "$T/xld.stderr")"
	i=$((i + 1))
	[ $i -lt 200 ] || fail "xld --without-kvm did not answer"
	sleep 0.05
done
grep -q "no guest can be created: this host offers no KVM" "$T/xld.stderr" ||
	fail "xld --without-kvm did not log why: $(cat "$T/xld.stderr")"
xenstore-write /probe yes && [ "$(xenstore-read /probe)" = yes ] ||
	fail "the store does not work under --without-kvm"
info=$("$XL" info)
assert_match "$info" '^virt_caps +: none$' "xl info's virt_caps"
assert_match "$info" "^kvm +: unavailable \\($line\\)\$" "xl info's kvm line"
st=0
out=$(timeout 20 "$XL" create -q "$top_srcdir/config-examples/test-guest.cfg" \
	"kernel=\"$GUESTS/hello\"" 2>&1) || st=$?
[ "$st" -ne 0 ] || fail "xl create succeeded without KVM"
one_line "xl create" "$out"
assert_match "$out" "^xl create: $line \\(ENODEV\\)\$" "xl create's reason"
[ "$("$XL" list | wc -l)" -eq 2 ] || fail "a domain was left: $("$XL" list)"
xld_finish
echo "kvm-none: no KVM here ($why): said in one line by xlhv, xld and xl"
