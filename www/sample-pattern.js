// The deterministic content of the demo's sample file (www/data/sample.bin), shared by
// the generator (scripts/gen-demo-data.mjs), the demo page and the tests, so each can check
// the bytes a range read returned without having the file.
//
// The file is a sequence of little-endian 32-bit words; word k is k * 0x9E3779B1 mod 2^32
// (Fibonacci hashing), so every 4-byte window differs and an off-by-one offset shows.

/** Size of the generated sample file: 4 MiB + 123 bytes (not a multiple of anything). */
export const SAMPLE_SIZE = 4 * 1024 * 1024 + 123;

/** Path of the sample file relative to www/. */
export const SAMPLE_PATH = 'data/sample.bin';

/** The byte at absolute offset `i` of the sample file. */
export function sampleByte(i) {
  const word = Math.imul(Math.floor(i / 4), 0x9e3779b1) >>> 0;
  return (word >>> (8 * (i % 4))) & 0xff;
}

/** The bytes `[start, end)` of the sample file. */
export function sampleBytes(start, end) {
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = sampleByte(i);
  return out;
}
