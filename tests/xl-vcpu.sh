#!/bin/sh
# xl vcpu-set and maxvcpus with test guests (any KVM, PVM included):
#  - vcpus/maxvcpus reach the store (cpu/<n>/availability for every
#    possible vCPU) and xl list's VCPUs column;
#  - vcpu-set above maxvcpus fails with libxl's message, exit 1;
#  - vcpu-set to the count the guest has is a no-op; lowering it is
#    refused with a clear message (a test guest has no ACPI CPU hotplug),
#    nothing changed;
#  - the monitor refuses a bad SET_VCPUS on its socket (0, too many, a
#    nonzero pad) by itself;
#  - Xen's overcommit check and -i, bad counts, usage errors (exit 2),
#    unknown domains and Domain-0;
#  - a test guest given maxvcpus above vcpus is refused at create by the
#    monitor, naming --maxvcpus; xlhv refuses --maxvcpus below --vcpus.
# Debian's kernel, which does hotplug, is xl-vcpu-linux.sh's.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
command -v xenstore-read >/dev/null ||
	fail "xenstore-read not found: apt-get install xenstore-utils"

# xlhv on its own: --maxvcpus is checked against --vcpus and the ABI.
out=$("$XLD_XLHV" run --kernel "$GUESTS/hello" --vcpus 2 --maxvcpus 1 2>&1)
[ $? -eq 2 ] || fail "xlhv --maxvcpus below --vcpus: want status 2"
assert_match "$out" "^xlhv: --maxvcpus 1: less than --vcpus 2" "maxvcpus < vcpus"
out=$("$XLD_XLHV" run --kernel "$GUESTS/hello" --maxvcpus 65 2>&1)
[ $? -eq 2 ] || fail "xlhv --maxvcpus 65: want status 2"
assert_match "$out" "^xlhv: --maxvcpus 65: want a number from 1 to 64" "maxvcpus 65"
out=$("$XLD_XLHV" run --kernel "$GUESTS/hello" --vcpus 1 --maxvcpus 2 2>&1)
[ $? -eq 2 ] || fail "xlhv: a test guest with --maxvcpus 2: want status 2"
assert_match "$out" "--maxvcpus 2: kernel .*hello is a test guest, which has no ACPI CPU hotplug" \
	"test guest with maxvcpus"

xld_start

# --- a test guest with maxvcpus == vcpus runs as before --------------------
create g idle 'vcpus = 2' 'maxvcpus = 2'
d=$("$XL" domid g)
[ "$(row g | awk '{ print $4 }')" = 2 ] || fail "xl list VCPUs: $(row g)"
for n in 0 1; do
	[ "$(xenstore-read "/local/domain/$d/cpu/$n/availability")" = online ] ||
		fail "cpu/$n/availability"
done
xenstore-read "/local/domain/$d/cpu/2/availability" >/dev/null 2>&1 &&
	fail "cpu/2 of a domain with maxvcpus 2"
[ "$(field g maxvcpus)" = 2 ] || fail "list --json maxvcpus: $(field g maxvcpus)"

out=$("$XL" vcpu-set -i g 3 2>&1)
[ $? -eq 1 ] || fail "vcpu-set above maxvcpus: want exit 1 ($out)"
assert_match "$out" "Domain $d:Requested 3 VCPUs, however maxcpus is 2!" \
	"vcpu-set above maxvcpus names maxcpus"
"$XL" vcpu-set g 2 || fail "vcpu-set to the current count"
out=$("$XL" vcpu-set g 1 2>&1)
[ $? -eq 1 ] || fail "vcpu-set down on a test guest: want exit 1 ($out)"
assert_match "$out" "has no ACPI CPU hotplug" "lowering refused clearly"
[ "$(row g | awk '{ print $4 }')" = 2 ] || fail "VCPUs changed: $(row g)"
[ "$(xenstore-read "/local/domain/$d/cpu/1/availability")" = online ] ||
	fail "cpu/1 changed by a refused vcpu-set"
[ "$("$XL" vcpu-list g | grep -c '^g ')" = 2 ] || fail "vcpu-list rows"

# The monitor checks SET_VCPUS itself (libdomctl's wire, dc_wire.h):
# 0 or above its vCPUs is -ERANGE, a nonzero pad -EINVAL, the same count 0.
got=$(python3 - "$XLD_RUNDIR/dom/$d.sock" <<'PY'
import socket, struct, sys
def call(online, pad):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    p = struct.pack('<II', online, pad)
    s.sendall(struct.pack('<IHHII', 0x43444c58, 1, 11, 7, len(p)) + p)
    r = b''
    while len(r) < 20:
        r += s.recv(20 - len(r))
    return struct.unpack('<i', r[16:20])[0]
print(call(0, 0), call(3, 0), call(2, 1), call(2, 0))
PY
)
[ "$got" = "-34 -34 -22 0" ] || fail "SET_VCPUS checks: $got"
[ "$(row g | awk '{ print $4 }')" = 2 ] || fail "VCPUs after bad requests"

# bad counts and usage, as xl says them
out=$("$XL" vcpu-set g two 2>&1)
[ $? -eq 1 ] || fail "vcpu-set g two: want exit 1"
assert_match "$out" "^Error: Invalid argument two as number of vcpus." "bad count"
out=$("$XL" vcpu-set g 2x 2>&1)
[ $? -eq 1 ] || fail "vcpu-set g 2x: want exit 1 ($out)"
assert_match "$out" "^Error: Invalid argument 2x as number of vcpus." "2x"
"$XL" vcpu-set g 0 || fail "vcpu-set 0 is quietly ignored"
"$XL" vcpu-set g >/dev/null 2>&1
[ $? -eq 2 ] || fail "vcpu-set without a count: want exit 2"
"$XL" vcpu-set g 1 2 >/dev/null 2>&1
[ $? -eq 2 ] || fail "vcpu-set with an extra operand: want exit 2"
"$XL" vcpu-set -h | grep -q -- '--ignore-host' || fail "vcpu-set -h"
out=$("$XL" vcpu-set nosuch 1 2>&1)
[ $? -eq 1 ] || fail "vcpu-set of an unknown domain: want exit 1"
assert_match "$out" "nosuch" "unknown domain named"
out=$("$XL" vcpu-set -i Domain-0 1 2>&1)
[ $? -eq 1 ] || fail "vcpu-set Domain-0: want exit 1 ($out)"

# --- Xen's overcommit check comes first; -i skips it -------------------------
create one idle 'vcpus = 1'
host=$(getconf _NPROCESSORS_ONLN)
more=$((host + 1))
out=$("$XL" vcpu-set one $more 2>&1)
[ $? -eq 1 ] || fail "vcpu-set $more on $host CPUs: want exit 1"
assert_match "$out" "^You are overcommmitting! You have $host physical CPUs and want $more vCPUs!" \
	"overcommit refused"
out=$("$XL" vcpu-set -i one $more 2>&1)
[ $? -eq 1 ] || fail "vcpu-set -i $more above maxvcpus 1: want exit 1"
assert_match "$out" "Requested $more VCPUs, however maxcpus is 1!" "-i: then maxvcpus"

# --- maxvcpus above vcpus: a test guest cannot hot-add ----------------------
mkcfg hp idle 'vcpus = 1' 'maxvcpus = 2'
out=$("$XL" create -q "$T/hp.cfg" 2>&1)
[ $? -eq 1 ] || fail "create a test guest with maxvcpus 2: want exit 1 ($out)"
assert_match "$out" "maxvcpus 2: kernel .* is a test guest" "create names maxvcpus"
gone hp || fail "hp exists after a failed create"
mkcfg lo idle 'vcpus = 2' 'maxvcpus = 1'
out=$("$XL" create -q "$T/lo.cfg" 2>&1)
[ $? -eq 1 ] || fail "create with maxvcpus < vcpus: want exit 1 ($out)"
assert_match "$out" "maxvcpus" "maxvcpus < vcpus named"

"$XL" destroy g || fail "destroy g"
"$XL" destroy one || fail "destroy one"
xld_finish
echo "xl-vcpu: maxvcpus and vcpu-set checks with test guests: ok"
