#!/bin/sh
# The systemd unit as built (xld/xld.service): systemd's own checker
# accepts it, and it keeps the guests across `systemctl stop/restart xld':
# only xld is signalled (KillMode=process) and the monitors' sockets in
# /run/xld survive it (RuntimeDirectoryPreserve).
. "$top_srcdir/tests/lib.sh"
unit=$top_builddir/xld/xld.service
[ -f "$unit" ] || fail "$unit is not built"

# key KEY VALUE: the unit sets KEY=VALUE
key() { grep -qx "$1=$2" "$unit" || fail "$unit lacks $1=$2"; }
key Type simple
key KillMode process
key Restart on-failure
key RuntimeDirectory xld
key RuntimeDirectoryPreserve yes
key StateDirectory xld
key LogsDirectory xld
key WantedBy multi-user.target
exec=$(sed -n 's/^ExecStart=//p' "$unit")
assert_match "$exec" '^/.*/sbin/xld --foreground$' "ExecStart runs the installed xld in the foreground"
grep -q '@' "$unit" && fail "unsubstituted @...@ in $unit"

command -v systemd-analyze >/dev/null ||
	skip "systemd-analyze is absent (Debian package systemd)"
# verified as it would run from this build (the installed xld may not exist)
mkdir "$T/unit"
sed "s|^ExecStart=[^ ]*|ExecStart=$(cd "$top_builddir/xld" && pwd)/xld|" \
	"$unit" >"$T/unit/xld.service"
out=$(systemd-analyze verify --man=no "$T/unit/xld.service" 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
# and a broken unit is refused by the same check (it really checks)
sed 's/^KillMode=process/KillMode=sometimes/' "$T/unit/xld.service" >"$T/unit/bad.service"
out=$(systemd-analyze verify --man=no "$T/unit/bad.service" 2>&1)
assert_match "$out" "[Kk]ill ?[Mm]ode" "a bad KillMode is reported"
echo "xld-unit: ok"
