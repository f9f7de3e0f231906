#!/bin/bash
# The bash completion of xl (xlcli/bash-completion/xl), sourced in bash:
# COMPREPLY for a command name, a command's options, a domain name from a
# real xld, file names, and `make install' puts it where bash-completion
# looks.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XL" ] || fail "$XL is not built"
COMP=$top_srcdir/xlcli/bash-completion/xl
[ -f "$COMP" ] || fail "no $COMP"

# complete LINE: COMPREPLY for the line as typed (cursor at its end),
# sorted, one a line.  xl is found on PATH as the user would have it.
complete_line() {
	PATH="$(dirname "$XL"):$PATH" bash --norc --noprofile -c '
		. "$1"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$2
		COMP_POINT=${#2}
		_xl
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMP" "$1"
}

got=$(complete_line "xl dom")
[ "$got" = "$(printf 'domid\ndomname\ndomxml-from-libvirt\ndomxml-to-libvirt')" ] ||
	fail "commands for 'xl dom': $got"
got=$(complete_line "xl -v inf")
[ "$got" = info ] || fail "a command after a global option: $got"
got=$(complete_line "xl create --d")
[ "$got" = "$(printf -- '--defconfig=\n--dryrun')" ] || fail "options of create: $got"
got=$(complete_line "xl list -")
for o in -h --help -v --verbose -j --json -l --long; do
	printf '%s\n' "$got" | grep -qx -- "$o" || fail "list option $o missing: $got"
done
got=$(complete_line "xl help sh")
[ "$got" = "$(printf 'shell\nshutdown')" ] || fail "help's commands: $got"
mkdir -p "$T/files" && touch "$T/files/guest-a.cfg" "$T/files/guest-b.xml"
got=$(cd "$T/files" && complete_line "xl domxml-to-libvirt guest-")
[ "$got" = "$(printf 'guest-a.cfg\nguest-b.xml')" ] || fail "file names: $got"
# an option's FILE, as bash-completion's one word and as plain bash's three
got=$(cd "$T/files" && complete_line "xl create --defconfig=guest-a")
[ "$got" = "--defconfig=guest-a.cfg" ] || fail "--defconfig=FILE: $got"
got=$(cd "$T/files" && complete_line "xl create --defconfig = guest-b")
[ "$got" = "guest-b.xml" ] || fail "--defconfig = FILE: $got"

# save: a domain, then files; migrate: a domain, then a host; restore:
# files only
got=$(cd "$T/files" && complete_line "xl save dom guest-")
[ "$got" = "$(printf 'guest-a.cfg\nguest-b.xml')" ] || fail "save's file: $got"
got=$(cd "$T/files" && complete_line "xl restore guest-a")
[ "$got" = guest-a.cfg ] || fail "restore's file: $got"
got=$(cd "$T/files" && complete_line "xl migrate -C guest-b")
[ "$got" = guest-b.xml ] || fail "migrate -C FILE: $got"
got=$(cd "$T/files" && complete_line "xl migrate dom guest-")
[ -z "$got" ] || fail "migrate's host: $got"
got=$(complete_line "xl migrate --max")
[ "$got" = "--max-downtime" ] || fail "migrate options: $got"

# domain names from a running xld
got=$(complete_line "xl vcpu-set --ig")
[ "$got" = "--ignore-host" ] || fail "vcpu-set options: $got"
got=$(complete_line "xl pause D")
[ -z "$got" ] || fail "domain names without xld: $got"
xld_start
got=$(complete_line "xl domid Dom")
[ "$got" = Domain-0 ] || fail "Domain-0: $got"
if [ -c /dev/kvm ] && [ "$KVM_TESTS" != no ] && [ -x "$GUESTS/idle" ]; then
	create alpha1 idle
	create alpha2 idle
	got=$(complete_line "xl destroy alp")
	[ "$got" = "$(printf 'alpha1\nalpha2')" ] || fail "guest names: $got"
	# vcpu-set: a domain after its option, nothing for the count
	got=$(complete_line "xl vcpu-set -i alp")
	[ "$got" = "$(printf 'alpha1\nalpha2')" ] || fail "vcpu-set -i: $got"
	got=$(complete_line "xl vcpu-set alpha1 ")
	[ -z "$got" ] || fail "vcpu-set count: $got"
	"$XL" destroy alpha1 && "$XL" destroy alpha2 || fail "destroy"
fi
xld_finish

# make install puts it in bash-completion's directory
make -s -C "$top_builddir/xlcli" install-data DESTDIR="$T/inst" >/dev/null ||
	fail "make install-data in xlcli"
n=$(find "$T/inst" -path '*/share/bash-completion/completions/xl' | wc -l)
[ "$n" = 1 ] || fail "not installed in share/bash-completion/completions: $(find "$T/inst")"
echo "xl-bashcomp: ok"
