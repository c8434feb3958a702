//! The virtual-Zarr writer (`rangetile refs`): kerchunk references whose chunks are JP2
//! tiles decode, through the `rangetile_jp2_tile` codec, to the tiles `Jp2Image` reads
//! (zero-padded to the chunk shape at the edges); files sharing a grid and coding
//! parameters are stacked, others become separate arrays.

mod jp2_common;

use jp2_common::{corpus, open, MemSource};
use rangetile::codecs::BytesToBytesCodec;
use rangetile::jp2::codec::Jp2TileCodec;
use rangetile::jp2::virtual_zarr::kerchunk_refs;
use rangetile::jp2::Jp2Image;
use rangetile::Limits;
use serde_json::Value;

const AOT60: &str = "sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2";
const SCL60: &str = "sentinel2-l2a-T29UNU/T29UNU_20221005T115411_SCL_60m.jp2";
const TCI60: &str = "sentinel2-l2a-T29UNU/T29UNU_20221005T115411_TCI_60m.jp2";

fn img(p: &str) -> Jp2Image {
    futures::executor::block_on(open(MemSource::from_file(&corpus().join(p)), None)).unwrap()
}

/// Decode chunk `key` of array `name` and compare with the tile read directly.
fn check_chunk(refs: &Value, name: &str, key: &str, image: &Jp2Image, tx: u32, ty: u32) {
    let r = &refs["refs"];
    let zarray: Value = serde_json::from_str(r[format!("{name}/.zarray")].as_str().unwrap()).unwrap();
    let codec = Jp2TileCodec::from_config(&zarray["compressor"]).unwrap();
    let chunk = r[format!("{name}/{key}")].as_array().unwrap();
    let path = chunk[0].as_str().unwrap();
    let (o, n) = (chunk[1].as_u64().unwrap() as usize, chunk[2].as_u64().unwrap() as usize);
    let bytes = std::fs::read(path).unwrap()[o..o + n].to_vec();
    let shape: Vec<u64> = zarray["chunks"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
    let item = image.sample_type().size() as u64;
    let expected_size = shape.iter().product::<u64>() * item;
    let out = codec.decode(bytes, Some(expected_size), &Limits::default()).unwrap();
    let tile = futures::executor::block_on(image.read_tile(tx, ty, 0)).unwrap();
    let px = (tile.components as usize) * item as usize;
    let (tw, cw) = (tile.width as usize * px, image.tile_width() as usize * px);
    let src = tile.samples.to_le_bytes();
    for row in 0..image.tile_height() as usize {
        let got = &out[row * cw..(row + 1) * cw];
        if row < tile.height as usize {
            assert_eq!(&got[..tw], &src[row * tw..(row + 1) * tw], "{name}/{key} row {row}");
            assert!(got[tw..].iter().all(|&b| b == 0));
        } else {
            assert!(got.iter().all(|&b| b == 0));
        }
    }
}

#[test]
fn refs_stack_files_of_one_grid() {
    let a = img(AOT60);
    let url = corpus().join(AOT60).display().to_string();
    let refs = kerchunk_refs(&[(url.clone(), &a), (url.clone(), &a)]).unwrap();
    let zarray: Value = serde_json::from_str(refs["refs"]["data/.zarray"].as_str().unwrap()).unwrap();
    assert_eq!(zarray["shape"], serde_json::json!([2, 1830, 1830]));
    assert_eq!(zarray["chunks"], serde_json::json!([1, 192, 192]));
    assert_eq!(zarray["dtype"], "<u2");
    // 2 × 100 chunk references + group and array metadata.
    assert_eq!(refs["refs"].as_object().unwrap().len(), 200 + 4);
    check_chunk(&refs, "data", "1.0.0", &a, 0, 0);
    check_chunk(&refs, "data", "0.9.9", &a, 9, 9); // 1830 = 9×192 + 102: an edge tile
}

#[test]
fn refs_keep_different_files_apart() {
    let (a, s, t) = (img(AOT60), img(SCL60), img(TCI60));
    let u = |p: &str| corpus().join(p).display().to_string();
    let refs = kerchunk_refs(&[(u(AOT60), &a), (u(SCL60), &s), (u(TCI60), &t)]).unwrap();
    let r = &refs["refs"];
    let scl: Value = serde_json::from_str(r["T29UNU_20221005T115411_SCL_60m/.zarray"].as_str().unwrap()).unwrap();
    assert_eq!(scl["dtype"], "|u1");
    let tci: Value = serde_json::from_str(r["T29UNU_20221005T115411_TCI_60m/.zarray"].as_str().unwrap()).unwrap();
    assert_eq!(tci["shape"], serde_json::json!([1830, 1830, 3]));
    let attrs: Value = serde_json::from_str(r["T29UNU_20221005T115411_SCL_60m/.zattrs"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["georef"]["epsg"], 32629);
    check_chunk(&refs, "T29UNU_20221005T115411_SCL_60m", "4.5", &s, 5, 4);
    check_chunk(&refs, "T29UNU_20221005T115411_TCI_60m", "7.7.0", &t, 7, 7);
}
