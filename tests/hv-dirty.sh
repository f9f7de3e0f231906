#!/bin/sh
# Dirty-page logging on a real VM: check_hv_state's "dirty" case, which
# runs memtouch under KVM and checks that exactly the pages it writes are
# logged (in the test host where this machine has no KVM).
. "$top_srcdir/tests/lib.sh"
set -e
hvt_require_kvm
CK_RUN_CASE=dirty "$top_builddir/tests/check_hv_state" ||
	fail "check_hv_state's dirty case failed"
