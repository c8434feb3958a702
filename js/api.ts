/**
 * The typed API of DESIGN.md "Public interfaces": {@link openZarr}, {@link openRefs},
 * {@link openJp2}. Metadata reads, planning and fetching run on the calling thread (in
 * WebAssembly); decoding runs in the decode worker pool (see {@link configureDecoding}).
 *
 * @module
 */

import { ensureWasm, wasm } from './wasm.js';
import { getPool, type RawTile } from './pool.js';
import type { FetchFunction } from './index.js';

type Headers_ = Record<string, string> | Headers | ReadonlyArray<readonly [string, string]>;

/**
 * Caps on what an untrusted file or server can make rangetile fetch or allocate (the Rust
 * `Limits`). Each field replaces its default; exceeding one is a `LimitExceeded` error
 * (fields `what`, `requested`, `max`) before the large fetch or allocation. They are
 * checked where metadata is opened, where reads are planned and fetched, and in the decode
 * workers (each decode job carries them).
 */
export interface Limits {
  /** Bytes of one decoded chunk or tile (default 256 MiB). */
  maxDecodedChunkBytes?: number;
  /** Bytes of one encoded chunk, shard object or tile-part set fetched in one go (256 MiB). */
  maxEncodedChunkBytes?: number;
  /** Bytes of one decoded selection or region (1 GiB). */
  maxOutputBytes?: number;
  /** Dimensions of an array (32). */
  maxDims?: number;
  /** Chunks one selection may touch (1 000 000). */
  maxChunksPerSelection?: number;
  /** Bytes of one metadata document: `.zarray`, `zarr.json`, consolidated metadata, a
   * reference file, a tile-part index (64 MiB). */
  maxMetadataBytes?: number;
  /** Bytes of a whole-object answer to a range request, with `allowWholeDownload` (256 MiB). */
  maxWholeDownloadBytes?: number;
  /** Bytes read ahead to parse a JPEG 2000 header, extended as needed (16 KiB). */
  headerReadAhead?: number;
  /** Bytes of a JPEG 2000 main header, or of the boxes before it (16 MiB). */
  maxHeaderBytes?: number;
  /** Bytes of the requests one read sends together (512 MiB); see also
   * {@link OpenOptions.maxBytesInFlight} for all reads together. */
  maxInFlightBytes?: number;
  /** Tiles or tile-parts a JPEG 2000 codestream may declare (1 048 576). */
  maxTiles?: number;
  /** Width or height of an image in pixels (16 777 216). */
  maxImageSide?: number;
}

/** Options of {@link openZarr} and {@link openRefs}. */
export interface OpenOptions {
  /** Path of the node inside the store (`""`, the default, is the root). */
  path?: string;
  /** The `fetch` to use instead of the global one. It is called for every request, to
   * every origin (it sees each URL and can sign or refuse it); `headers` are added to its
   * `init` only as {@link OpenOptions.headerOrigins} allows. */
  fetch?: FetchFunction;
  /** Extra request headers (e.g. `Authorization`), sent only to the origin of the URL being
   * opened (for {@link openRefs} given an object: of `baseUrl`) and to
   * {@link OpenOptions.headerOrigins}. Chunks that references point at on other hosts, and
   * a `tlmIndex` URL on another host, are read without them. */
  headers?: Headers_;
  /** Origins besides the opened URL's that also receive `headers`, e.g.
   * `['https://bucket.example.org']` (a full URL stands for its origin; scheme, host and
   * port must match). `['*']` sends them to every origin a read touches — unsafe with
   * credentials, since a reference file or an index decides where reads go. */
  headerOrigins?: readonly string[];
  /** Abort opening. */
  signal?: AbortSignal;
  /** At most this many requests in flight per origin (default 16; a browser on HTTP/1.1
   * runs 6 per host and queues the rest). */
  maxConcurrency?: number;
  /** Ranges closer than this many bytes are merged into one request (default 32 KiB). */
  coalesceGap?: number;
  /** Give up on one request attempt after this many milliseconds (headers and body: a
   * server that stalls mid-body times out too). The request is aborted and the read
   * rejects with an `Aborted` error whose `kind` is `'Timeout'` (fields `url`, `ms`);
   * timeouts are not retried. Default: no timeout (the browser's own, if any). */
  timeoutMs?: number;
  /** Retries of a transient failure (5xx, 429, 408, network error, cut body) with
   * exponential backoff from 100 ms, capped at 5 s (default 3; 0 disables retries). */
  maxRetries?: number;
  /** Bytes of response bodies in flight at once, across all reads that share these
   * options (default 256 MiB). Requests wait while the budget is short; a single request
   * (a range, or a whole object by its `Content-Length`) larger than this is a
   * `LimitExceeded` error (`what: 'bytes in flight'`) before its body is read. */
  maxBytesInFlight?: number;
  /** Caps on sizes, counts and dimensions (see {@link Limits}); unset fields keep their
   * defaults. An unknown field is an `InvalidArgument` error. */
  limits?: Limits;
  /** Accept a server that ignores `Range` and answers 200 with the whole object, up to the
   * whole-download limit (256 MiB), and slice the range out. Off by default: such a
   * response is a `RangeNotSupported` error, never a silent large download. */
  allowWholeDownload?: boolean;
}

/** Options that apply to the HTTP client of {@link openZarr}, {@link openRefs} and
 * {@link openJp2}. */
export type ClientOptions = Omit<OpenOptions, 'path'>;

/** Progress of a long read. */
export interface Progress {
  /** Chunks (or inner chunks of shards) decoded so far by this array's reads. */
  chunksDecoded: number;
  /** Chunks the read touches (an upper bound: missing chunks are never decoded). */
  chunksTotal: number;
  /** Bytes fetched by the module since the read started (all reads running at the time). */
  bytesFetched: number;
}

/** Options of {@link ZarrArray.get}. */
export interface GetOptions {
  /** Abort the read: pending requests and queued or running decode jobs are cancelled,
   * and the promise rejects with an `Aborted` error. */
  signal?: AbortSignal;
  /** Called as chunks decode. */
  onProgress?: (p: Progress) => void;
  /** Decode priority (higher first; e.g. visible tiles). Default 0. */
  priority?: number;
}

/** One entry per dimension: `null` (all), an index (the dimension is dropped), or
 * `[start, stop)`. */
export type Selection = ReadonlyArray<null | number | readonly [number, number]>;

/** The JS type of a dtype's data:
 * - `bool`, `uint8` → `Uint8Array`; `int8` → `Int8Array`; `(u)int16/32` → `(Ui|I)nt16/32Array`;
 * - `float16` → `Float32Array` (widened: exact, since every float16 is a float32);
 * - `float32` → `Float32Array`; `float64` → `Float64Array`;
 * - `int64`, `datetime64[*]`, `timedelta64[*]` → `BigInt64Array`; `uint64` → `BigUint64Array`;
 * - `S<n>`, `U<n>`, `string` → `string[]`; `bytes` → `Uint8Array[]`; `object` (numcodecs `json2`) →
 *   the parsed JSON values. */
export type ArrayDataType =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | (string | Uint8Array | null)[]
  | unknown[];

/** The result of a read: data in C order and its shape. */
export interface ArrayResult {
  /** The elements in C order, as the dtype's JS type (see {@link ArrayDataType}). */
  data: ArrayDataType;
  /** The shape of the result: index-selected dimensions are dropped. */
  shape: number[];
}

interface RawStoreLike {
  openNode(path: string, decoder: unknown, signal: unknown): Promise<RawNodeLike>;
  readonly location: string;
}
interface RawNodeLike {
  readonly kind: string;
  info(): string;
  fillBytes(): Uint8Array | undefined;
  openChild(path: string, signal: unknown): Promise<RawNodeLike>;
  get(selection: Float64Array, signal: unknown): Promise<{ bytes?: Uint8Array; shape: number[]; strings?: (string | Uint8Array | null)[] }>;
}

/** A store {@link openZarr} accepts: from {@link openRefs} (kerchunk references). */
export interface ZarrStore {
  /** Where it reads from. */
  readonly location: string;
  /** @internal */
  readonly _raw: RawStoreLike;
}

/** One level of a multiscales pyramid. */
export interface MultiscaleLevel {
  /** Path of the level's array, relative to the group. */
  path: string;
  /** Per-dimension scale (coordinate units per index), if declared. */
  scale: number[] | null;
  /** Per-dimension translation, if declared. */
  translation: number[] | null;
  /** GDAL-style affine geotransform (`proj:transform`), if declared. */
  affine: number[] | null;
}

/** A parsed multiscales attribute (OME-NGFF or the Zarr multiscales convention). */
export interface Multiscales {
  /** The pyramid's name, if any. */
  name: string | null;
  /** The CRS as given (`EPSG:32632`, WKT2 or PROJJSON text), if any. */
  crs: string | null;
  /** The axes (name, `space`/`time`/`channel` type, unit). */
  axes: { name: string; type: string | null; unit: string | null }[];
  /** The levels, finest first as declared. */
  levels: MultiscaleLevel[];
}

/** A Zarr group. */
export interface ZarrGroup {
  readonly kind: 'group';
  /** Path of the group in its store (`""`: the root). */
  readonly path: string;
  /** The group's attributes (`.zattrs` or `zarr.json` `attributes`). */
  readonly attrs: Record<string, unknown>;
  /** The multiscales pyramid declared in the attributes, if any. */
  readonly multiscales: Multiscales | null;
  /** Paths of the arrays below this group (from consolidated metadata; empty when the
   * store has none, since HTTP cannot list). */
  arrays(): string[];
  /** Open a node by path relative to this group. */
  open(path: string, options?: { signal?: AbortSignal }): Promise<ZarrArray | ZarrGroup>;
}

/** A Zarr array. */
export interface ZarrArray {
  readonly kind: 'array';
  /** Path of the array in its store. */
  readonly path: string;
  /** The array's shape. */
  readonly shape: number[];
  /** Chunk shape (the shard shape for sharded arrays). */
  readonly chunks: number[];
  /** Inner chunk shape of sharded arrays. */
  readonly innerChunks: number[] | null;
  /** The data type: a Zarr v3 name (`float32`, `uint16`, `datetime64[s]`, `U5`, ...). */
  readonly dtype: string;
  /** The fill value as one element of the data's JS type (number, bigint, boolean, string). */
  readonly fillValue: unknown;
  /** The array's attributes. */
  readonly attrs: Record<string, unknown>;
  /** Dimension names (v3 `dimension_names`, or xarray's `_ARRAY_DIMENSIONS`), if any. */
  readonly dimensionNames: (string | null)[] | null;
  /** Read a selection (default: everything). */
  get(selection?: Selection | null, options?: GetOptions): Promise<ArrayResult>;
}

function rawOptions(o: ClientOptions | undefined): object | undefined {
  if (o === undefined) return undefined;
  let headers: [string, string][] | undefined;
  if (o.headers !== undefined) {
    headers = [];
    if (typeof Headers !== 'undefined' && o.headers instanceof Headers) o.headers.forEach((v, k) => headers!.push([k, v]));
    else if (Array.isArray(o.headers)) for (const [k, v] of o.headers as ReadonlyArray<readonly [string, string]>) headers.push([String(k), String(v)]);
    else for (const [k, v] of Object.entries(o.headers as Record<string, string>)) headers.push([k, String(v)]);
  }
  return {
    headers,
    fetch: o.fetch,
    signal: o.signal,
    maxConcurrency: o.maxConcurrency,
    coalesceGap: o.coalesceGap,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
    maxBytesInFlight: o.maxBytesInFlight,
    limits: o.limits,
    allowWholeDownload: o.allowWholeDownload,
    headerOrigins: o.headerOrigins === undefined ? undefined : [...o.headerOrigins],
  };
}

function resolveUrl(url: string | URL): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base === undefined ? String(url) : new URL(String(url), base).href;
}

/** Per-array read context: the decoder closure reads it for priority and progress. */
interface Ctx {
  priority: number;
  listeners: Set<() => void>;
}

function chunkDecoder(ctx: Ctx) {
  return (key: string, recipe: string, bytes: Uint8Array) => {
    const job = poolSync!.submit<Uint8Array>('chunk', recipe, bytes, ctx.priority, key);
    void job.then(
      () => ctx.listeners.forEach((f) => f()),
      () => {},
    );
    return job;
  };
}

let poolSync: Awaited<ReturnType<typeof getPool>> | undefined;
async function ready(): Promise<void> {
  await ensureWasm();
  poolSync = await getPool();
}

/**
 * Open a Zarr v2 or v3 array or group: a URL of the hierarchy's root directory (with
 * `path` inside it), or a store from {@link openRefs}.
 *
 * @throws {RangetileError} `NotFound` (no metadata at `path`), `Format`,
 *   `UnsupportedCodec`, `Http`, `Aborted`
 */
export async function openZarr(source: string | URL | ZarrStore, options?: OpenOptions): Promise<ZarrArray | ZarrGroup> {
  await ready();
  const store: RawStoreLike =
    typeof source === 'string' || source instanceof URL
      ? (wasm().openHttpStore(resolveUrl(source), rawOptions(options)) as unknown as RawStoreLike)
      : source._raw;
  const ctx: Ctx = { priority: 0, listeners: new Set() };
  const node = await store.openNode(options?.path ?? '', chunkDecoder(ctx), options?.signal);
  return wrapNode(node, ctx);
}

function wrapNode(node: RawNodeLike, ctx: Ctx): ZarrArray | ZarrGroup {
  const info = JSON.parse(node.info());
  if (node.kind === 'group') {
    const g: ZarrGroup = {
      kind: 'group',
      path: info.path,
      attrs: info.attrs ?? {},
      multiscales: info.multiscales ?? null,
      arrays: () => [...(info.arrays ?? [])],
      async open(path, o) {
        const child = await node.openChild(path, o?.signal);
        return wrapNode(child, { priority: 0, listeners: new Set() });
      },
    };
    return g;
  }
  const dtype: string = info.dtype;
  const fillBytes = node.fillBytes();
  const fill = fillBytes !== undefined ? toTyped(dtype, fillBytes) : undefined;
  const a: ZarrArray = {
    kind: 'array',
    path: info.path,
    shape: info.shape,
    chunks: info.chunks,
    innerChunks: info.innerChunks ?? null,
    dtype,
    fillValue: fill === undefined ? info.fillValue : dtype === 'bool' ? (fill as Uint8Array)[0] !== 0 : (fill as ArrayLike<unknown>)[0],
    attrs: info.attrs ?? {},
    dimensionNames: info.dimensionNames ?? null,
    async get(selection, o) {
      const flat = flatSelection(selection ?? null, info.shape);
      const chunksTotal = countChunks(flat, info.shape, info.innerChunks ?? info.chunks);
      const start = wasm().stats().bytesFetched;
      let decoded = 0;
      const listener = () => {
        decoded++;
        o?.onProgress?.({ chunksDecoded: decoded, chunksTotal, bytesFetched: wasm().stats().bytesFetched - start });
      };
      if (o?.onProgress) ctx.listeners.add(listener);
      const prev = ctx.priority;
      ctx.priority = o?.priority ?? 0;
      try {
        const r = await node.get(flat, o?.signal);
        const data =
          r.strings === undefined
            ? toTyped(dtype, r.bytes!)
            : dtype === 'object'
              ? r.strings.map((x) => (typeof x === 'string' ? JSON.parse(x) : x))
              : r.strings;
        return { data, shape: r.shape };
      } finally {
        ctx.priority = prev;
        ctx.listeners.delete(listener);
      }
    },
  };
  return a;
}

function flatSelection(sel: Selection | null, shape: number[]): Float64Array {
  if (sel === null || sel.length === 0) return new Float64Array(0);
  if (sel.length !== shape.length) {
    const e = new Error(`the selection has ${sel.length} entries, the array has ${shape.length} dimensions`);
    e.name = 'InvalidArgument';
    throw e;
  }
  const out = new Float64Array(sel.length * 3);
  sel.forEach((s, i) => {
    if (s === null) out.set([0, 0, 0], 3 * i);
    else if (typeof s === 'number') out.set([1, s, 0], 3 * i);
    else out.set([2, s[0], s[1]], 3 * i);
  });
  return out;
}

function countChunks(flat: Float64Array, shape: number[], chunks: number[]): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) {
    let a = 0;
    let b = shape[d]!;
    if (flat.length > 0) {
      const k = flat[3 * d]!;
      if (k === 1) [a, b] = [flat[3 * d + 1]!, flat[3 * d + 1]! + 1];
      else if (k === 2) [a, b] = [flat[3 * d + 1]!, Math.min(flat[3 * d + 2]!, b)];
    }
    const c = chunks[d] || 1;
    n *= b > a ? Math.floor((b - 1) / c) - Math.floor(a / c) + 1 : 0;
  }
  return n;
}

/** Little-endian element bytes as the dtype's JS type (see {@link ArrayDataType}). */
export function toTyped(dtype: string, b: Uint8Array): ArrayDataType {
  const buf = b.byteOffset % 8 === 0 ? b.buffer : b.slice().buffer;
  const off = b.byteOffset % 8 === 0 ? b.byteOffset : 0;
  const n = (size: number) => Math.floor(b.byteLength / size);
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(buf, off, b.byteLength);
    case 'int8':
      return new Int8Array(buf, off, b.byteLength);
    case 'uint16':
      return new Uint16Array(buf, off, n(2));
    case 'int16':
      return new Int16Array(buf, off, n(2));
    case 'uint32':
      return new Uint32Array(buf, off, n(4));
    case 'int32':
      return new Int32Array(buf, off, n(4));
    case 'float32':
      return new Float32Array(buf, off, n(4));
    case 'float64':
      return new Float64Array(buf, off, n(8));
    case 'uint64':
      return new BigUint64Array(buf, off, n(8));
    case 'int64':
      return new BigInt64Array(buf, off, n(8));
    case 'float16': {
      const h = new Uint16Array(buf, off, n(2));
      const out = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) out[i] = halfToFloat(h[i]!);
      return out;
    }
  }
  if (dtype.startsWith('datetime64') || dtype.startsWith('timedelta64')) return new BigInt64Array(buf, off, n(8));
  const m = /^([SU])(\d+)$/.exec(dtype);
  if (m) {
    const width = Number(m[2]) * (m[1] === 'U' ? 4 : 1);
    const out: string[] = [];
    const dv = new DataView(buf, off, b.byteLength);
    for (let i = 0; width > 0 && i + width <= b.byteLength; i += width) {
      let s = '';
      if (m[1] === 'U') {
        for (let j = 0; j < width; j += 4) {
          const c = dv.getUint32(i + j, true);
          if (c === 0) break;
          s += String.fromCodePoint(c);
        }
      } else {
        for (let j = 0; j < width; j++) {
          const c = dv.getUint8(i + j);
          if (c === 0) break;
          s += String.fromCharCode(c);
        }
      }
      out.push(s);
    }
    return out;
  }
  return new Uint8Array(buf, off, b.byteLength);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Options of {@link openRefs}: the client options of {@link OpenOptions} (they apply to
 * the reference file and to every chunk read through the store) and `baseUrl`. */
export interface RefsOpenOptions extends ClientOptions {
  /** Base URL of relative reference targets when the references are given as an object
   * (default: the page's URL). */
  baseUrl?: string;
}

/**
 * Kerchunk references as a store for {@link openZarr}: a URL of a reference JSON (v0 or
 * v1) or of a Parquet reference directory (ending in `.parq`/`.parquet`), or the parsed
 * JSON object itself (relative targets then resolve against `options.baseUrl`, default
 * the page).
 *
 * @throws {RangetileError} `NotFound`, `Format`, `Http`, `Aborted`
 */
export async function openRefs(
  urlOrObject: string | URL | object,
  options?: RefsOpenOptions,
): Promise<ZarrStore> {
  await ready();
  let raw: RawStoreLike;
  if (typeof urlOrObject === 'string' || urlOrObject instanceof URL) {
    raw = (await wasm().openRefsUrl(resolveUrl(urlOrObject), rawOptions(options))) as unknown as RawStoreLike;
  } else {
    const base = options?.baseUrl ?? (globalThis as { location?: { href: string } }).location?.href ?? '';
    raw = wasm().openRefsJson(JSON.stringify(urlOrObject), base, rawOptions(options)) as unknown as RawStoreLike;
  }
  return { location: raw.location, _raw: raw };
}

/** Options of {@link openJp2}: the client options of {@link OpenOptions} and `tlmIndex`. */
export interface Jp2OpenOptions extends ClientOptions {
  /** An external tile-part index for files without TLM markers: its URL, or its bytes
   * (`.tlm` layout or the JSON of `rangetile jp2 index`). */
  tlmIndex?: string | URL | Uint8Array;
}

/** Options of {@link Jp2Image.readTile} and {@link Jp2Image.readRegion}. */
export interface TileOptions {
  /** Resolution level: 0 is full resolution, each level halves it. */
  level?: number;
  /** Abort the read: its requests and decode jobs are cancelled (`Aborted`). */
  signal?: AbortSignal;
  /** Decode priority (higher first, e.g. visible tiles). */
  priority?: number;
}

/** Decoded pixels: `height × width × components`, interleaved, in the smallest type
 * holding the bit depth (≤ 8 bits: `Uint8Array`/`Int8Array`, ≤ 16: `Uint16Array`/
 * `Int16Array`, else `Int32Array`). */
export interface DecodedPixels {
  /** `height × width × components` samples, interleaved, row-major. */
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array;
  /** Width in pixels (of the decoded level). */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Samples per pixel. */
  components: number;
}

/** The georeference of a JP2 file (GeoJP2 or GMLJP2). */
export interface Georef {
  /** GDAL geotransform `[x0, dx, rx, y0, ry, dy]` (pixel corner → CRS). */
  transform: number[];
  /** EPSG code of the CRS, when known. */
  epsg: number | null;
}

/** A JPEG 2000 image read with range requests. */
export interface Jp2Image {
  /** Image width in pixels (full resolution). */
  readonly width: number;
  /** Image height in pixels (full resolution). */
  readonly height: number;
  /** Components (bands) per pixel. */
  readonly components: number;
  /** Bits per sample of component 0. */
  readonly bitDepth: number;
  /** Whether component 0's samples are signed. */
  readonly signed: boolean;
  /** Nominal tile width (full resolution). */
  readonly tileWidth: number;
  /** Nominal tile height (full resolution). */
  readonly tileHeight: number;
  /** Tiles per row. */
  readonly tilesAcross: number;
  /** Tiles per column. */
  readonly tilesDown: number;
  /** Resolution levels below full resolution (decomposition levels). */
  readonly levels: number;
  /** Where the tile-part offsets came from: TLM markers, an external index, or a walk
   * over the SOT markers. */
  readonly tileIndexSource: 'tlm' | 'index' | 'sot-walk';
  /** The georeference (GeoJP2 / GMLJP2), if any. */
  readonly georef: Georef | null;
  /** Decode one tile (in the worker pool). */
  readTile(tx: number, ty: number, options?: TileOptions): Promise<DecodedPixels>;
  /** Decode the region `[x0, x1) × [y0, y1)` in pixel indices of `level` (origin at the
   * reduced image's top-left): the intersecting tiles are fetched together, decoded in the
   * worker pool and stitched. */
  readRegion(x0: number, y0: number, x1: number, y1: number, options?: TileOptions): Promise<DecodedPixels>;
}

interface RawJp2Like {
  info(): string;
  readTile(tx: number, ty: number, level: number, decoder: unknown, signal: unknown): Promise<RawTile>;
  readRegion(x0: number, y0: number, x1: number, y1: number, level: number, decoder: unknown, signal: unknown): Promise<RawTile>;
}

/** Tile decodes through the pool, cached by URL, tile and level. */
function tileDecoder(priority: number) {
  return (key: string, recipe: string, parts: Uint8Array[]) => poolSync!.submit<RawTile>('tile', recipe, parts, priority, key);
}

function pixels(t: RawTile): DecodedPixels {
  const b = t.bytes;
  const buf = b.byteOffset % 4 === 0 ? b.buffer : b.slice().buffer;
  const off = b.byteOffset % 4 === 0 ? b.byteOffset : 0;
  const data =
    t.sampleType === '|u1'
      ? new Uint8Array(buf, off, b.byteLength)
      : t.sampleType === '|i1'
        ? new Int8Array(buf, off, b.byteLength)
        : t.sampleType === '<u2'
          ? new Uint16Array(buf, off, b.byteLength / 2)
          : t.sampleType === '<i2'
            ? new Int16Array(buf, off, b.byteLength / 2)
            : new Int32Array(buf, off, b.byteLength / 4);
  return { data, width: t.width, height: t.height, components: t.components };
}

/**
 * Open a JPEG 2000 image (JP2, JPH or a raw codestream) at `url`: its header and tile-part
 * index are read with a few range requests.
 *
 * @throws {RangetileError} `NotFound`, `Format`, `Unsupported`, `Http`, `Aborted`
 */
export async function openJp2(url: string | URL, options?: Jp2OpenOptions): Promise<Jp2Image> {
  await ready();
  const t = options?.tlmIndex;
  const index = t === undefined ? undefined : t instanceof Uint8Array ? t : resolveUrl(t);
  const raw = (await wasm().openJp2(resolveUrl(url), index, rawOptions(options))) as unknown as RawJp2Like;
  const info = JSON.parse(raw.info());
  return {
    width: info.width,
    height: info.height,
    components: info.components,
    bitDepth: info.bitDepth,
    signed: info.signed,
    tileWidth: info.tileWidth,
    tileHeight: info.tileHeight,
    tilesAcross: info.tilesAcross,
    tilesDown: info.tilesDown,
    levels: info.levels,
    tileIndexSource: info.tileIndexSource,
    georef: info.georef ?? null,
    async readTile(tx, ty, o) {
      const r = await raw.readTile(tx, ty, o?.level ?? 0, tileDecoder(o?.priority ?? 0), o?.signal);
      return pixels({ ...r, bytes: r.bytes.slice() });
    },
    async readRegion(x0, y0, x1, y1, o) {
      return pixels(await raw.readRegion(x0, y0, x1, y1, o?.level ?? 0, tileDecoder(o?.priority ?? 0), o?.signal));
    },
  };
}
