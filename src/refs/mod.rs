//! kerchunk references (JSON v0/v1, Parquet) as a [`crate::io::Store`], and the virtual
//! Zarr writer for JPEG 2000 tiles.
