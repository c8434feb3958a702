/**
 * rangetile: read byte ranges, Zarr arrays and JPEG 2000 images straight from object
 * storage with HTTP range requests, decoded in WebAssembly. Works in browsers (ESM) and
 * Node 20+.
 *
 * ```js
 * import { readRange, stats } from 'rangetile';
 * const header = await readRange('https://example.org/big.bin', 0, 1024);
 * console.log(header.length, stats().requests);
 * ```
 *
 * Every function loads the WebAssembly module on first use (see {@link init} to load it
 * yourself, e.g. from a custom URL). Errors are `Error`s with a `name` tag, see
 * {@link RangetileError}.
 *
 * @module
 */

import { ensureWasm, loadedWasm, wasm } from './wasm.js';
import { workerDecodeMs } from './pool.js';
import type { Limits } from './api.js';

export { init } from './wasm.js';
export { openZarr, openRefs, openJp2, toTyped } from './api.js';
export type {
  ArrayDataType,
  ArrayResult,
  ClientOptions,
  DecodedPixels,
  Georef,
  GetOptions,
  Jp2Image,
  Limits,
  Jp2OpenOptions,
  Multiscales,
  MultiscaleLevel,
  OpenOptions,
  Progress,
  RefsOpenOptions,
  Selection,
  TileOptions,
  ZarrArray,
  ZarrGroup,
  ZarrStore,
} from './api.js';
export { configureDecoding, poolStats } from './pool.js';
export type { DecodingOptions, PoolStats } from './pool.js';
export type { InitOptions, WasmSource } from './wasm.js';
export { ERROR_NAMES, isRangetileError } from './errors.js';
export type { RangetileError, RangetileErrorName } from './errors.js';

/** A `fetch`-compatible function, e.g. one that signs requests or adds credentials. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Options of every read. */
export interface ReadOptions {
  /** Extra request headers (e.g. `Authorization`), sent to the origin of `url` (and to
   * `headerOrigins`) only. */
  headers?: Record<string, string> | Headers | ReadonlyArray<readonly [string, string]>;
  /** Origins besides `url`'s that also receive `headers` (`['*']`: every origin, unsafe
   * with credentials). See {@link OpenOptions.headerOrigins}. */
  headerOrigins?: readonly string[];
  /** The `fetch` to use instead of the global one (auth, presigned URLs, tests). */
  fetch?: FetchFunction;
  /** Abort the read: pending requests are cancelled and the promise rejects with an
   * `Aborted` error. */
  signal?: AbortSignal;
  /** Accept a server that ignores `Range` and sends the whole object (200), up to the
   * whole-download limit (256 MiB). Off by default: such a response is a
   * `RangeNotSupported` error, never a silent large download. */
  allowWholeDownload?: boolean;
  /** Ranges closer than this many bytes are merged into one request (default 32 KiB). */
  coalesceGap?: number;
  /** At most this many requests in flight per origin (default 16; a browser on HTTP/1.1
   * runs 6 per host and queues the rest). */
  maxConcurrency?: number;
  /** Give up on one request attempt after this many milliseconds (headers and body). The
   * read rejects with an `Aborted` error whose `kind` is `'Timeout'` (fields `url`, `ms`);
   * timeouts are not retried. Default: no timeout. */
  timeoutMs?: number;
  /** Retries of a transient failure (5xx, 429, 408, network error, cut body) with
   * exponential backoff from 100 ms, capped at 5 s (default 3; 0 disables retries). */
  maxRetries?: number;
  /** Bytes of response bodies in flight at once across reads with equal options (default
   * 256 MiB); a single larger request is a `LimitExceeded` error (`what: 'bytes in
   * flight'`) before its body is read. */
  maxBytesInFlight?: number;
  /** Caps on sizes (see {@link Limits}); for raw reads `maxWholeDownloadBytes` and
   * `maxInFlightBytes` apply. */
  limits?: Limits;
}

/** A byte range `[start, end)`: `start` inclusive, `end` exclusive. */
export type ByteRange = readonly [start: number, end: number];

/** Counters since the module was loaded. */
export interface Stats {
  /** HTTP requests sent (each retry counts). */
  requests: number;
  /** Body bytes received. */
  bytesFetched: number;
  /** Range reads answered from the byte cache without a request. */
  cacheHits: number;
  /** Milliseconds spent decoding (chunks, tiles), on this thread and in decode workers. */
  decodeMs: number;
}

/**
 * Read the bytes `[start, end)` of the object at `url` with one HTTP range request (or
 * none, when the byte cache has them).
 *
 * @param url absolute, or relative to the page (browsers)
 * @returns exactly `end - start` bytes, or fewer when the object ends before `end`
 * @throws {RangetileError} `NotFound`, `RangeNotSupported`, `Http`, `Aborted`,
 *   `LimitExceeded`, `InvalidArgument` (`start >= end`, not integers)
 */
export async function readRange(url: string | URL, start: number, end: number, options?: ReadOptions): Promise<Uint8Array> {
  await ensureWasm();
  return wasm().readRange(resolveUrl(url), start, end, rawOptions(options));
}

/**
 * Read several ranges of one object. Nearby ranges (closer than `coalesceGap`) share one
 * request, identical in-flight requests are sent once, and at most `maxConcurrency` requests
 * run at a time.
 *
 * @returns one buffer per range, in the order given
 * @throws {RangetileError} as {@link readRange}
 */
export async function readRanges(url: string | URL, ranges: readonly ByteRange[], options?: ReadOptions): Promise<Uint8Array[]> {
  await ensureWasm();
  const flat = new Float64Array(ranges.length * 2);
  ranges.forEach(([s, e], i) => {
    flat[2 * i] = s;
    flat[2 * i + 1] = e;
  });
  return wasm().readRanges(resolveUrl(url), flat, rawOptions(options));
}

/**
 * The size in bytes of the object at `url` (a HEAD request, or a one-byte range request
 * where HEAD is refused).
 *
 * @throws {RangetileError} `NotFound`, `Http`, `Aborted`
 */
export async function objectSize(url: string | URL, options?: ReadOptions): Promise<number> {
  await ensureWasm();
  return wasm().objectSize(resolveUrl(url), rawOptions(options));
}

/** The request, byte, cache and decode counters since the module was loaded (all zero
 * before the first read). */
export function stats(): Stats {
  const w = loadedWasm();
  if (!w) return { requests: 0, bytesFetched: 0, cacheHits: 0, decodeMs: 0 };
  const s = w.stats();
  return { ...s, decodeMs: s.decodeMs + workerDecodeMs() };
}

/** Absolute URL: relative URLs resolve against the page, as `fetch` would. */
function resolveUrl(url: string | URL): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base === undefined ? String(url) : new URL(String(url), base).href;
}

/** The options as the wasm layer reads them: headers as `[name, value]` pairs. */
function rawOptions(o: ReadOptions | undefined): object | undefined {
  if (o === undefined) return undefined;
  let headers: [string, string][] | undefined;
  if (o.headers !== undefined) {
    headers = [];
    if (typeof Headers !== 'undefined' && o.headers instanceof Headers) {
      o.headers.forEach((v, k) => headers!.push([k, v]));
    } else if (Array.isArray(o.headers)) {
      for (const [k, v] of o.headers as ReadonlyArray<readonly [string, string]>) headers.push([String(k), String(v)]);
    } else {
      for (const [k, v] of Object.entries(o.headers as Record<string, string>)) headers.push([k, String(v)]);
    }
  }
  return {
    headers,
    fetch: o.fetch,
    signal: o.signal,
    allowWholeDownload: o.allowWholeDownload,
    coalesceGap: o.coalesceGap,
    maxConcurrency: o.maxConcurrency,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
    maxBytesInFlight: o.maxBytesInFlight,
    limits: o.limits,
    headerOrigins: o.headerOrigins === undefined ? undefined : [...o.headerOrigins],
  };
}
