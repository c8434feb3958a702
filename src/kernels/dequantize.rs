//! Dequantisation kernels: integer levels back to floats with the exact arithmetic each
//! codec specifies.
//!
//! LayerQuantizer (specs/layerquantizer.md § "Decoding algorithm", steps 3–4): level
//! `q == nan_code` is the NaN `0x7FC00000`; any other level is
//! `f32(fma(delta * f64(q), inv, mn))` with one rounding in the fused multiply-add (the
//! reference runs on FMA hosts). wasm has no FMA instruction, and `f64::mul_add` there is a
//! software routine, so the fast version computes `y = f64(q) * a + mn` with the per-plane
//! `a = delta * inv` (two roundings more than the reference) and keeps `f32(y)` only when
//! that is provably the reference's float32. For `0 <= q <= 2^nbits`, with
//! `B = 2|delta| + |mn|` bounding every magnitude involved, `y` differs from the exact
//! `delta*q*inv + mn` by at most `4B·2^-53` and the FMA result by at most `5B·2^-53`; the
//! check widens that to `e = B·2^-49` (covering the rounding of `y ± e` too): rounding to
//! float32 is monotonic, so when `f32(y - e) == f32(y + e)` every value in between, the
//! FMA result included, rounds to that same float32. Level 0 needs no check: `delta * 0`
//! is an exact zero, so the unfused `delta * 0 * inv + mn` is exact (the check would
//! fail there when `mn` is 0, the common case of sparse fields). Levels outside `0..=2^nbits`,
//! non-finite constants and the rare values within `e` of a float32 rounding boundary
//! take `mul_add`. Bit-equal to the reference for every input.
//!
//! On planes whose values all lie away from zero (`lq_bits_tolerance`), the SIMD kernel
//! checks the same thing on the bit pattern of `y` instead (no tie within `T` f64 steps:
//! one shuffle and three integer operations per four values, where `f32(y ± e)` takes
//! four more demotions, four f64 additions and two compares): node 20 A/B, whole
//! LayerQuantizer decode of the bench's weather chunk, 0.746 → 0.705 ms (reruns 0.711 →
//! 0.684, 0.732 → 0.698), precipitation (minimum 0, not such a plane) unchanged.

/// The per-plane constants of LayerQuantizer's dequantisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LqParams {
    /// `f64(f32(max - min))`.
    pub delta: f64,
    /// `1 / (2^nbits - 1)`, correctly rounded.
    pub inv: f64,
    /// `f64(min)`.
    pub mn: f64,
    /// The NaN sentinel `2^nbits`.
    pub nan_code: i32,
}

/// The quiet NaN LayerQuantizer writes.
pub const LQ_NAN: u32 = 0x7FC0_0000;

/// Reference: one level, with `f64::mul_add`.
#[inline]
pub fn lq_level_reference(q: i32, p: &LqParams) -> u32 {
    if q == p.nan_code {
        LQ_NAN
    } else {
        ((p.delta * f64::from(q)).mul_add(p.inv, p.mn) as f32).to_bits()
    }
}

/// The constants of the fast path: `(a, e)` with `a = delta * inv` and the error bound
/// `e = (2|delta| + |mn|) · 2^-49`, or `None` when they are not finite.
#[inline]
pub fn lq_fast_constants(p: &LqParams) -> Option<(f64, f64)> {
    let a = p.delta * p.inv;
    let e = (2.0 * p.delta.abs() + p.mn.abs()) * f64::from_bits(0x3CE0_0000_0000_0000); // 2^-49
    (a.is_finite() && e.is_finite() && p.mn.is_finite()).then_some((a, e))
}

/// The tolerance `T` of the bit-pattern form of the exactness check, for planes whose
/// values all lie away from zero (`None` for the others).
///
/// Rounding an f64 to float32 (normal range and the overflow to infinity) changes only at
/// the ties, which are the f64 bit patterns whose low 29 bits are `2^28`: the f64 bit
/// patterns are monotonic in the value and each float32 interval between ties spans
/// `2^29` of them, across binades too. Every `y` of a plane (levels `0..2^nbits`) and every
/// value within `e` of it (the FMA result included, see the module docs) has magnitude at
/// least `P`, a power of two at most half of `m = min(|min|, |min + delta|)` less margins,
/// with the sign of `min`, so it lies within `e / (P·2^-52)` f64 steps of `y`. With `T`
/// one more than that (and 1 more for safety): when the low 29 bits `L` of `y`'s pattern
/// satisfy `|L - 2^28| > T`, no tie lies within `e` of `y`, and `f32(y)` is the
/// reference's value. Taken only when `T <= 2^12` (fails one value in 2^16 at most) and
/// `P >= 2^-125` (float32 normal range).
pub fn lq_bits_tolerance(p: &LqParams) -> Option<u32> {
    let (_, e) = lq_fast_constants(p)?;
    let (e1, e2) = (p.mn, p.mn + p.delta);
    if !(e1.is_finite() && e2.is_finite()) || (e1 > 0.0) != (e2 > 0.0) || e1 == 0.0 || e2 == 0.0 {
        return None;
    }
    // 2^-30 of `delta` covers the rounding of `q * a` (at most a few 2^-52 of it).
    let m = e1.abs().min(e2.abs()) - p.delta.abs() * f64::from_bits(0x3E10_0000_0000_0000) - e;
    if !m.is_finite() || m <= 0.0 {
        return None;
    }
    // The largest power of two <= m / 2, at least 2^-125 (float32 normal range).
    let pow = f64::from_bits((m * 0.5).to_bits() & 0xFFF0_0000_0000_0000);
    if !pow.is_finite() || pow < f64::from_bits(0x3820_0000_0000_0000) {
        return None;
    }
    // e / (pow * 2^-52) steps.
    let steps = e / (pow * f64::from_bits(0x3CB0_0000_0000_0000));
    (steps.is_finite() && steps <= 4094.0).then(|| steps.ceil() as u32 + 2)
}

/// Level 0, exactly as the reference computes it (`delta * 0` is an exact zero, so no
/// rounding happens before the final conversion).
#[inline]
pub fn lq_level_zero(p: &LqParams) -> u32 {
    (((p.delta * 0.0) * p.inv + p.mn) as f32).to_bits()
}

/// One level through the fast path with the exactness check (see the module docs).
#[inline]
pub fn lq_level_fast(q: i32, p: &LqParams) -> u32 {
    if q == p.nan_code {
        return LQ_NAN;
    }
    if let Some((a, e)) = lq_fast_constants(p) {
        if q == 0 {
            return lq_level_zero(p);
        }
        if (0..=p.nan_code).contains(&q) {
            let y = f64::from(q) * a + p.mn;
            let (lo, hi) = ((y - e) as f32, (y + e) as f32);
            if lo.to_bits() == hi.to_bits() {
                return lo.to_bits();
            }
        }
    }
    lq_level_reference(q, p)
}

/// Scalar reference: dequantise `levels` into little-endian float32 `out` (4 bytes per
/// level; as many levels as both hold).
pub fn lq_dequantize_scalar(levels: &[i32], p: &LqParams, out: &mut [u8]) {
    for (q, o) in levels.iter().zip(out.chunks_exact_mut(4)) {
        o.copy_from_slice(&lq_level_reference(*q, p).to_le_bytes());
    }
}

/// Dequantise `levels` into little-endian float32 `out`: SIMD128 with the exactness
/// check on wasm32 builds with `simd128`, the reference elsewhere. Bit-equal to
/// [`lq_dequantize_scalar`].
pub fn lq_dequantize(levels: &[i32], p: &LqParams, out: &mut [u8]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::dequantize::lq_dequantize(levels, p, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        lq_dequantize_scalar(levels, p, out)
    }
}

/// One LayerQuantizer plane decoded in place, every stage in one pass per row
/// (specs/layerquantizer.md § "Decoding algorithm"): `buf[src..]` holds `rows * cols`
/// little-endian 32-bit codes; with `lorenzo` each is negabinary-decoded and the 2-D
/// Lorenzo predictor undone (a wrapping prefix sum along the row plus the row above, kept
/// in `above`), otherwise the code is the level; every level is dequantised into
/// little-endian float32 at `buf[dst..]` (4 bytes per level, level `k` overwriting bytes
/// `dst + 4k..`, which the codes at `src >= dst` have been read from or lie before).
/// Decoding in place lets the codec turn the decompressed stream into its output without
/// a second chunk-sized buffer. `above` (at least `cols` elements) holds the levels of the
/// row before the first one decoded (zeros before a plane's first row; with `lorenzo`
/// false it is only written), and the last decoded row's levels afterwards, so a plane can
/// be decoded a few rows at a time. Nothing is written when `dst > src`; rows that `buf`
/// or `above` cannot hold in full are not written. SIMD128 on wasm32 builds with `simd128`,
/// bit-equal to [`lq_decode_plane_scalar`], which equals
/// [`crate::kernels::lorenzo::negabinary_le_to_i32_scalar`] then
/// [`crate::kernels::lorenzo::lorenzo_inverse_2d_scalar`] then [`lq_dequantize_scalar`].
pub fn lq_decode_plane(buf: &mut [u8], plane: PlaneRows, p: &LqParams, above: &mut [i32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::dequantize::lq_decode_plane(buf, plane, p, above)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        lq_decode_plane_scalar(buf, plane, p, above)
    }
}

/// [`lq_decode_plane`] from one buffer into another: the whole rows of `cols` little-endian
/// 32-bit codes that both `codes` and `out` hold (and `above`, at least `cols` levels long,
/// allows; none otherwise) decoded into little-endian float32 `out`, `above` as there.
/// Lets the codec write its output straight into the caller's buffer (`decode_into`)
/// instead of in place and then copied. SIMD128 on wasm32 builds with `simd128`, bit-equal
/// to [`lq_decode_rows_scalar`].
pub fn lq_decode_rows(codes: &[u8], out: &mut [u8], cols: usize, lorenzo: bool, p: &LqParams, above: &mut [i32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::dequantize::lq_decode_rows(codes, out, cols, lorenzo, p, above)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        lq_decode_rows_scalar(codes, out, cols, lorenzo, p, above)
    }
}

/// Planes `(nbits, min, delta)` for the tests of the LayerQuantizer exactness checks
/// (shared by the unit tests and the wasm tests, hence public and hidden): for each of
/// `tie_nbits`, planes whose levels sit on or next to float32 rounding ties (`y = min +
/// q * 2^-24` with `1 <= |min| < 2`), a plane far from zero and one of tiny values; then
/// `random` planes of random float32 `min` and `delta <= |min|` drawn from `next`, their
/// bit counts from `random_nbits`.
#[doc(hidden)]
pub fn lq_test_planes(
    tie_nbits: &[u32],
    random: usize,
    random_nbits: &[u32],
    mut next: impl FnMut() -> u64,
) -> Vec<(u32, f64, f64)> {
    let mut planes = Vec::new();
    for &nbits in tie_nbits {
        let steps = ((1u64 << nbits) - 1) as f64;
        planes.push((nbits, 1.0, steps * 2f64.powi(-24)));
        planes.push((nbits, -1.5, steps * 2f64.powi(-24)));
        planes.push((nbits, 1.0, steps * 3.0 * 2f64.powi(-25)));
        planes.push((nbits, 273.15, 40.0));
        planes.push((nbits, 1e-30, 1e-31));
    }
    for _ in 0..random {
        let mn = f32::from_bits(next() as u32 & 0xBF7F_FFFF);
        let delta = f32::from_bits((next() as u32 & 0x3FFF_FFFF) | 0x0080_0000).min(mn.abs());
        let nbits = random_nbits.get(next() as usize % random_nbits.len().max(1)).copied().unwrap_or(16);
        planes.push((nbits, f64::from(mn), f64::from(delta)));
    }
    planes
}

/// The whole rows of `cols` 4-byte elements that `len` bytes hold, 0 when `above` (the
/// length of a row-of-levels buffer) is shorter than a row or `cols` is 0.
#[inline]
pub(crate) fn rows_fitting(len: usize, cols: usize, above: usize) -> usize {
    if cols == 0 || above < cols {
        return 0;
    }
    len / cols.saturating_mul(4)
}

/// The scalar reference of [`lq_decode_rows`] (the same steps as
/// [`lq_decode_plane_scalar`]).
pub fn lq_decode_rows_scalar(
    codes: &[u8],
    out: &mut [u8],
    cols: usize,
    lorenzo: bool,
    p: &LqParams,
    above: &mut [i32],
) {
    let rows = rows_fitting(codes.len().min(out.len()), cols, above.len());
    let Some(above) = above.get_mut(..cols) else { return };
    let row_bytes = cols.saturating_mul(4);
    for (c, o) in codes.chunks_exact(row_bytes).zip(out.chunks_exact_mut(row_bytes)).take(rows) {
        let mut left = 0i32;
        for ((c, o), up) in c.chunks_exact(4).zip(o.chunks_exact_mut(4)).zip(above.iter_mut()) {
            let u = u32::from_le_bytes([c.first(), c.get(1), c.get(2), c.get(3)].map(|b| b.copied().unwrap_or(0)));
            *up = if lorenzo {
                left = left.wrapping_add(super::lorenzo::negabinary_to_i32(u));
                left.wrapping_add(*up)
            } else {
                u as i32
            };
            o.copy_from_slice(&lq_level_reference(*up, p).to_le_bytes());
        }
    }
}

/// Where the rows of a plane that [`lq_decode_plane`] decodes lie in its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneRows {
    /// Offset of the first row's 32-bit codes.
    pub src: usize,
    /// Offset of the first row's float32 output (`dst <= src`).
    pub dst: usize,
    /// Rows to decode.
    pub rows: usize,
    /// Levels per row.
    pub cols: usize,
    /// Codes are negabinary Lorenzo residuals (else the levels themselves).
    pub lorenzo: bool,
}

impl PlaneRows {
    /// The rows of the plane that a buffer of `buf_len` bytes and an `above` of `above`
    /// levels hold in full (see [`lq_decode_plane`]); 0 when `dst > src`.
    #[inline]
    pub(crate) fn fitting(&self, buf_len: usize, above: usize) -> usize {
        let PlaneRows { src, dst, rows, cols, .. } = *self;
        if cols == 0 || above < cols || dst > src || src > buf_len {
            return 0;
        }
        rows.min((buf_len - src) / cols.saturating_mul(4))
    }
}

/// The scalar reference of [`lq_decode_plane`].
pub fn lq_decode_plane_scalar(buf: &mut [u8], plane: PlaneRows, p: &LqParams, above: &mut [i32]) {
    let PlaneRows { src, dst, cols, lorenzo, .. } = plane;
    let rows = plane.fitting(buf.len(), above.len());
    let Some(above) = above.get_mut(..cols) else { return };
    let mut k = 0usize;
    for _ in 0..rows {
        let mut left = 0i32;
        for up in above.iter_mut() {
            let at = |base: usize| base.saturating_add(k.saturating_mul(4));
            let Some(c) = buf.get(at(src)..at(src).saturating_add(4)) else { return };
            let u = u32::from_le_bytes([c.first(), c.get(1), c.get(2), c.get(3)].map(|b| b.copied().unwrap_or(0)));
            *up = if lorenzo {
                left = left.wrapping_add(super::lorenzo::negabinary_to_i32(u));
                left.wrapping_add(*up)
            } else {
                u as i32
            };
            let q = *up;
            if let Some(o) = buf.get_mut(at(dst)..at(dst).saturating_add(4)) {
                o.copy_from_slice(&lq_level_reference(q, p).to_le_bytes());
            }
            k = k.saturating_add(1);
        }
    }
}

/// A little-endian integer element type for [`int_scale_offset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntLe {
    /// i8.
    I8,
    /// u8.
    U8,
    /// i16.
    I16,
    /// u16.
    U16,
    /// i32.
    I32,
    /// u32.
    U32,
}

impl IntLe {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            IntLe::I8 | IntLe::U8 => 1,
            IntLe::I16 | IntLe::U16 => 2,
            IntLe::I32 | IntLe::U32 => 4,
        }
    }

    /// The element at the start of `b` (0 when `b` is too short), as f64 (exact).
    #[inline]
    pub fn read(self, b: &[u8]) -> f64 {
        let g = |i: usize| b.get(i).copied().unwrap_or(0);
        match self {
            IntLe::I8 => f64::from(g(0) as i8),
            IntLe::U8 => f64::from(g(0)),
            IntLe::I16 => f64::from(i16::from_le_bytes([g(0), g(1)])),
            IntLe::U16 => f64::from(u16::from_le_bytes([g(0), g(1)])),
            IntLe::I32 => f64::from(i32::from_le_bytes([g(0), g(1), g(2), g(3)])),
            IntLe::U32 => f64::from(u32::from_le_bytes([g(0), g(1), g(2), g(3)])),
        }
    }
}

/// Scalar reference of the numcodecs `FixedScaleOffset` / integer dequantisation:
/// `y = f64(x) / scale + offset` in float64 for every element of `src`, written to `out`
/// as little-endian float32 (`y as f32`) or float64 (as many elements as both hold).
pub fn int_scale_offset_scalar(src: &[u8], ty: IntLe, scale: f64, offset: f64, out: &mut [u8], f64_out: bool) {
    let osize = if f64_out { 8 } else { 4 };
    for (e, o) in src.chunks_exact(ty.size()).zip(out.chunks_exact_mut(osize)) {
        let y = ty.read(e) / scale + offset;
        if f64_out {
            o.copy_from_slice(&y.to_le_bytes());
        } else {
            o.copy_from_slice(&(y as f32).to_le_bytes());
        }
    }
}

/// `y = f64(x) / scale + offset` (see [`int_scale_offset_scalar`]); SIMD128 on wasm32
/// builds with `simd128`, bit-equal to the reference.
pub fn int_scale_offset(src: &[u8], ty: IntLe, scale: f64, offset: f64, out: &mut [u8], f64_out: bool) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::dequantize::int_scale_offset(src, ty, scale, offset, out, f64_out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        int_scale_offset_scalar(src, ty, scale, offset, out, f64_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::TestRng;

    /// The bit-pattern check (`lq_bits_tolerance`) run in scalar form over every level of
    /// planes next to float32 ties and of random planes: whenever it passes, `f32(y)` is the
    /// reference's value.
    #[test]
    fn bits_check_implies_reference() {
        let mut rng = TestRng::new(23);
        let planes = lq_test_planes(&[8, 12, 16], 60, &[8, 12, 16], || rng.next_u64());
        let (mut checked, mut failed) = (0u64, 0u64);
        for (nbits, mn, delta) in planes {
            let p = LqParams { delta, inv: 1.0 / ((1u64 << nbits) - 1) as f64, mn, nan_code: 1 << nbits };
            let Some(t) = lq_bits_tolerance(&p) else { continue };
            let (a, _) = lq_fast_constants(&p).unwrap();
            for q in 0..p.nan_code {
                let y = f64::from(q) * a + p.mn;
                let low = (y.to_bits() & ((1 << 29) - 1)) as i64;
                if (low - (1 << 28)).unsigned_abs() > u64::from(t) {
                    assert_eq!((y as f32).to_bits(), lq_level_reference(q, &p), "q {q} {p:?}");
                    checked += 1;
                } else {
                    failed += 1;
                }
            }
        }
        assert!(checked > 1_000_000 && failed > 1000, "{checked} {failed}");
    }

    #[test]
    fn fast_path_equals_reference() {
        let mut rng = TestRng::new(21);
        for nbits in [8u32, 12, 16, 20, 24] {
            for _ in 0..200 {
                let mn =
                    f32::from_bits(rng.next_u64() as u32 & 0x7FFF_FFFF) * if rng.below(2) == 0 { 1.0 } else { -1.0 };
                let mn = if mn.is_finite() { mn / 1e30 } else { 1.5 };
                let mx = mn + (rng.below(1000) as f32 + 0.5) * (1.0 + mn.abs());
                let p = LqParams {
                    delta: f64::from(mx - mn),
                    inv: 1.0 / ((1u64 << nbits) - 1) as f64,
                    mn: f64::from(mn),
                    nan_code: 1 << nbits,
                };
                for _ in 0..200 {
                    let q = rng.below((1 << nbits) + 1) as i32;
                    assert_eq!(lq_level_fast(q, &p), lq_level_reference(q, &p), "q {q} {p:?}");
                }
            }
        }
        // ±FLT_MAX ranges (planes that held ±inf).
        let p = LqParams {
            delta: f64::from(f32::MAX - f32::MIN),
            inv: 1.0 / 65535.0,
            mn: f64::from(f32::MIN),
            nan_code: 65536,
        };
        for q in 0..=65536 {
            assert_eq!(lq_level_fast(q, &p), lq_level_reference(q, &p));
        }
    }
}
