#!/bin/sh
# The libFuzzer target of libdomctl's client side of the monitor protocol
# (libdomctl/fuzz/fuzz_dc_client.c: a fake monitor answers with the
# input; no inconsistency it aborts on), run as tests/fuzz-lib.sh says.
# Needs configure --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fuzz-lib.sh"
fuzz_run dc_client "$top_builddir/libdomctl/fuzz_dc_client" \
	"$top_srcdir/libdomctl/fuzz/seeds"
