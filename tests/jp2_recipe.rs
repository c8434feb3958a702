//! Fetching and decoding are separate: a tile's recipe (plain data, serialisable) and
//! its fetched bytes decode, through the pure `decode_tile`, to what `read_tile` gives.

mod jp2_common;

use jp2_common::{corpus, open, MemSource};
use rangetile::io::RangeSource;
use rangetile::jp2::image::decode_tile;
use rangetile::jp2::TileRecipe;

#[test]
fn a_recipe_travels_and_decodes_like_read_tile() {
    futures::executor::block_on(async {
        let src = MemSource::from_file(&corpus().join("openjpeg-conformance/p0_03.j2k"));
        let img = open(src.clone(), None).await.unwrap();
        for (tx, ty, level) in [(1, 0, 0), (0, 1, 1)] {
            let recipe = img.tile_recipe(tx, ty, level).unwrap();
            let json = serde_json::to_string(&recipe).unwrap();
            let back: TileRecipe = serde_json::from_str(&json).unwrap();
            assert_eq!(back, recipe);
            let bytes = src.get_ranges(&back.ranges().unwrap()).await.unwrap();
            let planes = decode_tile(&back, &bytes, img.limits()).unwrap();
            let direct = img.read_tile_components(tx, ty, level).await.unwrap();
            assert_eq!(planes, direct);
            assert_eq!((planes[0].width, planes[0].height), (128 >> level, 128 >> level));
        }
    });
}
