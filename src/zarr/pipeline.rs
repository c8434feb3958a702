//! The codec pipeline of an array (v3 core spec § "Codecs": `[array→array*,
//! array→bytes, bytes→bytes*]`, decoded in reverse), built from a v3 `codecs` list or a
//! v2 chain (`filters` + `compressor` + dtype byte order + `order`, mapped as documented
//! in [`crate::codecs`]). `sharding_indexed` is built here (it needs the pipeline for
//! its inner chunks) and every other codec comes from [`crate::codecs::registry`].
//!
//! The bytes→bytes codec next to a fixed-size `bytes` codec gets the exact decoded size
//! (`prod(chunk) * itemsize`), so decompression stops at the size the metadata implies;
//! the others are capped by `Limits::max_decoded_chunk_bytes`.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::codecs::registry::{self, Codec};
use crate::codecs::{ArrayBytes, ArrayToArrayCodec, ArrayToBytesCodec, BytesToBytesCodec, ChunkRepr};
use crate::error::{CodecError, ZarrError};
use crate::limits::Limits;
use crate::zarr::metadata::{ArrayMetadata, CodecsSpec};
use crate::zarr::sharding::ShardingCodec;
use serde_json::Value;
use std::sync::Arc;

/// A resolved codec chain.
#[derive(Debug, Clone)]
pub struct CodecPipeline {
    a2a: Vec<Arc<dyn ArrayToArrayCodec>>,
    a2b: Arc<dyn ArrayToBytesCodec>,
    /// The array→bytes codec writes `n * itemsize` bytes (`bytes`), so the size is known.
    a2b_fixed: bool,
    sharding: Option<Arc<ShardingCodec>>,
    b2b: Vec<Arc<dyn BytesToBytesCodec>>,
}

fn codec_err(path: &str, e: CodecError) -> ZarrError {
    ZarrError::Codec { path: path.into(), source: e }
}

impl CodecPipeline {
    /// Build from a v3 `codecs` list.
    ///
    /// # Errors
    /// `UnsupportedCodec` (via `Codec`), `Metadata` for a list in the wrong order.
    pub fn from_v3(list: &[Value], path: &str, limits: &Limits) -> Result<Self, ZarrError> {
        let mut b = Builder::default();
        for c in list {
            let name = match c {
                Value::String(s) => s.as_str(),
                other => other.get("name").and_then(Value::as_str).ok_or_else(|| ZarrError::Metadata {
                    path: path.into(),
                    message: format!("codec {other} has no name"),
                })?,
            };
            let config = c.get("configuration");
            if name == "sharding_indexed" {
                let s = Arc::new(ShardingCodec::from_config(config, path, limits)?);
                b.push_a2b(s.clone(), false, Some(s), path)?;
                continue;
            }
            let codec = registry::from_v3(name, config).map_err(|e| codec_err(path, e))?;
            b.push(codec, name == "bytes", path)?;
        }
        b.finish(path)
    }

    /// Build from an array's metadata (either format).
    ///
    /// # Errors
    /// As [`CodecPipeline::from_v3`].
    pub fn from_metadata(meta: &ArrayMetadata, path: &str, limits: &Limits) -> Result<Self, ZarrError> {
        match &meta.codecs {
            CodecsSpec::V3(list) => Self::from_v3(list, path, limits),
            CodecsSpec::V2 { filters, compressor, order, endian } => {
                let chain = registry::v2_chain(
                    filters,
                    compressor.as_ref(),
                    *order == crate::zarr::metadata::Order::F,
                    *endian,
                    &meta.data_type,
                    meta.ndim(),
                )
                .map_err(|e| codec_err(path, e))?;
                let mut b = Builder::default();
                let fixed = !meta.data_type.is_variable();
                for c in chain {
                    b.push(c, fixed, path)?;
                }
                b.finish(path)
            }
        }
    }

    /// The sharding codec, when it is the array→bytes codec with nothing around it, so
    /// that shards can be read partially (index first, then inner chunks).
    pub fn partial_sharding(&self) -> Option<&Arc<ShardingCodec>> {
        if self.a2a.is_empty() && self.b2b.is_empty() {
            self.sharding.as_ref()
        } else {
            None
        }
    }

    /// Decode one chunk's bytes into an array of `repr`.
    ///
    /// # Errors
    /// The codecs' errors.
    pub fn decode(&self, bytes: Vec<u8>, repr: &ChunkRepr, limits: &Limits) -> Result<ArrayBytes, CodecError> {
        let mut reprs = Vec::with_capacity(self.a2a.len() + 1);
        reprs.push(repr.clone());
        for c in &self.a2a {
            let last = reprs.last().unwrap_or(repr);
            let next = c.encoded_repr(last)?;
            reprs.push(next);
        }
        let bytes_repr = reprs.last().unwrap_or(repr).clone();
        let expected = if self.a2b_fixed {
            bytes_repr.data_type.size().map(|s| bytes_repr.num_elements().saturating_mul(s as u64))
        } else {
            None
        };
        let mut data = bytes;
        for (i, c) in self.b2b.iter().enumerate().rev() {
            data = c.decode(data, if i == 0 { expected } else { None }, limits)?;
        }
        let mut arr = self.a2b.decode(data, &bytes_repr, limits)?;
        for (i, c) in self.a2a.iter().enumerate().rev() {
            let target = reprs.get(i).unwrap_or(repr);
            arr = c.decode(arr, target, limits)?;
        }
        Ok(arr)
    }
}

/// The array→bytes codec, whether its encoded size is `n * itemsize`, and the sharding
/// codec when it is one.
type A2b = (Arc<dyn ArrayToBytesCodec>, bool, Option<Arc<ShardingCodec>>);

#[derive(Default)]
struct Builder {
    a2a: Vec<Arc<dyn ArrayToArrayCodec>>,
    a2b: Option<A2b>,
    b2b: Vec<Arc<dyn BytesToBytesCodec>>,
}

impl Builder {
    fn order_err(path: &str, m: &str) -> ZarrError {
        ZarrError::Metadata { path: path.into(), message: format!("codecs out of order: {m}") }
    }

    fn push(&mut self, c: Codec, fixed: bool, path: &str) -> Result<(), ZarrError> {
        match c {
            Codec::ArrayToArray(a) => {
                if self.a2b.is_some() {
                    return Err(Self::order_err(path, "an array→array codec after the array→bytes codec"));
                }
                self.a2a.push(a);
            }
            Codec::ArrayToBytes(a) => self.push_a2b(a, fixed, None, path)?,
            Codec::BytesToBytes(b) => {
                if self.a2b.is_none() {
                    return Err(Self::order_err(path, "a bytes→bytes codec before the array→bytes codec"));
                }
                self.b2b.push(b);
            }
        }
        Ok(())
    }

    fn push_a2b(
        &mut self,
        a: Arc<dyn ArrayToBytesCodec>,
        fixed: bool,
        sharding: Option<Arc<ShardingCodec>>,
        path: &str,
    ) -> Result<(), ZarrError> {
        if self.a2b.is_some() {
            return Err(Self::order_err(path, "two array→bytes codecs"));
        }
        self.a2b = Some((a, fixed, sharding));
        Ok(())
    }

    fn finish(self, path: &str) -> Result<CodecPipeline, ZarrError> {
        let (a2b, a2b_fixed, sharding) = self.a2b.ok_or_else(|| ZarrError::Metadata {
            path: path.into(),
            message: "no array→bytes codec (e.g. `bytes`) in the codec list".into(),
        })?;
        Ok(CodecPipeline { a2a: self.a2a, a2b, a2b_fixed, sharding, b2b: self.b2b })
    }
}
