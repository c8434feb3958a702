//! Zarr metadata documents: v2 `.zarray` / `.zgroup` / `.zattrs` / consolidated
//! `.zmetadata` (Zarr v2 spec § "Metadata", zarr-python's consolidated format 1) and v3
//! `zarr.json` (v3 core spec § "Array metadata", § "Group metadata", with zarr-python's
//! inline `consolidated_metadata`, tolerated by the core spec since zarr-specs `fc7dd9c`).
//!
//! Everything here is a pure function of JSON text: the documents are fetched by
//! [`crate::zarr::hierarchy`]. Unknown `must_understand` extensions are refused; unknown
//! chunk grids and key encodings give `Unsupported` naming them.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::error::ZarrError;
use crate::limits::{self, Limits};
use crate::zarr::chunk_key::ChunkKeyEncoding;
use crate::zarr::data_type::{DataType, Endian, FillValue};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Memory order of a v2 chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Row-major (last index varies fastest).
    C,
    /// Column-major (first index varies fastest).
    F,
}

/// The codecs as the metadata states them, before they are resolved by the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum CodecsSpec {
    /// A v3 `codecs` list (each `{"name", "configuration"?}`).
    V3(Vec<Value>),
    /// A v2 chain: `filters` then `compressor`, applied to the array in `order` with
    /// elements in byte order `endian`.
    V2 { filters: Vec<Value>, compressor: Option<Value>, order: Order, endian: Endian },
}

/// The metadata of one array, either format.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayMetadata {
    /// 2 or 3.
    pub zarr_format: u8,
    /// Array shape.
    pub shape: Vec<u64>,
    /// Shape of one chunk of the regular grid (the shard shape when sharded).
    pub chunk_shape: Vec<u64>,
    /// Element type.
    pub data_type: DataType,
    /// Value of elements never written.
    pub fill_value: FillValue,
    /// How chunk coordinates become store keys.
    pub chunk_key_encoding: ChunkKeyEncoding,
    /// The codec chain.
    pub codecs: CodecsSpec,
    /// User attributes (v3 `attributes`, v2 `.zattrs`).
    pub attributes: Map<String, Value>,
    /// v3 `dimension_names`, or v2 xarray `_ARRAY_DIMENSIONS`.
    pub dimension_names: Option<Vec<Option<String>>>,
    /// The metadata document this was parsed from (v3 `zarr.json` without `attributes`,
    /// or v2 `.zarray`): what a worker needs to rebuild the codec pipeline
    /// ([`crate::zarr::recipe::ChunkRecipe`]).
    pub document: Value,
}

/// The metadata of one group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupMetadata {
    /// 2 or 3.
    pub zarr_format: u8,
    /// User attributes.
    pub attributes: Map<String, Value>,
    /// Whether the group has no metadata document of its own (v3 implicit group).
    pub implicit: bool,
}

/// An array or a group.
#[allow(clippy::large_enum_variant)] // one per node, never in bulk
#[derive(Debug, Clone, PartialEq)]
pub enum NodeMetadata {
    Array(ArrayMetadata),
    Group(GroupMetadata),
}

/// Consolidated metadata: every descendant node keyed by its path relative to the
/// group holding it (`"a/b"`), the group itself at `""` when known.
pub type Consolidated = BTreeMap<String, NodeMetadata>;

fn meta_err(path: &str, message: impl Into<String>) -> ZarrError {
    ZarrError::Metadata { path: path.into(), message: message.into() }
}

/// Parse a metadata document, refusing more than `limits.max_metadata_bytes`.
///
/// # Errors
/// `LimitExceeded`, or `Metadata` for malformed JSON or a non-object document.
pub fn parse_json(bytes: &[u8], path: &str, limits: &Limits) -> Result<Map<String, Value>, ZarrError> {
    limits::check("metadata document bytes", bytes.len() as u64, limits.max_metadata_bytes)?;
    let v: Value = serde_json::from_slice(bytes).map_err(|e| meta_err(path, format!("malformed JSON: {e}")))?;
    match v {
        Value::Object(m) => Ok(m),
        other => Err(meta_err(path, format!("expected a JSON object, got {}", type_name(&other)))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn u64_list(v: Option<&Value>, what: &str, path: &str) -> Result<Vec<u64>, ZarrError> {
    let arr =
        v.and_then(Value::as_array).ok_or_else(|| meta_err(path, format!("`{what}` must be a list of integers")))?;
    arr.iter()
        .map(|x| x.as_u64().ok_or_else(|| meta_err(path, format!("`{what}` holds {x}, not a non-negative integer"))))
        .collect()
}

fn attributes_of(v: Option<&Value>, path: &str) -> Result<Map<String, Value>, ZarrError> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(other) => Err(meta_err(path, format!("attributes must be an object, got {}", type_name(other)))),
    }
}

/// Check the shape and chunk shape against each other and the limits.
fn check_grid(shape: &[u64], chunks: &[u64], dt: &DataType, path: &str, limits: &Limits) -> Result<(), ZarrError> {
    limits::check("array dimensions", shape.len() as u64, u64::from(limits.max_dims))?;
    if shape.len() != chunks.len() {
        return Err(meta_err(
            path,
            format!("shape has {} dimensions but the chunk shape has {}", shape.len(), chunks.len()),
        ));
    }
    if chunks.contains(&0) {
        return Err(meta_err(path, format!("chunk shape {chunks:?} has a zero extent")));
    }
    // The number of elements must fit u64 (the array itself is never allocated whole).
    limits::checked_product("array elements", shape.iter().copied())?;
    let n = limits::checked_product("chunk elements", chunks.iter().copied())?;
    if let Some(size) = dt.size() {
        let bytes = limits::checked_product("decoded chunk bytes", [n, size as u64])?;
        limits::check("decoded chunk bytes", bytes, limits.max_decoded_chunk_bytes)?;
    } else {
        limits::check("decoded chunk elements", n, limits.max_decoded_chunk_bytes)?;
    }
    Ok(())
}

fn dimension_names_from(v: Option<&Value>, ndim: usize, path: &str) -> Result<Option<Vec<Option<String>>>, ZarrError> {
    let Some(v) = v else { return Ok(None) };
    if v.is_null() {
        return Ok(None);
    }
    let arr = v.as_array().ok_or_else(|| meta_err(path, "dimension_names must be a list"))?;
    if arr.len() != ndim {
        return Err(meta_err(path, format!("{} dimension names for {ndim} dimensions", arr.len())));
    }
    arr.iter()
        .map(|x| match x {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            other => Err(meta_err(path, format!("dimension name {other} is not a string"))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl ArrayMetadata {
    /// Parse a v3 array `zarr.json` document (already known to have `node_type: "array"`).
    ///
    /// # Errors
    /// `Metadata` (missing or ill-typed fields), `Unsupported` (grid, key encoding, data
    /// type, `must_understand` extension), `LimitExceeded`.
    pub fn from_v3(doc: &Map<String, Value>, path: &str, limits: &Limits) -> Result<Self, ZarrError> {
        let known = [
            "zarr_format",
            "node_type",
            "shape",
            "data_type",
            "chunk_grid",
            "chunk_key_encoding",
            "fill_value",
            "codecs",
            "attributes",
            "dimension_names",
            "storage_transformers",
        ];
        for (k, v) in doc {
            if !known.contains(&k.as_str()) {
                let must = v.get("must_understand").and_then(Value::as_bool).unwrap_or(true);
                if v.is_object() && must {
                    return Err(ZarrError::Unsupported {
                        path: path.into(),
                        feature: format!("extension field {k:?}"),
                    });
                }
            }
        }
        if let Some(st) = doc.get("storage_transformers").and_then(Value::as_array) {
            if !st.is_empty() {
                return Err(ZarrError::Unsupported { path: path.into(), feature: "storage_transformers".into() });
            }
        }
        let shape = u64_list(doc.get("shape"), "shape", path)?;
        let data_type = DataType::from_v3(doc.get("data_type").unwrap_or(&Value::Null), path)?;
        let grid = doc.get("chunk_grid").and_then(Value::as_object).ok_or_else(|| meta_err(path, "no chunk_grid"))?;
        let grid_name = grid.get("name").and_then(Value::as_str).unwrap_or("");
        if grid_name != "regular" {
            return Err(ZarrError::Unsupported { path: path.into(), feature: format!("chunk grid {grid_name:?}") });
        }
        let chunk_shape =
            u64_list(grid.get("configuration").and_then(|c| c.get("chunk_shape")), "chunk_grid.chunk_shape", path)?;
        check_grid(&shape, &chunk_shape, &data_type, path, limits)?;
        let chunk_key_encoding = match doc.get("chunk_key_encoding") {
            None => ChunkKeyEncoding::Default { separator: '/' },
            Some(v) => ChunkKeyEncoding::from_v3(v, path)?,
        };
        let fill_value = FillValue::parse(doc.get("fill_value").unwrap_or(&Value::Null), &data_type, path)?;
        let codecs = doc
            .get("codecs")
            .and_then(Value::as_array)
            .ok_or_else(|| meta_err(path, "`codecs` must be a list"))?
            .clone();
        if codecs.is_empty() {
            return Err(meta_err(path, "`codecs` is empty (an array→bytes codec is required)"));
        }
        Ok(ArrayMetadata {
            zarr_format: 3,
            dimension_names: dimension_names_from(doc.get("dimension_names"), shape.len(), path)?,
            shape,
            chunk_shape,
            data_type,
            fill_value,
            chunk_key_encoding,
            codecs: CodecsSpec::V3(codecs),
            attributes: attributes_of(doc.get("attributes"), path)?,
            document: Value::Object(
                doc.iter().filter(|(k, _)| *k != "attributes").map(|(k, v)| (k.clone(), v.clone())).collect(),
            ),
        })
    }

    /// Parse a v2 `.zarray` document with its optional `.zattrs`.
    ///
    /// # Errors
    /// As [`ArrayMetadata::from_v3`].
    pub fn from_v2(
        zarray: &Map<String, Value>,
        zattrs: Option<&Value>,
        path: &str,
        limits: &Limits,
    ) -> Result<Self, ZarrError> {
        if let Some(f) = zarray.get("zarr_format") {
            if f.as_u64() != Some(2) {
                return Err(meta_err(path, format!(".zarray has zarr_format {f}")));
            }
        }
        let shape = u64_list(zarray.get("shape"), "shape", path)?;
        let chunk_shape = u64_list(zarray.get("chunks"), "chunks", path)?;
        let typestr = zarray.get("dtype").ok_or_else(|| meta_err(path, "no dtype"))?;
        let typestr = match typestr {
            Value::String(s) => s.as_str(),
            other => {
                return Err(ZarrError::Unsupported {
                    path: path.into(),
                    feature: format!("structured data type {other}"),
                })
            }
        };
        let (mut data_type, endian) = DataType::from_v2(typestr, path)?;
        check_grid(&shape, &chunk_shape, &data_type, path, limits)?;
        let order = match zarray.get("order").and_then(Value::as_str) {
            None | Some("C") => Order::C,
            Some("F") => Order::F,
            Some(o) => return Err(meta_err(path, format!("order {o:?} is neither \"C\" nor \"F\""))),
        };
        let filters = match zarray.get("filters") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(other) => return Err(meta_err(path, format!("filters must be a list or null, got {other}"))),
        };
        let compressor = match zarray.get("compressor") {
            None | Some(Value::Null) => None,
            Some(v @ Value::Object(_)) => Some(v.clone()),
            Some(other) => return Err(meta_err(path, format!("compressor must be an object or null, got {other}"))),
        };
        // An object array's element type is fixed by its object codec.
        if data_type == DataType::Object {
            let ids: Vec<&str> = filters.iter().filter_map(|f| f.get("id").and_then(Value::as_str)).collect();
            if ids.contains(&"vlen-utf8") {
                data_type = DataType::String;
            } else if ids.contains(&"vlen-bytes") {
                data_type = DataType::Bytes;
            }
        }
        let separator = match zarray.get("dimension_separator") {
            None | Some(Value::Null) => '.',
            Some(Value::String(s)) if s == "." => '.',
            Some(Value::String(s)) if s == "/" => '/',
            Some(other) => {
                return Err(meta_err(path, format!("dimension_separator {other} is neither \".\" nor \"/\"")))
            }
        };
        let fill_value = FillValue::parse(zarray.get("fill_value").unwrap_or(&Value::Null), &data_type, path)?;
        let attributes = attributes_of(zattrs, path)?;
        let dimension_names = match attributes.get("_ARRAY_DIMENSIONS") {
            Some(v) => dimension_names_from(Some(v), shape.len(), path).ok().flatten(),
            None => None,
        };
        Ok(ArrayMetadata {
            zarr_format: 2,
            shape,
            chunk_shape,
            data_type,
            fill_value,
            chunk_key_encoding: ChunkKeyEncoding::V2 { separator },
            codecs: CodecsSpec::V2 { filters, compressor, order, endian },
            attributes,
            dimension_names,
            document: Value::Object(zarray.clone()),
        })
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of chunks along each dimension.
    pub fn grid_shape(&self) -> Vec<u64> {
        self.shape.iter().zip(&self.chunk_shape).map(|(s, c)| s.div_ceil(*c)).collect()
    }

    /// The stated codecs as JSON, for display (v3 list, or v2 `{filters, compressor}`).
    pub fn codecs_json(&self) -> Value {
        match &self.codecs {
            CodecsSpec::V3(list) => Value::Array(list.clone()),
            CodecsSpec::V2 { filters, compressor, order, .. } => serde_json::json!({
                "filters": filters,
                "compressor": compressor,
                "order": if *order == Order::C { "C" } else { "F" },
            }),
        }
    }
}

/// Parse a v3 `zarr.json` (array or group), also returning the group's inline
/// consolidated metadata if present.
///
/// # Errors
/// `Metadata`, `Unsupported`, `LimitExceeded`.
pub fn parse_v3_node(
    doc: &Map<String, Value>,
    path: &str,
    limits: &Limits,
) -> Result<(NodeMetadata, Option<Consolidated>), ZarrError> {
    match doc.get("zarr_format").and_then(Value::as_u64) {
        Some(3) => {}
        _ => return Err(meta_err(path, "zarr.json does not have zarr_format 3")),
    }
    match doc.get("node_type").and_then(Value::as_str) {
        Some("array") => Ok((NodeMetadata::Array(ArrayMetadata::from_v3(doc, path, limits)?), None)),
        Some("group") => {
            let g = GroupMetadata {
                zarr_format: 3,
                attributes: attributes_of(doc.get("attributes"), path)?,
                implicit: false,
            };
            let consolidated = match doc.get("consolidated_metadata") {
                None | Some(Value::Null) => None,
                Some(cm) => Some(parse_v3_consolidated(cm, path, limits)?),
            };
            Ok((NodeMetadata::Group(g), consolidated))
        }
        other => Err(meta_err(path, format!("node_type {other:?} is neither \"array\" nor \"group\""))),
    }
}

fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}/{rel}"),
    }
}

fn parse_v3_consolidated(cm: &Value, path: &str, limits: &Limits) -> Result<Consolidated, ZarrError> {
    let kind = cm.get("kind").and_then(Value::as_str).unwrap_or("inline");
    if kind != "inline" {
        return Err(ZarrError::Unsupported {
            path: path.into(),
            feature: format!("consolidated metadata kind {kind:?}"),
        });
    }
    let meta = cm
        .get("metadata")
        .and_then(Value::as_object)
        .ok_or_else(|| meta_err(path, "consolidated_metadata.metadata must be an object"))?;
    let mut out = Consolidated::new();
    for (rel, doc) in meta {
        let node_path = join(path, rel);
        let doc = doc.as_object().ok_or_else(|| meta_err(&node_path, "consolidated entry is not an object"))?;
        let (node, nested) = parse_v3_node(doc, &node_path, limits)?;
        out.insert(rel.trim_matches('/').to_string(), node);
        // Older writers nest a group's descendants inside its own entry.
        for (sub, n) in nested.into_iter().flatten() {
            out.entry(join(rel.trim_matches('/'), &sub)).or_insert(n);
        }
    }
    Ok(out)
}

/// Parse a v2 consolidated `.zmetadata` document into nodes keyed by path relative to
/// the group holding it (the group itself at `""`).
///
/// # Errors
/// `Metadata`, `Unsupported`, `LimitExceeded`.
pub fn parse_v2_consolidated(doc: &Map<String, Value>, path: &str, limits: &Limits) -> Result<Consolidated, ZarrError> {
    if let Some(f) = doc.get("zarr_consolidated_format") {
        if f.as_u64() != Some(1) {
            return Err(ZarrError::Unsupported { path: path.into(), feature: format!("zarr_consolidated_format {f}") });
        }
    }
    let meta = doc
        .get("metadata")
        .and_then(Value::as_object)
        .ok_or_else(|| meta_err(path, ".zmetadata has no `metadata` object"))?;
    let mut out = Consolidated::new();
    for (key, doc) in meta {
        let (node, leaf) = match key.rsplit_once('/') {
            Some((n, l)) => (n, l),
            None => ("", key.as_str()),
        };
        let node_path = join(path, node);
        let attrs = meta.get(&join(node, ".zattrs"));
        match leaf {
            ".zarray" => {
                let obj = doc.as_object().ok_or_else(|| meta_err(&node_path, ".zarray is not an object"))?;
                out.insert(
                    node.to_string(),
                    NodeMetadata::Array(ArrayMetadata::from_v2(obj, attrs, &node_path, limits)?),
                );
            }
            ".zgroup" => {
                out.insert(
                    node.to_string(),
                    NodeMetadata::Group(GroupMetadata {
                        zarr_format: 2,
                        attributes: attributes_of(attrs, &node_path)?,
                        implicit: false,
                    }),
                );
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn v3_array() -> Value {
        json!({
            "zarr_format": 3, "node_type": "array", "shape": [10, 20], "data_type": "float32",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5, 5]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "."}},
            "fill_value": "NaN", "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
            "dimension_names": ["y", null], "attributes": {"a": 1}
        })
    }

    #[test]
    fn v3_array_parses() {
        let (node, _) = parse_v3_node(&obj(v3_array()), "x", &Limits::default()).unwrap();
        let NodeMetadata::Array(a) = node else { panic!() };
        assert_eq!(a.shape, vec![10, 20]);
        assert_eq!(a.grid_shape(), vec![2, 4]);
        assert_eq!(a.dimension_names, Some(vec![Some("y".into()), None]));
        assert_eq!(a.chunk_key_encoding.key(&[1, 2]), "c.1.2");
        assert_eq!(a.attributes["a"], json!(1));
    }

    #[test]
    fn v3_bad_inputs_are_typed() {
        let l = Limits::default();
        let mut v = v3_array();
        v["chunk_grid"]["name"] = json!("rectilinear");
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::Unsupported { .. })));
        let mut v = v3_array();
        v["shape"] = json!([10]);
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::Metadata { .. })));
        let mut v = v3_array();
        v["chunk_grid"]["configuration"]["chunk_shape"] = json!([0, 5]);
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::Metadata { .. })));
        let mut v = v3_array();
        v["chunk_grid"]["configuration"]["chunk_shape"] = json!([1 << 20, 1 << 20]);
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::LimitExceeded(_))));
        let mut v = v3_array();
        v["shape"] = json!(vec![1; 40]);
        v["chunk_grid"]["configuration"]["chunk_shape"] = json!(vec![1; 40]);
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::LimitExceeded(_))));
        let mut v = v3_array();
        v["shape"] = json!([u64::MAX, u64::MAX]);
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::LimitExceeded(_))));
        let mut v = v3_array();
        v["data_type"] = json!("complex64");
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::Unsupported { .. })));
        let mut v = v3_array();
        v["some_extension"] = json!({"must_understand": true});
        assert!(matches!(parse_v3_node(&obj(v), "x", &l), Err(ZarrError::Unsupported { .. })));
        let mut v = v3_array();
        v["some_extension"] = json!({"must_understand": false});
        assert!(parse_v3_node(&obj(v), "x", &l).is_ok());
        assert!(matches!(parse_json(b"{\"zarr_format\": 3,", "x", &l), Err(ZarrError::Metadata { .. })));
        assert!(matches!(parse_json(b"[1]", "x", &l), Err(ZarrError::Metadata { .. })));
        let tiny = Limits { max_metadata_bytes: 4, ..Limits::default() };
        assert!(matches!(parse_json(b"{\"a\": 1}", "x", &tiny), Err(ZarrError::LimitExceeded(_))));
    }

    #[test]
    fn v2_array_parses() {
        let z = json!({"zarr_format": 2, "shape": [8, 8], "chunks": [4, 4], "dtype": ">i4", "order": "F",
            "compressor": {"id": "zlib", "level": 1}, "filters": null, "fill_value": null, "dimension_separator": "/"});
        let attrs = json!({"_ARRAY_DIMENSIONS": ["y", "x"]});
        let a = ArrayMetadata::from_v2(&obj(z), Some(&attrs), "x", &Limits::default()).unwrap();
        assert_eq!(a.chunk_key_encoding.key(&[1, 0]), "1/0");
        assert_eq!(a.dimension_names, Some(vec![Some("y".into()), Some("x".into())]));
        assert!(matches!(a.codecs, CodecsSpec::V2 { order: Order::F, endian: Endian::Big, .. }));
        let bad = json!({"zarr_format": 2, "shape": [8], "chunks": [4], "dtype": [["a", "<i4"]]});
        assert!(matches!(
            ArrayMetadata::from_v2(&obj(bad), None, "x", &Limits::default()),
            Err(ZarrError::Unsupported { .. })
        ));
    }

    #[test]
    fn v2_consolidated() {
        let doc = json!({"zarr_consolidated_format": 1, "metadata": {
            ".zgroup": {"zarr_format": 2}, ".zattrs": {"title": "t"},
            "g/a/.zarray": {"zarr_format": 2, "shape": [2], "chunks": [2], "dtype": "<f8",
                "compressor": null, "filters": null, "fill_value": "NaN", "order": "C"},
            "g/a/.zattrs": {"units": "K"}, "g/.zgroup": {"zarr_format": 2}}});
        let c = parse_v2_consolidated(&obj(doc), "", &Limits::default()).unwrap();
        assert_eq!(c.len(), 3);
        let NodeMetadata::Group(root) = &c[""] else { panic!() };
        assert_eq!(root.attributes["title"], json!("t"));
        let NodeMetadata::Array(a) = &c["g/a"] else { panic!() };
        assert_eq!(a.attributes["units"], json!("K"));
    }
}
