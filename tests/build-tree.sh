#!/bin/sh
# The programs of the build tree find each other with nothing installed
# and none of XLD_XLHV, XL_DOMXML, XLD_SCRIPTDIR set (libdomctl/dc_path.c),
# as a new user runs them right after `make':
#  - xl domxml-to-libvirt runs the build tree's xl-domxml; xl info the
#    build tree's xlhv (virt_caps and KVM's limits);
#  - xld starts the build tree's xlhv for `xl create', and a vif runs the
#    source tree's xld/scripts/vif-bridge (on a bridge of the test's own
#    network namespace);
#  - a copy of xl outside the build tree looks for the installed paths;
#  - a path that does not work is named, with where it came from.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
# lib.sh and xld-lib.sh point these at the build tree: not here
unset XLD_XLHV XL_DOMXML XLD_SCRIPTDIR
command -v ip >/dev/null || skip "ip (iproute2) is missing"
# the test host's kernel has TAPs and bridges as modules
if [ -n "${XLD_IN_TESTHOST:-}" ]; then
	modprobe tun && modprobe bridge || fail "modprobe tun bridge failed"
fi
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"

XLHV=$top_builddir/hypervisor/xlhv
[ -x "$XLHV" ] || fail "$XLHV is not built"
[ -x "$top_builddir/xlcli/xl-domxml" ] || fail "xl-domxml is not built"
# a value of `xl info': "key : value"
value() { printf '%s\n' "$out" | sed -n "s/^$1 *: //p"; }

# --- xl alone: xl-domxml and xlhv -----------------------------------------
cfg=$top_srcdir/config-examples/test-guest.cfg
out=$("$XL" domxml-to-libvirt "$cfg" 2>&1) ||
	fail "xl domxml-to-libvirt $cfg: $out"
assert_match "$out" '<domain type="kvm">' "domxml-to-libvirt"
assert_match "$out" '<name>hello</name>' "domxml-to-libvirt's name"

out=$("$XL" info) || fail "xl info"
want=$("$XLHV" info | sed -n 's/^virt_caps: //p')
[ -n "$want" ] && [ "$(value virt_caps)" = "$want" ] ||
	fail "xl info: virt_caps '$(value virt_caps)', $XLHV says '$want'"
[ -n "$(value kvm_api_version)" ] && [ -n "$(value max_vcpus)" ] ||
	fail "xl info shows no KVM limits of $XLHV: $out"
echo "build-tree: xl ran the build tree's xl-domxml and xlhv ($want)"

# --- outside the build tree: the installed paths ---------------------------
# (xl links no shared library of the build: a copy runs anywhere)
cp "$top_builddir/xlcli/xl" "$T/xl" || fail "cannot copy xl"
if out=$("$T/xl" domxml-to-libvirt "$cfg" 2>&1); then
	echo "build-tree: an installed xl-domxml exists and ran"
else
	assert_match "$out" "cannot run /[^ ]*/xl-domxml: .* \\(the installed xl-domxml; XL_DOMXML overrides it\\)" \
		"a copy of xl outside the build tree"
	case $out in *"$top_builddir"/*) fail "a copy of xl ran the build tree's: $out" ;; esac
fi
out=$("$T/xl" info) || fail "xl info from a copy of xl"
case $(value virt_caps) in
unknown*) assert_match "$(value virt_caps)" "the installed xlhv; XLD_XLHV overrides it" \
	"xl info from a copy of xl" ;;
esac
case $(value virt_caps) in *"$top_builddir"/*) fail "a copy of xl ran $XLHV" ;; esac
# the variables still win
out=$(XL_DOMXML=$T/no-such-helper "$XL" domxml-to-libvirt "$cfg" 2>&1) &&
	fail "XL_DOMXML=$T/no-such-helper ran something"
assert_match "$out" "cannot run $T/no-such-helper: No such file or directory \\(from \\\$XL_DOMXML\\)" \
	"XL_DOMXML of a missing file"
out=$(XLD_XLHV=$T/no-such-xlhv "$top_builddir/tests/dctool" "$XLD_RUNDIR" \
	create 7 "$GUESTS/idle" 16 1 2>&1) && fail "dctool ran $T/no-such-xlhv"
assert_match "$out" "domain 7: cannot run $T/no-such-xlhv: No such file or directory \\(from \\\$XLD_XLHV\\)" \
	"XLD_XLHV of a missing file"
echo "build-tree: elsewhere the installed paths; the variables override both"

# --- xld: monitors and hotplug scripts -------------------------------------
NS=xlbt$$
BR=xlbtbr0
ip netns add "$NS" || skip "cannot make a network namespace (ip netns add)"
net_cleanup() { ip netns del "$NS" 2>/dev/null; true; }
hvt_on_exit net_cleanup
ip -n "$NS" link set lo up
ip -n "$NS" link add "$BR" type bridge || fail "cannot make bridge $BR in $NS"
ip -n "$NS" link set "$BR" up

ip netns exec "$NS" "$XLD" --foreground 2>>"$T/xld.stderr" &
XLD_PID=$!
xl_up() { "$XL" list >/dev/null 2>&1; }
wait_for 10 "xld answers" xl_up

create bt idle
# (its vCPU halted: an idle guest that runs is "blocked", as under Xen)
case $(field bt state) in
running | blocked) ;;
*) fail "bt does not run: state $(field bt state)" ;;
esac
# the monitor's argv[0]: the path libdomctl chose
pid=$(field bt pid)
exe=$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -1) || fail "bt: no monitor $pid"
[ "$exe" = "$XLHV" ] || fail "bt's monitor is $exe, not $XLHV"
"$XL" destroy bt || fail "destroy bt"
echo "build-tree: xld started $XLHV"

create bv idle "vif = ['bridge=$BR']"
d=$("$XL" domid bv)
[ "$(ip -n "$NS" -o link show master "$BR" | awk -F': ' '{ print $2 }' |
	sed 's/@.*//')" = "vif$d.0" ] || fail "vif$d.0 is not on $BR"
if command -v xenstore-read >/dev/null; then
	s=$(xenstore-read "/local/domain/0/backend/vif/$d/0/script") ||
		fail "no backend script node"
	[ "$s" = "$top_srcdir/xld/scripts/vif-bridge" ] ||
		fail "the vif's script is $s, not the source tree's"
fi
"$XL" destroy bv || fail "destroy bv"
# a script that is not there: named, with where it was looked for
mkcfg bn idle "vif = ['bridge=$BR,script=no-such-script']"
out=$("$XL" create -q "$T/bn.cfg" 2>&1) && fail "a missing script was accepted"
assert_match "$out" "hotplug script $top_srcdir/xld/scripts/no-such-script: No such file or directory \\(in the source tree's xld/scripts; XLD_SCRIPTDIR overrides it\\)" \
	"a missing script"
xld_finish
echo "build-tree: vif$d.0 on $BR by the source tree's vif-bridge"
echo "build-tree: ok"
