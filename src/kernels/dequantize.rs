//! Dequantisation kernels: integer levels back to floats with the exact arithmetic each
//! codec specifies.
//!
//! LayerQuantizer (specs/layerquantizer.md § "Decoding algorithm", steps 3–4): level
//! `q == nan_code` is the NaN `0x7FC00000`; any other level is
//! `f32(fma(delta * f64(q), inv, mn))` with one rounding in the fused multiply-add (the
//! reference runs on FMA hosts). wasm has no FMA instruction, and `f64::mul_add` there is a
//! software routine, so the fast version computes the unfused `p = t * inv; y = p + mn`
//! and keeps `f32(y)` only when that is provably `f32(fma(t, inv, mn))`: the fused and
//! unfused results differ by less than `e = (|p| + |y|) · 2^-50` (two roundings of at
//! most half an ulp each, with margin), and rounding to f32 is monotonic, so if
//! `f32(y - e) == f32(y + e)` every value in between, the exact FMA result included,
//! rounds to the same float32. Otherwise (a tie within reach, or non-finite values) it
//! falls back to `mul_add`. Bit-equal to the reference for every input.

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

/// One level through the unfused fast path with the exactness check.
#[inline]
pub fn lq_level_fast(q: i32, p: &LqParams) -> u32 {
    if q == p.nan_code {
        return LQ_NAN;
    }
    let t = p.delta * f64::from(q);
    let prod = t * p.inv;
    let y = prod + p.mn;
    let e = (prod.abs() + y.abs()) * f64::from_bits(0x3CD0_0000_0000_0000); // 2^-50
    let (lo, hi) = ((y - e) as f32, (y + e) as f32);
    if lo.to_bits() == hi.to_bits() && y.is_finite() && e.is_finite() {
        (y as f32).to_bits()
    } else {
        (t.mul_add(p.inv, p.mn) as f32).to_bits()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::TestRng;

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
