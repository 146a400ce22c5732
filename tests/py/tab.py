"""Types a command line and TAB into an interactive shell on a fresh
pseudo-terminal, as a person would, and prints what the terminal showed
after the TABs (escape sequences removed).

Usage: tab.py '["bash", "--rcfile", "rc", "-i"]' 'awscreds-rs doctor --'
The shell must be quiet once its prompt is up; TAB is typed twice (bash
lists the candidates at the second).
"""
import json
import os
import pty
import re
import select
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>()][0-9A-Za-z]?")
argv = json.loads(sys.argv[1])
text = sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)


def read_until_quiet(quiet, limit):
    """What the terminal shows until nothing came for `quiet` seconds."""
    seen = b""
    start = last = time.monotonic()
    while time.monotonic() - start < limit:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            last = time.monotonic()
        elif seen and time.monotonic() - last > quiet:
            break
    return seen


read_until_quiet(1.0, 20)
os.write(fd, text.encode())
read_until_quiet(0.5, 10)
os.write(fd, b"\t")
time.sleep(0.3)
os.write(fd, b"\t")
shown = read_until_quiet(1.5, 20)
os.kill(pid, 9)
os.waitpid(pid, 0)
print(ANSI.sub("", shown.decode(errors="replace")).replace("\r", ""))
