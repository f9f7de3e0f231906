# Helpers for the domain tests (sourced after lib.sh): the real xld, the
# real xl, real xlhv monitors and the test guests.

XLD=$top_builddir/xld/xld
XL=$top_builddir/xlcli/xl
GUESTS=$top_builddir/tests/guests
XLDRAW="python3 $top_srcdir/tests/xld-raw.py"
# libdomctl starts this monitor (overridable to test another build)
export XLD_XLHV=${XLD_XLHV:-$top_builddir/hypervisor/xlhv}
export XENSTORED_PATH="$XLD_RUNDIR/xenstored.sock"
XLD_PID=

# Every monitor of this test, found by its control socket path (unique
# to this test's XLD_RUNDIR), never by its name alone.
xld_monitors() {
	pgrep -f -- "--control $XLD_RUNDIR/dom/" || true
}

xld_stop() {
	if [ -n "$XLD_PID" ] && kill -0 "$XLD_PID" 2>/dev/null; then
		kill "$XLD_PID"
		wait "$XLD_PID" 2>/dev/null || true
	fi
	XLD_PID=
}

# Stop xld with SIGTERM: it must exit 0, and (under the sanitizers) with
# no error or leak report.
xld_finish() {
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

# Each test's xld keeps its guests' cgroups (CPU weight and cap) apart
# from every other test's: <cpu controller>/xld-test/<this test>/<domid>.
export XLD_CGROUP="${XLD_CGROUP:-xld-test/${T##*/}}"

# The cpu controller's mount point (cgroup v1 or v2), or nothing.
cgroup_cpu_root() {
	awk '$3 == "cgroup" && $4 ~ /(^|,)cpu(,|$)/ { print $2; exit }' \
		/proc/self/mounts | grep . && return 0
	for m in $(awk '$3 == "cgroup2" { print $2 }' /proc/self/mounts); do
		if grep -qw cpu "$m/cgroup.controllers" 2>/dev/null; then
			echo "$m"
			return 0
		fi
	done
}

# Remove this test's groups (their monitors gone, or going).
xld_cgroup_cleanup() {
	r=$(cgroup_cpu_root)
	[ -n "$r" ] && [ -d "$r/$XLD_CGROUP" ] || return 0
	i=0
	until rmdir "$r/$XLD_CGROUP"/*/ "$r/$XLD_CGROUP" 2>/dev/null ||
		! [ -d "$r/$XLD_CGROUP" ]; do
		i=$((i + 1))
		[ $i -lt 40 ] || return 0
		sleep 0.05
	done
	rmdir "$r/${XLD_CGROUP%/*}" 2>/dev/null || true
}

# The exit hook: xld first, then every guest this test started.  A
# failed test shows the end of xld's log, often all CI keeps of it.
xld_cleanup() {
	if [ -n "${HVT_FAILED:-}" ] && [ -s "$XLD_LOGDIR/xld.log" ]; then
		echo "$TESTNAME: the end of $XLD_LOGDIR/xld.log:" >&2
		tail -n 30 "$XLD_LOGDIR/xld.log" >&2
	fi
	xld_stop
	for p in $(xld_monitors); do
		kill -9 "$p" 2>/dev/null || true
	done
	xld_cgroup_cleanup
}
hvt_on_exit xld_cleanup

# Start xld in the foreground (in the background of this shell) and wait
# until xl reaches it, at most 10 s.  xld_start [PREFIX...]: run it under
# PREFIX (say, ip netns exec NS).
xld_start() {
	"$@" "$XLD" --foreground 2>>"$T/xld.stderr" &
	XLD_PID=$!
	i=0
	while ! "$XL" list >/dev/null 2>&1; do
		kill -0 "$XLD_PID" 2>/dev/null ||
			fail "xld exited at start: $(tail -5 "$T/xld.stderr")"
		i=$((i + 1))
		[ $i -lt 1000 ] || fail "xld did not answer on $XLD_RUNDIR/xld.sock"
		sleep 0.01
	done
}

# mkcfg NAME GUEST [KEY=VALUE...]: write $T/NAME.cfg for a test guest.
mkcfg() {
	n=$1 g=$2
	shift 2
	{
		printf 'name = "%s"\nkernel = "%s/%s"\nmemory = 16\n' "$n" "$GUESTS" "$g"
		for kv in "$@"; do printf '%s\n' "$kv"; done
	} >"$T/$n.cfg"
}

# create NAME GUEST [KEY=VALUE...]: create a domain, fail the test if not.
create() {
	mkcfg "$@"
	"$XL" create -q "$T/$1.cfg" || fail "xl create $1"
}

# The `xl list' row of domain NAME (empty if none).
row() {
	"$XL" list | awk -v n="$1" '$1 == n'
}

# field NAME KEY: a key of NAME's entry in `xl list --json'.
field() {
	"$XL" list --json | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if d["name"] == sys.argv[1]:
        v = d[sys.argv[2]]
        print("null" if v is None else v)' "$1" "$2"
}

# wait_for SECONDS DESCRIPTION CMD...: poll until CMD succeeds.
wait_for() {
	secs=$1 what=$2
	shift 2
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt $((secs * 20)) ] || fail "timed out ($secs s): $what"
		sleep 0.05
	done
}

gone() { [ -z "$(row "$1")" ]; }

# Is PID a live process (a zombie waiting for init to reap it is not)?
alive() {
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}
