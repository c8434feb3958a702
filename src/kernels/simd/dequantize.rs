//! SIMD128 LayerQuantizer dequantisation (same results as
//! `crate::kernels::dequantize::lq_dequantize_scalar`): four levels per step in two f64x2
//! halves, `f64(q) * a + mn`, the exactness check of
//! `crate::kernels::dequantize`, and a per-lane fallback to `mul_add` when it fails; the
//! fused per-row plane decoder (negabinary, Lorenzo inverse, dequantisation in one pass);
//! integer scale/offset to f32/f64.

use crate::kernels::dequantize::{
    lq_decode_plane_scalar, lq_decode_rows_scalar, lq_dequantize_scalar, lq_fast_constants, lq_level_fast,
    lq_level_zero, IntLe, LqParams, PlaneRows, LQ_NAN,
};
use core::arch::wasm32::*;

/// The per-plane vector constants of the LayerQuantizer fast path.
struct Lq4 {
    p: LqParams,
    a: v128,
    mn: v128,
    e: v128,
    one: v128,
    /// All lanes true.
    ones: v128,
    /// All lanes 0.
    zero: v128,
    /// `nan_code - 1`: levels `1..nan_code` are `q - 1 < nan_code - 1` (unsigned).
    top: v128,
    nan_code: v128,
    zero_val: v128,
    nan: v128,
    /// With `lq_bits_tolerance`'s `T`: `2^28 - T - 1` and `2^29 - 2T - 1` (the bit-pattern
    /// check passes when `(L + 2^28 - T - 1) mod 2^29 < 2^29 - 2T - 1`), and the mask of the
    /// low 29 bits; `bits` says whether the plane allows that check.
    t_add: v128,
    t_lim: v128,
    mask29: v128,
    bits: bool,
}

impl Lq4 {
    /// `None` when the fast path's constants are not finite (see `lq_fast_constants`).
    fn new(p: &LqParams) -> Option<Self> {
        let (a, e) = lq_fast_constants(p)?;
        let t = crate::kernels::dequantize::lq_bits_tolerance(p);
        let tt = t.unwrap_or(0);
        Some(Lq4 {
            t_add: u32x4_splat((1u32 << 28) - tt - 1),
            t_lim: u32x4_splat((1u32 << 29) - 2 * tt - 1),
            mask29: u32x4_splat((1u32 << 29) - 1),
            bits: t.is_some(),
            p: *p,
            a: f64x2_splat(a),
            mn: f64x2_splat(p.mn),
            e: f64x2_splat(e),
            one: i32x4_splat(1),
            ones: i32x4_splat(-1),
            zero: i32x4_splat(0),
            top: i32x4_splat(p.nan_code.wrapping_sub(1)),
            nan_code: i32x4_splat(p.nan_code),
            zero_val: u32x4_splat(lq_level_zero(p)),
            nan: u32x4_splat(LQ_NAN),
        })
    }

    /// The hot-loop form of [`Lq4::store`] for levels already known to be in
    /// `0..nan_code` (the caller checks the row's maximum): writes the four values and
    /// returns a mask whose lanes are all true unless a value is near a float32 rounding
    /// boundary (bytes at `o` then undefined). Level 0 passes the check except when `min`
    /// is 0, so a vector of four zeros is a splat first (the zero runs of sparse fields).
    /// No calls and no per-lane work, so V8 keeps the loop's vectors in registers.
    ///
    /// # Safety
    /// `o` is valid for 16 bytes of writes.
    #[inline(always)]
    unsafe fn store_fast<const SPARSE: bool, const BITS: bool>(&self, q: v128, o: *mut u8) -> v128 {
        // SAFETY (whole body): every store writes inside the 16 bytes at `o`.
        unsafe {
            if BITS {
                // `self.bits`: the check on the bit patterns of `y` (see
                // `lq_bits_tolerance`), level 0 included.
                let y0 = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(q), self.a), self.mn);
                let y1 = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(i64x2_shuffle::<1, 1>(q, q)), self.a), self.mn);
                let (r0, r1) = (f32x4_demote_f64x2_zero(y0), f32x4_demote_f64x2_zero(y1));
                v128_store64_lane::<0>(r0, o as *mut u64);
                v128_store64_lane::<0>(r1, o.add(8) as *mut u64);
                let low = i32x4_shuffle::<0, 2, 4, 6>(y0, y1);
                let ok = u32x4_lt(v128_and(i32x4_add(low, self.t_add), self.mask29), self.t_lim);
                // A use of the whole demoted vectors (ANDed with `zero`, opaque through
                // `black_box`): with only their low halves used, LLVM narrows the
                // demotions to two lanes and scalarises them.
                return v128_or(ok, v128_and(v128_or(r0, r1), self.zero));
            }
            if !v128_any_true(q) {
                v128_store(o as *mut v128, self.zero_val);
                return self.ones;
            }
            let y0 = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(q), self.a), self.mn);
            let y1 = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(i64x2_shuffle::<1, 1>(q, q)), self.a), self.mn);
            let lo0 = f32x4_demote_f64x2_zero(f64x2_sub(y0, self.e));
            let hi0 = f32x4_demote_f64x2_zero(f64x2_add(y0, self.e));
            let lo1 = f32x4_demote_f64x2_zero(f64x2_sub(y1, self.e));
            let hi1 = f32x4_demote_f64x2_zero(f64x2_add(y1, self.e));
            let (mut ok0, mut ok1) = (i32x4_eq(lo0, hi0), i32x4_eq(lo1, hi1));
            let (mut lo0, mut lo1) = (lo0, lo1);
            if SPARSE {
                // Level-0 lanes next to others (the edges of the zero runs): with `min`
                // 0 they fail the check, and are the value of level 0 (lanes 0-1 of each
                // half are levels 0-1 and 2-3).
                let z0 = i32x4_eq(q, self.zero);
                let z1 = i64x2_shuffle::<1, 1>(z0, z0);
                lo0 = v128_bitselect(self.zero_val, lo0, z0);
                lo1 = v128_bitselect(self.zero_val, lo1, z1);
                ok0 = v128_or(ok0, z0);
                ok1 = v128_or(ok1, z1);
            }
            v128_store64_lane::<0>(lo0, o as *mut u64);
            v128_store64_lane::<0>(lo1, o.add(8) as *mut u64);
            v128_and(ok0, ok1)
        }
    }

    /// Dequantise the four levels of `q` into the 16 bytes at `o`.
    ///
    /// The two f64x2 halves are demoted and stored separately (8-byte lane stores): merging
    /// two `f32x4_demote_f64x2_zero` results with a shuffle lets LLVM turn the pair into
    /// eight scalar demotions (extract/replace lane), which made this kernel 4x slower.
    ///
    /// # Safety
    /// `o` is valid for 16 bytes of writes.
    #[inline(always)]
    unsafe fn store(&self, q: v128, o: *mut u8) {
        // SAFETY (whole body): every store writes inside the 16 bytes at `o`.
        unsafe {
            if !v128_any_true(q) {
                // Four level-0 values (the zero runs of sparse fields).
                v128_store(o as *mut v128, self.zero_val);
                return;
            }
            let y0 = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(q), self.a), self.mn);
            let y1 = f64x2_add(f64x2_mul(f64x2_convert_low_i32x4(i64x2_shuffle::<1, 1>(q, q)), self.a), self.mn);
            let lo0 = f32x4_demote_f64x2_zero(f64x2_sub(y0, self.e));
            let hi0 = f32x4_demote_f64x2_zero(f64x2_add(y0, self.e));
            let lo1 = f32x4_demote_f64x2_zero(f64x2_sub(y1, self.e));
            let hi1 = f32x4_demote_f64x2_zero(f64x2_add(y1, self.e));
            // Exact when f32(y - e) == f32(y + e) (lanes 2-3 of each half compare zeros) and
            // every level is in 1..nan_code.
            let exact = v128_and(i32x4_eq(lo0, hi0), i32x4_eq(lo1, hi1));
            let inside = u32x4_lt(i32x4_sub(q, self.one), self.top);
            if u32x4_all_true(v128_and(exact, inside)) {
                v128_store64_lane::<0>(lo0, o as *mut u64);
                v128_store64_lane::<0>(lo1, o.add(8) as *mut u64);
                return;
            }
            if u32x4_all_true(i32x4_eq(q, self.nan_code)) {
                v128_store(o as *mut v128, self.nan);
                return;
            }
            // Mixed lanes (level 0 next to others, NaN, out of range) or a value near a
            // float32 rounding boundary: lane by lane.
            let mut l = [0i32; 4];
            v128_store(l.as_mut_ptr() as *mut v128, q);
            for (k, q) in l.iter().enumerate() {
                let b = lq_level_fast(*q, &self.p).to_le_bytes();
                core::ptr::copy_nonoverlapping(b.as_ptr(), o.add(4 * k), 4);
            }
        }
    }
}

/// Dequantise `levels` into little-endian float32 `out`.
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn lq_dequantize(levels: &[i32], p: &LqParams, out: &mut [u8]) {
    let Some(c) = Lq4::new(p) else {
        return lq_dequantize_scalar(levels, p, out);
    };
    let n = levels.len().min(out.len() / 4);
    let (levels, out) = (levels.get(..n).unwrap_or_default(), out.get_mut(..n * 4).unwrap_or_default());
    let mut lv = levels.chunks_exact(4);
    let mut ov = out.chunks_exact_mut(16);
    for (l, o) in (&mut lv).zip(&mut ov) {
        // SAFETY: `l` is 4 i32 (16 bytes) and `o` 16 bytes long.
        unsafe { c.store(v128_load(l.as_ptr() as *const v128), o.as_mut_ptr()) };
    }
    for (q, o) in lv.remainder().iter().zip(ov.into_remainder().chunks_exact_mut(4)) {
        o.copy_from_slice(&lq_level_fast(*q, p).to_le_bytes());
    }
}

/// See `crate::kernels::dequantize::lq_decode_plane_scalar`: per row, four codes per step
/// go through negabinary decoding, a 4-lane prefix sum (two shifted adds plus the carried
/// row sum) and the addition of the row above (kept in `above`), then straight to
/// [`Lq4::store_fast`]; no plane-sized intermediate buffer.
///
/// Measured (node 20, A/B of two builds in one process, best of 11 rounds, the bench's
/// 4x256x256 nbits-16 chunks, whole LayerQuantizer decode): the loop unrolled twice,
/// weather 0.750 → 0.744 ms, precipitation 0.470 → 0.462 ms; four times (then twice,
/// once): 0.652 → 0.641 and 0.660 → 0.644 ms, 0.396 → 0.376 and 0.391 → 0.380 ms; the
/// exactness masks ANDed over the row (one vector operation) and the row redone with
/// [`Lq4::store`] when one failed, instead of noting each failing vector's offset (a bitmask, a compare, a store
/// and an add per vector): 0.741 → 0.723 ms, 0.481 → 0.473 ms. Tried and dropped:
/// a copy of the loop per `lorenzo` value (no change: 0.714 vs 0.718 ms); the levels
/// converted to f64 through the bits of `2^52 + q` (lane masks and 64-bit shifts: even
/// and odd lanes, whose interleaving shuffle LLVM turned into scalar demotions, 7%
/// slower; or interleaved with the high word of 2^52, fewer shuffle-port operations than
/// `convert_low`: no change, 0.716 vs 0.720 ms). The first step of the 4-lane prefix sum
/// as a 64-bit shift instead of a shuffle (the second adds lane 1 into lanes 2-3):
/// weather 0.629 → 0.618 and 0.642 → 0.615 ms, precipitation unchanged.
#[inline(never)]
pub fn lq_decode_plane(buf: &mut [u8], plane: PlaneRows, p: &LqParams, above: &mut [i32]) {
    let Some(c) = Lq4::new(p) else {
        return lq_decode_plane_scalar(buf, plane, p, above);
    };
    let PlaneRows { src, dst, cols, lorenzo, .. } = plane;
    let rows = plane.fitting(buf.len(), above.len());
    let base = buf.as_mut_ptr();
    // SAFETY: `src + rows * cols * 4 <= buf.len()`, `dst <= src` and `above.len() >= cols`
    // (PlaneRows::fitting), so `decode_rows`' contract holds.
    unsafe { decode_rows(RawRows { s0: base.add(src), d0: base.add(dst), rows, cols, lorenzo }, c, p, above) }
}

/// See `crate::kernels::dequantize::lq_decode_rows_scalar`: [`lq_decode_plane`] from one
/// buffer of codes into another of float32 values.
#[inline(never)]
pub fn lq_decode_rows(codes: &[u8], out: &mut [u8], cols: usize, lorenzo: bool, p: &LqParams, above: &mut [i32]) {
    let Some(c) = Lq4::new(p) else {
        return lq_decode_rows_scalar(codes, out, cols, lorenzo, p, above);
    };
    let rows = crate::kernels::dequantize::rows_fitting(codes.len().min(out.len()), cols, above.len());
    // SAFETY: `rows * cols * 4` bytes lie inside `codes` and inside `out` (distinct
    // slices), and `above.len() >= cols` (rows_fitting), so `decode_rows`' contract holds.
    unsafe { decode_rows(RawRows { s0: codes.as_ptr(), d0: out.as_mut_ptr(), rows, cols, lorenzo }, c, p, above) }
}

/// The body of [`lq_decode_plane`] and [`lq_decode_rows`]: the rows of `r` decoded.
///
/// # Safety
/// `r.s0` is valid for `rows * cols * 4` bytes of reads and `r.d0` for as many writes;
/// either the two ranges do not overlap or `d0 <= s0` (in place: each code is read before
/// the output at or before it is written); `above.len() >= cols` when `rows > 0`.
#[inline(always)]
unsafe fn decode_rows(r: RawRows, c: Lq4, p: &LqParams, above: &mut [i32]) {
    // SAFETY: the caller's contract.
    unsafe {
        if r.lorenzo && p.mn == 0.0 {
            decode_rows_t::<true, false>(r, c, p, above)
        } else if c.bits {
            decode_rows_t::<false, true>(r, c, p, above)
        } else {
            decode_rows_t::<false, false>(r, c, p, above)
        }
    }
}

/// `rows` rows of `cols` codes at `s0`, decoded to float32 values at `d0`, with or
/// without the Lorenzo inverse.
#[derive(Clone, Copy)]
struct RawRows {
    s0: *const u8,
    d0: *mut u8,
    rows: usize,
    cols: usize,
    lorenzo: bool,
}

/// [`decode_rows`]; with `SPARSE`, a vector of zero codes below zero levels and after a
/// zero row sum is four zero levels, stored without the prefix sum (`lorenzo` only).
/// Chosen for planes whose minimum is 0 (sparse fields: precipitation, masks), where the
/// test pays for itself: node 20 A/B, best of 11, precipitation 0.465 → 0.445 ms per
/// chunk (two more runs: 0.480 → 0.448, 0.468 → 0.449); the weather field (minimum ≠ 0)
/// unchanged (0.716 vs 0.716 ms), where the test would cost four operations per vector.
/// With `SPARSE`, [`Lq4::store_fast`] also takes the level-0 lanes of mixed vectors (the
/// edges of zero runs, which fail the exactness check when `min` is 0) instead of failing
/// the row, which was then redone (426 of the 1024 rows of the bench's precipitation
/// chunk): 0.452 → 0.413 ms per chunk, weather unchanged (0.756 vs 0.749 ms).
///
/// # Safety
/// As [`decode_rows`].
#[inline(always)]
unsafe fn decode_rows_t<const SPARSE: bool, const BITS: bool>(r: RawRows, c: Lq4, p: &LqParams, above: &mut [i32]) {
    let RawRows { s0, d0, rows, cols, lorenzo } = r;
    // Opaque to LLVM (`black_box`), the vector constants stay loop-invariant values: as
    // splats of scalars LLVM sinks them into the loop, and V8 rebuilds each at every use
    // (measured: the whole LayerQuantizer decode ~4% faster).
    let c = core::hint::black_box(c);
    let Some(above) = above.get_mut(..cols) else { return };
    let (m, zero) = core::hint::black_box((u32x4_splat(0xAAAA_AAAA), i32x4_splat(0)));
    let top = u32::try_from(p.nan_code).unwrap_or(0);
    for i in 0..rows {
        let row = i * cols * 4;
        // SAFETY: `i < rows`: the row starts inside both ranges (the function's contract).
        let (s, d) = unsafe { (s0.add(row), d0.add(row)) };
        let mut carry = zero;
        let mut high = zero;
        let mut j = 0;
        let mut exact = c.ones;
        // One vector of four levels at column `j`.
        macro_rules! step {
            () => {
                // SAFETY: `j + 4 <= cols` (checked by the loops below): 16 bytes inside this
                // row of codes and of output, and 4 elements inside `above` (`cols` long).
                // The codes at `s + 4j` are read before the output at `d + 4j` (at or
                // before them) is written.
                unsafe {
                    let u = v128_load(s.add(4 * j) as *const v128);
                    let up = above.as_mut_ptr().add(j) as *mut v128;
                    if SPARSE && !v128_any_true(v128_or(v128_or(u, v128_load(up)), carry)) {
                        // Four zero levels; `above` holds them already, `carry` stays 0.
                        v128_store(d.add(4 * j) as *mut v128, c.zero_val);
                    } else {
                        let q = if lorenzo {
                            let r = i32x4_sub(v128_xor(u, m), m);
                            // Pair sums by a 64-bit shift (no shuffle), then the sum of
                            // lanes 0-1 into lanes 2-3.
                            let mut x = i32x4_add(r, i64x2_shl(r, 32));
                            x = i32x4_add(x, i32x4_shuffle::<4, 4, 1, 1>(x, zero));
                            x = i32x4_add(x, carry);
                            carry = i32x4_shuffle::<3, 3, 3, 3>(x, x);
                            i32x4_add(x, v128_load(up))
                        } else {
                            u
                        };
                        v128_store(up, q);
                        high = u32x4_max(high, q);
                        exact = v128_and(exact, c.store_fast::<SPARSE, BITS>(q, d.add(4 * j)));
                    }
                }
                j += 4;
            };
        }
        while j + 16 <= cols {
            step!();
            step!();
            step!();
            step!();
        }
        while j + 8 <= cols {
            step!();
            step!();
        }
        if j + 4 <= cols {
            step!();
        }
        let high = u32x4_max(high, i64x2_shuffle::<1, 0>(high, high));
        let high = u32x4_max(high, i32x4_shuffle::<1, 0, 3, 2>(high, high));
        if u32x4_extract_lane::<0>(high) >= top || !u32x4_all_true(exact) {
            // A NaN sentinel or an out-of-range level in this row, or a value near a
            // float32 rounding boundary: every vector but those of four zero levels
            // (already final) again, with the complete per-vector logic.
            for (k, q) in above.chunks_exact(4).take(j / 4).enumerate() {
                // SAFETY: `q` is 4 i32; `4 * k + 4 <= j <= cols`: inside this row of output.
                unsafe {
                    let q = v128_load(q.as_ptr() as *const v128);
                    if v128_any_true(q) {
                        c.store(q, d.add(16 * k));
                    }
                }
            }
        }
        let mut left = i32x4_extract_lane::<0>(carry);
        for (jj, up) in above.iter_mut().enumerate().skip(j) {
            // SAFETY: `jj < cols`: 4 bytes inside this row of codes and of output.
            unsafe {
                let mut w = [0u8; 4];
                core::ptr::copy_nonoverlapping(s.add(4 * jj), w.as_mut_ptr(), 4);
                let u = u32::from_le_bytes(w);
                *up = if lorenzo {
                    left = left.wrapping_add(crate::kernels::lorenzo::negabinary_to_i32(u));
                    left.wrapping_add(*up)
                } else {
                    u as i32
                };
                let b = lq_level_fast(*up, p).to_le_bytes();
                core::ptr::copy_nonoverlapping(b.as_ptr(), d.add(4 * jj), 4);
            }
        }
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
                // Two 8-byte lane stores, not a shuffle of the two demotions (which LLVM
                // turns into eight scalar ones; see `Lq4::store`).
                v128_store64_lane::<0>(f32x4_demote_f64x2_zero(lo), o as *mut u64);
                v128_store64_lane::<0>(f32x4_demote_f64x2_zero(hi), o.add(8) as *mut u64);
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
