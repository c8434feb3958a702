// A Vite build of a page that imports the package as a dependency: the .wasm and the
// decode worker come out as assets with no plugin or configuration.
import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('bundlers', () => {
  it('vite builds an app using rangetile with the wasm and the worker as assets', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rangetile-vite-'));
    try {
      await mkdir(path.join(dir, 'node_modules'));
      await symlink(repo, path.join(dir, 'node_modules', 'rangetile'));
      await writeFile(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
      await writeFile(
        path.join(dir, 'main.js'),
        "import { openZarr, stats } from 'rangetile';\nwindow.go = () => openZarr('/x.zarr').then(() => stats());\n",
      );
      await build({ root: dir, logLevel: 'silent', build: { outDir: path.join(dir, 'dist') } });
      const assets = await readdir(path.join(dir, 'dist', 'assets'));
      expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
      const workers = assets.filter((f) => /^worker.*\.js$/.test(f));
      expect(workers.length).toBe(1);
      const js = await Promise.all(assets.filter((f) => f.endsWith('.js')).map((f) => readFile(path.join(dir, 'dist', 'assets', f), 'utf8')));
      expect(js.some((s) => s.includes('WebAssembly'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
