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

# The server's root holds only what the pages need, with the repository's relative layout
# (www/ next to pkg/ and dist/), so nothing else of the checkout is served.
site=.cache/demo-site
mkdir -p "$site"
for d in www pkg dist; do
  ln -sfn "../../$d" "$site/$d"
done

echo
echo "rangetile demo: http://127.0.0.1:$port/www/index.html   (Ctrl-C to stop)"
echo
exec node tests/server/range-server.mjs --root "$site" --port "$port" --host 127.0.0.1
