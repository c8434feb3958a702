// htj2k: decode one whole 16-bit HTJ2K codestream (Part 15, made by OpenJPH's encoder in
// @cornerstonejs/codec-openjph: 5 decomposition levels, 64×64 code-blocks, one tile), ours
// (wasm decodeJ2k: the openjp2 crate's HT block decoder) vs @cornerstonejs/codec-openjph
// (OpenJPH in wasm, HTJ2KDecoder). Cases: reversible, irreversible (quantisation step
// 0.0009, ~1.6 bpp), and the reversible codestream at reduce 2. Rows in ms per decode
// (ratio = peer ÷ ours); the case names the MP/s of decoded output of both.
import { bpp, htEncode, image, openjph } from '../lib/jp2data.mjs';
import { decodeRow } from '../lib/j2kdecode.mjs';

export const name = 'htj2k';

export async function run({ ours, timing, quick }) {
  if (typeof ours.decodeJ2k !== 'function') throw new Error('the wasm has no decodeJ2k export: rebuild it (npm run build)');
  const size = quick ? 512 : 1024;
  const m = await openjph();
  const dec = new m.HTJ2KDecoder();
  const peerName = '@cornerstonejs/codec-openjph';
  const cases = [
    { label: 'HT reversible', qstep: 0, lossless: true, reduce: 0 },
    { label: 'HT irreversible', qstep: 0.0009, lossless: false, reduce: 0 },
    { label: 'HT reversible, reduce 2', qstep: 0, lossless: true, reduce: 2 },
  ];
  const rows = [];
  for (const k of cases) {
    const bytes = await htEncode(size, k.qstep);
    const out = Math.ceil(size / 2 ** k.reduce);
    const label = `${k.label}, ${size}² u16 ${bpp(bytes.length, size).toFixed(2)} bpp → ${out}²`;
    rows.push(await decodeRow({ group: name, label, ours, dec, peerName, bytes, size, reduce: k.reduce, lossless: k.lossless, source: image(size), timing }));
  }
  return rows;
}
