//! Georeferencing: GMLJP2 (Sentinel-2 `asoc`/`xml` RectifiedGrid) and GeoJP2 (uuid box
//! with a GeoTIFF), checked against the values the files carry.

mod jp2_common;

use jp2_common::{corpus, open, MemSource};
use rangetile::jp2::georef::GeorefSource;

fn georef(path: &str) -> Option<rangetile::jp2::Georef> {
    let img = futures::executor::block_on(open(MemSource::from_file(&corpus().join(path)), None)).unwrap();
    img.georef().cloned()
}

#[test]
fn sentinel2_gmljp2() {
    let g = georef("sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_10m.jp2").unwrap();
    assert_eq!(g.source, GeorefSource::GmlJp2);
    assert_eq!(g.epsg, Some(32629));
    // Tile T29UNU: upper-left corner 499980, 5900040 at 10 m.
    assert_eq!(g.transform, [499980.0, 10.0, 0.0, 5900040.0, 0.0, -10.0]);
    let g = georef("sentinel2-l2a-T29UNU/T29UNU_20221005T115411_AOT_60m.jp2").unwrap();
    assert_eq!(g.transform, [499980.0, 60.0, 0.0, 5900040.0, 0.0, -60.0]);
}

#[test]
fn geojp2_uuid_box() {
    let g = georef("openjpeg-nonregression/byte.jph").unwrap();
    // GDAL's byte.tif: NAD27 / UTM 11N, 60 m pixels.
    assert_eq!(g.source, GeorefSource::GeoJp2);
    assert_eq!(g.epsg, Some(26711));
    assert_eq!(g.transform, [440720.0, 60.0, 0.0, 3751320.0, 0.0, -60.0]);
    // The world in WGS 84 at 0.9°; this file also has GMLJP2, GeoJP2 is preferred.
    let g = georef("openjpeg-nonregression/small_world_non_consecutive_tilepart_tlm.jp2").unwrap();
    assert_eq!(g.source, GeorefSource::GeoJp2);
    assert_eq!(g.epsg, Some(4326));
    assert_eq!(g.transform, [-180.0, 0.9, 0.0, 90.0, 0.0, -0.9]);
}

#[test]
fn absent_georef_is_none() {
    assert!(georef("openjpeg-conformance/file4.jp2").is_none());
    assert!(georef("openjpeg-conformance/p0_01.j2k").is_none());
}
