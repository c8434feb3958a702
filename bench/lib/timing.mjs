// Side-by-side timing: ours and the peer alternate in the same process, each measurement
// runs enough iterations to last ~`minMs`, and the median per-iteration time of
// `rounds` measurements is kept. Async functions are awaited (peers that return promises).

const now = () => performance.now();

async function measure(fn, iters) {
  const t0 = now();
  for (let i = 0; i < iters; i++) {
    const r = fn();
    if (r && typeof r.then === 'function') await r;
  }
  return (now() - t0) / iters;
}

async function calibrate(fn, minMs) {
  let iters = 1;
  for (;;) {
    const ms = (await measure(fn, iters)) * iters;
    if (ms >= minMs || iters >= 1 << 16) return iters;
    iters = Math.min(1 << 16, Math.max(iters * 2, Math.ceil((iters * minMs) / Math.max(ms, 0.01))));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Time `fns` (an object name → function) alternately; returns name → median ms per call.
 * The order of the functions alternates every round.
 */
export async function alternate(fns, { rounds = 7, minMs = 60 } = {}) {
  const names = Object.keys(fns);
  const iters = {};
  for (const n of names) {
    await measure(fns[n], 2); // warm up
    iters[n] = await calibrate(fns[n], minMs);
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const n of order) samples[n].push(await measure(fns[n], iters[n]));
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** MB/s (10^6 bytes per second) of `bytes` produced in `ms`. */
export const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1e3);
