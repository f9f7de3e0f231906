# Shared helpers for the integration tests (sourced, POSIX sh + bash).
#
# Each test gets its own temporary XLD_RUNDIR, XLD_STATEDIR and XLD_LOGDIR
# under $T, removed on exit whatever happened; hvt_cleanup runs the
# functions registered with hvt_on_exit first (kill daemons, guests).

set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
KVM_TESTS=${KVM_TESTS:-auto}
TESTNAME=$(basename "$0" .sh)

T=$(mktemp -d "${TMPDIR:-/tmp}/xld-$TESTNAME.XXXXXX")
export XLD_RUNDIR="$T/run" XLD_STATEDIR="$T/state" XLD_LOGDIR="$T/log"
mkdir -p "$XLD_RUNDIR" "$XLD_STATEDIR" "$XLD_LOGDIR"
# xl domxml-* run this build's xl-domxml, not an installed one
export XL_DOMXML=${XL_DOMXML:-$top_builddir/xlcli/xl-domxml}

_hvt_exit_hooks=
hvt_on_exit() { _hvt_exit_hooks="$1 $_hvt_exit_hooks"; }
hvt_cleanup() {
	rc=$?
	for h in $_hvt_exit_hooks; do "$h" || true; done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "${KEEP_TEST_DIRS:-}" ]; then
		echo "$TESTNAME: kept $T" >&2
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap hvt_cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $TESTNAME: $*" >&2; exit 1; }
skip() { echo "SKIP: $TESTNAME: $*" >&2; exit 77; }

# Tests that need /dev/kvm: skip loudly where it is absent (or the build
# said --with-kvm-tests=no), fail where the build said yes.
hvt_require_kvm() {
	case "$KVM_TESTS" in
	no) skip "KVM tests disabled (--with-kvm-tests=no)" ;;
	yes) [ -c /dev/kvm ] || fail "/dev/kvm is absent but --with-kvm-tests=yes" ;;
	*) [ -c /dev/kvm ] || skip "/dev/kvm is absent: this test needs KVM" ;;
	esac
}

# assert_match TEXT REGEX WHAT
assert_match() {
	printf '%s\n' "$1" | grep -Eq -- "$2" ||
		fail "$3: expected /$2/ in: $1"
}

# hvt_in_testhost TIMEOUT SCRIPT [MESSAGE]: run on the machine, fetch the
# images and run SCRIPT again inside the test host (XLD_IN_TESTHOST=1),
# then exit with its verdict, printing MESSAGE when it passed.  Inside the
# test host, return at once: the rest of SCRIPT is the test itself.
hvt_in_testhost() {
	[ -z "${XLD_IN_TESTHOST:-}" ] || return 0
	"$top_srcdir/tests/images/fetch" >&2 ||
		fail "tests/images/fetch could not build the images"
	_self=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	_rc=0
	XLD_IN_TESTHOST=1 "$top_srcdir/tests/testhost/run" --timeout "$1" \
		-- "$_self" || _rc=$?
	[ "$_rc" -eq 0 ] || fail "inside the test host (status $_rc)"
	[ -z "${3:-}" ] || echo "$3"
	exit 0
}
