import { readFileSync } from 'node:fs';
import { LZ4, Blosc } from 'numcodecs';
import { chunks } from './lib/data.mjs';
import { alternate, mbps } from './lib/timing.mjs';
const m = await import('../target/speed/bench-pkg/rangetile.js');
m.initSync({ module: readFileSync('target/speed/bench-pkg/rangetile_bg.wasm') });
const d = chunks();
const n = d.precip.bytes.length;
const lz = await LZ4.fromConfig({ id: 'lz4' }).encode(d.precip.bytes);
const lzw = await LZ4.fromConfig({ id: 'lz4' }).encode(d.weather.bytes);
const mc = await Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 0, shuffle: 0 }).encode(d.weather.bytes);
const bs = await Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 2 }).encode(d.weather.bytes);
const bs0 = await Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 0 }).encode(d.weather.bytes);
const bs1 = await Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1 }).encode(d.weather.bytes);
console.log('mc hdr', Array.from(mc.slice(0, 4)), mc.length, 'bs hdr', Array.from(bs.slice(0,16)));
const o = new Uint8Array(n);
const t = await alternate({
  lzprecip: () => m.decodeChunkInto('{"id":"lz4"}', lz, o),
  lzweather: () => m.decodeChunkInto('{"id":"lz4"}', lzw, o),
  memcpy: () => m.decodeChunkInto('{"id":"blosc"}', mc, o),
  bitshuf: () => m.decodeChunkInto('{"id":"blosc"}', bs, o),
  noshuf: () => m.decodeChunkInto('{"id":"blosc"}', bs0, o),
  shuf: () => m.decodeChunkInto('{"id":"blosc"}', bs1, o),
}, { rounds: 5, minMs: 50 });
for (const [k, v] of Object.entries(t)) console.log(k, v.toFixed(3), 'ms', mbps(n, v).toFixed(0), 'MB/s');
