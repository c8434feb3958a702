//! Hierarchy navigation (v3 core spec § "Hierarchy", v2 spec § "Hierarchies"): open the
//! node at a path, trying v3 `zarr.json`, then v2 consolidated `.zmetadata`, then v2
//! `.zarray`/`.zgroup` (+ `.zattrs`); groups keep their consolidated metadata so that
//! opening their members costs no request; v3 implicit groups (no document) open as
//! groups with no attributes.

use crate::error::ZarrError;
use crate::io::Store;
use crate::limits::Limits;
use crate::zarr::array::Array;
use crate::zarr::metadata::{
    parse_json, parse_v2_consolidated, parse_v3_node, ArrayMetadata, Consolidated, GroupMetadata, NodeMetadata,
};
use crate::zarr::multiscales::Multiscales;
use serde_json::{Map, Value};
use std::rc::Rc;
use std::sync::Arc;

/// How to open a node.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Limits for everything read through the node.
    pub limits: Limits,
    /// Only try this format (2 or 3). `None` tries v3 `zarr.json` first, then v2: a v3
    /// store (consolidated or not) opens with one request, a consolidated v2 store with
    /// two (a 404 for `zarr.json`, then `.zmetadata`); `Some(2)` makes that one.
    pub zarr_format: Option<u8>,
    /// Use consolidated metadata (`.zmetadata`, inline `consolidated_metadata`).
    pub consolidated: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { limits: Limits::default(), zarr_format: None, consolidated: true }
    }
}

/// The kind of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Array,
    Group,
}

/// An opened array or group.
#[derive(Debug)]
pub enum Node {
    Array(Array),
    Group(Group),
}

/// A group of a Zarr hierarchy.
#[derive(Clone)]
pub struct Group {
    store: Rc<dyn Store>,
    path: String,
    meta: GroupMetadata,
    consolidated: Option<Arc<Consolidated>>,
    options: OpenOptions,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group").field("path", &self.path).field("meta", &self.meta).finish()
    }
}

fn join(base: &str, rel: &str) -> String {
    let rel = rel.trim_matches('/');
    match (base.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}/{rel}"),
    }
}

async fn get_doc(store: &dyn Store, key: &str, limits: &Limits) -> Result<Option<Map<String, Value>>, ZarrError> {
    match store.get(key, limits.max_metadata_bytes).await? {
        None => Ok(None),
        Some(b) => Ok(Some(parse_json(&b, key, limits)?)),
    }
}

/// Fetch and parse the metadata of the node at `path`.
async fn node_metadata(
    store: &dyn Store,
    path: &str,
    options: &OpenOptions,
) -> Result<Option<(NodeMetadata, Option<Consolidated>)>, ZarrError> {
    let limits = &options.limits;
    if options.zarr_format != Some(2) {
        if let Some(doc) = get_doc(store, &join(path, "zarr.json"), limits).await? {
            let (node, cons) = parse_v3_node(&doc, path, limits)?;
            return Ok(Some((node, if options.consolidated { cons } else { None })));
        }
    }
    if options.zarr_format == Some(3) {
        return Ok(None);
    }
    if options.consolidated {
        if let Some(doc) = get_doc(store, &join(path, ".zmetadata"), limits).await? {
            let mut cons = parse_v2_consolidated(&doc, path, limits)?;
            match cons.remove("") {
                Some(NodeMetadata::Array(a)) => return Ok(Some((NodeMetadata::Array(a), None))),
                Some(g @ NodeMetadata::Group(_)) => return Ok(Some((g, Some(cons)))),
                None => {
                    let g = GroupMetadata { zarr_format: 2, attributes: Map::new(), implicit: true };
                    return Ok(Some((NodeMetadata::Group(g), Some(cons))));
                }
            }
        }
    }
    let (zarray_key, zattrs_key) = (join(path, ".zarray"), join(path, ".zattrs"));
    let (zarray, zattrs) = futures::join!(get_doc(store, &zarray_key, limits), get_doc(store, &zattrs_key, limits));
    let zattrs = zattrs?.map(Value::Object);
    if let Some(za) = zarray? {
        let a = ArrayMetadata::from_v2(&za, zattrs.as_ref(), path, limits)?;
        return Ok(Some((NodeMetadata::Array(a), None)));
    }
    if get_doc(store, &join(path, ".zgroup"), limits).await?.is_some() {
        let attributes = match zattrs {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        return Ok(Some((NodeMetadata::Group(GroupMetadata { zarr_format: 2, attributes, implicit: false }), None)));
    }
    Ok(None)
}

impl Node {
    /// Open the node at `path` with default options.
    ///
    /// # Errors
    /// `NodeNotFound` when nothing is there; metadata, codec and store errors.
    pub async fn open(store: Rc<dyn Store>, path: &str) -> Result<Node, ZarrError> {
        Self::open_with(store, path, &OpenOptions::default()).await
    }

    /// Open the node at `path`.
    ///
    /// # Errors
    /// As [`Node::open`].
    pub async fn open_with(store: Rc<dyn Store>, path: &str, options: &OpenOptions) -> Result<Node, ZarrError> {
        let path = path.trim_matches('/');
        match node_metadata(store.as_ref(), path, options).await? {
            None => Err(ZarrError::NodeNotFound { path: path.into() }),
            Some((NodeMetadata::Array(a), _)) => {
                Ok(Node::Array(Array::from_metadata(store, path, a, options.limits.clone())?))
            }
            Some((NodeMetadata::Group(g), cons)) => Ok(Node::Group(Group {
                store,
                path: path.into(),
                meta: g,
                consolidated: cons.map(Arc::new),
                options: options.clone(),
            })),
        }
    }
}

impl Group {
    /// Open the group at `path`; a path without any metadata document opens as a v3
    /// implicit group.
    ///
    /// # Errors
    /// `NodeNotFound` when an array is there; metadata and store errors.
    pub async fn open(store: Rc<dyn Store>, path: &str) -> Result<Group, ZarrError> {
        Self::open_with(store, path, &OpenOptions::default()).await
    }

    /// As [`Group::open`] with options.
    ///
    /// # Errors
    /// As [`Group::open`].
    pub async fn open_with(store: Rc<dyn Store>, path: &str, options: &OpenOptions) -> Result<Group, ZarrError> {
        match Node::open_with(store.clone(), path, options).await {
            Ok(Node::Group(g)) => Ok(g),
            Ok(Node::Array(_)) => Err(ZarrError::NodeNotFound { path: path.into() }),
            Err(ZarrError::NodeNotFound { .. }) => Ok(Group {
                store,
                path: path.trim_matches('/').into(),
                meta: GroupMetadata { zarr_format: 3, attributes: Map::new(), implicit: true },
                consolidated: None,
                options: options.clone(),
            }),
            Err(e) => Err(e),
        }
    }

    /// Path of the group in its store.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The group's metadata.
    pub fn metadata(&self) -> &GroupMetadata {
        &self.meta
    }
    /// Attributes.
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.meta.attributes
    }
    /// The store.
    pub fn store(&self) -> &Rc<dyn Store> {
        &self.store
    }
    /// Whether consolidated metadata is known.
    pub fn is_consolidated(&self) -> bool {
        self.consolidated.is_some()
    }

    /// Every descendant known from consolidated metadata, with its kind, by relative
    /// path; `None` without consolidated metadata (stores cannot be listed over HTTP).
    pub fn nodes(&self) -> Option<Vec<(String, NodeKind)>> {
        self.consolidated.as_ref().map(|c| {
            c.iter()
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| {
                    (k.clone(), if matches!(v, NodeMetadata::Array(_)) { NodeKind::Array } else { NodeKind::Group })
                })
                .collect()
        })
    }

    /// Direct children, as [`Group::nodes`].
    pub fn members(&self) -> Option<Vec<(String, NodeKind)>> {
        self.nodes().map(|v| v.into_iter().filter(|(k, _)| !k.contains('/')).collect())
    }

    /// Paths of all arrays known from consolidated metadata.
    pub fn array_paths(&self) -> Option<Vec<String>> {
        self.nodes().map(|v| v.into_iter().filter(|(_, k)| *k == NodeKind::Array).map(|(p, _)| p).collect())
    }

    /// Open a descendant, from consolidated metadata when it is there (no request).
    ///
    /// # Errors
    /// As [`Node::open`].
    pub async fn open_node(&self, rel: &str) -> Result<Node, ZarrError> {
        let rel = rel.trim_matches('/');
        let full = join(&self.path, rel);
        if rel.is_empty() {
            return Ok(Node::Group(self.clone()));
        }
        if let Some(c) = &self.consolidated {
            match c.get(rel) {
                Some(NodeMetadata::Array(a)) => {
                    return Ok(Node::Array(Array::from_metadata(
                        self.store.clone(),
                        &full,
                        a.clone(),
                        self.options.limits.clone(),
                    )?))
                }
                Some(NodeMetadata::Group(g)) => {
                    let prefix = format!("{rel}/");
                    let sub: Consolidated = c
                        .iter()
                        .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|s| (s.to_string(), v.clone())))
                        .collect();
                    return Ok(Node::Group(Group {
                        store: self.store.clone(),
                        path: full,
                        meta: g.clone(),
                        consolidated: Some(Arc::new(sub)),
                        options: self.options.clone(),
                    }));
                }
                None => {}
            }
        }
        Node::open_with(self.store.clone(), &full, &self.options).await
    }

    /// Open a descendant array.
    ///
    /// # Errors
    /// `NodeNotFound` when it is a group or missing; as [`Node::open`].
    pub async fn open_array(&self, rel: &str) -> Result<Array, ZarrError> {
        match self.open_node(rel).await? {
            Node::Array(a) => Ok(a),
            Node::Group(_) => Err(ZarrError::NodeNotFound { path: join(&self.path, rel) }),
        }
    }

    /// Open a descendant group.
    ///
    /// # Errors
    /// `NodeNotFound` when it is an array; as [`Node::open`].
    pub async fn open_group(&self, rel: &str) -> Result<Group, ZarrError> {
        match self.open_node(rel).await {
            Ok(Node::Group(g)) => Ok(g),
            Ok(Node::Array(_)) => Err(ZarrError::NodeNotFound { path: join(&self.path, rel) }),
            Err(e) => Err(e),
        }
    }

    /// The multiscales this group's attributes declare (OME-NGFF 0.4/0.5, GeoZarr /
    /// zarr-conventions), if any.
    ///
    /// # Errors
    /// `Metadata` when the attribute is present but malformed.
    pub fn multiscales(&self) -> Result<Option<Multiscales>, ZarrError> {
        Multiscales::from_attributes(&self.meta.attributes, &self.path)
    }
}
