//! Shared helpers of the jp2 tests: an in-memory `RangeSource` that counts requests,
//! and the corpus location.
#![allow(dead_code)]

use async_trait::async_trait;
use bytes::Bytes;
use rangetile::error::{IoError, Jp2Error};
use rangetile::io::{ByteRange, RangeSource};
use rangetile::jp2::{ExternalIndex, Jp2Image, Jp2Options};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// ../shared/testdata/jp2
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/jp2")
}

/// ../shared/testdata
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata")
}

/// An object in memory; every `get_ranges` call counts as one request (as if the
/// planner coalesced it).
pub struct MemSource {
    pub data: Bytes,
    pub requests: Cell<u32>,
    pub bytes: Cell<u64>,
}

impl MemSource {
    pub fn new(data: Vec<u8>) -> Rc<MemSource> {
        Rc::new(MemSource { data: Bytes::from(data), requests: Cell::new(0), bytes: Cell::new(0) })
    }

    pub fn from_file(p: &Path) -> Rc<MemSource> {
        Self::new(std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
    }
}

#[async_trait(?Send)]
impl RangeSource for MemSource {
    fn location(&self) -> &str {
        "memory"
    }

    async fn len(&self) -> Result<u64, IoError> {
        Ok(self.data.len() as u64)
    }

    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        self.requests.set(self.requests.get() + 1);
        let size = self.data.len() as u64;
        ranges
            .iter()
            .map(|r| {
                let (s, e) = r.resolve(size)?;
                self.bytes.set(self.bytes.get() + (e - s));
                Ok(self.data.slice(s as usize..e as usize))
            })
            .collect()
    }

    async fn get_all(&self, _max: u64) -> Result<Bytes, IoError> {
        self.requests.set(self.requests.get() + 1);
        Ok(self.data.clone())
    }
}

pub async fn open(src: Rc<MemSource>, index: Option<ExternalIndex>) -> Result<Jp2Image, Jp2Error> {
    Jp2Image::open(src, Jp2Options { tlm_index: index, ..Default::default() }).await
}
