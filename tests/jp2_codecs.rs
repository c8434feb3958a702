//! The JPEG 2000 Zarr codecs against their fixtures: `imagecodecs_jpeg2k` / `jpeg2k`
//! (../shared/testdata/codecs/jpeg2k: every chunk of every array, assembled and compared
//! with the expected array's sha256) and `jp2io.zarr.Sentinel2Jpeg2000Codec`
//! (../shared/testdata/codecs/s2-virtual-jp2: all 121 tiles of the synthetic band and of
//! the real AOT band, by the sha256 of the padded 1024×1024 output).

mod jp2_common;

use jp2_common::testdata;
use rangetile::codecs::BytesToBytesCodec;
use rangetile::jp2::codec::{Jpeg2kCodec, S2VirtualJp2Codec};
use rangetile::Limits;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[test]
fn imagecodecs_jpeg2k_arrays() {
    let dir = testdata().join("codecs/jpeg2k");
    let exp: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let arrays = exp["arrays"].as_object().unwrap();
    assert_eq!(arrays.len(), 10);
    for (name, a) in arrays {
        let zarray: Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("j2k.zarr/{name}/.zarray"))).unwrap()).unwrap();
        let codec = Jpeg2kCodec::from_config(&zarray["compressor"]).unwrap();
        let shape: Vec<usize> = a["shape"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
        let chunks: Vec<usize> = a["chunks"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
        let item = if a["dtype"].as_str().unwrap().ends_with('1') { 1 } else { 2 };
        let total: usize = shape.iter().product();
        let mut out = vec![0u8; total * item];
        let grid: Vec<usize> = shape.iter().zip(&chunks).map(|(s, c)| s.div_ceil(*c)).collect();
        let nchunks: usize = grid.iter().product();
        let chunk_elems: usize = chunks.iter().product();
        for ci in 0..nchunks {
            // Chunk coordinates, C order.
            let mut idx = vec![0; grid.len()];
            let mut r = ci;
            for d in (0..grid.len()).rev() {
                idx[d] = r % grid[d];
                r /= grid[d];
            }
            let key = idx.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(".");
            let bytes = std::fs::read(dir.join(format!("j2k.zarr/{name}/{key}"))).unwrap();
            let dec = codec.decode(bytes, Some((chunk_elems * item) as u64), &Limits::default()).unwrap();
            assert_eq!(dec.len(), chunk_elems * item, "{name} {key}");
            // Copy the chunk's in-bounds part, element by element.
            for e in 0..chunk_elems {
                let mut rem = e;
                let mut pos = vec![0; chunks.len()];
                for d in (0..chunks.len()).rev() {
                    pos[d] = rem % chunks[d] + idx[d] * chunks[d];
                    rem /= chunks[d];
                }
                if pos.iter().zip(&shape).any(|(p, s)| p >= s) {
                    continue;
                }
                let flat = pos.iter().zip(&shape).fold(0, |acc, (p, s)| acc * s + p);
                out[flat * item..(flat + 1) * item].copy_from_slice(&dec[e * item..(e + 1) * item]);
            }
        }
        assert_eq!(sha(&out), a["expected_sha256"].as_str().unwrap(), "{name}");
    }
}

#[test]
fn s2_virtual_jp2_synthetic_and_real_tiles() {
    let dir = testdata().join("codecs/s2-virtual-jp2");
    let codec =
        S2VirtualJp2Codec::from_config(&serde_json::json!({"id": "jp2io.zarr.Sentinel2Jpeg2000Codec"})).unwrap();
    let l = Limits::default();

    let exp: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let jp2 = std::fs::read(dir.join("T99XXX_20250101T000000_B03_10m.jp2")).unwrap();
    let tiles = exp["tiles"].as_array().unwrap();
    assert_eq!(tiles.len(), 121);
    for t in tiles {
        let (o, n) = (t["offset"].as_u64().unwrap() as usize, t["nbytes"].as_u64().unwrap() as usize);
        let chunk = jp2[o..o + n].to_vec();
        assert_eq!(sha(&chunk), t["chunk_sha256"].as_str().unwrap());
        if let Some(h) = t.get("synth_main_header_hex").and_then(Value::as_str) {
            let (vh, vw) = (t["valid_shape"][0].as_u64().unwrap() as u32, t["valid_shape"][1].as_u64().unwrap() as u32);
            assert_eq!(hex::encode(S2VirtualJp2Codec::main_header(vw, vh)), h);
        }
        let out = codec.decode(chunk, Some(1024 * 1024 * 2), &l).unwrap();
        assert_eq!(sha(&out), t["decoded_sha256_u16le_1024x1024"].as_str().unwrap(), "tile {}", t["tile"]);
    }

    let real: Value = serde_json::from_slice(&std::fs::read(dir.join("real_file_crosscheck.json")).unwrap()).unwrap();
    let jp2 = std::fs::read(dir.join(real["source_file"].as_str().unwrap())).unwrap();
    for t in real["tiles"].as_array().unwrap() {
        let (o, n) = (t["offset"].as_u64().unwrap() as usize, t["nbytes"].as_u64().unwrap() as usize);
        let out = codec.decode(jp2[o..o + n].to_vec(), None, &l).unwrap();
        assert_eq!(sha(&out), t["decoded_sha256_u16le_1024x1024"].as_str().unwrap(), "real tile {}", t["tile"]);
    }
}

#[test]
fn codecs_reject_garbage_with_typed_errors() {
    let l = Limits::default();
    let c = Jpeg2kCodec::from_config(&serde_json::json!({})).unwrap();
    for bad in [vec![], vec![0xFF, 0x4F, 0xFF, 0x51, 0, 2], b"\0\0\0\x0cjP  \r\n\x87\n\0\0\0\x08jp2c".to_vec()] {
        let e = c.decode(bad, None, &l).unwrap_err();
        assert_eq!(e.kind(), rangetile::ErrorKind::Format, "{e}");
    }
    let s = S2VirtualJp2Codec;
    assert!(s.decode(vec![0xFF, 0x90, 0, 10], None, &l).is_err());
    assert!(s.decode(vec![0xFF, 0x90, 0, 10, 0, 200, 0, 0, 0, 20, 0, 1, 0xFF, 0x93], None, &l).is_err());
}

#[test]
fn tlm_inserted_without_updating_the_box_length() {
    // The reference indexer's `--full-jp2` output: TLM inserted, jp2c LBox not updated.
    let dir = testdata().join("codecs/s2-virtual-jp2");
    let exp: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let src = jp2_common::MemSource::from_file(&dir.join("T99XXX_20250101T000000_B03_10m_with_TLM.jp2"));
    let img = futures::executor::block_on(jp2_common::open(src, None)).unwrap();
    assert_eq!(img.tile_index_source(), rangetile::jp2::TileIndexSource::Tlm);
    for (k, tx, ty) in [(0usize, 0u32, 0u32), (120, 10, 10)] {
        let t = &exp["tiles"][k];
        let d = futures::executor::block_on(img.read_tile(tx, ty, 0)).unwrap();
        assert_eq!(sha(&d.samples.to_le_bytes()), t["decoded_valid_region_sha256_u16le"].as_str().unwrap(), "tile {k}");
    }
}
