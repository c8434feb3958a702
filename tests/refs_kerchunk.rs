//! kerchunk `ReferenceStore` over HTTP from the range server: templates, `gen`, inline
//! text and base64, whole-file and byte-range references with paths relative to the
//! JSON, sub-ranges of a reference translated into one range request of its target, and
//! a present key whose target is missing failing (never read as fill).

mod common;

use common::RangeServer;
use rangetile::error::IoError;
use rangetile::io::{ByteRange, RangeOptions, Store};
use rangetile::refs::{Reference, ReferenceStore};
use rangetile::zarr::{Group, Selection};
use rangetile::{ErrorKind, Limits};
use serde_json::json;
use std::path::PathBuf;
use std::rc::Rc;

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

/// `data.bin` (1000 pattern bytes), `sub/refs.json`, and a small Zarr v2 array whose
/// chunks are byte ranges of `data.bin` (`sub/array.json`).
fn fixtures() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("refs-fixtures");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("data.bin"), pattern(1000)).unwrap();
    let refs = json!({"version": 1, "templates": {"f": "../data.bin"},
        "refs": {"a/0": ["{{f}}", 100, 50], "whole": ["../data.bin"], "inline": "hello", "b64": "base64:aGVsbG8=",
                 "missing": ["../nope.bin", 0, 10]},
        "gen": [{"key": "g/{{i}}", "url": "{{f}}", "offset": "{{i * 10}}", "length": "10",
                 "dimensions": {"i": {"stop": 5}}}]});
    std::fs::write(dir.join("sub/refs.json"), refs.to_string()).unwrap();
    let zarray = json!({"zarr_format": 2, "shape": [20], "chunks": [10], "dtype": "|u1", "compressor": null,
        "filters": null, "fill_value": 0, "order": "C"});
    let array = json!({"version": 1, "refs": {".zgroup": "{\"zarr_format\": 2}", "x/.zarray": zarray.to_string(),
        "x/0": ["../data.bin", 500, 10], "x/1": ["../data.bin", 0, 10]}});
    std::fs::write(dir.join("sub/array.json"), array.to_string()).unwrap();
    dir
}

async fn open(server: &RangeServer, name: &str) -> ReferenceStore {
    ReferenceStore::open(&server.at(&format!("/sub/{name}")), RangeOptions::default(), &Limits::default())
        .await
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn references_resolve_and_read_by_range() {
    let server = RangeServer::start(&fixtures());
    let data = pattern(1000);
    let store = open(&server, "refs.json").await;
    assert_eq!(
        store.references().refs["a/0"],
        Reference::Range { url: server.at("/data.bin"), offset: 100, length: 50 }
    );
    server.reset();
    assert_eq!(store.get("a/0", 1 << 20).await.unwrap().unwrap(), &data[100..150]);
    let log = server.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].path, "/data.bin");
    assert_eq!(log[0].range.as_deref(), Some("bytes=100-149"));

    // Sub-ranges of a reference are ranges of its target.
    server.reset();
    let parts = store
        .get_ranges("a/0", &[ByteRange::new(10, 20).unwrap(), ByteRange::suffix(5).unwrap()])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(parts[0], &data[110..120]);
    assert_eq!(parts[1], &data[145..150]);
    assert!(server.log().iter().all(|e| e.path == "/data.bin"));

    assert_eq!(store.get("whole", 1 << 20).await.unwrap().unwrap(), &data[..]);
    assert_eq!(store.get("inline", 100).await.unwrap().unwrap(), &b"hello"[..]);
    assert_eq!(store.get("b64", 100).await.unwrap().unwrap(), &b"hello"[..]);
    assert_eq!(store.get("g/3", 100).await.unwrap().unwrap(), &data[30..40]);
    assert_eq!(store.references().refs.len(), 10);

    // An absent key is missing; a present key with a missing target is an error.
    server.reset();
    assert!(store.get("nothing", 100).await.unwrap().is_none());
    assert!(server.log().is_empty());
    let e = store.get("missing", 100).await.unwrap_err();
    assert!(matches!(e, IoError::NotFound { .. }), "{e:?}");
    // Limits apply to referenced sizes before anything is fetched.
    server.reset();
    assert!(matches!(store.get("a/0", 10).await, Err(IoError::LimitExceeded(_))));
    assert!(server.log().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn a_zarr_array_behind_references_reads_its_chunks_by_range() {
    let server = RangeServer::start(&fixtures());
    let data = pattern(1000);
    let store: Rc<dyn Store> = Rc::new(open(&server, "array.json").await);
    let a = Group::open(store, "").await.unwrap().open_array("x").await.unwrap();
    server.reset();
    let d = a.get(&Selection::all()).await.unwrap();
    let mut want = data[500..510].to_vec();
    want.extend_from_slice(&data[..10]);
    assert_eq!(d.data, rangetile::codecs::ArrayBytes::Fixed(want));
    let log = server.log();
    assert!(log.len() <= 2 && log.iter().all(|e| e.path == "/data.bin"), "{log:?}");
    // A reference JSON that is not JSON.
    let e =
        ReferenceStore::open(&server.at("/data.bin"), RangeOptions::default(), &Limits::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Format);
}
