//! Sharding (`sharding_indexed`): the shard index (entries, crc32c, start/end location,
//! both byte orders) and whole-shard decoding with inner codecs, under the shapes and
//! configurations of the corpus' sharded arrays (so its shards are valid seeds). Every
//! input is tried against every configuration.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::codecs::{ArrayBytes, ChunkRepr};
use rangetile::zarr::data_type::{DataType, FillValue};
use rangetile::zarr::sharding::ShardingCodec;
use serde_json::{json, Value};

fn configs() -> Vec<(Value, Vec<u64>, DataType, usize)> {
    vec![
        (
            json!({"chunk_shape": [16, 32], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                {"name": "zstd", "configuration": {"level": 3}}],
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                "index_location": "end"}),
            vec![64, 64],
            DataType::Float32,
            4,
        ),
        (
            json!({"chunk_shape": [16, 24], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                {"name": "blosc", "configuration": {"typesize": 2, "cname": "lz4", "clevel": 5, "shuffle": "bitshuffle", "blocksize": 0}}],
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "big"}}, {"name": "crc32c"}],
                "index_location": "end"}),
            vec![48, 48],
            DataType::UInt16,
            2,
        ),
        (
            json!({"chunk_shape": [2, 2], "codecs": [{"name": "bytes"}, {"name": "gzip", "configuration": {"level": 1}}, {"name": "crc32c"}],
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                "index_location": "start"}),
            vec![4, 6],
            DataType::Int16,
            2,
        ),
        (
            json!({"chunk_shape": [8, 8], "codecs": [{"name": "sharding_indexed", "configuration": {
                    "chunk_shape": [4, 4], "codecs": [{"name": "bytes"}],
                    "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}], "index_location": "start"}}],
                "index_codecs": [{"name": "bytes"}, {"name": "crc32c"}], "index_location": "end"}),
            vec![16, 16],
            DataType::UInt8,
            1,
        ),
    ]
}

fuzz_target!(|data: &[u8]| {
    let limits = rangetile_fuzz::small_limits();
    for (config, shape, data_type, elem) in configs() {
        let codec = ShardingCodec::from_config(Some(&config), "s", &limits).expect("config builds");
        let n: u64 = codec.chunks_per_shard(&shape).expect("shape divides").iter().product();
        let size = codec.index_size(n, &limits).expect("index size");
        // The index alone, at the end or the start of the input.
        if data.len() as u64 >= size {
            let tail = data[data.len() - size as usize..].to_vec();
            if let Ok(index) = codec.decode_index(tail, n, Some(data.len() as u64), "s", &limits) {
                assert_eq!(index.len() as u64, n);
                for k in 0..index.len() {
                    if let Some((off, len)) = index.get(k) {
                        assert!(off.checked_add(len).is_some_and(|e| e <= data.len() as u64));
                    }
                }
            }
            let _ = codec.decode_index(data[..size as usize].to_vec(), n, None, "s", &limits);
        }
        let repr = ChunkRepr { shape: shape.clone(), data_type, fill_value: FillValue::Fixed(vec![0; elem]) };
        if let Ok(ArrayBytes::Fixed(out)) = codec.decode_shard(data, &repr, "s", &limits) {
            assert_eq!(out.len() as u64, shape.iter().product::<u64>() * elem as u64);
        }
    }
});
