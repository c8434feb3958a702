//! Every chunk of `testdata/codecs/layerquantizer` (13 Zarr v2 float32 arrays encoded by
//! the reference `layerquantizer0.3b`) decoded by our codec and assembled into the whole
//! array, compared bit for bit with `expected/<array>.f32le.bin` and its sha256,
//! including the FMA-sensitive `inf_values` array, through `decode` and `decode_into`.

use rangetile::codecs::registry::{from_v2, Codec};
use rangetile::Limits;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[path = "chunk_place/mod.rs"]
mod chunk_place;
use chunk_place::place;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/codecs/layerquantizer")
}

fn as_u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

#[test]
fn every_layerquantizer_fixture_is_bit_exact() {
    let root = corpus();
    let expected: Value = serde_json::from_slice(&std::fs::read(root.join("expected.json")).unwrap()).unwrap();
    let limits = Limits::default();
    let (mut arrays_ok, mut chunks_ok) = (0, 0);
    for (name, a) in expected["arrays"].as_object().unwrap() {
        let dir = root.join(a["zarr_path"].as_str().unwrap());
        let zarray: Value = serde_json::from_slice(&std::fs::read(dir.join(".zarray")).unwrap()).unwrap();
        assert_eq!(zarray["compressor"], a["codec_config"], "{name}");
        let Codec::BytesToBytes(codec) = from_v2(&zarray["compressor"]).unwrap() else { panic!("compressor") };
        let shape = as_u64s(&zarray["shape"]);
        let chunks = as_u64s(&zarray["chunks"]);
        let mut out = vec![0u8; shape.iter().product::<u64>() as usize * 4];
        let chunk_bytes = chunks.iter().product::<u64>() * 4;
        for (key, info) in a["chunks_info"].as_object().unwrap() {
            let enc = std::fs::read(dir.join(key)).unwrap();
            assert_eq!(hex::encode(Sha256::digest(&enc)), info["encoded_sha256"].as_str().unwrap(), "{name}/{key}");
            let dec =
                codec.decode(enc.clone(), Some(chunk_bytes), &limits).unwrap_or_else(|e| panic!("{name}/{key}: {e}"));
            // Straight into the caller's buffer (decodeChunkInto): the same bytes; a buffer
            // of another size is an error.
            let mut into = vec![0u8; chunk_bytes as usize];
            codec.decode_into(enc.clone(), &mut into, &limits).unwrap_or_else(|e| panic!("{name}/{key}: {e}"));
            assert!(into == dec, "{name}/{key}: decode_into");
            assert!(codec.decode_into(enc.clone(), &mut vec![0u8; chunk_bytes as usize + 4], &limits).is_err());
            assert!(codec.decode_into(enc, &mut vec![0u8; chunk_bytes as usize - 4], &limits).is_err());
            let idx: Vec<u64> = key.split('.').map(|s| s.parse().unwrap()).collect();
            place(&mut out, &shape, &chunks, &idx, &dec, 4);
            chunks_ok += 1;
        }
        let want = std::fs::read(root.join(a["expected_file"].as_str().unwrap())).unwrap();
        let diff = out.chunks(4).zip(want.chunks(4)).filter(|(x, y)| x != y).count();
        assert_eq!(diff, 0, "{name}: {diff} values differ");
        assert_eq!(hex::encode(Sha256::digest(&out)), a["expected_sha256"].as_str().unwrap(), "{name}");
        let nans = out.chunks(4).filter(|b| f32::from_le_bytes((*b).try_into().unwrap()).is_nan()).count();
        assert_eq!(nans as u64, a["expected_nan_count"].as_u64().unwrap(), "{name}");
        arrays_ok += 1;
    }
    assert_eq!((arrays_ok, chunks_ok), (13, 20));
}
