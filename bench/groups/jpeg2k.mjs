// jpeg2k: decode one whole 16-bit JPEG 2000 codestream (Part 1, made by opj_compress:
// 6 resolutions, 64×64 code-blocks, one tile), ours (wasm decodeJ2k: the openjp2 crate, a
// Rust port of OpenJPEG 2.5) vs @cornerstonejs/codec-openjpeg (OpenJPEG in wasm, its
// decode-only build). Cases: reversible 5/3, irreversible 9/7 at ~1.6 bpp, and the
// reversible codestream at reduce 2 (a quarter of the width). Rows in ms per decode
// (ratio = peer ÷ ours); the case names the MP/s of decoded output of both.
// Skipped (no rows) when opj_compress is missing.
import { readFileSync } from 'node:fs';
import { bpp, image, opjEncode, opjMissing, openjpeg } from '../lib/jp2data.mjs';
import { decodeRow } from '../lib/j2kdecode.mjs';

export const name = 'jpeg2k';

export async function run({ ours, timing, quick }) {
  const missing = opjMissing();
  if (missing) {
    console.log(`${name}: skipped: ${missing}`);
    return [];
  }
  if (typeof ours.decodeJ2k !== 'function') throw new Error('the wasm has no decodeJ2k export: rebuild it (npm run build)');
  const size = quick ? 512 : 1024;
  const m = await openjpeg();
  const dec = new m.J2KDecoder();
  const peerName = '@cornerstonejs/codec-openjpeg';
  const cases = [
    { label: 'reversible 5/3', args: [], lossless: true, reduce: 0 },
    { label: 'irreversible 9/7', args: ['-I', '-r', '10'], lossless: false, reduce: 0 },
    { label: 'reversible 5/3, reduce 2', args: [], lossless: true, reduce: 2 },
  ];
  const rows = [];
  for (const k of cases) {
    const bytes = new Uint8Array(readFileSync(opjEncode(size, k.args)));
    const out = Math.ceil(size / 2 ** k.reduce);
    const label = `${k.label}, ${size}² u16 ${bpp(bytes.length, size).toFixed(2)} bpp → ${out}²`;
    rows.push(await decodeRow({ group: name, label, ours, dec, peerName, bytes, size, reduce: k.reduce, lossless: k.lossless, source: image(size), timing }));
  }
  return rows;
}
