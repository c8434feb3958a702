/**
 * MapLibre GL JS adapter: {@link createMapLibreSource} registers a custom protocol that
 * serves web-mercator PNG tiles resampled from a {@link ZarrArray}, a multiscale
 * {@link ZarrGroup} or a {@link Jp2Image} (see webmercator.ts: geographic grids directly,
 * projected data through proj4), and returns a raster source specification to add to the
 * map. The request's AbortController cancels the reads of tiles MapLibre no longer needs.
 *
 * ```js
 * import maplibregl from 'maplibre-gl';
 * const raster = await createMapLibreSource(await openJp2(url), { colormap: 'gray', range: [1000, 3000] });
 * map.addSource('s2', raster.source);
 * map.addLayer({ id: 's2', type: 'raster', source: 's2' });
 * raster.setIndex({ time: 2 }); // reloads the source's tiles
 * ```
 *
 * @module
 */

import maplibregl from 'maplibre-gl';
import type { Colormap } from './colormaps.js';
import { openGrid, type GridModel, type GridOptions, type RasterSource } from './grid.js';
import { renderMercatorTile, proj4Definition } from './webmercator.js';

/** Options of {@link createMapLibreSource}. */
export interface MapLibreSourceOptions extends GridOptions {
  colormap?: Colormap;
  reverse?: boolean;
  /** Values at the colormap's ends (JP2 default: the bit depth's range). */
  range?: [number, number];
  /** Tile size in pixels (default 256). */
  tileSize?: number;
  /** proj4 definition of a projected CRS that is not a WGS 84 / UTM zone. */
  proj4?: string;
  /** Protocol name (default `rangetile-<n>`, unique per source). */
  protocol?: string;
  /** The maplibre-gl module to register the protocol with (default: the one this package
   * imports; pass yours when the app bundles its own copy). */
  maplibre?: { addProtocol: typeof maplibregl.addProtocol; removeProtocol: typeof maplibregl.removeProtocol };
  /** Called after each tile is served. */
  onTile?: (z: number, x: number, y: number) => void;
}

/** What {@link createMapLibreSource} returns. */
export interface MapLibreRaster {
  model: GridModel;
  /** A raster source specification for `map.addSource(id, source)`. */
  source: { type: 'raster'; tiles: string[]; tileSize: number; bounds: [number, number, number, number]; minzoom: number; maxzoom: number };
  /** Other extra-dimension indices; call `refresh(map, sourceId)` afterwards. */
  setIndex(index: Record<string, number>): void;
  setStyle(style: { colormap?: Colormap; range?: [number, number]; reverse?: boolean }): void;
  /** Reload the tiles of the source `sourceId` on `map` (after setIndex/setStyle). */
  refresh(map: { getSource(id: string): unknown }, sourceId: string): void;
  /** Unregister the protocol. */
  remove(): void;
}

let counter = 0;

async function pngOf(rgba: Uint8ClampedArray, size: number): Promise<ArrayBuffer> {
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, size, size), 0, 0);
  return (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer();
}

/**
 * A MapLibre raster source (custom protocol) for a Zarr array or group, or a JP2 image.
 *
 * @throws {Error} no coordinates, an unknown CRS without `options.proj4`, no range
 */
export async function createMapLibreSource(source: RasterSource, options: MapLibreSourceOptions = {}): Promise<MapLibreRaster> {
  const model = await openGrid(source, options);
  const size = options.tileSize ?? 256;
  const lib = options.maplibre ?? maplibregl;
  const protocol = options.protocol ?? `rangetile-${++counter}`;
  let range = options.range;
  if (!range) {
    const bits = (source as { bitDepth?: number }).bitDepth;
    const a = model.attrs;
    if (Number.isFinite(Number(a['valid_min'])) && Number.isFinite(Number(a['valid_max']))) range = [Number(a['valid_min']), Number(a['valid_max'])];
    else if (bits) range = [0, 2 ** bits - 1];
    else throw new Error('give options.range (the values at the colormap ends)');
  }
  const style = { colormap: options.colormap ?? ('viridis' as Colormap), reverse: options.reverse ?? false, min: range[0], max: range[1] };
  let version = 0;
  lib.addProtocol(protocol, async (params, abort) => {
    const m = /\/(\d+)\/(\d+)\/(\d+)(?:\?|$)/.exec(params.url);
    if (!m) throw new Error(`bad tile URL ${params.url}`);
    const [z, x, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const rgba = await renderMercatorTile(model, z, x, y, size, style, abort.signal, options.proj4);
    options.onTile?.(z, x, y);
    return { data: await pngOf(rgba, size) };
  });
  // Bounds in degrees (for MapLibre not to ask for tiles outside the data).
  let bounds: [number, number, number, number] = [-180, -85.0511, 180, 85.0511];
  if (/^EPSG:4326$/i.test(model.crs)) {
    const [w, s, e, n] = model.extent;
    bounds = model.levels[0]!.x.wraps || e - w >= 359 ? [-180, Math.max(s, -85.0511), 180, Math.min(n, 85.0511)] : [w, Math.max(s, -85.0511), e, Math.min(n, 85.0511)];
  } else {
    const def = proj4Definition(model.crs, options.proj4);
    if (def) {
      const { default: proj4 } = await import('proj4');
      const t = proj4(def, 'EPSG:4326');
      const [x0, y0, x1, y1] = model.extent;
      const corners = [[x0, y0], [x0, y1], [x1, y0], [x1, y1]].map((p) => t.forward(p));
      bounds = [Math.min(...corners.map((c) => c[0]!)), Math.min(...corners.map((c) => c[1]!)), Math.max(...corners.map((c) => c[0]!)), Math.max(...corners.map((c) => c[1]!))];
    }
  }
  const tiles = () => [`${protocol}://tiles/{z}/{x}/{y}?v=${version}`];
  const spec = { type: 'raster' as const, tiles: tiles(), tileSize: size, bounds, minzoom: 0, maxzoom: 22 };
  return {
    model,
    source: spec,
    setIndex(index) {
      model.setIndex(index);
      version++;
    },
    setStyle(s) {
      if (s.colormap !== undefined) style.colormap = s.colormap;
      if (s.reverse !== undefined) style.reverse = s.reverse;
      if (s.range) [style.min, style.max] = s.range;
      version++;
    },
    refresh(map, sourceId) {
      const src = map.getSource(sourceId) as { setTiles?: (t: string[]) => void } | undefined;
      src?.setTiles?.(tiles());
    },
    remove() {
      lib.removeProtocol(protocol);
    },
  };
}
