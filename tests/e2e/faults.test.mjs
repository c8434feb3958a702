// Fault injection through the public API in Debian's chromium (playwright-core): the same
// scenarios as tests/js/faults.test.mjs (tests/js/faults-scenarios.mjs, imported by the
// page as it is), with decoding in the page's worker pool. The page reads the corpus from
// the range server, which faults one tile of each view; the outcomes are asserted here
// with the same exact expectations as in node. No page errors, no unhandled rejections.
//   node --test tests/e2e/faults.test.mjs     (needs the built package: npm run build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startRangeServer } from '../server/range-server.mjs';
import { TESTDATA } from '../js/corpus.mjs';
import { FAULTS, TARGETS, faultsOf } from '../js/faults-scenarios.mjs';
import { assertMatrix, faultContext } from '../js/faults-context.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.css': 'text/css' };

let server, browser, site, page;
const problems = [];

/** The map demos' bundles (OpenLayers + the adapters): built when missing or older than
 * their sources. */
async function ensureMapBundles() {
  const out = path.join(repo, 'dist/maps/maps-ol.js');
  const built = await stat(out).then((s) => s.mtimeMs, () => 0);
  const sources = ['www/maps-ol.ts', 'js/adapters/openlayers.ts', 'js/adapters/grid.ts', 'js/adapters/colormaps.ts'];
  const newest = Math.max(...(await Promise.all(sources.map((f) => stat(path.join(repo, f)).then((s) => s.mtimeMs, () => 0)))));
  if (built < newest) execFileSync(process.execPath, [path.join(repo, 'scripts/demo-data/build-bundles.mjs')], { stdio: 'inherit' });
}

before(async () => {
  await ensureMapBundles();
  site = await mkdtemp(path.join(tmpdir(), 'rangetile-faults-'));
  for (const d of ['pkg', 'dist']) await symlink(path.join(repo, d), path.join(site, d));
  await symlink(TESTDATA, path.join(site, 'testdata'));
  await symlink(path.join(repo, 'tests/js/faults-scenarios.mjs'), path.join(site, 'faults-scenarios.mjs'));
  await writeFile(
    path.join(site, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>faults</title>
<script type="module">
window.unhandled = [];
addEventListener('unhandledrejection', (e) => window.unhandled.push(String(e.reason?.name ?? '') + ': ' + String(e.reason?.message ?? e.reason)));
import * as rt from './dist/index.js';
import * as scenarios from './faults-scenarios.mjs';
window.rt = rt; window.scenarios = scenarios; window.ready = true;
</script>`,
  );
  server = await startRangeServer({ root: site });
  server.server.prependListener('request', (req, res) => {
    const type = TYPES[path.extname(new URL(req.url, 'http://x').pathname)];
    if (!type) return;
    const writeHead = res.writeHead;
    res.writeHead = function (status, ...rest) {
      const h = rest.find((a) => a && typeof a === 'object');
      if (h && h['Content-Type'] === 'application/octet-stream') h['Content-Type'] = type;
      return writeHead.call(this, status, ...rest);
    };
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs each failed HTTP response ("Failed to load resource"): those are
    // the injected faults, not page errors.
    if (m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.ready === true);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (site) await rm(site, { recursive: true, force: true });
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
