// End-to-end: the map demo pages (www/openlayers-*.html) in Debian's chromium through
// playwright-core, served by the range server as `npm run demo` serves them. For each page:
// waits for window.rangetileDemo.ready, asserts tiles rendered and a clean console, checks
// screenshot pixels at known map points against the colour the data value should get
// (values read independently with zarr-python / numpy from the generated files), then
// pans/zooms and asserts the requests stay proportional to the tiles shown.
// Screenshots: test-results/maps-*.png.
//   node --test tests/e2e/maps.test.mjs     (needs pkg/ + dist/ built: npm run build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startSiteServer, watchedPage } from './browser.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PY = path.join(repo, '.cache/demo-venv/bin/python');

let server, browser;

before(async () => {
  execFileSync('bash', [path.join(repo, 'scripts/demo-data/generate.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(repo, 'scripts/demo-data/build-bundles.mjs')], { stdio: 'inherit' });
  await mkdir(path.join(repo, 'test-results'), { recursive: true });
  server = await startSiteServer();
  browser = await launchChromium({ webgl: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Open a demo page, collect console problems, wait for ready. */
async function openDemo(name, query = '') {
  const { page, problems } = await watchedPage(browser, {
    viewport: { width: 1000, height: 640 },
    // SwiftShader's "GPU stall due to ReadPixels" performance notes are not page errors.
    consoleProblem: (m) => m.type() === 'error' || (m.type() === 'warning' && !/GPU stall|GL Driver Message/.test(m.text())),
  });
  await page.goto(`${server.url}/www/${name}${query}`);
  await page.waitForFunction(() => window.rangetileDemo !== undefined);
  await page.evaluate(() => window.rangetileDemo.ready);
  await idle(page);
  return { page, problems };
}

/** The page rendered tiles and recorded no errors. */
async function assertRendered(page) {
  const st = await page.evaluate(() => ({ t: window.rangetileDemo.tilesRendered, e: window.rangetileDemo.errors }));
  assert.ok(st.t > 0, 'tiles rendered');
  assert.deepEqual(st.e, []);
}

/** Wait until the map has rendered everything it loads. */
async function idle(page) {
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const d = window.rangetileDemo;
        if (d.deck) {
          // deck.gl: until every tile of the TileLayer is loaded, then two frames.
          const poll = () => (d.deck.isInitialized && d.deck.props.layers.every((l) => l.isLoaded) ? requestAnimationFrame(() => requestAnimationFrame(resolve)) : setTimeout(poll, 50));
          poll();
        } else if (typeof d.map.loaded === 'function') {
          // MapLibre
          if (d.map.loaded() && d.map.areTilesLoaded()) resolve();
          else d.map.once('idle', resolve);
        } else {
          d.map.once('rendercomplete', resolve);
          d.map.render();
        }
      }),
  );
}

/** Screenshot, and the RGBA of the given CSS pixels in it. */
async function pixelsAt(page, shot, points) {
  const buf = await page.screenshot({ path: path.join(repo, 'test-results', shot) });
  return page.evaluate(
    async ({ b64, points }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      return points.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data));
    },
    { b64: buf.toString('base64'), points },
  );
}

const stats = (page) => page.evaluate(() => import('../dist/index.js').then((m) => m.stats()));

function assertColour(actual, expected, what) {
  const d = Math.max(...[0, 1, 2].map((i) => Math.abs(actual[i] - expected[i])));
  assert.ok(d <= 8, `${what}: pixel ${actual} vs expected ${expected}`);
}

test('openlayers-zarr: temperature field, pixel colours, time slider, proportional zoom', async () => {
  const { page, problems } = await openDemo('openlayers-zarr.html');
  await assertRendered(page);
  // Grid points present in every level (multiples of 4°): (lat, lon 0..360).
  const pts = [
    [0, 32],
    [60, 92],
    [-32, 200],
    [40, 260],
  ];
  const expectAt = (t) => era5Values(t, pts);
  const check = async (t, shot) => {
    const values = expectAt(t);
    const screen = await page.evaluate(
      (pts) => pts.map(([la, lo]) => window.rangetileDemo.map.getPixelFromCoordinate([lo > 180 ? lo - 360 : lo, la])),
      pts,
    );
    const got = await pixelsAt(page, shot, screen);
    const want = await page.evaluate(
      ({ values }) =>
        import('../dist/maps/maps-ol.js').then((m) => {
          const s = window.rangetileDemo.source.getStyle();
          return values.map((v) => m.colorOf(v, { colormap: s.colormap, min: s.range[0], max: s.range[1] }));
        }),
      { values },
    );
    pts.forEach((p, i) => assertColour(got[i], want[i], `time ${t} at lat ${p[0]} lon ${p[1]} (value ${values[i]})`));
    return values;
  };
  const v0 = await check(0, 'maps-openlayers-zarr.png');

  // Time slider: index 4 (12 h later) changes the values (diurnal cycle) without a new layer.
  const layersBefore = await page.evaluate(() => window.rangetileDemo.map.getLayers().getLength());
  await page.evaluate(() => {
    const s = document.getElementById('time');
    s.value = '4';
    s.dispatchEvent(new Event('input'));
  });
  await idle(page);
  const v4 = await check(4, 'maps-openlayers-zarr-t4.png');
  assert.notDeepEqual(v4, v0);
  assert.equal(await page.evaluate(() => window.rangetileDemo.map.getLayers().getLength()), layersBefore);

  // Zoom in two steps over Europe: the new requests cover only the tiles in view.
  const before = await stats(page);
  await page.evaluate(() => {
    const v = window.rangetileDemo.map.getView();
    v.setCenter([15, 50]);
    v.setZoom(v.getZoom() + 2);
  });
  await idle(page);
  const afterZoom = await stats(page);
  const requests = afterZoom.requests - before.requests;
  assert.ok(requests <= 40, `zoom-in requests ${requests}`);
  assert.ok(afterZoom.bytesFetched - before.bytesFetched < 2 * 1024 * 1024, 'zoom-in bytes');
  assert.deepEqual(problems, []);
  await page.close();
});

test('openlayers-jp2: UTM band, pixel colours, zoom to full resolution reads only the tiles in view', async () => {
  let { page, problems } = await openDemo('openlayers-jp2.html');
  const problems0 = problems;
  await assertRendered(page);
  const st = await page.evaluate(() => ({ level: window.rangetileDemo.level, proj: window.rangetileDemo.map.getView().getProjection().getCode() }));
  assert.equal(st.proj, 'EPSG:32629');
  assert.ok(st.level >= 3, `zoomed-out view at resolution level ${st.level}`);
  const fileSize = (await stat(path.join(repo, 'www/data/s2_b04_20m.jp2'))).size;
  const zoomedOut = await stats(page);
  // The reader fetches only the resolution prefix of each tile-part (RPCL + PLT): the
  // zoomed-out view costs a small fraction of the file (measured: about 3.4%).
  await page.screenshot({ path: path.join(repo, 'test-results', 'maps-openlayers-jp2.png') });
  console.log(`zoomed-out JP2 view: ${zoomedOut.requests} requests, ${zoomedOut.bytesFetched} of ${fileSize} bytes`);
  assert.ok(zoomedOut.bytesFetched < fileSize / 10, `zoomed-out view fetched ${zoomedOut.bytesFetched} of ${fileSize} bytes`);
  await page.close();

  // A fresh page opened at full resolution over the town: it reads only the tiles in view.
  // UTM coordinates of pixel centres from the generator's layout (origin 399960, 4900020; 20 m).
  const at = (col, row) => [399960 + 20 * (col + 0.5), 4900020 - 20 * (row + 0.5)];
  ({ page, problems } = await openDemo('openlayers-jp2.html', `?center=${at(1700, 3400).join(',')}&resolution=20`));
  assert.equal(await page.evaluate(() => window.rangetileDemo.level), 0);
  const full = await stats(page);
  // A 1000×640 view at 20 m touches at most 4 of the 36 tiles (plus the header reads).
  console.log(`full-resolution JP2 view: ${full.requests} requests, ${full.bytesFetched} bytes`);
  assert.ok(full.bytesFetched < (fileSize * 6) / 36, `full-resolution view fetched ${full.bytesFetched} of ${fileSize} bytes`);
  assert.ok(full.requests <= 12, `requests for the tiles in view: ${full.requests}`);

  // Pixel values from the lossy file, decoded independently by OpenJPEG (opj_decompress).
  const pts = [
    [1700, 3400],
    [1720, 3390],
    [1650, 3420],
  ];
  const expected = JSON.parse(
    execFileSync(PY, [
      '-c',
      `import subprocess, tempfile, numpy as np, json, os\n` +
        `d = tempfile.mkdtemp(); out = os.path.join(d, 't.pgm')\n` +
        `subprocess.run(['opj_decompress', '-i', '${path.join(repo, 'www/data/s2_b04_20m.jp2')}', '-o', out, '-d', '1536,3328,1792,3456', '-quiet'], check=True, stdout=subprocess.DEVNULL)\n` +
        `import re\n` +
        `raw = open(out, 'rb').read(); m = re.match(rb'P5\\s+(?:#[^\\n]*\\n\\s*)*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s', raw); w, h = int(m[1]), int(m[2])\n` +
        `a = np.frombuffer(raw[m.end():], dtype='>u2').reshape(h, w)\n` +
        `print(json.dumps([int(a[r - 3328, c - 1536]) for c, r in ${JSON.stringify(pts)}]))`,
    ]).toString(),
  );
  const screen = await page.evaluate((cs) => cs.map((c) => window.rangetileDemo.map.getPixelFromCoordinate(c)), pts.map(([c, r]) => at(c, r)));
  const got = await pixelsAt(page, 'maps-openlayers-jp2-full.png', screen);
  const want = await page.evaluate(
    (values) =>
      import('../dist/maps/maps-ol.js').then((m) => {
        const s = window.rangetileDemo.source.getStyle();
        return values.map((v) => m.colorOf(v, { colormap: s.colormap, min: s.range[0], max: s.range[1] }));
      }),
    expected,
  );
  pts.forEach((p, i) => assertColour(got[i], want[i], `pixel ${p} (value ${expected[i]})`));
  assert.deepEqual(problems0, []);
  assert.deepEqual(problems, []);
  await page.close();
});

/** t2m values of level 0 at grid points `[lat, lon]`, read with zarr-python. */
function era5Values(t, pts) {
  return JSON.parse(
    execFileSync(PY, [
      '-c',
      `import zarr, json; a = zarr.open_array('${path.join(repo, 'www/data/era5_t2m.zarr/0/t2m')}'); ` +
        `print(json.dumps([float(a[${t}, int((90 - la) / 0.5), int(lo / 0.5)]) for la, lo in ${JSON.stringify(pts)}]))`,
    ]).toString(),
  );
}

/** Expected colours of values on a scale, by the adapters' own colormap tables. */
function coloursOf(page, values, scale) {
  return page.evaluate(
    ({ values, scale }) => import('../dist/maps/maps-ol.js').then((m) => values.map((v) => m.colorOf(v, scale))),
    { values, scale },
  );
}

// Points away from strong gradients, on grid points of every level (multiples of 4°).
const WEB_PTS = [
  [0, 32],
  [-32, 200],
  [40, 260],
  [20, 120],
];

for (const name of ['deckgl', 'maplibre']) {
  test(`${name}: temperature field in web mercator, pixel colours, time slider, proportional zoom`, async () => {
    const { page, problems } = await openDemo(`${name}.html`);
    await assertRendered(page);
    const check = async (t, shot) => {
      const values = era5Values(t, WEB_PTS);
      const screen = await page.evaluate((pts) => pts.map(([la, lo]) => window.rangetileDemo.project(lo > 180 ? lo - 360 : lo, la)), WEB_PTS);
      const got = await pixelsAt(page, shot, screen);
      const want = await coloursOf(page, values, { colormap: 'temperature', min: 230, max: 310 });
      WEB_PTS.forEach((p, i) => assertColour(got[i], want[i], `${name} time ${t} at lat ${p[0]} lon ${p[1]} (value ${values[i]})`));
      return values;
    };
    const v0 = await check(0, `maps-${name}.png`);
    await page.evaluate(() => {
      const s = document.getElementById('time');
      s.value = '4';
      s.dispatchEvent(new Event('input'));
    });
    await page.waitForTimeout(300);
    await idle(page);
    const v4 = await check(4, `maps-${name}-t4.png`);
    assert.notDeepEqual(v4, v0);
    // Zoom in over Europe: new requests bounded by the tiles in view.
    const before = await stats(page);
    await page.evaluate(() => {
      const d = window.rangetileDemo;
      if (d.deck) d.deck.setProps({ initialViewState: { longitude: 15, latitude: 50, zoom: 4 } });
      else d.map.jumpTo({ center: [15, 50], zoom: 4 });
    });
    await page.waitForTimeout(300);
    await idle(page);
    const after = await stats(page);
    assert.ok(after.requests - before.requests <= 60, `zoom-in requests ${after.requests - before.requests}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('maplibre: the UTM JP2 resampled to web mercator through proj4', async () => {
  // Full resolution (zoom 14, ~7 m screen pixels) over the town; pixel centres of the JP2
  // grid converted to lon/lat with proj4 in node.
  const { default: proj4 } = await import('proj4');
  const utm = proj4('+proj=utm +zone=29 +datum=WGS84 +units=m +no_defs', 'EPSG:4326');
  const lonlat = (col, row) => utm.forward([399960 + 20 * (col + 0.5), 4900020 - 20 * (row + 0.5)]);
  const [lon, lat] = lonlat(1700, 3400);
  const { page, problems } = await openDemo('maplibre.html', `?url=data/s2_b04_20m.jp2&lon=${lon}&lat=${lat}&zoom=14`);
  await assertRendered(page);
  const pts = [
    [1700, 3400],
    [1710, 3395],
    [1690, 3410],
  ];
  const expected = jp2Values(pts);
  const screen = await page.evaluate((ll) => ll.map(([lo, la]) => window.rangetileDemo.project(lo, la)), pts.map(([c, r]) => lonlat(c, r)));
  const got = await pixelsAt(page, 'maps-maplibre-jp2.png', screen);
  const want = await coloursOf(page, expected, { colormap: 'gray', min: 1000, max: 3000 });
  pts.forEach((p, i) => assertColour(got[i], want[i], `JP2 pixel ${p} (value ${expected[i]})`));
  // Only the tiles in view: well under a sixth of the file.
  const s = await stats(page);
  const fileSize = (await stat(path.join(repo, 'www/data/s2_b04_20m.jp2'))).size;
  assert.ok(s.bytesFetched < fileSize / 6, `fetched ${s.bytesFetched} of ${fileSize}`);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Decoded values of the demo JP2 at pixels `[col, row]` (rows 3328..3456, cols 1536..1792),
 * by OpenJPEG's opj_decompress. */
function jp2Values(pts) {
  return JSON.parse(
    execFileSync(PY, [
      '-c',
      `import subprocess, tempfile, numpy as np, json, os, re\n` +
        `d = tempfile.mkdtemp(); out = os.path.join(d, 't.pgm')\n` +
        `subprocess.run(['opj_decompress', '-i', '${path.join(repo, 'www/data/s2_b04_20m.jp2')}', '-o', out, '-d', '1536,3328,1792,3456', '-quiet'], check=True, stdout=subprocess.DEVNULL)\n` +
        `raw = open(out, 'rb').read(); m = re.match(rb'P5\\s+(?:#[^\\n]*\\n\\s*)*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s', raw); w, h = int(m[1]), int(m[2])\n` +
        `a = np.frombuffer(raw[m.end():], dtype='>u2').reshape(h, w)\n` +
        `print(json.dumps([int(a[r - 3328, c - 1536]) for c, r in ${JSON.stringify(pts)}]))`,
    ]).toString(),
  );
}
