#!/bin/sh
# The test host boots, runs our KVM smoke program against its genuine
# hardware-virtualization /dev/kvm, and hands back output, files and status.
. "$top_srcdir/tests/lib.sh"
hvt_require_testhost
TH="$top_srcdir/tests/testhost/run"

"$top_srcdir/tests/images/fetch" >&2 || fail "tests/images/fetch could not build the images"

out=$("$TH" --timeout 300 -- "$top_builddir/tests/kvm-smoke") ||
	fail "kvm-smoke in the test host (status $?): $out"
assert_match "$out" '^flavour: svm$' "flavour inside the test host"
assert_match "$out" '^guest: out 0x10 <- 0x42, hlt: ok$' "guest inside the test host"

# The command runs in the caller's directory and environment, its stdout
# and stderr stay apart, a file it writes is seen here, and its exit
# status comes back.
mkdir "$T/cwd" && cd "$T/cwd" || fail "cannot enter $T/cwd"
XLD_TESTHOST_PROBE="a b'c" "$TH" --timeout 120 -- sh -c \
	'pwd; echo "$XLD_TESTHOST_PROBE"; echo to-stderr >&2; echo written >file; exit 7' \
	>"$T/stdout" 2>"$T/stderr"
rc=$?
[ "$rc" -eq 7 ] || fail "exit status $rc, want 7 (stderr: $(cat "$T/stderr"))"
[ "$(sed -n 1p "$T/stdout")" = "$T/cwd" ] || fail "cwd: $(cat "$T/stdout")"
[ "$(sed -n 2p "$T/stdout")" = "a b'c" ] || fail "environment: $(cat "$T/stdout")"
grep -qx to-stderr "$T/stderr" || fail "stderr not passed back: $(cat "$T/stderr")"
grep -q to-stderr "$T/stdout" && fail "stderr leaked into stdout"
[ "$(cat "$T/cwd/file")" = written ] || fail "file written in the test host not seen"

# A command that outlives the time limit is stopped and reported.
start=$(date +%s)
"$TH" --timeout 20 -- sleep 600 >/dev/null 2>"$T/stderr"
rc=$?
[ "$rc" -eq 124 ] || fail "timed-out command exited $rc, want 124"
[ $(( $(date +%s) - start )) -lt 90 ] || fail "time limit not honoured"
grep -q 'time limit' "$T/stderr" || fail "no time-limit message: $(cat "$T/stderr")"
echo "$out"
