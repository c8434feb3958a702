#!/usr/bin/env bash
# `npm run demo`: install what is missing, build, generate the demo data, and serve the
# demo pages with the project's range server on 127.0.0.1 until interrupted.
#
# Environment: PORT (default 8642), RANGETILE_SKIP_SETUP=1, RANGETILE_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-8642}

[ "${RANGETILE_SKIP_SETUP:-0}" = 1 ] || bash scripts/setup.sh
[ "${RANGETILE_SKIP_BUILD:-0}" = 1 ] || bash scripts/build.sh
node scripts/gen-demo-data.mjs
# The map demos' data (ERA5-like Zarr, Sentinel-2-like JP2; generated once) and the
# bundles of the map libraries they load.
bash scripts/demo-data/generate.sh
node scripts/demo-data/build-bundles.mjs

# The range server over www/, pkg/ and dist/ only (tests/e2e/site-server.mjs, the same
# set-up the end-to-end test drives); it prints the page's URL.
exec node tests/e2e/site-server.mjs --port "$port" --host 127.0.0.1
