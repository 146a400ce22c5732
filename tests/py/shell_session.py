"""Drives an interactive shell on a pseudo-terminal, so that its prompt hooks
really fire. Types each line of stdin as a command and records what the
terminal showed until the next prompt (the shell's prompt must print @@P@@).

Usage: shell_session.py '["bash", "--rcfile", "rc", "-i"]' < commands
Prints JSON: {"startup": text, "outputs": [text per command]}.
"""
import json
import os
import pty
import re
import select
import struct
import termios
import fcntl
import sys
import time

MARK = b"@@P@@"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>()][0-9A-Za-z]?")

argv = json.loads(sys.argv[1])
commands = [line.rstrip("\n") for line in sys.stdin]
pid, fd = pty.fork()
if pid == 0:
    # A wide terminal, so that line editors never wrap or redraw a command.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 1000, 0, 0))
    os.execvp(argv[0], argv)

pending = b""


def until_prompt(after_newline, timeout=20.0):
    """What the terminal showed until the next prompt. After a command, only
    a prompt that follows a newline counts: line editors redraw the prompt
    while echoing what was typed (fish does on a dumb terminal)."""
    global pending
    deadline = time.monotonic() + timeout
    while True:
        start = 0
        if after_newline:
            start = pending.find(b"\n") + 1
        at = pending.find(MARK, start) if start or not after_newline else -1
        if at >= 0:
            before, pending = pending[:at], pending[at + len(MARK):]
            text = ANSI.sub("", before.decode(errors="replace")).replace("\r", "")
            return text.replace(MARK.decode(), "").replace("\u23ce", "")
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit(f"no prompt within {timeout}s; the terminal showed: {pending!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                sys.exit(f"the shell exited; the terminal showed: {pending!r}")
            pending += chunk


startup = until_prompt(False)
outputs = []
for command in commands:
    os.write(fd, command.encode() + b"\r")
    outputs.append(until_prompt(True))
os.write(fd, b"exit\r")
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    if os.waitpid(pid, os.WNOHANG)[0]:
        break
    if select.select([fd], [], [], 0.1)[0]:
        try:
            os.read(fd, 65536)
        except OSError:
            pass
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(json.dumps({"startup": startup, "outputs": outputs}))
