//! Chunk codecs, one file per codec, each citing its spec.
//!
//! As in the Zarr v3 core spec (§ "Codecs"), a codec is one of three kinds, composed
//! into a pipeline by `crate::zarr::pipeline`:
//! - array → array ([`ArrayToArrayCodec`]: transpose, delta, fixedscaleoffset, ...),
//! - array → bytes ([`ArrayToBytesCodec`]: bytes, vlen-utf8, sharding, ...),
//! - bytes → bytes ([`BytesToBytesCodec`]: zstd, gzip, blosc, crc32c, ...).
//!
//! Decoding is a pure, synchronous function of (bytes, representation, limits): it runs
//! in any worker and is tested without a network. Every decoder caps its output at the
//! size the metadata implies (no decompression bombs).

use crate::error::CodecError;
use crate::limits::Limits;
use crate::zarr::data_type::{DataType, FillValue};
use std::fmt::Debug;

/// The shape and element type of a chunk at some stage of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkRepr {
    /// Shape in elements, C order.
    pub shape: Vec<u64>,
    /// The element type.
    pub data_type: DataType,
    /// The fill value (used by codecs that pad, e.g. sharding's empty inner chunks).
    pub fill_value: FillValue,
}

impl ChunkRepr {
    /// Number of elements.
    pub fn num_elements(&self) -> u64 {
        self.shape.iter().product()
    }
}

/// A decoded chunk: fixed-size elements in little-endian byte order, C order, or a
/// list of variable-length elements (strings, bytes, JSON objects).
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayBytes {
    /// `num_elements * data_type.size()` bytes, little-endian, C order.
    Fixed(Vec<u8>),
    /// One entry per element, C order.
    Variable(Vec<VarElement>),
}

/// One element of a variable-length array.
#[derive(Debug, Clone, PartialEq)]
pub enum VarElement {
    /// A UTF-8 string.
    String(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// A JSON value (numcodecs `json2` object arrays).
    Json(serde_json::Value),
}

/// array → array: the encoded representation differs from the decoded one only by
/// shape order or element type.
pub trait ArrayToArrayCodec: Debug + Send + Sync {
    /// The representation the next codec (towards bytes) sees, given the decoded one.
    ///
    /// # Errors
    /// `Config` when the codec cannot apply to `decoded`.
    fn encoded_repr(&self, decoded: &ChunkRepr) -> Result<ChunkRepr, CodecError>;

    /// Undo the codec: `encoded` is in `self.encoded_repr(decoded)`, the result in `decoded`.
    ///
    /// # Errors
    /// `Format`, `SizeMismatch`, `LimitExceeded`.
    fn decode(&self, encoded: ArrayBytes, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError>;
}

/// array → bytes: serialises an array to bytes.
pub trait ArrayToBytesCodec: Debug + Send + Sync {
    /// Deserialise `encoded` into an array of representation `decoded`.
    ///
    /// # Errors
    /// `Format`, `SizeMismatch`, `LimitExceeded`.
    fn decode(&self, encoded: Vec<u8>, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError>;
}

/// bytes → bytes: compressors and checksums.
pub trait BytesToBytesCodec: Debug + Send + Sync {
    /// Undo the codec. `expected_size` is the decoded size when the pipeline knows it
    /// (the last codec before an array→bytes codec of fixed-size data); decoders must
    /// not produce more than `expected_size.unwrap_or(limits.max_decoded_chunk_bytes)`.
    ///
    /// # Errors
    /// `Format`, `Checksum`, `SizeMismatch`, `LimitExceeded`.
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError>;

    /// Fixed number of bytes the codec adds, if any (crc32c: 4); sharding uses it to size
    /// the shard index statically.
    fn fixed_overhead(&self) -> Option<u64> {
        None
    }
}
