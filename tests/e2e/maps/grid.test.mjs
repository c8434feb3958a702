// Unit tests of the map adapters' data model (js/adapters/grid.ts) and colormaps, in node:
// coordinate axes (descending latitudes, 0–360° longitudes wrapping, irregular spacing),
// window sampling across the longitude seam, the colormap tables and transparency.
// The TypeScript is compiled with the repository's tsconfig into a temporary directory.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
let grid, cm;

before(async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'rangetile-maps-'));
  execFileSync(path.join(repo, 'node_modules/.bin/tsc'), ['-p', path.join(repo, 'tsconfig.json'), '--outDir', out, '--declaration', 'false', '--sourceMap', 'false'], { stdio: 'inherit' });
  grid = await import(pathToFileURL(path.join(out, 'adapters/grid.js')).href);
  cm = await import(pathToFileURL(path.join(out, 'adapters/colormaps.js')).href);
});

test('descending latitudes and 0–360 longitudes', () => {
  const lat = Array.from({ length: 361 }, (_, i) => 90 - 0.5 * i);
  const lon = Array.from({ length: 720 }, (_, i) => 0.5 * i);
  const y = grid.coordinateAxis(lat);
  const x = grid.coordinateAxis(lon, true);
  assert.equal(y.indexOf(90), 0);
  assert.equal(y.indexOf(-90), 360);
  assert.equal(y.indexOf(45.1), 90);
  assert.equal(y.indexOf(91), -1);
  assert.equal(x.wraps, true);
  assert.equal(x.indexOf(10), 20);
  assert.equal(x.indexOf(-10), 700); // 350°
  assert.equal(x.indexOf(-180), 360);
  assert.equal(x.indexOf(359.9), 0); // nearest across the seam: 360° = 0°
  assert.equal(x.coordOf(700), 350);
});

test('irregular and regional axes', () => {
  const a = grid.coordinateAxis([0, 1, 3, 7, 15]);
  assert.equal(a.indexOf(2.9), 2);
  assert.equal(a.indexOf(11.5), 4);
  assert.equal(a.indexOf(-5), -1);
  const regional = grid.coordinateAxis([10, 11, 12], true);
  assert.equal(regional.wraps, false);
  assert.equal(regional.indexOf(370), -1);
  const aff = grid.affineAxis(399960, 20, 5490);
  assert.equal(aff.indexOf(399960 + 25), 1);
  assert.equal(aff.indexOf(399950), -1);
  const down = grid.affineAxis(4900020, -20, 5490);
  assert.equal(down.indexOf(4900020 - 41), 2);
  assert.equal(down.coordOf(0), 4900010);
});

test('sampling across the longitude seam reads two windows', async () => {
  const W = 8;
  const H = 4;
  const reads = [];
  const level = {
    x: grid.coordinateAxis(Array.from({ length: W }, (_, i) => 45 * i), true),
    y: grid.coordinateAxis([67.5, 22.5, -22.5, -67.5]),
    read: async (c0, r0, c1, r1) => {
      reads.push([c0, r0, c1, r1]);
      const v = new Float32Array((c1 - c0) * (r1 - r0));
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) v[(r - r0) * (c1 - c0) + (c - c0)] = 10 * r + c;
      return v;
    },
  };
  const model = { levels: [level], transparent: [] };
  // Points at lon -45 (= 315°, col 7), 0 (col 0), 45 (col 1) on row 1, and one outside.
  const xy = new Float64Array([-45, 22.5, 0, 22.5, 45, 22.5, 0, 95]);
  const v = await grid.samplePoints(model, 0, xy);
  assert.deepEqual(Array.from(v.slice(0, 3)), [17, 10, 11]);
  assert.ok(Number.isNaN(v[3]));
  assert.equal(reads.length, 2);
  assert.deepEqual(reads.map((r) => r[2] - r[0]).sort(), [1, 2]); // cols 0..1 and 7: no full-width read
});

test('colormaps: tables, ends, transparency, legend needs a DOM', () => {
  for (const name of cm.COLORMAP_NAMES) assert.equal(cm.colormapLut(name).length, 1024);
  assert.deepEqual(Array.from(cm.colormapLut('viridis').slice(0, 4)), [0x44, 0x01, 0x54, 255]);
  assert.deepEqual(Array.from(cm.colormapLut('viridis').slice(1020)), [0xfd, 0xe7, 0x25, 255]);
  assert.deepEqual(cm.colorOf(-5, { colormap: 'gray', min: 0, max: 10 }), [0, 0, 0, 255]);
  assert.deepEqual(cm.colorOf(50, { colormap: 'gray', min: 0, max: 10 }), [255, 255, 255, 255]);
  assert.deepEqual(cm.colorOf(5, { colormap: 'gray', min: 0, max: 10 }), [128, 128, 128, 255]);
  assert.deepEqual(cm.colorOf(5, { colormap: 'gray', reverse: true, min: 0, max: 10 }), [127, 127, 127, 255]);
  const out = cm.applyColormap([NaN, -9999, 1, Infinity], new Uint8Array(16), { min: 0, max: 2, transparent: [-9999] });
  assert.deepEqual(Array.from(out.slice(0, 8)), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(out[11], 255);
  assert.deepEqual(Array.from(out.slice(12)), [0, 0, 0, 0]);
  assert.throws(() => cm.colormapLut('jet'), RangeError);
  assert.throws(() => cm.createLegend({ min: 0, max: 1 }), /DOM/);
});
