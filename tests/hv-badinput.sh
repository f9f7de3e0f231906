#!/bin/sh
# Bad input gets one clear line naming the file or value, and status 2
# (configuration or usage error): never a crash or a hang.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

hello="$GUESTS/hello"

# Usage errors.
hv_run 2
hv_run 2 frobnicate
assert_match "$out" 'unknown command "frobnicate"' "unknown command"
hv_run 2 run
assert_match "$out" '--kernel FILE is required' "missing --kernel"
hv_run 2 run --kernel "$hello" --bogus
hv_run 2 run --kernel "$hello" extra
assert_match "$out" 'unexpected argument "extra"' "stray argument"

# Absurd values.
for m in 0 3 3073 99999999999999999999 -5 16M 0x10 ''; do
	hv_run 2 run --kernel "$hello" --memory "$m"
	assert_match "$out" "--memory $m: want a whole number of MiB" \
		"--memory '$m'"
done
for c in 0 65 100000 -1 two; do
	hv_run 2 run --kernel "$hello" --vcpus "$c"
	assert_match "$out" "--vcpus $c: want a number from 1 to 64" \
		"--vcpus '$c'"
done
long=$(head -c 5000 /dev/zero | tr '\0' x)
hv_run 2 run --kernel "$hello" --cmdline "$long"
assert_match "$out" 'cmdline: longer than 4095 bytes' "long --cmdline"

# Bad kernels.
hv_run 2 run --kernel "$T/none"
assert_match "$out" "kernel $T/none: No such file or directory" "missing"
hv_run 2 run --kernel "$T"
assert_match "$out" "kernel $T: not a regular file" "directory"
: >"$T/empty"
hv_run 2 run --kernel "$T/empty"
assert_match "$out" "kernel $T/empty: too short to be an ELF file" "empty"
printf 'hello, world\n' >"$T/text"
hv_run 2 run --kernel "$T/text"
assert_match "$out" "kernel $T/text: too short to be an ELF file|not an ELF" \
	"text file"
head -c 100 "$hello" >"$T/trunc"
hv_run 2 run --kernel "$T/trunc"
assert_match "$out" "kernel $T/trunc: program headers run past the end" \
	"truncated image"
head -c 6144 "$hello" >"$T/short"
hv_run 2 run --kernel "$T/short"
assert_match "$out" "kernel $T/short: .*(past the end|runs past)" \
	"image missing its tail"
hv_run 2 run --kernel /bin/sh
assert_match "$out" 'kernel /bin/sh: not an ELF executable' "host binary"
truncate -s 20M "$T/huge"
hv_run 2 run --kernel "$T/huge" --memory 16
assert_match "$out" "kernel $T/huge: larger than guest RAM" "too large"

# No KVM.
XLHV_KVM_DEVICE="$T/kvm" hv_run 2 run --kernel "$hello"
assert_match "$out" "$T/kvm: No such file or directory" "missing /dev/kvm"
XLHV_KVM_DEVICE="$T/kvm" hv_run 2 info
assert_match "$out" '^virt_caps: ' "info without KVM still names it"
echo "every bad input was refused with status 2"
