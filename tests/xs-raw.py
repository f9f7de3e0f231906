#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw XenStore wire protocol client for tests: hostile and odd input.

  xs-raw.py malformed SOCK      malformed messages; each gets its answer
  xs-raw.py watches SOCK N      add watches until refused; print the count
  xs-raw.py idle SOCK N         hold N idle connections until stdin closes
  xs-raw.py slow SOCK           a watcher that never reads, with writes
  xs-raw.py pipeline SOCK N PATH  N reads sent without waiting; replies in order
  xs-raw.py fuzz SOCK N SEED    N random (well framed) messages: each gets
                                one reply with its req_id, type or ERROR
  xs-raw.py xenstored SOCK CASE  answers as Debian's xenstored 4.17 gives
                                them (CASE: snapshot, watch-rm, paths,
                                domains, layout, event-size)
"""
import os
import socket
import struct
import sys
import threading
import time

HDR = struct.Struct("=IIII")
T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TXN_START=6, TXN_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10,
         WRITE=11, MKDIR=12, RM=13, SET_PERMS=14, WATCH_EVENT=15, ERROR=16,
         IS_INTRODUCED=17, RESUME=18, SET_TARGET=19, RESET_WATCHES=21,
         DIRECTORY_PART=22)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv_msg(s, skip_events=True):
    while True:
        h = recv_exact(s, HDR.size)
        if h is None:
            return None
        typ, req, tx, ln = HDR.unpack(h)
        body = recv_exact(s, ln) if ln else b""
        if typ == T["WATCH_EVENT"] and skip_events:
            continue
        return typ, req, tx, body


def send(s, typ, payload, req=0, tx=0, length=None):
    ln = len(payload) if length is None else length
    s.sendall(HDR.pack(typ, req, tx, ln) + payload)


def ask(s, typ, payload, req=0, tx=0):
    send(s, typ, payload, req, tx)
    return recv_msg(s)


def expect(s, typ, payload, want, what, req=0, tx=0):
    r = ask(s, typ, payload, req, tx)
    if r is None:
        sys.exit("%s: connection closed, wanted %r" % (what, want))
    rtyp, rreq, _, body = r
    if rreq != req:
        sys.exit("%s: req_id %d echoed as %d" % (what, req, rreq))
    got = ("ERROR " + body.rstrip(b"\0").decode()) if rtyp == T["ERROR"] \
        else body
    if isinstance(want, bytes) and rtyp == T["ERROR"]:
        sys.exit("%s: got %s, wanted %r" % (what, got, want))
    if got != want:
        sys.exit("%s: got %r, wanted %r" % (what, got, want))
    print("%s: ok" % what)


def malformed(path):
    s = connect(path)
    expect(s, T["WRITE"], b"/m/a\0hello", b"OK\0", "write")
    expect(s, T["READ"], b"/m/a\0", b"hello", "read")
    # xenstored's answer (the errno it has left: see xs_requests.c)
    expect(s, T["READ"], b"/m/a", "ERROR ENOENT", "path without NUL")
    expect(s, T["READ"], b"", "ERROR ENOENT", "empty payload")
    expect(s, T["WRITE"], b"/m/a", "ERROR EINVAL", "write without NUL")
    expect(s, T["READ"], b"/m//a\0", "ERROR EINVAL", "bad path")
    expect(s, T["READ"], b"/m/a b\0", "ERROR EINVAL", "space in path")
    expect(s, 99, b"/m/a\0", "ERROR ENOSYS", "unknown type")
    expect(s, 20, b"", "ERROR ENOSYS", "removed type RESTRICT")
    expect(s, T["WATCH_EVENT"], b"/m\0t\0", "ERROR ENOSYS", "event as request")
    expect(s, T["ERROR"], b"EINVAL\0", "ERROR ENOSYS", "error as request")
    expect(s, T["WATCH"], b"/m\0", "ERROR EINVAL", "watch without token")
    expect(s, T["READ"], b"/m/a\0", "ERROR ENOENT", "unknown transaction",
           tx=424242)
    expect(s, T["TXN_END"], b"X\0", "ERROR EINVAL", "bad transaction end")
    expect(s, T["DIRECTORY_PART"], b"/m\0x\0", "ERROR EINVAL",
           "bad directory offset")
    expect(s, T["SET_PERMS"], b"/m/a\0q7\0", "ERROR EINVAL", "bad perm")
    expect(s, T["GET_DOMAIN_PATH"], b"7\0", b"/local/domain/7\0",
           "get domain path")
    expect(s, T["GET_DOMAIN_PATH"], b"7x\0", b"/local/domain/7\0",
           "domid read as atoi() does")
    expect(s, T["READ"], b"/m/a\0", b"hello", "req_id echoed", req=0xdeadbeef)
    # values may hold any byte, NUL included
    expect(s, T["WRITE"], b"/m/bin\0a\0b\xff", b"OK\0", "binary write")
    expect(s, T["READ"], b"/m/bin\0", b"a\0b\xff", "binary read")
    # several requests in one write: replies in order
    s.sendall(b"".join(HDR.pack(T["READ"], i, 0, 5) + b"/m/a\0"
                       for i in range(1, 51)))
    for i in range(1, 51):
        r = recv_msg(s)
        if r is None or r[1] != i or r[3] != b"hello":
            sys.exit("pipelined reply %d: %r" % (i, r))
    print("pipelined: ok")
    # a message split into single bytes
    msg = HDR.pack(T["READ"], 7, 0, 5) + b"/m/a\0"
    for b in msg:
        s.send(bytes([b]))
        time.sleep(0.001)
    r = recv_msg(s)
    if r is None or r[1] != 7 or r[3] != b"hello":
        sys.exit("byte-by-byte message: %r" % (r,))
    print("byte by byte: ok")
    # a value of exactly the payload limit, then one over it
    expect(s, T["WRITE"], b"/m/big\0" + b"v" * (4096 - 7), b"OK\0",
           "payload at the limit")
    send(s, T["WRITE"], b"", length=4097)
    if recv_msg(s) is not None:
        sys.exit("oversized message: connection not closed")
    print("oversized header: closed")
    # a header cut short, then hang up
    s = connect(path)
    s.sendall(HDR.pack(T["READ"], 0, 0, 100)[:10])
    s.close()
    s = connect(path)
    s.sendall(HDR.pack(T["READ"], 0, 0, 100) + b"/m/a")
    s.close()
    # random garbage
    s = connect(path)
    s.sendall(os.urandom(3000))
    s.close()
    s = connect(path)
    expect(s, T["READ"], b"/m/a\0", b"hello", "still serving")


def watches(path, n):
    s = connect(path)
    count = 0
    for i in range(n):
        r = ask(s, T["WATCH"], b"/local\0tok%d\0" % i)
        if r is None:
            sys.exit("connection closed")
        if r[0] == T["ERROR"]:
            print(count, r[3].rstrip(b"\0").decode())
            return
        count += 1
    print(count, "unlimited")


def idle(path, n):
    conns = [connect(path) for _ in range(n)]
    print("ready", len(conns), flush=True)
    sys.stdin.read()
    for c in conns:
        c.close()


def slow(path):
    """Watch, never read, while another connection writes a lot: the
    writer must not stall, and the watcher is dropped past its limit."""
    w = connect(path)
    w.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    send(w, T["WATCH"], b"/slow\0tok\0")
    c = connect(path)
    start = time.time()
    key = b"/slow/" + b"k" * 2000
    for i in range(10000):
        expect_quiet(c, T["WRITE"], key + b"\0x")
    took = time.time() - start
    print("writer: 10000 writes in %.2fs" % took)
    # the watcher's connection was dropped: reading ends in EOF
    w.settimeout(10)
    total = 0
    while True:
        try:
            chunk = w.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        total += len(chunk)
    print("watcher: dropped after %d bytes" % total)


def pipeline(path, n, node):
    """Send n requests at once (from a thread) while reading: every reply
    arrives, in order, even past the outstanding-request quota."""
    s = connect(path)
    msg = node.encode() + b"\0"
    data = b"".join(HDR.pack(T["READ"], i, 0, len(msg)) + msg
                    for i in range(1, n + 1))
    sender = threading.Thread(target=s.sendall, args=(data,))
    sender.start()
    for i in range(1, n + 1):
        r = recv_msg(s)
        if r is None or r[1] != i:
            sys.exit("reply %d: %r" % (i, r))
    sender.join()
    print("pipelined %d: in order" % n)


def fuzz(path, n, seed):
    import random
    rnd = random.Random(seed)
    words = [b"/", b"/f", b"/f/a", b"/f/a/b", b"f/rel", b"@introduceDomain",
             b"@releaseDomain", b"/local/domain/5", b"", b"//", b"/f/",
             b"n0", b"r5", b"b0", b"w7", b"T", b"F", b"0", b"5", b"7",
             b"4096", b"-1", b"99999999999", b"x" * 300, b"/f/" + b"y" * 3000,
             b"\xff\xfe", b"tok"]
    s = connect(path)
    txns = [0]
    for i in range(1, n + 1):
        typ = rnd.choice(list(T.values()) + [20, 23, 99, 0xffff])
        if typ in (T["RELEASE"], T["RESET_WATCHES"]) and rnd.random() < 0.8:
            typ = T["READ"]
        parts = [rnd.choice(words) for _ in range(rnd.randint(0, 4))]
        payload = b"\0".join(parts)
        if rnd.random() < 0.7:
            payload += b"\0"
        payload = payload[:4096]
        tx = rnd.choice(txns) if rnd.random() < 0.5 else rnd.randint(0, 5)
        send(s, typ, payload, req=i, tx=tx)
        r = recv_msg(s)
        if r is None:
            sys.exit("message %d (type %d, %r): connection closed"
                     % (i, typ, payload[:60]))
        rtyp, rreq, _, body = r
        if rreq != i or rtyp not in (typ, T["ERROR"]):
            sys.exit("message %d (type %d): reply type %d req %d"
                     % (i, typ, rtyp, rreq))
        if typ == T["TXN_START"] and rtyp == typ:
            txns.append(int(body.rstrip(b"\0")))
    print("fuzz %d: ok" % n)


def txn_start(s):
    r = ask(s, T["TXN_START"], b"\0")
    if r is None or r[0] != T["TXN_START"]:
        sys.exit("transaction start: %r" % (r,))
    return int(r[3].rstrip(b"\0"))


def snapshot(s):
    """A transaction sees each node as it first saw it: a read, a listing
    or an absence stays what it was while others change the node, and
    the commit then fails with EAGAIN."""
    expect(s, T["WRITE"], b"/s/n\0a", b"OK\0", "write")
    expect(s, T["WRITE"], b"/s/d/k\0k", b"OK\0", "write child")
    t = txn_start(s)
    expect(s, T["READ"], b"/s/n\0", b"a", "read in transaction", tx=t)
    expect(s, T["DIRECTORY"], b"/s/d\0", b"k\0", "list in transaction",
           tx=t)
    expect(s, T["READ"], b"/s/x\0", "ERROR ENOENT", "absent in transaction",
           tx=t)
    expect(s, T["WRITE"], b"/s/n\0b", b"OK\0", "write outside")
    expect(s, T["WRITE"], b"/s/d/new\0v", b"OK\0", "new child outside")
    expect(s, T["WRITE"], b"/s/x\0v", b"OK\0", "new node outside")
    expect(s, T["READ"], b"/s/n\0", b"b", "read outside")
    expect(s, T["READ"], b"/s/n\0", b"a", "read again in transaction",
           tx=t)
    expect(s, T["DIRECTORY"], b"/s/d\0", b"k\0",
           "list again in transaction", tx=t)
    expect(s, T["READ"], b"/s/x\0", "ERROR ENOENT",
           "absent again in transaction", tx=t)
    expect(s, T["RM"], b"/s/n\0", b"OK\0", "rm outside")
    expect(s, T["READ"], b"/s/n\0", b"a", "read after rm in transaction",
           tx=t)
    expect(s, T["TXN_END"], b"T\0", "ERROR EAGAIN", "commit", tx=t)


def sync_events(w):
    """The watch events queued for w so far: a request's reply follows
    them on the same connection."""
    send(w, T["READ"], b"/\0", req=0x5eed)
    out = []
    while True:
        r = recv_msg(w, skip_events=False)
        if r is None:
            sys.exit("watcher: connection closed")
        if r[0] != T["WATCH_EVENT"]:
            return out
        out.append(b" ".join(r[3].split(b"\0")[:2]).decode())


def expect_events(w, want, what):
    got = sync_events(w)
    if got != want:
        sys.exit("%s: events %r, wanted %r" % (what, got, want))
    print("%s: ok" % what)


def watch_rm(s):
    """A removal fires the watches on each node it deletes, children
    first, then those on the node and above it, each change's events in
    the order the watches were registered; nothing for a watched node
    that is already gone."""
    w = connect(s.getpeername())
    for p in (b"/a", b"/a/b", b"/a/b/c", b"/a/x", b"/"):
        expect(w, T["WATCH"], p + b"\0" + p + b"\0", b"OK\0", "watch " +
               p.decode())
    sync_events(w)
    expect(s, T["WRITE"], b"/a/b/c\0v", b"OK\0", "write")
    expect_events(w, ["/a/b/c /a", "/a/b/c /a/b", "/a/b/c /a/b/c",
                      "/a/b/c /"], "write: in registration order")
    expect(s, T["RM"], b"/a/b/c\0", b"OK\0", "rm the watched node")
    expect_events(w, ["/a/b/c /a", "/a/b/c /a/b", "/a/b/c /a/b/c",
                      "/a/b/c /"], "rm the watched node: events")
    expect(s, T["RM"], b"/a\0", b"OK\0", "rm its ancestor")
    expect_events(w, ["/a/b /a/b", "/a /a", "/a /"],
                  "rm its ancestor: nothing for the node gone")
    expect(s, T["WRITE"], b"/a/b/c\0v", b"OK\0", "write again")
    expect(s, T["WRITE"], b"/a/x\0v", b"OK\0", "write a sibling")
    sync_events(w)
    expect(s, T["RM"], b"/a\0", b"OK\0", "rm the subtree")
    expect_events(w, ["/a/b/c /a/b/c", "/a/b /a/b", "/a/x /a/x", "/a /a",
                      "/a /"], "rm the subtree: children first")
    expect(s, T["WRITE"], b"/a/b/c\0v", b"OK\0", "write once more")
    sync_events(w)
    t = txn_start(s)
    expect(s, T["RM"], b"/a/b/c\0", b"OK\0", "rm in a transaction", tx=t)
    expect(s, T["RM"], b"/a\0", b"OK\0", "rm its ancestor there", tx=t)
    expect(s, T["TXN_END"], b"T\0", b"OK\0", "commit", tx=t)
    expect_events(w, ["/a/b/c /a", "/a/b/c /a/b", "/a/b/c /a/b/c",
                      "/a/b/c /", "/a/b /a/b", "/a /a", "/a /"],
                  "commit: each node once")


def paths(s):
    """At most 2048 characters below a domain's home, or in all
    elsewhere, for Domain-0 too: longer paths are EINVAL.  READ, DIRECTORY
    and GET_PERMS of a payload that is not one string answer ENOENT (the
    errno xenstored has left after a request that succeeded); requests
    that take a fixed number of strings refuse more."""
    a = b"a" * 2048
    expect(s, T["READ"], b"/" + a[1:] + b"\0", "ERROR ENOENT", "2048 long")
    expect(s, T["READ"], b"/" + a + b"\0", "ERROR EINVAL", "2049 long")
    expect(s, T["READ"], b"/" + a + a[:1023] + b"\0", "ERROR EINVAL",
           "3072 long")
    expect(s, T["WRITE"], b"/" + a + b"\0v", "ERROR EINVAL", "write 2049")
    expect(s, T["WATCH"], b"/" + a + b"\0t\0", "ERROR EINVAL", "watch 2049")
    expect(s, T["READ"], b"/local/domain/0/" + a + b"\0", "ERROR ENOENT",
           "2048 below a home")
    expect(s, T["READ"], b"/local/domain/7/" + a + b"a\0", "ERROR EINVAL",
           "2049 below a home")
    expect(s, T["READ"], a + b"a\0", "ERROR EINVAL", "2049 relative")
    expect(s, T["WRITE"], b"/p/n\0v", b"OK\0", "write")
    for what, typ, payload in (
            ("read without NUL", T["READ"], b"/p/n"),
            ("read of nothing", T["READ"], b""),
            ("read of two strings", T["READ"], b"/p/n\0x\0"),
            ("list of two strings", T["DIRECTORY"], b"/p\0x\0"),
            ("perms without NUL", T["GET_PERMS"], b"/p/n")):
        expect(s, T["READ"], b"/p/n\0", b"v", "read before")
        expect(s, typ, payload, "ERROR ENOENT", what)
    expect(s, T["WATCH"], b"/p\0t\0x\0", "ERROR EINVAL",
           "watch of three strings")
    expect(s, T["GET_DOMAIN_PATH"], b"5\0x\0", "ERROR EINVAL",
           "domain path of two strings")
    t = txn_start(s)
    expect(s, T["TXN_END"], b"F\0x\0", "ERROR EINVAL",
           "transaction end of two strings", tx=t)
    expect(s, T["TXN_END"], b"F\0", b"OK\0", "the transaction stayed", tx=t)


def domains(s):
    """Domids read with atoi() (junk is 0, "7x" is 7); SET_TARGET names
    Domain-0 or introduced domains only, ENOENT otherwise."""
    for arg, want in ((b"abc", b"0"), (b"7x", b"7"), (b"", b"0"),
                      (b"-1", b"4294967295"), (b"99999999999", b"1215752191")):
        expect(s, T["GET_DOMAIN_PATH"], arg + b"\0",
               b"/local/domain/" + want + b"\0", "domain path of %r" % arg)
    expect(s, T["SET_TARGET"], b"5\0006\0", "ERROR ENOENT",
           "target of unknown domains")
    expect(s, T["INTRODUCE"], b"5\0001\0002\0", b"OK\0", "introduce 5")
    expect(s, T["SET_TARGET"], b"5\0006\0", "ERROR ENOENT",
           "target unknown")
    expect(s, T["SET_TARGET"], b"6\0005\0", "ERROR ENOENT",
           "domain unknown")
    expect(s, T["SET_TARGET"], b"5\0000\0", b"OK\0", "target Domain-0")
    expect(s, T["SET_TARGET"], b"5\0005\0", b"OK\0", "target itself")
    expect(s, T["SET_TARGET"], b"0\0005\0", b"OK\0", "Domain-0's target")
    expect(s, T["SET_TARGET"], b"abc\0x\0", b"OK\0", "junk is Domain-0")
    expect(s, T["IS_INTRODUCED"], b"5x\0", b"T\0", "introduced 5x")
    expect(s, T["IS_INTRODUCED"], b"abc\0", b"T\0", "introduced abc")
    expect(s, T["IS_INTRODUCED"], b"6\0", b"F\0", "introduced 6")


def layout(s):
    """A fresh store holds xenstored's own directory, /tool/xenstored:
    empty, Domain-0's, readable by no one else."""
    r = ask(s, T["DIRECTORY"], b"/\0")
    if r is None or b"tool" not in r[3].split(b"\0"):
        sys.exit("root: %r, wanted tool in it" % (r,))
    print("tool in the root: ok")
    expect(s, T["DIRECTORY"], b"/tool\0", b"xenstored\0", "/tool")
    expect(s, T["DIRECTORY"], b"/tool/xenstored\0", b"", "/tool/xenstored")
    expect(s, T["READ"], b"/tool\0", b"", "/tool empty")
    expect(s, T["READ"], b"/tool/xenstored\0", b"", "/tool/xenstored empty")
    expect(s, T["GET_PERMS"], b"/tool\0", b"n0\0", "/tool perms")
    expect(s, T["GET_PERMS"], b"/tool/xenstored\0", b"n0\0",
           "/tool/xenstored perms")


def event_size(s):
    """A watch event longer than a message may be (a long token, a long
    path) is dropped; the watcher's connection carries on."""
    w = connect(s.getpeername())
    tok = b"t" * 4092
    expect(w, T["WATCH"], b"/\0" + tok + b"\0", b"OK\0", "watch")
    expect_events(w, ["/ " + tok.decode()], "the first event: 4095 bytes")
    expect(s, T["WRITE"], b"/e\0v", b"OK\0", "write /e")
    expect_events(w, ["/e " + tok.decode()], "an event of 4096 bytes")
    expect(s, T["WRITE"], b"/e/longer\0v", b"OK\0", "write /e/longer")
    expect_events(w, [], "an event of 4103 bytes: dropped")
    expect(w, T["READ"], b"/e/longer\0", b"v", "the watcher still served")


XENSTORED_CASES = {"snapshot": snapshot, "watch-rm": watch_rm, "paths": paths,
                   "domains": domains, "layout": layout,
                   "event-size": event_size}


def xenstored(path, case):
    XENSTORED_CASES[case](connect(path))


def expect_quiet(s, typ, payload):
    r = ask(s, typ, payload)
    if r is None or r[0] == T["ERROR"]:
        sys.exit("request failed: %r" % (r,))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "malformed":
        malformed(path)
    elif cmd == "watches":
        watches(path, int(sys.argv[3]))
    elif cmd == "idle":
        idle(path, int(sys.argv[3]))
    elif cmd == "slow":
        slow(path)
    elif cmd == "fuzz":
        fuzz(path, int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "xenstored":
        xenstored(path, sys.argv[3])
    elif cmd == "pipeline":
        pipeline(path, int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
