//! Limits (issue 9): every configurable cap gives `LimitExceeded { what, requested, max }`
//! with the input's numbers, BEFORE any large allocation or request. A counting global
//! allocator records the largest single allocation of the test's own thread; inputs
//! declare gigabytes while the calls may allocate at most a few hundred KiB.
//!
//! Caps covered: decoded bytes per chunk (metadata and shard), output bytes of a
//! selection, dimensions, chunks per selection, metadata document bytes, encoded bytes of
//! a chunk or an inner chunk, bytes in flight (one range, and all ranges of one read),
//! JPEG 2000 header read-ahead and header bytes, image side, tiles, decoded tile bytes.

use async_trait::async_trait;
use bytes::Bytes;
use futures::executor::block_on;
use rangetile::error::{CodecError, IoError, Jp2Error, LimitExceeded, ZarrError};
use rangetile::io::{
    ByteRange, CancelToken, HttpClient, HttpRequest, HttpResponse, Method, RangeOptions, RangeSource, Store, Transport,
};
use rangetile::jp2::codestream::{parse_main_header, HeaderParse};
use rangetile::jp2::{Jp2Image, Jp2Options};
use rangetile::zarr::hierarchy::OpenOptions;
use rangetile::zarr::{Array, Selection};
use rangetile::{ErrorKind, Limits};
use serde_json::{json, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// The system allocator, recording the largest allocation made by the current thread.
struct Peak;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.with(|l| l.set(l.get().max(layout.size())));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.with(|l| l.set(l.get().max(new_size)));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// Run `f`, returning its result and the largest allocation it made.
fn largest_alloc<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let r = f();
    (r, LARGEST.with(Cell::get))
}

const SMALL_ALLOC: usize = 512 * 1024;

/// Assert `r` failed with exactly this limit (and the `LimitExceeded` tag), allocating little.
fn assert_limit<T: std::fmt::Debug, E: HasLimit>(
    (r, largest): (Result<T, E>, usize),
    what: &str,
    requested: u64,
    max: u64,
) {
    let e = r.expect_err("expected LimitExceeded");
    assert_eq!(e.kind_tag(), ErrorKind::LimitExceeded, "{e:?}");
    let l = e.limit().unwrap_or_else(|| panic!("no LimitExceeded in {e:?}"));
    assert_eq!((l.what, l.requested, l.max), (what, requested, max), "{e:?}");
    assert!(largest < SMALL_ALLOC, "{what}: allocated {largest} bytes before failing");
}

/// The error tag and the `LimitExceeded` inside any layer's error.
trait HasLimit: std::fmt::Debug {
    fn kind_tag(&self) -> ErrorKind;
    fn limit(&self) -> Option<LimitExceeded>;
}
impl HasLimit for IoError {
    fn kind_tag(&self) -> ErrorKind {
        self.kind()
    }
    fn limit(&self) -> Option<LimitExceeded> {
        match self {
            IoError::LimitExceeded(l) => Some(l.clone()),
            _ => None,
        }
    }
}
impl HasLimit for ZarrError {
    fn kind_tag(&self) -> ErrorKind {
        self.kind()
    }
    fn limit(&self) -> Option<LimitExceeded> {
        match self {
            ZarrError::LimitExceeded(l) => Some(l.clone()),
            ZarrError::Io(e) => e.limit(),
            ZarrError::Codec { source: CodecError::LimitExceeded(l), .. } => Some(l.clone()),
            _ => None,
        }
    }
}
impl HasLimit for Jp2Error {
    fn kind_tag(&self) -> ErrorKind {
        self.kind()
    }
    fn limit(&self) -> Option<LimitExceeded> {
        match self {
            Jp2Error::LimitExceeded(l) => Some(l.clone()),
            Jp2Error::Io(e) => e.limit(),
            _ => None,
        }
    }
}

#[derive(Default)]
struct MemStore {
    objects: HashMap<String, Bytes>,
    gets: RefCell<Vec<String>>,
}

impl MemStore {
    fn json(mut self, key: &str, v: Value) -> Self {
        self.objects.insert(key.into(), Bytes::from(v.to_string()));
        self
    }
    fn with(mut self, key: &str, b: Vec<u8>) -> Self {
        self.objects.insert(key.into(), Bytes::from(b));
        self
    }
}

#[async_trait(?Send)]
impl Store for MemStore {
    fn describe(&self, key: &str) -> String {
        format!("mem://{key}")
    }
    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError> {
        self.gets.borrow_mut().push(key.into());
        match self.objects.get(key) {
            Some(b) => {
                rangetile::limits::check("object bytes", b.len() as u64, max)?;
                Ok(Some(b.clone()))
            }
            None => Ok(None),
        }
    }
    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        self.gets.borrow_mut().push(key.into());
        let Some(b) = self.objects.get(key) else { return Ok(None) };
        ranges
            .iter()
            .map(|r| r.resolve(b.len() as u64).map(|(s, e)| b.slice(s as usize..e as usize)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

fn v3(shape: Value, chunks: Value, dtype: &str, codecs: Value) -> Value {
    json!({"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": codecs})
}

fn open(store: MemStore, limits: Limits) -> Result<Array, ZarrError> {
    block_on(Array::open_with(Rc::new(store), "", &OpenOptions { limits, ..OpenOptions::default() }))
}

#[test]
fn decoded_chunk_bytes_are_capped_at_open() {
    // A 2^20 x 2^20 float64 chunk: 8 TiB declared.
    let store = MemStore::default().json(
        "zarr.json",
        v3(json!([1 << 20, 1 << 20]), json!([1 << 20, 1 << 20]), "float64", json!([{"name": "bytes"}])),
    );
    let d = Limits::default();
    assert_limit(largest_alloc(|| open(store, d.clone())), "decoded chunk bytes", 8 << 40, d.max_decoded_chunk_bytes);
}

#[test]
fn dimensions_are_capped() {
    let store = MemStore::default()
        .json("zarr.json", v3(json!(vec![1; 40]), json!(vec![1; 40]), "uint8", json!([{"name": "bytes"}])));
    assert_limit(largest_alloc(|| open(store, Limits::default())), "array dimensions", 40, 32);
}

#[test]
fn metadata_document_bytes_are_capped() {
    let store = MemStore::default().json("zarr.json", v3(json!([4]), json!([4]), "uint8", json!([{"name": "bytes"}])));
    let len = store.objects["zarr.json"].len() as u64;
    let limits = Limits { max_metadata_bytes: 64, ..Limits::default() };
    let (r, _) = largest_alloc(|| open(store, limits));
    let e = r.unwrap_err();
    let l = e.limit().unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!((l.requested, l.max), (len, 64), "{e}");
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
}

#[test]
fn output_bytes_and_chunks_per_selection_are_capped_before_any_read() {
    // 2^31 x 2^31 uint8 in 1x1 chunks; a 2^20 x 2^20 selection asks for 1 TiB of output
    // in 2^40 chunks.
    let store = MemStore::default()
        .json("zarr.json", v3(json!([1u64 << 31, 1u64 << 31]), json!([1, 1]), "uint8", json!([{"name": "bytes"}])));
    let a = open(store, Limits::default()).unwrap();
    let sel = Selection(vec![
        rangetile::zarr::DimSelection::Range(0, 1 << 20),
        rangetile::zarr::DimSelection::Range(0, 1 << 20),
    ]);
    assert_limit(largest_alloc(|| block_on(a.get(&sel))), "output bytes", 1 << 40, Limits::default().max_output_bytes);
    // With the output cap raised, the chunk count is the limit hit.
    let store = MemStore::default()
        .json("zarr.json", v3(json!([1u64 << 31, 1u64 << 31]), json!([1, 1]), "uint8", json!([{"name": "bytes"}])));
    let limits = Limits { max_output_bytes: u64::MAX, max_chunks_per_selection: 1000, ..Limits::default() };
    let a = open(store, limits).unwrap();
    let sel =
        Selection(vec![rangetile::zarr::DimSelection::Range(0, 100), rangetile::zarr::DimSelection::Range(0, 100)]);
    let (r, largest) = largest_alloc(|| block_on(a.get(&sel)));
    let e = r.unwrap_err();
    let l = e.limit().unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!((l.what, l.requested, l.max), ("chunks in one selection", 10_000, 1000), "{e}");
    assert!(largest < SMALL_ALLOC, "allocated {largest}");
}

#[test]
fn encoded_chunk_bytes_are_capped_by_the_store_read() {
    let store = MemStore::default()
        .json(
            "zarr.json",
            v3(
                json!([4096]),
                json!([4096]),
                "uint8",
                json!([{"name": "bytes"}, {"name": "gzip", "configuration": {"level": 1}}]),
            ),
        )
        .with("c/0", vec![0; 5000]);
    let limits = Limits { max_encoded_chunk_bytes: 4096, ..Limits::default() };
    let a = open(store, limits).unwrap();
    assert_limit(largest_alloc(|| block_on(a.get(&Selection::all()))), "object bytes", 5000, 4096);
}

#[test]
fn shard_inner_chunks_are_capped() {
    // A shard of 4 inner chunks whose index declares a 1 GiB inner chunk (the shard is
    // 100 bytes): refused from the index, nothing of that size is fetched or allocated.
    let codecs = json!([{"name": "sharding_indexed", "configuration": {"chunk_shape": [2],
        "codecs": [{"name": "bytes"}], "index_codecs": [{"name": "bytes"}], "index_location": "start"}}]);
    let mut shard = Vec::new();
    for k in 0..4u64 {
        let (off, n) = if k == 1 { (64, 1u64 << 30) } else { (u64::MAX, u64::MAX) };
        shard.extend_from_slice(&off.to_le_bytes());
        shard.extend_from_slice(&n.to_le_bytes());
    }
    shard.extend_from_slice(&[0; 36]);
    let store = MemStore::default().json("zarr.json", v3(json!([8]), json!([8]), "uint8", codecs)).with("c/0", shard);
    let limits = Limits { max_encoded_chunk_bytes: 1 << 20, ..Limits::default() };
    let a = open(store, limits).unwrap();
    let (r, largest) = largest_alloc(|| block_on(a.get(&Selection::all())));
    let e = r.unwrap_err();
    assert!(largest < SMALL_ALLOC, "allocated {largest}");
    // Either the inner chunk's size or its place past the shard's end is refused.
    assert!(matches!(e.kind(), ErrorKind::LimitExceeded | ErrorKind::Format), "{e}");
}

/// A transport over one object, logging requests.
struct Fake {
    data: Bytes,
    log: RefCell<Vec<Option<ByteRange>>>,
}

#[async_trait(?Send)]
impl Transport for Fake {
    async fn send(&self, req: &HttpRequest, _cancel: &CancelToken) -> Result<HttpResponse, IoError> {
        self.log.borrow_mut().push(req.range);
        let total = self.data.len() as u64;
        if req.method == Method::Head {
            return Ok(HttpResponse { status: 200, content_length: Some(total), ..Default::default() });
        }
        let (s, e) = req.range.map_or(Ok((0, total)), |r| r.resolve(total))?;
        Ok(HttpResponse {
            status: 206,
            content_range: Some(format!("bytes {}-{}/{}", s, e - 1, total)),
            content_length: Some(e - s),
            body: self.data.slice(s as usize..e as usize),
            overflow: false,
        })
    }
    async fn sleep(&self, _ms: u64) {}
}

#[test]
fn bytes_in_flight_are_capped_before_any_request() {
    let fake = Rc::new(Fake { data: Bytes::from(vec![7u8; 1 << 16]), log: RefCell::default() });
    let limits = Limits { max_in_flight_bytes: 1 << 20, ..Limits::default() };
    let c = HttpClient::with_transport(fake.clone(), RangeOptions { limits, coalesce_gap: 0, ..Default::default() });
    let src = c.source("http://h/o");
    // One range of 1 GiB.
    let r = largest_alloc(|| block_on(src.get_range(ByteRange::new(0, 1 << 30).unwrap())));
    assert_limit(r, "bytes in flight of one read", 1 << 30, 1 << 20);
    // Three ranges of 600 KiB, far apart (not coalesced): 1.8 MiB in flight at once.
    let ranges: Vec<ByteRange> = (0..3u64).map(|i| ByteRange::from_offset_len(i << 30, 600 << 10).unwrap()).collect();
    let r = largest_alloc(|| block_on(src.get_ranges(&ranges)));
    assert_limit(r, "bytes in flight of one read", 3 * (600 << 10), 1 << 20);
    assert!(fake.log.borrow().is_empty(), "requests were sent: {:?}", fake.log.borrow());
    // Within the cap it reads.
    assert_eq!(block_on(src.get_range(ByteRange::new(10, 20).unwrap())).unwrap(), Bytes::from(vec![7u8; 10]));
}

/// SOC + SIZ of a one-component 8-bit image (`w` x `h`, tiles `tw` x `th`), then COD,
/// QCD and a COM segment of `com` bytes.
fn codestream(w: u32, h: u32, tw: u32, th: u32, com: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0x4F, 0xFF, 0x51];
    v.extend_from_slice(&41u16.to_be_bytes());
    v.extend_from_slice(&0u16.to_be_bytes());
    for x in [w, h, 0, 0, tw, th, 0, 0] {
        v.extend_from_slice(&x.to_be_bytes());
    }
    v.extend_from_slice(&1u16.to_be_bytes());
    v.extend_from_slice(&[7, 1, 1]);
    // COD: LRCP, 1 layer, no MCT, 5 levels, 64x64 blocks, 5/3.
    v.extend_from_slice(&[0xFF, 0x52, 0, 12, 0, 0, 0, 1, 0, 5, 4, 4, 0, 1]);
    // QCD: no quantisation, guard bits 1, 16 subbands.
    v.extend_from_slice(&[0xFF, 0x5C, 0, 19, 0x20]);
    v.extend_from_slice(&[0x40; 16]);
    if com > 0 {
        v.extend_from_slice(&[0xFF, 0x64]);
        v.extend_from_slice(&((com + 4) as u16).to_be_bytes());
        v.extend_from_slice(&[0, 1]);
        v.extend(std::iter::repeat(b'x').take(com));
    }
    v
}

#[test]
fn jpeg2000_image_side_and_tiles_are_capped() {
    let d = Limits::default();
    let cs = codestream(1 << 30, 16, 1 << 30, 16, 0);
    let r = largest_alloc(|| parse_main_header(&cs, 0, cs.len() as u64, &d));
    assert_limit(r, "JPEG 2000 image width", 1 << 30, d.max_image_side);
    // 8192 x 8192 in 4x4 tiles: 4 Mi tiles.
    let cs = codestream(8192, 8192, 4, 4, 0);
    let r = largest_alloc(|| parse_main_header(&cs, 0, cs.len() as u64, &d));
    assert_limit(r, "JPEG 2000 tiles", 1 << 22, d.max_tiles);
    // A sane header (ended by a tile-part) parses.
    let mut cs = codestream(64, 64, 64, 64, 0);
    cs.extend_from_slice(&[0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 14, 0, 1, 0xFF, 0x93, 0xFF, 0xD9]);
    assert!(matches!(parse_main_header(&cs, 0, cs.len() as u64, &d), Ok(HeaderParse::Complete(_))));
}

/// A source over bytes, logging each requested range.
struct LoggedSource {
    data: Bytes,
    log: RefCell<Vec<ByteRange>>,
}

#[async_trait(?Send)]
impl RangeSource for LoggedSource {
    fn location(&self) -> &str {
        "mem://img.j2k"
    }
    async fn len(&self) -> Result<u64, IoError> {
        Ok(self.data.len() as u64)
    }
    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        self.log.borrow_mut().extend_from_slice(ranges);
        ranges
            .iter()
            .map(|r| r.resolve(self.data.len() as u64).map(|(s, e)| self.data.slice(s as usize..e as usize)))
            .collect()
    }
    async fn get_all(&self, _max: u64) -> Result<Bytes, IoError> {
        Ok(self.data.clone())
    }
}

#[test]
fn jpeg2000_header_read_ahead_and_header_bytes_are_capped() {
    // A main header with a 60000-byte comment, opened with a 512-byte read-ahead and a
    // 16 KiB header cap: the first request is exactly the read-ahead, and the header is
    // refused once it needs more than 16 KiB.
    let mut cs = codestream(64, 64, 64, 64, 60_000);
    cs.extend_from_slice(&[0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 14, 0, 1, 0xFF, 0x93, 0xFF, 0xD9]);
    let src = Rc::new(LoggedSource { data: Bytes::from(cs), log: RefCell::default() });
    let limits = Limits { header_read_ahead: 512, max_header_bytes: 16 << 10, ..Limits::default() };
    let (r, largest) = largest_alloc(|| block_on(Jp2Image::open(src.clone(), Jp2Options { limits, tlm_index: None })));
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    let l = e.limit().unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(l.max, 16 << 10, "{e}");
    assert!(l.requested > 16 << 10, "{e}");
    assert!(largest < 64 << 10, "allocated {largest}");
    let log = src.log.borrow();
    assert_eq!(log[0], ByteRange::new(0, 512).unwrap());
    let fetched: u64 = log.iter().map(ByteRange::len).sum();
    assert!(fetched <= (16 << 10) + 512, "fetched {fetched} bytes: {log:?}");
}

#[test]
fn jpeg2000_decoded_tile_bytes_are_capped_before_decoding() {
    // A 4096 x 4096 one-tile image: 64 MiB of i32 samples, refused before the decoder runs
    // (which would allocate them) under a 1 MiB cap.
    let mut cs = codestream(4096, 4096, 4096, 4096, 0);
    cs.extend_from_slice(&[0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 14, 0, 1, 0xFF, 0x93, 0xFF, 0xD9]);
    let limits = Limits { max_decoded_chunk_bytes: 1 << 20, ..Limits::default() };
    let r = largest_alloc(|| rangetile::jp2::decode::decode_codestream(&cs, 0, &limits));
    assert_limit(r, "decoded JPEG 2000 bytes", 4096 * 4096 * 4, 1 << 20);
}
