//! Zarr v3 metadata: `zarr.json` of arrays and groups (with consolidated metadata),
//! data types, fill values, chunk key encodings, codec lists (sharding included) and
//! the chunk recipe built from them. Input: the document.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::zarr_v3_metadata(data));
