#!/bin/bash
# Core dumps: on_crash/on_poweroff "coredump-destroy" and
# "coredump-restart" write the stopped guest's memory and vCPU state
# (the monitor's state file, xlhv(8) STATE FILE FORMAT) to $XLD_DUMPDIR
# before destroying or restarting it; `xl dump-core' does the same for a
# live guest, paused meanwhile and running on afterwards.  A dump that
# cannot be written is logged and the action still happens.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
TERM_DRIVER="python3 $top_srcdir/tests/xld-console.py"

# check_dump FILE MIB VCPUS: a whole state file of that guest, read as
# xlhv(8) documents it: the header, then every section with its CRC32C.
check_dump() {
	python3 - "$@" <<'PY' || fail "$1 is not a state file of $2 MiB and $3 vCPUs"
import struct, sys
path, mib, vcpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc(b):
    c = 0xFFFFFFFF
    for x in b:
        c = T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
def die(msg):
    print(f"{path}: {msg}", file=sys.stderr)
    sys.exit(1)
f = open(path, "rb").read()
if len(f) < 48:
    die("shorter than a header")
magic, ver, hlen, ram, nv, nsec, flags, _, _, hcrc = struct.unpack_from("<8sIIQIIIIII", f)
if magic != b"XLHVSTAT" or ver != 1 or hlen != 48:
    die(f"header {magic!r} version {ver} length {hlen}")
if crc(f[:44]) != hcrc:
    die("header CRC")
if ram != mib << 20 or nv != vcpus:
    die(f"RAM {ram} bytes, {nv} vCPUs")
off, types, nonzero = 48, [], 0
while off < len(f):
    t, inst, ln, _, scrc = struct.unpack_from("<IIQII", f, off)
    if crc(f[off:off + 20]) != scrc:
        die(f"section header CRC at {off}")
    body = f[off + 24:off + 24 + ln]
    (pcrc,) = struct.unpack_from("<I", f, off + 24 + ln)
    # RAM is most of the file: its pages are checked by count, not CRC
    if t != 7 and crc(body) != pcrc:
        die(f"section type {t} payload CRC")
    if t == 7:
        (pages,) = struct.unpack_from("<Q", body)
        bm = body[8:8 + (pages + 63) // 64 * 8]
        nonzero = sum(bin(b).count("1") for b in bm)
        if pages != ram // 4096 or len(body) != 8 + len(bm) + nonzero * 4096:
            die("RAM section size")
    types.append(t)
    off += 24 + ln + 4
if off != len(f) or types[-1] != 8 or len(types) != nsec:
    die(f"sections {types}, header says {nsec}")
if types.count(5) != vcpus or 7 not in types or nonzero == 0:
    die(f"sections {types}, {nonzero} pages of RAM")
PY
}

# dumps NAME: the core files of NAME in the default dump directory
dumps() { ls "$XLD_STATEDIR/dump/" 2>/dev/null | grep -E "^$1-[0-9]+-[0-9]{8}-[0-9]{6}\.core$" || true; }
has_dumps() { [ "$(dumps "$1" | wc -l)" -ge "$2" ]; }
mode() { stat -c %a "$1"; }

xld_start

# coredump-destroy: one dump, then the domain is gone
create c1 crash 'vcpus = 2' 'on_crash = "coredump-destroy"'
id1=$("$XL" domid c1 2>/dev/null) || id1=1
wait_for 60 "c1 destroyed" gone c1
[ "$(dumps c1 | wc -l)" -eq 1 ] || fail "one dump of c1 expected: $(ls "$XLD_STATEDIR/dump")"
f1="$XLD_STATEDIR/dump/$(dumps c1)"
assert_match "$f1" "/c1-$id1-" "dump named after name and domid"
[ "$(mode "$XLD_STATEDIR/dump")" = 700 ] || fail "dump dir mode $(mode "$XLD_STATEDIR/dump")"
[ "$(mode "$f1")" = 600 ] || fail "dump file mode $(mode "$f1")"
check_dump "$f1" 16 2
grep -q "domain $id1 (c1): core dump written to $f1" "$XLD_LOGDIR/xld.log" ||
	fail "the dump was not logged"
[ -z "$(pgrep -f -- "--control $XLD_RUNDIR/dom/$id1.sock")" ] || fail "c1's monitor left"
! xenstore-read "/local/domain/$id1/name" 2>/dev/null || fail "c1's nodes left"

# coredump-restart: a dump, and the guest runs again under its name and
# UUID (uartecho powers off on "quit")
create r1 uartecho 'on_poweroff = "coredump-restart"'
rid=$("$XL" domid r1)
ruuid=$(field r1 uuid)
$TERM_DRIVER "$XL" console r1 -- 'expect:uartecho: ready' raw 'send:quit\n' \
	exit:0 || fail "quit r1 from its console"
wait_for 60 "r1's dump" has_dumps r1 1
newid() { id=$("$XL" domid r1 2>/dev/null) && [ "$id" != "$rid" ]; }
wait_for 60 "r1 restarted" newid
[ "$(field r1 uuid)" = "$ruuid" ] || fail "r1's UUID changed"
check_dump "$XLD_STATEDIR/dump/$(dumps r1)" 16 1
assert_match "$(dumps r1)" "^r1-$rid-" "the dump names the old domid"
ready2() { [ "$(grep -c '^uartecho: ready' "$XLD_LOGDIR/console/r1.log")" -ge 2 ]; }
wait_for 10 "r1 running again" ready2
assert_match "$(row r1)" ' [rb]-----  ' "r1 runs"
"$XL" destroy r1 || fail "destroy r1"
[ "$(dumps r1 | wc -l)" -eq 1 ] || fail "destroy wrote a dump"

# xl dump-core: a running guest is paused for it and runs on
create burn memtouch 'memory = 32' 'cmdline = "passes=0 report=0"'
letters() { row burn | awk '{ print $5 }'; }
burn_running() { [ "$(letters)" = r----- ]; }
wait_for 5 "burn running" burn_running
# a relative file name is xl's, not xld's
xl_abs=$(cd "$(dirname "$XL")" && pwd)/xl
(cd "$T" && "$xl_abs" dump-core burn burn.core) || fail "xl dump-core burn"
check_dump "$T/burn.core" 32 1
[ "$(mode "$T/burn.core")" = 600 ] || fail "dump-core file mode"
wait_for 5 "burn running after its dump" burn_running
t0=$(field burn cpu_time_ns)
sleep 1.5
[ "$(field burn cpu_time_ns)" -gt "$t0" ] || fail "burn's CPU time stands still"
# a paused one stays paused
"$XL" pause burn || fail "pause burn"
"$XL" dump-core burn "$T/paused.core" || fail "dump-core of a paused guest"
sleep 1.2
[ "$(letters)" = --p--- ] || fail "dump-core unpaused a paused guest: $(letters)"
"$XL" unpause burn || fail "unpause burn"
# a file that cannot be written: an error naming it, the guest runs on
out=$("$XL" dump-core burn "$T/no/such/dir.core" 2>&1) && fail "dump-core into a missing directory"
assert_match "$out" "$T/no/such/dir.core" "error names the file"
wait_for 5 "burn running after a failed dump" burn_running
out=$("$XL" dump-core nosuch "$T/x.core" 2>&1) && fail "dump-core of no domain"
assert_match "$out" "nosuch" "error names the domain"
"$XL" dump-core burn 2>/dev/null && fail "dump-core without a file"
[ $? -eq 2 ] || fail "usage error not 2"
"$XL" destroy burn || fail "destroy burn"
# a crashed guest kept for inspection (preserve) is dumped as it stopped
create kept crash 'on_crash = "preserve"'
preserved() { "$XL" list | grep -Eq '^kept-.* ---sc-  '; }
wait_for 60 "kept preserved" preserved
kname=$("$XL" list | awk '/^kept-/ { print $1 }')
"$XL" dump-core "$kname" "$T/kept.core" || fail "dump-core of a crashed guest"
check_dump "$T/kept.core" 16 1
assert_match "$("$XL" list | grep "^$kname ")" ' ---sc-  ' "still crashed after its dump"
"$XL" destroy "$kname" || fail "destroy $kname"

# an unwritable dump directory: logged, and the guest is still destroyed
xld_finish
: >"$T/file"
XLD_DUMPDIR="$T/file/dump" xld_start
create c2 crash 'on_crash = "coredump-destroy"'
id2=$("$XL" domid c2 2>/dev/null) || id2=
wait_for 60 "c2 destroyed without a dump" gone c2
grep -q "(c2): cannot write a core dump in $T/file/dump: Not a directory" \
	"$XLD_LOGDIR/xld.log" || fail "the failed dump was not logged"
[ -z "$(xld_monitors)" ] || fail "c2's monitor left"
xld_finish

# a full disk: the monitor's write fails, its partial file is removed,
# the failure is logged and the guest is destroyed all the same
mkdir "$T/full"
mount -t tmpfs -o size=16k,mode=0700 tmpfs "$T/full" || fail "mount a 16 KiB tmpfs"
unmount_full() { umount "$T/full" 2>/dev/null || true; }
hvt_on_exit unmount_full
XLD_DUMPDIR="$T/full/dump" xld_start
create c3 crash 'on_crash = "coredump-destroy"'
wait_for 60 "c3 destroyed after a failed dump" gone c3
grep -Eq "\(c3\): core dump to $T/full/dump/c3-[0-9]+-[0-9-]+\.core failed: No space left on device.*; destroying it anyway" \
	"$XLD_LOGDIR/xld.log" || fail "the full disk was not logged: $(grep c3 "$XLD_LOGDIR/xld.log")"
[ -z "$(ls "$T/full/dump")" ] || fail "a partial dump was left: $(ls -l "$T/full/dump")"
[ -z "$(xld_monitors)" ] || fail "c3's monitor left"
xld_finish
unmount_full

# a relative XLD_DUMPDIR is refused, naming it
XLD_DUMPDIR=dumps timeout 10 "$XLD" --foreground >"$T/rel.out" 2>&1 && fail "xld ran with a relative XLD_DUMPDIR"
grep -q "XLD_DUMPDIR 'dumps' must be an absolute path" "$T/rel.out" ||
	fail "no message for a relative XLD_DUMPDIR: $(cat "$T/rel.out")"
echo "xld-coredump: ok"
