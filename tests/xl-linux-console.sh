#!/bin/sh
# Issue #5's end to end check with Linux, in the test host: `xl create -c`
# of config-examples/busybox.cfg (Debian's kernel) shows the guest's boot
# on the terminal, from the kernel's banner to its init waiting; Ctrl-]
# leaves it running; `xl shutdown -w` powers it off through the ACPI
# power button and reports Xen's line, and the domain is gone.
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_testhost
IMG=${XLD_IMAGES:-/var/cache/xld/images}
RD="$IMG/guest-initrd.img"
hvt_in_testhost 400 "$0" \
	"xl-linux-console: xl create -c showed Linux booting, xl shutdown -w powered it off"

# --- inside the test host ---------------------------------------------------
. "$top_srcdir/tests/xld-lib.sh"
[ -r "$IMG/vmlinux" ] && [ -r "$RD" ] ||
	fail "no guest images in $IMG: run tests/images/fetch"
xld_start

# loglevel=6 after quiet: the kernel's notices (its banner) reach ttyS0
XLD_TERM_TIMEOUT=240 python3 "$top_srcdir/tests/xld-console.py" \
	"$XL" create -c "$top_srcdir/config-examples/busybox.cfg" \
	"kernel=\"$IMG/vmlinux\"" "ramdisk=\"$RD\"" \
	'cmdline="console=ttyS0 quiet loglevel=6 panic=-1 pci=off xl.action=wait"' \
	-- 'expect:Linux version [0-9]' 'expect:XLD-GUEST-INIT' \
	'expect:XLD-GUEST-WAITING' raw 'send:\x1d' exit:0 restored ||
	fail "xl create -c did not show the boot"
"$XL" list busybox >/dev/null || fail "busybox is not running after Ctrl-]"

out=$("$XL" shutdown -w busybox 2>&1) || fail "xl shutdown -w: $out"
assert_match "$out" 'Domain [0-9]+ has been shut down, reason code 0' "shutdown -w"
grep -q XLD-GUEST-POWERBUTTON "$XLD_LOGDIR/console/busybox.log" ||
	fail "the guest never saw the power button: $(tail -5 "$XLD_LOGDIR/console/busybox.log")"
st=0
"$XL" list busybox >/dev/null 2>&1 || st=$?
[ "$st" = 1 ] || fail "busybox is still listed after its poweroff (on_poweroff=destroy)"
xld_finish
