#!/usr/bin/env bash
# The cost of one bash prompt with the awscreds-rs hook, side by side with
# direnv's own bash hook in directories without .envrc: when nothing
# changed, and when the directory changed. Times the hook functions in a
# loop with bash's EPOCHREALTIME.
#
# Usage: bench/prompt.sh [PROMPTS]   (needs direnv: scripts/test.sh installs it)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release --quiet
bin=${AWSCREDS_BENCH_BIN:-$PWD/target/release/awscreds-rs}
export HOME
HOME=$(mktemp -d)
trap 'rm -rf "$HOME"' EXIT
export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config
mkdir -p "$HOME/.aws" "$HOME/project" "$HOME/other"
printf '[profile app]\nregion = us-east-1\n' >"$HOME/.aws/config"
echo app >"$HOME/project/.aws-profile"
(cd "$HOME/project" && "$bin" allow 2>/dev/null)

export n bin
# Per call in microseconds: run "$@" n times.
measure='per_call() { local i start end; start=$EPOCHREALTIME; for ((i = 0; i < n; i++)); do "$@"; done; end=$EPOCHREALTIME; awk -v s="$start" -v e="$end" -v n="$n" "BEGIN { printf \"%.1f\", (e - s) * 1e6 / n }"; }'

ours_same=$(bash -c "$measure"'
  eval "$("$bin" init bash)"; cd "$HOME/project"; __awscreds_hook
  per_call __awscreds_hook')
ours_cd=$(bash -c "$measure"'
  eval "$("$bin" init bash)"; __awscreds_hook
  hop() { if [[ $PWD == "$HOME/project" ]]; then cd "$HOME/other"; else cd "$HOME/project"; fi; __awscreds_hook; }
  n=$((n / 10)); per_call hop')
direnv_same=$(bash -c "$measure"'
  eval "$(direnv hook bash)"; cd "$HOME/other"; _direnv_hook
  n=$((n / 10)); per_call _direnv_hook')
direnv_cd=$(bash -c "$measure"'
  eval "$(direnv hook bash)"; _direnv_hook
  hop() { if [[ $PWD == "$HOME/other" ]]; then cd "$HOME"; else cd "$HOME/other"; fi; _direnv_hook; }
  n=$((n / 10)); per_call hop')

awk -v a="$ours_same" -v b="$direnv_same" -v c="$ours_cd" -v d="$direnv_cd" 'BEGIN {
  printf "| prompt | awscreds-rs | direnv | direnv / awscreds-rs |\n| --- | --- | --- | --- |\n"
  printf "| nothing changed | %.1f us | %.1f us | %.0fx |\n", a, b, b / a
  printf "| directory changed | %.2f ms | %.2f ms | %.1fx |\n", c / 1000, d / 1000, d / c
}'
