// gzip / zlib: ours (decodeChunk {"id":"gzip"} / {"id":"zlib"}) vs the platform
// DecompressionStream on 1 MiB chunks (target: ours >= 2x), plus fflate and pako as
// extra, informative rows. Data compressed at level 5 by numcodecs.js (fflate).
import { GZip, Zlib } from 'numcodecs';
import * as fflate from 'fflate';
import * as pako from 'pako';
import { alternate, mbps } from '../lib/timing.mjs';
import { assertSame, throughputRow } from '../lib/common.mjs';

export const name = 'gzip';

async function stream(bytes, format) {
  const s = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

export async function run({ ours, data, timing, quick }) {
  const rows = [];
  const formats = [
    ['gzip', GZip.fromConfig({ id: 'gzip', level: 5 }), 'gzip', fflate.gunzipSync, pako.ungzip],
    ['zlib', Zlib.fromConfig({ id: 'zlib', level: 5 }), 'deflate', fflate.unzlibSync, pako.inflate],
  ];
  for (const [id, enc0, streamFormat, ff, pk] of formats) {
    for (const [key, d] of Object.entries(data)) {
      if (quick && key !== 'weather') continue;
      const enc = await enc0.encode(d.bytes);
      const n = d.bytes.length;
      const cfg = JSON.stringify({ id });
      assertSame(`${id} ours ${key}`, ours.decodeChunk(cfg, enc, n), d.bytes);
      assertSame(`${id} stream ${key}`, await stream(enc, streamFormat), d.bytes);
      assertSame(`${id} fflate ${key}`, ff(enc), d.bytes);
      assertSame(`${id} pako ${key}`, pk(enc), d.bytes);
      const out = new Uint8Array(n);
      const t = await alternate(
        {
          ours: () => ours.decodeChunkInto(cfg, enc, out),
          stream: () => stream(enc, streamFormat),
          fflate: () => ff(enc),
          pako: () => pk(enc),
        },
        timing,
      );
      const c = `${id}-5, ${d.label} (ratio ${(n / enc.length).toFixed(2)})`;
      const o = mbps(n, t.ours);
      rows.push(throughputRow(name, c, o, 'DecompressionStream', mbps(n, t.stream), 2.0));
      rows.push(throughputRow(name, c, o, 'fflate', mbps(n, t.fflate)));
      rows.push(throughputRow(name, c, o, 'pako', mbps(n, t.pako)));
    }
  }
  return rows;
}
