//! SIMD128 colour map and 2×2 downsampling (same results as `crate::kernels::render`'s
//! scalar references): four values per step; the colour map computes four indices in
//! SIMD and looks them up one by one (wasm has no gather).

use crate::kernels::render::{colormap_index, colormap_scale, mean4};
use core::arch::wasm32::*;

/// See `crate::kernels::render::colormap_rgba8_scalar`.
#[inline(never)]
pub fn colormap_rgba8(x: &[f32], vmin: f32, vmax: f32, lut: &[u32; 256], out: &mut [u8]) {
    let scale = colormap_scale(vmin, vmax);
    let (vm, sc) = (f32x4_splat(vmin), f32x4_splat(scale));
    let (lo, hi) = (i32x4_splat(0), i32x4_splat(255));
    let look = |i: i32| lut.get((i & 255) as usize).copied().unwrap_or(0);
    let mut xv = x.chunks_exact(4);
    let mut ov = out.chunks_exact_mut(16);
    for (v, o) in (&mut xv).zip(&mut ov) {
        // SAFETY: `v` is 4 f32 and `o` 16 bytes long.
        unsafe {
            let v = v128_load(v.as_ptr() as *const v128);
            let idx = i32x4_min(i32x4_max(i32x4_trunc_sat_f32x4(f32x4_mul(f32x4_sub(v, vm), sc)), lo), hi);
            let c = u32x4(
                look(i32x4_extract_lane::<0>(idx)) as u32,
                look(i32x4_extract_lane::<1>(idx)) as u32,
                look(i32x4_extract_lane::<2>(idx)) as u32,
                look(i32x4_extract_lane::<3>(idx)) as u32,
            );
            let c = v128_and(c, f32x4_eq(v, v)); // NaN → 0
            v128_store(o.as_mut_ptr() as *mut v128, c);
        }
    }
    for (v, o) in xv.remainder().iter().zip(ov.into_remainder().chunks_exact_mut(4)) {
        let c = colormap_index(*v, vmin, scale).and_then(|i| lut.get(i)).copied().unwrap_or(0);
        o.copy_from_slice(&c.to_le_bytes());
    }
}

/// NaN-aware mean of four 2×2 blocks at once.
#[inline(always)]
fn mean4x4(a: v128, b: v128, c: v128, d: v128) -> v128 {
    let one = f32x4_splat(1.0);
    let z = |v: v128| {
        let ok = f32x4_eq(v, v);
        (v128_and(v, ok), v128_and(one, ok))
    };
    let ((a, na), (b, nb), (c, nc), (d, nd)) = (z(a), z(b), z(c), z(d));
    let n = f32x4_add(f32x4_add(na, nb), f32x4_add(nc, nd));
    let m = f32x4_div(f32x4_add(f32x4_add(a, b), f32x4_add(c, d)), n);
    v128_bitselect(u32x4_splat(0x7FC0_0000), m, f32x4_eq(n, f32x4_splat(0.0)))
}

/// See `crate::kernels::render::downsample2_scalar`.
#[inline(never)]
pub fn downsample2(x: &[f32], rows: usize, cols: usize, mean: bool, out: &mut [f32]) {
    if x.len() < rows.saturating_mul(cols) {
        // A raster shorter than its shape: the reference's partial-row behaviour.
        return crate::kernels::render::downsample2_scalar(x, rows, cols, mean, out);
    }
    let ocols = cols / 2;
    if ocols == 0 {
        return;
    }
    for (i, orow) in out.chunks_exact_mut(ocols).take(rows / 2).enumerate() {
        let top = x.get(2 * i * cols..(2 * i + 1) * cols).unwrap_or_default();
        let bot = x.get((2 * i + 1) * cols..(2 * i + 2) * cols).unwrap_or_default();
        if top.len() < 2 * ocols || bot.len() < 2 * ocols {
            continue;
        }
        let mut j = 0;
        while j + 4 <= ocols {
            // SAFETY: `2 * (j + 4) <= 2 * ocols <= top.len(), bot.len()`, and `j + 4 <= orow.len()`.
            unsafe {
                let t0 = v128_load(top.as_ptr().add(2 * j) as *const v128);
                let t1 = v128_load(top.as_ptr().add(2 * j + 4) as *const v128);
                let a = u32x4_shuffle::<0, 2, 4, 6>(t0, t1);
                let r = if mean {
                    let b = u32x4_shuffle::<1, 3, 5, 7>(t0, t1);
                    let b0 = v128_load(bot.as_ptr().add(2 * j) as *const v128);
                    let b1 = v128_load(bot.as_ptr().add(2 * j + 4) as *const v128);
                    mean4x4(a, b, u32x4_shuffle::<0, 2, 4, 6>(b0, b1), u32x4_shuffle::<1, 3, 5, 7>(b0, b1))
                } else {
                    a
                };
                v128_store(orow.as_mut_ptr().add(j) as *mut v128, r);
            }
            j += 4;
        }
        for (jj, o) in orow.iter_mut().enumerate().skip(j) {
            let g = |s: &[f32], k: usize| s.get(k).copied().unwrap_or(0.0);
            *o = if mean {
                mean4(g(top, 2 * jj), g(top, 2 * jj + 1), g(bot, 2 * jj), g(bot, 2 * jj + 1))
            } else {
                g(top, 2 * jj)
            };
        }
    }
}
