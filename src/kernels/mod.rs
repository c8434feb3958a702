//! Hot loops: a scalar reference (`*_scalar`) and, on wasm32 with `simd128`, a SIMD
//! version (`simd::*`, `core::arch::wasm32`) behind the same public function, selected at
//! build time with `cfg(target_feature = "simd128")`. `tests/wasm_kernels_node.rs` proves
//! SIMD == scalar bit for bit in wasm (random sizes, alignments, odd tails); the native
//! unit tests check the references against naive definitions. Every kernel takes slices
//! whose lengths it checks itself: a kernel never panics, whatever the lengths it is given.
//!
//! | kernel | module | SIMD128 |
//! |---|---|---|
//! | byte unshuffle (typesize 2, 4, 8, any), bit unshuffle | [`shuffle`] | yes |
//! | byte swap 16/32/64 | [`byteswap`] | yes |
//! | negabinary → two's complement, Lorenzo inverse (2-D and N-D) | [`lorenzo`] | yes |
//! | LayerQuantizer dequantisation (exact FMA semantics); integers × 1/scale + offset to f32/f64 (FixedScaleOffset) | [`dequantize`] | yes |
//! | float16 → float32 | [`float16`] | yes |
//! | NaN-aware min/max, fill → NaN masking | [`stats`] | yes |
//! | colour map LUT with rescale to RGBA8, 2×2 mean/nearest downsampling | [`render`] | yes |
//! | delta decode (8/16/32/64-bit, signed or unsigned) | [`delta`] | yes |
//!
//! SIMD requirement: the shipped wasm is built with `+simd128` (`.cargo/config.toml`), so
//! it needs WebAssembly SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+). An
//! engine without it rejects the module at compile time with a `WebAssembly.CompileError`;
//! the JS loader should check `WebAssembly.validate` on a one-instruction SIMD module
//! first and throw an error naming this requirement. A scalar build (every kernel falls
//! back to its reference) is `RUSTFLAGS="-C link-arg=--allow-undefined" cargo build
//! --target wasm32-unknown-unknown` without `+simd128`.

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
    /// At least `n` bytes of compressible, text-like data: random patterns (up to
    /// `max_pat` bytes) repeated up to `max_reps` times, between random runs (up to
    /// `max_gap` bytes).
    pub(crate) fn texty(&mut self, n: usize, max_pat: usize, max_reps: usize, max_gap: usize) -> Vec<u8> {
        let mut v = Vec::new();
        while v.len() < n {
            let plen = 1 + self.below(max_pat);
            let pat = self.bytes(plen);
            for _ in 0..self.below(max_reps) {
                v.extend_from_slice(&pat);
            }
            let k = self.below(max_gap);
            v.extend(self.bytes(k));
        }
        v
    }
}
