//! Mutation testing of every bytes→bytes and array→bytes decoder on real corpus chunks:
//! bit flips, byte overwrites, truncations, insertions and splices must give a value or a
//! typed error, never a panic, and never output beyond the cap. The number of mutations per
//! chunk is `RANGETILE_FUZZ_ITERS` (default 300) so a longer run is one variable away.

use rangetile::codecs::registry::{from_v2, from_v3, Codec};
use rangetile::codecs::{ArrayToBytesCodec, BytesToBytesCodec, ChunkRepr};
use rangetile::zarr::data_type::{DataType, FillValue};
use rangetile::Limits;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

mod common;
use common::data::Rng;
use common::testdata;

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut v = src.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            2 => v.truncate(rng.below(v.len() + 1)),
            3 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, rng.next() as u8);
            }
            _ if v.len() > 8 => {
                // Overwrite a 4-byte field with an extreme value (sizes, offsets, counts).
                let i = rng.below(v.len() - 4);
                let x: u32 = [0, 1, u32::MAX, 0x7fff_ffff, 0x8000_0000, v.len() as u32][rng.below(6)];
                v[i..i + 4].copy_from_slice(&x.to_le_bytes());
            }
            _ => {}
        }
    }
    v
}

fn iters() -> usize {
    std::env::var("RANGETILE_FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(300)
}

fn b2b(c: Codec) -> Arc<dyn BytesToBytesCodec> {
    match c {
        Codec::BytesToBytes(b) => b,
        _ => panic!("not bytes→bytes"),
    }
}

fn a2b(c: Codec) -> Arc<dyn ArrayToBytesCodec> {
    match c {
        Codec::ArrayToBytes(b) => b,
        _ => panic!("not array→bytes"),
    }
}

#[test]
fn mutated_corpus_chunks_never_panic() {
    let t = testdata();
    let limits = Limits { max_decoded_chunk_bytes: 4 << 20, ..Limits::default() };
    let bytes_cases: Vec<(Arc<dyn BytesToBytesCodec>, PathBuf, u64)> = vec![
        (
            b2b(from_v2(&json!({"id": "blosc"})).unwrap()),
            t.join("codecs/blosc/blosc.zarr/blosclz_shuffle_f4/0.0"),
            6144,
        ),
        (
            b2b(from_v2(&json!({"id": "blosc"})).unwrap()),
            t.join("codecs/blosc/blosc.zarr/lz4_bitshuffle_f8/0.0"),
            12288,
        ),
        (b2b(from_v2(&json!({"id": "blosc"})).unwrap()), t.join("codecs/blosc/blosc.zarr/zlib_shuffle_i2/0.0"), 3072),
        (b2b(from_v2(&json!({"id": "blosc"})).unwrap()), t.join("codecs/blosc/blosc.zarr/zstd_noshuffle_u1/0.0"), 1536),
        (
            b2b(from_v2(&json!({"id": "blosc"})).unwrap()),
            t.join("codecs/blosc/blosc.zarr/mb1000_lz4_shuffle_f4/0.0"),
            6144,
        ),
        (
            b2b(from_v2(&json!({"id": "blosc"})).unwrap()),
            t.join("codecs/blosc/blosc.zarr/typesize16_for_f8/0.0"),
            12288,
        ),
        (b2b(from_v3("numcodecs.bz2", None).unwrap()), t.join("zarr/zarrs/v3_zarr_python/array_bz2.zarr/c/0/0"), 100),
        (b2b(from_v3("numcodecs.zlib", None).unwrap()), t.join("zarr/zarrs/v3_zarr_python/array_zlib.zarr/c/0/0"), 100),
        (b2b(from_v3("zstd", None).unwrap()), t.join("zarr/zarrs/v3_zarr_python/array_zstd.zarr/c/0/0"), 100),
        (b2b(from_v3("gzip", None).unwrap()), t.join("zarr/zarrs/v3_zarr_python/array_gzip.zarr/c/0/0"), 100),
        (
            b2b(from_v3("numcodecs.adler32", None).unwrap()),
            t.join("zarr/zarrs/v3_zarr_python/array_adler32.zarr/c/0/0"),
            100,
        ),
        (
            b2b(from_v3("numcodecs.fletcher32", None).unwrap()),
            t.join("zarr/zarrs/v3_zarr_python/array_fletcher32.zarr/c/0/0"),
            100,
        ),
        (
            b2b(from_v2(&json!({"id": "lz4"})).unwrap()),
            t.join("zarr/zarrita-js_v2_data.zarr/1d.contiguous.lz4.i2/0"),
            8,
        ),
        (
            b2b(from_v2(&json!({"id": "layerquantizer0.3b", "nbits": 8})).unwrap()),
            t.join("codecs/layerquantizer/lq.zarr/nbits8/0.0.0"),
            2 * 33 * 47 * 4,
        ),
        (
            b2b(from_v2(&json!({"id": "layerquantizer0.3b", "nbits": 16})).unwrap()),
            t.join("codecs/layerquantizer/lq.zarr/lz4_clevel9/0.0.0"),
            2 * 33 * 47 * 4,
        ),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut decoded_ok = 0usize;
    for (codec, path, size) in &bytes_cases {
        let chunk = std::fs::read(path).unwrap();
        assert_eq!(
            codec.decode(chunk.clone(), Some(*size), &limits).unwrap().len() as u64,
            *size,
            "{}",
            path.display()
        );
        for i in 0..iters() {
            let m = mutate(&mut rng, &chunk);
            let expected = if i % 2 == 0 { Some(*size) } else { None };
            let r = catch_unwind(AssertUnwindSafe(|| codec.decode(m.clone(), expected, &limits)));
            match r {
                Err(_) => panic!("{} panicked on {}", path.display(), hex::encode(&m)),
                Ok(Ok(out)) => {
                    decoded_ok += 1;
                    let cap = expected.unwrap_or(limits.max_decoded_chunk_bytes);
                    assert!(out.len() as u64 <= cap, "{}: {} bytes over the cap {cap}", path.display(), out.len());
                }
                Ok(Err(_)) => {}
            }
        }
    }
    // Object codecs on their corpus chunks (decompressed first where needed).
    let str_repr = |n: u64| ChunkRepr {
        shape: vec![n],
        data_type: DataType::String,
        fill_value: FillValue::Variable(Value::String(String::new())),
    };
    let vlen_chunk = b2b(from_v3("zstd", None).unwrap())
        .decode(
            std::fs::read(t.join("zarr/zarrita-js_v3_data.zarr/1d.contiguous.string.vlen/c/0")).unwrap(),
            None,
            &limits,
        )
        .unwrap();
    let json_chunk = std::fs::read(t.join("zarr/zarrita-js_v2_data.zarr/1d.contiguous.json2.O/0")).unwrap();
    for (codec, chunk) in [
        (a2b(from_v3("vlen-utf8", None).unwrap()), vlen_chunk),
        (a2b(from_v2(&json!({"id": "json2"})).unwrap()), json_chunk),
    ] {
        assert!(codec.decode(chunk.clone(), &str_repr(4), &limits).is_ok());
        for _ in 0..iters() {
            let m = mutate(&mut rng, &chunk);
            let r = catch_unwind(AssertUnwindSafe(|| codec.decode(m.clone(), &str_repr(4), &limits)));
            assert!(r.is_ok(), "{codec:?} panicked on {}", hex::encode(&m));
        }
    }
    eprintln!("{decoded_ok} mutated chunks still decoded (e.g. raw streams, flipped data bytes)");
}
