// Shared by the JS tests: a range server over a temporary directory holding the
// generated sample file, and access to the server's request log.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRangeServer } from '../server/range-server.mjs';
import { SAMPLE_SIZE, sampleBytes } from '../../www/sample-pattern.js';

/** Start a server whose root holds `sample.bin` (the demo's pattern). */
export async function startSampleServer() {
  const root = await mkdtemp(path.join(tmpdir(), 'rangetile-js-'));
  await writeFile(path.join(root, 'sample.bin'), sampleBytes(0, SAMPLE_SIZE));
  const server = await startRangeServer({ root });
  return {
    url: server.url,
    sample: `${server.url}/sample.bin`,
    /** The URL of `sample.bin` behind the fault spec `spec`. */
    fault: (spec) => `${server.url}/__fault/${spec}/sample.bin`,
    /** The request log (requests since the last reset), without OPTIONS preflights. */
    async log() {
      const r = await fetch(`${server.url}/__log`);
      return (await r.json()).filter((e) => e.method !== 'OPTIONS');
    },
    async reset() {
      await fetch(`${server.url}/__reset`, { method: 'POST' });
    },
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Await `promise` and return what it rejected with (fails if it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}
