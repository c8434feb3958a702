//! The Zarr corpus subset through the wasm build under node, over `fetch` from the range
//! server. Run with `scripts/test-wasm.sh --test zarr_wasm_node`.
#![cfg(target_arch = "wasm32")]

#[path = "zarr_wasm_common/mod.rs"]
mod zarr_wasm_common;
