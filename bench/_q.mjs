import { alternate } from './lib/timing.mjs';
const n = 1 << 20;
const a = new Uint8Array(n).map((_, i) => i * 7);
const mem = new WebAssembly.Memory({ initial: 64 });
const v = new Uint8Array(mem.buffer);
const t = await alternate({
  newcopy: () => new Uint8Array(a),
  slice: () => a.slice(),
  setIntoWasm: () => v.set(a, 1000),
  sliceFromWasm: () => v.slice(1000, 1000 + n),
  alloc: () => new Uint8Array(n),
}, { rounds: 5, minMs: 50 });
for (const [k, x] of Object.entries(t)) console.log(k, (x * 1000).toFixed(1), 'us');
