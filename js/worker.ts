/**
 * The decode worker (browser module worker or Node `worker_threads`): receives the
 * compiled `WebAssembly.Module` once (`{type: 'init', module}`), then pure decode jobs
 * (`{type: 'job', id, kind, recipe, data}`), and answers `{id, ok, result | error, trap,
 * ms}` with the decoded buffer transferred. Errors keep their `name` tag and fields. A
 * wasm trap (`WebAssembly.RuntimeError`) is reported with `trap: true` so that the pool
 * replaces this worker.
 *
 * @module
 */

import { init } from './wasm.js';
import { runJob, serialisable, type JobKind } from './pool.js';

interface Port {
  post(m: unknown, transfer: Transferable[]): void;
  listen(f: (m: unknown) => void): void;
}

async function port(): Promise<Port> {
  const g = globalThis as unknown as { postMessage?: unknown; addEventListener?: unknown; window?: unknown };
  if (typeof g.postMessage === 'function' && typeof g.addEventListener === 'function' && g.window === undefined) {
    const self = globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void; onmessage: ((ev: MessageEvent) => void) | null };
    return { post: (m, t) => self.postMessage(m, t), listen: (f) => (self.onmessage = (ev) => f(ev.data)) };
  }
  const name = 'node:worker_threads';
  const wt = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
  const p = wt.parentPort!;
  return {
    post: (m, t) => p.postMessage(m, t as unknown as import('node:worker_threads').TransferListItem[]),
    listen: (f) => p.on('message', f),
  };
}

// No top-level await: bundlers build workers as classic scripts by default.
let ready: Promise<void> | undefined;
void port().then((io) => io.listen((raw) => handle(io, raw)));

function handle(io: Port, raw: unknown): void {
  const m = raw as { type: string; module?: WebAssembly.Module; id?: number; kind?: JobKind; recipe?: string; data?: Uint8Array | Uint8Array[] };
  if (m.type === 'init') {
    ready = init({ wasm: m.module! });
    ready.then(
      () => io.post({ type: 'ready' }, []),
      (e: unknown) => io.post({ type: 'init-failed', error: serialisable(e) }, []),
    );
    return;
  }
  if (m.type !== 'job') return;
  void (async () => {
    const id = m.id!;
    if (m.kind === 'crash') {
      // Test hook: an uncaught error kills this worker the way a fatal fault would.
      setTimeout(() => {
        throw new Error('crash job (test hook)');
      }, 0);
      return;
    }
    const t0 = performance.now();
    try {
      await ready;
      const result = runJob(m.kind!, m.recipe!, m.data);
      const bytes = result instanceof Uint8Array ? result : (result as { bytes: Uint8Array }).bytes;
      io.post({ id, ok: true, result, ms: performance.now() - t0 }, [bytes.buffer as ArrayBuffer]);
    } catch (e) {
      const trap = e instanceof WebAssembly.RuntimeError;
      io.post({ id, ok: false, error: serialisable(e), trap, ms: performance.now() - t0 }, []);
    }
  })();
}
