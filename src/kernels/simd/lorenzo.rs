//! SIMD128 LayerQuantizer integer stages (same results as the scalar references in
//! `crate::kernels::lorenzo`): negabinary decoding four codes per step, and the 2-D
//! Lorenzo inverse as a 4-lane prefix sum (two shifted adds plus the carried row sum)
//! added to the row above, which is already final in place.

use core::arch::wasm32::*;

/// See `crate::kernels::lorenzo::negabinary_le_to_i32_scalar`.
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn negabinary_le_to_i32(codes: &[u8], out: &mut [i32]) {
    let n = out.len().min(codes.len() / 4);
    let (codes, out) = (codes.get(..n * 4).unwrap_or_default(), out.get_mut(..n).unwrap_or_default());
    let m = u32x4_splat(0xAAAA_AAAA);
    let mut cv = codes.chunks_exact(16);
    let mut ov = out.chunks_exact_mut(4);
    for (c, o) in (&mut cv).zip(&mut ov) {
        // SAFETY: `c` is 16 bytes, `o` 4 i32 (16 bytes) long.
        unsafe {
            let u = v128_load(c.as_ptr() as *const v128);
            v128_store(o.as_mut_ptr() as *mut v128, i32x4_sub(v128_xor(u, m), m));
        }
    }
    for (c, o) in cv.remainder().chunks_exact(4).zip(ov.into_remainder()) {
        if let Ok(a) = <[u8; 4]>::try_from(c) {
            *o = crate::kernels::lorenzo::negabinary_to_i32(u32::from_le_bytes(a));
        }
    }
}

/// See `crate::kernels::lorenzo::lorenzo_inverse_2d_scalar`.
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn lorenzo_inverse_2d(q: &mut [i32], rows: usize, cols: usize) {
    if cols == 0 {
        return;
    }
    let rows = rows.min(q.len() / cols);
    let zero = i32x4_splat(0);
    for i in 0..rows {
        let (prev, cur) = q.split_at_mut(i * cols);
        let cur = cur.get_mut(..cols).unwrap_or_default();
        let above = prev.get(prev.len().saturating_sub(cols)..).filter(|_| i > 0);
        let mut carry = zero;
        let mut left = 0i32;
        let mut j = 0;
        while j + 4 <= cols {
            // SAFETY: `j + 4 <= cols == cur.len()`, and `above` (when present) has `cols` elements.
            unsafe {
                let p = cur.as_mut_ptr().add(j);
                let mut x = v128_load(p as *const v128);
                x = i32x4_add(x, i32x4_shuffle::<4, 0, 1, 2>(x, zero));
                x = i32x4_add(x, i32x4_shuffle::<4, 5, 0, 1>(x, zero));
                x = i32x4_add(x, carry);
                carry = i32x4_shuffle::<3, 3, 3, 3>(x, x);
                if let Some(a) = above {
                    x = i32x4_add(x, v128_load(a.as_ptr().add(j) as *const v128));
                }
                v128_store(p as *mut v128, x);
            }
            j += 4;
        }
        if j > 0 {
            left = i32x4_extract_lane::<0>(carry);
        }
        for jj in j..cols {
            if let Some(v) = cur.get_mut(jj) {
                left = left.wrapping_add(*v);
                *v = left.wrapping_add(above.and_then(|a| a.get(jj)).copied().unwrap_or(0));
            }
        }
    }
}

/// See `crate::kernels::lorenzo::lorenzo_inverse_nd_scalar`: the last axis as a 4-lane
/// prefix sum, every other axis as whole-slice vector additions.
#[inline(never)]
pub fn lorenzo_inverse_nd(q: &mut [i32], shape: &[usize]) {
    let Some(total) = crate::kernels::lorenzo::nd_total(q, shape) else { return };
    let q = q.get_mut(..total).unwrap_or_default();
    let Some((&last, outer)) = shape.split_last() else { return };
    for (axis, &n) in outer.iter().enumerate() {
        let stride: usize = shape.get(axis + 1..).unwrap_or_default().iter().product();
        let block = n.saturating_mul(stride);
        if block == 0 || n < 2 {
            continue;
        }
        for b in q.chunks_exact_mut(block) {
            for k in 1..n {
                let (prev, cur) = b.split_at_mut(k * stride);
                let prev = prev.get((k - 1) * stride..).unwrap_or_default();
                let cur = cur.get_mut(..stride).unwrap_or_default();
                let mut cv = cur.chunks_exact_mut(4);
                let mut pv = prev.chunks_exact(4);
                for (c, p) in (&mut cv).zip(&mut pv) {
                    // SAFETY: both chunks are 4 i32 long.
                    unsafe {
                        let x = i32x4_add(v128_load(c.as_ptr() as *const v128), v128_load(p.as_ptr() as *const v128));
                        v128_store(c.as_mut_ptr() as *mut v128, x);
                    }
                }
                for (c, p) in cv.into_remainder().iter_mut().zip(pv.remainder()) {
                    *c = c.wrapping_add(*p);
                }
            }
        }
    }
    // The last axis: each row an inclusive prefix sum (the 2-D kernel with one row).
    if last > 0 {
        for row in q.chunks_exact_mut(last) {
            lorenzo_inverse_2d(row, 1, last);
        }
    }
}
