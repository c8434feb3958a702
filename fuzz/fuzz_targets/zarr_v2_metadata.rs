//! Zarr v2 metadata: `.zarray` (+ `.zattrs`) parsing, the v2→v3 codec chain mapping and
//! pipeline construction, and `.zmetadata` consolidated documents. Input: the document.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::zarr_v2_metadata(data));
