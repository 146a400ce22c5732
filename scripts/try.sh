#!/usr/bin/env bash
# Builds and installs awscreds-rs on a Debian machine with Rust, then runs
# its main job once: stores AWS's documented example key under a NAME of
# its own, prints it the way AWS tools receive it, and removes it again.
# It never touches an entry it did not create.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/packages.sh
. scripts/packages.sh
install_packages "the build packages" gcc

echo "==> cargo install --locked --path .  (a few minutes the first time)"
# Where cargo puts it: CARGO_INSTALL_ROOT, else CARGO_HOME, else ~/.cargo.
root=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}
# With its bin directory on PATH for the one command, cargo's "add it to
# your PATH" note (which the lines below already answer) stays away.
PATH="$root/bin:$PATH" cargo install --locked --path .
bin=$root/bin/awscreds-rs
echo "installed: $bin"

# A NAME no user picks: `add` without --force refuses an existing one, so
# even a collision would change nothing.
name="awscreds-rs-try-$$-$RANDOM"
trap '"$bin" remove --username "$name" >/dev/null 2>&1 || true' EXIT
# add's advice to move a key out of the kernel keyring is for keys that
# stay: the demo key is removed two lines below, so it is left out here and
# said once, for the user's own keys, at the end.
added=$(printf '%s' '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}' |
  "$bin" add --username "$name" 2>&1)
kernel_keyring=no
case $added in *"the kernel keyring loses this entry"*) kernel_keyring=yes ;; esac
printf '%s\n' "$added" | grep -v '^Note: the kernel keyring loses this entry' || true
echo
echo "==> credential_process prints (AWS's documented example key, not a real one):"
"$bin" --username "$name"
"$bin" remove --username "$name"
trap - EXIT

# What to type next: the bare name when the shell finds it.
cmd=$bin
if [ "$(command -v awscreds-rs)" = "$bin" ]; then
  cmd=awscreds-rs
else
  echo "note: $root/bin is not on your PATH; the commands below use the full path."
fi
cat <<EOF

awscreds-rs works. Next, with your own key:

  $cmd add --username NAME          # prompts for the key id and the secret
  $cmd configure --profile my-app --username NAME --region us-west-2
  AWS_PROFILE=my-app aws sts get-caller-identity
  $cmd doctor --profile my-app      # explains the setup and how to fix it

Keys already in ~/.aws/credentials: $cmd import --all
No desktop (SSH, WSL, a container)? See "Without a desktop" in the README.
The shell hook, completions and the man page: see the README.
EOF
if [ "$kernel_keyring" = yes ]; then
  cat <<EOF
Here no Secret Service runs, so your keys would go to the kernel keyring,
which loses them at reboot: add --store file keeps them in the encrypted
file store instead (one passphrase per boot).
EOF
fi
