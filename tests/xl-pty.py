#!/usr/bin/env python3
"""Drive an interactive program through a pseudo-terminal.

    xl-pty.py SCRIPT PROGRAM [ARGS...]

SCRIPT has one step a line:
    send TEXT      TEXT is a Python string literal ("hel\\t", "\\x04")
    expect REGEX   wait (10 s at most) until the output after the last
                   match matches REGEX (terminal escapes removed)
    status N       wait for the program to end; its exit status must be N
Exits 0 when every step passed, 1 with the output so far when one did not.
"""
import ast
import os
import pty
import re
import select
import sys
import time

ESC = re.compile(rb"\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Z0-9]|[=>])|\r|\x07")


def main():
    script, argv = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = b""
    out = b""

    def read_some(deadline):
        nonlocal seen, out
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        out += data
        return True

    def failed(why):
        sys.stderr.write("xl-pty: %s\n--- output so far:\n%s\n" %
                         (why, ESC.sub(b"", out).decode(errors="replace")))
        sys.exit(1)

    with open(script) as f:
        steps = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    for step in steps:
        op, _, arg = step.partition(" ")
        if op == "send":
            os.write(fd, ast.literal_eval(arg).encode())
        elif op == "expect":
            rx = re.compile(arg.encode())
            deadline = time.monotonic() + 10
            while True:
                m = rx.search(ESC.sub(b"", seen))
                if m:
                    break
                if not read_some(deadline):
                    failed("timed out waiting for /%s/" % arg)
            # what came after the match is for the next expect
            seen = ESC.sub(b"", seen)[m.end():]
        elif op == "status":
            deadline = time.monotonic() + 10
            while read_some(deadline):
                pass
            _, st = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(st)
            if code != int(arg):
                failed("exit status %d, want %s" % (code, arg))
            return
        else:
            failed("bad step: %s" % step)


main()
