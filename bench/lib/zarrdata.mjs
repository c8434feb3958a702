// Reproducible Zarr stores for the zarr-http group, written by plain node (no zarr-python):
// a float32 weather-like field (bench/lib/data.mjs) cut into 256x256 chunks, stored as
//   v3 unsharded   one object per chunk, codecs bytes(little) + zstd | blosc;
//   v3 sharded     1024x1024 shards of 256x256 inner chunks (sharding_indexed: inner
//                  chunks concatenated, then the index of (offset, nbytes) uint64 LE pairs
//                  + crc32c at the end, the spec's default index_codecs/index_location);
//   v2             one object per chunk, `.zarray` with the numcodecs blosc compressor.
// Compression is numcodecs.js (the codecs zarrita decodes with): zstd level 3; blosc
// zstd-5 + byte shuffle, typesize 4 (zarr-python's default blosc settings).
//
// Stores are cached under bench/data/ (gitignored) and rewritten when the recipe changes
// (a stamp file holds the recipe).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Blosc, Zstd } from 'numcodecs';
import { weather } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = join(here, '..', 'data', 'zarr');

/** The stores: name → recipe. `quick` picks the smoke-run subset. */
export const STORES = {
  'v3-zstd': { format: 3, codec: 'zstd', shard: null },
  'v3-blosc': { format: 3, codec: 'blosc', shard: null },
  'v3-sharded-zstd': { format: 3, codec: 'zstd', shard: 1024 },
  'v3-sharded-blosc': { format: 3, codec: 'blosc', shard: 1024 },
  'v2-blosc': { format: 2, codec: 'blosc', shard: null },
};
export const QUICK_STORES = ['v3-sharded-zstd', 'v2-blosc'];

const CHUNK = 256;
const RECIPE_VERSION = 1;

// crc32c (Castagnoli, reflected polynomial 0x82F63B78), as the v3 crc32c codec.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** crc32c of `bytes`. */
export function crc32c(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function codecMeta(codec, v) {
  if (codec === 'zstd') {
    return v === 3 ? { name: 'zstd', configuration: { level: 3, checksum: false } } : { id: 'zstd', level: 3 };
  }
  return v === 3
    ? { name: 'blosc', configuration: { cname: 'zstd', clevel: 5, shuffle: 'shuffle', typesize: 4, blocksize: 0 } }
    : { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 };
}

function compressor(codec) {
  return codec === 'zstd' ? Zstd.fromConfig({ id: 'zstd', level: 3 }) : Blosc.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1 });
}

/** Rows [y0, y0+CHUNK) x cols [x0, x0+CHUNK) of the `n` x `n` float32 field, as bytes. */
function cut(field, n, y0, x0) {
  const out = new Uint8Array(CHUNK * CHUNK * 4);
  for (let y = 0; y < CHUNK; y++) {
    const src = ((y0 + y) * n + x0) * 4;
    out.set(field.subarray(src, src + CHUNK * 4), y * CHUNK * 4);
  }
  return out;
}

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

async function writeStore(dir, recipe, field, n) {
  const enc = compressor(recipe.codec);
  const nc = n / CHUNK;
  const chunk = async (cy, cx) => enc.encode(cut(field, n, cy * CHUNK, cx * CHUNK));
  if (recipe.format === 2) {
    write(join(dir, '.zarray'), JSON.stringify({
      zarr_format: 2, shape: [n, n], chunks: [CHUNK, CHUNK], dtype: '<f4', compressor: codecMeta(recipe.codec, 2),
      fill_value: 0.0, order: 'C', filters: null, dimension_separator: '.',
    }));
    write(join(dir, '.zattrs'), JSON.stringify({ _ARRAY_DIMENSIONS: ['lat', 'lon'] }));
    for (let cy = 0; cy < nc; cy++) for (let cx = 0; cx < nc; cx++) write(join(dir, `${cy}.${cx}`), await chunk(cy, cx));
    return;
  }
  const inner = [{ name: 'bytes', configuration: { endian: 'little' } }, codecMeta(recipe.codec, 3)];
  const outer = recipe.shard ?? CHUNK;
  const codecs = recipe.shard
    ? [{
        name: 'sharding_indexed',
        configuration: {
          chunk_shape: [CHUNK, CHUNK], codecs: inner,
          index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'crc32c' }], index_location: 'end',
        },
      }]
    : inner;
  write(join(dir, 'zarr.json'), JSON.stringify({
    zarr_format: 3, node_type: 'array', shape: [n, n], data_type: 'float32',
    chunk_grid: { name: 'regular', configuration: { chunk_shape: [outer, outer] } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    fill_value: 0.0, codecs, attributes: {}, dimension_names: ['lat', 'lon'],
  }, null, 2));
  if (!recipe.shard) {
    for (let cy = 0; cy < nc; cy++) for (let cx = 0; cx < nc; cx++) write(join(dir, 'c', String(cy), String(cx)), await chunk(cy, cx));
    return;
  }
  const per = recipe.shard / CHUNK;
  for (let sy = 0; sy < n / recipe.shard; sy++) {
    for (let sx = 0; sx < n / recipe.shard; sx++) {
      const parts = [];
      const index = new DataView(new ArrayBuffer(16 * per * per + 4));
      let off = 0;
      for (let iy = 0; iy < per; iy++) {
        for (let ix = 0; ix < per; ix++) {
          const b = await chunk(sy * per + iy, sx * per + ix);
          const k = iy * per + ix;
          index.setBigUint64(16 * k, BigInt(off), true);
          index.setBigUint64(16 * k + 8, BigInt(b.length), true);
          parts.push(b);
          off += b.length;
        }
      }
      const ib = new Uint8Array(index.buffer);
      index.setUint32(16 * per * per, crc32c(ib.subarray(0, 16 * per * per)), true);
      const shard = new Uint8Array(off + ib.length);
      let p = 0;
      for (const b of parts) {
        shard.set(b, p);
        p += b.length;
      }
      shard.set(ib, p);
      write(join(dir, 'c', String(sy), String(sx)), shard);
    }
  }
}

/**
 * Make sure the stores `names` exist for an `n` x `n` array (n a multiple of 1024);
 * returns { root, n, chunk, expected: the array's C-order little-endian bytes, stores: name → info }.
 */
export async function zarrStores(names, n = 2048) {
  const field = weather(n, n, 11);
  const stores = {};
  for (const name of names) {
    const recipe = STORES[name];
    const dir = join(DATA_DIR, `${name}-${n}`);
    const stamp = JSON.stringify({ RECIPE_VERSION, n, ...recipe });
    const stampFile = join(dir, '.recipe');
    if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
      rmSync(dir, { recursive: true, force: true });
      await writeStore(dir, recipe, field, n);
      writeFileSync(stampFile, stamp);
    }
    stores[name] = { ...recipe, path: `${name}-${n}` };
  }
  return { root: DATA_DIR, n, chunk: CHUNK, expected: field, stores };
}
