// openRefs through the package: kerchunk JSON reference files (by URL and as an object),
// read with openZarr bit-exact against the corpus; and errors raised inside a decode
// worker keep their name and fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRangeServer } from '../server/range-server.mjs';
import { TESTDATA } from './corpus.mjs';
import * as rt from '../../dist/index.js';
import { getPool } from '../../dist/pool.js';

const sha = (d) => createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
const DIR = 'refs/kerchunk-hdf5';
const FILES = ['air.nc', 'hdf5_compression_zstd.h5', 'hdf5_mini_shuffle_blosc.h5', 'hdf5_mini_zstd.h5'];

let server;
beforeAll(async () => {
  server = await startRangeServer({ root: TESTDATA });
  await rt.configureDecoding({ workers: 2 });
});
afterAll(async () => {
  await rt.configureDecoding({ workers: 0 });
  await server?.close();
});

function expected(file) {
  const e = JSON.parse(readFileSync(path.join(TESTDATA, DIR, `${file}.refs.expected.json`), 'utf8'));
  return e.arrays.filter((a) => a.sha256_c_order_le && !String(a.dtype).includes('O'));
}

describe('openRefs', () => {
  it.each(FILES)('%s.refs.json by URL', async (file) => {
    const store = await rt.openRefs(`${server.url}/${DIR}/${file}.refs.json`);
    const arrays = expected(file);
    expect(arrays.length).toBeGreaterThan(0);
    for (const a of arrays) {
      const arr = await rt.openZarr(store, { path: a.path });
      const { data, shape } = await arr.get();
      expect(shape).toEqual(a.shape);
      expect(sha(data)).toBe(a.sha256_c_order_le);
    }
  });

  it('a reference object with a base URL', async () => {
    const obj = JSON.parse(readFileSync(path.join(TESTDATA, DIR, 'air.nc.refs.json'), 'utf8'));
    const store = await rt.openRefs(obj, { baseUrl: `${server.url}/${DIR}/air.nc.refs.json` });
    const g = await rt.openZarr(store);
    expect(g.kind).toBe('group');
    expect(g.attrs.title).toContain('reanalysis');
    const air = await g.open('air');
    expect(air.dtype).toBe('int16');
    const want = expected('air.nc').find((a) => a.path === 'air');
    expect(sha((await air.get()).data)).toBe(want.sha256_c_order_le);
  });
});

describe('errors across the worker boundary', () => {
  it('a decode error raised in a worker keeps its name and fields', async () => {
    const pool = await getPool();
    expect(pool.stats.workers).toBe(2);
    const recipe = JSON.stringify({
      document: { zarr_format: 2, shape: [8], chunks: [8], dtype: '<i4', fill_value: 0, order: 'C', filters: null, compressor: { id: 'zlib', level: 1 } },
      inner: false,
    });
    const e = await pool.submit('chunk', recipe, new Uint8Array([1, 2, 3, 4, 5])).catch((x) => x);
    expect(rt.isRangetileError(e)).toBe(true);
    expect(e.codec).toBeTypeOf('string');
    const bad = await pool.submit('chunk', 'not json', new Uint8Array(1)).catch((x) => x);
    expect(bad.name).toBe('InvalidArgument');
  });
});
