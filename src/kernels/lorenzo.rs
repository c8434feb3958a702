//! LayerQuantizer's integer stages (specs/layerquantizer.md § "Decoding algorithm", steps
//! 1–2): negabinary → two's complement, and the inverse of the 2-D Lorenzo predictor (a
//! wrapping inclusive prefix sum over rows and columns of each plane).

/// Negabinary code `u` to the signed residual: `((u ^ 0xAAAAAAAA) - 0xAAAAAAAA) mod 2^32`.
#[inline]
pub fn negabinary_to_i32(u: u32) -> i32 {
    (u ^ 0xAAAA_AAAA).wrapping_sub(0xAAAA_AAAA) as i32
}

/// Map every little-endian negabinary code of `codes` into `out` (as many as both hold).
/// SIMD128 on wasm32 builds with `simd128`, bit-equal to [`negabinary_le_to_i32_scalar`].
pub fn negabinary_le_to_i32(codes: &[u8], out: &mut [i32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::lorenzo::negabinary_le_to_i32(codes, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        negabinary_le_to_i32_scalar(codes, out)
    }
}

/// 2-D Lorenzo inverse (see [`lorenzo_inverse_2d_scalar`]); SIMD128 on wasm32 builds with
/// `simd128`, bit-equal to the scalar reference.
pub fn lorenzo_inverse_2d(q: &mut [i32], rows: usize, cols: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::lorenzo::lorenzo_inverse_2d(q, rows, cols)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        lorenzo_inverse_2d_scalar(q, rows, cols)
    }
}

/// The scalar reference of [`negabinary_le_to_i32`].
pub fn negabinary_le_to_i32_scalar(codes: &[u8], out: &mut [i32]) {
    for (c, o) in codes.chunks_exact(4).zip(out.iter_mut()) {
        if let Ok(a) = <[u8; 4]>::try_from(c) {
            *o = negabinary_to_i32(u32::from_le_bytes(a));
        }
    }
}

/// 2-D inclusive prefix sum in place over a `rows × cols` plane (C order), wrapping:
/// `q[i][j] = Σ_{a≤i, b≤j} r[a][b]`. Rows beyond `q.len() / cols` are ignored.
/// The scalar reference of [`lorenzo_inverse_2d`].
pub fn lorenzo_inverse_2d_scalar(q: &mut [i32], rows: usize, cols: usize) {
    if cols == 0 {
        return;
    }
    let mut above: Vec<i32> = vec![0; cols];
    for row in q.chunks_exact_mut(cols).take(rows) {
        // q[i][j] = (row prefix of r[i]) + q[i-1][j].
        let mut left = 0i32;
        for (v, up) in row.iter_mut().zip(above.iter_mut()) {
            left = left.wrapping_add(*v);
            *v = left.wrapping_add(*up);
            *up = *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::TestRng;

    fn naive(r: &[i32], rows: usize, cols: usize) -> Vec<i32> {
        let mut q = vec![0i32; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                let mut s = 0i32;
                for a in 0..=i {
                    for b in 0..=j {
                        s = s.wrapping_add(r[a * cols + b]);
                    }
                }
                q[i * cols + j] = s;
            }
        }
        q
    }

    #[test]
    fn prefix_sum_matches_naive() {
        let mut rng = TestRng::new(7);
        for _ in 0..100 {
            let (rows, cols) = (1 + rng.below(9), 1 + rng.below(9));
            let r: Vec<i32> = (0..rows * cols).map(|_| rng.next_u64() as i32).collect();
            let mut q = r.clone();
            lorenzo_inverse_2d(&mut q, rows, cols);
            assert_eq!(q, naive(&r, rows, cols));
        }
        lorenzo_inverse_2d(&mut [], 3, 0);
    }

    #[test]
    fn negabinary_matches_definition() {
        // Negabinary digits d_k give Σ d_k (-2)^k.
        let mut rng = TestRng::new(8);
        for _ in 0..1000 {
            let u = rng.next_u64() as u32;
            let v: i64 = (0..32).map(|k| if u >> k & 1 == 1 { (-2i64).pow(k) } else { 0 }).sum();
            assert_eq!(negabinary_to_i32(u), v as i32, "{u:#x}");
        }
        let mut out = [0i32; 2];
        negabinary_le_to_i32(&[1, 0, 0, 0, 2, 0, 0, 0, 9], &mut out);
        assert_eq!(out, [1, -2]);
    }
}
