//! The `rangetile` CLI's JPEG 2000 commands on corpus files: `jp2 read-tile --sha256`,
//! `jp2 tiles`, `jp2 index` (equal to the corpus tile-part table) and `refs`.
#![cfg(feature = "cli")]

mod jp2_common;

use jp2_common::corpus;
use serde_json::Value;
use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rangetile")).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn path(p: &str) -> String {
    corpus().join(p).display().to_string()
}

fn expected(p: &str) -> Value {
    serde_json::from_slice(&std::fs::read(corpus().join(format!("{p}.expected.json"))).unwrap()).unwrap()
}

#[test]
fn read_tile_sha256() {
    let f = "sentinel2-l2a-T29UNU/T29UNU_20221005T115411_SCL_60m.jp2";
    let exp = expected(f);
    let t = exp["tile_decodes"].as_array().unwrap().iter().find(|t| t["tile_index"] == 50).unwrap();
    let got = run(&["jp2", "read-tile", &path(f), "0", "5", "--sha256"]);
    assert_eq!(got.trim(), t["components"][0]["sha256_c_order_le"].as_str().unwrap());
}

#[test]
fn index_and_tiles() {
    let f = "openjpeg-nonregression/small_world_non_consecutive_tilepart_tlm.jp2";
    let v: Value = serde_json::from_str(&run(&["jp2", "index", &path(f)])).unwrap();
    assert_eq!(v["format"], "rangetile-jp2-index");
    assert_eq!(v["tile_parts"], expected(f)["tile_parts_table"]);
    let tiles = run(&["jp2", "tiles", &path(f)]);
    let rows: Vec<&str> = tiles.lines().skip(1).collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.ends_with("\ttlm")));
}

#[test]
fn info_and_refs() {
    let f = "sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2";
    let info: Value = serde_json::from_str(&run(&["info", "--json", &path(f)])).unwrap();
    assert_eq!(info["width"], 1830);
    assert_eq!(info["tile_index_source"], "sot-walk");
    assert_eq!(info["georef"]["epsg"], 32629);
    let refs: Value = serde_json::from_str(&run(&["refs", &path(f)])).unwrap();
    let r = refs["refs"].as_object().unwrap();
    assert_eq!(r.len(), 100 + 4);
    assert_eq!(r["T29UNU_20221005T115411_AOT_60m/9.9"][0], path(f));
}
