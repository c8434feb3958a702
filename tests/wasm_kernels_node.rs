//! The SIMD128 kernels in wasm (node) against their scalar references, bit for bit, on
//! random sizes, typesizes, sub-slice alignments and odd tails. On wasm32 the public
//! kernels (`byte_unshuffle`, ...) are the SIMD versions (the build enables `simd128`),
//! the `*_scalar` functions the references. Run with `scripts/test-wasm.sh --test
//! wasm_kernels_node`.
#![cfg(target_arch = "wasm32")]

use rangetile::kernels::shuffle;
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
