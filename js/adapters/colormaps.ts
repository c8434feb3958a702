/**
 * Colormaps for the map adapters: 256-entry RGBA lookup tables (viridis, magma, cividis,
 * RdBu, temperature, gray), {@link applyColormap} (values + range → RGBA, NaN and fill
 * transparent) and a small legend ({@link createLegend}).
 *
 * viridis, magma and cividis are the perceptually uniform maps of matplotlib (CC0), RdBu
 * is ColorBrewer's diverging red–blue (Apache-2.0 licence of ColorBrewer), all sampled at
 * 256 points from matplotlib 3.10; `temperature` is our own: violet → blue → cyan →
 * green → yellow → orange → red → dark red, linear in sRGB between its stops; `gray` is
 * black → white.
 *
 * @module
 */

/** The built-in colormap names. */
export type ColormapName = 'viridis' | 'magma' | 'cividis' | 'RdBu' | 'temperature' | 'gray';

/** A colormap: a built-in name or a 256 × 4 RGBA lookup table. */
export type Colormap = ColormapName | Uint8Array;

/** The built-in colormaps, in display order. */
export const COLORMAP_NAMES: readonly ColormapName[] = ['viridis', 'magma', 'cividis', 'RdBu', 'temperature', 'gray'];

// 256 RGB triplets as hex, low to high.
const HEX: Record<Exclude<ColormapName, 'temperature' | 'gray'>, string> = {
  viridis:
    '44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769' +
    '48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a' +
    '472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85' +
    '4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b' +
    '3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d' +
    '33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e' +
    '2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e' +
    '26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d' +
    '21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88' +
    '1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81' +
    '28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74' +
    '3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863' +
    '5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d' +
    '84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32' +
    'addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a' +
    'd8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725',
  magma:
    '00000401000501010601010802010902020b02020d03030f03031204041405041606051806051a07061c08071e090720' +
    '0a08220b09240c09260d0a290e0b2b100b2d110c2f120d31130d34140e36150e38160f3b180f3d19103f1a10421c1044' +
    '1d11471e114920114b21114e22115024125325125527125829115a2a115c2c115f2d11612f1163311165331067341069' +
    '36106b38106c390f6e3b0f703d0f713f0f72400f74420f75440f764510774710784910784a10794c117a4e117b4f127b' +
    '51127c52137c54137d56147d57157e59157e5a167e5c167f5d177f5f187f601880621980641a80651a80671b80681c81' +
    '6a1c816b1d816d1d816e1e81701f81721f817320817521817621817822817922827b23827c23827e2482802582812581' +
    '8326818426818627818827818928818b29818c29818e2a81902a81912b81932b80942c80962c80982d80992d809b2e7f' +
    '9c2e7f9e2f7fa02f7fa1307ea3307ea5317ea6317da8327daa337dab337cad347cae347bb0357bb2357bb3367ab5367a' +
    'b73779b83779ba3878bc3978bd3977bf3a77c03a76c23b75c43c75c53c74c73d73c83e73ca3e72cc3f71cd4071cf4070' +
    'd0416fd2426fd3436ed5446dd6456cd8456cd9466bdb476adc4869de4968df4a68e04c67e24d66e34e65e44f64e55064' +
    'e75263e85362e95462ea5661eb5760ec5860ed5a5fee5b5eef5d5ef05f5ef1605df2625df2645cf3655cf4675cf4695c' +
    'f56b5cf66c5cf66e5cf7705cf7725cf8745cf8765cf9785df9795df97b5dfa7d5efa7f5efa815ffb835ffb8560fb8761' +
    'fc8961fc8a62fc8c63fc8e64fc9065fd9266fd9467fd9668fd9869fd9a6afd9b6bfe9d6cfe9f6dfea16efea36ffea571' +
    'fea772fea973feaa74feac76feae77feb078feb27afeb47bfeb67cfeb77efeb97ffebb81febd82febf84fec185fec287' +
    'fec488fec68afec88cfeca8dfecc8ffecd90fecf92fed194fed395fed597fed799fed89afdda9cfddc9efddea0fde0a1' +
    'fde2a3fde3a5fde5a7fde7a9fde9aafdebacfcecaefceeb0fcf0b2fcf2b4fcf4b6fcf6b8fcf7b9fcf9bbfcfbbdfcfdbf',
  cividis:
    '00224e00234f00245100255300255400265600275800285900285b00295d002a5f002a61002b62002c64002c66002d68' +
    '002e6a002e6c002f6d00306f0030700031700031710132710533710833700c34700f357012357014367016377018376f' +
    '1a386f1c396f1e3a6f203a6f213b6e233c6e243c6e263d6e273e6e293f6e2a3f6d2b406d2d416d2e416d2f426d31436d' +
    '32436d33446d34456c35456c36466c38476c39486c3a486c3b496c3c4a6c3d4a6c3e4b6c3f4c6c404c6c414d6c424e6c' +
    '434e6c444f6c45506c46516c47516c48526c49536c4a536c4b546c4c556c4d556c4e566c4f576c50576c51586d52596d' +
    '535a6d545a6d555b6d555c6d565c6d575d6d585e6d595e6e5a5f6e5b606e5c616e5d616e5e626e5e636f5f636f60646f' +
    '61656f62656f636670646770656870656870666970676a71686a71696b716a6c716b6d726c6d726c6e726d6f726e6f73' +
    '6f70737071737172747272747273747374757474757575757676767777767777777878777979777a7a787b7a787c7b78' +
    '7d7c787e7c787e7d787f7e78807f78817f788280798381798482798582798683798784788885788985788a86788b8778' +
    '8c88788d88788e89788f8a78908b78918b78928c78928d78938e78948e77958f779690779791779892779992779a9376' +
    '9b94769c95769d95769e96769f9775a09875a19975a29975a39a74a49b74a59c74a69c74a79d73a89e73a99f73aaa073' +
    'aba072aca172ada272aea371afa471b0a571b1a570b3a670b4a76fb5a86fb6a96fb7a96eb8aa6eb9ab6dbaac6dbbad6d' +
    'bcae6cbdae6cbeaf6bbfb06bc0b16ac1b26ac2b369c3b369c4b468c5b568c6b667c7b767c8b866c9b965cbb965ccba64' +
    'cdbb63cebc63cfbd62d0be62d1bf61d2c060d3c05fd4c15fd5c25ed6c35dd7c45cd9c55cdac65bdbc75adcc859ddc858' +
    'dec958dfca57e0cb56e1cc55e2cd54e4ce53e5cf52e6d051e7d150e8d24fe9d34eead34cebd44bedd54aeed649efd748' +
    'f0d846f1d945f2da44f3db42f5dc41f6dd3ff7de3ef8df3cf9e03afbe138fce236fde334fee434fee535fee636fee838',
  RdBu:
    '67001f6a011f6d02207003207304217605217906227c07227f0823810823840924870a248a0b258d0c25900d26930e26' +
    '960f279910279c11279f1228a21328a51429a81529ab162aae172ab1182bb3192cb41c2db61f2eb72230b82531ba2832' +
    'bb2a34bd2d35be3036bf3338c13639c2383ac43b3cc53e3dc6413ec84440c94741cb4942cc4c44ce4f45cf5246d05548' +
    'd25849d35a4ad55d4cd6604dd7634fd86551da6853db6b55dc6e57dd7059de735cdf765ee17860e27b62e37e64e48066' +
    'e58368e6866ae8896ce98b6eea8e70eb9172ec9374ee9677ef9979f09c7bf19e7df2a17ff3a481f4a683f5a886f5aa89' +
    'f5ac8bf6af8ef6b191f6b394f7b596f7b799f7b99cf8bb9ef8bda1f8bfa4f9c2a7f9c4a9f9c6acfac8affacab1fbccb4' +
    'fbceb7fbd0b9fcd3bcfcd5bffcd7c2fdd9c4fddbc7fddcc9fdddcbfcdecdfcdfcffce0d0fce2d2fbe3d4fbe4d6fbe5d8' +
    'fbe6dafae7dcfae8defae9dffaeae1f9ebe3f9ede5f9eee7f9efe9f9f0ebf8f1edf8f2eff8f3f0f8f4f2f7f5f4f7f6f6' +
    'f6f7f7f5f6f7f3f5f6f2f5f6f0f4f6eff3f5edf2f5ecf2f5eaf1f5e9f0f4e7f0f4e6eff4e4eef4e3edf3e1edf3e0ecf3' +
    'deebf2ddebf2dbeaf2dae9f2d8e9f1d7e8f1d5e7f1d4e6f1d2e6f0d1e5f0cfe4efcce2efcae1eec7e0edc5dfecc2ddec' +
    'c0dcebbddbeabbdaeab8d8e9b6d7e8b3d6e8b1d5e7aed3e6acd2e5a9d1e5a7d0e4a5cee3a2cde3a0cce29dcbe19bc9e0' +
    '98c8e096c7df93c6de90c4dd8dc2dc8ac0db87beda84bcd981bad87eb8d77bb6d678b4d575b2d471b0d36eaed26bacd1' +
    '68abd065a9cf62a7ce5fa5cd5ca3cb59a1ca569fc9529dc84f9bc74c99c64997c54695c44393c34291c2408fc13f8ec0' +
    '3e8cbf3c8abe3b88be3a87bd3885bc3783bb3681ba3480b9337eb8327cb7307ab62f79b52e77b52c75b42b73b32a71b2' +
    '2870b1276eb0266caf246aae2369ad2267ac2065ab1f63a81e61a51d5fa21c5c9f1b5a9c1a5899195696185493175290' +
    '15508d144e8a134c8712498411478110457e0f437b0e41790d3f760c3d730a3b7009386d08366a073467063264053061',
};

// (position 0..1, [r, g, b]) stops of the temperature map.
const TEMPERATURE_STOPS: readonly (readonly [number, readonly [number, number, number]])[] = [
  [0.0, [84, 0, 110]],
  [0.14, [48, 40, 190]],
  [0.28, [30, 120, 230]],
  [0.4, [60, 200, 230]],
  [0.5, [120, 220, 150]],
  [0.6, [220, 235, 90]],
  [0.7, [255, 200, 40]],
  [0.8, [250, 130, 20]],
  [0.9, [220, 40, 20]],
  [1.0, [120, 0, 10]],
];

const cache = new Map<string, Uint8Array>();

function fromHex(hex: string): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    lut[4 * i] = parseInt(hex.slice(6 * i, 6 * i + 2), 16);
    lut[4 * i + 1] = parseInt(hex.slice(6 * i + 2, 6 * i + 4), 16);
    lut[4 * i + 2] = parseInt(hex.slice(6 * i + 4, 6 * i + 6), 16);
    lut[4 * i + 3] = 255;
  }
  return lut;
}

function fromStops(stops: typeof TEMPERATURE_STOPS): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let k = 0;
    while (k < stops.length - 2 && stops[k + 1]![0] < t) k++;
    const [t0, c0] = stops[k]!;
    const [t1, c1] = stops[k + 1]!;
    const f = Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
    for (let c = 0; c < 3; c++) lut[4 * i + c] = Math.round(c0[c]! + f * (c1[c]! - c0[c]!));
    lut[4 * i + 3] = 255;
  }
  return lut;
}

/**
 * The 256 × 4 RGBA lookup table of a colormap (a shared, read-only table for the built-in
 * names; a given table is checked and returned as is).
 *
 * @param reverse high values get the low end's colours (e.g. `RdBu` reversed: blue is cold)
 * @throws {RangeError} an unknown name, or a table that is not 1024 bytes
 */
export function colormapLut(colormap: Colormap, reverse = false): Uint8Array {
  if (colormap instanceof Uint8Array) {
    if (colormap.length !== 1024) throw new RangeError(`a colormap table has 256 RGBA entries (1024 bytes), got ${colormap.length}`);
    return reverse ? reversed(colormap) : colormap;
  }
  const key = `${colormap}${reverse ? ':r' : ''}`;
  let lut = cache.get(key);
  if (lut === undefined) {
    if (colormap === 'temperature') lut = fromStops(TEMPERATURE_STOPS);
    else if (colormap === 'gray') lut = fromStops([[0, [0, 0, 0]], [1, [255, 255, 255]]]);
    else if (Object.prototype.hasOwnProperty.call(HEX, colormap)) lut = fromHex(HEX[colormap]);
    else throw new RangeError(`unknown colormap ${JSON.stringify(colormap)} (known: ${COLORMAP_NAMES.join(', ')})`);
    if (reverse) lut = reversed(lut);
    cache.set(key, lut);
  }
  return lut;
}

function reversed(lut: Uint8Array): Uint8Array {
  const out = new Uint8Array(1024);
  for (let i = 0; i < 256; i++) out.set(lut.subarray(4 * (255 - i), 4 * (255 - i) + 4), 4 * i);
  return out;
}

/** How {@link applyColormap} maps values to colours. */
export interface ColorScale {
  /** The colormap (default `viridis`). */
  colormap?: Colormap;
  /** Reverse the colormap. */
  reverse?: boolean;
  /** Value drawn with the first colour (lower values clamp to it). */
  min: number;
  /** Value drawn with the last colour (higher values clamp to it). */
  max: number;
  /** Values drawn transparent besides NaN (the array's fill value, a nodata value). */
  transparent?: readonly number[];
}

/**
 * Colour `values` into `out` (RGBA, 4 bytes per value): linear between `min` and `max`,
 * clamped outside; NaN, ±Infinity and the `transparent` values become (0, 0, 0, 0).
 *
 * @returns `out`
 * @throws {RangeError} `out` shorter than 4 × values.length
 */
export function applyColormap<T extends Uint8Array | Uint8ClampedArray>(
  values: ArrayLike<number>,
  out: T,
  scale: ColorScale,
): T {
  const n = values.length;
  if (out.length < 4 * n) throw new RangeError(`RGBA output holds ${out.length} bytes, ${4 * n} needed`);
  const lut = colormapLut(scale.colormap ?? 'viridis', scale.reverse ?? false);
  const { min, max } = scale;
  const k = max > min ? 255 / (max - min) : 0;
  const skip = scale.transparent ?? [];
  const oneSkip = skip.length === 1 ? skip[0]! : NaN;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const o = 4 * i;
    if (!Number.isFinite(v) || v === oneSkip || (skip.length > 1 && skip.includes(v))) {
      out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      continue;
    }
    let j = Math.round((v - min) * k);
    j = j < 0 ? 0 : j > 255 ? 255 : j;
    out[o] = lut[4 * j]!;
    out[o + 1] = lut[4 * j + 1]!;
    out[o + 2] = lut[4 * j + 2]!;
    out[o + 3] = lut[4 * j + 3]!;
  }
  return out;
}

/** The colour (`[r, g, b, a]`) a value gets, as {@link applyColormap} draws it. */
export function colorOf(value: number, scale: ColorScale): [number, number, number, number] {
  const px = applyColormap([value], new Uint8Array(4), scale);
  return [px[0]!, px[1]!, px[2]!, px[3]!];
}

/** Options of {@link createLegend}. */
export interface LegendOptions extends ColorScale {
  /** Title above the colour bar, e.g. `2 m temperature`. */
  title?: string;
  /** Unit after the tick labels, e.g. `K` or `°C`. */
  units?: string;
  /** Tick count (default 5, the ends included). */
  ticks?: number;
  /** Convert a value to its label (default: 3 significant digits, then `units`). */
  format?: (value: number) => string;
  /** Colour bar width in CSS pixels (default 220). */
  width?: number;
}

/**
 * A small legend: an optional title, a horizontal colour bar (a canvas) and tick labels.
 * Style it with the `rangetile-legend` class; update it by replacing the element.
 *
 * @throws {Error} outside a DOM (no `document`)
 */
export function createLegend(options: LegendOptions): HTMLElement {
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined) throw new Error('createLegend needs a DOM (document)');
  const width = options.width ?? 220;
  const root = doc.createElement('div');
  root.className = 'rangetile-legend';
  root.style.cssText = 'font: 12px system-ui, sans-serif; background: rgba(255,255,255,0.85); padding: 6px 8px; border-radius: 4px; display: inline-block;';
  if (options.title) {
    const t = doc.createElement('div');
    t.textContent = options.title;
    t.style.marginBottom = '3px';
    root.appendChild(t);
  }
  const canvas = doc.createElement('canvas');
  canvas.width = 256;
  canvas.height = 1;
  canvas.style.cssText = `display: block; width: ${width}px; height: 12px; image-rendering: pixelated;`;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(256, 1);
    img.data.set(colormapLut(options.colormap ?? 'viridis', options.reverse ?? false));
    ctx.putImageData(img, 0, 0);
  }
  root.appendChild(canvas);
  const labels = doc.createElement('div');
  labels.style.cssText = `position: relative; width: ${width}px; height: 14px; margin-top: 2px;`;
  const n = Math.max(2, Math.floor(options.ticks ?? 5));
  const fmt = options.format ?? ((v: number) => `${Number(v.toPrecision(3))}${options.units ? ` ${options.units}` : ''}`);
  for (let i = 0; i < n; i++) {
    const f = i / (n - 1);
    const s = doc.createElement('span');
    s.textContent = fmt(options.min + f * (options.max - options.min));
    const shift = i === 0 ? '0' : i === n - 1 ? '-100%' : '-50%';
    s.style.cssText = `position: absolute; left: ${(f * 100).toFixed(2)}%; transform: translateX(${shift}); white-space: nowrap;`;
    labels.appendChild(s);
  }
  root.appendChild(labels);
  return root;
}
