//! Native fault coverage (issue 9): over the range server, a Zarr array of several
//! chunks is read chunk by chunk while ONE chunk's object is faulty: HTTP 403, HTTP 500
//! on every attempt, a body cut short on every attempt, a 206 whose Content-Range is not
//! the one asked for, or corrupt bytes. Exactly the reads touching that object fail, with
//! the typed error the fault implies; every other chunk reads the same values as a clean
//! read (whose sha256 matches the corpus). A fault that goes away (500 twice, then 200)
//! is retried and read correctly. The same for one tile of a tiled JP2: its tile-part
//! request fails (403, 500, cut body, bad Content-Range, stalled past the timeout), the
//! other tiles decode to the corpus values.

mod common;

use async_trait::async_trait;
use bytes::Bytes;
use common::{block_selections, expected_sha, testdata, RangeServer};
use rangetile::error::{IoError, Jp2Error, ZarrError};
use rangetile::io::{ByteRange, HttpClient, RangeOptions, RangeSource, Store};
use rangetile::jp2::{Jp2Image, Jp2Options};
use rangetile::zarr::digest::sha256_hex;
use rangetile::zarr::Array;
use rangetile::{ErrorKind, Limits};
use serde_json::Value;
use std::rc::Rc;

const ERA5_V2: &str = "/era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr";
const SHARDING: &str = "/codecs/sharding-v3/v3.zarr";

/// No coalescing, no cache (so each read's requests are its own), and a 1 s timeout
/// per attempt (the stalled-connection case).
fn client() -> HttpClient {
    HttpClient::new(RangeOptions { coalesce_gap: 0, cache_bytes: 0, timeout_ms: Some(1000), ..RangeOptions::default() })
}

/// What the error of a read touching the bad object must be.
type ErrCheck = dyn Fn(&ZarrError) -> bool;

/// What the error of a tile read touching the bad tile-part must be.
type Jp2ErrCheck = dyn Fn(&Jp2Error) -> bool;

/// How the one bad object misbehaves.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// A range-server fault spec applied to the object's URL.
    Server(&'static str),
    /// The object's bytes with `len` bytes at `at` (from the end when negative) zeroed.
    Corrupt { at: i64, len: usize },
}

/// Routes one key to a faulty store, the others to the clean one.
struct OneBadKey {
    clean: Rc<dyn Store>,
    faulty: Rc<dyn Store>,
    key: String,
    corrupt: Option<(i64, usize)>,
}

impl OneBadKey {
    fn damage(&self, b: Bytes) -> Bytes {
        let Some((at, len)) = self.corrupt else { return b };
        let mut v = b.to_vec();
        let i = if at < 0 { v.len() as i64 + at } else { at } as usize;
        v[i..i + len].iter_mut().for_each(|x| *x = 0);
        Bytes::from(v)
    }
}

#[async_trait(?Send)]
impl Store for OneBadKey {
    fn describe(&self, key: &str) -> String {
        self.clean.describe(key)
    }
    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError> {
        if key != self.key {
            return self.clean.get(key, max).await;
        }
        Ok(self.faulty.get(key, max).await?.map(|b| self.damage(b)))
    }
    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        if key != self.key {
            return self.clean.get_ranges(key, ranges).await;
        }
        if self.corrupt.is_none() {
            return self.faulty.get_ranges(key, ranges).await;
        }
        // Corrupt the whole object, then slice: damage lands where it is in the file.
        let Some(b) = self.faulty.get(key, u64::MAX).await? else { return Ok(None) };
        let b = self.damage(b);
        ranges
            .iter()
            .map(|r| r.resolve(b.len() as u64).map(|(s, e)| b.slice(s as usize..e as usize)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

/// An HTTP error with `status`, tagged `Http`.
fn http(e: &ZarrError, status: u16) -> bool {
    matches!(e, ZarrError::Io(IoError::Http { status: s, .. }) if *s == status) && e.kind() == ErrorKind::Http
}

/// A body cut short on every attempt: `Truncated` (or the transport's `Network` error), tagged `Http`.
fn truncated(e: &ZarrError) -> bool {
    matches!(e, ZarrError::Io(IoError::Truncated { .. } | IoError::Network { .. })) && e.kind() == ErrorKind::Http
}

/// Read `clean` block by block through a store where `bad_key` has `fault`; blocks for
/// which `is_bad` holds must fail with `kind`, the others must equal the clean read.
/// Returns the number of failed reads.
#[allow(clippy::too_many_arguments)]
async fn read_with_one_bad_object(
    server: &RangeServer,
    base: &str,
    clean: &Array,
    bad_key: &str,
    fault: Fault,
    block: &[u64],
    is_bad: &dyn Fn(&[u64]) -> bool,
    want_err: &dyn Fn(&ZarrError) -> bool,
) -> usize {
    let c = client();
    let clean_store: Rc<dyn Store> = Rc::new(c.store(server.at(base)));
    let (faulty, corrupt): (Rc<dyn Store>, _) = match fault {
        Fault::Server(spec) => (Rc::new(c.store(server.fault(spec, base))), None),
        Fault::Corrupt { at, len } => (clean_store.clone(), Some((at, len))),
    };
    let store: Rc<dyn Store> = Rc::new(OneBadKey { clean: clean_store, faulty, key: bad_key.into(), corrupt });
    let a = Array::from_metadata(store, clean.path(), clean.metadata().clone(), Limits::default()).unwrap();
    let mut failed = 0;
    for (coords, sel) in block_selections(clean.shape(), block) {
        let want = clean.get(&sel).await.unwrap();
        match a.get(&sel).await {
            Ok(got) => {
                assert!(!is_bad(&coords), "{fault:?}: block {coords:?} read as data");
                assert_eq!(got, want, "{fault:?}: block {coords:?} differs from the clean read");
            }
            Err(e) => {
                assert!(is_bad(&coords), "{fault:?}: block {coords:?} failed though its object is fine: {e}");
                assert!(want_err(&e), "{fault:?}: block {coords:?}: unexpected error {e:?}");
                failed += 1;
            }
        }
    }
    failed
}

#[tokio::test(flavor = "current_thread")]
async fn one_faulty_chunk_of_a_v2_array_fails_alone() {
    let server = RangeServer::start(&testdata());
    let c = client();
    let clean = Array::open(Rc::new(c.store(server.at(ERA5_V2))), "t2m").await.unwrap();
    assert_eq!(
        sha256_hex(&clean.get_all().await.unwrap()),
        expected_sha(&testdata().join("era5/era5-2mt-2019-03-uk_first240h_v2_blosc.zarr.expected.json"), "t2m")
    );
    // 10 chunks of 24x33x49 along time; chunk 3 is the faulty one.
    let block = [24, 33, 49];
    let bad = |c: &[u64]| c[0] == 3;
    let cases: [(Fault, &ErrCheck); 4] = [
        (Fault::Server("status=403"), &|e| http(e, 403)),
        (Fault::Server("status=500"), &|e| http(e, 500)),
        (Fault::Server("truncate=100"), &truncated),
        // The blosc header's frame size (cbytes) zeroed: not a frame of this length.
        (Fault::Corrupt { at: 12, len: 4 }, &|e| matches!(e, ZarrError::Codec { .. }) && e.kind() == ErrorKind::Format),
    ];
    for (fault, want) in cases {
        let failed = read_with_one_bad_object(&server, ERA5_V2, &clean, "t2m/3.0.0", fault, &block, &bad, want).await;
        assert_eq!(failed, 1, "{fault:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn one_faulty_shard_of_a_v3_array_fails_alone() {
    let server = RangeServer::start(&testdata());
    let c = client();
    let path = "sharded_zstd_crc_index_end";
    let clean = Array::open(Rc::new(c.store(server.at(SHARDING))), path).await.unwrap();
    let v: Value =
        serde_json::from_slice(&std::fs::read(testdata().join("codecs/sharding-v3/expected.json")).unwrap()).unwrap();
    assert_eq!(sha256_hex(&clean.get_all().await.unwrap()), v["arrays"][path]["expected_sha256"].as_str().unwrap());
    // 100x130 in shards of 64x64 (2x3 shards; c/1/1 and c/1/2 are absent: fill), inner
    // chunks 16x32. Shard c/1/0 (rows 64..100, columns 0..64) is bad: read inner chunk by
    // inner chunk (7x5 reads), the 3x2 in that shard fail.
    let key = format!("{path}/c/1/0");
    let block = [16, 32];
    let bad = |c: &[u64]| c[0] >= 4 && c[1] <= 1;
    let cases: [(Fault, &ErrCheck); 8] = [
        (Fault::Server("status=403"), &|e| http(e, 403)),
        (Fault::Server("status=500"), &|e| http(e, 500)),
        (Fault::Server("truncate=10"), &truncated),
        // 200 with the whole shard to a range request (whole downloads not allowed).
        (Fault::Server("ignore-range"), &|e| {
            matches!(e, ZarrError::Io(IoError::NotPartial { .. })) && e.kind() == ErrorKind::RangeNotSupported
        }),
        (Fault::Server("status=416"), &|e| {
            matches!(e, ZarrError::Io(IoError::RangeNotSatisfiable { .. } | IoError::Http { status: 416, .. }))
                && e.kind() == ErrorKind::Http
        }),
        // A connection that never answers: the attempt times out (not retried).
        (Fault::Server("stall"), &|e| {
            matches!(e, ZarrError::Io(IoError::Timeout { .. })) && e.kind() == ErrorKind::Aborted
        }),
        (Fault::Server("bad-content-range"), &|e| {
            matches!(e, ZarrError::Io(IoError::BadContentRange { .. })) && e.kind() == ErrorKind::Http
        }),
        // The index's crc32c (the last 4 bytes) zeroed.
        (Fault::Corrupt { at: -4, len: 4 }, &|e| e.kind() == ErrorKind::Checksum),
    ];
    for (fault, want) in cases {
        let failed = read_with_one_bad_object(&server, SHARDING, &clean, &key, fault, &block, &bad, want).await;
        assert_eq!(failed, 3 * 2, "{fault:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_passing_server_error_is_retried_and_read_correctly() {
    let server = RangeServer::start(&testdata());
    let c = client();
    let clean = Array::open(Rc::new(c.store(server.at(ERA5_V2))), "t2m").await.unwrap();
    let failed = read_with_one_bad_object(
        &server,
        ERA5_V2,
        &clean,
        "t2m/3.0.0",
        Fault::Server("status=503,times=2"),
        &[24, 33, 49],
        &|_| false,
        &|_| false,
    )
    .await;
    assert_eq!(failed, 0);
    // Two 503s, then the 200 that was read.
    let statuses: Vec<u16> =
        server.log().iter().filter(|e| e.path.starts_with("/__fault/")).map(|e| e.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

/// Routes reads touching the byte range `bad` to a faulty source, the rest to a clean one.
struct OneBadRange {
    clean: Rc<dyn RangeSource>,
    faulty: Rc<dyn RangeSource>,
    bad: (u64, u64),
}

#[async_trait(?Send)]
impl RangeSource for OneBadRange {
    fn location(&self) -> &str {
        self.clean.location()
    }
    async fn len(&self) -> Result<u64, IoError> {
        self.clean.len().await
    }
    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        let len = self.clean.len().await?;
        let touches = ranges.iter().any(|r| r.resolve(len).is_ok_and(|(s, e)| s < self.bad.1 && e > self.bad.0));
        if touches {
            self.faulty.get_ranges(ranges).await
        } else {
            self.clean.get_ranges(ranges).await
        }
    }
    async fn get_all(&self, max: u64) -> Result<Bytes, IoError> {
        self.clean.get_all(max).await
    }
}

/// Component 0 of a decoded tile as the corpus hashes it: u16 little-endian samples.
fn u16_sha(img: &rangetile::jp2::DecodedImage) -> String {
    use sha2::Digest;
    let bytes: Vec<u8> = match &img.samples {
        rangetile::jp2::Samples::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        other => panic!("expected u16 samples, got {:?}", std::mem::discriminant(other)),
    };
    hex::encode(sha2::Sha256::digest(&bytes))
}

#[tokio::test(flavor = "current_thread")]
async fn one_faulty_tile_of_a_jp2_fails_alone() {
    // 2048 x 2048 in four 1024 x 1024 tiles, one tile-part each; tile 1's tile-part is
    // bytes [1148787, 1148787 + 239288) (the corpus' tile-parts table).
    let server = RangeServer::start(&testdata());
    let path = "/jp2/generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2";
    let expected: Value = serde_json::from_slice(
        &std::fs::read(testdata().join("jp2/generated-s2like/s2like_B04_2048_t1024_r5_TLM_PLT.jp2.expected.json"))
            .unwrap(),
    )
    .unwrap();
    let c = client();
    let clean_src: Rc<dyn RangeSource> = Rc::new(c.source(server.at(path)));
    let clean = Jp2Image::open(clean_src.clone(), Jp2Options::default()).await.unwrap();
    let mut want = Vec::new();
    for t in 0..4u32 {
        let tile = clean.read_tile(t % 2, t / 2, 0).await.unwrap();
        if let Some(e) = expected["tile_decodes"].as_array().unwrap().iter().find(|d| d["tile_index"] == t) {
            assert_eq!(u16_sha(&tile), e["components"][0]["sha256_c_order_le"].as_str().unwrap(), "tile {t}");
        }
        want.push(tile);
    }
    let bad = (1_148_787, 1_148_787 + 239_288);
    let cases: [(&str, &Jp2ErrCheck); 5] = [
        ("status=403", &|e| matches!(e, Jp2Error::Io(IoError::Http { status: 403, .. }))),
        ("status=500", &|e| matches!(e, Jp2Error::Io(IoError::Http { status: 500, .. }))),
        ("truncate=1000", &|e| matches!(e, Jp2Error::Io(IoError::Truncated { .. } | IoError::Network { .. }))),
        ("bad-content-range", &|e| matches!(e, Jp2Error::Io(IoError::BadContentRange { .. }))),
        ("stall", &|e| matches!(e, Jp2Error::Io(IoError::Timeout { .. }))),
    ];
    for (spec, want_err) in cases {
        let faulty: Rc<dyn RangeSource> = Rc::new(c.source(server.fault(spec, path)));
        let src: Rc<dyn RangeSource> = Rc::new(OneBadRange { clean: clean_src.clone(), faulty, bad });
        let img = Jp2Image::open(src, Jp2Options::default()).await.unwrap();
        for t in 0..4u32 {
            match img.read_tile(t % 2, t / 2, 0).await {
                Ok(tile) => {
                    assert_ne!(t, 1, "{spec}: tile 1 decoded");
                    assert_eq!(tile.samples, want[t as usize].samples, "{spec}: tile {t}");
                }
                Err(e) => {
                    assert_eq!(t, 1, "{spec}: tile {t} failed: {e}");
                    assert!(want_err(&e), "{spec}: unexpected error {e:?}");
                }
            }
        }
    }
}
