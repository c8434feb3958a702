//! Zarr v2 and v3 reader: metadata, hierarchy, chunk grid and keys, codec pipeline,
//! sharding, selections, multiscales.
//!
//! ```text
//! Node::open(store, path) ─► Group (attrs, consolidated members, multiscales)
//!                         └► Array::get(&Selection) ─► chunks fetched concurrently
//!                              ─► CodecPipeline::decode ─► one C-order output buffer
//! ```
//! Decoded fixed-size data is always little-endian C order ([`crate::codecs::ArrayBytes`]);
//! float16 stays float16 here (the JS API widens it to float32).

pub mod array;
pub mod chunk_key;
pub mod data_type;
pub mod digest;
pub mod hierarchy;
pub mod metadata;
pub mod multiscales;
pub mod npy;
pub mod pipeline;
pub mod recipe;
pub mod selection;
pub mod sharding;

pub use array::Array;
pub use chunk_key::ChunkKeyEncoding;
pub use hierarchy::{Group, Node, NodeKind, OpenOptions};
pub use metadata::{ArrayMetadata, GroupMetadata};
pub use multiscales::Multiscales;
pub use recipe::{ChunkDecoder, ChunkRecipe, CompiledRecipe};
pub use selection::{ArrayData, DimSelection, Selection};
