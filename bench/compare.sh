#!/usr/bin/env bash
# Two builds of awscreds-rs against each other on the paths AWS tools take:
# a Secret Service lookup, a kernel keyring lookup, `--version`, and the
# shell hook's process on entering a project. Runs
# alternate which build goes first, round after round, so a machine that
# gets slower or faster during the run weighs on both alike. Prints each
# round's medians, the median of the rounds and the page faults of
# `--version`.
#
# Usage: bench/compare.sh BEFORE AFTER [ROUNDS] [RUNS]
#   e.g. git worktree add /tmp/before 63603ee && (cd /tmp/before && cargo build --release)
#        bench/compare.sh /tmp/before/target/release/awscreds-rs target/release/awscreds-rs
set -euo pipefail
before=$(realpath "$1")
after=$(realpath "$2")
rounds=${3:-6}
runs=${4:-150}
work=$(mktemp -d)
name="bench-compare-$$"
world=$(realpath "$(dirname "$0")/world.sh")
# The hook's one line per switch would only fill the terminal here.
export AWSCREDS_HOOK_QUIET=1
export before after rounds runs work name world
trap '"$after" --store keyutils remove --username "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

HOME=$work dbus-run-session -- bash -s <<'INNER'
set -euo pipefail
# shellcheck source=bench/world.sh
. "$world"
printf bench-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
world_key_in "$after" secret-service "$name"
world_key_in "$after" keyutils "$name"
world_project "$after"
cd "$HOME/project"
for path in secret-service keyutils version hook; do
  case $path in
    version) args=--version ;;
    hook) args="hook bash" ;;
    *) args="--store $path --username $name" ;;
  esac
  # shellcheck disable=SC2086 # args are words
  for bin in "$before" "$after"; do "$bin" $args >/dev/null; done
  for ((i = 1; i <= rounds; i++)); do
    first=$before second=$after
    if ((i % 2 == 0)); then first=$after second=$before; fi
    n1=before n2=after
    [ "$first" = "$after" ] && n1=after n2=before
    hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/$path-$i.json" \
      -n "$n1" "$first $args" -n "$n2" "$second $args" >/dev/null 2>&1
  done
done
INNER

python3 - "$work" "$rounds" <<'SUMMARY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
for path in ("secret-service", "keyutils", "version", "hook"):
    ms = {"before": [], "after": []}
    for i in range(1, rounds + 1):
        for r in json.load(open(f"{work}/{path}-{i}.json"))["results"]:
            ms[r["command"]].append(r["median"] * 1000)
    b, a = statistics.median(ms["before"]), statistics.median(ms["after"])
    print(f"{path}: before {b:.2f} ms, after {a:.2f} ms ({a / b:.2f}x); rounds "
          + " ".join(f"{x:.2f}/{y:.2f}" for x, y in zip(ms["before"], ms["after"])))
SUMMARY
for bin in "$before" "$after"; do
  { /usr/bin/time -f "%R page faults: $bin --version" "$bin" --version >/dev/null; } 2>&1
done
