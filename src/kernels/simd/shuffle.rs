//! SIMD128 byte and bit un-shuffling (same results as `crate::kernels::shuffle`'s scalar
//! references). Byte unshuffle interleaves 16 elements per step (typesize 2, 4, 8 with
//! byte/16/32-bit interleaves; any other typesize with a 16x16 byte transpose); bit
//! unshuffle is c-blosc's two passes: bit-planes → byte-planes (an 8-plane byte
//! interleave and an 8x8 bit transpose on each 64-bit lane), then a byte unshuffle.

use core::arch::wasm32::*;

/// Undo a byte shuffle (see `crate::kernels::shuffle::byte_unshuffle_scalar`).
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn byte_unshuffle(src: &[u8], dst: &mut [u8], typesize: usize) {
    let len = src.len().min(dst.len());
    let (src, dst) = (src.get(..len).unwrap_or_default(), dst.get_mut(..len).unwrap_or_default());
    if typesize <= 1 {
        dst.copy_from_slice(src);
        return;
    }
    let q = len / typesize;
    let body = q * typesize;
    // SAFETY: src and dst both hold `len >= q * typesize` bytes.
    unsafe {
        match typesize {
            2 => unshuffle2(src.as_ptr(), dst.as_mut_ptr(), q),
            4 => unshuffle4(src.as_ptr(), dst.as_mut_ptr(), q),
            8 => unshuffle8(src.as_ptr(), dst.as_mut_ptr(), q),
            _ => unshuffle_generic(src.as_ptr(), dst.as_mut_ptr(), typesize, q, len),
        }
    }
    if let (Some(s), Some(d)) = (src.get(body..), dst.get_mut(body..)) {
        d.copy_from_slice(s);
    }
}

#[inline(always)]
unsafe fn ld(p: *const u8) -> v128 {
    // SAFETY: the caller upholds this function's contract.
    unsafe { v128_load(p as *const v128) }
}

#[inline(always)]
unsafe fn st(p: *mut u8, v: v128) {
    // SAFETY: the caller upholds this function's contract.
    unsafe { v128_store(p as *mut v128, v) }
}

#[inline(always)]
fn lo8(a: v128, b: v128) -> v128 {
    u8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(a, b)
}
#[inline(always)]
fn hi8(a: v128, b: v128) -> v128 {
    u8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(a, b)
}
#[inline(always)]
fn lo16(a: v128, b: v128) -> v128 {
    u16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b)
}
#[inline(always)]
fn hi16(a: v128, b: v128) -> v128 {
    u16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b)
}
#[inline(always)]
fn lo32(a: v128, b: v128) -> v128 {
    u32x4_shuffle::<0, 4, 1, 5>(a, b)
}
#[inline(always)]
fn hi32(a: v128, b: v128) -> v128 {
    u32x4_shuffle::<2, 6, 3, 7>(a, b)
}

/// Scalar tail shared by the fixed typesizes: elements `from..q`.
///
/// # Safety
/// `src` and `dst` hold at least `q * t` bytes.
#[inline(always)]
unsafe fn tail(src: *const u8, dst: *mut u8, t: usize, q: usize, from: usize) {
    // SAFETY: the caller upholds this function's contract.
    unsafe {
        for i in from..q {
            for b in 0..t {
                *dst.add(i * t + b) = *src.add(b * q + i);
            }
        }
    }
}

/// # Safety
/// `src` and `dst` hold at least `2 * q` bytes.
unsafe fn unshuffle2(src: *const u8, dst: *mut u8, q: usize) {
    // SAFETY: the caller upholds this function's contract.
    unsafe {
        let mut i = 0;
        while i + 16 <= q {
            let a = ld(src.add(i));
            let b = ld(src.add(q + i));
            st(dst.add(2 * i), lo8(a, b));
            st(dst.add(2 * i + 16), hi8(a, b));
            i += 16;
        }
        tail(src, dst, 2, q, i);
    }
}

/// # Safety
/// `src` and `dst` hold at least `4 * q` bytes.
unsafe fn unshuffle4(src: *const u8, dst: *mut u8, q: usize) {
    // SAFETY: the caller upholds this function's contract.
    unsafe {
        let mut i = 0;
        while i + 16 <= q {
            let a = ld(src.add(i));
            let b = ld(src.add(q + i));
            let c = ld(src.add(2 * q + i));
            let d = ld(src.add(3 * q + i));
            let (ab0, ab1) = (lo8(a, b), hi8(a, b));
            let (cd0, cd1) = (lo8(c, d), hi8(c, d));
            let o = dst.add(4 * i);
            st(o, lo16(ab0, cd0));
            st(o.add(16), hi16(ab0, cd0));
            st(o.add(32), lo16(ab1, cd1));
            st(o.add(48), hi16(ab1, cd1));
            i += 16;
        }
        tail(src, dst, 4, q, i);
    }
}

/// Interleave 8 byte planes of 16 bytes into 128 bytes of 8-byte elements.
#[inline(always)]
fn interleave8(p: [v128; 8]) -> [v128; 8] {
    let [a, b, c, d, e, f, g, h] = p;
    let (ab0, ab1, cd0, cd1) = (lo8(a, b), hi8(a, b), lo8(c, d), hi8(c, d));
    let (ef0, ef1, gh0, gh1) = (lo8(e, f), hi8(e, f), lo8(g, h), hi8(g, h));
    // 32-bit groups: bytes 0-3 (abcd) and 4-7 (efgh) of elements.
    let (abcd0, abcd1, abcd2, abcd3) = (lo16(ab0, cd0), hi16(ab0, cd0), lo16(ab1, cd1), hi16(ab1, cd1));
    let (efgh0, efgh1, efgh2, efgh3) = (lo16(ef0, gh0), hi16(ef0, gh0), lo16(ef1, gh1), hi16(ef1, gh1));
    [
        lo32(abcd0, efgh0),
        hi32(abcd0, efgh0),
        lo32(abcd1, efgh1),
        hi32(abcd1, efgh1),
        lo32(abcd2, efgh2),
        hi32(abcd2, efgh2),
        lo32(abcd3, efgh3),
        hi32(abcd3, efgh3),
    ]
}

/// # Safety
/// `src` and `dst` hold at least `8 * q` bytes.
unsafe fn unshuffle8(src: *const u8, dst: *mut u8, q: usize) {
    // SAFETY: the caller upholds this function's contract.
    unsafe {
        let mut i = 0;
        while i + 16 <= q {
            let p = [
                ld(src.add(i)),
                ld(src.add(q + i)),
                ld(src.add(2 * q + i)),
                ld(src.add(3 * q + i)),
                ld(src.add(4 * q + i)),
                ld(src.add(5 * q + i)),
                ld(src.add(6 * q + i)),
                ld(src.add(7 * q + i)),
            ];
            let o = dst.add(8 * i);
            for (k, v) in interleave8(p).into_iter().enumerate() {
                st(o.add(16 * k), v);
            }
            i += 16;
        }
        tail(src, dst, 8, q, i);
    }
}

/// Transpose a 16x16 byte matrix (row `r` = `m[r]`): four rounds of pairing row `j`
/// with row `j + 8`, each rotating the row and column index bits by one.
#[inline(always)]
fn transpose16(m: &mut [v128; 16]) {
    for _ in 0..4 {
        let mut n = [u8x16_splat(0); 16];
        let (lo, hi) = m.split_at(8);
        for (pair, (x, y)) in n.chunks_exact_mut(2).zip(lo.iter().zip(hi)) {
            if let [p0, p1] = pair {
                *p0 = lo8(*x, *y);
                *p1 = hi8(*x, *y);
            }
        }
        *m = n;
    }
}

/// Any typesize: 16 elements at a time, planes in blocks of 16 transposed to element rows.
/// Blocks go from the last (possibly partial) to the first, rows in ascending order, so a
/// full 16-byte store that spills past an element's block only writes bytes that a later
/// store (or the scalar tail, or the caller's tail copy) overwrites.
///
/// # Safety
/// `src` and `dst` hold at least `len >= t * q` bytes.
unsafe fn unshuffle_generic(src: *const u8, dst: *mut u8, t: usize, q: usize, len: usize) {
    // SAFETY: the caller upholds this function's contract.
    unsafe {
        let mut i = 0;
        let nblocks = t.div_ceil(16);
        while i + 16 <= q {
            for blk in (0..nblocks).rev() {
                let b0 = blk * 16;
                let np = (t - b0).min(16);
                let mut m = [u8x16_splat(0); 16];
                for (r, row) in m.iter_mut().enumerate().take(np) {
                    *row = ld(src.add((b0 + r) * q + i));
                }
                transpose16(&mut m);
                for (k, row) in m.iter().enumerate() {
                    let at = (i + k) * t + b0;
                    if at + 16 <= len {
                        st(dst.add(at), *row);
                    } else {
                        let mut tmp = [0u8; 16];
                        st(tmp.as_mut_ptr(), *row);
                        core::ptr::copy_nonoverlapping(tmp.as_ptr(), dst.add(at), np);
                    }
                }
            }
            i += 16;
        }
        tail(src, dst, t, q, i);
    }
}

/// The 8x8 bit transpose of `crate::kernels::shuffle::transpose8x8` on both 64-bit lanes.
///
/// Each delta swap `x ^ t ^ (t << k)` with `t = (x ^ (x >> k)) & m` computes `t << k` as
/// `((x << k) ^ x) & (m << k)` instead: from `t ^ (t << k)` (disjoint bits) LLVM makes
/// `t * (2^k + 1)`, an `i64x2.mul` that V8 expands to a dozen instructions, which made
/// this kernel 8x slower than the byte unshuffle.
#[inline(always)]
fn transpose8x8x2(mut x: v128) -> v128 {
    #[inline(always)]
    fn swap<const K: u32>(x: v128, m: u64) -> v128 {
        let t = v128_and(v128_xor(x, u64x2_shr(x, K)), u64x2_splat(m));
        let u = v128_and(v128_xor(x, u64x2_shl(x, K)), u64x2_splat(m << K));
        v128_xor(x, v128_xor(t, u))
    }
    x = swap::<7>(x, 0x00AA_00AA_00AA_00AA);
    x = swap::<14>(x, 0x0000_CCCC_0000_CCCC);
    swap::<28>(x, 0x0000_0000_F0F0_F0F0)
}

/// Bit-planes of one byte position → that byte of each of the `8 * nb` elements:
/// `planes` holds 8 planes of `nb` bytes, `out` receives `8 * nb` bytes.
fn planes_to_bytes(planes: &[u8], out: &mut [u8], nb: usize) {
    if planes.len() < 8 * nb || out.len() < 8 * nb {
        return;
    }
    // SAFETY: both hold at least 8 * nb bytes (checked above).
    unsafe { unshuffle8(planes.as_ptr(), out.as_mut_ptr(), nb) };
    let mut chunks = out.chunks_exact_mut(16);
    for c in &mut chunks {
        // SAFETY: `c` is 16 bytes long.
        unsafe { st(c.as_mut_ptr(), transpose8x8x2(ld(c.as_ptr()))) };
    }
    for c in chunks.into_remainder().chunks_exact_mut(8) {
        if let Ok(a) = <&mut [u8; 8]>::try_from(c) {
            *a = crate::kernels::shuffle::transpose8x8(u64::from_le_bytes(*a)).to_le_bytes();
        }
    }
}

/// Undo a bit shuffle (see `crate::kernels::shuffle::bit_unshuffle_scalar`).
// Kept out of line: a small hot function reaches V8's optimising tier quickly,
// where a loop inlined into a large decoder can run for long in the baseline tier.
#[inline(never)]
pub fn bit_unshuffle(src: &[u8], dst: &mut [u8], typesize: usize) {
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
    let nb = n / 8;
    if typesize == 1 {
        planes_to_bytes(src, dst, nb);
    } else {
        // One scratch buffer reused across calls (blocks of one chunk, chunks of a read).
        thread_local! {
            static SCRATCH: core::cell::RefCell<Vec<u8>> = const { core::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            if guard.len() < body {
                guard.resize(body, 0);
            }
            let scratch = guard.get_mut(..body).unwrap_or_default();
            for (p, o) in src.chunks_exact(n).zip(scratch.chunks_exact_mut(n)).take(typesize) {
                planes_to_bytes(p, o, nb);
            }
            byte_unshuffle(scratch, dst.get_mut(..body).unwrap_or_default(), typesize);
            if guard.len() > 1 << 22 {
                *guard = Vec::new(); // do not keep more than 4 MiB around
            }
        });
    }
    if let (Some(s), Some(d)) = (src.get(body..), dst.get_mut(body..)) {
        d.copy_from_slice(s);
    }
}
