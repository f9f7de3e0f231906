#!/bin/bash
# A state dir that is full (ENOSPC) or read-only (EROFS) while guests run
# (issue 12), on a small tmpfs of its own:
#  - no guest is stopped; what xld cannot write is logged, naming the
#    file and the error; xl create is refused, saying why;
#  - the store keeps answering, its journal failure logged once;
#  - once space returns (or the dir is writable again) the records owed
#    are written, a destroyed domain's record removed, the store made
#    durable by a snapshot; xld killed then (-9) finds every domain again
#    with its name, domid, monitor and state, and the store's nodes.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
# registered first, so it runs after xld_cleanup has stopped xld
statedir_umount() {
	# the read-only bind, if a failure left it, then the tmpfs
	while mountpoint -q "$XLD_STATEDIR"; do
		umount -l "$XLD_STATEDIR" || break
	done
	return 0
}
hvt_on_exit statedir_umount
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
mount -t tmpfs -o size=4m,mode=0700 xld-statedir "$XLD_STATEDIR" ||
	skip "cannot mount a tmpfs on $XLD_STATEDIR"
REC=$XLD_STATEDIR/domains
LOG=$XLD_LOGDIR/xld.log

logged() { grep -qE -- "$1" "$LOG"; }
# the number of lines of the log matching $1
count() { grep -cE -- "$1" "$LOG" || true; }
in_record() { grep -q -- "$2" "$REC/$1.json" 2>/dev/null; }
no_record() { [ ! -e "$REC/$1.json" ]; }
fill() {
	# to the last page: a small write after this one fails too
	dd if=/dev/zero of="$XLD_STATEDIR/fill" bs=64k 2>/dev/null
	dd if=/dev/zero of="$XLD_STATEDIR/fill2" bs=512 2>/dev/null
	touch "$XLD_STATEDIR/probe" 2>/dev/null && echo x >"$XLD_STATEDIR/probe" 2>/dev/null &&
		fail "the tmpfs is not full"
	rm -f "$XLD_STATEDIR/probe"
	return 0
}

xld_start
create a idle
create b idle 'maxmem = 32' 'on_crash = "restart"'
aid=$("$XL" domid a) bid=$("$XL" domid b)
apid=$(field a pid) bpid=$(field b pid)

# ---- full ----
fill
# a mem-set is done (the monitor keeps the target too), its record owed
"$XL" mem-set a 12m || fail "mem-set on a full state dir"
wait_for 5 "the failed record write logged" logged \
	"domain $aid \(a\): cannot write its record $REC/$aid.json: No space left on device; it keeps running"
# a rename, which only the record keeps, is refused
out=$("$XL" rename a a2 2>&1) && fail "renamed with no room for the record"
assert_match "$out" "domain $aid \(a\): not renamed to 'a2': cannot write its record $REC/$aid.json: No space left on device" \
	"rename's error"
[ "$("$XL" domid a)" = "$aid" ] || fail "a refused rename renamed a"
"$XL" mem-set b 24m || fail "mem-set on a full state dir"
wait_for 5 "b's failed record write logged" logged \
	"domain $bid \(b\): cannot write its record $REC/$bid.json: No space left on device"
"$XL" pause a || fail "pause on a full state dir"
mkcfg c idle
out=$("$XL" create -q "$T/c.cfg" 2>&1) && fail "created c with no room for its record"
assert_match "$out" "cannot write the domain record in $REC: No space left on device" \
	"create's error"
gone c || fail "c listed"
[ "$(xld_monitors | wc -l)" -eq 2 ] || fail "a monitor was started for c"
# the store answers; its journal cannot grow (values of 3000 bytes fill
# the last page whatever was left in it)
v=$(head -c 3000 /dev/zero | tr '\0' v)
for i in 1 2 3 4; do
	xenstore-write "/tool/statedir/n$i" "$v" || fail "xenstore-write on a full state dir"
done
xenstore-write /tool/statedir/full yes || fail "xenstore-write on a full state dir"
[ "$(xenstore-read /tool/statedir/full)" = yes ] || fail "the store lost a node"
wait_for 5 "the journal's failure logged" logged \
	"(journal write|snapshot) in $XLD_STATEDIR: No space left on device; the store keeps answering"
nfail=$(count "the store keeps answering")
alive "$apid" && alive "$bpid" || fail "a guest was stopped on a full state dir"
assert_match "$(row a)" ' --p---  ' "a paused"
# still full after the next tick (1 s; nothing to poll for, as a retry
# that fails is silent): the journal's failure is not logged again
sleep 1.2
[ "$(count "the store keeps answering")" -eq "$nfail" ] ||
	fail "the journal's failure was logged every second"
in_record "$aid" '"name":"a"' || fail "a's old record was damaged"

# ---- space again ----
rm -f "$XLD_STATEDIR/fill" "$XLD_STATEDIR/fill2"
wait_for 5 "a's record rewritten" in_record "$aid" '"target_kib":12288'
"$XL" rename a a2 || fail "rename once there is room"
in_record "$aid" '"name":"a2"' || fail "a2's name not in its record"
wait_for 5 "b's record rewritten" in_record "$bid" '"target_kib":24576'
wait_for 5 "the store durable again" logged \
	"snapshot written in $XLD_STATEDIR: the store is durable again"
logged "domain $aid \(a\): record written" || fail "the rewrite was not logged"

# ---- read-only ----
# A remount of the tmpfs itself is refused while xld holds its journal
# open for writing (EBUSY), so a read-only bind of it goes on top: every
# file xld opens from now is on a read-only file system (the journal's
# open fd still writes below it).
mount --bind "$XLD_STATEDIR" "$XLD_STATEDIR" &&
	mount -o remount,bind,ro "$XLD_STATEDIR" || fail "read-only bind mount"
touch "$XLD_STATEDIR/probe" 2>/dev/null && fail "the state dir is not read-only"
"$XL" mem-set a2 10m || fail "mem-set on a read-only state dir"
wait_for 5 "EROFS logged" logged \
	"domain $aid \(a2\): cannot write its record $REC/$aid.json: Read-only file system"
out=$("$XL" rename a2 a3 2>&1) && fail "renamed on a read-only state dir"
assert_match "$out" "not renamed to 'a3': cannot write its record $REC/$aid.json: Read-only file system" \
	"rename's error (EROFS)"
out=$("$XL" create -q "$T/c.cfg" 2>&1) && fail "created c on a read-only state dir"
assert_match "$out" "cannot write the domain record in $REC: Read-only file system" \
	"create's error (EROFS)"
# b is destroyed, but its record stays until it can be removed: a
# restarted xld would take it for a crash and restart it (on_crash)
"$XL" destroy b || fail "destroy on a read-only state dir"
gone b || fail "b still listed"
! alive "$bpid" || fail "b's monitor outlived its destroy"
wait_for 5 "the record left logged" logged \
	"domain $bid: cannot remove its record $REC/$bid.json: Read-only file system"
xenstore-write /tool/statedir/ro yes || fail "xenstore-write on a read-only state dir"
alive "$apid" || fail "a3 was stopped on a read-only state dir"

umount "$XLD_STATEDIR" || fail "unmount the read-only bind"
wait_for 5 "a's record rewritten (EROFS)" in_record "$aid" '"target_kib":10240'
"$XL" rename a2 a3 || fail "rename once writable"
in_record "$aid" '"name":"a3"' || fail "a3's name not in its record"
wait_for 5 "b's record removed" no_record "$bid"
logged "domain $bid: record $REC/$bid.json removed" || fail "the removal was not logged"

# ---- kill -9, restart: everything as it was ----
kill -9 "$XLD_PID"
wait "$XLD_PID" 2>/dev/null
XLD_PID=
xld_start
[ "$("$XL" domid a3)" = "$aid" ] || fail "a3 not re-attached as domain $aid: $("$XL" list)"
[ "$(field a3 pid)" = "$apid" ] || fail "a3's monitor changed"
assert_match "$(row a3)" ' --p---  ' "a3 still paused after restart"
gone b || fail "the destroyed b came back"
[ "$(xld_monitors | wc -l)" -eq 1 ] || fail "monitors: $(xld_monitors | wc -l), 1 expected"
[ "$(xenstore-read /tool/statedir/full)" = yes ] || fail "the store lost what it took while full"
[ "$(xenstore-read /tool/statedir/ro)" = yes ] || fail "the store lost what it took while read-only"
[ "$(xenstore-read /tool/statedir/n4)" = "$v" ] || fail "the store lost n4"
# and a create works again
create c idle
"$XL" destroy c || fail "destroy c"
"$XL" destroy a3 || fail "destroy a3"
[ -z "$(xld_monitors)" ] || fail "monitors left"
xld_finish
echo "xld-statedir: ok"
