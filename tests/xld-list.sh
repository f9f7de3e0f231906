#!/bin/bash
# xl list with xld's list reply made as text (xld/ctl/ctl_list.c) and read as
# a stream (xlcli/xl_domrows.c), against real test guests:
#  - every domain in `xl list -j' has the members, and the values, that
#    `xl list -j NAME' (xld's info, json-c) gives: the two makers agree;
#  - the table's rows are the JSON's domains: name, id, memory, vCPUs and
#    state letters, in domid order, with a paused and a shut-down guest;
#  - `xl list -v' shows each UUID; an unknown name is Xen's message.
. "$top_srcdir/tests/lib.sh"
hvt_require_kvm
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD_XLHV" ] || fail "$XLD_XLHV is not built"
command -v python3 >/dev/null || skip "python3 is missing"

xld_start
create l1 idle
create l2 idle "vcpus = 2"
"$XL" pause l2 || fail "pause l2"
# hello powers off at once; preserved, it keeps a row (renamed l3-TIME)
create l3 hello 'on_poweroff = "preserve"'
preserved() { "$XL" list | grep -Eq '^l3-[^ ]+ +[0-9]+ .* ---s-- '; }
wait_for 10 "l3 preserved, shut down" preserved
L3=$("$XL" list | awk '/^l3-/ { print $1 }')

"$XL" list -j >"$T/list.json" || fail "xl list -j"
for n in l1 l2 "$L3"; do
	"$XL" list -j "$n" >"$T/$n.json" || fail "xl list -j $n"
done
"$XL" list >"$T/table" || fail "xl list"
"$XL" list -v >"$T/table-v" || fail "xl list -v"

python3 - "$T" "$L3" <<'PY' || fail "the list and the info disagree (above)"
import json, sys
t = sys.argv[1]
lst = json.load(open(t + "/list.json"))
ids = [d["domid"] for d in lst]
assert ids == sorted(ids) and ids[0] == 0, "domids out of order: %s" % ids
bad = []
for n in ("l1", "l2", sys.argv[2]):
    info = json.load(open("%s/%s.json" % (t, n)))[0]
    row = [d for d in lst if d["name"] == n]
    if len(row) != 1:
        bad.append("%s: %d rows in the list" % (n, len(row)))
        continue
    row = row[0]
    if sorted(row) != sorted(info):
        bad.append("%s: members %s in the list, %s in info"
                   % (n, sorted(row), sorted(info)))
    for k in info:
        if k != "cpu_time_ns" and row.get(k) != info[k]:
            bad.append("%s: %s is %r in the list, %r in info"
                       % (n, k, row.get(k), info[k]))
# the table: one row per domain, the JSON's values
rows = open(t + "/table").read().splitlines()[1:]
if len(rows) != len(lst):
    bad.append("%d table rows for %d domains" % (len(rows), len(lst)))
letters = {"running": "r-----", "blocked": "-b----", "paused": "--p---"}
for line, d in zip(rows, lst):
    f = line.split()
    want = [d["name"], str(d["domid"]), str(d["memory_kib"] // 1024),
            str(d["vcpus"])]
    if f[:4] != want:
        bad.append("row %r, want %s" % (line, want))
    st = letters.get(d["state"])
    if d["state"] == "shutdown":
        st = "---s--"
    if f[4] != st:
        bad.append("row %r: state letters %s for %s" % (line, f[4], d["state"]))
vrows = open(t + "/table-v").read().splitlines()[1:]
for line, d in zip(vrows, lst):
    if d["uuid"] not in line.split():
        bad.append("-v row %r has no uuid %s" % (line, d["uuid"]))
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
grep -Eq '^l2 +[0-9]+ +16 +2 +--p---' "$T/table" || fail "l2's row: $(grep '^l2 ' "$T/table")"
grep -Eq "^$L3 +[0-9]+ +16 +1 +---s--" "$T/table" || fail "$L3's row: $(grep "^$L3 " "$T/table")"
out=$("$XL" list nosuch 2>&1) && fail "xl list nosuch succeeded"
assert_match "$out" "^Error: Domain 'nosuch' does not exist" "an unknown domain"
for n in l1 l2 "$L3"; do "$XL" destroy "$n" || fail "destroy $n"; done
[ "$("$XL" list | wc -l)" -eq 2 ] || fail "after destroy: $("$XL" list)"
xld_finish
echo "xld-list: ok"
