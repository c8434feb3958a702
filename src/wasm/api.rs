//! Handles for the typed API of `js/index.ts`: stores (HTTP base URLs, kerchunk JSON and
//! Parquet references), Zarr nodes (`openZarr`, DESIGN.md "Public interfaces") and JPEG 2000
//! images (`openJp2`), plus the pure decode entry points a worker runs
//! (`decodeChunkRecipe`, `decodeJp2Tile`, see `crate::zarr::recipe` and
//! `crate::jp2::image::decode_tile`).
//!
//! Planning and fetching run here, on the calling side. Decoding goes through a JS
//! function when one is given (`decoder` arguments: `(key, recipeJson, bytes) =>
//! Promise<Uint8Array>` for chunks, `(key, recipeJson, parts) => Promise<tile>` for
//! tiles), which is how the JS worker pool receives pure decode jobs; without one, decoding
//! runs inline. Every async method takes an optional `AbortSignal`: when it fires, the
//! read's future is dropped (no further requests or decodes are started) and the promise
//! rejects with an `Aborted` error.

use super::error::{invalid_argument, to_js};
use crate::codecs::ArrayBytes;
use crate::error::{Error, IoError, Jp2Error, ZarrError};
use crate::io::{CancelToken, RangeSource, Store};
use crate::jp2::codestream::Rect;
use crate::jp2::image::decode_tile;
use crate::jp2::tile_index::ExternalIndex;
use crate::jp2::{DecodedImage, Jp2Image, Jp2Options, TileRecipe};
use crate::limits::Limits;
use crate::refs::{ParquetReferenceStore, ReferenceStore};
use crate::zarr::data_type::{DataType, FillValue};
use crate::zarr::hierarchy::{Group, Node};
use crate::zarr::recipe::{ChunkDecoder, ChunkRecipe, CompiledRecipe};
use crate::zarr::selection::{DimSelection, Selection};
use crate::zarr::Array;
use async_trait::async_trait;
use bytes::Bytes;
use futures::future::{select, Either};
use js_sys::{Array as JsArray, Function, Object, Promise, Reflect, Uint8Array};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// A key-value store the Zarr reader opens (`openHttpStore`, `openRefsUrl`,
/// `openRefsJson`).
#[wasm_bindgen(js_name = RawStore)]
pub struct RawStore {
    store: Rc<dyn Store>,
    location: String,
    /// The `limits` of the open options.
    limits: Limits,
}

/// An opened Zarr node: an array or a group.
#[wasm_bindgen(js_name = RawNode)]
pub struct RawNode {
    node: Rc<NodeInner>,
    location: String,
    decoder: Option<Function>,
}

/// The node, with `decoder` installed on arrays of fixed-size types.
fn wrap(node: Node, decoder: Option<&Function>, location: &str) -> NodeInner {
    match node {
        Node::Array(mut a) => {
            if let Some(f) = decoder {
                if !a.data_type().is_variable() {
                    let limits = (*a.limits() != Limits::default()).then(|| a.limits().clone());
                    a.set_decoder(Rc::new(JsChunkDecoder {
                        f: f.clone(),
                        prefix: location.to_string(),
                        recipes: RefCell::default(),
                        limits,
                    }));
                }
            }
            NodeInner::Array(a)
        }
        Node::Group(g) => NodeInner::Group(g),
    }
}

enum NodeInner {
    Array(Array),
    Group(Group),
}

/// An opened JPEG 2000 image.
#[wasm_bindgen(js_name = RawJp2)]
pub struct RawJp2 {
    image: Rc<Jp2Image>,
    source: Rc<dyn RangeSource>,
}

/// The store of the objects under `url` (a directory URL of a Zarr hierarchy).
///
/// # Errors
/// `InvalidArgument` for bad options.
#[wasm_bindgen(js_name = openHttpStore)]
pub fn open_http_store(url: String, options: JsValue) -> Result<RawStore, JsValue> {
    let (client, _) = super::client_for(&options, &url)?;
    let base = url.trim_end_matches('/').to_string();
    let limits = client.options().limits.clone();
    Ok(RawStore { store: Rc::new(client.store(base.clone())), location: base, limits })
}

/// Kerchunk references at `url`: a JSON file (v0 or v1), or a Parquet reference directory
/// (a URL ending in `.parq`/`.parquet`, optionally with `/.zmetadata`).
///
/// # Errors
/// Store and reference format errors as tagged JS errors.
#[wasm_bindgen(js_name = openRefsUrl, unchecked_return_type = "Promise<RawStore>")]
pub fn open_refs_url(url: String, options: JsValue) -> Result<Promise, JsValue> {
    let (client, cancel) = super::client_for(&options, &url)?;
    Ok(future_to_promise(cancellable(cancel, async move {
        let limits = client.options().limits.clone();
        let store: Rc<dyn Store> = if crate::refs::kerchunk_parquet::looks_like_parquet_refs(&url) {
            Rc::new(ParquetReferenceStore::open_with_client(&url, client, &limits).await.map_err(zarr_js)?)
        } else {
            Rc::new(ReferenceStore::open_with_client(&url, client, &limits).await.map_err(zarr_js)?)
        };
        Ok(RawStore { store, location: url, limits }.into())
    })))
}

/// Kerchunk references given as JSON text; relative targets resolve against `location`.
///
/// # Errors
/// Reference format errors as tagged JS errors.
#[wasm_bindgen(js_name = openRefsJson)]
pub fn open_refs_json(json: &str, location: String, options: JsValue) -> Result<RawStore, JsValue> {
    let (client, _) = super::client_for(&options, &location)?;
    let limits = client.options().limits.clone();
    let opener = crate::refs::kerchunk::default_opener(client);
    let store = ReferenceStore::from_json(json.as_bytes(), &location, opener, &limits).map_err(zarr_js)?;
    Ok(RawStore { store: Rc::new(store), location, limits })
}

#[wasm_bindgen(js_class = RawStore)]
impl RawStore {
    /// Open the node at `path` (`""`: the root) → `Promise<RawNode>`.
    /// `decoder`, when a function, decodes the chunks of arrays (see the module docs).
    #[wasm_bindgen(js_name = openNode, unchecked_return_type = "Promise<RawNode>")]
    pub fn open_node(&self, path: String, decoder: JsValue, signal: JsValue) -> Result<Promise, JsValue> {
        let store = self.store.clone();
        let location = self.location.clone();
        let cancel = cancel_token(&signal)?;
        let decoder = decoder.dyn_into::<Function>().ok();
        let options = crate::zarr::OpenOptions { limits: self.limits.clone(), ..Default::default() };
        Ok(future_to_promise(cancellable(cancel, async move {
            let node = Node::open_with(store, &path, &options).await.map_err(zarr_js)?;
            Ok(RawNode { node: Rc::new(wrap(node, decoder.as_ref(), &location)), location, decoder }.into())
        })))
    }

    /// Where the store reads from (a URL).
    #[wasm_bindgen(getter)]
    pub fn location(&self) -> String {
        self.location.clone()
    }
}

#[wasm_bindgen(js_class = RawNode)]
impl RawNode {
    /// `"array"` or `"group"`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        match &*self.node {
            NodeInner::Array(_) => "array".into(),
            NodeInner::Group(_) => "group".into(),
        }
    }

    /// The node's description as JSON text: arrays `{path, shape, chunks, innerChunks,
    /// dtype, attrs, dimensionNames, variable}`; groups `{path, attrs, arrays,
    /// members, multiscales}`.
    ///
    /// # Errors
    /// `Format` when the group's multiscales attributes are malformed.
    pub fn info(&self) -> Result<String, JsValue> {
        let v = match &*self.node {
            NodeInner::Array(a) => json!({
                "path": a.path(),
                "shape": a.shape(),
                "chunks": a.chunk_shape(),
                "innerChunks": a.inner_chunk_shape(),
                "dtype": dtype_name(a.data_type()),
                "numpy": a.data_type().numpy_str(),
                "attrs": a.attributes(),
                "dimensionNames": a.dimension_names(),
                "variable": a.data_type().is_variable(),
                "fillValue": match a.fill_value() { FillValue::Variable(v) => v.clone(), FillValue::Fixed(_) => Value::Null },
            }),
            NodeInner::Group(g) => {
                let ms = g.multiscales().map_err(zarr_js)?.map(|m| {
                    json!({
                        "name": m.name,
                        "crs": m.crs,
                        "axes": m.axes.iter().map(|a| json!({"name": a.name, "type": a.kind, "unit": a.unit})).collect::<Vec<_>>(),
                        "levels": m.levels.iter().map(|l| json!({
                            "path": l.path, "scale": l.scale, "translation": l.translation, "affine": l.affine,
                        })).collect::<Vec<_>>(),
                    })
                });
                json!({
                    "path": g.path(),
                    "attrs": g.attributes(),
                    "arrays": g.array_paths(),
                    "members": g.members().map(|m| m.into_iter().map(|(p, k)| json!([p, format!("{k:?}").to_lowercase()])).collect::<Vec<_>>()),
                    "multiscales": ms,
                })
            }
        };
        Ok(v.to_string())
    }

    /// The fill value's little-endian bytes (fixed-size types), else `undefined`.
    #[wasm_bindgen(js_name = fillBytes, unchecked_return_type = "Uint8Array | undefined")]
    pub fn fill_bytes(&self) -> JsValue {
        match &*self.node {
            NodeInner::Array(a) => match a.fill_value() {
                FillValue::Fixed(b) => Uint8Array::from(b.as_slice()).into(),
                FillValue::Variable(_) => JsValue::UNDEFINED,
            },
            NodeInner::Group(_) => JsValue::UNDEFINED,
        }
    }

    /// Open `path` relative to this group → `Promise<RawNode>`.
    #[wasm_bindgen(js_name = openChild, unchecked_return_type = "Promise<RawNode>")]
    pub fn open_child(&self, path: String, signal: JsValue) -> Result<Promise, JsValue> {
        let node = self.node.clone();
        let location = self.location.clone();
        let decoder = self.decoder.clone();
        let cancel = cancel_token(&signal)?;
        Ok(future_to_promise(cancellable(cancel, async move {
            let NodeInner::Group(g) = &*node else {
                return Err(invalid_argument("open(path) is a group method"));
            };
            let child = g.open_node(&path).await.map_err(zarr_js)?;
            Ok(RawNode { node: Rc::new(wrap(child, decoder.as_ref(), &location)), location, decoder }.into())
        })))
    }

    /// Read a selection → `Promise<{bytes, shape, strings?}>`. `selection` is flat:
    /// per dimension a kind (0 all, 1 index, 2 range) and two numbers.
    #[wasm_bindgen(
        unchecked_return_type = "Promise<{ bytes?: Uint8Array; shape: number[]; strings?: (string | Uint8Array | null)[] }>"
    )]
    pub fn get(&self, selection: Vec<f64>, signal: JsValue) -> Result<Promise, JsValue> {
        let NodeInner::Array(a) = &*self.node else {
            return Err(invalid_argument("get() is an array method"));
        };
        let sel = parse_selection(&selection, a.shape().len())?;
        let cancel = cancel_token(&signal)?;
        let node = self.node.clone();
        Ok(future_to_promise(cancellable(cancel, async move {
            let NodeInner::Array(a) = &*node else { return Err(invalid_argument("not an array")) };
            let data = a.get(&sel).await.map_err(zarr_js)?;
            let out = Object::new();
            let shape = JsArray::new();
            for &s in &data.shape {
                shape.push(&JsValue::from_f64(s as f64));
            }
            set(&out, "shape", shape.into());
            match data.data {
                ArrayBytes::Fixed(b) => set(&out, "bytes", Uint8Array::from(b.as_slice()).into()),
                ArrayBytes::Variable(v) => {
                    let list = JsArray::new();
                    for e in v {
                        list.push(&match e {
                            crate::codecs::VarElement::String(s) => JsValue::from_str(&s),
                            crate::codecs::VarElement::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
                            crate::codecs::VarElement::Json(j) => JsValue::from_str(&j.to_string()),
                        });
                    }
                    set(&out, "strings", list.into());
                }
            }
            Ok(out.into())
        })))
    }
}

/// The DESIGN.md dtype name (the Zarr v3 name; numpy's for v2-only types).
fn dtype_name(dt: &DataType) -> String {
    match dt {
        DataType::Bool => "bool".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 => "float16".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::DateTime64 { unit } => format!("datetime64[{unit}]"),
        DataType::TimeDelta64 { unit } => format!("timedelta64[{unit}]"),
        DataType::FixedBytes(n) => format!("S{n}"),
        DataType::FixedUnicode(n) => format!("U{n}"),
        DataType::String => "string".into(),
        DataType::Bytes => "bytes".into(),
        DataType::Object => "object".into(),
    }
}

fn parse_selection(flat: &[f64], ndim: usize) -> Result<Selection, JsValue> {
    if flat.is_empty() {
        return Ok(Selection::all());
    }
    if flat.len() != ndim * 3 {
        return Err(invalid_argument(format!(
            "the selection has {} entries, the array has {ndim} dimensions",
            flat.len() / 3
        )));
    }
    let int = |v: f64| -> Result<u64, JsValue> {
        if v.is_finite() && v.fract() == 0.0 && (0.0..=super::MAX_SAFE).contains(&v) {
            Ok(v as u64)
        } else {
            Err(invalid_argument(format!("selection bounds must be non-negative integers, got {v}")))
        }
    };
    let mut out = Vec::with_capacity(ndim);
    for t in flat.chunks_exact(3) {
        let &[k, a, b] = t else { return Err(invalid_argument("selection")) };
        out.push(match k as u8 {
            0 => DimSelection::All,
            1 => DimSelection::Index(int(a)?),
            _ => DimSelection::Range(int(a)?, int(b)?),
        });
    }
    Ok(Selection(out))
}

/// Chunk decoding through a JS function (the worker pool).
struct JsChunkDecoder {
    f: Function,
    prefix: String,
    recipes: RefCell<HashMap<bool, Rc<str>>>,
    /// The array's limits when they are not the defaults: sent with each job.
    limits: Option<Limits>,
}

#[async_trait(?Send)]
impl ChunkDecoder for JsChunkDecoder {
    async fn decode(&self, key: &str, recipe: &ChunkRecipe, bytes: Bytes) -> Result<ArrayBytes, ZarrError> {
        let json = self
            .recipes
            .borrow_mut()
            .entry(recipe.inner)
            .or_insert_with(|| Rc::from(with_limits(recipe.to_json(), self.limits.as_ref()).to_string()))
            .clone();
        let fail = |m: String| ZarrError::Io(IoError::Unsupported { feature: m });
        let name = format!("{}/{key}", self.prefix);
        let p = self
            .f
            .call3(
                &JsValue::NULL,
                &JsValue::from_str(&name),
                &JsValue::from_str(&json),
                &Uint8Array::from(bytes.as_ref()),
            )
            .map_err(|e| js_to_zarr(&e, &fail))?;
        let p: Promise = p.dyn_into().map_err(|_| fail("the chunk decoder did not return a promise".into()))?;
        let v = decoded(p).await.map_err(|e| js_to_zarr(&e, &fail))?;
        let out: Uint8Array = v.dyn_into().map_err(|_| fail("the chunk decoder did not return bytes".into()))?;
        Ok(ArrayBytes::Fixed(out.to_vec()))
    }
}

/// A JS error from the decoder: an error carrying a rangetile tag keeps it (see
/// [`JsRaised`]); anything else becomes `fail(message)`.
fn js_to_zarr(e: &JsValue, fail: &impl Fn(String) -> ZarrError) -> ZarrError {
    RAISED.with(|r| r.borrow_mut().replace(e.clone()));
    let msg = Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).unwrap_or_default();
    fail(format!("{JS_ERROR_MARK}{msg}"))
}

const JS_ERROR_MARK: &str = "\u{1}js:";

thread_local! {
    /// The last JS error a decoder raised: re-thrown as is when it ends the read, so that
    /// its tag and fields (set by the worker) survive the trip through Rust.
    static RAISED: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    static RECIPES: RefCell<Vec<(String, CompiledJob)>> = const { RefCell::new(Vec::new()) };
}

/// A compiled chunk recipe and the limits its jobs decode under.
type CompiledJob = (Rc<CompiledRecipe>, Rc<Limits>);

fn zarr_js(e: ZarrError) -> JsValue {
    if let ZarrError::Io(IoError::Unsupported { feature }) = &e {
        if feature.starts_with(JS_ERROR_MARK) {
            if let Some(v) = RAISED.with(|r| r.borrow_mut().take()) {
                return v;
            }
        }
    }
    to_js(&Error::Zarr(e))
}

fn jp2_js(e: Jp2Error) -> JsValue {
    if let Jp2Error::Io(IoError::Unsupported { feature }) = &e {
        if feature.starts_with(JS_ERROR_MARK) {
            if let Some(v) = RAISED.with(|r| r.borrow_mut().take()) {
                return v;
            }
        }
    }
    to_js(&Error::Jp2(e))
}

/// A decode job's JSON with `limits` added when they are not the defaults.
fn with_limits(mut job: Value, limits: Option<&Limits>) -> Value {
    if let (Some(l), Some(o)) = (limits, job.as_object_mut()) {
        o.insert("limits".into(), serde_json::to_value(l).unwrap_or(Value::Null));
    }
    job
}

/// The JSON of a tile decode job: the recipe, with the image's limits when they are not
/// the defaults.
fn tile_job(recipe: &TileRecipe, limits: &Limits) -> Result<String, JsValue> {
    let json = serde_json::to_value(recipe).map_err(|e| invalid_argument(e.to_string()))?;
    Ok(with_limits(json, (*limits != Limits::default()).then_some(limits)).to_string())
}

/// The limits a decode job carries (camelCase fields, missing ones default), else the
/// defaults.
fn job_limits(job: &Value) -> Result<Limits, JsValue> {
    match job.get("limits") {
        None | Some(Value::Null) => Ok(Limits::default()),
        Some(l) => serde_json::from_value(l.clone()).map_err(|e| invalid_argument(format!("job limits: {e}"))),
    }
}

/// Decode one chunk per `recipe` (JSON from a `ChunkRecipe`) in this instance (a
/// worker): the decoded little-endian C-order bytes. Compiled recipes are kept (a few).
///
/// # Errors
/// `InvalidArgument` for a bad recipe; the codecs' tagged errors.
#[wasm_bindgen(js_name = decodeChunkRecipe, unchecked_return_type = "Uint8Array")]
pub fn decode_chunk_recipe(recipe: &str, bytes: Vec<u8>) -> Result<JsValue, JsValue> {
    let t0 = js_sys::Date::now();
    let compiled = RECIPES.with(|c| c.borrow().iter().find(|(k, _)| k == recipe).map(|(_, v)| v.clone()));
    let (compiled, limits) = match compiled {
        Some(c) => c,
        None => {
            let v: Value = serde_json::from_str(recipe).map_err(|e| invalid_argument(format!("chunk recipe: {e}")))?;
            let limits = Rc::new(job_limits(&v)?);
            let c = Rc::new(ChunkRecipe::from_json(&v).and_then(|r| r.compile(&limits)).map_err(zarr_js)?);
            RECIPES.with(|r| {
                let mut r = r.borrow_mut();
                if r.len() >= 16 {
                    r.remove(0);
                }
                r.push((recipe.to_string(), (c.clone(), limits.clone())));
            });
            (c, limits)
        }
    };
    let out = compiled
        .decode(bytes, &limits)
        .map_err(|e| to_js(&Error::Zarr(ZarrError::Codec { path: "chunk".into(), source: e })))?;
    let out = match out {
        ArrayBytes::Fixed(b) => b,
        ArrayBytes::Variable(_) => return Err(invalid_argument("decodeChunkRecipe: variable-length data")),
    };
    super::add_decode_ms(js_sys::Date::now() - t0);
    Ok(Uint8Array::from(out.as_slice()).into())
}

/// Decode one JPEG 2000 tile per `recipe` (JSON of a `TileRecipe`) from its tile-part
/// bytes → `{bytes, width, height, components, sampleType}` (interleaved samples,
/// little-endian).
///
/// # Errors
/// `InvalidArgument` for a bad recipe; the decoder's tagged errors.
#[wasm_bindgen(js_name = decodeJp2Tile)]
pub fn decode_jp2_tile(recipe: &str, parts: JsArray) -> Result<JsValue, JsValue> {
    let t0 = js_sys::Date::now();
    let v: Value = serde_json::from_str(recipe).map_err(|e| invalid_argument(format!("tile recipe: {e}")))?;
    let limits = job_limits(&v)?;
    let recipe: TileRecipe = serde_json::from_value(v).map_err(|e| invalid_argument(format!("tile recipe: {e}")))?;
    let parts: Vec<Bytes> = parts
        .iter()
        .map(|p| p.dyn_into::<Uint8Array>().map(|u| Bytes::from(u.to_vec())))
        .collect::<Result<_, _>>()
        .map_err(|_| invalid_argument("tile parts must be Uint8Arrays"))?;
    let planes = decode_tile(&recipe, &parts, &limits).map_err(|e| to_js(&Error::Jp2(e)))?;
    let img = crate::jp2::decode::interleave(planes).map_err(|e| to_js(&Error::Jp2(e)))?;
    super::add_decode_ms(js_sys::Date::now() - t0);
    Ok(image_js(img))
}

fn image_js(img: DecodedImage) -> JsValue {
    let o = Object::new();
    set(&o, "width", JsValue::from(img.width));
    set(&o, "height", JsValue::from(img.height));
    set(&o, "components", JsValue::from(img.components));
    set(&o, "sampleType", JsValue::from_str(img.samples.sample_type().numpy_str()));
    set(&o, "bytes", Uint8Array::from(img.samples.to_le_bytes().as_slice()).into());
    o.into()
}

/// Open the JPEG 2000 image at `url` → `Promise<RawJp2>`. `tlmIndex`: an external
/// tile-part index as bytes (`.tlm` or JSON) or a URL to read it from.
///
/// # Errors
/// `InvalidArgument` for bad options; I/O and format errors as tagged JS errors.
#[wasm_bindgen(js_name = openJp2, unchecked_return_type = "Promise<RawJp2>")]
pub fn open_jp2(url: String, tlm_index: JsValue, options: JsValue) -> Result<Promise, JsValue> {
    let (client, cancel) = super::client_for(&options, &url)?;
    Ok(future_to_promise(cancellable(cancel, async move {
        let limits = client.options().limits.clone();
        let index = if let Some(u) = tlm_index.as_string() {
            let b = client.source(u).get_all(limits.max_metadata_bytes).await.map_err(|e| to_js(&Error::Io(e)))?;
            Some(ExternalIndex::from_bytes(&b).map_err(jp2_js)?)
        } else if let Some(u) = tlm_index.dyn_ref::<Uint8Array>() {
            Some(ExternalIndex::from_bytes(&u.to_vec()).map_err(jp2_js)?)
        } else {
            None
        };
        let source: Rc<dyn RangeSource> = Rc::new(client.source(url));
        let image = Jp2Image::open(source.clone(), Jp2Options { limits, tlm_index: index }).await.map_err(jp2_js)?;
        Ok(RawJp2 { image: Rc::new(image), source }.into())
    })))
}

/// What a tile or region read takes along into its future.
type Jp2Job = (Rc<Jp2Image>, Rc<dyn RangeSource>, CancelToken, Option<Function>);

impl RawJp2 {
    /// The image, its source, a token cancelled by `signal`, and the JS decoder (a worker
    /// pool's job function) when `decoder` is one.
    fn job(&self, decoder: JsValue, signal: &JsValue) -> Result<Jp2Job, JsValue> {
        Ok((self.image.clone(), self.source.clone(), cancel_token(signal)?, decoder.dyn_into::<Function>().ok()))
    }
}

#[wasm_bindgen(js_class = RawJp2)]
impl RawJp2 {
    /// The image's description as JSON text.
    pub fn info(&self) -> String {
        let i = &self.image;
        json!({
            "width": i.width(), "height": i.height(), "components": i.components(),
            "bitDepth": i.bit_depth(), "signed": i.signed(),
            "tileWidth": i.tile_width(), "tileHeight": i.tile_height(),
            "tilesAcross": i.tiles_across(), "tilesDown": i.tiles_down(), "levels": i.levels(),
            "tileIndexSource": i.tile_index_source().name(),
            "sampleType": i.sample_type().numpy_str(),
            "georef": i.georef().map(|g| json!({"transform": g.transform, "epsg": g.epsg})),
        })
        .to_string()
    }

    /// Read tile `(tx, ty)` at `level` → `Promise<{bytes, width, height, components,
    /// sampleType}>`; `decoder(key, recipeJson, parts)` decodes when given.
    #[wasm_bindgen(js_name = readTile)]
    pub fn read_tile(
        &self,
        tx: u32,
        ty: u32,
        level: u32,
        decoder: JsValue,
        signal: JsValue,
    ) -> Result<Promise, JsValue> {
        let (image, source, cancel, decoder) = self.job(decoder, &signal)?;
        Ok(future_to_promise(cancellable(cancel, async move {
            let Some(f) = decoder else {
                return Ok(image_js(image.read_tile(tx, ty, level).await.map_err(jp2_js)?));
            };
            let mut recipe = image.tile_recipe(tx, ty, level).map_err(jp2_js)?;
            // Whole tile-parts, or only their resolution prefix at a reduced level.
            let parts = image
                .fetch_tiles(std::slice::from_mut(&mut recipe))
                .await
                .map_err(jp2_js)?
                .into_iter()
                .next()
                .unwrap_or_default();
            let json = tile_job(&recipe, image.limits())?;
            decoded(call_tile_decoder(&f, &source, [tx, ty, level], &json, &parts)?).await
        })))
    }

    /// Read the region `[x0, x1) × [y0, y1)` of `level` (pixel indices of the reduced
    /// image) → `Promise<{bytes, width, height, components, sampleType}>`. With a
    /// `decoder`, the intersecting tiles are fetched together and decoded through it (the
    /// worker pool), then stitched here; without one, everything runs inline.
    #[wasm_bindgen(js_name = readRegion)]
    #[allow(clippy::too_many_arguments)]
    pub fn read_region(
        &self,
        x0: u32,
        y0: u32,
        x1: u32,
        y1: u32,
        level: u32,
        decoder: JsValue,
        signal: JsValue,
    ) -> Result<Promise, JsValue> {
        let (image, source, cancel, decoder) = self.job(decoder, &signal)?;
        Ok(future_to_promise(cancellable(cancel, async move {
            match decoder {
                None => Ok(image_js(image.read_region(x0, y0, x1, y1, level).await.map_err(jp2_js)?)),
                Some(f) => region_via(&image, &source, [x0, y0, x1, y1], level, &f).await,
            }
        })))
    }
}

/// [`grid_rect`]: a reference-grid rectangle on the grid of a component subsampled by
/// `(dx, dy)`, reduced by `level` (JPEG 2000 Part 1, B-12 and B-14).
fn grid_rect(r: Rect, dx: u8, dy: u8, level: u32) -> Rect {
    let f = |v: u32, s: u8| -> u32 {
        let a = u64::from(v).div_ceil(u64::from(s.max(1)));
        u32::try_from(a.div_ceil(1u64 << level.min(40))).unwrap_or(u32::MAX)
    };
    Rect { x0: f(r.x0, dx), y0: f(r.y0, dy), x1: f(r.x1, dx), y1: f(r.y1, dy) }
}

/// `Jp2Image::read_region` with the tile decodes going through `f`.
async fn region_via(
    image: &Jp2Image,
    source: &Rc<dyn RangeSource>,
    [x0, y0, x1, y1]: [u32; 4],
    level: u32,
    f: &Function,
) -> Result<JsValue, JsValue> {
    let Some((sdx, sdy)) = image.uniform_subsampling() else {
        return Err(jp2_js(Jp2Error::Unsupported {
            feature: "regions of components with different subsampling".into(),
        }));
    };
    let lr = image.level_rect(level);
    if x0 >= x1 || y0 >= y1 || x1 > lr.width() || y1 > lr.height() {
        return Err(jp2_js(Jp2Error::InvalidRegion { x0, y0, x1, y1, width: lr.width(), height: lr.height() }));
    }
    let win = Rect { x0: lr.x0 + x0, y0: lr.y0 + y0, x1: lr.x0 + x1, y1: lr.y0 + y1 };
    let ncomp = image.components();
    let sample = image.sample_type().size();
    let (w, h) = (x1 - x0, y1 - y0);
    let limits = image.limits();
    let n = crate::limits::checked_product(
        "JPEG 2000 region bytes",
        [u64::from(w), u64::from(h), u64::from(ncomp), sample as u64],
    )
    .map_err(|e| jp2_js(Jp2Error::LimitExceeded(e)))?;
    crate::limits::check("JPEG 2000 region bytes", n, limits.max_output_bytes)
        .map_err(|e| jp2_js(Jp2Error::LimitExceeded(e)))?;
    let mut recipes = Vec::new();
    let mut coords = Vec::new();
    let mut placements = Vec::new();
    let siz = &image.header().siz;
    for q in 0..image.tiles_down() {
        for p in 0..image.tiles_across() {
            let tr = grid_rect(siz.tile_rect(p, q), sdx, sdy, level);
            let ix =
                Rect { x0: tr.x0.max(win.x0), y0: tr.y0.max(win.y0), x1: tr.x1.min(win.x1), y1: tr.y1.min(win.y1) };
            if ix.x0 < ix.x1 && ix.y0 < ix.y1 {
                recipes.push(image.tile_recipe(p, q, level).map_err(jp2_js)?);
                coords.push((p, q));
                placements.push((tr, ix));
            }
        }
    }
    // Whole tile-parts, or only their resolution prefix at a reduced level (one
    // `get_ranges` call each for the heads and the rest; limits checked inside).
    let fetched = image.fetch_tiles(&mut recipes).await.map_err(jp2_js)?;
    let mut jobs = Vec::new();
    for ((r, (p, q)), parts) in recipes.iter().zip(&coords).zip(fetched) {
        if parts.len() != r.parts.len() {
            return Err(invalid_argument("the source returned fewer ranges than requested"));
        }
        let json = tile_job(r, image.limits())?;
        jobs.push(decoded(call_tile_decoder(f, source, [*p, *q, level], &json, &parts)?));
    }
    let tiles = futures::future::try_join_all(jobs).await?;
    let px = ncomp as usize * sample;
    let mut out = vec![0u8; usize::try_from(n).map_err(|_| invalid_argument("region too large"))?];
    for (tile, (tr, ix)) in tiles.iter().zip(&placements) {
        let field = |k: &str| Reflect::get(tile, &JsValue::from_str(k)).ok();
        let bytes: Uint8Array = field("bytes")
            .and_then(|b| b.dyn_into().ok())
            .ok_or_else(|| invalid_argument("the tile decoder returned no bytes"))?;
        let (tw, th) = (
            field("width").and_then(|v| v.as_f64()).unwrap_or(0.0) as u32,
            field("height").and_then(|v| v.as_f64()).unwrap_or(0.0) as u32,
        );
        if tw != tr.width() || th != tr.height() || bytes.length() as usize != tw as usize * th as usize * px {
            return Err(jp2_js(Jp2Error::Decode {
                message: format!("tile decoded {tw}×{th}, expected {}×{}", tr.width(), tr.height()),
            }));
        }
        let src = bytes.to_vec();
        let row = ix.width() as usize * px;
        for y in 0..ix.height() as usize {
            let s = ((ix.y0 - tr.y0) as usize + y) * tw as usize * px + (ix.x0 - tr.x0) as usize * px;
            let d = ((ix.y0 - win.y0) as usize + y) * w as usize * px + (ix.x0 - win.x0) as usize * px;
            if let (Some(dst), Some(from)) = (out.get_mut(d..d + row), src.get(s..s + row)) {
                dst.copy_from_slice(from);
            }
        }
    }
    let o = Object::new();
    set(&o, "width", JsValue::from(w));
    set(&o, "height", JsValue::from(h));
    set(&o, "components", JsValue::from(ncomp));
    set(&o, "sampleType", JsValue::from_str(image.sample_type().numpy_str()));
    set(&o, "bytes", Uint8Array::from(out.as_slice()).into());
    Ok(o.into())
}

/// A token cancelled by `signal` (when it is an `AbortSignal`).
fn cancel_token(signal: &JsValue) -> Result<CancelToken, JsValue> {
    let cancel = CancelToken::new();
    if !signal.is_undefined() && !signal.is_null() {
        let s = signal
            .dyn_ref::<web_sys::AbortSignal>()
            .ok_or_else(|| invalid_argument("options.signal must be an AbortSignal"))?;
        cancel.link_abort_signal(s);
    }
    Ok(cancel)
}

/// `fut`, or an `Aborted` error as soon as `cancel` fires (dropping `fut`: nothing more
/// is requested or decoded for it).
async fn cancellable(
    cancel: CancelToken,
    fut: impl Future<Output = Result<JsValue, JsValue>> + 'static,
) -> Result<JsValue, JsValue> {
    if cancel.is_cancelled() {
        return Err(aborted());
    }
    let fut = Box::pin(fut);
    let stop = Box::pin(cancel.cancelled());
    match select(fut, stop).await {
        Either::Left((r, _)) => r,
        Either::Right(_) => Err(aborted()),
    }
}

fn aborted() -> JsValue {
    to_js(&Error::Io(IoError::Aborted))
}

fn set(o: &Object, k: &str, v: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v);
}

/// Hand tile `(tx, ty)` of `level` to the JS tile decoder `f`: its key
/// (`location#tx,ty,level`), recipe JSON and fetched tile-parts. Returns the decoder's
/// promise (await it with [`decoded`]).
fn call_tile_decoder(
    f: &Function,
    source: &Rc<dyn RangeSource>,
    [tx, ty, level]: [u32; 3],
    json: &str,
    parts: &[impl AsRef<[u8]>],
) -> Result<Promise, JsValue> {
    let list = JsArray::new();
    for p in parts {
        list.push(&Uint8Array::from(p.as_ref()));
    }
    let key = format!("{}#{tx},{ty},{level}", source.location());
    let p = f.call3(&JsValue::NULL, &JsValue::from_str(&key), &JsValue::from_str(json), &list)?;
    p.dyn_into().map_err(|_| invalid_argument("the tile decoder did not return a promise"))
}

/// The result of a decode job's promise; dropping the future before it settles cancels
/// the job (see [`CancelOnDrop`]).
async fn decoded(p: Promise) -> Result<JsValue, JsValue> {
    let guard = CancelOnDrop(Some(p.clone()));
    let v = JsFuture::from(p).await;
    guard.done();
    v
}

/// Calls the promise's `cancel()` (set by the JS worker pool) when dropped before
/// [`CancelOnDrop::done`]: an aborted read cancels its queued and running decode jobs.
struct CancelOnDrop(Option<Promise>);

impl CancelOnDrop {
    fn done(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            if let Ok(f) = Reflect::get(&p, &JsValue::from_str("cancel")) {
                if let Some(f) = f.dyn_ref::<Function>() {
                    let _ = f.call0(&p);
                }
            }
        }
    }
}
