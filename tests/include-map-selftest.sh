#!/bin/bash
# include-map.sh checks what it claims: on small fake trees under $T it
# passes the layering xld is built to (main -> ctl/ -> dom/ -> store/ ->
# leaves) and fails, naming the file and the include, on each kind of
# wrong arrow: store/ reaching up, dom/ into ctl/ or main, a leaf
# including anything, a foreign *_internal.h, a circle, a long file.
. "$top_srcdir/tests/lib.sh"
MAP=$top_srcdir/tests/include-map.sh

# put FILE [INCLUDE...]: write FILE under the tree $X with these includes.
put() {
	f=$X/$1
	shift
	mkdir -p "$(dirname "$f")"
	{
		echo '#include "config.h"'
		echo '#include <stdio.h>'
		for i in "$@"; do echo "#include \"$i\""; done
		echo "/* ${f##*/} */"
	} >"$f"
}
# add FILE INCLUDE: one more include at the end of FILE.
add() { echo "#include \"$2\"" >>"$X/$1"; }

# tree NAME: a fresh copy of the layering as it should be, in $X.
tree() {
	X=$T/$1/xld
	put xld.c xld/ctl/ctl.h xld/dom/dom.h xld/store/xs.h xld/loop.h xld/log.h
	put ctl/ctl.h xld/dom/dom.h xld/loop.h
	put ctl/ctl_internal.h xld/ctl/ctl.h
	put ctl/conn.c xld/ctl/ctl_internal.h xld/log.h
	put ctl/methods.c xld/ctl/ctl_internal.h xld/dom/dom.h xld/store/xs.h
	put dom/dom.h xld/store/xs.h xld/loop.h
	put dom/dom_internal.h xld/dom/dom.h
	put dom/registry.c xld/dom/dom_internal.h xld/file.h xld/log.h
	put dom/vbd.h xld/store/xs.h
	put dom/vbd.c xld/dom/vbd.h xld/dom/devnodes.h
	put dom/vif.h xld/store/xs.h
	put dom/vif.c xld/dom/vif.h xld/dom/devnodes.h
	put dom/devnodes.h
	put dom/devnodes.c xld/dom/devnodes.h xld/log.h
	put store/xs.h xld/loop.h
	put store/xs_internal.h xld/store/xs.h
	put store/xs_node.c xld/store/xs_internal.h xld/log.h
	put store/xs_journal.c xld/store/xs_internal.h xld/file.h xld/loop.h
	put store/xs_perm.c xs_internal.h
	put loop.h
	put loop.c xld/loop.h
	put log.h
	put log.c xld/log.h
	put file.h
	put file.c xld/file.h
}

# run: the script on $X; its output in $out, its status in $st.
run() {
	st=0
	out=$("$MAP" "$X" 2>&1) || st=$?
}
# passes CASE [TEXT...]: the script passes, printing each TEXT.
passes() {
	c=$1
	shift
	run
	[ "$st" -eq 0 ] || fail "$c: status $st, want 0: $out"
	for s in "$@"; do
		grep -qF -- "$s" <<<"$out" || fail "$c: no '$s' in: $out"
	done
}
# fails CASE TEXT...: the script exits 1, printing each TEXT on a FAIL line
# (or the circle's lines under one).
fails() {
	c=$1
	shift
	run
	[ "$st" -eq 1 ] || fail "$c: status $st, want 1: $out"
	fl=$(sed -n '/^FAIL: /,$p' <<<"$out")
	for s in "$@"; do
		grep -qF -- "$s" <<<"$fl" || fail "$c: no '$s' among the failures: $out"
	done
}

# the plan itself passes, with every module and arrow counted, each
# module above those it includes, the leaves at the bottom
tree good
passes good "include-map: $X: 19 modules, 32 arrows, 0 back up, 0 circles" \
	"layer 4  xld/xld -> xld/ctl/ctl xld/dom/dom xld/log xld/loop xld/store/xs" \
	"layer 3  xld/ctl/ctl -> xld/dom/dom xld/loop" \
	"layer 2  xld/dom/dom -> xld/loop xld/store/xs" \
	"layer 1  xld/store/xs -> xld/loop" \
	"layer 0  xld/log" "layer 0  xld/file" "layer 0  xld/loop" \
	"layer 2  xld/store/xs_internal -> xld/store/xs" \
	"layer 5  xld/ctl/methods -> xld/ctl/ctl_internal xld/dom/dom xld/store/xs" \
	"include-map: ok"
grep -q '^FAIL\|^WARN' <<<"$out" && fail "good: $out"
[ "$(grep -c '^layer' <<<"$out")" -eq 19 ] || fail "good: not 19 modules in layers: $out"
grep '^layer' <<<"$out" | awk '{ print $2 }' | sort -rnc ||
	fail "good: layers not printed top down: $out"

# a commented-out include is no arrow; a missing xld/ header is a warning
tree comments
echo '// #include "xld/dom/dom.h"' >>"$X/store/xs_node.c"
echo ' * #include "xld/ctl/ctl.h"' >>"$X/store/xs_node.c"
add dom/vbd.c xld/dom/gone.h
passes comments "19 modules, 32 arrows" \
	"WARN: xld/dom/vbd.c:6: includes xld/dom/gone.h, which is not under"

# the store reaches up: into dom/, into ctl/ by a relative path, into main
tree store-dom
add store/xs_node.c xld/dom/dom.h
fails store-dom "xld/store/xs_node.c:6: includes xld/dom/dom.h: the store includes nothing outside store/" \
	"include-map: FAIL: 1 problem"
grep -qx 'back up  xld/store/xs_node -> xld/dom/dom' <<<"$out" ||
	fail "store-dom: the arrow back up is not listed: $out"
tree store-rel
add store/xs_perm.c ../ctl/ctl.h
fails store-rel "xld/store/xs_perm.c:5: includes xld/ctl/ctl.h"
tree store-main
put xld.h
add store/xs_journal.c xld/xld.h
fails store-main "xld/store/xs_journal.c:7: includes xld/xld.h"
tree store-other
put util.h
add store/xs_node.c xld/util.h
fails store-other "xld/store/xs_node.c:6: includes xld/util.h: the store includes nothing outside store/"

# dom/ includes ctl/ or the main module
tree dom-ctl
add dom/registry.c xld/ctl/ctl.h
fails dom-ctl "xld/dom/registry.c:7: includes xld/ctl/ctl.h: dom/ includes nothing of ctl/ or the main module"
tree dom-main
put xld.h
add dom/vif.h xld/xld.h
fails dom-main "xld/dom/vif.h:5: includes xld/xld.h: dom/"

# ctl/ includes the main module: an arrow back up
tree ctl-main
put xld.h
add ctl/conn.c xld/xld.h
fails ctl-main "xld/ctl/conn.c:6: includes xld/xld.h: it points back up"

# a leaf includes another leaf, or the store (a circle too)
tree leaf-leaf
add log.h xld/loop.h
fails leaf-leaf "xld/log.h:4: includes xld/loop.h: a leaf module"
tree leaf-store
add loop.c xld/store/xs.h
fails leaf-store "xld/loop.c:5: includes xld/store/xs.h: a leaf module" \
	"FAIL: circle: xld/loop -> xld/store/xs -> xld/loop" \
	"    xld/loop.c:5: includes xld/store/xs.h" \
	"    xld/store/xs.h:3: includes xld/loop.h"
# XLD_LEAVES names the leaves: with file no leaf, the store may not use it
tree leaves
XLD_LEAVES="loop log" run
[ "$st" -eq 1 ] && grep -qF "xld/store/xs_journal.c:4: includes xld/file.h" <<<"$out" ||
	fail "leaves: XLD_LEAVES='loop log' let the store include file.h: $out"

# another directory's internal header
tree internal
add dom/registry.c xld/store/xs_internal.h
fails internal "xld/dom/registry.c:7: includes xld/store/xs_internal.h: an internal header is for its own directory (xld/store/) only"
tree internal-ctl
add xld.c xld/ctl/ctl_internal.h
fails internal-ctl "xld/xld.c:9: includes xld/ctl/ctl_internal.h: an internal header"

# circles: two modules (a header and the other's .c), three in dom/
tree circle2
put a.h xld/b.h
put b.c xld/a.h
put b.h
fails circle2 "FAIL: circle: xld/a -> xld/b -> xld/a" \
	"    xld/a.h:3: includes xld/b.h" "    xld/b.c:3: includes xld/a.h"
grep -q '^circle   xld/a -> xld/b$' <<<"$out" || fail "circle2: not shown apart: $out"
grep -q 'layer .* xld/a\b' <<<"$out" && fail "circle2: a circle was given a layer: $out"
tree circle3
put dom/x.h xld/dom/y.h
put dom/y.h
put dom/y.c xld/dom/y.h xld/dom/z.h
put dom/z.h
put dom/z.c xld/log.h xld/dom/x.h
fails circle3 "FAIL: circle: xld/dom/x -> xld/dom/y -> xld/dom/z -> xld/dom/x" \
	"    xld/dom/x.h:3: includes xld/dom/y.h" \
	"    xld/dom/y.c:4: includes xld/dom/z.h" \
	"    xld/dom/z.c:4: includes xld/dom/x.h"
grep -q '0 back up, 1 circles' <<<"$out" || fail "circle3: count: $out"

# long files: over 800 a warning, over 900 a failure; XLD_MAX_LINES moves it
tree long
seq 1 850 | sed 's|^|// |' >>"$X/dom/vif.c"
seq 1 895 | sed 's|^|// |' >>"$X/ctl/conn.c"	# 900 lines in all
passes long "WARN: xld/dom/vif.c: 855 lines, more than 800" \
	"WARN: xld/ctl/conn.c: 900 lines, more than 800"
echo '// one more' >>"$X/ctl/conn.c"
fails long "xld/ctl/conn.c: 901 lines, more than 900"
XLD_MAX_LINES=1000 run
[ "$st" -eq 0 ] || fail "long: XLD_MAX_LINES=1000 still fails: $out"
XLD_WARN_LINES=100 XLD_MAX_LINES=200 run
[ "$st" -eq 1 ] && grep -qF "xld/dom/vif.c: 855 lines, more than 200" <<<"$out" ||
	fail "long: XLD_MAX_LINES=200: $out"

# usage errors
X=$T/none
run
[ "$st" -eq 2 ] || fail "a missing root: status $st: $out"
mkdir -p "$T/empty"
X=$T/empty
run
[ "$st" -eq 2 ] || fail "a root without sources: status $st: $out"

# the real tree is read (whatever its verdict while xld is being split)
st=0
out=$("$MAP" 2>&1) || st=$?
[ "$st" -le 1 ] || fail "the real tree: status $st: $out"
grep -Eq "^include-map: .*/xld: [0-9]+ modules, [1-9][0-9]* arrows" <<<"$out" ||
	fail "the real tree: no arrows found: $out"
grep -q '^layer [1-9][0-9]*  xld/xld -> .*xld/dom/dom' <<<"$out" ||
	fail "the real tree: xld.c's includes not mapped: $out"
echo "include-map-selftest: ok"
