#!/bin/bash
# Interactive consoles: each monitor offers its guest's serial console on
# a pseudo-terminal published in the store (console/tty), and `xl console'
# / `xl create -c' attach a real terminal to it (tests/xld-console.py).
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
TERM_DRIVER="python3 $top_srcdir/tests/xld-console.py"

xld_start

# the store says where the console is, as in Xen
create echo uartecho
tty=$(xenstore-read /local/domain/1/console/tty) || fail "no console/tty"
assert_match "$tty" '^/dev/pts/[0-9]+$' "console/tty"
[ -c "$tty" ] || fail "$tty is not a terminal"
[ "$(xenstore-read /local/domain/1/console/type)" = ioemu ] ||
	fail "console/type"
[ "$(readlink "$XLD_RUNDIR/dom/1.tty")" = "$tty" ] || fail "monitor's link"

# attach: what the guest printed before is there, typing reaches the UART
# and its echo comes back, Ctrl-] detaches and the terminal is restored
$TERM_DRIVER "$XL" console echo -- 'expect:uartecho: ready' raw \
	'send:hello console\n' 'expect:uartecho: hello console' \
	'send:\x1d' exit:0 restored || fail "xl console echo"
# detach and attach again, several times, by name and by id
for i in 1 2 3; do
	dom=echo
	[ $i = 2 ] && dom=1
	$TERM_DRIVER "$XL" console -t serial "$dom" -- \
		raw "send:round $i\n" "expect:uartecho: round $i" \
		'absent:uartecho: ready' 'send:\x1d' exit:0 restored ||
		fail "attach number $i"
done
# what was typed before the Ctrl-] in one burst still goes
$TERM_DRIVER "$XL" console echo -- raw 'send:burst\n\x1d' exit:0 restored ||
	fail "input before Ctrl-]"
wait_for 5 "the burst's echo in the log" grep -q '^uartecho: burst$' \
	"$XLD_LOGDIR/console/echo.log"
# a signal also detaches, restoring the terminal
$TERM_DRIVER "$XL" console echo -- raw signal:TERM exit:0 restored ||
	fail "SIGTERM"
# everything typed is in the console log too
log=$(cat "$XLD_LOGDIR/console/echo.log")
for l in 'hello console' 'round 1' 'round 2' 'round 3'; do
	printf '%s\n' "$log" | grep -qx "uartecho: $l" || fail "log lacks '$l'"
done

# xld restarted: the console is still published, and still works
xld_stop
xld_start
[ "$(xenstore-read /local/domain/1/console/tty)" = "$tty" ] ||
	fail "console/tty after an xld restart"
$TERM_DRIVER "$XL" console echo -- raw 'send:after restart\n' \
	'expect:uartecho: after restart' 'send:\x1d' exit:0 restored ||
	fail "attach after an xld restart"

# the domain going away ends the session
$TERM_DRIVER "$XL" console echo -- raw "shell:$XL destroy echo" exit:0 \
	restored || fail "destroy while attached"
[ ! -e "$XLD_RUNDIR/dom/1.tty" ] || fail "the tty link outlived the monitor"

# errors: Xen's message for an unknown domain, usage errors
out=$("$XL" console nosuch 2>&1) && fail "console of an unknown domain"
[ "$out" = "nosuch is an invalid domain identifier (rc=-6)" ] ||
	fail "unknown domain message: $out"
st=0; "$XL" console 77 >/dev/null 2>&1 || st=$?
[ $st -eq 1 ] || fail "unknown domid: exit $st"
st=0; "$XL" console -x echo >/dev/null 2>&1 || st=$?
[ $st -eq 2 ] || fail "unknown option: exit $st"
st=0; "$XL" console >/dev/null 2>&1 || st=$?
[ $st -eq 2 ] || fail "no domain: exit $st"
st=0; "$XL" console -t vga 1 >/dev/null 2>&1 || st=$?
[ $st -eq 2 ] || fail "bad console type: exit $st"

# xl create -c: create, then attached from the guest's first byte
mkcfg cc uartecho
$TERM_DRIVER "$XL" create -q -c "$T/cc.cfg" -- 'expect:uartecho: ready' raw \
	'send:via create\n' 'expect:uartecho: via create' 'send:\x1d' \
	exit:0 restored || fail "xl create -c"
[ -n "$(row cc)" ] || fail "cc is not running after detaching"
"$XL" destroy cc || fail "destroy cc"

# nobody reading: the guest is never held up by the pty; its output is
# dropped there, not in the log.  1500 lines echo ~110 KiB, more than a
# pty holds; preserved on poweroff so its pty can be read afterwards.
N=1500
create flood uartecho "cmdline = \"lines=$N\"" 'on_poweroff = "preserve"'
ftty=$(xenstore-read "/local/domain/$("$XL" domid flood)/console/tty") ||
	fail "flood's tty"
# type_lines TTY N [SECONDS]: type N lines on TTY; with SECONDS, read
# it meanwhile, slowly, for that long, and print the bytes read
type_lines() {
	python3 -c '
import os, sys, threading, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
got = 0
def slow(until):
    global got
    while time.monotonic() < until:
        got += len(os.read(fd, 64))
        time.sleep(0.05)
if len(sys.argv) > 3:
    t = threading.Thread(target=slow, daemon=True,
                         args=(time.monotonic() + float(sys.argv[3]),))
    t.start()
for i in range(1, int(sys.argv[2]) + 1):
    os.write(fd, b"line %d, padded to be longer than the FIFO of the UART\n" % i)
if len(sys.argv) > 3:
    t.join()
    print(got)
' "$@"
}
type_lines "$ftty" "$N" || fail "typing into $ftty"
flooded() { [ -n "$("$XL" list | awk '/^flood-/')" ]; }
wait_for 60 "flood to finish" flooded
n=$(grep -c '^uartecho: line [0-9]*, padded' "$XLD_LOGDIR/console/flood.log")
[ "$n" -eq "$N" ] || fail "the log has $n of $N lines"
fname=$("$XL" list | awk '/^flood-/ { print $1 }')
# a late reader gets what the pty kept: something, not everything
$TERM_DRIVER "$XL" console "$fname" -- 'expect:uartecho: line' 'sleep:1' \
	"count:1:$((N - 1)):uartecho: line [0-9]+, padded" 'send:\x1d' exit:0 ||
	fail "attach to the preserved guest"
"$XL" destroy "$fname"

# a slow reader: the guest is not slowed to its pace; the log gets all
create slow uartecho "cmdline = \"lines=$N\""
stty=$(xenstore-read "/local/domain/$("$XL" domid slow)/console/tty") ||
	fail "slow's tty"
start=$(date +%s)
got=$(type_lines "$stty" "$N" 8) || fail "typing into $stty"
wait_for 60 "slow to finish" gone slow
n=$(grep -c '^uartecho: line [0-9]*, padded' "$XLD_LOGDIR/console/slow.log")
[ "$n" -eq "$N" ] || fail "slow reader: the log has $n of $N lines"
total=$(grep '^uartecho: line' "$XLD_LOGDIR/console/slow.log" | wc -c)
[ "$got" -gt 0 ] && [ "$got" -lt "$total" ] ||
	fail "slow reader: read $got bytes of $total"
echo "slow reader: $got of $total bytes; guest done in $(($(date +%s) - start)) s"

xld_finish
echo "consoles: store, attach, detach, create -c, errors, no or slow reader"
