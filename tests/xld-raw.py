#!/usr/bin/env python3
# Hostile and well-formed clients of xld's control protocol, byte by byte.
#   xld-raw.py check RUNDIR      protocol checks (exit 1 on the first failure)
#   xld-raw.py call SOCKET JSON  send one line, print the reply line
#   xld-raw.py events SOCKET NAME
#                                subscribe; print the reply, then each event
#                                line, until NAME's "gone" (60 s at most)
import json
import os
import socket
import stat
import sys
import time


def fail(msg):
    print("xld-raw: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def read_line(s, f):
    line = f.readline()
    if not line:
        return None
    return json.loads(line)


def call(path, obj_or_bytes):
    s = connect(path)
    f = s.makefile("rb")
    data = obj_or_bytes
    if not isinstance(data, bytes):
        data = json.dumps(data).encode() + b"\n"
    s.sendall(data)
    rep = read_line(s, f)
    s.close()
    return rep


def expect_error(rep, name, what):
    if rep is None:
        fail("%s: no reply" % what)
    if rep.get("version") != 1:
        fail("%s: reply without version 1: %r" % (what, rep))
    err = rep.get("error")
    if not err or err.get("errno") != name:
        fail("%s: want error %s, got %r" % (what, name, rep))
    if not err.get("message"):
        fail("%s: error without a message: %r" % (what, rep))
    return err


def expect_ok(rep, what):
    if rep is None or "result" not in rep or rep.get("version") != 1:
        fail("%s: want a result, got %r" % (what, rep))
    return rep["result"]


def req(method, params=None, rid=1):
    r = {"version": 1, "id": rid, "method": method}
    if params is not None:
        r["params"] = params
    return r


def check(rundir):
    rw = os.path.join(rundir, "xld.sock")
    ro = os.path.join(rundir, "xld-ro.sock")
    if stat.S_IMODE(os.stat(rw).st_mode) != 0o600:
        fail("xld.sock mode %o" % stat.S_IMODE(os.stat(rw).st_mode))
    if stat.S_IMODE(os.stat(ro).st_mode) != 0o666:
        fail("xld-ro.sock mode %o" % stat.S_IMODE(os.stat(ro).st_mode))

    # well-formed requests; the id comes back whatever its type
    res = expect_ok(call(rw, req("hello", rid="abc")), "hello")
    if res.get("version") != 1 or res.get("writable") is not True:
        fail("hello: %r" % res)
    rep = call(rw, req("list", rid={"x": [1, 2]}))
    if rep.get("id") != {"x": [1, 2]}:
        fail("id not echoed: %r" % rep)
    doms = expect_ok(rep, "list")["domains"]
    if doms[0]["name"] != "Domain-0" or doms[0]["domid"] != 0:
        fail("list does not start with Domain-0: %r" % doms)
    if doms[0]["memory_kib"] <= 0 or doms[0]["vcpus"] <= 0:
        fail("Domain-0 without the host's memory and CPUs: %r" % doms[0])

    # malformed input: an error naming what is wrong, never a crash
    expect_error(call(rw, b"{not json\n"), "EBADMSG", "malformed JSON")
    expect_error(call(rw, b"[1,2,3]\n"), "EBADMSG", "an array")
    expect_error(call(rw, b'"list"\n'), "EBADMSG", "a string")
    expect_error(call(rw, b'{"version":1,"method":"list"} trailing\n'),
                 "EBADMSG", "trailing garbage")
    expect_error(call(rw, b'{"version":1,"method":"list"\x00}\n'),
                 "EBADMSG", "a NUL byte")
    expect_error(call(rw, b"\xff\xfe\n"), "EBADMSG", "binary bytes")
    expect_error(call(rw, b"[" * 5000 + b"\n"), "EBADMSG", "deep nesting")
    expect_error(call(rw, {"method": "list"}), "EPROTO", "no version")
    expect_error(call(rw, {"version": "1", "method": "list"}), "EPROTO",
                 "a string version")
    expect_error(call(rw, {"version": 2, "method": "list"}),
                 "EPROTONOSUPPORT", "version 2")
    expect_error(call(rw, {"version": 1}), "EINVAL", "no method")
    expect_error(call(rw, {"version": 1, "method": 7}), "EINVAL",
                 "a numeric method")
    e = expect_error(call(rw, req("frobnicate")), "EOPNOTSUPP",
                     "unknown method")
    if "frobnicate" not in e["message"]:
        fail("unknown method not named: %r" % e)
    expect_error(call(rw, {"version": 1, "method": "list", "params": [1]}),
                 "EINVAL", "params not an object")
    expect_error(call(rw, req("destroy", {})), "EINVAL", "no domain")
    expect_error(call(rw, req("destroy", {"domain": []})), "EINVAL",
                 "domain an array")
    expect_error(call(rw, req("destroy", {"domain": "nosuch"})), "ENOENT",
                 "unknown name")
    expect_error(call(rw, req("destroy", {"domain": "4711"})), "ESRCH",
                 "unknown domid")
    expect_error(call(rw, req("destroy", {"domain": 99999999999})),
                 "ESRCH", "huge domid")
    expect_error(call(rw, req("destroy", {"domain": -1})), "ESRCH",
                 "negative domid")
    expect_error(call(rw, req("destroy", {"domain": "Domain-0"})), "EPERM",
                 "destroy Domain-0")
    expect_error(call(rw, req("pause", {"domain": 0})), "EPERM",
                 "pause Domain-0")
    expect_error(call(rw, req("create", {})), "EINVAL", "create, no config")
    expect_error(call(rw, req("create", {"config": "x"})), "EINVAL",
                 "create, config a string")
    e = expect_error(call(rw, req("create", {"config": {"kernel": "/x"}})),
                     "EINVAL", "create, no name")
    expect_error(call(rw, req("create", {"config": {"name": "a/b",
                                                    "kernel": "/x"}})),
                 "EINVAL", "create, a bad name")
    expect_error(call(rw, req("create", {"config": {"name": "123",
                                                    "kernel": "/x"}})),
                 "EINVAL", "create, a numeric name")
    expect_error(call(rw, req("create", {"config": {"name": "ok"}})),
                 "EINVAL", "create, no kernel")
    expect_error(call(rw, req("create", {"config": {
        "name": "ok", "kernel": "/x", "memory": -5}})), "EINVAL",
        "create, negative memory")
    expect_error(call(rw, req("create", {"config": {
        "name": "ok", "kernel": "/x", "on_crash": "explode"}})), "EINVAL",
        "create, a bad action")
    expect_error(call(rw, req("create", {"config": {
        "name": "ok", "kernel": "/x", "uuid": "not-a-uuid"}})), "EINVAL",
        "create, a bad uuid")

    # several requests in one write, and blank lines: answered in order
    s = connect(rw)
    f = s.makefile("rb")
    s.sendall(b"\n" + b"".join(json.dumps(req("hello", rid=i)).encode() +
                               b"\n\n" for i in range(50)))
    for i in range(50):
        rep = read_line(s, f)
        if rep is None or rep.get("id") != i:
            fail("pipelined request %d: %r" % (i, rep))
    # a request split across writes
    s.sendall(b'{"version":1,"id":"split",')
    s.sendall(b'"method":"hello"}\n')
    if read_line(s, f).get("id") != "split":
        fail("split request")
    s.close()

    # an oversized line: E2BIG, then the connection is closed
    s = connect(rw)
    f = s.makefile("rb")
    try:
        s.sendall(b"x" * (300 * 1024))
    except (BrokenPipeError, ConnectionResetError):
        pass
    rep = read_line(s, f)
    expect_error(rep, "E2BIG", "oversized line")
    if f.readline() != b"":
        fail("connection still open after an oversized line")
    s.close()
    # a line at the limit but not valid is just malformed
    expect_error(call(rw, b" " * (200 * 1024) + b"{\n"), "EBADMSG",
                 "a long malformed line")

    # a client that disconnects mid-request does no harm
    s = connect(rw)
    s.sendall(b'{"version":1,"method":"li')
    s.close()

    # a client that sends and never reads is held back, not served
    # without bound; others are served meanwhile
    flood = connect(rw)
    flood.settimeout(0.5)
    line = json.dumps(req("list")).encode() + b"\n"
    chunk = line * 1000
    sent = 0
    try:
        for _ in range(1000):
            flood.sendall(chunk)
            sent += len(chunk)
    except (socket.timeout, BlockingIOError):
        pass
    if sent >= 1000 * len(chunk):
        fail("xld read %d bytes from a client that reads nothing" % sent)
    expect_ok(call(rw, req("hello")), "hello while another client floods")
    # once it reads, it gets its replies, in order
    flood.settimeout(10)
    f = flood.makefile("rb")
    for i in range(3000):
        rep = read_line(flood, f)
        if rep is None or "result" not in rep:
            fail("flooding client, reply %d: %r" % (i, rep))
    flood.close()

    # the read-only socket: list and info yes, changes no
    res = expect_ok(call(ro, req("hello")), "ro hello")
    if res.get("writable") is not False:
        fail("ro hello says writable: %r" % res)
    expect_ok(call(ro, req("list")), "ro list")
    expect_ok(call(ro, req("info", {"domain": 0})), "ro info")
    for m, p in (("create", {"config": {"name": "x", "kernel": "/x"}}),
                 ("destroy", {"domain": "1"}), ("pause", {"domain": 1}),
                 ("unpause", {"domain": 1}), ("shutdown", {"domain": 1}),
                 ("reboot", {"domain": 1}),
                 ("rename", {"domain": 1, "name": "y"})):
        e = expect_error(call(ro, req(m, p)), "EACCES", "ro " + m)
        if "read-only" not in e["message"]:
            fail("ro %s: message does not say why: %r" % (m, e))

    # still alive and answering
    expect_ok(call(rw, req("hello")), "hello at the end")
    print("protocol: ok")


def lists(path, until):
    s = connect(path)
    s.settimeout(120)
    f = s.makefile("rb")
    line = json.dumps(req("list")).encode() + b"\n"
    n = 0
    while (n < int(until)) if until.isdigit() else not os.path.exists(until):
        t0 = time.monotonic()
        s.sendall(line)
        rep = read_line(s, f)
        if rep is None or "result" not in rep:
            fail("list: %r" % rep)
        print("%.1f" % ((time.monotonic() - t0) * 1000), flush=True)
        n += 1
    s.close()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "call":
        s = connect(sys.argv[2])
        f = s.makefile("rb")
        s.sendall(sys.argv[3].encode() + b"\n")
        line = f.readline()
        sys.stdout.write(line.decode())
        s.close()
    elif len(sys.argv) == 4 and sys.argv[1] == "events":
        s = connect(sys.argv[2])
        s.settimeout(60)
        f = s.makefile("rb")
        s.sendall(json.dumps(req("events")).encode() + b"\n")
        for line in f:
            sys.stdout.write(line.decode())
            sys.stdout.flush()
            ev = json.loads(line)
            if ev.get("event") == "gone" and \
                    ev["domain"]["name"] == sys.argv[3]:
                break
        s.close()
    elif len(sys.argv) == 4 and sys.argv[1] == "lists":
        lists(sys.argv[2], sys.argv[3])
    else:
        print(__doc__ or "usage: xld-raw.py check RUNDIR | call SOCK JSON",
              file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
