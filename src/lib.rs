//! # rangetile
//!
//! Read Zarr arrays (v2 and v3, sharded or not) and JPEG 2000 images (JP2/J2K/HTJ2K)
//! straight from object storage with HTTP range requests, natively and in
//! WebAssembly. Fetching is planned and validated in [`io`]; decoding is a pure
//! function of (bytes, recipe, limits) in [`codecs`] and [`jp2`], so it can run in any
//! worker. Only [`wasm`] (wasm32 builds) touches wasm-bindgen.
//!
//! Features: `jpeg2k` (default; JPEG 2000 decoding), `cli` (the native `rangetile`
//! command), `simd` (SIMD128 kernels on wasm32).

#![forbid(unsafe_op_in_unsafe_fn)]

pub mod codecs;
pub mod error;
pub mod io;
pub mod jp2;
pub mod kernels;
pub mod limits;
pub mod refs;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod zarr;

pub use error::{Error, ErrorKind};
pub use limits::Limits;
