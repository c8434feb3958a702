//! Kerchunk JSON references (version 0 and 1: inline text/base64, `[url]`,
//! `[url, offset, length]`, templates, `gen` expansions), then the reference store as a
//! Zarr store: up to 64 keys are read from it (URL references go to a 4 KiB object in
//! memory, so offsets and lengths past its end must be errors). Input: the document.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::io::Store;
use rangetile::refs::kerchunk::{ReferenceStore, References};
use rangetile_fuzz::{block_on, small_limits, MemSource};

fuzz_target!(|data: &[u8]| {
    let limits = small_limits();
    let Ok(refs) = References::parse(data, "mem://refs/refs.json", &limits) else { return };
    let keys: Vec<String> = refs.refs.keys().take(64).cloned().collect();
    let object = bytes::Bytes::from((0..4096u32).map(|i| i as u8).collect::<Vec<u8>>());
    let opener: rangetile::refs::kerchunk::SourceOpener = std::rc::Rc::new(move |_url: &str| {
        std::rc::Rc::new(MemSource { data: object.clone() }) as std::rc::Rc<dyn rangetile::io::RangeSource>
    });
    let store = ReferenceStore::new(refs, "mem://refs/refs.json", opener);
    for k in keys {
        if let Ok(Some(b)) = block_on(store.get(&k, 1 << 20)) {
            assert!(b.len() <= 1 << 20);
        }
    }
});
