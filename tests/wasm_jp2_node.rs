//! JPEG 2000 decoding in wasm under node: corpus files embedded at compile time (from
//! ../shared/testdata, not copied into the repository), decoded through the OpenJPEG
//! port with the wasm allocator shims, compared with the corpus sha256 values.
//!
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!  cargo test --target wasm32-unknown-unknown --test wasm_jp2_node`
#![cfg(target_arch = "wasm32")]

use async_trait::async_trait;
use bytes::Bytes;
use rangetile::error::IoError;
use rangetile::io::{ByteRange, RangeSource};
use rangetile::jp2::decode::{decode_codestream, interleave};
use rangetile::jp2::{Jp2Image, Jp2Options, TileIndexSource};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::rc::Rc;
use wasm_bindgen_test::wasm_bindgen_test;

const CTHEAD: &[u8] = include_bytes!("../../shared/testdata/jp2/openjpeg-nonregression/cthead1.j2k");
const CTHEAD_EXP: &str = include_str!("../../shared/testdata/jp2/openjpeg-nonregression/cthead1.j2k.expected.json");
const AOT60: &[u8] =
    include_bytes!("../../shared/testdata/jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2");
const AOT60_EXP: &str =
    include_str!("../../shared/testdata/jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2.expected.json");
const B0460: &[u8] =
    include_bytes!("../../shared/testdata/jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_B04_60m.jp2");
const B0460_EXP: &str =
    include_str!("../../shared/testdata/jp2/sentinel2-l2a-T29UNU/T29UNU_20221005T115411_B04_60m.jp2.expected.json");
const TLM_PARQUET: &[u8] = include_bytes!("../../shared/testdata/codecs/s2-virtual-jp2/T99XXX_tlm_index.parquet");
const TLM: &[u8] = include_bytes!("../../shared/testdata/codecs/s2-virtual-jp2/T99XXX_20250101T000000_B03_10m.tlm");
const HT: &[u8] = include_bytes!("../../shared/testdata/jp2/openjpeg-nonregression/byte.jph");
const HT_EXP: &str = include_str!("../../shared/testdata/jp2/openjpeg-nonregression/byte.jph.expected.json");

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

struct Mem(Bytes);

#[async_trait(?Send)]
impl RangeSource for Mem {
    fn location(&self) -> &str {
        "memory"
    }
    async fn len(&self) -> Result<u64, IoError> {
        Ok(self.0.len() as u64)
    }
    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        ranges
            .iter()
            .map(|r| {
                let (s, e) = r.resolve(self.0.len() as u64)?;
                Ok(self.0.slice(s as usize..e as usize))
            })
            .collect()
    }
    async fn get_all(&self, _max: u64) -> Result<Bytes, IoError> {
        Ok(self.0.clone())
    }
}

fn full_sha(exp: &str, level: usize) -> String {
    let v: Value = serde_json::from_str(exp).unwrap();
    v["decodes"][level]["full_image_sha256_c_order_le"].as_str().unwrap().to_string()
}

#[wasm_bindgen_test]
fn decodes_a_codestream_bit_exact() {
    for level in [0u32, 2] {
        let planes = decode_codestream(CTHEAD, level, &Default::default()).unwrap();
        let img = interleave(planes).unwrap();
        assert_eq!(sha(&img.samples.to_le_bytes()), full_sha(CTHEAD_EXP, level as usize));
    }
}

/// A 100-tile, 2.7 MB codestream decoded whole (the decoder seeks back past its 1 MiB
/// read buffer after the first tile).
#[wasm_bindgen_test]
fn decodes_a_large_multi_tile_codestream_whole() {
    let cs = rangetile::jp2::codec::codestream_of(B0460).unwrap();
    let img = interleave(decode_codestream(cs, 0, &Default::default()).unwrap()).unwrap();
    assert_eq!(sha(&img.samples.to_le_bytes()), full_sha(B0460_EXP, 0));
}

/// The Parquet reader (SNAPPY, dictionary pages) in wasm: the s2 TLM index.
#[wasm_bindgen_test]
fn reads_the_tlm_index_parquet() {
    let rows = rangetile::jp2::tlm_index_parquet(TLM_PARQUET, &Default::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].index, rangetile::jp2::ExternalIndex::Tlm(TLM.to_vec()));
}

#[wasm_bindgen_test]
async fn reads_tiles_and_regions_of_a_sentinel2_band() {
    let img = Jp2Image::open(Rc::new(Mem(Bytes::from_static(AOT60))), Jp2Options::default()).await.unwrap();
    assert_eq!((img.width(), img.height(), img.tiles_across()), (1830, 1830, 10));
    assert_eq!(img.tile_index_source(), TileIndexSource::SotWalk);
    let exp: Value = serde_json::from_str(AOT60_EXP).unwrap();
    for t in exp["tile_decodes"].as_array().unwrap() {
        let k = t["tile_index"].as_u64().unwrap() as u32;
        let d = img.read_tile(k % 10, k / 10, 0).await.unwrap();
        assert_eq!(sha(&d.samples.to_le_bytes()), t["components"][0]["sha256_c_order_le"].as_str().unwrap());
    }
    let lr = img.level_rect(3);
    let whole = img.read_region(0, 0, lr.width(), lr.height(), 3).await.unwrap();
    assert_eq!(sha(&whole.samples.to_le_bytes()), full_sha(AOT60_EXP, 3));
    let g = img.georef().unwrap();
    assert_eq!(g.epsg, Some(32629));
    assert_eq!(g.transform[1], 60.0);
}

#[wasm_bindgen_test]
async fn decodes_htj2k() {
    let img = Jp2Image::open(Rc::new(Mem(Bytes::from_static(HT))), Jp2Options::default()).await.unwrap();
    assert!(img.header().is_htj2k());
    let d = img.read_region(0, 0, 20, 20, 0).await.unwrap();
    assert_eq!(sha(&d.samples.to_le_bytes()), full_sha(HT_EXP, 0));
}
