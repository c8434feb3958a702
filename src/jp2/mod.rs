//! JPEG 2000 (ISO/IEC 15444-1): the JP2 container, the J2K codestream main header,
//! the tile-part index (TLM, external index, SOT walk), tile decoding and georeferencing.
//!
//! - [`boxes`]: JP2/JPH boxes up to the codestream (Annex I);
//! - [`codestream`]: the main header marker segments (Annex A);
//! - [`tile_index`]: where each tile-part lies (TLM, `.tlm`/JSON index, SOT walk);
//! - [`image`]: [`Jp2Image`], tile and region reads over HTTP ranges;
//! - [`decode`]: the pure decode step (OpenJPEG port, driven by `opj`) and typed samples;
//! - [`georef`]: GeoJP2 and GMLJP2;
//! - [`codec`]: JPEG 2000 as Zarr chunk codecs;
//! - [`virtual_zarr`]: kerchunk references exposing JP2 tiles as a virtual Zarr array.

pub mod boxes;
mod bytes;
pub mod codec;
pub mod codestream;
pub mod decode;
pub mod georef;
pub mod image;
#[cfg(feature = "jpeg2k")]
mod opj;
mod prefix;
mod read_ahead;
pub mod tile_index;
pub mod virtual_zarr;
#[cfg(target_arch = "wasm32")]
mod wasm_alloc;

pub use decode::{ComponentPlane, DecodedImage, SampleType, Samples};
pub use georef::Georef;
pub use image::{Jp2Image, Jp2Options, TileRecipe};
pub use tile_index::{tlm_index_parquet, ExternalIndex, TileIndex, TileIndexSource, TilePart, TlmIndexRow};
