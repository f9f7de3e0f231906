#!/bin/sh
# Run the store's libFuzzer target (whole connections into the wire
# server, xld/store/fuzz/fuzz_wire.c) for a bounded time from its seeds:
# no crash, no leak, no broken reply or count, and no input slower than
# 5 s (a journaled run waits for its sync thread, which on a loaded
# machine can wait seconds for a CPU).  Inputs of up to three whole
# messages (12 KiB).  Needs configure --enable-fuzzing.
. "$top_srcdir/tests/lib.sh"
SECONDS_RUN=${XS_FUZZ_SECONDS:-25}
bin="$top_builddir/xld/store/fuzz_wire"

[ -x "$bin" ] ||
	skip "the fuzz target is not built (configure --enable-fuzzing)"
# New inputs go to a scratch corpus, never into the source tree; the
# journals of the runs that keep one to memory where there is some.  A
# small quarantine keeps the fuzzer fast (three times as many runs here)
# and its memory small.
mkdir -p "$T/corpus"
J=$(mktemp -d /dev/shm/xs-fuzz.XXXXXX 2>/dev/null) || J=$T
rm_journals() { [ "$J" = "$T" ] || rm -rf "$J"; }
hvt_on_exit rm_journals
TMPDIR=$J ASAN_OPTIONS="quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
	"$bin" -max_total_time="$SECONDS_RUN" -max_len=12288 -timeout=5 \
	-rss_limit_mb=1024 \
	-artifact_prefix="$T/" "$T/corpus" "$top_srcdir/xld/store/fuzz/seeds" \
	>"$T/fuzz.log" 2>&1 ||
	{ tail -n 40 "$T/fuzz.log" >&2; fail "fuzz_wire found a bug"; }
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/fuzz.log")
[ -n "$runs" ] && [ "$runs" -gt 0 ] || fail "fuzz_wire ran no input"
echo "fuzz_wire: $runs runs in ${SECONDS_RUN}s, no crash or leak"
