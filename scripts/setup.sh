#!/usr/bin/env bash
# Installs what the build and the tests need, only where it is missing. Idempotent.
#   setup.sh build     wasm32 target, the pinned wasm-bindgen-cli, npm packages
#   setup.sh browser   the above, plus Debian's chromium (browser tests) and vllm-router (router tests)
#   setup.sh router    the build set-up, plus vllm-router 0.1.17 in the cache folder (tests/router/)
#   setup.sh runtimes  the build set-up, plus the packaging tests' runtimes in the cache folder; prints that folder
#   setup.sh all       everything `npm test` needs
#   setup.sh fuzz      the build set-up, plus cargo-fuzz (npm run fuzz; `all` includes it)
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
if { [ "$what" = fuzz ] || [ "$what" = browser ] || [ "$what" = all ]; } && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about a minute, once)"
  cargo install cargo-fuzz --locked >&2
fi

# openssl makes the self-signed certificate of the tester page's mixed-content test (https page).
if { [ "$what" = browser ] || [ "$what" = all ]; } && { ! command -v chromium >/dev/null || ! command -v openssl >/dev/null; }; then
  say "installing Debian's chromium and openssl (browser tests; about a minute)"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium openssl >&2
fi

# Real vllm-router for the router tests, installed once into the cache folder outside the repo.
if [ "$what" = browser ] || [ "$what" = router ] || [ "$what" = all ]; then
  bash tests/router/install.sh >/dev/null
fi
# The packaging tests (tests/js/runtimes.test.mjs) run the packed tarball in Node 18, Bun, Deno, wrangler
# (workerd, with the Node 22 wrangler needs), Jest and TypeScript 5.0, and check it with attw and publint.
# They are pinned in scripts/runtimes/ and installed once, from the npm registry, into the cache folder
# (like live vLLM: ${VLLM_PROVIDER_CACHE:-~/.cache/vllm-provider}), never into the repo: about 900 MB.
if [ "$what" = runtimes ] || [ "$what" = all ]; then
  cache=${VLLM_PROVIDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vllm-provider}
  pins=$(cat scripts/runtimes/package.json scripts/runtimes/package-lock.json | sha256sum | cut -c1-12)
  dir="$cache/runtimes-$pins"
  if [ ! -f "$dir/.installed" ]; then
    say "installing the packaging tests' runtimes into $dir (about 40 s and 900 MB, once)"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    cp scripts/runtimes/package.json scripts/runtimes/package-lock.json "$dir.partial/"
    (cd "$dir.partial" && npm ci --no-audit --no-fund >&2)
    rm -rf "$dir" && mv "$dir.partial" "$dir" && touch "$dir/.installed"
    # Runtimes of earlier pins are no longer used.
    find "$cache" -maxdepth 1 -name 'runtimes-*' ! -name "runtimes-$pins" -exec rm -rf {} + 2>/dev/null || true
  fi
  [ "$what" = runtimes ] && echo "$dir"
fi
exit 0
