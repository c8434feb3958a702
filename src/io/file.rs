//! Local files as a [`RangeSource`] and directories as a [`Store`] (native only, for the
//! CLI and tests), and [`open_source`] / [`open_store`], which pick HTTP(S) or a file
//! from a URL or path.
//!
//! Ranges are clipped at the end of the file as HTTP clips them (RFC 9110 §14.1.2), and
//! every read is checked against the file's size before anything is allocated.

use super::client::HttpClient;
use super::planner::RangeOptions;
use super::stats::{count_bytes, count_request};
use super::{ByteRange, RangeSource, Store};
use crate::error::{IoError, LimitExceeded};
use async_trait::async_trait;
use bytes::Bytes;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

/// One local file.
#[derive(Debug, Clone)]
pub struct FileSource {
    path: PathBuf,
    location: String,
}

impl FileSource {
    /// The file at `path` (opened on each read).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let location = path.display().to_string();
        FileSource { path, location }
    }

    fn io_err(&self, e: &std::io::Error) -> IoError {
        if e.kind() == std::io::ErrorKind::NotFound {
            IoError::NotFound { url: self.location.clone() }
        } else {
            IoError::Network { url: self.location.clone(), message: e.to_string() }
        }
    }

    fn read_at(&self, file: &mut std::fs::File, start: u64, end: u64) -> Result<Bytes, IoError> {
        let len = usize::try_from(end - start)
            .map_err(|_| IoError::InvalidRange { reason: format!("{start}..{end} does not fit in memory") })?;
        let mut buf = vec![0u8; len];
        file.seek(SeekFrom::Start(start)).map_err(|e| self.io_err(&e))?;
        file.read_exact(&mut buf).map_err(|e| self.io_err(&e))?;
        count_request(None);
        count_bytes(None, len as u64);
        Ok(Bytes::from(buf))
    }
}

#[async_trait(?Send)]
impl RangeSource for FileSource {
    fn location(&self) -> &str {
        &self.location
    }

    async fn len(&self) -> Result<u64, IoError> {
        std::fs::metadata(&self.path).map(|m| m.len()).map_err(|e| self.io_err(&e))
    }

    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError> {
        let mut file = std::fs::File::open(&self.path).map_err(|e| self.io_err(&e))?;
        let size = file.metadata().map_err(|e| self.io_err(&e))?.len();
        ranges
            .iter()
            .map(|r| {
                let (start, end) = r.resolve(size).map_err(|_| IoError::RangeNotSatisfiable {
                    url: self.location.clone(),
                    range: r.header_value(),
                })?;
                self.read_at(&mut file, start, end)
            })
            .collect()
    }

    async fn get_all(&self, max: u64) -> Result<Bytes, IoError> {
        let mut file = std::fs::File::open(&self.path).map_err(|e| self.io_err(&e))?;
        let size = file.metadata().map_err(|e| self.io_err(&e))?.len();
        if size > max {
            return Err(LimitExceeded { what: "object bytes", requested: size, max }.into());
        }
        if size == 0 {
            return Ok(Bytes::new());
        }
        self.read_at(&mut file, 0, size)
    }
}

/// A directory whose files are the store's objects (`key` = relative path).
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// The store rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileStore { root: root.into() }
    }

    /// The path of `key`, refusing keys that leave the root.
    ///
    /// # Errors
    /// [`IoError::InvalidRange`] for `..`, absolute or otherwise escaping keys.
    pub fn path_of(&self, key: &str) -> Result<PathBuf, IoError> {
        let rel = Path::new(key.trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
            return Err(IoError::InvalidRange { reason: format!("store key {key:?} leaves the store") });
        }
        Ok(self.root.join(rel))
    }

    fn source(&self, key: &str) -> Result<Option<FileSource>, IoError> {
        let p = self.path_of(key)?;
        Ok(p.is_file().then(|| FileSource::new(p)))
    }
}

#[async_trait(?Send)]
impl Store for FileStore {
    fn describe(&self, key: &str) -> String {
        self.root.join(key.trim_start_matches('/')).display().to_string()
    }

    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError> {
        match self.source(key)? {
            None => Ok(None),
            Some(s) => match s.get_all(max).await {
                Err(IoError::NotFound { .. }) => Ok(None),
                r => r.map(Some),
            },
        }
    }

    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError> {
        match self.source(key)? {
            None => Ok(None),
            Some(s) => match s.get_ranges(ranges).await {
                Err(IoError::NotFound { .. }) => Ok(None),
                r => r.map(Some),
            },
        }
    }
}

fn is_http(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

fn local_path(s: &str) -> &str {
    s.strip_prefix("file://").unwrap_or(s)
}

/// An object by URL (`http://`, `https://`) or local path (optionally `file://`).
pub fn open_source(url_or_path: &str, options: RangeOptions) -> Box<dyn RangeSource> {
    if is_http(url_or_path) {
        Box::new(HttpClient::new(options).source(url_or_path))
    } else {
        Box::new(FileSource::new(local_path(url_or_path)))
    }
}

/// A store by base URL (`http://`, `https://`) or local directory (optionally `file://`).
pub fn open_store(url_or_path: &str, options: RangeOptions) -> Box<dyn Store> {
    if is_http(url_or_path) {
        Box::new(HttpClient::new(options).store(url_or_path))
    } else {
        Box::new(FileStore::new(local_path(url_or_path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn fixture() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rangetile-file-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("my group")).unwrap();
        std::fs::write(dir.join("my group/data.bin"), (0..=255u8).collect::<Vec<_>>()).unwrap();
        dir
    }

    #[test]
    fn file_source_and_store() {
        let dir = fixture();
        let src = FileSource::new(dir.join("my group/data.bin"));
        assert_eq!(block_on(src.len()).unwrap(), 256);
        let got = block_on(src.get_ranges(&[ByteRange::new(10, 13).unwrap(), ByteRange::Suffix(2)])).unwrap();
        assert_eq!((&got[0][..], &got[1][..]), (&[10u8, 11, 12][..], &[254u8, 255][..]));
        assert_eq!(
            &block_on(src.get_range(ByteRange::new(250, 300).unwrap())).unwrap()[..],
            &[250, 251, 252, 253, 254, 255]
        );
        assert!(matches!(
            block_on(src.get_range(ByteRange::new(256, 300).unwrap())),
            Err(IoError::RangeNotSatisfiable { .. })
        ));
        assert!(matches!(block_on(src.get_all(255)), Err(IoError::LimitExceeded(_))));
        let store = open_store(dir.to_str().unwrap(), RangeOptions::default());
        assert_eq!(block_on(store.get("my group/data.bin", 1000)).unwrap().unwrap().len(), 256);
        assert!(block_on(store.get("my group/missing", 1000)).unwrap().is_none());
        assert!(block_on(store.get_ranges("nope", &[ByteRange::Suffix(1)])).unwrap().is_none());
        assert!(matches!(block_on(store.get("../etc/passwd", 10)), Err(IoError::InvalidRange { .. })));
        let missing = FileSource::new(dir.join("none"));
        assert!(matches!(block_on(missing.len()), Err(IoError::NotFound { .. })));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
