//! The only `#[wasm_bindgen]` code: handles exported to JavaScript, TypeScript types,
//! and the mapping of Rust errors to tagged JS errors (`e.name`).
