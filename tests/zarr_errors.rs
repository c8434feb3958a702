//! Hand-built Zarr stores in memory: fill values for missing chunks (and only for
//! missing ones), selections, and bad inputs giving typed errors: malformed metadata,
//! chunks shorter or longer than declared, shard indexes pointing outside the shard or
//! failing their crc32c, half-empty index entries, sizes beyond the limits, unknown
//! codecs.

use async_trait::async_trait;
use bytes::Bytes;
use futures::executor::block_on;
use rangetile::codecs::ArrayBytes;
use rangetile::error::{IoError, ZarrError};
use rangetile::io::{ByteRange, Store};
use rangetile::zarr::{Array, DimSelection, Group, Node, OpenOptions, Selection};
use rangetile::{ErrorKind, Limits};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// Objects in memory; keys starting with `forbidden` answer HTTP 403.
#[derive(Default)]
struct MemStore {
    objects: HashMap<String, Bytes>,
}

impl MemStore {
    fn with(mut self, key: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.objects.insert(key.to_string(), Bytes::from(bytes.into()));
        self
    }
    fn json(self, key: &str, v: Value) -> Self {
        self.with(key, v.to_string())
    }
    fn arc(self) -> Rc<dyn Store> {
        Rc::new(self)
    }
}

#[async_trait(?Send)]
impl Store for MemStore {
    fn describe(&self, key: &str) -> String {
        format!("mem://{key}")
    }
    async fn get(&self, key: &str, _max: u64) -> Result<Option<Bytes>, IoError> {
        if key.contains("forbidden") {
            return Err(IoError::Http { url: key.into(), status: 403, message: String::new() });
        }
        Ok(self.objects.get(key).cloned())
    }
    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        let Some(b) = self.get(key, u64::MAX).await? else { return Ok(None) };
        // Clip as HTTP does.
        ranges
            .iter()
            .map(|r| r.resolve(b.len() as u64).map(|(a, e)| b.slice(a as usize..e as usize)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn v3_array(shape: &[u64], chunks: &[u64], dtype: &str, fill: Value, codecs: Value) -> Value {
    json!({"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": fill, "codecs": codecs})
}

fn bytes_le() -> Value {
    json!([{"name": "bytes", "configuration": {"endian": "little"}}])
}

fn open(store: Rc<dyn Store>, path: &str) -> Result<Array, ZarrError> {
    block_on(Array::open(store, path))
}

fn read(a: &Array, sel: Selection) -> Result<rangetile::zarr::ArrayData, ZarrError> {
    block_on(a.get(&sel))
}

fn i16s(v: &[i16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn fixed(d: &rangetile::zarr::ArrayData) -> &[u8] {
    match &d.data {
        ArrayBytes::Fixed(b) => b,
        ArrayBytes::Variable(_) => panic!("variable"),
    }
}

#[test]
fn missing_chunks_read_as_fill_and_other_errors_do_not() {
    let store = MemStore::default()
        .json("a/zarr.json", v3_array(&[4, 4], &[2, 2], "float32", json!("NaN"), bytes_le()))
        .with("a/c/0/0", [1.0f32, 2.0, 3.0, 4.0].iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>())
        .json("forbidden/zarr.json", v3_array(&[2], &[1], "int16", json!(-1), bytes_le()))
        .arc();
    let a = open(store.clone(), "a").unwrap();
    let d = read(&a, Selection::all()).unwrap();
    let v: Vec<f32> = fixed(&d).chunks(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(&v[..2], &[1.0, 2.0]);
    assert_eq!(&v[4..6], &[3.0, 4.0]);
    assert!(v[2].is_nan() && v[15].is_nan());
    // A 403 on a chunk is an error, never fill.
    let e = open(store, "forbidden").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Http, "{e}");
    let store = MemStore::default()
        .json("zarr.json", v3_array(&[2], &[1], "int16", json!(-1), bytes_le()))
        .with("c/0", i16s(&[7]))
        .arc();
    let mut a = open(store, "").unwrap();
    assert_eq!(fixed(&read(&a, Selection::all()).unwrap()), &i16s(&[7, -1])[..]);
    // Same array, its second chunk behind a 403.
    let meta = a.metadata().clone();
    let failing = Rc::new(MemStore::default().with("c/0", i16s(&[7]))) as Rc<dyn Store>;
    a = Array::from_metadata(failing, "forbidden", meta, Limits::default()).unwrap();
    let e = read(&a, Selection::all()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Http);
}

#[test]
fn selections_pick_the_right_elements() {
    // 5x7 int16 array holding 0..35 in 2x3 chunks (ragged edges), v2 with '/' keys.
    let mut store = MemStore::default().json(
        "x/.zarray",
        json!({"zarr_format": 2, "shape": [5, 7], "chunks": [2, 3], "dtype": "<i2", "order": "C",
            "compressor": null, "filters": null, "fill_value": 0, "dimension_separator": "/"}),
    );
    for ci in 0..3u64 {
        for cj in 0..3u64 {
            let mut chunk = Vec::new();
            for i in 0..2 {
                for j in 0..3 {
                    let (r, c) = (ci * 2 + i, cj * 3 + j);
                    chunk.push(if r < 5 && c < 7 { (r * 7 + c) as i16 } else { 0 });
                }
            }
            store = store.with(&format!("x/{ci}/{cj}"), i16s(&chunk));
        }
    }
    let a = open(store.arc(), "x").unwrap();
    let all = read(&a, Selection::all()).unwrap();
    assert_eq!(fixed(&all), &i16s(&(0..35).collect::<Vec<i16>>())[..]);
    let d = read(&a, Selection(vec![DimSelection::Range(1, 4), DimSelection::Index(5)])).unwrap();
    assert_eq!(d.shape, vec![3]);
    assert_eq!(fixed(&d), &i16s(&[12, 19, 26])[..]);
    let d = read(&a, Selection(vec![DimSelection::Range(3, 5), DimSelection::Range(2, 7)])).unwrap();
    assert_eq!(d.shape, vec![2, 5]);
    assert_eq!(fixed(&d), &i16s(&[23, 24, 25, 26, 27, 30, 31, 32, 33, 34])[..]);
    let d = read(&a, Selection(vec![DimSelection::Range(2, 2), DimSelection::All])).unwrap();
    assert_eq!(d.shape, vec![0, 7]);
    let e = read(&a, Selection(vec![DimSelection::Index(5), DimSelection::All])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let e = read(&a, Selection(vec![DimSelection::All])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn chunks_shorter_or_longer_than_declared_are_errors() {
    for bad in [i16s(&[1, 2, 3]), i16s(&[1, 2, 3, 4, 5])] {
        let store = MemStore::default()
            .json("zarr.json", v3_array(&[4], &[4], "int16", json!(0), bytes_le()))
            .with("c/0", bad)
            .arc();
        let a = open(store, "").unwrap();
        let e = read(&a, Selection::all()).unwrap_err();
        assert!(matches!(e, ZarrError::Codec { .. }), "{e:?}");
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.to_string().contains("c/0"), "{e}");
    }
    // A zstd chunk that inflates past the declared size is cut off, not allocated.
    let big = vec![0u8; 1 << 16];
    let z = ruzstd_free_frame(&big);
    let store = MemStore::default()
        .json(
            "zarr.json",
            v3_array(
                &[4],
                &[4],
                "int16",
                json!(0),
                json!([{"name": "bytes"}, {"name": "zstd", "configuration": {"level": 1}}]),
            ),
        )
        .with("c/0", z)
        .arc();
    let a = open(store, "").unwrap();
    assert_eq!(read(&a, Selection::all()).unwrap_err().kind(), ErrorKind::Format);
}

/// A zstd frame of raw blocks (no compression needed) holding `data`.
fn ruzstd_free_frame(data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x28, 0xb5, 0x2f, 0xfd];
    // Frame header: single segment, 4-byte content size.
    f.push(0b1010_0000);
    f.extend_from_slice(&(data.len() as u32).to_le_bytes());
    let chunks: Vec<&[u8]> = data.chunks(1 << 15).collect();
    for (i, c) in chunks.iter().enumerate() {
        let last = u32::from(i + 1 == chunks.len());
        let header = last | ((c.len() as u32) << 3); // block type 0 = raw
        f.extend_from_slice(&header.to_le_bytes()[..3]);
        f.extend_from_slice(c);
    }
    f
}

/// A 1-D uint8 shard of `inner.len()` inner chunks of 4 bytes, raw inner codecs, index
/// at the end with crc32c; `entries` overrides the index.
fn shard(inner: &[Option<[u8; 4]>], entries: Option<Vec<(u64, u64)>>) -> Vec<u8> {
    let mut data = Vec::new();
    let mut idx = Vec::new();
    for c in inner {
        match c {
            Some(b) => {
                idx.push((data.len() as u64, 4u64));
                data.extend_from_slice(b);
            }
            None => idx.push((u64::MAX, u64::MAX)),
        }
    }
    let idx = entries.unwrap_or(idx);
    let mut index: Vec<u8> = idx.iter().flat_map(|(o, n)| [o.to_le_bytes(), n.to_le_bytes()].concat()).collect();
    let crc = crc32c::crc32c(&index);
    index.extend_from_slice(&crc.to_le_bytes());
    data.extend_from_slice(&index);
    data
}

fn sharded_meta(n_inner: u64) -> Value {
    v3_array(
        &[n_inner * 4],
        &[n_inner * 4],
        "uint8",
        json!(9),
        json!([{"name": "sharding_indexed", "configuration": {"chunk_shape": [4], "codecs": [{"name": "bytes"}],
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}]}}]),
    )
}

#[test]
fn shard_reads_and_bad_shard_indexes() {
    let good = shard(&[Some([1, 2, 3, 4]), None, Some([5, 6, 7, 8])], None);
    let store = MemStore::default().json("zarr.json", sharded_meta(3)).with("c/0", good.clone()).arc();
    let a = open(store, "").unwrap();
    assert_eq!(fixed(&read(&a, Selection::all()).unwrap()), &[1, 2, 3, 4, 9, 9, 9, 9, 5, 6, 7, 8]);
    assert_eq!(fixed(&read(&a, Selection(vec![DimSelection::Range(3, 9)])).unwrap()), &[4, 9, 9, 9, 9, 5]);

    // Index entries pointing partly or wholly past the end of the shard.
    for entry in [(6, 60), (100, 4)] {
        let bad =
            shard(&[Some([1, 2, 3, 4]), None, Some([5, 6, 7, 8])], Some(vec![(0, 4), (u64::MAX, u64::MAX), entry]));
        let store = MemStore::default().json("zarr.json", sharded_meta(3)).with("c/0", bad).arc();
        let e = read(&open(store, "").unwrap(), Selection::all()).unwrap_err();
        assert!(matches!(e, ZarrError::ShardIndex { .. }), "{entry:?}: {e:?}");
    }
    // Overflowing offset + nbytes.
    let bad = shard(&[None, None], Some(vec![(u64::MAX - 1, 4), (u64::MAX, u64::MAX)]));
    let store = MemStore::default().json("zarr.json", sharded_meta(2)).with("c/0", bad).arc();
    let e = read(&open(store, "").unwrap(), Selection::all()).unwrap_err();
    assert!(matches!(e, ZarrError::ShardIndex { .. }), "{e:?}");
    // Half-empty entry.
    let bad = shard(&[None, None], Some(vec![(u64::MAX, 4), (u64::MAX, u64::MAX)]));
    let store = MemStore::default().json("zarr.json", sharded_meta(2)).with("c/0", bad).arc();
    let e = read(&open(store, "").unwrap(), Selection::all()).unwrap_err();
    assert!(matches!(e, ZarrError::ShardIndex { .. }), "{e:?}");
    // A corrupted index fails its crc32c.
    let mut corrupt = good.clone();
    let n = corrupt.len();
    corrupt[n - 10] ^= 0x40;
    let store = MemStore::default().json("zarr.json", sharded_meta(3)).with("c/0", corrupt).arc();
    let e = read(&open(store, "").unwrap(), Selection::all()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Checksum, "{e:?}");
    // A shard shorter than its index.
    let store = MemStore::default().json("zarr.json", sharded_meta(3)).with("c/0", vec![0u8; 10]).arc();
    let e = read(&open(store, "").unwrap(), Selection::all()).unwrap_err();
    assert!(matches!(e, ZarrError::ShardIndex { .. }), "{e:?}");
    // A missing shard is all fill.
    let store = MemStore::default().json("zarr.json", sharded_meta(3)).arc();
    assert_eq!(fixed(&read(&open(store, "").unwrap(), Selection::all()).unwrap()), &[9; 12]);
    // Inner chunk shape not dividing the shard shape.
    let mut m = sharded_meta(3);
    m["codecs"][0]["configuration"]["chunk_shape"] = json!([5]);
    let e = open(MemStore::default().json("zarr.json", m).arc(), "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e:?}");
}

#[test]
fn nested_shard_indexes_are_checked_against_the_shard_length() {
    // An outer shard of 1 inner shard; the inner shard's index points outside it.
    let inner_bad = shard(&[Some([1, 2, 3, 4])], Some(vec![(2, 4)]));
    let mut outer = inner_bad.clone();
    let mut index: Vec<u8> = [0u64.to_le_bytes(), (inner_bad.len() as u64).to_le_bytes()].concat();
    index.extend_from_slice(&crc32c::crc32c(&index).to_le_bytes());
    outer.extend_from_slice(&index);
    let inner_codec =
        json!({"name": "sharding_indexed", "configuration": {"chunk_shape": [4], "codecs": [{"name": "bytes"}]}});
    let meta = v3_array(
        &[4],
        &[4],
        "uint8",
        json!(0),
        json!([{"name": "sharding_indexed", "configuration": {"chunk_shape": [4], "codecs": [inner_codec]}}]),
    );
    let store = MemStore::default().json("zarr.json", meta).with("c/0", outer).arc();
    let e = read(&open(store, "").unwrap(), Selection::all()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format, "{e:?}");
    assert!(e.to_string().contains("outside"), "{e}");
}

#[test]
fn malformed_metadata_and_limits_are_typed() {
    let e = open(MemStore::default().with("zarr.json", "{\"zarr_format\": 3,").arc(), "").unwrap_err();
    assert!(matches!(e, ZarrError::Metadata { .. }), "{e:?}");
    let e = open(MemStore::default().json("zarr.json", json!({"zarr_format": 3, "node_type": "array"})).arc(), "")
        .unwrap_err();
    assert!(matches!(e, ZarrError::Metadata { .. }), "{e:?}");
    let e = open(MemStore::default().with(".zarray", "[]").arc(), "").unwrap_err();
    assert!(matches!(e, ZarrError::Metadata { .. }), "{e:?}");
    let e = open(MemStore::default().arc(), "nothing").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    // Unknown codec, unsupported data type.
    let m = v3_array(&[4], &[4], "int16", json!(0), json!([{"name": "bytes"}, {"name": "magic"}]));
    let e = open(MemStore::default().json("zarr.json", m).arc(), "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedCodec, "{e:?}");
    let m = v3_array(&[4], &[4], "complex128", json!(0), bytes_le());
    let e = open(MemStore::default().json("zarr.json", m).arc(), "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    // Declared sizes beyond the limits.
    let m = v3_array(&[1 << 40, 1 << 40], &[1 << 20, 1 << 20], "float64", json!(0), bytes_le());
    let e = open(MemStore::default().json("zarr.json", m).arc(), "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    let m = v3_array(&[u64::MAX, 3], &[1, 1], "uint8", json!(0), bytes_le());
    let e = open(MemStore::default().json("zarr.json", m).arc(), "").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    let m = v3_array(&[1 << 20, 1 << 20], &[1 << 10, 1 << 10], "uint8", json!(0), bytes_le());
    let a = open(MemStore::default().json("zarr.json", m).arc(), "").unwrap();
    let e = read(&a, Selection::all()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    let tight = OpenOptions { limits: Limits { max_dims: 1, ..Limits::default() }, ..OpenOptions::default() };
    let m = v3_array(&[2, 2], &[1, 1], "uint8", json!(0), bytes_le());
    let e = block_on(Node::open_with(MemStore::default().json("zarr.json", m).arc(), "", &tight)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    // A shard index larger than the limits allow.
    let m = v3_array(
        &[1 << 30],
        &[1 << 30],
        "uint8",
        json!(0),
        json!([{"name": "sharding_indexed", "configuration": {"chunk_shape": [1], "codecs": [{"name": "bytes"}]}}]),
    );
    let tight = OpenOptions {
        limits: Limits { max_decoded_chunk_bytes: 1 << 31, ..Limits::default() },
        ..OpenOptions::default()
    };
    let a = match block_on(Node::open_with(MemStore::default().json("zarr.json", m).arc(), "", &tight)).unwrap() {
        Node::Array(a) => a,
        Node::Group(_) => panic!(),
    };
    let e = read(&a, Selection(vec![DimSelection::Range(0, 4)])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
}

#[test]
fn groups_consolidated_and_implicit() {
    let store = MemStore::default()
        .json(
            "zarr.json",
            json!({"zarr_format": 3, "node_type": "group", "attributes": {"title": "root"},
                "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": {
                    "g": {"zarr_format": 3, "node_type": "group", "attributes": {"k": 1}},
                    "g/arr": v3_array(&[2], &[2], "int16", json!(5), bytes_le())}}}),
        )
        .arc();
    let root = block_on(Group::open(store.clone(), "")).unwrap();
    assert_eq!(root.attributes()["title"], json!("root"));
    assert_eq!(root.members().unwrap().len(), 1);
    assert_eq!(root.nodes().unwrap().len(), 2);
    let g = block_on(root.open_group("g")).unwrap();
    assert_eq!(g.attributes()["k"], json!(1));
    let a = block_on(g.open_array("arr")).unwrap();
    assert_eq!(a.path(), "g/arr");
    assert_eq!(fixed(&read(&a, Selection::all()).unwrap()), &i16s(&[5, 5])[..]);
    // Implicit group: nothing at the path.
    let implicit = block_on(Group::open(store, "nowhere")).unwrap();
    assert!(implicit.metadata().implicit);
    assert!(implicit.members().is_none());
}

#[test]
fn multiscales_levels_open_as_arrays() {
    let ms = json!([{"version": "0.4", "axes": [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}],
        "datasets": [
            {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1.0, 1.0]}]},
            {"path": "1", "coordinateTransformations": [{"type": "scale", "scale": [2.0, 2.0]}]}]}]);
    let store = MemStore::default()
        .json("img/.zgroup", json!({"zarr_format": 2}))
        .json("img/.zattrs", json!({"multiscales": ms}))
        .json(
            "img/0/.zarray",
            json!({"zarr_format": 2, "shape": [4, 4], "chunks": [4, 4], "dtype": "|u1", "compressor": null,
                "filters": null, "fill_value": 1, "order": "C"}),
        )
        .json(
            "img/1/.zarray",
            json!({"zarr_format": 2, "shape": [2, 2], "chunks": [2, 2], "dtype": "|u1", "compressor": null,
                "filters": null, "fill_value": 2, "order": "C"}),
        )
        .arc();
    let g = block_on(Group::open(store, "img")).unwrap();
    let m = g.multiscales().unwrap().unwrap();
    assert_eq!(m.levels.iter().map(|l| l.path.as_str()).collect::<Vec<_>>(), ["0", "1"]);
    assert_eq!(m.levels[1].scale, Some(vec![2.0, 2.0]));
    let l1 = block_on(g.open_array(&m.levels[1].path)).unwrap();
    assert_eq!(l1.shape(), &[2, 2]);
    assert_eq!(fixed(&read(&l1, Selection::all()).unwrap()), &[2, 2, 2, 2]);
}
