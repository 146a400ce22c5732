#!/usr/bin/env bash
# The release binary linked once more by each linker a user may have cargo
# use instead of rustc's own lld (what `cargo install` used): GNU ld,
# Debian's lld and mold. Only the program's own crate is built again (the
# flags after `--` reach it alone), so the dependencies stay cached. Each
# lands in target/linkers/LINKER/awscreds-rs, and tests/binary.rs checks
# every one of them as it checks the installed binary. scripts/test.sh
# calls it; it exits non-zero when a linker fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/packages.sh
. scripts/packages.sh
install_packages "the linkers" binutils lld mold

for linker in bfd lld mold; do
  printf '\n==> cargo rustc --release with -fuse-ld=%s\n' "$linker"
  cargo rustc --locked --release --quiet --bin awscreds-rs -- \
    -C linker-features=-lld -C link-arg=-fuse-ld="$linker"
  mkdir -p "target/linkers/$linker"
  cp target/release/awscreds-rs "target/linkers/$linker/awscreds-rs"
  "target/linkers/$linker/awscreds-rs" --version
done
