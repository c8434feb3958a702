//! Map-facing kernels for float32 rasters: a colour map (256-entry RGBA8 lookup table)
//! with linear rescaling of `[vmin, vmax]`, and 2×2 downsampling (NaN-aware mean, or
//! nearest = top-left sample) for overview levels. SIMD128 on wasm32 builds with
//! `simd128`, bit-equal to the scalar references.
//!
//! Colour map: `t = (v - vmin) * scale` in float32 with `scale = 256 / (vmax - vmin)`,
//! index `clamp(trunc_sat(t), 0, 255)`, NaN → transparent `[0, 0, 0, 0]`.
//! Mean: NaN samples are left out; `((a + b) + (c + d)) / n` in float32 with NaN taken
//! as 0 (a, b top row, c, d bottom row), NaN `0x7FC00000` when all four are NaN.

/// The float32 scale of the colour map rescaling.
#[inline]
pub fn colormap_scale(vmin: f32, vmax: f32) -> f32 {
    256.0 / (vmax - vmin)
}

/// The LUT index of one value (see the module docs); `None` for NaN.
#[inline]
pub fn colormap_index(v: f32, vmin: f32, scale: f32) -> Option<usize> {
    if v.is_nan() {
        return None;
    }
    // `as i32` saturates (NaN → 0), as wasm's `i32x4.trunc_sat_f32x4_s`.
    Some(((v - vmin) * scale) as i32).map(|i| i.clamp(0, 255) as usize)
}

/// Scalar reference: colour `x` into RGBA8 `out` (4 bytes per value; as many values as
/// both hold) through `lut` (0xAABBGGRR little-endian: bytes R, G, B, A).
pub fn colormap_rgba8_scalar(x: &[f32], vmin: f32, vmax: f32, lut: &[u32; 256], out: &mut [u8]) {
    let scale = colormap_scale(vmin, vmax);
    for (v, o) in x.iter().zip(out.chunks_exact_mut(4)) {
        let c = colormap_index(*v, vmin, scale).and_then(|i| lut.get(i)).copied().unwrap_or(0);
        o.copy_from_slice(&c.to_le_bytes());
    }
}

/// Colour `x` into RGBA8 `out` (see [`colormap_rgba8_scalar`]).
pub fn colormap_rgba8(x: &[f32], vmin: f32, vmax: f32, lut: &[u32; 256], out: &mut [u8]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::render::colormap_rgba8(x, vmin, vmax, lut, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        colormap_rgba8_scalar(x, vmin, vmax, lut, out)
    }
}

/// The NaN-aware mean of a 2×2 block (see the module docs).
#[inline]
pub fn mean4(a: f32, b: f32, c: f32, d: f32) -> f32 {
    let z = |v: f32| if v.is_nan() { (0.0, 0.0) } else { (v, 1.0) };
    let (a, na) = z(a);
    let (b, nb) = z(b);
    let (c, nc) = z(c);
    let (d, nd) = z(d);
    let n = (na + nb) + (nc + nd);
    if n == 0.0 {
        f32::from_bits(0x7FC0_0000)
    } else {
        ((a + b) + (c + d)) / n
    }
}

/// Scalar reference: downsample the `rows × cols` raster `x` by 2 in both directions into
/// `out` (`(rows / 2) × (cols / 2)`, odd last row/column dropped), NaN-aware mean when
/// `mean`, else nearest (top-left). Writes as many output rows as `out` holds.
pub fn downsample2_scalar(x: &[f32], rows: usize, cols: usize, mean: bool, out: &mut [f32]) {
    let ocols = cols / 2;
    if ocols == 0 {
        return;
    }
    for (i, orow) in out.chunks_exact_mut(ocols).take(rows / 2).enumerate() {
        let top = x.get(2 * i * cols..(2 * i + 1) * cols).unwrap_or_default();
        let bot = x.get((2 * i + 1) * cols..(2 * i + 2) * cols).unwrap_or_default();
        for ((o, t), b) in orow.iter_mut().zip(top.chunks_exact(2)).zip(bot.chunks_exact(2)) {
            if let ([a, b0], [c, d]) = (t, b) {
                *o = if mean { mean4(*a, *b0, *c, *d) } else { *a };
            }
        }
    }
}

/// Downsample by 2 (see [`downsample2_scalar`]).
pub fn downsample2(x: &[f32], rows: usize, cols: usize, mean: bool, out: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::render::downsample2(x, rows, cols, mean, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        downsample2_scalar(x, rows, cols, mean, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormap_and_downsample() {
        let lut: [u32; 256] = core::array::from_fn(|i| 0xFF00_0000 | i as u32);
        let mut out = [0u8; 16];
        colormap_rgba8(&[0.0, 10.0, f32::NAN, 5.0], 0.0, 10.0, &lut, &mut out);
        assert_eq!(out, [0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 128, 0, 0, 255]);
        let x = [1.0, 3.0, 9.0, 9.0, f32::NAN, 5.0, 9.0, 9.0, 0.0, 0.0, 0.0, 0.0];
        let mut o = [0f32; 2];
        downsample2(&x, 3, 4, true, &mut o);
        assert_eq!(o, [3.0, 9.0]);
        downsample2(&x, 3, 4, false, &mut o);
        assert_eq!(o, [1.0, 9.0]);
        assert!(mean4(f32::NAN, f32::NAN, f32::NAN, f32::NAN).is_nan());
    }
}
