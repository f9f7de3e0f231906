#!/bin/sh
# A directory with 2,000 children (over the 4096-byte payload limit) stays
# listable: DIRECTORY answers E2BIG and the tools fall back to
# DIRECTORY_PART.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

args=
i=0
while [ $i -lt 2000 ]; do args="$args /big/child-number-$i $i"; i=$((i + 1)); done
# shellcheck disable=SC2086
xenstore-write $args || fail "write 2000 children"
n=$(xenstore-list /big | wc -l)
[ "$n" -eq 2000 ] || fail "xenstore-list saw $n children"
assert_match "$(xenstore-list /big | sed -n '1p;2000p' | tr '\n' ' ')" \
	'^child-number-0 child-number-1999 $' "order"
n=$(xenstore-ls /big | wc -l)
[ "$n" -eq 2000 ] || fail "xenstore-ls saw $n children"
assert_match "$(xenstore-ls /big | sed -n 1234p)" '^child-number-1233 = "1233"$' "ls value"
echo "bigdir: ok"
xs_finish
