// jp2-tile-http: one 1024² tile of a tiled 16-bit JP2 (10980², 121 tiles of 1024²,
// reversible 5/3, TLM and PLT markers: laid out like a Sentinel-2 10 m band) read over
// HTTP from the local range server (tests/server/range-server.mjs, in a child process)
// with 20 ms added to every request (its `/__fault/delay=20/` prefix).
//   ours: the npm package (dist/): `openJp2(url)` then `readTile(tx, ty)`: the header,
//         the tile-part index and the one tile-part, fetched with range requests;
//   peer: what a browser user can do today with @cornerstonejs/codec-openjpeg: fetch the
//         whole file, decode the whole image, crop the tile.
// Every round opens the file anew under a fresh query string (no byte or decoded-tile
// cache carries over) with the server's request log reset; ours and the peer alternate.
// Rows, for the full-resolution tile and for the same tile at level 2 (256²: ours fetches
// the tile-part's resolution prefix; the peer decodes the whole image at reduce 2): wall
// time (ms), bytes transferred and requests (from the server's log), medians of the
// rounds; ratio = peer ÷ ours. The first round compares the two tiles sample by sample.
// Skipped (no rows) when opj_compress is missing (the file is generated once, cached).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { costRow } from '../lib/common.mjs';
import { dataDir, opjEncode, opjMissing, openjpeg } from '../lib/jp2data.mjs';

export const name = 'jp2-tile-http';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DELAY_MS = 20;
const TILE = 1024;

/** The range server in a child process: `{ url, close() }`. */
async function startServer() {
  const child = spawn(process.execPath, [join(root, 'tests/server/range-server.mjs'), '--root', dataDir, '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`range server exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const { url } = JSON.parse(line);
  return {
    url,
    close: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function run({ quick }) {
  const missing = opjMissing();
  if (missing) {
    console.log(`${name}: skipped: ${missing}`);
    return [];
  }
  const dist = join(root, 'dist', 'index.js');
  if (!existsSync(dist)) throw new Error('dist/index.js is missing: build the package (npm run build)');
  const rt = await import(pathToFileURL(dist).href);
  await rt.init(); // compile the wasm before timing (a page would have it loaded already)
  await rt.configureDecoding({ workers: 0, decodedCacheBytes: 0 });

  const size = quick ? 2560 : 10980;
  const rounds = quick ? 1 : 3;
  const file = opjEncode(size, ['-t', `${TILE},${TILE}`, '-n', '6', '-p', 'RPCL', '-TLM', '-PLT'], 'jp2');
  const across = Math.ceil(size / TILE);
  const [tx, ty] = [across >> 1, across >> 1]; // a full tile in the middle
  const m = await openjpeg();
  const dec = new m.J2KDecoder();
  const server = await startServer();
  try {
    let round = 0;
    const urlFor = () => `${server.url}/__fault/delay=${DELAY_MS}/${basename(file)}?round=${round++}`;
    const traffic = async () => {
      const log = await (await fetch(`${server.url}/__log`)).json();
      return { requests: log.length, bytes: log.reduce((a, e) => a + (e.bytes ?? 0), 0) };
    };
    const reset = () => fetch(`${server.url}/__reset`, { method: 'POST' }).then((r) => r.arrayBuffer());

    // Level 0: the full-resolution tile; level 2: the same tile at a quarter of the width
    // (ours fetches only its resolution prefix, listed by PLT; the peer still needs the
    // whole file and decodes the whole image at reduce 2).
    const rows = [];
    for (const level of [0, 2]) {
      const ts = TILE >> level;
      const width = Math.ceil(size / 2 ** level);
      const ours = async () => {
        const img = await rt.openJp2(urlFor());
        if (img.tileIndexSource !== 'tlm') throw new Error(`${name}: tile index from ${img.tileIndexSource}, expected tlm`);
        const px = await img.readTile(tx, ty, { level });
        if (px.width !== ts || px.height !== ts || px.components !== 1) throw new Error(`${name}: ours read ${px.width}×${px.height}×${px.components}`);
        return px.data;
      };
      const peer = async () => {
        const res = await fetch(urlFor());
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        const jp2 = new Uint8Array(await res.arrayBuffer());
        dec.getEncodedBuffer(jp2.length).set(jp2); // it reads JP2 files as well as codestreams
        if (level === 0) dec.decode();
        else dec.decodeSubResolution(level, 0);
        const all = dec.getDecodedBuffer();
        if (all.length !== width * width * 2) throw new Error(`${name}: peer decoded ${all.length} bytes at level ${level}`);
        const full = new Uint16Array(all.buffer, all.byteOffset, all.length / 2);
        const tile = new Uint16Array(ts * ts);
        for (let y = 0; y < ts; y++) {
          const s = (ty * ts + y) * width + tx * ts;
          tile.set(full.subarray(s, s + ts), y * ts);
        }
        return tile;
      };

      const fns = { ours, peer };
      const samples = { ours: [], peer: [] };
      const tiles = {};
      for (let r = 0; r < rounds; r++) {
        for (const n of r % 2 ? ['peer', 'ours'] : ['ours', 'peer']) {
          await reset();
          const t0 = performance.now();
          tiles[n] = await fns[n]();
          const ms = performance.now() - t0;
          samples[n].push({ ms, ...(await traffic()) });
        }
        if (r === 0) {
          const [a, b] = [tiles.ours, tiles.peer];
          if (a.length !== b.length) throw new Error(`${name}: ours ${a.length} samples, peer ${b.length}`);
          for (let i = 0; i < a.length; i++) {
            if (a[i] !== b[i]) throw new Error(`${name}: level ${level} tiles differ at sample ${i} (${a[i]} vs ${b[i]})`);
          }
        }
      }
      const med = (n, k) => median(samples[n].map((s) => s[k]));
      const peerName = 'whole file + codec-openjpeg';
      const what = level === 0 ? `tile (${tx},${ty})` : `tile (${tx},${ty}) at level ${level} (${ts}²)`;
      const c = (unit) => `${unit}: ${what} of ${size}² u16 JP2 (${across ** 2} tiles, TLM+PLT), +${DELAY_MS} ms/request`;
      rows.push(
        costRow(name, c('time'), 'ms', med('ours', 'ms'), peerName, med('peer', 'ms')),
        costRow(name, c('bytes'), 'bytes', med('ours', 'bytes'), peerName, med('peer', 'bytes')),
        costRow(name, c('requests'), 'requests', med('ours', 'requests'), peerName, med('peer', 'requests')),
      );
    }
    return rows;
  } finally {
    await server.close();
  }
}
