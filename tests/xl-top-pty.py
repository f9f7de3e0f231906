#!/usr/bin/env python3
"""Drive `xl top`'s interactive screen through a pseudo-terminal.

    xl-top-pty.py XL NAME...

Starts `XL top -d 0.5` on a new pty (80x30) as its controlling terminal,
waits until the screen shows the summary, the table header and a row for
each NAME, cycles the sort column with 's', sets the delay with 'd' 1
Enter, then quits with 'q'; then again, quitting with Ctrl-C (SIGINT
from the terminal).  Checks that xl exits 0, that the terminal modes
(ICANON, ECHO) are as they were before, and that the last thing written
puts the cursor back and leaves the alternate screen.  Exits 0 when all
that held, 1 with what was seen when something did not.
"""
import fcntl
import os
import re
import select
import struct
import sys
import termios
import time

ESC = re.compile(rb"\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Z0-9]|[=>])|\r")


def run(xl, names, quit_key, keys):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 80, 0, 0))
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.execvp(xl, [xl, "top", "-d", "0.5"])
    out = b""

    def read_until(pred, secs, what):
        nonlocal out
        deadline = time.monotonic() + secs
        while not pred(ESC.sub(b"", out)):
            left = deadline - time.monotonic()
            if left <= 0:
                fail("timed out (%d s) waiting for %s" % (secs, what))
            r, _, _ = select.select([master], [], [], left)
            if r:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:
                    fail("the terminal closed while waiting for %s" % what)
                out += data

    def fail(why):
        sys.stderr.write("xl-top-pty: %s\n--- output:\n%s\n" %
                         (why, ESC.sub(b"", out).decode(errors="replace")))
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        sys.exit(1)

    def screen_ok(text):
        if not re.search(rb"\d+ domains: \d+ running, \d+ blocked", text):
            return False
        if not re.search(rb"Mem: \d+k total, \d+k used, \d+k free", text):
            return False
        if b"NAME  STATE   CPU(sec) CPU(%)" not in text:
            return False
        return all(re.search(rb"\n *" + re.escape(n.encode()) + rb" [-a-z]{6} ",
                             text) for n in names)

    read_until(screen_ok, 30, "the summary, the header and rows for %s" %
               " ".join(names))
    if b"\x1b[?1049h" not in out:
        fail("the alternate screen was not entered")
    during = termios.tcgetattr(slave)
    if during[3] & (termios.ICANON | termios.ECHO):
        fail("ICANON or ECHO still on while the screen runs")
    if keys:
        # a key redraws at once: the sort column's header is then bold
        mark = len(out)
        os.write(master, b"s")
        read_until(lambda t: re.search(rb"\x1b\[1m *NAME", out[mark:]), 10,
                   "NAME in bold after s")
        mark = len(out)
        os.write(master, b"d")
        read_until(lambda t: b"Delay(sec):" in ESC.sub(b"", out[mark:]), 10,
                   "the delay prompt after d")
        os.write(master, b"1\r")
        time.sleep(0.3)
    os.write(master, quit_key)
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            out += data
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            break
    if status is None:
        fail("xl top did not quit on %r" % quit_key)
    try:
        while select.select([master], [], [], 0.2)[0]:
            data = os.read(master, 65536)
            if not data:
                break
            out += data
    except OSError:
        pass
    if status != 0:
        fail("xl top exited %d" % status)
    after = termios.tcgetattr(slave)
    if after[3] != before[3] or after[6] != before[6]:
        fail("terminal modes not restored: lflag %#x, was %#x" %
             (after[3], before[3]))
    tail = out.rstrip(b"\r\n")
    if not tail.endswith(b"\x1b[?25h\x1b[?1049l"):
        fail("the screen was not put back: ends %r" % tail[-40:])
    os.close(master)
    os.close(slave)


def main():
    xl, names = sys.argv[1], sys.argv[2:]
    run(xl, names, b"q", True)
    run(xl, names, b"\x03", False)
    print("xl-top-pty: ok")


main()
