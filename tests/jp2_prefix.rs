//! Reduced-level JPEG 2000 reads fetch only the resolution prefix of each tile-part
//! (issue 7: "a zoomed-out JP2 view fetches only the low-resolution bytes"): the
//! corpus files with PLT (LRCP, one layer, one tile-part per tile) are read over HTTP at
//! levels 3 and 4; the bytes the range server sent are a small fraction of the
//! tile-parts, and the decodes equal the corpus's expected `decodes[level]`
//! (the real Sentinel-2 AOT band, with TLM injected, has tile-parts too small to save
//! anything, but its truncated tile-parts must decode exactly).
//! The client's byte cache is off so the counts measure the reader itself.

mod common;

use common::{testdata, RangeServer};
use rangetile::io::{HttpClient, RangeOptions, RangeSource};
use rangetile::jp2::{Jp2Image, Jp2Options};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::rc::Rc;

const S2LIKE: &str = "/jp2/generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2";
const AOT_TLM: &str = "/jp2/generated-s2like/T29UNU_20221005T115411_AOT_10m_with_injected_TLM.jp2";

fn expected(path: &str) -> Value {
    let p = testdata().join(path.trim_start_matches('/').to_string() + ".expected.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// sha256 of 15-bit unsigned samples as C-order little-endian u16.
fn sha_u16(data: &[i32]) -> String {
    let b: Vec<u8> = data.iter().flat_map(|&v| u16::try_from(v).unwrap().to_le_bytes()).collect();
    hex::encode(Sha256::digest(&b))
}

fn decode_sha(exp: &Value, level: u64) -> String {
    let d = exp["decodes"].as_array().unwrap().iter().find(|d| d["rlevel"].as_u64() == Some(level)).unwrap();
    d["components"][0]["sha256_c_order_le"].as_str().unwrap().to_string()
}

async fn open(server: &RangeServer, path: &str) -> Jp2Image {
    let c = HttpClient::new(RangeOptions { cache_bytes: 0, ..RangeOptions::default() });
    let src: Rc<dyn RangeSource> = Rc::new(c.source(server.at(path)));
    Jp2Image::open(src, Jp2Options::default()).await.unwrap()
}

fn sent(server: &RangeServer) -> u64 {
    server.log().iter().map(|e| e.bytes).sum()
}

#[tokio::test(flavor = "current_thread")]
async fn s2like_reduced_image_fetches_resolution_prefixes() {
    let server = RangeServer::start(&testdata());
    let img = open(&server, S2LIKE).await;
    let exp = expected(S2LIKE);
    let tile_bytes: u64 = img.tile_index().parts.iter().map(|p| p.length).sum();
    for (level, max_fraction) in [(3u32, 0.10), (4, 0.05)] {
        server.reset();
        let planes = img.read_image_components(level).await.unwrap();
        let bytes = sent(&server);
        println!(
            "s2like level {level}: {bytes} bytes sent over {} request(s), tile-parts hold {tile_bytes} bytes",
            server.log().len()
        );
        assert_eq!(sha_u16(&planes[0].data), decode_sha(&exp, u64::from(level)), "level {level}");
        assert!((bytes as f64) < max_fraction * tile_bytes as f64, "level {level}: {bytes} of {tile_bytes}");
    }
    // A full-resolution read still fetches whole tile-parts and decodes exactly.
    server.reset();
    let planes = img.read_image_components(0).await.unwrap();
    assert_eq!(sha_u16(&planes[0].data), decode_sha(&exp, 0));
    assert!(sent(&server) >= tile_bytes);
}

#[tokio::test(flavor = "current_thread")]
async fn s2like_reduced_tile_is_a_small_prefix() {
    let server = RangeServer::start(&testdata());
    let img = open(&server, S2LIKE).await;
    // Tile 2 = (0, 1): its tile-part lies past the bytes read at open.
    let part = img.tile_index().parts.iter().find(|p| p.tile == 2).unwrap().length;
    for (level, side, max_bytes) in [(4u32, 64usize, part / 20), (3, 128, part / 10)] {
        server.reset();
        let t = img.read_tile(0, 1, level).await.unwrap();
        assert_eq!((t.width as usize, t.height as usize), (side, side));
        let bytes = sent(&server);
        println!(
            "s2like tile 2 level {level}: {bytes} bytes sent in {} request(s), tile-part {part} bytes",
            server.log().len()
        );
        assert!(bytes > 0 && bytes < max_bytes, "level {level}: {bytes} of {part}");
        // The tile equals its place in the expected reduced image (checked by sha above):
        // rows side..2*side, columns 0..side of the 2*side-wide image.
        let full = img.read_image_components(level).await.unwrap();
        let mine = t.samples.to_le_bytes();
        for y in [0usize, side / 2, side - 1] {
            let want: Vec<u8> = full[0].data[(side + y) * 2 * side..][..side]
                .iter()
                .flat_map(|&v| u16::try_from(v).unwrap().to_le_bytes())
                .collect();
            assert_eq!(&mine[y * side * 2..][..side * 2], &want[..], "level {level} row {y}");
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sentinel2_aot_level4_fetches_prefixes() {
    let server = RangeServer::start(&testdata());
    let img = open(&server, AOT_TLM).await;
    let exp = expected(AOT_TLM);
    let tile_bytes: u64 = img.tile_index().parts.iter().map(|p| p.length).sum();
    server.reset();
    let planes = img.read_image_components(4).await.unwrap();
    let bytes = sent(&server);
    println!(
        "AOT 10m level 4: {bytes} bytes sent over {} request(s), tile-parts hold {tile_bytes}",
        server.log().len()
    );
    assert_eq!(sha_u16(&planes[0].data), decode_sha(&exp, 4));
    // The AOT tile-parts are small (about 3 KB), inside the first window of a prefix read:
    // no saving, but the truncated tile-parts decode exactly and nothing is fetched twice.
    assert!(bytes <= tile_bytes, "{bytes} of {tile_bytes}");
}
