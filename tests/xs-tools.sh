#!/bin/sh
# Debian's real xenstore-* tools against xld: read, write, ls, list, rm,
# chmod, exists and watch, as Domain-0.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

xenstore-write /vm/u1/name guest1 /vm/u1/memory 512 || fail "write"
assert_match "$(xenstore-read /vm/u1/name)" '^guest1$' "read back"
assert_match "$(xenstore-read /vm/u1)" '^$' "intermediate node is empty"
# children come back in insertion order
xenstore-write /vm/u1/zeta 1 /vm/u1/alpha 2 || fail "write more"
assert_match "$(xenstore-list /vm/u1 | tr '\n' ' ')" '^name memory zeta alpha $' "list order"
out=$(xenstore-ls /vm)
assert_match "$out" '^u1 = ""$' "ls top"
assert_match "$out" '^ name = "guest1"$' "ls child"
assert_match "$out" '^ memory = "512"$' "ls child 2"
# values with spaces and an empty value
xenstore-write /vm/u1/cmdline "root=/dev/xvda ro quiet" /vm/u1/empty "" || fail "write spaces"
assert_match "$(xenstore-read /vm/u1/cmdline)" '^root=/dev/xvda ro quiet$' "spaces"
xenstore-exists /vm/u1/name || fail "exists on a node"
if xenstore-exists /vm/u1/nothing 2>/dev/null; then fail "exists on a missing node"; fi
expect_fail 'No such file|ENOENT|does not exist|could' xenstore-read /vm/u1/nothing
xenstore-rm /vm/u1/zeta || fail "rm"
assert_match "$(xenstore-list /vm/u1 | tr '\n' ' ')" '^name memory alpha cmdline empty $' "list after rm"
xenstore-rm /vm/u1 || fail "rm subtree"
if xenstore-exists /vm/u1/name 2>/dev/null; then fail "rm left a child"; fi
# chmod and the perms ls -p shows
xenstore-write /local/domain/5/name g5 || fail "write home"
xenstore-chmod /local/domain/5 n5 r6 || fail "chmod"
assert_match "$(xenstore-ls -p /local/domain | head -1)" '5 = "".*\(n5,r6\)' "ls -p"
# a relative path is relative to the caller's home: Domain-0's
xenstore-write rel/x 1 || fail "relative write"
assert_match "$(xenstore-read /local/domain/0/rel/x)" '^1$' "relative path"

# watch: fires at once, then on a change below, then on rm
xenstore-write /w/a 0 || fail "write /w/a"
xenstore-watch -n 3 /w >"$T/watch.out" 2>&1 &
wpid=$!
i=0
until grep -q . "$T/watch.out"; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "watch never fired at once"; sleep 0.05
done
xenstore-write /w/a/b 1 || fail "write under the watch"
xenstore-write /other 1 || fail "write elsewhere"
xenstore-rm /w || fail "rm the watched node"
i=0
while kill -0 $wpid 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { kill $wpid; fail "watch did not see 3 events: $(cat "$T/watch.out")"; }
	sleep 0.05
done
wait $wpid || fail "xenstore-watch failed: $(cat "$T/watch.out")"
assert_match "$(sed -n 1p "$T/watch.out")" '^/w' "first event is the watch itself"
assert_match "$(sed -n 2p "$T/watch.out")" '^/w/a/b' "event for the write below"
assert_match "$(sed -n 3p "$T/watch.out")" '^/w' "event for rm"
if grep -q other "$T/watch.out"; then fail "event for an unrelated path"; fi
echo "tools: ok"
xs_finish
