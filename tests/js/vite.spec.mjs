// A Vite build of a page that imports the package as a dependency: the .wasm and the
// decode worker come out as assets with no plugin or configuration, and the built page
// reads a corpus array in chromium with its chunks decoded in the worker.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { startRangeServer } from '../server/range-server.mjs';
import { TESTDATA, zarrCases } from './corpus.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };
const cleanup = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe('bundlers', () => {
  let out;

  it('vite builds an app using rangetile with the wasm and the worker as assets', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rangetile-vite-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await mkdir(path.join(dir, 'node_modules'));
    await symlink(repo, path.join(dir, 'node_modules', 'rangetile'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
    await writeFile(
      path.join(dir, 'main.js'),
      `import { openZarr, poolStats } from 'rangetile';
window.go = async (url, path) => {
  const a = await openZarr(url, { path });
  const { data } = await a.get();
  const d = await crypto.subtle.digest('SHA-256', new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const ps = await poolStats();
  return { sha256: [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join(''), workers: ps.workers, jobsInWorkers: ps.jobsInWorkers };
};
window.ready = true;
`,
    );
    out = path.join(dir, 'dist');
    await build({ root: dir, logLevel: 'silent', build: { outDir: out } });
    const assets = await readdir(path.join(out, 'assets'));
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
    const workers = assets.filter((f) => /^worker.*\.js$/.test(f));
    expect(workers.length).toBe(1);
    const js = await Promise.all(assets.filter((f) => f.endsWith('.js')).map((f) => readFile(path.join(out, 'assets', f), 'utf8')));
    expect(js.some((s) => s.includes('WebAssembly'))).toBe(true);
  });

  it('the built app reads a corpus array in chromium, decoding in the worker', async () => {
    expect(out).toBeDefined();
    await symlink(TESTDATA, path.join(out, 'testdata'));
    const server = await startRangeServer({ root: out });
    cleanup.push(() => server.close());
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
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanup.push(() => browser.close());
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => window.ready === true);
    const c = zarrCases().find((x) => x.path === '3d.chunked.compressed.sharded.i2');
    const r = await page.evaluate(([u, p]) => window.go(u, p), [`${server.url}/testdata/${c.store}`, c.path]);
    expect(errors).toEqual([]);
    expect(r.sha256).toBe(c.sha256);
    expect(r.workers).toBeGreaterThan(0);
    expect(r.jobsInWorkers).toBeGreaterThan(0);
  });
});
