#!/usr/bin/env bash
# Builds and installs awscreds-rs on a Debian machine with Rust, then runs
# its main job once: stores AWS's documented example key under the NAME
# `demo`, prints it the way AWS tools receive it, and removes it again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for p in libdbus-1-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo install --locked --path . --quiet
bin=$(command -v awscreds-rs || echo "$HOME/.cargo/bin/awscreds-rs")
echo "installed: $bin"

printf '%s' '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}' |
  "$bin" add --username demo --force
echo "credential_process prints:"
"$bin" --username demo
"$bin" remove --username demo
