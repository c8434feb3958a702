#!/usr/bin/env node
// A small static file server with HTTP range support (RFC 9110 §14), CORS, a request
// log and fault modes, for rangetile's tests and demos. Plain node, no dependencies.
//
//   node tests/server/range-server.mjs --root DIR [--port 0] [--host 127.0.0.1] [--exit-with-stdin]
//
// prints one JSON line {"url":"http://127.0.0.1:PORT"} on stdout once listening.
// From JS: `const { url, close } = await startRangeServer({ root, port })`.
//
// Files under --root are served at `/`. Fault modes are chosen per request by a path
// prefix, so that any base URL can carry them: `/__fault/<spec>/<path>` where <spec> is
// a comma-separated list of
//   ignore-range          200 with the whole body
//   status=403|404|416|500|503   answer with that status
//   times=N               the faults apply to the first N requests of this spec+path only
//   truncate=N            declare the full length, send N bytes fewer, close the socket
//   bad-content-range     a 206 whose Content-Range is not the requested range
//   delay=MS              wait before answering
//   stall                 never answer (until the client goes away)
//   no-head               405 to HEAD
//   no-suffix             suffix ranges (bytes=-N) get 200 with the whole body
//   no-length             no Content-Length header (chunked body)
// Control endpoints: GET /__log (JSON array of {method, path, range, status, bytes,
// headers: the request's x-* and authorization headers}),
// GET /__stats ({inFlight, maxInFlight}), POST /__reset (clears the log, the fault
// counters and maxInFlight).

import { createServer } from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const BASE_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Accept-Ranges',
  'Cache-Control': 'no-store',
};

/** Parse `bytes=a-b`, `bytes=a-`, `bytes=-n` against `size`.
 *  Returns null (no usable range: serve 200), 'unsatisfiable', or {start, end, suffix} (end inclusive). */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m) return null; // multiple or malformed ranges: ignore the header (RFC 9110 §14.2)
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1, suffix: true };
  }
  const start = Number(a);
  let end = b === '' ? size - 1 : Number(b);
  if (b !== '' && end < start) return null;
  if (start >= size) return 'unsatisfiable';
  end = Math.min(end, size - 1);
  return { start, end, suffix: false };
}

function parseSpec(spec) {
  const f = { times: Infinity };
  for (const part of spec.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    switch (k) {
      case 'status': case 'truncate': case 'delay': case 'times':
        f[k] = Number(v);
        if (!Number.isFinite(f[k]) || f[k] < 0) throw new Error(`bad fault value ${part}`);
        break;
      case 'ignore-range': case 'bad-content-range': case 'stall': case 'no-head': case 'no-suffix': case 'no-length':
        f[k] = true;
        break;
      default:
        throw new Error(`unknown fault ${part}`);
    }
  }
  return f;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function startRangeServer({ root, port = 0, host = '127.0.0.1' }) {
  const rootDir = path.resolve(root);
  let log = [];
  let counters = new Map();
  let inFlight = 0;
  let maxInFlight = 0;

  async function handle(req, res) {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...BASE_HEADERS,
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || 'Range',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    if (url.pathname === '/__log') {
      res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(log));
    }
    if (url.pathname === '/__stats') {
      res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ inFlight, maxInFlight }));
    }
    if (url.pathname === '/__reset') {
      log = [];
      counters = new Map();
      maxInFlight = inFlight;
      res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'application/json' });
      return res.end('{"ok":true}');
    }

    // Caller-supplied headers (x-*, authorization), so tests can check they arrive.
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.startsWith('x-') || k === 'authorization') headers[k] = v;
    }
    const entry = { method: req.method, path: req.url, range: req.headers.range ?? null, status: 0, bytes: 0, headers };
    log.push(entry);
    const send = (status, headers, body = '') => {
      entry.status = status;
      const buf = Buffer.from(body);
      entry.bytes = req.method === 'HEAD' ? 0 : buf.length;
      res.writeHead(status, { ...BASE_HEADERS, 'Content-Length': String(buf.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : buf);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { Allow: 'GET, HEAD, OPTIONS' }, 'method not allowed');

    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(400, {}, 'bad path encoding');
    }
    let fault = { times: Infinity };
    const fm = /^\/__fault\/([^/]*)(\/.*)$/.exec(pathname);
    if (fm) {
      try {
        fault = parseSpec(fm[1]);
      } catch (e) {
        return send(400, {}, String(e.message));
      }
      const key = `${fm[1]}|${fm[2]}`;
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      if (n >= fault.times) fault = { times: Infinity };
      pathname = fm[2];
    }

    const file = path.resolve(rootDir, '.' + pathname);
    if (file !== rootDir && !file.startsWith(rootDir + path.sep)) return send(403, {}, 'outside the root');

    if (fault.delay) await sleep(fault.delay);
    if (fault.stall) {
      entry.status = 0;
      await new Promise((r) => req.socket.once('close', r));
      return undefined;
    }
    if (req.method === 'HEAD' && fault['no-head']) return send(405, { Allow: 'GET' }, 'HEAD refused');

    let stat;
    try {
      stat = await fsp.stat(file);
    } catch {
      stat = null;
    }
    if (fault.status) {
      const extra = fault.status === 416 && stat ? { 'Content-Range': `bytes */${stat.size}` } : {};
      return send(fault.status, extra, `fault ${fault.status}`);
    }
    if (!stat || !stat.isFile()) return send(404, {}, 'not found');

    const size = stat.size;
    const etag = `"${size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    let range = fault['ignore-range'] ? null : parseRange(req.headers.range, size);
    if (range && range !== 'unsatisfiable' && range.suffix && fault['no-suffix']) range = null;
    if (range === 'unsatisfiable') return send(416, { 'Content-Range': `bytes */${size}` }, '');

    const out = { 'Accept-Ranges': 'bytes', ETag: etag, 'Content-Type': 'application/octet-stream' };
    let status = 200;
    let start = 0;
    let end = size - 1; // inclusive
    if (range) {
      status = 206;
      ({ start, end } = range);
      out['Content-Range'] = fault['bad-content-range']
        ? `bytes ${start + 1}-${end + 1}/${size + 1}`
        : `bytes ${start}-${end}/${size}`;
    }
    const length = end - start + 1;
    if (!fault['no-length']) out['Content-Length'] = String(length);
    const cut = Math.min(fault.truncate ?? 0, length);
    entry.status = status;
    entry.bytes = req.method === 'HEAD' ? 0 : length - cut;
    res.writeHead(status, { ...BASE_HEADERS, ...out });
    if (req.method === 'HEAD' || length - cut <= 0) {
      if (cut > 0 && req.method !== 'HEAD') {
        res.flushHeaders();
        return res.socket?.destroy();
      }
      return res.end();
    }
    const stream = createReadStream(file, { start, end: end - cut });
    stream.on('error', () => res.socket?.destroy());
    stream.pipe(res, { end: false });
    stream.on('end', () => {
      if (cut > 0) {
        // Let the bytes go out, then close without finishing the declared length.
        res.socket?.end();
        setTimeout(() => res.socket?.destroy(), 50);
      } else {
        res.end();
      }
    });
    return undefined;
  }

  const server = createServer((req, res) => {
    const countable = !req.url.startsWith('/__') || req.url.startsWith('/__fault/');
    if (countable && req.method !== 'OPTIONS') {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          inFlight -= 1;
        }
      };
      res.on('finish', finish);
      res.on('close', finish);
    }
    handle(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, BASE_HEADERS);
        res.end(String(e?.message ?? e));
      } else {
        res.socket?.destroy();
      }
    });
  });
  server.keepAliveTimeout = 2000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const url = `http://${host}:${addr.port}`;
      resolve({
        url,
        server,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

function parseArgs(argv) {
  const args = { root: '.', port: 0, host: '127.0.0.1', exitWithStdin: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--exit-with-stdin') {
      args.exitWithStdin = true;
      continue;
    }
    if (a === '--root') args.root = v;
    else if (a === '--port') args.port = Number(v);
    else if (a === '--host') args.host = v;
    else throw new Error(`unknown argument ${a}`);
    i += 1;
  }
  return args;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  const { url, close } = await startRangeServer(args);
  process.stdout.write(JSON.stringify({ url }) + '\n');
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // With --exit-with-stdin, exit when the parent closes our stdin (a test process that
  // dies without cleaning up).
  if (args.exitWithStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}
