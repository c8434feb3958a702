// Shared by the map demo pages: `?url=` handling, the live counters panel (requests,
// bytes fetched, decode ms, cache hits from rangetile's stats()), and
// `window.rangetileDemo = { ready, tilesRendered, errors }` for people and tests.
import { stats } from '../dist/index.js';

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
