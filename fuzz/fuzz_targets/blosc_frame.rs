//! Blosc frames (header, block offsets, split streams, every inner compressor, shuffle
//! and bitshuffle), with and without the expected size the pipeline knows. Input: the
//! frame; its last byte (when the frame is at least 17 bytes) says whether to pass the
//! header's own size as the expected size.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::blosc_frame(data));
