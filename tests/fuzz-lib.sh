# The fuzz tests' runner (sourced after lib.sh).
#
# fuzz_run NAME BIN SEEDS [LIBFUZZER-OPTION...]: run the libFuzzer
# target BIN for FUZZ_SECONDS (10) from its seed directory SEEDS, new
# inputs going to a scratch corpus, never into the source tree.  Fails
# the test on a crash, a sanitizer report, a leak, a failed check of the
# target's own or an input slower than FUZZ_TIMEOUT seconds: 5 here, as
# two tests and the test host share two CPUs; `make fuzz' holds inputs to
# 1 s.  A failing input is kept in the build tree's tests/fuzz-artifacts.
# Lines the product prints about bad input ("xlhv: ...") are the normal
# case and stay out of the log.
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-5}

fuzz_run() {
	name=$1 bin=$2 seeds=$3
	shift 3
	[ -x "$bin" ] || skip "fuzz_$name is not built (configure --enable-fuzzing)"
	mkdir -p "$T/$name"
	{
		"$bin" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" \
			-rss_limit_mb=1024 -artifact_prefix="$T/$name-" "$@" \
			"$T/$name" "$seeds" 2>&1
		echo "$?" >"$T/$name.rc"
	} | grep -av '^xlhv: ' >"$T/$name.log"
	if [ "$(cat "$T/$name.rc")" != 0 ]; then
		tail -n 40 "$T/$name.log" >&2
		mkdir -p "$top_builddir/tests/fuzz-artifacts"
		cp "$T/$name-"* "$top_builddir/tests/fuzz-artifacts/" 2>/dev/null &&
			echo "the failing input is in $top_builddir/tests/fuzz-artifacts" >&2
		fail "fuzz_$name found a bug"
	fi
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/$name.log")
	[ -n "$runs" ] && [ "$runs" -gt 0 ] || fail "fuzz_$name ran no input"
	echo "fuzz_$name: $runs runs in ${FUZZ_SECONDS}s, no crash or leak"
}
