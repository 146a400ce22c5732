#!/usr/bin/env bash
# Every speed goal, measured side by side in one run (hyperfine, one
# gnome-keyring daemon): a credential_process call against the Secret
# Service, secret-tool and a Python keyring helper; `--version` against a
# hello-world Rust binary built here; a cached STS session against a stored
# key; a kernel keyring lookup; an unlocked encrypted file store; doctor
# and profiles on 2,000 profiles; then the shell hook (bench/prompt.sh).
# Prints each goal with its figure.
#
# Usage: bench/speed.sh [RUNS]   (after scripts/test.sh has installed the
# packages and .venv). Writes bench/results/speed.{md,json}.
# AWSCREDS_BENCH_BIN=PATH measures another build of awscreds-rs (an older
# one, for a before-and-after table); the default is target/release.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
cargo build --release --quiet
mkdir -p bench/results
home=$HOME
work=$(mktemp -d)
keyutils_name="bench-keyutils-$$"
trap 'target/release/awscreds-rs --store keyutils remove --username "$keyutils_name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The floor: a Rust program that prints a line, built with the same
# compiler (before HOME changes: rustup reads its settings there).
printf 'fn main() { println!("hello"); }\n' >"$work/hello.rs"
rustc -O -o "$work/hello" "$work/hello.rs"
export HOME=$work

# 2,000 profiles that run awscreds-rs.
python3 - "$HOME" <<'PROFILES'
import sys
home = sys.argv[1]
with open(f"{home}/big-config", "w") as f:
    for i in range(2000):
        f.write(f"[profile p{i}]\nregion = us-east-1\ncredential_process = /usr/local/bin/awscreds-rs --username u{i}\n\n")
with open(f"{home}/big-credentials", "w") as f:
    for i in range(2000):
        f.write(f"[c{i}]\nregion = eu-west-1\n\n")
PROFILES

bench_bin=${AWSCREDS_BENCH_BIN:-$PWD/target/release/awscreds-rs}
export keyutils_name bench_bin
dbus-run-session -- bash -s "$runs" <<'INNER'
set -euo pipefail
runs=$1
printf bench-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
bin=$bench_bin
key='{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'
printf '%s' "$key" | "$bin" add --store secret-service --username bench 2>/dev/null
printf '%s' "$key" | "$bin" add --store keyutils --username "$keyutils_name" 2>/dev/null
# The encrypted file store, created by its first add and left unlocked.
printf '%s' "$key" | AWSCREDS_PASSPHRASE_COMMAND='echo bench-passphrase' \
  "$bin" add --store file --username bench 2>/dev/null
# A key with an MFA device and a fresh cached session, as a refresh leaves it.
printf '%s' "$key" | "$bin" add --store secret-service --username benchmfa \
  --mfa-serial arn:aws:iam::123456789012:mfa/bench 2>/dev/null
expires=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
printf '{"FormatVersion":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"FwoGZXIvYXdzEXAMPLE","Expiration":"%s"}' "$expires" |
  secret-tool store --label=bench service awscreds-rs username 'benchmfa#mfa'
# Every contender must answer before it is timed (doctor exits 1 here, for
# the stores its profiles name: it is timed through sh, a little slower).
"$bin" --username bench >/dev/null
"$bin" --username benchmfa | grep -q SessionToken
"$bin" --store keyutils --username "$keyutils_name" >/dev/null
"$bin" --store file --username bench </dev/null >/dev/null
secret-tool lookup service awscreds-rs username bench >/dev/null
.venv/bin/python bench/keyring_helper.py bench >/dev/null
big="AWS_CONFIG_FILE=$HOME/big-config AWS_SHARED_CREDENTIALS_FILE=$HOME/big-credentials"
hyperfine -N --warmup 10 --runs "$runs" \
  --export-json bench/results/speed.json \
  --export-markdown bench/results/speed.md \
  -n secret-service "$bin --username bench" \
  -n secret-tool "secret-tool lookup service awscreds-rs username bench" \
  -n python-keyring ".venv/bin/python bench/keyring_helper.py bench" \
  -n version "$bin --version" \
  -n hello "$HOME/hello" \
  -n cached-session "$bin --username benchmfa" \
  -n keyutils "$bin --store keyutils --username $keyutils_name" \
  -n file-store "$bin --store file --username bench" \
  -n doctor-2000 "sh -c '$big $bin doctor --profile p1000 || true'" \
  -n profiles-2000 "env $big $bin profiles" >/dev/null
"$bin" lock 2>/dev/null
INNER

python3 - <<'SUMMARY'
import json
results = json.load(open("bench/results/speed.json"))["results"]
ms = {r["command"]: r["median"] * 1000 for r in results}
def goal(text, ok):
    print(f"{'met ' if ok else 'MISS'}  {text}")
ss = ms["secret-service"]
print(f"medians (ms): " + ", ".join(f"{k} {v:.2f}" for k, v in ms.items()))
goal(f"credential_process {ss:.2f} ms is {ms['python-keyring'] / ss:.0f}x faster than the Python keyring helper (goal >= 60x)", ms["python-keyring"] / ss >= 60)
goal(f"credential_process takes {ss / ms['secret-tool']:.2f}x of secret-tool (goal <= 0.3x)", ss / ms["secret-tool"] <= 0.3)
goal(f"--version takes {ms['version'] / ms['hello']:.2f}x of hello world (goal <= 1.5x)", ms["version"] / ms["hello"] <= 1.5)
goal(f"a cached session takes {ms['cached-session'] / ss:.2f}x of a stored key (goal <= 1.2x)", ms["cached-session"] / ss <= 1.2)
goal(f"a keyutils lookup takes {ms['keyutils'] / ms['version']:.2f}x of --version (goal <= 1.3x)", ms["keyutils"] / ms["version"] <= 1.3)
goal(f"an unlocked file store read takes {ms['file-store'] / ss:.2f}x of the Secret Service read (goal <= 1x)", ms["file-store"] <= ss)
goal(f"doctor on 2,000 profiles: {ms['doctor-2000']:.1f} ms (goal < 100 ms)", ms["doctor-2000"] < 100)
goal(f"profiles on 2,000 profiles: {ms['profiles-2000']:.1f} ms (goal < 100 ms)", ms["profiles-2000"] < 100)
SUMMARY

echo
echo "The shell hook (bench/prompt.sh; goal: a directory change in at most 1.5 ms):"
HOME=$home bash bench/prompt.sh 2000
# What any process costs a bash prompt here: the floor under a hook that
# starts one on a directory change.
floor() { bash -c 'n=1000; s=$EPOCHREALTIME; for ((i = 0; i < n; i++)); do x=$("$0"); done; e=$EPOCHREALTIME
  awk -v s="$s" -v e="$e" -v n="$n" "BEGIN { printf \"%.2f\", (e - s) * 1000 / n }"' "$1"; }
echo "floor: \$(/bin/true) $(floor /bin/true) ms, \$(hello world) $(floor "$work/hello") ms per prompt"
