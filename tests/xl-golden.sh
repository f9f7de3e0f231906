#!/bin/bash
# Golden tests of the real xl binary: every tests/data/cfg/NAME.cfg goes
# through `xl create -n' and its stdout, stderr and exit status must be
# NAME.ok; every NAME.conf goes through the bare grammar (xl-cfg-dump)
# and must be NAME.conf.ok.  Generated MACs are random, so the value
# after "mac_generated": true is replaced by 00:16:3e:XX:XX:XX (its form
# is checked first).  XL_GOLDEN_UPDATE=1 rewrites the .ok files.
. "$top_srcdir/tests/lib.sh"

XL=$top_builddir/xlcli/xl
DUMP=$top_builddir/tests/xl-cfg-dump
DATA=$top_srcdir/tests/data/cfg
[ -x "$XL" ] || fail "$XL is not built"

normalize_macs() {
	awk '
	gen && /"mac": / {
		if ($0 !~ /"mac": "00:16:3e:[0-7][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]"/) {
			print "BAD GENERATED MAC: " $0; gen = 0; next
		}
		sub(/"mac": "[^"]*"/, "\"mac\": \"00:16:3e:XX:XX:XX\"")
	}
	{ gen = ($0 ~ /"mac_generated": true/); print }'
}

run_one() {
	local input=$1 rc
	if [ "${input%.cfg}" != "$input" ]; then
		"$XL" create -n "$input" >"$T/out" 2>"$T/err"
	else
		"$DUMP" "$input" >"$T/out" 2>"$T/err"
	fi
	rc=$?
	normalize_macs <"$T/out"
	echo "--- stderr"
	cat "$T/err"
	echo "--- exit $rc"
}

n=0
failed=0
cd "$DATA" || fail "no $DATA"
start=$(date +%s%N)
for input in *.cfg *.conf; do
	case $input in *.cfg) ok=${input%.cfg}.ok ;; *) ok=$input.ok ;; esac
	run_one "$input" >"$T/got"
	n=$((n + 1))
	if [ -n "${XL_GOLDEN_UPDATE:-}" ]; then
		cp "$T/got" "$ok"
		continue
	fi
	[ -f "$ok" ] || { echo "FAIL: $input: no $ok" >&2; failed=1; continue; }
	if ! diff -u "$ok" "$T/got" >&2; then
		echo "FAIL: $input differs from $ok" >&2
		failed=1
	fi
done
end=$(date +%s%N)
echo "$TESTNAME: $n golden files in $(((end - start) / 1000000)) ms"
[ "$n" -ge 30 ] || fail "only $n golden files found"
[ "$failed" = 0 ] || fail "golden output differs"

# A generated MAC really is random and in Xen's range: two runs differ.
a=$("$XL" create -n minimal.cfg 'vif=[""]' 2>/dev/null | grep '"mac":')
b=$("$XL" create -n minimal.cfg 'vif=[""]' 2>/dev/null | grep '"mac":')
assert_match "$a" '"mac": "00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}"' "generated MAC"
[ "$a" != "$b" ] || fail "two runs generated the same MAC: $a"
exit 0
