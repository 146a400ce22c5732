#!/usr/bin/env bash
# Installs everything the tests need on a Debian machine with Rust, then
# lints, builds and runs the whole suite. This is the README's test command
# and what CI runs; it exits non-zero on any failure.
#
#   Debian packages:  apt-get (as root, or through sudo)
#   Python clients:   .venv/             (tests/py/requirements.txt)
#   Node clients:     tests/js/node_modules (tests/js/package-lock.json)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# shellcheck source=scripts/packages.sh
. scripts/packages.sh
install_packages "Debian packages" dbus gnome-keyring libsecret-tools keyutils gcc hyperfine \
  zsh fish shellcheck direnv mandoc man-db bash-completion age util-linux binutils \
  golang-go golang-github-aws-aws-sdk-go-dev golang-github-aws-aws-sdk-go-v2-dev

step "installing the Python clients into .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --disable-pip-version-check --progress-bar off -r tests/py/requirements.txt |
  sed '/^Requirement already satisfied/d'

step "installing the JavaScript SDK into tests/js/node_modules"
(cd tests/js && npm ci --no-audit --no-fund --no-progress)

# tests/exec.rs reads credentials with the Go SDKs (v1 as AWS Copilot
# loads a session, v2 as Terraform does), from Debian's source packages:
# offline, no module download.
step "building the Go SDK probes into target/go"
for probe in v1probe v2probe; do
  GO111MODULE=off GOPATH=/usr/share/gocode go build -o "target/go/$probe" "./tests/go/$probe"
done

step "adding the cross-check targets"
rustup target add x86_64-pc-windows-gnu aarch64-apple-darwin \
  x86_64-unknown-freebsd >/dev/null 2>&1 ||
  rustup target list --installed | grep -q x86_64-unknown-freebsd

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

# The hooks are templates: tests/shells.rs checks each rendered hook and
# the code it evaluates.
step "shellcheck shell/completions-extra.bash scripts/*.sh bench/*.sh"
shellcheck shell/completions-extra.bash
shellcheck -x scripts/*.sh bench/*.sh

step "cargo clippy without the sts feature"
cargo clippy --quiet --no-default-features -- -D warnings

# The AWS SDK's TLS stack compiles C for the target, which this machine
# cannot do for macOS: the cross checks leave the sts feature out.
step "cargo check for Windows, macOS and FreeBSD (without sts)"
cargo check --quiet --no-default-features --target x86_64-pc-windows-gnu
cargo check --quiet --no-default-features --target aarch64-apple-darwin
cargo check --quiet --no-default-features --target x86_64-unknown-freebsd

# The tests run the binary a user installs (tests/common reads it from
# here), so no dev-dependency feature can reach what they test.
step "cargo install --locked --path . --root target/installed"
# (target/installed/bin on PATH for the one command keeps cargo's "add it
# to your PATH" note away: only the tests run that copy.)
PATH="$PWD/target/installed/bin:$PATH" cargo install --locked --force --path . --root target/installed

# The tests that stop a command half-way (AWSCREDS_TEST_STOP_AFTER) run a
# build of their own with the fault-injection feature; only the program's
# crate is built again.
step "cargo install --locked --features fault-injection --root target/faults"
PATH="$PWD/target/faults/bin:$PATH" cargo install --locked --force --path . --features fault-injection --root target/faults

# tests/binary.rs checks the same program linked by GNU ld, lld and mold.
bash scripts/linkers.sh

# tests/binary.rs runs the binary as an ordinary user where permissions
# matter (root may read any process's memory); as root, that is this one.
if [ "$(id -u)" -eq 0 ] && ! id awscreds-test >/dev/null 2>&1; then
  step "useradd --system awscreds-test (the tests' ordinary user)"
  useradd --system --no-create-home --shell /usr/sbin/nologin awscreds-test
fi

# Both runs go ahead when one fails; the exit status fails if either did.
status=0
step "cargo test"
cargo test --no-fail-fast || status=$?

step "the Windows build under Wine (scripts/wine.sh)"
bash scripts/wine.sh || status=$?
exit "$status"
