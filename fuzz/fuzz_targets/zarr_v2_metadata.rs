//! Zarr v2 metadata: `.zarray` (+ `.zattrs`) parsing, the v2→v3 codec chain mapping and
//! pipeline construction, and `.zmetadata` consolidated documents. Input: the document.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::zarr::metadata::{parse_json, parse_v2_consolidated, ArrayMetadata};
use rangetile::zarr::pipeline::CodecPipeline;
use rangetile::zarr::recipe::ChunkRecipe;

fuzz_target!(|data: &[u8]| {
    let limits = rangetile_fuzz::small_limits();
    let Ok(doc) = parse_json(data, "a", &limits) else { return };
    let _ = parse_v2_consolidated(&doc, "", &limits);
    let attrs = doc.get(".zattrs").cloned();
    if let Ok(meta) = ArrayMetadata::from_v2(&doc, attrs.as_ref(), "a", &limits) {
        let _ = meta.grid_shape();
        let _ = meta.codecs_json();
        if CodecPipeline::from_metadata(&meta, "a", &limits).is_ok() {
            let recipe = ChunkRecipe::new(&meta, false);
            if let Ok(c) = ChunkRecipe::from_json(&recipe.to_json()).and_then(|r| r.compile(&limits)) {
                // Decoding an empty chunk must give a typed error or a capped value.
                if let Ok(rangetile::codecs::ArrayBytes::Fixed(b)) = c.decode(Vec::new(), &limits) {
                    assert!(b.len() as u64 <= limits.max_decoded_chunk_bytes);
                }
            }
        }
    }
});
