#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Write the binary seed corpora of hypervisor/fuzz/ (small valid inputs);
# the generated files are committed too.  Usage: gen_seeds.py [SEEDS_DIR]
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else \
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def put(name, data):
    d = os.path.join(OUT, os.path.dirname(name))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# ---- fuzz_virtqueue -----------------------------------------------------
Q = [(8, 0x1000, 0x2000, 0x3000), (8, 0x4000, 0x5000, 0x6000),
     (0, 0, 0, 0), (0, 0, 0, 0)]


def vq_hdr(dev):
    return bytes([dev]) + b"".join(struct.pack("<HIII", *q) for q in Q)


def wr(gpa, data):
    return struct.pack("<BIH", 0, gpa, len(data)) + data


def kick(q):
    return struct.pack("<BB", 1, q)


def frame(data):
    return struct.pack("<BH", 2, len(data)) + data


def chain(q, descs, slot=0, idx=1):
    """Descriptors from 0 (addr, len, flags), one avail entry."""
    out = b""
    table = b""
    for i, (addr, n, flags) in enumerate(descs):
        nxt = i + 1 if i + 1 < len(descs) else 0
        if i + 1 < len(descs):
            flags |= 1
        table += struct.pack("<QIHH", addr, n, flags, nxt)
    out += wr(Q[q][1], table)
    out += wr(Q[q][2] + 4 + 2 * slot, struct.pack("<H", 0))
    out += wr(Q[q][2] + 2, struct.pack("<H", idx))
    return out


def blk(typ, sector, n, write_data):
    hdr = struct.pack("<IIQ", typ, 0, sector)
    descs = [(0x10000, 16, 0)]
    if n:
        descs.append((0x11000, n, 0 if write_data else 2))
    descs.append((0x12000, 1, 2))
    return wr(0x10000, hdr) + chain(0, descs) + kick(0)


R, W = 0, 2
put("virtqueue/bare-chain", vq_hdr(0) + wr(0x8000, b"hello") +
    chain(0, [(0x8000, 16, R), (0x9000, 512, W), (0x9800, 1, W)]) + kick(0))
put("virtqueue/bare-two", vq_hdr(0) +
    chain(0, [(0x8000, 64, R)]) + kick(0) +
    chain(0, [(0x9000, 64, W)], slot=1, idx=2) + kick(0))
put("virtqueue/vblk-read", vq_hdr(1) + blk(0, 1, 1024, False))
put("virtqueue/vblk-write", vq_hdr(1) + wr(0x11000, b"W" * 512) +
    blk(1, 2, 512, True))
put("virtqueue/vblk-flush", vq_hdr(1) + blk(4, 0, 0, False))
put("virtqueue/vblk-getid", vq_hdr(1) + blk(8, 0, 20, False))
eth = b"\xff" * 6 + b"\x52\x54\x00\x01\x02\x03" + b"\x08\x00" + b"x" * 46
put("virtqueue/vnet-tx", vq_hdr(2) + wr(0x8000, b"\0" * 12 + eth) +
    chain(1, [(0x8000, 12 + len(eth), R)]) + kick(1))
put("virtqueue/vnet-rx", vq_hdr(2) + frame(b"\0" * 12 + eth) +
    chain(0, [(0x8000, 2048, W)]) + kick(0))
pfns = struct.pack("<III", 256, 257, 300)
put("virtqueue/vballoon-inflate", vq_hdr(3) + wr(0x8000, pfns) +
    chain(0, [(0x8000, len(pfns), R)]) + kick(0) +
    wr(0x9000, struct.pack("<I", 257)) +
    chain(1, [(0x9000, 4, R)]) + kick(1))


# ---- fuzz_state ---------------------------------------------------------
def crc32c(data, crc=0):
    c = ~crc & 0xffffffff
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
    return ~c & 0xffffffff


SEC_VM, SEC_VCPU, SEC_DEVICE, SEC_RAM, SEC_END = 1, 5, 6, 7, 8
F_ALL = 7   # no clock, no irqchip, no PIT: what a VM without KVM has


def section(typ, inst, payload):
    sh = struct.pack("<IIQI", typ, inst, len(payload), 0)
    return sh + struct.pack("<I", crc32c(sh)) + payload + \
        struct.pack("<I", crc32c(payload))


def state_file(ram_mb, pages, devs, flags=F_ALL):
    npages = ram_mb << 8
    words = (npages + 63) // 64
    bitmap = [0] * words
    for i in sorted(pages):
        bitmap[i // 64] |= 1 << (i % 64)
    ram = struct.pack("<Q", npages) + \
        b"".join(struct.pack("<Q", w) for w in bitmap) + \
        b"".join(pages[i] for i in sorted(pages))
    rec = b""
    for kind, body in ((1, b"\0" * 144), (2, b"\0" * 312),
                       (6, struct.pack("<II", 0, 0)),
                       (8, struct.pack("<I", 0))):
        rec += struct.pack("<II", kind, len(body)) + body + \
            b"\0" * (-len(body) % 8)
    secs = [section(SEC_VM, 0, struct.pack("<IIQ", 0, 0, 0)),
            section(SEC_VCPU, 0, rec)]
    for i, d in enumerate(devs):
        secs.append(section(SEC_DEVICE, i, d))
    secs += [section(SEC_RAM, 0, ram), section(SEC_END, 0, b"")]
    h = b"XLHVSTAT" + struct.pack("<IIQIII", 1, 48, ram_mb << 20, 1,
                                  len(secs), flags) + b"\0" * 8
    return h + struct.pack("<I", crc32c(h)) + b"".join(secs)


def mmio(status, queues, features=1 << 32):
    out = struct.pack("<QIIIIIIII", features if status & 8 else 0,
                      0, 0, 0, status, 0, 1, len(queues), 0)
    for q in queues:
        num, desc, avail, used, last, uidx = q
        out += struct.pack("<IIQQQHHI", num, 1 if num else 0, desc,
                           avail, used, last, uidx, 0)
    return out


def dev(name, body):
    return name.encode().ljust(16, b"\0") + body


IDLE = (0, 0, 0, 0, 0, 0)
BALLOON = struct.pack("<QII", 1024, 0, 0)
put("state/idle", b"\0" + state_file(4, {}, [
    dev("vblk0", mmio(0, [IDLE])),
    dev("vnet0", mmio(0, [IDLE, IDLE])),
    dev("vballoon", mmio(0, [IDLE, IDLE]) + BALLOON)]))
# A read request the guest queued before the save, served after the load.
page1 = bytearray(4096)
struct.pack_into("<QIHHQIHHQIHH", page1, 0, 0x1800, 16, 1, 1,
                 0x2000, 512, 3, 2, 0x1900, 1, 2, 0)
struct.pack_into("<HHH", page1, 0x200, 0, 1, 0)
struct.pack_into("<IIQ", page1, 0x800, 0, 0, 3)
RUN = (8, 0x1000, 0x1200, 0x1400, 0, 0)
put("state/queued-read", b"\0" + state_file(4, {1: bytes(page1),
                                         2: b"\0" * 4096}, [
    dev("vblk0", mmio(15, [RUN])),
    dev("vnet0", mmio(15, [IDLE, IDLE])),
    dev("vballoon", mmio(15, [IDLE, IDLE]) + BALLOON)]))
# The same with the checksums left to the target (mode 1).
for name in ("idle", "queued-read"):
    with open(os.path.join(OUT, "state", name), "rb") as f:
        put("state/%s-crcfix" % name, b"\1" + f.read()[1:])


# ---- fuzz_ctl -----------------------------------------------------------
HELLO, INFO, PAUSE, UNPAUSE, SHUTDOWN, DESTROY, WATCH = 1, 2, 3, 4, 5, 6, 7
SAVE, SET_MEMORY, SET_VCPUS, SEND = 9, 10, 11, 12


def req(typ, seq, payload=b""):
    return struct.pack("<IHHII", 0x43444c58, 1, typ, seq,
                       len(payload)) + payload


def rec(data, client=0, fd=False, stopped=False, hangup=False):
    flags = client | (2 if fd else 0) | (4 if stopped else 0) | \
        (8 if hangup else 0)
    return struct.pack("<BH", flags, len(data)) + data


save = struct.pack("<II", 0, 0) + b"/tmp/fuzz.save".ljust(1024, b"\0")
send = struct.pack("<IIQII", 1, 300, 0, 0, 0)
put("ctl/hello-info", rec(req(HELLO, 1) + req(INFO, 2)))
put("ctl/watch-pause", rec(req(WATCH, 1), client=1) +
    rec(req(PAUSE, 1) + req(INFO, 2) + req(UNPAUSE, 3)))
put("ctl/set-memory", rec(req(SET_MEMORY, 1, struct.pack("<Q", 2048))) +
    rec(req(SET_VCPUS, 2, struct.pack("<II", 1, 0))) +
    rec(req(SHUTDOWN, 3, struct.pack("<I", 1))))
put("ctl/save-destroy", rec(req(SAVE, 7, save)) +
    rec(req(DESTROY, 8), client=1))
put("ctl/send-fd", rec(req(SEND, 5, send), fd=True) +
    rec(req(INFO, 6), stopped=True, hangup=True))
put("ctl/split", rec(req(HELLO, 1)[:7]) + rec(req(HELLO, 1)[7:]))


# ---- fuzz_loader --------------------------------------------------------
def elf(segments, entry):
    """ET_EXEC x86-64: segments are (p_type, p_flags, paddr, data, memsz)."""
    off = 64 + 56 * len(segments)
    ph = b""
    body = b""
    for typ, fl, paddr, data, memsz in segments:
        ph += struct.pack("<IIQQQQQQ", typ, fl, off + len(body), paddr,
                          paddr, len(data), memsz, 0x1000)
        body += data
    eh = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9 + \
        struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, 64, 0, 0, 64, 56,
                    len(segments), 64, 0, 0)
    return eh + ph + body


PT_LOAD, PT_NOTE, PF_X, PF_R = 1, 4, 1, 4
code = b"\xf4" * 16
abi = struct.pack("<III", 5, 4, 1) + b"XLHV\0\0\0\0" + struct.pack("<I", 1)
put("loader/elf-test", b"\0" + elf([(PT_LOAD, PF_R | PF_X, 0x100000, code,
                                      0x1000),
                                     (PT_NOTE, PF_R, 0, abi, len(abi))],
                                    0x100000))
note = struct.pack("<III", 4, 4, 18) + b"Xen\0" + struct.pack("<I", 0x100000)
pvh = elf([(PT_LOAD, PF_R | PF_X, 0x100000, code, 0x2000),
           (PT_NOTE, PF_R, 0, note, len(note))], 0x100000)
put("loader/pvh", b"\0" + pvh)
put("loader/pvh-initrd-cmdline", bytes([1 | (3 << 1)]) +
    struct.pack("<I", 512) + b"I" * 512 + pvh)

bz = bytearray(1024 + 512)
bz[0x1f1] = 1
struct.pack_into("<I", bz, 0x1f4, 512 // 16)
struct.pack_into("<H", bz, 0x1fe, 0xaa55)
bz[0x200:0x202] = bytes([0xeb, 0x66])
bz[0x202:0x206] = b"HdrS"
struct.pack_into("<H", bz, 0x206, 0x020f)
bz[0x211] = 1
struct.pack_into("<I", bz, 0x22c, 0x37ffffff)
struct.pack_into("<I", bz, 0x230, 0x200000)
bz[0x234] = 1
struct.pack_into("<H", bz, 0x236, 1)
struct.pack_into("<I", bz, 0x238, 2047)
struct.pack_into("<Q", bz, 0x258, 0x200000)
struct.pack_into("<I", bz, 0x260, 0x100000)
put("loader/bzimage", b"\0" + bytes(bz))
put("loader/bzimage-initrd-cmdline", bytes([1 | (2 << 1)]) +
    struct.pack("<I", 4096) + b"R" * 4096 + bytes(bz))
