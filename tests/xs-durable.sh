#!/bin/sh
# The store survives kill -9 (snapshot + journal in XLD_STATEDIR), and a
# damaged state file stops xld with a message instead of a half-loaded
# store.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

xenstore-write /vm/u1/name guest1 /local/domain/3/name g3 || fail "write"
xenstore-chmod /local/domain/3 n3 r4 || fail "chmod"
xenstore-write /tmp/x 1 || fail "write /tmp/x"
xenstore-rm /tmp || fail "rm"
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
xs_start
assert_match "$(xenstore-read /vm/u1/name)" '^guest1$' "value after kill -9"
assert_match "$(xenstore-ls -p /local/domain | head -1)" '\(n3,r4\)' "perms after kill -9"
if xenstore-exists /tmp 2>/dev/null; then fail "rm lost by kill -9"; fi
grep -q 'store loaded from .*: 10 nodes' "$XLD_LOGDIR/xld.log" || fail "load not logged"

# a clean stop snapshots; a damaged snapshot is refused
xs_stop
[ -s "$XLD_STATEDIR/store.db" ] || fail "no snapshot"
printf 'Z' | dd of="$XLD_STATEDIR/store.db" bs=1 seek=60 conv=notrunc 2>/dev/null
if "$XLD" --foreground 2>"$T/err"; then fail "xld loaded a damaged snapshot"; fi
assert_match "$(cat "$T/err")" 'store.db: bad record at byte [0-9]+; not starting' "refusal"
[ ! -e "$XENSTORED_PATH" ] || fail "socket created by a refused start"
# moved away, xld starts empty
mv "$XLD_STATEDIR/store.db" "$XLD_STATEDIR/store.db.bad"
rm -f "$XLD_STATEDIR/store.journal"
xs_start
if xenstore-exists /vm 2>/dev/null; then fail "data from a moved-away file"; fi
echo "durable: ok"
xs_finish
