#!/bin/sh
# Each test guest runs under `xlhv run` and stops the way it should, with
# the documented exit status (man/xlhv.8) and its output on the console.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

hv_run 0 run --kernel "$GUESTS/hello" --memory 8 --cmdline "a=1 b"
assert_match "$out" '^Hello from an xlhv test guest: 1 vCPU\(s\), 8 MiB$' \
	"hello greeting through the UART"
assert_match "$out" '^cmdline: "a=1 b"$' "hello sees its command line"
assert_match "$out" '^hello: powering off$' "hello prints through ucall"

hv_run 3 run --kernel "$GUESTS/reboot"
assert_match "$out" '^reboot: restarting$' "reboot output"

hv_run 4 run --kernel "$GUESTS/crash"
assert_match "$out" 'guest reported a panic through pvpanic' "pvpanic crash"
hv_run 4 run --kernel "$GUESTS/crash" --cmdline how=1
assert_match "$out" 'guest assertion failed: crash\.c:[0-9]+: 1 vCPUs, not 1000' \
	"GUEST_ASSERT reaches the host with file:line and message"
hv_run 4 run --kernel "$GUESTS/crash" --cmdline how=2
assert_match "$out" 'unexpected exception/interrupt 6 at rip' \
	"an exception in the guest is reported and stops it as crashed"
hv_run 4 run --kernel "$GUESTS/crash" --cmdline how=3
assert_match "$out" 'ucall: address 0xfffff000 is outside guest RAM' \
	"a ucall pointing outside RAM stops only the guest"
hv_run 4 run --kernel "$GUESTS/crash" --cmdline how=4
assert_match "$out" 'vcpu0: (triple fault|KVM internal error)' \
	"a triple fault stops the guest as crashed"

hv_run 0 run --kernel "$GUESTS/smp" --vcpus 4
for n in 0 1 2 3; do
	assert_match "$out" "^smp: vcpu $n in\$" "vcpu $n reports in"
done
assert_match "$out" '^smp: all 4 vCPUs in$' "vcpu 0 saw all 4"
# Without an in-kernel irqchip (APs need no SIPI; HLT exits to us).
XLHV_IRQCHIP=0 hv_run 0 run --kernel "$GUESTS/smp" --vcpus 4
assert_match "$out" 'note: KVM has no in-kernel irqchip' "degraded note"
assert_match "$out" '^smp: all 4 vCPUs in$' "smp without irqchip"

hv_run 0 run --kernel "$GUESTS/memtouch" --memory 16 \
	--cmdline "pages=512 passes=20 report=5"
assert_match "$out" '^memtouch: pass 20$' "memtouch made its passes"
assert_match "$out" '^memtouch: 20 passes over 512 pages ok$' \
	"memtouch verified every page"
# 512 pages do not fit in 4 MiB above a 2 MiB-aligned region start.
hv_run 4 run --kernel "$GUESTS/memtouch" --memory 4 --cmdline pages=4096
assert_match "$out" 'do not fit in 4 MiB of RAM' "memtouch checks its region"
echo "all guests stopped as expected"
