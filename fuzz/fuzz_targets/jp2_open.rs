//! Opening a JP2/J2K file from an in-memory range source under small limits: the box
//! walk (ftyp, jp2h/ihdr/colr/pclr/cmap, uuid, xml, jp2c), the main header, the
//! tile-part index from TLM or, without one, the SOT walk, the georeferencing boxes, and
//! every tile's recipe (its byte ranges must lie inside the file). Input: the file.
#![no_main]
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rangetile::io::RangeSource;
use rangetile::jp2::{Jp2Image, Jp2Options};
use rangetile_fuzz::{block_on, small_limits, MemSource};
use std::rc::Rc;

fuzz_target!(|data: &[u8]| {
    let source: Rc<dyn RangeSource> = Rc::new(MemSource { data: Bytes::copy_from_slice(data) });
    let options = Jp2Options { limits: small_limits(), tlm_index: None };
    let Ok(img) = block_on(Jp2Image::open(source, options)) else { return };
    let len = data.len() as u64;
    assert!(img.codestream_end() <= len);
    for p in &img.tile_index().parts {
        assert!(p.offset.checked_add(p.length).is_some_and(|e| e <= len), "{p:?} past {len}");
    }
    let _ = img.index_json();
    let _ = block_on(img.walk_sot());
    let (across, down) = (img.tiles_across(), img.tiles_down());
    let mut n = 0;
    'tiles: for ty in 0..down {
        for tx in 0..across {
            for level in [0, img.levels()] {
                if let Ok(r) = img.tile_recipe(tx, ty, level) {
                    for range in r.ranges().unwrap_or_default() {
                        let (_, e) = range.resolve(len).expect("recipe range inside the file");
                        assert!(e <= len);
                    }
                }
            }
            n += 1;
            if n >= 64 {
                break 'tiles;
            }
        }
    }
});
