//! Untrusted input never panics: every corpus metadata document truncated at every
//! length and with bytes flipped, and garbage shards and chunks, give `Ok` or a typed
//! error, never a panic or an unbounded allocation.

use futures::executor::block_on;
use rangetile::io::{FileStore, Store};
use rangetile::zarr::metadata::{parse_json, parse_v2_consolidated, parse_v3_node, ArrayMetadata};
use rangetile::zarr::{Array, Selection};
use rangetile::Limits;
use std::path::{Path, PathBuf};
use std::rc::Rc;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata")
}

fn metadata_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            metadata_files(&p, out);
        } else if matches!(p.file_name().and_then(|n| n.to_str()), Some("zarr.json" | ".zarray" | ".zmetadata")) {
            out.push(p);
        }
    }
}

fn parse_any(bytes: &[u8], limits: &Limits) {
    let Ok(doc) = parse_json(bytes, "x", limits) else { return };
    let _ = parse_v3_node(&doc, "x", limits);
    let _ = ArrayMetadata::from_v2(&doc, None, "x", limits);
    let _ = parse_v2_consolidated(&doc, "x", limits);
}

#[test]
fn mutated_metadata_never_panics() {
    let mut files = Vec::new();
    metadata_files(&testdata().join("zarr"), &mut files);
    metadata_files(&testdata().join("codecs/sharding-v3"), &mut files);
    files.sort();
    let limits = Limits::default();
    let mut n = 0;
    for f in files.iter().take(60) {
        let bytes = std::fs::read(f).unwrap();
        if bytes.len() > 20_000 {
            continue;
        }
        for cut in (0..bytes.len()).step_by(7) {
            parse_any(&bytes[..cut], &limits);
            n += 1;
        }
        // Replace digits with other digits (sizes, shapes) and flip structural bytes.
        for i in (0..bytes.len()).step_by(5) {
            let mut b = bytes.clone();
            b[i] = match b[i] {
                b'0'..=b'8' => b[i] + 1,
                b'9' => b'0',
                b'[' => b'{',
                b'"' => b'\'',
                other => other ^ 0x20,
            };
            parse_any(&b, &limits);
            n += 1;
        }
    }
    println!("{n} mutated documents parsed without panicking");
}

#[test]
fn garbage_chunks_and_shards_give_errors_not_panics() {
    // Copy a few corpus arrays' metadata next to garbage chunk files.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("zarr-garbage");
    let arrays = [
        ("codecs/sharding-v3/v3.zarr/sharded_zstd_crc_index_end", "c/0/0"),
        ("codecs/sharding-v3/v3.zarr/sharded_zstd_crc_index_start", "c/0/0"),
        ("codecs/sharding-v3/v3.zarr/sharded_gzip_crc32c_inner_index_nocrc", "c/0/0/0"),
        ("codecs/sharding-v3/v3.zarr/sharded_blosc_bitshuffle_u2", "c/0/0"),
        ("codecs/sharding-v3/v3.zarr/sharded_nested_u1", "c/0/0"),
        ("codecs/sharding-v3/v3.zarr/transpose_bytes_be_gzip", "c/0/0/0"),
    ];
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut errors = 0;
    for (i, (src, key)) in arrays.iter().enumerate() {
        let dir = tmp.join(format!("a{i}"));
        std::fs::create_dir_all(dir.join(Path::new(key).parent().unwrap())).unwrap();
        std::fs::copy(testdata().join(src).join("zarr.json"), dir.join("zarr.json")).unwrap();
        let real = std::fs::read(testdata().join(src).join(key)).unwrap();
        for round in 0..24 {
            let mut b = real.clone();
            match round % 4 {
                0 => b.truncate((rand() as usize) % b.len().max(1)),
                1 => {
                    for _ in 0..8 {
                        let j = (rand() as usize) % b.len();
                        b[j] = rand() as u8;
                    }
                }
                2 => b = (0..(rand() % 4096)).map(|_| rand() as u8).collect(),
                _ => {
                    // Index entries with huge offsets/lengths (index at the end or start).
                    let n = b.len();
                    for k in 0..4 {
                        let at = if round % 8 < 4 { n.saturating_sub(20 + 8 * k) } else { 8 * k };
                        if at + 8 <= n {
                            b[at..at + 8].copy_from_slice(&rand().to_le_bytes());
                        }
                    }
                }
            }
            std::fs::write(dir.join(key), &b).unwrap();
            let store: Rc<dyn Store> = Rc::new(FileStore::new(&dir));
            let r = block_on(async { Array::open(store, "").await?.get(&Selection::all()).await });
            if r.is_err() {
                errors += 1;
            }
        }
    }
    println!("{errors} of {} garbage reads failed cleanly", arrays.len() * 24);
    assert!(errors > 0);
}
