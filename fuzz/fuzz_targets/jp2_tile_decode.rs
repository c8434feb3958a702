//! Whole-tile decoding under small limits: open the file from memory, then decode the
//! first tile (full and lowest resolution) and the last one through the tile recipe and
//! the OpenJPEG port, and apply the palette. Every output plane must have the size its
//! recipe implies and stay under the decoded-bytes cap. Input: the file.
#![no_main]
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use rangetile::io::RangeSource;
use rangetile::jp2::{Jp2Image, Jp2Options};
use rangetile::Limits;
use rangetile_fuzz::{block_on, small_limits, MemSource};
use std::rc::Rc;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_decoded_chunk_bytes: 1 << 20, max_output_bytes: 1 << 20, ..small_limits() };
    let source: Rc<dyn RangeSource> = Rc::new(MemSource { data: Bytes::copy_from_slice(data) });
    let Ok(img) = block_on(Jp2Image::open(source, Jp2Options { limits: limits.clone(), tlm_index: None })) else {
        return;
    };
    let last = (img.tiles_across().saturating_sub(1), img.tiles_down().saturating_sub(1));
    for (tx, ty, level) in [(0, 0, 0), (0, 0, img.levels()), (last.0, last.1, 0)] {
        if let Ok(planes) = block_on(img.read_tile_components(tx, ty, level)) {
            let bytes: usize = planes.iter().map(|p| p.data.len() * 4).sum();
            assert!(bytes as u64 <= limits.max_decoded_chunk_bytes.saturating_mul(4), "{bytes} decoded bytes");
            let _ = img.apply_palette(planes);
        }
    }
});
