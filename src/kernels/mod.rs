//! Hot loops: a scalar reference and, on wasm32 with `simd128`, a SIMD version of each,
//! proven bit-equal by property tests.
//!
//! Only the scalar references exist so far. Every kernel takes slices whose lengths it
//! checks itself: a kernel never panics, whatever the lengths it is given.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod byteswap;
pub mod delta;
pub mod dequantize;
pub mod float16;
pub mod lorenzo;
pub mod render;
pub mod shuffle;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd;
pub mod stats;

/// A tiny deterministic PRNG (xorshift64*) for the property tests.
#[cfg(test)]
pub(crate) struct TestRng(u64);

#[cfg(test)]
impl TestRng {
    pub(crate) fn new(seed: u64) -> Self {
        TestRng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n as u64).max(1)) as usize
    }
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}
