// Fault injection through the public API in Debian's chromium (playwright-core): the same
// scenarios as tests/js/faults.test.mjs (tests/js/faults-scenarios.mjs, imported by the
// page as it is), with decoding in the page's worker pool. The page reads the corpus from
// the range server, which faults one tile of each view; the outcomes are asserted here
// with the same exact expectations as in node. No page errors, no unhandled rejections.
//   node --test tests/e2e/faults.test.mjs     (needs the built package: npm run build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMapBundles, launchChromium, openPage, serveSite } from './browser.mjs';
import { TESTDATA } from '../js/corpus.mjs';
import { FAULTS, TARGETS, faultsOf } from '../js/faults-scenarios.mjs';
import { assertMatrix, faultContext } from '../js/faults-context.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

let server, browser, page, problems;

before(async () => {
  await ensureMapBundles();
  const links = {
    pkg: path.join(repo, 'pkg'),
    dist: path.join(repo, 'dist'),
    testdata: TESTDATA,
    'faults-scenarios.mjs': path.join(repo, 'tests/js/faults-scenarios.mjs'),
  };
  const page0 = `<!doctype html><meta charset="utf-8"><title>faults</title>
<script type="module">
window.unhandled = [];
addEventListener('unhandledrejection', (e) => window.unhandled.push(String(e.reason?.name ?? '') + ': ' + String(e.reason?.message ?? e.reason)));
import * as rt from './dist/index.js';
import * as scenarios from './faults-scenarios.mjs';
window.rt = rt; window.scenarios = scenarios; window.ready = true;
</script>`;
  server = await serveSite({ name: 'faults', links, files: { 'index.html': page0 } });
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, `${server.url}/index.html`, {
    // The browser logs each failed HTTP response ("Failed to load resource"): those are
    // the injected faults, not page errors.
    consoleProblem: (m) => m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text()),
  }));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test(`fault matrix: ${TARGETS.length} views × ${FAULTS.length} faults (chromium, worker pool)`, async (t) => {
  const ctx = faultContext(server.url, 'testdata/');
  const m = await page.evaluate(async (ctx) => {
    await window.rt.configureDecoding({ workers: 2 });
    return window.scenarios.runFaultMatrix(window.rt, ctx, { timeout: 'option' });
  }, ctx);
  assert.equal(m.results.length, TARGETS.reduce((n, t) => n + faultsOf(t).length, 0));
  assert.equal(m.pool.before, 2);
  await assertMatrix(t, assert, m, { timeoutKind: 'Timeout', truncatedKind: 'Network' });
});

test('OpenLayers adapter in chromium: the faulted JP2 tile stays in error, the other tiles load', async () => {
  const ctx = faultContext(server.url, 'testdata/');
  const r = await page.evaluate(async (ctx) => {
    const { createOpenLayersSource } = await import('./dist/maps/maps-ol.js');
    return window.scenarios.runAdapterScenario(window.rt, ctx, createOpenLayersSource);
  }, ctx);
  assert.deepEqual(r.states, ['loaded opaque', 'loaded opaque', 'loaded opaque', 'error Http:500/Http']);
  assert.deepEqual(r.requests, [500, 500, 500, 500]);
});

test('no page errors and no unhandled rejections', async () => {
  const workers = await page.evaluate(async () => (await window.rt.poolStats()).workers);
  assert.equal(workers, 2);
  // A worker terminated after a cancelled job leaves the page's list asynchronously.
  for (let i = 0; i < 200 && page.workers().length !== 2; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(page.workers().length, 2, 'live workers = pool size');
  assert.deepEqual(await page.evaluate(() => window.unhandled), []);
  assert.deepEqual(problems, []);
});
