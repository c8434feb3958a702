//! A Sentinel-2 band exposed as a virtual Zarr array by kerchunk references into its JP2
//! file (testdata codecs/s2-virtual-jp2, made by Kayrros jp2io): the `s3://` target is
//! mapped onto the range server through a custom opener, tiles are read through the Zarr
//! reader and the `jp2io.zarr.Sentinel2Jpeg2000Codec` codec, and each tile costs exactly
//! one range request of its tile-part.

mod common;

use common::{testdata, RangeServer};
use rangetile::io::{HttpClient, RangeOptions, RangeSource, Store};
use rangetile::refs::{ReferenceStore, SourceOpener};
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::{DimSelection, Group, Selection};
use rangetile::Limits;
use serde_json::Value;
use std::rc::Rc;

#[tokio::test(flavor = "current_thread")]
async fn virtual_jp2_tiles_read_through_references() {
    let dir = testdata().join("codecs/s2-virtual-jp2");
    let server = RangeServer::start(&dir);
    let expected: Value = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let json = std::fs::read(dir.join("T99XXX_B03.kerchunk.json")).unwrap();
    let client = HttpClient::new(RangeOptions { coalesce_gap: 0, cache_bytes: 0, ..RangeOptions::default() });
    let base = server.url.clone();
    let c = client.clone();
    let opener: SourceOpener = Rc::new(move |target: &str| -> Rc<dyn RangeSource> {
        let name = target.rsplit('/').next().unwrap_or(target);
        Rc::new(c.source(format!("{base}/{name}")))
    });
    let refs = ReferenceStore::from_json(&json, "s3://DIAS/synthetic/refs.json", opener, &Limits::default()).unwrap();
    let store: Rc<dyn Store> = Rc::new(refs);
    let band = Group::open(store, "").await.unwrap().open_array("B03").await.unwrap();
    assert_eq!(band.shape(), &[10980, 10980]);
    assert_eq!(band.dimension_names().unwrap(), &[Some("y".to_string()), Some("x".to_string())]);
    for tile in expected["tiles"].as_array().unwrap() {
        let t = tile["tile"].as_u64().unwrap();
        if ![0, 1, 12, 120].contains(&t) {
            continue;
        }
        let (ty, tx) = (t / 11, t % 11);
        let sel = Selection(vec![
            DimSelection::Range(ty * 1024, ((ty + 1) * 1024).min(10980)),
            DimSelection::Range(tx * 1024, ((tx + 1) * 1024).min(10980)),
        ]);
        server.reset();
        let d = band.get(&sel).await.unwrap();
        assert_eq!(sha256_hex(&d), tile["decoded_valid_region_sha256_u16le"].as_str().unwrap(), "tile {t}");
        let log = server.log();
        let (offset, nbytes) = (tile["offset"].as_u64().unwrap(), tile["nbytes"].as_u64().unwrap());
        assert_eq!(log.len(), 1, "tile {t}: {log:?}");
        assert_eq!(log[0].range.as_deref(), Some(format!("bytes={offset}-{}", offset + nbytes - 1).as_str()));
        println!("tile {t}: 1 request, {} bytes, sha256 ok", log[0].bytes);
    }
}
