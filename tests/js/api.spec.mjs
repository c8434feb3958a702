// The typed API (dist/) in node against the local range server: the corpus subset bit-exact,
// abort mid-read, a crashing decode job, concurrency limits, and cache hits asserted on the
// server's request log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRangeServer } from '../server/range-server.mjs';
import { JP2, TESTDATA, jp2Expected, zarrCases } from './corpus.mjs';
import * as rt from '../../dist/index.js';
import { getPool } from '../../dist/pool.js';

const sha = (d) => createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');

let server;
const log = async () => (await (await fetch(`${server.url}/__log`)).json()).filter((e) => e.method !== 'OPTIONS');
const reset = () => fetch(`${server.url}/__reset`, { method: 'POST' });
const serverStats = async () => (await fetch(`${server.url}/__stats`)).json();

beforeAll(async () => {
  server = await startRangeServer({ root: TESTDATA });
});
afterAll(async () => {
  await rt.configureDecoding({ workers: 0 });
  await server?.close();
});

describe.each([
  ['inline', 0],
  ['worker_threads', 2],
])('corpus subset through the package (%s decode)', (_, workers) => {
  beforeAll(() => rt.configureDecoding({ workers }));

  it.each(zarrCases().map((c) => [`${c.store} ${c.path}`, c]))('%s', async (_, c) => {
    const a = await rt.openZarr(`${server.url}/${c.store}`, { path: c.path });
    expect(a.kind).toBe('array');
    const { data, shape } = await a.get();
    expect(shape).toEqual(a.shape);
    expect(sha(data)).toBe(c.sha256);
  });

  it('JP2 tiles and windows of the s2-like image', async () => {
    const im = await rt.openJp2(`${server.url}/${JP2}`);
    expect([im.width, im.height, im.tilesAcross, im.tilesDown, im.tileIndexSource]).toEqual([2048, 2048, 2, 2, 'tlm']);
    const exp = jp2Expected();
    for (const t of exp.tiles) {
      const px = await im.readTile(t.tile % im.tilesAcross, Math.floor(t.tile / im.tilesAcross));
      expect(px.data).toBeInstanceOf(Uint16Array);
      expect(sha(px.data)).toBe(t.sha256);
    }
    expect(exp.windows.length).toBeGreaterThan(0);
    for (const w of exp.windows) {
      const px = await im.readRegion(w.cols[0], w.rows[0], w.cols[1], w.rows[1]);
      expect([px.width, px.height]).toEqual([w.cols[1] - w.cols[0], w.rows[1] - w.rows[0]]);
      expect(sha(px.data)).toBe(w.sha256);
    }
  });
});

describe('API behaviour', () => {
  beforeAll(() => rt.configureDecoding({ workers: 2 }));

  it('groups, attributes and typed fields', async () => {
    const g = await rt.openZarr(`${server.url}/zarr/zarrita-js_v3_data.zarr`);
    expect(g.kind).toBe('group');
    const a = await g.open('1d.contiguous.compressed.sharded.f4');
    expect(a.dtype).toBe('float32');
    const r = await a.get([[1, 3]]);
    expect(r.shape).toEqual([2]);
    expect(r.data).toBeInstanceOf(Float32Array);
    const one = await a.get([2]);
    expect(one.shape).toEqual([]);
    expect(one.data.length).toBe(1);
  });

  it('headers and a custom fetch reach every request', async () => {
    await reset();
    let calls = 0;
    const myFetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const a = await rt.openZarr(`${server.url}/zarr/zarrita-js_v2_data.zarr`, {
      path: '1d.contiguous.raw.i2',
      headers: { 'x-rangetile-test': 'yes' },
      fetch: myFetch,
    });
    await a.get();
    const entries = await log();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.headers['x-rangetile-test'] === 'yes')).toBe(true);
    expect(calls).toBe(entries.length);
  });

  it('a JP2 without TLM: the tile-part index from a SOT walk, same pixels', async () => {
    const im = await rt.openJp2(`${server.url}/${JP2.replace('_TLM_', '_noTLM_')}`);
    expect(im.tileIndexSource).toBe('sot-walk');
    const t = jp2Expected().tiles[0];
    const px = await im.readTile(t.tile % im.tilesAcross, Math.floor(t.tile / im.tilesAcross), { level: 0 });
    expect(sha(px.data)).toBe(t.sha256);
  });

  it('string arrays (v3 string, v2 S/U fixed and json2 objects) as string[]', async () => {
    for (const store of ['zarr/zarrita-js_v3_data.zarr', 'zarr/zarrita-js_v2_data.zarr']) {
      const exp = JSON.parse(readFileSync(path.join(TESTDATA, `${store}.expected.json`), 'utf8'));
      const strs = exp.arrays.filter((a) => Array.isArray(a.all_values) && typeof a.all_values.flat(9)[0] === 'string');
      expect(strs.length).toBeGreaterThan(4);
      for (const a of strs) {
        const arr = await rt.openZarr(`${server.url}/${store}`, { path: a.path });
        const { data, shape } = await arr.get();
        expect(shape).toEqual(a.shape);
        expect(data).toEqual(a.all_values.flat(9));
      }
    }
  });

  it('a missing array is a NotFound error with typed fields', async () => {
    const e = await rt.openZarr(`${server.url}/zarr/zarrita-js_v3_data.zarr`, { path: 'nope' }).catch((x) => x);
    expect(rt.isRangetileError(e)).toBe(true);
    expect(e.name).toBe('NotFound');
    expect(e.path).toBe('nope');
  });

  it('abort mid-read rejects with Aborted and sends no more requests', async () => {
    const base = `${server.url}/__fault/delay=400/era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr`;
    const g = await rt.openZarr(`${server.url}/era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr`);
    const path = g.arrays().find((p) => !p.includes('/') && p !== 'latitude' && p !== 'longitude' && p !== 'time') ?? g.arrays()[0];
    const a = await rt.openZarr(base, { path });
    const ac = new AbortController();
    const p = a.get(null, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const e = await p.catch((x) => x);
    expect(e.name).toBe('Aborted');
    const before = (await log()).length;
    await new Promise((r) => setTimeout(r, 600));
    const after = (await log()).length;
    expect(after - before).toBeLessThanOrEqual(0 + (await serverStats()).inFlight);
  });

  it('a crashing decode job fails (WorkerCrashed), its worker is replaced, later jobs run', async () => {
    const pool = await getPool();
    const replaced = pool.stats.replaced;
    const e = await pool.submit('crash', '', undefined).catch((x) => x);
    expect(e.name).toBe('WorkerCrashed');
    expect(pool.stats.replaced).toBe(replaced + 1);
    const a = await rt.openZarr(`${server.url}/zarr/zarrita-js_v3_data.zarr`, { path: '3d.chunked.compressed.sharded.i2' });
    const r = await a.get();
    expect(sha(r.data)).toBe(zarrCases().find((c) => c.path === '3d.chunked.compressed.sharded.i2').sha256);
  });

  it('a cancelled queued job rejects with Aborted and never runs', async () => {
    const pool = await getPool();
    const jobs = [0, 1, 2, 3].map(() => pool.submit('crash', '', undefined, -1));
    const settled = jobs.map((j) => j.catch((x) => x));
    jobs[3].cancel();
    expect((await settled[3]).name).toBe('Aborted');
    for (const j of settled.slice(0, 3)) expect((await j).name).toBe('WorkerCrashed');
  });

  it('aborting a read whose tile is decoding terminates that job and replaces its worker', async () => {
    const pool = await getPool();
    const im = await rt.openJp2(`${server.url}/${JP2}`);
    await rt.configureDecoding({ decodedCacheBytes: 0 });
    const replaced = pool.stats.replaced;
    const ac = new AbortController();
    let settled = false;
    const p = im.readTile(1, 0, { signal: ac.signal }).catch((x) => x).finally(() => (settled = true));
    while (pool.stats.running === 0 && !settled) await new Promise((r) => setTimeout(r, 1));
    ac.abort();
    const e = await p;
    await rt.configureDecoding({ decodedCacheBytes: 64 << 20 });
    expect(e.name).toBe('Aborted');
    expect(pool.stats.replaced).toBe(replaced + 1);
    expect(pool.stats.running).toBe(0);
    const t = await im.readTile(0, 0);
    expect(sha(t.data)).toBe(jp2Expected().tiles.find((x) => x.tile === 0).sha256);
  });

  it('concurrency limits: requests in flight and decode jobs running', async () => {
    await reset();
    const a = await rt.openZarr(`${server.url}/__fault/delay=30/zarr/zarrita-js_v2_data.zarr`, {
      path: '3d.chunked.i2',
      maxConcurrency: 2,
    });
    await a.get();
    expect((await serverStats()).maxInFlight).toBeLessThanOrEqual(2);
    const pool = await getPool();
    expect(pool.stats.maxRunning).toBeLessThanOrEqual(2);
  });

  it('cache hits: a repeated read sends no request and decodes nothing', async () => {
    const url = `${server.url}/zarr/zarrita-js_v2_data.zarr`;
    const a = await rt.openZarr(url, { path: '2d.chunked.i2' });
    await a.get();
    await reset();
    const s0 = rt.stats();
    const pool = await getPool();
    const hits0 = pool.stats.decodedCacheHits;
    const b = await rt.openZarr(url, { path: '2d.chunked.i2' });
    const r = await b.get();
    expect(sha(r.data)).toBe(zarrCases().find((c) => c.store.includes('v2') && c.path === '2d.chunked.i2').sha256);
    const requests = (await log()).filter((e) => e.path.includes('/c') || /\/\d/.test(e.path));
    expect(requests.filter((e) => !e.path.includes('.z'))).toEqual([]);
    expect(rt.stats().requests).toBe(s0.requests + (await log()).length);
    expect(pool.stats.decodedCacheHits).toBeGreaterThan(hits0);
  });

  it('onProgress counts decoded chunks', async () => {
    const a = await rt.openZarr(`${server.url}/zarr/zarrita-js_v2_data.zarr`, { path: '3d.chunked.i2' });
    const seen = [];
    await rt.configureDecoding({ decodedCacheBytes: 0 });
    await a.get(null, { onProgress: (p) => seen.push(p) });
    await rt.configureDecoding({ decodedCacheBytes: 64 << 20 });
    expect(seen.length).toBeGreaterThan(0);
    const last = seen.at(-1);
    expect(last.chunksDecoded).toBe(seen.length);
    expect(last.chunksDecoded).toBeLessThanOrEqual(last.chunksTotal);
  });
});

describe('decode queue', () => {
  it('runs higher priority first, then in submission order', async () => {
    await rt.configureDecoding({ workers: 0 });
    const pool = await getPool();
    const recipe = JSON.stringify({
      document: { zarr_format: 2, shape: [2], chunks: [2], dtype: '<i4', fill_value: 0, order: 'C', filters: null, compressor: null },
      inner: false,
    });
    const order = [];
    const jobs = [0, 0, 5, 1, 5].map((prio, i) =>
      pool.submit('chunk', recipe, new Uint8Array([i, 0, 0, 0, 0, 0, 0, 0]), prio).then((b) => order.push(b[0])),
    );
    await Promise.all(jobs);
    expect(order).toEqual([2, 4, 3, 0, 1]);
  });
});
