#!/bin/bash
# xld's control protocol with no guest: hostile bytes on xld.sock, the
# read-only socket, peer credentials, and xl's messages and exit codes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"

# without a daemon: a clear failure, exit 1
out=$("$XL" list 2>&1) && fail "xl list without xld succeeded"
assert_match "$out" "cannot reach xld at $XLD_RUNDIR/xld.sock" "no daemon"

xld_start
[ "$(stat -c %a "$XLD_RUNDIR/xld.sock")" = 600 ] || fail "xld.sock mode"
[ "$(stat -c %a "$XLD_RUNDIR/xld-ro.sock")" = 666 ] || fail "xld-ro.sock mode"

# malformed JSON, oversized lines, unknown methods, the read-only socket
$XLDRAW check "$XLD_RUNDIR" || fail "protocol checks"
kill -0 "$XLD_PID" || fail "xld died during the protocol checks"
# create's "hold" (xld/ctl/held.c) is a boolean: anything else is named
out=$($XLDRAW call "$XLD_RUNDIR/xld.sock" \
	'{"version":1,"id":1,"method":"create","params":{"config":{"name":"h"},"hold":"yes"}}' 2>&1)
assert_match "$out" '"EINVAL".*params\.hold must be true or false' "create with a non-boolean hold"

# xl list: Xen's header, Domain-0 with the host's memory and CPUs
out=$("$XL" list) || fail "xl list"
[ "$(printf '%s\n' "$out" | head -1)" = \
	"$(printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)')" ] ||
	fail "header: $(printf '%s\n' "$out" | head -1 | od -c | head -3)"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "rows: $out"
mem=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
assert_match "$out" "^Domain-0 {37}0 {1,5}$mem {1,5}$(nproc)     r-----  {1,8}[0-9]+\.[0-9]$" "Domain-0 row"
out=$("$XL" list -v) || fail "xl list -v"
assert_match "$out" 'Time\(s\)   UUID                            Reason-Code	Security Label$' "-v header"
assert_match "$out" '00000000-0000-0000-0000-000000000000        -                -$' "-v row"
[ "$(field Domain-0 state)" = running ] || fail "list --json state"
[ "$("$XL" domid Domain-0)" = 0 ] || fail "domid Domain-0"
[ "$("$XL" domname 0)" = Domain-0 ] || fail "domname 0"
out=$("$XL" uptime) || fail "uptime"
assert_match "$out" '^Name {32}ID Uptime$' "uptime header"
assert_match "$out" '^Domain-0 +0 ' "uptime Domain-0"

# missing domains: Xen's messages, exit 1
expect1() {
	re=$1
	shift
	out=$("$@" 2>&1)
	st=$?
	[ $st -eq 1 ] || fail "$*: exit $st, want 1 ($out)"
	assert_match "$out" "$re" "$*"
}
expect1 "^Error: Domain 'nosuch' does not exist\.$" "$XL" list nosuch
expect1 "^nosuch is an invalid domain identifier \(rc=-6\)$" "$XL" destroy nosuch
expect1 "^4711 is an invalid domain identifier \(rc=-6\)$" "$XL" pause 4711
expect1 "^nosuch is an invalid domain identifier" "$XL" unpause nosuch
expect1 "^nosuch is an invalid domain identifier" "$XL" shutdown nosuch
expect1 "^nosuch is an invalid domain identifier" "$XL" reboot -w nosuch
expect1 "^nosuch is an invalid domain identifier" "$XL" rename nosuch other
expect1 "^Can't get domid of domain name 'nosuch', maybe this domain does not exist\.$" "$XL" domid nosuch
expect1 "^Can't get domain name of domain id '77', maybe this domain does not exist\.$" "$XL" domname 77
expect1 "^Invalid domain id\." "$XL" domname abc
expect1 "Domain-0 cannot be destroyed" "$XL" destroy 0
expect1 "Domain-0 cannot be paused" "$XL" pause Domain-0

# usage errors: exit 2
for args in "destroy" "destroy a b" "pause" "rename x" "domid" "domname" \
	"list a b" "list -Q" "shutdown" "reboot -Z x"; do
	# shellcheck disable=SC2086
	"$XL" $args >/dev/null 2>"$T/err"
	st=$?
	[ $st -eq 2 ] || fail "xl $args: exit $st, want 2"
	grep -q "Usage: xl" "$T/err" || fail "xl $args: no usage on stderr"
done

# shutdown -a with no guest: nothing to do
"$XL" shutdown -a -w || fail "shutdown -a -w with no guests"
"$XL" shutdown -a web >/dev/null 2>&1
[ $? -eq 2 ] || fail "shutdown -a with a domain: not a usage error"

# a config xld refuses: its message, exit 1
mkcfg bad idle 'memory = 0'
out=$("$XL" create "$T/bad.cfg" 2>&1) && fail "memory=0 accepted"
mkcfg nokernel idle 'kernel = "/nonexistent/kernel"'
out=$("$XL" create -q "$T/nokernel.cfg" 2>&1) && fail "a missing kernel accepted"
assert_match "$out" '^xl create: .*(/nonexistent/kernel|kvm|no KVM).*\(E[A-Z]+\)$' "the monitor's reason reaches xl"
[ -z "$(row nokernel)" ] || fail "a failed create left a domain"
ls "$XLD_STATEDIR/domains/"*.json 2>/dev/null && fail "a failed create left a record"

# not root: the read-only socket lists; changes are refused
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 755 "$T" "$XLD_RUNDIR"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	out=$(nobody "$XL" list) || fail "xl list as nobody"
	assert_match "$out" '^Domain-0 ' "xl list as nobody"
	out=$(nobody "$XL" destroy 1 2>&1) && fail "destroy as nobody succeeded"
	assert_match "$out" 'read-only socket refuses it.*\(EACCES\)' "destroy as nobody"
	out=$(nobody $XLDRAW call "$XLD_RUNDIR/xld.sock" '{"version":1,"method":"list"}' 2>&1) &&
		fail "nobody connected to xld.sock"
fi

kill -0 "$XLD_PID" || fail "xld died"
xld_finish
[ ! -e "$XLD_RUNDIR/xld.sock" ] || fail "xld.sock left behind"
[ ! -e "$XLD_RUNDIR/xld-ro.sock" ] || fail "xld-ro.sock left behind"
echo "xld-proto: ok"
