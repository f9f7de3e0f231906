# Shared helpers for the integration tests (sourced, POSIX sh + bash).
#
# Each test gets its own temporary XLD_RUNDIR, XLD_STATEDIR and XLD_LOGDIR
# under $T, removed on exit whatever happened; hvt_cleanup runs the
# functions registered with hvt_on_exit first (kill daemons, guests).

set -u
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
# Debian's tools first: a pyenv shim ahead of /usr/bin makes each python3
# start take 2 s here and 14 s in the test host (1.7 s for Debian's).
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
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
	# the hooks may tell more of a failure (HVT_FAILED); no command
	# here may fail, as some tests run with set -e
	HVT_FAILED=
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then HVT_FAILED=1; fi
	for h in $_hvt_exit_hooks; do "$h" || true; done
	if [ -n "$HVT_FAILED" ] && [ -n "${KEEP_TEST_DIRS:-}" ]; then
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

# hvt_kvm_usable: this machine's /dev/kvm opens for reading and writing.
hvt_kvm_usable() { [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null; }

# Without KVM here, xld serves the store and xl's requests all the same
# (and refuses guests) for the tests that need no guest.
hvt_kvm_usable || export XLD_WITHOUT_KVM=1

# Inside the emulated test host a guest's console answers several times
# slower: xld-console.py waits longer for what it expects.
[ -z "${XLD_IN_TESTHOST:-}" ] || export XLD_TERM_TIMEOUT="${XLD_TERM_TIMEOUT:-30}"

# hvt_require_kvm: the test needs KVM.  It runs here where /dev/kvm is
# usable; where it is not, it runs itself again inside the test host
# (HVT_TESTHOST_TIMEOUT seconds, default 900; HVT_TESTHOST_CPUS CPUs,
# default 1: a boot per test with two CPUs measured 1.25 times as long on
# a 2-core machine, and far longer beside a third test host; README,
# "Design notes") and exits with that verdict.
# --with-kvm-tests=no skips it; auto skips it where the test host cannot
# start either (no QEMU), yes fails then.
hvt_require_kvm() {
	[ "$KVM_TESTS" != no ] || skip "KVM tests disabled (--with-kvm-tests=no)"
	hvt_kvm_usable && return 0
	[ -z "${XLD_IN_TESTHOST:-}" ] || fail "no usable /dev/kvm inside the test host"
	hvt_require_testhost
	hvt_in_testhost "${HVT_TESTHOST_TIMEOUT:-900}" "$0"
}

# hvt_require_testhost: the test goes into the test host itself (through
# hvt_in_testhost or tests/testhost/run), so it needs QEMU, not /dev/kvm.
hvt_require_testhost() {
	[ "$KVM_TESTS" != no ] || skip "KVM tests disabled (--with-kvm-tests=no)"
	[ -z "${XLD_IN_TESTHOST:-}" ] || return 0
	command -v qemu-system-x86_64 >/dev/null 2>&1 && return 0
	[ "$KVM_TESTS" = yes ] &&
		fail "no usable /dev/kvm and no qemu-system-x86_64 for the test host, but --with-kvm-tests=yes"
	skip "no usable /dev/kvm and no qemu-system-x86_64 for the test host (apt-get install qemu-system-x86)"
}

# assert_match TEXT REGEX WHAT
assert_match() {
	printf '%s\n' "$1" | grep -Eq -- "$2" ||
		fail "$3: expected /$2/ in: $1"
}

# hvt_in_testhost TIMEOUT SCRIPT [MESSAGE]: run on the machine, fetch the
# images and run SCRIPT again inside the test host (XLD_IN_TESTHOST=1;
# HVT_TESTHOST_CPUS CPUs, default 1), then exit with its verdict (a skip
# inside is a skip), printing MESSAGE when it passed.  Inside the
# test host, return at once: the rest of SCRIPT is the test itself.
hvt_in_testhost() {
	[ -z "${XLD_IN_TESTHOST:-}" ] || return 0
	"$top_srcdir/tests/images/fetch" >&2 ||
		fail "tests/images/fetch could not build the images"
	_self=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	_rc=0
	XLD_IN_TESTHOST=1 "$top_srcdir/tests/testhost/run" --timeout "$1" \
		--cpus "${HVT_TESTHOST_CPUS:-1}" -- "$_self" || _rc=$?
	[ "$_rc" -ne 77 ] || skip "skipped inside the test host (its reason above)"
	[ "$_rc" -eq 0 ] || fail "inside the test host (status $_rc)"
	[ -z "${3:-}" ] || echo "$3"
	exit 0
}
