//! Whole-tile decoding under small limits: open the file from memory, then decode the
//! first tile (full and lowest resolution) and the last one through the tile recipe and
//! the OpenJPEG port, and apply the palette. Every output plane must have the size its
//! recipe implies and stay under the decoded-bytes cap. Input: the file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::jp2_tile_decode(data));
