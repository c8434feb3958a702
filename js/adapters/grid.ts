/**
 * The data model the map adapters share: a {@link ZarrArray}, a (multiscale) {@link ZarrGroup}
 * or a {@link Jp2Image} seen as a georeferenced raster pyramid ({@link GridModel}): its CRS,
 * extent and levels (finest first), each level able to map CRS coordinates to pixel
 * indices and to read a pixel window as float values for the current index of the extra
 * dimensions (time, level, band).
 *
 * Zarr: the spatial dimensions are found by name (`lat`/`latitude`/`y`, `lon`/`longitude`/`x`;
 * else the last two), their coordinates from 1-D coordinate arrays next to the data
 * (ascending or descending; 0–360° longitudes wrap), else from the multiscales level's
 * `scale`/`translation`, else from `options.transform`. The CRS is the multiscales `crs`,
 * the group's `proj:code`, `options.crs`, else EPSG:4326.
 * JP2: the georeference's EPSG code and GDAL affine (pixel corners), level L has pixels
 * 2^L times larger (DWT resolution levels).
 *
 * @module
 */

import type { ZarrArray, ZarrGroup, Jp2Image, ArrayDataType } from '../api.js';

/** What the adapters accept. */
export type RasterSource = ZarrArray | ZarrGroup | Jp2Image;

/** Options shared by every adapter to find the data in a source. */
export interface GridOptions {
  /** Variable to show in a group (default: the group's `rangetile:variable` attribute, the
   * only array listed by `arrays()`, else an error). */
  variable?: string;
  /** Indices of the extra (non-spatial) dimensions by name, e.g. `{ time: 3 }` (default 0). */
  index?: Record<string, number>;
  /** CRS of a Zarr source without one in its metadata (default EPSG:4326). */
  crs?: string;
  /** Coordinates of a bare Zarr array's spatial dimensions (when it has no multiscales and
   * no coordinate arrays can be opened): 1-D values per dimension name. */
  coordinates?: Record<string, ArrayLike<number>>;
  /** GDAL geotransform `[x0, dx, 0, y0, 0, dy]` (pixel corners) of a bare Zarr array. */
  transform?: readonly number[];
  /** JP2 component shown (default 0). */
  band?: number;
}

/** One 1-D axis: pixel index ↔ CRS coordinate. */
export interface Axis {
  /** Pixel count. */
  size: number;
  /** Nearest pixel index of a coordinate, or -1 outside the axis. */
  indexOf(c: number): number;
  /** Centre coordinate of a pixel. */
  coordOf(i: number): number;
  /** Absolute pixel spacing (CRS units; the mean for irregular axes). */
  step: number;
  /** True when the axis covers 360° and wraps (global longitudes). */
  wraps: boolean;
}

/** One resolution level. */
export interface GridLevel {
  /** The CRS x axis (columns) and y axis (rows). */
  x: Axis;
  y: Axis;
  /** Read the pixel window `[c0, c1) × [r0, r1)` (row-major, `(r1 - r0) × (c1 - c0)` floats;
   * NaN and fill values stay as they are). */
  read(c0: number, r0: number, c1: number, r1: number, signal?: AbortSignal): Promise<Float32Array>;
  /** For JP2: the native tile read (level pixels, `tileW × tileH` at most). */
  tile?(tx: number, ty: number, signal?: AbortSignal): Promise<{ values: Float32Array; width: number; height: number }>;
}

/** A raster pyramid. */
export interface GridModel {
  kind: 'zarr' | 'jp2';
  /** CRS code, e.g. `EPSG:4326`, `EPSG:32629`. */
  crs: string;
  /** `[minX, minY, maxX, maxY]` of the finest level's pixel corners. */
  extent: [number, number, number, number];
  /** Finest first. */
  levels: GridLevel[];
  /** Values drawn transparent besides NaN (the fill value). */
  transparent: number[];
  /** Extra dimensions: name → size (Zarr). */
  dims: Record<string, number>;
  /** Current extra-dimension indices (mutable through {@link GridModel.setIndex}). */
  index: Record<string, number>;
  setIndex(index: Record<string, number>): void;
  /** Attributes of the data array (units, long_name, valid_min, ...). */
  attrs: Record<string, unknown>;
  /** JP2 tile size at full resolution. */
  tileSize?: [number, number];
}

// ------------------------------------------------------------------ axes

const LAT = /^(lat|latitude|y|rlat|nav_lat|northing)$/i;
const LON = /^(lon|long|longitude|x|rlon|nav_lon|easting)$/i;

/** An axis from 1-D coordinate values (monotonic, ascending or descending). */
export function coordinateAxis(values: ArrayLike<number>, geographicLon = false): Axis {
  const n = values.length;
  if (n === 0) throw new RangeError('empty coordinate array');
  const v = Float64Array.from(values as ArrayLike<number>);
  const desc = n > 1 && v[n - 1]! < v[0]!;
  const step = n > 1 ? Math.abs(v[n - 1]! - v[0]!) / (n - 1) : 1;
  const wraps = geographicLon && n > 1 && Math.abs(step * n - 360) < step * 0.51;
  // Regular spacing: O(1) lookups.
  let regular = true;
  for (let i = 1; i < n && regular; i++) if (Math.abs(Math.abs(v[i]! - v[i - 1]!) - step) > step * 1e-3) regular = false;
  const first = v[0]!;
  const sgn = desc ? -1 : 1;
  const headHalf = (n > 1 ? Math.abs(v[1]! - v[0]!) : 1) / 2;
  const tailHalf = (n > 1 ? Math.abs(v[n - 1]! - v[n - 2]!) : 1) / 2;
  const lowEdge = (desc ? v[n - 1]! - tailHalf : first - headHalf) - step * 1e-4;
  const highEdge = (desc ? first + headHalf : v[n - 1]! + tailHalf) + step * 1e-4;
  const indexOf = (c0: number): number => {
    let c = c0;
    if (wraps) {
      const lo = Math.min(first, v[n - 1]!) - step / 2;
      c = ((((c - lo) % 360) + 360) % 360) + lo;
    }
    if (!Number.isFinite(c)) return -1;
    let i: number;
    if (regular) {
      i = Math.round(((c - first) * sgn) / step);
    } else {
      // Binary search in the ascending view.
      let a = 0;
      let b = n - 1;
      const at = (k: number) => (desc ? -v[k]! : v[k]!);
      const t = desc ? -c : c;
      while (b - a > 1) {
        const m = (a + b) >> 1;
        if (at(m) <= t) a = m;
        else b = m;
      }
      i = Math.abs(at(a) - t) <= Math.abs(at(b) - t) ? a : b;
    }
    if (i < 0 || i >= n) return -1;
    // Inside the axis' cells: within half the local spacing of the end pixels.
    return c >= lowEdge && c <= highEdge ? i + 0 : -1; // + 0: no -0
  };
  return { size: n, indexOf, coordOf: (i) => v[i]!, step, wraps };
}

/** An axis from an affine origin (pixel corner) and a signed pixel size. */
export function affineAxis(origin: number, pixel: number, size: number, geographicLon = false): Axis {
  const step = Math.abs(pixel);
  const wraps = geographicLon && Math.abs(step * size - 360) < step * 0.51;
  return {
    size,
    step,
    wraps,
    coordOf: (i) => origin + (i + 0.5) * pixel,
    indexOf: (c0) => {
      let c = c0;
      if (wraps) {
        const lo = Math.min(origin, origin + size * pixel);
        c = ((((c - lo) % 360) + 360) % 360) + lo;
      }
      const i = Math.floor((c - origin) / pixel);
      return Number.isFinite(i) && i >= 0 && i < size ? i : -1;
    },
  };
}

function isGeographic(crs: string): boolean {
  return /^(EPSG:4326|EPSG:4979|OGC:CRS84|CRS:84|urn:ogc:def:crs:OGC:1.3:CRS84)$/i.test(crs.trim());
}

// ------------------------------------------------------------------ Zarr

function toNumbers(d: ArrayDataType): ArrayLike<number> {
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, (x) => Number(x));
  if (Array.isArray(d)) throw new TypeError('string or object data cannot be drawn on a map');
  return d as ArrayLike<number>;
}

async function openChild(g: ZarrGroup, path: string, signal?: AbortSignal): Promise<ZarrArray | ZarrGroup | null> {
  try {
    return await g.open(path, signal ? { signal } : undefined);
  } catch (e) {
    if ((e as Error)?.name === 'NotFound') return null;
    throw e;
  }
}

function pickVariable(g: ZarrGroup, options: GridOptions): string {
  if (options.variable) return options.variable;
  const v = g.attrs['rangetile:variable'];
  if (typeof v === 'string') return v;
  const arrays = g.arrays().filter((p) => !p.includes('/') && !LAT.test(p) && !LON.test(p) && p !== 'time');
  if (arrays.length === 1) return arrays[0]!;
  throw new Error(`say which variable to show (options.variable); the group lists ${JSON.stringify(g.arrays())}`);
}

interface ZarrLevelSpec {
  array: ZarrArray;
  /** Group holding its coordinate arrays, if any. */
  group: ZarrGroup | null;
  scale: number[] | null;
  translation: number[] | null;
}

async function zarrLevel(
  spec: ZarrLevelSpec,
  crs: string,
  options: GridOptions,
  index: Record<string, number>,
  signal?: AbortSignal,
): Promise<{ level: GridLevel; yDim: number; xDim: number }> {
  const a = spec.array;
  const nd = a.shape.length;
  if (nd < 2) throw new RangeError(`a map needs at least 2 dimensions, ${a.path} has ${nd}`);
  const names = a.dimensionNames ?? a.shape.map(() => null);
  let yDim = names.findIndex((n) => n !== null && LAT.test(n));
  let xDim = names.findIndex((n) => n !== null && LON.test(n));
  if (yDim < 0 || xDim < 0 || yDim === xDim) {
    yDim = nd - 2;
    xDim = nd - 1;
  }
  const geo = isGeographic(crs);
  const axis = async (dim: number, lon: boolean): Promise<Axis> => {
    const name = names[dim];
    const size = a.shape[dim]!;
    if (name && options.coordinates?.[name]) return coordinateAxis(options.coordinates[name]!, lon && geo);
    if (name && spec.group) {
      const c = await openChild(spec.group, name, signal);
      if (c && c.kind === 'array' && c.shape.length === 1 && c.shape[0] === size) {
        const r = await c.get(null, signal ? { signal } : undefined);
        return coordinateAxis(toNumbers(r.data), lon && geo);
      }
    }
    // multiscales transforms: the scale/translation of the spatial axes (their last entries
    // when they list fewer dimensions than the array has).
    const k = (list: number[] | null) => (list ? list[list.length - (nd - dim)] ?? list[dim] : undefined);
    const s = k(spec.scale);
    const t = k(spec.translation);
    if (s !== undefined) {
      const origin = (t ?? 0) - s / 2; // translation is the first pixel's centre
      return affineAxis(origin, s, size, lon && geo);
    }
    if (options.transform && options.transform.length >= 6) {
      const tr = options.transform;
      return lon ? affineAxis(tr[0]!, tr[1]!, size, geo) : affineAxis(tr[3]!, tr[5]!, size, false);
    }
    throw new Error(`no coordinates for dimension ${name ?? dim} of ${a.path}: give options.coordinates or options.transform`);
  };
  const y = await axis(yDim, false);
  const x = await axis(xDim, true);
  const read = async (c0: number, r0: number, c1: number, r1: number, sig?: AbortSignal): Promise<Float32Array> => {
    const sel = a.shape.map((size, d) => {
      if (d === yDim) return [r0, r1] as const;
      if (d === xDim) return [c0, c1] as const;
      const name = names[d];
      const i = (name && index[name]) || 0;
      return Math.min(Math.max(0, i), size - 1);
    });
    const r = await a.get(sel, sig ? { signal: sig } : undefined);
    const src = toNumbers(r.data);
    const w = c1 - c0;
    const h = r1 - r0;
    if (yDim < xDim) return src instanceof Float32Array ? src : Float32Array.from(src);
    // Transposed (x before y): make it row-major in y.
    const out = new Float32Array(w * h);
    for (let i = 0; i < w; i++) for (let j = 0; j < h; j++) out[j * w + i] = src[i * h + j]!;
    return out;
  };
  return { level: { x, y, read }, yDim, xDim };
}

async function openZarrModel(source: ZarrArray | ZarrGroup, options: GridOptions, signal?: AbortSignal): Promise<GridModel> {
  const specs: ZarrLevelSpec[] = [];
  let crs = options.crs ?? 'EPSG:4326';
  let attrs: Record<string, unknown> = {};
  if (source.kind === 'array') {
    specs.push({ array: source, group: null, scale: null, translation: null });
  } else {
    const g = source;
    const code = g.multiscales?.crs ?? (typeof g.attrs['proj:code'] === 'string' ? (g.attrs['proj:code'] as string) : null);
    if (code && !options.crs) crs = code;
    if (g.multiscales && g.multiscales.levels.length > 0) {
      for (const l of g.multiscales.levels) {
        const node = await g.open(l.path, signal ? { signal } : undefined);
        if (node.kind === 'array') {
          specs.push({ array: node, group: g, scale: l.scale, translation: l.translation });
        } else {
          const variable = pickVariable(node, { ...options, variable: options.variable ?? (g.attrs['rangetile:variable'] as string | undefined) });
          const arr = await node.open(variable, signal ? { signal } : undefined);
          if (arr.kind !== 'array') throw new Error(`${node.path}/${variable} is a group, not an array`);
          specs.push({ array: arr, group: node, scale: l.scale, translation: l.translation });
        }
      }
    } else {
      const variable = pickVariable(g, options);
      const arr = await g.open(variable, signal ? { signal } : undefined);
      if (arr.kind !== 'array') throw new Error(`${variable} is a group, not an array`);
      specs.push({ array: arr, group: g, scale: null, translation: null });
    }
  }
  const first = specs[0]!.array;
  attrs = first.attrs;
  const index: Record<string, number> = { ...(options.index ?? {}) };
  const levels: GridLevel[] = [];
  let dims: Record<string, number> = {};
  for (const s of specs) {
    const { level, yDim, xDim } = await zarrLevel(s, crs, options, index, signal);
    levels.push(level);
    if (s === specs[0]) {
      const names = s.array.dimensionNames ?? s.array.shape.map((_, i) => `dim_${i}`);
      dims = {};
      s.array.shape.forEach((n, d) => {
        if (d !== yDim && d !== xDim) dims[names[d] ?? `dim_${d}`] = n;
      });
    }
  }
  // Finest first.
  levels.sort((p, q) => p.x.step - q.x.step);
  const f = levels[0]!;
  const xs = [f.x.coordOf(0), f.x.coordOf(f.x.size - 1)];
  const ys = [f.y.coordOf(0), f.y.coordOf(f.y.size - 1)];
  const extent: [number, number, number, number] = [
    Math.min(...xs) - f.x.step / 2,
    Math.min(...ys) - f.y.step / 2,
    Math.max(...xs) + f.x.step / 2,
    Math.max(...ys) + f.y.step / 2,
  ];
  const fill = first.fillValue;
  const transparent = typeof fill === 'number' && Number.isFinite(fill) ? [fill] : [];
  return {
    kind: 'zarr',
    crs,
    extent,
    levels,
    transparent,
    dims,
    index,
    attrs,
    setIndex(next) {
      for (const [k, v] of Object.entries(next)) index[k] = v;
    },
  };
}

// ------------------------------------------------------------------ JP2

function isJp2(s: RasterSource): s is Jp2Image {
  return typeof (s as Jp2Image).readTile === 'function';
}

function openJp2Model(img: Jp2Image, options: GridOptions): GridModel {
  const g = img.georef;
  const t = g?.transform ?? [0, 1, 0, 0, 0, -1];
  if (t[2] !== 0 || t[4] !== 0) throw new Error('rotated JP2 georeferences are not supported');
  const crs = g?.epsg ? `EPSG:${g.epsg}` : options.crs ?? 'pixel';
  const band = options.band ?? 0;
  if (band < 0 || band >= img.components) throw new RangeError(`band ${band} of ${img.components} components`);
  const levels: GridLevel[] = [];
  for (let L = 0; L <= img.levels; L++) {
    const f = 2 ** L;
    const w = Math.ceil(img.width / f);
    const h = Math.ceil(img.height / f);
    const pick = (d: { data: ArrayLike<number>; width: number; height: number; components: number }) => {
      const out = new Float32Array(d.width * d.height);
      for (let i = 0; i < out.length; i++) out[i] = d.data[i * d.components + band]!;
      return out;
    };
    levels.push({
      x: affineAxis(t[0]!, t[1]! * f, w),
      y: affineAxis(t[3]!, t[5]! * f, h),
      read: async (c0, r0, c1, r1, signal) =>
        pick(await img.readRegion(c0, r0, c1, r1, signal ? { level: L, signal } : { level: L })),
      tile: async (tx, ty, signal) => {
        const d = await img.readTile(tx, ty, signal ? { level: L, signal } : { level: L });
        return { values: pick(d), width: d.width, height: d.height };
      },
    });
  }
  const x1 = t[0]! + img.width * t[1]!;
  const y1 = t[3]! + img.height * t[5]!;
  return {
    kind: 'jp2',
    crs,
    extent: [Math.min(t[0]!, x1), Math.min(t[3]!, y1), Math.max(t[0]!, x1), Math.max(t[3]!, y1)],
    levels,
    transparent: [],
    dims: {},
    index: {},
    setIndex() {},
    attrs: {},
    tileSize: [img.tileWidth, img.tileHeight],
  };
}

/**
 * The raster pyramid of a source.
 *
 * @throws {Error} no spatial coordinates, several candidate variables, a rotated JP2 grid
 */
export async function openGrid(source: RasterSource, options: GridOptions = {}, signal?: AbortSignal): Promise<GridModel> {
  if (isJp2(source)) return openJp2Model(source, options);
  return openZarrModel(source, options, signal);
}

// ------------------------------------------------------------------ sampling

/** The level whose pixels are closest to (not larger than) `pixelSize` CRS units, else the
 * finest. */
export function levelFor(model: GridModel, pixelSize: number): number {
  let best = 0;
  model.levels.forEach((l, i) => {
    if (l.x.step <= pixelSize * 1.01) best = i;
  });
  return best;
}

/**
 * Values at `n` points given in the model's CRS (`xy` = x0, y0, x1, y1, ...): nearest
 * pixel of `level`, NaN outside the data. One window read (two when it straddles the
 * longitude seam).
 */
export async function samplePoints(model: GridModel, level: number, xy: Float64Array, signal?: AbortSignal): Promise<Float32Array> {
  const l = model.levels[level]!;
  const n = xy.length / 2;
  const cols = new Int32Array(n);
  const rows = new Int32Array(n);
  let rmin = Infinity;
  let rmax = -1;
  let lowMax = -1; // columns in the left half
  let highMin = Infinity; // columns in the right half
  let cmin = Infinity;
  let cmax = -1;
  const half = l.x.size / 2;
  for (let i = 0; i < n; i++) {
    const c = l.x.indexOf(xy[2 * i]!);
    const r = l.y.indexOf(xy[2 * i + 1]!);
    if (c < 0 || r < 0) {
      cols[i] = -1;
      continue;
    }
    cols[i] = c;
    rows[i] = r;
    if (r < rmin) rmin = r;
    if (r > rmax) rmax = r;
    if (c < cmin) cmin = c;
    if (c > cmax) cmax = c;
    if (c < half) lowMax = Math.max(lowMax, c);
    else highMin = Math.min(highMin, c);
  }
  const out = new Float32Array(n).fill(NaN);
  if (rmax < 0) return out;
  const windows: [number, number][] =
    l.x.wraps && lowMax >= 0 && highMin < Infinity && cmax - cmin > half ? [[0, lowMax + 1], [highMin, l.x.size]] : [[cmin, cmax + 1]];
  const data = await Promise.all(windows.map(([c0, c1]) => l.read(c0, rmin, c1, rmax + 1, signal)));
  for (let i = 0; i < n; i++) {
    const c = cols[i]!;
    if (c < 0) continue;
    const k = windows.length === 2 && c >= windows[1]![0] ? 1 : 0;
    const [c0, c1] = windows[k]!;
    out[i] = data[k]![(rows[i]! - rmin) * (c1 - c0) + (c - c0)]!;
  }
  return out;
}

/**
 * Values of a `width × height` raster covering `extent` (model CRS, `[minX, minY, maxX,
 * maxY]`, row 0 at maxY), sampled at pixel centres from the level matching its pixel size.
 */
export async function sampleExtent(
  model: GridModel,
  extent: readonly number[],
  width: number,
  height: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const [x0, y0, x1, y1] = extent as [number, number, number, number];
  const px = (x1 - x0) / width;
  const level = levelFor(model, Math.min(px, (y1 - y0) / height));
  const xy = new Float64Array(2 * width * height);
  for (let j = 0; j < height; j++) {
    const y = y1 - (j + 0.5) * ((y1 - y0) / height);
    for (let i = 0; i < width; i++) {
      xy[2 * (j * width + i)] = x0 + (i + 0.5) * px;
      xy[2 * (j * width + i) + 1] = y;
    }
  }
  return samplePoints(model, level, xy, signal);
}
