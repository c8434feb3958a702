//! A header read-ahead over a [`RangeSource`]: the first read fetches
//! `Limits::header_read_ahead` bytes, later misses fetch only what they need (at least
//! the read-ahead, doubling as a header keeps growing), capped at
//! `Limits::max_header_bytes` in total. Counts its requests, so tests can assert the
//! request economy of opening a file.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::bytes::{format_err, to_usize};
use crate::error::Jp2Error;
use crate::io::{ByteRange, RangeSource};
use crate::limits::{check, Limits};
use bytes::Bytes;

/// Cached segments of one object, read through a read-ahead window.
pub(crate) struct ReadAhead<'a> {
    source: &'a dyn RangeSource,
    len: u64,
    segments: Vec<(u64, Bytes)>,
    window: u64,
    fetched: u64,
    max_total: u64,
    /// Number of range requests made.
    pub requests: u32,
    /// The last window fetched by [`ReadAhead::get_window`].
    walk_window: Option<(u64, Bytes)>,
    initial_window: u64,
}

impl<'a> ReadAhead<'a> {
    pub(crate) fn new(source: &'a dyn RangeSource, len: u64, limits: &Limits) -> Self {
        ReadAhead {
            source,
            len,
            segments: Vec::new(),
            window: limits.header_read_ahead.max(64),
            fetched: 0,
            max_total: limits.max_header_bytes,
            requests: 0,
            walk_window: None,
            initial_window: limits.header_read_ahead.max(64),
        }
    }

    /// Seed with bytes already fetched at `offset` (counted as `requests` requests).
    pub(crate) fn seed(&mut self, offset: u64, bytes: Bytes, requests: u32) {
        self.fetched = self.fetched.saturating_add(bytes.len() as u64);
        self.requests += requests;
        self.segments.push((offset, bytes));
    }

    /// The object's length.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The largest cached prefix starting at `offset`, without fetching.
    pub(crate) fn cached_from(&self, offset: u64) -> Option<Bytes> {
        self.segments.iter().find_map(|(s, b)| {
            let end = s.checked_add(b.len() as u64)?;
            if *s <= offset && offset < end {
                let from = usize::try_from(offset - s).ok()?;
                Some(b.slice(from..))
            } else {
                None
            }
        })
    }

    /// Bytes `[offset, offset + len)`: from the cache, or else exactly that range in one
    /// request, neither cached nor charged to the header budget (SOT walk hops, which
    /// jump through the whole file).
    ///
    /// # Errors
    /// `Format` when the range passes the end of the object; I/O errors.
    pub(crate) async fn get_exact(&mut self, offset: u64, len: u64) -> Result<Bytes, Jp2Error> {
        self.get_window(offset, len, len).await
    }

    /// Like [`ReadAhead::get_exact`], but a miss fetches `window` bytes (at least `len`,
    /// clipped to the object) and keeps them as the one walk window, replacing the last.
    ///
    /// # Errors
    /// As [`ReadAhead::get_exact`].
    pub(crate) async fn get_window(&mut self, offset: u64, len: u64, window: u64) -> Result<Bytes, Jp2Error> {
        offset.checked_add(len).filter(|&e| e <= self.len && len > 0).ok_or_else(|| {
            format_err(offset, format!("{len} bytes at {offset} pass the end of the {}-byte file", self.len))
        })?;
        if let Some(b) = self.cached_from(offset) {
            if b.len() as u64 >= len {
                return Ok(b.slice(..to_usize(len, offset, "length")?));
            }
        }
        if let Some((s, b)) = &self.walk_window {
            if *s <= offset && offset + len <= s + b.len() as u64 {
                let from = to_usize(offset - s, offset, "offset")?;
                return Ok(b.slice(from..from + to_usize(len, offset, "length")?));
            }
        }
        let want = window.max(len).min(self.len - offset);
        let got = self.source.get_range(ByteRange::from_offset_len(offset, want)?).await?;
        self.requests += 1;
        if got.len() as u64 != want {
            return Err(Jp2Error::Io(crate::error::IoError::Truncated {
                url: self.source.location().to_string(),
                expected: want,
                got: got.len() as u64,
            }));
        }
        let out = got.slice(..to_usize(len, offset, "length")?);
        self.walk_window = Some((offset, got));
        Ok(out)
    }

    /// The configured read-ahead.
    pub(crate) fn read_ahead(&self) -> u64 {
        self.initial_window
    }

    /// Bytes `[offset, offset + len)`, fetching (with read-ahead) when not cached.
    ///
    /// # Errors
    /// `Format` when the range passes the end of the object; I/O errors; `LimitExceeded`
    /// past `max_header_bytes` fetched in total.
    pub(crate) async fn get(&mut self, offset: u64, len: u64) -> Result<Bytes, Jp2Error> {
        let end = offset.checked_add(len).filter(|&e| e <= self.len).ok_or_else(|| {
            format_err(offset, format!("{len} bytes at {offset} pass the end of the {}-byte file", self.len))
        })?;
        if len == 0 {
            return Ok(Bytes::new());
        }
        if let Some(b) = self.cached_from(offset) {
            if b.len() as u64 >= len {
                return Ok(b.slice(..to_usize(len, offset, "length")?));
            }
        }
        // Fetch from the end of a cached prefix covering `offset`, if any.
        let (seg_idx, fetch_start) = match self.segments.iter().position(|(s, b)| {
            let e = s.saturating_add(b.len() as u64);
            *s <= offset && offset <= e
        }) {
            Some(i) => (Some(i), self.segments.get(i).map_or(offset, |(s, b)| s + b.len() as u64)),
            None => (None, offset),
        };
        let want = (end - fetch_start).max(self.window);
        let fetch_end = fetch_start.saturating_add(want).min(self.len);
        check("JPEG 2000 header bytes", self.fetched.saturating_add(fetch_end - fetch_start), self.max_total)?;
        let range = ByteRange::new(fetch_start, fetch_end)?;
        let got = self.source.get_range(range).await?;
        self.requests += 1;
        if (got.len() as u64) != fetch_end - fetch_start {
            return Err(Jp2Error::Io(crate::error::IoError::Truncated {
                url: self.source.location().to_string(),
                expected: fetch_end - fetch_start,
                got: got.len() as u64,
            }));
        }
        self.fetched += got.len() as u64;
        self.window = self.window.saturating_mul(2);
        let merged = match seg_idx {
            Some(i) => {
                let (s, old) = self.segments.swap_remove(i);
                let mut v = Vec::with_capacity(old.len() + got.len());
                v.extend_from_slice(&old);
                v.extend_from_slice(&got);
                (s, Bytes::from(v))
            }
            None => (fetch_start, got),
        };
        self.segments.push(merged);
        let b = self.cached_from(offset).ok_or_else(|| format_err(offset, "read-ahead miss"))?;
        Ok(b.slice(..to_usize(len, offset, "length")?.min(b.len())))
    }
}
