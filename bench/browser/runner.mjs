// The page side of the chromium bench (bench/lib/browser.mjs drives it through
// playwright-core). Ours is the wasm of pkg/ (its `default` init, streaming-compiled as
// an app would load it); the data are the same deterministic chunks as in node
// (bench/lib/data.mjs). Two entry points:
//   window.benchGroup(name, {timing, quick}) runs bench/groups/<name>.mjs unchanged: the
//     codec groups are browser-safe (ESM, no node: imports; the import map of index.html
//     resolves numcodecs, fflate and pako), so ours and the peer alternate in this page
//     with bench/lib/timing.mjs and every output is asserted equal before timing;
//   window.benchJ2k({...}) decodes JPEG 2000 codestreams prepared by node (files under
//     bench/data/browser/) with ours and a @cornerstonejs decoder (emscripten build, loaded
//     as a classic script) through bench/lib/j2kdecode.mjs, as the jpeg2k/htj2k groups do.
import init, * as ours from '/pkg/rangetile.js';
import { chunks } from '../lib/data.mjs';
import { decodeRow } from '../lib/j2kdecode.mjs';

export const ready = init({ module_or_path: '/pkg/rangetile_bg.wasm' }).then(() => {
  if (typeof ours.decodeChunkInto !== 'function') throw new Error('pkg/rangetile.js has no decodeChunkInto export: rebuild it (npm run build)');
});

let data;
window.benchGroup = async (name, { timing, quick }) => {
  data ??= chunks();
  const g = await import(`../groups/${name}.mjs`);
  if (g.name !== name) throw new Error(`bench/groups/${name}.mjs exports name ${g.name}`);
  return g.run({ ours, data, timing, quick });
};

const fetchBytes = async (url) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};

const peers = new Map();
/** An emscripten factory (a classic script defining the global `global`), instantiated once. */
function loadPeer(src, global) {
  if (!peers.has(src)) {
    peers.set(
      src,
      new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = src;
        s.onload = () => resolve(window[global]);
        s.onerror = () => reject(new Error(`could not load ${src}`));
        document.head.append(s);
      }).then((factory) => {
        if (typeof factory !== 'function') throw new Error(`${src} defined no ${global}()`);
        const dir = src.slice(0, src.lastIndexOf('/') + 1);
        return factory({ print() {}, printErr() {}, locateFile: (f) => dir + f });
      }),
    );
  }
  return peers.get(src);
}

window.benchJ2k = async ({ group, peer, timing, size, sourceUrl, cases }) => {
  const m = await loadPeer(peer.src, peer.global);
  const dec = new m[peer.decoder]();
  const source = await fetchBytes(sourceUrl);
  const rows = [];
  for (const k of cases) {
    const bytes = await fetchBytes(k.url);
    rows.push(
      await decodeRow({ group, label: k.label, ours, dec, peerName: peer.name, bytes, size, reduce: k.reduce, lossless: k.lossless, source, timing }),
    );
  }
  dec.delete?.();
  return rows;
};
