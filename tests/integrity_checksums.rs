//! Integrity: the checksums Zarr data carries (numcodecs `adler32` and `fletcher32`, the
//! v3 `crc32c` codec on inner chunks, the shard index's crc32c, the gzip member CRC-32)
//! are always verified when reading through the Zarr reader. Real corpus arrays are read
//! from a store that flips one bit of one object: every read touching that object fails
//! with a `Checksum` error (never data), and every other chunk still reads exactly the
//! values of the clean store (whose whole-array sha256 matches the corpus
//! `*.expected.json`).

use async_trait::async_trait;
use bytes::Bytes;
use futures::executor::block_on;
use rangetile::error::IoError;
use rangetile::io::{open_store, ByteRange, RangeOptions, Store};
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::Array;
use rangetile::ErrorKind;
use serde_json::Value;
use std::path::Path;
use std::rc::Rc;

mod common;
use common::{block_selections, expected_sha, testdata};

/// A store over another that flips bit `bit` of byte `at` (from the end when negative)
/// of object `key`.
struct FlipStore {
    inner: Rc<dyn Store>,
    key: String,
    at: i64,
    bit: u8,
}

impl FlipStore {
    async fn object(&self, key: &str) -> Result<Option<Bytes>, IoError> {
        let Some(b) = self.inner.get(key, u64::MAX).await? else { return Ok(None) };
        if key != self.key {
            return Ok(Some(b));
        }
        let mut v = b.to_vec();
        let i = if self.at < 0 { v.len() as i64 + self.at } else { self.at } as usize;
        v[i] ^= 1 << self.bit;
        Ok(Some(Bytes::from(v)))
    }
}

#[async_trait(?Send)]
impl Store for FlipStore {
    fn describe(&self, key: &str) -> String {
        self.inner.describe(key)
    }
    async fn get(&self, key: &str, _max: u64) -> Result<Option<Bytes>, IoError> {
        self.object(key).await
    }
    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        let Some(b) = self.object(key).await? else { return Ok(None) };
        ranges
            .iter()
            .map(|r| r.resolve(b.len() as u64).map(|(s, e)| b.slice(s as usize..e as usize)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn file_store(dir: &Path) -> Rc<dyn Store> {
    Rc::from(open_store(dir.to_str().unwrap(), RangeOptions::default()))
}

/// Check that flipping bit `bit` of byte `at` of `key` in the array at `dir/path` makes
/// exactly the reads in `bad` (chunk coordinates at the `chunk` granularity) fail with
/// `Checksum`, and leaves the others equal to the clean read. Returns the number of reads.
fn flipped_reads_fail_only_there(
    dir: &Path,
    path: &str,
    key: &str,
    at: i64,
    bit: u8,
    chunk: &[u64],
    bad: &dyn Fn(&[u64]) -> bool,
) -> usize {
    let clean_store = file_store(dir);
    let clean = block_on(Array::open(clean_store.clone(), path)).unwrap();
    let flipped_store: Rc<dyn Store> = Rc::new(FlipStore {
        inner: clean_store,
        key: format!("{path}/{key}").trim_start_matches('/').to_string(),
        at,
        bit,
    });
    let flipped = block_on(Array::open(flipped_store, path)).unwrap();
    let shape = clean.shape().to_vec();
    let mut reads = 0;
    for (coords, sel) in block_selections(&shape, chunk) {
        let want = block_on(clean.get(&sel)).unwrap();
        match block_on(flipped.get(&sel)) {
            Ok(got) => {
                assert!(!bad(&coords), "{path}: chunk {coords:?} read as data after flipping {key}[{at}] bit {bit}");
                assert_eq!(got, want, "{path}: chunk {coords:?} differs");
            }
            Err(e) => {
                assert!(bad(&coords), "{path}: chunk {coords:?} failed though {key} is not its object: {e}");
                assert_eq!(e.kind(), ErrorKind::Checksum, "{path}: chunk {coords:?}: {e}");
            }
        }
        reads += 1;
    }
    reads
}

#[test]
fn numcodecs_adler32_and_fletcher32_mismatches_are_checksum_errors() {
    let base = testdata().join("zarr/zarrs/v3_zarr_python");
    for name in ["array_adler32.zarr", "array_fletcher32.zarr"] {
        let dir = base.join(name);
        let a = block_on(Array::open(file_store(&dir), "")).unwrap();
        assert_eq!(
            sha256_hex(&block_on(a.get_all()).unwrap()),
            expected_sha(&base.join(format!("{name}.expected.json")), "")
        );
        // Every byte of chunk c/0/1 (100 data bytes + the 4-byte checksum), one bit each.
        let len = std::fs::metadata(dir.join("c/0/1")).unwrap().len() as i64;
        assert_eq!(len, 104);
        let mut reads = 0;
        for at in 0..len {
            reads += flipped_reads_fail_only_there(&dir, "", "c/0/1", at, (at % 8) as u8, &[5, 5], &|c| c == [0, 1]);
        }
        assert_eq!(reads, 4 * 104);
    }
}

#[test]
fn inner_chunk_crc32c_mismatch_fails_that_inner_chunk_only() {
    // Shards of 2x32x32 with inner chunks 1x16x16 (bytes, gzip, crc32c), index without crc.
    let dir = testdata().join("codecs/sharding-v3/v3.zarr");
    let path = "sharded_gzip_crc32c_inner_index_nocrc";
    let a = block_on(Array::open(file_store(&dir), path)).unwrap();
    let v: Value =
        serde_json::from_slice(&std::fs::read(dir.parent().unwrap().join("expected.json")).unwrap()).unwrap();
    assert_eq!(sha256_hex(&block_on(a.get_all()).unwrap()), v["arrays"][path]["expected_sha256"].as_str().unwrap());
    // The extent of the first inner chunk (0, 0, 0) of shard c/0/0/0 from the index: the
    // last 16 n bytes hold little-endian (offset, nbytes) pairs.
    let shard = std::fs::read(dir.join(path).join("c/0/0/0")).unwrap();
    let n = 2 * 2 * 2; // inner chunks per shard: 2x2x2
    let index = &shard[shard.len() - 16 * n..];
    // The first non-empty entry k is the inner chunk (k/4, k/2 % 2, k % 2), C order.
    let (k, off, nbytes) = (0..n)
        .map(|k| {
            let e = &index[16 * k..16 * k + 16];
            (
                k as u64,
                u64::from_le_bytes(e[0..8].try_into().unwrap()),
                u64::from_le_bytes(e[8..16].try_into().unwrap()),
            )
        })
        .find(|(_, off, _)| *off != u64::MAX)
        .unwrap();
    let inner = [k / 4, k / 2 % 2, k % 2];
    assert!(nbytes > 8);
    // Flip a bit in the inner chunk's compressed body, then one in its crc32c.
    for at in [off as i64 + 3, (off + nbytes - 2) as i64] {
        let reads = flipped_reads_fail_only_there(&dir, path, "c/0/0/0", at, 2, &[1, 16, 16], &|c| c == inner);
        assert_eq!(reads, 5 * 3 * 4);
    }
}

#[test]
fn shard_index_crc32c_mismatch_fails_that_shard_only() {
    let base = testdata().join("zarr");
    let dir = base.join("zarrita-js_v3_data.zarr");
    let path = "2d.chunked.compressed.sharded.i2";
    let a = block_on(Array::open(file_store(&dir), path)).unwrap();
    assert_eq!(
        sha256_hex(&block_on(a.get_all()).unwrap()),
        expected_sha(&base.join("zarrita-js_v3_data.zarr.expected.json"), path)
    );
    // Shards of 2x2 over a 4x4 array, inner chunks 1x1; the index (4 entries + crc32c) at
    // the end of each shard. Flip a bit of an index entry and one of the crc itself: every
    // inner chunk of shard c/1/0 fails, the other shards read.
    for at in [-20i64, -3] {
        let reads =
            flipped_reads_fail_only_there(&dir, path, "c/1/0", at, 5, &[1, 1], &|c| c[0] / 2 == 1 && c[1] / 2 == 0);
        assert_eq!(reads, 16);
    }
}

#[test]
fn gzip_member_crc32_mismatch_is_a_checksum_error() {
    let base = testdata().join("zarr/zarrs/v3_zarr_python");
    let dir = base.join("array_gzip.zarr");
    let a = block_on(Array::open(file_store(&dir), "")).unwrap();
    assert_eq!(
        sha256_hex(&block_on(a.get_all()).unwrap()),
        expected_sha(&base.join("array_gzip.zarr.expected.json"), "")
    );
    let chunk: Vec<u64> = a.chunk_shape().to_vec();
    // The CRC-32 is the 8th..5th last byte of the member (before ISIZE).
    for at in [-8i64, -5] {
        flipped_reads_fail_only_there(&dir, "", "c/0/0", at, 0, &chunk, &|c| c.iter().all(|x| *x == 0));
    }
}
