//! SIMD128 LayerQuantizer dequantisation (same results as
//! `crate::kernels::dequantize::lq_dequantize_scalar`): four levels per step in two f64x2
//! halves, the unfused product and sum, the exactness check of
//! `crate::kernels::dequantize`, and a per-lane fallback to `mul_add` when it fails.

use crate::kernels::dequantize::{lq_level_fast, LqParams, LQ_NAN};
use core::arch::wasm32::*;

/// Two levels (`i32x4` lanes 0–1 of `q`): the f32 bit patterns in lanes 0–1 of the result
/// and whether both passed the exactness check.
#[inline(always)]
fn half(q: v128, delta: v128, inv: v128, mn: v128, tiny: v128, signless: v128) -> (v128, bool) {
    let t = f64x2_mul(delta, f64x2_convert_low_i32x4(q));
    let prod = f64x2_mul(t, inv);
    let y = f64x2_add(prod, mn);
    let e = f64x2_mul(f64x2_add(v128_and(prod, signless), v128_and(y, signless)), tiny);
    let lo = f32x4_demote_f64x2_zero(f64x2_sub(y, e));
    let hi = f32x4_demote_f64x2_zero(f64x2_add(y, e));
    let yy = f32x4_demote_f64x2_zero(y);
    // Lanes 2-3 of the demotions are zero in all three: equal.
    let same = i32x4_all_true(i32x4_eq(lo, hi));
    // Non-finite y or e: |y| + e finite check via the f32 result being finite is not
    // enough (y may be finite and e overflow); test y and e directly.
    let finite = f64x2_lt(f64x2_add(v128_and(y, signless), e), f64x2_splat(f64::INFINITY));
    (yy, same && i64x2_all_true(finite))
}

/// Dequantise `levels` into little-endian float32 `out`.
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn lq_dequantize(levels: &[i32], p: &LqParams, out: &mut [u8]) {
    let n = levels.len().min(out.len() / 4);
    let (levels, out) = (levels.get(..n).unwrap_or_default(), out.get_mut(..n * 4).unwrap_or_default());
    let delta = f64x2_splat(p.delta);
    let inv = f64x2_splat(p.inv);
    let mn = f64x2_splat(p.mn);
    let tiny = f64x2_splat(f64::from_bits(0x3CD0_0000_0000_0000));
    let signless = u64x2_splat(0x7FFF_FFFF_FFFF_FFFF);
    let nan_code = i32x4_splat(p.nan_code);
    let nan = u32x4_splat(LQ_NAN);
    let mut lv = levels.chunks_exact(4);
    let mut ov = out.chunks_exact_mut(16);
    for (l, o) in (&mut lv).zip(&mut ov) {
        // SAFETY: `l` is 4 i32 (16 bytes) and `o` 16 bytes long.
        let q = unsafe { v128_load(l.as_ptr() as *const v128) };
        let (a, ok_a) = half(q, delta, inv, mn, tiny, signless);
        let (b, ok_b) = half(i64x2_shuffle::<1, 1>(q, q), delta, inv, mn, tiny, signless);
        let is_nan = i32x4_eq(q, nan_code);
        if ok_a && ok_b {
            let v = i64x2_shuffle::<0, 2>(a, b);
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
