#!/bin/bash
# 100 idle guests created by a shell loop all show in `xl list' (101 rows
# with Domain-0), then are destroyed with nothing left behind: no xlhv
# process, socket, record or store node.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
N=${XLD_SCALE_N:-100}

now() { date +%s.%N; }
xld_start
mkcfg g idle
t0=$(now)
for i in $(seq 1 "$N"); do
	"$XL" create -q "$T/g.cfg" "name=\"g$i\"" || fail "create g$i"
done
t1=$(now)
out=$("$XL" list) || fail "xl list"
t2=$(now)
rows=$(printf '%s\n' "$out" | tail -n +2 | wc -l)
[ "$rows" -eq $((N + 1)) ] || fail "$rows rows, want $((N + 1))"
for i in $(seq 1 "$N"); do
	printf '%s\n' "$out" | grep -q "^g$i " || fail "g$i not listed"
done
[ "$(xld_monitors | wc -l)" -eq "$N" ] || fail "not $N monitors"
[ "$(xenstore-list /local/domain | wc -l)" -eq $((N + 1)) ] || fail "store homes"
# a list is cheap: ask 20 times
t3=$(now)
for i in $(seq 1 20); do "$XL" list >/dev/null || fail "xl list"; done
t4=$(now)
for i in $(seq 1 "$N"); do "$XL" destroy "g$i" || fail "destroy g$i"; done
t5=$(now)

[ "$("$XL" list | wc -l)" -eq 2 ] || fail "domains left: $("$XL" list)"
[ -z "$(xld_monitors)" ] || fail "monitors left: $(xld_monitors | wc -l)"
[ -z "$(ls "$XLD_RUNDIR/dom")" ] || fail "control sockets left"
[ -z "$(ls "$XLD_RUNDIR/xs-dom")" ] || fail "store sockets left"
[ "$(xenstore-list /local/domain)" = 0 ] || fail "store homes left"
[ -z "$(xenstore-list /vm 2>/dev/null)" ] || fail "/vm entries left"
[ -z "$(ls "$XLD_STATEDIR/domains" | grep json)" ] || fail "records left"
kill -0 "$XLD_PID" || fail "xld died"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v f="$t5" -v n="$N" 'BEGIN {
	printf "xld-scale: %d creates in %.2f s (%.1f ms each), xl list of %d in %.1f ms (first), %.1f ms (mean of 20), %d destroys in %.2f s\n",
	    n, b - a, (b - a) * 1000 / n, n + 1, (c - b) * 1000, (e - d) * 1000 / 20, n, f - e }' >&2
xld_finish
echo "xld-scale: ok"
