#!/bin/sh
# The CPUID xlhv gives a Linux guest is consistent: Debian's kernel, booted
# by xlhv inside the test host (genuine AMD SVM), sets up its FPU state
# without "XSAVE consistency problem" (CPUID leaf 0xD describing state
# components, sizes or a layout that do not match what XCR0 can hold), and
# says which xstate features it enabled.  The guest's kernel log is read
# with dmesg in the guest (the console is quiet: warnings do not reach it).
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"

hvt_in_testhost 300 "$0"

# --- inside the test host ---------------------------------------------------
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
"$XLHV" info | grep -q '^runs_linux: yes' ||
	fail "the test host's KVM cannot run Linux: $("$XLHV" info 2>&1)"

run="dmesg | grep -E 'XSAVE consistency|x86/fpu'; echo XSAVE-CHECK-DONE"
set +e
timeout 120 "$XLHV" run --kernel "$IMG/vmlinux" --ramdisk "$RD" --memory 256 \
	--cmdline "console=ttyS0 quiet panic=-1 pci=off xl.run=\"$run\" xl.action=poweroff" \
	</dev/null >"$T/console.log" 2>&1
st=$?
set -e
out=$(cat "$T/console.log")
[ "$st" -eq 0 ] || fail "xlhv exited $st: $out"
assert_match "$out" '^XSAVE-CHECK-DONE' "the guest ran dmesg"
assert_match "$out" 'x86/fpu: Enabled xstate features' \
	"the guest's kernel reports its xstate features"
if printf '%s\n' "$out" | grep -q 'XSAVE consistency problem'; then
	fail "the guest's kernel found the CPUID leaf 0xD inconsistent: $out"
fi
printf '%s\n' "$out" | grep 'x86/fpu:' | sed 's/^/hv-cpuid: /' >&2
echo "hv-cpuid: no XSAVE consistency problem"
