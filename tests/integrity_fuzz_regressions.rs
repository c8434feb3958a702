//! Replays every input under `tests/regressions/<target>/` through the function the
//! cargo-fuzz target of that name runs (`fuzz/src/lib.rs`, compiled into this test), so
//! crashes the fuzzers found stay fixed in a plain `cargo test`.

#[allow(dead_code, unused_imports, clippy::all, clippy::pedantic)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 11] = [
    ("zarr_v2_metadata", fuzz::zarr_v2_metadata),
    ("zarr_v3_metadata", fuzz::zarr_v3_metadata),
    ("codec_decode", fuzz::codec_decode),
    ("blosc_frame", fuzz::blosc_frame),
    ("shard_index", fuzz::shard_index),
    ("jp2_open", fuzz::jp2_open),
    ("j2k_main_header", fuzz::j2k_main_header),
    ("jp2_tile_decode", fuzz::jp2_tile_decode),
    ("kerchunk_refs", fuzz::kerchunk_refs),
    ("split_invariance", fuzz::split_invariance),
    ("parquet_refs", fuzz::parquet_refs),
];

#[test]
fn fuzz_regressions_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let target = TARGETS.iter().find(|(t, _)| *t == name).unwrap_or_else(|| panic!("no fuzz target {name}")).1;
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let data = std::fs::read(&f).unwrap();
            println!("{name}: {}", f.display());
            target(&data);
            n += 1;
        }
    }
    assert!(n >= 1, "no regression inputs under {}", root.display());
}

/// Every target also runs on a few hand-made edge inputs (empty, one byte, all-ones).
#[test]
fn every_target_survives_trivial_inputs() {
    for (name, target) in TARGETS {
        for input in [&[][..], &[0], &[0xFF; 64], b"{}", b"\xff\x4f\xff\x51"] {
            println!("{name}: {input:?}");
            target(input);
        }
    }
}
