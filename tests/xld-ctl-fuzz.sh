#!/bin/sh
# The libFuzzer target of the xl <-> xld control protocol, server side
# (xld/ctl/fuzz/fuzz_xlctl.c: whole connections into xld/ctl/; no domain
# ever runs), run as tests/fuzz-lib.sh says.  Needs configure
# --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fuzz-lib.sh"
fuzz_run xlctl "$top_builddir/xld/ctl/fuzz_xlctl" "$top_srcdir/xld/ctl/fuzz/seeds"
