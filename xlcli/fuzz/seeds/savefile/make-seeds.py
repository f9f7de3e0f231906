#!/usr/bin/env python3
# Write the seeds of xlcli/fuzz_savefile next to this script: save files
# as xl save writes them (xlcli/xl_savefile.h), then the start of a stream.
import os
import struct

MAGIC = b"Xen saved domain, xl format\n \0 \r"
JSON, KVM = 1, 1 << 31


def savefile(cfg, flags=JSON | KVM, order=0x01020304, stream=b"XLHVSTRM"):
    opt = b""
    if cfg is not None:
        opt = struct.pack("<I", len(cfg) + 1) + cfg + b"\0"
    return (MAGIC + struct.pack("<IIII", order, flags, 0, len(opt)) + opt +
            stream)


seeds = {
    "config.sav": savefile(b'{"name": "g", "memory": 16, "vcpus": 1}'),
    "no-config.sav": savefile(None, KVM),
    "empty-config.sav": MAGIC + struct.pack("<IIII", 0x01020304, JSON | KVM,
                                            0, 4) + b"\0\0\0\0",
    "xen-stream.sav": savefile(b'{"name": "x"}', JSON | 2),
    "byteorder.sav": savefile(b'{}', order=0x04030201),
}
here = os.path.dirname(os.path.abspath(__file__))
for name, data in seeds.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
