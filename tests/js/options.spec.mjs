// The client options of the typed API (dist/) in node against the local range server:
// timeoutMs (a stalled server, a stalled body), maxRetries, allowWholeDownload, and
// headers that reach only the opened URL's origin and headerOrigins (two servers on two
// ports are two origins).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRangeServer } from '../server/range-server.mjs';
import { JP2, TESTDATA, jp2Expected } from './corpus.mjs';
import * as rt from '../../dist/index.js';

const sha = (d) => createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');

let server;
const log = async () => (await (await fetch(`${server.url}/__log`)).json()).filter((e) => e.method !== 'OPTIONS');
const reset = () => fetch(`${server.url}/__reset`, { method: 'POST' });
/** Log entries whose path contains `part`. */
const entriesFor = async (part) => (await log()).filter((e) => e.path.includes(part));

beforeAll(async () => {
  server = await startRangeServer({ root: TESTDATA });
  await rt.configureDecoding({ workers: 0 });
});
afterAll(async () => {
  await server?.close();
});

/** A `fetch` whose responses send `head` bytes of a 206 body and then never end. Records
 * the signals it was given. */
function stallingBodyFetch() {
  const signals = [];
  const f = async (_input, init) => {
    signals.push(init.signal);
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array([1, 2, 3, 4]));
      },
    });
    return new Response(body, { status: 206, headers: { 'content-range': 'bytes 0-15/1000', 'content-length': '16' } });
  };
  return { fetch: f, signals };
}

describe('timeoutMs', () => {
  it('a server that never answers: Aborted with kind Timeout, url and ms', async () => {
    const url = `${server.url}/__fault/stall/${JP2}`;
    const e = await rt.openJp2(url, { timeoutMs: 300, maxRetries: 0 }).catch((x) => x);
    expect(rt.isRangetileError(e)).toBe(true);
    expect(e.name).toBe('Aborted');
    expect(e.kind).toBe('Timeout');
    expect(e.ms).toBe(300);
    expect(e.url).toBe(url);
    expect(e.message).toContain(`request timed out after 300 ms: ${url}`);
    // Timeouts are not retried: one request.
    expect((await entriesFor('/__fault/stall/')).length).toBe(1);
  });

  it('a body that stalls after its first bytes times out too, and the fetch is aborted', async () => {
    const { fetch: f, signals } = stallingBodyFetch();
    const e = await rt.readRange('http://stalled.invalid/x.bin', 0, 16, { fetch: f, timeoutMs: 250 }).catch((x) => x);
    expect(e.name).toBe('Aborted');
    expect(e.kind).toBe('Timeout');
    expect(e.ms).toBe(250);
    expect(signals.length).toBe(1);
    expect(signals[0].aborted).toBe(true);
  });

  it('openZarr and openRefs accept it; a server within the timeout is read normally', async () => {
    const a = await rt.openZarr(`${server.url}/__fault/delay=50/zarr/zarrita-js_v2_data.zarr`, {
      path: '1d.contiguous.raw.i2',
      timeoutMs: 10_000,
    });
    expect((await a.get()).data).toBeInstanceOf(Int16Array);
    const e = await rt.openRefs(`${server.url}/__fault/stall/refs/nothing.json`, { timeoutMs: 200 }).catch((x) => x);
    expect([e.name, e.kind]).toEqual(['Aborted', 'Timeout']);
  });

  it('rejects invalid values', async () => {
    for (const timeoutMs of [0, -1, 1.5, Number.NaN]) {
      const e = await rt.openJp2(`${server.url}/${JP2}`, { timeoutMs }).catch((x) => x);
      expect(e.name).toBe('InvalidArgument');
    }
  });
});

describe('maxRetries', () => {
  it('sets the number of retries of a transient failure', async () => {
    for (const [n, spec] of [
      [0, 'status=503'],
      [2, 'status=503,times=1000'],
    ]) {
      await reset();
      const e = await rt.readRange(`${server.url}/__fault/${spec}/${JP2}`, 0, 16, { maxRetries: n }).catch((x) => x);
      expect([e.name, e.status]).toEqual(['Http', 503]);
      expect((await entriesFor(`/__fault/${spec}/`)).length).toBe(n + 1);
    }
    // Through openJp2: every request of the open is retried once more per extra retry.
    const counts = [];
    for (const [n, spec] of [
      [0, 'status=500'],
      [1, 'status=500,times=1000'],
    ]) {
      await reset();
      const e = await rt.openJp2(`${server.url}/__fault/${spec}/${JP2}`, { maxRetries: n }).catch((x) => x);
      expect(e.name).toBe('Http');
      counts.push((await entriesFor(`/__fault/${spec}/`)).length);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(2 * counts[0]);
  });
});

describe('allowWholeDownload', () => {
  const ignoring = () => `${server.url}/__fault/ignore-range/${JP2}`;

  it('off (the default): a server that ignores Range is RangeNotSupported', async () => {
    const e = await rt.openJp2(ignoring()).catch((x) => x);
    expect(e.name).toBe('RangeNotSupported');
    expect(e.status).toBe(200);
  });

  it('on: the whole object is accepted and decodes to the expected pixels', async () => {
    await reset();
    const im = await rt.openJp2(ignoring(), { allowWholeDownload: true });
    const t = jp2Expected().tiles[0];
    const px = await im.readTile(t.tile % im.tilesAcross, Math.floor(t.tile / im.tilesAcross));
    expect(sha(px.data)).toBe(t.sha256);
    // One download: the byte cache keeps the whole object, later ranges come from it.
    const entries = await entriesFor('/__fault/ignore-range/');
    expect(entries.map((e) => e.status)).toEqual([200]);
  });

  it('on, but the object is above limits.maxWholeDownloadBytes: LimitExceeded', async () => {
    const e = await rt.openJp2(ignoring(), { allowWholeDownload: true, limits: { maxWholeDownloadBytes: 100_000 } }).catch((x) => x);
    expect(e.name).toBe('LimitExceeded');
    expect(e.max).toBe(100_000);
  });
});

describe('headers go only to the opened origin and headerOrigins', () => {
  const SECRET = 'x-rangetile-secret';
  const AOT = 'jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_10m.jp2';
  const AOT_TLM = 'codecs/s2-virtual-jp2/real_T29UNU_20221005T115411_AOT_10m.tlm';
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 13) % 251);
  let dir;
  let a; // the references' origin
  let b; // the chunk data's (and the index's) origin
  const logOf = async (s) => (await (await fetch(`${s.url}/__log`)).json()).filter((e) => e.method !== 'OPTIONS');
  const resetAll = () => Promise.all([a, b].map((s) => fetch(`${s.url}/__reset`, { method: 'POST' })));
  const withSecret = (entries) => entries.map((e) => e.headers[SECRET] === 'yes');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rangetile-hdr-'));
    b = await startRangeServer({ root: dir });
    a = await startRangeServer({ root: dir });
    await writeFile(path.join(dir, 'data.bin'), bytes);
    const zarray = { zarr_format: 2, shape: [20], chunks: [10], dtype: '|u1', compressor: null, filters: null, fill_value: 0, order: 'C' };
    const refs = {
      version: 1,
      refs: { '.zgroup': '{"zarr_format": 2}', 'x/.zarray': JSON.stringify(zarray), 'x/0': [`${b.url}/data.bin`, 500, 10], 'x/1': ['data.bin', 0, 10] },
    };
    await writeFile(path.join(dir, 'refs.json'), JSON.stringify(refs));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const want = [...bytes.subarray(500, 510), ...bytes.subarray(0, 10)];
  async function readRefs(options) {
    await resetAll();
    const store = await rt.openRefs(`${a.url}/refs.json`, options);
    const x = await rt.openZarr(store, { path: 'x' });
    const { data } = await x.get();
    expect([...data]).toEqual(want);
    return [await logOf(a), await logOf(b)];
  }

  it('kerchunk targets on another origin get no headers by default', async () => {
    const [la, lb] = await readRefs({ headers: { [SECRET]: 'yes' } });
    expect(la.map((e) => e.path)).toContain('/refs.json');
    expect(la.map((e) => e.path)).toContain('/data.bin');
    expect(withSecret(la).every(Boolean)).toBe(true);
    expect(lb.map((e) => [e.path, e.range])).toEqual([['/data.bin', 'bytes=500-509']]);
    expect(lb[0].headers).toEqual({});
  });

  it('headerOrigins adds origins; "*" sends them everywhere', async () => {
    const lists = [[b.url], [`${b.url.replace('http://', 'HTTP://')}/any/path`], ['*']];
    for (const [i, headerOrigins] of lists.entries()) {
      // A distinct maxConcurrency: a fresh client each time (clients with equal options,
      // the first two lists included, share a byte cache and would not ask B again).
      const [la, lb] = await readRefs({ headers: [[SECRET, 'yes']], headerOrigins, maxConcurrency: 10 + i });
      expect(withSecret(la).every(Boolean)).toBe(true);
      expect(withSecret(lb)).toEqual([true]);
    }
  });

  it('a custom fetch still sees every URL, with the headers only where allowed', async () => {
    const seen = [];
    const myFetch = (input, init) => {
      seen.push([new URL(input).origin, new Headers(init.headers).get(SECRET)]);
      return fetch(input, init);
    };
    await readRefs({ headers: { [SECRET]: 'yes' }, fetch: myFetch });
    expect(seen.filter(([o]) => o === b.url)).toEqual([[b.url, null]]);
    expect(seen.filter(([o]) => o === a.url).length).toBeGreaterThan(1);
    expect(seen.filter(([o]) => o === a.url).every(([, h]) => h === 'yes')).toBe(true);
  });

  it('a tlmIndex URL on another origin gets no headers unless listed', async () => {
    // The JP2 from the corpus server, its index from another server over the corpus.
    const idx = await startRangeServer({ root: TESTDATA });
    try {
      for (const [headerOrigins, indexGetsThem] of [
        [undefined, false],
        [[idx.url], true],
      ]) {
        await reset();
        await fetch(`${idx.url}/__reset`, { method: 'POST' });
        const im = await rt.openJp2(`${server.url}/${AOT}`, { tlmIndex: `${idx.url}/${AOT_TLM}`, headers: { [SECRET]: 'yes' }, headerOrigins });
        expect(im.tileIndexSource).toBe('index');
        const li = await logOf(idx);
        expect(li.map((e) => e.path)).toEqual([`/${AOT_TLM}`]);
        expect(withSecret(li)).toEqual([indexGetsThem]);
        const lj = await log();
        expect(lj.length).toBeGreaterThan(0);
        expect(withSecret(lj).every(Boolean)).toBe(true);
      }
    } finally {
      await idx.close();
    }
  });

  it('rejects a headerOrigins entry that is not an origin', async () => {
    for (const headerOrigins of [['bucket.example.org'], 'https://x.example', [1]]) {
      const e = await rt.openRefs(`${a.url}/refs.json`, { headers: { [SECRET]: 'yes' }, headerOrigins }).catch((x) => x);
      expect(e.name).toBe('InvalidArgument');
    }
  });
});

describe('maxBytesInFlight', () => {
  const serverStats = async () => (await fetch(`${server.url}/__stats`)).json();
  // Eight 40 000-byte ranges 200 000 bytes apart in the 2.4 MB JP2, each response held.
  const ranges = Array.from({ length: 8 }, (_, i) => [i * 200_000, i * 200_000 + 40_000]);

  it('requests queue for the byte budget; a larger one is LimitExceeded before it is sent', async () => {
    const url = `${server.url}/__fault/delay=300/${JP2}`;
    const whole = new Uint8Array(await (await fetch(`${server.url}/${JP2}`)).arrayBuffer());
    await reset();
    const got = await rt.readRanges(url, ranges, { maxBytesInFlight: 100_000, maxConcurrency: 16, coalesceGap: 0 });
    got.forEach((g, i) => expect(Buffer.compare(g, whole.subarray(...ranges[i]))).toBe(0));
    expect((await entriesFor('/__fault/delay=300/')).length).toBe(8);
    expect((await serverStats()).maxInFlight).toBeLessThanOrEqual(2);

    await reset();
    const e = await rt.readRange(`${server.url}/${JP2}`, 0, 100_001, { maxBytesInFlight: 100_000 }).catch((x) => x);
    expect([e.name, e.what, e.requested, e.max]).toEqual(['LimitExceeded', 'bytes in flight', 100_001, 100_000]);
    expect(await log()).toEqual([]);
  });

  it('applies to whole objects by their length (openRefs reads the reference file whole)', async () => {
    const e = await rt.openRefs(`${server.url}/${JP2}`, { maxBytesInFlight: 1000 }).catch((x) => x);
    const size = statSync(path.join(TESTDATA, JP2)).size;
    expect([e.name, e.what, e.requested, e.max]).toEqual(['LimitExceeded', 'bytes in flight', size, 1000]);
  });
});

describe('limits', () => {
  const store = () => `${server.url}/zarr/zarrita-js_v2_data.zarr`;

  it('each given limit replaces its default and is enforced', async () => {
    const e1 = await rt.openZarr(store(), { path: '1d.contiguous.raw.i2', limits: { maxMetadataBytes: 10 } }).catch((x) => x);
    expect([e1.name, e1.max]).toEqual(['LimitExceeded', 10]);
    const a = await rt.openZarr(store(), { path: '1d.contiguous.raw.i2', limits: { maxDecodedChunkBytes: 4 } }).catch((x) => x);
    const e2 = a.kind === 'array' ? await a.get().catch((x) => x) : a;
    expect([e2.name, e2.max]).toEqual(['LimitExceeded', 4]);
    const e3 = await rt.openJp2(`${server.url}/${JP2}`, { limits: { maxTiles: 3 } }).catch((x) => x);
    expect([e3.name, e3.max]).toEqual(['LimitExceeded', 3]);
    // Raised or default limits read normally.
    const im = await rt.openJp2(`${server.url}/${JP2}`, { limits: { maxTiles: 4, maxHeaderBytes: 1 << 20 } });
    expect(im.tilesAcross * im.tilesDown).toBe(4);
  });

  it('decode workers receive the limits with each job and decode under them', async () => {
    await rt.configureDecoding({ workers: 1 });
    try {
      const raised = { maxDecodedChunkBytes: 2 ** 29, maxOutputBytes: 2 ** 31, maxTiles: 1 << 21 };
      // The raised-limit reads first, so that no decoded-chunk cache entry serves them.
      const a = await rt.openZarr(store(), { path: '1d.contiguous.raw.i2', limits: raised });
      const got = (await a.get()).data;
      const plain = await (await rt.openZarr(store(), { path: '1d.contiguous.raw.i2' })).get();
      expect(Array.from(got)).toEqual(Array.from(plain.data));
      const im = await rt.openJp2(`${server.url}/${JP2}`, { limits: raised });
      const t1 = await im.readTile(1, 1);
      const r1 = await im.readRegion(100, 100, 700, 300);
      const im0 = await rt.openJp2(`${server.url}/${JP2}`);
      const t0 = await im0.readTile(1, 1);
      const r0 = await im0.readRegion(100, 100, 700, 300);
      expect([r1.width, r1.height]).toEqual([600, 200]);
      expect(Array.from(r1.data)).toEqual(Array.from(r0.data));
      expect(t1.width).toBe(t0.width);
      expect(Buffer.from(t1.data.buffer, t1.data.byteOffset, t1.data.byteLength).equals(
        Buffer.from(t0.data.buffer, t0.data.byteOffset, t0.data.byteLength))).toBe(true);
    } finally {
      await rt.configureDecoding({ workers: 0 });
    }
  });

  it('an unknown or invalid field is InvalidArgument', async () => {
    for (const limits of [{ maxDecodedChunkByte: 1 }, { maxDims: 0 }, { maxTiles: -1 }, 5]) {
      const e = await rt.openJp2(`${server.url}/${JP2}`, { limits }).catch((x) => x);
      expect(e.name).toBe('InvalidArgument');
    }
  });
});
