#!/bin/sh
# xld --socket-group: xld.sock becomes 0660 for that group, whose members
# (by their primary or a supplementary group) may use every method, as
# root may; anyone else still cannot.  Real users through setpriv(1), a
# real group made for the test and removed after it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
command -v setpriv >/dev/null && command -v groupadd >/dev/null ||
	skip "setpriv (util-linux) or groupadd (passwd) is missing"
[ "$(id -u)" = 0 ] || skip "needs root to make a group"

G=xldt$$
groupadd "$G" || fail "groupadd $G"
group_cleanup() { groupdel "$G" 2>/dev/null; true; }
hvt_on_exit group_cleanup
chmod 755 "$T"	# others may reach the sockets (their modes decide)

# an unknown group is refused before anything starts, by name
out=$("$XLD" --foreground --socket-group no-such-group-x 2>&1) && fail "unknown group accepted"
assert_match "$out" 'no-such-group-x.*no such group' "the unknown group named"

XLD_SOCKET_GROUP=$G xld_start
mode=$(stat -c '%a %G' "$XLD_RUNDIR/xld.sock")
[ "$mode" = "660 $G" ] || fail "xld.sock is '$mode', want '660 $G'"

# as: run xl as nobody with the given extra setpriv options
as() { setpriv --reuid=nobody "$@"; }

# a member by a supplementary group: every method, root-only ones too
out=$(as --regid=nogroup --groups="$G" "$XL" dmesg 2>&1) ||
	fail "a member of $G: xl dmesg: $out"
assert_match "$out" 'xld' "dmesg read by a member"
# a member by its primary group
as --regid="$G" --clear-groups "$XL" dmesg >/dev/null 2>&1 ||
	fail "a member of $G by its primary group was refused"
# anyone else: the socket's mode keeps them out, xl says so, exit 1
st=0
out=$(as --regid=nogroup --clear-groups "$XL" dmesg 2>&1) || st=$?
[ "$st" = 1 ] || fail "a non-member: xl dmesg exit $st: $out"
# and without the option the socket is root's alone again
xld_finish
xld_start
mode=$(stat -c '%a %U' "$XLD_RUNDIR/xld.sock")
[ "$mode" = "600 root" ] || fail "without --socket-group xld.sock is '$mode'"
st=0
out=$(as --regid="$G" --clear-groups "$XL" dmesg 2>&1) || st=$?
[ "$st" = 1 ] || fail "without --socket-group a member got in: $out"
xld_finish
echo "xld-group: xld.sock 0660 for $G; members in, others out"
