//! LayerQuantizer's integer stages (specs/layerquantizer.md § "Decoding algorithm", steps
//! 1–2): negabinary → two's complement, and the inverse of the 2-D Lorenzo predictor (a
//! wrapping inclusive prefix sum over rows and columns of each plane), plus its N-D form.

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

/// N-D Lorenzo inverse (the N-D inclusive prefix sum over a C-order array of `shape`),
/// wrapping: an inclusive prefix sum along each axis in turn (wrapping addition is
/// associative, so the result does not depend on the order). Does nothing when `q` is
/// shorter than the shape implies. SIMD128 on wasm32 builds with `simd128`, bit-equal to
/// [`lorenzo_inverse_nd_scalar`].
pub fn lorenzo_inverse_nd(q: &mut [i32], shape: &[usize]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        super::simd::lorenzo::lorenzo_inverse_nd(q, shape)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        lorenzo_inverse_nd_scalar(q, shape)
    }
}

/// The number of elements of `shape`, if `q` holds them.
pub(crate) fn nd_total(q: &[i32], shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).filter(|&t| t <= q.len())
}

/// The scalar reference of [`lorenzo_inverse_nd`].
pub fn lorenzo_inverse_nd_scalar(q: &mut [i32], shape: &[usize]) {
    let Some(total) = nd_total(q, shape) else { return };
    let q = q.get_mut(..total).unwrap_or_default();
    for (axis, &n) in shape.iter().enumerate() {
        let stride: usize = shape.get(axis + 1..).unwrap_or_default().iter().product();
        let block = n.saturating_mul(stride);
        if block == 0 || n < 2 {
            continue;
        }
        for b in q.chunks_exact_mut(block) {
            for k in 1..n {
                let (prev, cur) = b.split_at_mut(k * stride);
                let prev = prev.get((k - 1) * stride..).unwrap_or_default();
                for (c, p) in cur.iter_mut().take(stride).zip(prev) {
                    *c = c.wrapping_add(*p);
                }
            }
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
    fn nd_matches_2d_and_naive_3d() {
        let mut rng = TestRng::new(9);
        for _ in 0..100 {
            let (a, b, c) = (1 + rng.below(5), 1 + rng.below(6), 1 + rng.below(7));
            let r: Vec<i32> = (0..a * b * c).map(|_| rng.next_u64() as i32).collect();
            let mut q = r.clone();
            lorenzo_inverse_nd(&mut q, &[a, b, c]);
            for i in 0..a {
                for j in 0..b {
                    for k in 0..c {
                        let mut s = 0i32;
                        for x in 0..=i {
                            for y in 0..=j {
                                for z in 0..=k {
                                    s = s.wrapping_add(r[(x * b + y) * c + z]);
                                }
                            }
                        }
                        assert_eq!(q[(i * b + j) * c + k], s);
                    }
                }
            }
            let mut q2 = r[..b * c].to_vec();
            let mut q3 = q2.clone();
            lorenzo_inverse_nd(&mut q2, &[b, c]);
            lorenzo_inverse_2d(&mut q3, b, c);
            assert_eq!(q2, q3);
        }
        lorenzo_inverse_nd(&mut [1, 2], &[3, 3]);
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
