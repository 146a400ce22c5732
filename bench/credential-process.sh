#!/usr/bin/env bash
# Measures one credential_process call against a real Secret Service, side
# by side with `secret-tool lookup` (one D-Bus lookup from C: the floor) and
# a Python helper using the keyring package (what people write today).
#
# Usage: bench/credential-process.sh [RUNS]   (after scripts/test.sh has
# installed the packages and .venv). Writes bench/results/credential-process.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
cargo build --release --quiet
mkdir -p bench/results
export HOME
HOME=$(mktemp -d)
trap 'rm -rf "$HOME"' EXIT

dbus-run-session -- bash -s "$runs" <<'INNER'
set -euo pipefail
runs=$1
printf bench-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
bin=$PWD/target/release/awscreds-rs
printf '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}' |
  "$bin" add --store secret-service --username bench 2>/dev/null
# Every contender reads the same entry and must answer.
"$bin" --username bench >/dev/null
secret-tool lookup service awscreds-rs username bench >/dev/null
.venv/bin/python bench/keyring_helper.py bench >/dev/null
hyperfine -N --warmup 10 --runs "$runs" \
  --export-json bench/results/credential-process.json \
  --export-markdown bench/results/credential-process.md \
  -n awscreds-rs "$bin --username bench" \
  -n secret-tool "secret-tool lookup service awscreds-rs username bench" \
  -n python-keyring ".venv/bin/python bench/keyring_helper.py bench"
INNER

python3 - <<'SUMMARY'
import json
results = {r["command"]: r for r in json.load(open("bench/results/credential-process.json"))["results"]}
ms = {name: r["median"] * 1000 for name, r in results.items()}
ours = ms["awscreds-rs"]
print(f"median awscreds-rs     {ours:7.2f} ms")
print(f"median secret-tool     {ms['secret-tool']:7.2f} ms  (awscreds-rs takes {ours / ms['secret-tool']:.2f}x; goal <= 2x)")
print(f"median python keyring  {ms['python-keyring']:7.2f} ms  (awscreds-rs is {ms['python-keyring'] / ours:.0f}x faster; goal >= 30x)")
SUMMARY
