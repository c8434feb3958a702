// Node side of the fault scenarios (tests/js/faults-scenarios.mjs): the context they run
// on, built from the corpus in ../shared/testdata, and the exact outcomes they must give.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TESTDATA, JP2, jp2Expected } from './corpus.mjs';
import { FAULTED, FAULTED_TILES } from './faults-scenarios.mjs';

export const ZARR_STORE = 'era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr';
export const ZARR_ARRAY = 't2m';
/** The same values as a sharded Zarr v3 array (shards of 96 time steps, inner chunks of 24). */
export const ZARR_SHARDED = 'era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr';

/** The scenarios' context for a server at `origin` whose files are the corpus under `prefix`. */
export function faultContext(origin, prefix = '') {
  const dir = path.join(TESTDATA, ZARR_STORE, ZARR_ARRAY);
  const zarray = readFileSync(path.join(dir, '.zarray'), 'utf8');
  const meta = JSON.parse(zarray);
  const n = Math.ceil(meta.shape[0] / meta.chunks[0]);
  const chunkSizes = Array.from({ length: n }, (_, k) => statSync(path.join(dir, `${k}.0.0`)).size);
  const faultedChunk = readFileSync(path.join(dir, `${FAULTED}.0.0`)).toString('base64');
  const jexp = JSON.parse(readFileSync(path.join(TESTDATA, `${JP2}.expected.json`), 'utf8'));
  return {
    origin,
    prefix,
    zarr: { store: ZARR_STORE, array: ZARR_ARRAY, zarray, chunkSizes, chunkLen: meta.chunks[0], faultedChunk, shardedStore: ZARR_SHARDED },
    jp2: { path: JP2, tileParts: jexp.tile_parts_table },
  };
}

/** The corpus sha256 of the whole t2m array and of each JP2 tile. */
export function corpusExpected() {
  const z = JSON.parse(readFileSync(path.join(TESTDATA, `${ZARR_STORE}.expected.json`), 'utf8'));
  return {
    zarrWhole: z.arrays.find((a) => a.path === ZARR_ARRAY).sha256_c_order_le,
    /** tile index → sha256 (the corpus lists tiles 0, 2 and 3). */
    jp2Tiles: Object.fromEntries(jp2Expected().tiles.map((t) => [t.tile, t.sha256])),
  };
}

/**
 * The exact outcome of each scenario: the faulted tile's label (see faults-scenarios.mjs
 * `label`), the statuses of the requests that reached the fault (a count for `abort`), and
 * the next read's label where the scenario makes one. Every other tile of the view is `ok`.
 *
 * - Range reads (zarr-refs, jp2): a 200 to a range request is RangeNotSupported, never a
 *   silent whole download (unless `allowWholeDownload`: then the range is sliced out); 403/416 are Http errors with their status, not retried; 5xx
 *   and cut bodies are retried 3 times (4 requests; `maxRetries: 0`: 1) and then fail with Http; a wrong
 *   Content-Range is not retried.
 * - A reference to a missing object is NotFound (the reference says the chunk exists); a
 *   missing chunk *key* of a Zarr store over HTTP is the fill value (NaN for t2m).
 * - zarr-http reads chunks with whole-object GETs: a server that ignores Range, or would
 *   send a wrong Content-Range, answers them correctly (200), so the chunk is right.
 * - Corrupt chunk bytes fail in the decoder (Blosc: a block offset outside the frame, in
 *   a decode worker); a corrupt shard index fails its crc32c; a JP2 tile-part whose SOT
 *   marker is garbage fails while indexing it.
 * - Two readers of one tile share its range request: the one that aborts gets Aborted, the
 *   other its tile.
 */
export function expectedOutcomes({ timeoutKind, truncatedKind }) {
  const range = {
    'not-partial': ['RangeNotSupported:200/NotPartial', [200]],
    'not-partial-allowed': ['ok', [200]],
    forbidden: ['Http:403/Http', [403]],
    missing: ['NotFound/NotFound', [404]],
    unsatisfiable: ['Http:416/RangeNotSatisfiable', [416]],
    'flaky-5xx': ['ok', [503, 503, 206]],
    'down-5xx': ['Http:500/Http', [500, 500, 500, 500]],
    'down-5xx-no-retry': ['Http:500/Http', [500]],
    truncated: [`Http/${truncatedKind}`, [206, 206, 206, 206]],
    'bad-content-range': ['Http/BadContentRange', [206]],
    'no-length': ['ok', [206]],
    'stall-timeout': [`Aborted/${timeoutKind}`, [0], 'ok'],
    abort: ['Aborted/Aborted', 1, 'ok'],
    'abort-one-of-two': ['Aborted/Aborted', 1, 'ok', 'ok'],
    corrupt: ['Format/Format', [], 'ok'],
  };
  const whole = {
    ...range,
    'not-partial': ['ok', [200]],
    missing: ['fill', [404]],
    'flaky-5xx': ['ok', [503, 503, 200]],
    truncated: [`Http/${truncatedKind}`, [200, 200, 200, 200]],
    'bad-content-range': ['ok', [200]],
    'no-length': ['ok', [200]],
    // Whole-object GETs are shared between readers too: one request.
    'abort-one-of-two': ['Aborted/Aborted', 1, 'ok', 'ok'],
  };
  // Sharded: the four tiles of shard 1 share its index read (`bytes=-68`, deduplicated),
  // then read one inner chunk each.
  const sharded = {
    ...range,
    // The suffix read of the index gets 200; the client learns the size (HEAD) and asks
    // for the index by a bounded range: 200 again, RangeNotSupported.
    'not-partial': ['RangeNotSupported:200/NotPartial', [200, 200, 200]],
    // Allowed: the index and each inner chunk are sliced out of one whole download (the
    // byte cache keeps the whole object).
    'not-partial-allowed': ['ok', [200]],
    // A missing shard is four missing inner chunks: the fill value.
    missing: ['fill', [404]],
    'flaky-5xx': ['ok', [503, 503, 206, 206, 206, 206, 206]],
    // The index's suffix read cannot be checked against a start (a consistent answer); the
    // four inner chunk reads are.
    'bad-content-range': ['Http/BadContentRange', [206, 206, 206, 206, 206]],
    'no-length': ['ok', [206, 206, 206, 206, 206]],
    // Garbage over the shard index fails its crc32c.
    corrupt: ['Checksum/Checksum', [], 'ok'],
  };
  return { 'zarr-refs': range, 'zarr-http': whole, 'zarr-sharded': sharded, jp2: range };
}

/** What opening a faulted store / image gives. */
export const EXPECTED_OPENS = {
  'jp2 status=404': 'NotFound/NotFound',
  'zarr status=404': 'NotFound/NodeNotFound',
  'jp2 status=403': 'Http:403/Http',
  'zarr status=403': 'Http:403/Http',
};

/**
 * Assert a runFaultMatrix() result: the baseline against the corpus, then each scenario
 * (as a subtest of `t` when given, so each is reported by name).
 */
export async function assertMatrix(t, assert, m, expectations) {
  const corpus = corpusExpected();
  await t.test('baseline: clean reads equal the corpus', () => {
    assert.equal(m.baseline.zarrWhole, corpus.zarrWhole, 'the whole t2m array');
    for (const [tile, sha] of Object.entries(corpus.jp2Tiles)) assert.equal(m.baseline.jp2[Number(tile)], sha, `JP2 tile ${tile}`);
  });
  const exp = expectedOutcomes(expectations);
  for (const r of m.results) {
    await t.test(`${r.target}: ${r.fault}`, () => {
      const [tile, requests, after, twin] = exp[r.target][r.fault];
      const want = r.tiles.map((_, i) => (FAULTED_TILES[r.target].includes(i) ? tile : 'ok'));
      assert.deepEqual(r.tiles, want, 'the faulted tiles fail as expected, the others are right');
      assert.deepEqual(r.requests, requests, 'requests that reached the fault');
      assert.equal(r.after, after, 'the next read');
      assert.equal(r.twin, twin, 'the other reader of the same tile');
    });
  }
  await t.test('opening a faulted store or image', () => assert.deepEqual(m.opens, EXPECTED_OPENS));
  await t.test('the decode workers are all there afterwards', () => assert.equal(m.pool.after, m.pool.before));
}
