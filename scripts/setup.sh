#!/usr/bin/env bash
# Installs what the build and the tests need, only where it is missing. Idempotent.
#   setup.sh build     wasm32 target, the pinned wasm-bindgen-cli, npm packages
#   setup.sh browser   the above, plus Debian's chromium (browser tests)
#   setup.sh fuzz      the above (without chromium), plus cargo-fuzz (npm run fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}
say() { printf 'setup: %s\n' "$*" >&2; }

# wasm-bindgen-cli must equal the crate's pin (the CLI refuses another schema); read it, never repeat it.
pinned=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$pinned" ] || { echo "setup: no '=x.y.z' wasm-bindgen pin in Cargo.toml" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi

# The shipped wasm is built by nightly with `-Zbuild-std` (std rebuilt for size: about 11 KiB of gzip
# less than stable's prebuilt std, measured); nightly and its rust-src come from rustup like the target.
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  say "installing the nightly toolchain (the size-tuned release build)"
  rustup toolchain install nightly --profile minimal >&2
fi
if ! rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
  say "adding rust-src to nightly (-Zbuild-std)"
  rustup component add rust-src --toolchain nightly >&2
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $pinned\$"; then
  say "installing wasm-bindgen-cli $pinned (about 2-3 min, once)"
  # Not --locked: its lock file wants a webpki-roots release the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$pinned" --force >&2
fi

lock_hash=$(sha256sum package-lock.json 2>/dev/null | cut -c1-16 || true)
if [ ! -f node_modules/.lock-hash ] || [ "$(cat node_modules/.lock-hash)" != "$lock_hash" ]; then
  say "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
  sha256sum package-lock.json | cut -c1-16 > node_modules/.lock-hash
fi

# cargo-fuzz drives the fuzz targets of fuzz/ (libFuzzer on nightly); the tests run them briefly.
if { [ "$what" = fuzz ] || [ "$what" = browser ]; } && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about a minute, once)"
  cargo install cargo-fuzz --locked >&2
fi

# openssl makes the self-signed certificate of the tester page's mixed-content test (https page).
if [ "$what" = browser ] && { ! command -v chromium >/dev/null || ! command -v openssl >/dev/null; }; then
  say "installing Debian's chromium and openssl (browser tests; about a minute)"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium openssl >&2
fi
