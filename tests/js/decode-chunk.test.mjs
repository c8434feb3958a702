// decodeChunk(config, bytes) and decodeChunkInto(config, bytes, out) on every chunk of the
// Blosc corpus (97 arrays written by c-blosc through numcodecs: every internal codec,
// shuffle, bitshuffle, split and leftover blocks, memcpyed frames, header typesizes that
// differ from the dtype). The chunks are reassembled into the array (edge chunks cropped)
// and must hash to the expected sha256. decodeChunkInto decodes in place into one reused
// wasm buffer: chunks of different sizes follow each other, and a wrong output length is
// a typed error that leaves the next call correct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BLOSC = path.resolve(ROOT, '../shared/testdata/codecs/blosc');
const wasm = await import(path.join(ROOT, 'pkg/rangetile.js'));
wasm.initSync({ module: readFileSync(path.join(ROOT, 'pkg/rangetile_bg.wasm')) });
const expected = JSON.parse(readFileSync(path.join(BLOSC, 'expected.json'), 'utf8'));

const itemsize = (dtype) => Number(dtype.slice(2));

/** Place the C-order `chunk` (shape `cs`) at chunk index `idx` into `out` (shape `shape`). */
function place(out, chunk, idx, shape, cs, size) {
  const rows = shape.length === 2 ? cs[0] : 1;
  const cols = shape.length === 2 ? cs[1] : cs[0];
  const [r0, c0] = shape.length === 2 ? [idx[0] * cs[0], idx[1] * cs[1]] : [0, idx[0] * cs[0]];
  const [nr, nc] = shape.length === 2 ? [shape[0], shape[1]] : [1, shape[0]];
  for (let r = 0; r < rows && r0 + r < nr; r++) {
    const n = Math.min(cols, nc - c0) * size;
    const from = r * cols * size;
    out.set(chunk.subarray(from, from + n), ((r0 + r) * nc + c0) * size);
  }
}

test('decodeChunkInto and decodeChunk: every Blosc corpus array hashes to its expected sha256', () => {
  const config = '{"id":"blosc"}';
  let chunks = 0;
  const names = Object.keys(expected.arrays);
  assert.equal(names.length, 97);
  for (const name of names) {
    const a = expected.arrays[name];
    const size = itemsize(a.dtype);
    const full = new Uint8Array(a.shape.reduce((x, y) => x * y, 1) * size);
    for (const [key, info] of Object.entries(a.chunks_info)) {
      const enc = new Uint8Array(readFileSync(path.join(BLOSC, a.zarr_path, key)));
      const out = new Uint8Array(info.nbytes);
      assert.equal(wasm.decodeChunkInto(config, enc, out), info.nbytes, `${name}/${key}`);
      assert.deepEqual(wasm.decodeChunk(config, enc, info.nbytes), out, `${name}/${key}: decodeChunk`);
      place(full, out, key.split('.').map(Number), a.shape, a.chunks, size);
      chunks++;
    }
    const sha = createHash('sha256').update(full).digest('hex');
    assert.equal(sha, a.expected_sha256, name);
  }
  assert.ok(chunks >= 380, `${chunks} chunks`);
});

test('decodeChunkInto: a wrong output length is a SizeMismatch error, and the next call is right', () => {
  const a = expected.arrays.zstd_bitshuffle_f4;
  const info = a.chunks_info['0.0'];
  const enc = new Uint8Array(readFileSync(path.join(BLOSC, a.zarr_path, '0.0')));
  const good = wasm.decodeChunk('{"id":"blosc"}', enc, info.nbytes);
  for (const n of [info.nbytes - 1, info.nbytes + 1, 0]) {
    const out = new Uint8Array(n).fill(7);
    assert.throws(
      () => wasm.decodeChunkInto('{"id":"blosc"}', enc, out),
      (e) => e.name === 'Format' && e.kind === 'SizeMismatch',
      `length ${n}`,
    );
    assert.ok(out.every((b) => b === 7), 'a failed decode leaves the output untouched');
  }
  // A larger buffer first, then the right one: the reused wasm buffer must not leak bytes.
  const big = new Uint8Array(1 << 20);
  assert.throws(() => wasm.decodeChunkInto('{"id":"blosc"}', enc, big), (e) => e.kind === 'SizeMismatch');
  const out = new Uint8Array(info.nbytes);
  wasm.decodeChunkInto('{"id":"blosc"}', enc, out);
  assert.deepEqual(out, good);
  // A codec without an in-place decoder goes through the default (decode, then copy).
  const shuffled = wasm.decodeChunkInto('{"id":"shuffle","elementsize":4}', good, new Uint8Array(good.length));
  assert.equal(shuffled, good.length);
  // Over the decoded-size limit: refused before anything is allocated.
  assert.throws(
    () => wasm.decodeChunkInto('{"id":"blosc"}', enc, new Uint8Array(300 * 1024 * 1024)),
    (e) => e.name === 'LimitExceeded',
  );
});
