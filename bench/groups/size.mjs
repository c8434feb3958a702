// size: what a browser downloads, gzip -9 (node zlib level 9) and raw. ratio = peer / ours
// (> 1: we are smaller). Ours always holds the whole crate (Zarr reader, codecs, HTTP
// layer, JPEG 2000 decoder); each peer holds only what its row names.
//
// 1. Codec modules: ours = the wasm + its wasm-bindgen glue (pkg/), as published, vs the
//    numcodecs.js modules zarrita loads for blosc + zstd + lz4 (wasm inlined as base64 in
//    the JS), fflate and pako.
// 2. What an app ships, bundled and minified by rolldown (code splitting, ESM, browser):
//    ours = `openZarr`, `openJp2`, `configureDecoding` from dist/index.js plus the decode worker
//    (dist/worker.js), all chunks, + the .wasm; zarrita = `FetchStore`, `open`, `get`,
//    `withRangeCoalescing` + the numcodecs chunks for zstd and blosc its registry imports
//    on demand (its lz4 chunk, fetched only for lz4 data, is left out).
// 3. JPEG 2000 peers as published (emscripten output, already minified):
//    @cornerstonejs/codec-openjpeg's decode-only build (`decodewasmjs` + `decodewasm`)
//    and @cornerstonejs/codec-openjph (HTTJ2K), JS + wasm; vs ours as in 2.
// 4. An app reading both: zarrita + numcodecs.js (as in 2) + the OpenJPEG decode build.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { costRow } from '../lib/common.mjs';

export const name = 'size';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

const gz = (b) => gzipSync(b, { level: 9 }).length;
const sum = (xs) => xs.reduce((a, x) => a + x, 0);
const where = (m) => fileURLToPath(import.meta.resolve(m));

/** Bundle `entries` (name → module source, or { file } to use a file itself as the entry)
 * with rolldown, minified; returns the chunks as { code: Buffer, modules: [module ids] }.
 * Entry files live under bench/data/ (so that bare imports resolve from the repository's
 * node_modules) and are removed afterwards. */
async function bundle(tag, entries) {
  const { rolldown } = await import('rolldown');
  const dir = join(here, '..', 'data', 'bundle', tag);
  mkdirSync(dir, { recursive: true });
  const input = {};
  for (const [k, src] of Object.entries(entries)) {
    if (typeof src === 'object') {
      input[k] = src.file;
      continue;
    }
    input[k] = join(dir, `${k}.mjs`);
    writeFileSync(input[k], src);
  }
  try {
    const b = await rolldown({ input, platform: 'browser', logLevel: 'warn', onLog: () => {} });
    const { output } = await b.generate({ format: 'esm', minify: true });
    await b.close();
    return output
      .filter((o) => o.type === 'chunk')
      .map((o) => ({ code: Buffer.from(o.code), modules: o.moduleIds ?? Object.keys(o.modules) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A module id as a path relative to the repository, with forward slashes. */
const rel = (id) => relative(repo, id).split(sep).join('/');

/** The version of an installed package (from the package.json above its entry file). */
function version(pkg, entry) {
  for (let d = dirname(entry); d !== dirname(d); d = dirname(d)) {
    try {
      const j = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8'));
      if (j.name === pkg) return j.version;
    } catch {
      // no package.json here: keep walking up
    }
  }
  return '?';
}

/** Throw unless some chunk holds a module whose path ends with each of `needed`
 * (a bare import left unresolved would silently shrink a bundle). */
function assertHas(tag, chunks, needed) {
  const ids = chunks.flatMap((c) => c.modules.map(rel));
  for (const n of needed) {
    if (!ids.some((id) => id.endsWith(n))) throw new Error(`size: the ${tag} bundle lacks ${n}`);
  }
}

/** Raw and gzip -9 sizes of a list of byte buffers (each gzipped on its own, as served). */
const measure = (bufs) => ({ raw: sum(bufs.map((b) => b.length)), gz: sum(bufs.map(gz)) });

export async function run({ pkgDir }) {
  const nc = dirname(where('numcodecs'));
  const files = (dir, names) => names.map((n) => readFileSync(join(dir, n)));
  const rows = [];
  const pair = (c, ours, peer, peerSize) => {
    rows.push(costRow(name, `${c}, gzip -9`, 'bytes', ours.gz, peer, peerSize.gz));
    rows.push(costRow(name, `${c}, raw`, 'bytes', ours.raw, peer, peerSize.raw));
  };

  // 1. Codec modules as published.
  const glue = measure(files(pkgDir, ['rangetile_bg.wasm', 'rangetile.js']));
  const codecPeers = {
    'numcodecs.js blosc+zstd+lz4': files(nc, ['blosc.js', 'zstd.js', 'lz4.js']),
    'fflate (gzip/zlib)': [readFileSync(where('fflate'))],
    'pako (gzip/zlib)': [readFileSync(where('pako'))],
  };
  for (const [peer, bufs] of Object.entries(codecPeers)) pair('wasm + JS glue', glue, peer, measure(bufs));

  // 2. What an app ships (minified bundles).
  const dist = join(repo, 'dist');
  const oursChunks = await bundle('ours', {
    main: `export { openZarr, openJp2, configureDecoding } from ${JSON.stringify(join(dist, 'index.js'))};`,
    // The worker script is an entry of its own (as bundlers treat `new Worker(new URL(...))`);
    // importing it from a wrapper would drop it: the package declares no side effects.
    worker: { file: join(dist, 'worker.js') },
  });
  assertHas('rangetile', oursChunks, ['dist/api.js', 'dist/pool.js', 'dist/worker.js', 'pkg/rangetile.js']);
  const wasm = readFileSync(join(pkgDir, 'rangetile_bg.wasm'));
  const ours = measure([...oursChunks.map((c) => c.code), wasm]);
  const zChunks = await bundle('zarrita', {
    main: "export { FetchStore, open, get, withRangeCoalescing } from 'zarrita';",
  });
  assertHas('zarrita', zChunks, ['zarrita/dist/src/indexing/get.js', '@zarrita/storage/dist/src/fetch.js', 'numcodecs/dist/zstd.js', 'numcodecs/dist/blosc.js']);
  const lz4Only = (c) => c.modules.length > 0 && c.modules.every((m) => rel(m).endsWith('numcodecs/dist/lz4.js'));
  const zarrita = measure(zChunks.filter((c) => !lz4Only(c)).map((c) => c.code));
  pair('app bundle (minified JS + wasm), Zarr zstd+blosc', ours, `zarrita ${version('zarrita', where('zarrita'))} + numcodecs.js`, zarrita);

  // 3. JPEG 2000 peers as published.
  const ojpeg = dirname(where('@cornerstonejs/codec-openjpeg/decodewasmjs'));
  const ojph = dirname(where('@cornerstonejs/codec-openjph/wasmjs'));
  const v = (p, dir) => version(p, join(dir, 'x'));
  const jp2Peers = {
    [`@cornerstonejs/codec-openjpeg ${v('@cornerstonejs/codec-openjpeg', ojpeg)} decode build`]: files(ojpeg, [
      'openjpegwasm_decode.js',
      'openjpegwasm_decode.wasm',
    ]),
    [`@cornerstonejs/codec-openjph ${v('@cornerstonejs/codec-openjph', ojph)}`]: files(ojph, ['openjphjs.js', 'openjphjs.wasm']),
  };
  for (const [peer, bufs] of Object.entries(jp2Peers)) pair('app bundle (minified JS + wasm), JPEG 2000', ours, peer, measure(bufs));

  // 4. An app reading both Zarr and JPEG 2000: zarrita + numcodecs.js + the OpenJPEG decode build.
  const [ojName, ojBufs] = Object.entries(jp2Peers)[0];
  const both = measure(ojBufs);
  pair('app bundle (minified JS + wasm), Zarr zstd+blosc + JPEG 2000', ours, `zarrita + numcodecs.js + ${ojName.replace('@cornerstonejs/', '')}`, {
    raw: zarrita.raw + both.raw,
    gz: zarrita.gz + both.gz,
  });
  return rows;
}
