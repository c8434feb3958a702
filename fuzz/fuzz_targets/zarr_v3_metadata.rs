//! Zarr v3 metadata: `zarr.json` of arrays and groups (with consolidated metadata),
//! data types, fill values, chunk key encodings, codec lists (sharding included) and
//! the chunk recipe built from them. Input: the document.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::zarr::metadata::{parse_json, parse_v3_node, NodeMetadata};
use rangetile::zarr::pipeline::CodecPipeline;
use rangetile::zarr::recipe::ChunkRecipe;

fuzz_target!(|data: &[u8]| {
    let limits = rangetile_fuzz::small_limits();
    let Ok(doc) = parse_json(data, "a", &limits) else { return };
    let Ok((NodeMetadata::Array(meta), _)) = parse_v3_node(&doc, "a", &limits) else { return };
    let _ = meta.grid_shape();
    let _ = meta.chunk_key_encoding.key(&vec![1; meta.ndim()]);
    if CodecPipeline::from_metadata(&meta, "a", &limits).is_ok() {
        for inner in [false, true] {
            let recipe = ChunkRecipe::new(&meta, inner);
            if let Ok(c) = ChunkRecipe::from_json(&recipe.to_json()).and_then(|r| r.compile(&limits)) {
                if let Ok(rangetile::codecs::ArrayBytes::Fixed(b)) = c.decode(vec![0; 16], &limits) {
                    assert!(b.len() as u64 <= limits.max_decoded_chunk_bytes);
                }
            }
        }
    }
});
