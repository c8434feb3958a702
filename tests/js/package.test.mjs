// The npm package as a user gets it: `npm pack` holds the right files, the tarball
// installs into an empty project (no registry needed: it has no dependencies) and reads
// real ranges there; and the example program works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sampleBytes } from '../../www/sample-pattern.js';
import { startSampleServer } from './helpers.mjs';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const hex = (bytes) => Buffer.from(bytes).toString('hex');

let srv, work;
before(async () => {
  srv = await startSampleServer();
  work = await mkdtemp(path.join(tmpdir(), 'rangetile-pack-'));
});
after(async () => {
  await srv?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('npm pack ships dist/, the wasm and its glue, and nothing generated besides', async () => {
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', work], { cwd: repo });
  const [info] = JSON.parse(stdout);
  const files = info.files.map((f) => f.path).sort();
  for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/errors.d.ts', 'dist/wasm.js',
    'pkg/rangetile.js', 'pkg/rangetile.d.ts', 'pkg/rangetile_bg.wasm', 'js/index.ts']) {
    assert.ok(files.includes(f), `${f} missing from the package`);
  }
  const stray = files.filter((f) => !/^(package\.json|README\.md|dist\/|js\/|pkg\/rangetile)/.test(f));
  assert.deepEqual(stray, []);
  // The release build maps source paths (panic messages) away from this machine's.
  const wasm = (await readFile(path.join(repo, 'pkg/rangetile_bg.wasm'))).toString('latin1');
  for (const p of [repo.replace(/\/$/, ''), homedir()]) assert.ok(!wasm.includes(p), `the .wasm embeds ${p}`);

  // Install the tarball into an empty project and read a range through it.
  const project = path.join(work, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'user', private: true, type: 'module' }));
  await run(npm, ['install', '--offline', '--no-audit', '--no-fund', path.join(work, info.filename)], { cwd: project });
  await writeFile(
    path.join(project, 'main.js'),
    `import { readRange, stats } from 'rangetile';
     const b = await readRange(process.argv[2], 123456, 123556);
     console.log(JSON.stringify({ hex: Buffer.from(b).toString('hex'), requests: stats().requests }));`,
  );
  const out = await run(process.execPath, ['main.js', srv.sample], { cwd: project });
  const got = JSON.parse(out.stdout);
  assert.equal(got.hex, hex(sampleBytes(123456, 123556)));
  assert.equal(got.requests, 1);
  const types = await readFile(path.join(project, 'node_modules/rangetile/dist/index.d.ts'), 'utf8');
  assert.match(types, /export declare function readRange\(/);
});

test('examples/read-range.mjs prints the bytes and the counters', async () => {
  const { stdout } = await run(process.execPath, ['examples/read-range.mjs', srv.sample, '16', '48'], { cwd: repo });
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /: 4194427 bytes; bytes 16\.\.48:$/);
  assert.equal(lines.slice(1, 3).join(''), hex(sampleBytes(16, 48)));
  assert.deepEqual(JSON.parse(lines[3]), { requests: 2, bytesFetched: 32, cacheHits: 0, decodeMs: 0 });

  const e = await run(process.execPath, ['examples/read-range.mjs', `${srv.url}/missing.bin`], { cwd: repo }).catch((x) => x);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /^NotFound: /);
});
