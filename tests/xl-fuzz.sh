#!/bin/sh
# The libFuzzer targets of the config, disk and vif parsers and of xl
# restore's save-file header, each run as tests/fuzz-lib.sh says
# (XL_FUZZ_SECONDS, if set, instead of FUZZ_SECONDS).  Needs configure
# --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
FUZZ_SECONDS=${XL_FUZZ_SECONDS:-${FUZZ_SECONDS:-10}}
. "$top_srcdir/tests/fuzz-lib.sh"
fuzz_run cfg "$top_builddir/xlcli/fuzz_cfg" "$top_srcdir/tests/data/cfg"
for name in disk vif savefile; do
	fuzz_run "$name" "$top_builddir/xlcli/fuzz_$name" \
		"$top_srcdir/xlcli/fuzz/seeds/$name"
done
