//! Delta decoding (inclusive prefix sum) of little-endian integers with wrapping
//! arithmetic, as numcodecs `Delta.decode` (`np.cumsum`) produces for integer types:
//! modular arithmetic makes the accumulator width irrelevant.
//!
//! The SIMD128 version is `crate::kernels::simd::delta`; `tests/wasm_kernels_node.rs`
//! checks it against [`delta_decode_le_scalar`].

/// Prefix-sum every `size`-byte little-endian integer of `buf` in place, wrapping.
/// `size` must be 1, 2, 4 or 8; other sizes and a trailing partial element are left
/// unchanged. Signed and unsigned types alike (two's complement wrapping addition is the
/// same operation). SIMD128 on wasm32 builds with `simd128` (a log-step prefix sum inside
/// each 16-byte vector plus the carried total), bit-equal to [`delta_decode_le_scalar`].
pub fn delta_decode_le(buf: &mut [u8], size: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::delta::delta_decode_le(buf, size)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        delta_decode_le_scalar(buf, size)
    }
}

/// The scalar reference of [`delta_decode_le`].
pub fn delta_decode_le_scalar(buf: &mut [u8], size: usize) {
    macro_rules! run {
        ($t:ty, $n:literal) => {{
            let mut acc: $t = 0;
            for c in buf.chunks_exact_mut($n) {
                if let Ok(a) = <&mut [u8; $n]>::try_from(c) {
                    acc = acc.wrapping_add(<$t>::from_le_bytes(*a));
                    *a = acc.to_le_bytes();
                }
            }
        }};
    }
    match size {
        1 => run!(u8, 1),
        2 => run!(u16, 2),
        4 => run!(u32, 4),
        8 => run!(u64, 8),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::TestRng;

    #[test]
    fn matches_naive() {
        let mut rng = TestRng::new(4);
        for _ in 0..200 {
            let size = [1, 2, 4, 8][rng.below(4)];
            let n = rng.below(100);
            let x = rng.bytes(n * size);
            let mut got = x.clone();
            delta_decode_le(&mut got, size);
            // Naive: big-integer sum modulo 2^(8*size), byte by byte.
            let mut want = Vec::new();
            let mut acc = vec![0u8; size];
            for e in x.chunks_exact(size) {
                let mut carry = 0u16;
                for (a, &b) in acc.iter_mut().zip(e) {
                    let s = u16::from(*a) + u16::from(b) + carry;
                    *a = s as u8;
                    carry = s >> 8;
                }
                want.extend_from_slice(&acc);
            }
            assert_eq!(got, want);
        }
    }
}
