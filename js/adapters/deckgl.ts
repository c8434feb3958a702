/**
 * deck.gl adapter: {@link createDeckGLLayer} shows a {@link ZarrArray}, a multiscale
 * {@link ZarrGroup} or a {@link Jp2Image} as a `TileLayer` of `BitmapLayer` tiles in the
 * web-mercator `MapView`. Each tile is resampled from the level matching its pixel size
 * and coloured by the colormap; `getTileData` passes deck.gl's AbortSignal to the reads.
 *
 * Geographic grids (EPSG:4326, 0–360° or −180–180° longitudes, either latitude order) map
 * directly. Projected data (a JP2 in UTM, a Zarr store with `proj:code`) is resampled per
 * pixel through proj4: WGS 84 / UTM zones are built in, any other CRS needs
 * `options.proj4`. EPSG:3857 data works the same way.
 *
 * ```js
 * import { Deck } from '@deck.gl/core';
 * const layer = await createDeckGLLayer(await openZarr(url), { colormap: 'temperature', range: [230, 310] });
 * new Deck({ initialViewState: { longitude: 0, latitude: 20, zoom: 1 }, controller: true, layers: [layer] });
 * ```
 *
 * @module
 */

import { TileLayer } from '@deck.gl/geo-layers';
import { BitmapLayer } from '@deck.gl/layers';
import type { Colormap } from './colormaps.js';
import { openGrid, type GridModel, type GridOptions, type RasterSource } from './grid.js';
import { renderMercatorTile } from './webmercator.js';

/** Options of {@link createDeckGLLayer}. */
export interface DeckGLLayerOptions extends GridOptions {
  /** Layer id (default `rangetile`). */
  id?: string;
  colormap?: Colormap;
  reverse?: boolean;
  /** Values at the colormap's ends (required for Zarr sources without valid_min/max). */
  range?: [number, number];
  /** Tile size in pixels (default 256). */
  tileSize?: number;
  /** proj4 definition of a projected CRS that is not a WGS 84 / UTM zone. */
  proj4?: string;
  /** Called after each tile is resampled and coloured. */
  onTile?: (z: number, x: number, y: number) => void;
  /** Extra TileLayer props (minZoom, maxZoom, opacity, ...). */
  layerProps?: Record<string, unknown>;
}

/** The layer and its data model; `layer(index)` makes the same layer for other extra-dimension
 * indices (deck.gl layers are immutable: pass the new layer to `deck.setProps`). */
export interface DeckGLRaster {
  model: GridModel;
  layer: TileLayer;
  /** A layer for other indices (e.g. `{ time: 3 }`) or another style. */
  update(change: { index?: Record<string, number>; colormap?: Colormap; range?: [number, number] }): TileLayer;
}

function rangeOf(model: GridModel, source: RasterSource, range?: [number, number]): [number, number] {
  if (range) return range;
  const a = model.attrs;
  const lo = Number(a['valid_min']);
  const hi = Number(a['valid_max']);
  if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) return [lo, hi];
  const bits = (source as { bitDepth?: number }).bitDepth;
  if (bits) return [0, 2 ** bits - 1];
  throw new Error('give options.range (the values at the colormap ends)');
}

/**
 * A deck.gl TileLayer (BitmapLayer tiles) for a Zarr array or group, or a JP2 image.
 *
 * @throws {Error} no coordinates, an unknown CRS without `options.proj4`, no range
 */
export async function createDeckGLLayer(source: RasterSource, options: DeckGLLayerOptions = {}): Promise<DeckGLRaster> {
  const model = await openGrid(source, options);
  let style = { colormap: options.colormap ?? 'viridis', reverse: options.reverse ?? false, ...toMinMax(rangeOf(model, source, options.range)) };
  const size = options.tileSize ?? 256;
  const make = (): TileLayer => {
    const key = JSON.stringify([model.index, style.colormap, style.reverse, style.min, style.max]);
    const s = style;
    return new TileLayer({
      id: options.id ?? 'rangetile',
      tileSize: size,
      updateTriggers: { getTileData: key },
      getTileData: async ({ index, signal }: { index: { x: number; y: number; z: number }; signal?: AbortSignal }) => {
        const rgba = await renderMercatorTile(model, index.z, index.x, index.y, size, s, signal, options.proj4);
        options.onTile?.(index.z, index.x, index.y);
        return new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, size, size);
      },
      renderSubLayers: (props: Record<string, unknown>) => {
        const tile = props['tile'] as { boundingBox: [[number, number], [number, number]] };
        const [[w, s0], [e, n]] = tile.boundingBox;
        return new BitmapLayer(props as object, { data: undefined, image: props['data'] as ImageData, bounds: [w, s0, e, n] });
      },
      ...(options.layerProps ?? {}),
    });
  };
  return {
    model,
    layer: make(),
    update(change) {
      if (change.index) model.setIndex(change.index);
      if (change.colormap) style = { ...style, colormap: change.colormap };
      if (change.range) style = { ...style, ...toMinMax(change.range) };
      return make();
    },
  };
}

function toMinMax(r: [number, number]): { min: number; max: number } {
  return { min: r[0], max: r[1] };
}
