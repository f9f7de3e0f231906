#!/bin/sh
# Console input: what is written to xlhv's standard input reaches the
# guest's UART in order and without loss, however fast it comes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/hv-lib.sh"
set -e
hvt_require_kvm

printf 'hello there\nsecond line\nquit\nnot read\n' >"$T/in"
hv_run 0 run --kernel "$GUESTS/uartecho" <"$T/in"
assert_match "$out" '^uartecho: ready$' "guest output"
assert_match "$out" '^uartecho: hello there$' "first line"
assert_match "$out" '^uartecho: second line$' "second line"
assert_match "$out" '^uartecho: quit$' "last line"
if printf '%s\n' "$out" | grep -q 'not read'; then
	fail "guest echoed past quit"
fi

# 200 lines (about 9 KiB) through a 16-byte FIFO the guest polls.
i=1
while [ "$i" -le 200 ]; do
	echo "line $i, padded to make the input longer than the FIFO"
	i=$((i + 1))
done >"$T/many"
hv_run 0 run --kernel "$GUESTS/uartecho" --cmdline lines=200 <"$T/many"
n=$(printf '%s\n' "$out" | grep -c '^uartecho: line [0-9]*, padded')
[ "$n" -eq 200 ] || fail "200 lines in, $n echoed"
assert_match "$out" '^uartecho: line 200, padded' "the last line"
echo "console input arrives in order"
