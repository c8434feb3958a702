//! The Zarr corpus through the wasm build, shared by `tests/zarr_wasm_node.rs` (node) and
//! `tests/zarr_wasm_browser.rs` (headless chromium) through `#[path]`.
//!
//! `scripts/test-wasm.sh` serves the shared corpus at `/testdata` and bakes the server's
//! URL in (`RANGETILE_TEST_SERVER`). The expected files are fetched from the server too,
//! and every array of a representative subset of stores (v2 and v3, consolidated,
//! sharded, strings, kerchunk references) is read with `fetch` and its sha256 compared.

use rangetile::io::{HttpClient, RangeOptions, Store};
use rangetile::refs::ReferenceStore;
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::{Group, Node, Selection};
use rangetile::Limits;
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen_test::wasm_bindgen_test;

fn server() -> &'static str {
    match option_env!("RANGETILE_TEST_SERVER") {
        Some(url) => url,
        None => panic!("RANGETILE_TEST_SERVER was not set at compile time: run scripts/test-wasm.sh"),
    }
}

fn at(path: &str) -> String {
    format!("{}/testdata/{}", server(), path)
}

async fn fetch_json(client: &HttpClient, path: &str) -> Value {
    let store = client.store(format!("{}/testdata", server()));
    let bytes = store.get(path, 64 << 20).await.unwrap().unwrap_or_else(|| panic!("{path} not served"));
    serde_json::from_slice(&bytes).unwrap()
}

/// (expected file, store or refs JSON (None: the store beside the expected file))
const FILES: &[(&str, Option<&str>)] = &[
    ("zarr/zarrita-js_v2_data.zarr.expected.json", None),
    ("zarr/zarrita-js_v3_data.zarr.expected.json", None),
    ("era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr.expected.json", None),
    ("era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr.expected.json", None),
    ("zarr/zarrs/sharded_array_write_read.zarr.expected.json", None),
    ("zarr/zarr-js/simple_float16_BE.zarr.expected.json", None),
    ("refs/kerchunk-hdf5/air.nc.refs.expected.json", Some("refs/kerchunk-hdf5/air.nc.refs.json")),
    (
        "refs/kerchunk-hdf5/hdf5_compression_blosc_lz4_bitshuffle.h5.refs.expected.json",
        Some("refs/kerchunk-hdf5/hdf5_compression_blosc_lz4_bitshuffle.h5.refs.json"),
    ),
];

#[wasm_bindgen_test]
async fn corpus_subset_is_bit_exact_in_wasm() {
    let client = HttpClient::new(RangeOptions::default());
    let mut passed = 0;
    let mut failures = Vec::new();
    for (exp, refs) in FILES {
        let doc = fetch_json(&client, exp).await;
        let store: Rc<dyn Store> = match refs {
            Some(r) => {
                Rc::new(ReferenceStore::open_with_client(&at(r), client.clone(), &Limits::default()).await.unwrap())
            }
            None => Rc::new(client.store(at(exp.trim_end_matches(".expected.json")))),
        };
        for a in doc["arrays"].as_array().unwrap() {
            let path = a["path"].as_str().unwrap_or("");
            let want =
                a.get("sha256_c_order_le").or_else(|| a.get("sha256_of_json_list_c_order")).and_then(Value::as_str);
            let Some(want) = want else { continue };
            let array = if path.is_empty() {
                match Node::open(store.clone(), "").await {
                    Ok(Node::Array(a)) => Ok(a),
                    Ok(Node::Group(_)) => panic!("{exp}: root is a group"),
                    Err(e) => Err(e),
                }
            } else {
                match Group::open(store.clone(), "").await {
                    Ok(g) => g.open_array(path).await,
                    Err(e) => Err(e),
                }
            };
            match array {
                Ok(array) => match array.get(&Selection::all()).await {
                    Ok(d) if sha256_hex(&d) == want => passed += 1,
                    Ok(_) => failures.push(format!("{exp}#{path}: sha256 differs")),
                    Err(e) => failures.push(format!("{exp}#{path}: {e}")),
                },
                Err(e) => failures.push(format!("{exp}#{path}: {e}")),
            }
        }
    }
    wasm_bindgen_test::console_log!("zarr corpus subset in wasm: {passed}/{} bit-exact", passed + failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(passed, 100, "arrays read bit-exact");
}
