//! kerchunk references (JSON v0/v1) as a [`crate::io::Store`], so that the Zarr reader
//! opens a reference set like any other store.

pub mod kerchunk;

pub use kerchunk::{Reference, ReferenceStore, References, SourceOpener};
