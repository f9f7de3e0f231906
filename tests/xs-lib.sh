# Helpers for the store's integration tests (sourced after lib.sh).

XLD=$top_builddir/xld/xld
XSCLIENT=$top_builddir/tests/xs-client
XSRAW="python3 $top_srcdir/tests/xs-raw.py"
export XENSTORED_PATH="$XLD_RUNDIR/xenstored.sock"
XLD_PID=

xs_stop() {
	if [ -n "$XLD_PID" ] && kill -0 "$XLD_PID" 2>/dev/null; then
		kill "$XLD_PID"
		wait "$XLD_PID" 2>/dev/null || true
	fi
	XLD_PID=
}
hvt_on_exit xs_stop

# Stop xld with SIGTERM: it must exit 0 (under the sanitizers: with no
# error or leak report).
xs_finish() {
	[ -n "$XLD_PID" ] || return 0
	kill "$XLD_PID"
	st=0
	wait "$XLD_PID" || st=$?
	XLD_PID=
	[ "$st" -eq 0 ] || fail "xld exited with status $st: $(tail -20 "$T/xld.stderr")"
	if grep -q 'Sanitizer' "$T/xld.stderr"; then
		fail "sanitizer report: $(head -30 "$T/xld.stderr")"
	fi
}

# Start xld in the foreground (in the background of this shell) and wait
# for its socket.
xs_start() {
	"$XLD" --foreground 2>>"$T/xld.stderr" &
	XLD_PID=$!
	i=0
	while ! xenstore-read / >/dev/null 2>&1; do
		kill -0 "$XLD_PID" 2>/dev/null || fail "xld exited at start: $(cat "$T/xld.stderr")"
		i=$((i + 1))
		[ $i -lt 200 ] || fail "xld did not create $XENSTORED_PATH"
		sleep 0.05
	done
}

# as DOMID CMD...: run a client as unprivileged domain DOMID.
as() {
	d=$1
	shift
	XENSTORED_PATH="$XLD_RUNDIR/xs-dom/$d.sock" "$@"
}

# expect_fail REGEX CMD...: CMD must fail with REGEX in its stderr.
expect_fail() {
	re=$1
	shift
	if out=$("$@" 2>&1); then
		fail "expected failure ($re) from: $* (got: $out)"
	fi
	assert_match "$out" "$re" "$*"
}
