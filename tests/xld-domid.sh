#!/bin/bash
# Domain ids: the next after the last given, kept across restarts, not
# reused until they wrap at 32751, never one still in use.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

mkdir -p "$XLD_STATEDIR/domains"
echo 32750 >"$XLD_STATEDIR/domains/next-domid"
xld_start
create a idle
create b idle
create c idle
ids=$("$XL" list | awk 'NR > 2 { printf "%s=%s ", $1, $2 }')
[ "$ids" = "c=1 a=32750 b=32751 " ] || fail "ids around the wrap: $ids"
# a destroyed id is not given again soon
"$XL" destroy c || fail "destroy c"
create d idle
[ "$("$XL" domid d)" = 2 ] || fail "d got $("$XL" domid d), want 2"
# the counter survives a restart (and a kill -9)
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
xld_start
create e idle
[ "$("$XL" domid e)" = 3 ] || fail "e got $("$XL" domid e) after restart, want 3"
# ids in use are skipped when the numbers come round again
"$XL" destroy a || fail "destroy a"
xld_stop
echo 32751 >"$XLD_STATEDIR/domains/next-domid"
xld_start
create f idle
[ "$("$XL" domid f)" = 1 ] || fail "f got $("$XL" domid f), want 1 (32751 is b's)"
xld_stop
echo 2 >"$XLD_STATEDIR/domains/next-domid"
xld_start
create g idle
[ "$("$XL" domid g)" = 4 ] || fail "g got $("$XL" domid g), want 4 (2 and 3 in use)"
for d in b d e f g; do "$XL" destroy "$d" || fail "destroy $d"; done
[ -z "$(xld_monitors)" ] || fail "monitors left"
xld_finish
echo "xld-domid: ok"
