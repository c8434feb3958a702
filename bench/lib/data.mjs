// Reproducible synthetic chunks (a seeded PRNG, no files): what Zarr weather and imagery
// arrays look like to a compressor.
//   weather:  float32 field, smooth large-scale structure plus small-scale noise (like
//             ERA5 temperature: every mantissa bit varies, zstd ratio ~1.2-1.4);
//   precip:   float32 sparse precipitation: ~80% exact zeros in long runs, rain cells;
//   imagery:  uint16 satellite-like reflectances (0..10000), textured fields with edges.

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A smooth random field: a sum of a few random plane waves. */
function waves(r, n) {
  return Array.from({ length: n }, () => ({
    kx: (r() - 0.5) * 0.08,
    ky: (r() - 0.5) * 0.08,
    ph: r() * 6.283,
    a: 0.3 + r(),
  }));
}

/** float32 weather-like field, `rows` x `cols`, bytes little-endian. */
export function weather(rows, cols, seed = 1) {
  const r = rng(seed);
  const w = waves(r, 6);
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let v = 0;
      for (const k of w) v += k.a * Math.sin(k.kx * x + k.ky * y + k.ph);
      out[y * cols + x] = 273.15 + 12 * v - 0.02 * y + (r() - 0.5) * 0.05;
    }
  }
  return new Uint8Array(out.buffer);
}

/** float32 sparse precipitation: zeros except for rain cells. */
export function precip(rows, cols, seed = 2) {
  const r = rng(seed);
  const w = waves(r, 5);
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let v = 0;
      for (const k of w) v += k.a * Math.sin(k.kx * x + k.ky * y + k.ph);
      const rain = v - 1.2; // positive on ~20% of the area
      out[y * cols + x] = rain > 0 ? Math.fround(rain * 3 * (0.8 + 0.4 * r())) : 0;
    }
  }
  return new Uint8Array(out.buffer);
}

/** uint16 satellite-like imagery (reflectance 0..10000). */
export function imagery(rows, cols, seed = 3) {
  const r = rng(seed);
  const w = waves(r, 8);
  const out = new Uint16Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let v = 0;
      for (const k of w) v += k.a * Math.sin(k.kx * x * 3 + k.ky * y * 3 + k.ph);
      const field = Math.floor((x >> 5) + (y >> 5) * 7) % 5; // parcels
      out[y * cols + x] = Math.max(0, Math.min(10000, 1500 + 600 * v + 400 * field + Math.floor(r() * 120)));
    }
  }
  return new Uint8Array(out.buffer);
}

/** The standard 1 MiB chunks (512 x 512 x 4 bytes; imagery 724 x 724 x 2 ~ 1 MiB). */
export function chunks() {
  return {
    weather: { bytes: weather(512, 512), typesize: 4, label: 'float32 weather field' },
    precip: { bytes: precip(512, 512), typesize: 4, label: 'float32 sparse precipitation' },
    imagery: { bytes: imagery(724, 724), typesize: 2, label: 'uint16 satellite imagery' },
  };
}
