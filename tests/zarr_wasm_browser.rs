//! The Zarr corpus subset through the wasm build in headless chromium, over cross-origin
//! `fetch` from the range server. Run with `scripts/test-wasm.sh --test zarr_wasm_browser`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "zarr_wasm_common/mod.rs"]
mod zarr_wasm_common;
