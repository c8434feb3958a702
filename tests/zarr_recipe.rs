//! Decoding elsewhere: an `Array` with a `ChunkDecoder` hands every chunk (or inner
//! chunk of a shard) to it with a JSON-able recipe, as a worker pool would receive it,
//! and assembles the same result as inline decoding.

use async_trait::async_trait;
use bytes::Bytes;
use futures::executor::block_on;
use rangetile::codecs::ArrayBytes;
use rangetile::error::ZarrError;
use rangetile::io::{FileStore, Store};
use rangetile::zarr::{Array, ChunkDecoder, ChunkRecipe, CompiledRecipe, Group, Selection};
use rangetile::Limits;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

/// A stand-in for a worker: recipes arrive as JSON text and are compiled once each.
#[derive(Default)]
struct JsonWorker {
    compiled: RefCell<HashMap<String, Rc<CompiledRecipe>>>,
    calls: Cell<usize>,
    inner_calls: Cell<usize>,
}

#[async_trait(?Send)]
impl ChunkDecoder for JsonWorker {
    async fn decode(&self, key: &str, recipe: &ChunkRecipe, bytes: Bytes) -> Result<ArrayBytes, ZarrError> {
        let message = recipe.to_json().to_string();
        let compiled = {
            let cached = self.compiled.borrow().get(&message).cloned();
            match cached {
                Some(c) => c,
                None => {
                    let r = ChunkRecipe::from_json(&serde_json::from_str(&message).unwrap())?;
                    let c = Rc::new(r.compile(&Limits::default())?);
                    self.compiled.borrow_mut().insert(message, c.clone());
                    c
                }
            }
        };
        self.calls.set(self.calls.get() + 1);
        if recipe.inner {
            self.inner_calls.set(self.inner_calls.get() + 1);
        }
        compiled
            .decode(bytes.to_vec(), &Limits::default())
            .map_err(|e| ZarrError::Codec { path: key.into(), source: e })
    }
}

fn open(store: &str, path: &str) -> Array {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata").join(store);
    let s: Rc<dyn Store> = Rc::new(FileStore::new(root));
    block_on(async { Group::open(s, "").await.unwrap().open_array(path).await.unwrap() })
}

#[test]
fn a_chunk_decoder_gets_every_chunk_and_the_result_is_unchanged() {
    let cases = [
        ("era5/era5-2mt-2019-03-uk_first240h_v3_sharded_zstd.zarr", "t2m", 10, true),
        ("era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr", "t2m", 10, false),
        ("zarr/zarrita-js_v2_data.zarr", "3d.chunked.O", 4, false),
        ("codecs/sharding-v3/v3.zarr", "sharded_nested_u1", 4, true),
        ("codecs/sharding-v3/v3.zarr", "transpose_bytes_be_gzip", 8, false),
    ];
    for (store, path, chunks, inner) in cases {
        let inline = block_on(open(store, path).get(&Selection::all())).unwrap();
        let mut a = open(store, path);
        let worker = Rc::new(JsonWorker::default());
        a.set_decoder(worker.clone());
        let via_worker = block_on(a.get(&Selection::all())).unwrap();
        assert!(inline == via_worker, "{store}/{path}");
        assert_eq!(worker.calls.get(), chunks, "{store}/{path}");
        assert_eq!(worker.inner_calls.get() > 0, inner, "{store}/{path}");
        assert_eq!(worker.compiled.borrow().len(), 1);
    }
    assert!(ChunkRecipe::from_json(&serde_json::json!({"inner": true})).is_err());
}
