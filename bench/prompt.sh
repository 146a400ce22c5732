#!/usr/bin/env bash
# The cost of one bash prompt with the awscreds-rs hook, side by side with
# direnv's own bash hook in directories without .envrc: when nothing
# changed, and after a directory change within a project, outside any, out
# of one, and into one (the only change that starts a process), beside the
# floor under that: the same hook starting a hello world instead. Times the
# hook functions in a loop with bash's EPOCHREALTIME.
#
# Usage: bench/prompt.sh [PROMPTS]   (needs direnv: scripts/test.sh installs it)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release --quiet
bin=${AWSCREDS_BENCH_BIN:-$PWD/target/release/awscreds-rs}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The floor under a hook that starts a process: the same hook running a
# Rust hello world that prints the shell code of entering a project (built
# before HOME changes: rustup reads its settings there).
printf 'fn main() { print!("export AWS_PROFILE=app;\\n__awscreds_active=app;\\n__awscreds_root=/p;\\n"); }\n' >"$work/hello.rs"
rustc -O -o "$work/hello-hook" "$work/hello.rs"
export HOME=$work
# The hook's one line per switch would only fill the terminal here (and
# the hello world prints none).
export AWSCREDS_HOOK_QUIET=1
# shellcheck source=bench/world.sh
. bench/world.sh
world_project "$bin"
mkdir -p "$HOME/project/sub" "$HOME/other/sub"

export n bin
# Per call in microseconds: run "$@" n times (expanded by the inner bash).
# shellcheck disable=SC2016
measure='per_call() { local i start end; start=$EPOCHREALTIME; for ((i = 0; i < n; i++)); do "$@"; done; end=$EPOCHREALTIME; awk -v s="$start" -v e="$end" -v n="$n" "BEGIN { printf \"%.1f\", (e - s) * 1e6 / n }"; }'
# A prompt after another in DIR with HOOK, whose prompt function is FN:
#   stays DIR HOOK FN
stays() {
  bash -c "$measure"'
    eval "$2"; cd "$1"; '"$3"'
    per_call '"$3" bash "$1" "$2" "$3"
}
# A prompt after each change between directories A and B:
#   hops A B HOOK FN
hops() {
  bash -c "$measure"'
    a=$1 b=$2; eval "$3"; cd "$a"; '"$4"'
    hop() { if [[ $PWD == "$a" ]]; then cd "$b"; else cd "$a"; fi; '"$4"'; }
    per_call hop' bash "$1" "$2" "$3" "$4"
}
ours=$("$bin" init bash)
theirs=$(direnv hook bash)

ours_same=$(stays "$HOME/project" "$ours" __awscreds_hook)
ours_within=$(hops "$HOME/project" "$HOME/project/sub" "$ours" __awscreds_hook)
ours_outside=$(hops "$HOME/other" "$HOME/other/sub" "$ours" __awscreds_hook)
# Into a project (a process) and out of it (the answer given in advance,
# replayed) one after the other, each timed on its own: prints the mean of
# each in microseconds, "IN OUT". A tenth as many prompts, in 5 rounds
# (this machine's speed drifts); the median round counts, and all are
# printed.
crossing() {
  # shellcheck disable=SC2016
  bash -c '
    eval "$1"; cd "$3"; __awscreds_hook
    into=0 out=0
    for ((i = 0; i < n; i++)); do
      cd "$2"; t=${EPOCHREALTIME/./}; __awscreds_hook; into=$((into + ${EPOCHREALTIME/./} - t))
      cd "$3"; t=${EPOCHREALTIME/./}; __awscreds_hook; out=$((out + ${EPOCHREALTIME/./} - t))
    done
    echo "$((into / n)) $((out / n))"' bash "$1" "$HOME/project" "$HOME/other"
}
n=$((n / 10))
# Each round also times the floor, first or second by turns: the same hook
# starting a hello world, whose answer gives nothing in advance.
hello=$ours$'\n'"__awscreds_bin=$work/hello-hook"
into=() out=() floor=()
for round in 1 2 3 4 5; do
  if ((round % 2)); then
    read -r i o < <(crossing "$ours")
    read -r f _ < <(crossing "$hello")
  else
    read -r f _ < <(crossing "$hello")
    read -r i o < <(crossing "$ours")
  fi
  into+=("$i") out+=("$o") floor+=("$f")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
ours_into=$(median "${into[@]}")
ours_out=$(median "${out[@]}")
floor_into=$(median "${floor[@]}")
direnv_same=$(stays "$HOME/other" "$theirs" _direnv_hook)
direnv_cd=$(hops "$HOME/other" "$HOME/other/sub" "$theirs" _direnv_hook)

awk -v a="$ours_same" -v b="$direnv_same" -v w="$ours_within" -v o="$ours_outside" \
  -v i="$ours_into" -v l="$ours_out" -v d="$direnv_cd" 'BEGIN {
  printf "| prompt | awscreds-rs | direnv | direnv / awscreds-rs |\n| --- | --- | --- | --- |\n"
  printf "| nothing changed | %.1f us | %.1f us | %.0fx |\n", a, b, b / a
  printf "| directory changed, within a project | %.1f us | %.2f ms | %.0fx |\n", w, d / 1000, d / w
  printf "| directory changed, outside any project | %.1f us | %.2f ms | %.0fx |\n", o, d / 1000, d / o
  printf "| directory changed, out of a project | %.1f us | %.2f ms | %.0fx |\n", l, d / 1000, d / l
  printf "| directory changed, into a project | %.2f ms | %.2f ms | %.1fx |\n", i / 1000, d / 1000, d / i
}'
echo "into a project, 5 rounds (us): ${into[*]}"
echo "out of a project, 5 rounds (us): ${out[*]}"
echo "the same hook running a hello world instead, into (us): ${floor[*]}"
awk -v c="$ours_into" -v f="$floor_into" 'BEGIN { printf "floor under a hook that starts a process: %.2f ms; awscreds-rs takes %.2fx of it\n", f / 1000, c / f }'
