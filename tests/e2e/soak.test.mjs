// Soak test in Debian's chromium (playwright-core): an OpenLayers source from the adapter
// (createOpenLayersSource over the demo's multiscale sharded Zarr v3, www/data/era5_t2m.zarr,
// 128-pixel tiles, default cache budgets) loads 3,000 tiles through OpenLayers' own DataTile objects, view after view across
// zoom levels and time steps (seeded, deterministic sequence), and disposes a random ~20%
// of them while they load (OpenLayers then aborts the loader's AbortSignal). Sampled at
// 500, 1000, 1500, 2000 and 3000 tiles after a forced GC: the JS heap (CDP), the main thread's
// and each decode worker's WebAssembly memory, the live workers. Asserts: every tile that
// was not disposed loaded, every failure is an abort of a disposed tile, heap and wasm
// memory stay bounded after warm-up, live workers = pool size, no unhandled rejection and
// no page error. The numbers are printed for the record.
//   node --test tests/e2e/soak.test.mjs      (needs the built package: npm run build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMapBundles, launchChromium, openPage, serveSite } from './browser.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const WORKERS = 2;
const SAMPLES = [500, 1000, 1500, 2000, 3000];
const MB = 1024 * 1024;

let server, browser, page, cdp, problems;

async function ensureDemoData() {
  execFileSync('bash', [path.join(repo, 'scripts/demo-data/generate.sh')], { stdio: 'inherit' });
  await ensureMapBundles();
}

// The page: `soak(n)` loads views until n more tiles were requested, and returns counters.
const PAGE = `<!doctype html><meta charset="utf-8"><title>soak</title>
<script type="module">
window.unhandled = [];
addEventListener('unhandledrejection', (e) => window.unhandled.push(String(e.reason?.name ?? '') + ': ' + String(e.reason?.message ?? e.reason)));
import * as rt from './dist/index.js';
import { createOpenLayersSource } from './dist/maps/maps-ol.js';

// mulberry32: the same sequence of views, tiles and aborts on every run.
let seed = 0x50a4;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (n) => Math.floor(rand() * n);

await rt.configureDecoding({ workers: ${WORKERS} });

// A tile is done when its loader settled: LOADED or ERROR, or disposed after it had loaded
// (disposal then only empties it). A loader that never settles would hang the soak: after a
// generous grace period the tile is reported as stuck instead (and the test fails).
const done = (t) => t.getState() === 2 || t.getState() === 3 || t.__loadedBeforeDispose;
const settled = (tiles, c) =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const check = () => {
      if (tiles.every(done)) return resolve();
      if (performance.now() - t0 > 60_000) {
        for (const t of tiles) if (!done(t)) c.stuck.push(t.tileCoord.join('/') + ' state ' + t.getState());
        return resolve();
      }
      setTimeout(check, 2);
    };
    check();
  });

/** soak(n) loads views of \`source\` (windows of up to w × h tiles) until n more tiles were
 * requested, and returns the counters. */
function makeSoak(source, w0, h0) {
  const grid = source.getTileGrid();
  const zooms = grid.getResolutions().length;
  const times = source.model.dims.time ?? 0;
  const c = { requested: 0, loaded: 0, disposed: 0, abortedErrors: 0, otherErrors: [], stuck: [], views: 0, zooms: new Set(), timesUsed: new Set() };
  return async (n) => {
    const goal = c.requested + n;
    while (c.requested < goal) {
      // A view: a zoom (finer zooms more often), a time step, a window of tiles.
      const z = Math.min(zooms - 1, pick(zooms + 2));
      if (times > 0) {
        const time = pick(times);
        source.setIndex({ time });
        c.timesUsed.add(time);
      }
      const r = grid.getFullTileRange(z);
      const w = Math.min(w0, r.getWidth());
      const h = Math.min(h0, r.getHeight());
      const x0 = r.minX + pick(r.getWidth() - w + 1);
      const y0 = r.minY + pick(r.getHeight() - h + 1);
      const tiles = [];
      for (let y = y0; y < y0 + h; y++) {
        for (let x = x0; x < x0 + w; x++) {
          const t = source.getTile(z, x, y, 1);
          t.load();
          c.requested++;
          if (rand() < 0.2) {
            // Pan away while it loads: OpenLayers disposes the tile and aborts its loader.
            const delay = pick(12);
            t.__disposed = true;
            c.disposed++;
            setTimeout(() => {
              t.__loadedBeforeDispose = t.getState() === 2;
              t.dispose();
            }, delay);
          }
          tiles.push(t);
        }
      }
      await settled(tiles, c);
      // Let the scheduled disposals of already-loaded tiles run.
      await new Promise((r) => setTimeout(r, 14));
      for (const t of tiles) {
        if (!done(t)) continue; // counted in c.stuck
        if (t.getState() === 2 || t.__loadedBeforeDispose) {
          c.loaded++;
          if (!t.__disposed) t.dispose();
        } else {
          const e = t.getError();
          if (t.__disposed && e && e.name === 'Aborted') c.abortedErrors++;
          else c.otherErrors.push((t.__disposed ? 'disposed ' : '') + String(e?.name) + ': ' + String(e?.message));
        }
      }
      c.views++;
      c.zooms.add(z);
    }
    const ps = await rt.poolStats();
    return { ...c, zooms: [...c.zooms].sort(), timesUsed: c.timesUsed.size, otherErrors: c.otherErrors.slice(0, 5), stuck: c.stuck.slice(0, 5), otherErrorCount: c.otherErrors.length, pool: ps, stats: rt.stats() };
  };
}

const era5 = await createOpenLayersSource(await rt.openZarr('./www/data/era5_t2m.zarr'), { range: [230, 310], colormap: 'temperature', tileSize: 128, index: { time: 0 } });
window.soak = makeSoak(era5, 4, 3);
window.soakJp2 = async (n) => {
  window.jp2Soak ??= makeSoak(await createOpenLayersSource(await rt.openJp2('./www/data/s2_b04_20m.jp2'), { colormap: 'gray', range: [0, 4000] }), 3, 2);
  return window.jp2Soak(n);
};
window.rt = rt;
window.wasmBytes = async () => (await (await import('./pkg/rangetile.js')).default()).memory.buffer.byteLength;
window.ready = true;
</script>`;

before(async () => {
  await ensureDemoData();
  const links = Object.fromEntries(['www', 'pkg', 'dist'].map((d) => [d, path.join(repo, d)]));
  server = await serveSite({ name: 'soak', links, files: { 'soak.html': PAGE } });
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, `${server.url}/soak.html`, {
    timeout: 60_000,
    // Opening the store probes for metadata that is not there (Zarr v2/v3 detection): the
    // browser logs those 404s; nothing else may be logged as an error.
    consoleProblem: (m) => m.type() === 'error' && !/Failed to load resource: the server responded with a status of 404/.test(m.text()),
  }));
  cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Wait until the pool is idle and the live workers are the pool's (a worker terminated
 * after an abort is replaced asynchronously). Gives up after 400 polls; the caller asserts. */
async function quiesce() {
  for (let i = 0; i < 400; i++) {
    const ps = await page.evaluate(() => window.rt.poolStats());
    if (ps.running === 0 && ps.queued === 0 && ps.workers === WORKERS && page.workers().length === WORKERS) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function sample() {
  await quiesce();
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const usage = await cdp.send('Runtime.getHeapUsage').catch(() => ({}));
  const workerWasm = [];
  for (const w of page.workers()) {
    const bytes = await w
      .evaluate(async (url) => (await (await import(url)).default()).memory.buffer.byteLength, `${server.url}/pkg/rangetile.js`)
      .catch(() => null);
    if (bytes !== null) workerWasm.push(bytes);
  }
  return {
    heap: metrics.JSHeapUsedSize,
    backing: usage.backingStorageSize ?? null,
    wasm: await page.evaluate(() => window.wasmBytes()),
    workerWasm,
    liveWorkers: page.workers().length,
  };
}

const mb = (b) => (b === null || b === undefined ? 'n/a' : (b / MB).toFixed(1));

/** Run `fn` (window.soak / window.soakJp2) up to each sample count; print and return the rows. */
async function runSoak(name, fn, samples) {
  const rows = [];
  let last;
  for (const target of samples) {
    last = await page.evaluate(([f, n]) => window[f](n), [fn, target - (last?.requested ?? 0)]);
    const s = await sample();
    rows.push({ tiles: last.requested, ...s });
    console.log(
      `${name} @${last.requested} tiles: loaded ${last.loaded}, disposed ${last.disposed} (aborted mid-load ${last.abortedErrors}), ` +
        `views ${last.views}, JS heap ${mb(s.heap)} MB, backing stores ${mb(s.backing)} MB, wasm main ${mb(s.wasm)} MB, ` +
        `wasm workers [${s.workerWasm.map(mb).join(', ')}] MB, live workers ${s.liveWorkers}, workers replaced ${last.pool.replaced}`,
    );
  }
  console.log(`${name}: zooms ${last.zooms.join(',')}, ${last.timesUsed} time steps, requests ${last.stats.requests}, ` +
    `bytes ${mb(last.stats.bytesFetched)} MB, decode jobs in workers ${last.pool.jobsInWorkers}, inline ${last.pool.jobsInline}, ` +
    `decoded-cache hits ${last.pool.decodedCacheHits} (module-wide counters)`);
  return { rows, last };
}

/** What every soak asserts about its tiles. */
function assertTiles(last, minTiles) {
  assert.ok(last.requested >= minTiles, `tiles requested: ${last.requested}`);
  assert.deepEqual(last.stuck, [], 'tiles whose loader never settled');
  assert.equal(last.otherErrorCount, 0, `failures other than aborts of disposed tiles: ${JSON.stringify(last.otherErrors)}`);
  assert.equal(last.loaded + last.abortedErrors, last.requested, 'every tile loaded or (disposed) aborted');
  assert.ok(last.disposed >= 0.15 * last.requested && last.disposed <= 0.25 * last.requested, `disposed ${last.disposed}`);
  assert.ok(last.abortedErrors > 0, 'some loads were really aborted mid-flight');
  assert.ok(last.zooms.length >= 3, `zooms used: ${last.zooms}`);
  assert.equal(last.pool.jobsInline, 0, 'all decoding in workers');
}

/** Growth after the warm-up (the first sample) within 1.5× + a few MB, absolute caps
 * `backingCap` (ArrayBuffer backing stores: decoded values) and `wasmCap` (main module). */
function assertBounded(rows, backingCap, wasmCap) {
  const first = rows[0];
  for (const r of rows) {
    assert.equal(r.liveWorkers, WORKERS, `live workers at ${r.tiles} tiles`);
    assert.equal(r.workerWasm.length, WORKERS, `worker memories read at ${r.tiles} tiles`);
    assert.ok(r.heap <= first.heap * 1.5 + 8 * MB, `JS heap at ${r.tiles} tiles: ${mb(r.heap)} MB vs ${mb(first.heap)} MB at ${first.tiles}`);
    if (r.backing !== null) {
      assert.ok(r.backing <= first.backing * 1.5 + 32 * MB, `backing stores at ${r.tiles}: ${mb(r.backing)} MB vs ${mb(first.backing)} MB`);
      assert.ok(r.backing <= backingCap, `backing stores at ${r.tiles}: ${mb(r.backing)} MB (cap ${mb(backingCap)})`);
    }
    assert.ok(r.wasm <= first.wasm * 1.5 + 16 * MB, `main wasm memory at ${r.tiles}: ${mb(r.wasm)} MB vs ${mb(first.wasm)} MB`);
    assert.ok(r.wasm <= wasmCap, `main wasm memory at ${r.tiles}: ${mb(r.wasm)} MB`);
    for (const w of r.workerWasm) assert.ok(w <= 64 * MB, `a worker's wasm memory: ${mb(w)} MB`);
  }
}

test('soak: 3,000 OpenLayers tile loads of the Zarr demo, ~20% aborted; memory and workers bounded', { timeout: 600_000 }, async () => {
  const { rows, last } = await runSoak('soak zarr', 'soak', SAMPLES);
  assertTiles(last, 2000);
  // Decoded values live in ArrayBuffer backing stores (the pool's decoded cache, 64 MiB by
  // default, the adapter's cache, here 256 tiles of 128² floats = 16 MiB), fetched bytes in
  // the main module's memory (the byte cache, 64 MiB).
  assertBounded(rows, (64 + 16 + 32) * MB, (64 + 48) * MB);
});

test('soak: 600 OpenLayers tile loads of the JPEG 2000 demo (1024² tiles, 5 levels), ~20% aborted; memory bounded', { timeout: 600_000 }, async () => {
  const { rows, last } = await runSoak('soak jp2', 'soakJp2', [150, 300, 450, 600]);
  assertTiles(last, 600);
  // The adapter's cache is byte-bounded (64 MiB) as well as counted: 1024² tiles are 4 MiB
  // of values each, so 256 of them would be 1 GiB.
  assertBounded(rows, (64 + 64 + 48) * MB, (64 + 48) * MB);
});

test('no unhandled rejection, no page error, live workers = pool size', async () => {
  await quiesce();
  assert.equal(page.workers().length, WORKERS);
  assert.deepEqual(await page.evaluate(() => window.unhandled), [], 'unhandled rejections');
  assert.deepEqual(problems, [], 'page errors / console errors');
});
