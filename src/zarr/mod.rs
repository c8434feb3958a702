//! Zarr v2 and v3 reader: metadata, hierarchy, chunk grid and keys, codec pipeline,
//! sharding, selections, multiscales.

pub mod data_type;
