#!/bin/sh
# include-map.sh [ROOT]: the layering check of xld's sources.
#
# Reads every `#include "xld/..."' (and every relative include that names a
# file under ROOT) of the .c and .h files under ROOT (default
# $top_srcdir/xld) and builds the map of modules: a module is a file's path
# without .c/.h, so foo.c and foo.h are one node; an include between two
# modules is an arrow.  Prints the map as layers (a topological order: a
# module's arrows all go to lower layers), with the counts of modules,
# arrows and arrows that point back up against the intended layers
#
#	xld/xld (main)  ->  ctl/  ->  dom/  ->  store/  ->  leaves
#
# where the leaves are the small modules everyone may include and which
# include nothing: loop, log and file (atomic file writes; STYLE.md,
# "Layout of a daemon that grows"; XLD_LEAVES overrides the list).
#
# It fails (exit 1), naming the files and lines, on
#  - a circle of includes between modules (named, with an include for each
#    of its arrows);
#  - an include from store/ of anything outside store/ but a leaf;
#  - an include from dom/ of ctl/ or of the main module (xld.c);
#  - an include from a leaf of any other module;
#  - an include of a directory's internal header (*_internal.h) from
#    outside that directory;
#  - any other arrow that points back up (ctl/ including the main module);
#  - a file longer than XLD_MAX_LINES (default 900) lines; those over
#    XLD_WARN_LINES (default 800) are printed as warnings.
# Exit 0 when the map is clean, 2 for a usage error.
set -u
ME=include-map
ROOT=${1:-${top_srcdir:-$(dirname "$0")/..}/xld}
[ $# -le 1 ] || { echo "usage: $ME [ROOT]" >&2; exit 2; }
[ -d "$ROOT" ] || { echo "$ME: $ROOT: no such directory" >&2; exit 2; }
ROOT=$(cd "$ROOT" && pwd) || exit 2
WARN=${XLD_WARN_LINES:-800}
MAX=${XLD_MAX_LINES:-900}
LEAVES=${XLD_LEAVES:-loop log file}
for n in "$WARN" "$MAX"; do
	case $n in
	'' | *[!0-9]*) echo "$ME: line limits must be numbers: $n" >&2; exit 2 ;;
	esac
done

files=$(find "$ROOT" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
[ -n "$files" ] || { echo "$ME: no .c or .h file under $ROOT" >&2; exit 2; }

# Paths with white space would not survive the word splitting below.
case $files in
*[\ \	]*) echo "$ME: a path under $ROOT has a space or tab in it" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086 # one argument per file, split on newlines
LC_ALL=C awk -v root="$ROOT" -v warn="$WARN" -v max="$MAX" \
	-v leaves="$LEAVES" '
function rel(path) { return substr(path, length(root) + 2) }
function module(r) { sub(/\.[ch]$/, "", r); return "xld/" r }
function dirof(r) { return r ~ /\// ? substr(r, 1, match(r, /\/[^\/]*$/) - 1) : "" }
function top(r) { return r ~ /\// ? substr(r, 1, index(r, "/") - 1) : "" }
# "a/./b/../c" -> "a/c"; "" when it leaves ROOT.
function normal(p,    n, parts, i, out, k, res) {
	n = split(p, parts, "/")
	k = 0
	for (i = 1; i <= n; i++) {
		if (parts[i] == "" || parts[i] == ".")
			continue
		if (parts[i] == "..") {
			if (k == 0)
				return ""
			k--
		} else
			out[++k] = parts[i]
	}
	res = ""
	for (i = 1; i <= k; i++)
		res = res (i > 1 ? "/" : "") out[i]
	return res
}
# The intended layer of a module, or -1 for one outside the plan.
function rank(m,    r) {
	r = substr(m, 5)
	if (r == "xld") return 0
	if (top(r) == "ctl") return 1
	if (top(r) == "dom") return 2
	if (top(r) == "store") return 3
	if (m in leaf) return 4
	return -1
}
function sortwords(s,    n, w, i, j, t, res) {
	n = split(s, w, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && w[j - 1] > w[j]; j--) {
			t = w[j]; w[j] = w[j - 1]; w[j - 1] = t
		}
	res = ""
	for (i = 1; i <= n; i++)
		res = res (i > 1 ? " " : "") w[i]
	return res
}
function problem(msg) { fails[++nfail] = msg }

BEGIN {
	n = split(leaves, lv, " ")
	for (i = 1; i <= n; i++)
		leaf["xld/" lv[i]] = 1
	for (i = 1; i < ARGC; i++) {
		r = rel(ARGV[i])
		exists[r] = 1
		m = module(r)
		if (!(m in ismod)) {
			ismod[m] = 1
			mods[++nmods] = m
		}
	}
}
FNR == 1 { cur = rel(FILENAME) }
{ lines[cur] = FNR }
/^[ \t]*#[ \t]*include[ \t]*["<]/ {
	s = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*/, "", s)
	q = substr(s, 1, 1)
	s = substr(s, 2)
	e = index(s, q == "<" ? ">" : "\"")
	if (e == 0)
		next
	name = substr(s, 1, e - 1)
	if (substr(name, 1, 4) == "xld/") {
		t = normal(substr(name, 5))
		if (!(t in exists)) {
			warns[++nwarn] = "xld/" cur ":" FNR ": includes " name \
			    ", which is not under " root
			next
		}
	} else {
		if (q == "<")
			next
		t = normal(dirof(cur) "/" name)
		if (t == "" || !(t in exists))
			next	# config.h, domctl.h: not ours
	}
	nincl++
	src[nincl] = cur; dst[nincl] = t; at[nincl] = FNR
}

END {
	for (i = 1; i <= nincl; i++) {
		s = src[i]; t = dst[i]
		sm = module(s); tm = module(t)
		if (sm == tm)
			continue
		where = "xld/" s ":" at[i] ": includes xld/" t
		e = sm SUBSEP tm
		if (!(e in arrow)) {
			arrow[e] = where
			narrows++
			succ[sm] = succ[sm] " " tm
			pred[tm] = pred[tm] " " sm
			rs = rank(sm); rt = rank(tm)
			if (rs >= 0 && rt >= 0 && rs > rt)
				backup[++nbackup] = sm " -> " tm
		}
		base = t; sub(/.*\//, "", base)
		why = ""
		if (top(s) == "store" && top(t) != "store" && !(tm in leaf))
			why = "the store includes nothing outside store/ but the leaves (" leaves ")"
		else if (top(s) == "dom" && (top(t) == "ctl" || tm == "xld/xld"))
			why = "dom/ includes nothing of ctl/ or the main module"
		else if (sm in leaf)
			why = "a leaf module (" leaves ") includes no other module"
		else if (base ~ /_internal\.h$/ && dirof(s) != dirof(t) &&
		    index(dirof(s) "/", dirof(t) "/") != 1)
			why = "an internal header is for its own directory (xld/" dirof(t) "/) only"
		else if (rank(sm) >= 0 && rank(tm) >= 0 && rank(sm) > rank(tm))
			why = "it points back up (" sm " is below " tm ")"
		if (why != "")
			problem(where ": " why)
	}

	# Layers, bottom up: a module goes to the lowest layer above all the
	# modules it includes (peel off the modules that include nothing left).
	for (i = 1; i <= nmods; i++) {
		m = mods[i]
		left[m] = split(succ[m], tmp, " ")
	}
	nlayers = 0; placed = 0
	while (placed < nmods) {
		cnt = 0
		for (i = 1; i <= nmods; i++) {
			m = mods[i]
			if (!(m in layer) && left[m] == 0)
				ready[++cnt] = m
		}
		if (cnt == 0)
			break
		for (j = 1; j <= cnt; j++) {
			m = ready[j]
			layer[m] = nlayers
			inlayer[nlayers] = inlayer[nlayers] " " m
			placed++
			k = split(pred[m], p, " ")
			for (l = 1; l <= k; l++)
				left[p[l]]--
		}
		nlayers++
	}

	# What is left is on or above a circle: every module left includes one
	# that is left too, so a walk along them meets itself.
	ncirc = 0
	for (i = 1; i <= nmods; i++) {
		m = mods[i]
		if (m in layer || m in walked)
			continue
		delete onpath
		len = 0
		while (!(m in walked)) {
			walked[m] = 1
			onpath[m] = ++len
			path[len] = m
			k = split(sortwords(succ[m]), p, " ")
			nxt = ""
			for (l = 1; l <= k; l++)
				if (!(p[l] in layer)) { nxt = p[l]; break }
			m = nxt
		}
		if (!(m in onpath))
			continue	# ran into a circle found before
		ncirc++
		c = ""; ev = ""
		for (l = onpath[m]; l <= len; l++) {
			c = c path[l] " -> "
			nx = l < len ? path[l + 1] : m
			ev = ev "\n    " arrow[path[l] SUBSEP nx]
		}
		problem("circle: " c m ev)
	}

	printf "%s: %s: %d modules, %d arrows, %d back up, %d circles\n",
	    "include-map", root, nmods, narrows, nbackup, ncirc
	for (l = nlayers - 1; l >= 0; l--) {
		k = split(sortwords(inlayer[l]), p, " ")
		for (j = 1; j <= k; j++)
			printf "layer %d  %s%s%s\n", l, p[j],
			    succ[p[j]] == "" ? "" : " -> ", sortwords(succ[p[j]])
	}
	for (i = 1; i <= nmods; i++)
		if (!(mods[i] in layer))
			printf "circle   %s -> %s\n", mods[i], sortwords(succ[mods[i]])
	for (i = 1; i <= nbackup; i++)
		printf "back up  %s\n", backup[i]

	for (i = 1; i < ARGC; i++) {
		f = rel(ARGV[i])
		if (lines[f] > max)
			problem("xld/" f ": " lines[f] " lines, more than " max)
		else if (lines[f] > warn)
			warns[++nwarn] = "xld/" f ": " lines[f] " lines, more than " warn
	}
	for (i = 1; i <= nwarn; i++)
		print "WARN: " warns[i]
	for (i = 1; i <= nfail; i++)
		print "FAIL: " fails[i]
	if (nfail) {
		printf "include-map: FAIL: %d problem%s\n", nfail, nfail == 1 ? "" : "s"
		exit 1
	}
	print "include-map: ok"
}' $files
