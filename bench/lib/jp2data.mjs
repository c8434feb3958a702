// JPEG 2000 bench data, generated reproducibly and cached under bench/data/ (gitignored),
// keyed by every parameter in the file name: the uint16 satellite-like image of
// lib/data.mjs (`imagery`, fixed seed) encoded by
//   - OpenJPEG's `opj_compress` (apt package libopenjp2-tools) for Part 1 codestreams and
//     the tiled JP2 with TLM/PLT markers (as scripts/demo-data makes the demo's Sentinel-2
//     band);
//   - OpenJPH through @cornerstonejs/codec-openjph's HTJ2KEncoder for HTJ2K (Part 15):
//     OpenJPEG 2.5 decodes HTJ2K but cannot encode it.
// Also the peers' decoders (Emscripten modules, console output silenced).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imagery } from './data.mjs';

const require = createRequire(import.meta.url);
export const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

const SEED = 3;
const quiet = { print() {}, printErr() {} };

/** Why `opj_compress` cannot run (a message), or null when it can. */
export function opjMissing() {
  const r = spawnSync('opj_compress', ['-h'], { stdio: 'ignore' });
  if (r.error) return `opj_compress not found (${r.error.code}): install libopenjp2-tools (apt) to run this group`;
  return null;
}

/** The cached file `name` (under bench/data/), made by `make(tmpPath)` when missing. */
function cached(name, make) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  if (existsSync(file)) return file;
  const tmp = `${file}.tmp-${process.pid}`;
  make(tmp);
  renameSync(tmp, file);
  return file;
}

/** The `size` × `size` uint16 image (little-endian bytes), made once per process. */
const images = new Map();
export function image(size) {
  if (!images.has(size)) images.set(size, imagery(size, size, SEED));
  return images.get(size);
}

/** A 16-bit binary PGM (big-endian samples) of `image(size)`. */
function writePgm(path, size) {
  const le = image(size);
  const header = Buffer.from(`P5\n${size} ${size}\n65535\n`, 'ascii');
  const body = Buffer.allocUnsafe(le.length);
  for (let i = 0; i < le.length; i += 2) {
    body[i] = le[i + 1];
    body[i + 1] = le[i];
  }
  writeFileSync(path, Buffer.concat([header, body]));
}

/**
 * `image(size)` encoded by opj_compress with `args` (e.g. ['-I', '-r', '10']); `ext` is
 * 'j2k' (raw codestream) or 'jp2'. Returns the file's path.
 */
export function opjEncode(size, args, ext = 'j2k') {
  const key = args.join('').replace(/[^A-Za-z0-9.,]+/g, '').replace(/,/g, 'x');
  return cached(`imagery-${size}-s${SEED}-opj${key}.${ext}`, (tmp) => {
    const pgm = `${tmp}.pgm`;
    writePgm(pgm, size);
    const out = `${tmp}.${ext}`;
    const r = spawnSync('opj_compress', ['-i', pgm, '-o', out, ...args], { encoding: 'utf8' });
    rmSync(pgm, { force: true });
    if (r.status !== 0 || !existsSync(out)) {
      throw new Error(`opj_compress ${args.join(' ')} failed: ${r.error ?? ''}${r.stderr ?? ''}${r.stdout ?? ''}`);
    }
    renameSync(out, tmp);
  });
}

let ojph;
/** The OpenJPH module of @cornerstonejs/codec-openjph (HTJ2KEncoder, HTJ2KDecoder). */
export async function openjph() {
  ojph ??= await require('@cornerstonejs/codec-openjph')(quiet);
  return ojph;
}

let ojpeg;
/** The decode-only OpenJPEG module of @cornerstonejs/codec-openjpeg (J2KDecoder). */
export async function openjpeg() {
  ojpeg ??= await require('@cornerstonejs/codec-openjpeg/decodewasmjs')(quiet);
  return ojpeg;
}

/**
 * `image(size)` encoded as an HTJ2K codestream by OpenJPH: reversible when `qstep` is 0,
 * else irreversible 9/7 with that quantisation step. Returns the codestream bytes.
 */
export async function htEncode(size, qstep) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `imagery-${size}-s${SEED}-ojph-q${qstep}.j2c`);
  if (!existsSync(file)) {
    const m = await openjph();
    const enc = new m.HTJ2KEncoder();
    const info = { width: size, height: size, bitsPerSample: 16, componentCount: 1, isSigned: false, isUsingColorTransform: false };
    enc.getDecodedBuffer(info).set(image(size));
    enc.setQuality(qstep === 0, qstep);
    enc.encode();
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, enc.getEncodedBuffer());
    enc.delete?.();
    renameSync(tmp, file);
  }
  return new Uint8Array(readFileSync(file));
}

/** Bits per pixel of `encodedBytes` for a `size` × `size` image. */
export const bpp = (encodedBytes, size) => (encodedBytes * 8) / (size * size);
