#!/bin/sh
# configure stops, naming the Debian package to install, when any required
# library is missing.  Each run hides one library's .pc file from
# pkg-config (a filtered copy of the system's pkg-config directories).
. "$top_srcdir/tests/lib.sh"

pcdirs=$(pkg-config --variable pc_path pkg-config) || fail "no pkg-config"

hide() {	# hide PCNAME: a pkg-config path without PCNAME.pc
	d="$T/pc-$1"
	mkdir -p "$d"
	IFS=:
	for dir in $pcdirs; do
		[ -d "$dir" ] || continue
		for pc in "$dir"/*.pc; do
			[ -e "$pc" ] || continue
			name=$(basename "$pc")
			[ "$name" = "$1.pc" ] || [ -e "$d/$name" ] || ln -s "$pc" "$d/$name"
		done
	done
	unset IFS
	echo "$d"
}

# configure runs from a view of the source tree without its config.status:
# in an in-tree build (`./configure && make check' in the sources) the
# tree is configured, and configure refuses a second build of it ("source
# directory already configured").  Links to everything else it may read.
src=$T/src
mkdir "$src" || fail "cannot make $src"
for f in "$top_srcdir"/*; do
	[ "${f##*/}" = config.status ] || ln -s "$f" "$src/" ||
		fail "cannot link $f into $src"
done

for pair in json-c:libjson-c-dev yajl:libyajl-dev libxml-2.0:libxml2-dev \
	    uuid:uuid-dev readline:libreadline-dev check:check; do
	lib=${pair%%:*} pkg=${pair#*:}
	mkdir -p "$T/build-$lib"
	out=$(cd "$T/build-$lib" && PKG_CONFIG_LIBDIR=$(hide "$lib") \
		"$src/configure" -q 2>&1) &&
		fail "configure succeeded without $lib"
	assert_match "$out" "install the Debian package $pkg" "configure without $lib"
	echo "without $lib: $(printf '%s\n' "$out" | grep -m1 'error:')"
done
