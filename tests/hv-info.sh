#!/bin/sh
# `xlhv info` prints stable key: value lines; virt_caps names the flavour.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

hv_run 0 info
for key in virt_caps runs_linux kvm_api_version nr_vcpus max_vcpus irqchip \
	pit tsc_control test_guest_abi; do
	assert_match "$out" "^$key: [a-z0-9]+\$" "info line $key"
done
assert_match "$out" '^virt_caps: (svm|vmx|pvm)$' "virt_caps"
assert_match "$out" '^kvm_api_version: 12$' "KVM API version"
if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	assert_match "$out" '^virt_caps: pvm$' "virt_caps without svm/vmx"
	assert_match "$out" '^runs_linux: no$' "PVM does not run Linux"
fi
hv_run 0 --version
assert_match "$out" '^xlhv \(xld\) ' "--version"
echo "$out"
