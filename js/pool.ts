/**
 * The decode worker pool: pure decode jobs (a chunk recipe + its encoded bytes, or a
 * JPEG 2000 tile recipe + its tile-part bytes) run in module workers that instantiate the
 * compiled `WebAssembly.Module` of the calling side. Planning and fetching never leave
 * the calling side.
 *
 * - A priority queue (higher `priority` first, then submission order).
 * - Cancellation: a queued job is dropped; a running one terminates its worker (which is
 *   replaced) and rejects with an `Aborted` error.
 * - A worker that crashes (an uncaught error, a wasm trap, an exit) is replaced and its
 *   job rejects with a `WorkerCrashed` error: a job never hangs.
 * - With zero workers (Node's default, or when workers cannot start) the same queue runs
 *   jobs inline on the calling thread's module.
 * - Decoded results are kept in a byte-bounded LRU cache keyed by the chunk's or tile's
 *   URL, shared by every array and image (see {@link setDecodedCacheBytes}).
 *
 * @module
 */

import { compiledModule, ensureWasm, wasm } from './wasm.js';

/** The job kinds a worker runs. `crash` is a test hook that kills the worker. */
export type JobKind = 'chunk' | 'tile' | 'crash';

/** A decoded JPEG 2000 tile as the wasm layer returns it. */
export interface RawTile {
  bytes: Uint8Array;
  width: number;
  height: number;
  components: number;
  sampleType: string;
}

/** A pending job's promise, with `cancel()`. */
export type JobPromise<T> = Promise<T> & { cancel(): void };

interface Job {
  id: number;
  kind: JobKind;
  recipe: string;
  data: Uint8Array | Uint8Array[] | undefined;
  priority: number;
  seq: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  slot?: Slot;
  settled: boolean;
}

interface Endpoint {
  post(msg: unknown, transfer: Transferable[]): void;
  terminate(): void;
}

interface Slot {
  endpoint: Endpoint;
  job?: Job;
  dead: boolean;
}

/** Counters of the pool, for tests and `stats()`. */
export interface PoolStats {
  /** Workers running (0: inline). */
  workers: number;
  /** Jobs completed in workers. */
  jobsInWorkers: number;
  /** Jobs completed inline. */
  jobsInline: number;
  /** Jobs waiting. */
  queued: number;
  /** Jobs running now. */
  running: number;
  /** Most jobs running at once. */
  maxRunning: number;
  /** Workers replaced after a crash or a cancelled running job. */
  replaced: number;
  /** Milliseconds spent decoding in workers. */
  workerDecodeMs: number;
  /** Decoded results served from the decoded cache. */
  decodedCacheHits: number;
}

/** A rangetile-style error (a JS `Error` with a `name` tag and fields). */
export function taggedError(name: string, message: string, fields?: Record<string, unknown>): Error {
  const e = new Error(message);
  e.name = name;
  if (fields) Object.assign(e, fields);
  return e;
}

function serialisable(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const o: Record<string, unknown> = { ...(e as unknown as Record<string, unknown>) };
    o.name = e.name;
    o.message = e.message;
    return o;
  }
  return { name: 'Error', message: String(e) };
}

/** Rebuild an error posted by a worker: same `name`, message and fields. */
function revive(o: Record<string, unknown>): Error {
  const { name, message, ...fields } = o;
  return taggedError(String(name ?? 'Error'), String(message ?? ''), fields);
}

/** Run one job on the loaded module of this thread. */
export function runJob(kind: JobKind, recipe: string, data: Uint8Array | Uint8Array[] | undefined): unknown {
  const w = wasm();
  if (kind === 'chunk') return w.decodeChunkRecipe(recipe, data as Uint8Array);
  if (kind === 'tile') return w.decodeJp2Tile(recipe, data as unknown as Uint8Array[]);
  throw taggedError('WorkerCrashed', 'crash job (test hook) run inline');
}

/** Default number of workers: min(hardwareConcurrency − 1, 4) in browsers, 0 in Node. */
export function defaultWorkers(): number {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
  if (isNode || typeof Worker === 'undefined') return 0;
  const hc = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 2;
  return Math.max(1, Math.min(hc - 1, 4));
}

class DecodedCache {
  private map = new Map<string, { value: unknown; size: number }>();
  private used = 0;
  constructor(public budget: number) {}
  get(key: string): unknown {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }
  set(key: string, value: unknown, size: number): void {
    if (size > this.budget) return;
    const old = this.map.get(key);
    if (old) {
      this.used -= old.size;
      this.map.delete(key);
    }
    this.map.set(key, { value, size });
    this.used += size;
    for (const [k, e] of this.map) {
      if (this.used <= this.budget) break;
      this.map.delete(k);
      this.used -= e.size;
    }
  }
  clear(): void {
    this.map.clear();
    this.used = 0;
  }
  get bytes(): number {
    return this.used;
  }
}

/** The pool. One per module instance (see {@link getPool}). */
export class DecodePool {
  private queue: Job[] = [];
  private slots: Slot[] = [];
  private seq = 0;
  private running = 0;
  readonly stats: PoolStats = {
    workers: 0,
    jobsInWorkers: 0,
    jobsInline: 0,
    queued: 0,
    running: 0,
    maxRunning: 0,
    replaced: 0,
    workerDecodeMs: 0,
    decodedCacheHits: 0,
  };
  readonly cache = new DecodedCache(64 * 1024 * 1024);
  private inlineScheduled = false;

  private constructor(private size: number) {}

  /** A pool of `size` workers (0: inline). Workers that cannot start leave it inline. */
  static async create(size: number): Promise<DecodePool> {
    await ensureWasm();
    const pool = new DecodePool(0);
    const module = compiledModule();
    if (size > 0 && module !== undefined) {
      for (let i = 0; i < size; i++) {
        const slot = await pool.spawn(module).catch(() => undefined);
        if (slot === undefined) break;
        pool.slots.push(slot);
      }
      pool.size = pool.slots.length;
    }
    pool.stats.workers = pool.size;
    return pool;
  }

  /** Start a worker and wait until it has instantiated the module (rejects when it
   * cannot start: no worker support, a blocked script, a failed instantiation). */
  private async spawn(module: WebAssembly.Module): Promise<Slot> {
    const slot: Slot = { endpoint: undefined as unknown as Endpoint, dead: false };
    let started = false;
    let startOk!: () => void;
    let startFail!: (e: Error) => void;
    const start = new Promise<void>((res, rej) => {
      startOk = res;
      startFail = rej;
    });
    type Reply = { type?: string; id: number; ok: boolean; result?: unknown; error?: Record<string, unknown>; trap?: boolean; ms?: number };
    const onMessage = (m: Reply) => {
      if (m.type === 'ready') {
        started = true;
        startOk();
      } else if (m.type === 'init-failed') {
        startFail(revive(m.error ?? {}));
      } else this.finished(slot, m);
    };
    const onCrash = (what: string) => {
      if (!started) startFail(taggedError('WorkerCrashed', `a decode worker did not start: ${what}`));
      else this.crashed(slot, what);
    };
    if (typeof Worker !== 'undefined' && typeof window !== 'undefined') {
      const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      w.onmessage = (ev: MessageEvent) => onMessage(ev.data);
      w.onerror = (ev: ErrorEvent) => {
        ev.preventDefault();
        onCrash(ev.message || 'worker error');
      };
      slot.endpoint = { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
    } else {
      const name = 'node:worker_threads';
      const wt = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
      // Not the literal pattern: bundlers would copy the file as a second asset.
      const file = './worker.js';
      const w = new wt.Worker(new URL(file, import.meta.url));
      w.on('message', onMessage);
      w.on('error', (e: Error) => onCrash(e.message));
      w.on('exit', (code: number) => onCrash(`worker exited with code ${code}`));
      w.unref();
      slot.endpoint = {
        post: (m, t) => w.postMessage(m, t as unknown as import('node:worker_threads').TransferListItem[]),
        terminate: () => void w.terminate(),
      };
    }
    slot.endpoint.post({ type: 'init', module }, []);
    try {
      await start;
    } catch (e) {
      slot.dead = true;
      slot.endpoint.terminate();
      throw e;
    }
    return slot;
  }

  /** Submit a job; `cacheKey` (a URL-based key) serves repeated decodes from the cache. */
  submit<T>(kind: JobKind, recipe: string, data: Uint8Array | Uint8Array[] | undefined, priority = 0, cacheKey?: string): JobPromise<T> {
    if (cacheKey !== undefined) {
      const hit = this.cache.get(cacheKey);
      if (hit !== undefined) {
        this.stats.decodedCacheHits++;
        const p = Promise.resolve(hit as T) as JobPromise<T>;
        p.cancel = () => {};
        return p;
      }
    }
    let job!: Job;
    const p = new Promise<T>((resolve, reject) => {
      job = { id: ++this.seq, kind, recipe, data, priority, seq: this.seq, resolve: resolve as (v: unknown) => void, reject, settled: false };
    }) as JobPromise<T>;
    if (cacheKey !== undefined) {
      p.then(
        (v) => this.cache.set(cacheKey, v, resultSize(v)),
        () => {},
      );
    }
    p.cancel = () => this.cancel(job);
    this.queue.push(job);
    this.stats.queued = this.queue.length;
    this.pump();
    return p;
  }

  private cancel(job: Job): void {
    if (job.settled) return;
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
    this.stats.queued = this.queue.length;
    if (job.slot) this.replace(job.slot);
    this.settle(job, false, taggedError('Aborted', 'the decode job was cancelled', { kind: 'Cancelled' }));
  }

  private settle(job: Job, ok: boolean, v: unknown): void {
    if (job.settled) return;
    job.settled = true;
    if (job.slot) {
      job.slot.job = undefined;
      job.slot = undefined;
      this.running--;
      this.stats.running = this.running;
    }
    if (ok) job.resolve(v);
    else job.reject(v);
  }

  private next(): Job | undefined {
    if (this.queue.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.queue.length; i++) {
      const a = this.queue[i]!;
      const b = this.queue[best]!;
      if (a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
    }
    const [job] = this.queue.splice(best, 1);
    this.stats.queued = this.queue.length;
    return job;
  }

  private pump(): void {
    if (this.size === 0) {
      if (!this.inlineScheduled) {
        this.inlineScheduled = true;
        const g = globalThis as { setImmediate?: (f: () => void) => unknown };
        if (typeof g.setImmediate === 'function') g.setImmediate(() => this.runInline());
        else setTimeout(() => this.runInline(), 0);
      }
      return;
    }
    for (const slot of this.slots) {
      if (slot.job || slot.dead) continue;
      const job = this.next();
      if (!job) return;
      slot.job = job;
      job.slot = slot;
      this.running++;
      this.stats.running = this.running;
      this.stats.maxRunning = Math.max(this.stats.maxRunning, this.running);
      const transfer: Transferable[] = [];
      const parts = Array.isArray(job.data) ? job.data : job.data ? [job.data] : [];
      for (const b of parts) if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) transfer.push(b.buffer as ArrayBuffer);
      slot.endpoint.post({ type: 'job', id: job.id, kind: job.kind, recipe: job.recipe, data: job.data }, transfer);
    }
  }

  /** Run queued jobs for up to ~8 ms per macrotask, so the caller's event loop keeps
   * turning between slices. */
  private runInline(): void {
    this.inlineScheduled = false;
    const t0 = Date.now();
    while (this.queue.length > 0 && Date.now() - t0 < 8 && this.size === 0) this.runOneInline();
    if (this.queue.length > 0) this.pump();
  }

  private runOneInline(): void {
    const job = this.next();
    if (!job) return;
    this.running++;
    this.stats.maxRunning = Math.max(this.stats.maxRunning, this.running);
    try {
      const r = runJob(job.kind, job.recipe, job.data);
      this.running--;
      this.stats.jobsInline++;
      job.settled = true;
      job.resolve(r);
    } catch (e) {
      this.running--;
      job.settled = true;
      job.reject(e);
    }
  }

  private finished(slot: Slot, m: { id: number; ok: boolean; result?: unknown; error?: Record<string, unknown>; trap?: boolean; ms?: number }): void {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    this.stats.workerDecodeMs += m.ms ?? 0;
    if (m.ok) {
      this.stats.jobsInWorkers++;
      this.settle(job, true, m.result);
    } else {
      this.settle(job, false, revive(m.error ?? {}));
    }
    // A wasm trap leaves the instance unusable: start a fresh worker.
    if (m.trap) this.replace(slot);
    this.pump();
  }

  private crashed(slot: Slot, what: string): void {
    if (slot.dead) return;
    const job = slot.job;
    this.replace(slot);
    if (job) this.settle(job, false, taggedError('WorkerCrashed', `a decode worker crashed: ${what}`, { kind: 'WorkerCrashed' }));
  }

  /** Terminate `slot`'s worker and start another in its place. */
  private replace(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    try {
      slot.endpoint.terminate();
    } catch {
      /* already gone */
    }
    const i = this.slots.indexOf(slot);
    this.stats.replaced++;
    const module = compiledModule();
    if (module === undefined || i < 0) return;
    this.spawn(module).then(
      (fresh) => {
        this.slots[i] = fresh;
        this.pump();
      },
      () => {
        // No replacement: fewer workers, and inline decoding once none are left.
        const j = this.slots.indexOf(slot);
        if (j >= 0) this.slots.splice(j, 1);
        this.size = this.slots.length;
        this.stats.workers = this.size;
        this.pump();
      },
    );
  }

  /** Stop every worker; queued jobs reject with `Aborted`. */
  terminate(): void {
    for (const job of this.queue.splice(0)) this.settle(job, false, taggedError('Aborted', 'the pool was terminated'));
    for (const slot of this.slots) {
      slot.dead = true;
      if (slot.job) this.settle(slot.job, false, taggedError('Aborted', 'the pool was terminated'));
      slot.endpoint.terminate();
    }
    this.slots = [];
    this.size = 0;
    this.stats.workers = 0;
  }
}

function resultSize(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength;
  const b = (v as { bytes?: Uint8Array } | undefined)?.bytes;
  return b instanceof Uint8Array ? b.byteLength + 64 : 64;
}

let pool: Promise<DecodePool> | undefined;
let poolSize: number | undefined;

/** Options of {@link configureDecoding}. */
export interface DecodingOptions {
  /** Decode workers: a count, or 0 to decode on the calling thread. Default:
   * min(hardwareConcurrency − 1, 4) in browsers, 0 (inline) in Node. */
  workers?: number;
  /** Budget in bytes of the decoded chunk/tile cache (default 64 MiB; 0 disables it). */
  decodedCacheBytes?: number;
}

/**
 * Choose how decoding runs (before the first read, or again later: the old pool is
 * terminated).
 */
export async function configureDecoding(options: DecodingOptions): Promise<void> {
  if (options.workers !== undefined) {
    const old = pool;
    pool = undefined;
    poolSize = options.workers;
    if (old) (await old).terminate();
  }
  const p = await getPool();
  if (options.decodedCacheBytes !== undefined) {
    p.cache.budget = options.decodedCacheBytes;
    if (options.decodedCacheBytes === 0) p.cache.clear();
  }
}

/** The pool (created on first use). */
export function getPool(): Promise<DecodePool> {
  pool ??= DecodePool.create(poolSize ?? defaultWorkers()).then((p) => (poolNow = p));
  return pool;
}

let poolNow: DecodePool | undefined;

/** Milliseconds decoded in workers so far (for `stats()`). */
export function workerDecodeMs(): number {
  return poolNow?.stats.workerDecodeMs ?? 0;
}

/** The pool if created. */
export async function poolStats(): Promise<PoolStats | undefined> {
  return pool ? { ...(await pool).stats } : undefined;
}

export { serialisable };
