//! kerchunk Parquet references (the `LazyReferenceMapper` layout) read through the Zarr
//! reader bit-exact.
//!
//! The references are generated at test time from the corpus's kerchunk JSON reference
//! sets by tests/refs_parquet_gen.py with the real writer (`kerchunk.df.refs_to_dataframe`,
//! fastparquet, ZSTD), into cargo's scratch directory. Python with `kerchunk` and
//! `fastparquet` is found as `$RANGETILE_PYTHON`, `python3`, or a virtualenv this test
//! creates in the scratch directory with pip; when none can be had, the test says so
//! loudly and checks nothing (the Parquet reader itself is also tested without Python in
//! tests/jp2_tlm_parquet.rs on the pyarrow-written TLM indexes of the corpus).
//!
//! Two variants per reference set: everything over HTTP (the `.parq` directory from one
//! range server, targets from another, record_size 3), and local relative targets. Every
//! array of every `*.expected.json` must match. Plus the references `rangetile refs`
//! writes for a 100-tile JP2, in Parquet files of 7 references (15 files), which must read
//! back as the expected whole-image decode.

mod common;

use common::{testdata, RangeServer};
use rangetile::io::{open_source, RangeOptions};
use rangetile::jp2::virtual_zarr::kerchunk_refs;
use rangetile::jp2::{Jp2Image, Jp2Options};
use rangetile::refs::ParquetReferenceStore;
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::{Group, Node};
use rangetile::Limits;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

const AOT60: &str = "jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2";
const AOT60_ARRAY: &str = "T29UNU_20221005T115411_AOT_60m";

/// The expected whole-image decode of `AOT60`.
fn aot60_full_sha() -> String {
    let p = testdata().join(format!("{AOT60}.expected.json"));
    let exp: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    exp["decodes"][0]["full_image_sha256_c_order_le"].as_str().unwrap().to_string()
}

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("refs_parquet")
}

fn has_modules(python: &str) -> bool {
    Command::new(python)
        .args(["-c", "import kerchunk.df, fastparquet"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// A Python that can import kerchunk and fastparquet, if one can be had.
fn python() -> Option<String> {
    if let Ok(p) = std::env::var("RANGETILE_PYTHON") {
        return has_modules(&p).then_some(p);
    }
    if has_modules("python3") {
        return Some("python3".into());
    }
    let venv = scratch().join("venv");
    let py = venv.join("bin/python").display().to_string();
    if has_modules(&py) {
        return Some(py);
    }
    let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().map(|s| s.success()).unwrap_or(false)
        && Command::new(&py)
            .args(["-m", "pip", "install", "-q", "kerchunk", "fastparquet"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    (ok && has_modules(&py)).then_some(py)
}

/// (array path, expected digest) of an `*.expected.json`.
fn expected_arrays(p: &Path) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    doc["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let d = a.get("sha256_c_order_le").or_else(|| a.get("sha256_of_json_list_c_order")).unwrap();
            (a["path"].as_str().unwrap().to_string(), d.as_str().unwrap().to_string())
        })
        .collect()
}

async fn read_sha(location: &str, path: &str) -> Result<String, String> {
    let store = ParquetReferenceStore::open(location, RangeOptions::default(), &Limits::default())
        .await
        .map_err(|e| format!("open: {e}"))?;
    let store = Rc::new(store);
    let array = if path.is_empty() {
        match Node::open(store, "").await.map_err(|e| format!("open: {e}"))? {
            Node::Array(a) => a,
            Node::Group(_) => return Err("root is a group".into()),
        }
    } else {
        let g = Group::open(store, "").await.map_err(|e| format!("open root: {e}"))?;
        g.open_array(path).await.map_err(|e| format!("open array: {e}"))?
    };
    array.get_all().await.map(|d| sha256_hex(&d)).map_err(|e| format!("read: {e}"))
}

#[tokio::test(flavor = "current_thread")]
async fn kerchunk_parquet_refs_read_bit_exact() {
    let Some(py) = python() else {
        println!("SKIPPED: no Python with kerchunk and fastparquet (set RANGETILE_PYTHON); nothing checked");
        return;
    };
    let targets = RangeServer::start(&testdata());
    let out = scratch().join("gen");
    let _ = std::fs::remove_dir_all(&out);
    // Also references that `rangetile refs` writes (100 tiles of a JP2 as chunks, over
    // HTTP), in Parquet files of 7 references: 15 files, chunks at every row position.
    let jp2_url = format!("{}/{AOT60}", targets.url);
    let img =
        Jp2Image::open(Rc::from(open_source(&jp2_url, RangeOptions::default())), Jp2Options::default()).await.unwrap();
    let jp2_refs = kerchunk_refs(&[(jp2_url.clone(), &img)]).unwrap();
    std::fs::create_dir_all(scratch()).unwrap();
    let jp2_json = scratch().join("aot60.json");
    std::fs::write(&jp2_json, jp2_refs.to_string()).unwrap();
    let gen = Command::new(&py)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/refs_parquet_gen.py"))
        .arg(testdata())
        .arg(&out)
        .arg(&targets.url)
        .arg(&jp2_json)
        .arg("7")
        .output()
        .unwrap();
    assert!(gen.status.success(), "refs_parquet_gen.py: {}", String::from_utf8_lossy(&gen.stderr));
    let refs_server = RangeServer::start(&out);
    let mut passed = 0;
    let mut failed = Vec::new();
    let mut sets = 0;
    for line in String::from_utf8(gen.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let parq = PathBuf::from(v["parq"].as_str().unwrap());
        let location = if v["variant"] == "http" {
            format!("{}/{}", refs_server.url, parq.strip_prefix(&out).unwrap().display())
        } else {
            parq.display().to_string()
        };
        sets += 1;
        let expected = match v["variant"].as_str() {
            Some("extra") => vec![(AOT60_ARRAY.to_string(), aot60_full_sha())],
            _ => expected_arrays(Path::new(v["expected"].as_str().unwrap())),
        };
        if v["variant"] == "extra" {
            let files = std::fs::read_dir(parq.join(AOT60_ARRAY)).unwrap().count();
            assert_eq!(files, 15, "100 references in files of 7");
        }
        for (path, want) in expected {
            match read_sha(&location, &path).await {
                Ok(got) if got == want => passed += 1,
                Ok(got) => failed.push(format!("{location}#{path}: sha256 {got} != {want}")),
                Err(e) => failed.push(format!("{location}#{path}: {e}")),
            }
        }
    }
    println!(
        "kerchunk Parquet references: {passed}/{} arrays bit-exact ({sets} reference sets)",
        passed + failed.len()
    );
    assert!(sets >= 15, "{sets} reference sets generated");
    assert!(failed.is_empty(), "{}", failed.join("\n"));

    // Request economy over HTTP: opening reads `.zmetadata` once; a read fetches each
    // Parquet file it needs once, even when several chunks share it.
    refs_server.reset();
    let loc = format!("{}/http/kerchunk-hdf5/hdf5_compression_zstd.h5.refs.parq", refs_server.url);
    let exp = testdata().join("refs/kerchunk-hdf5/hdf5_compression_zstd.h5.refs.expected.json");
    for (path, want) in expected_arrays(&exp) {
        assert_eq!(read_sha(&loc, &path).await.unwrap(), want);
    }
    let log = refs_server.log();
    let paths: Vec<&str> = log.iter().map(|e| e.path.as_str()).collect();
    let zmeta = paths.iter().filter(|p| p.ends_with("/.zmetadata")).count();
    assert_eq!(zmeta, expected_arrays(&exp).len(), "one .zmetadata request per open: {paths:?}");
    let mut parq: Vec<&str> = paths.iter().copied().filter(|p| p.ends_with(".parq")).collect();
    let n = parq.len();
    parq.sort_unstable();
    parq.dedup();
    assert_eq!(n, parq.len(), "a Parquet file fetched twice within one read: {paths:?}");

    // The CLI reads the same directory.
    let (path, want) = expected_arrays(&exp).into_iter().next().unwrap();
    #[cfg(feature = "cli")]
    {
        let o = Command::new(env!("CARGO_BIN_EXE_rangetile"))
            .args(["read", &loc, "--array", &path, "--sha256"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), want);
        let o = Command::new(env!("CARGO_BIN_EXE_rangetile")).args(["info", &loc]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("array /{path} ")), "info lists {path}");
    }
    let _ = (path, want);
}
