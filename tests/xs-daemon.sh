#!/bin/sh
# xld --foreground: directories, log with timestamps, one daemon per
# XLD_RUNDIR, clean exit on SIGTERM that removes its sockets.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xs-lib.sh"
rm -rf "$XLD_RUNDIR" "$XLD_LOGDIR" "$XLD_STATEDIR"
xs_start
[ -d "$XLD_STATEDIR" ] || fail "XLD_STATEDIR not created"
assert_match "$(cat "$XLD_LOGDIR/xld.log")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z xld\[[0-9]+\] info: .*listening on' "log line"
[ "$(cat "$XLD_RUNDIR/xld.pid")" = "$XLD_PID" ] || fail "pid file"

# a second daemon on the same directories refuses to start
if "$XLD" --foreground 2>"$T/second.err"; then fail "second xld started"; fi
assert_match "$(cat "$T/second.err")" "another xld \\(pid $XLD_PID\\)" "refusal message"
xenstore-write /still/here 1 || fail "first xld disturbed"

# a usage error exits 2
"$XLD" --bogus 2>/dev/null
[ $? -eq 2 ] || fail "usage error exit status"

# SIGHUP reopens the log (rotation)
mv "$XLD_LOGDIR/xld.log" "$XLD_LOGDIR/xld.log.1"
kill -HUP "$XLD_PID"
i=0
until grep -q 'log reopened' "$XLD_LOGDIR/xld.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "log not reopened on SIGHUP"; sleep 0.05
done
kill -0 "$XLD_PID" || fail "SIGHUP stopped xld"

"$XSCLIENT" introduce 7 || fail "introduce"
kill -TERM "$XLD_PID"
wait "$XLD_PID" || fail "xld exited non-zero on SIGTERM"
XLD_PID=
[ ! -e "$XENSTORED_PATH" ] || fail "socket left behind"
[ ! -e "$XLD_RUNDIR/xs-dom/7.sock" ] || fail "domain socket left behind"
[ ! -e "$XLD_RUNDIR/xld.pid" ] || fail "pid file left behind"
grep -q 'shutting down' "$XLD_LOGDIR/xld.log" || fail "shutdown not logged"

# a stale socket (daemon killed -9) does not stop a restart
xs_start
"$XSCLIENT" introduce 9 || fail "introduce 9"
kill -9 "$XLD_PID"; wait "$XLD_PID" 2>/dev/null; XLD_PID=
[ -S "$XENSTORED_PATH" ] || fail "kill -9 should leave the socket"
[ -S "$XLD_RUNDIR/xs-dom/9.sock" ] || fail "kill -9 should leave domain sockets"
xs_start
[ ! -e "$XLD_RUNDIR/xs-dom/9.sock" ] || fail "stale domain socket kept"
"$XSCLIENT" introduce 9 || fail "introduce after restart"
[ -S "$XLD_RUNDIR/xs-dom/9.sock" ] || fail "no socket for domain 9"
xenstore-write /after/restart 1 || fail "restart after kill -9"

# without --foreground it daemonizes once the socket is ready
xs_stop
"$XLD" || fail "daemon mode"
XLD_PID=$(cat "$XLD_RUNDIR/xld.pid")
xenstore-write /daemon/mode 1 || fail "daemon serves"
# not our child: stop it by hand
kill "$XLD_PID"
i=0
while kill -0 "$XLD_PID" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "daemon did not stop"; sleep 0.05
done
XLD_PID=
[ ! -e "$XENSTORED_PATH" ] || fail "daemon left its socket"
echo "daemon: ok"
