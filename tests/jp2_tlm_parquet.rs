//! The TLM-index Parquet of specs/s2-virtual-jp2.md (pyarrow-written: SNAPPY pages,
//! dictionary encoding) read with the crate's Parquet reader, and used as the external
//! tile-part index of `Jp2Image`: each row's `index` equals the reference indexer's
//! `.tlm`, and the tile-parts it gives equal the expected offsets and lengths.

mod jp2_common;

use jp2_common::{corpus, open, testdata, MemSource};
use rangetile::jp2::{tlm_index_parquet, ExternalIndex, TileIndexSource};
use rangetile::Limits;
use serde_json::Value;

fn json(p: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn synthetic_band_index_from_parquet() {
    let dir = testdata().join("codecs/s2-virtual-jp2");
    let exp = json(&dir.join("expected.json"));
    let rows =
        tlm_index_parquet(&std::fs::read(dir.join("T99XXX_tlm_index.parquet")).unwrap(), &Limits::default()).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.product_id, exp["product_id"].as_str().unwrap());
    assert_eq!(row.band_id, "B03");
    assert!(row.path.ends_with("T99XXX_20250101T000000_B03_10m.jp2"), "{}", row.path);
    let tlm = std::fs::read(dir.join("T99XXX_20250101T000000_B03_10m.tlm")).unwrap();
    assert_eq!(row.index, ExternalIndex::Tlm(tlm));

    let src = MemSource::from_file(&dir.join("T99XXX_20250101T000000_B03_10m.jp2"));
    let img = futures::executor::block_on(open(src, Some(row.index.clone()))).unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::Index);
    let tiles = exp["tiles"].as_array().unwrap();
    assert_eq!(tiles.len(), 121);
    for t in tiles {
        let parts = img.tile_index().parts_of(t["tile"].as_u64().unwrap() as u32);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].offset, t["offset"].as_u64().unwrap());
        assert_eq!(parts[0].length, t["nbytes"].as_u64().unwrap());
    }
}

#[test]
fn real_band_index_from_parquet() {
    let dir = testdata().join("codecs/s2-virtual-jp2");
    let rows =
        tlm_index_parquet(&std::fs::read(dir.join("real_T29UNU_tlm_index.parquet")).unwrap(), &Limits::default())
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].band_id, "AOT");
    let tlm = std::fs::read(dir.join("real_T29UNU_20221005T115411_AOT_10m.tlm")).unwrap();
    assert_eq!(rows[0].index, ExternalIndex::Tlm(tlm));

    let f = corpus().join("sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_10m.jp2");
    let exp = json(&corpus().join("sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_10m.jp2.expected.json"));
    let img = futures::executor::block_on(open(MemSource::from_file(&f), Some(rows[0].index.clone()))).unwrap();
    assert_eq!(img.tile_index_source(), TileIndexSource::Index);
    let got: Vec<(u64, u64, u64)> =
        img.tile_index().parts.iter().map(|p| (u64::from(p.tile), p.offset, p.length)).collect();
    let want: Vec<(u64, u64, u64)> = exp["tile_parts_table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_u64().unwrap(), r[3].as_u64().unwrap(), r[4].as_u64().unwrap()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn mutated_parquet_never_panics() {
    let l = Limits::default();
    assert!(tlm_index_parquet(b"PAR1 not really PAR1", &l).is_err());
    // Every byte of both files set to a few values, and every truncation: an error or
    // a result, never a panic (the reader's allocations are capped by the limits).
    let dir = testdata().join("codecs/s2-virtual-jp2");
    for f in ["T99XXX_tlm_index.parquet", "real_T29UNU_tlm_index.parquet"] {
        let bytes = std::fs::read(dir.join(f)).unwrap();
        let mut errors = 0;
        for i in 0..bytes.len() {
            for v in [0x00u8, 0xFF, bytes[i] ^ 0x01, bytes[i].wrapping_add(0x40)] {
                let mut m = bytes.clone();
                m[i] = v;
                errors += usize::from(tlm_index_parquet(&m, &l).is_err());
            }
            errors += usize::from(tlm_index_parquet(&bytes[..i], &l).is_err());
        }
        assert!(errors > bytes.len(), "{f}: {errors} errors");
    }
}
