//! Split invariance of the range planner and client: the same byte ranges read through
//! an HTTP client whose requests are coalesced (large gap) and through one that sends
//! every range alone (gap 0, no cache) give the same bytes, equal to slicing the object
//! directly; a range past the end is clipped in both or fails in both. The fake transport
//! answers like a conforming server (206 with Content-Range). Input: 2 bytes of object
//! size, 1 byte of gap choice, then ranges as (start u16, len u8) triples; a len of 0
//! means a suffix range of `start` bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::split_invariance(data));
