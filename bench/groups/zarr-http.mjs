// zarr-http: read a whole array over HTTP from the local range server with 20 ms of added
// latency per request (tests/server/range-server.mjs `/__fault/delay=20/`), open + read
// from scratch each time. Ours: the npm package's openZarr (dist/, decoding inline: the
// Node default) vs zarrita (pinned dev dependency): FetchStore wrapped in withRangeCoalescing (its range
// batching), zarr.open + zarr.get, codecs from numcodecs.js (its default registry).
//
// Data (bench/lib/zarrdata.mjs): a 2048 x 2048 float32 weather-like field, 256 x 256
// chunks, zstd-3 or blosc zstd-5 + shuffle; v3 unsharded, v3 sharded (1024 x 1024 shards
// of 256 x 256 inner chunks, index + crc32c at the end) and v2. Both sides' results are
// checked equal to the source field before timing.
//
// Rows per store: MB/s of decoded data (ratio ours / peer) and HTTP requests of one cold
// read, counted in the server's log (ratio peer / ours), with the most requests the
// server saw in flight at once. Variant rows change one setting of ours (see VARIANTS).
// Every timed read uses a new client on both sides (rangetile shares its byte cache
// between reads with equal options: a unique `fetch` per read gives each read its own
// client), so no read is served from an earlier one's cache; the decoded-chunk cache is
// off.
import { readFileSync } from 'node:fs';
import { alternate, mbps } from '../lib/timing.mjs';
import { assertSame, costRow, throughputRow } from '../lib/common.mjs';
import { startServer } from '../lib/http.mjs';
import { QUICK_STORES, STORES, zarrStores } from '../lib/zarrdata.mjs';

export const name = 'zarr-http';

const LATENCY_MS = 20;
const ZARRITA = JSON.parse(readFileSync(new URL('../../node_modules/zarrita/package.json', import.meta.url), 'utf8'));
const PEER = `zarrita ${ZARRITA.version} (withRangeCoalescing)`;

const CODEC_LABELS = { zstd: 'zstd-3', blosc: 'blosc zstd-5+shuffle' };

/** What a store is, for the case name (e.g. `v3 sharded zstd-3, 4 shards of 1024², 256² inner chunks`). */
function label(s, n, chunk) {
  const count = (side) => (n / side) ** 2;
  const layout = s.shard
    ? `sharded ${CODEC_LABELS[s.codec]}, ${count(s.shard)} shard(s) of ${s.shard}², ${chunk}² inner chunks`
    : `${CODEC_LABELS[s.codec]}, ${count(chunk)} chunks of ${chunk}²`;
  return `v${s.format} ${layout}`;
}

async function loadSides() {
  let ours;
  try {
    ours = await import('../../dist/index.js');
  } catch (e) {
    throw new Error(`zarr-http needs the built package (dist/): run npm run build (${e.message})`);
  }
  const zarr = await import('zarrita');
  return { ours, zarr };
}

/** Extra rows: one setting of ours changed, to show where a difference comes from. */
const VARIANTS = [
  // Node's fetch has no per-origin connection limit: zarrita keeps all 64 chunk requests in
  // flight, ours at most `maxConcurrency` (default 6, a browser's HTTP/1.1 limit).
  { store: 'v3-zstd', what: 'ours maxConcurrency 64', open: { maxConcurrency: 64 } },
  // Decoding in one worker_threads worker instead of inline.
  { store: 'v3-sharded-zstd', what: 'ours 1 decode worker', workers: 1 },
  // A map-view-sized window across the corner of 4 shards: 9 inner chunks (partial shard
  // reads: the indexes, then the inner chunks' ranges). Both sides read the same window.
  { store: 'v3-sharded-zstd', what: 'window', window: [896, 1408] },
];

/** The rows [a, b) x cols [a, b) of the `n` x `n` float32 field `bytes`. */
function windowOf(bytes, n, [a, b]) {
  const w = b - a;
  const out = new Uint8Array(w * w * 4);
  for (let y = 0; y < w; y++) out.set(bytes.subarray(((a + y) * n + a) * 4, ((a + y) * n + b) * 4), y * w * 4);
  return out;
}

export async function run({ quick }) {
  const { ours, zarr } = await loadSides();
  const names = quick ? QUICK_STORES : Object.keys(STORES);
  const n = quick ? 1024 : 2048;
  const data = await zarrStores(names, n);
  const server = await startServer(data.root);
  const rounds = quick ? 2 : 7;
  const cases = names.map((store) => ({ store, what: null, open: {}, workers: 0, window: null }));
  if (!quick) cases.push(...VARIANTS.map((v) => ({ open: {}, workers: 0, window: null, ...v })));
  const rows = [];
  try {
    for (const { store: key, what, open, workers, window } of cases) {
      await ours.configureDecoding({ workers, decodedCacheBytes: 0 });
      const base = server.delayed(LATENCY_MS, data.stores[key].path);
      const calls = { ours: 0, peer: 0 };
      const fetched = { ours: 0, peer: 0 };
      const readOurs = async () => {
        calls.ours++;
        // A fresh closure: a new client (and byte cache) for this read.
        const fetchFn = (url, init) => {
          fetched.ours++;
          return fetch(url, init);
        };
        const a = await ours.openZarr(base, { ...open, fetch: fetchFn });
        return (await a.get(window && [window, window])).data;
      };
      const readPeer = async () => {
        calls.peer++;
        const fetchFn = (req) => {
          fetched.peer++;
          return fetch(req);
        };
        const store = zarr.withRangeCoalescing(new zarr.FetchStore(base, { fetch: fetchFn }));
        const arr = await zarr.open(store, { kind: 'array' });
        const sel = window && [zarr.slice(...window), zarr.slice(...window)];
        return (await zarr.get(arr, sel)).data;
      };

      // Cold reads: check the data, count requests in the server log.
      const expected = window ? windowOf(data.expected, n, window) : data.expected;
      const requests = {};
      const bytes = {};
      const inFlight = {};
      for (const [side, read] of [['ours', readOurs], ['peer', readPeer]]) {
        await server.reset();
        const got = await read();
        assertSame(`${name} ${key} ${side}`, got, expected);
        const log = await server.log();
        requests[side] = log.length;
        bytes[side] = log.reduce((a, e) => a + e.bytes, 0);
        inFlight[side] = (await server.stats()).maxInFlight;
      }
      const perRead = { ours: fetched.ours / calls.ours, peer: fetched.peer / calls.peer };

      await server.reset();
      const t = await alternate({ ours: readOurs, peer: readPeer }, { rounds, minMs: 0 });
      // Every timed read must have made the requests of a cold read (no cache hits).
      for (const side of ['ours', 'peer']) {
        const avg = fetched[side] / calls[side];
        if (Math.abs(avg - perRead[side]) > 0.5) {
          throw new Error(`${name} ${key}: ${side} made ${avg} requests per timed read, ${perRead[side]} cold`);
        }
      }
      await server.reset();

      const size = expected.length;
      const c = `${(data.expected.length / 2 ** 20).toFixed(0)} MiB float32 ${n}², ${label(data.stores[key], n, data.chunk)}, +${LATENCY_MS} ms/request`;
      const tag = what && !window ? ` [${what}]` : '';
      const read = window ? `read window [${window[0]}, ${window[1]})² (${window[1] - window[0]}² across 4 shards)` : 'read whole array';
      rows.push(throughputRow(name, `${read}${tag}: ${c}`, mbps(size, t.ours), PEER, mbps(size, t.peer)));
      if (!what || window) {
        const fl = `max in flight ${inFlight.ours} vs ${inFlight.peer}`;
        const what2 = window ? `requests, window [${window[0]}, ${window[1]})²` : 'requests';
        rows.push(costRow(name, `${what2} (${fl}): ${c}`, 'requests', requests.ours, PEER, requests.peer));
        if (window) rows.push(costRow(name, `bytes transferred, window [${window[0]}, ${window[1]})²: ${c}`, 'bytes', bytes.ours, PEER, bytes.peer));
      }
    }
  } finally {
    await ours.configureDecoding({ workers: 0 });
    await server.close();
  }
  return rows;
}
