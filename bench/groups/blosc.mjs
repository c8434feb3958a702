// blosc: ours (decodeChunk {"id":"blosc"}) vs numcodecs.js Blosc, frames written by
// numcodecs.js itself (clevel 5, automatic block size; its encoder uses typesize 4).
// Target: ours >= 3x the peer for every internal codec x shuffle.
import { Blosc } from 'numcodecs';
import { alternate, mbps } from '../lib/timing.mjs';
import { assertSame, throughputRow } from '../lib/common.mjs';

export const name = 'blosc';

const SHUFFLES = { 1: 'shuffle', 2: 'bitshuffle' };
const CASES = [
  ['weather', 'lz4', 1],
  ['weather', 'lz4', 2],
  ['weather', 'zstd', 1],
  ['weather', 'zstd', 2],
  ['weather', 'blosclz', 1],
  ['weather', 'blosclz', 2],
  ['precip', 'lz4', 1],
  ['precip', 'zstd', 1],
  ['imagery', 'lz4', 1],
  ['imagery', 'zstd', 2],
];

export async function run({ ours, data, timing, quick }) {
  const rows = [];
  for (const [key, cname, shuffle] of quick ? CASES.slice(0, 2) : CASES) {
    const d = data[key];
    const peer = Blosc.fromConfig({ id: 'blosc', cname, clevel: 5, shuffle });
    const enc = await peer.encode(d.bytes);
    const n = d.bytes.length;
    const cfg = '{"id":"blosc"}';
    assertSame(`blosc ours ${key} ${cname}`, ours.decodeChunk(cfg, enc, n), d.bytes);
    assertSame(`blosc peer ${key} ${cname}`, await peer.decode(enc), d.bytes);
    const [o1, o2] = [new Uint8Array(n), new Uint8Array(n)];
    ours.decodeChunkInto(cfg, enc, o1);
    await peer.decode(enc, o2);
    assertSame(`${name} into ${key}`, o1, o2);
    const t = await alternate({ ours: () => ours.decodeChunkInto(cfg, enc, o1), peer: () => peer.decode(enc, o2) }, timing);
    const c = `blosc ${cname}-5 + ${SHUFFLES[shuffle]}, ${d.label} (ratio ${(n / enc.length).toFixed(2)})`;
    rows.push(throughputRow(name, c, mbps(n, t.ours), 'numcodecs.js', mbps(n, t.peer), 3.0));
  }
  return rows;
}
