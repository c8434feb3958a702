//! The request planner: which HTTP requests serve a set of byte ranges, and how their
//! responses are sliced back.
//!
//! Like object_store's `coalesce_ranges`, nearby or overlapping bounded ranges (closer
//! than [`RangeOptions::coalesce_gap`]) become one request. Suffix ranges (RFC 9110
//! §14.1.2 `bytes=-n`) cannot be placed next to bounded ones without the object's size,
//! so they are merged only with each other (the longest suffix serves all of them); once
//! the size is known the caller resolves them to bounded ranges first. Planning and
//! slicing are pure functions; `src/io/client.rs` executes the plan.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::ByteRange;
use crate::error::IoError;
use crate::limits::Limits;
use bytes::Bytes;

/// How an [`super::HttpClient`] fetches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeOptions {
    /// Ranges closer than this many bytes are fetched in one request (default 32 KiB).
    pub coalesce_gap: u64,
    /// Requests in flight at once per origin (default 16: HTTP/2 object stores serve them at
    /// once, and node's fetch has no per-origin limit; a browser speaking HTTP/1.1 to the
    /// origin runs 6 and queues the rest itself). Measured by the `zarr-http` bench: with
    /// 20 ms per request a whole 64-chunk array read at 6 was 0.6-0.8x zarrita (which has
    /// no bound), at 16+ level with it or ahead.
    pub max_concurrency: usize,
    /// Retries of a transient failure (5xx, 429, 408, network error, cut body), with
    /// backoff `100 ms * 2^n` capped at [`MAX_BACKOFF_MS`] (default 3).
    pub max_retries: u32,
    /// Accept a 200 (whole object) to a range request, up to
    /// `limits.max_whole_download_bytes`, and slice the range out (default false).
    pub allow_whole_download: bool,
    /// Extra request headers (auth, ...), sent only to the origins of
    /// [`RangeOptions::header_origins`].
    pub headers: Vec<(String, String)>,
    /// The origins (`scheme://host[:port]`, or any URL: only its origin counts) that
    /// receive `headers`; `"*"` means every origin (unsafe with credentials: a reference
    /// file or an index could point reads anywhere). `None` (the default): only the origin
    /// of the first URL the client opens ([`super::HttpClient::source`] /
    /// [`super::HttpClient::store`]) or requests. Reads of other origins (kerchunk
    /// targets, external tile-part indexes) go out without `headers`. Origins compare
    /// case-insensitively, without user info and default ports.
    pub header_origins: Option<Vec<String>>,
    /// Give up on one attempt after this many milliseconds ([`IoError::Timeout`], not
    /// retried). `None`: wait as long as the transport does.
    pub timeout_ms: Option<u64>,
    /// Byte budget of the LRU cache of fetched ranges (default 64 MiB; 0 disables it).
    pub cache_bytes: u64,
    /// Bytes of response bodies in flight at once across all reads of the client
    /// (default 256 MiB). A range request charges its length before it is sent; a
    /// whole-object request charges its `Content-Length` (else its cap) when the headers
    /// arrive, before the body is read. Requests wait, first come first served, while the
    /// budget is short; one larger than the whole budget fails at once with
    /// `LimitExceeded { what: "bytes in flight", .. }`.
    pub max_bytes_in_flight: u64,
    pub limits: Limits,
}

/// The longest backoff between retries.
pub const MAX_BACKOFF_MS: u64 = 5_000;

impl Default for RangeOptions {
    fn default() -> Self {
        RangeOptions {
            coalesce_gap: 32 * 1024,
            max_concurrency: 16,
            max_retries: 3,
            allow_whole_download: false,
            headers: Vec::new(),
            header_origins: None,
            timeout_ms: None,
            cache_bytes: 64 * 1024 * 1024,
            max_bytes_in_flight: 256 * 1024 * 1024,
            limits: Limits::default(),
        }
    }
}

/// The backoff before retry number `attempt` (0-based): `100 ms * 2^attempt`, capped.
pub fn backoff_ms(attempt: u32) -> u64 {
    100u64.checked_shl(attempt).unwrap_or(MAX_BACKOFF_MS).min(MAX_BACKOFF_MS)
}

/// One request of a plan and the indexes of the requested ranges it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    pub range: ByteRange,
    pub serves: Vec<usize>,
}

/// Group `ranges` into requests: bounded ranges whose gap is at most `gap` (or which
/// overlap) are merged; all suffix ranges are served by one request for the longest.
/// Requests come out bounded ones first, by offset, then the suffix request.
pub fn plan_requests(ranges: &[ByteRange], gap: u64) -> Vec<PlannedRequest> {
    let mut bounded: Vec<(u64, u64, usize)> = Vec::new();
    let mut suffix: Option<PlannedRequest> = None;
    for (i, r) in ranges.iter().enumerate() {
        match *r {
            ByteRange::Bounded { start, end } => bounded.push((start, end, i)),
            ByteRange::Suffix(n) => match suffix.as_mut() {
                Some(p) => {
                    if n > p.range.len() {
                        p.range = ByteRange::Suffix(n);
                    }
                    p.serves.push(i);
                }
                None => suffix = Some(PlannedRequest { range: ByteRange::Suffix(n), serves: vec![i] }),
            },
        }
    }
    bounded.sort_unstable();
    let mut out: Vec<PlannedRequest> = Vec::new();
    let mut cur: Option<(u64, u64, Vec<usize>)> = None;
    for (start, end, i) in bounded {
        match cur.as_mut() {
            Some((_, cend, serves)) if start <= cend.saturating_add(gap) => {
                *cend = (*cend).max(end);
                serves.push(i);
            }
            _ => {
                if let Some((s, e, serves)) = cur.take() {
                    out.push(PlannedRequest { range: ByteRange::Bounded { start: s, end: e }, serves });
                }
                cur = Some((start, end, vec![i]));
            }
        }
    }
    if let Some((s, e, serves)) = cur {
        out.push(PlannedRequest { range: ByteRange::Bounded { start: s, end: e }, serves });
    }
    out.extend(suffix);
    out
}

/// Cut the bytes of `want` out of a response body that holds the object's bytes from
/// offset `body_start` on. `total` is the object's size if known. A bounded `want` that
/// reaches past the object's end is clipped (as HTTP clips it).
///
/// # Errors
/// [`IoError::InvalidRange`] when the body does not cover `want` (a server that sent less
/// than the request), so the caller never gets wrong bytes.
pub fn slice_back(want: &ByteRange, body_start: u64, body: &Bytes, total: Option<u64>) -> Result<Bytes, IoError> {
    let body_end = body_start
        .checked_add(body.len() as u64)
        .ok_or_else(|| IoError::InvalidRange { reason: "response offset overflows".into() })?;
    let (start, end) = match (*want, total) {
        (ByteRange::Bounded { start, end }, Some(t)) => (start, end.min(t)),
        (ByteRange::Bounded { start, end }, None) => (start, end.min(body_end)),
        (ByteRange::Suffix(n), Some(t)) => (t.saturating_sub(n), t),
        // The body is a suffix itself: its last `n` bytes.
        (ByteRange::Suffix(n), None) => (body_end.saturating_sub(n).max(body_start), body_end),
    };
    if start < body_start || end > body_end || start >= end {
        return Err(IoError::InvalidRange {
            reason: format!("response bytes {body_start}..{body_end} do not cover {want} (resolved {start}..{end})"),
        });
    }
    let (s, e) = (usize::try_from(start - body_start), usize::try_from(end - body_start));
    match (s, e) {
        (Ok(s), Ok(e)) => Ok(body.slice(s..e)),
        _ => Err(IoError::InvalidRange { reason: "range does not fit in memory".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: u64, e: u64) -> ByteRange {
        ByteRange::new(s, e).unwrap()
    }

    fn plan(r: &[ByteRange], gap: u64) -> Vec<(ByteRange, Vec<usize>)> {
        plan_requests(r, gap).into_iter().map(|p| (p.range, p.serves)).collect()
    }

    #[test]
    fn merges_within_gap_only() {
        // 1 KiB apart with a 32 KiB gap: one request.
        assert_eq!(plan(&[b(0, 100), b(1124, 1200)], 32 * 1024), vec![(b(0, 1200), vec![0, 1])]);
        // Exactly `gap` apart: merged; one more byte: not.
        assert_eq!(plan(&[b(0, 10), b(20, 30)], 10), vec![(b(0, 30), vec![0, 1])]);
        assert_eq!(plan(&[b(0, 10), b(21, 30)], 10), vec![(b(0, 10), vec![0]), (b(21, 30), vec![1])]);
        // Gap 0 still merges touching and overlapping ranges.
        assert_eq!(plan(&[b(10, 20), b(0, 10)], 0), vec![(b(0, 20), vec![1, 0])]);
        assert_eq!(plan(&[b(0, 50), b(10, 20), b(40, 60)], 0), vec![(b(0, 60), vec![0, 1, 2])]);
    }

    #[test]
    fn unsorted_and_duplicates() {
        let r = [b(5000, 5100), b(0, 10), b(0, 10), b(100_000, 100_001), b(5050, 6000)];
        assert_eq!(
            plan(&r, 1000),
            vec![(b(0, 10), vec![1, 2]), (b(5000, 6000), vec![0, 4]), (b(100_000, 100_001), vec![3])]
        );
        assert_eq!(plan(&[], 10), vec![]);
    }

    #[test]
    fn suffixes_merge_only_with_each_other() {
        let r = [ByteRange::Suffix(16), b(0, 10), ByteRange::Suffix(64), ByteRange::Suffix(16)];
        assert_eq!(plan(&r, u64::MAX), vec![(b(0, 10), vec![1]), (ByteRange::Suffix(64), vec![0, 2, 3])]);
        // A huge gap does not overflow.
        assert_eq!(plan(&[b(0, 1), b(u64::MAX - 1, u64::MAX)], u64::MAX), vec![(b(0, u64::MAX), vec![0, 1])]);
    }

    #[test]
    fn slices_back_bounded() {
        let body = Bytes::from_static(b"0123456789");
        assert_eq!(&slice_back(&b(100, 103), 100, &body, None).unwrap()[..], b"012");
        assert_eq!(&slice_back(&b(107, 110), 100, &body, Some(1000)).unwrap()[..], b"789");
        // Past the end of the object: clipped like HTTP.
        assert_eq!(&slice_back(&b(108, 200), 100, &body, Some(110)).unwrap()[..], b"89");
        // Not covered: an error, never wrong bytes.
        assert!(slice_back(&b(99, 101), 100, &body, None).is_err());
        assert!(slice_back(&b(105, 120), 100, &body, Some(1000)).is_err());
        assert!(slice_back(&b(110, 111), 100, &body, Some(110)).is_err());
    }

    #[test]
    fn slices_back_suffix() {
        let body = Bytes::from_static(b"0123456789");
        // The body is the object's last 10 bytes of 50.
        assert_eq!(&slice_back(&ByteRange::Suffix(3), 40, &body, Some(50)).unwrap()[..], b"789");
        assert_eq!(&slice_back(&ByteRange::Suffix(3), 40, &body, None).unwrap()[..], b"789");
        // Longer than the object: the whole object.
        assert_eq!(&slice_back(&ByteRange::Suffix(99), 0, &body, Some(10)).unwrap()[..], b"0123456789");
        assert_eq!(&slice_back(&ByteRange::Suffix(10), 40, &body, None).unwrap()[..], b"0123456789");
        assert!(slice_back(&ByteRange::Suffix(11), 40, &body, Some(50)).is_err());
    }

    #[test]
    fn plan_then_slice_roundtrip() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let object = Bytes::from(data.clone());
        let wants = [b(10, 20), b(15, 40), b(5000, 5001), b(9990, 10_000), ByteRange::Suffix(7), b(4000, 4100)];
        for gap in [0, 100, 1000, 1 << 20] {
            let mut got: Vec<Option<Bytes>> = vec![None; wants.len()];
            for p in plan_requests(&wants, gap) {
                let (s, e) = p.range.resolve(10_000).unwrap();
                let body = object.slice(s as usize..e as usize);
                for i in p.serves {
                    got[i] = Some(slice_back(&wants[i], s, &body, Some(10_000)).unwrap());
                }
            }
            for (w, g) in wants.iter().zip(got) {
                let (s, e) = w.resolve(10_000).unwrap();
                assert_eq!(&g.unwrap()[..], &data[s as usize..e as usize], "{w} gap {gap}");
            }
        }
    }

    #[test]
    fn backoff_is_bounded() {
        assert_eq!([0, 1, 2, 3].map(backoff_ms), [100, 200, 400, 800]);
        assert_eq!(backoff_ms(6), 5000);
        assert_eq!(backoff_ms(200), 5000);
    }
}
