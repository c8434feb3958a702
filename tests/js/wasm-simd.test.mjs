// The WebAssembly SIMD128 check of js/wasm.ts, on the built package (dist/): an engine
// without SIMD gets an `Unsupported` error naming the requirement before anything is
// fetched or compiled; this engine passes. Each case runs in its own node process, so
// that stubbing WebAssembly.validate touches nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const index = pathToFileURL(fileURLToPath(new URL('../../dist/index.js', import.meta.url))).href;

async function initIn(stub) {
  const code = `${stub}
const { init, isRangetileError } = await import(${JSON.stringify(index)});
let validated = 0;
const validate = WebAssembly.validate;
WebAssembly.validate = (b) => { validated += 1; return validate(b); };
try {
  await init();
  console.log(JSON.stringify({ ok: true, validated }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, name: e.name, kind: e.kind, message: e.message, tagged: isRangetileError(e, 'Unsupported') }));
}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code]);
  return JSON.parse(stdout.trim().split('\n').pop());
}

test('an engine without WebAssembly SIMD gets an Unsupported error naming the requirement', async () => {
  const r = await initIn('WebAssembly.validate = () => false;');
  assert.equal(r.ok, false);
  assert.equal(r.name, 'Unsupported');
  assert.equal(r.kind, 'WasmSimd');
  assert.equal(r.tagged, true);
  assert.match(r.message, /^rangetile needs WebAssembly SIMD128 \(Chrome 91\+, Firefox 89\+, Safari 16\.4\+/);
});

test('this engine has WebAssembly SIMD and loads the module', async () => {
  const r = await initIn('');
  assert.deepEqual(r, { ok: true, validated: 1 });
});
