#!/usr/bin/env bash
# Everything `npm test` (and CI) checks, in order, stopping at the first failure:
# setup, build, rustfmt, clippy (native and wasm32), native Rust tests, wasm tests in node
# and headless chromium, tsc, the JS tests of the built package against the local range
# server (node --test, then vitest for the typed API), a smoke run of a few bench groups
# (bench/README.md), and Playwright end-to-end tests of the demo page and of the API in
# chromium (decode workers, corpus subset).
#
# Environment: CARGO_TARGET_DIR is honoured for the native stages;
# RANGETILE_SKIP_SETUP=1 skips the setup stage (when you know the machine is ready).
set -euo pipefail
cd "$(dirname "$0")/.."

t_start=$(date +%s)
stage_no=0
current=""
passed=()

stage() {
  stage_no=$((stage_no + 1))
  current="$1"
  stage_t=$(date +%s)
  printf '\n\033[1m==> [%d] %s\033[0m\n' "$stage_no" "$current"
}
stage_done() {
  passed+=("$current ($(($(date +%s) - stage_t))s)")
}
on_exit() {
  local rc=$?
  local total=$(($(date +%s) - t_start))
  if [ "$rc" -ne 0 ]; then
    printf '\n\033[1;31mtest.sh: FAILED at stage [%d] %s (exit %d) after %ds; %d stage(s) passed before it\033[0m\n' \
      "$stage_no" "$current" "$rc" "$total" "${#passed[@]}"
  else
    printf '\n\033[1;32mtest.sh: all %d stages passed in %ds\033[0m\n' "${#passed[@]}" "$total"
  fi
  for p in "${passed[@]}"; do printf '  ok  %s\n' "$p"; done
  exit "$rc"
}
trap on_exit EXIT

# The wasm stages run with the Debian-fallback settings when setup chose it; the native
# stages never do (they use the ordinary toolchain).
with_wasm_env() (
  # shellcheck disable=SC1091
  [ -f .cache/wasm-env.sh ] && . .cache/wasm-env.sh
  "$@"
)

if [ "${RANGETILE_SKIP_SETUP:-0}" != 1 ]; then
  stage "setup (install what is missing)"
  bash scripts/setup.sh
  stage_done
fi

stage "build (wasm + TypeScript)"
bash scripts/build.sh
stage_done

stage "cargo fmt --check"
cargo fmt --all -- --check
stage_done

stage "cargo clippy --all-targets --all-features (native)"
cargo clippy --all-targets --all-features -- -D warnings
stage_done

stage "cargo clippy --target wasm32-unknown-unknown --lib --features simd"
if [ -f .cache/wasm-env.sh ] && ! with_wasm_env cargo clippy --version >/dev/null 2>&1; then
  # Debian's rustc-web has no clippy: type-check the wasm build instead.
  echo "clippy is not available for the wasm toolchain: cargo check instead"
  with_wasm_env cargo check --target wasm32-unknown-unknown --lib --features simd
else
  with_wasm_env cargo clippy --target wasm32-unknown-unknown --lib --features simd -- -D warnings
fi
stage_done

stage "native Rust tests (unit, integration, doc)"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --all-features --no-fail-fast
  cargo test --doc --all-features
else
  cargo test --all-features --no-fail-fast
fi
stage_done

if [ -f scripts/test-wasm.sh ]; then
  stage "wasm tests (node + headless chromium)"
  with_wasm_env bash scripts/test-wasm.sh
  stage_done
fi

stage "tsc --noEmit"
node_modules/.bin/tsc -p tsconfig.json --noEmit
stage_done

stage "JS tests of the built package (node --test tests/js/)"
node --test --test-reporter=spec tests/js/
stage_done

stage "API tests of the built package (vitest: corpus subset, workers, abort, caches, Vite build)"
node_modules/.bin/vitest run --config tests/js/vitest.config.mjs
stage_done

stage "bench smoke run (rows well formed; no timing checks, writes no results)"
node bench/run.mjs --quick --strict --group zstd,zarr-http,jpeg2k,htj2k,jp2-tile-http,size
stage_done

stage "end-to-end: the demo page in chromium (Playwright)"
node scripts/gen-demo-data.mjs
node --test --test-reporter=spec tests/e2e/
stage_done
