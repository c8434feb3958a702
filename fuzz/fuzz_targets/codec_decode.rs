//! Every decoder of the codec registry, chosen by the first input byte from
//! `rangetile_fuzz::codec_table()`; the next two bytes give the decoded chunk's element
//! count (array codecs), the third whether the pipeline passes an expected size
//! (bytes→bytes codecs). The output must never exceed its cap; in-place decoding
//! (`decode_into`) must agree with `decode`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::codec_decode(data));
