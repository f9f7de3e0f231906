#!/bin/sh
# The migration stream's libFuzzer target (hypervisor/fuzz/
# fuzz_migstream.c: bytes into hv_mig_check_stream, a message for every
# refusal), inputs up to 64 KiB, run as tests/fuzz-lib.sh says for
# HV_FUZZ_SECONDS (20).  Needs configure --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
FUZZ_SECONDS=${HV_FUZZ_SECONDS:-20}
. "$top_srcdir/tests/fuzz-lib.sh"
fuzz_run migstream "$top_builddir/hypervisor/fuzz_migstream" \
	"$top_srcdir/hypervisor/fuzz/seeds/migstream" -max_len=65536
