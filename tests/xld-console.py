#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive an interactive command (xl console, xl create -c) through a real
pseudo-terminal, as a person at a terminal would.

usage: xld-console.py CMD [ARG...] -- STEP...

Steps, run in order; the first that fails prints what the terminal showed
and exits 1:
  expect:REGEX   wait (10 s, or $XLD_TERM_TIMEOUT) for REGEX in the output not yet matched
  absent:REGEX   REGEX is not in the output so far
  count:MIN:MAX:REGEX  REGEX matches MIN to MAX times in the output so far
  send:TEXT      type TEXT (Python escapes: \\n, \\x1d for Ctrl-])
  raw            the terminal is in raw mode (no echo, no line editing)
  restored       the terminal's modes are as before the command ran
  shell:CMD      run CMD with sh; it must succeed
  signal:NAME    send signal NAME (TERM, HUP...) to the command
  exit:N         wait (10 s) for the command to exit with status N
  sleep:SECONDS  wait
"""
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time

# XLD_TERM_TIMEOUT: more for a guest that boots Linux under emulation
TIMEOUT = float(os.environ.get("XLD_TERM_TIMEOUT", "10"))


class Term:
    def __init__(self, cmd):
        self.master, self.slave = os.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.out = b""
        self.pos = 0
        self.proc = subprocess.Popen(cmd, stdin=self.slave,
                                     stdout=self.slave, stderr=self.slave,
                                     start_new_session=True)

    def pump(self, wait):
        r, _, _ = select.select([self.master], [], [], wait)
        if r:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            self.out += data

    def fail(self, why):
        text = self.out.decode("utf-8", "replace")
        sys.stderr.write("xld-console.py: %s\n--- terminal ---\n%s\n---\n"
                         % (why, text[-4000:]))
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        sys.exit(1)

    def expect(self, pattern):
        rx = re.compile(pattern.encode())
        end = time.monotonic() + TIMEOUT
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return
            left = end - time.monotonic()
            if left <= 0:
                self.fail("timed out waiting for /%s/" % pattern)
            self.pump(min(left, 0.1))

    def wait_exit(self, status):
        end = time.monotonic() + TIMEOUT
        while self.proc.poll() is None:
            if time.monotonic() > end:
                self.fail("still running after %d s" % TIMEOUT)
            self.pump(0.05)
        self.pump(0)
        if self.proc.returncode != status:
            self.fail("exit status %d, want %d"
                      % (self.proc.returncode, status))


def is_raw(mode):
    lflag = mode[3]
    return not lflag & (termios.ICANON | termios.ECHO | termios.ISIG)


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit(__doc__)
    i = args.index("--")
    t = Term(args[:i])
    for step in args[i + 1:]:
        op, _, arg = step.partition(":")
        if op == "expect":
            t.expect(arg)
        elif op == "absent":
            t.pump(0)
            if re.search(arg.encode(), t.out):
                t.fail("/%s/ should not be there" % arg)
        elif op == "count":
            lo, hi, rx = arg.split(":", 2)
            t.pump(0)
            n = len(re.findall(rx.encode(), t.out))
            if not int(lo) <= n <= int(hi):
                t.fail("/%s/ %d times, want %s to %s" % (rx, n, lo, hi))
        elif op == "send":
            os.write(t.master, arg.encode().decode("unicode_escape").encode(
                "latin-1"))
        elif op == "raw":
            end = time.monotonic() + TIMEOUT
            while not is_raw(termios.tcgetattr(t.slave)):
                if time.monotonic() > end:
                    t.fail("the terminal was not put in raw mode")
                t.pump(0.05)
        elif op == "restored":
            if termios.tcgetattr(t.slave) != t.before:
                t.fail("the terminal's modes were not restored")
        elif op == "shell":
            if subprocess.call(["sh", "-c", arg]) != 0:
                t.fail("command failed: %s" % arg)
        elif op == "signal":
            t.proc.send_signal(getattr(signal, "SIG" + arg))
        elif op == "exit":
            t.wait_exit(int(arg))
        elif op == "sleep":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end:
                t.pump(0.05)
        else:
            t.fail("unknown step %s" % step)
    if t.proc.poll() is None:
        t.proc.kill()
        t.proc.wait()
        t.fail("the command was left running: end with an exit step")


if __name__ == "__main__":
    main()
