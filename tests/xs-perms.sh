#!/bin/sh
# An unprivileged domain through its own socket: permission denials
# (EACCES), quotas (ENOSPC, E2BIG) and watch events filtered by permission.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

"$XSCLIENT" introduce 5 || fail "introduce 5"
[ -S "$XLD_RUNDIR/xs-dom/5.sock" ] || fail "no socket for domain 5"
xenstore-write /local/domain/5/name guest5 /secret/key s3cret || fail "setup"
xenstore-chmod /local/domain/5 n5 || fail "give domain 5 its home"

# Domain-0's nodes are out of reach: the real tools fail, and the errno
# (which they do not print) is EACCES.
# deny ERRNO-TEXT TOOL CLIENT-OP ARGS...
deny() {
	want=$1 tool=$2 op=$3
	shift 3
	expect_fail . as 5 "$tool" "$@"
	expect_fail "^ERROR $want\$" as 5 "$XSCLIENT" "$op" "$@"
}
deny 'Permission denied' xenstore-read read /secret/key
deny 'Permission denied' xenstore-read read /secret/missing
deny 'Permission denied' xenstore-write write /secret/key x
deny 'Permission denied' xenstore-write write /newtop x
deny 'Permission denied' xenstore-chmod chmod /secret b5
assert_match "$(xenstore-read /secret/key)" '^s3cret$' "denied write changed nothing"
expect_fail "^ERROR No such file" "$XSCLIENT" read /secret/missing
# its home is its own; relative paths resolve there
as 5 xenstore-write /local/domain/5/data/a 1 || fail "write in own home"
as 5 xenstore-write data/b 2 || fail "relative write"
assert_match "$(xenstore-read /local/domain/5/data/b)" '^2$' "relative path"
assert_match "$(as 5 xenstore-read data/a)" '^1$' "relative read"
as 5 "$XSCLIENT" read /local/domain/5/nothing | grep -q '^ERROR No such file' ||
	fail "ENOENT in own home"
# it cannot hand its nodes to another domain
deny 'Operation not permitted' xenstore-chmod chmod data/a n6
# values over 2048 bytes: ENOSPC (Domain-0 has no such limit)
big=$(head -c 2049 /dev/zero | tr '\0' v)
deny 'No space left on device' xenstore-write write data/big "$big"
xenstore-write /local/domain/5/data/big "$big" || fail "Domain-0 big value"
as 5 xenstore-write data/max "$(head -c 2048 /dev/zero | tr '\0' v)" || fail "2048 bytes"
# more than 5 permission entries: ENOSPC
deny 'No space left on device' xenstore-chmod chmod data/a n5 r1 r2 r3 r4 r6
as 5 xenstore-chmod data/a n5 r1 r2 r3 r4 || fail "5 perms"
# 1000 nodes per domain: the 1001st is refused.  Domain 5 owns 6 nodes now:
# its home, data, data/a, data/b, data/max and data/big (written by
# Domain-0 below a node of domain 5, so owned by 5 by inheritance).
# xenstore-write runs all its writes in one transaction: a batch that
# crosses the quota creates nothing.
args=
i=0
while [ $i -lt 1000 ]; do args="$args n/k$i v"; i=$((i + 1)); done
# shellcheck disable=SC2086
expect_fail . as 5 xenstore-write $args
if xenstore-exists /local/domain/5/n 2>/dev/null; then fail "half a batch written"; fi
# n and 993 children: 1000 in all
args=
i=0
while [ $i -lt 993 ]; do args="$args n/k$i v"; i=$((i + 1)); done
# shellcheck disable=SC2086
as 5 xenstore-write $args || fail "writes up to the quota"
expect_fail '^ERROR No space left' as 5 "$XSCLIENT" write n/one-more x
n=$(xenstore-list /local/domain/5/n | wc -l)
[ "$n" -eq 993 ] || fail "domain 5 got $n nodes under n/, expected 993"
# Domain-0 may still write there, and the domain may overwrite its nodes
xenstore-write /local/domain/5/n/by-dom0 x || fail "Domain-0 over quota"
as 5 xenstore-write n/k0 new || fail "overwrite at quota"
xenstore-rm /local/domain/5/n || fail "rm"
# 128 watches per domain, then E2BIG
out=$($XSRAW watches "$XLD_RUNDIR/xs-dom/5.sock" 200) || fail "watches: $out"
assert_match "$out" '^128 E2BIG$' "watch quota"
# Domain-0 has no such quota
out=$($XSRAW watches "$XENSTORED_PATH" 300) || fail "watches: $out"
assert_match "$out" '^300 unlimited$' "Domain-0 watches"

# watch events only for nodes the watcher may read
xenstore-write /pub/x 1 || fail "write /pub/x"
xenstore-chmod /pub r0 || fail "chmod /pub"
xenstore-chmod /pub/x r0 || fail "chmod /pub/x"
as 5 xenstore-watch -n 2 /pub >"$T/watch.out" 2>&1 &
wpid=$!
i=0
until grep -q . "$T/watch.out"; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "watch never fired"; sleep 0.05
done
xenstore-chmod /pub/x n0 || fail "hide /pub/x"
xenstore-write /pub/x 2 || fail "write hidden"
xenstore-write /pub/y 1 || fail "write /pub/y"
i=0
while kill -0 $wpid 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { kill $wpid; fail "no second event: $(cat "$T/watch.out")"; }
	sleep 0.05
done
assert_match "$(sed -n 2p "$T/watch.out")" '^/pub/y' "event for the readable node"
if grep -q '/pub/x' "$T/watch.out"; then fail "event for an unreadable node"; fi

# a relative watch gets relative event paths
as 5 xenstore-watch -n 2 data >"$T/rel.out" 2>&1 &
wpid=$!
i=0
until grep -q . "$T/rel.out"; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "relative watch never fired"; sleep 0.05
done
xenstore-write /local/domain/5/data/new 1 || fail "write for the relative watch"
i=0
while kill -0 $wpid 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { kill $wpid; fail "relative watch: $(cat "$T/rel.out")"; }
	sleep 0.05
done
assert_match "$(sed -n 1p "$T/rel.out")" '^data( |$)' "relative first event"
assert_match "$(sed -n 2p "$T/rel.out")" '^data/new( |$)' "relative event path"

# only Domain-0 may introduce domains
expect_fail 'Permission denied' as 5 "$XSCLIENT" introduce 8
# release removes the domain's socket
"$XSCLIENT" release 5 || fail "release 5"
[ ! -e "$XLD_RUNDIR/xs-dom/5.sock" ] || fail "socket of a released domain"
echo "perms: ok"
xs_finish
