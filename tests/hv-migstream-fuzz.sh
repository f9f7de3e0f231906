#!/bin/sh
# Run the migration stream's libFuzzer target (hypervisor/fuzz/
# fuzz_migstream.c: bytes into hv_mig_check_stream) for a bounded time
# from its seeds: no crash, no leak, a message for every refusal, and no
# input slower than 1 s.  Inputs up to 64 KiB.  Needs configure
# --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
SECONDS_RUN=${HV_FUZZ_SECONDS:-20}
bin="$top_builddir/hypervisor/fuzz_migstream"

[ -x "$bin" ] ||
	skip "the fuzz target is not built (configure --enable-fuzzing)"
# New inputs go to a scratch corpus, never into the source tree.
mkdir -p "$T/corpus"
"$bin" -max_total_time="$SECONDS_RUN" -max_len=65536 -timeout=1 \
	-rss_limit_mb=1024 -artifact_prefix="$T/" "$T/corpus" \
	"$top_srcdir/hypervisor/fuzz/seeds/migstream" >"$T/fuzz.log" 2>&1 ||
	{ tail -n 40 "$T/fuzz.log" >&2; fail "fuzz_migstream found a bug"; }
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/fuzz.log")
[ -n "$runs" ] && [ "$runs" -gt 0 ] || fail "fuzz_migstream ran no input"
echo "fuzz_migstream: $runs runs in ${SECONDS_RUN}s, no crash or leak"
