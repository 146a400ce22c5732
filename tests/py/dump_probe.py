"""Run as an ordinary user by tests/binary.rs: stores a key with an MFA
device in that user's kernel keyring, starts credential_process on a
pseudo-terminal, and while it waits at the MFA prompt tries what any
process of the same user could: read /proc/PID/environ and /proc/PID/mem,
and attach with ptrace. The same tries on a plain Python process of that
user are the control. Prints {"awscreds": {...}, "control": {...}} as JSON.

Usage: dump_probe.py BINARY
"""
import ctypes
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

PTRACE_ATTACH, PTRACE_DETACH = 16, 17
KEY = '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'

binary = sys.argv[1]
home = tempfile.mkdtemp(prefix="awscreds-dump-home-")
env = {"PATH": "/usr/bin:/bin", "HOME": home, "AWSCREDS_STORE": "keyutils",
       "AWS_CONFIG_FILE": f"{home}/config", "AWSCREDS_PROBE_MARK": "visible-in-environ"}
name = f"dump-probe-{os.getpid()}"
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def readable(path, at=None):
    try:
        with open(path, "rb", buffering=0) as f:
            if at is not None:
                f.seek(at)
            return len(f.read(64)) > 0
    except OSError:
        return False


def first_mapping(pid):
    """The start of the process's first mapping (/proc/PID/maps is readable
    to its user only while the process is dumpable; else None)."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return int(f.readline().split("-")[0], 16)
    except (OSError, ValueError, IndexError):
        return None


def tries(pid):
    start = first_mapping(pid)
    found = {
        "environ": readable(f"/proc/{pid}/environ"),
        "mem": start is not None and readable(f"/proc/{pid}/mem", start),
    }
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
        os.waitpid(pid, 0)
        libc.ptrace(PTRACE_DETACH, pid, None, None)
        found["ptrace"] = True
    else:
        found["ptrace"] = False
        found["ptrace_errno"] = ctypes.get_errno()
    return found


def run(*args, stdin=None):
    done = subprocess.run([binary, *args], env=env, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{args}: exit {done.returncode}: {done.stderr}")


run("add", "--username", name, "--mfa-serial", "arn:aws:iam::123456789012:mfa/probe", stdin=KEY)
result = {}
try:
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "--username", name], env)
    shown = b""
    deadline = time.monotonic() + 20
    while b"MFA code" not in shown and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            shown += os.read(fd, 4096)
    result["awscreds"] = tries(pid)
    result["awscreds"]["prompted"] = b"MFA code" in shown
    os.kill(pid, 9)
    os.waitpid(pid, 0)

    # Popen can return before the kernel has set up the new program's
    # environment (close-on-exec fds close early in execve), so the control
    # says when it runs: by then /proc/PID/environ is there to read.
    control = subprocess.Popen(
        ["/usr/bin/python3", "-c", "import sys, time; print('ready', flush=True); time.sleep(30)"],
        env=env, stdout=subprocess.PIPE)
    control.stdout.readline()
    result["control"] = tries(control.pid)
    control.kill()
    control.wait()
finally:
    run("remove", "--username", name)
    shutil.rmtree(home)
print(json.dumps(result))
