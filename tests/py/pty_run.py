"""Runs a command on a fresh pseudo-terminal, answers its prompts, and prints
everything the terminal showed (base64-free, as text) on stdout.

Usage: pty_run.py PROMPT ANSWER [PROMPT ANSWER ...] -- COMMAND [ARGS...]
Each ANSWER is typed (with Enter) once PROMPT has appeared on the terminal.
A PROMPT written `*PROMPT` asks for a secret: its ANSWER is typed only once
the program has switched the terminal's echo off, and if it never does
before the deadline the run fails (exit 3) without typing it. An ANSWER
written `^C` is Ctrl-C, typed without Enter. The last line printed says
whether the terminal echoes at the end ("pty_run: echo on" or "off").
"""
import os
import pty
import select
import sys
import termios
import time

split = sys.argv.index("--")
pairs = sys.argv[1:split]
command = sys.argv[split + 1:]
answers = list(zip(pairs[0::2], pairs[1::2]))

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

def echoing():
    """Whether the terminal echoes what is typed (the master end sees the
    settings the program made on its end)."""
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


shown = b""
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    if answers:
        prompt, answer = answers[0]
        hidden = prompt.startswith("*")
        prompt = prompt[1:] if hidden else prompt
        if prompt.encode() in shown and not (hidden and echoing()):
            answers.pop(0)
            shown = shown.replace(prompt.encode(), b"<" + prompt.encode() + b">", 1)
            os.write(fd, b"\x03" if answer == "^C" else answer.encode() + b"\r")
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
else:  # the deadline passed with the terminal still open: stop the command
    os.kill(pid, 9)
    if answers and answers[0][0].startswith("*"):
        sys.stdout.write(shown.decode(errors="replace"))
        sys.stdout.write("\npty_run: the echo stayed on at %r\n" % answers[0][0][1:])
        os.waitpid(pid, 0)
        sys.exit(3)
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors="replace"))
try:
    sys.stdout.write("\npty_run: echo %s\n" % ("on" if echoing() else "off"))
except termios.error:
    sys.stdout.write("\npty_run: echo unknown\n")
sys.exit(os.waitstatus_to_exitcode(status))
