// Shared by the map demo pages: their panels, `?url=` / `?range=` handling, the live
// counters panel (requests, bytes fetched, decode ms, cache hits from rangetile's stats(),
// tiles rendered), the error box, and `window.rangetileDemo = { ready, tilesRendered,
// errors }` for people and tests.
import { stats } from '../dist/index.js';

/** A URL that names a JPEG 2000 file (else it is read as Zarr). */
export const JP2_URL = /\.(jp2|j2k|j2c|jph|jhc)(\?|$)/i;

/** The value range the demo data sets are drawn with when `?range=` does not give one. */
const KNOWN_RANGES = [
  ['era5_t2m.zarr', [230, 310]],
  ['s2_b04_20m.jp2', [1000, 3000]],
];

/** `?range=min,max`, else the known range of the data set at `url`, else undefined (auto). */
export function rangeParam(url) {
  const range = param('range', '').split(',').map(Number).filter(Number.isFinite);
  if (range.length === 2) return range;
  return KNOWN_RANGES.find(([suffix]) => url.endsWith(suffix))?.[1].slice();
}

/** The page's panels, before its script: the map, the top bar holding `topHtml`, the
 * legend, the counters and the (hidden) error box. */
function mountPanels(topHtml) {
  document.body.insertAdjacentHTML(
    'afterbegin',
    `<div id="map"></div>
<div id="top" class="panel">${topHtml}</div>
<div id="legend" class="panel"></div>
<div id="counters" class="panel"></div>
<div id="error" class="panel" hidden></div>`,
  );
}

/**
 * Run a map demo page: mount its panels (`top`: the top bar's markup), set up
 * `window.rangetileDemo`, read `?url=` (else `defaultUrl`) and `?range=`, and run
 * `main({ demo, url, range, isJp2 })`. When `main` has set the map up the counters start;
 * when it throws, the error shows in the error box and `ready` rejects.
 */
export async function runMapDemo({ top, defaultUrl }, main) {
  mountPanels(top);
  const demo = demoState();
  const url = param('url', defaultUrl);
  try {
    await main({ demo, url, range: rangeParam(url), isJp2: JP2_URL.test(url) });
    startCounters(document.getElementById('counters'), () => ` · <b>tiles</b> ${demo.state.tilesRendered}`);
  } catch (e) {
    demo.fail(e);
  }
}

/** The `?name=` parameter, else `fallback`. */
export function param(name, fallback) {
  const v = new URLSearchParams(location.search).get(name);
  return v === null || v === '' ? fallback : v;
}

/** Set up `window.rangetileDemo`; returns hooks for the page. */
export function demoState() {
  let resolveReady;
  let rejectReady;
  const ready = new Promise((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  const state = { ready, tilesRendered: 0, errors: [] };
  window.rangetileDemo = state;
  window.addEventListener('error', (e) => state.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => state.errors.push(String(e.reason?.message ?? e.reason)));
  return {
    state,
    tile() {
      state.tilesRendered++;
    },
    ready() {
      resolveReady(true);
    },
    fail(e) {
      const msg = `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
      state.errors.push(msg);
      const box = document.getElementById('error');
      if (box) {
        box.textContent = msg;
        box.hidden = false;
      }
      console.error(e);
      rejectReady(e);
    },
  };
}

function human(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** Refresh the counters element every 250 ms. */
export function startCounters(el, extra = () => '') {
  const draw = () => {
    const s = stats();
    el.innerHTML =
      `<b>requests</b> <span data-k="requests">${s.requests}</span> · ` +
      `<b>fetched</b> <span data-k="bytes">${human(s.bytesFetched)}</span> · ` +
      `<b>decode</b> <span data-k="decode">${s.decodeMs.toFixed(0)} ms</span> · ` +
      `<b>cache hits</b> <span data-k="hits">${s.cacheHits}</span>` +
      `<span>${extra()}</span>`;
  };
  draw();
  return setInterval(draw, 250);
}
