//! JPEG 2000 over real HTTP ranges in headless chromium: the Sentinel-2 band with TLM
//! served by the local range server (`scripts/test-wasm.sh --test wasm_jp2_browser`
//! bakes its URL in; the shared corpus is linked in as `/testdata`), fetched with the
//! browser's `fetch`, decoded in wasm, compared with the corpus sha256 values, with the
//! request counts of issue 4 (≤ 2 for a cold tile, 1 warm, ≤ 3 for a 500×500 window).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use rangetile::io::{HttpClient, RangeOptions, RangeSource};
use rangetile::jp2::{Jp2Image, Jp2Options, TileIndexSource};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::rc::Rc;
use wasm_bindgen_test::wasm_bindgen_test;

const PATH: &str = "/testdata/jp2/generated-s2like/T29UNU_20221005T115411_AOT_10m_with_injected_TLM.jp2";
const EXP: &str = include_str!(
    "../../shared/testdata/jp2/generated-s2like/T29UNU_20221005T115411_AOT_10m_with_injected_TLM.jp2.expected.json"
);

fn url() -> String {
    match option_env!("RANGETILE_TEST_SERVER") {
        Some(s) => format!("{s}{PATH}"),
        None => panic!("RANGETILE_TEST_SERVER was not set at compile time: run scripts/test-wasm.sh"),
    }
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[wasm_bindgen_test]
async fn tiles_and_a_window_over_fetch() {
    let exp: Value = serde_json::from_str(EXP).unwrap();
    let client = HttpClient::new(RangeOptions { cache_bytes: 0, ..RangeOptions::default() });
    let src: Rc<dyn RangeSource> = Rc::new(client.source(url()));
    let img = Jp2Image::open(src, Jp2Options::default()).await.unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::Tlm);
    let t = img.read_tile(5, 5, 0).await.unwrap();
    let want = exp["tile_decodes"].as_array().unwrap().iter().find(|t| t["tile_index"] == 60).unwrap();
    assert_eq!(sha(&t.samples.to_le_bytes()), want["components"][0]["sha256_c_order_le"].as_str().unwrap());
    let cold = client.stats().requests;
    assert!(cold <= 2, "cold tile: {cold} requests");

    let t = img.read_tile(10, 10, 2).await.unwrap();
    assert_eq!((t.width, t.height), (185, 185));
    assert_eq!(client.stats().requests, cold + 1, "warm tile");

    let before = client.stats().requests;
    let w = img.read_region(3000, 5000, 3500, 5500, 0).await.unwrap();
    assert_eq!(sha(&w.samples.to_le_bytes()), exp["window_decodes"][0]["sha256_c_order_le"].as_str().unwrap());
    assert!(client.stats().requests - before <= 2, "window with the header known");

    let lr = img.level_rect(4);
    let whole = img.read_region(0, 0, lr.width(), lr.height(), 4).await.unwrap();
    assert_eq!(sha(&whole.samples.to_le_bytes()), exp["decodes"][4]["full_image_sha256_c_order_le"].as_str().unwrap());
}
