//! The codecs in wasm (node): real corpus chunks, embedded at compile time, decoded
//! through the registry and compared with the expected values, so that no codec works
//! natively only (ruzstd, miniz_oxide, lz4_flex, the bzip2 Rust port, crc32c, and the
//! software `f64::mul_add` that LayerQuantizer needs for bit-exactness); plus the kernels
//! against naive versions. Run:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test codecs_wasm`
//! (or add `codecs_wasm` to `scripts/test-wasm.sh`).
#![cfg(target_arch = "wasm32")]

use rangetile::codecs::registry::{from_v2, from_v3, Codec};
use rangetile::codecs::BytesToBytesCodec;
use rangetile::Limits;
use serde_json::json;
use std::sync::Arc;
use wasm_bindgen_test::wasm_bindgen_test;

macro_rules! corpus {
    ($p:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/", $p))
    };
}

fn b2b(c: Codec) -> Arc<dyn BytesToBytesCodec> {
    match c {
        Codec::BytesToBytes(b) => b,
        _ => panic!("not a bytes codec"),
    }
}

/// Rows `0..32`, columns `0..48` of a (50, 70) C-order array of `isz`-byte elements.
fn chunk00(whole: &[u8], isz: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for r in 0..32 {
        v.extend_from_slice(&whole[(r * 70) * isz..(r * 70 + 48) * isz]);
    }
    v
}

#[wasm_bindgen_test]
fn blosc_fixture_chunks() {
    let blosc = b2b(from_v2(&json!({"id": "blosc"})).unwrap());
    let l = Limits::default();
    let f4 = corpus!("codecs/blosc/expected/f4_50x70_a6ee823d.bin");
    let f8 = corpus!("codecs/blosc/expected/f8_50x70_f6ad469d.bin");
    let i2 = corpus!("codecs/blosc/expected/i2_50x70_030ec1a6.bin");
    let u1 = corpus!("codecs/blosc/expected/u1_50x70_3c6cc225.bin");
    let cases: [(&[u8], &[u8], usize); 8] = [
        (corpus!("codecs/blosc/blosc.zarr/blosclz_shuffle_f4/0.0"), f4, 4),
        (corpus!("codecs/blosc/blosc.zarr/lz4_bitshuffle_f8/0.0"), f8, 8),
        (corpus!("codecs/blosc/blosc.zarr/lz4hc_noshuffle_i2/0.0"), i2, 2),
        (corpus!("codecs/blosc/blosc.zarr/zlib_shuffle_u1/0.0"), u1, 1),
        (corpus!("codecs/blosc/blosc.zarr/zstd_bitshuffle_f4/0.0"), f4, 4),
        (corpus!("codecs/blosc/blosc.zarr/mb1000_zstd_bitshuffle_f4/0.0"), f4, 4),
        (corpus!("codecs/blosc/blosc.zarr/typesize16_for_f8/0.0"), f8, 8),
        (corpus!("codecs/blosc/blosc.zarr/blosclz_bitshuffle_u1/0.0"), u1, 1),
    ];
    for (i, (enc, whole, isz)) in cases.iter().enumerate() {
        let out = blosc.decode(enc.to_vec(), Some((32 * 48 * isz) as u64), &l).unwrap();
        assert!(out == chunk00(whole, *isz), "case {i}");
    }
}

/// Every single-chunk LayerQuantizer fixture through the SIMD plane decoder (the
/// multi-chunk arrays are checked natively by `codecs_layerquantizer`).
#[wasm_bindgen_test]
fn layerquantizer_single_chunk_fixtures() {
    macro_rules! fixture {
        ($n:literal) => {
            (
                $n,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../shared/testdata/codecs/layerquantizer/lq.zarr/",
                    $n,
                    "/.zarray"
                )),
                &include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../shared/testdata/codecs/layerquantizer/lq.zarr/",
                    $n,
                    "/0.0.0"
                ))[..],
                &include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../shared/testdata/codecs/layerquantizer/expected/",
                    $n,
                    ".f32le.bin"
                ))[..],
            )
        };
    }
    let l = Limits::default();
    for (name, zarray, enc, want) in [
        fixture!("const_planes"),
        fixture!("inf_values"),
        fixture!("lz4_clevel9"),
        fixture!("nbits20"),
        fixture!("nbits23"),
        fixture!("nbits24"),
        fixture!("nbits8"),
        fixture!("pow2_range"),
        fixture!("tiny_range_negative"),
        fixture!("transform_none"),
    ] {
        let meta: serde_json::Value = serde_json::from_str(zarray).unwrap();
        assert_eq!(meta["shape"], meta["chunks"], "{name}");
        let c = b2b(from_v2(&meta["compressor"]).unwrap());
        let out = c.decode(enc.to_vec(), Some(want.len() as u64), &l).unwrap();
        assert!(out == want, "{name}");
    }
}

#[wasm_bindgen_test]
fn layerquantizer_with_software_fma() {
    let l = Limits::default();
    for (cfg, enc, want) in [
        (
            json!({"id": "layerquantizer0.3b", "nbits": 8, "transform": "Lorenzo"}),
            &corpus!("codecs/layerquantizer/lq.zarr/nbits8/0.0.0")[..],
            &corpus!("codecs/layerquantizer/expected/nbits8.f32le.bin")[..],
        ),
        (
            json!({"id": "layerquantizer0.3b", "nbits": 16, "transform": "Lorenzo"}),
            &corpus!("codecs/layerquantizer/lq.zarr/inf_values/0.0.0")[..],
            &corpus!("codecs/layerquantizer/expected/inf_values.f32le.bin")[..],
        ),
    ] {
        let c = b2b(from_v2(&cfg).unwrap());
        let out = c.decode(enc.to_vec(), Some(want.len() as u64), &l).unwrap();
        assert!(out == want, "{cfg}");
    }
}

#[wasm_bindgen_test]
fn numcodecs_compressors_and_checksums() {
    let l = Limits::default();
    // zarrs/v3_zarr_python arrays: 10x10 float32 0..99, chunks 5x5: chunk (0, 0) holds r*10+c.
    let want: Vec<u8> =
        (0..5).flat_map(|r| (0..5).map(move |c| (r * 10 + c) as f32)).flat_map(f32::to_le_bytes).collect();
    for (name, cfg, enc) in [
        ("numcodecs.bz2", json!({"level": 9}), &corpus!("zarr/zarrs/v3_zarr_python/array_bz2.zarr/c/0/0")[..]),
        ("numcodecs.zlib", json!({"level": 8}), &corpus!("zarr/zarrs/v3_zarr_python/array_zlib.zarr/c/0/0")[..]),
        ("zstd", json!({"level": 5}), &corpus!("zarr/zarrs/v3_zarr_python/array_zstd.zarr/c/0/0")[..]),
        ("gzip", json!({"level": 9}), &corpus!("zarr/zarrs/v3_zarr_python/array_gzip.zarr/c/0/0")[..]),
        ("numcodecs.adler32", json!({}), &corpus!("zarr/zarrs/v3_zarr_python/array_adler32.zarr/c/0/0")[..]),
        ("numcodecs.fletcher32", json!({}), &corpus!("zarr/zarrs/v3_zarr_python/array_fletcher32.zarr/c/0/0")[..]),
        ("blosc", json!({}), &corpus!("zarr/zarrs/v3_zarr_python/array_blosc.zarr/c/0/0")[..]),
    ] {
        let c = b2b(from_v3(name, Some(&cfg)).unwrap());
        assert_eq!(c.decode(enc.to_vec(), Some(100), &l).unwrap(), want, "{name}");
    }
    let lz4 = b2b(from_v2(&json!({"id": "lz4"})).unwrap());
    let out = lz4.decode(corpus!("zarr/zarrita-js_v2_data.zarr/1d.contiguous.lz4.i2/0").to_vec(), Some(8), &l).unwrap();
    assert_eq!(out, [1i16, 2, 3, 4].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>());
    let crc = b2b(from_v3("crc32c", None).unwrap());
    let mut enc = b"123456789".to_vec();
    enc.extend_from_slice(&0xE306_9283u32.to_le_bytes());
    assert_eq!(crc.decode(enc.clone(), None, &l).unwrap(), b"123456789");
    enc[0] ^= 1;
    assert_eq!(crc.decode(enc, None, &l).unwrap_err().kind(), rangetile::ErrorKind::Checksum);
}

#[wasm_bindgen_test]
fn kernels_match_naive() {
    use rangetile::kernels::{byteswap, delta, float16, shuffle};
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..50 {
        let ts = [2usize, 4, 8, 3][(next() % 4) as usize];
        let n = 8 * (next() % 30) as usize;
        let extra = (next() % ts as u64) as usize;
        let data: Vec<u8> = (0..n * ts + extra).map(|_| next() as u8).collect();
        // Byte shuffle by hand, then undo it.
        let mut sh = data.clone();
        for i in 0..n {
            for b in 0..ts {
                sh[b * n + i] = data[i * ts + b];
            }
        }
        let mut out = vec![0; data.len()];
        shuffle::byte_unshuffle(&sh, &mut out, ts);
        assert_eq!(out, data);
        let mut sw = data.clone();
        byteswap::swap_in_place(&mut sw, ts);
        byteswap::swap_in_place(&mut sw, ts);
        assert_eq!(sw, data);
        let mut d = data[..n * ts].to_vec();
        delta::delta_decode_le(&mut d, 1);
        let mut acc = 0u8;
        let naive: Vec<u8> = data[..n * ts]
            .iter()
            .map(|&x| {
                acc = acc.wrapping_add(x);
                acc
            })
            .collect();
        assert_eq!(d, naive);
    }
    for h in (0..=u16::MAX).step_by(7) {
        let f = float16::f16_bits_to_f32(h);
        let want = half::f16::from_bits(h).to_f32();
        assert!(f.to_bits() == want.to_bits() || (f.is_nan() && want.is_nan()), "{h:#x}");
    }
}

/// Our LZ4 block decoder in wasm (its short-period pattern uses a SIMD128 swizzle) against
/// blocks lz4_flex encoded from runs of short periods (offsets 1..20) and random bytes.
#[wasm_bindgen_test]
fn lz4_short_period_matches() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for _ in 0..200 {
        let mut data = Vec::new();
        let target = (next() % 20_000) as usize;
        while data.len() < target {
            let period = 1 + (next() % 20) as usize;
            let pat: Vec<u8> = (0..period).map(|_| next() as u8).collect();
            let n = (next() % 300) as usize;
            data.extend((0..n).map(|i| pat[i % period]));
            let k = (next() % 40) as usize;
            data.extend((0..k).map(|_| next() as u8));
        }
        let block = lz4_flex::block::compress(&data);
        let mut out = vec![0u8; data.len()];
        rangetile::codecs::lz4::decompress_block_into("lz4", &block, &mut out).unwrap();
        assert!(out == data);
    }
}
