//! kerchunk references as a [`crate::io::Store`], so that the Zarr reader opens a
//! reference set like any other store: JSON (versions 0 and 1, [`kerchunk`]) and the
//! Parquet layout ([`kerchunk_parquet`], over the small Parquet reader [`parquet`]).

pub mod kerchunk;
pub mod kerchunk_parquet;
pub mod parquet;

pub use kerchunk::{Reference, ReferenceStore, References, SourceOpener};
pub use kerchunk_parquet::ParquetReferenceStore;
