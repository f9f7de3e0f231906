#!/bin/bash
# The xl command line itself: help, -h on every command, prefixes, exit
# codes (0 ok, 1 failure, 2 usage), usage errors on stderr, overrides.
. "$top_srcdir/tests/lib.sh"

XL=$top_builddir/xlcli/xl
CFG=$top_srcdir/tests/data/cfg

# run WANT_RC CMD...: runs CMD, keeps stdout/stderr in $out/$err
run() {
	local want=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want (stderr: $err)"
}

run 0 "$XL" help
assert_match "$out" '^ create +Create a domain' "help lists create"
[ -z "$err" ] || fail "help wrote to stderr: $err"
run 0 "$XL" -h
assert_match "$out" 'Usage: xl' "xl -h"
run 2 "$XL"
assert_match "$err" 'Usage: xl' "xl without a command"
[ -z "$out" ] || fail "usage went to stdout"
run 2 "$XL" frobnicate
assert_match "$err" "command \`frobnicate' not implemented" "unknown command"
run 2 "$XL" -Z help
assert_match "$err" "unknown option \`-Z'" "unknown global option"

# -h and --help on every command in the table, help for each
for cmd in $("$XL" help | awk '/^ [a-z]/ { print $1 }'); do
	run 0 "$XL" "$cmd" -h
	assert_match "$out" "^Usage: xl $cmd " "$cmd -h"
	run 0 "$XL" "$cmd" --help
	assert_match "$out" "^Usage: xl $cmd " "$cmd --help"
	run 0 "$XL" help "$cmd"
	assert_match "$out" "^Usage: xl $cmd " "help $cmd"
done
run 2 "$XL" help nosuch
assert_match "$err" "does not exist" "help of an unknown command"

# unambiguous prefixes
run 0 "$XL" cr -n -q "$CFG/minimal.cfg"
assert_match "$out" '"name": "minimal"' "prefix cr"
run 0 "$XL" he
assert_match "$out" 'create' "prefix he"

# create: usage errors
run 2 "$XL" create
assert_match "$err" 'no config file given' "create without a file"
run 2 "$XL" create -n -x "$CFG/minimal.cfg"
assert_match "$err" "unknown option \`-x'" "create -x"
assert_match "$err" 'Usage: xl create' "create -x shows the usage"
run 2 "$XL" create -n -f
assert_match "$err" "requires an argument" "create -f without a file"
run 2 "$XL" create -n "$CFG/minimal.cfg" "$CFG/numbers.cfg"
assert_match "$err" 'more than one config file' "two files"

# create: failures
run 1 "$XL" create -n "$T/nosuch.cfg"
assert_match "$err" "Failed to read config file .*nosuch.cfg: No such file or directory" "missing file"
run 1 "$XL" create -n "$CFG/err-lexical.cfg"
assert_match "$err" "err-lexical.cfg:3: config parsing error near \`-1': lexical error" "lexical error"
run 1 "$XL" create -n "$CFG/xen-xlexample.hvm.cfg"
assert_match "$err" 'HVM guests \(type = "hvm"\) are not supported yet' "hvm refused"
[ -z "$out" ] || fail "a refused config printed output"
# without -n there is no daemon to talk to yet: a clear failure
run 1 "$XL" create -q "$CFG/minimal.cfg"
assert_match "$err" 'needs the xld daemon' "create without -n"

# create -n: -f, -q, -v, the global -N, overrides
run 0 "$XL" create -n -f "$CFG/minimal.cfg"
assert_match "$err" "^Parsing config from .*minimal.cfg" "Parsing config message"
run 0 "$XL" create -n -q --defconfig="$CFG/minimal.cfg"
[ -z "$err" ] || fail "-q still printed: $err"
run 0 "$XL" -N create -q "$CFG/minimal.cfg"
assert_match "$out" '"kernel": "/boot/vmlinuz"' "global -N"
run 0 "$XL" create -n -q "$CFG/unsupported-keys.cfg"
assert_match "$err" "unsupported-keys.cfg:4: warning: vnc \(VNC console\) is not supported yet" "vnc warned"
if printf '%s\n' "$err" | grep -q frobnicate; then fail "unknown key reported without -v"; fi
run 0 "$XL" create -n -q -v "$CFG/unsupported-keys.cfg"
assert_match "$err" "unsupported-keys.cfg:12: unknown key \`frobnicate' ignored" "-v reports unknown keys"
run 0 "$XL" -v create -n -q "$CFG/unsupported-keys.cfg"
assert_match "$err" "unknown key \`frobnicate'" "global -v"
run 0 "$XL" create -n -q "$CFG/minimal.cfg" memory=512 'name="other"' 'extra="a"' 'extra+=" b"'
assert_match "$out" '"memory": 512' "override memory"
assert_match "$out" '"name": "other"' "override name"
assert_match "$out" '"cmdline": "a b"' "override +="
run 0 "$XL" create -n -q memory=512 "$CFG/minimal.cfg"
assert_match "$out" '"memory": 512' "override before the file"
run 1 "$XL" create -n -q "$CFG/minimal.cfg" 'vcpus=2' 'maxvcpus=1'
assert_match "$err" "command line:2: maxvcpus < vcpus" "override checked, named"
run 1 "$XL" create -n -q "$CFG/minimal.cfg" 'memory=-5'
assert_match "$err" "command line:1: config parsing error near \`-5': lexical error" "override syntax error"

# a dry run opens the config and nothing else (besides shared libraries)
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
	# (LeakSanitizer cannot run under ptrace; the sanitizer runtime reads
	# /proc/self: neither is xl's doing)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -o "$T/trace" -e trace=open,openat,creat,socket,connect \
		"$XL" create -n -q "$CFG/full-pvh.cfg" >/dev/null 2>&1 ||
		fail "dry run under strace failed"
	opened=$(grep -E 'open|creat|socket|connect' "$T/trace" | grep -v ENOENT |
		grep -Ev '"/etc/ld.so.cache"|\.so[.0-9]*"|"/proc/self/' || true)
	[ "$(printf '%s\n' "$opened" | wc -l)" = 1 ] ||
		fail "dry run touched more than its config: $opened"
	assert_match "$opened" 'full-pvh.cfg' "dry run opened its config"
else
	echo "$TESTNAME: strace unavailable: not checking the files a dry run opens"
fi

# a big config: many disks and vifs, a long command line, parsed fast
{
	echo 'name = "big"'
	echo 'kernel = "/boot/vmlinuz"'
	printf 'extra = "%s"\n' "$(head -c 20000 /dev/zero | tr '\0' x)"
	echo 'disk = ['
	for i in $(seq 0 999); do echo "  '/dev/vg/big$i,raw,$i,rw',"; done
	echo ']'
	echo 'vif = ['
	for i in $(seq 0 499); do echo "  'bridge=br$i',"; done
	echo ']'
} >"$T/big.cfg"
start=$(date +%s%N)
run 0 "$XL" create -n -q "$T/big.cfg"
end=$(date +%s%N)
[ "$(printf '%s\n' "$out" | grep -c '"vdev"')" = 1000 ] || fail "big: not 1000 disks"
[ "$(printf '%s\n' "$out" | grep '"mac"' | sort -u | wc -l)" = 500 ] || fail "big: MACs not unique"
echo "$TESTNAME: 1000 disks, 500 vifs, 20 kB cmdline in $(((end - start) / 1000000)) ms"
exit 0
