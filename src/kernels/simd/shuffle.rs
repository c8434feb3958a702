//! SIMD128 byte and bit un-shuffling (same results as `crate::kernels::shuffle`'s scalar
//! references). Byte unshuffle interleaves 16 elements per step (typesize 2, 4, 8 with
//! byte/16/32-bit interleaves; any other typesize with a 16x16 byte transpose); bit
//! unshuffle goes from the bit planes to the elements in one pass, 128 elements at a
//! time (an 8x8 bit transpose across eight plane vectors, then byte interleaves).

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
/// with row `j + 8`, each rotating the row and column index bits by one. Written out
/// lane by lane so that LLVM keeps the rows in locals (a loop over a scratch array left
/// a `memory.fill` per round, a call in V8).
#[inline(always)]
fn transpose16(m: &mut [v128; 16]) {
    #[inline(always)]
    fn round(m: [v128; 16]) -> [v128; 16] {
        let [a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7] = m;
        [
            lo8(a0, b0),
            hi8(a0, b0),
            lo8(a1, b1),
            hi8(a1, b1),
            lo8(a2, b2),
            hi8(a2, b2),
            lo8(a3, b3),
            hi8(a3, b3),
            lo8(a4, b4),
            hi8(a4, b4),
            lo8(a5, b5),
            hi8(a5, b5),
            lo8(a6, b6),
            hi8(a6, b6),
            lo8(a7, b7),
            hi8(a7, b7),
        ]
    }
    *m = round(round(round(round(*m))));
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

/// Transpose the 8x8 bit matrices spread over eight registers: on entry bit `m` of byte
/// `x` of `p[s]` is row `s`, column `m` of matrix `x`; on exit it is row `m`, column `s`.
/// Three rounds of delta swaps between register pairs (distance 1, 2, 4): 12 swaps for
/// 16 matrices, where a per-lane `u64` transpose (as `crate::kernels::shuffle::transpose8x8`)
/// takes 24. The shifts are 16-bit: the masks drop every bit that crosses a byte.
///
/// `mk` holds the masks 0x55, 0x33, 0x0F in every byte, passed through `black_box` by the
/// caller. Each swap is 7 operations: written as `b ^ t` with `t = ((a >> k) ^ b) & m`,
/// LLVM turns the `b` side into a `v128.bitselect` (V8 on x64: and, andn, or; 8 per swap,
/// the kernel ran 3% slower); `t` goes back to `b` through a 32-bit shift instead, and
/// with opaque masks LLVM cannot prove that shift pair a no-op.
#[inline(always)]
fn transpose_bits8(p: [v128; 8], mk: [v128; 3]) -> [v128; 8] {
    #[inline(always)]
    fn swap<const K: u32>(a: v128, b: v128, m: v128) -> (v128, v128) {
        let t = u16x8_shl(v128_and(v128_xor(u16x8_shr(a, K), b), m), K);
        (v128_xor(a, t), v128_xor(b, u32x4_shr(t, K)))
    }
    let [p0, p1, p2, p3, p4, p5, p6, p7] = p;
    let [m1, m2, m4] = mk;
    let m = m1;
    let ((p0, p1), (p2, p3)) = (swap::<1>(p0, p1, m), swap::<1>(p2, p3, m));
    let ((p4, p5), (p6, p7)) = (swap::<1>(p4, p5, m), swap::<1>(p6, p7, m));
    let m = m2;
    let ((p0, p2), (p1, p3)) = (swap::<2>(p0, p2, m), swap::<2>(p1, p3, m));
    let ((p4, p6), (p5, p7)) = (swap::<2>(p4, p6, m), swap::<2>(p5, p7, m));
    let m = m4;
    let ((p0, p4), (p1, p5)) = (swap::<4>(p0, p4, m), swap::<4>(p1, p5, m));
    let ((p2, p6), (p3, p7)) = (swap::<4>(p2, p6, m), swap::<4>(p3, p7, m));
    [p0, p1, p2, p3, p4, p5, p6, p7]
}

/// The bit planes of a bit-shuffled buffer: `8 * typesize` planes of `nb` bytes at
/// `src`, and the masks of [`transpose_bits8`].
#[derive(Clone, Copy)]
struct Planes {
    src: *const u8,
    nb: usize,
    mk: [v128; 3],
}

impl Planes {
    /// Bit `s` of byte `b` of the 128 elements of group `j` (elements `8j..8j + 128`):
    /// planes `8b..8b + 8` at plane byte `j`, bit-transposed: vector `m` holds byte `b`
    /// of elements `8x + m`, `x = 0..16`.
    ///
    /// # Safety
    /// `src` holds at least `8 * (b + 1) * nb` bytes and `j + 16 <= nb`.
    #[inline(always)]
    unsafe fn bits(self, b: usize, j: usize) -> [v128; 8] {
        let nb = self.nb;
        // SAFETY: the caller upholds this function's contract.
        unsafe {
            let base = self.src.add(8 * b * nb + j);
            transpose_bits8(
                [
                    ld(base),
                    ld(base.add(nb)),
                    ld(base.add(2 * nb)),
                    ld(base.add(3 * nb)),
                    ld(base.add(4 * nb)),
                    ld(base.add(5 * nb)),
                    ld(base.add(6 * nb)),
                    ld(base.add(7 * nb)),
                ],
                self.mk,
            )
        }
    }

    /// [`Planes::bits`] byte-interleaved: vector `k` holds byte `b` of elements
    /// `16k..16k + 16`.
    ///
    /// # Safety
    /// As [`Planes::bits`].
    #[inline(always)]
    unsafe fn bytes(self, b: usize, j: usize) -> [v128; 8] {
        // SAFETY: the caller upholds this function's contract.
        unsafe { interleave8(self.bits(b, j)) }
    }
}

/// One group of 128 elements of any typesize `t`, 16 byte positions at a time: the
/// byte vectors of a block go through `buf` (2 KiB) and a 16x16 byte transpose.
/// Blocks go from the last (possibly partial) to the first and elements ascend, so a
/// full 16-byte store that spills past an element's block only writes bytes that a later
/// store (a later group, the scalar tail or the caller's tail copy) overwrites; a store
/// that would pass `room` goes through a temporary.
///
/// # Safety
/// `pl.src` holds `8 * t * pl.nb` bytes, `j + 16 <= pl.nb`, `dst` holds `room >= 128 * t` bytes.
unsafe fn group_generic(pl: Planes, t: usize, j: usize, dst: *mut u8, room: usize, buf: &mut [v128; 128]) {
    // SAFETY: the caller upholds this function's contract.
    unsafe {
        for blk in (0..t.div_ceil(16)).rev() {
            let b0 = blk * 16;
            let np = (t - b0).min(16);
            for (r, rows) in buf.chunks_exact_mut(8).enumerate().take(np) {
                rows.copy_from_slice(&pl.bytes(b0 + r, j));
            }
            for k in 0..8 {
                let mut m = [u8x16_splat(0); 16];
                for (r, row) in m.iter_mut().enumerate().take(np) {
                    *row = buf.get(8 * r + k).copied().unwrap_or(u8x16_splat(0));
                }
                transpose16(&mut m);
                for (e, row) in m.iter().enumerate() {
                    let at = (16 * k + e) * t + b0;
                    if at + 16 <= room {
                        st(dst.add(at), *row);
                    } else {
                        let mut tmp = [0u8; 16];
                        st(tmp.as_mut_ptr(), *row);
                        core::ptr::copy_nonoverlapping(tmp.as_ptr(), dst.add(at), np);
                    }
                }
            }
        }
    }
}

/// Groups `0..groups` for typesize `T` (2, 4, 8 or 16), `C` groups at a time. The
/// [`Planes::bits`] vectors of every byte position go to a stack buffer; then, per group,
/// the 16 vectors that make up 16 output vectors (elements `8x + m` for `m` in one
/// run of `16 / T`, `x = 0..16`, all `T` bytes) go through one 16x16 byte transpose.
/// Reading a whole 64-byte line of each plane in a row keeps the `8 * T` plane streams
/// (4 KiB apart when the planes are) out of each other's way in the L1 cache.
///
/// # Safety
/// `pl.src` holds `8 * T * pl.nb` bytes, `16 * groups <= pl.nb`, `dst` holds `128 * T * groups` bytes.
#[inline(always)]
unsafe fn multi_group<const T: usize, const C: usize>(pl: Planes, groups: usize, dst: *mut u8) {
    const { assert!(8 * T * C <= 512 && T <= 16 && 16 % T == 0) };
    // 8 KiB, not zeroed (a memory.fill is a call in V8): every vector read was written
    // by the same pass of the `g` loop.
    let mut buf = core::mem::MaybeUninit::<[v128; 512]>::uninit();
    let bp = buf.as_mut_ptr() as *mut v128;
    // SAFETY: the caller upholds this function's contract; `buf` indices stay below
    // `8 * T * C`.
    unsafe {
        let per = 16 / T; // elements per output vector
        let mut g = 0;
        while g < groups {
            let c = (groups - g).min(C);
            for b in 0..T {
                for i in 0..c {
                    let v = pl.bits(b, 16 * (g + i));
                    for (m, x) in v.into_iter().enumerate() {
                        *bp.add(8 * (i * T + b) + m) = x;
                    }
                }
            }
            for i in 0..c {
                let o = dst.add(128 * T * (g + i));
                let q = bp.add(8 * T * i);
                for hm in 0..8 / per {
                    let mut m = [u8x16_splat(0); 16];
                    for (r, row) in m.iter_mut().enumerate() {
                        *row = *q.add(8 * (r % T) + hm * per + r / T);
                    }
                    transpose16(&mut m);
                    for (x, row) in m.iter().enumerate() {
                        st(o.add(8 * T * x + 16 * hm), *row);
                    }
                }
            }
            g += c;
        }
    }
}

/// Undo a bit shuffle (see `crate::kernels::shuffle::bit_unshuffle_scalar`) in one pass,
/// no scratch: per group of 128 elements and byte position, the 8 plane vectors go
/// through `transpose_bits8`; typesize 1 then byte-interleaves them into the output,
/// typesize 2, 4, 8, 16 take `multi_group` (16x16 byte transposes), others
/// `group_generic`. Plane bytes after the last whole group (n % 128 elements) are scalar.
/// Against the former three passes (planes → bytes, 8x8 transpose, byte unshuffle), node 20,
/// best of runs: kernel alone on 256 KiB, typesize 1 6.0 → 12.2 GB/s, 2 5.2 → 10.3, 4 5.1 →
/// 10.2, 8 5.3 → 9.6, 16 2.0 → 9.2; 1 MiB Blosc bitshuffle decodes, float32 zstd 1409 →
/// 1628 MB/s, lz4 2341 → 3067, blosclz 1647 → 1957, uint16 zstd 1199 → 1372.
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
    let t = typesize;
    let n = len / t;
    if n % 8 != 0 || n == 0 {
        dst.copy_from_slice(src);
        return;
    }
    let body = n * t;
    let nb = n / 8;
    let groups = nb / 16;
    let dp = dst.as_mut_ptr();
    // Opaque masks for transpose_bits8 (7 operations per swap instead of 8).
    let mk = core::hint::black_box([u8x16_splat(0x55), u8x16_splat(0x33), u8x16_splat(0x0F)]);
    let pl = Planes { src: src.as_ptr(), nb, mk };
    // SAFETY: src and dst hold `len >= body = 8 * t * nb` bytes; group `g` reads plane
    // bytes `16g..16g + 16 <= nb` of every plane and writes dst bytes `128g * t` onwards,
    // `128 * t <= body - 128g * t` of them.
    unsafe {
        match t {
            1 => {
                for g in 0..groups {
                    let o = dp.add(128 * g);
                    for (k, v) in pl.bytes(0, 16 * g).into_iter().enumerate() {
                        st(o.add(16 * k), v);
                    }
                }
            }
            2 => multi_group::<2, 8>(pl, groups, dp),
            4 => multi_group::<4, 8>(pl, groups, dp),
            8 => multi_group::<8, 8>(pl, groups, dp),
            16 => multi_group::<16, 4>(pl, groups, dp),
            _ => {
                let mut buf = [u8x16_splat(0); 128];
                for g in 0..groups {
                    let at = 128 * g * t;
                    group_generic(pl, t, 16 * g, dp.add(at), len - at, &mut buf);
                }
            }
        }
    }
    // Plane bytes 16 * groups..nb: the scalar transpose of bit_unshuffle_scalar.
    for b in 0..t {
        for g in 16 * groups..nb {
            let mut x = 0u64;
            for s in 0..8 {
                let v = src.get((8 * b + s) * nb + g).copied().unwrap_or(0);
                x |= u64::from(v) << (8 * s);
            }
            let y = crate::kernels::shuffle::transpose8x8(x);
            for k in 0..8 {
                if let Some(o) = dst.get_mut((8 * g + k) * t + b) {
                    *o = (y >> (8 * k)) as u8;
                }
            }
        }
    }
    if let (Some(s), Some(d)) = (src.get(body..), dst.get_mut(body..)) {
        d.copy_from_slice(s);
    }
}
