#!/usr/bin/env python3
# xl-migrate-relay.py MODE ARG -- CMD...: run CMD (xl migrate-receive)
# between the sender's pipes, and kill it at a chosen point, for
# tests/xl-migrate.sh:
#   stdin N  SIGKILL it once N bytes of the stream have been passed on
#            (the receiver dies mid-stream);
#   ready S  when it says "domain received, ready to unpause", send it
#            signal S before the sender hears it (dies before "go").
import os, signal, subprocess, sys, threading

mode, arg = sys.argv[1], sys.argv[2]
cmd = sys.argv[4:]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     bufsize=0)
READY = b"domain received, ready to unpause\0"
done = threading.Event()


def stop(sig):
    if not done.is_set():
        done.set()
        p.send_signal(sig)


def inbound():
    sent = 0
    while not done.is_set():
        b = os.read(0, 65536)
        if not b:
            break
        if mode == "stdin" and sent + len(b) >= int(arg):
            stop(signal.SIGKILL)
            break
        try:
            p.stdin.write(b)
        except OSError:
            break
        sent += len(b)
    try:
        p.stdin.close()
    except OSError:
        pass


def outbound():
    seen = b""
    while True:
        b = p.stdout.read(65536)
        if not b:
            break
        seen = (seen + b)[-4096:]
        if mode == "ready" and READY in seen:
            stop(getattr(signal, arg))
            break
        os.write(1, b)


t = threading.Thread(target=inbound, daemon=True)
t.start()
outbound()
p.wait()
# the sender sees both pipes close now
os._exit(0)
