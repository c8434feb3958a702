//! SIMD128 (`core::arch::wasm32`) versions of the kernels, compiled only on wasm32 with the
//! `simd128` target feature (the shipped build, see `.cargo/config.toml`). Each function
//! has the signature and the exact results of its scalar reference in the parent module;
//! `tests/wasm_kernels_node.rs` proves it on random sizes, alignments and tails.
//!
//! Memory is read and written with unaligned `v128_load`/`v128_store` through raw
//! pointers; every such access is preceded by a bounds check on the slice it belongs to,
//! stated next to it.

pub mod delta;
pub mod dequantize;
pub mod lorenzo;
pub mod misc;
pub mod render;
pub mod shuffle;
