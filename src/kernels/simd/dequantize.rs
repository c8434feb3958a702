//! SIMD128 LayerQuantizer dequantisation (same results as
//! `crate::kernels::dequantize::lq_dequantize_scalar`): four levels per step in two f64x2
//! halves, `f64(q) * a + mn`, the exactness check of
//! `crate::kernels::dequantize`, and a per-lane fallback to `mul_add` when it fails.

use crate::kernels::dequantize::{
    lq_dequantize_scalar, lq_fast_constants, lq_level_fast, lq_level_zero, IntLe, LqParams, LQ_NAN,
};
use core::arch::wasm32::*;

/// Two levels (`i32x4` lanes 0–1 of `q`): `f32(y - e)` and `f32(y + e)` in lanes 0–1
/// (lanes 2–3 zero).
#[inline(always)]
fn half(q: v128, a: v128, mn: v128, e: v128) -> (v128, v128) {
    let y = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(q), a), mn);
    (f32x4_demote_f64x2_zero(f64x2_sub(y, e)), f32x4_demote_f64x2_zero(f64x2_add(y, e)))
}

/// Dequantise `levels` into little-endian float32 `out`.
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn lq_dequantize(levels: &[i32], p: &LqParams, out: &mut [u8]) {
    let Some((a, e)) = lq_fast_constants(p) else {
        return lq_dequantize_scalar(levels, p, out);
    };
    let n = levels.len().min(out.len() / 4);
    let (levels, out) = (levels.get(..n).unwrap_or_default(), out.get_mut(..n * 4).unwrap_or_default());
    let (av, mnv, ev) = (f64x2_splat(a), f64x2_splat(p.mn), f64x2_splat(e));
    let nan_code = i32x4_splat(p.nan_code);
    let nan = u32x4_splat(LQ_NAN);
    let zero = i32x4_splat(0);
    let zero_val = u32x4_splat(lq_level_zero(p));
    let mut lv = levels.chunks_exact(4);
    let mut ov = out.chunks_exact_mut(16);
    for (l, o) in (&mut lv).zip(&mut ov) {
        // SAFETY: `l` is 4 i32 (16 bytes) and `o` 16 bytes long.
        let q = unsafe { v128_load(l.as_ptr() as *const v128) };
        let (lx, hx) = half(q, av, mnv, ev);
        let (ly, hy) = half(i64x2_shuffle::<1, 1>(q, q), av, mnv, ev);
        let (lo, hi) = (i64x2_shuffle::<0, 2>(lx, ly), i64x2_shuffle::<0, 2>(hx, hy));
        let (is_zero, is_nan) = (i32x4_eq(q, zero), i32x4_eq(q, nan_code));
        // Exact where lo == hi, and for levels 0 and NaN; every level in 0..=nan_code.
        let ok = v128_and(v128_or(i32x4_eq(lo, hi), v128_or(is_zero, is_nan)), u32x4_le(q, nan_code));
        if u32x4_all_true(ok) {
            let v = v128_bitselect(zero_val, lo, is_zero);
            let v = v128_bitselect(nan, v, is_nan);
            // SAFETY: `o` is 16 bytes long.
            unsafe { v128_store(o.as_mut_ptr() as *mut v128, v) };
        } else {
            for (q, o) in l.iter().zip(o.chunks_exact_mut(4)) {
                o.copy_from_slice(&lq_level_fast(*q, p).to_le_bytes());
            }
        }
    }
    for (q, o) in lv.remainder().iter().zip(ov.into_remainder().chunks_exact_mut(4)) {
        o.copy_from_slice(&lq_level_fast(*q, p).to_le_bytes());
    }
}

/// See `crate::kernels::dequantize::int_scale_offset_scalar`: four elements per step,
/// widened to i32/u32 lanes, converted exactly to f64, divided and offset in f64x2.
#[inline(never)]
pub fn int_scale_offset(src: &[u8], ty: IntLe, scale: f64, offset: f64, out: &mut [u8], f64_out: bool) {
    let (isz, osz) = (ty.size(), if f64_out { 8 } else { 4 });
    let n = (src.len() / isz).min(out.len() / osz);
    let (sc, off) = (f64x2_splat(scale), f64x2_splat(offset));
    let unsigned32 = ty == IntLe::U32;
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: elements `i..i + 4` are inside `src` and `out` (`i + 4 <= n`), and each
        // load reads exactly `4 * isz` bytes.
        unsafe {
            let p = src.as_ptr().add(i * isz);
            let w = match ty {
                IntLe::I8 => i32x4_extend_low_i16x8(i16x8_extend_low_i8x16(v128_load32_zero(p as *const u32))),
                IntLe::U8 => u32x4_extend_low_u16x8(u16x8_extend_low_u8x16(v128_load32_zero(p as *const u32))),
                IntLe::I16 => i32x4_extend_low_i16x8(v128_load64_zero(p as *const u64)),
                IntLe::U16 => u32x4_extend_low_u16x8(v128_load64_zero(p as *const u64)),
                IntLe::I32 | IntLe::U32 => v128_load(p as *const v128),
            };
            let conv = |v: v128| if unsigned32 { f64x2_convert_low_u32x4(v) } else { f64x2_convert_low_i32x4(v) };
            let lo = f64x2_add(f64x2_div(conv(w), sc), off);
            let hi = f64x2_add(f64x2_div(conv(i64x2_shuffle::<1, 1>(w, w)), sc), off);
            let o = out.as_mut_ptr().add(i * osz);
            if f64_out {
                v128_store(o as *mut v128, lo);
                v128_store(o.add(16) as *mut v128, hi);
            } else {
                let v = i64x2_shuffle::<0, 2>(f32x4_demote_f64x2_zero(lo), f32x4_demote_f64x2_zero(hi));
                v128_store(o as *mut v128, v);
            }
        }
        i += 4;
    }
    crate::kernels::dequantize::int_scale_offset_scalar(
        src.get(i * isz..).unwrap_or_default(),
        ty,
        scale,
        offset,
        out.get_mut(i * osz..).unwrap_or_default(),
        f64_out,
    );
}
