/**
 * Loading the WebAssembly module: once, on first use, from next to the package
 * (`pkg/rangetile_bg.wasm`). Browsers and bundlers fetch it by URL (the literal
 * `new URL(..., import.meta.url)` below is the pattern bundlers recognise as an asset);
 * Node reads the file, because its `fetch` does not support `file:` URLs.
 *
 * @module
 */

import initWasm, * as raw from '../pkg/rangetile.js';

/** Where the `.wasm` comes from: a URL, its bytes, a `Response`, or a compiled module. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** Options of {@link init}. */
export interface InitOptions {
  /** The module to use instead of the package's own `rangetile_bg.wasm` (e.g. a URL on a
   * CDN, or a `WebAssembly.Module` already compiled and posted to a worker). */
  wasm?: WasmSource | Promise<WasmSource>;
}

type Raw = typeof raw;

let loading: Promise<void> | undefined;
let ready: Raw | undefined;
let compiled: WebAssembly.Module | undefined;

/**
 * Load and instantiate the WebAssembly module. Called automatically by every read; call
 * it yourself to choose where the `.wasm` comes from or to load it ahead of time. Later
 * calls return the first call's promise.
 *
 * @throws {RangetileError} `Unsupported` (kind `WasmSimd`) when the engine has no
 *   WebAssembly SIMD128 (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+)
 * @throws when the module cannot be fetched or compiled (a retry is allowed afterwards)
 */
export function init(options?: InitOptions): Promise<void> {
  loading ??= (async () => {
    if (!simdSupported()) throw simdUnsupported();
    const source = await (options?.wasm ?? defaultSource());
    // Compile here (not inside wasm-bindgen's loader) to keep the Module: the decode
    // workers instantiate the same compiled module instead of fetching it again.
    const module = await compileSource(source);
    compiled = module;
    await initWasm({ module_or_path: module });
    raw.init();
    ready = raw;
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/**
 * The smallest module using a SIMD128 instruction: one function whose body is
 * `v128.const 0; drop`. `WebAssembly.validate` accepts it only where the engine
 * implements WebAssembly SIMD, which the shipped module needs (it is built with
 * `+simd128`, and an engine without SIMD would reject it with an obscure CompileError).
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x17, 0x01, 0x15, 0x00, // code section: one body of 21 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const i32x4 0 0 0 0
  0x1a, 0x0b, // drop, end
]);

/** Whether this JavaScript engine supports WebAssembly SIMD128. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

function simdUnsupported(): Error {
  const e = new Error(
    'rangetile needs WebAssembly SIMD128 (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+), ' +
      'which this JavaScript engine does not support',
  );
  e.name = 'Unsupported';
  Object.assign(e, { kind: 'WasmSimd' });
  return e;
}

async function defaultSource(): Promise<WasmSource> {
  const url = new URL('../pkg/rangetile_bg.wasm', import.meta.url);
  if (url.protocol !== 'file:') return url;
  // Node (and other runtimes loading the package from disk): read the bytes. The module
  // name is a variable so that bundlers targeting browsers leave it alone.
  const fsModule = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  return fs.readFile(url);
}

async function compileSource(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  let response: Response | undefined;
  if (typeof source === 'string' || source instanceof URL || (typeof Request === 'function' && source instanceof Request)) {
    response = await fetch(source as RequestInfo);
  } else if (typeof Response === 'function' && source instanceof Response) {
    response = source;
  }
  if (response === undefined) return WebAssembly.compile(source as BufferSource);
  if (!response.ok) throw new Error(`rangetile: cannot load the WebAssembly module (HTTP ${response.status})`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('Content-Type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The compiled module (after loading), to post to decode workers. */
export function compiledModule(): WebAssembly.Module | undefined {
  return compiled;
}

/** Load the module if needed. */
export async function ensureWasm(): Promise<void> {
  if (ready === undefined) await init();
}

/** The loaded module's raw exports, or undefined before loading. */
export function loadedWasm(): Raw | undefined {
  return ready;
}

/** The loaded module's raw exports; call after {@link ensureWasm}. */
export function wasm(): Raw {
  if (ready === undefined) throw new Error('rangetile: the WebAssembly module is not loaded (await init() first)');
  return ready;
}
