#!/bin/sh
# Transactions through Debian's libxenstore: isolation, commit, abort, and
# EAGAIN when another writer touched what the transaction read.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

out=$("$XSCLIENT" txn /t 2>&1) || fail "transaction test: $out"
assert_match "$out" '^commit: ok$' "commit"
assert_match "$out" '^abort: ok$' "abort"
assert_match "$out" '^conflict: EAGAIN$' "conflict"
assert_match "$out" '^bogus txn: ENOENT$' "bogus transaction id"
assert_match "$(xenstore-read /t/k1)" '^other$' "the conflicting write stayed"

# An unprivileged domain gets 10 transactions at once, then ENOSPC.
"$XSCLIENT" introduce 3 || fail "introduce 3"
out=$(as 3 "$XSCLIENT" txn-quota) || fail "txn-quota: $out"
assert_match "$out" '^10 No space left on device$' "transaction quota"
echo "$out"
xs_finish
