//! Kerchunk JSON references (version 0 and 1: inline text/base64, `[url]`,
//! `[url, offset, length]`, templates, `gen` expansions), then the reference store as a
//! Zarr store: up to 64 keys are read from it (URL references go to a 4 KiB object in
//! memory, so offsets and lengths past its end must be errors). Input: the document.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::kerchunk_refs(data));
