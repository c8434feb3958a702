//! The SIMD128 kernels in wasm (node) against their scalar references, bit for bit, on
//! random sizes, typesizes, sub-slice alignments and odd tails. On wasm32 the public
//! kernels (`byte_unshuffle`, ...) are the SIMD versions (the build enables `simd128`),
//! the `*_scalar` functions the references. Run with `scripts/test-wasm.sh --test
//! wasm_kernels_node`.
#![cfg(target_arch = "wasm32")]

use rangetile::kernels::dequantize::{self, LqParams};
use rangetile::kernels::{byteswap, delta, float16, lorenzo, render, shuffle, stats};
use wasm_bindgen_test::wasm_bindgen_test;

/// xorshift64* (deterministic).
struct Rng(u64);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n as u64).max(1)) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// A length: mostly small, sometimes a few thousand, sometimes large.
    fn len(&mut self) -> usize {
        match self.below(10) {
            0..=5 => self.below(300),
            6..=8 => self.below(5000),
            _ => self.below(70_000),
        }
    }
}

/// Run `f(src, dst)` and `g(src, dst)` on the same random input at random offsets into
/// larger buffers (so loads and stores are unaligned) and compare whole buffers, which
/// also proves neither writes outside `dst`.
fn same(seed: u64, cases: usize, mut run: impl FnMut(&mut Rng, &[u8], &mut [u8], &mut [u8])) {
    let mut rng = Rng::new(seed);
    for _ in 0..cases {
        let len = rng.len();
        let (so, d1, d2) = (rng.below(16), rng.below(16), rng.below(16));
        let src = rng.bytes(len + so);
        let canvas = rng.bytes(len + 32);
        let (mut a, mut b) = (canvas.clone(), canvas.clone());
        run(&mut rng, &src[so..], &mut a[d1..d1 + len], &mut b[d2..d2 + len]);
        // Realign b's window onto a's to compare the written bytes, then the margins.
        assert_eq!(&a[d1..d1 + len], &b[d2..d2 + len], "len {len}");
        assert_eq!(&a[..d1], &canvas[..d1]);
        assert_eq!(&a[d1 + len..], &canvas[d1 + len..]);
        assert_eq!(&b[..d2], &canvas[..d2]);
        assert_eq!(&b[d2 + len..], &canvas[d2 + len..]);
    }
}

const TYPESIZES: [usize; 14] = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 24, 33, 255];

#[wasm_bindgen_test]
fn byte_unshuffle_simd_equals_scalar() {
    same(1, 600, |rng, src, a, b| {
        let ts = TYPESIZES[rng.below(TYPESIZES.len())];
        shuffle::byte_unshuffle(src, a, ts);
        shuffle::byte_unshuffle_scalar(src, b, ts);
    });
}

#[wasm_bindgen_test]
fn bit_unshuffle_simd_equals_scalar() {
    same(2, 600, |rng, src, a, b| {
        let ts = TYPESIZES[rng.below(TYPESIZES.len())];
        shuffle::bit_unshuffle(src, a, ts);
        shuffle::bit_unshuffle_scalar(src, b, ts);
    });
    // Lengths that are whole groups of 8 elements (the bit-shuffled case), with tails.
    let mut rng = Rng::new(3);
    for _ in 0..300 {
        let ts = TYPESIZES[rng.below(TYPESIZES.len())];
        let n = 8 * rng.below(600);
        let len = n * ts + rng.below(ts);
        let src = rng.bytes(len);
        let (mut a, mut b) = (vec![0; len], vec![1; len]);
        shuffle::bit_unshuffle(&src, &mut a, ts);
        shuffle::bit_unshuffle_scalar(&src, &mut b, ts);
        assert_eq!(a, b, "ts {ts} len {len}");
    }
}

/// Bit unshuffle around its group edges: 128-element groups, runs of up to 32 groups,
/// a partial last group (n % 128 = 8..120), bytes after the last element, unaligned
/// windows with their margins checked.
#[wasm_bindgen_test]
fn bit_unshuffle_group_edges() {
    let mut rng = Rng::new(11);
    for ts in [1, 2, 3, 4, 5, 8, 12, 16, 17, 32] {
        for n in [8, 120, 128, 136, 248, 256, 384, 512, 520, 1016, 1024, 1032, 4096, 4104, 4224] {
            let extra = rng.below(ts);
            let len = n * ts + extra;
            let (so, d) = (rng.below(16), rng.below(16));
            let src = rng.bytes(len + so);
            let canvas = rng.bytes(len + 48);
            let (mut a, mut b) = (canvas.clone(), canvas.clone());
            shuffle::bit_unshuffle(&src[so..], &mut a[d..d + len], ts);
            shuffle::bit_unshuffle_scalar(&src[so..], &mut b[d..d + len], ts);
            assert_eq!(a, b, "ts {ts} n {n} extra {extra}");
            assert_eq!(&a[..d], &canvas[..d]);
            assert_eq!(&a[d + len..], &canvas[d + len..]);
        }
    }
}

#[wasm_bindgen_test]
fn negabinary_simd_equals_scalar() {
    let mut rng = Rng::new(4);
    for _ in 0..300 {
        let n = rng.len() / 4;
        let off = rng.below(4);
        let pad = rng.below(4);
        let codes = rng.bytes(n * 4 + off + pad);
        let (mut a, mut b) = (vec![7i32; n + 1], vec![7i32; n + 1]);
        lorenzo::negabinary_le_to_i32(&codes[off..], &mut a[..n]);
        lorenzo::negabinary_le_to_i32_scalar(&codes[off..], &mut b[..n]);
        assert_eq!(a, b, "n {n}");
    }
}

#[wasm_bindgen_test]
fn lorenzo_2d_simd_equals_scalar() {
    let mut rng = Rng::new(5);
    for _ in 0..300 {
        let (rows, cols) = (rng.below(40), rng.below(300));
        let extra = rng.below(cols.max(1));
        let r: Vec<i32> = (0..rows * cols + extra).map(|_| rng.next() as i32).collect();
        let (mut a, mut b) = (r.clone(), r.clone());
        let claimed = rows + rng.below(2); // one row more than there is, sometimes
        lorenzo::lorenzo_inverse_2d(&mut a, claimed, cols);
        lorenzo::lorenzo_inverse_2d_scalar(&mut b, claimed, cols);
        assert_eq!(a, b, "{rows}x{cols}");
    }
}

#[wasm_bindgen_test]
fn lq_dequantize_simd_equals_reference() {
    let mut rng = Rng::new(6);
    for round in 0..400 {
        let nbits = [4u32, 8, 12, 16, 20, 24][rng.below(6)];
        let nan_code = 1i32 << nbits;
        let (mn, mx) = match round % 4 {
            // Ordinary ranges.
            0 | 1 => {
                let mn = (rng.next() as i32 as f32) / 1e5;
                (mn, mn + (rng.below(100_000) as f32 + 1.0) / 100.0)
            }
            // Random bit patterns (including huge and tiny magnitudes).
            2 => {
                let a = f32::from_bits(rng.next() as u32 & 0xFF7F_FFFF);
                let b = f32::from_bits(rng.next() as u32 & 0xFF7F_FFFF);
                (a.min(b), a.max(b))
            }
            // Stretched to ±FLT_MAX (planes that held ±inf).
            _ => (f32::MIN, f32::MAX),
        };
        let p = LqParams {
            delta: f64::from(mx - mn),
            inv: 1.0 / ((1u64 << nbits) - 1) as f64,
            mn: f64::from(mn),
            nan_code,
        };
        let n = rng.len() / 4;
        // Mostly valid levels; some arbitrary i32 (corrupt streams) in every fourth round.
        let wild = round % 4 == 1;
        let levels: Vec<i32> = (0..n)
            .map(
                |_| if wild && rng.below(8) == 0 { rng.next() as i32 } else { rng.below(nan_code as usize + 1) as i32 },
            )
            .collect();
        let (mut a, mut b) = (vec![0u8; n * 4 + 3], vec![0u8; n * 4 + 3]);
        dequantize::lq_dequantize(&levels, &p, &mut a);
        dequantize::lq_dequantize_scalar(&levels, &p, &mut b);
        assert_eq!(a, b, "nbits {nbits} {p:?}");
    }
}

/// The fused LayerQuantizer plane decoder (in place, a few rows at a time) against its
/// scalar reference and against the three separate kernels.
#[wasm_bindgen_test]
fn lq_decode_plane_simd_equals_scalar() {
    let mut rng = Rng::new(61);
    for round in 0..300 {
        let nbits = [8u32, 12, 16, 20, 24][rng.below(5)];
        let nan_code = 1i32 << nbits;
        let (rows, cols) = (1 + rng.below(12), 1 + rng.below(if round % 5 == 0 { 300 } else { 40 }));
        let mn = match round % 3 {
            0 => 0.0f32,
            1 => (rng.next() as i32 as f32) / 1e6,
            _ => f32::from_bits(rng.next() as u32 & 0xBF7F_FFFF),
        };
        let mx = mn + (rng.below(100_000) as f32 + 1.0) / 100.0 * (1.0 + mn.abs());
        let p = LqParams {
            delta: f64::from(mx - mn),
            inv: 1.0 / ((1u64 << nbits) - 1) as f64,
            mn: f64::from(mn),
            nan_code,
        };
        let lorenzo = round % 4 != 3;
        // Levels: runs of zeros, NaN rows, random levels, and some wild values.
        let levels: Vec<i32> = (0..rows * cols)
            .map(|k| match (k / cols + round) % 5 {
                0 => 0,
                1 if round % 7 == 0 => nan_code,
                _ if rng.below(50) == 0 => rng.next() as i32,
                _ if rng.below(3) == 0 => 0,
                _ => rng.below(nan_code as usize) as i32,
            })
            .collect();
        // Encode: 2-D Lorenzo residuals, negabinary.
        let codes: Vec<u8> = (0..rows * cols)
            .flat_map(|k| {
                let (i, j) = (k / cols, k % cols);
                let g = |i: usize, j: usize| levels[i * cols + j];
                let mut r = levels[k];
                if lorenzo {
                    if i > 0 {
                        r = r.wrapping_sub(g(i - 1, j));
                    }
                    if j > 0 {
                        r = r.wrapping_sub(g(i, j - 1));
                    }
                    if i > 0 && j > 0 {
                        r = r.wrapping_add(g(i - 1, j - 1));
                    }
                    ((r as u32).wrapping_add(0xAAAA_AAAA) ^ 0xAAAA_AAAA).to_le_bytes()
                } else {
                    (r as u32).to_le_bytes()
                }
            })
            .collect();
        let shift = 4 * rng.below(6) + if round % 2 == 0 { 0 } else { 1 + rng.below(3) };
        let mut buf = vec![0u8; shift];
        buf.extend_from_slice(&codes);
        let extra = rng.below(9);
        buf.extend(rng.bytes(extra));
        let dst = rng.below(shift + 1);
        let (mut a, mut b) = (buf.clone(), buf.clone());
        let spare = rng.below(3);
        let (mut above_a, mut above_b) = (vec![0i32; cols + spare], vec![0i32; cols]);
        // SIMD: a few rows at a time; scalar: the whole plane.
        let mut row = 0;
        while row < rows {
            let n = (1 + rng.below(4)).min(rows - row);
            let at = row * cols * 4;
            let plane = dequantize::PlaneRows { src: shift + at, dst: dst + at, rows: n, cols, lorenzo };
            dequantize::lq_decode_plane(&mut a, plane, &p, &mut above_a);
            row += n;
        }
        let plane = dequantize::PlaneRows { src: shift, dst, rows, cols, lorenzo };
        dequantize::lq_decode_plane_scalar(&mut b, plane, &p, &mut above_b);
        assert!(a == b, "round {round}: {rows}x{cols} lorenzo {lorenzo} {p:?}");
        // The three separate kernels give the same values.
        let mut q = vec![0i32; rows * cols];
        if lorenzo {
            lorenzo::negabinary_le_to_i32_scalar(&codes, &mut q);
            lorenzo::lorenzo_inverse_2d_scalar(&mut q, rows, cols);
        } else {
            q.copy_from_slice(&levels);
        }
        assert_eq!(q, levels);
        let mut want = vec![0u8; rows * cols * 4];
        dequantize::lq_dequantize_scalar(&q, &p, &mut want);
        assert!(a[dst..dst + want.len()] == want[..], "round {round}");
        // From one buffer into another (`decode_into`), a few rows at a time, SIMD and scalar.
        let (mut c, mut d) = (vec![9u8; want.len() + extra], vec![9u8; want.len() + extra]);
        let (mut above_c, mut above_d) = (vec![0i32; cols + spare], vec![0i32; cols]);
        let mut row = 0;
        while row < rows {
            let n = (1 + rng.below(4)).min(rows - row);
            let (at, end) = (row * cols * 4, (row + n) * cols * 4);
            let src = &codes[at..end];
            dequantize::lq_decode_rows(src, &mut c[at..end], cols, lorenzo, &p, &mut above_c);
            dequantize::lq_decode_rows_scalar(src, &mut d[at..end], cols, lorenzo, &p, &mut above_d);
            row += n;
        }
        assert!(c[..want.len()] == want[..] && c == d, "round {round}: decode_rows");
    }
    // dst > src writes nothing; a short `above` writes nothing.
    let p = LqParams { delta: 1.0, inv: 1.0 / 255.0, mn: 0.0, nan_code: 256 };
    let mut buf = vec![7u8; 64];
    let plane = dequantize::PlaneRows { src: 0, dst: 4, rows: 2, cols: 4, lorenzo: true };
    dequantize::lq_decode_plane(&mut buf, plane, &p, &mut [0; 4]);
    dequantize::lq_decode_plane(&mut buf, dequantize::PlaneRows { dst: 0, ..plane }, &p, &mut [0; 3]);
    assert_eq!(buf, vec![7u8; 64]);
}

/// Planes away from zero take the bit-pattern exactness check (`lq_bits_tolerance`):
/// every level of planes whose values sit on or next to float32 rounding ties (`a` close
/// to half a float32 step), and of random planes, against the scalar reference.
#[wasm_bindgen_test]
fn lq_decode_rows_bits_check_equals_reference() {
    let mut rng = Rng::new(81);
    let planes = dequantize::lq_test_planes(&[8, 12, 16], 40, &[8, 12, 16, 20, 24], || rng.next());
    let mut bits_planes = 0;
    for (nbits, mn, delta) in planes {
        let nan_code = 1i32 << nbits;
        let p = LqParams { delta, inv: 1.0 / ((1u64 << nbits) - 1) as f64, mn, nan_code };
        bits_planes += usize::from(dequantize::lq_bits_tolerance(&p).is_some());
        // All levels (at most 2^16 of them, then random ones) and the NaN code.
        let mut levels: Vec<i32> = if nbits <= 16 {
            (0..=nan_code).collect()
        } else {
            (0..70_000).map(|_| rng.below(nan_code as usize + 1) as i32).collect()
        };
        let cols = 64;
        levels.resize(levels.len().div_ceil(cols) * cols, 1);
        let codes: Vec<u8> = levels.iter().flat_map(|q| q.to_le_bytes()).collect();
        let (mut a, mut b) = (vec![0u8; codes.len()], vec![0u8; codes.len()]);
        dequantize::lq_decode_rows(&codes, &mut a, cols, false, &p, &mut vec![0; cols]);
        dequantize::lq_decode_rows_scalar(&codes, &mut b, cols, false, &p, &mut vec![0; cols]);
        let bad = a.chunks(4).zip(b.chunks(4)).position(|(x, y)| x != y);
        assert!(bad.is_none(), "{p:?}: level {:?}", bad.map(|k| levels[k]));
    }
    assert!(bits_planes >= 15, "{bits_planes}");
}

#[wasm_bindgen_test]
fn delta_decode_simd_equals_scalar() {
    let mut rng = Rng::new(71);
    for round in 0..600 {
        let size = [1usize, 2, 4, 8, 3][round % 5];
        let len = rng.len() + rng.below(9);
        let off = rng.below(16);
        // Small deltas (typical data) or random bytes (wrapping everywhere).
        let mut x: Vec<u8> =
            if round % 3 == 0 { (0..len + off).map(|_| rng.below(3) as u8).collect() } else { rng.bytes(len + off) };
        let mut y = x.clone();
        delta::delta_decode_le(&mut x[off..], size);
        delta::delta_decode_le_scalar(&mut y[off..], size);
        assert!(x == y, "size {size} len {len} off {off}");
    }
}

#[wasm_bindgen_test]
fn byteswap_simd_equals_scalar() {
    let mut rng = Rng::new(7);
    for _ in 0..400 {
        let unit = [2usize, 4, 8, 3, 16, 1][rng.below(6)];
        let len = rng.len();
        let off = rng.below(16);
        let x = rng.bytes(len + off);
        let (mut a, mut b) = (x.clone(), x.clone());
        byteswap::swap_in_place(&mut a[off..], unit);
        byteswap::swap_in_place_scalar(&mut b[off..], unit);
        assert_eq!(a, b, "unit {unit} len {len}");
    }
}

#[wasm_bindgen_test]
fn float16_simd_equals_scalar_on_every_half() {
    let all: Vec<u8> = (0..=u16::MAX).flat_map(|h| h.to_le_bytes()).collect();
    for off in [0usize, 2, 6] {
        let n = (all.len() - off) / 2;
        let (mut a, mut b) = (vec![0f32; n + 1], vec![0f32; n + 1]);
        float16::f16_le_to_f32(&all[off..], &mut a);
        float16::f16_le_to_f32_scalar(&all[off..], &mut b);
        let (ab, bb): (Vec<u32>, Vec<u32>) =
            (a.iter().map(|v| v.to_bits()).collect(), b.iter().map(|v| v.to_bits()).collect());
        assert_eq!(ab, bb, "offset {off}");
    }
}

#[wasm_bindgen_test]
fn min_max_and_mask_simd_equal_scalar() {
    let mut rng = Rng::new(8);
    let specials = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, -9999.0, f32::MIN_POSITIVE / 2.0];
    for _ in 0..400 {
        let n = rng.len() / 4;
        let x: Vec<f32> = (0..n)
            .map(|_| match rng.below(4) {
                0 => specials[rng.below(specials.len())],
                _ => f32::from_bits(rng.next() as u32),
            })
            .collect();
        let bits = |m: Option<(f32, f32)>| m.map(|(a, b)| (a.to_bits(), b.to_bits()));
        assert_eq!(bits(stats::min_max_f32(&x)), bits(stats::min_max_f32_scalar(&x)), "n {n}");
        let fill = specials[rng.below(specials.len())];
        let (mut a, mut b) = (x.clone(), x.clone());
        stats::mask_fill_f32(&mut a, fill);
        stats::mask_fill_f32_scalar(&mut b, fill);
        let (ab, bb): (Vec<u32>, Vec<u32>) =
            (a.iter().map(|v| v.to_bits()).collect(), b.iter().map(|v| v.to_bits()).collect());
        assert_eq!(ab, bb);
    }
}

fn random_f32(rng: &mut Rng, n: usize) -> Vec<f32> {
    let specials = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30];
    (0..n)
        .map(|_| match rng.below(5) {
            0 => specials[rng.below(specials.len())],
            1 => f32::from_bits(rng.next() as u32),
            _ => (rng.below(20_000) as f32 - 5000.0) / 7.0,
        })
        .collect()
}

#[wasm_bindgen_test]
fn colormap_simd_equals_scalar() {
    let mut rng = Rng::new(9);
    let lut: [u32; 256] = core::array::from_fn(|i| (i as u32).wrapping_mul(0x0101_0101) ^ 0xFF00_0000);
    for _ in 0..300 {
        let n = rng.len() / 4;
        let x = random_f32(&mut rng, n);
        let (vmin, vmax) = match rng.below(4) {
            0 => (0.0, 0.0),
            1 => (f32::from_bits(rng.next() as u32), f32::from_bits(rng.next() as u32)),
            _ => (-(rng.below(1000) as f32), rng.below(3000) as f32),
        };
        let (mut a, mut b) = (vec![1u8; 4 * n + 3], vec![1u8; 4 * n + 3]);
        render::colormap_rgba8(&x, vmin, vmax, &lut, &mut a);
        render::colormap_rgba8_scalar(&x, vmin, vmax, &lut, &mut b);
        assert_eq!(a, b, "n {n} [{vmin}, {vmax}]");
    }
}

#[wasm_bindgen_test]
fn downsample_simd_equals_scalar() {
    let mut rng = Rng::new(10);
    for _ in 0..300 {
        let (rows, cols) = (rng.below(40), rng.below(90));
        let short = if rng.below(10) == 0 { rng.below(cols + 1) } else { 0 };
        let x = random_f32(&mut rng, (rows * cols).saturating_sub(short));
        for mean in [false, true] {
            let n = (rows / 2) * (cols / 2);
            let (mut a, mut b) = (vec![7f32; n + 1], vec![7f32; n + 1]);
            render::downsample2(&x, rows, cols, mean, &mut a);
            render::downsample2_scalar(&x, rows, cols, mean, &mut b);
            let (ab, bb): (Vec<u32>, Vec<u32>) =
                (a.iter().map(|v| v.to_bits()).collect(), b.iter().map(|v| v.to_bits()).collect());
            assert_eq!(ab, bb, "{rows}x{cols} mean {mean}");
        }
    }
}

#[wasm_bindgen_test]
fn lorenzo_nd_simd_equals_scalar() {
    let mut rng = Rng::new(11);
    for _ in 0..200 {
        let nd = 1 + rng.below(4);
        let shape: Vec<usize> = (0..nd).map(|_| rng.below(13)).collect();
        let total: usize = shape.iter().product();
        let extra = rng.below(5);
        let r: Vec<i32> = (0..total + extra).map(|_| rng.next() as i32).collect();
        let (mut a, mut b) = (r.clone(), r.clone());
        lorenzo::lorenzo_inverse_nd(&mut a, &shape);
        lorenzo::lorenzo_inverse_nd_scalar(&mut b, &shape);
        assert_eq!(a, b, "{shape:?}");
    }
}

#[wasm_bindgen_test]
fn int_scale_offset_simd_equals_scalar() {
    use dequantize::IntLe;
    let mut rng = Rng::new(12);
    let types = [IntLe::I8, IntLe::U8, IntLe::I16, IntLe::U16, IntLe::I32, IntLe::U32];
    for _ in 0..300 {
        let ty = types[rng.below(types.len())];
        let n = rng.len() / 4;
        let off = rng.below(4);
        let pad = rng.below(3);
        let src = rng.bytes(n * ty.size() + off + pad);
        let scale = match rng.below(3) {
            0 => 10f64.powi(rng.below(6) as i32),
            1 => f64::from_bits(rng.next()),
            _ => (rng.below(1000) as f64 + 1.0) / 7.0,
        };
        let offset = (rng.next() as i64 as f64) / 1e9;
        for f64_out in [false, true] {
            let len = n * if f64_out { 8 } else { 4 } + 5;
            let (mut a, mut b) = (vec![3u8; len], vec![3u8; len]);
            dequantize::int_scale_offset(&src[off..], ty, scale, offset, &mut a, f64_out);
            dequantize::int_scale_offset_scalar(&src[off..], ty, scale, offset, &mut b, f64_out);
            assert_eq!(a, b, "{ty:?} n {n} scale {scale} f64 {f64_out}");
        }
    }
}

/// The SIMD128 Adler-32 (zlib's checksum) against the `adler2` crate: random lengths and
/// offsets, lengths around the 16-byte steps and the 5552-byte reduction blocks, all-0xFF
/// input (the largest sums).
#[wasm_bindgen_test]
fn adler32_simd_equals_adler2() {
    use rangetile::codecs::adler32::adler32;
    let mut rng = Rng::new(13);
    let data = rng.bytes(70_000);
    let ff = vec![0xFFu8; 70_000];
    let mut lens: Vec<usize> = (0..300).map(|_| rng.len()).collect();
    for k in [1usize, 2, 3, 12] {
        for d in [0usize, 1, 15, 16, 17] {
            lens.push((5552 * k + d).min(69_000));
            lens.push((5552 * k).saturating_sub(d));
        }
    }
    for len in lens {
        let off = rng.below(16);
        let s = &data[off..off + len.min(data.len() - off)];
        assert_eq!(adler32(s), adler2::adler32_slice(s), "len {} off {off}", s.len());
        assert_eq!(adler32(&ff[..len]), adler2::adler32_slice(&ff[..len]), "0xFF len {len}");
    }
}
