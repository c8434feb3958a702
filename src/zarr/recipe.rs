//! Chunk recipes: decoding as a pure function of (bytes, recipe, limits), so that it can
//! run in any worker (DESIGN.md, "The data path").
//!
//! A [`ChunkRecipe`] is plain JSON-able data (the array's metadata document and whether
//! the bytes are a whole chunk or an inner chunk of a shard); a worker turns it into a
//! [`CompiledRecipe`] once (building the codec pipeline) and decodes any number of chunks
//! with it. [`ChunkDecoder`] is how a reader hands chunk bytes to such a worker: an
//! [`crate::zarr::Array`] decodes inline unless one is set.

use crate::codecs::{ArrayBytes, ChunkRepr};
use crate::error::ZarrError;
use crate::limits::Limits;
use crate::zarr::metadata::{parse_v3_node, ArrayMetadata, NodeMetadata};
use crate::zarr::pipeline::CodecPipeline;
use async_trait::async_trait;
use bytes::Bytes;
use serde_json::{json, Value};
use std::sync::Arc;

/// What decoding one chunk needs, independent of any store.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkRecipe {
    /// The array's metadata document (v3 `zarr.json`, or v2 `.zarray`).
    pub document: Arc<Value>,
    /// The bytes are one inner chunk of a shard (decoded with the sharding codec's inner
    /// codecs at the inner chunk shape), not a whole chunk.
    pub inner: bool,
}

impl ChunkRecipe {
    /// The recipe of `meta`'s chunks (or of its shards' inner chunks).
    pub fn new(meta: &ArrayMetadata, inner: bool) -> Self {
        ChunkRecipe { document: Arc::new(meta.document.clone()), inner }
    }

    /// As a JSON message: `{"document": ..., "inner": bool}`.
    pub fn to_json(&self) -> Value {
        json!({"document": *self.document, "inner": self.inner})
    }

    /// From [`ChunkRecipe::to_json`]'s output.
    ///
    /// # Errors
    /// `Metadata` when the message is not a recipe.
    pub fn from_json(v: &Value) -> Result<Self, ZarrError> {
        let document = v.get("document").filter(|d| d.is_object()).ok_or_else(|| ZarrError::Metadata {
            path: "chunk recipe".into(),
            message: "no metadata document".into(),
        })?;
        Ok(ChunkRecipe {
            document: Arc::new(document.clone()),
            inner: v.get("inner").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// Build the pipeline and the chunk representation.
    ///
    /// # Errors
    /// Metadata and codec errors, as when opening the array.
    pub fn compile(&self, limits: &Limits) -> Result<CompiledRecipe, ZarrError> {
        let path = "chunk recipe";
        let doc = self
            .document
            .as_object()
            .ok_or_else(|| ZarrError::Metadata { path: path.into(), message: "document is not an object".into() })?;
        let meta = if doc.get("zarr_format").and_then(Value::as_u64) == Some(3) {
            match parse_v3_node(doc, path, limits)?.0 {
                NodeMetadata::Array(a) => a,
                NodeMetadata::Group(_) => {
                    return Err(ZarrError::Metadata { path: path.into(), message: "document is a group".into() })
                }
            }
        } else {
            ArrayMetadata::from_v2(doc, None, path, limits)?
        };
        let outer = CodecPipeline::from_metadata(&meta, path, limits)?;
        let (pipeline, shape) = if self.inner {
            let sh = outer.partial_sharding().ok_or_else(|| ZarrError::Metadata {
                path: path.into(),
                message: "an inner-chunk recipe for an array that is not sharded".into(),
            })?;
            (sh.inner.clone(), sh.inner_chunk_shape.clone())
        } else {
            (outer, meta.chunk_shape.clone())
        };
        Ok(CompiledRecipe {
            pipeline,
            repr: ChunkRepr { shape, data_type: meta.data_type, fill_value: meta.fill_value },
        })
    }
}

/// A recipe with its pipeline built.
#[derive(Debug, Clone)]
pub struct CompiledRecipe {
    pipeline: CodecPipeline,
    repr: ChunkRepr,
}

impl CompiledRecipe {
    /// The decoded chunk's representation.
    pub fn repr(&self) -> &ChunkRepr {
        &self.repr
    }

    /// Decode one chunk's bytes.
    ///
    /// # Errors
    /// The codecs' errors.
    pub fn decode(&self, bytes: Vec<u8>, limits: &Limits) -> Result<ArrayBytes, crate::error::CodecError> {
        self.pipeline.decode(bytes, &self.repr, limits)
    }
}

/// Decodes chunk bytes somewhere (a worker pool); `key` names the chunk for errors.
#[async_trait(?Send)]
pub trait ChunkDecoder {
    /// Decode `bytes` per `recipe`.
    ///
    /// # Errors
    /// The codecs' errors, or the transport's (a worker that died).
    async fn decode(&self, key: &str, recipe: &ChunkRecipe, bytes: Bytes) -> Result<ArrayBytes, ZarrError>;
}
