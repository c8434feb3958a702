//! The Zarr and kerchunk corpus (../shared/testdata MANIFEST §0–2, §4 and
//! codecs/sharding-v3): every array of every `*.expected.json` under `zarr/`, `era5/`,
//! `codecs/sharding-v3/` and `refs/` is read whole over HTTP from the local range server
//! and its sha256 compared (`sha256_c_order_le`, or `sha256_of_json_list_c_order` for
//! strings and objects). Each array reports pass/fail; the test asserts the full list,
//! with arrays unreadable by design listed with their reason.

mod common;

use common::{testdata, RangeServer};
use rangetile::io::{FileStore, HttpClient, RangeOptions, Store};
use rangetile::refs::ReferenceStore;
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::{Group, Node};
use rangetile::Limits;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Arrays that cannot be read by design, with the reason (MANIFEST §4).
const NOT_READABLE: &[(&str, &str)] = &[
    ("refs/xarray-data-grib/0.json#u10", "chunk points into example.grb, not in the corpus (and the grib filter)"),
    ("refs/xarray-data-grib/2.json#gust", "chunk points into example.grb, not in the corpus (and the grib filter)"),
];

/// How one group of arrays is opened.
enum Source {
    /// A Zarr store directory (relative to testdata).
    Zarr(String),
    /// A kerchunk reference JSON (relative to testdata).
    Refs(String),
}

struct Case {
    source: Source,
    /// Array path inside the store.
    path: String,
    /// Expected digest: (field, hex) or None when not readable by design.
    expected: Option<String>,
    /// Display name.
    name: String,
}

fn rel(p: &Path) -> String {
    p.strip_prefix(testdata()).unwrap().to_string_lossy().replace('\\', "/")
}

fn find_expected(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // Do not walk into stores.
            if !p.to_string_lossy().ends_with(".zarr") && !p.to_string_lossy().ends_with(".zr") {
                find_expected(&p, out);
            }
        } else if p.file_name().is_some_and(|n| n.to_string_lossy().ends_with("expected.json")) {
            out.push(p);
        }
    }
}

fn digest_of(a: &Value) -> Option<String> {
    a.get("sha256_c_order_le")
        .or_else(|| a.get("sha256_of_json_list_c_order"))
        .or_else(|| a.get("expected_sha256"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn cases() -> Vec<Case> {
    let root = testdata();
    let mut files = Vec::new();
    for d in ["zarr", "era5", "codecs/sharding-v3", "refs"] {
        find_expected(&root.join(d), &mut files);
    }
    let mut out = Vec::new();
    for f in files {
        let r = rel(&f);
        let doc: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let Some(arrays) = doc.get("arrays") else { continue };
        let dir = f.parent().unwrap();
        let list: Vec<(String, Value)> = match arrays {
            Value::Array(a) => {
                a.iter().map(|x| (x.get("path").and_then(Value::as_str).unwrap_or("").to_string(), x.clone())).collect()
            }
            Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => continue,
        };
        for (path, a) in list {
            let (source, path) = if r.starts_with("refs/") {
                let json = dir.join(doc["file"].as_str().unwrap());
                (Source::Refs(rel(&json)), path)
            } else if let Some(zp) = a.get("zarr_path").and_then(Value::as_str) {
                // codecs/sharding-v3: "v3.zarr/<array>"
                let (store, arr) = zp.split_once('/').unwrap();
                (Source::Zarr(rel(&dir.join(store))), arr.to_string())
            } else {
                let store = r.trim_end_matches(".expected.json").to_string();
                (Source::Zarr(store), path)
            };
            let label = match &source {
                Source::Zarr(s) | Source::Refs(s) => format!("{s}#{path}"),
            };
            out.push(Case { expected: digest_of(&a), name: label, source, path });
        }
    }
    out
}

async fn read_case(client: Option<&HttpClient>, base: &str, c: &Case) -> Result<String, String> {
    let store: Rc<dyn Store> = match (&c.source, client) {
        (Source::Zarr(s), Some(client)) => Rc::new(client.store(format!("{base}/{s}"))),
        (Source::Zarr(s), None) => Rc::new(FileStore::new(format!("{base}/{s}"))),
        (Source::Refs(s), _) => Rc::new(
            ReferenceStore::open(&format!("{base}/{s}"), RangeOptions::default(), &Limits::default())
                .await
                .map_err(|e| format!("open refs: {e}"))?,
        ),
    };
    let array = if c.path.is_empty() {
        match Node::open(store, "").await.map_err(|e| format!("open: {e}"))? {
            Node::Array(a) => a,
            Node::Group(_) => return Err("root is a group".into()),
        }
    } else {
        let g = Group::open(store, "").await.map_err(|e| format!("open root: {e}"))?;
        g.open_array(&c.path).await.map_err(|e| format!("open array: {e}"))?
    };
    let data = array.get_all().await.map_err(|e| format!("read: {e} [{:?}]", e.kind()))?;
    Ok(sha256_hex(&data))
}

#[tokio::test(flavor = "current_thread")]
async fn every_corpus_array_matches_its_sha256_over_http() {
    let server = RangeServer::start(&testdata());
    let client = HttpClient::new(RangeOptions::default());
    run_corpus(Some(&client), &server.url, "over HTTP").await;
}

#[tokio::test(flavor = "current_thread")]
async fn every_corpus_array_matches_its_sha256_from_local_files() {
    run_corpus(None, testdata().to_str().unwrap(), "from local files").await;
}

async fn run_corpus(client: Option<&HttpClient>, base: &str, how: &str) {
    let cases = cases();
    assert!(cases.len() > 150, "corpus walk found only {} arrays", cases.len());
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for c in &cases {
        if let Some((_, why)) = NOT_READABLE.iter().find(|(n, _)| *n == c.name) {
            assert!(c.expected.is_none(), "{} is listed as unreadable but has an expected digest", c.name);
            skipped.push(format!("{}: {why}", c.name));
            continue;
        }
        let Some(want) = &c.expected else {
            failures.push(format!("{}: no expected digest and not listed as unreadable", c.name));
            continue;
        };
        match read_case(client, base, c).await {
            Ok(got) if &got == want => {
                passed += 1;
                println!("PASS {}", c.name);
            }
            Ok(got) => {
                println!("FAIL {}: sha256 {got} != {want}", c.name);
                failures.push(format!("{}: sha256 {got} != {want}", c.name));
            }
            Err(e) => {
                println!("FAIL {}: {e}", c.name);
                failures.push(format!("{}: {e}", c.name));
            }
        }
    }
    let readable = cases.len() - skipped.len();
    println!("zarr corpus: {passed}/{readable} arrays bit-exact {how} ({} unreadable by design)", skipped.len());
    for s in &skipped {
        println!("  not readable by design: {s}");
    }
    assert!(failures.is_empty(), "{} of {readable} arrays failed:\n{}", failures.len(), failures.join("\n"));
}
