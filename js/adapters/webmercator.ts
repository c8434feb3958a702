/**
 * Web-mercator tiles resampled from a {@link GridModel}, for the deck.gl and MapLibre
 * adapters: XYZ tile → pixel-centre longitudes/latitudes (rows equally spaced in mercator
 * y, so a tile drawn between its corners is exact) → the data's CRS (identity for
 * EPSG:4326, proj4 otherwise: WGS 84 / UTM codes are built in, others need a definition)
 * → nearest pixel of the level matching the tile's pixel size → RGBA by the colormap.
 *
 * @module
 */

import proj4 from 'proj4';
import { applyColormap, type Colormap } from './colormaps.js';
import { levelFor, samplePoints, type GridModel } from './grid.js';

/** proj4 definition of a CRS code: given, EPSG:4326/3857, or a WGS 84 / UTM zone. */
export function proj4Definition(code: string, definition?: string): string | null {
  if (definition) return definition;
  if (/^EPSG:4326$/i.test(code)) return '+proj=longlat +datum=WGS84 +no_defs';
  if (/^EPSG:3857$/i.test(code)) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  const m = /^EPSG:(32[67])(\d\d)$/i.exec(code);
  if (m) {
    const zone = Number(m[2]);
    if (zone >= 1 && zone <= 60) return `+proj=utm +zone=${zone}${m[1] === '327' ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
  }
  return null;
}

/** `[west, south, east, north]` in degrees of an XYZ web-mercator tile. */
export function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const n = 2 ** z;
  const lat = (t: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * t) / n))) * 180) / Math.PI;
  return [(x / n) * 360 - 180, lat(y + 1), ((x + 1) / n) * 360 - 180, lat(y)];
}

/** A colour scale. */
export interface TileStyle {
  colormap: Colormap;
  reverse?: boolean;
  min: number;
  max: number;
}

/**
 * RGBA (`size × size × 4`) of the web-mercator tile z/x/y, transparent outside the data.
 *
 * @param proj4Def definition of the model's CRS when {@link proj4Definition} lacks it
 * @throws {Error} an unknown CRS
 */
export async function renderMercatorTile(
  model: GridModel,
  z: number,
  x: number,
  y: number,
  size: number,
  style: TileStyle,
  signal?: AbortSignal,
  proj4Def?: string,
): Promise<Uint8ClampedArray> {
  const n = 2 ** z;
  const geo = /^EPSG:4326$/i.test(model.crs);
  let forward: ((p: [number, number]) => number[]) | null = null;
  if (!geo) {
    const def = proj4Definition(model.crs, proj4Def);
    if (!def) throw new Error(`unknown CRS ${model.crs}: give its proj4 definition`);
    const t = proj4('EPSG:4326', def);
    forward = (p) => t.forward(p);
  }
  const xy = new Float64Array(2 * size * size);
  for (let j = 0; j < size; j++) {
    const my = y + (j + 0.5) / size;
    const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * my) / n))) * 180) / Math.PI;
    for (let i = 0; i < size; i++) {
      const lon = ((x + (i + 0.5) / size) / n) * 360 - 180;
      const k = 2 * (j * size + i);
      if (forward) {
        const p = forward([lon, lat]);
        xy[k] = p[0]!;
        xy[k + 1] = p[1]!;
      } else {
        xy[k] = lon;
        xy[k + 1] = lat;
      }
    }
  }
  // Pixel size in data units at the tile's centre.
  const c = 2 * ((size >> 1) * size + (size >> 1));
  const px = Math.hypot(xy[c + 2]! - xy[c]!, xy[c + 3]! - xy[c + 1]!);
  const values = await samplePoints(model, levelFor(model, px), xy, signal);
  const out = new Uint8ClampedArray(4 * size * size);
  applyColormap(values, out, { ...style, transparent: model.transparent });
  return out;
}
