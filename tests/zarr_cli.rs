//! `rangetile info` and `rangetile read` on Zarr stores and kerchunk references over
//! HTTP from the range server (run with `--features cli`).
#![cfg(feature = "cli")]

mod common;

use common::{testdata, RangeServer};
use serde_json::Value;
use std::process::Command;

fn rangetile(args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_rangetile")).args(args).output().expect("run rangetile");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn expected(rel: &str, path: &str) -> String {
    let doc: Value = serde_json::from_slice(&std::fs::read(testdata().join(rel)).unwrap()).unwrap();
    doc["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == path)
        .and_then(|a| a.get("sha256_c_order_le").or_else(|| a.get("sha256_of_json_list_c_order")))
        .and_then(Value::as_str)
        .unwrap()
        .to_string()
}

#[test]
fn read_sha256_over_http_matches_the_corpus() {
    let server = RangeServer::start(&testdata());
    let cases = [
        (
            "/era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr",
            "t2m",
            "era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr.expected.json",
        ),
        (
            "/era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr",
            "t2m",
            "era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr.expected.json",
        ),
        ("/zarr/zarrita-js_v2_data.zarr", "3d.chunked.O", "zarr/zarrita-js_v2_data.zarr.expected.json"),
        ("/refs/kerchunk-hdf5/air.nc.refs.json", "air", "refs/kerchunk-hdf5/air.nc.refs.expected.json"),
    ];
    for (url, array, exp) in cases {
        let (stdout, stderr, ok) = rangetile(&["read", &server.at(url), "--array", array, "--sha256"]);
        assert!(ok, "{url} {array}: {stderr}");
        assert_eq!(stdout.trim(), expected(exp, array), "{url} {array}");
    }
    // A selection: one time step of t2m.
    let (stdout, stderr, ok) = rangetile(&["read", &server.at(cases[0].0), "--array", "t2m", "--select", "5,:,10:20"]);
    assert!(ok, "{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["shape"], serde_json::json!([33, 10]));
    assert_eq!(v["dtype"], "<f4");
}

#[test]
fn info_json_lists_the_consolidated_members_and_errors_are_tagged() {
    let server = RangeServer::start(&testdata());
    let url = server.at("/era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr");
    let (stdout, stderr, ok) = rangetile(&["info", "--json", &url]);
    assert!(ok, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["node_type"], "group");
    assert_eq!(v["consolidated"], true);
    let members = v["members"].as_array().unwrap();
    assert_eq!(members.len(), 8);
    let t2m = members.iter().find(|m| m["path"] == "t2m").unwrap();
    assert_eq!(t2m["shape"], serde_json::json!([240, 33, 49]));
    assert_eq!(t2m["inner_chunks"], serde_json::json!([24, 33, 49]));
    assert_eq!(t2m["dimension_names"], serde_json::json!(["time", "latitude", "longitude"]));
    let (_, stderr, ok) = rangetile(&["read", &url]);
    assert!(!ok);
    assert!(stderr.starts_with("rangetile: InvalidArgument:"), "{stderr}");
    let (_, stderr, ok) = rangetile(&["read", &url, "--array", "nope"]);
    assert!(!ok);
    assert!(stderr.starts_with("rangetile: NotFound:"), "{stderr}");
}
