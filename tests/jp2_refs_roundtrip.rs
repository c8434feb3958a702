//! Round trips over HTTP from the range server (run with `--features cli`):
//!
//! - `rangetile refs URL...` writes kerchunk references to corpus JP2 files; the written
//!   JSON reads back through `rangetile read refs.json --array A [--select] --sha256` and
//!   through the library (`ReferenceStore` + the Zarr reader, codec `rangetile_jp2_tile`)
//!   bit-exact against the expected full decodes (`full_image_sha256_c_order_le`, rlevel 0);
//! - `rangetile read FILE.jp2 --level N --sha256` reads a whole image at a level, components
//!   stacked H×W×C, equal to the expected decode at that level.
#![cfg(feature = "cli")]

mod common;

use common::{testdata, RangeServer};
use rangetile::io::RangeOptions;
use rangetile::refs::ReferenceStore;
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::{Group, Selection};
use rangetile::Limits;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::rc::Rc;

const AOT60: &str = "jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2";
const B0460: &str = "jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_B04_60m.jp2";
const SCL60: &str = "jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_SCL_60m.jp2";
const TCI60: &str = "jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_TCI_60m.jp2";
const S2LIKE_TLM: &str = "jp2/generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2";
const S2LIKE_NOTLM: &str = "jp2/generated-s2like/s2like_B04_2048_t1024_r5_noTLM_PLT.jp2";

fn rangetile(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rangetile")).args(args).output().expect("run rangetile");
    assert!(out.status.success(), "rangetile {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The expected sha256 of the whole image of corpus file `rel` at `level`.
fn expected_full(rel: &str, level: u64) -> String {
    let exp: Value =
        serde_json::from_slice(&std::fs::read(testdata().join(format!("{rel}.expected.json"))).unwrap()).unwrap();
    let d = exp["decodes"].as_array().unwrap().iter().find(|d| d["rlevel"] == level).unwrap();
    d["full_image_sha256_c_order_le"].as_str().unwrap().to_string()
}

/// A scratch directory for this test binary (under cargo's target tmp dir, not the repo).
fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jp2_refs_roundtrip").join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `rangetile refs` over HTTP for `files`, written to a scratch `refs.json`.
fn write_refs(server: &RangeServer, name: &str, files: &[&str]) -> (PathBuf, Value) {
    let urls: Vec<String> = files.iter().map(|f| format!("{}/{f}", server.url)).collect();
    let mut args = vec!["refs"];
    args.extend(urls.iter().map(String::as_str));
    let json = rangetile(&args);
    let path = scratch(name).join("refs.json");
    std::fs::write(&path, &json).unwrap();
    (path, serde_json::from_str(&json).unwrap())
}

/// Read `array` (optionally one band of a stack) of the refs at `path` through the library.
async fn library_sha(path: &str, array: &str, band: Option<u64>) -> String {
    let store = ReferenceStore::open(path, RangeOptions::default(), &Limits::default()).await.unwrap();
    let g = Group::open(Rc::new(store), "").await.unwrap();
    let a = g.open_array(array).await.unwrap();
    let data = match band {
        None => a.get_all().await.unwrap(),
        Some(b) => {
            let sel = Selection::parse(&format!("{b},:,:")).unwrap();
            a.get(&sel).await.unwrap()
        }
    };
    sha256_hex(&data)
}

#[tokio::test(flavor = "current_thread")]
async fn refs_of_separate_files_read_back_bit_exact() {
    let server = RangeServer::start(&testdata());
    let files = [AOT60, B0460, SCL60, TCI60];
    let (path, refs) = write_refs(&server, "separate", &files);
    let path = path.to_str().unwrap();
    let r = refs["refs"].as_object().unwrap();
    for f in files {
        let name = f.rsplit('/').next().unwrap().trim_end_matches(".jp2");
        let zarray: Value = serde_json::from_str(r[&format!("{name}/.zarray")].as_str().unwrap()).unwrap();
        assert_eq!(zarray["compressor"]["id"], "rangetile_jp2_tile");
        let want = expected_full(f, 0);
        let got = rangetile(&["read", path, "--array", name, "--sha256"]);
        assert_eq!(got.trim(), want, "rangetile read {name}");
        let got = library_sha(path, name, None).await;
        assert_eq!(got, want, "library read {name}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn refs_of_a_stack_read_back_band_by_band() {
    let server = RangeServer::start(&testdata());
    // Same grid and coding parameters (one with TLM, one without): stacked as "data".
    let files = [S2LIKE_TLM, S2LIKE_NOTLM];
    let (path, refs) = write_refs(&server, "stack", &files);
    let path = path.to_str().unwrap();
    let zarray: Value = serde_json::from_str(refs["refs"]["data/.zarray"].as_str().unwrap()).unwrap();
    assert_eq!(zarray["shape"], serde_json::json!([2, 2048, 2048]));
    for (band, f) in files.iter().enumerate() {
        let want = expected_full(f, 0);
        let sel = format!("{band},:,:");
        let got = rangetile(&["read", path, "--array", "data", "--select", &sel, "--sha256"]);
        assert_eq!(got.trim(), want, "rangetile read band {band}");
        let got = library_sha(path, "data", Some(band as u64)).await;
        assert_eq!(got, want, "library read band {band}");
    }
}

#[test]
fn read_whole_jp2_at_a_level_over_http() {
    let server = RangeServer::start(&testdata());
    for (f, level) in [(SCL60, 0), (B0460, 2), (TCI60, 1), (S2LIKE_NOTLM, 3), (AOT60, 4)] {
        let url = format!("{}/{f}", server.url);
        let got = rangetile(&["read", &url, "--level", &level.to_string(), "--sha256"]);
        assert_eq!(got.trim(), expected_full(f, level), "{f} level {level}");
    }
    let url = format!("{}/{SCL60}", server.url);
    let out = Command::new(env!("CARGO_BIN_EXE_rangetile")).args(["read", &url, "--select", "0:2"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("InvalidArgument"));
}
