// Whole-codestream JPEG 2000 decode, ours vs a @cornerstonejs decoder, shared by the
// jpeg2k (OpenJPEG) and htj2k (OpenJPH) groups. Ours: the wasm `decodeJ2k(bytes, reduce)`
// (bytes in, a new Uint8Array of samples out). Peer: the decoder instance is reused, each
// call copies the codestream into its heap (`getEncodedBuffer(n).set(bytes)`) and decodes
// (`decode()` or `decodeSubResolution(reduce, 0)`); its output stays a view of its heap.
// Before timing, both decodes are compared sample by sample: identical for reversible
// codestreams (and against the source image at full resolution), or their max |diff|
// reported (and bounded) for irreversible ones.
import { alternate } from './timing.mjs';
import { costRow } from './common.mjs';

/** The samples of a peer decode as a fresh Uint16Array (a copy out of its heap). */
function peerSamples(dec) {
  const b = dec.getDecodedBuffer();
  return new Uint16Array(b.slice().buffer);
}

function oursSamples(o) {
  if (o.sampleType !== '<u2' || o.components !== 1) throw new Error(`ours decoded ${o.sampleType} × ${o.components}`);
  return new Uint16Array(o.bytes.buffer, o.bytes.byteOffset, o.bytes.length / 2);
}

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * One row: decode `bytes` (a `size`² uint16 codestream) at `reduce` with ours and the
 * peer decoder `dec`. `source` (little-endian uint16 bytes of the image) is checked at
 * full resolution when `lossless`. Returns a row in ms per decode.
 */
export async function decodeRow({ group, label, ours, dec, peerName, bytes, size, reduce, lossless, source, timing }) {
  const side = Math.ceil(size / 2 ** reduce);
  const o = ours.decodeJ2k(bytes, reduce);
  if (o.width !== side || o.height !== side) throw new Error(`${group} ${label}: ours decoded ${o.width}×${o.height}, expected ${side}²`);
  const peerDecode = () => {
    dec.getEncodedBuffer(bytes.length).set(bytes);
    if (reduce === 0) dec.decode();
    else dec.decodeSubResolution(reduce, 0);
  };
  peerDecode();
  const p = peerSamples(dec);
  const a = oursSamples(o);
  if (p.length !== a.length) throw new Error(`${group} ${label}: peer decoded ${p.length} samples, ours ${a.length}`);
  const diff = maxAbsDiff(a, p);
  let note;
  if (lossless) {
    if (diff !== 0) throw new Error(`${group} ${label}: reversible decodes differ from the peer's (max |diff| ${diff})`);
    if (reduce === 0) {
      const s = new Uint16Array(source.buffer, source.byteOffset, source.length / 2);
      const d = maxAbsDiff(a, s);
      if (d !== 0) throw new Error(`${group} ${label}: lossless decode differs from the source image (max |diff| ${d})`);
    }
    note = 'identical';
  } else {
    // Both are irreversible decodes of the same codestream: only rounding may differ.
    if (diff > 4) throw new Error(`${group} ${label}: ours and the peer differ by up to ${diff}`);
    note = `max abs diff ${diff}`;
  }
  const t = await alternate({ ours: () => ours.decodeJ2k(bytes, reduce), peer: peerDecode }, timing);
  const mp = (side * side) / 1e6;
  const c = `${label} (${note}; MP/s ${(mp / (t.ours / 1e3)).toFixed(1)} vs ${(mp / (t.peer / 1e3)).toFixed(1)})`;
  return costRow(group, c, 'ms', t.ours, peerName, t.peer, null);
}
