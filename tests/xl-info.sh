#!/bin/bash
# xl info: Xen's "key : value" layout, the host's facts as the system
# gives them, virt_caps as `xlhv info' says, and what needs xld given
# when it runs and said to be unavailable when it does not.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XL" ] || fail "$XL is not built"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"

# value KEY: the value of KEY in $out
value() { printf '%s\n' "$out" | sed -n "s/^$1 *: //p"; }

check_layout() {
	local bad
	bad=$(printf '%s\n' "$out" | grep -Ev '^[a-z_]{1,23} {0,22}: ' || true)
	[ -z "$bad" ] || fail "lines not in Xen's layout: $bad"
	# the key column is 23 wide, as Xen's
	bad=$(printf '%s\n' "$out" | awk 'substr($0, 24, 2) != ": "')
	[ -z "$bad" ] || fail "the colon is not in column 24: $bad"
	keys=$(printf '%s\n' "$out" | awk '{ printf "%s ", $1 }')
	case $keys in
	"host release version machine nr_cpus max_cpu_id nr_nodes cores_per_socket threads_per_core cpu_mhz virt_caps "*) ;;
	*) fail "keys out of Xen's order: $keys" ;;
	esac
	assert_match "$keys" 'total_memory free_memory xld_version ' "memory, then xld"
	assert_match "$keys" 'xend_config_format $' "the last key"
	[ "$(value host)" = "$(uname -n)" ] || fail "host: $(value host)"
	[ "$(value release)" = "$(uname -r)" ] || fail "release: $(value release)"
	[ "$(value version)" = "$(uname -v)" ] || fail "version: $(value version)"
	[ "$(value machine)" = "$(uname -m)" ] || fail "machine: $(value machine)"
	[ "$(value nr_cpus)" = "$(getconf _NPROCESSORS_ONLN)" ] ||
		fail "nr_cpus: $(value nr_cpus)"
	mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	[ "$(value total_memory)" = "$mem" ] || fail "total_memory: $(value total_memory), want $mem"
	[ "$(value free_memory)" -le "$mem" ] || fail "free_memory > total_memory"
	[ "$(value xend_config_format)" = 4 ] || fail "xend_config_format"
}

# without xld
out=$("$XL" info) || fail "xl info without xld failed"
check_layout
assert_match "$(value xld_version)" '^unavailable \(cannot reach xld at .*xld.sock' \
	"xld_version without xld"
hv=$("$XLD_XLHV" info 2>&1 | sed -n 's/^virt_caps: //p')
[ -n "$hv" ] || fail "xlhv info printed no virt_caps"
[ "$(value virt_caps)" = "$hv" ] || fail "virt_caps: '$(value virt_caps)', xlhv info says '$hv'"
if [ -c /dev/kvm ] && [ -r /dev/kvm ]; then
	want=$("$XLD_XLHV" info | sed -n 's/^kvm_api_version: //p')
	[ "$(value kvm_api_version)" = "$want" ] || fail "kvm_api_version"
	want=$("$XLD_XLHV" info | sed -n 's/^max_vcpus: //p')
	[ "$(value max_vcpus)" = "$want" ] || fail "max_vcpus"
fi

# an xlhv that cannot run is said, and info still succeeds
out=$(XLD_XLHV=$T/no-such-xlhv "$XL" info) || fail "xl info with no xlhv"
assert_match "$(value virt_caps)" "^unknown \\(cannot run $T/no-such-xlhv" "no xlhv"

# usage
"$XL" info extra >/dev/null 2>&1
[ $? -eq 2 ] || fail "an operand is a usage error"
"$XL" info -h | grep -q 'Usage: xl info' || fail "xl info -h"

# with xld (and a guest where KVM runs test guests)
xld_start
out=$("$XL" info) || fail "xl info with xld failed"
check_layout
[ "$(value xld_version)" = "$(value xl_version)" ] ||
	fail "xld_version: $(value xld_version)"
[ "$(value nr_guests)" = 0 ] || fail "nr_guests: $(value nr_guests)"
if [ -c /dev/kvm ] && [ "$KVM_TESTS" != no ] && [ -x "$GUESTS/idle" ]; then
	create g1 idle
	out=$("$XL" info) || fail "xl info with a guest"
	[ "$(value nr_guests)" = 1 ] || fail "nr_guests with a guest: $(value nr_guests)"
	[ "$(value guest_memory)" = 16 ] || fail "guest_memory: $(value guest_memory)"
	"$XL" destroy g1 || fail "destroy g1"
fi
xld_finish
printf '%s\n' "$out"
echo "xl-info: ok"
