// Fault injection through the public API in node (the chromium twin is
// tests/e2e/faults.test.mjs; both run tests/js/faults-scenarios.mjs). Each scenario reads a
// view of several tiles (Zarr chunks through kerchunk references, over HTTP and in shards
// of a sharded array; JPEG 2000 tiles) while the range server faults one of them (one
// shard): the faulted tile fails with the exact error (or recovers, or is the fill value),
// every other tile equals the corpus, and the requests that reached the fault are counted
// in the server's log.
//   node --test tests/js/faults.test.mjs     (needs the built package: npm run build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as rt from 'rangetile';
import { createOpenLayersSource } from 'rangetile/adapters/openlayers';
import { startRangeServer } from '../server/range-server.mjs';
import { TESTDATA } from './corpus.mjs';
import { FAULTS, TARGETS, faultsOf, runAdapterScenario, runFaultMatrix } from './faults-scenarios.mjs';
import { assertMatrix, faultContext } from './faults-context.mjs';

let server;
before(async () => {
  server = await startRangeServer({ root: TESTDATA });
  // Decode in worker_threads, as browsers decode in workers.
  await rt.configureDecoding({ workers: 2 });
});
after(async () => {
  await rt.configureDecoding({ workers: 0 });
  await server?.close();
});

test(`fault matrix: ${TARGETS.length} views × ${FAULTS.length} faults (node, 2 decode workers)`, async (t) => {
  const m = await runFaultMatrix(rt, faultContext(server.url), { timeout: 'option' });
  assert.equal(m.results.length, TARGETS.reduce((n, t) => n + faultsOf(t).length, 0));
  assert.equal(m.pool.before, 2);
  // node's fetch reports a body cut short as a network error ("terminated").
  await assertMatrix(t, assert, m, { timeoutKind: 'Timeout', truncatedKind: 'Network' });
});

test('OpenLayers adapter: a JP2 tile whose server fails stays in error, the other tiles load', async () => {
  const r = await runAdapterScenario(rt, faultContext(server.url), createOpenLayersSource);
  assert.deepEqual(r.states, ['loaded opaque', 'loaded opaque', 'loaded opaque', 'error Http:500/Http']);
  assert.deepEqual(r.requests, [500, 500, 500, 500]);
});

test('OpenLayers adapter: the decoded-values cache is bounded in bytes as well as in tiles', async () => {
  const ctx = faultContext(server.url);
  const im = await rt.openJp2(`${server.url}/${ctx.jp2.path}`);
  // 1024² tiles: 4 MiB of float values each; a 9 MiB budget keeps two of them.
  const source = await createOpenLayersSource(im, { range: [0, 20000], cacheBytes: 9 << 20 });
  const z = source.getTileGrid().getResolutions().length - 1;
  const tiles = [0, 1, 2, 3].map((i) => source.getTile(z, i % 2, Math.floor(i / 2), 1));
  await new Promise((resolve) => {
    const check = () => (tiles.every((t) => t.getState() === 2) ? resolve() : setTimeout(check, 20));
    for (const t of tiles) t.load();
    check();
  });
  // (`values` is the adapter's private cache.)
  assert.equal(source.values.size, 2);
  assert.equal([...source.values.values()].reduce((n, t) => n + t.v.byteLength, 0), 2 * 4 * 1024 * 1024);
});
