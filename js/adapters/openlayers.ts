/**
 * OpenLayers adapter: {@link createOpenLayersSource} turns a {@link ZarrArray}, a
 * multiscale {@link ZarrGroup} or a {@link Jp2Image} into an `ol/source/DataTile` (RGBA
 * tiles for an `ol/layer/WebGLTile`).
 *
 * - Projection and tile grid come from the data: Zarr in its CRS (EPSG:4326 for lat/lon
 *   grids; 0–360° longitudes are shown on −180…180, descending latitudes are handled), one
 *   tile-grid resolution per multiscales level; JP2 in its georeference's EPSG code
 *   (UTM codes are registered through proj4 when OpenLayers lacks them; others need
 *   `options.proj4`) with one resolution per JPEG 2000 resolution level, and OpenLayers tiles
 *   equal to the codestream's tiles, so a zoomed-out view reads only low-resolution bytes.
 * - Extra dimensions (time, level, band) are chosen by `index`; {@link
 *   RangetileTileSource.setIndex} changes them without recreating the layer (old tiles stay
 *   until the new ones arrive).
 * - Values are coloured by a colormap and a range ({@link applyColormap}); NaN and the fill
 *   value are transparent; {@link RangetileTileSource.setStyle} recolours from cached values.
 * - The loader passes the AbortSignal OpenLayers gives it to every read.
 *
 * ```js
 * import WebGLTileLayer from 'ol/layer/WebGLTile.js';
 * const group = await openZarr('https://example.org/era5.zarr');
 * const source = await createOpenLayersSource(group, { colormap: 'temperature', range: [230, 310], index: { time: 0 } });
 * map.addLayer(new WebGLTileLayer({ source }));
 * source.setIndex({ time: 5 });
 * ```
 *
 * @module
 */

import DataTileSource from 'ol/source/DataTile.js';
import TileGrid from 'ol/tilegrid/TileGrid.js';
import { get as getProjection } from 'ol/proj.js';
import Projection from 'ol/proj/Projection.js';
import { register } from 'ol/proj/proj4.js';
import proj4 from 'proj4';
import { applyColormap, type Colormap } from './colormaps.js';
import { openGrid, sampleExtent, type GridModel, type GridOptions, type RasterSource } from './grid.js';

/** Options of {@link createOpenLayersSource}. */
export interface OpenLayersSourceOptions extends GridOptions {
  /** Colormap (default `viridis`; `gray` suits single bands). */
  colormap?: Colormap;
  reverse?: boolean;
  /** Values mapped to the colormap's ends (default: `valid_min`/`valid_max` attributes,
   * else the range of the coarsest level at the current index; JP2: the bit depth's range). */
  range?: [number, number];
  /** Tile size in pixels of Zarr tiles (default 256). JP2 tiles are the codestream's. */
  tileSize?: number;
  /** proj4 definition of the data's CRS when neither OpenLayers nor the built-in UTM
   * definitions know it. */
  proj4?: string;
  /** Most decoded tiles kept for recolouring (default 256). */
  cacheTiles?: number;
  /** Most bytes of decoded values kept for recolouring (default 64 MiB). Whichever of
   * `cacheTiles` and `cacheBytes` is reached first evicts the least recently used tile:
   * JPEG 2000 tiles are large (a 1024² tile is 4 MiB of values), so a count alone would
   * let the cache grow to gigabytes. */
  cacheBytes?: number;
  /** Called after each tile is coloured (for counters). */
  onTile?: (z: number, x: number, y: number) => void;
  /** Whether the source wraps around the antimeridian (default: global longitude grids). */
  wrapX?: boolean;
}

/**
 * Make sure OpenLayers knows a CRS: EPSG:4326/3857 are built in, WGS 84 / UTM zones
 * (EPSG:326zz north, 327zz south) are defined here, others need `definition`.
 *
 * @throws {Error} an unknown CRS without a definition
 */
export function ensureProjection(code: string, definition?: string): void {
  if (getProjection(code)) return;
  let def = definition;
  const m = /^EPSG:(32[67])(\d\d)$/i.exec(code);
  if (!def && m) {
    const zone = Number(m[2]);
    if (zone >= 1 && zone <= 60) def = `+proj=utm +zone=${zone}${m[1] === '327' ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
  }
  if (!def) throw new Error(`OpenLayers does not know ${code}: give its proj4 definition (options.proj4)`);
  proj4.defs(code, def);
  register(proj4);
  if (!getProjection(code)) throw new Error(`could not register ${code}`);
}

/** A DataTile source reading through rangetile. */
export class RangetileTileSource extends DataTileSource {
  /** The data model (levels, CRS, extra dimensions). */
  readonly model: GridModel;
  private scale: { colormap: Colormap; reverse: boolean; min: number; max: number };
  private readonly values = new Map<string, { v: Float32Array; w: number; h: number }>();
  private readonly maxCache: number;
  private readonly maxCacheBytes: number;
  private cachedBytes = 0;

  /** @internal use {@link createOpenLayersSource} */
  constructor(
    model: GridModel,
    grid: TileGrid,
    projection: string | Projection,
    scale: { colormap: Colormap; reverse: boolean; min: number; max: number },
    options: OpenLayersSourceOptions,
    load: (z: number, x: number, y: number, signal: AbortSignal) => Promise<{ v: Float32Array; w: number; h: number }>,
  ) {
    super({
      projection,
      tileGrid: grid,
      wrapX: options.wrapX ?? false,
      interpolate: false,
      transition: 0,
      bandCount: 4,
      key: keyOf(model.index),
      loader: async (z, x, y, { signal }) => {
        const k = `${z}/${x}/${y}|${keyOf(model.index)}`;
        const t = this.values.get(k) ?? (await load(z, x, y, signal));
        this.remember(k, t);
        const rgba = this.colour(t, grid.getTileSize(z));
        options.onTile?.(z, x, y);
        return rgba;
      },
    });
    this.model = model;
    this.scale = scale;
    this.maxCache = options.cacheTiles ?? 256;
    this.maxCacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  }

  /** Keep `t` as the most recently used tile; evict the least recently used ones past the
   * tile count or the byte budget (the newest one always stays). */
  private remember(k: string, t: { v: Float32Array; w: number; h: number }): void {
    const old = this.values.get(k);
    if (old) {
      this.values.delete(k);
      this.cachedBytes -= old.v.byteLength;
    }
    this.values.set(k, t);
    this.cachedBytes += t.v.byteLength;
    for (const [key, e] of this.values) {
      if (this.values.size <= 1 || (this.values.size <= this.maxCache && this.cachedBytes <= this.maxCacheBytes)) break;
      this.values.delete(key);
      this.cachedBytes -= e.v.byteLength;
    }
  }

  private colour(t: { v: Float32Array; w: number; h: number }, size: number | number[]): Uint8Array {
    const [tw, th] = typeof size === 'number' ? [size, size] : [size[0]!, size[1]!];
    const rgba = new Uint8Array(tw * th * 4);
    const s = { ...this.scale, transparent: this.model.transparent };
    if (t.w === tw && t.h === th) return applyColormap(t.v, rgba, s);
    // A partial edge tile (JP2): colour its rows into the full tile, the rest transparent.
    const row = new Uint8Array(t.w * 4);
    for (let j = 0; j < Math.min(t.h, th); j++) {
      applyColormap(t.v.subarray(j * t.w, (j + 1) * t.w), row, s);
      rgba.set(row.subarray(0, Math.min(t.w, tw) * 4), j * tw * 4);
    }
    return rgba;
  }

  /** The current extra-dimension indices. */
  getIndex(): Record<string, number> {
    return { ...this.model.index };
  }

  /** Show other indices of the extra dimensions (e.g. `{ time: 5 }`): tiles reload, the
   * layer stays. */
  setIndex(index: Record<string, number>): void {
    this.model.setIndex(index);
    this.setKey(keyOf(this.model.index));
  }

  /** Change the colormap or range: tiles are recoloured from cached values. */
  setStyle(style: { colormap?: Colormap; reverse?: boolean; range?: [number, number] }): void {
    if (style.colormap !== undefined) this.scale.colormap = style.colormap;
    if (style.reverse !== undefined) this.scale.reverse = style.reverse;
    if (style.range) [this.scale.min, this.scale.max] = style.range;
    this.setKey(`${keyOf(this.model.index)}|${this.scale.colormap}|${this.scale.reverse}|${this.scale.min}|${this.scale.max}`);
  }

  /** The current colour scale (for a legend). */
  getStyle(): { colormap: Colormap; reverse: boolean; range: [number, number] } {
    return { colormap: this.scale.colormap, reverse: this.scale.reverse, range: [this.scale.min, this.scale.max] };
  }
}

function keyOf(index: Record<string, number>): string {
  return Object.keys(index)
    .sort()
    .map((k) => `${k}=${index[k]}`)
    .join(',');
}

async function defaultRange(model: GridModel, source: RasterSource): Promise<[number, number]> {
  const a = model.attrs;
  const vmin = Number(a['valid_min']);
  const vmax = Number(a['valid_max']);
  if (Number.isFinite(vmin) && Number.isFinite(vmax) && vmax > vmin) return [vmin, vmax];
  if (model.kind === 'jp2') {
    const img = source as { bitDepth: number; signed: boolean };
    return img.signed ? [-(2 ** (img.bitDepth - 1)), 2 ** (img.bitDepth - 1) - 1] : [0, 2 ** img.bitDepth - 1];
  }
  const l = model.levels[model.levels.length - 1]!;
  if (l.x.size * l.y.size > 4_000_000) {
    throw new Error(`give options.range: the coarsest level (${l.x.size}×${l.y.size}) is too large to scan for one`);
  }
  const v = await l.read(0, 0, l.x.size, l.y.size);
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    if (!Number.isFinite(x) || model.transparent.includes(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return hi > lo ? [lo, hi] : [0, 1];
}

/**
 * An OpenLayers DataTile source (RGBA) for a Zarr array or group, or a JP2 image.
 *
 * @throws {Error} no coordinates for the spatial dimensions, an unknown CRS without
 *   `options.proj4`, several candidate variables without `options.variable`
 */
export async function createOpenLayersSource(source: RasterSource, options: OpenLayersSourceOptions = {}): Promise<RangetileTileSource> {
  const model = await openGrid(source, options);
  let projection: string | Projection = model.crs;
  if (model.crs === 'pixel') {
    // No georeference: pixel coordinates (x right, y up from the bottom edge).
    projection = new Projection({ code: 'rangetile-pixels', units: 'pixels', extent: model.extent });
  } else {
    ensureProjection(model.crs, options.proj4);
  }
  const [min, max] = options.range ?? (await defaultRange(model, source));
  const scale = { colormap: options.colormap ?? 'viridis', reverse: options.reverse ?? false, min, max };

  if (model.kind === 'jp2') {
    // One OpenLayers zoom per resolution level, coarsest first; tiles = codestream tiles.
    const [tw, th] = model.tileSize!;
    const n = model.levels.length;
    const extent = model.extent;
    const resolutions: number[] = [];
    const sizes: [number, number][] = [];
    for (let z = 0; z < n; z++) {
      const L = n - 1 - z;
      resolutions.push(model.levels[L]!.x.step);
      sizes.push([Math.ceil(tw / 2 ** L), Math.ceil(th / 2 ** L)]);
    }
    const grid = new TileGrid({ extent, origin: [extent[0], extent[3]], resolutions, tileSizes: sizes });
    return new RangetileTileSource(model, grid, projection, scale, options, async (z, x, y, signal) => {
      const t = await model.levels[n - 1 - z]!.tile!(x, y, signal);
      return { v: t.values, w: t.width, h: t.height };
    });
  }

  // Zarr: a grid in the data's CRS, one resolution per level (coarsest first).
  const size = options.tileSize ?? 256;
  const geo = /^EPSG:4326$/i.test(model.crs);
  const globalLon = geo && model.levels[0]!.x.wraps;
  const extent: [number, number, number, number] = geo
    ? [globalLon ? -180 : model.extent[0], Math.max(-90, model.extent[1]), globalLon ? 180 : model.extent[2], Math.min(90, model.extent[3])]
    : model.extent;
  const resolutions = model.levels.map((l) => l.x.step).reverse();
  const grid = new TileGrid({ extent, origin: [extent[0], extent[3]], resolutions, tileSize: size });
  const withWrap = { ...options, wrapX: options.wrapX ?? globalLon };
  return new RangetileTileSource(model, grid, model.crs, scale, withWrap, async (z, x, y, signal) => {
    const e = grid.getTileCoordExtent([z, x, y]);
    const v = await sampleExtent(model, e, size, size, signal);
    return { v, w: size, h: size };
  });
}
