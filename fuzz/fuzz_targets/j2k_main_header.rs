//! The J2K main header parser (SIZ, COD/COC, QCD/QCC, TLM, PPM, ... with segment length
//! checks) fed a codestream prefix, as the opener does: short prefixes must ask for more
//! (`NeedMore`) or fail, never read past `available`. Also SOT parsing and tile-part
//! retargeting at every SOT marker found in the input, and the standalone header built
//! for each tile. Input: a codestream (starting at SOC).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::j2k_main_header(data));
