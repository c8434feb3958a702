#!/usr/bin/env bash
# Build the npm package: the wasm module into pkg/ (wasm-pack, target web; SIMD128 code
# generation from .cargo/config.toml plus the crate's `simd` kernels feature) and the
# TypeScript API into dist/ (ESM + .d.ts), then print a size report and enforce the gzip
# budget of the .wasm.
#
#   bash scripts/build.sh          release build (what npm run build does)
#   bash scripts/build.sh --dev    unoptimised wasm, quicker to rebuild while iterating
#
# Environment: RANGETILE_WASM_GZIP_BUDGET (bytes, default 4 MiB) caps the gzip size of
# the .wasm; RANGETILE_NO_WASM_PACK=1 forces the cargo + wasm-bindgen path.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'build: %s\n' "$*"; }

profile=release
[ "${1:-}" = "--dev" ] && profile=dev

# Settings of the Debian rustc-web fallback, when scripts/setup.sh chose it.
# shellcheck disable=SC1091
[ -f .cache/wasm-env.sh ] && . .cache/wasm-env.sh

# wasm-opt: only npm's binaryen (first on PATH). Debian's binaryen 108 produces broken
# modules, and with no wasm-opt at all wasm-pack would try to download one.
opt=1
if [ -x node_modules/.bin/wasm-opt ]; then
  PATH="$PWD/node_modules/.bin:$PATH"
  export PATH
else
  say "npm binaryen not installed (run scripts/setup.sh): building without wasm-opt"
  opt=0
fi

# The release .wasm embeds source paths in panic messages: map the checkout and cargo's
# registry directories to neutral names so that the published file names no machine
# path (and no registry host). `--config` appends to the rustflags of
# .cargo/config.toml (SIMD128, --allow-undefined) instead of replacing them as RUSTFLAGS
# would.
remaps=("\"--remap-path-prefix=$PWD=rangetile\"")
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for d in "$cargo_home"/registry/src/*/ "$cargo_home"/git/checkouts/*/; do
  [ -d "$d" ] && remaps+=("\"--remap-path-prefix=${d%/}=deps\"")
done
remap_config="target.wasm32-unknown-unknown.rustflags=[$(IFS=,; echo "${remaps[*]}")]"
extra_cargo=(--features simd)
[ "$profile" = release ] && extra_cargo+=(--config "$remap_config")

rm -rf pkg
if [ "${RANGETILE_NO_WASM_PACK:-0}" != 1 ] && command -v wasm-pack >/dev/null 2>&1; then
  args=(build --target web --out-dir pkg --no-pack)
  [ "$profile" = dev ] && args+=(--dev) || args+=(--release)
  [ "$opt" = 0 ] && args+=(--no-opt)
  [ -n "${RANGETILE_WASM_PACK_BUILD_MODE:-}" ] && args+=(--mode "$RANGETILE_WASM_PACK_BUILD_MODE")
  say "wasm-pack ${args[*]} -- --features simd"
  wasm-pack --log-level warn "${args[@]}" -- "${extra_cargo[@]}"
else
  say "wasm-pack unavailable: cargo build + wasm-bindgen"
  cargo_args=(build --lib --target wasm32-unknown-unknown "${extra_cargo[@]}")
  [ "$profile" = release ] && cargo_args+=(--release)
  cargo "${cargo_args[@]}"
  out_dir=$(cargo metadata --format-version 1 --no-deps | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
  [ "$profile" = release ] && sub=release || sub=debug
  wasm-bindgen --target web --out-dir pkg "$out_dir/wasm32-unknown-unknown/$sub/rangetile.wasm"
  if [ "$opt" = 1 ] && [ "$profile" = release ]; then
    say "wasm-opt -O"
    wasm-opt -O --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      pkg/rangetile_bg.wasm -o pkg/rangetile_bg.wasm
  fi
fi
rm -f pkg/.gitignore

say "tsc -p tsconfig.json"
rm -rf dist
node_modules/.bin/tsc -p tsconfig.json

# --- size report ---------------------------------------------------------------------------
gz() { gzip -9c "$1" | wc -c; }
printf '\n%-28s %12s %12s\n' "size report" "raw" "gzip"
total_raw=0 total_gz=0
for f in pkg/rangetile_bg.wasm pkg/rangetile.js dist/*.js; do
  [ -f "$f" ] || continue
  raw=$(wc -c <"$f")
  g=$(gz "$f")
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + g))
  printf '%-28s %12d %12d\n' "$f" "$raw" "$g"
done
printf '%-28s %12d %12d\n\n' "total" "$total_raw" "$total_gz"

budget=${RANGETILE_WASM_GZIP_BUDGET:-4194304}
wasm_gz=$(gz pkg/rangetile_bg.wasm)
if [ "$profile" = release ] && [ "$wasm_gz" -gt "$budget" ]; then
  say "error: pkg/rangetile_bg.wasm is $wasm_gz bytes gzipped, over the budget of $budget"
  exit 1
fi
say "done ($profile)"
