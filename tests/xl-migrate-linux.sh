#!/bin/sh
# A whole Linux guest across xl save/restore and xl migrate: Debian's
# kernel with a disk, a vif on a bridge and its serial console, inside the
# test host.  The guest writes a word to its disk, then once a second
# prints its uptime, whether Domain-0 answered a ping, and the word it
# reads back from the disk.  After each move the guest must go on where it
# was: its uptime continues (no reboot), the word reads back, the pings
# answer again, and the console log shows both sides of the move.
#  1. xl save, then xl restore of the file, on one xld.
#  2. xl migrate DOM localhost as a Xen user types it: no -s, through
#     Debian's own ssh and sshd (key authentication, loopback in a network
#     namespace of its own), into a second xld on the same machine.
#  3. Back with -s '' (the host argument is the command), the way
#     Xen's xl runs a receiver without ssh.
# After each migration only one copy exists: the source's monitor, TAP
# and name are gone.
#
# The script runs itself again inside the test host (XLD_IN_TESTHOST=1).
# Inside the test host: a network and mount namespace of its own, where
# sshd listens on its loopback and ssh's system config is this test's,
# bound over /etc/ssh/ssh_config.
if [ -n "${XLD_IN_TESTHOST:-}" ] && [ -z "${XLD_MIGRATE_NS:-}" ]; then
	XLD_MIGRATE_NS=1 exec unshare --net --mount "$0"
fi
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] ||
	skip "no sshd: apt-get install openssh-server (.ci/setup does)"

hvt_in_testhost 600 "$0" "xl-migrate-linux: save/restore and migrate over ssh with Debian's kernel"

# --- inside the test host, in our own namespaces ----------------------------
. "$top_srcdir/tests/xld-lib.sh"
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
# /sys/class/net must show this namespace's devices (vif-bridge reads it)
# (and the cgroup tree xld puts guests in, hidden by that mount, again)
cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
mount -t sysfs sysfs /sys || fail "mount sysfs in the new namespaces"
[ -z "$cg" ] || mount -t cgroup2 cgroup2 "$cg" || fail "mount cgroup2 on $cg"
ip link set lo up
modprobe tun && modprobe bridge || fail "modprobe tun bridge failed"
export XLD_SCRIPTDIR="$top_srcdir/xld/scripts"
BR=xlmbr0
ip link add "$BR" type bridge
ip addr add 10.0.6.1/24 dev "$BR"
ip link set "$BR" up

# The second xld ("B"), in directories of its own; its domids start at 50
# so its TAPs (vifDOMID.0) never meet A's on this one machine.
B=$T/b
mkdir -p "$B/run" "$B/state/domains" "$B/log"
echo 50 >"$B/state/domains/next-domid"
XLD_B_PID=
b() { XLD_RUNDIR=$B/run XLD_STATEDIR=$B/state XLD_LOGDIR=$B/log "$@"; }
b_stop() {
	[ -n "$XLD_B_PID" ] && kill "$XLD_B_PID" 2>/dev/null
	for p in $(pgrep -f -- "--control $B/run/dom/"); do kill -9 "$p"; done
	true
}
hvt_on_exit b_stop
xld_start
b "$XLD" --foreground 2>>"$T/xld-b.stderr" &
XLD_B_PID=$!
i=0
until b "$XL" list >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "xld B did not start: $(tail -5 "$T/xld-b.stderr")"
	sleep 0.05
done

# sshd on this namespace's loopback, root by key only; what it runs sees
# xld B (XLD_RUNDIR) and this build's xl first in PATH.
S=$T/ssh
mkdir -p "$S" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$S/id"
ssh-keygen -q -t ed25519 -N '' -f "$S/hostkey"
cp "$S/id.pub" "$S/authorized_keys"
cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1
HostKey $S/hostkey
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $S/sshd.pid
SetEnv XLD_RUNDIR=$B/run PATH=$top_builddir/xlcli:/usr/sbin:/usr/bin:/sbin:/bin
EOF
cat >"$S/ssh_config" <<EOF
Host localhost
	HostName 127.0.0.1
	IdentityFile $S/id
	UserKnownHostsFile $S/known_hosts
	StrictHostKeyChecking accept-new
	BatchMode yes
	LogLevel ERROR
EOF
mount --bind "$S/ssh_config" /etc/ssh/ssh_config
/usr/sbin/sshd -f "$S/sshd_config" -E "$S/sshd.log" ||
	fail "sshd did not start: $(cat "$S/sshd.log")"
sshd_stop() { kill "$(cat "$S/sshd.pid")" 2>/dev/null; true; }
hvt_on_exit sshd_stop
out=$(ssh localhost 'echo $XLD_RUNDIR' 2>"$S/ssh.err") ||
	fail "ssh localhost: $(cat "$S/ssh.err")"
[ "$out" = "$B/run" ] || fail "ssh localhost ran with XLD_RUNDIR '$out'"

dd if=/dev/zero of="$T/disk.img" bs=1M count=8 2>/dev/null
cat >"$T/lin.cfg" <<CFG
name = "lin"
type = "pvh"
kernel = "$IMG/vmlinux"
ramdisk = "$RD"
memory = 256
disk = ['$T/disk.img,raw,xvda,w']
vif = ['bridge=$BR,mac=00:16:3e:0a:00:06']
cmdline = 'console=ttyS0 quiet panic=-1 pci=off xl.action=wait xl.run="ip link set eth0 up; ip addr add 10.0.6.2/24 dev eth0; echo word-\$(cat /proc/sys/kernel/random/uuid) | dd of=/dev/vda bs=64 count=1 conv=sync 2>/dev/null; sync; while :; do p=lost; ping -c 1 -W 1 10.0.6.1 >/dev/null && p=ok; read up rest </proc/uptime; echo 3 >/proc/sys/vm/drop_caches; w=\$(dd if=/dev/vda bs=64 count=1 2>/dev/null | head -n 1); echo TICK \$up \$p \$w; sleep 1; done"'
CFG
"$XL" create -q "$T/lin.cfg" || fail "xl create: $(tail -5 "$T/xld.stderr")"

# ticks LOG: the TICK lines in console log LOG.
ticks() { grep -a '^TICK ' "$1" 2>/dev/null || true; }
# wait_ticks LOG N: until LOG has N more TICK lines with "ok" than now
# (300 s: Linux nested in emulation on a loaded machine).
wait_ok() {
	base=$(ticks "$1" | grep -c ' ok ' || true)
	i=0
	until [ "$(ticks "$1" | grep -c ' ok ' || true)" -ge $((base + $2)) ]; do
		i=$((i + 1))
		[ $i -lt 3000 ] || {
			tail -20 "$1" | sed 's/^/  | /' >&2
			fail "$1: no $2 more answered pings in 300 s"
		}
		sleep 0.1
	done
}
last_uptime() { ticks "$1" | tail -1 | awk '{ print int($2) }'; }
last_word() { ticks "$1" | tail -1 | awk '{ print $4 }'; }
LOG_A=$XLD_LOGDIR/console/lin.log
LOG_B=$B/log/console/lin.log
wait_ok "$LOG_A" 2
word=$(last_word "$LOG_A")
assert_match "$word" '^word-' "the word the guest wrote to its disk"

# moved UPTIME_BEFORE TO_LOG WHAT: the guest went on after a move.
moved() {
	up0=$1
	wait_ok "$2" 2
	up1=$(last_uptime "$2")
	[ "$up1" -ge "$up0" ] && [ "$up1" -lt $((up0 + 200)) ] ||
		fail "$3: uptime $up0 before, $up1 after (a reboot?)"
	[ "$(last_word "$2")" = "$word" ] ||
		fail "$3: the disk reads '$(last_word "$2")', was '$word'"
	echo "xl-migrate-linux: $3: uptime $up0 -> $up1 s, disk and ping ok" >&2
}

# 1. Save and restore on A.
up=$(last_uptime "$LOG_A")
"$XL" save lin "$T/lin.save" 2>"$T/save.err" || fail "xl save: $(cat "$T/save.err")"
"$XL" list lin >/dev/null 2>&1 && fail "lin still listed after xl save"
"$XL" restore "$T/lin.save" 2>"$T/restore.err" ||
	fail "xl restore: $(cat "$T/restore.err")"
moved "$up" "$LOG_A" "save/restore"

# 2. To B over ssh, typed as on Xen.
up=$(last_uptime "$LOG_A")
"$XL" migrate lin localhost >"$T/mig1.out" 2>&1 ||
	fail "xl migrate lin localhost: $(cat "$T/mig1.out")"
grep -q 'Migration successful' "$T/mig1.out" || fail "no success: $(cat "$T/mig1.out")"
"$XL" list lin >/dev/null 2>&1 && fail "lin still on A after the migration"
"$XL" list | grep -q 'migratedaway' && fail "A lists: $("$XL" list)"
b "$XL" list lin >/dev/null || fail "lin not on B: $(b "$XL" list)"
ip -o link show master "$BR" | grep -q "vif5[0-9]\.0" ||
	fail "no vif of B's on $BR: $(ip -o link show master "$BR")"
moved "$up" "$LOG_B" "migrate over ssh"

# 3. Back to A, the receiver run by -s ''.
up=$(last_uptime "$LOG_B")
b "$XL" migrate -s '' lin "env XLD_RUNDIR=$XLD_RUNDIR $XL migrate-receive" >"$T/mig2.out" 2>&1 ||
	fail "xl migrate back: $(cat "$T/mig2.out")"
b "$XL" list lin >/dev/null 2>&1 && fail "lin still on B"
"$XL" list lin >/dev/null || fail "lin not back on A"
moved "$up" "$LOG_A" "migrate back with -s ''"

"$XL" destroy lin
left=$(ip -o link show type tun | awk -F': ' '{ print $2 }')
[ -z "$left" ] || fail "TAPs left after destroy: $left"
[ -z "$(pgrep -f -- "--control $B/run/dom/")" ] || fail "a monitor left on B"
xld_finish
echo "xl-migrate-linux: inside the test host: ok"
