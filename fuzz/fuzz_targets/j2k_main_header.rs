//! The J2K main header parser (SIZ, COD/COC, QCD/QCC, TLM, PPM, ... with segment length
//! checks) fed a codestream prefix, as the opener does: short prefixes must ask for more
//! (`NeedMore`) or fail, never read past `available`. Also SOT parsing and tile-part
//! retargeting at every SOT marker found in the input, and the standalone header built
//! for each tile. Input: a codestream (starting at SOC).
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::jp2::codestream::{parse_main_header, parse_sot, retarget_tile_part, HeaderParse};

fuzz_target!(|data: &[u8]| {
    let limits = rangetile_fuzz::small_limits();
    let len = data.len() as u64;
    // The whole input, then a prefix as a read-ahead would see it.
    if let Ok(HeaderParse::Complete(h)) = parse_main_header(data, 0, len, &limits) {
        assert!(h.siz.num_tiles() <= limits.max_tiles);
        let mut n = 0;
        'outer: for q in 0..h.siz.tiles_down() {
            for p in 0..h.siz.tiles_across() {
                let _ = h.main_header_for_tile(h.siz.tile_rect(p, q));
                n += 1;
                if n > 16 {
                    break 'outer;
                }
            }
        }
    }
    let cut = data.len() / 2;
    if let Ok(HeaderParse::NeedMore(m)) = parse_main_header(&data[..cut], 0, len, &limits) {
        assert!(m > cut && m as u64 <= len, "NeedMore({m}) with {cut} of {len} bytes");
    }
    for (i, w) in data.windows(2).enumerate().take(4096) {
        if w == [0xFF, 0x90] {
            if let Ok(sot) = parse_sot(&data[i..], i as u64) {
                let end = (i as u64).saturating_add(u64::from(sot.psot)).min(len) as usize;
                let _ = retarget_tile_part(&data[i..end], i as u64, sot.isot, Some(1));
            }
        }
    }
});
