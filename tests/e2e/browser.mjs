// What the browser tests share: Debian's chromium launched headless through
// playwright-core, a page that records its errors, the map bundles built when stale,
// and (from site-server.mjs) the range server over a temporary site with browser
// Content-Types for the page's own files.
//   import { launchChromium, openPage, serveSite } from './browser.mjs'
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export { PAGE_TYPES, serveDir, serveSite, startSiteServer } from './site-server.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WebGL (OpenLayers' WebGLTile layer, deck.gl, MapLibre) through SwiftShader without a GPU. */
const WEBGL_ARGS = ['--enable-unsafe-swiftshader', '--use-angle=swiftshader'];

/** Start chromium (`webgl`: with SwiftShader); launch() gives it a fresh temporary profile. */
export function launchChromium({ webgl = false } = {}) {
  return chromium.launch({ executablePath: CHROMIUM, args: webgl ? [...ARGS, ...WEBGL_ARGS] : ARGS });
}

/**
 * A new page of `browser` (`viewport` if given) that records its problems in `problems`
 * (returned with it): every page error, and each console message for which
 * `consoleProblem(message)` is true.
 */
export async function watchedPage(browser, { viewport, consoleProblem = () => false } = {}) {
  const page = await browser.newPage(viewport ? { viewport } : undefined);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (consoleProblem(m)) problems.push(`${m.type()}: ${m.text()}`);
  });
  return { page, problems };
}

/**
 * watchedPage(), then go to `url` and wait until the page sets `window.ready = true`
 * (within `timeout` ms; playwright's default when not given).
 */
export async function openPage(browser, url, { timeout, ...watch } = {}) {
  const { page, problems } = await watchedPage(browser, watch);
  await page.goto(url);
  await page.waitForFunction(() => window.ready === true, null, timeout === undefined ? undefined : { timeout });
  return { page, problems };
}

/** The map demos' bundles (OpenLayers + the adapters): built when missing or older than
 * their sources. */
export async function ensureMapBundles() {
  const out = path.join(repo, 'dist/maps/maps-ol.js');
  const built = await stat(out).then((s) => s.mtimeMs, () => 0);
  const sources = ['www/maps-ol.ts', 'js/adapters/openlayers.ts', 'js/adapters/grid.ts', 'js/adapters/colormaps.ts'];
  const newest = Math.max(...(await Promise.all(sources.map((f) => stat(path.join(repo, f)).then((s) => s.mtimeMs, () => 0)))));
  if (built < newest) execFileSync(process.execPath, [path.join(repo, 'scripts/demo-data/build-bundles.mjs')], { stdio: 'inherit' });
}
