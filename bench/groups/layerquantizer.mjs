// layerquantizer: ours decoding LayerQuantizer (layerquantizer0.3b, nbits 16, Lorenzo)
// vs ours decoding the same bytes as plain Blosc-zstd (the entropy stage alone). The
// chunks are encoded here in JS following specs/layerquantizer.md (per-plane min/max,
// 16-bit quantisation, 2-D Lorenzo residuals, negabinary, Blosc zstd-5 + byte shuffle
// by numcodecs.js, typesize 4 as the reference). ratio = blosc time / LQ time: the
// kernels (negabinary, Lorenzo, dequantisation) must cost less than the entropy decoding
// (target >= 0.5).
import { Blosc } from 'numcodecs';
import { alternate, mbps } from '../lib/timing.mjs';
import { throughputRow } from '../lib/common.mjs';

export const name = 'layerquantizer';

const NBITS = 16;

/** numpy rint: round half to even. */
function rint(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The LayerQuantizer word stream of float32 `x` shaped (P, R, C). */
export function lqWords(x, P, R, C) {
  const MAX = 2 ** NBITS - 1;
  const words = new Int32Array(3 + 2 * P + P * R * C);
  const f32 = new Float32Array(words.buffer);
  words[0] = P;
  words[1] = R;
  words[2] = C;
  const A = 0xaaaaaaaa | 0;
  for (let p = 0; p < P; p++) {
    const plane = x.subarray(p * R * C, (p + 1) * R * C);
    let mn = Infinity;
    let mx = -Infinity;
    for (const v of plane) {
      if (Number.isNaN(v)) continue;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (mn === Infinity) [mn, mx] = [0, 0];
    if (mx === mn) mx = mn === 0 ? 1 : Math.fround(mn + Math.max(Math.abs(mn), 2 * mn));
    f32[3 + p] = mn;
    f32[3 + P + p] = mx;
    const delta = Math.fround(mx - mn);
    const scale = Math.fround(MAX / delta);
    const q = new Int32Array(R * C);
    for (let i = 0; i < R * C; i++) {
      const v = plane[i];
      q[i] = Number.isFinite(v) ? rint(Math.fround(scale * Math.fround(v - mn))) : 2 ** NBITS;
    }
    const base = 3 + 2 * P + p * R * C;
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        const k = i * C + j;
        let r = q[k];
        if (i > 0) r = (r - q[k - C]) | 0;
        if (j > 0) r = (r - q[k - 1]) | 0;
        if (i > 0 && j > 0) r = (r + q[k - C - 1]) | 0;
        words[base + k] = ((r + A) | 0) ^ A;
      }
    }
  }
  return new Uint8Array(words.buffer);
}

export async function run({ ours, data, timing, quick }) {
  const rows = [];
  const blosc = Blosc.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1 });
  const lqCfg = JSON.stringify({ id: 'layerquantizer0.3b', nbits: NBITS, blosc_cname: 'zstd', blosc_clevel: 5, transform: 'Lorenzo' });
  for (const key of quick ? ['weather'] : ['weather', 'precip']) {
    const d = data[key];
    const x = new Float32Array(d.bytes.buffer.slice(d.bytes.byteOffset, d.bytes.byteOffset + d.bytes.length));
    const [P, R, C] = [4, 256, 256];
    const words = lqWords(x, P, R, C);
    const enc = await blosc.encode(words);
    const out = ours.decodeChunk(lqCfg, enc, x.length * 4);
    const y = new Float32Array(out.buffer, out.byteOffset, x.length);
    // Check: every value within one quantisation step of the input.
    for (let p = 0; p < P; p++) {
      const f = new Float32Array(words.buffer);
      const step = (f[3 + P + p] - f[3 + p]) / (2 ** NBITS - 1);
      for (let i = p * R * C; i < (p + 1) * R * C; i++) {
        if (!(Math.abs(y[i] - x[i]) <= step)) throw new Error(`layerquantizer ${key}: value ${i} is ${y[i]}, not ${x[i]}`);
      }
    }
    const [o1, o2] = [new Uint8Array(x.length * 4), new Uint8Array(words.length)];
    const t = await alternate(
      {
        lq: () => ours.decodeChunkInto(lqCfg, enc, o1),
        blosc: () => ours.decodeChunkInto('{"id":"blosc"}', enc, o2),
      },
      timing,
    );
    const c = `LayerQuantizer 16-bit Lorenzo (4x256x256), ${d.label} (ratio ${(d.bytes.length / enc.length).toFixed(2)})`;
    rows.push(throughputRow(name, c, mbps(x.length * 4, t.lq), 'rangetile blosc-zstd, same bytes', mbps(words.length, t.blosc), 0.5));
  }
  return rows;
}
