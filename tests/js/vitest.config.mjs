// vitest (node) for the typed API: `node_modules/.bin/vitest run --config tests/js/vitest.config.mjs`.
// Only *.spec.mjs files: the *.test.mjs files here belong to `node --test`.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/js/**/*.spec.mjs'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
