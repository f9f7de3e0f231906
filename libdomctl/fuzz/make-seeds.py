#!/usr/bin/env python3
# Write the seeds of fuzz_dc_client (see its header comment) into seeds/:
# byte 0 the call, byte 1 its argument, then one u16-length-prefixed
# chunk per connection: what the fake monitor answers.
import os
import struct

MAGIC, VERSION, REPLY = 0x43444C58, 1, 0x8000
HELLO, INFO, PAUSE, UNPAUSE, SHUTDOWN, DESTROY, WATCH, EVENT, SAVE, \
    SET_MEMORY, SET_VCPUS, SEND, PROGRESS = range(1, 14)


def msg(typ, seq, payload=b""):
    return struct.pack("<IHHII", MAGIC, VERSION, typ, seq,
                       len(payload)) + payload


def reply(typ, seq, status=0, body=b""):
    return msg(typ | REPLY, seq, struct.pack("<i", status) + body)


def info(state=1, reason=0):
    return struct.pack("<IIQQII", state, 2, 65536, 123456789, reason, 0)


def seed(call, arg, *chunks):
    out = bytes([call, arg])
    for c in chunks:
        out += struct.pack("<H", len(c)) + c
    return out


hello = struct.pack("<II", 1, 4242)
progress = struct.pack("<IIQQQQQQQII", 1, 0, 4096, 1024, 100, 50, 4194304,
                       1048576, 30, 0, 0)
send_reply = struct.pack("<QQIIQQ", 16777216, 4096, 3, 0, 1000000, 5000000)
seeds = {
    "info": seed(0, 0, reply(HELLO, 1, body=hello), reply(INFO, 2, body=info())),
    "info-shutdown": seed(0, 0, reply(HELLO, 1, body=hello),
                          reply(INFO, 2, body=info(4, 3))),
    "pause": seed(1, 0, reply(PAUSE, 1)),
    "pause-esrch": seed(1, 0, reply(PAUSE, 1, -3)),
    "unpause": seed(2, 0, reply(UNPAUSE, 1)),
    "shutdown": seed(3, 1, reply(SHUTDOWN, 1)),
    "set-memory": seed(4, 64, reply(SET_MEMORY, 1, -34)),
    "set-vcpus": seed(5, 2, reply(SET_VCPUS, 1)),
    "save": seed(6, 0, reply(SAVE, 1, body=struct.pack("<QQ", 1 << 24, 999))),
    "list": seed(7, 0, *[reply(HELLO if i % 2 == 0 else INFO, i + 1,
                               body=hello if i % 2 == 0 else info())
                         for i in range(6)]),
    "watch": seed(8, 0, reply(WATCH, 1) + msg(EVENT, 0, info()) +
                  msg(EVENT, 0, info(3)) + msg(EVENT, 0, info(4, 1))),
    "watch-start": seed(9, 0, reply(WATCH, 1) + msg(EVENT, 0, info(2))),
    "send": seed(10, 1, msg(PROGRESS, 1, progress) +
                 msg(PROGRESS, 1, progress) + reply(SEND, 1, body=send_reply)),
    "send-fail": seed(10, 4, msg(PROGRESS, 1, progress) +
                      reply(SEND, 1, -32)),
    "destroy": seed(11, 0, reply(DESTROY, 1)),
    "create": seed(12, 0, reply(HELLO, 1, -3)),
    "create-exists": seed(12, 0, reply(HELLO, 1, body=hello)),
    "restore": seed(13, 0, reply(HELLO, 1, -3)),
    "console": seed(14, 63, b"/dev/pts/3"),
    "crash-note": seed(15, 127, b"killed by the sandbox: forbidden system "
                       b"call 59 (x86_64) in thread 3\n"),
    # regressions: a status below -4095 (dc_wire_reply_status), and a
    # list of no domain at all (dc_domain_list's qsort of NULL)
    "regress-status-min": seed(1, 0, reply(PAUSE, 1, -0x80000000)),
    "regress-list-empty": seed(7, 1),
}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
os.makedirs(here, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
