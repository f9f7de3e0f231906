#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write fuzz_wire's seed corpus into seeds/ (next to this script).

Each seed is a sequence of records, each ended by SEP: a byte naming the
connection (0 and 1 act as Domain-0, 2 as domain 5), then a wire message
(xs_wire.h header in host byte order, then its payload; fuzz_wire sets the
header's length unless the byte has RAW).  The first byte's top bit has
the run journaled: half the seeds set it."""
import os
import struct

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TXN_START=6, TXN_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10,
         WRITE=11, MKDIR=12, RM=13, SET_PERMS=14, IS_INTRODUCED=17,
         RESUME=18, SET_TARGET=19, RESET_WATCHES=21, DIRECTORY_PART=22)


SEP = b"\xffXS\xff"
RAW = 0x40


def msg(conn, typ, *args, tx=0, req=0, raw=None):
    payload = raw if raw is not None else b"".join(a + b"\0" for a in args)
    return bytes([conn]) + struct.pack("=IIII", T[typ], req, tx,
                                       len(payload)) + payload


SEEDS = {
    "nodes": [
        msg(0, "WRITE", raw=b"/a/b\0value"),
        msg(0, "READ", b"/a/b"),
        msg(0, "MKDIR", b"/a/c"),
        msg(0, "DIRECTORY", b"/a"),
        msg(0, "DIRECTORY_PART", b"/a", b"0"),
        msg(0, "GET_PERMS", b"/a/b"),
        msg(0, "SET_PERMS", b"/a/b", b"n5", b"r0"),
        msg(0, "RM", b"/a"),
        msg(0, "READ", b"/a/b"),
    ],
    "transactions": [
        msg(0, "WRITE", raw=b"/t/n\0a"),
        msg(0, "TXN_START", b""),
        msg(0, "READ", b"/t/n", tx=1),
        msg(0, "DIRECTORY", b"/t", tx=1),
        msg(1, "WRITE", raw=b"/t/n\0b"),
        msg(1, "WRITE", raw=b"/t/m\0c"),
        msg(0, "READ", b"/t/n", tx=1),
        msg(0, "WRITE", raw=b"/t/k\0d", tx=1),
        msg(0, "RM", b"/t/n", tx=1),
        msg(0, "TXN_END", b"T", tx=1),
        msg(1, "TXN_START", b""),
        msg(1, "RM", b"/t", tx=2),
        msg(1, "TXN_END", b"T", tx=2),
    ],
    "watches": [
        msg(1, "WATCH", b"/w", b"tok"),
        msg(1, "WATCH", b"/w/x/y", b"deep"),
        msg(2, "WATCH", b"data", b"rel"),
        msg(0, "WRITE", raw=b"/w/x/y\0v"),
        msg(0, "RM", b"/w/x/y"),
        msg(0, "RM", b"/w"),
        msg(1, "UNWATCH", b"/w", b"tok"),
        msg(1, "WATCH", b"@releaseDomain", b"rel"),
        msg(1, "RESET_WATCHES", b""),
    ],
    "guest": [
        msg(0, "MKDIR", b"/local/domain/5"),
        msg(0, "SET_PERMS", b"/local/domain/5", b"n5"),
        msg(2, "WRITE", raw=b"data/k\0v"),
        msg(2, "READ", b"data/k"),
        msg(2, "TXN_START", b""),
        msg(2, "WRITE", raw=b"data/t\0w", tx=1),
        msg(2, "DIRECTORY", b"data", tx=1),
        msg(2, "TXN_END", b"T", tx=1),
        msg(2, "SET_PERMS", b"data", b"n5", b"r0"),
        msg(2, "READ", b"/local/domain/0"),
        msg(2, "GET_DOMAIN_PATH", b"5"),
    ],
    "domains": [
        msg(0, "INTRODUCE", b"7", b"1", b"2"),
        msg(0, "IS_INTRODUCED", b"7"),
        msg(0, "SET_TARGET", b"5", b"7"),
        msg(0, "GET_DOMAIN_PATH", b"abc"),
        msg(0, "RESUME", b"7"),
        msg(0, "RELEASE", b"7"),
        msg(0, "CONTROL", b"quota"),
    ],
    "limits": [
        msg(1, "WATCH", b"/", b"t" * 3990),
        msg(0, "WRITE", raw=b"/" + b"p" * 80 + b"\0" + b"v" * 3900),
        msg(0, "DIRECTORY_PART", b"/", b"0"),
        # an event for this write would be over 4096 bytes: dropped
        msg(1, "WRITE", raw=b"/" + b"q" * 110 + b"\0v"),
        msg(2, "WRITE", raw=b"data/" + b"r" * 2040 + b"\0v"),
    ],
    "malformed": [
        msg(0, "READ", raw=b"/a"),
        msg(0, "WRITE", raw=b""),
        msg(0, "TXN_END", b"T", tx=99),
        bytes([1]) + struct.pack("=IIII", 99, 0, 0, 0),
        bytes([2 | RAW]) + struct.pack("=IIII", T["READ"], 0, 0, 5000),
        bytes([0 | RAW]) + struct.pack("=IIII", T["READ"], 0, 0, 30) + b"/a",
    ],
}


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
    os.makedirs(here, exist_ok=True)
    for i, (name, records) in enumerate(sorted(SEEDS.items())):
        data = bytearray(SEP.join(records))
        if i % 2:
            data[0] |= 0x80
        with open(os.path.join(here, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
