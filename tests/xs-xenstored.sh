#!/bin/sh
# Raw requests whose answers once differed from Debian's xenstored 4.17:
# each must now be what xenstored answers (checked by hand against it).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

for case in layout snapshot watch-rm paths domains event-size; do
	out=$($XSRAW xenstored "$XENSTORED_PATH" $case 2>&1) || fail "$case: $out"
	echo "$out" | tail -1
done
kill -0 "$XLD_PID" || fail "xld died"
xs_finish
