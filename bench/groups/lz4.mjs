// lz4: ours (decodeChunk {"id":"lz4"}) vs numcodecs.js LZ4 (its own encoder, acceleration 1).
// Target: ours >= 5x the peer, including the sparse field's long zero runs.
import { LZ4 } from 'numcodecs';
import { alternate, mbps } from '../lib/timing.mjs';
import { assertSame, throughputRow } from '../lib/common.mjs';

export const name = 'lz4';

export async function run({ ours, data, timing }) {
  const peer = LZ4.fromConfig({ id: 'lz4', acceleration: 1 });
  const rows = [];
  for (const [key, d] of Object.entries(data)) {
    const enc = await peer.encode(d.bytes);
    const n = d.bytes.length;
    const cfg = '{"id":"lz4"}';
    assertSame(`lz4 ours ${key}`, ours.decodeChunk(cfg, enc, n), d.bytes);
    assertSame(`lz4 peer ${key}`, await peer.decode(enc), d.bytes);
    const [o1, o2] = [new Uint8Array(n), new Uint8Array(n)];
    ours.decodeChunkInto(cfg, enc, o1);
    await peer.decode(enc, o2);
    assertSame(`${name} into ${key}`, o1, o2);
    const t = await alternate({ ours: () => ours.decodeChunkInto(cfg, enc, o1), peer: () => peer.decode(enc, o2) }, timing);
    const c = `lz4, ${d.label} (ratio ${(n / enc.length).toFixed(2)})`;
    rows.push(throughputRow(name, c, mbps(n, t.ours), 'numcodecs.js', mbps(n, t.peer), 5.0));
  }
  return rows;
}
