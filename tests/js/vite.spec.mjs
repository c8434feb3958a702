// A Vite build of a page that imports the package as a dependency: the .wasm and the
// decode worker come out as assets with no plugin or configuration, and the built page
// reads a corpus array in chromium with its chunks decoded in the worker.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium, openPage, serveDir } from '../e2e/browser.mjs';
import { TESTDATA, zarrCases } from './corpus.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
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
    const server = await serveDir(out);
    cleanup.push(() => server.close());
    const browser = await launchChromium();
    cleanup.push(() => browser.close());
    const { page, problems: errors } = await openPage(browser, `${server.url}/index.html`);
    const c = zarrCases().find((x) => x.path === '3d.chunked.compressed.sharded.i2');
    const r = await page.evaluate(([u, p]) => window.go(u, p), [`${server.url}/testdata/${c.store}`, c.path]);
    expect(errors).toEqual([]);
    expect(r.sha256).toBe(c.sha256);
    expect(r.workers).toBeGreaterThan(0);
    expect(r.jobsInWorkers).toBeGreaterThan(0);
  });
});
