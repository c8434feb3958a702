//! Range I/O in wasm under node: real ranges from the local range server.
//! Run with `scripts/test-wasm.sh` (it starts the server and bakes its URL in).
#![cfg(target_arch = "wasm32")]

#[path = "common/wasm_io.rs"]
mod wasm_io;
