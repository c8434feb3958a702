//! kerchunk references in the Parquet layout (fsspec `LazyReferenceMapper`, written by
//! `kerchunk.df.refs_to_dataframe` and VirtualiZarr's `to_kerchunk(format="parquet")`) as a
//! [`Store`].
//!
//! The layout is a directory (conventionally `*.parq`):
//! - `.zmetadata`: JSON `{"metadata": {key: document}, "record_size": N}` holding every
//!   metadata key (`.zgroup`, `.zattrs`, `<array>/.zarray`, ...);
//! - `<array>/refs.<k>.parq`: Parquet files with columns `path`, `offset`, `size`, `raw`;
//!   row `i` of file `k` is the chunk whose C-order index over the chunk grid
//!   (`ceil(shape / chunks)`, `[1]` for scalars) is `k * N + i`.
//!
//! A row with `raw` set is inline data; a null `path` is a missing chunk (fill value);
//! `offset = size = 0` is the whole target; otherwise `size` bytes at `offset`. Relative
//! target paths resolve against the folder holding the reference directory (as a JSON
//! reference set's resolve against the folder holding the JSON). The Parquet files are
//! read lazily, once each (concurrent reads of one file share the request), and kept.
//!
//! The key `.zmetadata` answers a consolidated-metadata document, so the Zarr reader opens
//! the whole hierarchy from the one `.zmetadata` request.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::kerchunk::{default_opener, fetch, fetch_ranges, resolve_target, Reference, SourceOpener, TargetSources};
use super::parquet::{self, ColumnData};
use crate::error::{IoError, ZarrError};
use crate::io::{ByteRange, Store};
use crate::limits::Limits;
use async_lock::OnceCell;
use async_trait::async_trait;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The references of one Parquet file, by row.
type Record = Vec<Option<Reference>>;

/// A reference file, loaded at most once (concurrent readers wait for the one fetch).
type RecordCell = Rc<OnceCell<Rc<Record>>>;

/// A kerchunk Parquet reference directory as a [`Store`].
pub struct ParquetReferenceStore {
    root: String,
    metadata: Map<String, Value>,
    record_size: u64,
    targets: TargetSources,
    limits: Limits,
    records: RefCell<HashMap<(String, u64), RecordCell>>,
}

impl std::fmt::Debug for ParquetReferenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetReferenceStore")
            .field("root", &self.root)
            .field("record_size", &self.record_size)
            .field("metadata", &self.metadata.len())
            .finish()
    }
}

fn meta_err(path: &str, m: impl Into<String>) -> ZarrError {
    ZarrError::Metadata { path: path.into(), message: m.into() }
}

/// Whether `url` names a Parquet reference directory by the usual suffix (`.parq`,
/// `.parquet`, with or without a trailing `/` or `/.zmetadata`).
pub fn looks_like_parquet_refs(url: &str) -> bool {
    let u = url.trim_end_matches('/');
    let u = u.strip_suffix("/.zmetadata").unwrap_or(u).to_ascii_lowercase();
    u.ends_with(".parq") || u.ends_with(".parquet")
}

impl ParquetReferenceStore {
    /// A store over the reference directory `root` whose `.zmetadata` is `zmetadata`.
    ///
    /// # Errors
    /// `Metadata` when `.zmetadata` is not the kerchunk Parquet document.
    pub fn from_zmetadata(
        zmetadata: &[u8],
        root: &str,
        opener: SourceOpener,
        limits: &Limits,
    ) -> Result<Self, ZarrError> {
        let root = root.trim_end_matches('/');
        let root = root.strip_suffix("/.zmetadata").unwrap_or(root).to_string();
        let at = format!("{root}/.zmetadata");
        let doc = crate::zarr::metadata::parse_json(zmetadata, &at, limits)?;
        let record_size = doc
            .get("record_size")
            .and_then(Value::as_u64)
            .filter(|&n| n > 0)
            .ok_or_else(|| meta_err(&at, "no positive \"record_size\" (not kerchunk Parquet references)"))?;
        let metadata = doc
            .get("metadata")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| meta_err(&at, "no \"metadata\" object"))?;
        Ok(ParquetReferenceStore {
            root,
            metadata,
            record_size,
            targets: TargetSources::new(opener),
            limits: limits.clone(),
            records: RefCell::default(),
        })
    }

    /// Open the reference directory at `url_or_path` (HTTP(S), or natively a local
    /// directory): one request for `.zmetadata`; targets open through `client`.
    ///
    /// # Errors
    /// Store errors reading `.zmetadata`; as [`ParquetReferenceStore::from_zmetadata`].
    pub async fn open_with_client(
        url_or_path: &str,
        client: crate::io::HttpClient,
        limits: &Limits,
    ) -> Result<Self, ZarrError> {
        let opener = default_opener(client);
        let root = url_or_path.trim_end_matches('/');
        let root = root.strip_suffix("/.zmetadata").unwrap_or(root);
        let doc = opener(&format!("{root}/.zmetadata")).get_all(limits.max_metadata_bytes).await?;
        Self::from_zmetadata(&doc, root, opener, limits)
    }

    /// As [`ParquetReferenceStore::open_with_client`] with a new client.
    ///
    /// # Errors
    /// As [`ParquetReferenceStore::open_with_client`].
    pub async fn open(url_or_path: &str, options: crate::io::RangeOptions, limits: &Limits) -> Result<Self, ZarrError> {
        Self::open_with_client(url_or_path, crate::io::HttpClient::new(options), limits).await
    }

    /// The metadata keys and documents.
    pub fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }

    /// References per Parquet file.
    pub fn record_size(&self) -> u64 {
        self.record_size
    }

    /// `(array, record, row)` of chunk key `key`, or `None` when it is not a chunk of an
    /// array listed in the metadata (or lies outside its grid).
    fn locate(&self, key: &str) -> Option<(String, u64, usize)> {
        let mut best = None;
        for (i, _) in key.match_indices('/') {
            let (array, rest) = (key.get(..i)?, key.get(i + 1..)?);
            if self.metadata.contains_key(&format!("{array}/.zarray")) && chunk_indices(rest).is_some() {
                best = Some((array, rest));
            }
        }
        let (array, rest) = best?;
        let idx = chunk_indices(rest)?;
        let zarray = self.metadata.get(&format!("{array}/.zarray"))?;
        let zarray: Value = match zarray {
            Value::String(s) => serde_json::from_str(s).ok()?,
            v => v.clone(),
        };
        let shape: Vec<u64> = zarray.get("shape")?.as_array()?.iter().map(Value::as_u64).collect::<Option<_>>()?;
        let chunks: Vec<u64> = zarray.get("chunks")?.as_array()?.iter().map(Value::as_u64).collect::<Option<_>>()?;
        if shape.len() != chunks.len() {
            return None;
        }
        let mut grid: Vec<u64> =
            shape.iter().zip(&chunks).map(|(&s, &c)| if c == 0 { 0 } else { s.div_ceil(c) }).collect();
        if grid.is_empty() {
            grid.push(1);
        }
        if idx.len() != grid.len() {
            return None;
        }
        let mut n: u64 = 0;
        for (&i, &g) in idx.iter().zip(&grid) {
            if i >= g {
                return None;
            }
            n = n.checked_mul(g)?.checked_add(i)?;
        }
        let row = usize::try_from(n % self.record_size).ok()?;
        Some((array.to_string(), n / self.record_size, row))
    }

    /// The references of `refs.<record>.parq` of `array`, fetched and decoded once.
    async fn record(&self, array: &str, record: u64) -> Result<Rc<Record>, IoError> {
        let cell = self.records.borrow_mut().entry((array.to_string(), record)).or_default().clone();
        let r = cell
            .get_or_try_init(|| async {
                let url = format!("{}/{array}/refs.{record}.parq", self.root);
                let bytes = self.targets.get(&url).get_all(self.limits.max_metadata_bytes).await?;
                let table = parquet::read(&bytes, &self.limits)
                    .map_err(|e| IoError::Unsupported { feature: format!("kerchunk Parquet references {url}: {e}") })?;
                decode_record(&table, &self.root)
                    .map(Rc::new)
                    .map_err(|m| IoError::Unsupported { feature: format!("kerchunk Parquet references {url}: {m}") })
            })
            .await?;
        Ok(r.clone())
    }

    async fn reference(&self, key: &str) -> Result<Option<Reference>, IoError> {
        if key == ".zmetadata" {
            let doc = serde_json::json!({"zarr_consolidated_format": 1, "metadata": self.metadata});
            return Ok(Some(Reference::Inline(Bytes::from(doc.to_string().into_bytes()))));
        }
        if let Some(v) = self.metadata.get(key) {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            return Ok(Some(Reference::Inline(Bytes::from(text.into_bytes()))));
        }
        let Some((array, record, row)) = self.locate(key) else { return Ok(None) };
        let rec = self.record(&array, record).await?;
        Ok(rec.get(row).cloned().flatten())
    }
}

/// Chunk indices of a chunk key's last part (`1.0.3`, `1/0/3`, or `0` for scalars).
fn chunk_indices(s: &str) -> Option<Vec<u64>> {
    if s.is_empty() {
        return None;
    }
    s.split(['.', '/']).map(|p| p.parse::<u64>().ok()).collect()
}

/// The rows of a reference file as references (targets resolved against `root`'s folder).
fn decode_record(t: &parquet::Table, root: &str) -> Result<Record, String> {
    let path = t.column("path");
    let offset = t.column("offset");
    let size = t.column("size");
    let raw = t.column("raw");
    let bytes_at = |c: Option<&ColumnData>, i: usize| -> Result<Option<Vec<u8>>, String> {
        match c {
            None | Some(ColumnData::Null(_)) => Ok(None),
            Some(ColumnData::Bytes(v)) => Ok(v.get(i).cloned().flatten()),
            Some(ColumnData::Int(_)) => Err("a text column holds integers".into()),
        }
    };
    let int_at = |c: Option<&ColumnData>, i: usize| -> Result<i64, String> {
        match c {
            None | Some(ColumnData::Null(_)) => Ok(0),
            Some(ColumnData::Int(v)) => Ok(v.get(i).copied().flatten().unwrap_or(0)),
            Some(ColumnData::Bytes(_)) => Err("an integer column holds bytes".into()),
        }
    };
    let mut out = Vec::with_capacity(t.num_rows);
    for i in 0..t.num_rows {
        if let Some(r) = bytes_at(raw, i)? {
            out.push(Some(Reference::Inline(Bytes::from(r))));
            continue;
        }
        let Some(p) = bytes_at(path, i)? else {
            out.push(None);
            continue;
        };
        let p = String::from_utf8(p).map_err(|_| format!("row {i}: path is not UTF-8"))?;
        let url = resolve_target(root, &p);
        let (o, n) = (int_at(offset, i)?, int_at(size, i)?);
        let (o, n) = (
            u64::try_from(o).map_err(|_| format!("row {i}: offset {o}"))?,
            u64::try_from(n).map_err(|_| format!("row {i}: size {n}"))?,
        );
        o.checked_add(n).ok_or_else(|| format!("row {i}: offset {o} + size {n} overflows"))?;
        out.push(Some(if o == 0 && n == 0 {
            Reference::Whole { url }
        } else {
            Reference::Range { url, offset: o, length: n }
        }));
    }
    Ok(out)
}

#[async_trait(?Send)]
impl Store for ParquetReferenceStore {
    fn describe(&self, key: &str) -> String {
        match self.locate(key) {
            Some((array, record, row)) => format!("{}/{array}/refs.{record}.parq row {row} ({key})", self.root),
            None => format!("{}#{key}", self.root),
        }
    }

    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError> {
        match self.reference(key).await? {
            None => Ok(None),
            Some(r) => fetch(&r, &|u| self.targets.get(u), max).await.map(Some),
        }
    }

    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        match self.reference(key).await? {
            None => Ok(None),
            Some(r) => fetch_ranges(&r, &|u| self.targets.get(u), ranges).await.map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::RangeSource;

    #[test]
    fn locates_chunks_by_c_order_index() {
        // Locating chunks opens nothing.
        let opener: SourceOpener = Rc::new(|u: &str| -> Rc<dyn RangeSource> { unreachable!("opened {u}") });
        let z = serde_json::json!({"record_size": 4, "metadata": {
            "a/.zarray": {"shape": [5, 6], "chunks": [2, 4]},
            "g/b/.zarray": "{\"shape\": [], \"chunks\": []}"}});
        let s =
            ParquetReferenceStore::from_zmetadata(z.to_string().as_bytes(), "/d/r.parq/", opener, &Limits::default())
                .unwrap();
        // Grid 3 × 2: chunk (2, 1) is number 5 → record 1, row 1.
        assert_eq!(s.locate("a/2.1"), Some(("a".into(), 1, 1)));
        assert_eq!(s.locate("a/2/1"), Some(("a".into(), 1, 1)));
        assert_eq!(s.locate("a/3.0"), None);
        assert_eq!(s.locate("a/0"), None);
        assert_eq!(s.locate("g/b/0"), Some(("g/b".into(), 0, 0)));
        assert_eq!(s.locate("a/.zattrs"), None);
        assert!(looks_like_parquet_refs("http://h/x/combined.parq/"));
        assert!(!looks_like_parquet_refs("http://h/x/store.zarr"));
        assert_eq!(resolve_target(&s.root, "../f.nc"), "/f.nc");
        assert_eq!(resolve_target(&s.root, "f.nc"), "/d/f.nc");
        assert!(ParquetReferenceStore::from_zmetadata(
            b"{\"metadata\": {}}",
            "/d/x.parq",
            s.targets.opener.clone(),
            &s.limits
        )
        .is_err());
    }
}
