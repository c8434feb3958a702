#!/usr/bin/env node
// Read one byte range of a remote (or local-server) file with rangetile, in Node 20+.
//
//   npm run build && node examples/read-range.mjs URL START END
//
// Prints the bytes in hex and the request counters; on failure prints the error's
// `name` tag (NotFound, RangeNotSupported, Http, ...) and exits 1.
import { objectSize, readRange, stats } from 'rangetile';

const [url, start = '0', end = '64'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node examples/read-range.mjs URL [START] [END]');
  process.exit(2);
}

try {
  const size = await objectSize(url);
  const bytes = await readRange(url, Number(start), Number(end));
  console.log(`${url}: ${size} bytes; bytes ${start}..${end}:`);
  console.log(Buffer.from(bytes).toString('hex').replace(/(.{32})/g, '$1\n').trim());
  console.log(JSON.stringify(stats()));
} catch (e) {
  console.error(`${e.name}: ${e.message}`);
  process.exit(1);
}
