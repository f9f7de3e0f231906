#!/bin/bash
# xl domxml-to-libvirt and domxml-from-libvirt, the real xl binary:
#  - golden tests both ways: tests/data/xml/NAME.cfg -> NAME.cfg.ok and
#    NAME.xml -> NAME.xml.ok (stdout, then stderr and the exit status);
#  - every XML xl writes validates with libvirt's virt-xml-validate;
#  - round trip: cfg -> XML -> cfg resolves (xl create -n) to the same
#    config as the original;
#  - XML that libvirt itself writes for a guest converts to a config xl
#    accepts.
# XL_GOLDEN_UPDATE=1 rewrites the .ok files.
. "$top_srcdir/tests/lib.sh"

XL=$top_builddir/xlcli/xl
DATA=$top_srcdir/tests/data/xml
[ -x "$XL" ] || fail "$XL is not built"
command -v virt-xml-validate >/dev/null ||
	skip "virt-xml-validate is missing: install the Debian package libvirt-clients"

run_one() {
	local input=$1 rc
	if [ "${input%.cfg}" != "$input" ]; then
		"$XL" domxml-to-libvirt "$input" >"$T/out" 2>"$T/err"
	else
		"$XL" domxml-from-libvirt "$input" >"$T/out" 2>"$T/err"
	fi
	rc=$?
	cat "$T/out"
	echo "--- stderr"
	cat "$T/err"
	echo "--- exit $rc"
}

n=0
cd "$DATA" || fail "no $DATA"
for input in *.cfg *.xml; do
	ok=$input.ok
	run_one "$input" >"$T/got"
	if [ -n "${XL_GOLDEN_UPDATE:-}" ]; then
		cp "$T/got" "$ok"
	fi
	[ -f "$ok" ] || fail "$input: no $ok"
	diff -u "$ok" "$T/got" >"$T/diff" || fail "$input: output differs from $ok:
$(cat "$T/diff")"
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n golden cases ran"

# every XML written validates against libvirt's own schema
for cfg in *.cfg; do
	"$XL" domxml-to-libvirt "$cfg" >"$T/$cfg.xml" 2>/dev/null ||
		fail "$cfg: domxml-to-libvirt failed"
	virt-xml-validate "$T/$cfg.xml" domain >"$T/val" 2>&1 ||
		fail "$cfg: the XML does not validate: $(cat "$T/val")"
	grep -q '^<domain type="kvm">' "$T/$cfg.xml" || fail "$cfg: not a kvm domain"
done
grep -q '<kernel>/srv/xen/vmlinuz-6.1</kernel>' "$T/full.cfg.xml" ||
	fail "direct kernel boot missing from full.cfg's XML"

# round trip: the same resolved config
"$XL" domxml-to-libvirt roundtrip.cfg >"$T/rt.xml" 2>"$T/rt.err" || fail "rt: to"
[ ! -s "$T/rt.err" ] || fail "roundtrip.cfg should convert without warnings: $(cat "$T/rt.err")"
"$XL" domxml-from-libvirt "$T/rt.xml" >"$T/rt.cfg" 2>"$T/rt.err" || fail "rt: from $(cat "$T/rt.err")"
[ ! -s "$T/rt.err" ] || fail "the round trip's XML warned: $(cat "$T/rt.err")"
"$XL" create -q -n roundtrip.cfg >"$T/a.json" || fail "create -n roundtrip.cfg"
"$XL" create -q -n "$T/rt.cfg" >"$T/b.json" || fail "create -n of the converted cfg: $(cat "$T/rt.cfg")"
diff -u "$T/a.json" "$T/b.json" >"$T/diff" ||
	fail "cfg -> xml -> cfg changed the resolved config:
$(cat "$T/diff")"
grep -q '"rename-restart"' "$T/b.json" || fail "round trip lost on_reboot"

# a second round from the converted cfg writes the same XML again
"$XL" domxml-to-libvirt "$T/rt.cfg" >"$T/rt2.xml" 2>/dev/null || fail "rt2"
cmp -s "$T/rt.xml" "$T/rt2.xml" || fail "XML of the converted cfg differs: $(diff "$T/rt.xml" "$T/rt2.xml")"

# what libvirt writes (virsh dumpxml) gives a config xl resolves
"$XL" domxml-from-libvirt libvirt-dumpxml.xml >"$T/lv.cfg" 2>/dev/null || fail "lv"
"$XL" create -q -n "$T/lv.cfg" >"$T/lv.json" || fail "xl refuses the converted libvirt XML"
grep -q '"vdev": "xvda"' "$T/lv.json" || fail "the libvirt disk was lost"
virt-xml-validate libvirt-dumpxml.xml domain >/dev/null 2>&1 ||
	fail "the libvirt sample itself does not validate"

# hostile input: a file too large is refused, not read
head -c $((4 * 1024 * 1024 + 1)) /dev/zero >"$T/huge.xml"
out=$("$XL" domxml-from-libvirt "$T/huge.xml" 2>&1) && fail "a 4 MiB file was accepted"
assert_match "$out" 'huge.xml: larger than' "the size limit"
out=$("$XL" domxml-from-libvirt "$T/missing.xml" 2>&1)
[ $? -eq 1 ] || fail "a missing file: exit status"
assert_match "$out" 'cannot read .*missing.xml' "a missing file"
"$XL" domxml-to-libvirt >/dev/null 2>&1
[ $? -eq 2 ] || fail "no argument is a usage error"
"$XL" domxml-from-libvirt a b >/dev/null 2>&1
[ $? -eq 2 ] || fail "two arguments are a usage error"

# Only the helper program xl-domxml links libxml2 (and ICU, libstdc++):
# xl starts without them and runs $XL_DOMXML (this build's, lib.sh).
[ -x "$XL_DOMXML" ] || fail "$XL_DOMXML is not built"
readelf -d "$XL" >"$T/dyn" || fail "readelf -d $XL"
grep -q 'NEEDED.*libjson-c' "$T/dyn" || fail "readelf shows no libraries of xl"
if grep -Eq 'NEEDED.*(libxml2|libicu|libstdc)' "$T/dyn"; then
	fail "xl links libxml2 again: $(grep NEEDED "$T/dyn")"
fi
readelf -d "$XL_DOMXML" | grep -q 'NEEDED.*libxml2' ||
	fail "xl-domxml does not link libxml2"
# a prefix reaches the helper as the full command; help is the same
"$XL" domxml-to full.cfg >"$T/prefix.xml" 2>/dev/null || fail "xl domxml-to"
cmp -s "$T/prefix.xml" "$T/full.cfg.xml" || fail "xl domxml-to differs"
"$XL" domxml-from-libvirt -h >"$T/h1" || fail "domxml-from-libvirt -h"
"$XL" help domxml-from-libvirt >"$T/h2" || fail "xl help domxml-from-libvirt"
cmp -s "$T/h1" "$T/h2" || fail "the helper's help differs: $(diff "$T/h1" "$T/h2")"
grep -q '^Usage: xl domxml-from-libvirt <XMLFile>' "$T/h1" || fail "help: $(cat "$T/h1")"
# a missing helper: a clear error naming it, exit 1
out=$(XL_DOMXML=$T/no-such-helper "$XL" domxml-to-libvirt full.cfg 2>&1)
[ $? -eq 1 ] || fail "a missing xl-domxml: exit status"
assert_match "$out" "cannot run $T/no-such-helper: No such file" "a missing xl-domxml"
echo "xl-domxml: $n golden cases, round trip and validation ok"
