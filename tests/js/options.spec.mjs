// The client options of the typed API (dist/) in node against the local range server:
// timeoutMs (a stalled server, a stalled body), maxRetries, allowWholeDownload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
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
    const entries = await entriesFor('/__fault/ignore-range/');
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.status === 200)).toBe(true);
  });
});
