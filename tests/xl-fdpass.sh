#!/bin/bash
# File descriptors sent to xld with a request (SCM_RIGHTS), as xl save,
# restore and migrate send theirs; no guest needed:
#  - one with a request that takes none is closed when it ends;
#  - two with one line: EPROTO, and the client is refused;
#  - "send" without one: EBADF; for Domain-0: EPERM;
#  - "create" with "incoming" and no descriptor: EBADF; with one, on a
#    host that cannot run guests: refused, and the descriptor closed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/xld-lib.sh"
[ -x "$XLD" ] || fail "$XLD is not built"
export XLD_WITHOUT_KVM=1
xld_start
python3 - "$XLD_RUNDIR/xld.sock" <<'PY' || fail "fd passing"
import array, json, os, select, socket, sys

path = sys.argv[1]


def call(method, params, fds=(), raw=None):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    line = raw or (json.dumps({"version": 1, "id": 1, "method": method,
                               "params": params}) + "\n").encode()
    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
            array.array("i", fds).tobytes())] if fds else []
    s.sendmsg([line], anc)
    buf = b""
    while b"\n" not in buf:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    rest = b""
    s.settimeout(2)
    try:
        rest = s.recv(65536)  # a refused client sees EOF
    except socket.timeout:
        rest = None
    s.close()
    return json.loads(buf.split(b"\n")[0]), rest


def closed_by_xld(r):
    # our copy of the write end is closed: EOF means xld's is too
    ready, _, _ = select.select([r], [], [], 5)
    assert ready and os.read(r, 1) == b"", "xld kept the descriptor"


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)


r, w = os.pipe()
rep, _ = call("hello", {}, [w])
os.close(w)
check("result" in rep, "hello with a descriptor: %s" % rep)
closed_by_xld(r)

r, w = os.pipe()
rep, rest = call("hello", {}, [w, w])
os.close(w)
check(rep.get("error", {}).get("errno") == "EPROTO", "two descriptors: %s" % rep)
check(rest == b"", "a client sending two was not refused: %r" % rest)
closed_by_xld(r)

rep, _ = call("send", {"domain": 0})
check(rep.get("error", {}).get("errno") == "EPERM", "send for Domain-0: %s" % rep)
rep, _ = call("send", {"domain": "nosuch"})
check(rep.get("error", {}).get("errno") == "ENOENT", "send for no domain: %s" % rep)
cfg = {"name": "g", "kernel": "/nonexistent", "memory": 16}
rep, _ = call("create", {"config": cfg, "incoming": True})
check(rep.get("error", {}).get("errno") == "EBADF", "incoming without a descriptor: %s" % rep)
r, w = os.pipe()
rep, _ = call("create", {"config": cfg, "incoming": True}, [r])
os.close(r)
check("error" in rep, "incoming on a host without KVM: %s" % rep)
# its reader is gone: a write fails
try:
    os.write(w, b"x")
    check(False, "xld kept the incoming descriptor")
except BrokenPipeError:
    pass
PY
[ -z "$("$XL" list | awk 'NR > 2')" ] || fail "domains left: $("$XL" list)"
xld_finish
echo "$TESTNAME: ok"
