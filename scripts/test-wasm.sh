#!/usr/bin/env bash
# The wasm tests, in node and in headless chromium, against the local range server.
#
#   scripts/test-wasm.sh                  # every suite in WASM_TESTS below
#   scripts/test-wasm.sh --test NAME ...  # only these tests/NAME.rs suites
#
# Starts tests/server/range-server.mjs on 127.0.0.1 over a generated fixture directory
# (tests/server/fixtures.mjs; the shared corpus is linked in as /testdata when
# ../shared/testdata exists), bakes its URL into the tests (RANGETILE_TEST_SERVER, read
# with option_env!), runs each suite with wasm-bindgen-test-runner (a suite with
# `wasm_bindgen_test_configure!(run_in_browser)` runs in chromium through chromedriver,
# with the capabilities of webdriver.json; the others run in node), stops the server, and
# fails if any suite fails or runs no test.
#
# To add a suite: put its name in WASM_TESTS.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_TESTS=(wasm_io_node wasm_io_browser wasm_kernels_node codecs_wasm zarr_wasm_node zarr_wasm_browser wasm_jp2_node wasm_jp2_browser)

if [ "$#" -gt 0 ]; then
  WASM_TESTS=()
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --test) WASM_TESTS+=("$2"); shift 2 ;;
      *) echo "test-wasm.sh: unknown argument $1 (use --test NAME)" >&2; exit 2 ;;
    esac
  done
fi

export PATH="$HOME/.cargo/bin:$PATH"
command -v wasm-bindgen-test-runner >/dev/null || { echo "test-wasm.sh: wasm-bindgen-test-runner not found (run scripts/setup.sh)" >&2; exit 1; }
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
if [ -z "${CHROMEDRIVER:-}" ] && [ -x /usr/bin/chromedriver ]; then export CHROMEDRIVER=/usr/bin/chromedriver; fi
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"

target_dir="${CARGO_TARGET_DIR:-target}"
fixtures="$target_dir/wasm-test-fixtures"
mkdir -p "$fixtures"
node tests/server/fixtures.mjs "$fixtures"
if [ -d ../shared/testdata ] && [ ! -e "$fixtures/testdata" ]; then
  ln -s "$(cd ../shared/testdata && pwd)" "$fixtures/testdata"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

node tests/server/range-server.mjs --root "$fixtures" >"$work/server.out" &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/server.out" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "test-wasm.sh: the range server exited" >&2; exit 1; }
  sleep 0.1
done
url=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]; console.log(JSON.parse(l).url)' "$work/server.out")
echo "test-wasm.sh: range server at $url (root $fixtures)"
export RANGETILE_TEST_SERVER="$url"

failed=()
total=0
for t in "${WASM_TESTS[@]}"; do
  echo "==> cargo test --target wasm32-unknown-unknown --test $t"
  out="$work/$t.log"
  if cargo test --target wasm32-unknown-unknown --test "$t" 2>&1 | tee "$out"; then rc=0; else rc=$?; fi
  passed=$(sed -n 's/.*test result: ok\. \([0-9]*\) passed.*/\1/p' "$out" | tail -1)
  if [ "$rc" -ne 0 ]; then
    failed+=("$t (failed)")
  elif [ -z "$passed" ] || [ "$passed" -eq 0 ]; then
    failed+=("$t (no test ran)")
  else
    where=node
    grep -q "Running headless tests in Chrome" "$out" && where="headless chromium"
    echo "test-wasm.sh: $t: $passed passed in $where"
    total=$((total + passed))
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "test-wasm.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test-wasm.sh: all ${#WASM_TESTS[@]} suite(s) passed, $total tests"
