#!/bin/sh
# The attack shapes of the XenStore security advisories (XSA-115, 322,
# 323, 326 and 414 to 421), replayed through unprivileged domains'
# sockets (tests/xs-xsa.py): each gets xenstored's answer and leaves the
# store consistent, and Domain-0's requests keep a p99 under 10 ms while
# a domain floods (under 100 ms against deep trees, XSA-418, printed as
# XFAIL when over 10 ms: see tests/xs-xsa.py).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
xs_start

python3 "$top_srcdir/tests/xs-xsa.py" "$XLD_RUNDIR" "$XLD_PID" \
	>"$T/xsa.out" 2>&1 || { cat "$T/xsa.out"; fail "a replay failed"; }
cat "$T/xsa.out"
for n in 115 322 323 326 414 415 416 417 418 419 420 421; do
	grep -q "^xsa-$n: done" "$T/xsa.out" || fail "XSA-$n did not run"
done
kill -0 "$XLD_PID" || fail "xld died"
assert_match "$(xenstore-read /xsa/alive)" '^xsa-421$' "Domain-0 after the replays"
xs_finish
