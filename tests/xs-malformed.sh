#!/bin/sh
# Hostile bytes on the socket: every malformed message gets an error reply
# or a closed connection, and xld keeps serving.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

out=$($XSRAW malformed "$XENSTORED_PATH" 2>&1) || fail "$out"
assert_match "$out" '^oversized header: closed$' "oversized"
assert_match "$out" '^still serving: ok$' "serving after garbage"
kill -0 "$XLD_PID" || fail "xld died"
assert_match "$(xenstore-read /m/a)" '^hello$' "real tool after garbage"
"$XSCLIENT" introduce 4 || fail "introduce"
out=$($XSRAW malformed "$XLD_RUNDIR/xs-dom/4.sock" 2>&1) && fail "a guest wrote /m/a"
assert_match "$out" 'write: got ERROR EACCES' "guest denied"
kill -0 "$XLD_PID" || fail "xld died"
echo "$out" | head -3
# random, well-framed messages, as Domain-0 and as a guest
for seed in 1 2 3; do
	out=$($XSRAW fuzz "$XENSTORED_PATH" 2000 $seed 2>&1) || fail "fuzz $seed: $out"
	out=$($XSRAW fuzz "$XLD_RUNDIR/xs-dom/4.sock" 2000 $seed 2>&1) || fail "guest fuzz $seed: $out"
done
kill -0 "$XLD_PID" || fail "xld died"
xenstore-write /after/fuzz 1 || fail "write after fuzzing"
xs_finish
