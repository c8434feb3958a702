// size: what a browser downloads, gzip -9 (node zlib level 9) and raw. Ours: the wasm
// module plus its JS glue (pkg/). Peers: the numcodecs.js modules zarrita loads for
// blosc + zstd + lz4 (wasm inlined as base64 in the JS), and fflate / pako for gzip.
// ratio = peer / ours (> 1: we are smaller). Ours also holds the Zarr reader, the HTTP
// layer and the JPEG 2000 decoder, which the peers do not.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { costRow } from '../lib/common.mjs';

export const name = 'size';

const gz = (b) => gzipSync(b, { level: 9 }).length;
const sum = (fs) => fs.reduce((a, f) => a + f, 0);

export async function run({ pkgDir }) {
  const where = (m) => fileURLToPath(import.meta.resolve(m));
  const nc = dirname(where('numcodecs'));
  const files = (dir, names) => names.map((n) => readFileSync(join(dir, n)));
  const ours = files(pkgDir, ['rangetile_bg.wasm', 'rangetile.js']);
  const peers = {
    'numcodecs.js blosc+zstd+lz4': files(nc, ['blosc.js', 'zstd.js', 'lz4.js']),
    'fflate (gzip/zlib)': [readFileSync(where('fflate'))],
    'pako (gzip/zlib)': [readFileSync(where('pako'))],
  };
  const rows = [];
  const oursGz = sum(ours.map(gz));
  const oursRaw = sum(ours.map((b) => b.length));
  for (const [peer, bufs] of Object.entries(peers)) {
    rows.push(costRow(name, 'wasm + JS glue, gzip -9', 'bytes', oursGz, peer, sum(bufs.map(gz))));
    rows.push(costRow(name, 'wasm + JS glue, raw', 'bytes', oursRaw, peer, sum(bufs.map((b) => b.length))));
  }
  return rows;
}
