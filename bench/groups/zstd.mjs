// zstd: ours (decodeChunk {"id":"zstd"}) vs numcodecs.js Zstd, data encoded at level 3 by
// numcodecs.js itself. Target: ours >= 1.0x the peer.
import { Zstd } from 'numcodecs';
import { alternate, mbps } from '../lib/timing.mjs';
import { assertSame, throughputRow } from '../lib/common.mjs';

export const name = 'zstd';

export async function run({ ours, data, timing }) {
  const peer = Zstd.fromConfig({ id: 'zstd', level: 3 });
  const rows = [];
  for (const [key, d] of Object.entries(data)) {
    const enc = await peer.encode(d.bytes);
    const n = d.bytes.length;
    const cfg = '{"id":"zstd"}';
    assertSame(`zstd ours ${key}`, ours.decodeChunk(cfg, enc, n), d.bytes);
    assertSame(`zstd peer ${key}`, await peer.decode(enc), d.bytes);
    const [o1, o2] = [new Uint8Array(n), new Uint8Array(n)];
    ours.decodeChunkInto(cfg, enc, o1);
    await peer.decode(enc, o2);
    assertSame(`${name} into ${key}`, o1, o2);
    const t = await alternate({ ours: () => ours.decodeChunkInto(cfg, enc, o1), peer: () => peer.decode(enc, o2) }, timing);
    const c = `zstd-3, ${d.label} (ratio ${(n / enc.length).toFixed(2)})`;
    rows.push(throughputRow(name, c, mbps(n, t.ours), 'numcodecs.js', mbps(n, t.peer), 1.0));
  }
  return rows;
}
