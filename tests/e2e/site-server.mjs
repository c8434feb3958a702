#!/usr/bin/env node
// The demo site as `npm run demo` and the end-to-end tests serve it: the project's range
// server (tests/server/range-server.mjs) over a directory holding only www/, pkg/ and
// dist/ (symlinks, keeping the repository's relative layout, so nothing else of the
// checkout is served), with browser Content-Types for the page's own files.
//
//   node tests/e2e/site-server.mjs [--port 8642] [--host 127.0.0.1]
//   import { startSiteServer } from './site-server.mjs'
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRangeServer } from '../server/range-server.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The range server sends every file as application/octet-stream, which browsers will
 * not run as a page, module or streaming-compiled wasm: give the page's own files their
 * type (data files keep theirs).
 */
function withContentTypes(server) {
  server.prependListener('request', (req, res) => {
    let type;
    try {
      type = TYPES[path.extname(new URL(req.url, 'http://x').pathname).toLowerCase()];
    } catch {
      return;
    }
    if (!type) return;
    const writeHead = res.writeHead;
    res.writeHead = function (status, ...rest) {
      const headers = rest.find((a) => a && typeof a === 'object');
      if (headers && headers['Content-Type'] === 'application/octet-stream') headers['Content-Type'] = type;
      return writeHead.call(this, status, ...rest);
    };
  });
}

/** Serve the demo site; returns `{ url, pageUrl, close }`. */
export async function startSiteServer({ port = 0, host = '127.0.0.1' } = {}) {
  const site = await mkdtemp(path.join(tmpdir(), 'rangetile-site-'));
  for (const d of ['www', 'pkg', 'dist']) await symlink(path.join(repo, d), path.join(site, d));
  const server = await startRangeServer({ root: site, port, host });
  withContentTypes(server.server);
  return {
    url: server.url,
    pageUrl: `${server.url}/www/index.html`,
    async close() {
      await server.close();
      await rm(site, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const { pageUrl, close } = await startSiteServer({ port: Number(arg('--port', '8642')), host: arg('--host', '127.0.0.1') });
  console.log(`\nrangetile demo: ${pageUrl}   (Ctrl-C to stop)\n`);
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
