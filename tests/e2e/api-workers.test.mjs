// The typed API in Debian's chromium (playwright-core): decoding runs in the worker pool
// (the main thread's module decodes nothing, and a requestAnimationFrame loop keeps
// ticking while 50 JPEG 2000 tiles decode), the decoded tiles equal what the same package
// decodes in node, and the corpus subset reads bit-exact in the browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, serveSite } from './browser.mjs';
import { TESTDATA, JP2, jp2Expected, zarrCases } from '../js/corpus.mjs';
import * as rt from '../../dist/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const AOT = 'jp2/generated-s2like/T29UNU_20221005T115411_AOT_10m_with_injected_TLM.jp2';
let server, browser, page;

before(async () => {
  server = await serveSite({
    name: 'api',
    links: { pkg: path.join(repo, 'pkg'), dist: path.join(repo, 'dist'), testdata: TESTDATA },
    files: {
      'index.html': `<!doctype html><meta charset="utf-8"><title>api</title>
<script type="module">import * as rt from './dist/index.js'; window.rt = rt; window.ready = true;</script>`,
    },
  });
  browser = await launchChromium();
  let problems;
  ({ page, problems } = await openPage(browser, `${server.url}/index.html`));
  assert.deepEqual(problems, []);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** sha256 hex of each of the first `n` tiles (raster order) of `url`, read through `rt`. */
async function tileHashesNode(url, n) {
  const im = await rt.openJp2(url);
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = await im.readTile(i % im.tilesAcross, Math.floor(i / im.tilesAcross));
    out.push(createHash('sha256').update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).digest('hex'));
  }
  return out;
}

test('50 tiles decode in workers while requestAnimationFrame keeps ticking; equal to node', async () => {
  const result = await page.evaluate(async (url) => {
    const rt = window.rt;
    const im = await rt.openJp2(url);
    const workers = (await rt.poolStats()).workers;
    const mainDecodeBefore = rt.stats().decodeMs - (await rt.poolStats()).workerDecodeMs;
    let frames = 0;
    let running = true;
    const tick = () => {
      frames++;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const jobs = [];
    for (let i = 0; i < 50; i++) jobs.push(im.readTile(i % im.tilesAcross, Math.floor(i / im.tilesAcross)));
    const tiles = await Promise.all(jobs);
    running = false;
    const hashes = [];
    for (const t of tiles) {
      const d = await crypto.subtle.digest('SHA-256', new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      hashes.push([...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join(''));
    }
    const ps = await rt.poolStats();
    return {
      workers,
      frames,
      hashes,
      jobsInWorkers: ps.jobsInWorkers,
      jobsInline: ps.jobsInline,
      mainDecodeMs: rt.stats().decodeMs - ps.workerDecodeMs - mainDecodeBefore,
    };
  }, `${server.url}/testdata/${AOT}`);
  assert.ok(result.workers >= 1, `workers: ${result.workers}`);
  assert.equal(result.jobsInline, 0);
  assert.ok(result.jobsInWorkers >= 50, `jobs in workers: ${result.jobsInWorkers}`);
  assert.equal(result.mainDecodeMs, 0, 'the main thread decoded nothing');
  assert.ok(result.frames >= 5, `requestAnimationFrame ticked ${result.frames} times during the decode`);
  assert.deepEqual(result.hashes, await tileHashesNode(`${server.url}/testdata/${AOT}`, 50));
});

test('corpus subset bit-exact in chromium (Zarr arrays, JP2 tiles and windows)', async () => {
  const cases = zarrCases();
  const exp = jp2Expected();
  const got = await page.evaluate(
    async ({ base, cases, jp2, tiles, windows }) => {
      const rt = window.rt;
      const hex = async (d) =>
        [...new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(d.buffer, d.byteOffset, d.byteLength)))]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('');
      const out = {};
      for (const c of cases) {
        const a = await rt.openZarr(`${base}/${c.store}`, { path: c.path });
        out[`${c.store} ${c.path}`] = await hex((await a.get()).data);
      }
      const im = await rt.openJp2(`${base}/${jp2}`);
      for (const t of tiles) {
        const px = await im.readTile(t % im.tilesAcross, Math.floor(t / im.tilesAcross));
        out[`tile ${t}`] = await hex(px.data);
      }
      for (const w of windows) {
        const px = await im.readRegion(w.cols[0], w.rows[0], w.cols[1], w.rows[1]);
        out[`window ${w.rows} ${w.cols}`] = await hex(px.data);
      }
      return out;
    },
    { base: `${server.url}/testdata`, cases, jp2: JP2, tiles: exp.tiles.map((t) => t.tile), windows: exp.windows },
  );
  const want = Object.fromEntries([
    ...cases.map((c) => [`${c.store} ${c.path}`, c.sha256]),
    ...exp.tiles.map((t) => [`tile ${t.tile}`, t.sha256]),
    ...exp.windows.map((w) => [`window ${w.rows} ${w.cols}`, w.sha256]),
  ]);
  assert.deepEqual(got, want);
});

test('errors keep their name and fields across the worker boundary; abort cancels', async () => {
  const r = await page.evaluate(async (base) => {
    const rt = window.rt;
    const e1 = await rt.openZarr(`${base}/zarr/zarrita-js_v3_data.zarr`, { path: 'missing' }).catch((e) => e);
    const im = await rt.openJp2(`${base}/jp2/generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2`);
    const e2 = await im.readTile(9, 9).catch((e) => e);
    const ac = new AbortController();
    const p = im.readTile(1, 1, { level: 1, signal: ac.signal });
    ac.abort();
    const e3 = await p.catch((e) => e);
    return [
      [e1.name, e1.path],
      [e2.name, e2.tx, e2.tilesAcross],
      [e3.name],
    ];
  }, `${server.url}/testdata`);
  assert.deepEqual(r, [['NotFound', 'missing'], ['InvalidArgument', 9, 2], ['Aborted']]);
});
