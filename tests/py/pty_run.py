"""Runs a command on a fresh pseudo-terminal, answers its prompts, and prints
everything the terminal showed (base64-free, as text) on stdout.

Usage: pty_run.py PROMPT ANSWER [PROMPT ANSWER ...] -- COMMAND [ARGS...]
Each ANSWER is typed (with Enter) once PROMPT has appeared on the terminal.
"""
import os
import pty
import select
import sys
import time

split = sys.argv.index("--")
pairs = sys.argv[1:split]
command = sys.argv[split + 1:]
answers = list(zip(pairs[0::2], pairs[1::2]))

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

shown = b""
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    if answers and answers[0][0].encode() in shown:
        prompt, answer = answers.pop(0)
        shown = shown.replace(prompt.encode(), b"<" + prompt.encode() + b">", 1)
        time.sleep(0.05)  # let the program switch echo off before typing
        os.write(fd, answer.encode() + b"\r")
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
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
