#!/usr/bin/env node
// Writes the generated fixture files that the range I/O tests read, the same as
// `tests/common/mod.rs::fixture_dir` (byte i of each file is
// ((i * 7) ^ (i >> 8) ^ (i >> 16)) & 0xff):
//   data.bin, other.bin (1 MiB each), small.bin (100 bytes), empty.bin,
//   "my group with spaces/x.json" ({"ok":true}).
//   node tests/server/fixtures.mjs DIR

import { mkdirSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function pattern(start, len) {
  const out = Buffer.alloc(len);
  for (let k = 0; k < len; k += 1) {
    const i = start + k;
    out[k] = ((i * 7) ^ (i >>> 8) ^ (i >>> 16)) & 0xff;
  }
  return out;
}

export function writeFixtures(dir) {
  const files = [
    ['data.bin', pattern(0, 1 << 20)],
    ['other.bin', pattern(0, 1 << 20)],
    ['small.bin', pattern(0, 100)],
    ['empty.bin', Buffer.alloc(0)],
    ['my group with spaces/x.json', Buffer.from('{"ok":true}')],
  ];
  for (const [name, bytes] of files) {
    const p = path.join(dir, name);
    try {
      if (statSync(p).size === bytes.length) continue;
    } catch {
      // missing: write it
    }
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
  return dir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (!process.argv[2]) {
    console.error('usage: node tests/server/fixtures.mjs DIR');
    process.exit(2);
  }
  writeFixtures(process.argv[2]);
}
