//! Sharding (`sharding_indexed`): the shard index (entries, crc32c, start/end location,
//! both byte orders) and whole-shard decoding with inner codecs, under the shapes and
//! configurations of the corpus' sharded arrays (so its shards are valid seeds). Every
//! input is tried against every configuration.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::shard_index(data));
