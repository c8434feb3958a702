// Shared helpers for the bench groups: byte comparison and row construction.

/** Throw unless `a` and `b` hold the same bytes (every decode is checked before timing). */
export function assertSame(what, a, b) {
  const x = a instanceof Uint8Array ? a : new Uint8Array(a.buffer ?? a, a.byteOffset ?? 0, a.byteLength);
  const y = b instanceof Uint8Array ? b : new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength);
  if (x.length !== y.length) throw new Error(`${what}: ${x.length} bytes decoded, expected ${y.length}`);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) throw new Error(`${what}: differs at byte ${i}`);
  }
}

/**
 * A throughput row (MB/s of decoded output, higher is better): ratio = ours / peer.
 * `target` is the ratio the project aims for (null for informative rows).
 */
export function throughputRow(group, c, ours, peer, peerValue, target = null, extra = {}) {
  return { group, case: c, unit: 'MB/s', ours: round(ours), peer, peer_value: round(peerValue), ratio: round(ours / peerValue, 3), target, ...extra };
}

/** A row where lower is better (times, bytes, request counts): ratio = peer / ours. */
export function costRow(group, c, unit, ours, peer, peerValue, target = null, extra = {}) {
  return { group, case: c, unit, ours: round(ours), peer, peer_value: round(peerValue), ratio: round(peerValue / ours, 3), target, ...extra };
}

function round(x, d = 1) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
