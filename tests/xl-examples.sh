#!/bin/bash
# Every commented example in config-examples/ must pass `xl create -n'
# without a warning, and resolve to what its comments promise.
. "$top_srcdir/tests/lib.sh"

XL=$top_builddir/xlcli/xl
EX=$top_srcdir/config-examples
n=0
for cfg in "$EX"/*.cfg; do
	out=$("$XL" create -n -q "$cfg" 2>"$T/err") ||
		fail "$cfg: xl create -n failed: $(cat "$T/err")"
	[ ! -s "$T/err" ] || fail "$cfg: warnings: $(cat "$T/err")"
	assert_match "$out" '"type": "pvh"' "$cfg type"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n examples"

out=$("$XL" create -n -q "$EX/busybox.cfg")
assert_match "$out" '"ramdisk": ".+"' "busybox has a ramdisk"
assert_match "$out" '"cmdline": ".*console=ttyS0' "busybox console"
out=$("$XL" create -n -q "$EX/disk-and-net.cfg")
[ "$(printf '%s\n' "$out" | grep -c '"vdev"')" -ge 1 ] || fail "disk-and-net: no disk"
[ "$(printf '%s\n' "$out" | grep -c '"devid"')" -ge 1 ] || fail "disk-and-net: no vif"
out=$("$XL" create -n -q "$EX/router.cfg")
[ "$(printf '%s\n' "$out" | grep -c '"devid"')" = 2 ] || fail "router: not two vifs"
out=$("$XL" create -n -q "$EX/test-guest.cfg")
assert_match "$out" '"kernel": ".*tests/guests/hello"' "test guest kernel"
exit 0
