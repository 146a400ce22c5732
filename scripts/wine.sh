#!/usr/bin/env bash
# The Windows build, tested under Wine: installs mingw-w64 and Wine, builds
# the Windows binary as `cargo install` does (default features), makes a
# Wine prefix of its own, then runs the integration tests that make sense
# on Windows (those in an `everywhere` module) against that binary and the
# Windows Credential Manager. scripts/test.sh calls it after the Linux run;
# it exits non-zero on any failure.
#
#   target/wine/bin/awscreds-rs.exe   the Windows binary
#   target/wine/prefix/               the Wine prefix (a Windows user profile)
#   target/wine/awscreds-rs           runs the binary under Wine (the tests' bin())
#   target/wine/faults/bin/, target/wine/awscreds-rs-faults
#                                     the build with the fault-injection feature
#   target/wine/wincred               the tests' own view of the Credential Manager
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# shellcheck source=scripts/packages.sh
. scripts/packages.sh
install_packages "Debian packages" wine wine64 gcc-mingw-w64-x86-64
rustup target add x86_64-pc-windows-gnu >/dev/null 2>&1 ||
  rustup target list --installed | grep -q x86_64-pc-windows-gnu

dir=$PWD/target/wine
wine64=/usr/lib/wine/wine64
mkdir -p "$dir"

step "cargo install --locked --target x86_64-pc-windows-gnu --root target/wine"
# (the root's bin on PATH for the one command keeps cargo's "add it to your
# PATH" note out of the log, as scripts/test.sh does)
PATH="$dir/bin:$PATH" CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
  cargo install --locked --force --path . --target x86_64-pc-windows-gnu --root "$dir"
step "the same with the fault-injection feature, into target/wine/faults"
PATH="$dir/faults/bin:$PATH" CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
  cargo install --locked --force --path . --target x86_64-pc-windows-gnu --features fault-injection \
  --root "$dir/faults"

step "a Wine prefix of the tests' own"
export WINEPREFIX=$dir/prefix WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  "$wine64" wineboot -i >/dev/null 2>&1
fi
# Wine 8 lacks bcryptprimitives.dll, which Rust's std imports (ProcessPrng).
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  tests/wine/bcryptprimitives.c
x86_64-w64-mingw32-gcc -O2 -o "$dir/wincred.exe" tests/wine/wincred.c -ladvapi32

# The tests clear the environment and give each test a copy of the prefix
# (WINEPREFIX): the wrappers add the rest.
for name in awscreds-rs awscreds-rs-faults wincred; do
  case $name in
    awscreds-rs) exe=$dir/bin/awscreds-rs.exe ;;
    awscreds-rs-faults) exe=$dir/faults/bin/awscreds-rs.exe ;;
    *) exe=$dir/$name.exe ;;
  esac
  # shellcheck disable=SC2016 # the wrapper expands $WINEPREFIX and $@, not this script
  printf '#!/bin/sh\n: "${WINEPREFIX:?the Wine prefix to run in}"\nWINEDEBUG=-all exec %q %q "$@"\n' \
    "$wine64" "$exe" >"$dir/$name"
  chmod +x "$dir/$name"
done
"$dir/awscreds-rs" --version
# Wine writes a prefix's registry to disk when its wineserver exits: the
# tests copy the prefix, so wait for that (a copy taken earlier lacks the
# services wineboot registered, and CredEnumerateW fails with error 2).
/usr/lib/wine/wineserver -w

step "the tests that make sense on Windows, under Wine"
status=0
AWSCREDS_TEST_WINE=$dir cargo test --no-fail-fast \
  --test cli --test sessions --test doctor --test rotate --test filestore --test exec -- everywhere:: || status=$?
/usr/lib/wine/wineserver -k 2>/dev/null || true
exit "$status"
