//! SIMD128 delta decoding (same results as `crate::kernels::delta::delta_decode_le_scalar`):
//! each 16-byte vector gets an inclusive prefix sum of its lanes in log steps (add the
//! vector shifted by 1, 2, 4, ... lanes, zeros shifted in), then the running total of the
//! previous vectors (its last lane, splat), which becomes the next running total.

use core::arch::wasm32::*;

/// See `crate::kernels::delta::delta_decode_le_scalar`.
#[inline(never)]
pub fn delta_decode_le(buf: &mut [u8], size: usize) {
    match size {
        1 => run(
            buf,
            1,
            |x, z| {
                let x = i8x16_add(x, i8x16_shuffle::<16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14>(x, z));
                let x = i8x16_add(x, i8x16_shuffle::<16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13>(x, z));
                let x = i8x16_add(x, i8x16_shuffle::<16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11>(x, z));
                i8x16_add(x, i8x16_shuffle::<16, 16, 16, 16, 16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7>(x, z))
            },
            |x| i8x16_shuffle::<15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15>(x, x),
        ),
        2 => run(
            buf,
            2,
            |x, z| {
                let x = i16x8_add(x, i16x8_shuffle::<8, 0, 1, 2, 3, 4, 5, 6>(x, z));
                let x = i16x8_add(x, i16x8_shuffle::<8, 8, 0, 1, 2, 3, 4, 5>(x, z));
                i16x8_add(x, i16x8_shuffle::<8, 8, 8, 8, 0, 1, 2, 3>(x, z))
            },
            |x| i16x8_shuffle::<7, 7, 7, 7, 7, 7, 7, 7>(x, x),
        ),
        4 => run(
            buf,
            4,
            |x, z| {
                let x = i32x4_add(x, i32x4_shuffle::<4, 0, 1, 2>(x, z));
                i32x4_add(x, i32x4_shuffle::<4, 4, 0, 1>(x, z))
            },
            |x| i32x4_shuffle::<3, 3, 3, 3>(x, x),
        ),
        8 => run(buf, 8, |x, z| i64x2_add(x, i64x2_shuffle::<2, 0>(x, z)), |x| i64x2_shuffle::<1, 1>(x, x)),
        _ => {}
    }
}

/// The vector loop: `scan(x, zero)` is the in-vector prefix sum, `last(x)` the last lane
/// splat; `add` is the lane addition of the element width `size`.
#[inline(always)]
fn run(buf: &mut [u8], size: usize, scan: impl Fn(v128, v128) -> v128, last: impl Fn(v128) -> v128) {
    let zero = i8x16_splat(0);
    let add = |a: v128, b: v128| match size {
        1 => i8x16_add(a, b),
        2 => i16x8_add(a, b),
        4 => i32x4_add(a, b),
        _ => i64x2_add(a, b),
    };
    let mut carry = zero;
    let mut chunks = buf.chunks_exact_mut(16);
    for c in &mut chunks {
        // SAFETY: `c` is 16 bytes long.
        unsafe {
            let x = add(scan(v128_load(c.as_ptr() as *const v128), zero), carry);
            v128_store(c.as_mut_ptr() as *mut v128, x);
            carry = last(x);
        }
    }
    // The tail: the scalar reference, seeded with the running total.
    let rest = chunks.into_remainder();
    let mut total = [0u8; 16];
    // SAFETY: `total` is 16 bytes long.
    unsafe { v128_store(total.as_mut_ptr() as *mut v128, carry) };
    let seed = total.get(..size).unwrap_or_default();
    let mut acc = [0u8; 8];
    for (a, s) in acc.iter_mut().zip(seed) {
        *a = *s;
    }
    let mut acc = u64::from_le_bytes(acc);
    for e in rest.chunks_exact_mut(size) {
        let mut v = [0u8; 8];
        for (d, s) in v.iter_mut().zip(e.iter()) {
            *d = *s;
        }
        acc = acc.wrapping_add(u64::from_le_bytes(v));
        for (d, s) in e.iter_mut().zip(acc.to_le_bytes()) {
            *d = s;
        }
    }
}
