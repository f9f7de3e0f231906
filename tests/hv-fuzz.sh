#!/bin/sh
# The monitor's libFuzzer targets of hostile input (hypervisor/fuzz/:
# virtqueues and the virtio devices, the kernel loaders, the state file,
# the control protocol), each run as tests/fuzz-lib.sh says.  Needs
# configure --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fuzz-lib.sh"
for name in virtqueue loader state ctl; do
	fuzz_run "$name" "$top_builddir/hypervisor/fuzz_$name" \
		"$top_srcdir/hypervisor/fuzz/seeds/$name"
done
