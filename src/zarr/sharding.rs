//! The `sharding_indexed` codec (Zarr v3 codec spec `sharding-indexed` 1.0, ZEP0002;
//! restated in `specs/sharding.md`): configuration, the shard index (u64 `(offset,
//! nbytes)` pairs over the inner-chunk grid in C order, at the start or end of the
//! shard, encoded with `bytes` + fixed-size bytes→bytes codecs such as `crc32c`), and
//! whole-shard decoding for shards already in memory (nested sharding, shards behind
//! array→array or bytes→bytes codecs).
//!
//! Partial reads over HTTP (index by one suffix range, then only the wanted inner
//! chunks, coalesced) live in [`crate::zarr::array`], which uses the pieces here.
//! Every offset and length comes from the shard and is checked before use.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::codecs::registry::{self, Codec};
use crate::codecs::{ArrayBytes, ArrayToBytesCodec, BytesToBytesCodec, ChunkRepr};
use crate::error::{CodecError, IoError, ZarrError};
use crate::io::ByteRange;
use crate::limits::{self, Limits};
use crate::zarr::chunk_key::intersecting_chunks;
use crate::zarr::data_type::Endian;
use crate::zarr::pipeline::CodecPipeline;
use crate::zarr::selection::{copy_chunk, filled};
use serde_json::Value;
use std::sync::Arc;

/// Where the index sits in the shard object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexLocation {
    /// The first bytes of the shard.
    Start,
    /// The last bytes of the shard (the default).
    End,
}

/// The `sharding_indexed` array→bytes codec.
#[derive(Debug)]
pub struct ShardingCodec {
    /// Shape of one inner chunk.
    pub inner_chunk_shape: Vec<u64>,
    /// Codecs of each inner chunk.
    pub inner: CodecPipeline,
    /// Where the index is.
    pub index_location: IndexLocation,
    index_endian: Endian,
    index_b2b: Vec<Arc<dyn BytesToBytesCodec>>,
    index_overhead: u64,
}

/// The marker of an empty inner chunk (both offset and nbytes).
pub const EMPTY: u64 = u64::MAX;

/// A decoded shard index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardIndex {
    entries: Vec<(u64, u64)>,
}

impl ShardIndex {
    /// Number of inner chunks.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index has no entries (never for a valid shard).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(offset, nbytes)` of inner chunk `k` (C-order linear index), `None` if empty.
    pub fn get(&self, k: usize) -> Option<(u64, u64)> {
        self.entries.get(k).copied().filter(|&(o, _)| o != EMPTY)
    }
}

fn shard_err(path: &str, message: impl Into<String>) -> ZarrError {
    ZarrError::ShardIndex { path: path.into(), message: message.into() }
}

fn config_err(message: impl Into<String>) -> CodecError {
    CodecError::Config { codec: "sharding_indexed", message: message.into() }
}

impl ShardingCodec {
    /// Build the codec from its v3 `configuration`.
    ///
    /// # Errors
    /// `Metadata` for a malformed configuration, `Unsupported`/`Codec` for index codecs
    /// other than `bytes` + fixed-size bytes→bytes codecs, codec errors of the inner list.
    pub fn from_config(config: Option<&Value>, path: &str, limits: &Limits) -> Result<Self, ZarrError> {
        let meta = |m: &str| ZarrError::Metadata { path: path.into(), message: format!("sharding_indexed: {m}") };
        let config = config.and_then(Value::as_object).ok_or_else(|| meta("no configuration"))?;
        let inner_chunk_shape: Vec<u64> = config
            .get("chunk_shape")
            .and_then(Value::as_array)
            .ok_or_else(|| meta("no chunk_shape"))?
            .iter()
            .map(|x| x.as_u64().filter(|v| *v > 0).ok_or_else(|| meta("chunk_shape entries must be positive integers")))
            .collect::<Result<_, _>>()?;
        limits::check("array dimensions", inner_chunk_shape.len() as u64, u64::from(limits.max_dims))?;
        let codecs = config.get("codecs").and_then(Value::as_array).ok_or_else(|| meta("no codecs"))?;
        let inner = CodecPipeline::from_v3(codecs, path, limits)?;
        let index_location = match config.get("index_location").and_then(Value::as_str) {
            None | Some("end") => IndexLocation::End,
            Some("start") => IndexLocation::Start,
            Some(other) => return Err(meta(&format!("index_location {other:?}"))),
        };
        let default_index =
            serde_json::json!([{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]);
        let index_codecs = config.get("index_codecs").unwrap_or(&default_index);
        let index_codecs = index_codecs.as_array().ok_or_else(|| meta("index_codecs must be a list"))?;
        let mut iter = index_codecs.iter();
        let first = iter.next().ok_or_else(|| meta("index_codecs is empty"))?;
        if first.get("name").and_then(Value::as_str) != Some("bytes") {
            return Err(ZarrError::Unsupported {
                path: path.into(),
                feature: format!("shard index codec {first} (only `bytes` then fixed-size bytes→bytes codecs)"),
            });
        }
        let index_endian = match first.get("configuration").and_then(|c| c.get("endian")).and_then(Value::as_str) {
            None | Some("little") => Endian::Little,
            Some("big") => Endian::Big,
            Some(other) => return Err(meta(&format!("index endian {other:?}"))),
        };
        let mut index_b2b = Vec::new();
        let mut index_overhead = 0u64;
        for c in iter {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            let codec = registry::from_v3(name, c.get("configuration"))
                .map_err(|e| ZarrError::Codec { path: path.into(), source: e })?;
            match codec {
                Codec::BytesToBytes(b) => {
                    let o = b.fixed_overhead().ok_or_else(|| ZarrError::Unsupported {
                        path: path.into(),
                        feature: format!("shard index codec {name:?} has no fixed size"),
                    })?;
                    index_overhead = index_overhead.saturating_add(o);
                    index_b2b.push(b);
                }
                _ => {
                    return Err(ZarrError::Unsupported {
                        path: path.into(),
                        feature: format!("shard index codec {name:?} after `bytes`"),
                    })
                }
            }
        }
        Ok(ShardingCodec { inner_chunk_shape, inner, index_location, index_endian, index_b2b, index_overhead })
    }

    /// Inner chunks per shard along each dimension.
    ///
    /// # Errors
    /// `Config` when the inner chunk shape does not divide the shard shape.
    pub fn chunks_per_shard(&self, shard_shape: &[u64]) -> Result<Vec<u64>, CodecError> {
        if shard_shape.len() != self.inner_chunk_shape.len() {
            return Err(config_err(format!(
                "inner chunk shape {:?} and shard shape {shard_shape:?} differ in dimensions",
                self.inner_chunk_shape
            )));
        }
        shard_shape
            .iter()
            .zip(&self.inner_chunk_shape)
            .map(|(s, i)| {
                if s % i == 0 {
                    Ok(s / i)
                } else {
                    Err(config_err(format!(
                        "inner chunk shape {:?} does not divide the shard shape {shard_shape:?}",
                        self.inner_chunk_shape
                    )))
                }
            })
            .collect()
    }

    /// Encoded size of the index of `n` inner chunks: `16 n` plus the fixed overheads.
    ///
    /// # Errors
    /// `LimitExceeded` on overflow or past `max_encoded_chunk_bytes`.
    pub fn index_size(&self, n: u64, limits: &Limits) -> Result<u64, CodecError> {
        let s = limits::checked_product("shard index bytes", [n, 16])?
            .checked_add(self.index_overhead)
            .ok_or(crate::error::LimitExceeded { what: "shard index bytes", requested: u64::MAX, max: u64::MAX - 1 })?;
        limits::check("shard index bytes", s, limits.max_encoded_chunk_bytes)?;
        Ok(s)
    }

    /// The byte range holding an index of `size` bytes: a suffix range at the end, or
    /// the first `size` bytes.
    ///
    /// # Errors
    /// `InvalidRange` when `size` is zero.
    pub fn index_range(&self, size: u64) -> Result<ByteRange, IoError> {
        match self.index_location {
            IndexLocation::End => ByteRange::suffix(size),
            IndexLocation::Start => ByteRange::new(0, size),
        }
    }

    /// Decode an encoded index of `n` entries (verifying checksums) and check every
    /// entry: both fields empty or neither, no overflow, not inside the index (index at
    /// the start), and within `shard_len` when the shard's length is known.
    ///
    /// # Errors
    /// Codec errors (`Checksum`), `ShardIndex` for bad entries.
    pub fn decode_index(
        &self,
        encoded: Vec<u8>,
        n: u64,
        shard_len: Option<u64>,
        path: &str,
        limits: &Limits,
    ) -> Result<ShardIndex, ZarrError> {
        let index_size = self.index_size(n, limits).map_err(|e| ZarrError::Codec { path: path.into(), source: e })?;
        if encoded.len() as u64 != index_size {
            return Err(shard_err(path, format!("index has {} bytes, expected {index_size}", encoded.len())));
        }
        let mut bytes = encoded;
        for c in self.index_b2b.iter().rev() {
            bytes = c.decode(bytes, None, limits).map_err(|e| ZarrError::Codec { path: path.into(), source: e })?;
        }
        let expected = n.saturating_mul(16);
        if bytes.len() as u64 != expected {
            return Err(shard_err(path, format!("decoded index has {} bytes, expected {expected}", bytes.len())));
        }
        let (data_lo, data_hi) = match (self.index_location, shard_len) {
            (IndexLocation::Start, Some(l)) => (index_size, l),
            (IndexLocation::Start, None) => (index_size, u64::MAX),
            (IndexLocation::End, Some(l)) => (0, l.saturating_sub(index_size)),
            (IndexLocation::End, None) => (0, u64::MAX),
        };
        let word = |w: &[u8]| -> u64 {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            match self.index_endian {
                Endian::Little => u64::from_le_bytes(a),
                Endian::Big => u64::from_be_bytes(a),
            }
        };
        let mut entries = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        for (k, pair) in bytes.chunks_exact(16).enumerate() {
            let (a, b) = pair.split_at(8);
            let (offset, nbytes) = (word(a), word(b));
            if offset == EMPTY || nbytes == EMPTY {
                if offset != nbytes {
                    return Err(shard_err(
                        path,
                        format!("entry {k}: half-empty entry (offset {offset:#x}, nbytes {nbytes:#x})"),
                    ));
                }
            } else {
                let end = offset.checked_add(nbytes).ok_or_else(|| {
                    shard_err(path, format!("entry {k}: offset {offset} + nbytes {nbytes} overflows"))
                })?;
                if offset < data_lo || end > data_hi {
                    let within = if data_hi == u64::MAX {
                        format!("[{data_lo}, ..)")
                    } else {
                        format!("[{data_lo}, {data_hi})")
                    };
                    return Err(shard_err(
                        path,
                        format!("entry {k}: bytes [{offset}, {end}) point outside the shard's data {within}"),
                    ));
                }
                limits::check("encoded inner chunk bytes", nbytes, limits.max_encoded_chunk_bytes)?;
            }
            entries.push((offset, nbytes));
        }
        Ok(ShardIndex { entries })
    }

    /// Decode a whole shard held in memory into an array of `repr` (the shard shape).
    ///
    /// # Errors
    /// `ShardIndex` for a bad index, codec errors of the inner chunks.
    pub fn decode_shard(
        &self,
        shard: &[u8],
        repr: &ChunkRepr,
        path: &str,
        limits: &Limits,
    ) -> Result<ArrayBytes, ZarrError> {
        let cps = self.chunks_per_shard(&repr.shape).map_err(|e| ZarrError::Codec { path: path.into(), source: e })?;
        let n = limits::checked_product("inner chunks per shard", cps.iter().copied())?;
        let index_size = self.index_size(n, limits).map_err(|e| ZarrError::Codec { path: path.into(), source: e })?;
        let len = shard.len() as u64;
        if len < index_size {
            return Err(shard_err(path, format!("shard has {len} bytes, less than its {index_size}-byte index")));
        }
        let idx_bytes = match self.index_location {
            IndexLocation::Start => shard.get(..index_size as usize),
            IndexLocation::End => shard.get((len - index_size) as usize..),
        }
        .ok_or_else(|| shard_err(path, "index outside the shard"))?;
        let index = self.decode_index(idx_bytes.to_vec(), n, Some(len), path, limits)?;
        let total = limits::checked_product("decoded shard elements", repr.shape.iter().copied())?;
        let elem = repr.data_type.size().unwrap_or(1);
        limits::check("decoded chunk bytes", total.saturating_mul(elem as u64), limits.max_decoded_chunk_bytes)?;
        let mut out = filled(total, &repr.data_type, &repr.fill_value);
        let zeros = vec![0u64; repr.shape.len()];
        let inner_repr = ChunkRepr {
            shape: self.inner_chunk_shape.clone(),
            data_type: repr.data_type.clone(),
            fill_value: repr.fill_value.clone(),
        };
        for region in intersecting_chunks(&self.inner_chunk_shape, &zeros, &zeros, &repr.shape, n)? {
            let k = linear_index(&region.coords, &cps);
            let Some((offset, nbytes)) = index.get(k) else { continue };
            let bytes = shard
                .get(offset as usize..(offset + nbytes) as usize)
                .ok_or_else(|| shard_err(path, format!("inner chunk {k} outside the shard")))?;
            let data = self
                .inner
                .decode(bytes.to_vec(), &inner_repr, limits)
                .map_err(|e| ZarrError::Codec { path: path.into(), source: e })?;
            copy_chunk(
                &data,
                &self.inner_chunk_shape,
                &region.chunk_start,
                &mut out,
                &repr.shape,
                &region.out_start,
                &region.extent,
                elem,
                path,
            )?;
        }
        Ok(out)
    }
}

/// C-order linear index of `coords` in a grid of shape `grid`.
pub fn linear_index(coords: &[u64], grid: &[u64]) -> usize {
    coords.iter().zip(grid).fold(0u64, |acc, (c, g)| acc.saturating_mul(*g).saturating_add(*c)) as usize
}

impl ArrayToBytesCodec for ShardingCodec {
    fn decode(&self, encoded: Vec<u8>, decoded: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        self.decode_shard(&encoded, decoded, "shard", limits).map_err(|e| match e {
            ZarrError::Codec { source, .. } => source,
            ZarrError::LimitExceeded(l) => CodecError::LimitExceeded(l),
            other => CodecError::Format { codec: "sharding_indexed", message: other.to_string() },
        })
    }
}
