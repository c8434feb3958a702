#!/usr/bin/env node
// Bundle the map demos' library code (www/maps-*.ts: the adapters plus the map libraries
// they use) into dist/maps/ with Vite, so that the pages in www/ load them without a dev
// server. rangetile itself stays external: the pages import ../dist/index.js.
//   node scripts/demo-data/build-bundles.mjs
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entries = ['maps-ol', 'maps-deck', 'maps-maplibre'];
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  // Library mode keeps process.env references; the pages run in browsers.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/maps',
    emptyOutDir: true,
    minify: true,
    sourcemap: false,
    lib: {
      entry: Object.fromEntries(entries.map((e) => [e, `www/${e}.ts`])),
      formats: ['es'],
      cssFileName: 'maps',
      fileName: (_format, name) => `${name}.js`,
    },
  },
});
console.log('build-bundles: wrote dist/maps/' + entries.map((e) => `${e}.js`).join(', '));
