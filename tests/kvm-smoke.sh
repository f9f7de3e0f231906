#!/bin/sh
# kvm-smoke runs a guest on this machine's /dev/kvm and names its flavour.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm

out=$("$top_builddir/tests/kvm-smoke" 2>&1) || fail "kvm-smoke failed: $out"
assert_match "$out" '^flavour: (svm|vmx|pvm)$' "flavour line"
assert_match "$out" '^guest: out 0x10 <- 0x42, hlt: ok$' "guest ran"
# No svm/vmx flag in /proc/cpuinfo means KVM here can only be PVM.
if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	assert_match "$out" '^flavour: pvm$' "flavour on a CPU without svm/vmx"
fi
echo "$out"
