#!/usr/bin/env bash
# Writes link/hot-text.txt: the functions that the start-up paths run
# (credential_process against each store, a cached session, `--version`
# and the shell hook), which build.rs has the linker place side by side at
# the start of the program's code. A page fault maps the 64 KiB around it,
# so code that sits together is read in a few faults instead of one fault
# per scattered function (see the README's speed section).
#
# Each path runs once under valgrind's callgrind on the release build; the
# functions it reached that are the program's own are kept. A name stays
# exact where it has instances of the same name (generic functions), and
# otherwise loses the parts that change from build to build: the hash of a
# legacy name, the `.llvm.N` of a thin-LTO local, the crate disambiguators
# of std's v0 names. A name that no longer matches costs nothing: its
# function just stays where it was. Run again after changing a hot path or
# a dependency (a generic function's exact name carries a hash of the
# build). Valgrind's CPU has no SHA or AVX2 instructions, so the few
# functions that use them on a real CPU are not in the list.
#
# Usage: scripts/hot-text.sh   (needs valgrind, gnome-keyring, keyutils)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/awscreds-rs
work=$(mktemp -d)
name="hot-text-$$"
export bin work name
trap '"$bin" --store keyutils remove --username "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

HOME=$work dbus-run-session -- bash -s <<'INNER'
set -euo pipefail
# shellcheck source=bench/world.sh
. bench/world.sh
printf hot-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
for store in secret-service keyutils file; do world_key_in "$bin" "$store" "$name"; done
world_cached_session "$bin" "$name-mfa"
world_project "$bin"

i=0
run() { # run DIR ARGS...: one path under callgrind, which must succeed
  local dir=$1
  shift
  i=$((i + 1))
  (cd "$dir" && valgrind --tool=callgrind --demangle=no --callgrind-out-file="$HOME/cg.$i" \
    "$bin" "$@" </dev/null >/dev/null 2>"$HOME/vg.$i") ||
    { cat "$HOME/vg.$i" >&2; echo "hot-text: '$*' failed" >&2; exit 1; }
}
# In the order their code is laid out (see below): the shortest and most
# frequent paths first.
run "$HOME" --version
for shell in bash zsh fish; do run "$HOME/other" hook "$shell"; done
for shell in bash zsh fish; do run "$HOME/project" hook "$shell"; done
run "$HOME" --store keyutils --username "$name"
run "$HOME" --username "$name"
run "$HOME" --username "$name-mfa"
run "$HOME" --store file --username "$name"
INNER

python3 - "$bin" "$work" >link/hot-text.txt <<'NAMES'
import collections, glob, re, subprocess, sys
binary, work = sys.argv[1], sys.argv[2]

def stable(symbol):
    """The symbol without the parts that change from build to build."""
    symbol = re.sub(r"\.llvm\.\d+$", "", symbol)
    symbol = re.sub(r"17h[0-9a-f]{16}E$", "17h*", symbol)
    return re.sub(r"Cs[0-9A-Za-z]+_(?=\d)", "Cs*_", symbol)

code = [line.split()[2] for line in subprocess.run(
    ["nm", binary], capture_output=True, text=True, check=True).stdout.splitlines()
    if len(line.split()) == 3 and line.split()[1] in "tTwW"]
instances = collections.Counter(stable(s) for s in code)
ours = set(code)
# For each function, the paths (runs, in order) that reached it.
reached = collections.defaultdict(set)
runs = sorted(glob.glob(f"{work}/cg.*"), key=lambda p: int(p.rsplit(".", 1)[1]))
for run, path in enumerate(runs):
    for line in open(path, errors="replace"):
        m = re.match(r"c?fn=\(\d+\) (.+)$", line.rstrip("\n"))
        if m and m.group(1) in ours:
            reached[m.group(1)].add(run)
print("# Written by scripts/hot-text.sh: the functions of the start-up paths,")
print("# which build.rs places together, path after path.")
print("# Regenerate; do not edit.")
# The first path's functions, then those the next path adds, and so on:
# each path's code spans few 64 KiB windows. Within a path's share, the
# functions that more paths run come first.
for symbol in sorted(reached, key=lambda s: (min(reached[s]), -len(reached[s]), s)):
    loose = stable(symbol)
    print(loose if instances[loose] == 1 else re.sub(r"\.llvm\.\d+$", "", symbol))
NAMES
echo "link/hot-text.txt: $(grep -vc '^#' link/hot-text.txt) functions"
