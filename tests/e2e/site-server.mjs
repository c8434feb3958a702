#!/usr/bin/env node
// The demo site as `npm run demo` and the end-to-end tests serve it: the project's range
// server (tests/server/range-server.mjs) over a directory holding only www/, pkg/ and
// dist/ (symlinks, keeping the repository's relative layout, so nothing else of the
// checkout is served), with browser Content-Types for the page's own files.
//
// The tests' own temporary sites are served the same way (serveSite, serveDir).
//
//   node tests/e2e/site-server.mjs [--port 8642] [--host 127.0.0.1]
//   import { startSiteServer, serveSite } from './site-server.mjs'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRangeServer } from '../server/range-server.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The Content-Types of a page's own files, by extension. */
export const PAGE_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The demo site's: the page types and what its pages load besides. */
const TYPES = {
  ...PAGE_TYPES,
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The range server sends every file as application/octet-stream, which browsers will
 * not run as a page, module or streaming-compiled wasm: give the files with an extension
 * in `types` that type (data files keep theirs).
 */
export function withContentTypes(server, types = PAGE_TYPES) {
  server.prependListener('request', (req, res) => {
    let type;
    try {
      type = types[path.extname(new URL(req.url, 'http://x').pathname).toLowerCase()];
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

/** The range server over `root`, with `types` as in withContentTypes(). */
export async function serveDir(root, types = PAGE_TYPES) {
  const server = await startRangeServer({ root });
  withContentTypes(server.server, types);
  return server;
}

/**
 * Serve a temporary site: a directory `rangetile-<name>-*` holding a symlink for each
 * `links` entry (name in the site -> target) and a file for each `files` entry (name ->
 * text), over the range server (`port`, `host`) with `types` as in withContentTypes().
 * Returns `{ url, site, close }`; close() stops the server and removes the directory.
 */
export async function serveSite({ name, links = {}, files = {}, types = PAGE_TYPES, port = 0, host = '127.0.0.1' }) {
  const site = await mkdtemp(path.join(tmpdir(), `rangetile-${name}-`));
  try {
    for (const [n, target] of Object.entries(links)) await symlink(target, path.join(site, n));
    for (const [n, text] of Object.entries(files)) await writeFile(path.join(site, n), text);
    const server = await startRangeServer({ root: site, port, host });
    withContentTypes(server.server, types);
    return {
      url: server.url,
      site,
      async close() {
        await server.close();
        await rm(site, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(site, { recursive: true, force: true });
    throw e;
  }
}

/** Serve the demo site; returns `{ url, pageUrl, close }`. */
export async function startSiteServer({ port = 0, host = '127.0.0.1' } = {}) {
  const links = Object.fromEntries(['www', 'pkg', 'dist'].map((d) => [d, path.join(repo, d)]));
  const { url, close } = await serveSite({ name: 'site', links, types: TYPES, port, host });
  return { url, pageUrl: `${url}/www/index.html`, close };
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
