# Helpers for the xlhv integration tests (sourced after lib.sh).
XLHV="$top_builddir/hypervisor/xlhv"
GUESTS="$top_builddir/tests/guests"
[ -x "$XLHV" ] || fail "$XLHV is not built"

# hv_run WANT_STATUS ARGS...: run xlhv (bounded: a hang fails, not blocks),
# check its exit status; output (stdout + stderr) is left in $out.
hv_run() {
	want=$1
	shift
	set +e
	out=$(timeout 60 "$XLHV" "$@" 2>&1)
	st=$?
	set -e
	[ "$st" -ne 124 ] || fail "xlhv $* hung (killed after 60 s)"
	[ "$st" -eq "$want" ] ||
		fail "xlhv $*: exit status $st, want $want; output: $out"
}
