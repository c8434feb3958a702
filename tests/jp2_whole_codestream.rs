//! Whole-codestream decodes of the corpus files larger than the decoder's 1 MiB read
//! buffer (the 1830² Sentinel-2 B04 and TCI bands, the 2048² Sentinel-2-like files): at
//! every level with an expected value, decoded in one call (not tile by tile) and compared
//! bit-exact with `full_image_sha256_c_order_le`; and the B04 file as one
//! `imagecodecs_jpeg2k` chunk. These multi-tile codestreams need a backward seek of more
//! than the read buffer after the first tile (src/jp2/opj.rs).

mod jp2_common;

use jp2_common::testdata;
use rangetile::codecs::BytesToBytesCodec;
use rangetile::jp2::codec::{codestream_of, Jpeg2kCodec};
use rangetile::jp2::decode::{decode_codestream, interleave};
use rangetile::Limits;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The corpus JPEG 2000 files whose codestream exceeds 1 MiB.
fn large_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["sentinel2-l2a-T29UNU", "generated-s2like"] {
        for e in std::fs::read_dir(testdata().join("jp2").join(sub)).unwrap().flatten() {
            let p = e.path();
            let is_jp2 = p.extension().is_some_and(|x| x == "jp2" || x == "j2k");
            if is_jp2 && e.metadata().unwrap().len() > 1 << 20 {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn large_multi_tile_codestreams_decode_whole_at_every_level() {
    let files = large_files();
    assert_eq!(files.len(), 4, "{files:?}");
    let mut checked = 0;
    for f in &files {
        let exp: Value =
            serde_json::from_slice(&std::fs::read(format!("{}.expected.json", f.display())).unwrap()).unwrap();
        assert!(exp["header"]["ntiles"].as_u64().unwrap() > 1, "{f:?}");
        assert!(exp["header"]["reversible"].as_bool().unwrap(), "{f:?}");
        let file = std::fs::read(f).unwrap();
        let cs = codestream_of(&file).unwrap();
        assert!(cs.len() > 1 << 20);
        for d in exp["decodes"].as_array().unwrap() {
            let level = d["rlevel"].as_u64().unwrap() as u32;
            let want = d["full_image_sha256_c_order_le"].as_str().unwrap();
            let planes =
                decode_codestream(cs, level, &Limits::default()).unwrap_or_else(|e| panic!("{f:?} {level}: {e}"));
            let img = interleave(planes).unwrap();
            assert_eq!(sha(&img.samples.to_le_bytes()), want, "{f:?} rlevel {level}");
            checked += 1;
        }
    }
    assert_eq!(checked, 20);
}

#[test]
fn whole_sentinel2_band_as_one_imagecodecs_jpeg2k_chunk() {
    let dir = testdata().join("jp2/sentinel2-l2a-T29UNU");
    let file = std::fs::read(dir.join("T29UNU_20221005T115411_B04_60m.jp2")).unwrap();
    let exp: Value =
        serde_json::from_slice(&std::fs::read(dir.join("T29UNU_20221005T115411_B04_60m.jp2.expected.json")).unwrap())
            .unwrap();
    let codec = Jpeg2kCodec::from_config(&serde_json::json!({"id": "imagecodecs_jpeg2k"})).unwrap();
    let out = codec.decode(file, Some(1830 * 1830 * 2), &Limits::default()).unwrap();
    assert_eq!(sha(&out), exp["decodes"][0]["full_image_sha256_c_order_le"].as_str().unwrap());
    assert_eq!(u16::from_le_bytes([out[0], out[1]]), 1104);
}
