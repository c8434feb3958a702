//! A Zarr array opened on a [`Store`]: selections assembled from chunks fetched
//! concurrently (v3 core spec § "Chunk grids", § "Chunk key encoding"; v2 spec
//! § "Chunks"), missing chunks read as the fill value (and only missing ones: any other
//! store error fails the read), and partial shard reads (sharding spec § "Reading"):
//! the index with one suffix (or leading) range, cached per shard and shared by
//! concurrent reads, then only the inner chunks the selection needs, adjacent ones
//! coalesced into one range.

use crate::codecs::{ArrayBytes, ChunkRepr};
use crate::error::{IoError, ZarrError};
use crate::io::{ByteRange, Store};
use crate::limits::{self, Limits};
use crate::zarr::chunk_key::{intersecting_chunks, ChunkRegion};
use crate::zarr::data_type::{DataType, FillValue};
use crate::zarr::metadata::ArrayMetadata;
use crate::zarr::pipeline::CodecPipeline;
use crate::zarr::recipe::{ChunkDecoder, ChunkRecipe};
use crate::zarr::selection::{copy_chunk, filled, ArrayData, Selection};
use crate::zarr::sharding::{linear_index, ShardIndex, ShardingCodec};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use futures::stream::{FuturesUnordered, StreamExt};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

type IndexResult = Result<Option<Arc<ShardIndex>>, ZarrError>;
type IndexFuture = Shared<LocalBoxFuture<'static, IndexResult>>;

/// Shard indexes fetched or being fetched, keyed by shard key; bounded (FIFO).
#[derive(Default)]
struct IndexCache {
    map: HashMap<String, IndexFuture>,
    order: VecDeque<String>,
}

const INDEX_CACHE_ENTRIES: usize = 1024;

/// One decoded chunk (or inner chunk) and where its part of the selection goes.
struct Piece {
    data: ArrayBytes,
    chunk_shape: Vec<u64>,
    chunk_start: Vec<u64>,
    out_start: Vec<u64>,
    extent: Vec<u64>,
}

/// An array of a Zarr hierarchy.
pub struct Array {
    store: Rc<dyn Store>,
    path: String,
    meta: Arc<ArrayMetadata>,
    pipeline: Arc<CodecPipeline>,
    limits: Limits,
    index_cache: RefCell<IndexCache>,
    decoder: Option<Rc<dyn ChunkDecoder>>,
    recipe: ChunkRecipe,
    inner_recipe: ChunkRecipe,
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Array").field("path", &self.path).field("meta", &self.meta).finish()
    }
}

impl Array {
    /// Open the array at `path` (no leading slash; `""` is the store root), reading its
    /// metadata (`zarr.json`, else `.zarray` + `.zattrs`).
    ///
    /// # Errors
    /// `NodeNotFound` when there is no array there, metadata, codec and store errors.
    pub async fn open(store: Rc<dyn Store>, path: &str) -> Result<Array, ZarrError> {
        Self::open_with(store, path, &crate::zarr::hierarchy::OpenOptions::default()).await
    }

    /// As [`Array::open`] with options.
    ///
    /// # Errors
    /// As [`Array::open`].
    pub async fn open_with(
        store: Rc<dyn Store>,
        path: &str,
        options: &crate::zarr::hierarchy::OpenOptions,
    ) -> Result<Array, ZarrError> {
        match crate::zarr::hierarchy::Node::open_with(store, path, options).await? {
            crate::zarr::hierarchy::Node::Array(a) => Ok(a),
            crate::zarr::hierarchy::Node::Group(_) => Err(ZarrError::NodeNotFound { path: path.into() }),
        }
    }

    /// An array from already-parsed metadata (consolidated metadata, tests).
    ///
    /// # Errors
    /// Codec errors while building the pipeline.
    pub fn from_metadata(
        store: Rc<dyn Store>,
        path: &str,
        meta: ArrayMetadata,
        limits: Limits,
    ) -> Result<Array, ZarrError> {
        let path = path.trim_matches('/').to_string();
        let pipeline = CodecPipeline::from_metadata(&meta, &path, &limits)?;
        if let Some(sh) = pipeline.partial_sharding() {
            sh.chunks_per_shard(&meta.chunk_shape).map_err(|e| ZarrError::Codec { path: path.clone(), source: e })?;
        }
        let recipe = ChunkRecipe::new(&meta, false);
        let inner_recipe = ChunkRecipe { document: recipe.document.clone(), inner: true };
        Ok(Array {
            store,
            path,
            meta: Arc::new(meta),
            pipeline: Arc::new(pipeline),
            limits,
            index_cache: RefCell::new(IndexCache::default()),
            decoder: None,
            recipe,
            inner_recipe,
        })
    }

    /// Decode chunks with `decoder` (e.g. a worker pool) instead of inline.
    pub fn set_decoder(&mut self, decoder: Rc<dyn ChunkDecoder>) {
        self.decoder = Some(decoder);
    }

    /// The recipe of this array's chunks (`inner`: of its shards' inner chunks), for
    /// decoding elsewhere.
    pub fn chunk_recipe(&self, inner: bool) -> &ChunkRecipe {
        if inner {
            &self.inner_recipe
        } else {
            &self.recipe
        }
    }

    /// Path of the array in its store.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The parsed metadata.
    pub fn metadata(&self) -> &ArrayMetadata {
        &self.meta
    }
    /// Shape.
    pub fn shape(&self) -> &[u64] {
        &self.meta.shape
    }
    /// Chunk (or shard) shape.
    pub fn chunk_shape(&self) -> &[u64] {
        &self.meta.chunk_shape
    }
    /// Inner chunk shape when sharded.
    pub fn inner_chunk_shape(&self) -> Option<&[u64]> {
        self.pipeline.partial_sharding().map(|s| s.inner_chunk_shape.as_slice())
    }
    /// Element type.
    pub fn data_type(&self) -> &DataType {
        &self.meta.data_type
    }
    /// Fill value.
    pub fn fill_value(&self) -> &FillValue {
        &self.meta.fill_value
    }
    /// Attributes.
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.meta.attributes
    }
    /// Dimension names, if any.
    pub fn dimension_names(&self) -> Option<&[Option<String>]> {
        self.meta.dimension_names.as_deref()
    }
    /// The limits this array enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The store key of the chunk (or shard) at grid `coords`.
    pub fn chunk_key(&self, coords: &[u64]) -> String {
        let k = self.meta.chunk_key_encoding.key(coords);
        if self.path.is_empty() {
            k
        } else {
            format!("{}/{k}", self.path)
        }
    }

    /// Read the whole array.
    ///
    /// # Errors
    /// As [`Array::get`].
    pub async fn get_all(&self) -> Result<ArrayData, ZarrError> {
        self.get(&Selection::all()).await
    }

    /// Read a selection: all its chunks are requested concurrently and copied into one
    /// C-order output buffer as they arrive.
    ///
    /// # Errors
    /// `Selection` (out of bounds), `LimitExceeded` (output or chunk count), store
    /// errors other than a missing chunk, codec errors naming the chunk key.
    pub async fn get(&self, selection: &Selection) -> Result<ArrayData, ZarrError> {
        let meta = &self.meta;
        let (start, stop, out_shape) = selection.resolve(&meta.shape)?;
        let box_shape: Vec<u64> = start.iter().zip(&stop).map(|(a, b)| b - a).collect();
        let n = limits::checked_product("selected elements", box_shape.iter().copied())?;
        let elem = meta.data_type.size().unwrap_or(std::mem::size_of::<crate::codecs::VarElement>());
        limits::check(
            "output bytes",
            limits::checked_product("output bytes", [n, elem as u64])?,
            self.limits.max_output_bytes,
        )?;
        // Allocated on the first piece, unless that piece is exactly the selection (then
        // the decoded chunk becomes the output without a copy).
        let mut out: Option<ArrayBytes> = None;
        let zeros = vec![0u64; meta.ndim()];
        let regions =
            intersecting_chunks(&meta.chunk_shape, &zeros, &start, &stop, self.limits.max_chunks_per_selection)?;
        let sharding = self.pipeline.partial_sharding().cloned();
        let mut futs: FuturesUnordered<LocalBoxFuture<'_, Result<Vec<Piece>, ZarrError>>> = regions
            .into_iter()
            .map(|r| match &sharding {
                Some(sh) => self.read_shard(r, sh.clone()).boxed_local(),
                None => self.read_chunk(r).boxed_local(),
            })
            .collect();
        let elem = meta.data_type.size().unwrap_or(1);
        while let Some(pieces) = futs.next().await {
            for p in pieces? {
                let exact =
                    p.chunk_shape == box_shape && p.extent == box_shape && p.chunk_start.iter().all(|c| *c == 0);
                let len_ok = match &p.data {
                    ArrayBytes::Fixed(b) => b.len() as u64 == n.saturating_mul(elem as u64),
                    ArrayBytes::Variable(v) => v.len() as u64 == n,
                };
                if out.is_none() && exact && len_ok {
                    out = Some(p.data);
                    continue;
                }
                let dst = out.get_or_insert_with(|| filled(n, &meta.data_type, &meta.fill_value));
                copy_chunk(
                    &p.data,
                    &p.chunk_shape,
                    &p.chunk_start,
                    dst,
                    &box_shape,
                    &p.out_start,
                    &p.extent,
                    elem,
                    &self.path,
                )?;
            }
        }
        let data = out.unwrap_or_else(|| filled(n, &meta.data_type, &meta.fill_value));
        Ok(ArrayData { data, shape: out_shape, data_type: meta.data_type.clone() })
    }

    async fn read_chunk(&self, region: ChunkRegion) -> Result<Vec<Piece>, ZarrError> {
        let key = self.chunk_key(&region.coords);
        let Some(bytes) = self.store.get(&key, self.limits.max_encoded_chunk_bytes).await? else {
            return Ok(Vec::new());
        };
        let repr = ChunkRepr {
            shape: self.meta.chunk_shape.clone(),
            data_type: self.meta.data_type.clone(),
            fill_value: self.meta.fill_value.clone(),
        };
        let data = match &self.decoder {
            Some(d) => d.decode(&key, &self.recipe, bytes).await?,
            None => self
                .pipeline
                .decode(bytes.to_vec(), &repr, &self.limits)
                .map_err(|e| ZarrError::Codec { path: key, source: e })?,
        };
        Ok(vec![Piece {
            data,
            chunk_shape: self.meta.chunk_shape.clone(),
            chunk_start: region.chunk_start,
            out_start: region.out_start,
            extent: region.extent,
        }])
    }

    /// The index of the shard at `key`: fetched once, shared by concurrent readers,
    /// kept in a bounded cache. `None` when the shard does not exist.
    async fn shard_index(&self, key: &str, sh: &Arc<ShardingCodec>, n: u64) -> IndexResult {
        let fut = {
            let mut cache = self.index_cache.borrow_mut();
            if let Some(f) = cache.map.get(key) {
                f.clone()
            } else {
                let store = self.store.clone();
                let sh = sh.clone();
                let limits = self.limits.clone();
                let k = key.to_string();
                let f = async move {
                    let size =
                        sh.index_size(n, &limits).map_err(|e| ZarrError::Codec { path: k.clone(), source: e })?;
                    let range = sh.index_range(size)?;
                    let Some(mut bufs) = store.get_ranges(&k, &[range]).await? else {
                        return Ok(None);
                    };
                    let buf = bufs.pop().unwrap_or_default();
                    if (buf.len() as u64) < size {
                        return Err(ZarrError::ShardIndex {
                            path: k,
                            message: format!("shard has {} bytes, less than its {size}-byte index", buf.len()),
                        });
                    }
                    Ok(Some(Arc::new(sh.decode_index(buf.to_vec(), n, None, &k, &limits)?)))
                }
                .boxed_local()
                .shared();
                cache.map.insert(key.to_string(), f.clone());
                cache.order.push_back(key.to_string());
                while cache.order.len() > INDEX_CACHE_ENTRIES {
                    if let Some(old) = cache.order.pop_front() {
                        cache.map.remove(&old);
                    }
                }
                f
            }
        };
        let r = fut.await;
        if r.is_err() {
            let mut cache = self.index_cache.borrow_mut();
            cache.map.remove(key);
            cache.order.retain(|k| k != key);
        }
        r
    }

    async fn read_shard(&self, region: ChunkRegion, sh: Arc<ShardingCodec>) -> Result<Vec<Piece>, ZarrError> {
        let key = self.chunk_key(&region.coords);
        let cps = sh
            .chunks_per_shard(&self.meta.chunk_shape)
            .map_err(|e| ZarrError::Codec { path: key.clone(), source: e })?;
        let n = limits::checked_product("inner chunks per shard", cps.iter().copied())?;
        let Some(index) = self.shard_index(&key, &sh, n).await? else {
            return Ok(Vec::new());
        };
        let stop: Vec<u64> = region.chunk_start.iter().zip(&region.extent).map(|(a, e)| a + e).collect();
        let zeros = vec![0u64; cps.len()];
        let inner = intersecting_chunks(&sh.inner_chunk_shape, &zeros, &region.chunk_start, &stop, n)?;
        // (offset, nbytes, inner region) of the wanted non-empty inner chunks, by offset.
        let mut wanted: Vec<(u64, u64, ChunkRegion)> = inner
            .into_iter()
            .filter_map(|r| index.get(linear_index(&r.coords, &cps)).map(|(o, nb)| (o, nb, r)))
            .filter(|(_, nb, _)| *nb > 0)
            .collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        wanted.sort_by_key(|w| w.0);
        // Runs of byte-adjacent chunks, each fetched as one range.
        let mut runs: Vec<(u64, u64, Vec<usize>)> = Vec::new();
        for (i, (o, nb, _)) in wanted.iter().enumerate() {
            match runs.last_mut() {
                Some((_, end, members))
                    if *end == *o
                        && (*end - runs_start(members, &wanted)) + nb <= self.limits.max_encoded_chunk_bytes =>
                {
                    *end = o + nb;
                    members.push(i);
                }
                _ => runs.push((*o, o + nb, vec![i])),
            }
        }
        let ranges = runs.iter().map(|(a, b, _)| ByteRange::new(*a, *b)).collect::<Result<Vec<_>, _>>()?;
        let bufs = match self.store.get_ranges(&key, &ranges).await {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(Vec::new()),
            // A range wholly past the end of the object: the index lied.
            Err(e @ (IoError::RangeNotSatisfiable { .. } | IoError::InvalidRange { .. })) => {
                return Err(ZarrError::ShardIndex {
                    path: key,
                    message: format!("index points outside the shard ({e})"),
                })
            }
            Err(e) => return Err(e.into()),
        };
        if bufs.len() != runs.len() {
            return Err(ZarrError::ShardIndex {
                path: key,
                message: format!("store returned {} buffers for {} ranges", bufs.len(), runs.len()),
            });
        }
        let repr = ChunkRepr {
            shape: sh.inner_chunk_shape.clone(),
            data_type: self.meta.data_type.clone(),
            fill_value: self.meta.fill_value.clone(),
        };
        let mut encoded = Vec::with_capacity(wanted.len());
        for ((start, end, members), buf) in runs.iter().zip(bufs) {
            if buf.len() as u64 != end - start {
                return Err(ZarrError::ShardIndex {
                    path: key,
                    message: format!(
                        "index points outside the shard: bytes [{start}, {end}) but the shard returned {}",
                        buf.len()
                    ),
                });
            }
            for &i in members {
                let (o, nb, r) = &wanted[i];
                let a = (o - start) as usize;
                encoded.push((buf.slice(a..a + *nb as usize), r));
            }
        }
        let decoded: Vec<Result<ArrayBytes, ZarrError>> = match &self.decoder {
            Some(d) => {
                let names: Vec<String> =
                    encoded.iter().map(|(_, r)| format!("{key} (inner chunk {:?})", r.coords)).collect();
                let futs = encoded
                    .iter()
                    .zip(&names)
                    .map(|((bytes, _), name)| d.decode(name, &self.inner_recipe, bytes.clone()));
                futures::future::join_all(futs).await
            }
            None => encoded
                .iter()
                .map(|(bytes, r)| {
                    sh.inner.decode(bytes.to_vec(), &repr, &self.limits).map_err(|e| ZarrError::Codec {
                        path: format!("{key} (inner chunk {:?})", r.coords),
                        source: e,
                    })
                })
                .collect(),
        };
        let mut pieces = Vec::with_capacity(encoded.len());
        for ((_, r), data) in encoded.iter().zip(decoded) {
            let out_start = region.out_start.iter().zip(&r.out_start).map(|(a, b)| a + b).collect();
            pieces.push(Piece {
                data: data?,
                chunk_shape: sh.inner_chunk_shape.clone(),
                chunk_start: r.chunk_start.clone(),
                out_start,
                extent: r.extent.clone(),
            });
        }
        Ok(pieces)
    }
}

fn runs_start(members: &[usize], wanted: &[(u64, u64, ChunkRegion)]) -> u64 {
    members.first().and_then(|i| wanted.get(*i)).map_or(0, |w| w.0)
}
