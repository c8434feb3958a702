//! Every chunk of `testdata/codecs/blosc` (97 Zarr v2 arrays, 387 Blosc1 frames written by
//! numcodecs/c-blosc) decoded by our Blosc decoder and assembled into the whole array,
//! compared bit for bit with `expected/*.bin` and its sha256 (see that folder's MANIFEST.md).

use rangetile::codecs::registry::{from_v2, Codec};
use rangetile::codecs::BytesToBytesCodec;
use rangetile::Limits;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[path = "chunk_place/mod.rs"]
mod chunk_place;
use chunk_place::place;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/codecs/blosc")
}

fn itemsize(dtype: &str) -> usize {
    dtype[2..].parse().unwrap()
}

fn as_u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

#[test]
fn every_blosc_fixture_chunk_is_bit_exact() {
    let root = corpus();
    let expected: Value = serde_json::from_slice(&std::fs::read(root.join("expected.json")).unwrap()).unwrap();
    let arrays = expected["arrays"].as_object().unwrap();
    let limits = Limits::default();
    let (mut chunks_ok, mut arrays_ok) = (0, 0);
    for (name, a) in arrays {
        let zarray: Value = serde_json::from_slice(
            &std::fs::read(root.join(a["zarr_path"].as_str().unwrap()).join(".zarray")).unwrap(),
        )
        .unwrap();
        let Codec::BytesToBytes(codec): Codec = from_v2(&zarray["compressor"]).unwrap() else {
            panic!("blosc is bytes to bytes")
        };
        let codec: Arc<dyn BytesToBytesCodec> = codec;
        let shape = as_u64s(&zarray["shape"]);
        let chunks = as_u64s(&zarray["chunks"]);
        let isz = itemsize(zarray["dtype"].as_str().unwrap());
        let total: u64 = shape.iter().product();
        let mut out = vec![0u8; total as usize * isz];
        let chunk_bytes = chunks.iter().product::<u64>() * isz as u64;
        for (key, info) in a["chunks_info"].as_object().unwrap() {
            let path = root.join(a["zarr_path"].as_str().unwrap()).join(key);
            let enc = std::fs::read(&path).unwrap();
            assert_eq!(hex::encode(Sha256::digest(&enc)), info["encoded_sha256"].as_str().unwrap(), "{name}/{key}");
            let dec = codec
                .decode(enc, Some(chunk_bytes), &limits)
                .unwrap_or_else(|e| panic!("{name}/{key} ({}): {e}", info["flags_hex"]));
            assert_eq!(dec.len() as u64, chunk_bytes, "{name}/{key}");
            let idx: Vec<u64> = key.split('.').map(|s| s.parse().unwrap()).collect();
            place(&mut out, &shape, &chunks, &idx, &dec, isz);
            chunks_ok += 1;
        }
        let want = std::fs::read(root.join(a["expected_file"].as_str().unwrap())).unwrap();
        assert!(out == want, "{name}: decoded array differs from {}", a["expected_file"]);
        assert_eq!(hex::encode(Sha256::digest(&out)), a["expected_sha256"].as_str().unwrap(), "{name}");
        arrays_ok += 1;
    }
    assert_eq!((arrays_ok, chunks_ok), (97, 387));
}

#[test]
fn corrupted_fixture_frames_give_typed_errors() {
    let root = corpus();
    let limits = Limits::default();
    let codec = rangetile::codecs::blosc::BloscCodec;
    for name in
        ["lz4_shuffle_f4", "zstd_bitshuffle_f8", "blosclz_noshuffle_i2", "zlib_shuffle_u1", "mb1000_lz4_shuffle_f4"]
    {
        let enc = std::fs::read(root.join("blosc.zarr").join(name).join("0.0")).unwrap();
        // Every truncation is an error, never a panic.
        for cut in [0, 1, 15, 16, 17, enc.len() / 2, enc.len() - 1] {
            assert!(codec.decode(enc[..cut].to_vec(), None, &limits).is_err(), "{name} cut at {cut}");
        }
        // Flipping bytes never panics.
        for i in (0..enc.len()).step_by(7) {
            let mut bad = enc.clone();
            bad[i] ^= 0xA5;
            let _ = codec.decode(bad, Some(32 * 48 * 8), &limits);
        }
        // A cap below nbytes is refused before decoding.
        assert!(codec.decode(enc, Some(10), &limits).is_err());
    }
}
