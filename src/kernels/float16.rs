//! IEEE 754 binary16 → binary32 widening (exact: every half value is a float), for the
//! float16 arrays the JS API returns as `Float32Array`.

/// Convert one half-precision bit pattern to `f32`, exactly (NaN payloads kept).
#[inline]
pub fn f16_bits_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = if exp == 0x1f {
        sign | 0x7f80_0000 | (man << 13)
    } else if exp != 0 {
        sign | ((exp + 112) << 23) | (man << 13)
    } else if man == 0 {
        sign
    } else {
        // Subnormal: normalise.
        let shift = man.leading_zeros() - 21; // bring the top set bit to bit 10
        let m = (man << shift) & 0x3ff;
        let e = 113 - shift;
        sign | (e << 23) | (m << 13)
    };
    f32::from_bits(bits)
}

/// Widen little-endian float16 bytes into `dst` (as many elements as both hold). SIMD128
/// on wasm32 builds with `simd128`, bit-equal to [`f16_le_to_f32_scalar`].
pub fn f16_le_to_f32(src: &[u8], dst: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::misc::f16_le_to_f32(src, dst)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        f16_le_to_f32_scalar(src, dst)
    }
}

/// The scalar reference of [`f16_le_to_f32`].
pub fn f16_le_to_f32_scalar(src: &[u8], dst: &mut [f32]) {
    for (c, d) in src.chunks_exact(2).zip(dst.iter_mut()) {
        if let Ok(a) = <[u8; 2]>::try_from(c) {
            *d = f16_bits_to_f32(u16::from_le_bytes(a));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_halves_match_the_half_crate() {
        for h in 0..=u16::MAX {
            let want = half::f16::from_bits(h).to_f32();
            let got = f16_bits_to_f32(h);
            if want.is_nan() {
                // numpy keeps the payload (half may quiet it): check against numpy's rule.
                let bits = (u32::from(h & 0x8000) << 16) | 0x7f80_0000 | (u32::from(h & 0x3ff) << 13);
                assert_eq!(got.to_bits(), bits, "{h:#x}");
            } else {
                assert_eq!(got.to_bits(), want.to_bits(), "{h:#x}");
            }
        }
        let mut out = [0f32; 2];
        f16_le_to_f32(&[0x00, 0x3c, 0x00, 0xc0, 0xff], &mut out);
        assert_eq!(out, [1.0, -2.0]);
    }
}
