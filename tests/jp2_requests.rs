//! Request economy of the JPEG 2000 reader over HTTP, asserted on the range server's
//! log (issue 4): one tile of a TLM file costs at most 2 requests cold and 1 with the
//! header known; a 500×500 window of the 10980² Sentinel-2 band with TLM at most 3; a
//! file without TLM needs an SOT walk (its request count is reported), which an
//! external index (`.tlm` or the JSON of `rangetile jp2 index`) removes.
//! The client's byte cache is off so the counts measure the reader itself.

mod common;
mod jp2_common;

use common::{testdata, LogEntry, RangeServer};
use rangetile::io::{HttpClient, RangeOptions, RangeSource};
use rangetile::jp2::{ExternalIndex, Jp2Image, Jp2Options, TileIndexSource};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::rc::Rc;

const AOT: &str = "/jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_10m.jp2";
const AOT_TLM: &str = "/jp2/generated-s2like/T29UNU_20221005T115411_AOT_10m_with_injected_TLM.jp2";
const AOT_TLM_INDEX: &str = "codecs/s2-virtual-jp2/real_T29UNU_20221005T115411_AOT_10m.tlm";

fn client() -> HttpClient {
    HttpClient::new(RangeOptions { cache_bytes: 0, ..RangeOptions::default() })
}

fn source(c: &HttpClient, server: &RangeServer, path: &str) -> Rc<dyn RangeSource> {
    Rc::new(c.source(server.at(path)))
}

fn gets(log: &[LogEntry]) -> usize {
    log.iter().filter(|e| e.method == "GET" || e.method == "HEAD").count()
}

fn expected(path: &str) -> Value {
    let p = testdata().join(path.trim_start_matches('/').to_string() + ".expected.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn tile_sha(exp: &Value, k: u64) -> String {
    let t = exp["tile_decodes"].as_array().unwrap().iter().find(|t| t["tile_index"].as_u64() == Some(k)).unwrap();
    t["components"][0]["sha256_c_order_le"].as_str().unwrap().to_string()
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[tokio::test(flavor = "current_thread")]
async fn tlm_file_one_tile_two_requests_cold_one_warm() {
    let server = RangeServer::start(&testdata());
    let c = client();
    let img = Jp2Image::open(source(&c, &server, AOT_TLM), Jp2Options::default()).await.unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::Tlm);
    let tile = img.read_tile(5, 5, 0).await.unwrap(); // tile 60
    assert_eq!(sha(&tile.samples.to_le_bytes()), tile_sha(&expected(AOT_TLM), 60));
    let log = server.log();
    println!("TLM file, open + one tile (cold): {} request(s): {log:?}", gets(&log));
    assert!(gets(&log) <= 2, "{log:?}");

    server.reset();
    let tile = img.read_tile(10, 10, 0).await.unwrap(); // tile 120, 740×740
    assert_eq!((tile.width, tile.height), (740, 740));
    assert_eq!(sha(&tile.samples.to_le_bytes()), tile_sha(&expected(AOT_TLM), 120));
    let log = server.log();
    println!("TLM file, one more tile (warm header): {} request(s)", gets(&log));
    assert_eq!(gets(&log), 1, "{log:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn tlm_file_500x500_window_at_most_three_requests() {
    let server = RangeServer::start(&testdata());
    let c = client();
    let img = Jp2Image::open(source(&c, &server, AOT_TLM), Jp2Options::default()).await.unwrap();
    let win = img.read_region(3000, 5000, 3500, 5500, 0).await.unwrap();
    let exp = expected(AOT_TLM);
    let w = &exp["window_decodes"][0];
    assert_eq!(w["rows"], serde_json::json!([5000, 5500]));
    assert_eq!(sha(&win.samples.to_le_bytes()), w["sha256_c_order_le"].as_str().unwrap());
    let log = server.log();
    println!("TLM file, open + 500x500 window over 4 tiles: {} request(s): {log:?}", gets(&log));
    assert!(gets(&log) <= 3, "{log:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn no_tlm_sot_walk_then_external_index_fixes_it() {
    let server = RangeServer::start(&testdata());
    let c = client();
    let exp = expected(AOT);

    // Without TLM or index: the SOT walk.
    let img = Jp2Image::open(source(&c, &server, AOT), Jp2Options::default()).await.unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::SotWalk);
    assert_eq!(img.tile_index().parts.len(), 121);
    let walk_log = server.log();
    println!(
        "no TLM: open with SOT walk over 121 tile-parts: {} request(s) ({} counted by the walk)",
        gets(&walk_log),
        img.tile_index().walk_requests
    );
    assert!(gets(&walk_log) > 2);
    // The walk is done once: a tile read afterwards is one request.
    server.reset();
    let tile = img.read_tile(5, 5, 0).await.unwrap();
    assert_eq!(sha(&tile.samples.to_le_bytes()), tile_sha(&exp, 60));
    assert_eq!(gets(&server.log()), 1);
    let index_json = serde_json::to_vec(&img.index_json()).unwrap();

    // The JSON index of `rangetile jp2 index`.
    server.reset();
    let opts = Jp2Options { tlm_index: Some(ExternalIndex::from_bytes(&index_json).unwrap()), ..Default::default() };
    let img = Jp2Image::open(source(&c, &server, AOT), opts).await.unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::Index);
    let tile = img.read_tile(5, 5, 0).await.unwrap();
    assert_eq!(sha(&tile.samples.to_le_bytes()), tile_sha(&exp, 60));
    let log = server.log();
    println!("no TLM + JSON index: open + one tile: {} request(s)", gets(&log));
    assert!(gets(&log) <= 2, "{log:?}");

    // The `.tlm` of the reference indexer (specs/s2-virtual-jp2.md §1).
    server.reset();
    let tlm = std::fs::read(testdata().join(AOT_TLM_INDEX)).unwrap();
    let opts = Jp2Options { tlm_index: Some(ExternalIndex::from_bytes(&tlm).unwrap()), ..Default::default() };
    let img = Jp2Image::open(source(&c, &server, AOT), opts).await.unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::Index);
    let tile = img.read_tile(0, 0, 0).await.unwrap();
    assert_eq!(sha(&tile.samples.to_le_bytes()), tile_sha(&exp, 0));
    let log = server.log();
    println!("no TLM + .tlm index: open + one tile: {} request(s)", gets(&log));
    assert!(gets(&log) <= 2, "{log:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn reduced_level_fetches_only_the_needed_tile_parts() {
    // text_GBR.jp2: RLCP, one tile-part per resolution (6 per tile).
    let server = RangeServer::start(&testdata());
    let c = HttpClient::new(RangeOptions { cache_bytes: 0, coalesce_gap: 0, ..RangeOptions::default() });
    let path = "/jp2/openjpeg-nonregression/text_GBR.jp2";
    // A small read-ahead, so that the tile-parts are fetched rather than found in it.
    let limits = rangetile::Limits { header_read_ahead: 1024, ..Default::default() };
    let img = Jp2Image::open(source(&c, &server, path), Jp2Options { limits, ..Default::default() }).await.unwrap();
    let full = img.tile_recipe(0, 0, 0).unwrap();
    let reduced = img.tile_recipe(0, 0, 3).unwrap();
    assert_eq!((full.parts.len(), reduced.parts.len()), (6, 3));
    server.reset();
    img.read_tile(0, 0, 3).await.unwrap();
    let log = server.log();
    let bytes: u64 = log.iter().map(|e| e.bytes).sum();
    let needed: u64 = reduced.parts.iter().filter(|p| p.offset >= 2048).map(|p| p.length).sum();
    let last_needed = reduced.parts.iter().map(|p| p.offset + p.length).max().unwrap();
    for e in &log {
        let end: u64 = e.range.as_ref().unwrap().rsplit('-').next().unwrap().parse().unwrap();
        assert!(end < last_needed, "{e:?} reads past the tile-parts level 3 needs");
    }
    println!(
        "text_GBR tile 0 at level 3: {bytes} bytes fetched of {}",
        full.parts.iter().map(|p| p.length).sum::<u64>()
    );
    assert!(bytes <= needed + 1024, "{bytes} > {needed}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_file_smaller_than_the_read_ahead() {
    // 594 bytes: the first range asks for more than the file has; the server clips it.
    let server = RangeServer::start(&testdata());
    let c = client();
    let path = "/jp2/openjpeg-conformance/p0_09.j2k";
    let img = Jp2Image::open(source(&c, &server, path), Jp2Options::default()).await.unwrap();
    let d = img.read_region(0, 0, 17, 37, 0).await.unwrap();
    let exp = expected(path);
    assert_eq!(sha(&d.samples.to_le_bytes()), exp["decodes"][0]["full_image_sha256_c_order_le"].as_str().unwrap());
    let log = server.log();
    println!("594-byte codestream, open + decode: {} request(s)", gets(&log));
    assert_eq!(gets(&log), 1, "the read-ahead holds the whole file: {log:?}");
}
