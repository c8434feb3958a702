// The chromium side of the bench (`node bench/run.mjs --env chromium`): serves the
// repository's bench/, pkg/ (or RANGETILE_BENCH_PKG) and node_modules/ on localhost,
// opens bench/browser/index.html in headless chromium (playwright-core + the system
// chromium, as the e2e tests do) and runs the groups where the browser matters there:
//   - zstd, blosc, lz4, gzip: the group files themselves, unchanged, in the page
//     (bench/browser/runner.mjs), so the peers are the browser's: numcodecs.js as a page
//     loads it, chromium's DecompressionStream, fflate's and pako's browser builds;
//   - jpeg2k, htj2k: codestreams made in node (as those groups make them) and written to
//     bench/data/browser/, decoded in the page by ours and the @cornerstonejs decoder.
// Rows keep the node groups' keys and targets; their case ends in " (chromium)" and they
// carry env: "chromium", so they stay distinct from the node rows of the same group.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = join(repo, 'bench', 'data', 'browser');

/** The groups that also run in chromium, in run order. */
export const BROWSER_GROUPS = ['zstd', 'blosc', 'lz4', 'gzip', 'jpeg2k', 'htj2k'];
export const ENV = 'chromium';

/** The chromium executable (CHROMIUM_PATH, else /usr/bin/chromium), or null. */
export function chromiumPath() {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** A static server of `mounts` (URL prefix → directory), cross-origin isolated (finer timers). */
function serve(mounts) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const mount = Object.keys(mounts).find((m) => path.startsWith(m));
    const file = mount && normalize(join(mounts[mount], path.slice(mount.length)));
    if (!file || !file.startsWith(mounts[mount] + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Write `bytes` to bench/data/browser/`name` and return its URL path. */
function publish(name, bytes) {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, name), bytes);
  return `/bench/data/browser/${name}`;
}

const J2K_PEERS = {
  jpeg2k: { name: '@cornerstonejs/codec-openjpeg', src: '/node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.js', global: 'OpenJPEGWASM', decoder: 'J2KDecoder' },
  htj2k: { name: '@cornerstonejs/codec-openjph', src: '/node_modules/@cornerstonejs/codec-openjph/dist/openjphjs.js', global: 'Module', decoder: 'HTJ2KDecoder' },
};

/**
 * The jpeg2k / htj2k cases of bench/groups/{jpeg2k,htj2k}.mjs (same codestreams, same
 * labels), written for the page; null (with the reason printed) when the encoder is missing.
 */
async function j2kJob(group, quick) {
  const jp = await import('./jp2data.mjs');
  const size = quick ? 512 : 1024;
  let cases;
  if (group === 'jpeg2k') {
    const missing = jp.opjMissing();
    if (missing) {
      console.log(`${group} (${ENV}): skipped: ${missing}`);
      return null;
    }
    cases = [
      { label: 'reversible 5/3', bytes: readFileSync(jp.opjEncode(size, [])), lossless: true, reduce: 0 },
      { label: 'irreversible 9/7', bytes: readFileSync(jp.opjEncode(size, ['-I', '-r', '10'])), lossless: false, reduce: 0 },
      { label: 'reversible 5/3, reduce 2', bytes: readFileSync(jp.opjEncode(size, [])), lossless: true, reduce: 2 },
    ];
  } else {
    cases = [
      { label: 'HT reversible', bytes: await jp.htEncode(size, 0), lossless: true, reduce: 0 },
      { label: 'HT irreversible', bytes: await jp.htEncode(size, 0.0009), lossless: false, reduce: 0 },
      { label: 'HT reversible, reduce 2', bytes: await jp.htEncode(size, 0), lossless: true, reduce: 2 },
    ];
  }
  return {
    group,
    peer: J2K_PEERS[group],
    size,
    sourceUrl: publish(`imagery-${size}.u16`, jp.image(size)),
    cases: cases.map((k, i) => ({
      label: `${k.label}, ${size}² u16 ${jp.bpp(k.bytes.length, size).toFixed(2)} bpp → ${Math.ceil(size / 2 ** k.reduce)}²`,
      url: publish(`${group}-${size}-${i}.j2c`, k.bytes),
      lossless: k.lossless,
      reduce: k.reduce,
    })),
  };
}

/**
 * Run `groups` (names from BROWSER_GROUPS) in headless chromium; `onGroup(name, rows,
 * seconds)` is called after each. Returns the rows, or null when chromium is missing
 * (after printing why).
 */
export async function runInChromium({ groups, quick, timing, pkgDir, onGroup }) {
  const exe = chromiumPath();
  if (!exe) {
    console.log(`${ENV}: skipped: no chromium at ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} (set CHROMIUM_PATH)`);
    return null;
  }
  const { chromium } = await import('playwright-core');
  const server = await serve({
    '/bench/': join(repo, 'bench'),
    '/pkg/': pkgDir,
    '/node_modules/': join(repo, 'node_modules'),
  });
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: exe,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-renderer-backgrounding',
        '--disable-background-timer-throttling'],
    });
    const page = await browser.newPage();
    const errors = [];
    const consoleErrors = []; // e.g. a module that failed to load (reported only if the page does not start)
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${m.text()} (${m.location().url})`));
    await page.goto(`http://127.0.0.1:${server.address().port}/bench/browser/index.html`);
    const ok = await page
      .waitForFunction(() => window.benchReady, null, { timeout: 60_000 })
      .then((h) => h.jsonValue(), (e) => String(e));
    if (ok !== true) throw new Error(`the chromium bench page failed to start: ${[ok, ...errors, ...consoleErrors].join('; ')}`);
    const version = browser.version();
    const all = [];
    for (const name of BROWSER_GROUPS.filter((g) => groups.includes(g))) {
      const t0 = performance.now();
      let rows;
      if (J2K_PEERS[name]) {
        const job = await j2kJob(name, quick);
        rows = job ? await page.evaluate((j) => window.benchJ2k(j), { ...job, timing }) : [];
      } else {
        rows = await page.evaluate(([n, o]) => window.benchGroup(n, o), [name, { timing, quick }]);
      }
      if (errors.length) throw new Error(`chromium page errors: ${errors.join('; ')}`);
      rows = rows.map((r) => ({ ...r, case: `${r.case} (${ENV})`, env: ENV }));
      onGroup?.(name, rows, (performance.now() - t0) / 1000, version);
      all.push(...rows);
    }
    return all;
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
