//! SIMD128 versions of the small element-wise kernels (same results as the scalar
//! references): byte swapping, float16 widening, NaN-aware min/max and fill masking.

use core::arch::wasm32::*;

/// Shuffle every 16-byte block of `buf` with `f`, the tail with `tail`.
#[inline(always)]
fn blocks(buf: &mut [u8], f: impl Fn(v128) -> v128, tail: impl FnOnce(&mut [u8])) {
    let mut c = buf.chunks_exact_mut(16);
    for b in &mut c {
        // SAFETY: `b` is 16 bytes long.
        unsafe { v128_store(b.as_mut_ptr() as *mut v128, f(v128_load(b.as_ptr() as *const v128))) };
    }
    tail(c.into_remainder());
}

/// See `crate::kernels::byteswap::swap_in_place_scalar`.
#[inline(never)]
pub fn swap_in_place(buf: &mut [u8], unit: usize) {
    use crate::kernels::byteswap as s;
    match unit {
        2 => blocks(buf, |v| u8x16_shuffle::<1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14>(v, v), s::swap16),
        4 => blocks(buf, |v| u8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v), s::swap32),
        8 => blocks(buf, |v| u8x16_shuffle::<7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8>(v, v), s::swap64),
        _ => s::swap_in_place_scalar(buf, unit),
    }
}

/// Four float16 (in the low 16 bits of each u32 lane) widened to float32 bit patterns.
#[inline(always)]
fn widen4(h: v128) -> v128 {
    let sign = i32x4_shl(v128_and(h, u32x4_splat(0x8000)), 16);
    let o = i32x4_shl(v128_and(h, u32x4_splat(0x7fff)), 13);
    let exp = v128_and(o, u32x4_splat(0x0f80_0000));
    let o = i32x4_add(o, u32x4_splat(112 << 23));
    // Inf/NaN: exponent all ones.
    let infnan = i32x4_eq(exp, u32x4_splat(0x0f80_0000));
    let o_in = i32x4_add(o, u32x4_splat(112 << 23));
    // Zero/subnormal: renormalise with an exact float subtraction.
    let sub = i32x4_eq(exp, u32x4_splat(0));
    let o_sub = f32x4_sub(i32x4_add(o, u32x4_splat(1 << 23)), u32x4_splat(113 << 23));
    let r = v128_bitselect(o_in, o, infnan);
    let r = v128_bitselect(o_sub, r, sub);
    v128_or(r, sign)
}

/// See `crate::kernels::float16::f16_le_to_f32_scalar`.
#[inline(never)]
pub fn f16_le_to_f32(src: &[u8], dst: &mut [f32]) {
    let n = dst.len().min(src.len() / 2);
    let (src, dst) = (src.get(..2 * n).unwrap_or_default(), dst.get_mut(..n).unwrap_or_default());
    let mut s = src.chunks_exact(16);
    let mut d = dst.chunks_exact_mut(8);
    for (a, b) in (&mut s).zip(&mut d) {
        // SAFETY: `a` is 16 bytes, `b` 8 f32 (32 bytes).
        unsafe {
            let h = v128_load(a.as_ptr() as *const v128);
            v128_store(b.as_mut_ptr() as *mut v128, widen4(u32x4_extend_low_u16x8(h)));
            v128_store(b.as_mut_ptr().add(4) as *mut v128, widen4(u32x4_extend_high_u16x8(h)));
        }
    }
    crate::kernels::float16::f16_le_to_f32_scalar(s.remainder(), d.into_remainder());
}

/// See `crate::kernels::stats::min_max_f32_scalar`.
#[inline(never)]
pub fn min_max_f32(x: &[f32]) -> Option<(f32, f32)> {
    let mut lo = f32x4_splat(f32::INFINITY);
    let mut hi = f32x4_splat(f32::NEG_INFINITY);
    let mut any = u32x4_splat(0);
    let mut c = x.chunks_exact(4);
    for v in &mut c {
        // SAFETY: `v` is 4 f32 long.
        let v = unsafe { v128_load(v.as_ptr() as *const v128) };
        let ok = f32x4_eq(v, v);
        any = v128_or(any, ok);
        lo = f32x4_min(lo, v128_bitselect(v, f32x4_splat(f32::INFINITY), ok));
        hi = f32x4_max(hi, v128_bitselect(v, f32x4_splat(f32::NEG_INFINITY), ok));
    }
    let mut seen = v128_any_true(any);
    let mut m = (f32::INFINITY, f32::NEG_INFINITY);
    let lanes = |v: v128| {
        [f32x4_extract_lane::<0>(v), f32x4_extract_lane::<1>(v), f32x4_extract_lane::<2>(v), f32x4_extract_lane::<3>(v)]
    };
    for (a, b) in lanes(lo).into_iter().zip(lanes(hi)) {
        m = (crate::kernels::stats::min0(m.0, a), crate::kernels::stats::max0(m.1, b));
    }
    for &v in c.remainder() {
        if !v.is_nan() {
            seen = true;
            m = (crate::kernels::stats::min0(m.0, v), crate::kernels::stats::max0(m.1, v));
        }
    }
    seen.then_some(m)
}

/// See `crate::kernels::stats::mask_fill_f32_scalar`.
#[inline(never)]
pub fn mask_fill_f32(x: &mut [f32], fill: f32) {
    let f = u32x4_splat(fill.to_bits());
    let nan = u32x4_splat(crate::kernels::stats::MASK_NAN);
    let mut c = x.chunks_exact_mut(4);
    for v in &mut c {
        // SAFETY: `v` is 4 f32 long.
        unsafe {
            let p = v.as_mut_ptr() as *mut v128;
            let x = v128_load(p);
            v128_store(p, v128_bitselect(nan, x, i32x4_eq(x, f)));
        }
    }
    crate::kernels::stats::mask_fill_f32_scalar(c.into_remainder(), fill);
}
