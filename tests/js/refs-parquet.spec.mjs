// openRefs over kerchunk Parquet references (the `LazyReferenceMapper` layout: a `.parq`
// directory with `.zmetadata` and `<array>/refs.<n>.parq` files), through the package:
// every array of every corpus reference set reads bit-exact against its *.expected.json.
//
// The Parquet files are written at test time by tests/refs_parquet_gen.py with the real
// writer (kerchunk.df.refs_to_dataframe, fastparquet, ZSTD, record_size 3 so that arrays
// span several files), from the corpus's kerchunk JSON reference sets, into a temporary
// directory. The Python comes from $RANGETILE_PYTHON, a `python3` that has kerchunk and
// fastparquet, or the virtualenv tests/refs_parquet.rs made (and that this test makes the
// same way when it is missing: `python3 -m venv` + pip). Without one the test fails and
// says how to provide it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRangeServer } from '../server/range-server.mjs';
import { TESTDATA } from './corpus.mjs';
import * as rt from '../../dist/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sha = (d) => createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');

function hasModules(py) {
  return spawnSync(py, ['-c', 'import kerchunk.df, fastparquet'], { stdio: 'ignore' }).status === 0;
}

/** A Python that can import kerchunk and fastparquet (made when missing), or null. */
function python() {
  if (process.env.RANGETILE_PYTHON) return hasModules(process.env.RANGETILE_PYTHON) ? process.env.RANGETILE_PYTHON : null;
  if (hasModules('python3')) return 'python3';
  const venv = path.join(path.resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target'), 'tmp/refs_parquet/venv');
  const py = path.join(venv, 'bin/python');
  if (existsSync(py) && hasModules(py)) return py;
  const made =
    spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' }).status === 0 &&
    spawnSync(py, ['-m', 'pip', 'install', '-q', 'kerchunk', 'fastparquet'], { stdio: 'inherit' }).status === 0;
  return made && hasModules(py) ? py : null;
}

let targets;
let refsServer;
let out;
let sets = [];
beforeAll(async () => {
  const py = python();
  if (!py) {
    throw new Error(
      'no Python with kerchunk and fastparquet: set RANGETILE_PYTHON, or let python3 -m venv + pip install them',
    );
  }
  targets = await startRangeServer({ root: TESTDATA });
  out = mkdtempSync(path.join(tmpdir(), 'rangetile-parq-'));
  const lines = execFileSync(py, [path.join(ROOT, 'tests/refs_parquet_gen.py'), TESTDATA, out, targets.url], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  sets = lines
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((s) => s.variant === 'http');
  refsServer = await startRangeServer({ root: out });
}, 300_000);
afterAll(async () => {
  await refsServer?.close();
  await targets?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

function expectedArrays(file) {
  const e = JSON.parse(readFileSync(file, 'utf8'));
  return e.arrays.filter((a) => a.sha256_c_order_le && !String(a.dtype).includes('O'));
}

async function logPaths(server) {
  return (await (await fetch(`${server.url}/__log`)).json()).map((e) => e.path);
}

describe('openRefs over kerchunk Parquet references', () => {
  // First, while no byte cache holds these files: one `.zmetadata` request per open, and a
  // read fetches each Parquet file it needs once, even when several chunks share it.
  it('a read fetches each Parquet file it needs once', async () => {
    const rel = 'http/kerchunk-hdf5/hdf5_compression_zstd.h5.refs.parq';
    const want = expectedArrays(path.join(TESTDATA, 'refs/kerchunk-hdf5/hdf5_compression_zstd.h5.refs.expected.json'));
    await fetch(`${refsServer.url}/__reset`, { method: 'POST' });
    const store = await rt.openRefs(`${refsServer.url}/${rel}`);
    for (const a of want) {
      const { data } = await (await rt.openZarr(store, { path: a.path })).get();
      expect(sha(data)).toBe(a.sha256_c_order_le);
    }
    const paths = await logPaths(refsServer);
    expect(paths.filter((p) => p.endsWith('/.zmetadata'))).toHaveLength(1);
    const parq = paths.filter((p) => p.endsWith('.parq'));
    expect(parq.length).toBeGreaterThan(0);
    expect(new Set(parq).size, paths.join('\n')).toBe(parq.length);
  });

  it('every array of every reference set reads bit-exact over HTTP', async () => {
    expect(sets.length).toBeGreaterThanOrEqual(7);
    let arrays = 0;
    for (const s of sets) {
      const rel = path.relative(out, s.parq).split(path.sep).join('/');
      const store = await rt.openRefs(`${refsServer.url}/${rel}`);
      for (const a of expectedArrays(s.expected)) {
        const arr = await rt.openZarr(store, { path: a.path });
        const { data, shape } = await arr.get();
        expect(shape, `${rel}#${a.path}`).toEqual(a.shape);
        expect(sha(data), `${rel}#${a.path}`).toBe(a.sha256_c_order_le);
        arrays += 1;
      }
    }
    expect(arrays).toBeGreaterThanOrEqual(10); // 10 non-object arrays in 7 reference sets today
  });
});
