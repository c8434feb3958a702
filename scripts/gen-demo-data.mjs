#!/usr/bin/env node
// Generate the demo's sample data into www/data/ (git-ignored). Deterministic: the content
// is defined by www/sample-pattern.js. Skips files that already have the right size.
//   node scripts/gen-demo-data.mjs [--force]
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SAMPLE_PATH, SAMPLE_SIZE, sampleBytes } from '../www/sample-pattern.js';

const www = fileURLToPath(new URL('../www/', import.meta.url));
const target = www + SAMPLE_PATH;
const force = process.argv.includes('--force');

const existing = await stat(target).catch(() => null);
if (!force && existing && existing.size === SAMPLE_SIZE) {
  console.log(`gen-demo-data: ${SAMPLE_PATH} present (${SAMPLE_SIZE} bytes)`);
} else {
  await mkdir(new URL('../www/data/', import.meta.url), { recursive: true });
  await writeFile(target, sampleBytes(0, SAMPLE_SIZE));
  console.log(`gen-demo-data: wrote ${SAMPLE_PATH} (${SAMPLE_SIZE} bytes)`);
}
