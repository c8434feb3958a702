// Fault scenarios through the public API, shared by node (tests/js/faults.test.mjs) and
// headless chromium (tests/e2e/faults.test.mjs): plain ESM on web APIs only (fetch,
// crypto.subtle, AbortController), no node imports, so a page can import it as it is.
//
// A "view" is what a map shows at once: several tiles read concurrently, each its own read.
// In every scenario one tile of the view is faulted by the range server
// (tests/server/range-server.mjs, `/__fault/<spec>/<path>`) and the others are not:
//   - zarr-refs: the ERA5 v2 blosc array t2m (10 chunks of 24 time steps) as kerchunk
//     references, each chunk a byte-range reference; chunk 3's reference points at the
//     faulted URL (range requests);
//   - zarr-http: the same array read from the Zarr store over HTTP; the caller's `fetch`
//     sends the request of chunk 3 to the faulted URL (whole-object GETs, no Range);
//   - zarr-sharded: the same values as a sharded Zarr v3 array (shards of 4 inner chunks,
//     zstd, crc32c-checked shard index) over HTTP; the caller's `fetch` sends the requests
//     of shard 1 (the view's tiles 4-7) to the faulted URL (range requests: index, chunks);
//   - jp2: the 4 tiles of the s2-like JPEG 2000 image; the caller's `fetch` sends the
//     requests that overlap tile 3's tile-part to the faulted URL (range requests).
// Outcomes are returned as plain data (a string per tile, the faulted requests' statuses) so
// that the test asserts them with exact expectations on the node side.
//
// The caller supplies `ctx` (built in node from the corpus, see faultContext() in
// tests/js/faults.test.mjs): { origin, prefix, zarr: { store, array, zarray, chunkSizes,
// chunkLen, faultedChunk (base64), shardedStore }, jp2: { path, tileParts } }.

/** The faults of the matrix: id, server spec, what the scenario does. */
export const FAULTS = [
  { id: 'not-partial', spec: 'ignore-range' },
  // The same server, with whole downloads allowed: the range is sliced out of the 200.
  { id: 'not-partial-allowed', spec: 'ignore-range', open: { allowWholeDownload: true } },
  { id: 'forbidden', spec: 'status=403' },
  { id: 'missing', spec: 'status=404' },
  { id: 'unsatisfiable', spec: 'status=416' },
  { id: 'flaky-5xx', spec: 'status=503,times=2' },
  { id: 'down-5xx', spec: 'status=500' },
  // The same with retries off (`maxRetries: 0`): one request.
  { id: 'down-5xx-no-retry', spec: 'status=500', open: { maxRetries: 0 } },
  { id: 'truncated', spec: 'truncate=100' },
  { id: 'bad-content-range', spec: 'bad-content-range' },
  // A chunked body without Content-Length: nothing wrong with that.
  { id: 'no-length', spec: 'no-length' },
  // The first request stalls; the read gives up after a timeout; the next read is answered.
  { id: 'stall-timeout', spec: 'stall,times=1', timeout: true },
  // The caller aborts once the server has the request; then reads the same tile again.
  { id: 'abort', spec: 'delay=400', abort: true },
  // Two readers of the same tile, one aborts: the other still gets the tile.
  { id: 'abort-one-of-two', spec: 'delay=400', abort: true, twin: true },
  // Garbage instead of the tile's bytes (no server fault).
  { id: 'corrupt', spec: null, corrupt: true },
];

export const TARGETS = ['zarr-refs', 'zarr-http', 'zarr-sharded', 'jp2'];

/** The index of the faulted tile in each view (zarr-sharded: the first of its shard's four). */
export const FAULTED = 3;

/** The tiles a fault reaches in each view. */
export const FAULTED_TILES = { 'zarr-refs': [3], 'zarr-http': [3], 'zarr-sharded': [4, 5, 6, 7], jp2: [3] };

/** The faults run on each view: the sharded view's four tiles share their shard's requests,
 * so the single-tile scenarios (a timeout, aborts) are left to the other views. */
export function faultsOf(target) {
  if (target !== 'zarr-sharded') return FAULTS;
  const skip = new Set(['stall-timeout', 'abort', 'abort-one-of-two']);
  return FAULTS.filter((f) => !skip.has(f.id));
}

// The timeout applies to every request of the view's client: long enough that no healthy
// request on a busy machine reaches it; only the stalled one does.
const TIMEOUT_MS = 1500;

/** sha256 hex of a typed array's bytes. */
export async function sha256(d) {
  const view = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', view));
  return Array.from(h, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A rangetile error (or anything thrown) as `Name[:status][/kind]`. */
export function describeError(e) {
  if (!(e instanceof Error)) return `non-Error ${String(e)}`;
  let s = e.name;
  if (typeof e.status === 'number') s += `:${e.status}`;
  if (typeof e.kind === 'string') s += `/${e.kind}`;
  return s;
}

/** Deterministic pseudo-random bytes (mulberry32). */
export function garbage(n, seed) {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

function base64(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function unbase64(t) {
  const s = atob(t);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `bytes` with 64 garbage bytes from `at` (a chunk's payload after its 16-byte Blosc
 * header, a tile-part's SOT marker segment at 0). */
function corrupted(bytes, at) {
  const out = Uint8Array.from(bytes);
  out.set(garbage(Math.min(64, Math.max(0, out.length - at)), 0xbad), at);
  return out;
}

class Env {
  constructor(rt, ctx) {
    this.rt = rt;
    this.ctx = ctx;
    this.nonce = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
  }
  url(path, spec) {
    const { origin, prefix } = this.ctx;
    return spec ? `${origin}/__fault/${spec}/${prefix}${path}` : `${origin}/${prefix}${path}`;
  }
  async log() {
    const r = await fetch(`${this.ctx.origin}/__log`);
    return (await r.json()).filter((e) => e.method !== 'OPTIONS');
  }
  async reset() {
    await fetch(`${this.ctx.origin}/__reset`, { method: 'POST' });
  }
  /** Statuses of the requests that went to a faulted URL since the last reset. */
  async faultedStatuses() {
    return (await this.log()).filter((e) => e.path.startsWith('/__fault/')).map((e) => e.status);
  }
  /** Resolves once the server has seen a request to a faulted URL. */
  async faultedRequestArrived() {
    for (;;) {
      if ((await this.log()).some((e) => e.path.startsWith('/__fault/'))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

// --- the three views -------------------------------------------------------------------

function chunkPath(ctx, k) {
  return `${ctx.zarr.store}/${ctx.zarr.array}/${k}.0.0`;
}

/** Kerchunk references of the array; chunk FAULTED per `fault`. */
function zarrRefs(env, fault, tag) {
  const { zarr } = env.ctx;
  const refs = { '.zgroup': '{"zarr_format":2}', [`${zarr.array}/.zarray`]: zarr.zarray };
  zarr.chunkSizes.forEach((size, k) => {
    const faulted = k === FAULTED && fault;
    const key = `${zarr.array}/${k}.0.0`;
    if (faulted && fault.corrupt) {
      // Inline bytes: the chunk with garbage over its payload.
      refs[key] = `base64:${base64(corrupted(unbase64(zarr.faultedChunk), 16))}`;
      return;
    }
    // A query per run keeps runs apart in the byte cache (the server ignores it).
    refs[key] = [`${env.url(chunkPath(env.ctx, k), faulted ? fault.spec : null)}?run=${env.nonce}-${tag}`, 0, size];
  });
  return { version: 1, refs };
}

/** A `fetch` that sends the requests `hit(url, range)` selects to the faulted URL (or
 * answers them with garbage), everything else unchanged. */
function routingFetch(env, fault, hit, corruptAt = 0) {
  return async (input, init) => {
    const url = String(input);
    const range = new Headers(init?.headers).get('range');
    if (!fault || !hit(url, range)) return fetch(url, init);
    if (fault.corrupt) {
      const r = await fetch(url, init);
      const body = corrupted(new Uint8Array(await r.arrayBuffer()), corruptAt);
      return new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
    }
    const origin = env.ctx.origin;
    return fetch(url.replace(`${origin}/`, `${origin}/__fault/${fault.spec}/`), init);
  };
}

/** Open the view of `target` with `fault` on tile FAULTED; returns `{ read(i, o), n }`. */
async function openView(env, target, fault, tag, extra = {}) {
  const { rt, ctx } = env;
  if (target === 'zarr-refs') {
    const store = await rt.openRefs(zarrRefs(env, fault, tag), extra);
    const a = await rt.openZarr(store, { path: ctx.zarr.array });
    const L = ctx.zarr.chunkLen;
    return { n: ctx.zarr.chunkSizes.length, read: (i, o) => a.get([[i * L, i * L + L], null, null], o) };
  }
  if (target === 'zarr-http') {
    const faultedKey = `/${chunkPath(ctx, FAULTED)}`;
    const fetchFn = routingFetch(env, fault, (url) => new URL(url).pathname.endsWith(faultedKey), 16);
    const a = await rt.openZarr(`${env.url(ctx.zarr.store)}`, { path: ctx.zarr.array, fetch: fetchFn, ...extra });
    const L = ctx.zarr.chunkLen;
    return { n: ctx.zarr.chunkSizes.length, read: (i, o) => a.get([[i * L, i * L + L], null, null], o) };
  }
  if (target === 'zarr-sharded') {
    const shardKey = `/${ctx.zarr.shardedStore}/${ctx.zarr.array}/c/1/0/0`;
    const fetchFn = routingFetch(env, fault, (url) => new URL(url).pathname.endsWith(shardKey));
    const a = await rt.openZarr(`${env.url(ctx.zarr.shardedStore)}`, { path: ctx.zarr.array, fetch: fetchFn, ...extra });
    const L = ctx.zarr.chunkLen;
    return { n: ctx.zarr.chunkSizes.length, read: (i, o) => a.get([[i * L, i * L + L], null, null], o) };
  }
  // jp2: requests overlapping tile FAULTED's tile-part go to the fault.
  const [, , , off, len] = ctx.jp2.tileParts.find((r) => r[0] === FAULTED);
  const hit = (_url, range) => {
    const m = range && /bytes=(\d+)-(\d+)/.exec(range);
    return !!m && Number(m[1]) < off + len && Number(m[2]) >= off;
  };
  const im = await rt.openJp2(`${env.url(ctx.jp2.path)}?run=${env.nonce}-${tag}`, { fetch: routingFetch(env, fault, hit), ...extra });
  return { n: im.tilesAcross * im.tilesDown, read: (i, o) => im.readTile(i % im.tilesAcross, Math.floor(i / im.tilesAcross), o) };
}

async function outcome(p) {
  try {
    const r = await p;
    return { ok: await sha256(r.data), fill: isAllNaN(r.data) };
  } catch (e) {
    return { error: describeError(e) };
  }
}

function isAllNaN(d) {
  if (!(d instanceof Float32Array) || d.length === 0) return false;
  for (const v of d) if (!Number.isNaN(v)) return false;
  return true;
}

/** `ok` when the tile equals the baseline, `fill` when every value is NaN (the fill value),
 * the error as `Name[:status][/kind]`, or `WRONG <sha>`. */
function label(o, want) {
  if (o.error) return o.error;
  if (o.ok === want) return 'ok';
  if (o.fill) return 'fill';
  return `WRONG ${o.ok}`;
}

/**
 * Run the whole matrix. Returns `{ baseline, results, opens, pool }`:
 * - baseline: per target the per-tile sha256 of a clean read (`zarr`: also the sha256 of
 *   all chunks concatenated, i.e. of the whole array);
 * - results: per target and fault `{ target, fault, tiles: [label per tile], requests:
 *   [statuses of faulted requests], after? }` (`after`: the next read of the same tile);
 * - opens: errors of opening a faulted store / image;
 * - pool: decode workers before and after.
 * `options.timeout`: 'option' (the `timeoutMs` open option) or 'signal' (AbortSignal.timeout).
 */
export async function runFaultMatrix(rt, ctx, options = {}) {
  const env = new Env(rt, ctx);
  const poolBefore = (await rt.poolStats())?.workers ?? null;
  // Every tile fetched and decoded for real: no decoded-cache hits between scenarios.
  await rt.configureDecoding({ decodedCacheBytes: 0 });
  try {
    const baseline = {};
    for (const target of ['zarr-refs', 'jp2']) {
      const view = await openView(env, target, null, 'baseline');
      const shas = [];
      for (let i = 0; i < view.n; i++) shas.push(await sha256((await view.read(i)).data));
      baseline[target] = shas;
    }
    {
      // The whole array, for the corpus sha256 (C order: the chunks follow each other).
      const view = await openView(env, 'zarr-refs', null, 'whole');
      const parts = [];
      for (let i = 0; i < view.n; i++) parts.push((await view.read(i)).data);
      const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      baseline.zarrWhole = await sha256(all);
    }
    baseline['zarr-http'] = baseline['zarr-refs'];
    baseline['zarr-sharded'] = baseline['zarr-refs'];

    const results = [];
    for (const target of options.targets ?? TARGETS) {
      for (const fault of faultsOf(target)) {
        results.push(await runOne(env, target, fault, baseline[target], options));
      }
    }

    const opens = {};
    for (const spec of ['status=404', 'status=403']) {
      await env.reset();
      opens[`jp2 ${spec}`] = await rt.openJp2(env.url(ctx.jp2.path, spec)).then(() => 'opened', describeError);
      opens[`zarr ${spec}`] = await rt.openZarr(env.url(ctx.zarr.store, spec), { path: ctx.zarr.array }).then(() => 'opened', describeError);
    }
    return { baseline, results, opens, pool: { before: poolBefore, after: (await rt.poolStats())?.workers ?? null } };
  } finally {
    await rt.configureDecoding({ decodedCacheBytes: 64 << 20 });
  }
}

async function runOne(env, target, fault, want, options) {
  await env.reset();
  const tag = `${target}-${fault.id}`;
  const extra = { ...fault.open, ...(fault.timeout && options.timeout === 'option' ? { timeoutMs: TIMEOUT_MS } : {}) };
  const view = await openView(env, target, fault, tag, extra);
  const ac = new AbortController();
  const reads = [];
  for (let i = 0; i < view.n; i++) {
    let o;
    if (i === FAULTED && fault.abort) o = { signal: ac.signal };
    if (i === FAULTED && fault.timeout && options.timeout !== 'option') o = { signal: AbortSignal.timeout(TIMEOUT_MS) };
    reads.push(outcome(view.read(i, o)));
  }
  // The twin: a second reader of the faulted tile, without a signal.
  const twin = fault.twin ? outcome(view.read(FAULTED)) : null;
  if (fault.abort) {
    await env.faultedRequestArrived();
    ac.abort();
  }
  const tiles = (await Promise.all(reads)).map((o, i) => label(o, want[i]));
  const statuses = await env.faultedStatuses();
  // An aborted request's logged status depends on when the server noticed: count only.
  const requests = fault.abort ? statuses.length : statuses;
  const r = { target, fault: fault.id, tiles, requests };
  if (twin) r.twin = label(await twin, want[FAULTED]);
  if (fault.abort || fault.timeout) {
    // The same tile again, through the same view: answered this time.
    r.after = label(await outcome(view.read(FAULTED)), want[FAULTED]);
  }
  if (fault.corrupt) {
    // The pool keeps working: another tile decodes (the decoded cache is off).
    let other = (FAULTED + 1) % view.n;
    while (FAULTED_TILES[target].includes(other)) other = (other + 1) % view.n;
    r.after = label(await outcome(view.read(other)), want[other]);
  }
  return r;
}

/**
 * The map adapter: an OpenLayers DataTile source over the JP2 image whose tile 3 answers 503
 * forever. Loads the four full-resolution tiles through OpenLayers' own tile objects and
 * returns their states and errors (`loaded <values>` / `error <Name...>`).
 */
export async function runAdapterScenario(rt, ctx, createOpenLayersSource) {
  const env = new Env(rt, ctx);
  await env.reset();
  const fault = { id: 'adapter', spec: 'status=500' };
  const [, , , off, len] = ctx.jp2.tileParts.find((r) => r[0] === FAULTED);
  const hit = (_url, range) => {
    const m = range && /bytes=(\d+)-(\d+)/.exec(range);
    return !!m && Number(m[1]) < off + len && Number(m[2]) >= off;
  };
  const im = await rt.openJp2(`${env.url(ctx.jp2.path)}?run=${env.nonce}-adapter`, { fetch: routingFetch(env, fault, hit) });
  const source = await createOpenLayersSource(im, { range: [0, 20000], colormap: 'gray' });
  const z = source.getTileGrid().getResolutions().length - 1;
  const tiles = [0, 1, 2, 3].map((i) => source.getTile(z, i % 2, Math.floor(i / 2), 1));
  await new Promise((resolve) => {
    const check = () => (tiles.every((t) => t.getState() === 2 || t.getState() === 3) ? resolve() : setTimeout(check, 20));
    for (const t of tiles) t.load();
    check();
  });
  const states = tiles.map((t) => {
    if (t.getState() === 3) return `error ${describeError(t.error_ ?? t.getError?.())}`;
    const d = t.getData();
    let opaque = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] === 255) opaque++;
    return `loaded ${opaque > 0 ? 'opaque' : 'transparent'}`;
  });
  return { states, requests: await env.faultedStatuses() };
}
