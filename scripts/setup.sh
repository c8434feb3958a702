#!/usr/bin/env bash
# Install what building and testing rangetile needs, idempotently: every step checks first
# and is skipped when already done. Safe to run on every `npm test` / `npm run demo`.
#
#   1. a wasm32-unknown-unknown standard library: the active rustup toolchain's, else
#      `rustup target add`, else Debian's rustc-web built with build-std (see the env file below)
#   2. wasm-bindgen-cli at exactly the version Cargo.toml pins
#   3. wasm-pack
#   4. chromium + chromedriver (apt) for browser tests; the zstd, gzip and opj_compress CLIs
#   5. npm dependencies (npm ci when node_modules is missing or older than package-lock.json)
#
# When the Debian fallback is needed, the settings the wasm build then needs are written to
# .cache/wasm-env.sh, which scripts/build.sh and the wasm stages of scripts/test.sh source.
# Nothing toolchain-specific is ever committed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

ENV_FILE=.cache/wasm-env.sh
mkdir -p .cache

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $*"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* with your package manager"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- prerequisites -------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20 or newer"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: rangetile needs 20 or newer"

# --- 1. wasm32 standard library ------------------------------------------------------------
has_wasm_std() { # $@: env assignments selecting a toolchain
  local dir
  dir=$(env "$@" rustc --target wasm32-unknown-unknown --print target-libdir 2>/dev/null) || return 1
  compgen -G "$dir/libstd-*.rlib" >/dev/null
}

sysweb_ready() {
  [ -f "$ENV_FILE" ] && dpkg -s rustc-web cargo-web rust-web-src >/dev/null 2>&1 \
    && rustup toolchain list 2>/dev/null | grep -q '^sysweb'
}

if has_wasm_std; then
  say "wasm32 std: present in the active toolchain"
  rm -f "$ENV_FILE"
elif sysweb_ready; then
  say "wasm32 std: Debian's rustc-web with build-std, set up earlier ($ENV_FILE)"
else
  if command -v rustup >/dev/null 2>&1; then
    say "wasm32 std: rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown || say "rustup target add failed; trying Debian's rustc-web"
  fi
  if has_wasm_std; then
    rm -f "$ENV_FILE"
  else
    # Debian's Rust for browsers + the standard library built from source (TOOLCHAIN.md).
    if ! dpkg -s rustc-web cargo-web rust-web-src >/dev/null 2>&1; then
      if apt-cache show lld-22 >/dev/null 2>&1; then lld=lld-22; else lld=lld-19; fi
      apt_install rustc-web cargo-web rust-web-src "$lld"
    else
      say "wasm32 std: rustc-web already installed"
    fi
    if ! rustup toolchain list | grep -q '^sysweb'; then
      say "rustup toolchain link sysweb /usr"
      rustup toolchain link sysweb /usr
    fi
    {
      echo "# Written by scripts/setup.sh: the wasm build uses Debian's rustc-web with build-std."
      echo "export RANGETILE_SYSWEB=1"
      echo "export RUSTUP_TOOLCHAIN=sysweb"
      echo "export RUSTC_BOOTSTRAP=1"
      echo "export CARGO_UNSTABLE_BUILD_STD=std,panic_abort"
      if ! dpkg -s lld-22 >/dev/null 2>&1 && [ -x /usr/lib/llvm-19/bin/wasm-ld ]; then
        echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld"
      fi
      echo "# wasm-pack's target check looks at the sysroot: build with --mode force, test with --mode no-install."
      echo "export RANGETILE_WASM_PACK_BUILD_MODE=force"
      echo "export RANGETILE_WASM_PACK_TEST_MODE=no-install"
    } >"$ENV_FILE"
    say "wasm32 std: using Debian's rustc-web (settings in $ENV_FILE)"
  fi
fi

# --- 2. wasm-bindgen-cli at the pinned version ---------------------------------------------
wb_version=$(sed -n 's/^wasm-bindgen *= *"=\([0-9][0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
[ -n "$wb_version" ] || die "Cargo.toml must pin wasm-bindgen exactly (wasm-bindgen = \"=X.Y.Z\")"
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" = "$wb_version" ]; then
  say "wasm-bindgen-cli $wb_version: present"
else
  say "cargo install wasm-bindgen-cli --version $wb_version (have: ${have_wb:-none}; about 2 min)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# --- 3. wasm-pack --------------------------------------------------------------------------
wait_for_other_install() {
  local waited=0
  while pgrep -f "cargo install wasm-pack" >/dev/null 2>&1; do
    [ "$waited" = 0 ] && say "wasm-pack: another 'cargo install wasm-pack' is running; waiting for it"
    sleep 10
    waited=$((waited + 10))
    [ "$waited" -lt 1200 ] || die "gave up waiting for the other wasm-pack install"
  done
}
if command -v wasm-pack >/dev/null 2>&1 && wasm-pack --version >/dev/null 2>&1; then
  say "wasm-pack: present ($(wasm-pack --version))"
else
  wait_for_other_install
  if command -v wasm-pack >/dev/null 2>&1; then
    say "wasm-pack: present ($(wasm-pack --version))"
  else
    say "cargo install wasm-pack (about 5 min)"
    cargo install wasm-pack || say "wasm-pack install failed: the build falls back to cargo + wasm-bindgen"
  fi
fi

# --- 4. chromium + chromedriver ------------------------------------------------------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium + chromedriver: present"
else
  apt_install chromium chromium-driver
fi

# --- 4b. reference tools: zstd, gzip CLIs (differential codec tests), opj_compress ---------
# (OpenJPEG's encoder: the demo's Sentinel-2-like JP2 and the bench's JPEG 2000 data)
if command -v zstd >/dev/null 2>&1 && command -v gzip >/dev/null 2>&1; then
  say "zstd + gzip command-line tools: present"
else
  apt_install zstd gzip
fi
if command -v opj_compress >/dev/null 2>&1; then
  say "opj_compress: present"
else
  apt_install libopenjp2-tools
fi

# --- 5. npm dependencies -------------------------------------------------------------------
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
    || [ package.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  else
    say "npm dependencies: up to date"
  fi
else
  if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
    say "npm install (no lockfile)"
    npm install --no-audit --no-fund
  else
    say "npm dependencies: present"
  fi
fi

say "done"
