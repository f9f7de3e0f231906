#!/bin/sh
# Xen's state letters from the monitors' own view of their vCPUs: an idle
# guest (every vCPU halted) lists as -b----, a CPU-bound one (memtouch
# without end) as r-----, and a paused one as --p--- whatever it did;
# unpaused, the idle guest is blocked again.  Also without the in-kernel
# irqchip, where a halted vCPU waits in the monitor itself.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

# letters NAME: the state column of NAME's `xl list' row
letters() { row "$1" | awk '{ print $5 }'; }
is() { [ "$(letters "$1")" = "$2" ]; }
# xld asks each monitor every second: wait a few for the letters.
expect() {
	wait_for 5 "$1 listed as $2 (is $(letters "$1"))" is "$1" "$2"
}

xld_start
create idle idle
create burn memtouch 'cmdline = "passes=0 report=0"'
expect idle -b----
expect burn r-----
[ "$(field idle state)" = blocked ] || fail "list --json: $(field idle state)"

"$XL" pause idle || fail "pause idle"
"$XL" pause burn || fail "pause burn"
expect idle --p---
expect burn --p---
"$XL" unpause idle || fail "unpause idle"
"$XL" unpause burn || fail "unpause burn"
expect idle -b----
expect burn r-----

# a sample, not a fluke: the CPU-bound guest stays r, the idle one b
for _ in 1 2 3; do
	sleep 1
	is idle -b---- || fail "idle became $(letters idle)"
	is burn r----- || fail "burn became $(letters burn)"
done
"$XL" destroy idle && "$XL" destroy burn || fail "destroy"

xld_finish

# Without the in-kernel irqchip (the monitors inherit xld's environment)
# a halted vCPU waits in halt_until_stop: blocked all the same.
export XLHV_IRQCHIP=0
xld_start
create idle idle
expect idle -b----
"$XL" destroy idle || fail "destroy"
xld_finish
echo "xld-blocked: ok"
