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
//! size the metadata implies (no decompression bombs). [`registry`] builds codecs from
//! v2 (numcodecs `{"id": ...}`) and v3 (`{name, configuration}`) metadata.
//!
//! # Mapping a Zarr v2 chain onto the v3 model
//!
//! A v2 `.zarray` has `dtype` (a typestr with its byte order), `order` (`"C"`/`"F"`),
//! `filters` (a list, applied in list order when *encoding*) and `compressor`. It maps to
//! the v3 list `[array→array*, array→bytes, bytes→bytes*]` (decode runs it backwards);
//! [`registry::v2_chain`] builds exactly this list:
//!
//! 1. `order: "F"` with `n > 1` dimensions: first a `transpose` with order `[n-1, ..., 0]`
//!    (the F-order chunk is the C-order chunk of the reversed shape). It must come before
//!    the filters, because v2 filters see the chunk flattened in *memory* order (this
//!    matters for `delta`).
//! 2. Each numeric filter (`delta`, `fixedscaleoffset`, `quantize`, `bitround`, `astype`)
//!    in list order, as an array→array codec on little-endian [`ArrayBytes`]. Their
//!    `encoded_repr` gives the `astype` data type; [`ArrayToArrayCodec::encoded_endian`]
//!    gives the byte order of that typestr (`"astype": ">i2"` → big).
//! 3. The array→bytes codec:
//!    - for a fixed-size dtype, `bytes` with the endianness of the *last* numeric
//!      filter's `encoded_endian()` if it has one, else of the array's dtype typestr
//!      (`"<"`/`"|"` little, `">"` big; `|S`/`|b1` never swap; `>U` swaps per code point,
//!      see `DataType::swap_unit`);
//!    - for dtype `|O`, the object codec, which v2 lists as a filter: `vlen-utf8`,
//!      `vlen-bytes` or `json2` (array→bytes). It must be the last array-level filter;
//!      a `|O` array without an object codec is a `Config` error.
//! 4. Byte-level filters, in list order: the numcodecs `shuffle` filter is really
//!    bytes→bytes (it reorders the serialised bytes by `elementsize`), and so are the
//!    checksum "filters" (`crc32`, `adler32`, `fletcher32`) and any compressor id used as
//!    a filter. A byte-level filter followed by a numeric filter is `Unsupported`.
//! 5. The `compressor`, if not null (bytes→bytes; `layerquantizer*` too).
//!
//! For a fixed-size dtype the pipeline knows the decoded byte size (`prod(chunks) *
//! itemsize` of the type the array→bytes codec sees), so `expected_size` goes to the
//! bytes→bytes codec right after the array→bytes codec in the list (the last one to run
//! when decoding); the others are capped by `Limits::max_decoded_chunk_bytes`.
//!
//! # Inventory
//!
//! | v2 id / v3 name | kind | file |
//! |---|---|---|
//! | `bytes` (v3; v2: from the dtype) | array→bytes | [`bytes`] |
//! | `transpose` (v3; v2: order F) | array→array | [`transpose`] |
//! | `vlen-utf8`, `vlen-bytes` | array→bytes | [`vlen`] |
//! | `json2` | array→bytes | [`json2`] |
//! | `delta`, `fixedscaleoffset`, `quantize`, `bitround`, `astype` | array→array | one file each |
//! | `blosc`, `zstd`, `gzip`, `zlib`, `lz4`, `bz2` | bytes→bytes | one file each |
//! | `shuffle` | bytes→bytes | [`shuffle`] |
//! | `crc32c`, `crc32`, `adler32`, `fletcher32` | bytes→bytes (checksums, always verified) | one file each |
//! | `layerquantizer0.3b` | bytes→bytes (a v2 compressor) | [`layerquantizer`] |
//! | `imagecodecs_jpeg2k`, `jpeg2k`, `jp2io.zarr.Sentinel2Jpeg2000Codec`, `rangetile_jp2_tile` | bytes→bytes | `crate::jp2::codec` (feature `jpeg2k`) |
//!
//! v3 also accepts `numcodecs.<id>` for every numcodecs id. `sharding_indexed` is built by
//! the Zarr pipeline, not by the registry.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod adler32;
pub mod astype;
pub mod bitround;
pub mod blosc;
pub mod bytes;
pub mod bz2;
pub mod common;
pub mod crc32;
pub mod crc32c;
pub mod delta;
pub mod fixedscaleoffset;
pub mod fletcher32;
pub mod gzip;
pub mod inflate;
pub mod json2;
pub mod layerquantizer;
pub mod lz4;
pub mod numeric;
pub mod quantize;
pub mod registry;
pub mod shuffle;
pub mod transpose;
pub mod vlen;
pub mod zlib;
pub mod zstd;
pub mod zstd_dec;

use crate::error::CodecError;
use crate::limits::Limits;
use crate::zarr::data_type::{DataType, Endian, FillValue};
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

impl ArrayBytes {
    /// The fixed-size bytes, or a `Format` error naming `codec` for variable data.
    ///
    /// # Errors
    /// `Format` when `self` is [`ArrayBytes::Variable`].
    pub fn into_fixed(self, codec: &'static str) -> Result<Vec<u8>, CodecError> {
        match self {
            ArrayBytes::Fixed(b) => Ok(b),
            ArrayBytes::Variable(_) => Err(CodecError::Format {
                codec,
                message: "expected fixed-size elements, got variable-length ones".into(),
            }),
        }
    }
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

    /// Byte order of the encoded representation when the codec's configuration fixes it
    /// (a numcodecs typestr such as `"astype": ">i2"`); `None` when it does not (v3
    /// configurations, byte-order-free types). A v2 pipeline uses it to pick the
    /// endianness of the `bytes` codec that follows.
    fn encoded_endian(&self) -> Option<Endian> {
        None
    }
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

    /// Undo the codec into `out`, whose length is the decoded size (a codec that can write
    /// in place overrides this; the default decodes and copies).
    ///
    /// # Errors
    /// As [`BytesToBytesCodec::decode`]; `SizeMismatch` when the decoded size is not
    /// `out.len()`.
    fn decode_into(&self, encoded: Vec<u8>, out: &mut [u8], limits: &Limits) -> Result<(), CodecError> {
        let v = self.decode(encoded, Some(out.len() as u64), limits)?;
        if v.len() != out.len() {
            return Err(CodecError::SizeMismatch { codec: "decode", expected: out.len() as u64, got: v.len() as u64 });
        }
        out.copy_from_slice(&v);
        Ok(())
    }

    /// Fixed number of bytes the codec adds, if any (crc32c: 4); sharding uses it to size
    /// the shard index statically.
    fn fixed_overhead(&self) -> Option<u64> {
        None
    }
}
