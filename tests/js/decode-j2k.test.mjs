// decodeJ2k(bytes, reduce), the whole-codestream decoder the jpeg2k/htj2k bench groups
// compare with the peers, on corpus files (Part 1 and HTJ2K, J2K and JP2) at every
// reduced level: the interleaved samples must hash to the expected full-image decode
// (sha256 of H x W x C, C order, little-endian). Bad input gives a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const JP2 = path.resolve(ROOT, '../shared/testdata/jp2');
const wasm = await import(path.join(ROOT, 'pkg/rangetile.js'));
wasm.initSync({ module: readFileSync(path.join(ROOT, 'pkg/rangetile_bg.wasm')) });

const FILES = [
  'openjpeg-conformance/a3_mono.j2c', // 8-bit, 6 tiles
  'openjpeg-conformance/file1.jp2', // JP2 boxes, 3 components
  'openjpeg-conformance/p0_04.j2k',
  'openjpeg-nonregression/Bretagne1_ht.j2k', // HTJ2K reversible, 3 components
  'openjpeg-nonregression/Bretagne1_ht_lossy.j2k', // HTJ2K irreversible
  'openjpeg-nonregression/byte.jph', // HTJ2K in a JPH file
  'generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2', // 16-bit, 4 tiles
];

for (const f of FILES) {
  test(`decodeJ2k ${f}: every reduced level equals the expected decode`, () => {
    const exp = JSON.parse(readFileSync(path.join(JP2, `${f}.expected.json`), 'utf8'));
    const bytes = readFileSync(path.join(JP2, f));
    const levels = exp.decodes.filter((d) => d.full_image_sha256_c_order_le);
    assert.ok(levels.length > 0, 'the expected file lists full-image decodes');
    for (const d of levels) {
      const img = wasm.decodeJ2k(bytes, d.rlevel);
      const [h, w, c = 1] = d.full_image_shape;
      assert.deepEqual([img.height, img.width, img.components], [h, w, c], `level ${d.rlevel} shape`);
      const sha = createHash('sha256').update(img.bytes).digest('hex');
      assert.equal(sha, d.full_image_sha256_c_order_le, `level ${d.rlevel} samples`);
    }
  });
}

test('decodeJ2k: bad input is a typed error, and decoding goes on afterwards', () => {
  const good = readFileSync(path.join(JP2, 'openjpeg-conformance/a3_mono.j2c'));
  for (const bad of [new Uint8Array(0), new Uint8Array([0xff, 0x4f, 0xff, 0x51, 0, 2]), good.subarray(0, 200)]) {
    assert.throws(
      () => wasm.decodeJ2k(bad, 0),
      (e) => ['Format', 'Decode', 'LimitExceeded'].includes(e.name) && e.message.length > 0,
    );
  }
  assert.throws(() => wasm.decodeJ2k(good, 9), (e) => e.name === 'Unsupported' || e.name === 'Format');
  assert.equal(wasm.decodeJ2k(good, 0).width, 303);
});
