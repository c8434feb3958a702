//! Map-facing element kernels on float32 data: NaN-aware minimum and maximum (for
//! automatic colour ranges) and fill-value masking (fill → NaN, so renderers treat it as
//! missing). SIMD128 on wasm32 builds with `simd128`, bit-equal to the scalar references.
//!
//! Ordering: NaN is skipped; among equal values `-0.0` counts as smaller than `+0.0` (the
//! IEEE 754-2019 `minimum`/`maximum` order that wasm's `f32x4.min`/`max` use), so the
//! result does not depend on the order the elements are visited in.

/// The NaN written by [`mask_fill_f32`].
pub const MASK_NAN: u32 = 0x7FC0_0000;

/// Minimum of two non-NaN values, `-0.0 < +0.0`.
#[inline]
pub fn min0(a: f32, b: f32) -> f32 {
    if b < a || (b == a && b.is_sign_negative()) {
        b
    } else {
        a
    }
}

/// Maximum of two non-NaN values, `+0.0 > -0.0`.
#[inline]
pub fn max0(a: f32, b: f32) -> f32 {
    if b > a || (b == a && b.is_sign_positive()) {
        b
    } else {
        a
    }
}

/// Scalar reference: `(min, max)` of the non-NaN values, `None` when there are none.
pub fn min_max_f32_scalar(x: &[f32]) -> Option<(f32, f32)> {
    let mut m: Option<(f32, f32)> = None;
    for &v in x {
        if !v.is_nan() {
            m = Some(m.map_or((v, v), |(lo, hi)| (min0(lo, v), max0(hi, v))));
        }
    }
    m
}

/// `(min, max)` of the non-NaN values (see [`min_max_f32_scalar`]).
pub fn min_max_f32(x: &[f32]) -> Option<(f32, f32)> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::misc::min_max_f32(x)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        min_max_f32_scalar(x)
    }
}

/// Scalar reference: replace every element whose bit pattern equals `fill`'s with the
/// NaN `0x7FC00000`.
pub fn mask_fill_f32_scalar(x: &mut [f32], fill: f32) {
    for v in x {
        if v.to_bits() == fill.to_bits() {
            *v = f32::from_bits(MASK_NAN);
        }
    }
}

/// Replace `fill` (bit pattern) with NaN (see [`mask_fill_f32_scalar`]).
pub fn mask_fill_f32(x: &mut [f32], fill: f32) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::misc::mask_fill_f32(x, fill)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        mask_fill_f32_scalar(x, fill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_and_mask() {
        assert_eq!(min_max_f32(&[f32::NAN, 3.0, -1.0, f32::NAN, 2.0]), Some((-1.0, 3.0)));
        assert_eq!(min_max_f32(&[f32::NAN]), None);
        let (lo, hi) = min_max_f32(&[0.0, -0.0]).unwrap();
        assert!(lo.is_sign_negative() && hi.is_sign_positive());
        let mut x = [1.0, -9999.0, 2.0];
        mask_fill_f32(&mut x, -9999.0);
        assert!(x[1].is_nan() && x[0] == 1.0);
    }
}
