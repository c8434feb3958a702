// The built npm package (imported by its own name, through package.json `exports`) in
// node, reading real byte ranges from the local range server. Request counts come from
// the server's log; fault modes check the error tags (`e.name`) and fields.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRangetileError, objectSize, readRange, readRanges, stats } from 'rangetile';
import { SAMPLE_SIZE, sampleBytes } from '../../www/sample-pattern.js';
import { rejection, startSampleServer } from './helpers.mjs';

let srv;
before(async () => {
  srv = await startSampleServer();
});
after(async () => {
  await srv?.close();
});
beforeEach(async () => {
  await srv.reset();
});

/** Reads in this file share the default client and its byte cache: each test reads its
 * own offsets so that no test is served by another one's cache. */
describe('reads', () => {
  test('readRange returns the requested bytes with one range request', async () => {
    const got = await readRange(srv.sample, 100_000, 100_256);
    assert.deepEqual(got, sampleBytes(100_000, 100_256));
    const log = await srv.log();
    assert.deepEqual(
      log.map((e) => [e.method, e.range, e.status, e.bytes]),
      [['GET', 'bytes=100000-100255', 206, 256]],
    );
  });

  test('a repeated read is served from the cache without a request', async () => {
    await readRange(srv.sample, 200_000, 200_064);
    const hits = stats().cacheHits;
    const again = await readRange(srv.sample, 200_010, 200_020);
    assert.deepEqual(again, sampleBytes(200_010, 200_020));
    assert.equal((await srv.log()).length, 1);
    assert.equal(stats().cacheHits, hits + 1);
  });

  test('two ranges 1 KiB apart cost one request', async () => {
    const [a, b] = await readRanges(srv.sample, [
      [300_000, 300_100],
      [301_124, 301_200],
    ]);
    assert.deepEqual(a, sampleBytes(300_000, 300_100));
    assert.deepEqual(b, sampleBytes(301_124, 301_200));
    const log = await srv.log();
    assert.deepEqual(log.map((e) => e.range), ['bytes=300000-301199']);
  });

  test('with coalesceGap 0 the same two ranges cost two requests', async () => {
    const [a, b] = await readRanges(
      srv.sample,
      [
        [400_000, 400_100],
        [401_124, 401_200],
      ],
      { coalesceGap: 0 },
    );
    assert.deepEqual(a, sampleBytes(400_000, 400_100));
    assert.deepEqual(b, sampleBytes(401_124, 401_200));
    const ranges = (await srv.log()).map((e) => e.range).sort();
    assert.deepEqual(ranges, ['bytes=400000-400099', 'bytes=401124-401199']);
  });

  test('stats().requests and bytesFetched follow the server log', async () => {
    const before = stats();
    await readRanges(srv.sample, [
      [500_000, 500_010],
      [1_500_000, 1_500_020],
      [2_500_000, 2_500_030],
    ]);
    const log = await srv.log();
    const after = stats();
    assert.equal(log.length, 3);
    assert.equal(after.requests - before.requests, 3);
    assert.equal(after.bytesFetched - before.bytesFetched, 60);
    assert.equal(typeof after.decodeMs, 'number');
  });

  test('the end of the file: a range past the end is cut at the end', async () => {
    const got = await readRange(srv.sample, SAMPLE_SIZE - 10, SAMPLE_SIZE + 100);
    assert.deepEqual(got, sampleBytes(SAMPLE_SIZE - 10, SAMPLE_SIZE));
  });

  test('objectSize uses HEAD, and a GET probe when HEAD is refused', async () => {
    // A query string the server ignores: a URL whose size no earlier read has learned.
    assert.equal(await objectSize(`${srv.sample}?fresh`), SAMPLE_SIZE);
    assert.deepEqual((await srv.log()).map((e) => e.method), ['HEAD']);
    await srv.reset();
    assert.equal(await objectSize(srv.fault('no-head')), SAMPLE_SIZE);
    const log = await srv.log();
    assert.deepEqual(log.map((e) => [e.method, e.status]), [['HEAD', 405], ['GET', 206]]);
  });

  test('caller headers and a caller fetch reach the server', async () => {
    const seen = [];
    const myFetch = (url, init) => {
      seen.push(url);
      return fetch(url, init);
    };
    const got = await readRange(srv.sample, 600_000, 600_016, {
      headers: { 'X-Api-Key': 'k123', Authorization: 'Bearer t' },
      fetch: myFetch,
    });
    assert.deepEqual(got, sampleBytes(600_000, 600_016));
    assert.deepEqual(seen, [srv.sample]);
    const [entry] = await srv.log();
    assert.equal(entry.headers['x-api-key'], 'k123');
    assert.equal(entry.headers.authorization, 'Bearer t');
  });

  test('maxConcurrency bounds the requests in flight', async () => {
    const ranges = Array.from({ length: 8 }, (_, i) => [700_000 + i * 100_000, 700_000 + i * 100_000 + 10]);
    const parts = await readRanges(srv.fault('delay=40'), ranges, { maxConcurrency: 2 });
    parts.forEach((p, i) => assert.deepEqual(p, sampleBytes(...ranges[i])));
    assert.equal((await srv.log()).length, 8);
    const { maxInFlight } = await (await fetch(`${srv.url}/__stats`)).json();
    assert.ok(maxInFlight >= 1 && maxInFlight <= 2, `maxInFlight ${maxInFlight}`);
  });
});

describe('faults and errors', () => {
  test('404 is NotFound', async () => {
    const e = await rejection(readRange(`${srv.url}/missing.bin`, 0, 10));
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'NotFound');
    assert.equal(e.url, `${srv.url}/missing.bin`);
    assert.ok(isRangetileError(e, 'NotFound'));
  });

  test('a server ignoring Range (200) is RangeNotSupported, unless whole downloads are allowed', async () => {
    const e = await rejection(readRange(srv.fault('ignore-range'), 10, 20));
    assert.equal(e.name, 'RangeNotSupported');
    assert.equal(e.status, 200);
    assert.equal(e.kind, 'NotPartial');
    const got = await readRange(srv.fault('ignore-range'), 800_000, 800_032, { allowWholeDownload: true });
    assert.deepEqual(got, sampleBytes(800_000, 800_032));
  });

  test('403 is Http with status 403, not retried', async () => {
    const e = await rejection(readRange(srv.fault('status=403'), 0, 10));
    assert.equal(e.name, 'Http');
    assert.equal(e.status, 403);
    assert.equal((await srv.log()).length, 1);
  });

  test('416 is Http with status 416', async () => {
    const e = await rejection(readRange(srv.fault('status=416'), 0, 10));
    assert.equal(e.name, 'Http');
    assert.equal(e.status, 416);
  });

  test('500 twice then success: retried, the read succeeds after three requests', async () => {
    const got = await readRange(srv.fault('status=500,times=2'), 900_000, 900_050);
    assert.deepEqual(got, sampleBytes(900_000, 900_050));
    const log = await srv.log();
    assert.deepEqual(log.map((e) => e.status), [500, 500, 206]);
  });

  test('a wrong Content-Range is an Http error', async () => {
    const e = await rejection(readRange(srv.fault('bad-content-range'), 1_000_000, 1_000_010));
    assert.equal(e.name, 'Http');
    assert.equal(e.kind, 'BadContentRange');
  });

  test('a truncated body is an Http error after the retries', async () => {
    const e = await rejection(readRange(srv.fault('truncate=5'), 1_100_000, 1_100_100));
    assert.equal(e.name, 'Http');
    assert.ok(['Truncated', 'Network'].includes(e.kind), e.kind);
    assert.equal((await srv.log()).length, 4);
  });

  test('an aborted signal rejects with Aborted, mid-request too', async () => {
    const pre = new AbortController();
    pre.abort();
    const e1 = await rejection(readRange(srv.sample, 0, 10, { signal: pre.signal }));
    assert.equal(e1.name, 'Aborted');
    assert.equal((await srv.log()).length, 0);

    const ctl = new AbortController();
    const pending = readRange(srv.fault('stall'), 1_200_000, 1_200_010, { signal: ctl.signal });
    // Abort once the server has the request.
    while ((await srv.log()).length === 0) await new Promise((r) => setTimeout(r, 10));
    ctl.abort();
    const e2 = await rejection(pending);
    assert.equal(e2.name, 'Aborted');
  });

  test('invalid arguments are InvalidArgument', async () => {
    for (const [s, e] of [
      [10, 5],
      [1.5, 4],
      [-1, 4],
    ]) {
      const err = await rejection(readRange(srv.sample, s, e));
      assert.equal(err.name, 'InvalidArgument', `${s}..${e}`);
    }
    const err = await rejection(readRange(srv.sample, 0, 4, { signal: 'nope' }));
    assert.equal(err.name, 'InvalidArgument');
    assert.equal((await srv.log()).length, 0);
  });
});
