#!/bin/sh
# Run the libFuzzer targets of the config, disk and vif parsers for a
# bounded time from their seed corpora: no crash, no leak, and no input
# slower than 1 s (-timeout=1).  Needs configure --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
SECONDS_EACH=${XL_FUZZ_SECONDS:-20}

run_fuzzer() {
	name=$1 seeds=$2
	bin="$top_builddir/xlcli/fuzz_$name"
	# New inputs go to a scratch corpus, never into the source tree.
	mkdir -p "$T/$name"
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=1 -rss_limit_mb=1024 \
		-artifact_prefix="$T/$name-" "$T/$name" "$seeds" \
		>"$T/$name.log" 2>&1 ||
		{ tail -n 40 "$T/$name.log" >&2; fail "fuzz_$name found a bug"; }
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/$name.log")
	[ -n "$runs" ] && [ "$runs" -gt 0 ] || fail "fuzz_$name ran no input"
	echo "fuzz_$name: $runs runs in ${SECONDS_EACH}s, no crash or leak"
}

[ -x "$top_builddir/xlcli/fuzz_cfg" ] ||
	skip "the fuzz targets are not built (configure --enable-fuzzing)"
run_fuzzer cfg "$top_srcdir/tests/data/cfg"
run_fuzzer disk "$top_srcdir/xlcli/fuzz/seeds/disk"
run_fuzzer vif "$top_srcdir/xlcli/fuzz/seeds/vif"
