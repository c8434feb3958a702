// The corpus subset read through the package (node vitest and the chromium test share it):
// arrays of ../shared/testdata whose expected sha256 covers the decoded C-order bytes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TESTDATA = path.resolve(fileURLToPath(new URL('../../../shared/testdata', import.meta.url)));

const STORES = [
  'zarr/zarrita-js_v3_data.zarr',
  'zarr/zarrita-js_v2_data.zarr',
  'zarr/zarr-implementations_zarr-python.zr',
  'era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr',
  'era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr',
];
const NUMERIC = new Set(['|b1', '|i1', '|u1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8', '<f4', '<f8', '>f4', '>f8', '>i2', '>i4', '>u2', '>u4']);

/** [{store, path, dtype, sha256}] with numeric dtypes (float16 is widened by the API). */
export function zarrCases() {
  const out = [];
  for (const store of STORES) {
    const exp = JSON.parse(readFileSync(path.join(TESTDATA, `${store}.expected.json`), 'utf8'));
    for (const a of exp.arrays ?? []) {
      if (!a.sha256_c_order_le || !NUMERIC.has(a.dtype)) continue;
      out.push({ store, path: a.path, dtype: a.dtype, sha256: a.sha256_c_order_le });
    }
  }
  return out;
}

export const JP2 = 'jp2/generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2';

/** [{tile, sha256}] of the s2-like image's per-tile decodes, and its window decodes. */
export function jp2Expected() {
  const exp = JSON.parse(readFileSync(path.join(TESTDATA, `${JP2}.expected.json`), 'utf8'));
  return {
    tiles: exp.tile_decodes.map((t) => ({ tile: t.tile_index, sha256: t.components[0].sha256_c_order_le })),
    windows: exp.window_decodes.map((w) => ({ rows: w.rows, cols: w.cols, sha256: w.sha256_c_order_le })),
  };
}
