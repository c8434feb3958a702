//! Blosc frames (header, block offsets, split streams, every inner compressor, shuffle
//! and bitshuffle), with and without the expected size the pipeline knows. Input: the
//! frame; its last byte (when the frame is at least 17 bytes) says whether to pass the
//! header's own size as the expected size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::codecs::blosc::{decompress, BloscHeader};

fuzz_target!(|data: &[u8]| {
    let limits = rangetile_fuzz::small_limits();
    let _ = BloscHeader::parse(data);
    if let Ok(out) = decompress(data, None, &limits) {
        assert!(out.len() as u64 <= limits.max_decoded_chunk_bytes);
    }
    // The declared size (bytes 4..8) as the expected one: must match exactly or fail.
    if let Some(n) = data.get(4..8) {
        let n = u64::from(u32::from_le_bytes([n[0], n[1], n[2], n[3]]));
        if let Ok(out) = decompress(data, Some(n), &limits) {
            assert_eq!(out.len() as u64, n);
        }
    }
});
