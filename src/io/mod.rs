//! Range I/O: fetch only the bytes a read needs.
//!
//! Layers, bottom up:
//! - [`ByteRange`]: a validated byte range (bounded or suffix).
//! - A transport that performs one HTTP request (`fetch` in wasm, a real HTTP client
//!   natively) and whose responses are validated: a range request must get a 206 with a
//!   matching `Content-Range` (RFC 9110 §15.3.7, §14.4); a 200 is `NotPartial` unless the
//!   caller allowed whole downloads (capped by `Limits::max_whole_download_bytes`).
//! - The request planner: merges nearby ranges (tunable gap), slices the response back,
//!   deduplicates identical in-flight requests, bounds concurrency per origin and the
//!   bytes in flight per client, retries transient failures with bounded backoff, times
//!   out stalled attempts, and keeps a byte-budgeted LRU cache.
//! - The caller's headers (credentials) go only to the origins the caller allowed
//!   ([`RangeOptions::header_origins`], by default the origin opened first), never to
//!   hosts that references, indexes or cross-origin redirects (natively) lead to.
//! - [`RangeSource`] (one object) and [`Store`] (a key → object namespace, e.g. a Zarr
//!   store under a base URL, a directory, or a kerchunk reference set).
//!
//! Files: `range.rs` ([`ByteRange`]), `budget.rs` ([`budget::ByteBudget`], bytes in flight
//! per client), `transport.rs` ([`Transport`], `ReqwestTransport`),
//! `fetch.rs` (`FetchTransport`, wasm), `validate.rs` (response checks), `planner.rs`
//! ([`RangeOptions`], merging and slicing), `cache.rs` (LRU byte cache), `cancel.rs`
//! ([`CancelToken`]), `stats.rs` ([`stats`]), `client.rs` ([`HttpClient`], [`HttpSource`],
//! [`HttpStore`]), `file.rs` (`FileSource`, `FileStore`, `open_source`, `open_store`;
//! native).
//!
//! ```ignore
//! let client = HttpClient::new(RangeOptions::default());
//! let src = client.source("https://example.org/T32TNS_B04.jp2");
//! let header = src.get_range(ByteRange::new(0, 16 * 1024)?).await?;
//! let store = client.store("https://example.org/era5.zarr"); // keys are percent-encoded
//! let meta = store.get("t2m/.zarray", limits.max_metadata_bytes).await?; // None if missing
//! ```

pub mod budget;
pub mod cache;
mod cancel;
mod client;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(not(target_arch = "wasm32"))]
mod file;
pub mod planner;
mod range;
mod stats;
pub mod transport;
pub mod validate;

pub use cancel::{CancelToken, Cancelled};
pub use client::{join_url, normalized_origin, origin, HttpClient, HttpSource, HttpStore};
#[cfg(target_arch = "wasm32")]
pub use fetch::FetchTransport;
#[cfg(not(target_arch = "wasm32"))]
pub use file::{open_source, open_store, FileSource, FileStore};
pub use planner::RangeOptions;
pub use range::ByteRange;
pub use stats::{stats, Stats};
#[cfg(not(target_arch = "wasm32"))]
pub use transport::ReqwestTransport;
pub use transport::{HttpRequest, HttpResponse, Method, Transport};

use crate::error::IoError;
use async_trait::async_trait;
use bytes::Bytes;

/// One object (a file, a URL) read by byte ranges.
// `len` is async and may cost a request; an `is_empty` would only hide that.
#[allow(clippy::len_without_is_empty)]
#[async_trait(?Send)]
pub trait RangeSource {
    /// The URL or path, for errors and logs.
    fn location(&self) -> &str;

    /// The object's size in bytes.
    ///
    /// # Errors
    /// `NotFound`, HTTP and network errors.
    async fn len(&self) -> Result<u64, IoError>;

    /// Fetch `ranges`, returning one buffer per range in the same order. Implementations
    /// may merge nearby ranges into fewer requests.
    ///
    /// # Errors
    /// `NotFound`, `NotPartial`, HTTP, network and limit errors.
    async fn get_ranges(&self, ranges: &[ByteRange]) -> Result<Vec<Bytes>, IoError>;

    /// Fetch one range.
    ///
    /// # Errors
    /// As [`RangeSource::get_ranges`].
    async fn get_range(&self, range: ByteRange) -> Result<Bytes, IoError> {
        let mut v = self.get_ranges(std::slice::from_ref(&range)).await?;
        v.pop().ok_or_else(|| IoError::InvalidRange { reason: "source returned no buffer".into() })
    }

    /// Fetch the whole object, refusing more than `max` bytes.
    ///
    /// # Errors
    /// `NotFound`, HTTP and network errors; `LimitExceeded` past `max`.
    async fn get_all(&self, max: u64) -> Result<Bytes, IoError>;
}

/// A namespace of objects addressed by key (`"a/b/.zarray"`, `"t2m/c/0/0/0"`).
///
/// Missing objects are `Ok(None)`, never an error: a Zarr reader turns them into fill
/// values, while every other failure (403, 5xx, network) stays an error.
#[async_trait(?Send)]
pub trait Store {
    /// A human-readable location of `key` (its URL or path).
    fn describe(&self, key: &str) -> String;

    /// The whole object, or `None` if it does not exist. At most `max` bytes.
    ///
    /// # Errors
    /// HTTP, network and limit errors.
    async fn get(&self, key: &str, max: u64) -> Result<Option<Bytes>, IoError>;

    /// Byte ranges of the object, or `None` if it does not exist.
    ///
    /// # Errors
    /// HTTP, network and limit errors.
    async fn get_ranges(&self, key: &str, ranges: &[ByteRange]) -> Result<Option<Vec<Bytes>>, IoError>;
}
