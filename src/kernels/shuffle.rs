//! Byte and bit un-shuffling, as in c-blosc `shuffle.c` / `bitshuffle-generic.c` and the
//! numcodecs `shuffle` filter (specs/blosc.md § "Decoding", step 5).
//!
//! Byte shuffle stores byte `b` of every element together: with `q = len / typesize`,
//! shuffled byte `b*q + i` is byte `b` of element `i`. Bit shuffle stores bit `s` of
//! byte `b` of every element together in plane `8*b + s`, element `i` at bit `i % 8`
//! of plane byte `i / 8`. Trailing bytes that do not fill an element (or, for bit
//! shuffle, a group of 8 elements) are copied unchanged.

/// Undo a byte shuffle of `src` into `dst` (same length) with elements of `typesize` bytes.
/// When the lengths differ only the common prefix is written. SIMD128 on wasm32 builds
/// with `simd128` (bit-equal to [`byte_unshuffle_scalar`]), the scalar reference elsewhere.
pub fn byte_unshuffle(src: &[u8], dst: &mut [u8], typesize: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::shuffle::byte_unshuffle(src, dst, typesize)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        byte_unshuffle_scalar(src, dst, typesize)
    }
}

/// Undo a bit shuffle (see [`bit_unshuffle_scalar`]); SIMD128 on wasm32 builds with
/// `simd128`, bit-equal to the scalar reference.
pub fn bit_unshuffle(src: &[u8], dst: &mut [u8], typesize: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::shuffle::bit_unshuffle(src, dst, typesize)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        bit_unshuffle_scalar(src, dst, typesize)
    }
}

/// The scalar reference of [`byte_unshuffle`].
pub fn byte_unshuffle_scalar(src: &[u8], dst: &mut [u8], typesize: usize) {
    let len = src.len().min(dst.len());
    let (src, dst) = (src.get(..len).unwrap_or_default(), dst.get_mut(..len).unwrap_or_default());
    if typesize <= 1 {
        dst.copy_from_slice(src);
        return;
    }
    let q = len / typesize;
    let body = q * typesize;
    match typesize {
        2 => unshuffle_fixed::<2>(src, dst, q),
        4 => unshuffle_fixed::<4>(src, dst, q),
        8 => unshuffle_fixed::<8>(src, dst, q),
        _ => unshuffle_generic(src, dst, typesize, q),
    }
    if let (Some(s), Some(d)) = (src.get(body..), dst.get_mut(body..)) {
        d.copy_from_slice(s);
    }
}

fn unshuffle_fixed<const T: usize>(src: &[u8], dst: &mut [u8], q: usize) {
    let mut planes: [&[u8]; T] = [&[]; T];
    for (b, plane) in planes.iter_mut().enumerate() {
        *plane = src.get(b * q..(b + 1) * q).unwrap_or_default();
    }
    for (i, out) in dst.chunks_exact_mut(T).take(q).enumerate() {
        for (o, plane) in out.iter_mut().zip(planes.iter()) {
            *o = plane.get(i).copied().unwrap_or(0);
        }
    }
}

fn unshuffle_generic(src: &[u8], dst: &mut [u8], typesize: usize, q: usize) {
    if q == 0 {
        return;
    }
    for (b, plane) in src.chunks_exact(q).take(typesize).enumerate() {
        for (i, &v) in plane.iter().enumerate() {
            if let Some(o) = dst.get_mut(i * typesize + b) {
                *o = v;
            }
        }
    }
}

/// Transpose an 8x8 bit matrix held in a `u64` (row `r` = byte `r`, bit `c` of a row =
/// column `c`): afterwards byte `c` bit `r` holds what was byte `r` bit `c`.
#[inline]
pub(crate) fn transpose8x8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0;
    x ^ t ^ (t << 28)
}

/// Undo a bit shuffle of `src` into `dst` (same length) with elements of `typesize`
/// bytes. As c-blosc, when the element count is not a multiple of 8 the data was not
/// bit-shuffled and is copied unchanged; bytes after the last whole element are copied.
/// The scalar reference of [`bit_unshuffle`].
pub fn bit_unshuffle_scalar(src: &[u8], dst: &mut [u8], typesize: usize) {
    let len = src.len().min(dst.len());
    let (src, dst) = (src.get(..len).unwrap_or_default(), dst.get_mut(..len).unwrap_or_default());
    if typesize == 0 {
        dst.copy_from_slice(src);
        return;
    }
    let n = len / typesize;
    if n % 8 != 0 || n == 0 {
        dst.copy_from_slice(src);
        return;
    }
    let body = n * typesize;
    let nb = n / 8; // bytes per bit-plane
    for b in 0..typesize {
        for g in 0..nb {
            // Gather plane bytes s = 0..8 for byte b, group g: row s = plane 8b+s.
            let mut x = 0u64;
            for s in 0..8 {
                let v = src.get((8 * b + s) * nb + g).copied().unwrap_or(0);
                x |= u64::from(v) << (8 * s);
            }
            // After the transpose, byte k holds bit s of element 8g+k at bit s.
            let t = transpose8x8(x);
            for k in 0..8 {
                if let Some(o) = dst.get_mut((8 * g + k) * typesize + b) {
                    *o = (t >> (8 * k)) as u8;
                }
            }
        }
    }
    if let (Some(s), Some(d)) = (src.get(body..), dst.get_mut(body..)) {
        d.copy_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::TestRng;

    fn naive_byte_shuffle(x: &[u8], ts: usize) -> Vec<u8> {
        let q = x.len() / ts;
        let mut out = x.to_vec();
        for i in 0..q {
            for b in 0..ts {
                out[b * q + i] = x[i * ts + b];
            }
        }
        out
    }

    fn naive_bit_unshuffle(src: &[u8], ts: usize) -> Vec<u8> {
        let n = src.len() / ts;
        if n % 8 != 0 {
            return src.to_vec();
        }
        let mut out = src.to_vec();
        for v in out[..n * ts].iter_mut() {
            *v = 0;
        }
        for i in 0..n {
            for b in 0..ts {
                for s in 0..8 {
                    let plane = 8 * b + s;
                    let bit = (src[plane * (n / 8) + i / 8] >> (i % 8)) & 1;
                    out[i * ts + b] |= bit << s;
                }
            }
        }
        out
    }

    fn naive_bit_shuffle(x: &[u8], ts: usize) -> Vec<u8> {
        let n = x.len() / ts;
        let mut out = x.to_vec();
        for v in out[..n * ts].iter_mut() {
            *v = 0;
        }
        for i in 0..n {
            for b in 0..ts {
                for s in 0..8 {
                    let bit = (x[i * ts + b] >> s) & 1;
                    out[(8 * b + s) * (n / 8) + i / 8] |= bit << (i % 8);
                }
            }
        }
        out
    }

    #[test]
    fn byte_unshuffle_matches_naive() {
        let mut rng = TestRng::new(1);
        for _ in 0..300 {
            let ts = [1, 2, 3, 4, 5, 8, 16, 7][rng.below(8)];
            let len = rng.below(700);
            let x = rng.bytes(len);
            let sh = naive_byte_shuffle(&x, ts);
            let mut out = vec![0; len];
            byte_unshuffle(&sh, &mut out, ts);
            assert_eq!(out, x, "ts {ts} len {len}");
        }
    }

    #[test]
    fn bit_unshuffle_matches_naive() {
        let mut rng = TestRng::new(2);
        for _ in 0..300 {
            let ts = 1 + rng.below(9);
            let n = 8 * rng.below(40) + if rng.below(4) == 0 { rng.below(8) } else { 0 };
            let len = n * ts + rng.below(ts);
            let x = rng.bytes(len);
            let mut out = vec![0; len];
            bit_unshuffle(&x, &mut out, ts);
            assert_eq!(out, naive_bit_unshuffle(&x, ts), "ts {ts} len {len}");
            if n % 8 == 0 {
                let mut back = vec![0; len];
                bit_unshuffle(&naive_bit_shuffle(&x, ts), &mut back, ts);
                assert_eq!(back, x);
            }
        }
    }

    #[test]
    fn mismatched_lengths_do_not_panic() {
        let mut small = [0u8; 3];
        byte_unshuffle(&[1, 2, 3, 4, 5], &mut small, 4);
        bit_unshuffle(&[1; 64], &mut small, 0);
        byte_unshuffle(&[], &mut [], 4);
        assert_eq!(small, [1, 1, 1]);
    }
}
