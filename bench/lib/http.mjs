// The local range server (tests/server/range-server.mjs) as a child process, so that
// serving does not share the event loop of the code being timed, plus its request log.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, '..', '..', 'tests', 'server', 'range-server.mjs');

/**
 * Serve `root` on a free local port. Returns { url, delayed(ms, path) → URL of `path`
 * behind an added per-request latency, log() → requests since the last reset (without
 * CORS preflights), stats() → { maxInFlight }, reset(), close() }.
 */
export async function startServer(root) {
  const child = spawn(process.execPath, [SERVER, '--root', root, '--port', '0', '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`range server exited (${code}) before listening`)));
    lines.once('line', (l) => resolve(JSON.parse(l).url));
  });
  return {
    url,
    delayed: (ms, path) => `${url}/__fault/delay=${ms}/${path}`,
    async log() {
      const r = await fetch(`${url}/__log`);
      return (await r.json()).filter((e) => e.method !== 'OPTIONS');
    },
    /** { inFlight, maxInFlight } since the last reset. */
    async stats() {
      const r = await fetch(`${url}/__stats`);
      return r.json();
    },
    async reset() {
      await fetch(`${url}/__reset`, { method: 'POST' });
    },
    close() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      });
    },
  };
}
