//! In-place byte swapping of 16/32/64-bit units: converting stored big-endian elements to
//! the little-endian [`crate::codecs::ArrayBytes`] (Zarr v3 `bytes` codec, `endian: big`;
//! v2 `>` typestrs). A trailing partial unit is left unchanged.

/// Reverse the bytes of every 2-byte unit.
pub fn swap16(buf: &mut [u8]) {
    for c in buf.chunks_exact_mut(2) {
        c.swap(0, 1);
    }
}

/// Reverse the bytes of every 4-byte unit.
pub fn swap32(buf: &mut [u8]) {
    for c in buf.chunks_exact_mut(4) {
        if let Ok(a) = <&mut [u8; 4]>::try_from(c) {
            *a = u32::from_le_bytes(*a).swap_bytes().to_le_bytes();
        }
    }
}

/// Reverse the bytes of every 8-byte unit.
pub fn swap64(buf: &mut [u8]) {
    for c in buf.chunks_exact_mut(8) {
        if let Ok(a) = <&mut [u8; 8]>::try_from(c) {
            *a = u64::from_le_bytes(*a).swap_bytes().to_le_bytes();
        }
    }
}

/// Reverse the bytes of every `unit`-byte unit (1 and 0: no-op). SIMD128 on wasm32
/// builds with `simd128`, bit-equal to [`swap_in_place_scalar`].
pub fn swap_in_place(buf: &mut [u8], unit: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::misc::swap_in_place(buf, unit)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        swap_in_place_scalar(buf, unit)
    }
}

/// The scalar reference of [`swap_in_place`].
pub fn swap_in_place_scalar(buf: &mut [u8], unit: usize) {
    match unit {
        0 | 1 => {}
        2 => swap16(buf),
        4 => swap32(buf),
        8 => swap64(buf),
        n => {
            for c in buf.chunks_exact_mut(n) {
                c.reverse();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::TestRng;

    #[test]
    fn swaps_match_naive() {
        let mut rng = TestRng::new(3);
        for _ in 0..200 {
            let unit = [2, 4, 8, 3, 16][rng.below(5)];
            let len = rng.below(300);
            let x = rng.bytes(len);
            let mut got = x.clone();
            swap_in_place(&mut got, unit);
            let mut want = x.clone();
            for c in want.chunks_exact_mut(unit) {
                c.reverse();
            }
            assert_eq!(got, want);
        }
    }
}
