#!/bin/bash
# xl shell through a pseudo-terminal (tests/xl-pty.py): a command runs
# and its exit status shows in the prompt, tab completes a command name,
# an option, a file and a domain name (from a real xld), history is
# saved, `exit N' and EOF leave with the right status.  Without a
# terminal, lines from stdin run the same way.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XL" ] || fail "$XL is not built"
PTY="python3 $top_srcdir/tests/xl-pty.py"
export HOME=$T/home TERM=dumb INPUTRC=$T/inputrc
mkdir -p "$HOME"
echo 'set enable-bracketed-paste off' >"$INPUTRC"

# without a terminal
out=$(printf 'help domid\ndomid nosuch\n' | "$XL" shell 2>&1)
[ $? -eq 1 ] || fail "the last command's status (1) is the shell's"
assert_match "$out" 'Usage: xl domid' "a piped command runs"
out=$(printf 'help\n"unterminated\nexit 7\nhelp\n' | "$XL" shell 2>&1)
[ $? -eq 7 ] || fail "exit 7"
assert_match "$out" 'xl shell: unterminated quote' "a bad line is reported"
# the global options before `shell' apply to every line
out=$(printf 'shutdown -a\n' | "$XL" -N shell 2>&1)
[ $? -eq 2 ] || fail "xl -N shell: shutdown must be refused (2)"
assert_match "$out" 'does not support dry run' "-N reaches the line"

# xld with Domain-0 and, where KVM runs test guests, a guest
xld_start
guest=
if [ -c /dev/kvm ] && [ "$KVM_TESTS" != no ] && [ -x "$GUESTS/idle" ]; then
	create webserver1 idle
	guest=webserver1
fi
touch "$T/cfgfile-unique.cfg"

cat >"$T/steps" <<STEPS
expect xl> \$
# a command name
send "hel\t"
expect help \$
send " domid\n"
expect Usage: xl domid
expect xl> \$
# a failing command: its status shows
send "domid no-such-domain\n"
expect maybe this domain does not exist
expect xl \[1\]> \$
# an option of the command
send "list --js\t"
expect list --json \$
send "\n"
expect "domid": 0
expect xl> \$
# a file
send "create -n $T/cfgfile-uni\t"
expect cfgfile-unique.cfg \$
send "\x15"
# a domain name from xld
send "domid Domain\t"
expect domid Domain-0 \$
send "\n"
expect (?m)^0\$
expect xl> \$
STEPS
if [ -n "$guest" ]; then
	cat >>"$T/steps" <<STEPS
send "pause websrv\x15pause webs\t"
expect pause webserver1 \$
send "\n"
expect xl> \$
send "list webserver1\n"
expect webserver1 +[0-9]+ +16 +1 +--p---
expect xl> \$
send "unpause webserver1\n"
expect xl> \$
STEPS
fi
cat >>"$T/steps" <<STEPS
send "exit 3\n"
status 3
STEPS
$PTY "$T/steps" "$XL" shell || fail "the interactive session"
grep -qx 'domid no-such-domain' "$HOME/.xl_history" ||
	fail "history not saved: $(cat "$HOME/.xl_history" 2>&1)"

# EOF leaves with the last status; history is read back (up arrow)
cat >"$T/steps2" <<'STEPS'
expect xl> $
send "\x1b[A"
expect exit 3
send "\x15domid nope\n"
expect xl \[1\]> $
send "\x04"
status 1
STEPS
$PTY "$T/steps2" "$XL" shell || fail "EOF and history"
[ -z "$guest" ] || "$XL" destroy "$guest" || fail "destroy $guest"
xld_finish
echo "xl-shell: ok${guest:+ (with guest $guest)}"
