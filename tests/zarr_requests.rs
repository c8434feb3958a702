//! Request economy of the Zarr reader, asserted on the range server's log (issue 3):
//! opening a consolidated store costs one request; reading all inner chunks of one shard
//! costs the index request plus at most one request per run of byte-adjacent chunks;
//! concurrent reads in one shard fetch its index once. The HTTP client runs with range
//! coalescing and its byte cache off, so the counts measure the reader itself.

mod common;

use common::{testdata, LogEntry, RangeServer};
use rangetile::io::{HttpClient, RangeOptions, Store};
use rangetile::zarr::{DimSelection, Group, OpenOptions, Selection};
use serde_json::Value;
use std::rc::Rc;

const ERA5_V3: &str = "/era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr";
const ERA5_V2: &str = "/era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr";
const SHARDING: &str = "/codecs/sharding-v3/v3.zarr";

fn bare_client() -> HttpClient {
    HttpClient::new(RangeOptions { coalesce_gap: 0, cache_bytes: 0, ..RangeOptions::default() })
}

fn store(client: &HttpClient, server: &RangeServer, path: &str) -> Rc<dyn Store> {
    Rc::new(client.store(server.at(path)))
}

fn gets(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter().filter(|e| e.method == "GET").collect()
}

#[tokio::test(flavor = "current_thread")]
async fn opening_a_consolidated_store_costs_one_request() {
    let server = RangeServer::start(&testdata());
    let client = bare_client();

    // v3: the root zarr.json carries every node's metadata.
    let g = Group::open(store(&client, &server, ERA5_V3), "").await.unwrap();
    assert!(g.is_consolidated());
    let arrays = g.array_paths().unwrap();
    for p in &arrays {
        g.open_array(p).await.unwrap();
    }
    let log = server.log();
    println!("v3 consolidated open + {} arrays: {} request(s): {:?}", arrays.len(), log.len(), log);
    assert_eq!(gets(&log).len(), 1, "{log:?}");
    assert!(log[0].path.ends_with("/zarr.json"));
    assert_eq!(arrays.len(), 8);

    // v2: .zmetadata, when the caller says the store is v2.
    server.reset();
    let opts = OpenOptions { zarr_format: Some(2), ..OpenOptions::default() };
    let g = Group::open_with(store(&client, &server, ERA5_V2), "", &opts).await.unwrap();
    let t2m = g.open_array("t2m").await.unwrap();
    assert_eq!(t2m.shape(), &[240, 33, 49]);
    let log = server.log();
    println!("v2 consolidated open (format known): {} request(s)", log.len());
    assert_eq!(gets(&log).len(), 1, "{log:?}");
    assert!(log[0].path.ends_with("/.zmetadata"));

    // Format unknown: one 404 for zarr.json first, then .zmetadata.
    server.reset();
    Group::open(store(&client, &server, ERA5_V2), "").await.unwrap().open_array("t2m").await.unwrap();
    let log = server.log();
    println!("v2 consolidated open (format probed): {} request(s)", log.len());
    assert_eq!(gets(&log).len(), 2, "{log:?}");
}

/// Runs of byte-adjacent non-empty inner chunks of one shard, from the fixture's
/// `shards_info` entries.
fn adjacent_runs(entries: &[Value]) -> usize {
    let mut spans: Vec<(u64, u64)> = entries
        .iter()
        .filter(|e| e.get("empty").is_none())
        .map(|e| (e["offset"].as_u64().unwrap(), e["nbytes"].as_u64().unwrap()))
        .collect();
    spans.sort();
    let mut runs = 0;
    let mut end = None;
    for (o, n) in spans {
        if end != Some(o) {
            runs += 1;
        }
        end = Some(o + n);
    }
    runs
}

#[tokio::test(flavor = "current_thread")]
async fn reading_a_whole_shard_costs_index_plus_one_request_per_run() {
    let server = RangeServer::start(&testdata());
    let client = bare_client();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(testdata().join("codecs/sharding-v3/expected.json")).unwrap()).unwrap();
    let g = Group::open(store(&client, &server, SHARDING), "").await.unwrap();
    for name in ["sharded_zstd_crc_index_end", "sharded_zstd_crc_index_start", "sharded_gzip_crc32c_inner_index_nocrc"]
    {
        let a = g.open_array(name).await.unwrap();
        let info = &expected["arrays"][name]["shards_info"];
        let shard_shape = a.chunk_shape().to_vec();
        for (key, shard) in info.as_object().unwrap() {
            let coords: Vec<u64> = key.trim_start_matches("c/").split('/').map(|c| c.parse().unwrap()).collect();
            let sel = Selection(
                coords
                    .iter()
                    .zip(&shard_shape)
                    .zip(a.shape())
                    .map(|((c, s), n)| DimSelection::Range(c * s, ((c + 1) * s).min(*n)))
                    .collect(),
            );
            server.reset();
            a.get(&sel).await.unwrap();
            let log = server.log();
            let runs = adjacent_runs(shard.get("entries").and_then(Value::as_array).unwrap());
            let n = gets(&log).len();
            println!("{name}/{key}: {n} requests (index + {runs} run(s) of adjacent inner chunks)");
            assert!(log.iter().all(|e| e.path.ends_with(key)), "{log:?}");
            assert!(n <= 1 + runs, "{name}/{key}: {n} requests for {runs} runs: {log:?}");
            // The index is one suffix (end) or leading (start) range.
            let index_size = shard["index_nbytes"].as_u64().unwrap();
            let want = if shard["index_location"] == "end" {
                format!("bytes=-{index_size}")
            } else {
                format!("bytes=0-{}", index_size - 1)
            };
            assert_eq!(log.iter().filter(|e| e.range.as_deref() == Some(want.as_str())).count(), 1, "{log:?}");
        }
    }
    // ERA5: 4 inner chunks per shard, written contiguously: index + 1.
    let g = Group::open(store(&client, &server, ERA5_V3), "").await.unwrap();
    let t2m = g.open_array("t2m").await.unwrap();
    server.reset();
    let d = t2m.get(&Selection(vec![DimSelection::Range(0, 96), DimSelection::All, DimSelection::All])).await.unwrap();
    assert_eq!(d.shape, vec![96, 33, 49]);
    let log = server.log();
    println!("era5 t2m shard 0 (4 inner chunks): {} requests", log.len());
    assert_eq!(gets(&log).len(), 2, "{log:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_reads_in_one_shard_fetch_its_index_once() {
    let server = RangeServer::start(&testdata());
    let client = bare_client();
    let g = Group::open(store(&client, &server, ERA5_V3), "").await.unwrap();
    let t2m = g.open_array("t2m").await.unwrap();
    server.reset();
    let first = Selection(vec![DimSelection::Range(0, 24), DimSelection::All, DimSelection::All]);
    let third = Selection(vec![DimSelection::Range(48, 72), DimSelection::All, DimSelection::All]);
    let (a, b) = futures::join!(t2m.get(&first), t2m.get(&third));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.shape, vec![24, 33, 49]);
    assert_ne!(a.data, b.data);
    let log = server.log();
    let index_requests = log.iter().filter(|e| e.range.as_deref().is_some_and(|r| r.starts_with("bytes=-"))).count();
    println!("two concurrent reads in shard 0: {} requests, {index_requests} for the index", log.len());
    assert_eq!(index_requests, 1, "{log:?}");
    assert_eq!(gets(&log).len(), 3, "{log:?}");
    // A later read of the same shard uses the cached index.
    server.reset();
    t2m.get(&Selection(vec![DimSelection::Index(30), DimSelection::All, DimSelection::All])).await.unwrap();
    assert_eq!(gets(&server.log()).len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn groups_with_spaces_and_nested_consolidated_groups() {
    let server = RangeServer::start(&testdata());
    let client = bare_client();
    // v3, not consolidated: the group's zarr.json is fetched by its percent-encoded path.
    let root = Group::open(store(&client, &server, "/zarr/zarrita-js_v3_data.zarr"), "").await.unwrap();
    assert!(!root.is_consolidated());
    server.reset();
    let g = root.open_group("my group with spaces").await.unwrap();
    assert_eq!(g.attributes()["description"], "A group with spaces in the name");
    let log = server.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].path, "/zarr/zarrita-js_v3_data.zarr/my%20group%20with%20spaces/zarr.json");
    // v3 consolidated sub-hierarchy: nested group and array cost no request.
    let c = root.open_group("consolidated").await.unwrap();
    assert!(c.is_consolidated());
    server.reset();
    let nested = c.open_group("nested").await.unwrap();
    assert_eq!(nested.attributes()["description"], "A nested group");
    let a = nested.open_array("1d.i2").await.unwrap();
    assert_eq!(a.path(), "consolidated/nested/1d.i2");
    assert!(server.log().is_empty());
    assert_eq!(a.get(&Selection::all()).await.unwrap().shape, vec![4]);
    // v2 consolidated: the group comes from .zmetadata.
    let root = Group::open(store(&client, &server, "/zarr/zarrita-js_v2_data.zarr"), "").await.unwrap();
    server.reset();
    let g = root.open_group("my group with spaces").await.unwrap();
    assert_eq!(g.attributes()["description"], "A group with spaces in the name");
    assert!(server.log().is_empty());
    assert_eq!(root.array_paths().unwrap().len(), 32);
}

#[tokio::test(flavor = "current_thread")]
async fn http_errors_are_never_read_as_missing_chunks() {
    let server = RangeServer::start(&testdata());
    let client = bare_client();
    let path = "/zarr/zarr-js/simple_LE.zarr";
    let clean = rangetile::zarr::Array::open(store(&client, &server, path), "").await.unwrap();
    let meta = clean.metadata().clone();
    let whole = clean.get(&Selection::all()).await.unwrap();
    // 404 everywhere: every chunk is missing, so all fill.
    let gone: Rc<dyn Store> = Rc::new(client.store(server.fault("status=404", path)));
    let a = rangetile::zarr::Array::from_metadata(gone, "", meta.clone(), rangetile::Limits::default()).unwrap();
    let d = a.get(&Selection::all()).await.unwrap();
    assert_eq!(d.data, rangetile::codecs::ArrayBytes::Fixed(vec![0; 8 * 8 * 4]));
    assert_ne!(d.data, whole.data);
    // 403 and 500: errors with their tag, never fill.
    for (spec, kind) in [("status=403", rangetile::ErrorKind::Http), ("status=500", rangetile::ErrorKind::Http)] {
        let bad: Rc<dyn Store> = Rc::new(client.store(server.fault(spec, path)));
        let a = rangetile::zarr::Array::from_metadata(bad, "", meta.clone(), rangetile::Limits::default()).unwrap();
        let e = a.get(&Selection::all()).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{spec}: {e}");
    }
    // A shard whose body is cut short fails; it is not fill either.
    let sharded = "/codecs/sharding-v3/v3.zarr";
    let g = Group::open(store(&client, &server, sharded), "").await.unwrap();
    let meta = g.open_array("sharded_zstd_crc_index_end").await.unwrap().metadata().clone();
    let cut: Rc<dyn Store> = Rc::new(client.store(server.fault("truncate=100", sharded)));
    let a =
        rangetile::zarr::Array::from_metadata(cut, "sharded_zstd_crc_index_end", meta, rangetile::Limits::default())
            .unwrap();
    assert!(a.get(&Selection::all()).await.is_err());
}
