#!/bin/bash
# xld's loop never waits for one domain's slow work (README, "Design
# notes"): a vif hotplug script that takes its time, here one that waits
# for the test's word, holds up only its own domain.
#  - while "online" runs, `xl list' answers and lists the domain as being
#    built (--p---); another domain is created and destroyed meanwhile;
#    a change to the domain being built waits for it, then works;
#  - while "offline" runs for `xl destroy', the domain is listed as
#    dying (-----d) and another domain is created meanwhile;
#  - 20 `xl create' at once: all 20 run, and xld answers "list" all
#    along; its median and p99 while they ran, and with the 20 idle
#    after, are printed.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
command -v ip >/dev/null || skip "ip (iproute2) is missing"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"

# TAPs live in a namespace of the test's own: nothing touches the host's
NS=xlnb$$
ip netns add "$NS" || skip "cannot make a network namespace (ip netns add)"
net_cleanup() { ip netns del "$NS" 2>/dev/null; true; }
hvt_on_exit net_cleanup

# The script says it started, then waits for $T/go-online or
# $T/go-offline (at most 60 s).
cat >"$T/slow" <<EOF
#!/bin/sh
echo "\$1 \$vif" >>"$T/slow.log"
i=0
while [ ! -e "$T/go-\$1" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
EOF
chmod +x "$T/slow"
export XLD_HOTPLUG_TIMEOUT=90

ip netns exec "$NS" "$XLD" --foreground 2>>"$T/xld.stderr" &
XLD_PID=$!
xl_up() { "$XL" list >/dev/null 2>&1; }
wait_for 10 "xld answers" xl_up

# listed: `xl list' into $T/list
listed() { "$XL" list >"$T/list" || fail "xl list failed"; }
letters() { awk -v n="$1" '$1 == n { print $5 }' "$T/list"; }
script_ran() { grep -q "^$1 " "$T/slow.log" 2>/dev/null; }

# --- a slow "online": the others go on --------------------------------------
mkcfg slow idle "vif = ['script=$T/slow']"
"$XL" create -q "$T/slow.cfg" 2>"$T/slow.err" &
SLOW=$!
wait_for 30 "the online script runs" script_ran online
listed
assert_match "$(letters slow)" '^--p---$' "slow while its script runs"
kill -0 "$SLOW" 2>/dev/null || fail "xl create slow returned before its script ended"
create fast idle
kill -0 "$SLOW" 2>/dev/null || fail "slow's create ended with fast's"
assert_match "$(row fast)" ' [rb-]{2}----  ' "fast runs"
"$XL" destroy fast || fail "destroy fast"
gone fast || fail "fast is still listed"
# a change to slow waits for it to be built, then is made
"$XL" pause slow 2>"$T/pause.err" &
PAUSE=$!
sleep 1
kill -0 "$PAUSE" 2>/dev/null || fail "xl pause slow did not wait: $(cat "$T/pause.err")"
kill -0 "$SLOW" 2>/dev/null || fail "slow's create ended before its script"
touch "$T/go-online"
wait "$SLOW" || fail "xl create slow: $(cat "$T/slow.err")"
wait "$PAUSE" || fail "xl pause slow: $(cat "$T/pause.err")"
listed
assert_match "$(letters slow)" '^--p---$' "slow paused once built"
"$XL" unpause slow || fail "unpause slow"
d=$("$XL" domid slow)
[ -n "$(ip -n "$NS" -o link show "vif$d.0" 2>/dev/null)" ] || fail "no TAP vif$d.0"

# --- a slow "offline": the others go on --------------------------------------
"$XL" destroy slow 2>"$T/destroy.err" &
DESTROY=$!
wait_for 30 "the offline script runs" script_ran offline
listed
assert_match "$(letters slow)" '^-----d$' "slow while its offline script runs"
create fast2 idle
kill -0 "$DESTROY" 2>/dev/null || fail "xl destroy slow returned before its script ended"
"$XL" destroy fast2 || fail "destroy fast2"
touch "$T/go-offline"
wait "$DESTROY" || fail "xl destroy slow: $(cat "$T/destroy.err")"
gone slow || fail "slow is still listed"
[ -z "$(ip -n "$NS" -o link show type tun)" ] || fail "a TAP is left"
[ -z "$(xld_monitors)" ] || fail "a monitor is left"

# --- 20 creates at once ------------------------------------------------------
# How long xld takes to answer "list" on one connection (xld-raw.py lists),
# so the figures are xld's, not xl's start-up.
# stats FILE: "median / p99" of the numbers in FILE (nearest rank).
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)]
		printf "%.1f / %.1f ms (%d lists)", m, p, NR }'
}
mkcfg g idle
$XLDRAW lists "$XLD_RUNDIR/xld.sock" "$T/stop" >"$T/busy.ms" 2>"$T/lists.err" &
LISTS=$!
answering() { [ -s "$T/busy.ms" ]; }
wait_for 60 "lists are answered" answering
before=$(wc -l <"$T/busy.ms")
pids=
for i in $(seq 1 20); do
	"$XL" create -q "$T/g.cfg" "name=\"g$i\"" 2>"$T/g$i.err" &
	pids="$pids $!"
done
i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || fail "xl create g$i: $(cat "$T/g$i.err")"
done
touch "$T/stop"
wait "$LISTS" || fail "lists while creating: $(cat "$T/lists.err")"
tail -n +$((before + 1)) "$T/busy.ms" >"$T/during.ms"
[ -s "$T/during.ms" ] || fail "no list was answered while the creates ran"
rows=$("$XL" list | awk '$1 ~ /^g[0-9]+$/' | wc -l)
[ "$rows" -eq 20 ] || fail "$rows of the 20 guests listed"
[ "$(xld_monitors | wc -l)" -eq 20 ] || fail "not 20 monitors"
$XLDRAW lists "$XLD_RUNDIR/xld.sock" 50 >"$T/quiet.ms" ||
	fail "lists with 20 idle guests"
echo "xld-noblock: xld's answer to list with 20 idle guests: $(stats "$T/quiet.ms"); while 20 creates ran: $(stats "$T/during.ms")" >&2
for i in $(seq 1 20); do "$XL" destroy "g$i" || fail "destroy g$i"; done
[ -z "$(xld_monitors)" ] || fail "monitors left"
xld_finish
echo "xld-noblock: ok"
