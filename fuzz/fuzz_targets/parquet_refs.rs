//! The Parquet reader of kerchunk Parquet references and TLM-index Parquet files (see
//! `rangetile_fuzz::parquet_refs`). Input: the file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::parquet_refs(data));
